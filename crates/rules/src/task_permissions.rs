//! SW-SFN-3: a state machine's role must allow what its Task states call.
//!
//! A workflow whose role lacks a permission deploys cleanly and fails each execution with
//! AccessDenied. Which action on which resource each Task needs comes from
//! `stackweave-sfn-tasks`, the table the `express-workflow` construct derives its own role
//! from, so the rule and the construct cannot disagree. The role is followed from `RoleArn`
//! (a `Fn::GetAtt` of an `AWS::IAM::Role` of the template) to its inline `Policies` and the
//! `AWS::IAM::Policy`, `ManagedPolicy` and `RolePolicy` resources attached to it.
//!
//! The rule decides only what the template fixes: an imported or parameter role, a policy
//! part behind an intrinsic, a managed policy ARN, a `Condition`, or a resource the template
//! writes as a different expression than the task names is reported as undecided. Deny
//! statements are not read: they can only take permissions away, which this rule would then
//! miss, never invent.

use serde_json::{Map, Value, json};
use stackweave_iam::Identity;
use stackweave_sfn_tasks::{task_needs, wildcard_match};

use crate::iam::{self, Effect, ItemValue, Statement};
use crate::intrinsics::{
    alternatives, describe, getatt_parts, is_intrinsic, literal_text, text_of,
};
use crate::{Resource, Sink, Template, child};

const STATE_MACHINE: &str = "AWS::StepFunctions::StateMachine";

/// Resource types whose `Ref` is a name, from which the tasks' table derives an ARN; their
/// `Fn::GetAtt <Id>.Arn` is the same ARN written another way.
const REF_IS_NAME: &[&str] = &[
    "AWS::DynamoDB::Table",
    "AWS::Lambda::Function",
    "AWS::Events::EventBus",
];

/// SW-SFN-3: an action a Task state needs that the state machine's role does not allow.
pub(crate) fn missing_task_permissions(template: &Template, resource: &Resource, sink: &mut Sink) {
    if resource.resource_type != STATE_MACHINE {
        return;
    }
    let machine = resource.logical_id;
    let Some(definition) = definition(resource, sink) else {
        return;
    };
    let (needs, underived) = task_needs(&definition.value, &definition.pointer);
    // Integrations the table does not know are not checked; a resource known only at run
    // time still needs its action on something.
    let run_time: Vec<_> = underived
        .into_iter()
        .filter_map(|u| Some((u.action?, u.state, u.pointer)))
        .collect();
    if needs.is_empty() && run_time.is_empty() {
        return;
    }
    let Some((role_arn, role_pointer)) = resource.property("RoleArn") else {
        return;
    };
    let at = |pointer: String| {
        if definition.in_string {
            definition.pointer.clone()
        } else {
            pointer
        }
    };
    for (arn, arn_pointer) in alternatives(role_arn, &role_pointer) {
        let Some(role) = role_of(template, arn) else {
            sink.undecided(
                arn_pointer,
                format!(
                    "cannot decide whether the role of state machine `{machine}` allows what its \
                     Task states call: RoleArn is `{}`, not a role of this template",
                    show(arn)
                ),
            );
            continue;
        };
        let policies = Policies::of(template, role);
        let name = role.logical_id;
        for need in &needs {
            let shown = show(&need.resource);
            let equivalent = equivalent_arn(template, &need.resource);
            let wanted = Wanted::Resource(&need.resource, equivalent.as_ref());
            let subject = format!(
                "state `{}` of state machine `{machine}` calls `{}` on `{shown}`",
                need.state, need.action
            );
            match policies.grant(need.action, &wanted) {
                Grant::Yes => {}
                Grant::Maybe(why) => sink.undecided(
                    at(need.pointer.clone()),
                    format!(
                        "cannot decide whether role `{name}` allows this: {subject}, and {why}"
                    ),
                ),
                Grant::No => sink.found(
                    at(need.pointer.clone()),
                    format!(
                        "{subject}, which role `{name}` does not allow; add a statement allowing \
                         `{}` on it to the role",
                        need.action
                    ),
                ),
            }
        }
        for (action, state, pointer) in &run_time {
            let subject = format!(
                "state `{state}` of state machine `{machine}` calls `{action}` on a resource \
                 chosen at run time"
            );
            match policies.grant(action, &Wanted::RunTime) {
                Grant::Yes => {}
                Grant::Maybe(why) => sink.undecided(
                    at(pointer.clone()),
                    format!(
                        "cannot decide whether role `{name}` allows this: {subject}, and {why}"
                    ),
                ),
                Grant::No => sink.found(
                    at(pointer.clone()),
                    format!(
                        "{subject}, and role `{name}` allows `{action}` on nothing; add a \
                         statement allowing it on the resources the state may name"
                    ),
                ),
            }
        }
    }
}

/// The definition as the rules read it, its `DefinitionSubstitutions` put back.
struct Definition {
    value: Value,
    pointer: String,
    /// Read from `DefinitionString`: findings point at that string, which has no inside.
    in_string: bool,
}

