//! Runs every fixture of `tests/spec/*.json`. A fixture file holds `source` (the document
//! and section its cases come from) and `cases`, each with a `name`, a `definition`, an
//! `input`, optional `mocks`, optional `states` (the names entered, in order) and `expect`:
//! `{"output": ...}`, `{"error": ..., "cause"?: ...}`, `{"timedOut": true}` or
//! `{"definitionError": "/json/pointer"}`.

use std::path::Path;

use serde_json::{Value, json};
use stackweave_asl::{RunOptions, StateMachine};

use crate::{mocks, outcome_json};

fn run_case(file: &str, case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("(unnamed)");
    let label = format!("{file}: {name}");
    let expect = &case["expect"];
    let parsed = StateMachine::parse(&case["definition"]);
    if let Some(pointer) = expect.get("definitionError") {
        return match parsed {
            Err(e) if json!(e.pointer) == *pointer => Ok(()),
            Err(e) => Err(format!(
                "{label}: expected a definition error at {pointer}, got `{e}`"
            )),
            Ok(_) => Err(format!(
                "{label}: expected a definition error at {pointer}, the definition was accepted"
            )),
        };
    }
    let machine = parsed.map_err(|e| format!("{label}: definition rejected: {e}"))?;
    let execution = machine
        .run(
            case.get("input").cloned().unwrap_or(json!({})),
            &mocks(case.get("mocks").unwrap_or(&Value::Null)),
            &RunOptions::default(),
        )
        .map_err(|e| format!("{label}: run error: {e}"))?;
    let mut actual = outcome_json(&execution.outcome);
    // A fixture may leave the cause out when the documents do not fix its wording.
    if expect.get("cause").is_none()
        && let Some(map) = actual.as_object_mut()
    {
        map.remove("cause");
    }
    if actual != *expect {
        return Err(format!(
            "{label}:\n  expected {expect}\n  actual   {actual}"
        ));
    }
    if let Some(states) = case.get("states") {
        let entered: Vec<&str> = execution.steps.iter().map(|s| s.state.as_str()).collect();
        if json!(entered) != *states {
            return Err(format!(
                "{label}: expected states {states}, entered {entered:?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn spec_and_developer_guide_examples_give_their_documented_results() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/spec exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    let mut failures = Vec::new();
    let mut count = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable fixture");
        let file: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
        assert!(
            file["source"].is_string(),
            "{}: a fixture file names its source",
            path.display()
        );
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for case in file["cases"].as_array().expect("cases is an array") {
            count += 1;
            if let Err(e) = run_case(&name, case) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} fixture cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{count} fixture cases passed");
}
