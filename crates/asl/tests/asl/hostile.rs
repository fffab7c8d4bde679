//! Hostile definitions and inputs: whatever arrives, parsing and running end with a value
//! or an error, never a panic or a hang.

use serde_json::{Value, json};
use stackweave_asl::{MAX_TRANSITIONS, Mocks, RunError, RunOptions, StateMachine};

/// Small deterministic generator, so the test needs no crate and always sees the same cases.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn value(&mut self, depth: u32) -> Value {
        const STRINGS: &[&str] = &[
            "$",
            "$$",
            "$.a",
            "$.a[0]",
            "$[",
            "$..*",
            "$.a[?(@.b > 1)]",
            "$x",
            "States.Array(",
            "States.Format('{}', $.a)",
            "States.ArrayRange(0, 100000000, 1)",
            "States.MathRandom(5, 1)",
            "{% %}x",
            "*",
            "\\",
            "2016-03-14T01:59:00Z",
            "",
            "A",
            "B",
            "Pass",
            "Task",
            "Choice",
            "Wait",
            "Succeed",
            "Fail",
            "Map",
            "Parallel",
            "States.ALL",
            "é",
        ];
        const KEYS: &[&str] = &[
            "Type",
            "Next",
            "End",
            "StartAt",
            "States",
            "Parameters",
            "a.$",
            "ResultPath",
            "InputPath",
            "OutputPath",
            "Choices",
            "Variable",
            "StringMatches",
            "NumericEquals",
            "And",
            "Not",
            "Seconds",
            "Retry",
            "Catch",
            "ErrorEquals",
            "Branches",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Default",
            "Result",
            "A",
            "B",
            "Assign",
        ];
        match (self.next() % 8, depth) {
            (0, _) => Value::Null,
            (1, _) => json!(self.next().is_multiple_of(3)),
            (2, _) => json!((self.next() % 2000) as i64 - 1000),
            (3 | 4, _) => json!(self.pick(STRINGS)),
            (5, d) if d > 0 => {
                Value::Array((0..self.next() % 4).map(|_| self.value(d - 1)).collect())
            }
            (_, d) if d > 0 => {
                let mut map = serde_json::Map::new();
                for _ in 0..self.next() % 6 {
                    map.insert(self.pick(KEYS).to_owned(), self.value(d - 1));
                }
                Value::Object(map)
            }
            _ => json!("A"),
        }
    }
}

#[test]
fn random_definitions_and_inputs_never_panic() {
    let mut g = Gen(0x2545_f491_4f6c_dd1d);
    let mut accepted = 0;
    for _ in 0..5000 {
        let definition = if g.next().is_multiple_of(2) {
            g.value(5)
        } else {
            // Closer to valid: a real skeleton with random states.
            json!({"StartAt": "A", "States": {"A": g.value(4), "B": g.value(4)}})
        };
        if let Ok(machine) = StateMachine::parse(&definition) {
            accepted += 1;
            let _ = machine.run(g.value(3), &Mocks::default(), &RunOptions::default());
        }
    }
    // Random trees rarely form a valid machine; mutated fixtures (below) exercise runs.
    eprintln!("{accepted} random definitions accepted");
}

