//! The integration tests of `stackweave-asl`: the worked examples of the Amazon States
//! Language specification and the Step Functions developer guide (fixtures under
//! `tests/spec/`), this repository's example workflows, determinism, and hostile input.
//! And workflows in `QueryLanguage: JSONata` (`jsonata_mode`).

mod examples;
mod fixtures;
mod hostile;
mod jsonata_mode;

use serde_json::{Value, json};
use stackweave_asl::{Execution, MockResponse, Mocks, Outcome, RunOptions, StateMachine};

/// Mocks from the fixtures' JSON form: `{"State": [{"Return": v} | {"Throw": {"Error", "Cause"}}]}`.
pub(crate) fn mocks(value: &Value) -> Mocks {
    let mut mocks = Mocks::default();
    if let Value::Object(map) = value {
        for (state, list) in map {
            let responses = list
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|r| match (r.get("Return"), r.get("Throw")) {
                            (Some(v), _) => MockResponse::Return(v.clone()),
                            (_, Some(t)) => MockResponse::Throw {
                                error: t["Error"].as_str().unwrap_or_default().to_owned(),
                                cause: t["Cause"].as_str().unwrap_or_default().to_owned(),
                            },
                            _ => panic!(
                                "a mock response is {{\"Return\": ...}} or {{\"Throw\": ...}}: {r}"
                            ),
                        })
                        .collect()
                })
                .unwrap_or_default();
            mocks.responses.insert(state.clone(), responses);
        }
    }
    mocks
}

/// Parses and runs, panicking with the definition error when there is one.
pub(crate) fn run(definition: Value, input: Value, mocks: &Mocks) -> Execution {
    let machine =
        StateMachine::parse(&definition).unwrap_or_else(|e| panic!("definition rejected: {e}"));
    machine
        .run(input, mocks, &RunOptions::default())
        .unwrap_or_else(|e| panic!("run error: {e}"))
}

/// The outcome as JSON, to compare with a fixture's `expect`.
pub(crate) fn outcome_json(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Succeeded(v) => json!({"output": v}),
        Outcome::Failed { error, cause } => json!({"error": error, "cause": cause}),
        Outcome::TimedOut => json!({"timedOut": true}),
    }
}

#[test]
fn same_input_mocks_and_options_give_the_same_execution() {
    let definition = json!({
        "StartAt": "Ids",
        "States": {
            "Ids": {
                "Type": "Pass",
                "Parameters": {
                    "uuid.$": "States.UUID()",
                    "n.$": "States.MathRandom(1, 1000000)",
                },
                "Next": "Call"
            },
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL"}],
                "ResultPath": "$.r",
                "Next": "When"
            },
            "When": {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime", "all.$": "$"}, "End": true}
        }
    });
    let mocks = mocks(&json!({"Call": [
        {"Throw": {"Error": "Boom", "Cause": "1"}},
        {"Throw": {"Error": "Boom", "Cause": "2"}},
        {"Return": 7}
    ]}));
    let first = run(definition.clone(), json!({}), &mocks);
    let second = run(definition, json!({}), &mocks);
    assert_eq!(first, second);
    assert!(matches!(first.outcome, Outcome::Succeeded(_)));
}

#[test]
fn different_execution_arns_draw_different_uuids() {
    let definition = json!({
        "StartAt": "Id",
        "States": {"Id": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": true}}
    });
    let machine = StateMachine::parse(&definition).expect("valid");
    let a = machine
        .run(json!({}), &Mocks::default(), &RunOptions::default())
        .expect("runs");
    let other = RunOptions {
        execution_arn: "arn:aws:states:us-east-1:123456789012:express:Local:other".into(),
        ..RunOptions::default()
    };
    let b = machine
        .run(json!({}), &Mocks::default(), &other)
        .expect("runs");
    assert_ne!(a.outcome, b.outcome);
}

#[test]
fn steps_record_every_state_entered_with_its_input_and_output() {
    let execution = run(
        json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
                "B": {"Type": "Fail", "Error": "E", "Cause": "c"}
            }
        }),
        json!({}),
        &Mocks::default(),
    );
    let names: Vec<&str> = execution.steps.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(names, ["A", "B"]);
    assert_eq!(execution.steps[0].output, Some(json!({"a": 1})));
    assert_eq!(execution.steps[1].input, json!({"a": 1}));
    assert_eq!(execution.steps[1].output, None);
}

#[test]
fn a_parsed_machine_can_be_shared_across_threads() {
    // The emulator serves requests on several threads from one parsed machine.
    fn shareable<T: Send + Sync>() {}
    shareable::<StateMachine>();
    shareable::<Execution>();
}
