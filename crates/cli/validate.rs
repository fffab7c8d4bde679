//! `stackweave validate`: policy rules over the final template, as cdk-nag runs over a CDK
//! app's. The work (rule catalogue, opt-in rules, validator plugins, suppressions, the
//! verdict) is crate `stackweave-validate`'s; this file renders it.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::{Map, Value, json};
use stackweave_synth::{Diagnostic, Options, Registry};
use stackweave_validate::{Catalogue, Reported, RuleMeta, Status};

use crate::exit;
use crate::flags::SynthesisArgs;
use crate::input::{Input, display_path};
use crate::report::{self, Paint, ReportFormat, SarifResult, SarifRule};

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// A stack file (synthesised first) or a CloudFormation template (YAML or JSON)
    #[arg(default_value = "stack.yaml")]
    input: PathBuf,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, visible_alias = "report")]
    format: ReportFormat,
    /// Also run this opt-in rule (as the stack file's `validation.enable` does); repeatable
    #[arg(long, value_name = "RULE")]
    enable: Vec<String>,
    /// Describe every rule and exit
    #[arg(long)]
    list_rules: bool,
    #[command(flatten)]
    synthesis: SynthesisArgs,
}

pub fn run(args: ValidateArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    let input = if args.list_rules {
        None
    } else {
        match Input::load(&args.input, &options) {
            Ok(input) => Some(input),
            Err(errors) => return exit::input_error(&errors),
        }
    };
    let registry = match validators(&options, input.as_ref()) {
        Ok(registry) => registry,
        Err(errors) => return exit::input_error(&errors),
    };
    let catalogue = Catalogue::new(registry.validators());
    let Some(input) = input else {
        return exit::print_or_report(&list_rules(catalogue.rules(), args.format), false);
    };
    if let Input::Stack(synthesis) = &input {
        exit::report(&synthesis.warnings);
    }
    let outcome = match stackweave_validate::validate(&input, &catalogue, &registry, &args.enable) {
        Ok(outcome) => outcome,
        Err(errors) => return exit::input_error(&errors),
    };
    exit::report(&outcome.stale);
    let paint = Paint(args.format == ReportFormat::Text && report::use_color());
    let text = render(
        args.format,
        &input,
        catalogue.rules(),
        &outcome.findings,
        paint,
    );
    exit::print_or_report(&text, outcome.fails())
}

/// The plugins holding the validators: those the synthesis of a stack file loaded (from
/// `--plugins` and the stack file's `plugins:`), or for a template (or none, to list the
/// rules) those in `--plugins`, loaded into the sandbox now.
fn validators(options: &Options, input: Option<&Input>) -> Result<Arc<Registry>, Vec<Diagnostic>> {
    match input {
        Some(Input::Stack(synthesis)) => Ok(Arc::clone(&synthesis.registry)),
        Some(Input::Template(_)) | None => stackweave_synth::new_registry(options, &[])
            .map(Arc::new)
            .map_err(|failure| failure.diagnostics),
    }
}

/// Renders the findings in `format`.
fn render(
    format: ReportFormat,
    input: &Input,
    rules: &[RuleMeta],
    findings: &[Reported],
    paint: Paint,
) -> String {
    match format {
        ReportFormat::Text => text(input, findings, paint),
        ReportFormat::Json => report::to_json_text(&json_report(input, findings)),
        ReportFormat::Sarif => report::to_json_text(&sarif(input, rules, findings)),
    }
}

fn count(findings: &[Reported], status: &str, severity: Option<&str>) -> usize {
    findings
        .iter()
        .filter(|f| f.status.name() == status && severity.is_none_or(|s| f.rule.severity == s))
        .count()
}

fn text(input: &Input, findings: &[Reported], paint: Paint) -> String {
    let file = display_path(input.path());
    let mut out = String::new();
    for finding in findings {
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
    let errors = count(findings, "open", Some("error"));
    let warnings = count(findings, "open", Some("warning"));
    let undecided = count(findings, "undecided", None);
    let suppressed = count(findings, "suppressed", None);
    let summary = format!(
        "{file}: {errors} error{}, {warnings} warning{}, {undecided} undecided, {suppressed} suppressed",
        plural(errors),
        plural(warnings)
    );
    let summary = if errors > 0 {
        paint.red(&summary)
    } else if warnings > 0 {
        paint.yellow(&summary)
    } else {
        paint.green(&summary)
    };
    let _ = writeln!(out, "{summary}");
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn json_report(input: &Input, findings: &[Reported]) -> Value {
    let items: Vec<Value> = findings
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
                "file": display_path(input.path()),
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
    json!({
        "stackweave": env!("CARGO_PKG_VERSION"),
        "command": "validate",
        "input": display_path(input.path()),
        "summary": {
            "errors": count(findings, "open", Some("error")),
            "warnings": count(findings, "open", Some("warning")),
            "undecided": count(findings, "undecided", None),
            "suppressed": count(findings, "suppressed", None),
        },
        "findings": items,
    })
}

fn sarif(input: &Input, rules: &[RuleMeta], findings: &[Reported]) -> Value {
    let sarif_rules: Vec<SarifRule> = rules
        .iter()
        .map(|rule| SarifRule {
            id: rule.id.clone(),
            title: rule.title.clone(),
            rationale: rule.rationale.clone(),
            fix: rule.fix.clone(),
            level: rule.severity,
        })
        .collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| {
            let mut properties = Map::new();
            properties.insert("pointer".into(), Value::String(f.pointer.clone()));
            let (level, message) = match &f.status {
                Status::Undecided => ("note", format!("cannot decide: {}", f.message)),
                _ => (f.rule.severity, f.message.clone()),
            };
            SarifResult {
                rule_id: f.rule.id.clone(),
                level,
                message,
                file: display_path(input.path()),
                region: f.location.map(|l| (l.line, l.column)),
                logical_id: Some(f.logical_id.clone()),
                construct: f.construct.clone(),
                suppressed_because: match &f.status {
                    Status::Suppressed { reason, .. } => Some(reason.clone()),
                    _ => None,
                },
                properties,
            }
        })
        .collect();
    report::sarif_log(&sarif_rules, &results)
}

/// `--list-rules`: every rule, in the chosen format.
fn list_rules(rules: &[RuleMeta], format: ReportFormat) -> String {
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
            report::to_json_text(&json!({ "rules": items }))
        }
    }
}
