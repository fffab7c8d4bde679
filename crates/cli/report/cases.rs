//! `stackweave test`'s report: each case passed, failed (each difference as expected vs
//! actual) or not run (why, and what to do); in text, JSON, SARIF, and JUnit XML for CI
//! systems' test views. Durations are left out, so reports are byte-stable.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};
use stackweave_emulator::{CaseResult, RunReport, Verdict};

use super::{Paint, Report, SarifResult, SarifRule, Verdict as Summary, display_path, plural};

/// The SARIF rule of a case that does not answer as expected.
const CASE_RULE: &str = "SW-TEST-1";

/// The cases of one file, run against one stack or template.
pub struct TestReport<'a> {
    /// The case file.
    pub cases: &'a Path,
    /// The stack file or template emulated.
    pub input: &'a Path,
    /// What running them gave.
    pub outcome: &'a RunReport,
}

fn status(result: &CaseResult) -> &'static str {
    match result.verdict {
        Verdict::Passed => "passed",
        Verdict::Failed(_) => "failed",
        Verdict::Error { .. } => "error",
    }
}

impl TestReport<'_> {
    fn counts(&self) -> (usize, usize, usize) {
        let results = &self.outcome.results;
        let count = |s: &str| results.iter().filter(|r| status(r) == s).count();
        (count("passed"), count("failed"), count("error"))
    }

    fn place(&self, result: &CaseResult) -> String {
        let at = result.case.location;
        format!("{}:{}:{}", display_path(self.cases), at.line, at.column)
    }

    /// What went wrong with a case, as lines of text.
    fn detail(result: &CaseResult) -> String {
        let mut out = String::new();
        match &result.verdict {
            Verdict::Passed => {}
            Verdict::Failed(mismatches) => {
                for m in mismatches {
                    if m.expected.contains('\n')
                        || m.actual.contains('\n')
                        || m.expected.len() + m.actual.len() > 60
                    {
                        let _ = writeln!(
                            out,
                            "{}:\n  expected: {}\n  actual:   {}",
                            m.what, m.expected, m.actual
                        );
                    } else {
                        let _ =
                            writeln!(out, "{}: expected {}, got {}", m.what, m.expected, m.actual);
                    }
                }
            }
            Verdict::Error { message, help } => {
                let _ = writeln!(out, "could not run: {message}\nhelp: {help}");
            }
        }
        out
    }

    /// JUnit XML: one suite (the case file), one test case per case.
    pub fn junit(&self) -> String {
        let (passed, failed, errors) = self.counts();
        let total = passed + failed + errors;
        let suite = xml(&display_path(self.cases));
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"stackweave test\" tests=\"{total}\" failures=\"{failed}\" errors=\"{errors}\">"
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"{suite}\" tests=\"{total}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"0\">"
        );
        for result in &self.outcome.results {
            let name = xml(&result.case.name);
            let line = result.case.location.line;
            let open = format!(
                "    <testcase name=\"{name}\" classname=\"{suite}\" file=\"{suite}\" line=\"{line}\""
            );
            match &result.verdict {
                Verdict::Passed => {
                    let _ = writeln!(out, "{open}/>");
                }
                Verdict::Failed(mismatches) => {
                    let first = mismatches
                        .first()
                        .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.actual))
                        .unwrap_or_default();
                    let _ = writeln!(out, "{open}>");
                    let _ = writeln!(
                        out,
                        "      <failure type=\"mismatch\" message=\"{}\">{}</failure>",
                        xml(&first),
                        xml(&Self::detail(result))
                    );
                    let _ = writeln!(out, "    </testcase>");
                }
                Verdict::Error { message, .. } => {
                    let _ = writeln!(out, "{open}>");
                    let _ = writeln!(
                        out,
                        "      <error type=\"emulation\" message=\"{}\">{}</error>",
                        xml(message),
                        xml(&Self::detail(result))
                    );
                    let _ = writeln!(out, "    </testcase>");
                }
            }
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

/// Text made safe for XML attributes and content (and free of characters XML 1.0 forbids).
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl Report for TestReport<'_> {
    const COMMAND: &'static str = "test";

    fn text(&self, paint: Paint) -> String {
        let mut out = String::new();
        for result in &self.outcome.results {
            let label = match result.verdict {
                Verdict::Passed => paint.green("PASS "),
                Verdict::Failed(_) => paint.red("FAIL "),
                Verdict::Error { .. } => paint.red("ERROR"),
            };
            let _ = writeln!(out, "{label} {}", result.case.name);
            if result.verdict != Verdict::Passed {
                let _ = writeln!(
                    out,
                    "      {}",
                    paint.dim(&format!("--> {}", self.place(result)))
                );
                for line in Self::detail(result).lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        let (passed, failed, errors) = self.counts();
        let total = passed + failed + errors;
        let summary = format!(
            "{total} case{} in {}: {passed} passed, {failed} failed, {errors} could not run",
            plural(total),
            display_path(self.cases)
        );
        let verdict = if failed + errors > 0 {
            Summary::Fails
        } else {
            Summary::Clear
        };
        let _ = writeln!(out, "{}", paint.verdict(verdict, &summary));
        out
    }

    fn json(&self) -> Value {
        let (passed, failed, errors) = self.counts();
        let cases: Vec<Value> = self
            .outcome
            .results
            .iter()
            .map(|result| {
                let mut case = json!({
                    "name": result.case.name,
                    "status": status(result),
                    "line": result.case.location.line,
                    "column": result.case.location.column,
                });
                match &result.verdict {
                    Verdict::Passed => {}
                    Verdict::Failed(mismatches) => {
                        case["mismatches"] = mismatches
                            .iter()
                            .map(|m| json!({"what": m.what, "expected": m.expected, "actual": m.actual}))
                            .collect();
                    }
                    Verdict::Error { message, help } => {
                        case["message"] = json!(message);
                        case["help"] = json!(help);
                    }
                }
                if let Some(response) = &result.response {
                    case["response"] = json!({
                        "status": response.status,
                        "headers": response.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                        "body": response.body,
                    });
                }
                case
            })
            .collect();
        json!({
            "cases_file": display_path(self.cases),
            "input": display_path(self.input),
            "summary": {"passed": passed, "failed": failed, "errors": errors},
            "cases": cases,
        })
    }

    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>) {
        let rule = SarifRule {
            id: CASE_RULE.to_owned(),
            title: "a local test case does not answer as expected".to_owned(),
            rationale: "the emulated API answers a request differently from what the case expects"
                .to_owned(),
            fix: "run `stackweave invoke ... --trace` with the case's request to see each step"
                .to_owned(),
            level: "error",
        };
        let results = self
            .outcome
            .results
            .iter()
            .filter(|r| r.verdict != Verdict::Passed)
            .map(|result| {
                let message = format!(
                    "case `{}`: {}",
                    result.case.name,
                    Self::detail(result).trim_end()
                );
                let mut found =
                    SarifResult::new(CASE_RULE, "error", message, display_path(self.cases));
                found.region = Some((result.case.location.line, result.case.location.column));
                found
            })
            .collect();
        (vec![rule], results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(
            xml("a<b & \"c\"\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot;&#10;\\u0001"
        );
    }
}
