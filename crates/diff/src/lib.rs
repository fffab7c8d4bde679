//! A semantic diff of two CloudFormation templates, for `stackweave diff OLD NEW` in CI.
//!
//! [`diff`] compares two templates in long form (as `stackweave-template-file` reads them)
//! by meaning, not text: key order and `DependsOn: X` versus `[X]` are no change. It
//! reports resources added, removed, renamed (a new logical id for the same resource) and
//! modified, path by path, marking every change that makes CloudFormation **replace** a
//! resource: a `Type` change, a rename, a property AWS documents as "Update requires:
//! Replacement" ([`REPLACEMENT_PROPERTIES`]), and, as "may be replaced", such a property
//! that refers to a replaced resource. It lists outputs, parameters and other sections
//! that changed, and gathers **IAM changes** (statements, trust statements, managed
//! policies, policy attachments gained or lost) in one list, so that a widened permission
//! is seen even when the rest of the diff is long.
//!
//! [`TemplateDiff::render_text`] lays the diff out for people; its `serde` serialisation is
//! the machine-readable report.
//!
//! # The JSON report
//!
//! Serialising a [`TemplateDiff`] gives one object with the fields `resources`, `outputs`,
//! `parameters`, `sections` and `iam`. Names are snake_case; lists are in template order;
//! optional fields (`old`, `new`, `reason`, and the statement fields documented on
//! [`IamStatement`]) are left out when absent, never `null`. For example, after widening
//! the API role's action from `states:StartSyncExecution` to `states:*` and renaming the
//! stage (`StageName: prod` to `v1`) in `examples/api-to-express`:
//!
//! ```json
//! {
//!   "resources": {
//!     "added": [],
//!     "removed": [],
//!     "renamed": [],
//!     "modified": [
//!       {
//!         "logical_id": "ApiRole",
//!         "resource_type": "AWS::IAM::Role",
//!         "replacement": "never",
//!         "changes": [
//!           {
//!             "path": "Properties.Policies[0].PolicyDocument.Statement[0].Action[0]",
//!             "old": "states:StartSyncExecution",
//!             "new": "states:*",
//!             "replacement": "never"
//!           }
//!         ]
//!       },
//!       {
//!         "logical_id": "ApiStage",
//!         "resource_type": "AWS::ApiGateway::Stage",
//!         "replacement": "always",
//!         "changes": [
//!           {
//!             "path": "Properties.StageName",
//!             "old": "prod",
//!             "new": "v1",
//!             "replacement": "always",
//!             "reason": "AWS documents StageName of AWS::ApiGateway::Stage as \"Update requires: Replacement\""
//!           }
//!         ]
//!       }
//!     ]
//!   },
//!   "outputs": { "added": [], "removed": [], "modified": [] },
//!   "parameters": { "added": [], "removed": [], "modified": [] },
//!   "sections": [],
//!   "iam": [
//!     {
//!       "change": "removed",
//!       "logical_id": "ApiRole",
//!       "resource_type": "AWS::IAM::Role",
//!       "kind": "statement",
//!       "policy": "ApiRolePolicy",
//!       "statement": {
//!         "sid": "StartSyncExecution",
//!         "effect": "Allow",
//!         "actions": ["states:StartSyncExecution"],
//!         "resources": ["${Workflow}"]
//!       }
//!     },
//!     {
//!       "change": "added",
//!       "logical_id": "ApiRole",
//!       "resource_type": "AWS::IAM::Role",
//!       "kind": "statement",
//!       "policy": "ApiRolePolicy",
//!       "statement": {
//!         "sid": "StartSyncExecution",
//!         "effect": "Allow",
//!         "actions": ["states:*"],
//!         "resources": ["${Workflow}"]
//!       }
//!     }
//!   ]
//! }
//! ```
//!
//! Other `iam` kinds are `trust_statement` (with `statement`), `managed_policy` (with
//! `arn`) and `attachment` (with `target_type` and `target`). Replacement values are
//! `never`, `conditional` and `always`.

mod compare;
mod iam;
mod model;
mod render;
mod replacement;
mod resources;

use serde_json::{Map, Value};

