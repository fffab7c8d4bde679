//! `stackweave diff OLD NEW`'s report: the semantic diff (crate `stackweave-diff`) as text,
//! JSON, or SARIF results a reviewer sees on the pull request: each IAM change and each
//! replacement is a warning at the new side's resource, every other change a note. An
//! app's diff ([`AppDiffReport`]) is the same report for each of its stacks, under a
//! heading naming the environments and the stack, with the changes to how each is deployed.

use std::path::Path;

use serde_json::{Value, json};
use stackweave_diff::{IamChange, IamChangeKind, IamItem, Replacement, TemplateDiff, ValueChange};

use super::{Paint, Report, SarifResult, SarifRule, Verdict, display_path, plural};
use crate::input::Input;

const IAM_RULE: &str = "SW-DIFF-IAM";
const REPLACEMENT_RULE: &str = "SW-DIFF-REPLACE";
const CHANGE_RULE: &str = "SW-DIFF-CHANGE";

/// The changes from `old` to `new`.
pub struct DiffReport<'a> {
    /// The old side; `None` for a stack only the new side has (a stack added to an app),
    /// whose every resource is then added.
    pub old: Option<&'a Input>,
    /// The new side: SARIF results point into it (into the old side when it is `None`, a
    /// stack removed from an app).
    pub new: Option<&'a Input>,
    /// What changed.
    pub changes: &'a TemplateDiff,
}

impl Report for DiffReport<'_> {
    const COMMAND: &'static str = "diff";

    fn text(&self, paint: Paint) -> String {
        let heading = format!(
            "stackweave diff {} {}",
            side_path(self.old).unwrap_or_else(|| "(none)".to_owned()),
            side_path(self.new).unwrap_or_else(|| "(none)".to_owned())
        );
        format!(
            "{}\n\n{}",
            paint.bold(&heading),
            self.changes.render_text(paint.0)
        )
    }

    fn json(&self) -> Value {
        json!({
            "old": side_path(self.old),
            "new": side_path(self.new),
            "empty": self.changes.is_empty(),
            "replacements": self.changes.has_replacements(),
            "diff": self.changes,
        })
    }

    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>) {
        (rules(), self.results())
    }
}

/// A side's file, as reports show paths.
fn side_path(side: Option<&Input>) -> Option<String> {
    side.map(|input| display_path(input.path()))
}

/// The rules of every diff's SARIF results.
fn rules() -> Vec<SarifRule> {
    vec![
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
    ]
}

impl DiffReport<'_> {
    /// One SARIF result per IAM change, replacement and other resource change.
    fn results(&self) -> Vec<SarifResult> {
        let Some(new) = self.new.or(self.old) else {
            return Vec::new();
        };
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
        results
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

const DEPLOYMENT_RULE: &str = "SW-DIFF-DEPLOY";

/// `stackweave diff` of an app: two of its environments, or two versions of it, stack by
/// stack, each stack's changes a [`DiffReport`] of its own under a heading.
pub struct AppDiffReport<'a> {
    /// The command as run, the text report's heading.
    pub command: String,
    /// The old side's app file.
    pub old: &'a Path,
    /// The new side's app file.
    pub new: &'a Path,
    /// Each stack, in deploy order (of the new side, then what only the old side has).
    pub stacks: Vec<AppStackDiff<'a>>,
}

/// One stack of an [`AppDiffReport`].
pub struct AppStackDiff<'a> {
    /// Its id in the app (the stack file's `name`).
    pub stack: &'a str,
    /// The environment of the old side.
    pub old_environment: &'a str,
    /// The environment of the new side (the same name when two versions are compared).
    pub new_environment: &'a str,
    /// How it is deployed (stack name, region, account, parameters, tags, dependencies),
    /// where that differs.
    pub deployment: &'a [ValueChange],
    /// Where the new side's environment is written in its app file.
    pub environment_at: Option<(usize, usize)>,
    /// Its template's changes; a side is `None` when only the other has the stack.
    pub template: DiffReport<'a>,
}

