//! SW-SFN-1, SW-SFN-2.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use stackweave_rules::check;

use crate::{of, run, template};

fn machine(kind: Option<&str>, logging: Option<Value>) -> Value {
    let mut properties = json!({"RoleArn": "arn:aws:iam::123456789012:role/r", "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}});
    if let Some(kind) = kind {
        properties["StateMachineType"] = json!(kind);
    }
    if let Some(logging) = logging {
        properties["LoggingConfiguration"] = logging;
    }
    json!({"Type": "AWS::StepFunctions::StateMachine", "Properties": properties})
}

fn destinations() -> Value {
    json!([{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["Logs", "Arn"]}}}])
}

#[test]
fn express_without_logs_is_found() {
    let t = template(json!({
        "NoConfig": machine(Some("EXPRESS"), None),
        "Off": machine(Some("EXPRESS"), Some(json!({"Level": "OFF", "Destinations": destinations()}))),
        "NoLevel": machine(Some("EXPRESS"), Some(json!({"Destinations": destinations()}))),
        "Nowhere": machine(Some("EXPRESS"), Some(json!({"Level": "ALL", "Destinations": []}))),
    }));
    let findings = run(&t);
    let found: Vec<(&str, &str)> = of(&findings, "SW-SFN-1")
        .into_iter()
        .map(|f| (f.logical_id.as_str(), f.pointer.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("NoConfig", "/Resources/NoConfig/Properties"),
            (
                "Off",
                "/Resources/Off/Properties/LoggingConfiguration/Level"
            ),
            (
                "NoLevel",
                "/Resources/NoLevel/Properties/LoggingConfiguration"
            ),
            (
                "Nowhere",
                "/Resources/Nowhere/Properties/LoggingConfiguration/Destinations"
            ),
        ]
    );
    assert!(findings[1].message.contains("OFF"));
}

#[test]
fn logged_express_and_standard_machines_are_fine() {
    let t = template(json!({
        "Logged": machine(Some("EXPRESS"), Some(json!({"Level": "ERROR", "Destinations": destinations()}))),
        "Standard": machine(Some("STANDARD"), None),
        "Default": machine(None, None),
    }));
    assert!(of(&run(&t), "SW-SFN-1").is_empty());
}

#[test]
fn unresolved_machine_type_is_undecided() {
    let t = json!({
        "Parameters": {"Kind": {"Type": "String"}},
        "Resources": {"Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineType": {"Ref": "Kind"}}}}
    });
    let findings = run(&t);
    let sfn1 = of(&findings, "SW-SFN-1");
    assert_eq!(sfn1.len(), 1);
    assert!(
        sfn1[0].undecided && sfn1[0].message.contains("Ref Kind"),
        "{sfn1:#?}"
    );
}

#[test]
fn execution_data_rule_runs_only_when_opted_in() {
    let t = template(json!({
        "NoData": machine(Some("EXPRESS"), Some(json!({"Level": "ALL", "Destinations": destinations()}))),
        "False": machine(Some("EXPRESS"), Some(json!({"Level": "ALL", "IncludeExecutionData": false, "Destinations": destinations()}))),
        "WithData": machine(Some("EXPRESS"), Some(json!({"Level": "ALL", "IncludeExecutionData": true, "Destinations": destinations()}))),
        "Standard": machine(Some("STANDARD"), Some(json!({"Level": "ALL", "IncludeExecutionData": false, "Destinations": destinations()}))),
    }));
    assert!(run(&t).is_empty(), "SW-SFN-2 is opt-in: {:#?}", run(&t));

    let opted: BTreeSet<String> = ["SW-SFN-2".to_owned()].into();
    let findings = check(&t, &opted);
    let found: Vec<(&str, &str, bool)> = findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.pointer.as_str(), f.undecided))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "SW-SFN-2",
                "/Resources/NoData/Properties/LoggingConfiguration",
                false
            ),
            (
                "SW-SFN-2",
                "/Resources/False/Properties/LoggingConfiguration/IncludeExecutionData",
                false
            ),
        ]
    );
}
