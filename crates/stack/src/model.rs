//! The typed stack file: what the orchestrator works from once parsing has succeeded.
//!
//! Everything here is plain data. Paths are already joined onto the stack file's folder,
//! so nothing downstream needs to know where the stack file lives to resolve them.

use std::path::PathBuf;

use crate::prop::Prop;
use crate::reference::Reference;
use stackweave_location::SourceMap;

/// A parsed, structurally valid stack file.
#[derive(Debug, Clone)]
pub struct StackFile {
    /// The stack file's path as given.
    pub path: PathBuf,
    /// The folder holding the stack file (`.` when the path has none).
    pub dir: PathBuf,
    /// The stack name.
    pub name: String,
    /// The template description.
    pub description: Option<String>,
    /// Folders of team plugins, joined onto `dir`.
    pub plugin_dirs: Vec<PathBuf>,
    /// Template parameters, name to definition, in file order, verbatim.
    pub parameters: Vec<(String, serde_json::Value)>,
    /// Raised quota limits.
    pub limits: Limits,
    /// The constructs, in file order.
    pub constructs: Vec<ConstructDecl>,
    /// The plain CloudFormation resources written beside the constructs, in file order.
    pub resources: Vec<ResourceDecl>,
    /// The outputs, in file order.
    pub outputs: Vec<OutputDecl>,
    /// What `stackweave validate` runs and which findings are accepted.
    pub validation: Validation,
    /// Where every node was written; locate `pointer`s here to report problems.
    pub source_map: SourceMap,
}

impl StackFile {
    /// The construct with this id.
    pub fn construct(&self, id: &str) -> Option<&ConstructDecl> {
        self.constructs.iter().find(|c| c.id == id)
    }

    /// The plain resource with this logical id.
    pub fn resource(&self, id: &str) -> Option<&ResourceDecl> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// Every reference the file writes, with the JSON Pointer of the string holding it:
    /// in constructs' props and overrides, plain resources and outputs, in file order.
    pub fn references<'s>(&'s self) -> Vec<(String, &'s Reference)> {
        fn collect<'s>(found: &mut Vec<(String, &'s Reference)>, base: String, prop: &'s Prop) {
            let located = prop.references().into_iter();
            found.extend(located.map(|(pointer, r)| (format!("{base}{pointer}"), r)));
        }
        let mut found = Vec::new();
        let mut add = |base: String, prop: &'s Prop| collect(&mut found, base, prop);
        for construct in &self.constructs {
            add(format!("{}/props", construct.pointer), &construct.props);
            for change in &construct.overrides {
                if let Some(value) = &change.value {
                    add(change.pointer.clone(), value);
                }
            }
        }
        for resource in &self.resources {
            add(resource.pointer.clone(), &resource.body);
        }
        for output in &self.outputs {
            add(format!("{}/value", output.pointer), &output.value);
            if let Some(name) = &output.export_name {
                add(format!("{}/exportName", output.pointer), name);
            }
        }
        found
    }

    /// The output with this name.
    pub fn output(&self, name: &str) -> Option<&OutputDecl> {
        self.outputs.iter().find(|o| o.name == name)
    }

    /// The definition of the parameter with this name.
    pub fn parameter(&self, name: &str) -> Option<&serde_json::Value> {
        self.parameters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value)
    }
}

/// CloudFormation quota limits raised by the stack file; `None` keeps the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Resources per template.
    pub resources: Option<usize>,
    /// Outputs per template.
    pub outputs: Option<usize>,
    /// Parameters per template.
    pub parameters: Option<usize>,
    /// Template body size in bytes.
    pub template_bytes: Option<usize>,
}

/// One construct of the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstructDecl {
    /// The construct id (a valid logical id).
    pub id: String,
    /// Which plugin provides it.
    pub plugin: PluginRef,
    /// Its props; an empty map when none were given.
    pub props: Prop,
    /// Pinned logical ids: the plugin's local id to the logical id to use, in file order.
    pub logical_ids: Vec<(String, String)>,
    /// Changes to the resources its plugin contributes, applied before they are merged, in
    /// file order (the escape hatch for what the plugin does not offer).
    pub overrides: Vec<Override>,
    /// JSON Pointer of the construct: `/constructs/<id>`; its props are under `/props`.
    pub pointer: String,
}

/// One change to a resource a construct's plugin contributed: `overrides: { LocalId:
/// { /Properties/Name: value } }` in the stack file.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The plugin's local id of the resource.
    pub local_id: String,
    /// A JSON Pointer into the resource, such as `/Properties/TracingEnabled`.
    pub path: String,
    /// The value to set (with references); `None` (`null` in the file) deletes the entry.
    pub value: Option<Prop>,
    /// JSON Pointer of this override in the stack file.
    pub pointer: String,
}

/// Where a construct's plugin comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginRef {
    /// A built-in plugin or one found in the plugin folders, by name.
    Name(String),
    /// A `.wasm` file, joined onto the stack file's folder.
    File(PathBuf),
}

/// A CloudFormation resource written in the stack file (`resources:`), for what no
/// construct covers. It goes into the template as written, under its own logical id, with
/// its `${...}` references resolved; its type is CloudFormation's business.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDecl {
    /// Its logical id, as written.
    pub id: String,
    /// The whole entry (`Type`, `Properties`, `DependsOn`, ...), strings split at references.
    pub body: Prop,
    /// JSON Pointer of the resource: `/resources/<id>`.
    pub pointer: String,
}

/// One output of the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputDecl {
    /// The output name (a valid logical id).
    pub name: String,
    /// The value: a string (with references), number or boolean.
    pub value: Prop,
    /// The output's description.
    pub description: Option<String>,
    /// The export name: a string ([`Prop::Text`]) that may hold references.
    pub export_name: Option<Prop>,
    /// JSON Pointer of the output: `/outputs/<name>`.
    pub pointer: String,
}

/// The `validation` section: settings for `stackweave validate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validation {
    /// Opt-in rules to run, in file order.
    pub enable: Vec<RuleChoice>,
    /// Accepted findings, in file order.
    pub suppress: Vec<Suppression>,
}

/// A rule named in `validation.enable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChoice {
    /// The rule id.
    pub rule: String,
    /// JSON Pointer of the entry, to report an unknown id at its line.
    pub pointer: String,
}

/// A finding the team has accepted: reported as suppressed, never dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The rule id.
    pub rule: String,
    /// The construct path (`Api`, `Api/Role`) or logical id it is limited to; every
    /// resource when `None`.
    pub resource: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// JSON Pointer of the suppression: `/validation/suppress/<index>`.
    pub pointer: String,
}
