//! The `express-workflow` construct: a Step Functions state machine of the `EXPRESS` type
//! (`AWS::StepFunctions::StateMachine`).
//!
//! The definition is emitted as the `Definition` object. CloudFormation evaluates no
//! intrinsic inside it, so every expression found there (a resolved reference to another
//! construct) is replaced by a `${DefinitionSubstitutionN}` placeholder and moved to
//! `DefinitionSubstitutions`, numbered in document order, one placeholder per distinct
//! expression.
//!
//! The log group is not named in `DependsOn`: the `LoggingConfiguration` already references
//! it, and the redundant dependency is what cfn-lint's W3005 flags in the seed template.
//!
//! Local id `Resource`; attributes `arn` (`Ref`) and `name` (`Fn::GetAtt Name`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stackweave_plugin::{
    Construct, Context, Diagnostic, Fragment, Info, JsonSchema, add_child, cfn, check_arn,
    pointer_token, schemars,
};
use stackweave_sfn_tasks::{LOG_DELIVERY_ACTIONS, TRACING_ACTIONS};

/// The `express-workflow` construct.
pub struct ExpressWorkflow;

/// A Step Functions state machine of the EXPRESS type: fast, short-lived executions that can
/// be started synchronously (StartSyncExecution).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(example = example_props())]
pub struct ExpressWorkflowProps {
    /// The state machine in Amazon States Language, as an object with at least StartAt and
    /// States. Values may reference other constructs, such as "Resource": "${Handler.arn}";
    /// they are passed through DefinitionSubstitutions, because CloudFormation does not
    /// evaluate expressions inside a definition. Express workflows cannot use the .sync and
    /// .waitForTaskToken integration patterns.
    #[schemars(with = "Map<String, Value>", extend("required" = ["StartAt", "States"]))]
    #[schemars(example = hello_definition())]
    pub definition: Value,
    /// The ARN of the execution role Step Functions assumes, usually a reference to an
    /// iam-role construct assumed by states.amazonaws.com. Omitted, the workflow creates its
    /// own role (child construct Role, an iam-role) granting exactly what logging and
    /// tracing need: the log-delivery actions logs:CreateLogDelivery, logs:GetLogDelivery,
    /// logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:ListLogDeliveries,
    /// logs:PutResourcePolicy, logs:DescribeResourcePolicies and logs:DescribeLogGroups on *
    /// (they support no narrower resource), and xray:PutTraceSegments,
    /// xray:PutTelemetryRecords, xray:GetSamplingRules and xray:GetSamplingTargets on *. A
    /// definition whose tasks call other services needs a role of your own that also
    /// allows those calls.
    #[schemars(with = "Option<String>", example = "${WorkflowRole.arn}")]
    pub role: Option<Value>,
    /// The state machine's name (StateMachineName), 1 to 80 characters without whitespace or
    /// any of `` < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : / ``. Omitted, CloudFormation
    /// generates one.
    #[schemars(with = "Option<String>", length(min = 1, max = 80), example = &"orders")]
    pub name: Option<Value>,
    /// Where and how much the executions log. Express executions are visible only through
    /// their logs, so leaving this out draws a warning.
    #[schemars(example = json!({"destination": "${Logs.arn}", "level": "ERROR", "includeExecutionData": false}))]
    pub logging: Option<Logging>,
    /// Whether executions are traced with AWS X-Ray (TracingConfiguration).
    #[serde(default)]
    pub tracing: bool,
    /// Statements added to the role the workflow creates when `role` is omitted, in the
    /// shape of iam-role's statements: for what its tasks need that it cannot derive, such as
    /// a table a state names only at run time. A statement allowing an action covers every
    /// state that needs that action on a resource known only at run time.
    #[serde(default)]
    #[schemars(example = json!([{"sid": "ReadAnyOrderTable", "actions": ["dynamodb:GetItem"], "resources": ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders-*"]}]))]
    pub policy_statements: Vec<Statement>,
    /// Tags for the state machine, and for the role it creates when `role` is omitted: keys and values (a value may reference a parameter or another
    /// construct), written in key order. Omitted, none.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>", example = json!({"team": "platform"}))]
    pub tags: BTreeMap<String, Value>,
}

