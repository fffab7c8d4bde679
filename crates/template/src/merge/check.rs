//! Whole-template checks run by [`TemplateBuilder::finish`]: every reference resolves,
//! resources do not depend on each other in a cycle, and the count quotas hold.
//!
//! Errors come out in template order (conditions, resources, outputs; within an entry,
//! the order its references appear), then the cycle, then quotas, so the same stack
//! always reports the same list.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{MergeError, Owner, Quotas, RefKind, Section, TemplateBuilder};
use crate::logical_id::is_pseudo_parameter;
use crate::refs::{self, Site, Walk};

/// One reference as found: kind, target id, and the `Fn::Sub` attribute if any.
type Found = (RefKind, String, Option<String>);

/// Runs every check and returns all errors found.
pub(super) fn check(builder: &TemplateBuilder, quotas: &Quotas) -> Vec<MergeError> {
    let mut errors = Vec::new();
    // CloudFormation refuses a template without resources.
    if builder.resources.entries.is_empty() {
        errors.push(MergeError::NoResources);
    }
    let resolves = |found: &Found| -> bool {
        let (kind, id, sub_attribute) = found;
        let is_resource = builder.resources.entries.contains_key(id);
        match kind {
            RefKind::GetAtt | RefKind::DependsOn => is_resource,
            RefKind::Sub if sub_attribute.is_some() => is_resource,
            RefKind::Ref | RefKind::Sub => {
                is_resource
                    || builder.parameters.entries.contains_key(id)
                    || is_pseudo_parameter(id)
            }
            RefKind::Condition => builder.conditions.entries.contains_key(id),
        }
    };
    let mut dangling = |section: &Section, from: &dyn Fn(&str) -> String, walk: Walk| {
        for (id, value) in &section.entries {
            for found in references(value, walk) {
                if resolves(&found) {
                    continue;
                }
                let (kind, target, sub_attribute) = found;
                errors.push(MergeError::DanglingReference {
                    owner: section.owner(id).cloned().unwrap_or(Owner::StackFile),
                    from: from(id),
                    kind,
                    target: match sub_attribute {
                        Some(attribute) => format!("{target}.{attribute}"),
                        None => target,
                    },
                });
            }
        }
    };
    dangling(
        &builder.conditions,
        &|id| format!("Conditions.{id}"),
        refs::walk_condition,
    );
    dangling(&builder.resources, &|id| id.to_owned(), refs::walk_resource);
    dangling(
        &builder.outputs,
        &|id| format!("Outputs.{id}"),
        refs::walk_output,
    );

    if let Some(cycle) = find_cycle(&dependency_edges(&builder.resources)) {
        errors.push(MergeError::DependencyCycle {
            cycle: with_owners(&builder.resources, cycle),
        });
    }
    if let Some(cycle) = find_cycle(&condition_edges(&builder.conditions)) {
        errors.push(MergeError::ConditionCycle {
            cycle: with_owners(&builder.conditions, cycle),
        });
    }

    let counts = [
        (
            "resources",
            quotas.resources,
            builder.resources.entries.len(),
        ),
        ("outputs", quotas.outputs, builder.outputs.entries.len()),
        (
            "parameters",
            quotas.parameters,
            builder.parameters.entries.len(),
        ),
    ];
    for (quota, limit, actual) in counts {
        if actual > limit {
            errors.push(MergeError::QuotaExceeded {
                quota,
                limit,
                actual,
            });
        }
    }
    errors
}

/// The distinct references in one entry, in the order they first appear.
fn references(value: &Value, walk: Walk) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    // The walker can rewrite ids, so it needs a value of its own.
    let mut copy = value.clone();
    walk(&mut copy, &mut |site: Site<'_>| {
        // Only a `Fn::Sub` variable's attribute changes what it may refer to (and how it is
        // reported); a `Fn::GetAtt` is checked and reported by its resource alone.
        let attribute = site.attribute.filter(|_| site.kind == RefKind::Sub);
        let item = (site.kind, site.id.clone(), attribute);
        if !found.contains(&item) {
            found.push(item);
        }
    });
    found
}

