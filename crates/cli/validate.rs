//! `stackweave validate`: policy rules over the final template, as cdk-nag runs over a CDK
//! app's. Built-in rules (crate `stackweave-rules`) and the rules of validator plugins run on
//! the merged template; each finding is tied back to its resource, construct and line, and
//! the stack file's suppressions mark findings as accepted without hiding them.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::{Map, Value, json};
use stackweave_rules::Finding;
use stackweave_stack::{Location, Suppression};
use stackweave_synth::{Diagnostic, LoadedValidator, Options, Registry, RuleSeverity};

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
    let mut rules = builtin_rules();
    rules.extend(plugin_rules(registry.validators()));
    let Some(input) = input else {
        return exit::print_or_report(&list_rules(&rules, args.format), false);
    };
    if let Input::Stack(synthesis) = &input {
        exit::report(&synthesis.warnings);
    }
    let opted_in = match opted_in(&rules, &input, &args.enable) {
        Ok(opted_in) => opted_in,
        Err(errors) => return exit::input_error(&errors),
    };
    let mut findings = stackweave_rules::check(input.template(), &opted_in);
    match run_validators(registry.validators(), input.template(), input.path()) {
        Ok(found) => findings.extend(found),
        Err(errors) => return exit::input_error(&errors),
    }
    let (findings, stale) = match resolve(&rules, findings, &input) {
        Ok(resolved) => resolved,
        Err(errors) => return exit::input_error(&errors),
    };
    exit::report(&stale);
    let paint = Paint(args.format == ReportFormat::Text && report::use_color());
    let text = render(args.format, &input, &rules, &findings, paint);
    exit::print_or_report(&text, fails(&findings))
}

/// A rule from any source, as reports describe it.
#[derive(Clone, Debug)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    /// `error` or `warning`.
    pub severity: &'static str,
    pub rationale: String,
    pub fix: String,
    pub opt_in: bool,
    /// `built-in` or the validator plugin's name and origin.
    pub source: String,
}

/// One finding with everything a reviewer needs to act on it.
#[derive(Clone, Debug)]
pub struct Reported {
    pub rule: RuleMeta,
    pub message: String,
    pub logical_id: String,
    pub pointer: String,
    pub construct: Option<String>,
    pub location: Option<Location>,
    pub status: Status,
}

/// What became of a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// To be fixed.
    Open,
    /// The rule could not decide (a value is only known at deploy time).
    Undecided,
    /// Accepted in the stack file, for this reason, at this line.
    Suppressed { reason: String, line: usize },
}

impl Status {
    fn name(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Undecided => "undecided",
            Status::Suppressed { .. } => "suppressed",
        }
    }
}

/// The built-in rules as reports describe them.
pub fn builtin_rules() -> Vec<RuleMeta> {
    stackweave_rules::RULES
        .iter()
        .map(|rule| RuleMeta {
            id: rule.id.to_owned(),
            title: rule.title.to_owned(),
            severity: severity_name(rule.severity),
            rationale: rule.rationale.to_owned(),
            fix: rule.fix.to_owned(),
            opt_in: rule.opt_in,
            source: "built-in".to_owned(),
        })
        .collect()
}

/// The plugins holding the validators: those the synthesis of a stack file loaded (from
/// `--plugins` and the stack file's `plugins:`), or for a template (or none, to list the
/// rules) those in `--plugins`, loaded into the sandbox now.
pub fn validators(
    options: &Options,
    input: Option<&Input>,
) -> Result<Arc<Registry>, Vec<Diagnostic>> {
    match input {
        Some(Input::Stack(synthesis)) => Ok(Arc::clone(&synthesis.registry)),
        Some(Input::Template(_)) | None => stackweave_synth::new_registry(options, &[])
            .map(Arc::new)
            .map_err(|failure| failure.diagnostics),
    }
}

/// The rules of every validator plugin, as reports describe them.
pub fn plugin_rules(validators: &[LoadedValidator]) -> Vec<RuleMeta> {
    validators
        .iter()
        .flat_map(|loaded| {
            let source = format!(
                "{} {} ({})",
                loaded.info().name,
                loaded.info().version,
                loaded.origin
            );
            loaded.info().rules.iter().map(move |rule| RuleMeta {
                id: rule.id.clone(),
                title: rule.title.clone(),
                severity: match rule.severity {
                    RuleSeverity::Error => "error",
                    RuleSeverity::Warning => "warning",
                },
                rationale: rule.rationale.clone(),
                fix: rule.fix.clone(),
                opt_in: false,
                source: source.clone(),
            })
        })
        .collect()
}