/// One statement for the role the workflow creates, as iam-role writes it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Statement {
    /// An identifier for the statement, unique in the policy; letters and digits only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9]+$"), example = &"ReadOrders")]
    pub sid: Option<String>,
    /// Allow or Deny; Allow when omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", extend("enum" = ["Allow", "Deny"]))]
    pub effect: Option<String>,
    /// The actions, each service:Action, such as dynamodb:GetItem.
    #[schemars(length(min = 1), example = ["dynamodb:GetItem"])]
    pub actions: Vec<String>,
    /// The ARNs the actions apply to, or references such as ${Orders.arn}.
    #[schemars(with = "Vec<String>", length(min = 1))]
    #[schemars(example = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"])]
    pub resources: Vec<Value>,
    /// The statement's Condition block.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("additionalProperties" = {"type": "object"}))]
    pub conditions: Option<Map<String, Value>>,
}

impl Statement {
    fn allows(&self, covers: impl Fn(&str) -> bool) -> bool {
        self.effect.as_deref().unwrap_or("Allow") == "Allow"
            && self.actions.iter().any(|action| covers(action))
    }
}

/// Where and how much executions log.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Logging {
    /// The ARN of the CloudWatch Logs log group, ending in :*, usually the arn attribute of a
    /// logging construct.
    #[schemars(with = "String", example = "${Logs.arn}")]
    pub destination: Value,
    /// Which events are logged.
    #[serde(default)]
    pub level: LogLevel,
    /// Whether log events carry the execution's input and output, without which a failed
    /// express execution is hard to debug.
    #[serde(default = "include_execution_data_by_default")]
    pub include_execution_data: bool,
}

/// Which execution events are logged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    /// Every event.
    #[default]
    All,
    /// Errors and fatal events.
    Error,
    /// Fatal events only.
    Fatal,
    /// Nothing.
    Off,
}

impl LogLevel {
    fn as_str(self) -> &'static str {
        match self {
            Self::All => "ALL",
            Self::Error => "ERROR",
            Self::Fatal => "FATAL",
            Self::Off => "OFF",
        }
    }
}

// An express execution leaves no history but its logs, so by default they say what it did.
fn include_execution_data_by_default() -> bool {
    true
}

/// The smallest definition: one `Pass` state.
fn hello_definition() -> Value {
    json!({
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Pass", "Result": {"message": "hello"}, "End": true}}
    })
}

/// The props' example in the schema, which a unit test runs.
fn example_props() -> Value {
    json!({
        "definition": hello_definition(),
        "role": "arn:aws:iam::123456789012:role/orders-workflow",
        "name": "orders",
        "logging": {
            "destination": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/orders:*",
            "level": "ALL",
            "includeExecutionData": true
        },
        "tracing": true
    })
}

impl Construct for ExpressWorkflow {
    type Props = ExpressWorkflowProps;

    fn info() -> Info {
        Info {
            name: "express-workflow",
            version: env!("CARGO_PKG_VERSION"),
            description: "a Step Functions state machine of the EXPRESS type",
            attributes: vec![
                ("arn", "the state machine's ARN"),
                ("name", "the state machine's name"),
            ],
        }
    }

