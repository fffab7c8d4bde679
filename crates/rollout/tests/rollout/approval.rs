//! What needs approval under each `--require-approval` policy, from the templates alone.

use serde_json::{Value, json};
use stackweave_rollout::{ApprovalPolicy, approval_needed};

use ApprovalPolicy::{AnyChange, Broadening, Never};

/// A stack with a bucket, its log group, and (when `statements` is given) a role reading
/// the bucket with those permission statements.
fn stack(statements: Option<Value>) -> Value {
    let mut resources = json!({
        "Reports": {"Type": "AWS::S3::Bucket"},
        "ReportLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
    });
    if let Some(statements) = statements {
        resources["ReaderRole"] = role(statements);
    }
    json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
}

fn role(statements: Value) -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }]},
            "Policies": [{"PolicyName": "Read", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": statements,
            }}],
        },
    })
}

fn allow(action: &str) -> Value {
    json!([{
        "Effect": "Allow",
        "Action": action,
        "Resource": {"Fn::Sub": "${Reports.Arn}/*"},
    }])
}

#[test]
fn a_new_role_needs_approval() {
    let before = stack(None);
    let after = stack(Some(allow("s3:GetObject")));
    let reasons = approval_needed(Broadening, Some(&before), &after).expect("approval");
    assert_eq!(
        reasons,
        [
            "new IAM role ReaderRole",
            "ReaderRole can be assumed: sts:AssumeRole by Service:lambda.amazonaws.com",
            "ReaderRole allows s3:GetObject on ${Reports.Arn}/* (policy Read)",
        ]
    );
    assert_eq!(approval_needed(Never, Some(&before), &after), None);
}

#[test]
fn a_widened_action_needs_approval() {
    let before = stack(Some(allow("s3:GetObject")));
    let after = stack(Some(allow("s3:*")));
    let reasons = approval_needed(Broadening, Some(&before), &after).expect("approval");
    assert_eq!(
        reasons,
        [
            "ReaderRole now allows s3:* on ${Reports.Arn}/*, beyond what it allowed before (policy Read)"
        ]
    );
}

#[test]
fn a_narrowed_action_needs_none_under_broadening() {
    let before = stack(Some(allow("s3:*")));
    let after = stack(Some(allow("s3:GetObject")));
    assert_eq!(approval_needed(Broadening, Some(&before), &after), None);
    // Any change at all still asks.
    assert_eq!(
        approval_needed(AnyChange, Some(&before), &after),
        Some(vec!["1 resource is modified: ReaderRole".to_owned()])
    );
}