impl AppStackDiff<'_> {
    /// Whether nothing differs: neither the template nor how it is deployed.
    pub fn is_empty(&self) -> bool {
        self.deployment.is_empty()
            && self.template.changes.is_empty()
            && self.template.old.is_some()
            && self.template.new.is_some()
    }

    fn status(&self) -> &'static str {
        match (self.template.old, self.template.new) {
            (None, _) => "added",
            (_, None) => "removed",
            _ if self.is_empty() => "unchanged",
            _ => "modified",
        }
    }

    /// `dev -> prod: stack Api`, `dev: stack Api (added)`.
    fn heading(&self) -> String {
        let environments = match self.old_environment == self.new_environment {
            true => self.new_environment.to_owned(),
            false => format!("{} -> {}", self.old_environment, self.new_environment),
        };
        let status = match self.status() {
            status @ ("added" | "removed") => format!(" ({status})"),
            _ => String::new(),
        };
        format!("{environments}: stack {}{status}", self.stack)
    }
}

impl Report for AppDiffReport<'_> {
    const COMMAND: &'static str = "diff";

    fn text(&self, paint: Paint) -> String {
        let mut text = format!("{}\n", paint.bold(&self.command));
        for stack in &self.stacks {
            text.push('\n');
            text.push_str(&paint.bold(&format!("=== {} ===", stack.heading())));
            text.push('\n');
            let changes = stack.template.changes;
            if !stack.deployment.is_empty() {
                text.push_str(&stackweave_diff::render_value_changes(
                    "Deployment",
                    stack.deployment,
                    paint.0,
                ));
                text.push('\n');
                if changes.is_empty() {
                    text.push_str("No differences in the template\n");
                    continue;
                }
            }
            text.push_str(&changes.render_text(paint.0));
        }
        let differ = self.stacks.iter().filter(|s| !s.is_empty()).count();
        let total = self.stacks.len();
        let summary = match differ {
            0 => format!("No differences in {total} stack{}", plural(total)),
            1 => format!("1 of {total} stack{} differs", plural(total)),
            n => format!("{n} of {total} stacks differ"),
        };
        let verdict = match differ {
            0 => Verdict::Clear,
            _ => Verdict::Warns,
        };
        text.push('\n');
        text.push_str(&paint.verdict(verdict, &summary));
        text.push('\n');
        text
    }

    fn json(&self) -> Value {
        let stacks: Vec<Value> = self
            .stacks
            .iter()
            .map(|stack| {
                let mut entry = serde_json::Map::new();
                entry.insert("stack".into(), json!(stack.stack));
                entry.insert("old_environment".into(), json!(stack.old_environment));
                entry.insert("new_environment".into(), json!(stack.new_environment));
                entry.insert("status".into(), json!(stack.status()));
                if let Value::Object(fields) = stack.template.json() {
                    entry.extend(fields);
                }
                // Empty when neither the template nor the deployment differs.
                entry.insert("empty".into(), json!(stack.is_empty()));
                entry.insert("deployment".into(), json!(stack.deployment));
                Value::Object(entry)
            })
            .collect();
        json!({
            "old": display_path(self.old),
            "new": display_path(self.new),
            "empty": self.stacks.iter().all(AppStackDiff::is_empty),
            "replacements": self.stacks.iter().any(|s| s.template.changes.has_replacements()),
            "stacks": stacks,
        })
    }

    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>) {
        let mut rules = rules();
        rules.push(SarifRule {
            id: DEPLOYMENT_RULE.to_owned(),
            title: "Deployment setting changed".to_owned(),
            rationale: "Where and how a stack is deployed (stack name, region, account, parameters, tags, dependencies) differs, though its template may not.".to_owned(),
            fix: "Nothing to do if the change is intended.".to_owned(),
            level: "note",
        });
        let mut results = Vec::new();
        let app_file = display_path(self.new);
        for stack in &self.stacks {
            let heading = stack.heading();
            for change in stack.deployment {
                let show = |value: &Option<Value>| {
                    value
                        .as_ref()
                        .map_or("nothing".to_owned(), Value::to_string)
                };
                let message = format!(
                    "{heading}: {} changes from {} to {}",
                    change.path,
                    show(&change.old),
                    show(&change.new)
                );
                results.push(SarifResult {
                    region: stack.environment_at,
                    ..SarifResult::new(DEPLOYMENT_RULE, "note", message, app_file.clone())
                });
            }
            for mut result in stack.template.results() {
                result.message = format!("{heading}: {}", result.message);
                results.push(result);
            }
        }
        (rules, results)
    }
}
