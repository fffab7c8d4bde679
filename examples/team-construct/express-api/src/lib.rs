//! `express-api`: the platform team's packaging of the reference architecture. One
//! construct gives a product team an HTTP endpoint that runs their Step Functions Express
//! workflow synchronously and answers with its output, logged, with the team's defaults:
//!
//! - execution logs kept 14 days in `/aws/vendedlogs/states/<stack>-<id>`, at level `ERROR`
//!   without execution data (inputs and outputs may hold personal data) unless the props
//!   ask for more;
//! - the API's stage is `v1`, and callers sign their requests (`AWS_IAM`): the team's
//!   endpoints are for services with IAM identities, not the open internet;
//! - every resource is tagged `managed-by: platform-team` (and with the props' own tags);
//! - least-privilege roles, created by the standard constructs themselves.
//!
//! It owns no resource of its own: everything comes from its children `Logs` (`logging`),
//! `Workflow` (`express-workflow`, which creates `Workflow/Role`) and `Api`
//! (`api-integration`, which creates `Api/Role`). Attributes: `url` (the stage's URL),
//! `workflowArn` and `logGroupArn`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stackweave_plugin::{
    Construct, Context, Diagnostic, Fragment, Info, JsonSchema, add_child, schemars,
};

/// The `express-api` construct.
pub struct ExpressApi;

/// An HTTP endpoint running an Express workflow synchronously, with the team's defaults.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExpressApiProps {
    /// The workflow, in Amazon States Language (`StartAt`, `States`).
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub definition: Value,
    /// The resource path the endpoint answers on, such as `/orders`.
    #[schemars(regex(pattern = r"^/[A-Za-z0-9._~/-]*$"))]
    pub path: String,
    /// The HTTP method.
    #[serde(default = "default_method")]
    #[schemars(extend("enum" = ["GET", "POST"]))]
    pub method: String,
    /// Query-string parameters passed to the workflow as its input; each is required.
    #[serde(default)]
    pub query_string: Vec<String>,
    /// Log everything, with inputs and outputs, instead of errors only: for debugging, not
    /// for data that may be personal.
    #[serde(default)]
    pub verbose_logs: bool,
    /// More tags for every resource, beside the team's `managed-by: platform-team`, such as
    /// the product's cost centre.
    #[serde(default)]
    #[schemars(example = json!({"cost-centre": "orders"}))]
    pub tags: BTreeMap<String, String>,
}

fn default_method() -> String {
    "GET".into()
}

/// The team's defaults.
const RETENTION_DAYS: u32 = 14;
const STAGE: &str = "v1";
const TEAM_TAG: (&str, &str) = ("managed-by", "platform-team");

impl Construct for ExpressApi {
    type Props = ExpressApiProps;

    fn info() -> Info {
        Info {
            name: "express-api",
            version: env!("CARGO_PKG_VERSION"),
            description: "an HTTP endpoint running an Express workflow synchronously, logged, with the platform team's defaults",
            attributes: vec![
                ("url", "the API stage's URL"),
                ("workflowArn", "the workflow's ARN"),
                ("logGroupArn", "the execution logs' log group ARN"),
            ],
        }
    }

