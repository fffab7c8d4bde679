//! SW-IAM-1, SW-IAM-2, SW-IAM-3.

use serde_json::json;

use crate::{assert_none, of, role_with, run, statement_pointer, template};

#[test]
fn wildcard_actions_are_found_in_every_form() {
    let t = template(json!({
        "Star": role_with(json!([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}])),
        "Service": role_with(json!({"Effect": "Allow", "Action": ["s3:GetObject", "logs:*"], "Resource": "arn:aws:s3:::b"})),
        "Partial": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": {"Statement": {"Effect": "Allow", "Action": {"Fn::Sub": "s3:Get*"}, "Resource": "arn:aws:s3:::b"}}}
        },
        "Not": role_with(json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"}])),
    }));
    let all = run(&t);
    let found = of(&all, "SW-IAM-1")
        .into_iter()
        .map(|f| (f.logical_id.as_str(), f.pointer.clone(), f.undecided))
        .collect::<Vec<_>>();
    assert_eq!(
        found,
        vec![
            (
                "Star",
                format!("{}/Action", statement_pointer("Star")),
                false
            ),
            // A single statement object, not a list.
            (
                "Service",
                "/Resources/Service/Properties/Policies/0/PolicyDocument/Statement/Action/1"
                    .to_owned(),
                false
            ),
            (
                "Partial",
                "/Resources/Partial/Properties/PolicyDocument/Statement/Action".to_owned(),
                false
            ),
            (
                "Not",
                format!("{}/NotAction", statement_pointer("Not")),
                false
            ),
        ]
    );
    let messages: Vec<&str> = of(&all, "SW-IAM-1")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        messages[0].contains("`*`") && messages[0].contains("every action of every service"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("`logs:*`") && messages[1].contains("policy `Inline`"),
        "{messages:?}"
    );
    assert!(messages[2].contains("`s3:Get*`"), "{messages:?}");
    assert!(messages[3].contains("NotAction"), "{messages:?}");
}

#[test]
fn exact_actions_and_deny_statements_are_fine() {
    let t = template(json!({
        "Role": role_with(json!([
            {"Effect": "Allow", "Action": ["states:StartSyncExecution"], "Resource": {"Ref": "Machine"}},
            {"Effect": "Deny", "Action": "*", "Resource": "*"},
        ])),
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}},
    }));
    assert_none(
        &of(&run(&t), "SW-IAM-1")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>(),
    );
}

#[test]
fn action_from_a_parameter_is_undecided() {
    let t = json!({
        "Parameters": {"ActionParam": {"Type": "String"}},
        "Resources": {
            "Role": role_with(json!([{"Effect": "Allow", "Action": [{"Ref": "ActionParam"}], "Resource": "arn:aws:s3:::b/*"}])),
        }
    });
    let findings = run(&t);
    let iam1 = of(&findings, "SW-IAM-1");
    assert_eq!(iam1.len(), 1, "{findings:#?}");
    assert!(iam1[0].undecided);
    assert_eq!(
        iam1[0].pointer,
        format!("{}/Action/0", statement_pointer("Role"))
    );
    assert!(
        iam1[0].message.contains("ActionParam"),
        "{}",
        iam1[0].message
    );
}

#[test]
fn unresolved_effect_makes_the_finding_undecided() {
    let t = template(json!({
        "Role": role_with(json!([{"Effect": {"Fn::If": ["C", "Allow", "Deny"]}, "Action": "s3:*", "Resource": "arn:aws:s3:::b"}])),
    }));
    let findings = run(&t);
    let iam1 = of(&findings, "SW-IAM-1");
    assert_eq!(iam1.len(), 1);
    assert!(
        iam1[0].undecided && iam1[0].message.contains("Effect"),
        "{iam1:#?}"
    );
}

fn managed(arns: serde_json::Value) -> serde_json::Value {
    json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": arns}})
}

#[test]
fn aws_managed_full_access_policies_are_found() {
    let t = template(json!({
        "Role": managed(json!([
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            "arn:aws:iam::aws:policy/AmazonS3FullAccess",
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonDynamoDBFullAccess"},
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambda_FullAccess"]]},
        ])),
        "Admin": {"Type": "AWS::IAM::User", "Properties": {"ManagedPolicyArns": ["arn:aws-cn:iam::aws:policy/AdministratorAccess"]}},
        "Power": {"Type": "AWS::IAM::Group", "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/PowerUserAccess"]}},
    }));
    let findings = run(&t);
    let found: Vec<(&str, &str, bool)> = of(&findings, "SW-IAM-2")
        .into_iter()
        .map(|f| (f.logical_id.as_str(), f.pointer.as_str(), f.undecided))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "Role",
                "/Resources/Role/Properties/ManagedPolicyArns/1",
                false
            ),
            (
                "Role",
                "/Resources/Role/Properties/ManagedPolicyArns/2",
                false
            ),
            (
                "Role",
                "/Resources/Role/Properties/ManagedPolicyArns/3",
                false
            ),
            (
                "Admin",
                "/Resources/Admin/Properties/ManagedPolicyArns/0",
                false
            ),
            (
                "Power",
                "/Resources/Power/Properties/ManagedPolicyArns/0",
                false
            ),
        ]
    );
    let messages: Vec<&str> = of(&findings, "SW-IAM-2")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(messages[0].contains("AmazonS3FullAccess"));
    assert!(messages[1].contains("AmazonDynamoDBFullAccess"));
    assert!(messages[2].contains("AWSLambda_FullAccess"));
}

