//! Where plugins come from: the embedded standard plugins, every `*.wasm` under the plugin
//! folders (found with walkdir), and files a construct names directly. Each is loaded once
//! (several at a time: compiling is the slow part of a cold run), its props schema compiled
//! once, and identified by name, origin and sha256.
//!
//! A file in a plugin folder may also be a validator (team policy rules for
//! `stackweave validate`); the registry keeps those apart, in file order, and never lets a
//! construct use one. Constructs and validators share one namespace of names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};
use stackweave_builtin::Embedded;
use stackweave_host::{Component, Plugin, PluginInfo, Runtime};
use stackweave_rules::Finding;
use stackweave_stack::PluginRef;
use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, PluginLabel};
use crate::origin::Origin;
use crate::parallel;
use crate::validator::LoadedValidator;

/// A plugin ready for use, with what identifies it.
pub struct LoadedPlugin {
    /// The loaded component.
    pub plugin: Plugin,
    /// Where it came from.
    pub origin: Origin,
    /// Hex sha256 of its bytes.
    pub sha256: String,
    /// Its props schema, compiled.
    pub(crate) schema: jsonschema::Validator,
}

impl LoadedPlugin {
    /// What `describe` said.
    pub fn info(&self) -> &PluginInfo {
        self.plugin.info()
    }

    /// How messages name this plugin.
    pub fn label(&self) -> PluginLabel {
        PluginLabel {
            name: self.info().name.clone(),
            origin: self.origin.to_string(),
        }
    }
}

/// A file of a plugin folder, loaded as whichever kind of plugin it is.
enum Loaded {
    Construct(LoadedPlugin),
    Validator(LoadedValidator),
}

/// Every plugin a run can see, by name.
pub struct Registry {
    runtime: Runtime,
    /// The standard plugins, loaded on first use: most runs use only some.
    builtins: BTreeMap<&'static str, &'static Embedded>,
    by_name: BTreeMap<String, LoadedPlugin>,
    /// Files named directly by constructs, by path.
    by_file: BTreeMap<PathBuf, LoadedPlugin>,
    /// The plugin folders' validators, in file order.
    validators: Vec<LoadedValidator>,
}

impl Registry {
    /// Finds the plugins in `folders` (and loads each to learn its name); the standard
    /// plugins load on first use. Every unusable file and every name clash is reported.
    pub fn discover(runtime: Runtime, folders: &[PathBuf]) -> Result<Registry, Vec<Diagnostic>> {
        let mut registry = Registry {
            runtime,
            builtins: stackweave_builtin::STANDARD
                .iter()
                .map(|p| (p.name, p))
                .collect(),
            by_name: BTreeMap::new(),
            by_file: BTreeMap::new(),
            validators: Vec::new(),
        };
        let mut errors = Vec::new();
        let files = wasm_files(folders, &mut errors);
        for loaded in parallel::map(&files, |file| registry.load_any_file(file)) {
            let inserted = match loaded {
                Ok(Loaded::Construct(plugin)) => registry.insert(plugin),
                Ok(Loaded::Validator(validator)) => registry.insert_validator(validator),
                Err(error) => Err(error),
            };
            if let Err(error) = inserted {
                errors.push(error);
            }
        }
        if errors.is_empty() {
            Ok(registry)
        } else {
            Err(errors)
        }
    }

    fn insert(&mut self, plugin: LoadedPlugin) -> Result<(), Diagnostic> {
        let name = plugin.info().name.clone();
        if self.builtins.contains_key(name.as_str()) {
            return Err(Diagnostic::error(format!(
                "the plugin in {} is named `{name}`, the name of a standard plugin",
                plugin.origin
            ))
            .plugin(plugin.label())
            .help("a team plugin never replaces a standard one: give it another name in its `describe`"));
        }
        if let Some(existing) = self.by_name.get(&name) {
            // The same bytes twice (Cargo's `release` folder holds a copy under `deps/`) are
            // one plugin, not a clash, recorded under the path a person would name.
            if existing.sha256 == plugin.sha256 {
                if plugin.origin.is_shorter_than(&existing.origin) {
                    self.by_name.insert(name, plugin);
                }
                return Ok(());
            }
            return Err(Diagnostic::error(format!(
                "two plugins are named `{name}`: {} and {}",
                existing.origin, plugin.origin
            ))
            .help("remove one of the files, or give one plugin another name"));
        }
        if let Some(validator) = self.validator_named(&name) {
            return Err(name_taken_by_validator(&name, validator, &plugin.origin));
        }
        self.by_name.insert(name, plugin);
        Ok(())
    }