    fn synth(context: &Context, props: ExpressApiProps) -> Result<Fragment, Vec<Diagnostic>> {
        let mut tags = props.tags;
        tags.insert(TEAM_TAG.0.into(), TEAM_TAG.1.into());
        let logs = add_child(
            "logging",
            "Logs",
            &json!({
                "retentionDays": RETENTION_DAYS,
                "tags": tags,
                "name": {"Fn::Sub": format!("/aws/vendedlogs/states/${{AWS::StackName}}-{}", context.construct_id)},
            }),
        )?;
        let (level, include_execution_data) = if props.verbose_logs {
            ("ALL", true)
        } else {
            ("ERROR", false)
        };
        let workflow = add_child(
            "express-workflow",
            "Workflow",
            &json!({
                "definition": props.definition,
                "logging": {
                    "destination": logs.attribute("arn"),
                    "level": level,
                    "includeExecutionData": include_execution_data,
                },
                "tags": tags,
            }),
        )?;
        let api = add_child(
            "api-integration",
            "Api",
            &json!({
                "path": props.path,
                "method": props.method,
                "stateMachine": workflow.attribute("arn"),
                "input": {"queryString": props.query_string},
                "stage": STAGE,
                "authorization": "AWS_IAM",
                "tags": tags,
            }),
        )?;
        Ok(Fragment::new()
            .attribute("url", api.attribute("url").clone())
            .attribute("workflowArn", workflow.attribute("arn").clone())
            .attribute("logGroupArn", logs.attribute("arn").clone()))
    }
}

stackweave_plugin::export_construct!(ExpressApi);

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::json;
    use stackweave_plugin::testing;

    use super::*;

    /// Runs the construct with the host's part played by a recorder: every child answers
    /// with attributes naming it, and the requests are returned.
    fn children_of(props: Value) -> (Fragment, Vec<(String, String, Value)>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let fragment = testing::with_children(
            move |plugin, id, props| {
                record
                    .lock()
                    .expect("not poisoned")
                    .push((plugin.to_string(), id.to_string(), props.clone()));
                let name = format!("Orders{id}");
                Ok(vec![
                    ("arn", json!({"Fn::GetAtt": [name.clone(), "Arn"]})),
                    ("url", json!({"Fn::Sub": format!("https://${{{name}}}")})),
                ])
            },
            || testing::ok::<ExpressApi>("Orders", props),
        );
        let seen = seen.lock().expect("not poisoned").clone();
        (fragment, seen)
    }

    #[test]
    fn the_team_defaults_apply() {
        let (_, children) = children_of(json!({
            "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            "path": "/orders",
        }));
        let plugins: Vec<&str> = children.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(plugins, ["logging", "express-workflow", "api-integration"]);
        assert_eq!(children[0].2["retentionDays"], 14);
        assert_eq!(children[1].2["logging"]["level"], "ERROR");
        assert_eq!(children[1].2["logging"]["includeExecutionData"], false);
        assert_eq!(
            children[1].2["logging"]["destination"],
            json!({"Fn::GetAtt": ["OrdersLogs", "Arn"]})
        );
        assert_eq!(children[2].2["stage"], "v1");
        assert_eq!(children[2].2["authorization"], "AWS_IAM");
        assert_eq!(children[2].2["method"], "GET");
        for (_, _, props) in &children {
            assert_eq!(props["tags"], json!({"managed-by": "platform-team"}));
        }
    }

    #[test]
    fn the_products_tags_join_the_teams() {
        let (_, children) = children_of(json!({
            "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            "path": "/orders",
            "tags": {"cost-centre": "orders"},
        }));
        assert_eq!(
            children[1].2["tags"],
            json!({"cost-centre": "orders", "managed-by": "platform-team"})
        );
    }

    #[test]
    fn verbose_logs_log_everything() {
        let (_, children) = children_of(json!({
            "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            "path": "/orders",
            "verboseLogs": true,
        }));
        assert_eq!(children[1].2["logging"]["level"], "ALL");
        assert_eq!(children[1].2["logging"]["includeExecutionData"], true);
    }

    #[test]
    fn the_attributes_are_the_childrens() {
        let (fragment, _) = children_of(json!({
            "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            "path": "/orders",
        }));
        assert!(fragment.resources().is_empty());
        assert_eq!(
            fragment.attribute_value("workflowArn"),
            Some(&json!({"Fn::GetAtt": ["OrdersWorkflow", "Arn"]}))
        );
        assert_eq!(
            fragment.attribute_value("url"),
            Some(&json!({"Fn::Sub": "https://${OrdersApi}"}))
        );
    }
}
