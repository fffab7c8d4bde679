//! The `logging` construct: one CloudWatch Logs log group (`AWS::Logs::LogGroup`).
//!
//! Local id `Resource`, so the log group gets the construct's own logical id. Attributes:
//! `name` (`Ref`, the first, so a bare `${Logs}` is the name) and `arn` (`Fn::GetAtt Arn`,
//! the form Step Functions' logging configuration expects).

use serde::Deserialize;
use serde_json::{Map, Value, json};
use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info, cfn};

/// The props' JSON Schema; the host validates props against it before `synth`.
const SCHEMA: &str = include_str!("../schema.json");

/// Retention when the props give none: a month of history for debugging, without paying to
/// store logs forever. Kept in step with the schema's `default` by a test.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// Every value CloudFormation accepts for `RetentionInDays`.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The `logging` construct.
pub struct Logging;

/// The props of [`Logging`]; `schema.json` documents each.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoggingProps {
    /// Days CloudWatch Logs keeps events.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// `LogGroupName`; a plain string, or an expression when it references another construct.
    #[serde(default)]
    pub name: Option<Value>,
    /// `DeletionPolicy` and `UpdateReplacePolicy`.
    #[serde(default)]
    pub deletion_policy: Option<DeletionPolicy>,
}

/// What happens to the log group when it leaves the stack or is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DeletionPolicy {
    /// Delete it and its events.
    Delete,
    /// Keep it.
    Retain,
    /// Keep it, unless the stack operation that created it rolls back.
    RetainExceptOnCreate,
}

impl DeletionPolicy {
    fn deletion(self) -> &'static str {
        match self {
            Self::Delete => "Delete",
            Self::Retain => "Retain",
            Self::RetainExceptOnCreate => "RetainExceptOnCreate",
        }
    }

    fn update_replace(self) -> &'static str {
        match self {
            Self::Delete => "Delete",
            // UpdateReplacePolicy has no RetainExceptOnCreate: a replacement never happens in
            // the operation that created the resource, so Retain is the same intent.
            Self::Retain | Self::RetainExceptOnCreate => "Retain",
        }
    }
}

fn default_retention_days() -> u32 {
    DEFAULT_RETENTION_DAYS
}

impl Construct for Logging {
    type Props = LoggingProps;

    fn info() -> Info {
        Info {
            name: "logging",
            version: env!("CARGO_PKG_VERSION"),
            description: "a CloudWatch Logs log group with a retention period",
            props_schema: serde_json::from_str(SCHEMA)
                .expect("schema.json is valid JSON, which a unit test checks"),
            // ARN first, so a bare `${Logs}` means the ARN, as for every standard construct.
            attributes: vec![
                (
                    "arn",
                    "the log group's ARN, ending in `:*`, as Step Functions logging expects",
                ),
                ("name", "the log group's name"),
            ],
        }
    }

    fn synth(_ctx: &Context, props: LoggingProps) -> Result<Fragment, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        if !RETENTION_DAYS.contains(&props.retention_days) {
            errors.push(Diagnostic::error(
                "/retentionDays",
                format!(
                    "a retention of {} days is not one CloudWatch Logs offers; write one of {}",
                    props.retention_days,
                    RETENTION_DAYS.map(|d| d.to_string()).join(", ")
                ),
            ));
        }
        if let Some(Value::String(name)) = &props.name
            && let Some(problem) = log_group_name_problem(name)
        {
            errors.push(Diagnostic::error("/name", problem));
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut properties = Map::new();
        if let Some(name) = props.name {
            properties.insert("LogGroupName".into(), name);
        }
        properties.insert("RetentionInDays".into(), json!(props.retention_days));
        let mut resource = Map::new();
        resource.insert("Type".into(), json!("AWS::Logs::LogGroup"));
        if let Some(policy) = props.deletion_policy {
            resource.insert("DeletionPolicy".into(), json!(policy.deletion()));
            resource.insert("UpdateReplacePolicy".into(), json!(policy.update_replace()));
        }
        resource.insert("Properties".into(), Value::Object(properties));

        Ok(Fragment::new()
            .resource("Resource", Value::Object(resource))
            .attribute("arn", cfn::get_att("Resource", "Arn"))
            .attribute("name", cfn::reference("Resource")))
    }
}

/// Why `name` cannot be a log group name, if it cannot.
fn log_group_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 512 {
        return Some(format!(
            "a log group name is 1 to 512 characters long, and `{name}` has {}; write a name \
             of that length",
            name.len()
        ));
    }
    let allowed = |c: &char| c.is_ascii_alphanumeric() || "_-/.#".contains(*c);
    name.chars().find(|c| !allowed(c)).map(|bad| {
        format!(
            "a log group name cannot contain `{bad}`; use letters, digits and `_ - / . #`, \
             such as `/aws/vendedlogs/states/orders`"
        )
    })
}

stackweave_plugin::export_construct!(Logging);

