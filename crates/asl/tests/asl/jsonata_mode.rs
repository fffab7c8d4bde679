//! JSONata-mode tests (`QueryLanguage: JSONata`).
//!
//! Cases follow the developer guide's "Transforming data with JSONata",
//! "Passing data between states with variables" and "JSONata functions provided by Step
//! Functions" pages.

use serde_json::{Value, json};
use stackweave_asl::{MockResponse, Mocks, Outcome, RunOptions, StateMachine};

fn run_with(definition: Value, input: Value, mocks: Mocks) -> Outcome {
    let machine =
        StateMachine::parse(&definition).unwrap_or_else(|e| panic!("definition rejected: {e}"));
    machine
        .run(input, &mocks, &RunOptions::default())
        .unwrap_or_else(|e| panic!("run error: {e}"))
        .outcome
}

fn run(definition: Value, input: Value) -> Outcome {
    run_with(definition, input, Mocks::default())
}

fn mock(state: &str, responses: Vec<MockResponse>) -> Mocks {
    let mut mocks = Mocks::default();
    mocks.responses.insert(state.to_owned(), responses);
    mocks
}

fn output(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Succeeded(v) => v,
        other => panic!("expected success, got {other:?}"),
    }
}

#[test]
fn guide_conversion_example_evaluates_only_percent_strings() {
    let out = output(run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "Set",
            "States": {
                "Set": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "Show"},
                "Show": {
                    "Type": "Pass",
                    "Output": {
                        "static": "Hello",
                        "title": "{% $states.input.title %}",
                        "name": "{% $customerName %}",
                        "not-evaluated": "$customerName"
                    },
                    "End": true
                }
            }
        }),
        json!({"title": "Doctor"}),
    ));
    assert_eq!(
        out,
        json!({"static": "Hello", "title": "Doctor", "name": "María", "not-evaluated": "$customerName"})
    );
}

#[test]
fn task_output_defaults_to_the_result_and_can_reshape_it() {
    let definition = |output: Option<&str>| {
        let mut task = json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
            "End": true
        });
        if let (Some(o), Value::Object(map)) = (output, &mut task) {
            map.insert("Output".into(), json!(o));
        }
        json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": task}})
    };
    let result = json!({"StatusCode": 200, "Payload": {"total": 42}});
    let mocks = || mock("T", vec![MockResponse::Return(result.clone())]);
    assert_eq!(
        output(run_with(definition(None), json!({}), mocks())),
        result
    );
    assert_eq!(
        output(run_with(
            definition(Some("{% $states.result.Payload.total %}")),
            json!({}),
            mocks()
        )),
        json!(42)
    );
    assert_eq!(
        output(run_with(
            definition(Some(
                "{% {'total': $states.result.Payload.total, 'was': $states.input.k} %}"
            )),
            json!({"k": "v"}),
            mocks()
        )),
        json!({"total": 42, "was": "v"})
    );
}

#[test]
fn assign_sees_result_and_values_from_state_entry() {
    let out = output(run_with(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "Init",
            "States": {
                "Init": {"Type": "Pass", "Assign": {"x": 1, "y": 2, "price": "old"}, "Next": "Swap"},
                "Swap": {"Type": "Pass", "Assign": {"x": "{% $y %}", "y": "{% $x %}"}, "Next": "Get"},
                "Get": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Assign": {"price": "{% $states.result.Item.price.N %}", "id": "{% $states.input.id %}"},
                    "Output": {"x": "{% $x %}", "y": "{% $y %}", "priceSeenInOutput": "{% $price %}"},
                    "Next": "Show"
                },
                "Show": {"Type": "Pass", "Output": {"x": "{% $x %}", "y": "{% $y %}", "price": "{% $price %}", "id": "{% $id %}", "before": "{% $states.input %}"}, "End": true}
            }
        }),
        json!({"id": "o-1"}),
        mock(
            "Get",
            vec![MockResponse::Return(
                json!({"Item": {"price": {"N": "10"}}}),
            )],
        ),
    ));
    // Get's Output saw `$price` from state entry, not the value its own Assign set.
    assert_eq!(
        out,
        json!({"x": 2, "y": 1, "price": "10", "id": "o-1", "before": {"x": 2, "y": 1, "priceSeenInOutput": "old"}})
    );
}