    fn synth(_ctx: &Context, props: ExpressWorkflowProps) -> Result<Fragment, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        check_definition(&props.definition, &mut errors);
        if let Some(role) = &props.role {
            let instead = "a reference such as `${WorkflowRole.arn}`";
            check_arn(role, "/role", "the execution role", instead, &mut errors);
        }
        if let Some(Value::String(name)) = &props.name
            && let Some(problem) = name_problem(name)
        {
            errors.push(Diagnostic::error("/name", problem));
        }
        if let Some(logging) = &props.logging {
            check_destination(&logging.destination, &mut errors);
        }
        if props.role.is_some() && !props.policy_statements.is_empty() {
            errors.push(Diagnostic::error(
                "/policyStatements",
                "`policyStatements` adds to the role this workflow creates, and with `role` it \
                 creates none; add the statements to that role, or remove `role`",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let role = match props.role {
            Some(role) => role,
            None => own_role(&props)?,
        };
        let mut substitutions = Substitutions {
            taken: literal_placeholders(&props.definition),
            map: Map::new(),
        };
        let definition = substitute(props.definition, &mut substitutions);
        let substitutions = substitutions.map;
        let mut properties = Map::new();
        if let Some(name) = props.name {
            properties.insert("StateMachineName".into(), name);
        }
        properties.insert("StateMachineType".into(), json!("EXPRESS"));
        properties.insert("RoleArn".into(), role);
        properties.insert("Definition".into(), definition);
        if !substitutions.is_empty() {
            properties.insert(
                "DefinitionSubstitutions".into(),
                Value::Object(substitutions),
            );
        }
        let mut warnings = Vec::new();
        match &props.logging {
            Some(logging) => {
                properties.insert(
                    "LoggingConfiguration".into(),
                    json!({
                        "Destinations": [{
                            "CloudWatchLogsLogGroup": {"LogGroupArn": logging.destination}
                        }],
                        "Level": logging.level.as_str(),
                        "IncludeExecutionData": logging.include_execution_data
                    }),
                );
                if logging.level == LogLevel::Off {
                    warnings.push(Diagnostic::warning(
                        "/logging/level",
                        "with the level OFF nothing is logged, and express executions are \
                         visible only through their logs; write `ALL` or `ERROR`",
                    ));
                }
            }
            None => warnings.push(Diagnostic::warning(
                None,
                "this workflow logs nothing, and express executions are visible only through \
                 their logs; add `logging:` with `destination: ${Logs.arn}` naming a `logging` \
                 construct",
            )),
        }
        if props.tracing {
            properties.insert("TracingConfiguration".into(), json!({"Enabled": true}));
        }
        if !props.tags.is_empty() {
            properties.insert("Tags".into(), cfn::tags(&props.tags));
        }

        let mut fragment = Fragment::new()
            .resource(
                "Resource",
                json!({"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}),
            )
            .attribute("arn", cfn::reference("Resource"))
            .attribute("name", cfn::get_att("Resource", "Name"));
        for warning in warnings {
            fragment = fragment.warning(warning);
        }
        Ok(fragment)
    }
}

/// Checks what Step Functions would reject at deployment: a missing `StartAt` or `States`, a
/// `StartAt` naming no state, and integration patterns express workflows do not support.
fn check_definition(definition: &Value, errors: &mut Vec<Diagnostic>) {
    let Some(object) = definition.as_object() else {
        errors.push(Diagnostic::error(
            "/definition",
            "the definition is an Amazon States Language object; write one with `StartAt` and \
             `States`",
        ));
        return;
    };
    let states = match object.get("States") {
        Some(Value::Object(states)) if !states.is_empty() => Some(states),
        Some(_) => {
            errors.push(Diagnostic::error(
                "/definition/States",
                "`States` maps each state's name to the state; write at least one, such as \
                 `Hello: {Type: Pass, End: true}`",
            ));
            None
        }
        None => {
            errors.push(Diagnostic::error(
                "/definition",
                "the definition has no `States`; add them, such as `States: {Hello: {Type: \
                 Pass, End: true}}`",
            ));
            None
        }
    };
    match object.get("StartAt") {
        Some(Value::String(start)) => {
            if let Some(states) = states
                && !states.contains_key(start)
            {
                let names: Vec<&str> = states.keys().map(String::as_str).collect();
                errors.push(Diagnostic::error(
                    "/definition/StartAt",
                    format!(
                        "`StartAt` names `{start}`, which is not a state; write one of {}",
                        names.join(", ")
                    ),
                ));
            }
        }
        Some(_) => errors.push(Diagnostic::error(
            "/definition/StartAt",
            "`StartAt` is the name of the first state; write it as a string",
        )),
        None => errors.push(Diagnostic::error(
            "/definition",
            "the definition has no `StartAt`; add the name of the first state, such as \
             `StartAt: Hello`",
        )),
    }
    check_integration_patterns(definition, "/definition", errors);
}

/// Express workflows cannot wait for a job (`.sync`) or a callback (`.waitForTaskToken`):
/// Step Functions rejects such a definition when the stack is deployed, so say so now.
fn check_integration_patterns(value: &Value, at: &str, errors: &mut Vec<Diagnostic>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let path = format!("{at}/{}", pointer_token(key));
                if let (true, Value::String(resource)) = (key == "Resource", child)
                    && let Some(pattern) = [".sync", ".waitForTaskToken"]
                        .into_iter()
                        .find(|p| resource.ends_with(p) || resource.contains(&format!("{p}:")))
                {
                    errors.push(Diagnostic::error(
                        path,
                        format!(
                            "express workflows cannot use the `{pattern}` integration pattern \
                             of `{resource}`; call the service without `{pattern}`, or use a \
                             standard workflow"
                        ),
                    ));
                } else {
                    check_integration_patterns(child, &path, errors);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                check_integration_patterns(item, &format!("{at}/{index}"), errors);
            }
        }
        _ => {}
    }
}

/// The placeholders given so far, and the `${...}` names the definition already holds as
/// text (a stack file's escaped `${!Name}` arrives as a literal `${Name}`): CloudFormation
/// would substitute a placeholder wherever its name appears, so a new one must not reuse a
/// name the text holds.
struct Substitutions {
    taken: BTreeSet<String>,
    map: Map<String, Value>,
}

impl Substitutions {
    /// The placeholder for `expression`: the one it already has, or the next free number.
    fn key_for(&mut self, expression: Value) -> String {
        if let Some((key, _)) = self.map.iter().find(|(_, known)| **known == expression) {
            return key.clone();
        }
        let key = (self.map.len() + 1..)
            .map(|n| format!("DefinitionSubstitution{n}"))
            .find(|key| !self.taken.contains(key) && !self.map.contains_key(key))
            .unwrap_or_default();
        self.map.insert(key.clone(), expression);
        key
    }
}

/// Every `${Name}` written as text in the definition's strings (keys included).
fn literal_placeholders(value: &Value) -> BTreeSet<String> {
    fn scan(text: &str, names: &mut BTreeSet<String>) {
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            rest = &rest[start + 2..];
            if let Some(end) = rest.find('}') {
                names.insert(rest[..end].to_string());
            }
        }
    }
    fn walk(value: &Value, names: &mut BTreeSet<String>) {
        match value {
            Value::String(text) => scan(text, names),
            Value::Array(items) => items.iter().for_each(|item| walk(item, names)),
            Value::Object(object) => {
                for (key, child) in object {
                    scan(key, names);
                    walk(child, names);
                }
            }
            _ => {}
        }
    }
    let mut names = BTreeSet::new();
    walk(value, &mut names);
    names
}

/// Replaces every intrinsic in `value` by a `${DefinitionSubstitutionN}` placeholder, adding
/// it to `substitutions`. Equal expressions share one placeholder; numbers follow document
/// order, so the same definition always gives the same template.
fn substitute(value: Value, substitutions: &mut Substitutions) -> Value {
    if cfn::is_intrinsic(&value) {
        return Value::String(format!("${{{}}}", substitutions.key_for(value)));
    }
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, child)| (key, substitute(child, substitutions)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| substitute(item, substitutions))
                .collect(),
        ),
        other => other,
    }
}

