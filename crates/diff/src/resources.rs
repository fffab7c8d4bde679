//! Resources: added, removed, renamed and modified, with what CloudFormation replaces.
//!
//! A resource is replaced when its `Type` changes, when its logical id changes (a rename
//! is a new resource and a deletion), when a property AWS documents as "Update requires:
//! Replacement" changes ([`crate::replacement`]), and, conditionally, when such a property
//! refers to a resource that is itself replaced: its value then changes at deployment
//! although the template text does not.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};
use stackweave_template::RefKind;

use crate::compare::{Difference, Segment, compare_objects, format_path, leaves};
use crate::model::{
    ModifiedResource, PropertyChange, RenamedResource, Replacement, ResourceDiff, ResourceRef,
};
use crate::replacement::requires_replacement;

/// A removed and an added resource of the same type count as one renamed resource when at
/// most this fraction (1 / N) of their leaf values differ. Renaming a construct also
/// renames what is derived from its id (an inline policy's name, a description), so
/// identical content is too strict.
const RENAME_MAX_CHANGED_FRACTION: usize = 5;

pub(crate) fn diff_resources(old: &Map<String, Value>, new: &Map<String, Value>) -> ResourceDiff {
    let mut modified: Vec<ModifiedResource> = new
        .iter()
        .filter_map(|(id, resource)| {
            let before = old.get(id)?;
            modified_resource(id, before, resource)
        })
        .collect();

    let removed: Vec<&String> = old.keys().filter(|id| !new.contains_key(*id)).collect();
    let added: Vec<&String> = new.keys().filter(|id| !old.contains_key(*id)).collect();
    let renames = match_renames(&removed, &added, old, new);

    let renamed_old: BTreeSet<&str> = renames.iter().map(|(o, _)| o.as_str()).collect();
    let renamed_new: BTreeSet<&str> = renames.iter().map(|(_, n)| n.as_str()).collect();
    let mut renamed: Vec<RenamedResource> = renames
        .iter()
        .map(|(old_id, new_id)| renamed_resource(old_id, new_id, &old[*old_id], &new[*new_id]))
        .collect();
    let positions: HashMap<&str, usize> = new
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    renamed.sort_by_key(|r| positions.get(r.new_logical_id.as_str()).copied());

    mark_knock_on_replacements(old, new, &mut modified);
    modified.sort_by_key(|m| positions.get(m.logical_id.as_str()).copied());

    ResourceDiff {
        added: added
            .iter()
            .filter(|id| !renamed_new.contains(id.as_str()))
            .map(|id| resource_ref(id, &new[*id]))
            .collect(),
        removed: removed
            .iter()
            .filter(|id| !renamed_old.contains(id.as_str()))
            .map(|id| resource_ref(id, &old[*id]))
            .collect(),
        renamed,
        modified,
    }
}

fn resource_ref(id: &str, resource: &Value) -> ResourceRef {
    ResourceRef {
        logical_id: id.to_owned(),
        resource_type: type_of(resource).unwrap_or_default().to_owned(),
    }
}

fn type_of(resource: &Value) -> Option<&str> {
    resource.get("Type").and_then(Value::as_str)
}

/// A resource without its `Type`, with what means the same written the same way: no
/// `Properties` is empty `Properties`, and `DependsOn: X` is `DependsOn: [X]`.
fn normalised(resource: &Value) -> Map<String, Value> {
    let mut body = resource.as_object().cloned().unwrap_or_default();
    body.shift_remove("Type");
    if let Some(Value::String(single)) = body.get("DependsOn") {
        let list = Value::Array(vec![Value::String(single.clone())]);
        body.insert("DependsOn".to_owned(), list);
    }
    body.entry("Properties")
        .or_insert_with(|| Value::Object(Map::new()));
    body
}

fn differences(old: &Value, new: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    compare_objects(
        &normalised(old),
        &normalised(new),
        &mut Vec::new(),
        &mut out,
    );
    out
}

