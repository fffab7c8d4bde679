//! Whether a deployment needs a person's approval before it runs, and why.
//!
//! `--require-approval broadening` (the default) stops a deployment that grants more than
//! the stack granted before: a widened permission is the change a reviewer most needs to
//! see and the easiest to miss in a long diff. "More" is read from `stackweave-diff`'s IAM
//! model, statement by statement: a statement that is new, or wider than anything the same
//! resource allowed before (`s3:GetObject` becoming `s3:*`), asks; one that is narrower
//! does not. The comparison is deliberately simple and errs towards asking: it never
//! decides that two different things grant the same.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};
use stackweave_diff::{IamChangeKind, IamItem, IamStatement, TemplateDiff, diff};

use crate::grants::{covered, describe, is_deny};
use crate::text::some_of;

/// Resource types whose whole point is a resource-based policy (who may use a bucket,
/// topic, queue, function, ...). `stackweave-diff` does not read them statement by
/// statement, so any new or changed one asks for approval.
const RESOURCE_POLICY_TYPES: [&str; 10] = [
    "AWS::S3::BucketPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::Lambda::Permission",
    "AWS::Lambda::LayerVersionPermission",
    "AWS::Events::EventBusPolicy",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::Logs::ResourcePolicy",
    "AWS::KMS::Key",
    "AWS::OpenSearchService::Domain",
];

/// How much of a change needs a person's approval (`--require-approval`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ApprovalPolicy {
    /// Nothing does (`never`).
    Never,
    /// What grants more than before (`broadening`): a new IAM role, user, group or other
    /// IAM resource, a widened permission or trust, a removed or narrowed `Deny`, a
    /// managed policy or a policy attachment gained, a permissions boundary changed or
    /// removed, a new or changed resource policy.
    #[default]
    Broadening,
    /// Any difference from the deployed template, and every first deploy (`any-change`).
    AnyChange,
}

impl ApprovalPolicy {
    /// The names on the command line, in order of strictness.
    pub const NAMES: [&'static str; 3] = ["never", "broadening", "any-change"];

    /// The name on the command line: `never`, `broadening` or `any-change`.
    pub fn name(self) -> &'static str {
        match self {
            ApprovalPolicy::Never => "never",
            ApprovalPolicy::Broadening => "broadening",
            ApprovalPolicy::AnyChange => "any-change",
        }
    }
}

impl fmt::Display for ApprovalPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--require-approval` value that is none of [`ApprovalPolicy::NAMES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownApprovalPolicy(pub String);

impl fmt::Display for UnknownApprovalPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown approval policy `{}`: expected never, broadening or any-change",
            stackweave_location::shortened(&self.0)
        )
    }
}

impl std::error::Error for UnknownApprovalPolicy {}

impl FromStr for ApprovalPolicy {
    type Err = UnknownApprovalPolicy;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "never" => Ok(ApprovalPolicy::Never),
            "broadening" => Ok(ApprovalPolicy::Broadening),
            "any-change" => Ok(ApprovalPolicy::AnyChange),
            other => Err(UnknownApprovalPolicy(other.to_owned())),
        }
    }
}

/// Whether deploying `new` over `deployed` (`None`: the stack does not exist yet) needs
/// approval under `policy`: `None` when it does not, otherwise one sentence per reason, in
/// template order. Both templates are long-form JSON.
///
/// Under [`ApprovalPolicy::Broadening`], a first deploy asks when the template has any
/// IAM resource (each is new, and everything it grants is too). Under
/// [`ApprovalPolicy::AnyChange`], the broadening reasons come first, then a summary of
/// every other change.
pub fn approval_needed(
    policy: ApprovalPolicy,
    deployed: Option<&Value>,
    new: &Value,
) -> Option<Vec<String>> {
    if policy == ApprovalPolicy::Never {
        return None;
    }
    let nothing = Value::Object(Map::new());
    let old = deployed.unwrap_or(&nothing);
    let changes = diff(old, new);
    let mut reasons = broadening(old, new, &changes);
    if policy == ApprovalPolicy::AnyChange {
        if deployed.is_none() {
            let count = changes.resources.added.len();
            reasons.push(format!(
                "the stack does not exist yet: deploying creates it with {count} {}",
                noun(count, "resource")
            ));
        } else {
            reasons.extend(other_changes(&changes));
        }
    }
    let mut seen = HashSet::new();
    reasons.retain(|reason| seen.insert(reason.clone()));
    (!reasons.is_empty()).then_some(reasons)
}

