//! Unit tests of the `iam-role` construct: its output, each diagnostic, and the schema.

use super::*;
use stackweave_plugin::testing;

fn ok(props: Value) -> Fragment {
    testing::ok::<IamRole>("WorkflowRole", props)
}

fn errors(props: Value) -> Vec<Diagnostic> {
    testing::errors::<IamRole>("WorkflowRole", props)
}

fn error(props: Value) -> (String, String) {
    testing::single_error::<IamRole>("WorkflowRole", props)
}

fn with_statement(statement: Value) -> Value {
    json!({"assumedBy": ["states.amazonaws.com"], "statements": [statement]})
}

#[test]
fn a_bare_role_has_only_its_trust_policy() {
    let fragment = ok(json!({"assumedBy": ["apigateway.amazonaws.com"]}));
    assert_eq!(
        fragment.template(),
        json!({"Resources": {"Resource": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Service": ["apigateway.amazonaws.com"]},
                        "Action": "sts:AssumeRole"
                    }]
                }
            }
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
fn statements_become_one_inline_policy_named_after_the_construct() {
    let workflow = json!({"Ref": "Workflow"});
    let fragment = ok(json!({
        "assumedBy": ["apigateway.amazonaws.com"],
        "statements": [
            {"sid": "Start", "actions": ["states:StartSyncExecution"], "resources": [workflow]},
            {
                "effect": "Deny",
                "actions": ["states:*"],
                "resources": ["arn:aws:states:eu-west-1:123456789012:stateMachine:other"],
                "conditions": {"Bool": {"aws:SecureTransport": "false"}}
            }
        ]
    }));
    let properties = &fragment.resources()["Resource"]["Properties"];
    assert_eq!(
        properties["Policies"],
        json!([{
            "PolicyName": "WorkflowRolePolicy",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Start",
                        "Effect": "Allow",
                        "Action": ["states:StartSyncExecution"],
                        "Resource": [{"Ref": "Workflow"}]
                    },
                    {
                        "Effect": "Deny",
                        "Action": ["states:*"],
                        "Resource": ["arn:aws:states:eu-west-1:123456789012:stateMachine:other"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                    }
                ]
            }
        }])
    );
}

