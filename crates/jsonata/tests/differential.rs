//! The differential test: every case under `tests/cases/` is evaluated by this crate and
//! by the reference implementation (npm `jsonata`, pinned in `tests/oracle/`), in one node
//! process, and the results must agree: values as JSON (numbers by value, objects by
//! key), errors by code.
//!
//! A case file is `{"input"?: any, "bindings"?: {...}, "natives"?: {...}, "cases": [...]}`;
//! a case is an expression string or `{"expr", "input"?, "noInput"?, "bindings"?,
//! "natives"?, "now"?}`, taking the file's input, bindings and natives unless it has its
//! own. A native is a host function returning a constant (`{"partition": "aws"}`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use stackweave_jsonata::{Environment, Expression, NativeFunction};

/// The clock every case sees unless it says otherwise: 2024-03-15T12:34:56.789Z.
const DEFAULT_NOW: i64 = 1_710_506_096_789;

struct Case {
    file: String,
    expr: String,
    input: Option<Value>,
    bindings: serde_json::Map<String, Value>,
    /// Host functions that return a constant (`$partition()`).
    natives: serde_json::Map<String, Value>,
    now: i64,
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_cases() -> Vec<Case> {
    let dir = crate_dir().join("tests/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/cases is readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("case file is readable");
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file_input = doc.get("input").cloned();
        let file_natives = doc
            .get("natives")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let file_bindings = doc
            .get("bindings")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for case in doc["cases"]
            .as_array()
            .expect("a case file has a cases array")
        {
            let (expr, own) = match case {
                Value::String(s) => (s.clone(), None),
                Value::Object(o) => (
                    o["expr"].as_str().expect("a case has an expr").to_owned(),
                    Some(o),
                ),
                other => panic!("{file}: a case is a string or an object, not {other}"),
            };
            let input = match own {
                Some(o) if o.get("noInput").is_some_and(|v| v == &Value::Bool(true)) => None,
                Some(o) if o.contains_key("input") => o.get("input").cloned(),
                _ => file_input.clone(),
            };
            let bindings = own
                .and_then(|o| o.get("bindings"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| file_bindings.clone());
            let natives = own
                .and_then(|o| o.get("natives"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| file_natives.clone());
            let now = own
                .and_then(|o| o.get("now"))
                .and_then(Value::as_i64)
                .unwrap_or(DEFAULT_NOW);
            cases.push(Case {
                file: file.clone(),
                expr,
                input,
                bindings,
                natives,
                now,
            });
        }
    }
    cases
}

/// What one implementation made of a case: a value, undefined, or an error code.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Value(Value),
    Undefined,
    Error(String),
}

fn ours(case: &Case) -> Outcome {
    let mut environment = Environment {
        variables: case
            .bindings
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        ..Environment::default()
    };
    for (name, value) in &case.natives {
        let value = value.clone();
        let native: NativeFunction = Box::new(move |_| Ok(Some(value.clone())));
        environment.functions.insert(name.clone(), native);
    }
    let result = Expression::parse(&case.expr)
        .and_then(|e| e.evaluate_at(case.input.as_ref(), &environment, case.now));
    match result {
        Ok(Some(v)) => Outcome::Value(v),
        Ok(None) => Outcome::Undefined,
        Err(e) => Outcome::Error(e.code),
    }
}

fn oracle_ready(dir: &Path) -> Result<(), String> {
    if !dir.join("node_modules/jsonata/package.json").is_file() {
        return Err("the oracle's node_modules are missing".into());
    }
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => Err("node is not installed".into()),
    }
}

fn theirs(cases: &[Case], dir: &Path) -> Vec<Outcome> {
    let request: Vec<Value> = cases
        .iter()
        .map(|c| {
            let mut o = json!({
                "expr": c.expr,
                "bindings": c.bindings,
                "natives": c.natives,
                "now": c.now,
            });
            if let Some(input) = &c.input {
                o["input"] = input.clone();
            }
            o
        })
        .collect();
    let mut child = Command::new("node")
        .arg(dir.join("oracle.js"))
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node starts");
    let body = serde_json::to_vec(&request).expect("cases serialise");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(&body)
        .expect("node reads the cases");
    let out = child.wait_with_output().expect("node finishes");
    assert!(out.status.success(), "the oracle failed: {}", out.status);
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).expect("the oracle prints JSON");
    answers
        .into_iter()
        .map(|a| {
            if let Some(code) = a.get("error").and_then(Value::as_str) {
                Outcome::Error(code.to_owned())
            } else if let Some(v) = a.get("value") {
                Outcome::Value(v.clone())
            } else {
                Outcome::Undefined
            }
        })
        .collect()
}

/// JSON equality with numbers compared by value (`2` equals `2.0`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn agree(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Outcome::Value(x), Outcome::Value(y)) => same_json(x, y),
        _ => a == b,
    }
}

#[test]
fn every_case_agrees_with_the_reference_implementation() {
    let dir = crate_dir().join("tests/oracle");
    if let Err(why) = oracle_ready(&dir) {
        let help = "run `npm ci --prefix crates/jsonata/tests/oracle`";
        if std::env::var_os("CI").is_some() {
            panic!("the JSONata differential test needs its oracle: {why}; {help}");
        }
        // Straight to stderr: the test harness would swallow `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "skipping the JSONata differential test: {why}; {help}"
        );
        return;
    }
    let cases = load_cases();
    assert!(
        cases.len() >= 300,
        "expected several hundred cases, found {}",
        cases.len()
    );
    let expected = theirs(&cases, &dir);
    assert_eq!(expected.len(), cases.len(), "the oracle answers every case");
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(&expected) {
        let got = ours(case);
        if !agree(&got, want) {
            failures.push(format!(
                "{}: {}\n    jsonata: {want:?}\n    ours:    {got:?}",
                case.file, case.expr
            ));
        }
    }
    eprintln!(
        "{} of {} cases agree with jsonata",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