/// Every way `changes` grants more than `old` did.
fn broadening(old: &Value, new: &Value, changes: &TemplateDiff) -> Vec<String> {
    let nothing = Value::Object(Map::new());
    // Everything each side grants: diffing a template against an empty one lists all of
    // its IAM facts.
    let granted_before = diff(old, &nothing).iam;
    let granted_after = diff(&nothing, new).iam;
    let renames: Vec<(&str, &str)> = changes
        .resources
        .renamed
        .iter()
        .map(|r| (r.old_logical_id.as_str(), r.new_logical_id.as_str()))
        .collect();
    let is_new: HashSet<&str> = changes
        .resources
        .added
        .iter()
        .map(|r| r.logical_id.as_str())
        .collect();

    let mut reasons = Vec::new();
    for resource in &changes.resources.added {
        let id = &resource.logical_id;
        match resource.resource_type.as_str() {
            "AWS::IAM::Role" => reasons.push(format!("new IAM role {id}")),
            "AWS::IAM::User" => reasons.push(format!("new IAM user {id}")),
            "AWS::IAM::Group" => reasons.push(format!("new IAM group {id}")),
            other if other.starts_with("AWS::IAM::") => {
                reasons.push(format!("new IAM resource {id} ({other})"));
            }
            _ => {}
        }
    }

    for change in &changes.iam {
        let id = change.logical_id.as_str();
        let now = if is_new.contains(id) { "" } else { "now " };
        // What the same resource granted before (or the one it was renamed from), and
        // what it grants after (or the one it was renamed to).
        let before = |trust| {
            let whose = |other: &str| other == id || renames.contains(&(other, id));
            statements(&granted_before, whose, trust)
        };
        let after = |trust| {
            let whose = |other: &str| other == id || renames.contains(&(id, other));
            statements(&granted_after, whose, trust)
        };
        let reason = match (change.change, &change.item) {
            (IamChangeKind::Added, IamItem::Statement { policy, statement })
                if !is_deny(statement) && !covered(statement, &before(false)) =>
            {
                let beyond = if now.is_empty() {
                    ""
                } else {
                    ", beyond what it allowed before"
                };
                format!(
                    "{id} {now}allows {}{beyond} (policy {policy})",
                    describe(statement)
                )
            }
            (IamChangeKind::Added, IamItem::TrustStatement { statement })
                if !is_deny(statement) && !covered(statement, &before(true)) =>
            {
                format!("{id} can {now}be assumed: {}", describe(statement))
            }
            (IamChangeKind::Removed, IamItem::Statement { statement, .. })
                if is_deny(statement) && !covered(statement, &after(false)) =>
            {
                format!("{id} no longer denies {}", describe(statement))
            }
            (IamChangeKind::Removed, IamItem::TrustStatement { statement })
                if is_deny(statement) && !covered(statement, &after(true)) =>
            {
                format!(
                    "the trust policy of {id} no longer denies {}",
                    describe(statement)
                )
            }
            (IamChangeKind::Added, IamItem::ManagedPolicy { arn }) => {
                format!("{id} gains the managed policy {arn}")
            }
            (
                IamChangeKind::Added,
                IamItem::Attachment {
                    target_type,
                    target,
                },
            ) => {
                format!("policy {id} {now}applies to {target_type} {target}")
            }
            _ => continue,
        };
        reasons.push(reason);
    }

    for resource in &changes.resources.modified {
        let boundary = resource.changes.iter().any(|change| {
            change.path.starts_with("Properties.PermissionsBoundary") && change.old.is_some()
        });
        if resource.resource_type.starts_with("AWS::IAM::") && boundary {
            reasons.push(format!(
                "the permissions boundary of {} changes or is removed",
                resource.logical_id
            ));
        }
    }

    for resource in &changes.resources.added {
        if RESOURCE_POLICY_TYPES.contains(&resource.resource_type.as_str()) {
            reasons.push(format!(
                "new resource policy {} ({})",
                resource.logical_id, resource.resource_type
            ));
        }
    }
    for resource in &changes.resources.modified {
        if RESOURCE_POLICY_TYPES.contains(&resource.resource_type.as_str()) {
            reasons.push(format!(
                "resource policy {} ({}) changes; resource policies are not compared \
                 statement by statement, so any change may widen access",
                resource.logical_id, resource.resource_type
            ));
        }
    }
    reasons
}

/// The permission (or, with `trust`, trust) statements among `facts` of the resources
/// `whose` accepts.
fn statements(
    facts: &[stackweave_diff::IamChange],
    whose: impl Fn(&str) -> bool,
    trust: bool,
) -> Vec<&IamStatement> {
    facts
        .iter()
        .filter(|fact| whose(&fact.logical_id))
        .filter_map(|fact| match (&fact.item, trust) {
            (IamItem::Statement { statement, .. }, false)
            | (IamItem::TrustStatement { statement }, true) => Some(statement),
            _ => None,
        })
        .collect()
}

/// Every change besides what grants more, summarised per kind, for `any-change`.
fn other_changes(changes: &TemplateDiff) -> Vec<String> {
    let mut out = Vec::new();
    let resources = &changes.resources;
    let mut push = |what: &str, verb: &str, items: Vec<String>| {
        if !items.is_empty() {
            let count = items.len();
            let be = if count == 1 { "is" } else { "are" };
            out.push(format!(
                "{count} {} {be} {verb}: {}",
                noun(count, what),
                some_of(&items, 5)
            ));
        }
    };
    push(
        "resource",
        "added",
        resources
            .added
            .iter()
            .map(|r| r.logical_id.clone())
            .collect(),
    );
    push(
        "resource",
        "modified",
        resources
            .modified
            .iter()
            .map(|r| r.logical_id.clone())
            .collect(),
    );
    push(
        "resource",
        "renamed",
        resources
            .renamed
            .iter()
            .map(|r| format!("{} -> {}", r.old_logical_id, r.new_logical_id))
            .collect(),
    );
    push(
        "resource",
        "removed",
        resources
            .removed
            .iter()
            .map(|r| r.logical_id.clone())
            .collect(),
    );
    for (what, entries) in [
        ("output", &changes.outputs),
        ("parameter", &changes.parameters),
    ] {
        let names = entries
            .added
            .iter()
            .map(|e| e.id.clone())
            .chain(entries.removed.iter().map(|e| e.id.clone()))
            .chain(entries.modified.iter().map(|e| e.id.clone()))
            .collect();
        push(what, "changed", names);
    }
    push(
        "template section",
        "changed",
        changes.sections.iter().map(|s| s.section.clone()).collect(),
    );
    out
}

fn noun(count: usize, singular: &str) -> String {
    if count == 1 {
        singular.to_owned()
    } else {
        format!("{singular}s")
    }
}
