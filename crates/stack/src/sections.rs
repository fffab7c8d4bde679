//! The structured sections of a stack file: parameters, limits, constructs, plain resources
//! and outputs.
//!
//! Names that become CloudFormation logical ids are checked here, where the user wrote
//! them; whether a reference's target exists is not, because only the orchestrator knows
//! which attributes each plugin offers.

use std::collections::HashMap;

use serde_yaml::Value as Yaml;

use crate::convert::Converter;
use stackweave_template::shortened;

use crate::format::{
    CONSTRUCT_KEYS, LIMIT_KEYS, LOGICAL_ID_PATTERN, LOGICAL_NAME_PATTERN, MAX_LOGICAL_NAME,
    OUTPUT_KEYS, REQUIRED_CONSTRUCT_KEYS, REQUIRED_OUTPUT_KEYS, REQUIRED_RESOURCE_KEYS,
    RESOURCE_KEYS, is_logical_id, is_logical_name, is_resource_type,
};
use crate::model::{ConstructDecl, Limits, OutputDecl, Override, PluginRef, ResourceDecl};
use crate::parse::{Analyser, DIALECT};
use crate::prop::Prop;
use stackweave_location::{At, Entries, ReadFields, get, join_pointer, join_tidy, yaml_to_json};

impl<'p> Analyser<'_, 'p> {
    /// The entries of an optional section; `null` (a key with nothing under it) is empty.
    fn section<'v>(&mut self, value: &'v Yaml, key: &str, help: &str) -> Entries<'v> {
        if value.is_null() {
            return Vec::new();
        }
        let pointer = join_pointer("", key);
        self.entries(value, &pointer, &format!("`{key}`"), help)
            .unwrap_or_default()
    }

    /// Reports `name` (under `pointer`) unless it can be a logical id.
    fn check_name(&mut self, name: &str, pointer: &str, what: &str) -> bool {
        if is_logical_name(name) {
            return true;
        }
        self.problems.push(
            pointer,
            At::Key,
            format!("{what} `{}` is not valid", shortened(name)),
            format!("{what}s become CloudFormation logical ids: match `{LOGICAL_NAME_PATTERN}` (a letter, then letters and digits), {MAX_LOGICAL_NAME} characters at most"),
        );
        false
    }

    pub(crate) fn parameters(&mut self, value: &Yaml) -> Vec<(String, serde_json::Value)> {
        let help = "write parameters as `Name: { Type: String }` under `parameters:`";
        let mut parameters = Vec::new();
        for (name, definition) in self.section(value, "parameters", help) {
            let pointer = join_pointer("/parameters", &name);
            self.check_name(&name, &pointer, "parameter name");
            let what = format!("parameter `{}`", shortened(&name));
            let Some(entries) = self.entries(definition, &pointer, &what, help) else {
                continue;
            };
            if get(&entries, "Type").is_none() {
                self.problems.push(
                    &pointer,
                    At::Key,
                    format!("{what} has no `Type`"),
                    "add a CloudFormation parameter type, e.g. `Type: String`",
                );
            }
            match yaml_to_json(definition, "", &DIALECT) {
                Ok(json) => parameters.push((name, json)),
                Err((inner, message, help)) => {
                    let at = format!("{pointer}{inner}");
                    self.problems.push(&at, At::Value, message, help);
                }
            }
        }
        parameters
    }

    pub(crate) fn limits(&mut self, value: &Yaml) -> Limits {
        let help = "raise quota checks with e.g. `limits: { resources: 600 }`";
        let entries = self.section(value, "limits", help);
        self.check_keys(&entries, "/limits", LIMIT_KEYS, "`limits`");
        let mut limits = Limits::default();
        for (key, item) in &entries {
            let slot = match key.as_str() {
                "resources" => &mut limits.resources,
                "outputs" => &mut limits.outputs,
                "parameters" => &mut limits.parameters,
                "templateBytes" => &mut limits.template_bytes,
                _ => continue,
            };
            let number = item.as_u64().and_then(|n| usize::try_from(n).ok());
            match number {
                Some(n) if n > 0 => *slot = Some(n),
                _ => self.wrong_type(
                    item,
                    &join_pointer("/limits", key),
                    &format!("`limits.{key}` must be a positive integer"),
                    "write a whole number greater than zero, or remove the key to keep the default",
                ),
            }
        }
        limits
    }

    pub(crate) fn constructs(
        &mut self,
        value: &Yaml,
        parameters: &[(String, serde_json::Value)],
    ) -> Vec<ConstructDecl> {
        let help = "list constructs as `Id: { plugin: logging, props: {...} }` under `constructs:`";
        let entries = if value.is_null() {
            Vec::new()
        } else {
            self.entries(value, "/constructs", "`constructs`", help)
                .unwrap_or_default()
        };
        if entries.is_empty() && matches!(value, Yaml::Null | Yaml::Mapping(_)) {
            self.problems.push(
                "/constructs",
                At::Key,
                "`constructs` is empty".to_owned(),
                "add at least one construct; CloudFormation needs a resource",
            );
        }
        // Pinned logical ids must be unique in the template; the first pin wins.
        let mut pinned: HashMap<String, (String, String)> = HashMap::new();
        let mut constructs = Vec::new();
        for (id, body) in entries {
            let pointer = join_pointer("/constructs", &id);
            self.check_name(&id, &pointer, "construct id");
            if parameters.iter().any(|(name, _)| *name == id) {
                self.problems.push(
                    &pointer,
                    At::Key,
                    format!("construct id `{}` is also a parameter name", shortened(&id)),
                    format!(
                        "rename the construct or the parameter, so `${{{}}}` means one thing",
                        shortened(&id)
                    ),
                );
            }
            if let Some(construct) = self.construct(id, body, pointer, &mut pinned) {
                constructs.push(construct);
            }
        }
        constructs
    }

    fn construct(
        &mut self,
        id: String,
        body: &Yaml,
        pointer: String,
        pinned: &mut HashMap<String, (String, String)>,
    ) -> Option<ConstructDecl> {
        let what = format!("construct `{}`", shortened(&id));
        let help = "give the construct a plugin, e.g. `plugin: logging`";
        if body.is_null() {
            self.require(&Vec::new(), &pointer, REQUIRED_CONSTRUCT_KEYS, &what);
            return None;
        }
        let entries = self.entries(body, &pointer, &what, help)?;
        self.check_keys(&entries, &pointer, CONSTRUCT_KEYS, "a construct");
        self.require(&entries, &pointer, REQUIRED_CONSTRUCT_KEYS, &what);
        let plugin = self
            .field_string(&entries, &pointer, "plugin")
            .and_then(|plugin| {
                if plugin.trim().is_empty() {
                    self.problems.push(
                        &join_pointer(&pointer, "plugin"),
                        At::Value,
                        "`plugin` is empty".to_owned(),
                        help,
                    );
                    None
                } else if plugin.contains('/') || plugin.ends_with(".wasm") {
                    Some(PluginRef::File(join_tidy(self.dir, &plugin)))
                } else {
                    Some(PluginRef::Name(plugin))
                }
            });
        let props_pointer = join_pointer(&pointer, "props");
        let props = match get(&entries, "props") {
            // No props and an empty `props:` both mean "no props": the plugin's schema then
            // reports missing properties rather than a null.
            None | Some(Yaml::Null) => Prop::Map(Vec::new()),
            Some(value @ Yaml::Mapping(_)) => self.converter(true).prop(value, &props_pointer),
            Some(value) => {
                self.wrong_type(
                    value,
                    &props_pointer,
                    "`props` must be a mapping",
                    "write the props as `key: value` entries under `props:`",
                );
                Prop::Map(Vec::new())
            }
        };
        let logical_ids = match get(&entries, "logicalIds") {
            Some(value) => self.logical_ids(value, &id, &pointer, pinned),
            None => Vec::new(),
        };
        let overrides = match get(&entries, "overrides") {
            Some(value) => self.overrides(value, &pointer),
            None => Vec::new(),
        };
        Some(ConstructDecl {
            id,
            plugin: plugin?,
            props,
            logical_ids,
            overrides,
            pointer,
        })
    }

    /// `overrides: { LocalId: { /Pointer/Into/Resource: value } }`; `null` deletes.
    fn overrides(&mut self, value: &Yaml, parent: &str) -> Vec<Override> {
        let pointer = join_pointer(parent, "overrides");
        let help = "override a resource's entries as `overrides: { LocalId: { /Properties/Name: value } }` (`null` deletes one)";
        if value.is_null() {
            return Vec::new();
        }
        let Some(resources) = self.entries(value, &pointer, "`overrides`", help) else {
            return Vec::new();
        };
        let mut overrides = Vec::new();
        for (local, changes) in resources {
            let at = join_pointer(&pointer, &local);
            if !is_logical_id(&local) {
                let message = format!(
                    "local id `{}` in `overrides` is not valid",
                    shortened(&local)
                );
                self.problems.push(&at, At::Key, message, help);
                continue;
            }
            let what = format!("the overrides of `{local}`");
            let Some(changes) = self.entries(changes, &at, &what, help) else {
                continue;
            };
            for (path, value) in changes {
                let here = join_pointer(&at, &path);
                if !path.starts_with('/') || path == "/" || path == "/Type" {
                    let message = format!(
                        "`{}` cannot be overridden: write a JSON Pointer into the resource below its `Type`, such as `/Properties/TracingEnabled`",
                        shortened(&path)
                    );
                    self.problems.push(&here, At::Key, message, help);
                    continue;
                }
                let value = match value {
                    Yaml::Null => None,
                    value => Some(self.converter(false).prop(value, &here)),
                };
                overrides.push(Override {
                    local_id: local.clone(),
                    path,
                    value,
                    pointer: here,
                });
            }
        }
        overrides
    }

    fn logical_ids(
        &mut self,
        value: &Yaml,
        id: &str,
        parent: &str,
        pinned: &mut HashMap<String, (String, String)>,
    ) -> Vec<(String, String)> {
        let pointer = join_pointer(parent, "logicalIds");
        let help = "pin logical ids as `logicalIds: { Resource: MyLogicalId }`";
        if value.is_null() {
            return Vec::new();
        }
        let Some(entries) = self.entries(value, &pointer, "`logicalIds`", help) else {
            return Vec::new();
        };
        let rule = format!(
            "use ASCII letters and digits only (`{LOGICAL_ID_PATTERN}`), {MAX_LOGICAL_NAME} characters at most"
        );
        let mut pins = Vec::new();
        for (local, target) in entries {
            let at = join_pointer(&pointer, &local);
            if !is_logical_id(&local) {
                let message = format!(
                    "local id `{}` in `logicalIds` is not valid",
                    shortened(&local)
                );
                self.problems.push(&at, At::Key, message, rule.clone());
            }
            let Some(target) = self.string(target, &at, "a pinned logical id") else {
                continue;
            };
            if !is_logical_id(&target) {
                let message = format!("pinned logical id `{}` is not valid", shortened(&target));
                self.problems.push(&at, At::Value, message, rule.clone());
                continue;
            }
            if let Some((other, other_local)) = pinned.get(&target) {
                self.problems.push(
                    &at,
                    At::Value,
                    format!("logical id `{target}` is already pinned by construct `{other}` (`{other_local}`)"),
                    "pin each logical id once; logical ids must be unique in the template",
                );
            } else {
                pinned.insert(target.clone(), (id.to_owned(), local.clone()));
            }
            pins.push((local, target));
        }
        pins
    }

    /// `resources: { Table: { Type: AWS::DynamoDB::Table, Properties: {...} } }`: entries
    /// copied into the template. Only their shape is checked here; CloudFormation knows the
    /// types, and the merge checks their references like any construct's.
    pub(crate) fn resources(
        &mut self,
        value: &Yaml,
        parameters: &[(String, serde_json::Value)],
        constructs: &[ConstructDecl],
    ) -> Vec<ResourceDecl> {
        let help = "write plain resources as `Table: { Type: AWS::DynamoDB::Table, Properties: {...} }` under `resources:`";
        let mut resources = Vec::new();
        for (id, body) in self.section(value, "resources", help) {
            let pointer = join_pointer("/resources", &id);
            self.check_name(&id, &pointer, "resource id");
            let taken_by = if constructs.iter().any(|c| c.id == id) {
                Some("construct")
            } else if parameters.iter().any(|(name, _)| *name == id) {
                Some("parameter")
            } else {
                None
            };
            if let Some(other) = taken_by {
                self.problems.push(
                    &pointer,
                    At::Key,
                    format!("resource id `{}` is also a {other} name", shortened(&id)),
                    format!(
                        "rename the resource or the {other}, so `${{{}}}` means one thing",
                        shortened(&id)
                    ),
                );
            }
            let what = format!("resource `{}`", shortened(&id));
            if body.is_null() {
                self.require(&Vec::new(), &pointer, REQUIRED_RESOURCE_KEYS, &what);
                continue;
            }
            let Some(entries) = self.entries(body, &pointer, &what, help) else {
                continue;
            };
            self.check_keys(&entries, &pointer, RESOURCE_KEYS, "a resource");
            self.require(&entries, &pointer, REQUIRED_RESOURCE_KEYS, &what);
            if let Some(kind) = self.field_string(&entries, &pointer, "Type")
                && !is_resource_type(&kind)
            {
                self.problems.push(
                    &join_pointer(&pointer, "Type"),
                    At::Value,
                    format!("`{}` is not a resource type", shortened(&kind)),
                    "write a CloudFormation type such as `AWS::SQS::Queue` or `Custom::Name`",
                );
            }
            let body = self.converter(true).prop(body, &pointer);
            resources.push(ResourceDecl { id, body, pointer });
        }
        resources
    }

    pub(crate) fn outputs(&mut self, value: &Yaml) -> Vec<OutputDecl> {
        let help = "list outputs as `Name: { value: ${Api.url} }` under `outputs:`";
        let mut outputs = Vec::new();
        for (name, body) in self.section(value, "outputs", help) {
            let pointer = join_pointer("/outputs", &name);
            self.check_name(&name, &pointer, "output name");
            let what = format!("output `{}`", shortened(&name));
            if body.is_null() {
                self.require(&Vec::new(), &pointer, REQUIRED_OUTPUT_KEYS, &what);
                continue;
            }
            let Some(entries) = self.entries(body, &pointer, &what, help) else {
                continue;
            };
            self.check_keys(&entries, &pointer, OUTPUT_KEYS, "an output");
            self.require(&entries, &pointer, REQUIRED_OUTPUT_KEYS, &what);
            let description = self.description(&entries, &pointer);
            let value = get(&entries, "value").and_then(|v| self.output_value(v, &pointer));
            let export_name = get(&entries, "exportName").and_then(|v| {
                let at = join_pointer(&pointer, "exportName");
                let text = self.string(v, &at, "`exportName`")?;
                self.converter(false).text(&text, &at).map(Prop::Text)
            });
            if let Some(value) = value {
                outputs.push(OutputDecl {
                    name,
                    value,
                    description,
                    export_name,
                    pointer,
                });
            }
        }
        outputs
    }

    fn output_value(&mut self, value: &Yaml, parent: &str) -> Option<Prop> {
        let pointer = join_pointer(parent, "value");
        match value {
            // Tags go to the converter, which names them (and refuses `!file` here).
            Yaml::String(_) | Yaml::Number(_) | Yaml::Bool(_) | Yaml::Tagged(_) => {
                Some(self.converter(false).prop(value, &pointer))
            }
            _ => {
                self.wrong_type(
                    value,
                    &pointer,
                    "output `value` must be a string, number or boolean",
                    "CloudFormation outputs are strings; write one, e.g. `value: ${Api.url}`",
                );
                None
            }
        }
    }

    fn converter(&mut self, allow_file: bool) -> Converter<'_, 'p> {
        Converter {
            problems: self.problems,
            dir: self.dir,
            file_data: &mut self.file_data,
            allow_file,
        }
    }
}
