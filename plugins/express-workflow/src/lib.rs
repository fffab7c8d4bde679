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

use serde::Deserialize;
use serde_json::{Map, Value, json};
use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info, cfn, pointer_token};

/// The props' JSON Schema; the host validates props against it before `synth`.
const SCHEMA: &str = include_str!("../schema.json");

/// The `express-workflow` construct.
pub struct ExpressWorkflow;

/// The props of [`ExpressWorkflow`]; `schema.json` documents each.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExpressWorkflowProps {
    /// The Amazon States Language definition.
    pub definition: Value,
    /// The execution role's ARN; a string or an expression.
    pub role: Value,
    /// `StateMachineName`.
    #[serde(default)]
    pub name: Option<Value>,
    /// Execution logging.
    #[serde(default)]
    pub logging: Option<Logging>,
    /// X-Ray tracing.
    #[serde(default)]
    pub tracing: bool,
}

/// Where and how much executions log.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Logging {
    /// The log group's ARN; a string or an expression.
    pub destination: Value,
    /// Which events are logged.
    #[serde(default)]
    pub level: LogLevel,
    /// Whether events carry input and output.
    #[serde(default = "include_execution_data_by_default")]
    pub include_execution_data: bool,
}

/// Which execution events are logged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
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

impl Construct for ExpressWorkflow {
    type Props = ExpressWorkflowProps;

    fn info() -> Info {
        Info {
            name: "express-workflow",
            version: env!("CARGO_PKG_VERSION"),
            description: "a Step Functions state machine of the EXPRESS type",
            props_schema: serde_json::from_str(SCHEMA)
                .expect("schema.json is valid JSON, which a unit test checks"),
            attributes: vec![
                ("arn", "the state machine's ARN"),
                ("name", "the state machine's name"),
            ],
        }
    }

    fn synth(_ctx: &Context, props: ExpressWorkflowProps) -> Result<Fragment, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        check_definition(&props.definition, &mut errors);
        check_arn(&props.role, "/role", "the execution role", &mut errors);
        if let Some(Value::String(name)) = &props.name
            && let Some(problem) = name_problem(name)
        {
            errors.push(Diagnostic::error("/name", problem));
        }
        if let Some(logging) = &props.logging {
            check_destination(&logging.destination, &mut errors);
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut substitutions = Map::new();
        let definition = substitute(props.definition, &mut substitutions);
        let mut properties = Map::new();
        if let Some(name) = props.name {
            properties.insert("StateMachineName".into(), name);
        }
        properties.insert("StateMachineType".into(), json!("EXPRESS"));
        properties.insert("RoleArn".into(), props.role);
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

/// Replaces every intrinsic in `value` by a `${DefinitionSubstitutionN}` placeholder, adding
/// it to `substitutions`. Equal expressions share one placeholder; numbers follow document
/// order, so the same definition always gives the same template.
fn substitute(value: Value, substitutions: &mut Map<String, Value>) -> Value {
    if cfn::is_intrinsic(&value) {
        let key = match substitutions.iter().find(|(_, known)| **known == value) {
            Some((key, _)) => key.clone(),
            None => {
                let key = format!("DefinitionSubstitution{}", substitutions.len() + 1);
                substitutions.insert(key.clone(), value);
                key
            }
        };
        return Value::String(format!("${{{key}}}"));
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

fn check_arn(value: &Value, path: &str, what: &str, errors: &mut Vec<Diagnostic>) {
    if let Value::String(text) = value
        && !text.starts_with("arn:")
    {
        errors.push(Diagnostic::error(
            path,
            format!(
                "`{text}` is not an ARN; write {what}'s ARN, or a reference such as \
                 `${{WorkflowRole.arn}}`"
            ),
        ));
    }
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
