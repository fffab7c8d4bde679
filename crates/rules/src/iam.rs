//! IAM rules: least privilege in identity policies.
//!
//! Policy documents are read by `stackweave-iam`, where CloudFormation takes them:
//! `Policies[].PolicyDocument` of `AWS::IAM::Role`, `User` and `Group`, and `PolicyDocument`
//! of `AWS::IAM::Policy`, `ManagedPolicy`, `RolePolicy`, `UserPolicy` and `GroupPolicy`,
//! each branch of an `Fn::If` on its own. Trust policies (`AssumeRolePolicyDocument`) are not
//! checked: they say who may assume a role, not what it may do.
//!
//! IAM action names are case-insensitive, so actions are compared ignoring case.

use serde_json::{Map, Value};
use stackweave_iam::{Content, Part, Slot, Source, Target};
use stackweave_sfn_tasks::{LOG_DELIVERY_ACTIONS, TRACING_ACTIONS};

use crate::intrinsics::{
    PLACEHOLDER, Piece, Text, alternatives, describe, getatt_parts, is_intrinsic, literal_text,
    text_of,
};
use crate::{Resource, Sink, Template, child};

/// Whether AWS documents `action` as supporting no resource-level permissions: the Service
/// Authorization Reference lists no resource type for it, so `"Resource": "*"` is the only
/// way to grant it and SW-IAM-3 does not count it.
///
/// - The CloudWatch Logs log-delivery actions a Step Functions execution role needs to log
///   to CloudWatch Logs (the Step Functions guide grants exactly these on `*`).
/// - The X-Ray actions a traced service needs to send traces and read sampling rules.
/// - `cloudwatch:PutMetricData`, scoped by the `cloudwatch:namespace` condition key instead.
fn has_no_resource_level_permissions(action: &str) -> bool {
    LOG_DELIVERY_ACTIONS
        .iter()
        .chain(&TRACING_ACTIONS)
        .chain(&["cloudwatch:PutMetricData"])
        .any(|exempt| exempt.eq_ignore_ascii_case(action))
}

/// Verbs (the part after `service:`) of read-only actions, by prefix: `GetObject`,
/// `ListBuckets`, `DescribeLogGroups`, `BatchGetItem`, `Query`, `Scan`... A heuristic,
/// not the Service Authorization Reference's access levels (which this crate does not
/// carry): it is right for AWS's naming convention, and errs towards calling an action a
/// write, which makes SW-IAM-3 stricter, never laxer.
const READ_ONLY_VERB_PREFIXES: &[&str] = &[
    "get", "list", "describe", "batchget", "query", "scan", "search", "head", "view", "lookup",
];

/// A statement of a policy document, with where it is and how to name it.
pub(crate) struct Statement<'a> {
    pub(crate) body: &'a Map<String, Value>,
    pub(crate) pointer: String,
    /// `statement 0 of policy `Name``, for messages.
    pub(crate) name: String,
}

/// What reading a resource's policy documents gave: statements, the values that hid
/// statements behind an intrinsic, and what a policy resource applies to.
#[derive(Default)]
pub(crate) struct Statements<'a> {
    pub(crate) found: Vec<Statement<'a>>,
    /// (pointer, message) of each value that could not be read.
    pub(crate) unresolved: Vec<(String, String)>,
    /// The roles, users and groups a policy resource applies to, as written.
    pub(crate) attached_to: Vec<Target<'a>>,
}

