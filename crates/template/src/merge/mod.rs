//! Merging: combining the stack file's parameters and outputs with every construct's
//! fragment into one template, under logical ids derived from construct paths.
//!
//! [`TemplateBuilder`] checks what it can as each piece arrives (logical ids, pins,
//! duplicates) and leaves whole-template checks (references, cycles, quotas) to
//! [`TemplateBuilder::finish`], which reports them all at once.

mod check;
mod error;
mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

pub use error::{MergeError, RefKind};
pub use template::{Format, Quotas, Template};

use crate::fragment::Fragment;
use crate::logical_id::{is_valid_logical_id, logical_id};
use crate::refs::{self, Site};

/// Who contributed a template entry, for error messages: a construct path or the stack
/// file itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A construct, by its path of construct ids from the stack's root.
    Construct(Vec<String>),
    /// The stack file (its parameters, plain resources and outputs).
    StackFile,
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Construct(path) => write!(f, "construct `{}`", path.join("/")),
            Owner::StackFile => f.write_str("the stack file"),
        }
    }
}

/// One template section: entries in insertion order, and who contributed each.
#[derive(Clone, Debug, Default)]
struct Section {
    entries: Map<String, Value>,
    owners: BTreeMap<String, Owner>,
}

impl Section {
    fn owner(&self, id: &str) -> Option<&Owner> {
        self.owners.get(id)
    }

    fn insert(&mut self, id: String, value: Value, owner: Owner) {
        self.owners.insert(id.clone(), owner);
        self.entries.insert(id, value);
    }
}

/// Accumulates a template from the stack file's declarations and constructs' fragments.
#[derive(Clone, Debug, Default)]
pub struct TemplateBuilder {
    description: Option<String>,
    parameters: Section,
    conditions: Section,
    resources: Section,
    outputs: Section,
}

/// The logical ids one fragment's entries will get, per section.
struct IdMaps {
    resources: BTreeMap<String, String>,
    conditions: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
}

impl TemplateBuilder {
    /// Starts an empty template with an optional `Description`.
    pub fn new(description: Option<String>) -> Self {
        TemplateBuilder {
            description,
            ..TemplateBuilder::default()
        }
    }

    /// Declares a stack-file parameter. Parameters share their namespace with resources.
    pub fn add_parameter(&mut self, name: &str, declaration: Value) -> Result<(), MergeError> {
        check_valid(name, &Owner::StackFile)?;
        if let Some(first) = self.resource_namespace_owner(name) {
            return Err(duplicate(name, first, &Owner::StackFile));
        }
        self.parameters
            .insert(name.to_owned(), declaration, Owner::StackFile);
        Ok(())
    }

    /// Adds a resource the stack file declares itself, under its own logical id. Its
    /// references are template-level ids already, so nothing is rewritten; [`finish`]
    /// checks them like every other resource's.
    ///
    /// [`finish`]: Self::finish
    pub fn add_resource(&mut self, logical_id: &str, resource: Value) -> Result<(), MergeError> {
        check_valid(logical_id, &Owner::StackFile)?;
        if let Some(first) = self.resource_namespace_owner(logical_id) {
            return Err(duplicate(logical_id, first, &Owner::StackFile));
        }
        self.resources
            .insert(logical_id.to_owned(), resource, Owner::StackFile);
        Ok(())
    }

    /// Adds a stack-file output.
    pub fn add_output(&mut self, name: &str, output: Value) -> Result<(), MergeError> {
        check_valid(name, &Owner::StackFile)?;
        if let Some(first) = self.outputs.owner(name) {
            return Err(duplicate(name, first, &Owner::StackFile));
        }
        self.outputs
            .insert(name.to_owned(), output, Owner::StackFile);
        Ok(())
    }

