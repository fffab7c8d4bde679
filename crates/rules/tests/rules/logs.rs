//! SW-LOGS-1.

use serde_json::json;

use crate::{of, run, template};

#[test]
fn log_group_without_retention_is_found() {
    let t = template(json!({
        "Forever": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/forever"}},
        "Bare": {"Type": "AWS::Logs::LogGroup"},
        "Sometimes": {"Type": "AWS::Logs::LogGroup", "Properties": {
            "RetentionInDays": {"Fn::If": ["IsProd", 365, {"Ref": "AWS::NoValue"}]}
        }},
    }));
    let findings = run(&t);
    let found: Vec<(&str, &str)> = of(&findings, "SW-LOGS-1")
        .into_iter()
        .map(|f| (f.logical_id.as_str(), f.pointer.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("Forever", "/Resources/Forever/Properties"),
            ("Bare", "/Resources/Bare/Properties"),
            (
                "Sometimes",
                "/Resources/Sometimes/Properties/RetentionInDays"
            ),
        ]
    );
    assert!(findings.iter().all(|f| !f.undecided));
    assert!(findings[0].message.contains("`Forever`"));
}

#[test]
fn log_group_with_retention_is_fine() {
    let t = json!({
        "Parameters": {"Days": {"Type": "Number"}},
        "Resources": {
            "Week": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
            "Chosen": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": {"Ref": "Days"}}},
        }
    });
    assert!(run(&t).is_empty(), "{:#?}", run(&t));
}