pub(crate) fn statements<'a>(resource: &Resource<'a>) -> Statements<'a> {
    let mut out = Statements::default();
    let Some(read) =
        stackweave_iam::read_resource(resource.logical_id, resource.value, alternatives)
    else {
        return out;
    };
    out.attached_to = read.attached_to;
    for part in read.parts {
        let document = match part {
            Part::Document(document) => document,
            Part::NotAList { pointer, value } => {
                out.unresolved.push((
                    pointer,
                    format!("Policies is an unresolved `{}`", describe(value)),
                ));
                continue;
            }
            Part::NotAPolicy {
                index,
                pointer,
                value,
            } => {
                out.unresolved.push((
                    pointer,
                    format!(
                        "policy {index} in Policies is an unresolved `{}`",
                        describe(value)
                    ),
                ));
                continue;
            }
        };
        let name = document.name.and_then(literal_text);
        let label = match (document.source, name) {
            (Source::Trust, _) => continue,
            (_, Some(name)) => format!("policy `{name}`"),
            (Source::Inline { index }, None) => format!("policy {index} in Policies"),
            (Source::PolicyResource, None) => format!("policy `{}`", resource.logical_id),
        };
        let slots = match document.content() {
            Content::Statements(slots) => slots,
            Content::Text(_) => {
                // CloudFormation also takes a policy document as a JSON string; Stackweave's
                // constructs write objects, and a string has no pointers into it.
                out.unresolved.push((
                    document.pointer,
                    format!(
                        "the policy document of {label} is a JSON string, which these rules do not read"
                    ),
                ));
                continue;
            }
            Content::Unreadable => {
                out.unresolved.push((
                    document.pointer,
                    format!(
                        "the policy document of {label} is an unresolved `{}`",
                        describe(document.value)
                    ),
                ));
                continue;
            }
        };
        for slot in slots {
            match slot {
                Slot::Statement(statement) => {
                    let name = match statement.body.get("Sid").and_then(Value::as_str) {
                        Some(sid) => format!("statement `{sid}` of {label}"),
                        None => format!("statement {} of {label}", statement.index),
                    };
                    out.found.push(Statement {
                        body: statement.body,
                        pointer: statement.pointer,
                        name,
                    });
                }
                Slot::Unreadable {
                    index,
                    pointer,
                    value,
                } => out.unresolved.push((
                    pointer,
                    format!(
                        "statement {index} of {label} is an unresolved `{}`",
                        describe(value)
                    ),
                )),
            }
        }
    }
    out
}

/// Whether a statement allows.
pub(crate) enum Effect {
    Allow,
    Deny,
    /// `Effect` is an intrinsic (named here) that may resolve to `Allow`.
    Maybe(String),
}

pub(crate) fn effect(statement: &Statement) -> Effect {
    match statement.body.get("Effect") {
        Some(Value::String(effect)) if effect.eq_ignore_ascii_case("Allow") => Effect::Allow,
        // `Deny` restricts; a missing or misspelt Effect is invalid and IAM rejects it.
        Some(value) if is_intrinsic(value) => Effect::Maybe(describe(value)),
        _ => Effect::Deny,
    }
}

/// One entry of an `Action` or `Resource` element.
pub(crate) struct Item {
    pub(crate) pointer: String,
    pub(crate) value: ItemValue,
}

pub(crate) enum ItemValue {
    /// Fixed text.
    Literal(String),
    /// Text with parts left to deploy time (`Fn::Sub` variables, `Ref`s in a `Fn::Join`,
    /// or a whole `Ref`).
    Partial(Text),
    /// Something that is not text the template writes (`Fn::GetAtt`, `Fn::ImportValue`...).
    Unknown(String),
}

/// The entries of an `Action`/`Resource` element: a string or a list, either possibly
/// behind `Fn::If`.
pub(crate) fn items(value: &Value, pointer: &str) -> Vec<Item> {
    stackweave_iam::entries(value, pointer, alternatives)
        .into_iter()
        .map(|(value, pointer)| item(value, pointer))
        .collect()
}

fn item(value: &Value, pointer: String) -> Item {
    let value = match text_of(value) {
        Some(text) => match text.literal() {
            Some(literal) => ItemValue::Literal(literal),
            None => ItemValue::Partial(text),
        },
        None => ItemValue::Unknown(describe(value)),
    };
    Item { pointer, value }
}

/// Names what is unresolved in an entry, for messages.
fn unresolved(text: &Text) -> String {
    text.variables()
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_wildcard(action: &str) -> bool {
    action.contains(['*', '?'])
}

/// What a wildcard action grants, in words.
fn wildcard_meaning(action: &str) -> String {
    match action.split_once(':') {
        None if action == "*" => "every action of every service".to_owned(),
        Some((service, "*")) => format!("every `{service}` action"),
        Some((service, _)) => {
            format!("every `{service}` action matching `{action}`, including any AWS adds later")
        }
        None => format!("every action matching `{action}`"),
    }
}

/// The statements of `resource`'s policies that allow (or may allow) something, each with
/// whether that is undecided and the clause saying why, for messages. Values the rule
/// cannot read are reported as undecided: it cannot check `what` there.
fn allowing<'a>(
    resource: &Resource<'a>,
    sink: &mut Sink,
    what: &str,
) -> Vec<(Statement<'a>, bool, String)> {
    let statements = statements(resource);
    for (pointer, why) in statements.unresolved {
        sink.undecided(pointer, format!("cannot check {what}: {why}"));
    }
    statements
        .found
        .into_iter()
        .filter_map(|statement| {
            let (undecided, condition) = match effect(&statement) {
                Effect::Deny => return None,
                Effect::Allow => (false, String::new()),
                Effect::Maybe(what) => (
                    true,
                    format!(" (if its Effect, an unresolved `{what}`, is Allow)"),
                ),
            };
            Some((statement, undecided, condition))
        })
        .collect()
}