#[test]
fn choice_conditions_and_rule_output() {
    let definition = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n > 5 %}", "Output": {"size": "big"}, "Next": "Done"},
                    {"Condition": "{% $states.input.n > 0 %}", "Assign": {"size": "small"}, "Next": "Small"}
                ],
                "Default": "Zero"
            },
            "Small": {"Type": "Pass", "Output": {"size": "{% $size %}"}, "End": true},
            "Zero": {"Type": "Fail", "Error": "Zero", "Cause": "{% 'n was ' & $string($states.input.n) %}"},
            "Done": {"Type": "Succeed"}
        }
    });
    assert_eq!(
        output(run(definition.clone(), json!({"n": 9}))),
        json!({"size": "big"})
    );
    assert_eq!(
        output(run(definition.clone(), json!({"n": 3}))),
        json!({"size": "small"})
    );
    assert_eq!(
        run(definition, json!({"n": 0})),
        Outcome::Failed {
            error: "Zero".into(),
            cause: "n was 0".into()
        }
    );
}

#[test]
fn a_condition_that_is_not_boolean_is_a_query_evaluation_error() {
    let outcome = run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n %}", "Next": "D"}]},
                "D": {"Type": "Succeed"}
            }
        }),
        json!({"n": 5}),
    );
    assert!(
        matches!(outcome, Outcome::Failed { ref error, .. } if error == "States.QueryEvaluationError")
    );
}

#[test]
fn evaluation_errors_are_catchable_query_evaluation_errors() {
    let out = output(run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": "{% 'a' + 1 %}",
                    "Catch": [{
                        "ErrorEquals": ["States.QueryEvaluationError"],
                        "Output": {"caught": "{% $states.errorOutput.Error %}"},
                        "Next": "Done"
                    }],
                    "End": true
                },
                "Done": {"Type": "Succeed"}
            }
        }),
        json!({}),
    ));
    assert_eq!(out, json!({"caught": "States.QueryEvaluationError"}));
}

#[test]
fn catch_output_defaults_to_error_output_and_assign_reads_it() {
    let out = output(run_with(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"why": "{% $states.errorOutput.Cause %}"}, "Next": "Report"}],
                    "End": true
                },
                "Report": {"Type": "Pass", "Output": {"error": "{% $states.input %}", "why": "{% $why %}"}, "End": true}
            }
        }),
        json!({}),
        mock(
            "T",
            vec![MockResponse::Throw {
                error: "Oops".into(),
                cause: "bad".into(),
            }],
        ),
    ));
    assert_eq!(
        out,
        json!({"error": {"Error": "Oops", "Cause": "bad"}, "why": "bad"})
    );
}

#[test]
fn map_items_and_item_selector_with_context() {
    let out = output(run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "Items": "{% $states.input.xs %}",
                    "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}", "i": "{% $states.context.Map.Item.Index %}", "tag": "{% $states.input.tag %}"},
                    "ItemProcessor": {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Output": "{% $states.input.v * 2 + $states.input.i %}", "End": true}}},
                    "Output": "{% $sum($states.result) %}",
                    "End": true
                }
            }
        }),
        json!({"xs": [1, 2, 3], "tag": "t"}),
    ));
    assert_eq!(out, json!(15));
}

#[test]
fn parallel_arguments_feed_every_branch() {
    let out = output(run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Arguments": {"n": "{% $states.input.n + 1 %}"},
                    "Branches": [
                        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.n %}", "End": true}}},
                        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": "{% $states.input.n * 10 %}", "End": true}}}
                    ],
                    "End": true
                }
            }
        }),
        json!({"n": 1}),
    ));
    assert_eq!(out, json!([2, 20]));
}

