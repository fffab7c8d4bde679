//! An example validator for `stackweave validate`: one team rule, `TEAM-TRACE-1`, "Express
//! state machines must have X-Ray tracing enabled". See `../README.md` for how to build it,
//! use it and write your own.
//!
//! A validator is a WebAssembly component of the `validator-plugin` world
//! (`wit/validator/since_v0.1.0/validator.wit`). It describes its rules once, then receives
//! the final merged template as JSON text (intrinsic functions in their long form, such as
//! `{"Ref": "Env"}`) and returns findings. It never guesses: where a value is an intrinsic
//! function only CloudFormation can resolve, the finding says so and is marked `undecided`.

// wit-bindgen's export macro expands to `unsafe` glue at the call site.
#![allow(unsafe_code)]
// Only the wasm32 export names the validator; native builds see the guest functions unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[allow(missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit/validator/since_v0.1.0",
        world: "validator-plugin",
    });
}

use bindings::exports::stackweave::validator::validator::Guest;
use bindings::stackweave::validator::types::{Finding, RuleInfo, Severity, ValidatorInfo};
use serde_json::{Map, Value};

/// The rule's id: stable, since stack files and reports name it.
pub const RULE_ID: &str = "TEAM-TRACE-1";

const STATE_MACHINE: &str = "AWS::StepFunctions::StateMachine";

struct RequireTracing;

impl Guest for RequireTracing {
    fn describe() -> ValidatorInfo {
        ValidatorInfo {
            name: "require-tracing".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            description: "Express state machines must have X-Ray tracing enabled".to_string(),
            rules: vec![RuleInfo {
                id: RULE_ID.to_string(),
                title: "Express state machine without X-Ray tracing".to_string(),
                severity: Severity::Warning,
                rationale: "Express workflows keep no execution history in Step Functions: without X-Ray traces, a slow or failed execution cannot be followed across the services it called.".to_string(),
                fix: "Set TracingConfiguration: {Enabled: true} on the state machine (with the standard express-workflow construct, `tracing: true`).".to_string(),
            }],
        }
    }

    fn validate(template: String) -> Result<Vec<Finding>, String> {
        let template: Value = serde_json::from_str(&template)
            .map_err(|e| format!("the template is not JSON: {e}"))?;
        let resources = match template.get("Resources") {
            None => return Ok(Vec::new()),
            Some(Value::Object(resources)) => resources,
            Some(_) => return Err("the template's `Resources` is not an object".to_string()),
        };
        Ok(resources
            .iter()
            .filter_map(|(logical_id, resource)| check(logical_id, resource))
            .collect())
    }
}

/// What the template says about a value the rule needs.
enum Known {
    Yes,
    No,
    /// An intrinsic function decides it at deploy time: where it is, and its name.
    Intrinsic {
        what: &'static str,
        function: String,
    },
}

/// The finding for one resource, if any.
fn check(logical_id: &str, resource: &Value) -> Option<Finding> {
    if resource.get("Type").and_then(Value::as_str) != Some(STATE_MACHINE) {
        return None;
    }
    let resource_pointer = format!("/Resources/{}", escape(logical_id));
    let empty = Map::new();
    let properties = match resource.get("Properties") {
        Some(Value::Object(properties)) => properties,
        _ => &empty,
    };
    let express = match properties.get("StateMachineType") {
        Some(value) => match intrinsic(value) {
            Some(function) => Known::Intrinsic {
                what: "StateMachineType",
                function,
            },
            None if value.as_str() == Some("EXPRESS") => Known::Yes,
            None => Known::No,
        },
        // CloudFormation's default is STANDARD.
        None => Known::No,
    };
    let configuration = properties.get("TracingConfiguration");
    let traced = match configuration {
        None => Known::No,
        Some(configuration) => match intrinsic(configuration) {
            Some(function) => Known::Intrinsic {
                what: "TracingConfiguration",
                function,
            },
            None => match configuration.get("Enabled") {
                Some(Value::Bool(enabled)) => known(*enabled),
                // CloudFormation also takes booleans as strings.
                Some(Value::String(text)) => known(text.eq_ignore_ascii_case("true")),
                Some(value) => match intrinsic(value) {
                    Some(function) => Known::Intrinsic {
                        what: "TracingConfiguration.Enabled",
                        function,
                    },
                    None => Known::No,
                },
                None => Known::No,
            },
        },
    };
    let pointer = match configuration {
        Some(_) => format!("{resource_pointer}/Properties/TracingConfiguration"),
        None => resource_pointer,
    };
    let finding = |message: String, undecided: bool| Finding {
        rule_id: RULE_ID.to_string(),
        logical_id: logical_id.to_string(),
        pointer: pointer.clone(),
        message,
        undecided,
    };
    match (express, traced) {
        (Known::No, _) | (_, Known::Yes) => None,
        (Known::Yes, Known::No) => Some(finding(
            match configuration {
                None => "this Express state machine has no `TracingConfiguration`, so X-Ray traces nothing; set `TracingConfiguration: {Enabled: true}`".to_string(),
                Some(_) => "this Express state machine's `TracingConfiguration.Enabled` is not `true`, so X-Ray traces nothing; set it to `true`".to_string(),
            },
            false,
        )),
        (Known::Yes, Known::Intrinsic { what, function }) => Some(finding(
            format!(
                "this Express state machine's `{what}` is the intrinsic function `{function}`, which CloudFormation resolves at deploy time, so whether X-Ray traces it cannot be decided here; if it can turn tracing off, make sure that is intended"
            ),
            true,
        )),
        (Known::Intrinsic { what, function }, _) => Some(finding(
            format!(
                "this state machine's `{what}` is the intrinsic function `{function}`, which CloudFormation resolves at deploy time, and its X-Ray tracing is not enabled: if it resolves to `EXPRESS`, nothing is traced"
            ),
            true,
        )),
    }
}