/// SW-IAM-1: wildcard actions and `NotAction` in Allow statements.
///
/// Partial wildcards such as `s3:Get*` count as well as `*` and `s3:*`: they too grant
/// actions nobody reviewed, including those AWS adds to the service later, and an exact
/// list is always possible. `?` (IAM's single-character wildcard) counts the same way.
pub(crate) fn wildcard_actions(_: &Template, resource: &Resource, sink: &mut Sink) {
    for (statement, undecided, condition) in &allowing(resource, sink, "actions") {
        let undecided = *undecided;
        let name = &statement.name;
        if statement.body.contains_key("NotAction") {
            sink.push(
                child(&statement.pointer, "NotAction"),
                format!(
                    "{name} allows NotAction: it grants every action of every service except those listed{condition}"
                ),
                undecided,
            );
        }
        let Some(action) = statement.body.get("Action") else {
            continue;
        };
        for entry in items(action, &child(&statement.pointer, "Action")) {
            match entry.value {
                ItemValue::Literal(action) if is_wildcard(&action) => sink.push(
                    entry.pointer,
                    format!(
                        "{name} allows `{action}`, which grants {}{condition}",
                        wildcard_meaning(&action)
                    ),
                    undecided,
                ),
                ItemValue::Literal(_) => {}
                ItemValue::Partial(text) if is_wildcard(&text.render()) => sink.push(
                    entry.pointer,
                    format!(
                        "{name} allows the wildcard action `{}`{condition}",
                        text.display()
                    ),
                    undecided,
                ),
                ItemValue::Partial(text) => sink.undecided(
                    entry.pointer,
                    format!(
                        "cannot tell whether {name} allows a wildcard action: the action depends on unresolved {}",
                        unresolved(&text)
                    ),
                ),
                ItemValue::Unknown(what) => sink.undecided(
                    entry.pointer,
                    format!(
                        "cannot tell whether {name} allows a wildcard action: the action is an unresolved `{what}`"
                    ),
                ),
            }
        }
    }
}

/// Whether an action (possibly a wildcard) may include a write: anything but a read-only
/// verb (see [`READ_ONLY_VERB_PREFIXES`]) or an action without resource-level permissions.
/// A wildcard counts as read-only only when the part before its first wildcard is already
/// a read-only verb prefix (`logs:Describe*` yes, `logs:*` and `s3:G*` no).
fn may_write(action: &str) -> bool {
    if has_no_resource_level_permissions(action) {
        return false;
    }
    let Some((_, verb)) = action.split_once(':') else {
        // `*`, or not an action at all: assume the worst.
        return true;
    };
    let verb = verb.to_ascii_lowercase();
    let fixed = verb.split(['*', '?']).next().unwrap_or_default();
    !READ_ONLY_VERB_PREFIXES
        .iter()
        .any(|prefix| fixed.starts_with(prefix))
}