    /// The limits every plugin call gets.
    pub(crate) fn limits(&self) -> stackweave_host::Limits {
        self.runtime.limits()
    }

    /// Keeps a plugin folder's validator, unless its name or one of its rule ids is taken.
    fn insert_validator(&mut self, validator: LoadedValidator) -> Result<(), Diagnostic> {
        let name = validator.info().name.clone();
        if self.builtins.contains_key(name.as_str()) {
            return Err(Diagnostic::error(format!(
                "the validator in {} is named `{name}`, the name of a standard plugin",
                validator.origin
            ))
            .plugin(validator.label())
            .help("give the validator another name in its `describe`"));
        }
        if let Some(plugin) = self.by_name.get(&name) {
            return Err(name_taken_by_validator(&name, &validator, &plugin.origin));
        }
        if let Some(existing) = self.validator_named(&name) {
            // The same bytes twice (a copy under Cargo's `deps/`) are one validator, recorded
            // under the shorter path.
            if existing.sha256 == validator.sha256 {
                if validator.origin.is_shorter_than(&existing.origin)
                    && let Some(kept) = self.validators.iter_mut().find(|v| v.info().name == name)
                {
                    *kept = validator;
                }
                return Ok(());
            }
            return Err(Diagnostic::error(format!(
                "two validators are named `{name}`: {} and {}",
                existing.origin, validator.origin
            ))
            .help("remove one of the files, or give one validator another name"));
        }
        for rule in &validator.info().rules {
            let owner = self
                .validators
                .iter()
                .find(|other| other.info().rules.iter().any(|r| r.id == rule.id));
            if let Some(owner) = owner {
                return Err(Diagnostic::error(format!(
                    "the validators `{}` ({}) and `{name}` ({}) both declare the rule `{}`",
                    owner.info().name,
                    owner.origin,
                    validator.origin,
                    rule.id
                ))
                .help("rule ids name one check everywhere: rename the rule in one validator's `describe`"));
            }
        }
        self.validators.push(validator);
        Ok(())
    }

    /// The validators of the plugin folders, in file order (the order of the folders, then
    /// of file names within each): what `stackweave validate` runs after the built-in rules.
    pub fn validators(&self) -> &[LoadedValidator] {
        &self.validators
    }

    /// The plugin folders' validator named `name`, if any.
    pub fn validator_named(&self, name: &str) -> Option<&LoadedValidator> {
        self.validators.iter().find(|v| v.info().name == name)
    }