fn definition(resource: &Resource, sink: &mut Sink) -> Option<Definition> {
    let substitutions = resource
        .properties
        .and_then(|p| p.get("DefinitionSubstitutions"))
        .and_then(Value::as_object);
    let undecided = |sink: &mut Sink, pointer: String, why: String| {
        sink.undecided(
            pointer,
            format!(
                "cannot decide whether the role of state machine `{}` allows what its Task \
                 states call: {why}",
                resource.logical_id
            ),
        );
        None
    };
    if let Some((value, pointer)) = resource.property("Definition") {
        if is_intrinsic(value) || !value.is_object() {
            return undecided(
                sink,
                pointer,
                format!("its Definition is `{}`", describe(value)),
            );
        }
        return Some(Definition {
            value: substitute(value, substitutions),
            pointer,
            in_string: false,
        });
    }
    if let Some((value, pointer)) = resource.property("DefinitionString") {
        let parsed = literal_text(value).and_then(|text| serde_json::from_str::<Value>(&text).ok());
        return match parsed {
            Some(parsed) => Some(Definition {
                value: substitute(&parsed, substitutions),
                pointer,
                in_string: true,
            }),
            None => undecided(
                sink,
                pointer,
                "its DefinitionString is not JSON the template fixes".to_owned(),
            ),
        };
    }
    if let Some((_, pointer)) = resource.property("DefinitionS3Location") {
        return undecided(sink, pointer, "its definition is in S3".to_owned());
    }
    None
}

/// `value` with each `${Name}` of `substitutions` replaced by its value: a whole string by
/// the value itself, a longer string by a `Fn::Sub` over the placeholders it holds.
fn substitute(value: &Value, substitutions: Option<&Map<String, Value>>) -> Value {
    let Some(substitutions) = substitutions else {
        return value.clone();
    };
    match value {
        Value::String(text) => {
            let placeholder = |name: &String| format!("${{{name}}}");
            if let Some(whole) = substitutions
                .iter()
                .find(|(name, _)| *text == placeholder(name))
                .map(|(_, value)| value.clone())
            {
                return whole;
            }
            let used: Map<String, Value> = substitutions
                .iter()
                .filter(|(name, _)| text.contains(&placeholder(name)))
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            if used.is_empty() {
                value.clone()
            } else {
                json!({"Fn::Sub": [text, used]})
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| substitute(item, Some(substitutions)))
                .collect(),
        ),
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, child)| (key.clone(), substitute(child, Some(substitutions))))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The role a `RoleArn` names, when it is `Fn::GetAtt <Role>.Arn` of a role of the template.
fn role_of<'t, 'a>(template: &'t Template<'a>, arn: &Value) -> Option<&'t Resource<'a>> {
    let (id, attribute) = getatt_parts(arn)?;
    let role = template.resource(id)?;
    (attribute == "Arn" && role.resource_type == "AWS::IAM::Role").then_some(role)
}

/// A value for messages: its text with unknown parts as `${...}`, or what intrinsic it is.
fn show(value: &Value) -> String {
    match text_of(value) {
        Some(text) => text.display(),
        None => describe(value),
    }
}

/// The `Fn::GetAtt <Id>.Arn` equal to a resource the table derived from `Ref <Id>`: a table's,
/// function's or bus's ARN built from its name, or a queue's built from its URL.
fn equivalent_arn(template: &Template, needed: &Value) -> Option<(String, String)> {
    let args = needed.get("Fn::Sub")?.as_array()?;
    let (text, variables) = (args.first()?.as_str()?, args.get(1)?.as_object()?);
    let (id, types): (&str, &[&str]) = if text.ends_with("${Name}") && variables.len() == 1 {
        (variables.get("Name")?.get("Ref")?.as_str()?, REF_IS_NAME)
    } else if text.starts_with("arn:${AWS::Partition}:sqs:") {
        // Name: Select [4, Split ["/", Ref <Queue>]].
        let split = variables.get("Name")?.get("Fn::Select")?.get(1)?;
        (
            split.get("Fn::Split")?.get(1)?.get("Ref")?.as_str()?,
            &["AWS::SQS::Queue"],
        )
    } else {
        return None;
    };
    let target = template.resource(id)?;
    types
        .contains(&target.resource_type)
        .then(|| (id.to_owned(), "Arn".to_owned()))
}

/// What a task needs on: a resource the template names, or one chosen at run time.
enum Wanted<'v> {
    Resource(&'v Value, Option<&'v (String, String)>),
    RunTime,
}

/// Whether the policies allow something.
enum Grant {
    Yes,
    /// Cannot tell; says why, as a clause.
    Maybe(String),
    No,
}

/// Every statement that applies to a role, and what hides others.
struct Policies<'a> {
    statements: Vec<Statement<'a>>,
    /// Why there may be statements the rule cannot read, as a clause.
    hidden: Option<String>,
}

