//! `stackweave diff OLD NEW`'s report: the semantic diff (crate `stackweave-diff`) as text,
//! JSON, or SARIF results a reviewer sees on the pull request: each IAM change and each
//! replacement is a warning at the new side's resource, every other change a note.

use serde_json::{Value, json};
use stackweave_diff::{IamChange, IamChangeKind, IamItem, Replacement, TemplateDiff};

use super::{Paint, Report, SarifResult, SarifRule, display_path};
use crate::input::Input;

const IAM_RULE: &str = "SW-DIFF-IAM";
const REPLACEMENT_RULE: &str = "SW-DIFF-REPLACE";
const CHANGE_RULE: &str = "SW-DIFF-CHANGE";

/// The changes from `old` to `new`.
pub struct DiffReport<'a> {
    /// The old side.
    pub old: &'a Input,
    /// The new side: SARIF results point into it.
    pub new: &'a Input,
    /// What changed.
    pub changes: &'a TemplateDiff,
}

impl Report for DiffReport<'_> {
    const COMMAND: &'static str = "diff";

    fn text(&self, paint: Paint) -> String {
        let heading = format!(
            "stackweave diff {} {}",
            display_path(self.old.path()),
            display_path(self.new.path())
        );
        format!(
            "{}\n\n{}",
            paint.bold(&heading),
            self.changes.render_text(paint.0)
        )
    }

    fn json(&self) -> Value {
        json!({
            "old": display_path(self.old.path()),
            "new": display_path(self.new.path()),
            "empty": self.changes.is_empty(),
            "replacements": self.changes.has_replacements(),
            "diff": self.changes,
        })
    }

    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>) {
        let rules = vec![
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
        let new = self.new;
        let file = display_path(new.path());
        let result = |rule: &str, level: &'static str, message: String, id: &str| SarifResult {
            region: new.location("Resources", id).map(|l| (l.line, l.column)),
            logical_id: Some(id.to_owned()),
            construct: new.construct(id),
            ..SarifResult::new(rule, level, message, file.clone())
        };
        let mut results = Vec::new();
        for change in &self.changes.iam {
            results.push(result(
                IAM_RULE,
                "warning",
                describe_iam(change),
                &change.logical_id,
            ));
        }
        let resources = &self.changes.resources;
        for renamed in &resources.renamed {
            let message = format!(
                "{} {} is now {}: {}",
                renamed.resource_type,
                renamed.old_logical_id,
                renamed.new_logical_id,
                renamed.reason
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
        (rules, results)
    }
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