    /// Runs every validator on `template` (read from `path`), in file order; the findings
    /// come in the built-in rules' shape. Every validator that fails is an error.
    pub fn run_validators(
        &self,
        template: &Value,
        path: &Path,
    ) -> Result<Vec<Finding>, Vec<Diagnostic>> {
        let json = template.to_string();
        let mut findings = Vec::new();
        let mut errors = Vec::new();
        for validator in &self.validators {
            match validator.check(&json, path) {
                Ok(found) => findings.extend(found),
                Err(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(findings)
        } else {
            Err(errors)
        }
    }

    /// Loads every plugin in `wanted` not loaded yet, several at a time; says for each
    /// whether it can be had.
    pub fn load_all(&mut self, wanted: &[PluginRef]) -> Vec<Result<(), Diagnostic>> {
        let fetched = parallel::map(wanted, |plugin_ref| self.fetch(plugin_ref));
        wanted
            .iter()
            .zip(fetched)
            .map(|(plugin_ref, fetched)| {
                if let Some(plugin) = fetched? {
                    match plugin_ref {
                        PluginRef::Name(name) => self.by_name.insert(name.clone(), plugin),
                        PluginRef::File(path) => self.by_file.insert(path.clone(), plugin),
                    };
                }
                Ok(())
            })
            .collect()
    }

    /// Loads the plugin `plugin_ref` means, or `None` if it is loaded already.
    fn fetch(&self, plugin_ref: &PluginRef) -> Result<Option<LoadedPlugin>, Diagnostic> {
        if self.get(plugin_ref).is_some() {
            return Ok(None);
        }
        let name = match plugin_ref {
            PluginRef::File(path) => return self.load_file(path).map(Some),
            PluginRef::Name(name) => name,
        };
        let Some(embedded) = self.builtins.get(name.as_str()) else {
            if let Some(validator) = self.validator_named(name) {
                return Err(not_a_construct(validator));
            }
            let known: Vec<String> = self.names();
            let error = Diagnostic::error(format!("no plugin is named `{name}`"));
            return Err(
                match stackweave_location::closest(name, known.iter().map(String::as_str)) {
                    Some(close) => error.help(format!("did you mean `{close}`?")),
                    None => error.help(format!(
                        "the plugins available are {}; add a folder of team plugins with `--plugins DIR` or the stack file's `plugins:` list",
                        list(&known)
                    )),
                },
            );
        };
        let plugin = self.load(
            embedded.bytes,
            &embedded.sha256,
            Origin::BuiltIn(name.to_string()),
        )?;
        if plugin.info().name != *name {
            return Err(Diagnostic::error(format!(
                "the standard plugin `{name}` describes itself as `{}`",
                plugin.info().name
            ))
            .help("this is a bug in stackweave's build; please report it"));
        }
        Ok(Some(plugin))
    }

    /// A plugin already loaded for a construct's `plugin:` (see `load_all`).
    pub(crate) fn get(&self, plugin_ref: &PluginRef) -> Option<&LoadedPlugin> {
        match plugin_ref {
            PluginRef::Name(name) => self.by_name.get(name),
            PluginRef::File(path) => self.by_file.get(path),
        }
    }

    /// The construct plugin a stack file would get for `plugin: NAME`, loading it if
    /// needed (for `stackweave plugins show`); an unknown name gets the same "did you mean"
    /// as in a stack file.
    pub fn construct_named(&mut self, name: &str) -> Result<&LoadedPlugin, Diagnostic> {
        let wanted = PluginRef::Name(name.to_string());
        if let Some(Err(error)) = self.load_all(std::slice::from_ref(&wanted)).pop() {
            return Err(error);
        }
        self.get(&wanted).ok_or_else(|| {
            Diagnostic::error(format!("no plugin is named `{name}`"))
                .help("run `stackweave plugins` to list the plugins available")
        })
    }

    /// Every plugin name a stack could use, sorted (validators are not among them).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.builtins.keys().map(|n| n.to_string()).collect();
        names.extend(self.by_name.keys().cloned());
        names.sort();
        names.dedup();
        names
    }

    /// Every plugin loaded so far: by name, then files named directly.
    pub(crate) fn loaded(&self) -> impl Iterator<Item = &LoadedPlugin> {
        self.by_name.values().chain(self.by_file.values())
    }

    /// Loads every standard plugin too, then lists all by name (for `stackweave plugins`).
    pub fn all(&mut self) -> Result<Vec<&LoadedPlugin>, Diagnostic> {
        let builtins: Vec<PluginRef> = self
            .builtins
            .keys()
            .map(|name| PluginRef::Name(name.to_string()))
            .collect();
        for loaded in self.load_all(&builtins) {
            loaded?;
        }
        Ok(self.by_name.values().collect())
    }

    /// Loads the construct plugin a construct names by file; a validator there is refused.
    fn load_file(&self, path: &Path) -> Result<LoadedPlugin, Diagnostic> {
        match self.load_any_file(path)? {
            Loaded::Construct(plugin) => Ok(plugin),
            Loaded::Validator(validator) => Err(not_a_construct(&validator)),
        }
    }

    /// Loads a file as a construct plugin or a validator, whichever it is.
    fn load_any_file(&self, path: &Path) -> Result<Loaded, Diagnostic> {
        // Bounded before reading: a 10 GB file or `/dev/zero` is refused, not read whole.
        let limit = self.runtime.limits().component_bytes as u64;
        let bytes = stackweave_files::read_bounded(path, limit).map_err(|e| match e {
            stackweave_files::ReadError::TooLarge { actual, limit } => {
                load_failure(
                    &Origin::File(path.to_path_buf()),
                    format!("the file is {actual} bytes, more than the {limit} a plugin may have"),
                )
                .help("this limit cannot be raised: a plugin's code is far smaller; check that the path names the built `.wasm` component")
            }
            e => Diagnostic::error(format!("cannot read plugin file {}: {e}", path.display()))
                .help("check the path; plugin paths are relative to the stack file"),
        })?;
        let sha256: [u8; 32] = Sha256::digest(&bytes).into();
        let origin = Origin::File(path.to_path_buf());
        let loaded = stackweave_host::load_any(&self.runtime, &bytes, &sha256)
            .map_err(|e| load_failure(&origin, e.to_string()))?;
        match loaded {
            Component::Construct(plugin) => self
                .with_schema(plugin, &sha256, origin)
                .map(Loaded::Construct),
            Component::Validator(validator) => Ok(Loaded::Validator(LoadedValidator::new(
                validator,
                origin,
                hex(&sha256),
            ))),
        }
    }

    fn load(
        &self,
        bytes: &[u8],
        sha256: &[u8; 32],
        origin: Origin,
    ) -> Result<LoadedPlugin, Diagnostic> {
        let plugin = Plugin::load(&self.runtime, bytes, sha256)
            .map_err(|e| load_failure(&origin, e.to_string()))?;
        self.with_schema(plugin, sha256, origin)
    }

    /// Compiles a loaded plugin's props schema, within bounds ([`compile_schema`]).
    fn with_schema(
        &self,
        plugin: Plugin,
        sha256: &[u8; 32],
        origin: Origin,
    ) -> Result<LoadedPlugin, Diagnostic> {
        let schema = compile_schema(&plugin.info().props_schema).map_err(|refused| {
            let error = load_failure(&origin, refused.message);
            match refused.help {
                Some(help) => error.help(help),
                None => error,
            }
        })?;
        Ok(LoadedPlugin {
            plugin,
            origin,
            sha256: hex(sha256),
            schema,
        })
    }
}

/// Why a props schema cannot be used.
struct SchemaRefused {
    message: String,
    help: Option<&'static str>,
}

/// Compiles a props schema within bounds: its size and how many regular expressions it
/// holds are checked before anything is compiled, and each expression compiles under a size
/// limit (a 1.4 MB schema of 20,000 patterns once took 4.9 GB and 36 s).
fn compile_schema(text: &str) -> Result<jsonschema::Validator, SchemaRefused> {
    let too_large = |message: String| SchemaRefused {
        message,
        help: Some(SCHEMA_HELP),
    };
    if text.len() > MAX_SCHEMA_BYTES {
        return Err(too_large(format!(
            "its props schema is {} bytes, more than the {MAX_SCHEMA_BYTES} a props schema may have (a limit that cannot be raised)",
            text.len()
        )));
    }
    let schema: serde_json::Value = serde_json::from_str(text).map_err(|e| SchemaRefused {
        message: format!("its props schema is not JSON: {e}"),
        help: None,
    })?;
    let patterns = count_patterns(&schema);
    if patterns > MAX_SCHEMA_PATTERNS {
        return Err(too_large(format!(
            "its props schema has {patterns} regular expressions (`pattern` values and `patternProperties` keys), more than the {MAX_SCHEMA_PATTERNS} a props schema may have (a limit that cannot be raised)"
        )));
    }
    jsonschema::options()
        .with_pattern_options(
            jsonschema::PatternOptions::fancy_regex()
                .size_limit(MAX_PATTERN_BYTES)
                .dfa_size_limit(MAX_PATTERN_BYTES),
        )
        .build(&schema)
        .map_err(|e| SchemaRefused {
            message: format!(
                "its props schema is not a valid JSON Schema (each regular expression may compile to at most {MAX_PATTERN_BYTES} bytes): {}",
                shown(&e)
            ),
            help: None,
        })
}

/// The largest props schema a plugin may describe: the standard plugins' are a few KiB.
pub(crate) const MAX_SCHEMA_BYTES: usize = 256 << 10;

/// How many regular expressions a props schema may hold.
pub(crate) const MAX_SCHEMA_PATTERNS: usize = 256;

/// How large one regular expression of a props schema may compile (the regex engine's size
/// limit, and its lazy DFA's cache).
pub(crate) const MAX_PATTERN_BYTES: usize = 1 << 20;

const SCHEMA_HELP: &str = "a props schema describes props for people and checks; make it smaller (this is a bug in the plugin, or a hostile one)";

/// The regular expressions a JSON Schema holds: `pattern` strings and `patternProperties`
/// keys, wherever they are.
fn count_patterns(schema: &serde_json::Value) -> usize {
    use serde_json::Value;
    match schema {
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| {
                let own = match (key.as_str(), value) {
                    ("pattern", Value::String(_)) => 1,
                    ("patternProperties", Value::Object(patterns)) => patterns.len(),
                    _ => 0,
                };
                own + count_patterns(value)
            })
            .sum(),
        Value::Array(items) => items.iter().map(count_patterns).sum(),
        _ => 0,
    }
}

