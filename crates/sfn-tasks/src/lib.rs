//! Which IAM action on which resource each Task state of a Step Functions definition needs.
//!
//! Step Functions' optimized integrations (`arn:aws:states:::dynamodb:getItem`...) and the
//! few AWS SDK integrations listed in `INTEGRATIONS` map to one action each, granted on the
//! resource the state's `Parameters` (JSONPath) or `Arguments` (JSONata) name, turned into an
//! ARN the way the Step Functions developer guide's "IAM policies for integrated services"
//! pages write it. A resource only known at run time (a `.$` field or a `{% %}` expression),
//! or an integration not in the table, is reported as [`Underived`]: nothing here ever
//! stands for `*`.
//!
//! One table for both sides: the `express-workflow` plugin derives its own role from it, and
//! rule SW-SFN-3 (`stackweave-rules`) checks any state machine's role against it. Pure
//! functions over `serde_json` values, so the guest and the host can both depend on it
//! without either depending on the other.
//!
//! For the same reason it holds what every execution role needs beyond its Task states:
//! [`LOG_DELIVERY_ACTIONS`] and [`TRACING_ACTIONS`], which `express-workflow` grants its own
//! role, `iam-role` does not warn about on `*`, and SW-IAM-3 does not count.

use serde_json::{Map, Value, json};

/// The actions Step Functions needs to deliver a state machine's logs to CloudWatch Logs.
/// AWS documents no resource-level permissions for them: they are granted on `*`.
pub const LOG_DELIVERY_ACTIONS: [&str; 8] = [
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
];

/// The actions Step Functions needs to send a state machine's traces to X-Ray, on `*`
/// likewise.
pub const TRACING_ACTIONS: [&str; 4] = [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
];

/// The resource an integration's action applies to, and the parameter naming it.
#[derive(Clone, Copy)]
enum Target {
    /// `TableName`: a table's name or ARN.
    Table,
    /// `TableName`, and `IndexName` when the query reads an index.
    TableOrIndex,
    /// `QueueUrl`: a queue's URL.
    Queue,
    /// `TopicArn` (or `TargetArn`).
    Topic,
    /// `FunctionName`: a function's name, partial ARN or ARN, possibly qualified.
    Function,
    /// `StateMachineArn`.
    StateMachine,
    /// `Entries[].EventBusName`: each entry's bus, the default bus when absent.
    EventBuses,
}

/// Integration (the part of the Task's `Resource` after `arn:<partition>:states:::`), the
/// IAM action it needs, and where that action's resource is named.
const INTEGRATIONS: &[(&str, &str, Target)] = &[
    ("dynamodb:getItem", "dynamodb:GetItem", Target::Table),
    ("dynamodb:putItem", "dynamodb:PutItem", Target::Table),
    ("dynamodb:updateItem", "dynamodb:UpdateItem", Target::Table),
    ("dynamodb:deleteItem", "dynamodb:DeleteItem", Target::Table),
    (
        "aws-sdk:dynamodb:getItem",
        "dynamodb:GetItem",
        Target::Table,
    ),
    (
        "aws-sdk:dynamodb:putItem",
        "dynamodb:PutItem",
        Target::Table,
    ),
    (
        "aws-sdk:dynamodb:updateItem",
        "dynamodb:UpdateItem",
        Target::Table,
    ),
    (
        "aws-sdk:dynamodb:deleteItem",
        "dynamodb:DeleteItem",
        Target::Table,
    ),
    (
        "aws-sdk:dynamodb:query",
        "dynamodb:Query",
        Target::TableOrIndex,
    ),
    ("sqs:sendMessage", "sqs:SendMessage", Target::Queue),
    ("sns:publish", "sns:Publish", Target::Topic),
    ("lambda:invoke", "lambda:InvokeFunction", Target::Function),
    (
        "states:startExecution",
        "states:StartExecution",
        Target::StateMachine,
    ),
    (
        "aws-sdk:sfn:startExecution",
        "states:StartExecution",
        Target::StateMachine,
    ),
    (
        "aws-sdk:sfn:startSyncExecution",
        "states:StartSyncExecution",
        Target::StateMachine,
    ),
    ("events:putEvents", "events:PutEvents", Target::EventBuses),
];