/// Runs every validator plugin on the template. A validator that fails (a trap, a limit,
/// an undeclared rule) is an error naming it: its rules could not be checked.
pub fn run_validators(
    validators: &[LoadedValidator],
    template: &Value,
    path: &Path,
) -> Result<Vec<Finding>, Vec<Diagnostic>> {
    let json = template.to_string();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for loaded in validators {
        match loaded.validator.validate(&json) {
            // A plugin's finding, in the built-in rules' shape (the same fields).
            Ok(found) => findings.extend(found.into_iter().map(|f| Finding {
                rule_id: f.rule_id,
                logical_id: f.logical_id,
                pointer: f.pointer,
                message: f.message,
                undecided: f.undecided,
            })),
            Err(error) => errors.push(
                Diagnostic::error(format!("validating {}: {error}", path.display()))
                    .plugin(loaded.label())
                    .help("fix or remove the validator plugin; its rules were not checked"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(findings)
    } else {
        Err(errors)
    }
}

fn severity_name(severity: stackweave_rules::Severity) -> &'static str {
    match severity {
        stackweave_rules::Severity::Error => "error",
        stackweave_rules::Severity::Warning => "warning",
    }
}

/// Which opt-in rules run: those the stack file's `validation.enable` and `--enable` name.
/// An id that names no rule is an input error (exit 2), at its line.
pub fn opted_in(
    rules: &[RuleMeta],
    input: &Input,
    flags: &[String],
) -> Result<BTreeSet<String>, Vec<Diagnostic>> {
    let mut chosen = BTreeSet::new();
    let mut errors = Vec::new();
    let mut named: Vec<(String, Option<Location>)> =
        flags.iter().map(|id| (id.clone(), None)).collect();
    if let Input::Stack(synthesis) = input {
        let stack = &synthesis.stack;
        for choice in &stack.validation.enable {
            let location = stack.source_map.locate(&choice.pointer);
            named.push((choice.rule.clone(), Some(location)));
        }
    }
    for (id, location) in named {
        match rules.iter().find(|r| r.id == id) {
            Some(_) => {
                chosen.insert(id);
            }
            None => errors.push(unknown_rule(&id, rules, input.path(), location)),
        }
    }
    if errors.is_empty() {
        Ok(chosen)
    } else {
        Err(errors)
    }
}

fn unknown_rule(
    id: &str,
    rules: &[RuleMeta],
    path: &Path,
    location: Option<Location>,
) -> Diagnostic {
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let error = Diagnostic::error(format!("no rule has the id `{id}`"));
    let error = match location {
        Some(location) => error.at(path, Some(location)),
        None => error,
    };
    error.help(format!(
        "the rules are {}; `stackweave validate --list-rules` describes them",
        ids.join(", ")
    ))
}

/// Ties each finding to its rule, construct and line, and applies the stack file's
/// suppressions. Returns the findings and the suppressions that matched nothing (a stale
/// suppression hides nothing today but would hide tomorrow's finding: worth a warning).
pub fn resolve(
    rules: &[RuleMeta],
    findings: Vec<Finding>,
    input: &Input,
) -> Result<(Vec<Reported>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let suppressions: &[Suppression] = match input {
        Input::Stack(synthesis) => &synthesis.stack.validation.suppress,
        Input::Template(_) => &[],
    };
    let mut errors = Vec::new();
    for suppression in suppressions {
        if !rules.iter().any(|r| r.id == suppression.rule) {
            let location = suppression_location(input, suppression);
            errors.push(unknown_rule(
                &suppression.rule,
                rules,
                input.path(),
                Some(location),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut used = vec![false; suppressions.len()];
    let mut reported = Vec::new();
    for finding in findings {
        let Some(rule) = rules.iter().find(|r| r.id == finding.rule_id) else {
            continue;
        };
        let construct = input
            .construct_path(&finding.logical_id)
            .map(|p| p.join("/"));
        let matching = suppressions.iter().position(|s| {
            s.rule == finding.rule_id
                && s.resource.as_deref().is_none_or(|resource| {
                    resource == finding.logical_id
                        || construct.as_deref().is_some_and(|path| {
                            path == resource || path.starts_with(&format!("{resource}/"))
                        })
                })
        });
        let status = match matching {
            Some(index) => {
                used[index] = true;
                let suppression = &suppressions[index];
                Status::Suppressed {
                    reason: suppression.reason.clone(),
                    line: suppression_location(input, suppression).line,
                }
            }
            None if finding.undecided => Status::Undecided,
            None => Status::Open,
        };
        reported.push(Reported {
            rule: rule.clone(),
            message: finding.message,
            location: input.location_of_value(&finding.logical_id, &finding.pointer),
            logical_id: finding.logical_id,
            pointer: finding.pointer,
            construct,
            status,
        });
    }
    let stale = suppressions
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(suppression, _)| {
            let target = suppression
                .resource
                .as_deref()
                .map(|r| format!(" on `{r}`"))
                .unwrap_or_default();
            Diagnostic::warning(format!(
                "the suppression of `{}`{target} matches no finding",
                suppression.rule
            ))
            .at(input.path(), Some(suppression_location(input, suppression)))
            .help("remove it, so it cannot hide a future finding")
        })
        .collect();
    Ok((reported, stale))
}

fn suppression_location(input: &Input, suppression: &Suppression) -> Location {
    match input {
        Input::Stack(synthesis) => synthesis.stack.source_map.locate(&suppression.pointer),
        Input::Template(_) => Location::START,
    }
}

/// Whether the findings fail the run: any open finding, error or warning. Undecided and
/// suppressed findings are shown but do not fail it.
pub fn fails(findings: &[Reported]) -> bool {
    findings.iter().any(|f| f.status == Status::Open)
}

/// Renders the findings in `format`.
pub fn render(
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
pub fn list_rules(rules: &[RuleMeta], format: ReportFormat) -> String {
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
