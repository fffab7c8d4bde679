//! Which capabilities a template acknowledges, checked against the CloudFormation API
//! reference's rules.

use serde_json::json;
use stackweave_rollout::capabilities;

#[test]
fn an_iam_role_needs_capability_iam() {
    let template = json!({"Resources": {
        "WorkflowLogs": {"Type": "AWS::Logs::LogGroup"},
        "WorkflowRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
    }});
    assert_eq!(capabilities(&template), ["CAPABILITY_IAM"]);
}

#[test]
fn a_custom_name_needs_capability_named_iam() {
    for (resource_type, property) in [
        ("AWS::IAM::Role", "RoleName"),
        ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
        ("AWS::IAM::User", "UserName"),
        ("AWS::IAM::Group", "GroupName"),
        ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
    ] {
        let template = json!({"Resources": {
            "Named": {"Type": resource_type, "Properties": {property: {"Fn::Sub": "${AWS::StackName}-x"}}},
        }});
        assert_eq!(
            capabilities(&template),
            ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            "{resource_type}"
        );
    }
    // `RoleName` of a policy names the role it applies to, not a new named resource.
    let attached = json!({"Resources": {
        "Extra": {"Type": "AWS::IAM::RolePolicy", "Properties": {"RoleName": {"Ref": "Role"}, "PolicyName": "x"}},
        "Member": {"Type": "AWS::IAM::UserToGroupAddition", "Properties": {"GroupName": "ops", "Users": ["a"]}},
    }});
    assert_eq!(capabilities(&attached), ["CAPABILITY_IAM"]);
}

#[test]
fn a_template_without_iam_or_macros_needs_nothing() {
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "orders"}}},
    });
    assert!(capabilities(&template).is_empty());
    assert!(capabilities(&json!({})).is_empty());
}

#[test]
fn transforms_and_nested_stacks_need_auto_expand() {
    let serverless = json!({
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"Fn": {"Type": "AWS::Serverless::Function"}},
    });
    assert_eq!(capabilities(&serverless), ["CAPABILITY_AUTO_EXPAND"]);
    let listed = json!({"Transform": ["AWS::LanguageExtensions"], "Resources": {}});
    assert_eq!(capabilities(&listed), ["CAPABILITY_AUTO_EXPAND"]);
    let included = json!({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
        "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/props.yaml"}},
    }}}});
    assert_eq!(capabilities(&included), ["CAPABILITY_AUTO_EXPAND"]);
    let nested = json!({"Resources": {
        "Network": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://x"}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "deployer"}},
    }});
    assert_eq!(
        capabilities(&nested),
        [
            "CAPABILITY_AUTO_EXPAND",
            "CAPABILITY_IAM",
            "CAPABILITY_NAMED_IAM"
        ]
    );
    assert!(capabilities(&json!({"Transform": [], "Resources": {}})).is_empty());
}
