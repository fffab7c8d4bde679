//! Where plugins come from: the embedded standard plugins, every `*.wasm` under the plugin
//! folders (found with walkdir), and files a construct names directly. Each is loaded once,
//! its props schema compiled once, and identified by name, origin and sha256.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use stackweave_host::{Plugin, PluginInfo, Runtime};
use stackweave_stack::PluginRef;
use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, PluginLabel};

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

/// Where a plugin's bytes came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// Embedded in the stackweave binary, under this name.
    BuiltIn(String),
    /// A file on disk.
    File(PathBuf),
}

impl Origin {
    /// How a sentence names the plugin from this origin.
    fn noun(&self) -> String {
        match self {
            Origin::BuiltIn(name) => format!("the standard plugin `{name}`"),
            Origin::File(path) => format!("plugin {}", path.display()),
        }
    }
}

/// The short form for tables and labels: `built-in`, or the file's path.
impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn(_) => f.write_str("built-in"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Every plugin a run can see, by name.
pub struct Registry {
    runtime: Runtime,
    /// Standard plugins not yet loaded: most runs use only some, and loading compiles.
    builtin_bytes: BTreeMap<&'static str, &'static [u8]>,
    by_name: BTreeMap<String, LoadedPlugin>,
    /// Files named directly by constructs, by path.
    by_file: BTreeMap<PathBuf, LoadedPlugin>,
}

impl Registry {
    /// Finds the plugins in `folders` (and loads each to learn its name); the standard
    /// plugins load on first use. Every unusable file and every name clash is reported.
    pub fn discover(runtime: Runtime, folders: &[PathBuf]) -> Result<Registry, Vec<Diagnostic>> {
        let mut registry = Registry {
            runtime,
            builtin_bytes: stackweave_builtin::STANDARD
                .iter()
                .map(|p| (p.name, p.bytes))
                .collect(),
            by_name: BTreeMap::new(),
            by_file: BTreeMap::new(),
        };
        let mut errors = Vec::new();
        for file in wasm_files(folders, &mut errors) {
            match registry.load_file(&file) {
                Ok(plugin) => {
                    if let Err(error) = registry.insert(plugin) {
                        errors.push(error);
                    }
                }
                Err(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(registry)
        } else {
            Err(errors)
        }
    }

    /// `discover` with a runtime of default limits (for listing plugins).
    pub fn discover_default(folders: &[PathBuf]) -> Result<Registry, Vec<Diagnostic>> {
        let runtime = Runtime::new(stackweave_host::Limits::default())
            .map_err(|e| vec![Diagnostic::error(e.to_string())])?;
        Registry::discover(runtime, folders)
    }

    fn insert(&mut self, plugin: LoadedPlugin) -> Result<(), Diagnostic> {
        let name = plugin.info().name.clone();
        if self.builtin_bytes.contains_key(name.as_str()) {
            return Err(Diagnostic::error(format!(
                "the plugin in {} is named `{name}`, the name of a standard plugin",
                plugin.origin
            ))
            .plugin(plugin.label())
            .help("a team plugin never replaces a standard one: give it another name in its `describe`"));
        }
        if let Some(existing) = self.by_name.get(&name) {
            return Err(Diagnostic::error(format!(
                "two plugins are named `{name}`: {} and {}",
                existing.origin, plugin.origin
            ))
            .help("remove one of the files, or give one plugin another name"));
        }
        self.by_name.insert(name, plugin);
        Ok(())
    }

    /// The plugin a construct asks for by name.
    pub fn by_name(&mut self, name: &str) -> Result<&LoadedPlugin, Diagnostic> {
        if !self.by_name.contains_key(name) {
            let Some(bytes) = self.builtin_bytes.get(name).copied() else {
                let known: Vec<String> = self.names();
                let mut error = Diagnostic::error(format!("no plugin is named `{name}`"));
                error = match crate::diagnostic::closest(name, known.iter().map(String::as_str)) {
                    Some(close) => error.help(format!("did you mean `{close}`?")),
                    None => error.help(format!(
                        "the plugins available are {}; add a folder of team plugins with `--plugins DIR` or the stack file's `plugins:` list",
                        list(&known)
                    )),
                };
                return Err(error);
            };
            let plugin = self.load(bytes, Origin::BuiltIn(name.to_string()))?;
            if plugin.info().name != name {
                return Err(Diagnostic::error(format!(
                    "the standard plugin `{name}` describes itself as `{}`",
                    plugin.info().name
                ))
                .help("this is a bug in stackweave's build; please report it"));
            }
            self.by_name.insert(name.to_string(), plugin);
        }
        self.by_name
            .get(name)
            .ok_or_else(|| Diagnostic::error(format!("no plugin is named `{name}`")))
    }

    /// The plugin in a file a construct names directly.
    pub fn by_file(&mut self, path: &Path) -> Result<&LoadedPlugin, Diagnostic> {
        if !self.by_file.contains_key(path) {
            let plugin = self.load_file(path)?;
            self.by_file.insert(path.to_path_buf(), plugin);
        }
        self.by_file
            .get(path)
            .ok_or_else(|| Diagnostic::error(format!("cannot load {}", path.display())))
    }

    /// A plugin already loaded for a construct's `plugin:` (see `by_name` and `by_file`).
    pub(crate) fn get(&self, plugin_ref: &PluginRef) -> Option<&LoadedPlugin> {
        match plugin_ref {
            PluginRef::Name(name) => self.by_name.get(name),
            PluginRef::File(path) => self.by_file.get(path),
        }
    }

    /// Every plugin name a stack could use, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.builtin_bytes.keys().map(|n| n.to_string()).collect();
        names.extend(self.by_name.keys().cloned());
        names.sort();
        names.dedup();
        names
    }

    /// Loads every standard plugin too, then lists all by name (for `stackweave plugins`).
    pub fn all(&mut self) -> Result<Vec<&LoadedPlugin>, Diagnostic> {
        for name in self.builtin_bytes.keys().copied().collect::<Vec<_>>() {
            self.by_name(name)?;
        }
        Ok(self.by_name.values().collect())
    }

    fn load_file(&self, path: &Path) -> Result<LoadedPlugin, Diagnostic> {
        let bytes = std::fs::read(path).map_err(|e| {
            Diagnostic::error(format!("cannot read plugin file {}: {e}", path.display()))
                .help("check the path; plugin paths are relative to the stack file")
        })?;
        self.load(&bytes, Origin::File(path.to_path_buf()))
    }

    fn load(&self, bytes: &[u8], origin: Origin) -> Result<LoadedPlugin, Diagnostic> {
        let fail = |message: String| {
            Diagnostic::error(format!("cannot load {}: {message}", origin.noun()))
        };
        let plugin = Plugin::load(&self.runtime, bytes).map_err(|e| fail(e.to_string()))?;
        let schema: serde_json::Value = serde_json::from_str(&plugin.info().props_schema)
            .map_err(|e| fail(format!("its props schema is not JSON: {e}")))?;
        let schema = jsonschema::validator_for(&schema)
            .map_err(|e| fail(format!("its props schema is not a valid JSON Schema: {e}")))?;
        Ok(LoadedPlugin {
            plugin,
            origin,
            sha256: hex_sha256(bytes),
            schema,
        })
    }
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

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
