//! The seed's template and the example's golden template (long-form JSON copies, see
//! `tests/fixtures/README.md`).

use serde_json::{Value, json};

use crate::{run, run_all};

fn load(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The seed's hand-written template, in long form.
fn seed() -> Value {
    load("seed-template.json")
}

/// The api-to-express example's golden template, in long form.
fn example() -> Value {
    load("api-to-express.json")
}

#[test]
fn seed_defects_are_all_found() {
    let findings = run(&seed());
    let found: Vec<(&str, &str, &str, bool)> = findings
        .iter()
        .map(|f| {
            (
                f.rule_id.as_str(),
                f.logical_id.as_str(),
                f.pointer.as_str(),
                f.undecided,
            )
        })
        .collect();
    let statement =
        "/Resources/StepFunctionsExecutionRole/Properties/Policies/0/PolicyDocument/Statement/0";
    assert_eq!(
        found,
        vec![
            (
                "SW-IAM-1",
                "StepFunctionsExecutionRole",
                &*format!("{statement}/Action/0"),
                false
            ),
            (
                "SW-IAM-2",
                "StepFunctionsExecutionRole",
                "/Resources/StepFunctionsExecutionRole/Properties/ManagedPolicyArns/1",
                false
            ),
            (
                "SW-IAM-3",
                "StepFunctionsExecutionRole",
                &*format!("{statement}/Resource"),
                false
            ),
            (
                "SW-APIGW-1",
                "MyMethod",
                "/Resources/MyMethod/Properties/AuthorizationType",
                false
            ),
            (
                "SW-APIGW-2",
                "MyMethod",
                "/Resources/MyMethod/Properties/Integration/RequestTemplates/application~1json",
                false
            ),
            (
                "SW-APIGW-3",
                "MyMethod",
                "/Resources/MyMethod/Properties/Integration/IntegrationResponses/0",
                false
            ),
        ],
        "{findings:#?}"
    );
    assert!(findings[0].message.contains("`logs:*`"));
    assert!(findings[1].message.contains("AmazonS3FullAccess"));
    assert!(findings[2].message.contains("`logs:*`"));
    assert!(findings[4].message.contains("`param`") && findings[4].message.contains("`example`"));
    assert!(
        findings[5].message.contains("no response template reads"),
        "{}",
        findings[5].message
    );
}

#[test]
fn example_is_flagged_only_for_its_open_method() {
    let findings = run_all(&example());
    assert!(
        findings.iter().all(|f| f.rule_id == "SW-APIGW-1"),
        "only SW-APIGW-1 may fire on the example: {findings:#?}"
    );
}

#[test]
fn example_with_iam_authorization_passes_every_rule() {
    let mut template = example();
    template["Resources"]["ApiMethod"]["Properties"]["AuthorizationType"] = json!("AWS_IAM");
    let findings = run_all(&template);
    assert!(findings.is_empty(), "{findings:#?}");
}