pub use crate::model::{
    Entry, EntryDiff, IamChange, IamChangeKind, IamItem, IamStatement, ModifiedEntry,
    ModifiedResource, PropertyChange, RenamedResource, Replacement, ResourceDiff, ResourceRef,
    SectionChange, TemplateDiff, ValueChange,
};
pub use crate::replacement::{REPLACEMENT_PROPERTIES, requires_replacement};

use crate::compare::{Difference, Segment, compare, compare_present, format_path};

/// The sections compared entry by entry; every other top-level key is compared as a whole
/// (path by path) under [`TemplateDiff::sections`].
const NAMED_SECTIONS: [&str; 3] = ["Resources", "Outputs", "Parameters"];

/// Compares two templates in long form (no YAML short forms). Anything that is not a
/// mapping where a mapping belongs counts as empty.
pub fn diff(old: &Value, new: &Value) -> TemplateDiff {
    let empty = Map::new();
    let old_root = old.as_object().unwrap_or(&empty);
    let new_root = new.as_object().unwrap_or(&empty);
    let section = |root: &'_ Map<String, Value>, name: &str| -> Map<String, Value> {
        root.get(name)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (old_resources, new_resources) = (
        section(old_root, "Resources"),
        section(new_root, "Resources"),
    );
    TemplateDiff {
        resources: resources::diff_resources(&old_resources, &new_resources),
        outputs: entries(&section(old_root, "Outputs"), &section(new_root, "Outputs")),
        parameters: entries(
            &section(old_root, "Parameters"),
            &section(new_root, "Parameters"),
        ),
        sections: other_sections(old_root, new_root),
        iam: iam::diff_iam(&old_resources, &new_resources),
    }
}

/// Compares two JSON values of any shape (not templates: a stack's deployment settings,
/// say) path by path, as sections outside `Resources` are compared; paths are written as
/// [`ValueChange::path`] says, from the root (`tags.team`).
pub fn diff_values(old: &Value, new: &Value) -> Vec<ValueChange> {
    let mut differences = Vec::new();
    compare(old, new, &mut Vec::new(), &mut differences);
    value_changes(differences)
}

/// Renders changes from [`diff_values`] for people under a bold `title`, each line as
/// [`TemplateDiff::render_text`] writes a change to an output or a parameter.
pub fn render_value_changes(title: &str, changes: &[ValueChange], color: bool) -> String {
    render::value_changes_block(title, changes, color)
}

fn value_changes(differences: Vec<Difference>) -> Vec<ValueChange> {
    differences
        .into_iter()
        .map(|d| ValueChange {
            path: format_path(&d.path),
            old: d.old,
            new: d.new,
        })
        .collect()
}

fn entries(old: &Map<String, Value>, new: &Map<String, Value>) -> EntryDiff {
    let entry = |(id, value): (&String, &Value)| Entry {
        id: id.clone(),
        value: value.clone(),
    };
    EntryDiff {
        added: new
            .iter()
            .filter(|(id, _)| !old.contains_key(*id))
            .map(entry)
            .collect(),
        removed: old
            .iter()
            .filter(|(id, _)| !new.contains_key(*id))
            .map(entry)
            .collect(),
        modified: new
            .iter()
            .filter_map(|(id, after)| {
                let before = old.get(id)?;
                let mut differences = Vec::new();
                compare(before, after, &mut Vec::new(), &mut differences);
                (!differences.is_empty()).then(|| ModifiedEntry {
                    id: id.clone(),
                    changes: value_changes(differences),
                })
            })
            .collect(),
    }
}

/// Every top-level key but the named sections (which are also reported here when one side
/// is not a mapping, so that nothing goes unreported), old order first, then new keys.
fn other_sections(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<SectionChange> {
    let named_and_well_formed = |key: &str| {
        NAMED_SECTIONS.contains(&key)
            && [old.get(key), new.get(key)]
                .iter()
                .all(|v| v.is_none_or(Value::is_object))
    };
    let keys = old
        .keys()
        .chain(new.keys().filter(|key| !old.contains_key(*key)));
    keys.filter(|key| !named_and_well_formed(key))
        .filter_map(|key| {
            let mut differences = Vec::new();
            let mut path = vec![Segment::Key(key.clone())];
            compare_present(old.get(key), new.get(key), &mut path, &mut differences);
            (!differences.is_empty()).then(|| SectionChange {
                section: key.clone(),
                changes: value_changes(differences),
            })
        })
        .collect()
}