/// One action a Task state needs, on one resource (a literal ARN or an expression).
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    /// The IAM action, such as `dynamodb:GetItem`.
    pub action: &'static str,
    /// A literal ARN, or an expression giving one.
    pub resource: Value,
    /// The state's name.
    pub state: String,
    /// Where the state names the resource (its `Resource` when that is the resource).
    pub pointer: String,
}

/// A Task state whose needs cannot be derived; a statement of the user's covers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Underived {
    /// Where in the props, for the error.
    pub pointer: String,
    /// The state's name.
    pub state: String,
    /// The action, when known; otherwise any action of `service` covers the state.
    pub action: Option<&'static str>,
    /// The IAM service prefix (`dynamodb`, `ecs`...).
    pub service: String,
    /// Why, as a clause: "`TableName` of state `Read` is only known at run time".
    pub why: String,
}

/// Everything the Task states of `definition` need, in document order; pointers start with
/// `at`, the definition's own pointer.
pub fn task_needs(definition: &Value, at: &str) -> (Vec<Need>, Vec<Underived>) {
    let mut out = (Vec::new(), Vec::new());
    walk_states(definition, at, &mut out);
    out
}

fn walk_states(machine: &Value, at: &str, out: &mut (Vec<Need>, Vec<Underived>)) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        let at = format!("{at}/States/{}", pointer_token(name));
        match state.get("Type").and_then(Value::as_str) {
            Some("Task") => task(name, state, &at, out),
            Some("Parallel") => {
                for (index, branch) in state
                    .get("Branches")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    walk_states(branch, &format!("{at}/Branches/{index}"), out);
                }
            }
            Some("Map") => {
                // `Iterator` is the older name of `ItemProcessor`.
                for key in ["ItemProcessor", "Iterator"] {
                    if let Some(processor) = state.get(key) {
                        walk_states(processor, &format!("{at}/{key}"), out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn task(name: &str, state: &Value, at: &str, out: &mut (Vec<Need>, Vec<Underived>)) {
    let (needs, underived) = out;
    let resource = match state.get("Resource") {
        Some(Value::String(resource)) => resource,
        // A reference as the whole `Resource` is a function's ARN, as in `${Handler.arn}`.
        Some(value) if is_intrinsic(value) => {
            needs.push(Need {
                action: "lambda:InvokeFunction",
                resource: value.clone(),
                state: name.to_string(),
                pointer: format!("{at}/Resource"),
            });
            return;
        }
        _ => return,
    };
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let integration = match parts.as_slice() {
        ["arn", _, "states", "", "", integration] => *integration,
        ["arn", _, "lambda", ..] => {
            needs.push(Need {
                action: "lambda:InvokeFunction",
                resource: json!(resource),
                state: name.to_string(),
                pointer: format!("{at}/Resource"),
            });
            return;
        }
        // Activities are polled by their workers: the role needs nothing for them.
        _ => return,
    };
    let Some((_, action, target)) = INTEGRATIONS.iter().find(|(i, _, _)| *i == integration) else {
        let service = integration.trim_start_matches("aws-sdk:");
        let service = service.split(':').next().unwrap_or(service);
        underived.push(Underived {
            pointer: format!("{at}/Resource"),
            state: name.to_string(),
            action: None,
            service: if service == "sfn" { "states" } else { service }.to_string(),
            why: format!(
                "state `{name}` calls `{resource}`, whose permissions are not derived from \
                 definitions"
            ),
        });
        return;
    };
    let service = action.split(':').next().unwrap_or_default().to_string();
    let (arguments, arguments_at) = match (state.get("Parameters"), state.get("Arguments")) {
        (Some(parameters), _) => (parameters, format!("{at}/Parameters")),
        (None, Some(arguments)) => (arguments, format!("{at}/Arguments")),
        (None, None) => (&Value::Null, at.to_string()),
    };
    let mut unknown = |pointer: String, why: String| {
        underived.push(Underived {
            pointer,
            state: name.to_string(),
            action: Some(action),
            service: service.clone(),
            why,
        });
    };
    if is_jsonata(arguments) {
        unknown(
            arguments_at,
            format!("the arguments of state `{name}` are only known at run time"),
        );
        return;
    }
    let get = |key: &str| field(name, key, arguments, &arguments_at);
    let resources = match target {
        Target::Table | Target::TableOrIndex => get("TableName").and_then(|table| {
            let table = table_arn(table);
            match target {
                Target::TableOrIndex => match get("IndexName") {
                    Ok(index) => Ok(vec![join_arn(table, "/index/", index)]),
                    Err(Field::Missing(..)) => Ok(vec![table]),
                    Err(problem) => Err(problem),
                },
                _ => Ok(vec![table]),
            }
        }),
        Target::Queue => {
            get("QueueUrl").and_then(|url| queue_arn(name, url, &arguments_at).map(|arn| vec![arn]))
        }
        // `TargetArn` names a topic or a mobile endpoint; a `PhoneNumber` has no resource.
        Target::Topic => match get("TopicArn") {
            Err(missing @ Field::Missing(..)) => get("TargetArn").map_err(|other| match other {
                Field::Missing(..) => missing,
                run_time => run_time,
            }),
            found => found,
        }
        .map(|topic| vec![topic.clone()]),
        Target::Function => get("FunctionName").map(|f| vec![function_arn(f)]),
        Target::StateMachine => get("StateMachineArn").map(|arn| vec![arn.clone()]),
        Target::EventBuses => event_buses(name, arguments, &arguments_at),
    };
    match resources {
        Ok(resources) => needs.extend(resources.into_iter().map(|resource| Need {
            action,
            resource,
            state: name.to_string(),
            pointer: arguments_at.clone(),
        })),
        Err(Field::RunTime(pointer, why) | Field::Missing(pointer, why)) => unknown(pointer, why),
    }
}

/// Why a field gives no resource: it is only known at run time, or absent (pointer, clause).
enum Field {
    RunTime(String, String),
    Missing(String, String),
}

/// A JSONata expression: the value is computed when the state runs.
fn is_jsonata(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| text.trim_start().starts_with("{%") && text.trim_end().ends_with("%}"))
}

/// The value of `key` in a state's parameters or arguments, when fixed before run time.
fn field<'a>(state: &str, key: &str, arguments: &'a Value, at: &str) -> Result<&'a Value, Field> {
    let dynamic = format!("{key}.$");
    if arguments.get(&dynamic).is_some() {
        return Err(Field::RunTime(
            format!("{at}/{}", pointer_token(&dynamic)),
            format!("`{key}` of state `{state}` is only known at run time"),
        ));
    }
    match arguments.get(key) {
        Some(value) if is_jsonata(value) => Err(Field::RunTime(
            format!("{at}/{key}"),
            format!("`{key}` of state `{state}` is only known at run time"),
        )),
        Some(value) => Ok(value),
        None => Err(Field::Missing(
            at.to_string(),
            format!("state `{state}` names no `{key}`"),
        )),
    }
}

/// Whether an expression gives an ARN rather than a name: a `Fn::GetAtt` of an `Arn`
/// attribute, or a `Fn::Sub` / `Fn::Join` whose text starts with `arn:`. A `Ref` gives a
/// table's, function's or event bus's name, as CloudFormation defines it for those types.
fn is_arn_expression(value: &Value) -> bool {
    if let Some(args) = value.get("Fn::GetAtt") {
        let attribute = match args {
            Value::Array(parts) => parts.get(1).and_then(Value::as_str),
            Value::String(dotted) => dotted.split_once('.').map(|(_, attribute)| attribute),
            _ => None,
        };
        return attribute.is_some_and(|a| a.to_ascii_lowercase().ends_with("arn"));
    }
    let text = match (value.get("Fn::Sub"), value.get("Fn::Join")) {
        (Some(Value::String(text)), _) => Some(text.as_str()),
        (Some(Value::Array(args)), _) => args.first().and_then(Value::as_str),
        (_, Some(Value::Array(args))) => args
            .get(1)
            .and_then(Value::as_array)
            .and_then(|parts| parts.first())
            .and_then(Value::as_str),
        _ => None,
    };
    text.is_some_and(|text| text.starts_with("arn:"))
}

/// The ARN of a resource in the stack's partition, region and account, `prefix` followed by
/// `name` (a literal name or an expression giving one).
fn arn_of_name(prefix: &str, name: &Value) -> Value {
    let prefix = format!("arn:${{AWS::Partition}}:{prefix}");
    match name {
        Value::String(name) => sub(&format!("{prefix}{name}")),
        expression => {
            let mut variables = Map::new();
            variables.insert("Name".into(), expression.clone());
            sub_with(&format!("{prefix}${{Name}}"), variables)
        }
    }
}

fn table_arn(table: &Value) -> Value {
    match table {
        Value::String(text) if text.starts_with("arn:") => table.clone(),
        expression if is_arn_expression(expression) => table.clone(),
        name => arn_of_name("dynamodb:${AWS::Region}:${AWS::AccountId}:table/", name),
    }
}

/// `base` + `separator` + `suffix`, as text when both are text.
fn join_arn(base: Value, separator: &str, suffix: &Value) -> Value {
    let Value::String(tail) = suffix else {
        return sub_of_two(&base, separator, suffix);
    };
    match &base {
        Value::String(base) => json!(format!("{base}{separator}{tail}")),
        Value::Object(object) if object.len() == 1 => match object.get("Fn::Sub") {
            Some(Value::String(text)) => sub(&format!("{text}{separator}{tail}")),
            Some(Value::Array(args)) if args.len() == 2 && args[0].is_string() => json!({
                "Fn::Sub": [format!("{}{separator}{tail}", args[0].as_str().unwrap_or_default()), args[1]]
            }),
            _ => sub_of_two(&base, separator, suffix),
        },
        _ => sub_of_two(&base, separator, suffix),
    }
}

fn sub_of_two(base: &Value, separator: &str, suffix: &Value) -> Value {
    let mut variables = Map::new();
    variables.insert("Base".into(), base.clone());
    variables.insert("Suffix".into(), suffix.clone());
    sub_with(&format!("${{Base}}{separator}${{Suffix}}"), variables)
}

fn function_arn(function: &Value) -> Value {
    match function {
        Value::String(text) if text.starts_with("arn:") => function.clone(),
        // `123456789012:function:name`, a partial ARN.
        Value::String(text) if text.contains(":function:") => sub(&format!(
            "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:{text}"
        )),
        expression if is_arn_expression(expression) => function.clone(),
        name => arn_of_name("lambda:${AWS::Region}:${AWS::AccountId}:function:", name),
    }
}

/// A queue's ARN from its URL, `https://sqs.<region>.amazonaws.com/<account>/<name>` (or the
/// older `https://<region>.queue.amazonaws.com/...`); for an expression (a queue's `Ref` is
/// its URL), the same fields picked out at deploy time.
fn queue_arn(state: &str, url: &Value, at: &str) -> Result<Value, Field> {
    let Value::String(text) = url else {
        let split = json!({"Fn::Split": ["/", url]});
        let pick = |index: u32| json!({"Fn::Select": [index, split]});
        let mut variables = Map::new();
        variables.insert(
            "Region".into(),
            json!({"Fn::Select": [1, {"Fn::Split": [".", pick(2)]}]}),
        );
        variables.insert("Account".into(), pick(3));
        variables.insert("Name".into(), pick(4));
        return Ok(sub_with(
            "arn:${AWS::Partition}:sqs:${Region}:${Account}:${Name}",
            variables,
        ));
    };
    let parts: Vec<&str> = text
        .strip_prefix("https://")
        .unwrap_or("")
        .split('/')
        .collect();
    let region = match parts
        .first()
        .map(|host| host.split('.').collect::<Vec<_>>())
    {
        Some(host) if host.len() >= 3 && host[0] == "sqs" => Some(host[1]),
        Some(host) if host.len() >= 3 && host[1] == "queue" => Some(host[0]),
        _ => None,
    };
    match (region, parts.as_slice()) {
        (Some(region), [_, account, name]) if !account.is_empty() && !name.is_empty() => Ok(sub(
            &format!("arn:${{AWS::Partition}}:sqs:{region}:{account}:{name}"),
        )),
        _ => Err(Field::Missing(
            format!("{at}/QueueUrl"),
            format!(
                "`QueueUrl` of state `{state}` is not a queue URL such as \
                 `https://sqs.eu-west-1.amazonaws.com/123456789012/orders`"
            ),
        )),
    }
}

/// The event bus of each entry of a `PutEvents` call.
fn event_buses(state: &str, arguments: &Value, at: &str) -> Result<Vec<Value>, Field> {
    let entries = field(state, "Entries", arguments, at)?;
    let Value::Array(entries) = entries else {
        return Err(Field::RunTime(
            format!("{at}/Entries"),
            format!("`Entries` of state `{state}` is only known at run time"),
        ));
    };
    let mut buses = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let entry_at = format!("{at}/Entries/{index}");
        if is_jsonata(entry) {
            return Err(Field::RunTime(
                entry_at,
                format!("entry {index} of state `{state}` is only known at run time"),
            ));
        }
        buses.push(match field(state, "EventBusName", entry, &entry_at) {
            Ok(Value::String(text)) if text.starts_with("arn:") => json!(text),
            Ok(expression) if is_arn_expression(expression) => expression.clone(),
            Ok(name) => arn_of_name("events:${AWS::Region}:${AWS::AccountId}:event-bus/", name),
            Err(Field::Missing(..)) => arn_of_name(
                "events:${AWS::Region}:${AWS::AccountId}:event-bus/",
                &json!("default"),
            ),
            Err(problem) => return Err(problem),
        });
    }
    Ok(buses)
}

