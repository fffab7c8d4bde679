//! `stackweave validate`'s report: each finding with its rule, resource, construct, line and
//! status, then the counts (for an app: stack by stack, each finding once with the
//! environments it appears in); and `--list-rules`, the catalogue itself.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use stackweave_validate::{Catalogue, Outcome, Reported, RuleMeta, Status, Summary};

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
            write_finding(&mut out, paint, &file, finding, None);
        }
        write_summary(&mut out, paint, &file, self.outcome.summary());
        out
    }

    fn json(&self) -> Value {
        let file = display_path(self.path);
        let items: Vec<Value> = self
            .outcome
            .findings
            .iter()
            .map(|f| finding_json(&file, f))
            .collect();
        json!({
            "input": file,
            "summary": summary_json(self.outcome.summary()),
            "findings": items,
        })
    }

    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>) {
        let file = display_path(self.path);
        let results = self
            .outcome
            .findings
            .iter()
            .map(|f| finding_sarif(&file, f, None))
            .collect();
        (sarif_rules(self.catalogue), results)
    }
}

/// The findings of one validation of an app, stack by stack (in deploy order). The
/// findings of every environment checked are merged: a finding that is the same in several
/// environments (same rule, resource, message, line and status) is one entry naming them,
/// because it is one line of one stack file to fix; one that differs (a value of the
/// environment in its message, say) is an entry per environment.
pub struct AppValidateReport<'a> {
    /// The app file.
    pub path: &'a Path,
    /// The environments checked, in the app file's order.
    pub environments: &'a [String],
    /// Every rule the run knew (SARIF lists them all).
    pub catalogue: &'a Catalogue,
    /// What each stack's validation found.
    pub stacks: &'a [StackFindings],
}

/// What the validations of one stack of an app found, over the environments checked.
pub struct StackFindings {
    /// The stack's name in the app.
    pub stack: String,
    /// Its stack file, which findings point into.
    pub path: PathBuf,
    /// Its findings, each once, in the order the first environment that has it found them.
    pub findings: Vec<EnvironmentFinding>,
}

/// A finding of a stack of an app, and the environments it appears in.
pub struct EnvironmentFinding {
    /// The finding.
    pub finding: Reported,
    /// The environments it appears in, in the app file's order.
    pub environments: Vec<String>,
}

impl AppValidateReport<'_> {
    /// The environments a finding appears in and, unless that is every environment
    /// checked, those it does not.
    fn split<'e>(&'e self, environments: &'e [String]) -> (&'e [String], Vec<&'e str>) {
        let missing = self
            .environments
            .iter()
            .filter(|e| !environments.contains(e))
            .map(String::as_str)
            .collect();
        (environments, missing)
    }

    /// `in environments dev, prod`, or `only in environment dev (not prod)`.
    fn environments_line(&self, environments: &[String]) -> String {
        let (present, missing) = self.split(environments);
        let s = plural(present.len());
        match missing.is_empty() {
            true => format!("in environment{s} {}", present.join(", ")),
            false => format!(
                "only in environment{s} {} (not {})",
                present.join(", "),
                missing.join(", ")
            ),
        }
    }

    /// What a SARIF message adds when the finding is not in every environment checked:
    /// `only in environment dev, not prod`.
    fn only_in(&self, environments: &[String]) -> Option<String> {
        let (present, missing) = self.split(environments);
        (!missing.is_empty()).then(|| {
            format!(
                "only in environment{} {}, not {}",
                plural(present.len()),
                present.join(", "),
                missing.join(", ")
            )
        })
    }

    fn summary(&self) -> Summary {
        Summary::of(
            self.stacks
                .iter()
                .flat_map(|s| s.findings.iter().map(|f| &f.finding)),
        )
    }
}

impl StackFindings {
    fn summary(&self) -> Summary {
        Summary::of(self.findings.iter().map(|f| &f.finding))
    }
}