#[test]
fn every_optional_prop_is_applied() {
    let fragment = ok(json!({
        "assumedBy": ["states.amazonaws.com", "events.amazonaws.com"],
        "managedPolicies": [
            "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
            {"Fn::ImportValue": "shared-policy-arn"}
        ],
        "name": "orders-workflow",
        "path": "/service-role/",
        "description": {"Fn::Sub": "runs ${AWS::StackName}"},
        "permissionsBoundary": "arn:aws:iam::123456789012:policy/boundary"
    }));
    let properties = &fragment.resources()["Resource"]["Properties"];
    assert_eq!(properties["RoleName"], "orders-workflow");
    assert_eq!(properties["Path"], "/service-role/");
    assert_eq!(
        properties["Description"],
        json!({"Fn::Sub": "runs ${AWS::StackName}"})
    );
    assert_eq!(
        properties["ManagedPolicyArns"],
        json!([
            "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
            {"Fn::ImportValue": "shared-policy-arn"}
        ])
    );
    assert_eq!(
        properties["PermissionsBoundary"],
        "arn:aws:iam::123456789012:policy/boundary"
    );
    assert_eq!(
        properties["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        json!(["states.amazonaws.com", "events.amazonaws.com"])
    );
    assert!(properties.get("Policies").is_none());
}

#[test]
fn the_policy_name_keeps_only_characters_iam_allows() {
    assert_eq!(policy_name("WorkflowRole"), "WorkflowRolePolicy");
    assert_eq!(policy_name("api role/x"), "apirolexPolicy");
    assert_eq!(policy_name(&"a".repeat(200)).len(), 128);
}

#[test]
fn the_star_action_is_refused_at_its_index() {
    let (path, message) = error(with_statement(json!({
        "actions": ["states:StartSyncExecution", "*"],
        "resources": ["arn:aws:states:eu-west-1:123456789012:stateMachine:x"]
    })));
    assert_eq!(path, "/statements/0/actions/1");
    assert!(message.starts_with("the action `*` allows every action of every service"));
}

#[test]
fn a_whole_service_is_refused() {
    for action in ["logs:*", "s3:**", "states:?*"] {
        let (path, message) = error(with_statement(json!({
            "actions": [action],
            "resources": ["arn:aws:logs:eu-west-1:123456789012:log-group:x"]
        })));
        assert_eq!(path, "/statements/0/actions/0");
        assert!(message.contains("allows every action of"), "{message}");
        assert!(message.contains("write the actions the role needs"));
    }
}

#[test]
fn a_wildcard_in_the_service_is_refused() {
    for action in ["*:GetObject", "s*:GetObject", "s3?:GetObject"] {
        let (path, message) = error(with_statement(json!({
            "actions": [action],
            "resources": ["arn:aws:s3:::orders/*"]
        })));
        assert_eq!(path, "/statements/0/actions/0");
        assert!(message.contains("wildcard in its service"), "{message}");
    }
}

#[test]
fn a_wildcard_inside_an_action_name_is_allowed() {
    let fragment = ok(with_statement(json!({
        "actions": ["s3:Get*", "s3:*Object"],
        "resources": ["arn:aws:s3:::orders/*"]
    })));
    assert!(fragment.warnings().is_empty());
}

#[test]
fn wildcards_in_deny_statements_are_allowed() {
    let fragment = ok(with_statement(json!({
        "effect": "Deny",
        "actions": ["*"],
        "resources": ["*"]
    })));
    assert!(fragment.warnings().is_empty());
}

#[test]
fn malformed_actions_are_refused() {
    for action in [
        "StartSyncExecution",
        "states:",
        ":Start",
        "states:Start-Sync",
        "a:b:c",
    ] {
        let (path, message) = error(with_statement(json!({
            "effect": "Deny",
            "actions": [action],
            "resources": ["*"]
        })));
        assert_eq!(path, "/statements/0/actions/0");
        assert!(message.contains("is not an action"), "{action}: {message}");
    }
}

#[test]
fn star_resources_are_quiet_for_log_delivery_actions() {
    let fragment = ok(with_statement(json!({
        "actions": ["logs:CreateLogDelivery", "logs:describeloggroups", "xray:PutTraceSegments"],
        "resources": ["*"]
    })));
    assert!(fragment.warnings().is_empty());
}

#[test]
fn star_resources_warn_for_actions_that_can_be_narrowed() {
    let fragment = ok(with_statement(json!({
        "actions": ["logs:CreateLogDelivery", "states:StartSyncExecution"],
        "resources": ["arn:aws:logs:eu-west-1:123456789012:*", "*"]
    })));
    let warnings = fragment.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings[0].path.as_deref(),
        Some("/statements/0/resources/1")
    );
    assert!(!warnings[0].is_error());
    assert!(
        warnings[0]
            .message
            .contains("lets `states:StartSyncExecution` act on every")
    );
}

#[test]
fn resources_that_are_not_arns_are_refused() {
    let (path, message) = error(with_statement(json!({
        "actions": ["s3:GetObject"],
        "resources": ["orders-bucket"]
    })));
    assert_eq!(path, "/statements/0/resources/0");
    assert!(message.starts_with("`orders-bucket` is not an ARN"));
}

#[test]
fn empty_actions_and_resources_are_refused() {
    let e = errors(with_statement(json!({"actions": [], "resources": []})));
    let paths: Vec<_> = e.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(paths, ["/statements/0/actions", "/statements/0/resources"]);
}