#[cfg(test)]
mod tests {
    use super::*;
    use stackweave_plugin::testing;

    fn ok(props: Value) -> Fragment {
        testing::ok::<Logging>("Logs", props)
    }

    fn errors(props: Value) -> Vec<Diagnostic> {
        testing::errors::<Logging>("Logs", props)
    }

    fn schema() -> Value {
        serde_json::from_str(SCHEMA).expect("schema.json parses")
    }

    #[test]
    fn defaults_give_a_log_group_kept_thirty_days() {
        let fragment = ok(json!({}));
        assert_eq!(
            fragment.template(),
            json!({"Resources": {"Resource": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"RetentionInDays": 30}
            }}})
        );
        assert_eq!(
            fragment.attributes(),
            [
                (
                    "arn".to_string(),
                    json!({"Fn::GetAtt": ["Resource", "Arn"]})
                ),
                ("name".to_string(), json!({"Ref": "Resource"})),
            ]
        );
        assert!(fragment.warnings().is_empty());
    }

    #[test]
    fn every_prop_is_applied() {
        let fragment = ok(json!({
            "retentionDays": 7,
            "name": "/aws/vendedlogs/states/orders",
            "deletionPolicy": "Retain"
        }));
        assert_eq!(
            fragment.resources()["Resource"],
            json!({
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "LogGroupName": "/aws/vendedlogs/states/orders",
                    "RetentionInDays": 7
                }
            })
        );
    }

    #[test]
    fn retain_except_on_create_is_retain_on_replacement() {
        let resource =
            &ok(json!({"deletionPolicy": "RetainExceptOnCreate"})).resources()["Resource"].clone();
        assert_eq!(resource["DeletionPolicy"], "RetainExceptOnCreate");
        assert_eq!(resource["UpdateReplacePolicy"], "Retain");
        let resource = ok(json!({"deletionPolicy": "Delete"})).resources()["Resource"].clone();
        assert_eq!(resource["DeletionPolicy"], "Delete");
        assert_eq!(resource["UpdateReplacePolicy"], "Delete");
    }

    #[test]
    fn a_name_that_is_an_expression_is_embedded_as_it_is() {
        let name = json!({"Fn::Sub": "/aws/vendedlogs/states/${AWS::StackName}"});
        let fragment = ok(json!({ "name": name }));
        assert_eq!(
            fragment.resources()["Resource"]["Properties"]["LogGroupName"],
            name
        );
    }

    #[test]
    fn a_retention_cloudwatch_does_not_offer_is_an_error() {
        let e = errors(json!({"retentionDays": 10}));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path.as_deref(), Some("/retentionDays"));
        assert!(
            e[0].message
                .starts_with("a retention of 10 days is not one CloudWatch Logs offers")
        );
        assert!(e[0].message.contains("7, 14, 30"));
    }

    #[test]
    fn an_invalid_name_is_an_error() {
        let e = errors(json!({"name": "orders logs"}));
        assert_eq!(e[0].path.as_deref(), Some("/name"));
        assert!(
            e[0].message.contains("cannot contain ` `"),
            "{}",
            e[0].message
        );
        let e = errors(json!({"name": ""}));
        assert!(e[0].message.contains("1 to 512"));
        let e = errors(json!({"name": "a".repeat(513)}));
        assert!(e[0].message.contains("has 513"));
    }

    #[test]
    fn errors_are_reported_together() {
        assert_eq!(errors(json!({"retentionDays": 2, "name": "a b"})).len(), 2);
    }

    #[test]
    fn unknown_props_are_rejected() {
        let e = errors(json!({"retention": 7}));
        assert!(e[0].message.contains("unknown field `retention`"));
    }

    #[test]
    fn the_schema_examples_fit_the_props() {
        let schema = schema();
        for example in schema["examples"].as_array().into_iter().flatten() {
            let props: LoggingProps =
                serde_json::from_value(example.clone()).expect("example deserialises");
            assert_eq!(props.deletion_policy, Some(DeletionPolicy::Retain));
            ok(example.clone());
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            assert!(
                property["description"].is_string(),
                "{name} has no description"
            );
            for example in property["examples"].as_array().into_iter().flatten() {
                let props = json!({ name.as_str(): example });
                assert!(
                    testing::synth::<Logging>("Logs", props.clone()).is_ok(),
                    "{props}"
                );
            }
        }
    }

    #[test]
    fn the_schema_agrees_with_the_code() {
        let schema = schema();
        let retention = &schema["properties"]["retentionDays"];
        assert_eq!(retention["default"], json!(DEFAULT_RETENTION_DAYS));
        assert_eq!(retention["enum"], json!(RETENTION_DAYS));
        assert_eq!(schema["additionalProperties"], json!(false));
    }

    #[test]
    fn describe_names_the_construct_and_its_attributes() {
        let info = stackweave_plugin::describe::<Logging>();
        assert_eq!(info.name, "logging");
        let names: Vec<_> = info.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["arn", "name"]);
    }
}
