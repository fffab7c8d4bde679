//! Running a test case file against an [`Emulator`]: each case's request answered with its
//! mocks, its response compared with what it expects (status, exact body or JSON subset,
//! headers), every difference described as expected vs actual.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cases::{Case, CaseFile};
use crate::exchange::Response;
use crate::pipeline::Emulator;

/// How one case went.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The response is what the case expects.
    Passed,
    /// It is not: each difference.
    Failed(Vec<Mismatch>),
    /// The request could not be emulated (an unmocked Task, a template that fails): the
    /// message and what to do.
    Error {
        /// What went wrong.
        message: String,
        /// What to do.
        help: String,
    },
}

/// One way a response differs from the expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// What differs: `status`, `body`, `json at /a/b`, `header content-type`.
    pub what: String,
    /// What the case expects.
    pub expected: String,
    /// What the response has.
    pub actual: String,
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// How it went.
    pub verdict: Verdict,
    /// The response, when there was one.
    pub response: Option<Response>,
    /// How long it took.
    pub duration: Duration,
}

/// Every case of a file, run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The results, in file order.
    pub results: Vec<CaseResult>,
}

impl RunReport {
    /// Whether any case failed or could not run.
    pub fn fails(&self) -> bool {
        self.results.iter().any(|r| r.verdict != Verdict::Passed)
    }
}

/// Runs every case of `file`.
pub fn run_cases(emulator: &Emulator, file: &CaseFile) -> RunReport {
    let results = file
        .cases
        .iter()
        .map(|case| {
            let started = Instant::now();
            let (verdict, response) = match emulator.invoke(&case.request, &case.mocks) {
                Ok(invocation) => (
                    compare(case, &invocation.response),
                    Some(invocation.response),
                ),
                Err(error) => (
                    Verdict::Error {
                        message: error.to_string(),
                        help: error.help(),
                    },
                    None,
                ),
            };
            CaseResult {
                case: case.clone(),
                verdict,
                response,
                duration: started.elapsed(),
            }
        })
        .collect();
    RunReport { results }
}

/// Compares a response with what `case` expects.
pub fn compare(case: &Case, response: &Response) -> Verdict {
    let expect = &case.expect;
    let mut mismatches = Vec::new();
    if response.status != expect.status {
        mismatches.push(Mismatch {
            what: "status".into(),
            expected: expect.status.to_string(),
            actual: response.status.to_string(),
        });
    }
    if let Some(body) = &expect.body
        && *body != response.body
    {
        mismatches.push(Mismatch {
            what: "body".into(),
            expected: body.clone(),
            actual: response.body.clone(),
        });
    }
    if let Some(expected) = &expect.json {
        match serde_json::from_str::<Value>(&response.body) {
            Ok(actual) => subset(expected, &actual, "", &mut mismatches),
            Err(error) => mismatches.push(Mismatch {
                what: "json".into(),
                expected: expected.to_string(),
                actual: format!("a body that is not JSON ({error}): {}", response.body),
            }),
        }
    }
    for (name, value) in &expect.headers {
        let actual = response.header(name);
        if actual != Some(value.as_str()) {
            mismatches.push(Mismatch {
                what: format!("header {name}"),
                expected: value.clone(),
                actual: actual.map_or_else(|| "(absent)".to_owned(), str::to_owned),
            });
        }
    }
    if mismatches.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed(mismatches)
    }
}

/// Whether `actual` contains `expected`: objects may have more keys, lists must have the
/// same length with each item contained, anything else must be equal.
fn subset(expected: &Value, actual: &Value, pointer: &str, out: &mut Vec<Mismatch>) {
    let what = || format!("json at {}", if pointer.is_empty() { "/" } else { pointer });
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match have.get(key) {
                    Some(found) => subset(value, found, &at, out),
                    None => out.push(Mismatch {
                        what: format!("json at {at}"),
                        expected: value.to_string(),
                        actual: "(absent)".into(),
                    }),
                }
            }
        }
        (Value::Array(want), Value::Array(have)) if want.len() == have.len() => {
            for (index, (w, h)) in want.iter().zip(have).enumerate() {
                subset(w, h, &format!("{pointer}/{index}"), out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(Mismatch {
            what: what(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cases::Expect;
    use crate::exchange::Request;

    fn case(expect: Expect) -> Case {
        Case {
            name: "c".into(),
            location: stackweave_location::Location { line: 1, column: 1 },
            request: Request::default(),
            mocks: Default::default(),
            expect,
        }
    }

    #[test]
    fn a_json_subset_passes_and_each_difference_is_named() {
        let response = Response {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: "{\"a\": 1, \"b\": {\"c\": [1, 2]}, \"d\": \"x\"}".into(),
        };
        let passing = Expect {
            status: 200,
            json: Some(json!({"b": {"c": [1, 2]}})),
            headers: vec![("content-type".into(), "application/json".into())],
            ..Expect::default()
        };
        assert_eq!(compare(&case(passing), &response), Verdict::Passed);
        let failing = Expect {
            status: 500,
            json: Some(json!({"b": {"c": [1, 3]}, "e": true})),
            headers: vec![("X-A".into(), "1".into())],
            ..Expect::default()
        };
        let Verdict::Failed(mismatches) = compare(&case(failing), &response) else {
            panic!("expected a failure");
        };
        let shown: Vec<String> = mismatches
            .iter()
            .map(|m| format!("{}: {} / {}", m.what, m.expected, m.actual))
            .collect();
        assert_eq!(
            shown,
            [
                "status: 500 / 200",
                "json at /b/c/1: 3 / 2",
                "json at /e: true / (absent)",
                "header X-A: 1 / (absent)"
            ]
        );
    }
}