    /// Adds one construct's fragment and returns its `attributes` rewritten the same way.
    ///
    /// Each local id gets the logical id [`logical_id`] derives from `path`, unless `pins`
    /// maps it to an explicit one. References to local ids (`Ref`, `Fn::GetAtt`,
    /// `Fn::Sub` variables, `DependsOn`, condition names) are rewritten to logical ids;
    /// other ids pass through, since they are template-level ids the plugin received in
    /// its properties. `external_ids` lists those template-level ids: one that is also a
    /// local id would make references ambiguous, so it is an error.
    ///
    /// On error the builder is left unchanged.
    pub fn add_fragment(
        &mut self,
        path: &[String],
        mut fragment: Fragment,
        pins: &[(String, String)],
        external_ids: &BTreeSet<String>,
        mut attributes: Vec<(String, Value)>,
    ) -> Result<Vec<(String, Value)>, MergeError> {
        let owner = Owner::Construct(path.to_vec());
        let pins = check_pins(&fragment, pins, &owner)?;
        if let Some(id) = external_ids.iter().find(|id| {
            fragment.resources.contains_key(*id) || fragment.conditions.contains_key(*id)
        }) {
            return Err(MergeError::AmbiguousId {
                owner,
                id: id.clone(),
            });
        }
        let ids = IdMaps::new(path, &fragment, &pins, &owner)?;
        self.check_free(&ids, &owner)?;

        let mut rewrite = |site: Site<'_>| ids.rewrite(site);
        for value in fragment.resources.values_mut() {
            refs::walk_resource(value, &mut rewrite);
        }
        for value in fragment.conditions.values_mut() {
            refs::walk_condition(value, &mut rewrite);
        }
        for value in fragment.outputs.values_mut() {
            refs::walk_output(value, &mut rewrite);
        }
        for (_, value) in attributes.iter_mut() {
            refs::walk_expr(value, &mut rewrite);
        }

        let sections = [
            (&mut self.resources, fragment.resources, &ids.resources),
            (&mut self.conditions, fragment.conditions, &ids.conditions),
            (&mut self.outputs, fragment.outputs, &ids.outputs),
        ];
        for (section, entries, map) in sections {
            for (local, value) in entries {
                if let Some(logical) = map.get(&local) {
                    section.insert(logical.clone(), value, owner.clone());
                }
            }
        }
        Ok(attributes)
    }

    /// The `attributes` of a fragment that [`add_fragment`](Self::add_fragment) will add at
    /// `path` (without pins), rewritten as `add_fragment` will rewrite them: what a parent
    /// construct receives for a child it creates, before the child is merged.
    pub fn attributes_at(
        path: &[String],
        fragment: &Fragment,
        mut attributes: Vec<(String, Value)>,
    ) -> Result<Vec<(String, Value)>, MergeError> {
        let owner = Owner::Construct(path.to_vec());
        let ids = IdMaps::new(path, fragment, &BTreeMap::new(), &owner)?;
        for (_, value) in attributes.iter_mut() {
            refs::walk_expr(value, &mut |site: Site<'_>| ids.rewrite(site));
        }
        Ok(attributes)
    }

    /// Checks that a construct's fragment and attributes refer only to what the construct
    /// may know: its own local ids, the template's parameters, pseudo parameters, and the
    /// ids it was `handed` (those its props named, and its children's attributes). Anything
    /// else is a guess at another construct's logical ids, which would tie the two together
    /// behind the stack file's back.
    pub fn check_references_handed(
        &self,
        path: &[String],
        fragment: &Fragment,
        attributes: &[(String, Value)],
        handed: &BTreeSet<String>,
    ) -> Result<(), MergeError> {
        let known = |id: &str| {
            fragment.has_local_id(id)
                || handed.contains(id)
                || self.parameters.entries.contains_key(id)
                || crate::logical_id::is_pseudo_parameter(id)
        };
        let sections: [(&Map<String, Value>, &str, refs::Walk); 3] = [
            (&fragment.conditions, "Conditions.", refs::walk_condition),
            (&fragment.resources, "", refs::walk_resource),
            (&fragment.outputs, "Outputs.", refs::walk_output),
        ];
        let attributes = attributes
            .iter()
            .map(|(name, value)| (format!("Attributes.{name}"), value));
        let entries = sections
            .into_iter()
            .flat_map(|(entries, prefix, walk)| {
                entries
                    .iter()
                    .map(move |(id, value)| (format!("{prefix}{id}"), value, walk))
            })
            .chain(attributes.map(|(from, value)| (from, value, refs::walk_expr as refs::Walk)));
        for (from, value, walk) in entries {
            let mut foreign = None;
            // The walker can rewrite ids, so it needs a value of its own.
            let mut copy = value.clone();
            walk(&mut copy, &mut |site: Site<'_>| {
                if foreign.is_none() && !known(site.id) {
                    foreign = Some((site.kind, site.id.clone()));
                }
            });
            if let Some((kind, target)) = foreign {
                return Err(MergeError::ForeignReference {
                    owner: Owner::Construct(path.to_vec()),
                    from,
                    kind,
                    target,
                });
            }
        }
        Ok(())
    }