/// SW-IAM-3: write actions on `Resource: "*"` (or `NotResource`) in Allow statements.
///
/// "Write" means "not read-only": an action is read-only when its verb starts with `Get`,
/// `List`, `Describe`, `BatchGet`, `Query`, `Scan`, `Search`, `Head`, `View` or `Lookup`
/// (see [`READ_ONLY_VERB_PREFIXES`]). Actions AWS documents without resource-level
/// permissions ([`has_no_resource_level_permissions`]) are exempt: `*` is their only form. A
/// wildcard action counts as a write unless it is a read-only verb prefix (`s3:Get*`), so
/// `logs:*` on `*` is reported here as well as by SW-IAM-1. `NotAction` counts as writes.
/// A `Resource` that is a `Ref` to a template parameter may be `*`: undecided.
pub(crate) fn writes_on_every_resource(template: &Template, resource: &Resource, sink: &mut Sink) {
    for (statement, effect_undecided, condition) in &allowing(resource, sink, "resources") {
        let effect_undecided = *effect_undecided;
        let name = &statement.name;

        // Where the statement grants every resource, decided or maybe.
        let mut every: Option<(String, &str)> = None;
        let mut maybe_every: Option<(String, String)> = None;
        if statement.body.contains_key("NotResource") {
            every = Some((
                child(&statement.pointer, "NotResource"),
                "NotResource (every resource but those listed)",
            ));
        }
        if let Some(resources) = statement.body.get("Resource") {
            for entry in items(resources, &child(&statement.pointer, "Resource")) {
                match &entry.value {
                    ItemValue::Literal(arn) if arn == "*" => {
                        every.get_or_insert((entry.pointer, "Resource \"*\""));
                    }
                    // Only a parameter can hold a bare `*`: a Ref to a resource, a GetAtt
                    // or a Sub with text around its variables is a specific ARN.
                    ItemValue::Partial(text) => {
                        if let [Piece::Variable(name)] = text.pieces.as_slice()
                            && template.is_parameter(name)
                        {
                            maybe_every.get_or_insert((entry.pointer, format!("Ref {name}")));
                        }
                    }
                    _ => {}
                }
            }
        }
        if every.is_none() && maybe_every.is_none() {
            continue;
        }

        let mut writes: Vec<String> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        if statement.body.contains_key("NotAction") {
            writes.push("every action not in NotAction".to_owned());
        }
        if let Some(actions) = statement.body.get("Action") {
            for entry in items(actions, &child(&statement.pointer, "Action")) {
                match entry.value {
                    ItemValue::Literal(action) if may_write(&action) => {
                        writes.push(format!("`{action}`"));
                    }
                    ItemValue::Literal(_) => {}
                    ItemValue::Partial(text) => unknown.push(unresolved(&text)),
                    ItemValue::Unknown(what) => unknown.push(format!("`{what}`")),
                }
            }
        }
        dedup(&mut writes);
        dedup(&mut unknown);

        match (every, maybe_every) {
            (Some((pointer, how)), _) => {
                if !writes.is_empty() {
                    sink.push(
                        pointer,
                        format!(
                            "{name} allows write actions on {how}: {}{condition}",
                            writes.join(", ")
                        ),
                        effect_undecided,
                    );
                } else if !unknown.is_empty() {
                    sink.undecided(
                        pointer,
                        format!(
                            "{name} allows actions on {how}, and cannot tell whether they write: they depend on unresolved {}{condition}",
                            unknown.join(", ")
                        ),
                    );
                }
            }
            (None, Some((pointer, what))) => {
                if !writes.is_empty() || !unknown.is_empty() {
                    let actions = if writes.is_empty() {
                        format!("actions depending on unresolved {}", unknown.join(", "))
                    } else {
                        format!("write actions {}", writes.join(", "))
                    };
                    sink.undecided(
                        pointer,
                        format!(
                            "{name} allows {actions} on a resource given by the unresolved `{what}`, which may be \"*\"{condition}"
                        ),
                    );
                }
            }
            (None, None) => {}
        }
    }
}

/// Removes repeated entries, keeping the first of each.
fn dedup(list: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    list.retain(|entry| seen.insert(entry.clone()));
}

/// Whether an AWS-managed policy name grants full access: `*FullAccess` (including
/// `AWSLambda_FullAccess`), `AdministratorAccess` (and its per-service variants such as
/// `AdministratorAccess-Amplify`), `PowerUserAccess`.
fn is_full_access(policy_name: &str) -> bool {
    policy_name.ends_with("FullAccess")
        || policy_name == "AdministratorAccess"
        || policy_name.starts_with("AdministratorAccess-")
        || policy_name == "PowerUserAccess"
}

/// What a `ManagedPolicyArns` entry is, as far as the template says.
enum ManagedPolicy {
    /// An AWS-managed policy, by name (path stripped), and its ARN as written.
    AwsManaged { name: String, arn: String },
    /// A customer-managed policy, or not a policy ARN this rule is about.
    Other,
    /// Cannot tell: names what is unresolved.
    Unresolved(String),
}