/// Replaces, removes or adds one thing somewhere in `value`.
fn mutate(g: &mut Gen, value: &mut Value) {
    match value {
        Value::Object(map) if !map.is_empty() && !g.next().is_multiple_of(16) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = &keys[(g.next() % keys.len() as u64) as usize];
            match g.next() % 12 {
                0 => {
                    map.remove(key);
                }
                1 => {
                    let v = g.value(2);
                    map.insert(key.clone(), v);
                }
                _ => {
                    if let Some(inner) = map.get_mut(key) {
                        mutate(g, inner);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() && !g.next().is_multiple_of(16) => {
            let at = (g.next() % items.len() as u64) as usize;
            mutate(g, &mut items[at]);
        }
        other => *other = g.value(2),
    }
}

#[test]
fn mutated_fixture_definitions_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(dir).expect("fixtures").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("readable");
        let file: Value = serde_json::from_str(&text).expect("valid JSON");
        cases.extend(file["cases"].as_array().cloned().unwrap_or_default());
    }
    cases.sort_by_key(|c| c["name"].to_string());
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let mut ran = 0;
    for case in &cases {
        let mocks = crate::mocks(case.get("mocks").unwrap_or(&Value::Null));
        for _ in 0..40 {
            let mut definition = case["definition"].clone();
            let mut input = case.get("input").cloned().unwrap_or(json!({}));
            // Half the time the definition stays valid and only the input is hostile, so
            // runs are exercised as much as parsing.
            if g.next().is_multiple_of(2) {
                mutate(&mut g, &mut definition);
            }
            mutate(&mut g, &mut input);
            if let Ok(machine) = StateMachine::parse(&definition) {
                ran += 1;
                let _ = machine.run(input, &mocks, &RunOptions::default());
            }
        }
    }
    assert!(
        ran > 1000,
        "only {ran} mutated definitions were accepted and run"
    );
}

#[test]
fn a_loop_without_wait_stops_at_the_transition_limit() {
    let machine = StateMachine::parse(&json!({
        "StartAt": "Spin",
        "States": {"Spin": {"Type": "Pass", "Next": "Spin"}}
    }))
    .expect("valid");
    let result = machine.run(json!({}), &Mocks::default(), &RunOptions::default());
    assert_eq!(
        result,
        Err(RunError::TransitionLimit {
            limit: MAX_TRANSITIONS
        })
    );
}

#[test]
fn a_loop_with_wait_times_out_on_the_virtual_clock() {
    let machine = StateMachine::parse(&json!({
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 1, "Next": "Nap"}}
    }))
    .expect("valid");
    let result = machine.run(json!({}), &Mocks::default(), &RunOptions::default());
    assert!(matches!(result, Ok(ref e) if e.outcome == stackweave_asl::Outcome::TimedOut));
}

#[test]
fn deep_and_large_inputs_are_handled() {
    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!({"a": deep});
    }
    let machine = StateMachine::parse(&json!({
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "$..a", "n.$": "States.JsonToString($)"}, "End": true}}
    }))
    .expect("valid");
    assert!(
        machine
            .run(deep, &Mocks::default(), &RunOptions::default())
            .is_ok()
    );
    let big = json!({"s": "x".repeat(300 * 1024)});
    let pass = StateMachine::parse(
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
    )
    .expect("valid");
    let execution = pass
        .run(big, &Mocks::default(), &RunOptions::default())
        .expect("runs");
    assert!(
        matches!(execution.outcome, stackweave_asl::Outcome::Failed { ref error, .. } if error == "States.DataLimitExceeded")
    );
}

#[test]
fn unmocked_tasks_and_bad_start_times_are_run_errors() {
    let machine = StateMachine::parse(&json!({
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}
    }))
    .expect("valid");
    assert_eq!(
        machine.run(json!({}), &Mocks::default(), &RunOptions::default()),
        Err(RunError::Unmocked {
            state: "T".into(),
            call: 1
        })
    );
    let options = RunOptions {
        start_time: "yesterday".into(),
        ..RunOptions::default()
    };
    assert!(matches!(
        machine.run(json!({}), &Mocks::default(), &options),
        Err(RunError::InvalidStartTime { .. })
    ));
}

#[test]
fn a_loop_that_wraps_its_input_stops_before_the_stack_does() {
    let machine = StateMachine::parse(&json!({
        "StartAt": "Wrap",
        "States": {"Wrap": {"Type": "Pass", "Parameters": {"a.$": "$"}, "Next": "Wrap"}}
    }))
    .expect("valid");
    let result = machine.run(json!({}), &Mocks::default(), &RunOptions::default());
    assert!(
        matches!(result, Err(RunError::TooDeep { .. })),
        "{result:?}"
    );
}

#[test]
fn a_distributed_map_reading_s3_is_unsupported_not_guessed() {
    let machine = StateMachine::parse(&json!({
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}},
            "End": true
        }}
    }))
    .expect("valid");
    assert_eq!(
        machine.run(json!({}), &Mocks::default(), &RunOptions::default()),
        Err(RunError::Unsupported {
            state: "M".into(),
            feature: "ItemReader".into()
        })
    );
}