#[test]
fn customer_and_narrow_managed_policies_are_fine() {
    let t = template(json!({
        "Role": managed(json!([
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            "arn:aws:iam::123456789012:policy/TeamFullAccess",
            {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/TeamFullAccess"},
            {"Ref": "Mine"},
        ])),
        "Mine": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": []}}},
    }));
    assert!(of(&run(&t), "SW-IAM-2").is_empty());
}

#[test]
fn managed_policy_arn_from_a_parameter_is_undecided() {
    let t = json!({
        "Parameters": {"PolicyArn": {"Type": "String"}},
        "Resources": {"Role": managed(json!([{"Ref": "PolicyArn"}, {"Fn::Sub": "arn:aws:iam::aws:policy/${Name}"}]))}
    });
    let findings = run(&t);
    let iam2 = of(&findings, "SW-IAM-2");
    assert_eq!(iam2.len(), 2, "{findings:#?}");
    assert!(iam2.iter().all(|f| f.undecided));
    assert!(iam2[0].message.contains("PolicyArn"));
    assert!(iam2[1].message.contains("Name"));
}

#[test]
fn write_actions_on_every_resource_are_found() {
    let t = template(json!({
        "Logs": role_with(json!([{"Effect": "Allow", "Action": ["logs:*"], "Resource": "*"}])),
        "Put": role_with(json!([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "logs:CreateLogDelivery"], "Resource": ["arn:aws:s3:::b/*", "*"]}])),
        "NotRes": role_with(json!([{"Effect": "Allow", "Action": "sqs:SendMessage", "NotResource": "arn:aws:sqs:::q"}])),
    }));
    let findings = run(&t);
    let iam3 = of(&findings, "SW-IAM-3");
    let found: Vec<(&str, String)> = iam3
        .iter()
        .map(|f| (f.logical_id.as_str(), f.pointer.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("Logs", format!("{}/Resource", statement_pointer("Logs"))),
            ("Put", format!("{}/Resource/1", statement_pointer("Put"))),
            (
                "NotRes",
                format!("{}/NotResource", statement_pointer("NotRes"))
            ),
        ]
    );
    assert!(iam3[0].message.contains("`logs:*`"));
    // Names the writes only: the read and the log-delivery action are not the problem.
    assert!(
        iam3[1].message.contains("`s3:PutObject`"),
        "{}",
        iam3[1].message
    );
    assert!(
        !iam3[1].message.contains("GetObject"),
        "{}",
        iam3[1].message
    );
    assert!(
        !iam3[1].message.contains("CreateLogDelivery"),
        "{}",
        iam3[1].message
    );
}

#[test]
fn documented_wildcard_only_actions_and_reads_on_every_resource_are_fine() {
    let t = template(json!({
        "Delivery": role_with(json!([{"Sid": "LogDelivery", "Effect": "Allow", "Action": [
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"
        ], "Resource": ["*"]}])),
        "Tracing": role_with(json!([{"Effect": "Allow", "Action": [
            "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"
        ], "Resource": "*"}])),
        "Reads": role_with(json!([{"Effect": "Allow", "Action": ["s3:Get*", "ec2:DescribeInstances", "dynamodb:Query"], "Resource": "*"}])),
        "Scoped": role_with(json!([{"Effect": "Allow", "Action": "s3:PutObject", "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}}])),
    }));
    assert!(of(&run(&t), "SW-IAM-3").is_empty(), "{:#?}", run(&t));
}

#[test]
fn resource_from_a_parameter_is_undecided() {
    let t = json!({
        "Parameters": {"Target": {"Type": "String"}},
        "Resources": {"Role": role_with(json!([{"Effect": "Allow", "Action": "s3:PutObject", "Resource": {"Ref": "Target"}}]))}
    });
    let findings = run(&t);
    let iam3 = of(&findings, "SW-IAM-3");
    assert_eq!(iam3.len(), 1);
    assert!(
        iam3[0].undecided && iam3[0].message.contains("Target"),
        "{iam3:#?}"
    );
}

#[test]
fn policy_resources_and_unresolved_documents() {
    let t = template(json!({
        "Attached": {
            "Type": "AWS::IAM::Policy",
            "Properties": {"PolicyName": "Attached", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}, "Roles": ["r"]}
        },
        "Hidden": {
            "Type": "AWS::IAM::RolePolicy",
            "Properties": {"PolicyName": "Hidden", "RoleName": "r", "PolicyDocument": {"Fn::ImportValue": "SharedPolicy"}}
        },
    }));
    let findings = run(&t);
    let ids: Vec<(&str, &str, bool)> = findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.logical_id.as_str(), f.undecided))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("SW-IAM-1", "Attached", false),
            ("SW-IAM-3", "Attached", false),
            ("SW-IAM-1", "Hidden", true),
            ("SW-IAM-3", "Hidden", true),
        ]
    );
    assert!(findings[2].message.contains("Fn::ImportValue"));
}