/// The sids of the statements the role gets before the user's.
const DERIVED_SID_PREFIX: &str = "Call";

/// Creates the workflow's own execution role (child `Role`, an `iam-role`) allowing exactly
/// what its logging, tracing and Task states need, plus `policyStatements`, and returns its
/// ARN. A Task state whose needs cannot be derived is an error unless a statement of the
/// user's covers it.
fn own_role(props: &ExpressWorkflowProps) -> Result<Value, Vec<Diagnostic>> {
    let mut statements = Vec::new();
    let mut duties = Vec::new();
    if props.logging.is_some() {
        statements.push(
            json!({"sid": "LogDelivery", "actions": LOG_DELIVERY_ACTIONS, "resources": ["*"]}),
        );
        duties.push("deliver its logs");
    }
    if props.tracing {
        statements.push(json!({"sid": "Tracing", "actions": TRACING_ACTIONS, "resources": ["*"]}));
        duties.push("send its traces");
    }
    let (needs, underived) = stackweave_sfn_tasks::task_needs(&props.definition, "/definition");
    let mut errors = Vec::new();
    for state in underived {
        let covered = props.policy_statements.iter().any(|statement| {
            statement.allows(|granted| match state.action {
                Some(action) => action_matches(granted, action),
                None => granted
                    .split_once(':')
                    .is_some_and(|(service, _)| service.eq_ignore_ascii_case(&state.service)),
            })
        });
        if !covered {
            let grant = match state.action {
                Some(action) => format!("allowing `{action}` on the resources it may name"),
                None => format!("allowing the `{}` actions it calls", state.service),
            };
            errors.push(Diagnostic::error(
                state.pointer,
                format!(
                    "{}, so the role this workflow creates cannot grant it; add a statement \
                     {grant} to `policyStatements`, or give the workflow a `role`",
                    state.why
                ),
            ));
        }
    }
    let derived = merge(needs);
    for (index, statement) in props.policy_statements.iter().enumerate() {
        if let Some(sid) = &statement.sid
            && (sid == "LogDelivery" || sid == "Tracing" || sid.starts_with(DERIVED_SID_PREFIX))
        {
            errors.push(Diagnostic::error(
                format!("/policyStatements/{index}/sid"),
                format!(
                    "the sid `{sid}` is kept for the statements the workflow derives \
                     (`LogDelivery`, `Tracing`, `{DERIVED_SID_PREFIX}...`); choose another"
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !derived.is_empty() || !props.policy_statements.is_empty() {
        duties.push("call what its tasks need");
    }
    statements.extend(derived);
    statements.extend(props.policy_statements.iter().map(|s| json!(s)));
    let description = match duties.as_slice() {
        [] => "Execution role of the Express workflow; grants nothing".to_string(),
        [one] => format!("Execution role of the Express workflow; may only {one}"),
        [init @ .., last] => format!(
            "Execution role of the Express workflow; may only {} and {last}",
            init.join(", ")
        ),
    };
    let role = add_child(
        "iam-role",
        "Role",
        &json!({
            "assumedBy": ["states.amazonaws.com"],
            "description": description,
            "statements": statements,
            "tags": props.tags,
        }),
    )?;
    Ok(role.attribute("arn").clone())
}

/// One statement per set of actions, on every resource that needs exactly those actions:
/// sorted and without repeats, so the same definition always gives the same policy. Sids are
/// `Call<Service>` (numbered when a service has more than one statement).
fn merge(needs: Vec<stackweave_sfn_tasks::Need>) -> Vec<Value> {
    // The resource's JSON text orders resources, literal and expression alike.
    let mut actions_by_resource: BTreeMap<String, (Value, BTreeSet<&str>)> = BTreeMap::new();
    for need in needs {
        actions_by_resource
            .entry(need.resource.to_string())
            .or_insert_with(|| (need.resource, BTreeSet::new()))
            .1
            .insert(need.action);
    }
    let mut resources_by_actions: BTreeMap<Vec<&str>, Vec<Value>> = BTreeMap::new();
    for (resource, actions) in actions_by_resource.into_values() {
        resources_by_actions
            .entry(actions.into_iter().collect())
            .or_default()
            .push(resource);
    }
    let mut per_service: BTreeMap<String, usize> = BTreeMap::new();
    for actions in resources_by_actions.keys() {
        *per_service.entry(service_name(actions)).or_default() += 1;
    }
    let mut numbers: BTreeMap<String, usize> = BTreeMap::new();
    resources_by_actions
        .into_iter()
        .map(|(actions, resources)| {
            let service = service_name(&actions);
            let number = numbers.entry(service.clone()).or_default();
            *number += 1;
            let sid = if per_service[&service] > 1 {
                format!("{DERIVED_SID_PREFIX}{service}{number}")
            } else {
                format!("{DERIVED_SID_PREFIX}{service}")
            };
            json!({"sid": sid, "actions": actions, "resources": resources})
        })
        .collect()
}

/// `Dynamodb` for `dynamodb:GetItem`: a sid-friendly name of the actions' service.
fn service_name(actions: &[&str]) -> String {
    let service = actions
        .first()
        .and_then(|action| action.split(':').next())
        .unwrap_or_default();
    let mut chars = service.chars().filter(char::is_ascii_alphanumeric);
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + &chars.collect::<String>())
        .unwrap_or_default()
}

/// Whether the action pattern `granted` (IAM's `*` and `?` wildcards, any case) matches
/// `action`.
fn action_matches(granted: &str, action: &str) -> bool {
    stackweave_sfn_tasks::wildcard_match(
        &granted.to_ascii_lowercase(),
        &action.to_ascii_lowercase(),
    )
}

fn check_destination(destination: &Value, errors: &mut Vec<Diagnostic>) {
    let path = "/logging/destination";
    let Value::String(text) = destination else {
        return;
    };
    if !text.starts_with("arn:") {
        errors.push(Diagnostic::error(
            path,
            format!(
                "`{text}` is not a log group ARN; write a reference to a `logging` construct, \
                 such as `${{Logs.arn}}`, or the log group's ARN"
            ),
        ));
    } else if !text.ends_with(":*") {
        errors.push(Diagnostic::error(
            path,
            format!(
                "a log group ARN for Step Functions ends in `:*`; write \
                 `{text}:*`, or a reference such as `${{Logs.arn}}`"
            ),
        ));
    }
}

/// Why `name` cannot be a state machine name, if it cannot.
fn name_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if length == 0 || length > 80 {
        return Some(format!(
            "a state machine name is 1 to 80 characters long, and `{name}` has {length}; \
             write a name of that length"
        ));
    }
    let forbidden =
        |c: char| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c);
    name.chars().find(|c| forbidden(*c)).map(|bad| {
        format!(
            "a state machine name cannot contain `{bad}`; use letters, digits, `-` and `_`, \
             such as `orders-workflow`"
        )
    })
}

stackweave_plugin::export_construct!(ExpressWorkflow);

#[cfg(test)]
mod tests;