/// A JSON Schema error as a message shows it: the value it is about, shortened
/// ([`stackweave_template::shortened`]), rather than whole (a 50 MB prop once gave a
/// 50 MB message).
pub(crate) fn shown(error: &jsonschema::ValidationError<'_>) -> String {
    let value = error.instance().to_string();
    let quoted = stackweave_template::shortened(&value);
    if quoted.len() == value.len() {
        error.to_string()
    } else {
        error.masked_with(quoted).to_string()
    }
}

/// One problem a props schema found, as a person should read it.
pub(crate) struct PropsProblem {
    /// The value the message is about, below the props (for an unknown prop, the object
    /// holding it).
    pub about: String,
    /// Where to point, below the props: an unknown prop is pointed at by its own key.
    pub at: String,
    /// What is wrong, quoting values short ([`shown`]).
    pub message: String,
    /// The known prop closest to an unknown one.
    pub suggestion: Option<String>,
}

/// `error` as [`PropsProblem`]s: one per unknown prop (named at its own key, with the
/// closest prop the schema knows at that place), or the error as it is.
pub(crate) fn props_problems(
    error: &jsonschema::ValidationError<'_>,
    schema: &str,
) -> Vec<PropsProblem> {
    let at = error.instance_path().as_str().to_string();
    let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } = error.kind()
    else {
        return vec![PropsProblem {
            about: at.clone(),
            at,
            message: shown(error),
            suggestion: None,
        }];
    };
    // `schema_path` ends in `/additionalProperties`; the object schema holding it lists
    // the props that are known there (when no `$ref` was followed to reach it).
    let known: Vec<String> = serde_json::from_str::<serde_json::Value>(schema)
        .ok()
        .and_then(|schema| {
            let path = error.schema_path().as_str();
            let object = path.strip_suffix("/additionalProperties")?;
            let properties = schema.pointer(object)?.get("properties")?.as_object()?;
            Some(properties.keys().cloned().collect())
        })
        .unwrap_or_default();
    unexpected
        .iter()
        .map(|key| PropsProblem {
            about: at.clone(),
            at: format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
            message: format!("unknown prop `{}`", stackweave_template::shortened(key)),
            suggestion: stackweave_location::closest(key, known.iter().map(String::as_str))
                .map(str::to_string),
        })
        .collect()
}

