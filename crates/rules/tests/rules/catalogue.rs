//! The rule catalogue: ids, texts, opt-in, every rule exercised, order of findings.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use stackweave_rules::{RULES, Severity, check, rule};

use crate::{role_with, run, run_all, template};

#[test]
fn every_rule_is_documented_and_unique() {
    let mut ids = BTreeSet::new();
    for rule in RULES {
        assert!(ids.insert(rule.id), "duplicate id {}", rule.id);
        assert!(rule.id.starts_with("SW-"), "{}", rule.id);
        assert!(!rule.title.trim().is_empty(), "{} has no title", rule.id);
        assert!(
            !rule.rationale.trim().is_empty(),
            "{} has no rationale",
            rule.id
        );
        assert!(!rule.fix.trim().is_empty(), "{} has no fix", rule.id);
        assert!(
            !rule.rationale.contains('\n') && !rule.fix.contains('\n'),
            "{}: one line each",
            rule.id
        );
        assert_eq!(stackweave_rules::rule(rule.id), Some(rule));
    }
    assert_eq!(rule("SW-NOPE-1"), None);
    let expected = [
        "SW-APIGW-1",
        "SW-APIGW-2",
        "SW-APIGW-3",
        "SW-IAM-1",
        "SW-IAM-2",
        "SW-IAM-3",
        "SW-LOGS-1",
        "SW-SFN-1",
        "SW-SFN-2",
        "SW-SFN-3",
    ];
    assert_eq!(ids, expected.into_iter().collect());
    let opt_in: Vec<&str> = RULES.iter().filter(|r| r.opt_in).map(|r| r.id).collect();
    assert_eq!(opt_in, vec!["SW-SFN-2"]);
    assert_eq!(
        rule("SW-APIGW-1").map(|r| r.severity),
        Some(Severity::Warning)
    );
    assert_eq!(rule("SW-LOGS-1").map(|r| r.severity), Some(Severity::Error));
}

/// One template in which every rule fires.
fn everything() -> Value {
    template(json!({
        "Logs": {"Type": "AWS::Logs::LogGroup"},
        "Role": role_with(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])),
        "Admin": {"Type": "AWS::IAM::User", "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}},
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineType": "EXPRESS",
            "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
            "Definition": {"StartAt": "Notify", "States": {"Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": "arn:aws:sns:eu-west-1:123456789012:alerts", "Message": "hi"},
                "End": true
            }}}
        }},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}},
        "Method": {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
            "HttpMethod": "GET",
            "AuthorizationType": "NONE",
            "Integration": {
                "Type": "AWS",
                "Uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartSyncExecution"},
                "RequestTemplates": {"application/json": "$input.params('name')"},
                "IntegrationResponses": [{"StatusCode": "200"}]
            }
        }},
    }))
}

#[test]
fn every_rule_fires_on_some_template() {
    let findings = run_all(&everything());
    let fired: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    for rule in RULES {
        assert!(
            fired.contains(rule.id),
            "{} never fired: {findings:#?}",
            rule.id
        );
    }
    assert!(findings.iter().all(|f| !f.undecided), "{findings:#?}");
}

#[test]
fn opt_in_rules_are_off_by_default_and_unknown_ids_are_ignored() {
    let findings = run(&everything());
    let fired: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    for rule in RULES {
        assert_eq!(fired.contains(rule.id), !rule.opt_in, "{}", rule.id);
    }
    let unknown: BTreeSet<String> = ["SW-NOPE-1".to_owned()].into();
    assert_eq!(check(&everything(), &unknown), findings);
}

#[test]
fn findings_are_ordered_by_resource_then_rule_then_pointer() {
    let t = template(json!({
        "Zed": role_with(json!([{"Effect": "Allow", "Action": [
            "s3:GetObject", "s3:GetObject", "s3:*", "s3:GetObject", "s3:GetObject",
            "s3:GetObject", "s3:GetObject", "s3:GetObject", "s3:GetObject", "s3:GetObject", "sqs:*"
        ], "Resource": "*"}])),
        "Alpha": {"Type": "AWS::Logs::LogGroup"},
    }));
    let findings = run(&t);
    let order: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f.logical_id.as_str(),
                f.rule_id.as_str(),
                f.pointer.rsplit("Statement/0").next().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![
            // Template order, not alphabetical; `/Action/2` before `/Action/10`.
            ("Zed", "SW-IAM-1", "/Action/2"),
            ("Zed", "SW-IAM-1", "/Action/10"),
            ("Zed", "SW-IAM-3", "/Resource"),
            ("Alpha", "SW-LOGS-1", "/Resources/Alpha/Properties"),
        ]
    );
    // The same input gives the same findings, byte for byte.
    let again = run(&t);
    assert_eq!(
        serde_json::to_string(&findings).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
}

#[test]
fn findings_and_severities_serialise_for_reports() {
    let findings = run(&template(json!({"Logs": {"Type": "AWS::Logs::LogGroup"}})));
    let value = serde_json::to_value(&findings[0]).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        vec!["rule_id", "logical_id", "pointer", "message", "undecided"]
    );
    assert_eq!(
        serde_json::to_value(Severity::Error).unwrap(),
        json!("error")
    );
    assert_eq!(
        serde_json::to_value(Severity::Warning).unwrap(),
        json!("warning")
    );
    assert_eq!(
        stackweave_rules::rule(&findings[0].rule_id).map(|r| r.id),
        Some("SW-LOGS-1")
    );
}