impl Report for AppValidateReport<'_> {
    const COMMAND: &'static str = "validate";

    fn text(&self, paint: Paint) -> String {
        let mut out = String::new();
        for stack in self.stacks {
            let file = display_path(&stack.path);
            for found in &stack.findings {
                let environments = self.environments_line(&found.environments);
                write_finding(&mut out, paint, &file, &found.finding, Some(&environments));
            }
            write_summary(
                &mut out,
                paint,
                &format!("stack `{}` ({file})", stack.stack),
                stack.summary(),
            );
        }
        let label = format!(
            "app {} ({} stack{}; {})",
            display_path(self.path),
            self.stacks.len(),
            plural(self.stacks.len()),
            match self.environments {
                [one] => format!("environment {one}"),
                all => format!("environments {}", all.join(", ")),
            }
        );
        write_summary(&mut out, paint, &label, self.summary());
        out
    }

    fn json(&self) -> Value {
        let mut items = Vec::new();
        let mut stacks = Vec::new();
        for stack in self.stacks {
            let file = display_path(&stack.path);
            for found in &stack.findings {
                let mut item = finding_json(&file, &found.finding);
                item["stack"] = json!(stack.stack);
                item["environments"] = json!(found.environments);
                items.push(item);
            }
            stacks.push(json!({
                "stack": stack.stack,
                "file": file,
                "summary": summary_json(stack.summary()),
            }));
        }
        json!({
            "input": display_path(self.path),
            "environments": self.environments,
            "summary": summary_json(self.summary()),
            "stacks": stacks,
            "findings": items,
        })
    }

    /// One result per finding of a stack, located in its stack file, with the
    /// environments it appears in as a property (and in its message when not in every one).
    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>) {
        let mut results = Vec::new();
        for stack in self.stacks {
            let file = display_path(&stack.path);
            for found in &stack.findings {
                let only = self.only_in(&found.environments);
                let mut result = finding_sarif(&file, &found.finding, only.as_deref());
                result.properties.insert("stack".into(), json!(stack.stack));
                result
                    .properties
                    .insert("environments".into(), json!(found.environments));
                results.push(result);
            }
        }
        (sarif_rules(self.catalogue), results)
    }
}

/// One finding, as text: its rule and message, where (with `more`, a line of its own,
/// after), and why and how to fix it (or why it is accepted).
fn write_finding(
    out: &mut String,
    paint: Paint,
    file: &str,
    finding: &Reported,
    more: Option<&str>,
) {
    let line = finding
        .location
        .map(|l| format!("{file}:{}:{}", l.line, l.column))
        .unwrap_or_else(|| file.to_owned());
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
    if let Some(more) = more {
        let _ = writeln!(out, "  {more}");
    }
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

/// A report's counts, `label: 1 error, 0 warnings, ...`, coloured by what they say.
fn write_summary(out: &mut String, paint: Paint, label: &str, summary: Summary) {
    let (errors, warnings) = (summary.errors, summary.warnings);
    let text = format!(
        "{label}: {errors} error{}, {warnings} warning{}, {} undecided, {} suppressed",
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
}

fn summary_json(summary: Summary) -> Value {
    json!({
        "errors": summary.errors,
        "warnings": summary.warnings,
        "undecided": summary.undecided,
        "suppressed": summary.suppressed,
    })
}

/// One finding in the JSON report.
fn finding_json(file: &str, f: &Reported) -> Value {
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
}

/// Every rule of the catalogue, as SARIF lists them.
fn sarif_rules(catalogue: &Catalogue) -> Vec<SarifRule> {
    catalogue
        .rules()
        .iter()
        .map(|rule| SarifRule {
            id: rule.id.clone(),
            title: rule.title.clone(),
            rationale: rule.rationale.clone(),
            fix: rule.fix.clone(),
            level: rule.severity,
        })
        .collect()
}

/// One finding as a SARIF result; `more` is appended to its message.
fn finding_sarif(file: &str, f: &Reported, more: Option<&str>) -> SarifResult {
    let mut properties = Map::new();
    properties.insert("pointer".into(), Value::String(f.pointer.clone()));
    let (level, mut message) = match &f.status {
        Status::Undecided => ("note", format!("cannot decide: {}", f.message)),
        _ => (f.rule.severity, f.message.clone()),
    };
    if let Some(more) = more {
        message = format!("{message} ({more})");
    }
    SarifResult {
        region: f.location.map(|l| (l.line, l.column)),
        logical_id: Some(f.logical_id.clone()),
        construct: f.construct.clone(),
        suppressed_because: match &f.status {
            Status::Suppressed { reason, .. } => Some(reason.clone()),
            _ => None,
        },
        properties,
        ..SarifResult::new(&f.rule.id, level, message, file.to_owned())
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
