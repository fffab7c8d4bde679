//! The `logging` construct: one CloudWatch Logs log group (`AWS::Logs::LogGroup`).
//!
//! Local id `Resource`, so the log group gets the construct's own logical id. Attributes:
//! `arn` (`Fn::GetAtt Arn`, the form Step Functions' logging configuration expects; the
//! first, so a bare `${Logs}` is the ARN) and `name` (`Ref`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stackweave_plugin::{
    Construct, Context, Diagnostic, Fragment, Info, JsonSchema, cfn, schemars,
};

/// Retention when the props give none: a month of history for debugging, without paying to
/// store logs forever.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// Every value CloudFormation accepts for `RetentionInDays`.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The `logging` construct.
pub struct Logging;

/// A CloudWatch Logs log group, such as the destination of an express workflow's execution
/// logs.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(example = example_props())]
pub struct LoggingProps {
    /// How many days CloudWatch Logs keeps each log event; one of the values CloudFormation
    /// allows for RetentionInDays. The default keeps a month of history for debugging
    /// without paying to store logs forever.
    #[serde(default = "default_retention_days")]
    #[schemars(extend("enum" = RETENTION_DAYS), example = 7, example = 90)]
    pub retention_days: u32,
    /// The log group's name (LogGroupName), 1 to 512 of the characters a-z A-Z 0-9 _ - / . #.
    /// Omitted, CloudFormation generates one. Step Functions writes to log groups named
    /// /aws/vendedlogs/... without growing the account's CloudWatch Logs resource policy.
    #[schemars(with = "Option<String>", length(min = 1, max = 512))]
    #[schemars(example = "/aws/vendedlogs/states/orders")]
    pub name: Option<Value>,
    /// What happens to the log group and its events when it leaves the stack or is replaced.
    /// Used as DeletionPolicy, and as UpdateReplacePolicy with RetainExceptOnCreate written
    /// as Retain there. Omitted, the log group is deleted.
    #[schemars(example = DeletionPolicy::Retain)]
    pub deletion_policy: Option<DeletionPolicy>,
    /// Tags for the log group: keys and values (a value may reference a parameter or another
    /// construct), written in key order. Omitted, none.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>", example = json!({"team": "platform"}))]
    pub tags: BTreeMap<String, Value>,
}

/// What happens to the log group when it leaves the stack or is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum DeletionPolicy {
    /// Delete the log group and its events.
    Delete,
    /// Keep the log group.
    Retain,
    /// Keep the log group, unless the stack operation that created it rolls back.
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

/// The props' example in the schema, which a unit test runs.
fn example_props() -> Value {
    json!({
        "retentionDays": 7,
        "name": "/aws/vendedlogs/states/orders",
        "deletionPolicy": "Retain"
    })
}

impl Construct for Logging {
    type Props = LoggingProps;

    fn info() -> Info {
        Info {
            name: "logging",
            version: env!("CARGO_PKG_VERSION"),
            description: "a CloudWatch Logs log group with a retention period",
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
        if !props.tags.is_empty() {
            properties.insert("Tags".into(), cfn::tags(&props.tags));
        }
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
        stackweave_plugin::props_schema::<Logging>()
    }

    #[test]
    fn tags_become_cloudformation_tags_in_key_order() {
        let fragment = ok(json!({"tags": {"team": "platform", "env": {"Ref": "Env"}}}));
        assert_eq!(
            fragment.resources()["Resource"]["Properties"]["Tags"],
            json!([{"Key": "env", "Value": {"Ref": "Env"}}, {"Key": "team", "Value": "platform"}])
        );
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
        assert_eq!(schema["examples"], json!([example_props()]));
        let props: LoggingProps =
            serde_json::from_value(example_props()).expect("the example deserialises");
        assert_eq!(props.deletion_policy, Some(DeletionPolicy::Retain));
        ok(example_props());
        let examples = testing::assert_schema_examples_fit::<Logging>(6);
        assert_eq!(examples.len(), 6);
        for (at, _, example) in examples {
            if let Some(name) = at.strip_prefix('/') {
                ok(json!({ name: example }));
            }
        }
    }

    #[test]
    fn the_schema_says_what_is_wrong_where() {
        let schema = schema();
        let errors = |props: Value| testing::schema_errors(&schema, &props);
        // The validator lists a long enum only in part, as it did with the hand-written
        // schema; docs/constructs/logging.md lists every value.
        assert_eq!(
            errors(json!({"retentionDays": 8})),
            ["props/retentionDays: 8 is not one of 1, 3 or 20 other candidates"]
        );
        assert_eq!(
            errors(json!({"deletionPolicy": "Keep", "name": ""})),
            [
                r#"props/deletionPolicy: "Keep" is not one of "Delete", "Retain" or "RetainExceptOnCreate""#,
                r#"props/name: "" is shorter than 1 character"#,
            ]
        );
        assert_eq!(
            errors(json!({"name": null})),
            [r#"props/name: null is not of type "string""#]
        );
        assert_eq!(
            errors(json!({"retention": 7})),
            ["props: Additional properties are not allowed ('retention' was unexpected)"]
        );
    }

    #[test]
    fn every_prop_is_documented() {
        assert_eq!(testing::schema_problems::<Logging>(), Vec::<String>::new());
        let schema = schema();
        assert_eq!(schema["title"], "logging");
        assert!(
            schema["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("A CloudWatch Logs log group"))
        );
    }

    #[test]
    fn the_schema_agrees_with_the_code() {
        let schema = schema();
        let retention = &schema["properties"]["retentionDays"];
        assert_eq!(retention["default"], json!(DEFAULT_RETENTION_DAYS));
        assert_eq!(retention["enum"], json!(RETENTION_DAYS));
        assert_eq!(
            ok(json!({})).resources()["Resource"]["Properties"]["RetentionInDays"],
            retention["default"]
        );
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(schema.get("required"), None, "every prop is optional");
        let name = &schema["properties"]["name"];
        assert_eq!(
            (&name["type"], &name["minLength"], &name["maxLength"]),
            (&json!("string"), &json!(1), &json!(512))
        );
        // A plain list of names, so that a wrong one gets a message listing the right ones.
        let policy = &schema["properties"]["deletionPolicy"];
        assert_eq!(policy["type"], "string");
        assert_eq!(
            policy["enum"],
            json!(["Delete", "Retain", "RetainExceptOnCreate"])
        );
        assert!(
            policy["description"]
                .as_str()
                .is_some_and(|d| d.contains("- `RetainExceptOnCreate`: Keep the log group, unless"))
        );
    }

    #[test]
    fn describe_names_the_construct_and_its_attributes() {
        let info = stackweave_plugin::describe::<Logging>();
        assert_eq!(info.name, "logging");
        let names: Vec<_> = info.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["arn", "name"]);
    }
}