/// Whether a difference replaces a resource of `resource_type`, and why.
fn classify(resource_type: &str, difference: &Difference) -> (Replacement, Option<String>) {
    match difference.path.as_slice() {
        [Segment::Key(section), Segment::Key(property), ..]
            if section == "Properties" && requires_replacement(resource_type, property) =>
        {
            (
                Replacement::Always,
                Some(format!(
                    "AWS documents {property} of {resource_type} as \"Update requires: Replacement\""
                )),
            )
        }
        _ => (Replacement::Never, None),
    }
}

fn property_changes(resource_type: &str, differences: Vec<Difference>) -> Vec<PropertyChange> {
    differences
        .into_iter()
        .map(|difference| {
            let (replacement, reason) = classify(resource_type, &difference);
            PropertyChange {
                path: format_path(&difference.path),
                old: difference.old,
                new: difference.new,
                replacement,
                reason,
            }
        })
        .collect()
}

fn modified_resource(id: &str, old: &Value, new: &Value) -> Option<ModifiedResource> {
    let new_type = type_of(new).unwrap_or_default();
    let mut changes = Vec::new();
    if old.get("Type") != new.get("Type") {
        changes.push(PropertyChange {
            path: "Type".to_owned(),
            old: old.get("Type").cloned(),
            new: new.get("Type").cloned(),
            replacement: Replacement::Always,
            reason: Some(
                "the type changed: CloudFormation creates a new resource and deletes the old one"
                    .to_owned(),
            ),
        });
    }
    changes.extend(property_changes(new_type, differences(old, new)));
    if changes.is_empty() {
        return None;
    }
    Some(ModifiedResource {
        logical_id: id.to_owned(),
        resource_type: new_type.to_owned(),
        replacement: strongest(&changes),
        changes,
    })
}

fn strongest(changes: &[PropertyChange]) -> Replacement {
    changes
        .iter()
        .map(|change| change.replacement)
        .max()
        .unwrap_or(Replacement::Never)
}

/// The most removed × added pairs of one type compared for a near-identical rename. Beyond
/// it (thousands of resources renamed at once) only identical content counts as a rename,
/// so a diff stays linear; the rest show as removed and added, still marked as replacing.
const RENAME_COMPARISON_BUDGET: usize = 250_000;

