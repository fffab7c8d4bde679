//! `stackweave diff OLD NEW` reports: the semantic diff (crate `stackweave-diff`) as text,
//! JSON, or SARIF results a reviewer sees on the pull request: each IAM change and each
//! replacement is a warning at the new side's resource, every other change a note.

use serde_json::{Map, Value, json};
use stackweave_diff::{IamChange, IamChangeKind, IamItem, Replacement, TemplateDiff};

use std::path::PathBuf;
use std::process::ExitCode;

use stackweave_synth::Diagnostic;

use crate::exit;
use crate::flags::SynthesisArgs;
use crate::input::{Input, display_path};
use crate::report::{self, Paint, ReportFormat, SarifResult, SarifRule};

const IAM_RULE: &str = "SW-DIFF-IAM";
const REPLACEMENT_RULE: &str = "SW-DIFF-REPLACE";
const CHANGE_RULE: &str = "SW-DIFF-CHANGE";

#[derive(clap::Args)]
pub struct DiffArgs {
    /// The old side: a template (YAML or JSON) or a stack file
    old: PathBuf,
    /// The new side: a template (YAML or JSON) or a stack file
    new: PathBuf,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, visible_alias = "report")]
    format: ReportFormat,
    /// Exit 1 when the two differ
    #[arg(long)]
    fail: bool,
    #[command(flatten)]
    synthesis: SynthesisArgs,
}

pub fn run(args: DiffArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    let (old, new) = match (
        Input::load(&args.old, &options),
        Input::load(&args.new, &options),
    ) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let errors: Vec<Diagnostic> = [old.err(), new.err()]
                .into_iter()
                .flatten()
                .flatten()
                .collect();
            return exit::input_error(&errors);
        }
    };
    let changes = stackweave_diff::diff(old.template(), new.template());
    let paint = Paint(args.format == ReportFormat::Text && report::use_color());
    let text = render(args.format, &old, &new, &changes, paint);
    exit::print_or_report(&text, args.fail && !changes.is_empty())
}

/// Renders `changes` between `old` and `new` in `format`.
pub fn render(
    format: ReportFormat,
    old: &Input,
    new: &Input,
    changes: &TemplateDiff,
    paint: Paint,
) -> String {
    match format {
        ReportFormat::Text => {
            let heading = format!(
                "stackweave diff {} {}",
                display_path(old.path()),
                display_path(new.path())
            );
            format!(
                "{}\n\n{}",
                paint.bold(&heading),
                changes.render_text(paint.0)
            )
        }
        ReportFormat::Json => report::to_json_text(&json!({
            "stackweave": env!("CARGO_PKG_VERSION"),
            "command": "diff",
            "old": display_path(old.path()),
            "new": display_path(new.path()),
            "empty": changes.is_empty(),
            "replacements": changes.has_replacements(),
            "diff": changes,
        })),
        ReportFormat::Sarif => report::to_json_text(&sarif(new, changes)),
    }
}

fn sarif(new: &Input, changes: &TemplateDiff) -> Value {
    let rules = [
        SarifRule {
            id: IAM_RULE.to_owned(),
            title: "IAM permissions change".to_owned(),
            rationale: "A granted or revoked permission deserves its own review, however long the rest of the diff.".to_owned(),
            fix: "Check that the new permission is needed and as narrow as it can be.".to_owned(),
            level: "warning",
        },
        SarifRule {
            id: REPLACEMENT_RULE.to_owned(),
            title: "Resource replaced on deployment".to_owned(),
            rationale: "CloudFormation creates a new resource and deletes the old one: its data, name and ARN do not survive.".to_owned(),
            fix: "Keep the logical id and the replacement-requiring properties, or plan the replacement.".to_owned(),
            level: "warning",
        },
        SarifRule {
            id: CHANGE_RULE.to_owned(),
            title: "Resource changed".to_owned(),
            rationale: "What the deployment will change, for review.".to_owned(),
            fix: "Nothing to do if the change is intended.".to_owned(),
            level: "note",
        },
    ];
    let file = display_path(new.path());
    let result = |rule: &str, level: &'static str, message: String, id: &str| SarifResult {
        rule_id: rule.to_owned(),
        level,
        message,
        file: file.clone(),
        region: new.location("Resources", id).map(|l| (l.line, l.column)),
        logical_id: Some(id.to_owned()),
        construct: new.construct_path(id).map(|p| p.join("/")),
        suppressed_because: None,
        properties: Map::new(),
    };
    let mut results = Vec::new();
    for change in &changes.iam {
        results.push(result(
            IAM_RULE,
            "warning",
            describe_iam(change),
            &change.logical_id,
        ));
    }
    let resources = &changes.resources;
    for renamed in &resources.renamed {
        let message = format!(
            "{} {} is now {}: {}",
            renamed.resource_type, renamed.old_logical_id, renamed.new_logical_id, renamed.reason
        );
        results.push(result(
            REPLACEMENT_RULE,
            "warning",
            message,
            &renamed.new_logical_id,
        ));
    }
    for modified in &resources.modified {
        let paths: Vec<&str> = modified.changes.iter().map(|c| c.path.as_str()).collect();
        let (rule, level, verb) = match modified.replacement {
            Replacement::Never => (CHANGE_RULE, "note", "changes"),
            Replacement::Conditional => (REPLACEMENT_RULE, "warning", "may be replaced"),
            Replacement::Always => (REPLACEMENT_RULE, "warning", "is replaced"),
        };
        let message = format!(
            "{} {} {verb}: {}",
            modified.resource_type,
            modified.logical_id,
            paths.join(", ")
        );
        results.push(result(rule, level, message, &modified.logical_id));
    }
    for added in &resources.added {
        let message = format!("{} {} is added", added.resource_type, added.logical_id);
        results.push(result(CHANGE_RULE, "note", message, &added.logical_id));
    }
    for removed in &resources.removed {
        // Gone from the new side: point at the file, not at a line.
        let mut entry = result(
            CHANGE_RULE,
            "note",
            format!(
                "{} {} is removed",
                removed.resource_type, removed.logical_id
            ),
            &removed.logical_id,
        );
        entry.region = None;
        results.push(entry);
    }
    report::sarif_log(&rules, &results)
}

/// One line for an IAM change: `ApiRole gains: Allow states:* on ${Workflow}`.
fn describe_iam(change: &IamChange) -> String {
    let verb = match change.change {
        IamChangeKind::Added => "gains",
        IamChangeKind::Removed => "loses",
    };
    let what = match &change.item {
        IamItem::Statement { policy, statement } => format!(
            "{} {} on {} (policy {policy})",
            statement.effect,
            join_or(&statement.actions, &statement.not_actions, "all but "),
            join_or(&statement.resources, &statement.not_resources, "all but ")
        ),
        IamItem::TrustStatement { statement } => format!(
            "trust: {} {} for {}",
            statement.effect,
            statement.actions.join(", "),
            join_or(&statement.principals, &statement.not_principals, "all but ")
        ),
        IamItem::ManagedPolicy { arn } => format!("managed policy {arn}"),
        IamItem::Attachment {
            target_type,
            target,
        } => format!("attachment to {target_type} {target}"),
    };
    format!("{} {verb}: {what}", change.logical_id)
}

fn join_or(plain: &[String], negated: &[String], prefix: &str) -> String {
    if plain.is_empty() && !negated.is_empty() {
        format!("{prefix}{}", negated.join(", "))
    } else {
        plain.join(", ")
    }
}