fn load_failure(origin: &Origin, message: String) -> Diagnostic {
    Diagnostic::error(format!("cannot load {}: {message}", origin.noun()))
}

fn hex(sha256: &[u8; 32]) -> String {
    sha256.iter().map(|b| format!("{b:02x}")).collect()
}

/// A construct's `plugin:` names a validator.
fn not_a_construct(validator: &LoadedValidator) -> Diagnostic {
    Diagnostic::error(format!(
        "`{}` is a validator plugin: it checks templates (`stackweave validate`) and cannot be a construct",
        validator.info().name
    ))
    .plugin(validator.label())
    .help("name a construct plugin in `plugin:`; validators in the plugin folders run with `stackweave validate`")
}

/// A construct plugin and a validator have the same name.
fn name_taken_by_validator(name: &str, validator: &LoadedValidator, plugin: &Origin) -> Diagnostic {
    Diagnostic::error(format!(
        "two plugins are named `{name}`: the construct plugin {plugin} and the validator {}",
        validator.origin
    ))
    .help("constructs and validators share one set of names: give one of them another name")
}

/// `*.wasm` files under the folders, in a stable order.
fn wasm_files(folders: &[PathBuf], errors: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in folders {
        for entry in WalkDir::new(folder).follow_links(true).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    if entry.path().extension().is_some_and(|e| e == "wasm") {
                        files.push(entry.into_path());
                    }
                }
                Ok(_) => {}
                Err(e) => errors.push(
                    Diagnostic::error(format!("cannot read plugin folder {}: {e}", folder.display()))
                        .help("check the folder given with `--plugins` or in the stack file's `plugins:` list"),
                ),
            }
        }
    }
    files
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use stackweave_host::Limits;
    use stackweave_test_plugins::{ECHO, REQUIRE_TRACING, VALIDATOR_MISBEHAVING};

    use super::*;

    /// A plugin folder holding copies of `plugins` (name in the folder, built component).
    fn folder(plugins: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for (name, built) in plugins {
            std::fs::copy(built, dir.path().join(name)).expect("copy a plugin");
        }
        dir
    }

    fn discover(folder: &Path) -> Result<Registry, Vec<Diagnostic>> {
        let runtime = Runtime::new(Limits::default()).expect("an engine");
        Registry::discover(runtime, &[folder.to_path_buf()])
    }

    fn messages(errors: Vec<Diagnostic>) -> String {
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_folder_of_a_construct_and_validators_gives_each_its_place() {
        let dir = folder(&[
            ("b-tracing.wasm", REQUIRE_TRACING),
            ("echo.wasm", ECHO),
            ("a-misbehaving.wasm", VALIDATOR_MISBEHAVING),
        ]);
        let registry = discover(dir.path()).unwrap_or_else(|e| panic!("{}", messages(e)));
        assert!(registry.get(&PluginRef::Name("echo".into())).is_some());
        let validators: Vec<(&str, String)> = registry
            .validators()
            .iter()
            .map(|v| (v.info().name.as_str(), v.origin.to_string()))
            .collect();
        assert_eq!(
            validators,
            [
                (
                    "misbehaving",
                    dir.path().join("a-misbehaving.wasm").display().to_string()
                ),
                (
                    "require-tracing",
                    dir.path().join("b-tracing.wasm").display().to_string()
                ),
            ],
            "in file order"
        );
        assert_eq!(registry.validators()[1].sha256.len(), 64);
        assert!(!registry.names().contains(&"require-tracing".to_string()));
        assert!(registry.validator_named("require-tracing").is_some());
    }

    #[test]
    fn validators_run_over_a_template_give_findings_or_errors_naming_them() {
        let dir = folder(&[("misbehaving.wasm", VALIDATOR_MISBEHAVING)]);
        let registry = discover(dir.path()).unwrap_or_else(|e| panic!("{}", messages(e)));
        let rules = &registry.validators()[0].info().rules;
        assert_eq!(rules.len(), 1);
        assert_eq!(
            (rules[0].id.as_str(), rules[0].severity),
            ("TEST-1", stackweave_rules::Severity::Error)
        );
        let path = Path::new("template.json");
        let template = serde_json::json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}});
        let found = registry
            .run_validators(&template, path)
            .unwrap_or_else(|e| panic!("{}", messages(e)));
        assert_eq!(
            found,
            [Finding {
                rule_id: "TEST-1".into(),
                logical_id: "Queue".into(),
                pointer: "/Resources/Queue".into(),
                message: "the first resource".into(),
                undecided: false,
            }]
        );
        let mut failing = template;
        failing["Description"] = "error".into();
        let errors = registry
            .run_validators(&failing, path)
            .expect_err("the validator fails");
        assert_eq!(errors.len(), 1);
        let error = &errors[0];
        assert!(
            error.message.starts_with("validating template.json: ")
                && error.message.contains("this validator was asked to fail"),
            "{error}"
        );
        assert_eq!(
            error.plugin.as_ref().map(|p| p.name.as_str()),
            Some("misbehaving")
        );
        assert_eq!(
            error.help.as_deref(),
            Some("fix or remove the validator plugin; its rules were not checked")
        );
    }

    #[test]
    fn props_schemas_are_bounded_before_and_while_compiling() {
        let refused = |schema: serde_json::Value| match compile_schema(&schema.to_string()) {
            Ok(_) => panic!("{schema} compiled"),
            Err(refused) => refused.message,
        };
        let many: serde_json::Map<String, serde_json::Value> = (0..=MAX_SCHEMA_PATTERNS)
            .map(|i| (format!("p{i}"), serde_json::json!({"pattern": "^a$"})))
            .collect();
        let message = refused(serde_json::json!({"properties": many}));
        assert!(
            message.contains("has 257 regular expressions")
                && message.contains("more than the 256"),
            "{message}"
        );
        // Compiled without a limit, this one pattern takes 6 ms and megabytes.
        let message = refused(
            serde_json::json!({"properties": {"a": {"pattern": "(\\w+\\s?){1,99}[a-z]{19999}$"}}}),
        );
        assert!(message.contains("at most 1048576 bytes"), "{message}");
        let message = refused(serde_json::Value::String("x".repeat(MAX_SCHEMA_BYTES)));
        assert!(message.contains("more than the 262144"), "{message}");
        assert!(
            compile_schema(r#"{"properties": {"a": {"pattern": "^[A-Za-z0-9_-]{1,128}$"}}}"#)
                .is_ok()
        );
    }

    #[test]
    fn a_construct_cannot_use_a_validator() {
        let dir = folder(&[("tracing.wasm", REQUIRE_TRACING)]);
        let mut registry = discover(dir.path()).unwrap_or_else(|e| panic!("{}", messages(e)));
        let by_name = PluginRef::Name("require-tracing".into());
        let by_file = PluginRef::File(dir.path().join("tracing.wasm"));
        for (plugin_ref, loaded) in [&by_name, &by_file]
            .into_iter()
            .zip(registry.load_all(&[by_name.clone(), by_file.clone()]))
        {
            let error = loaded
                .expect_err("a validator is not a construct")
                .to_string();
            assert!(
                error.contains(
                    "`require-tracing` is a validator plugin: it checks templates (`stackweave validate`) and cannot be a construct"
                ),
                "{plugin_ref:?}: {error}"
            );
        }
        assert!(registry.get(&by_name).is_none());
        assert!(registry.get(&by_file).is_none());
    }

    #[test]
    fn two_validators_of_one_name_or_one_rule_are_refused() {
        // The same bytes twice are one validator (Cargo keeps a copy under `deps/`).
        let dir = folder(&[("a.wasm", REQUIRE_TRACING), ("b.wasm", REQUIRE_TRACING)]);
        let registry = discover(dir.path()).unwrap_or_else(|e| panic!("{}", messages(e)));
        assert_eq!(registry.validators().len(), 1);

        // Different bytes under one name: a component with a custom section appended is
        // another file to sha256, and the same validator to wasmtime.
        let dir = folder(&[("a.wasm", REQUIRE_TRACING)]);
        let mut bytes = std::fs::read(REQUIRE_TRACING).expect("built");
        bytes.extend_from_slice(&[0, 6, 5, b'x', b'-', b'x', b'-', b'x']);
        std::fs::write(dir.path().join("b.wasm"), &bytes).expect("write a copy");
        let errors = messages(discover(dir.path()).err().expect("a clash"));
        assert!(
            errors.contains("two validators are named `require-tracing`"),
            "{errors}"
        );

        let clash = registry_with_validators_clashing_on_a_rule();
        let errors = messages(clash);
        assert!(
            errors.contains("both declare the rule `TEAM-TRACE-1`")
                && errors.contains("`require-tracing`"),
            "{errors}"
        );
    }

    /// Two validators of different names that both declare `TEAM-TRACE-1`: the example, and
    /// the example renamed in place (its name is a string in its data; the new one has the
    /// same length).
    fn registry_with_validators_clashing_on_a_rule() -> Vec<Diagnostic> {
        let original = std::fs::read(REQUIRE_TRACING).expect("built");
        let renamed = replace_all(&original, b"require-tracing", b"require-tracin2");
        let dir = folder(&[("a.wasm", REQUIRE_TRACING)]);
        std::fs::write(dir.path().join("b.wasm"), renamed).expect("write a copy");
        discover(dir.path()).err().expect("a clash")
    }

    fn replace_all(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let mut replaced = bytes.to_vec();
        let mut found = false;
        let mut at = 0;
        while let Some(offset) = replaced[at..].windows(from.len()).position(|w| w == from) {
            let start = at + offset;
            replaced[start..start + to.len()].copy_from_slice(to);
            at = start + to.len();
            found = true;
        }
        assert!(found, "the name is in the component's data");
        replaced
    }
}