/// Pairs removed and added resources that are one resource under a new logical id: same
/// type, (nearly) the same content. Identical content pairs first (found by hashing, in
/// template order); then, within [`RENAME_COMPARISON_BUDGET`], the closest remaining pairs,
/// ties going to template order, so the result depends on nothing but the two templates.
fn match_renames<'a>(
    removed: &[&'a String],
    added: &[&'a String],
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Vec<(&'a String, &'a String)> {
    let (mut old_taken, mut new_taken) = (vec![false; removed.len()], vec![false; added.len()]);
    let mut pairs = Vec::new();

    // Identical content: the common rename (a construct moved or renamed).
    let content = |resource: &Value| Value::Object(normalised(resource)).to_string();
    let mut by_content: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, new_id) in added.iter().enumerate().rev() {
        by_content
            .entry(content(&new[*new_id]))
            .or_default()
            .push(j);
    }
    for (i, old_id) in removed.iter().enumerate() {
        if let Some(j) = by_content
            .get_mut(&content(&old[*old_id]))
            .and_then(Vec::pop)
        {
            old_taken[i] = true;
            new_taken[j] = true;
            pairs.push((removed[i], added[j]));
        }
    }

    // Near-identical content, closest first.
    let left: Vec<usize> = (0..removed.len()).filter(|&i| !old_taken[i]).collect();
    let right: Vec<usize> = (0..added.len()).filter(|&j| !new_taken[j]).collect();
    if left.len().saturating_mul(right.len()) > RENAME_COMPARISON_BUDGET {
        return pairs;
    }
    let size = |resource: &Value| leaves(&Value::Object(normalised(resource)));
    let right_sizes: Vec<usize> = right.iter().map(|&j| size(&new[added[j]])).collect();
    let mut candidates = Vec::new();
    for &i in &left {
        let before = &old[removed[i]];
        let Some(old_type) = type_of(before) else {
            continue;
        };
        let before_size = size(before);
        for (&j, &after_size) in right.iter().zip(&right_sizes) {
            let after = &new[added[j]];
            if type_of(after) != Some(old_type) {
                continue;
            }
            let changed: usize = differences(before, after)
                .iter()
                .map(Difference::weight)
                .sum();
            let total = before_size.max(after_size);
            if changed * RENAME_MAX_CHANGED_FRACTION <= total {
                // Compare fractions without floating point: changed / total, scaled.
                let distance = changed.saturating_mul(1_000_000) / total.max(1);
                candidates.push((distance, i, j));
            }
        }
    }
    candidates.sort_unstable();
    for (_, i, j) in candidates {
        if !old_taken[i] && !new_taken[j] {
            old_taken[i] = true;
            new_taken[j] = true;
            pairs.push((removed[i], added[j]));
        }
    }
    pairs
}

fn renamed_resource(old_id: &str, new_id: &str, old: &Value, new: &Value) -> RenamedResource {
    let resource_type = type_of(new).unwrap_or_default();
    RenamedResource {
        old_logical_id: old_id.to_owned(),
        new_logical_id: new_id.to_owned(),
        resource_type: resource_type.to_owned(),
        replacement: Replacement::Always,
        reason: format!(
            "the logical id changed: CloudFormation creates {new_id} and deletes {old_id}"
        ),
        changes: property_changes(resource_type, differences(old, new)),
    }
}

/// Marks resources kept in place whose replacement property (unchanged in the text) refers
/// to a replaced resource: once the target is replaced the reference resolves to a new
/// value, and CloudFormation replaces this resource too. Repeats until nothing more is
/// marked, since a marked resource can in turn be referred to.
fn mark_knock_on_replacements(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    modified: &mut Vec<ModifiedResource>,
) {
    let mut replaced: BTreeSet<String> = modified
        .iter()
        .filter(|m| m.replacement != Replacement::Never)
        .map(|m| m.logical_id.clone())
        .collect();
    loop {
        let mut marked = false;
        for (id, resource) in new {
            if replaced.contains(id) || !old.contains_key(id) {
                continue;
            }
            let resource_type = type_of(resource).unwrap_or_default();
            let Some(properties) = resource.get("Properties").and_then(Value::as_object) else {
                continue;
            };
            let hit = properties.iter().find_map(|(name, value)| {
                if !requires_replacement(resource_type, name) {
                    return None;
                }
                let target = stackweave_template::references(value)
                    .into_iter()
                    .filter(|r| r.kind != RefKind::Condition)
                    .map(|r| r.id)
                    .find(|t| replaced.contains(t))?;
                Some((name, value, target))
            });
            let Some((name, value, target)) = hit else {
                continue;
            };
            let change = PropertyChange {
                path: format_path(&[
                    Segment::Key("Properties".to_owned()),
                    Segment::Key(name.clone()),
                ]),
                old: Some(value.clone()),
                new: Some(value.clone()),
                replacement: Replacement::Conditional,
                reason: Some(format!(
                    "refers to {target}, which is replaced; AWS documents {name} of \
                     {resource_type} as \"Update requires: Replacement\""
                )),
            };
            match modified.iter_mut().find(|m| &m.logical_id == id) {
                Some(entry) => {
                    entry.changes.push(change);
                    entry.replacement = strongest(&entry.changes);
                }
                None => modified.push(ModifiedResource {
                    logical_id: id.clone(),
                    resource_type: resource_type.to_owned(),
                    replacement: Replacement::Conditional,
                    changes: vec![change],
                }),
            }
            replaced.insert(id.clone());
            marked = true;
        }
        if !marked {
            break;
        }
    }
}
