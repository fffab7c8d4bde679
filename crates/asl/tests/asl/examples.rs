//! The workflows of this repository's examples, read from their expected templates (what
//! `stackweave synth` writes) and run with mocked tasks: what the local emulator will do
//! with them.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use stackweave_asl::{Outcome, StateMachine};

use crate::{mocks, run};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Every `AWS::StepFunctions::StateMachine` `Definition` of a template, by logical id.
fn definitions(template: &Path) -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(template).expect("readable template");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
    let mut out = Vec::new();
    if let Some(resources) = yaml.get("Resources").and_then(|r| r.as_mapping()) {
        for (id, resource) in resources {
            let is_machine = resource.get("Type").and_then(|t| t.as_str())
                == Some("AWS::StepFunctions::StateMachine");
            if let (true, Some(definition)) = (
                is_machine,
                resource.get("Properties").and_then(|p| p.get("Definition")),
            ) {
                let json = serde_json::to_value(definition).expect("a definition without tags");
                out.push((id.as_str().unwrap_or_default().to_owned(), json));
            }
        }
    }
    out
}

fn definition(example: &str, template: &str, id: &str) -> Value {
    definitions(&examples_dir().join(example).join("expected").join(template))
        .into_iter()
        .find(|(i, _)| i == id)
        .map(|(_, d)| d)
        .unwrap_or_else(|| panic!("{example}: no state machine {id}"))
}

#[test]
fn every_example_workflow_parses() {
    let mut seen = 0;
    for entry in std::fs::read_dir(examples_dir())
        .expect("examples exist")
        .flatten()
    {
        let expected = entry.path().join("expected");
        let Ok(files) = std::fs::read_dir(&expected) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if !path.to_string_lossy().ends_with(".template.yaml") {
                continue;
            }
            for (id, definition) in definitions(&path) {
                StateMachine::parse(&definition)
                    .unwrap_or_else(|e| panic!("{}: {id}: {e}", path.display()));
                seen += 1;
            }
        }
    }
    assert!(seen >= 3, "expected the example workflows, found {seen}");
}

#[test]
fn api_to_express_answers_hello() {
    let d = definition("api-to-express", "ApiToExpress.template.yaml", "Workflow");
    let execution = run(d, json!({"param": "x"}), &mocks(&json!({})));
    assert_eq!(
        execution.outcome,
        Outcome::Succeeded(json!({"message": "Hello from Step Functions!"}))
    );
}

#[test]
fn orders_api_reads_an_existing_order() {
    let d = definition("orders-api", "OrdersApi.template.yaml", "GetOrder");
    let execution = run(
        d,
        json!({"id": "42"}),
        &mocks(&json!({"ReadOrder": [{"Return": {
            "Item": {"id": {"S": "42"}, "item": {"S": "book"}, "quantity": {"N": "3"}}
        }}]})),
    );
    assert_eq!(
        execution.outcome,
        Outcome::Succeeded(json!({"id": "42", "item": "book", "quantity": 3}))
    );
    let names: Vec<&str> = execution.steps.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(names, ["ReadOrder", "Found", "Answer"]);
}

#[test]
fn orders_api_fails_with_order_not_found_for_a_missing_order() {
    let d = definition("orders-api", "OrdersApi.template.yaml", "GetOrder");
    let execution = run(
        d,
        json!({"id": "7"}),
        &mocks(&json!({"ReadOrder": [{"Return": {}}]})),
    );
    assert_eq!(
        execution.outcome,
        Outcome::Failed {
            error: "OrderNotFound".into(),
            cause: "No order has this id".into()
        }
    );
}

#[test]
fn orders_api_creates_an_order_under_a_fresh_id() {
    let d = definition("orders-api", "OrdersApi.template.yaml", "CreateOrder");
    let execution = run(
        d,
        json!({"body": {"item": "book", "quantity": 3}}),
        &mocks(&json!({"SaveOrder": [{"Return": {}}]})),
    );
    let Outcome::Succeeded(output) = &execution.outcome else {
        panic!("expected success, got {:?}", execution.outcome);
    };
    let id = output["id"].as_str().expect("an id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    // The id the table received is the id answered; the quantity went in as a string.
    let save = &execution.steps[1];
    assert_eq!(save.state, "SaveOrder");
    assert_eq!(
        save.input,
        json!({"id": id, "item": "book", "quantity": "3"})
    );
    assert_eq!(output, &json!({"id": id}));
}

#[test]
fn orders_api_reports_a_failed_put_as_the_task_error() {
    let d = definition("orders-api", "OrdersApi.template.yaml", "CreateOrder");
    let execution = run(
        d,
        json!({"body": {"item": "book", "quantity": 3}}),
        &mocks(&json!({"SaveOrder": [{"Throw": {
            "Error": "DynamoDB.ConditionalCheckFailedException",
            "Cause": "The conditional request failed"
        }}]})),
    );
    assert_eq!(
        execution.outcome,
        Outcome::Failed {
            error: "DynamoDB.ConditionalCheckFailedException".into(),
            cause: "The conditional request failed".into()
        }
    );
}