impl<'a> Policies<'a> {
    fn of(template: &Template<'a>, role: &Resource<'a>) -> Self {
        let mut statements = Vec::new();
        let mut hidden = None;
        let mut read = |found: iam::Statements<'a>| {
            statements.extend(found.found);
            if let Some((_, why)) = found.unresolved.into_iter().next() {
                hidden.get_or_insert(why);
            }
        };
        read(iam::statements(role));
        for other in &template.resources {
            let found = iam::statements(other);
            if attaches(&found, role.logical_id) {
                read(found);
            }
        }
        if role.property("ManagedPolicyArns").is_some() {
            hidden.get_or_insert_with(|| {
                "its managed policies, which the template does not hold, may allow it".to_owned()
            });
        }
        Policies { statements, hidden }
    }

    fn grant(&self, action: &str, wanted: &Wanted) -> Grant {
        let mut maybe = None;
        for statement in &self.statements {
            match grants(statement, action, wanted) {
                Grant::Yes => return Grant::Yes,
                Grant::Maybe(why) => {
                    maybe.get_or_insert(why);
                }
                Grant::No => {}
            }
        }
        match maybe.or_else(|| self.hidden.clone()) {
            Some(why) => Grant::Maybe(why),
            None => Grant::No,
        }
    }
}

/// Whether a policy resource attaches to the role `role`: an `AWS::IAM::Policy` or
/// `ManagedPolicy` listing `Ref <role>` in `Roles`, or an `AWS::IAM::RolePolicy` whose
/// `RoleName` is `Ref <role>`.
fn attaches(found: &iam::Statements, role: &str) -> bool {
    found
        .attached_to
        .iter()
        .any(|target| target.identity == Identity::Role && target.referenced() == Some(role))
}

fn grants(statement: &Statement, action: &str, wanted: &Wanted) -> Grant {
    let body = statement.body;
    let name = &statement.name;
    let mut maybe = match iam::effect(statement) {
        Effect::Deny => return Grant::No,
        Effect::Allow => None,
        Effect::Maybe(what) => Some(format!("the Effect of {name} is an unresolved `{what}`")),
    };
    if body.contains_key("Condition") {
        maybe.get_or_insert_with(|| format!("{name} allows it under a Condition"));
    }
    if body.contains_key("NotAction") || body.contains_key("NotResource") {
        return Grant::Maybe(format!("{name} uses NotAction or NotResource"));
    }
    let mut action_hit = Grant::No;
    for entry in iam::items(
        body.get("Action").unwrap_or(&Value::Null),
        &statement.pointer,
    ) {
        match entry.value {
            ItemValue::Literal(pattern)
                if wildcard_match(&pattern.to_ascii_lowercase(), &action.to_ascii_lowercase()) =>
            {
                action_hit = Grant::Yes;
                break;
            }
            ItemValue::Literal(_) => {}
            ItemValue::Partial(_) | ItemValue::Unknown(_) => {
                action_hit = Grant::Maybe(format!("an action of {name} is unresolved"));
            }
        }
    }
    match action_hit {
        Grant::No => return Grant::No,
        Grant::Maybe(why) => return Grant::Maybe(why),
        Grant::Yes => {}
    }
    let mut resource_hit = Grant::No;
    let resources = body.get("Resource").unwrap_or(&Value::Null);
    for entry in iam::items(resources, &child(&statement.pointer, "Resource")) {
        let hit = match (&entry.value, wanted) {
            (ItemValue::Literal(pattern), _) if pattern == "*" => Grant::Yes,
            (_, Wanted::RunTime) => Grant::Maybe(format!(
                "{name} allows it on resources the rule cannot compare with those chosen at \
                 run time"
            )),
            (ItemValue::Literal(pattern), Wanted::Resource(Value::String(arn), _)) => {
                if wildcard_match(pattern, arn) {
                    Grant::Yes
                } else {
                    Grant::No
                }
            }
            (_, Wanted::Resource(needed, equivalent)) => {
                let value = resource_entry(resources, &entry.pointer, &statement.pointer);
                let same_getatt = |value: &Value| {
                    equivalent.is_some_and(|(id, attribute)| {
                        getatt_parts(value) == Some((id.as_str(), attribute.as_str()))
                    })
                };
                match value {
                    Some(value) if value == *needed || same_getatt(value) => Grant::Yes,
                    _ => Grant::Maybe(format!(
                        "{name} allows it on resources written differently from `{}`",
                        show(needed)
                    )),
                }
            }
        };
        match hit {
            Grant::Yes => {
                resource_hit = Grant::Yes;
                break;
            }
            Grant::Maybe(why) => resource_hit = Grant::Maybe(why),
            Grant::No => {}
        }
    }
    match (resource_hit, maybe) {
        (Grant::Yes, Some(why)) => Grant::Maybe(why),
        (hit, _) => hit,
    }
}

/// The raw value of the `Resource` entry at `pointer` (items give only its reading).
fn resource_entry<'v>(resources: &'v Value, pointer: &str, statement: &str) -> Option<&'v Value> {
    let base = child(statement, "Resource");
    let rest = pointer.strip_prefix(&base)?;
    if rest.is_empty() {
        return Some(resources);
    }
    resources.pointer(rest)
}