#[test]
fn broad_aws_managed_policies_are_refused_at_their_index() {
    for (arn, name) in [
        (
            "arn:aws:iam::aws:policy/AmazonS3FullAccess",
            "AmazonS3FullAccess",
        ),
        (
            "arn:aws-cn:iam::aws:policy/AdministratorAccess",
            "AdministratorAccess",
        ),
        ("arn:aws:iam::aws:policy/PowerUserAccess", "PowerUserAccess"),
        (
            "arn:aws:iam::aws:policy/service-role/AWSLambdaFullAccess",
            "AWSLambdaFullAccess",
        ),
    ] {
        let (path, message) = error(json!({
            "assumedBy": ["states.amazonaws.com"],
            "managedPolicies": ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", arn]
        }));
        assert_eq!(path, "/managedPolicies/1");
        assert!(message.contains(&format!("`{name}`")), "{message}");
    }
}

#[test]
fn broad_policies_are_found_in_sub_expressions_too() {
    let (path, _) = error(json!({
        "assumedBy": ["states.amazonaws.com"],
        "managedPolicies": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess"}]
    }));
    assert_eq!(path, "/managedPolicies/0");
}

#[test]
fn customer_managed_policies_are_not_judged_by_name() {
    ok(json!({
        "assumedBy": ["states.amazonaws.com"],
        "managedPolicies": ["arn:aws:iam::123456789012:policy/AmazonS3FullAccess"]
    }));
}

#[test]
fn managed_policies_must_be_arns() {
    let (path, message) = error(json!({
        "assumedBy": ["states.amazonaws.com"],
        "managedPolicies": ["AWSXrayWriteOnlyAccess"]
    }));
    assert_eq!(path, "/managedPolicies/0");
    assert!(message.contains("is not a policy ARN"));
}

#[test]
fn principals_are_checked() {
    let (path, message) = error(json!({"assumedBy": []}));
    assert_eq!(path, "/assumedBy");
    assert!(message.contains("`states.amazonaws.com`"));
    let (path, message) = error(json!({"assumedBy": ["states"]}));
    assert_eq!(path, "/assumedBy/0");
    assert!(message.starts_with("`states` is not a service principal"));
    let (path, message) =
        error(json!({"assumedBy": ["states.amazonaws.com", "states.amazonaws.com"]}));
    assert_eq!(path, "/assumedBy/1");
    assert!(message.contains("listed twice"));
    ok(json!({"assumedBy": ["states.amazonaws.com.cn"]}));
}

#[test]
fn sids_are_checked() {
    let statement = |sid: &str| json!({"sid": sid, "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::o/*"]});
    let (path, message) = error(with_statement(statement("read-orders")));
    assert_eq!(path, "/statements/0/sid");
    assert!(message.contains("only letters and digits"));
    let (path, message) = error(json!({
        "assumedBy": ["states.amazonaws.com"],
        "statements": [statement("Read"), statement("Read")]
    }));
    assert_eq!(path, "/statements/1/sid");
    assert!(message.contains("earlier statement"));
}

#[test]
fn scalar_props_are_checked_when_plain() {
    let base = |key: &str, value: Value| {
        let mut props = json!({"assumedBy": ["states.amazonaws.com"]});
        props[key] = value;
        props
    };
    let (path, _) = error(base("name", json!("orders workflow")));
    assert_eq!(path, "/name");
    let (path, _) = error(base("name", json!("a".repeat(65))));
    assert_eq!(path, "/name");
    let (path, _) = error(base("path", json!("service-role")));
    assert_eq!(path, "/path");
    let (path, _) = error(base("description", json!("a".repeat(1001))));
    assert_eq!(path, "/description");
    let (path, _) = error(base("permissionsBoundary", json!("boundary")));
    assert_eq!(path, "/permissionsBoundary");
    ok(base(
        "name",
        json!({"Fn::Sub": "${AWS::StackName}-workflow"}),
    ));
    ok(base("path", json!("/")));
}

#[test]
fn all_errors_are_reported_at_once() {
    let e = errors(json!({
        "assumedBy": ["states"],
        "statements": [{"actions": ["*", "logs:*"], "resources": ["*"]}],
        "managedPolicies": ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]
    }));
    assert_eq!(e.len(), 4, "{e:?}");
}