    /// Runs the whole-template checks and assembles the template.
    ///
    /// Every reference must resolve: `Ref` and a `Fn::Sub` variable `${X}` to a resource,
    /// parameter or pseudo parameter; `Fn::GetAtt`, `${X.A}` and `DependsOn` to a
    /// resource; condition names to a condition. Resources must not depend on each other
    /// in a cycle (one cycle is reported, found deterministically), and the resource,
    /// output and parameter counts must be within `quotas`. All errors are returned, in
    /// template order, then the cycle, then quotas.
    pub fn finish(self, quotas: &Quotas) -> Result<Template, Vec<MergeError>> {
        let errors = check::check(&self, quotas);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Template::assemble(self))
    }

    /// The owner of a resource or parameter with this logical id, if any.
    fn resource_namespace_owner(&self, id: &str) -> Option<&Owner> {
        self.resources
            .owner(id)
            .or_else(|| self.parameters.owner(id))
    }

    /// Checks that none of a fragment's logical ids is taken, by the template or by
    /// another entry of the same fragment.
    fn check_free(&self, ids: &IdMaps, owner: &Owner) -> Result<(), MergeError> {
        check_unique(
            &ids.resources,
            |id| self.resource_namespace_owner(id),
            owner,
        )?;
        check_unique(&ids.conditions, |id| self.conditions.owner(id), owner)?;
        check_unique(&ids.outputs, |id| self.outputs.owner(id), owner)?;
        Ok(())
    }
}

impl IdMaps {
    /// The logical id of every local id of `fragment` at `path`, pinned or derived.
    fn new(
        path: &[String],
        fragment: &Fragment,
        pins: &BTreeMap<String, String>,
        owner: &Owner,
    ) -> Result<IdMaps, MergeError> {
        Ok(IdMaps {
            resources: assign_ids(path, fragment.resources.keys(), pins, owner)?,
            conditions: assign_ids(path, fragment.conditions.keys(), pins, owner)?,
            outputs: assign_ids(path, fragment.outputs.keys(), pins, owner)?,
        })
    }

    /// Rewrites a reference to a local id into its logical id; other ids stay.
    fn rewrite(&self, site: Site<'_>) {
        let map = match site.kind {
            RefKind::Condition => &self.conditions,
            _ => &self.resources,
        };
        if let Some(logical) = map.get(site.id.as_str()) {
            site.id.clone_from(logical);
        }
    }
}

/// Checks that no logical id in `ids` is taken already or used twice within `ids`.
fn check_unique<'a>(
    ids: &BTreeMap<String, String>,
    existing: impl Fn(&str) -> Option<&'a Owner>,
    owner: &Owner,
) -> Result<(), MergeError> {
    let mut seen = BTreeSet::new();
    for logical in ids.values() {
        if let Some(first) = existing(logical) {
            return Err(duplicate(logical, first, owner));
        }
        if !seen.insert(logical) {
            return Err(duplicate(logical, owner, owner));
        }
    }
    Ok(())
}

fn duplicate(logical_id: &str, first: &Owner, second: &Owner) -> MergeError {
    MergeError::DuplicateLogicalId {
        logical_id: logical_id.to_owned(),
        first: first.clone(),
        second: second.clone(),
    }
}

fn check_valid(logical_id: &str, owner: &Owner) -> Result<(), MergeError> {
    if is_valid_logical_id(logical_id) {
        Ok(())
    } else {
        Err(MergeError::InvalidLogicalId {
            owner: owner.clone(),
            logical_id: logical_id.to_owned(),
        })
    }
}

/// Checks pins against the fragment and returns them as a map (a later pin of the same
/// local id wins).
fn check_pins(
    fragment: &Fragment,
    pins: &[(String, String)],
    owner: &Owner,
) -> Result<BTreeMap<String, String>, MergeError> {
    let mut map = BTreeMap::new();
    for (local, logical) in pins {
        if !fragment.has_local_id(local) {
            return Err(MergeError::UnknownPin {
                owner: owner.clone(),
                local_id: local.clone(),
            });
        }
        check_valid(logical, owner)?;
        map.insert(local.clone(), logical.clone());
    }
    Ok(map)
}

/// Maps each local id to its pinned or derived logical id, rejecting invalid ones.
fn assign_ids<'a>(
    path: &[String],
    locals: impl Iterator<Item = &'a String>,
    pins: &BTreeMap<String, String>,
    owner: &Owner,
) -> Result<BTreeMap<String, String>, MergeError> {
    let mut map = BTreeMap::new();
    for local in locals {
        let logical = match pins.get(local) {
            Some(pinned) => pinned.clone(),
            None => logical_id(path, local),
        };
        check_valid(&logical, owner)?;
        map.insert(local.clone(), logical);
    }
    Ok(map)
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "duplicate_tests.rs"]
mod duplicate_tests;

#[cfg(test)]
#[path = "finish_tests.rs"]
mod finish_tests;

#[cfg(test)]
#[path = "template_tests.rs"]
mod template_tests;