/// For each resource (by position), the resources it depends on, in first-seen order.
fn dependency_edges(resources: &Section) -> Vec<Vec<usize>> {
    edges(resources, refs::walk_resource, |kind| {
        kind != RefKind::Condition
    })
}

/// For each condition (by position), the conditions its definition names, in first-seen
/// order.
fn condition_edges(conditions: &Section) -> Vec<Vec<usize>> {
    edges(conditions, refs::walk_condition, |kind| {
        kind == RefKind::Condition
    })
}

/// For each entry of `section` (by position), the entries of the same section it refers to
/// with a reference of a kind `counts`, in first-seen order.
fn edges(section: &Section, walk: Walk, counts: impl Fn(RefKind) -> bool) -> Vec<Vec<usize>> {
    let positions: BTreeMap<&str, usize> = section
        .entries
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    section
        .entries
        .values()
        .map(|value| {
            let mut targets = Vec::new();
            for (kind, id, _) in references(value, walk) {
                if !counts(kind) {
                    continue;
                }
                if let Some(&i) = positions.get(id.as_str())
                    && !targets.contains(&i)
                {
                    targets.push(i);
                }
            }
            targets
        })
        .collect()
}

/// The first cycle a depth-first search finds, visiting nodes and edges in order, as
/// node positions starting where the search entered it.
fn find_cycle(edges: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unvisited,
        OnPath,
        Finished,
    }
    let mut marks = vec![Mark::Unvisited; edges.len()];
    for start in 0..edges.len() {
        if marks[start] != Mark::Unvisited {
            continue;
        }
        // Each frame is a node on the current path and the index of its next edge.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        marks[start] = Mark::OnPath;
        while let Some((node, next)) = path.last_mut() {
            let node = *node;
            match edges[node].get(*next) {
                Some(&to) => {
                    *next += 1;
                    match marks[to] {
                        Mark::Unvisited => {
                            marks[to] = Mark::OnPath;
                            path.push((to, 0));
                        }
                        Mark::OnPath => {
                            let from = path.iter().position(|(n, _)| *n == to)?;
                            return Some(path[from..].iter().map(|(n, _)| *n).collect());
                        }
                        Mark::Finished => {}
                    }
                }
                None => {
                    marks[node] = Mark::Finished;
                    path.pop();
                }
            }
        }
    }
    None
}

/// The ids at `cycle`'s indexes into `section`, each with who contributed it.
fn with_owners(section: &Section, cycle: Vec<usize>) -> Vec<(String, Owner)> {
    let ids: Vec<&String> = section.entries.keys().collect();
    cycle
        .into_iter()
        .map(|i| {
            let id = ids[i].clone();
            let owner = section.owner(&id).cloned().unwrap_or(Owner::StackFile);
            (id, owner)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::find_cycle;

    #[test]
    fn no_cycle_in_a_dag() {
        assert_eq!(find_cycle(&[vec![1, 2], vec![2], vec![]]), None);
    }

    #[test]
    fn self_loop_is_a_cycle() {
        assert_eq!(find_cycle(&[vec![], vec![1]]), Some(vec![1]));
    }

    #[test]
    fn cycle_starts_where_the_search_entered_it() {
        // 0 -> 1 -> 2 -> 3 -> 1
        let edges = [vec![1], vec![2], vec![3], vec![1]];
        assert_eq!(find_cycle(&edges), Some(vec![1, 2, 3]));
    }

    #[test]
    fn finished_nodes_are_not_cycles() {
        // Diamond: 0 -> 1 -> 3, 0 -> 2 -> 3.
        let edges = [vec![1, 2], vec![3], vec![3], vec![]];
        assert_eq!(find_cycle(&edges), None);
    }
}