fn classify_managed_policy(template: &Template, value: &Value) -> ManagedPolicy {
    let Some(text) = text_of(value) else {
        // A GetAtt names an attribute of a resource in this stack: a customer policy.
        return if getatt_parts(value).is_some() {
            ManagedPolicy::Other
        } else {
            ManagedPolicy::Unresolved(format!("`{}`", describe(value)))
        };
    };
    if let [Piece::Variable(name)] = text.pieces.as_slice() {
        // `Ref` to an AWS::IAM::ManagedPolicy of this stack gives its (customer) ARN.
        return if template.resource(name).is_some() {
            ManagedPolicy::Other
        } else {
            ManagedPolicy::Unresolved(format!("`Ref {name}`"))
        };
    }
    // `${AWS::AccountId}` is the stack's own account, never `aws`: render it as text so an
    // ARN of a customer-managed policy in this account is decided.
    let rendered: String = text
        .pieces
        .iter()
        .map(|piece| match piece {
            Piece::Literal(text) => text.clone(),
            Piece::Variable(name) if name == "AWS::AccountId" => "${AWS::AccountId}".to_owned(),
            Piece::Variable(_) => PLACEHOLDER.to_string(),
        })
        .collect();
    let why = || ManagedPolicy::Unresolved(unresolved(&text));
    let parts: Vec<&str> = rendered.splitn(6, ':').collect();
    let [scheme, _partition, service, _region, account, resource] = parts.as_slice() else {
        return if rendered.contains(PLACEHOLDER) {
            why()
        } else {
            ManagedPolicy::Other
        };
    };
    // The partition may be anything (`aws`, `aws-cn`, `${AWS::Partition}`); every other
    // field must be fixed to tell an AWS-managed policy.
    if [scheme, service, account]
        .iter()
        .any(|field| field.contains(PLACEHOLDER))
    {
        return why();
    }
    if *scheme != "arn" || *service != "iam" || *account != "aws" {
        return ManagedPolicy::Other;
    }
    let Some(path_and_name) = resource.strip_prefix("policy/") else {
        return if resource.contains(PLACEHOLDER) {
            why()
        } else {
            ManagedPolicy::Other
        };
    };
    let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
    if name.contains(PLACEHOLDER) {
        return why();
    }
    ManagedPolicy::AwsManaged {
        name: name.to_owned(),
        // As written, variables included: `arn:${AWS::Partition}:iam::aws:policy/...`.
        arn: text.display(),
    }
}

/// SW-IAM-2: AWS-managed full-access policies in `ManagedPolicyArns` of a role, user or
/// group.
pub(crate) fn full_access_managed_policies(
    template: &Template,
    resource: &Resource,
    sink: &mut Sink,
) {
    if stackweave_iam::identity(resource.resource_type).is_none() {
        return;
    }
    let Some((arns, pointer)) = resource.property("ManagedPolicyArns") else {
        return;
    };
    for (list, list_pointer) in alternatives(arns, &pointer) {
        let Value::Array(list) = list else {
            sink.undecided(
                list_pointer,
                format!(
                    "cannot check managed policies: ManagedPolicyArns is an unresolved `{}`",
                    describe(list)
                ),
            );
            continue;
        };
        for (index, entry) in list.iter().enumerate() {
            for (entry, entry_pointer) in
                alternatives(entry, &child(&list_pointer, &index.to_string()))
            {
                match classify_managed_policy(template, entry) {
                    ManagedPolicy::AwsManaged { name, arn } if is_full_access(&name) => sink.found(
                        entry_pointer,
                        format!(
                            "`{}` attaches the AWS-managed policy `{name}` ({arn}), which grants far more than one stack needs",
                            resource.logical_id
                        ),
                    ),
                    ManagedPolicy::AwsManaged { .. } | ManagedPolicy::Other => {}
                    ManagedPolicy::Unresolved(what) => sink.undecided(
                        entry_pointer,
                        format!(
                            "cannot tell whether managed policy {index} of `{}` is an AWS-managed full-access policy: its ARN depends on unresolved {what}",
                            resource.logical_id
                        ),
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads() {
        assert!(may_write("*"));
        assert!(may_write("logs:*"));
        assert!(may_write("s3:PutObject"));
        assert!(may_write("s3:G*"));
        assert!(!may_write("s3:Get*"));
        assert!(!may_write("s3:GetObject"));
        assert!(!may_write("dynamodb:BatchGetItem"));
        assert!(!may_write("LOGS:CREATELOGDELIVERY"));
        assert!(!may_write("xray:PutTraceSegments"));
        assert!(may_write("logs:PutLogEvents"));
    }

    #[test]
    fn full_access_names() {
        assert!(is_full_access("AmazonS3FullAccess"));
        assert!(is_full_access("AWSLambda_FullAccess"));
        assert!(is_full_access("AdministratorAccess"));
        assert!(is_full_access("AdministratorAccess-Amplify"));
        assert!(is_full_access("PowerUserAccess"));
        assert!(!is_full_access("AWSXRayDaemonWriteAccess"));
        assert!(!is_full_access("ReadOnlyAccess"));
    }
}