#[test]
fn the_seed_execution_role_is_refused_item_by_item() {
    // The blog's role: logs:* on *, S3 full access.
    let e = errors(json!({
        "assumedBy": ["states.amazonaws.com"],
        "statements": [{"actions": ["logs:*"], "resources": ["*"]}],
        "managedPolicies": [
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            "arn:aws:iam::aws:policy/AmazonS3FullAccess"
        ]
    }));
    let paths: Vec<_> = e.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(paths, ["/statements/0/actions/0", "/managedPolicies/1"]);
}

fn schema() -> Value {
    stackweave_plugin::props_schema::<IamRole>()
}

#[test]
fn every_example_in_the_schema_fits_its_schema() {
    testing::assert_schema_examples_fit::<IamRole>(6);
}
#[test]
fn the_schema_says_what_is_wrong_where() {
    let schema = schema();
    let errors = |props: Value| testing::schema_errors(&schema, &props);
    assert_eq!(
        errors(json!({})),
        [r#"props: "assumedBy" is a required property"#]
    );
    assert_eq!(
        errors(json!({
            "assumedBy": ["states"],
            "statements": [{"effect": "Permit", "actions": [], "resources": ["*"]}],
            "path": "service-role"
        })),
        [
            r#"props/assumedBy/0: "states" does not match "^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$""#,
            r#"props/statements/0/effect: "Permit" is not one of "Allow" or "Deny""#,
            "props/statements/0/actions: [] has less than 1 item",
            r#"props/path: "service-role" does not match "^/([!-~]*/)?$""#,
        ]
    );
    assert_eq!(
        errors(json!({"assumedBy": ["states.amazonaws.com"], "name": null})),
        [r#"props/name: null is not of type "string""#]
    );
}

#[test]
fn the_schema_examples_fit_the_props() {
    let schema = schema();
    assert_eq!(schema["examples"], json!([example_props()]));
    let props: IamRoleProps =
        serde_json::from_value(example_props()).expect("the example deserialises");
    assert_eq!(props.statements.len(), 2);
    let fragment = ok(example_props());
    assert!(fragment.warnings().is_empty(), "{:?}", fragment.warnings());
}

#[test]
fn every_prop_is_documented() {
    assert_eq!(testing::schema_problems::<IamRole>(), Vec::<String>::new());
    assert_eq!(schema()["title"], "iam-role");
}

#[test]
fn the_schema_agrees_with_the_code() {
    let schema = schema();
    assert_eq!(schema["required"], json!(["assumedBy"]));
    assert_eq!(schema["additionalProperties"], json!(false));
    let properties = &schema["properties"];
    for list in ["statements", "managedPolicies"] {
        assert_eq!(properties[list]["default"], json!([]), "{list}");
    }
    let principals = &properties["assumedBy"];
    assert_eq!(principals["minItems"], 1);
    assert_eq!(principals["uniqueItems"], true);
    let pattern = principals["items"]["pattern"].as_str().unwrap_or_default();
    assert!(pattern.ends_with(r"\.amazonaws\.com(\.cn)?$"), "{pattern}");
    // References are strings as written in the stack file.
    assert_eq!(properties["managedPolicies"]["items"]["type"], "string");
    assert_eq!(properties["permissionsBoundary"]["type"], "string");
    assert_eq!(properties["name"]["maxLength"], 64);

    let statement = &properties["statements"]["items"];
    assert_eq!(statement["required"], json!(["actions", "resources"]));
    assert_eq!(statement["additionalProperties"], json!(false));
    let effect = &statement["properties"]["effect"];
    assert_eq!(effect["enum"], json!(["Allow", "Deny"]));
    assert_eq!(effect["default"], Effect::default().as_str());
    assert_eq!(
        statement["properties"]["resources"]["items"]["type"],
        "string"
    );
    assert_eq!(
        statement["properties"]["conditions"]["additionalProperties"],
        json!({"type": "object"})
    );
}

#[test]
fn describe_names_the_construct_and_its_attributes() {
    let info = stackweave_plugin::describe::<IamRole>();
    assert_eq!(info.name, "iam-role");
    let names: Vec<_> = info.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["arn", "name"]);
}
