//! `stackweave validate`'s report: each finding with its rule, resource, construct, line and
//! status, then the counts; and `--list-rules`, the catalogue itself.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value, json};
use stackweave_validate::{Catalogue, Outcome, RuleMeta, Status};

use super::{
    Paint, Report, ReportFormat, SarifResult, SarifRule, Verdict, display_path, plural,
    to_json_text,
};

/// The findings of one validation of the file at `path`.
pub struct ValidateReport<'a> {
    /// The stack file or template findings point into.
    pub path: &'a Path,
    /// Every rule the run knew (SARIF lists them all).
    pub catalogue: &'a Catalogue,
    /// What the run found.
    pub outcome: &'a Outcome,
}

impl Report for ValidateReport<'_> {
    const COMMAND: &'static str = "validate";

    fn text(&self, paint: Paint) -> String {
        let file = display_path(self.path);
        let mut out = String::new();
        for finding in &self.outcome.findings {
            let line = finding
                .location
                .map(|l| format!("{file}:{}:{}", l.line, l.column))
                .unwrap_or_else(|| file.clone());
            let label = match (&finding.status, finding.rule.severity) {
                (Status::Suppressed { .. }, _) => paint.dim("suppressed"),
                (Status::Undecided, _) => paint.yellow("cannot decide"),
                (Status::Open, "error") => paint.red("error"),
                (Status::Open, _) => paint.yellow("warning"),
            };
            let _ = writeln!(
                out,
                "{label}[{}]: {}",
                paint.bold(&finding.rule.id),
                finding.message
            );
            let owner = match &finding.construct {
                Some(construct) => format!(
                    "resource `{}` of construct `{construct}`",
                    finding.logical_id
                ),
                None => format!("resource `{}`", finding.logical_id),
            };
            let _ = writeln!(out, "  --> {line}: {owner}");
            match &finding.status {
                Status::Suppressed { reason, line } => {
                    let _ = writeln!(
                        out,
                        "  {}",
                        paint.dim(&format!("suppressed at {file}:{line}: {reason}"))
                    );
                }
                _ => {
                    let _ = writeln!(out, "  why: {}", finding.rule.rationale);
                    let _ = writeln!(out, "  fix: {}", finding.rule.fix);
                }
            }
            out.push('\n');
        }
        let summary = self.outcome.summary();
        let (errors, warnings) = (summary.errors, summary.warnings);
        let text = format!(
            "{file}: {errors} error{}, {warnings} warning{}, {} undecided, {} suppressed",
            plural(errors),
            plural(warnings),
            summary.undecided,
            summary.suppressed
        );
        let verdict = if errors > 0 {
            Verdict::Fails
        } else if warnings > 0 {
            Verdict::Warns
        } else {
            Verdict::Clear
        };
        let _ = writeln!(out, "{}", paint.verdict(verdict, &text));
        out
    }

    fn json(&self) -> Value {
        let file = display_path(self.path);
        let items: Vec<Value> = self
            .outcome
            .findings
            .iter()
            .map(|f| {
                let mut item = json!({
                    "rule": f.rule.id,
                    "title": f.rule.title,
                    "severity": f.rule.severity,
                    "status": f.status.name(),
                    "message": f.message,
                    "resource": f.logical_id,
                    "construct": f.construct,
                    "file": file,
                    "line": f.location.map(|l| l.line),
                    "column": f.location.map(|l| l.column),
                    "pointer": f.pointer,
                    "rationale": f.rule.rationale,
                    "fix": f.rule.fix,
                    "source": f.rule.source,
                });
                if let Status::Suppressed { reason, line } = &f.status {
                    item["suppression"] = json!({"reason": reason, "line": line});
                }
                item
            })
            .collect();
        let summary = self.outcome.summary();
        json!({
            "input": file,
            "summary": {
                "errors": summary.errors,
                "warnings": summary.warnings,
                "undecided": summary.undecided,
                "suppressed": summary.suppressed,
            },
            "findings": items,
        })
    }

    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>) {
        let rules = self
            .catalogue
            .rules()
            .iter()
            .map(|rule| SarifRule {
                id: rule.id.clone(),
                title: rule.title.clone(),
                rationale: rule.rationale.clone(),
                fix: rule.fix.clone(),
                level: rule.severity,
            })
            .collect();
        let results = self
            .outcome
            .findings
            .iter()
            .map(|f| {
                let mut properties = Map::new();
                properties.insert("pointer".into(), Value::String(f.pointer.clone()));
                let (level, message) = match &f.status {
                    Status::Undecided => ("note", format!("cannot decide: {}", f.message)),
                    _ => (f.rule.severity, f.message.clone()),
                };
                SarifResult {
                    region: f.location.map(|l| (l.line, l.column)),
                    logical_id: Some(f.logical_id.clone()),
                    construct: f.construct.clone(),
                    suppressed_because: match &f.status {
                        Status::Suppressed { reason, .. } => Some(reason.clone()),
                        _ => None,
                    },
                    properties,
                    ..SarifResult::new(&f.rule.id, level, message, display_path(self.path))
                }
            })
            .collect();
        (rules, results)
    }
}

/// `--list-rules`: every rule, in the chosen format (SARIF has no place for a rule list
/// without a run: it gets the JSON).
pub fn rule_list(rules: &[RuleMeta], format: ReportFormat) -> String {
    match format {
        ReportFormat::Text => {
            let mut out = String::new();
            for rule in rules {
                let opt_in = if rule.opt_in { " (opt-in)" } else { "" };
                let _ = writeln!(
                    out,
                    "{}  {}{opt_in}  [{}]  {}\n  why: {}\n  fix: {}\n",
                    rule.id, rule.severity, rule.source, rule.title, rule.rationale, rule.fix
                );
            }
            out
        }
        ReportFormat::Json | ReportFormat::Sarif => {
            let items: Vec<Value> = rules
                .iter()
                .map(|r| {
                    json!({"id": r.id, "title": r.title, "severity": r.severity, "opt_in": r.opt_in,
                           "rationale": r.rationale, "fix": r.fix, "source": r.source})
                })
                .collect();
            to_json_text(&json!({ "rules": items }))
        }
    }
}