/// `{"Fn::Sub": text}`.
fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

/// `{"Fn::Sub": [text, variables]}`.
fn sub_with(text: &str, variables: Map<String, Value>) -> Value {
    json!({ "Fn::Sub": [text, variables] })
}

/// Whether `value` is an intrinsic function call: one key, `Ref` or `Fn::...`.
fn is_intrinsic(value: &Value) -> bool {
    matches!(value.as_object(), Some(object) if object.len() == 1
        && object.keys().all(|key| key == "Ref" || key.starts_with("Fn::")))
}

/// One JSON Pointer reference token, escaped as RFC 6901 says.
fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// IAM's matching of an action or resource pattern (case as given: lower both for actions): `*` any run of characters, `?` any one. Linear in practice: on a
/// mismatch only the last `*` is retried, one character further.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    star = Some((star_p, star_t + 1));
                    p = star_p + 1;
                    t = star_t + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(wildcard_match("dynamodb:get*", "dynamodb:getitem"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a?c*", "abcdef"));
        assert!(wildcard_match(
            "arn:aws:dynamodb:*:*:table/orders-*",
            "arn:aws:dynamodb:eu-west-1:1:table/orders-2"
        ));
        assert!(!wildcard_match("dynamodb:get*", "dynamodb:putitem"));
        assert!(!wildcard_match("a*b", "acbc"));
        // Many stars stay fast.
        let pattern = "*a".repeat(5000);
        assert!(!wildcard_match(&pattern, &"a".repeat(4999)));
    }

    #[test]
    fn integration_resources_are_read_for_every_partition() {
        let definition = json!({"StartAt": "A", "States": {"A": {
            "Type": "Task", "Resource": "arn:aws-cn:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws-cn:sns:cn-north-1:1:t"}, "End": true
        }}});
        let (needs, underived) = task_needs(&definition, "/d");
        assert!(underived.is_empty());
        assert_eq!(needs[0].action, "sns:Publish");
        assert_eq!(needs[0].pointer, "/d/States/A/Parameters");
        assert_eq!(needs[0].state, "A");
    }
}