#[test]
fn a_wider_resource_or_a_dropped_condition_needs_approval_and_a_split_does_not() {
    let before = stack(Some(allow("s3:GetObject")));
    let everywhere = stack(Some(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
    ));
    assert!(approval_needed(Broadening, Some(&before), &everywhere).is_some());

    let secure = json!({"Bool": {"aws:SecureTransport": "true"}});
    let conditional = stack(Some(json!([{
        "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": {"Fn::Sub": "${Reports.Arn}/*"}, "Condition": secure,
    }])));
    assert_eq!(
        approval_needed(Broadening, Some(&before), &conditional),
        None
    );
    assert!(approval_needed(Broadening, Some(&conditional), &before).is_some());

    let both = stack(Some(json!([{
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": {"Fn::Sub": "${Reports.Arn}/*"},
    }])));
    let split = stack(Some(json!([
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Reports.Arn}/*"}},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": {"Fn::Sub": "${Reports.Arn}/*"}},
    ])));
    assert_eq!(approval_needed(Broadening, Some(&both), &split), None);
    assert_eq!(approval_needed(Broadening, Some(&split), &both), None);
}

#[test]
fn removing_a_deny_needs_approval() {
    let deny = json!({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"});
    let read = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"});
    let before = stack(Some(json!([read.clone(), deny])));
    let after = stack(Some(json!([read])));
    assert_eq!(
        approval_needed(Broadening, Some(&before), &after),
        Some(vec![
            "ReaderRole no longer denies s3:DeleteObject on *".to_owned()
        ])
    );
    // Adding one only narrows.
    assert_eq!(approval_needed(Broadening, Some(&after), &before), None);
}

#[test]
fn trust_managed_policies_attachments_and_resource_policies_need_approval() {
    let before = stack(Some(allow("s3:GetObject")));

    let mut trusted = before.clone();
    trusted["Resources"]["ReaderRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
        ["Principal"] = json!({"AWS": "arn:aws:iam::999999999999:root"});
    let reasons = approval_needed(Broadening, Some(&before), &trusted).expect("approval");
    assert_eq!(
        reasons,
        ["ReaderRole can now be assumed: sts:AssumeRole by AWS:arn:aws:iam::999999999999:root"]
    );

    let mut managed = before.clone();
    managed["Resources"]["ReaderRole"]["Properties"]["ManagedPolicyArns"] =
        json!(["arn:aws:iam::aws:policy/AdministratorAccess"]);
    assert_eq!(
        approval_needed(Broadening, Some(&before), &managed),
        Some(vec![
            "ReaderRole gains the managed policy arn:aws:iam::aws:policy/AdministratorAccess"
                .to_owned()
        ])
    );

    let mut attached = before.clone();
    attached["Resources"]["Extra"] = json!({"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": "Extra", "Roles": [{"Ref": "ReaderRole"}],
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]},
    }});
    let reasons = approval_needed(Broadening, Some(&before), &attached).expect("approval");
    assert_eq!(
        reasons,
        [
            "new IAM resource Extra (AWS::IAM::Policy)",
            "Extra allows sqs:SendMessage on * (policy Extra)",
            "policy Extra applies to role ${ReaderRole}",
        ]
    );

    let mut public = before.clone();
    public["Resources"]["ReportsPolicy"] = json!({"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": {"Ref": "Reports"},
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]},
    }});
    assert_eq!(
        approval_needed(Broadening, Some(&before), &public),
        Some(vec![
            "new resource policy ReportsPolicy (AWS::S3::BucketPolicy)".to_owned()
        ])
    );
}

#[test]
fn a_first_deploy_with_iam_needs_approval_and_one_without_does_not() {
    let with_role = stack(Some(allow("s3:GetObject")));
    let reasons = approval_needed(Broadening, None, &with_role).expect("approval");
    assert_eq!(reasons[0], "new IAM role ReaderRole");
    assert_eq!(approval_needed(Broadening, None, &stack(None)), None);
    assert_eq!(
        approval_needed(AnyChange, None, &stack(None)),
        Some(vec![
            "the stack does not exist yet: deploying creates it with 2 resources".to_owned()
        ])
    );
}

#[test]
fn any_change_asks_for_every_difference_and_nothing_else() {
    let before = stack(Some(allow("s3:GetObject")));
    let mut after = before.clone();
    after["Resources"]["ReportLogs"]["Properties"]["RetentionInDays"] = json!(90);
    after["Outputs"] = json!({"ReportsName": {"Value": {"Ref": "Reports"}}});
    assert_eq!(approval_needed(Broadening, Some(&before), &after), None);
    assert_eq!(
        approval_needed(AnyChange, Some(&before), &after),
        Some(vec![
            "1 resource is modified: ReportLogs".to_owned(),
            "1 output is changed: ReportsName".to_owned(),
        ])
    );
    assert_eq!(approval_needed(AnyChange, Some(&before), &before), None);
}

#[test]
fn a_renamed_role_granting_the_same_is_not_broadening() {
    let before = stack(Some(allow("s3:GetObject")));
    let mut after = before.clone();
    let resources = after["Resources"].as_object_mut().expect("resources");
    let role = resources.remove("ReaderRole").expect("the role");
    resources.insert("ReportReader".to_owned(), role);
    assert_eq!(approval_needed(Broadening, Some(&before), &after), None);
    assert!(approval_needed(AnyChange, Some(&before), &after).is_some());
}

#[test]
fn policies_have_command_line_names() {
    for policy in [Never, Broadening, AnyChange] {
        assert_eq!(policy.name().parse::<ApprovalPolicy>(), Ok(policy));
        assert_eq!(policy.to_string(), policy.name());
    }
    assert_eq!(ApprovalPolicy::default(), Broadening);
    assert_eq!(ApprovalPolicy::NAMES, ["never", "broadening", "any-change"]);
    let error = "always"
        .parse::<ApprovalPolicy>()
        .expect_err("not a policy");
    assert_eq!(
        error.to_string(),
        "unknown approval policy `always`: expected never, broadening or any-change"
    );
}