fn known(yes: bool) -> Known {
    if yes { Known::Yes } else { Known::No }
}

/// The intrinsic function `value` is, if it is one (`{"Ref": ...}`, `{"Fn::If": ...}`,
/// `{"Condition": ...}`): an object of exactly one such key.
fn intrinsic(value: &Value) -> Option<String> {
    let object = value.as_object()?;
    let mut keys = object.keys();
    let key = keys.next()?;
    let is_function = key == "Ref" || key == "Condition" || key.starts_with("Fn::");
    (keys.next().is_none() && is_function).then(|| key.clone())
}

/// `key` as one reference token of a JSON Pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(target_arch = "wasm32")]
bindings::export!(RequireTracing with_types_in bindings);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn validate(resources: Value) -> Vec<Finding> {
        let template = json!({"Resources": resources}).to_string();
        RequireTracing::validate(template).expect("the template is checked")
    }

    fn machine(properties: Value) -> Value {
        json!({"Type": STATE_MACHINE, "Properties": properties})
    }

    #[test]
    fn describes_one_warning_rule() {
        let info = RequireTracing::describe();
        assert_eq!(info.name, "require-tracing");
        assert_eq!(info.rules.len(), 1);
        assert_eq!(info.rules[0].id, RULE_ID);
        assert!(matches!(info.rules[0].severity, Severity::Warning));
    }

    #[test]
    fn an_express_machine_without_tracing_is_found() {
        let findings = validate(json!({
            "Queue": {"Type": "AWS::SQS::Queue"},
            "OrdersWorkflow": machine(json!({"StateMachineType": "EXPRESS"})),
        }));
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(finding.rule_id, RULE_ID);
        assert_eq!(finding.logical_id, "OrdersWorkflow");
        assert_eq!(finding.pointer, "/Resources/OrdersWorkflow");
        assert!(!finding.undecided);
        assert!(finding.message.contains("no `TracingConfiguration`"));

        let findings = validate(json!({
            "Flow": machine(json!({
                "StateMachineType": "EXPRESS",
                "TracingConfiguration": {"Enabled": false}
            })),
        }));
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].pointer,
            "/Resources/Flow/Properties/TracingConfiguration"
        );
        assert!(!findings[0].undecided);
    }

    #[test]
    fn traced_or_standard_machines_are_fine() {
        let findings = validate(json!({
            "Traced": machine(json!({
                "StateMachineType": "EXPRESS",
                "TracingConfiguration": {"Enabled": true}
            })),
            "TracedAsText": machine(json!({
                "StateMachineType": "EXPRESS",
                "TracingConfiguration": {"Enabled": "true"}
            })),
            "Standard": machine(json!({"StateMachineType": "STANDARD"})),
            "Default": {"Type": STATE_MACHINE},
            "NotAMachine": {"Type": "AWS::Logs::LogGroup", "Properties": {"StateMachineType": "EXPRESS"}},
        }));
        assert!(findings.is_empty(), "{:?}", findings.len());
    }

    #[test]
    fn intrinsic_values_give_undecided_findings() {
        let findings = validate(json!({
            "Toggled": machine(json!({
                "StateMachineType": "EXPRESS",
                "TracingConfiguration": {"Enabled": {"Fn::If": ["IsProd", true, false]}}
            })),
            "Typed": machine(json!({"StateMachineType": {"Ref": "WorkflowType"}})),
            "TypedButTraced": machine(json!({
                "StateMachineType": {"Ref": "WorkflowType"},
                "TracingConfiguration": {"Enabled": true}
            })),
        }));
        let found: Vec<(&str, &str, bool)> = findings
            .iter()
            .map(|f| (f.logical_id.as_str(), f.pointer.as_str(), f.undecided))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "Toggled",
                    "/Resources/Toggled/Properties/TracingConfiguration",
                    true
                ),
                ("Typed", "/Resources/Typed", true),
            ]
        );
        assert!(findings[0].message.contains("`Fn::If`"));
        assert!(
            findings[1]
                .message
                .contains("`StateMachineType` is the intrinsic function `Ref`")
        );
    }

    #[test]
    fn a_template_that_is_not_json_is_an_error() {
        let error = RequireTracing::validate("Resources: {}".to_string())
            .expect_err("YAML is not what a validator receives");
        assert!(error.contains("not JSON"), "{error}");
        assert!(RequireTracing::validate("{}".to_string()).is_ok_and(|f| f.is_empty()));
    }
}