#[test]
fn wait_seconds_and_timestamp_from_expressions() {
    let out = output(run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "W",
            "States": {
                "W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "U"},
                "U": {"Type": "Wait", "Timestamp": "{% '2024-01-01T00:01:00Z' %}", "Next": "When"},
                "When": {"Type": "Pass", "Output": "{% $states.context.State.EnteredTime %}", "End": true}
            }
        }),
        json!({"s": 5}),
    ));
    assert_eq!(out, json!("2024-01-01T00:01:00.000Z"));
}

#[test]
fn step_functions_functions_are_available() {
    let out = output(run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "F",
            "States": {
                "F": {
                    "Type": "Pass",
                    "Output": {
                        "partition": "{% $partition([1,2,3,4], 2) %}",
                        "range": "{% $range(0, 10, 5) %}",
                        "hash": "{% $hash('input data', 'SHA-1') %}",
                        "parse": "{% $parse('{\"a\": [1]}') %}",
                        "uuidLength": "{% $length($uuid()) %}",
                        "random": "{% $random(7) < 1 %}"
                    },
                    "End": true
                }
            }
        }),
        json!({}),
    ));
    assert_eq!(
        out,
        json!({
            "partition": [[1, 2], [3, 4]],
            "range": [0, 5, 10],
            "hash": "aaff4a450a104cd177d28d18d74485e8cae074b7",
            "parse": {"a": [1]},
            "uuidLength": 36,
            "random": true
        })
    );
}

#[test]
fn one_jsonata_state_in_a_jsonpath_machine() {
    let out = output(run(
        json!({
            "StartAt": "Path",
            "States": {
                "Path": {"Type": "Pass", "Parameters": {"a.$": "$.a"}, "Next": "Ata"},
                "Ata": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"b": "{% $states.input.a * 2 %}"}, "End": true}
            }
        }),
        json!({"a": 21}),
    ));
    assert_eq!(out, json!({"b": 42}));
}

#[test]
fn jsonata_execution_context_fields() {
    let out = output(run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "Ctx",
            "States": {
                "Ctx": {"Type": "Pass", "Output": {
                    "id": "{% $states.context.Execution.Id %}",
                    "input": "{% $states.context.Execution.Input %}",
                    "state": "{% $states.context.State.Name %}",
                    "machine": "{% $states.context.StateMachine.Name %}"
                }, "End": true}
            }
        }),
        json!({"k": 1}),
    ));
    assert_eq!(
        out,
        json!({
            "id": "arn:aws:states:us-east-1:123456789012:express:Local:local-execution",
            "input": {"k": 1},
            "state": "Ctx",
            "machine": "Local"
        })
    );
}

#[test]
fn invalid_jsonata_is_a_definition_error_at_its_field() {
    let error = StateMachine::parse(&json!({
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": {"x": "{% $states.input.( %}"}, "End": true}}
    }))
    .err()
    .map(|e| e.pointer);
    assert_eq!(error.as_deref(), Some("/States/P/Output/x"));
}

#[test]
fn an_undefined_field_is_a_query_evaluation_error_naming_the_field() {
    let outcome = run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Output": {"list": [1, {"v": "{% $states.input.absent %}"}]}, "End": true}}
        }),
        json!({}),
    );
    assert_eq!(
        outcome,
        Outcome::Failed {
            error: "States.QueryEvaluationError".into(),
            cause: "The JSONata expression '$states.input.absent' specified for the field 'Output/list[1]/v' returned nothing (undefined).".into()
        }
    );
}

#[test]
fn now_and_millis_read_the_executions_virtual_clock() {
    // The default start time is 2024-01-01T00:00:00Z; a Wait of 90 s moves the clock.
    let outcome = run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "Later",
            "States": {
                "Later": {"Type": "Wait", "Seconds": 90, "Next": "Stamp"},
                "Stamp": {"Type": "Pass", "Output": {"now": "{% $now() %}", "millis": "{% $millis() %}"}, "End": true}
            }
        }),
        json!({}),
    );
    assert_eq!(
        output(outcome),
        json!({"now": "2024-01-01T00:01:30.000Z", "millis": 1_704_067_290_000_i64})
    );
}
