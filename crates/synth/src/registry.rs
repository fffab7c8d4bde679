//! Where plugins come from: the embedded standard plugins, every `*.wasm` under the plugin
//! folders (found with walkdir), and files a construct names directly. Each is loaded once
//! (several at a time: compiling is the slow part of a cold run), its props schema compiled
//! once, and identified by name, origin and sha256.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use stackweave_builtin::Embedded;
use stackweave_host::{Plugin, PluginInfo, Runtime};
use stackweave_stack::PluginRef;
use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, PluginLabel};
use crate::parallel;
use crate::run::Options;

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
    /// The standard plugins, loaded on first use: most runs use only some.
    builtins: BTreeMap<&'static str, &'static Embedded>,
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
            builtins: stackweave_builtin::STANDARD
                .iter()
                .map(|p| (p.name, p))
                .collect(),
            by_name: BTreeMap::new(),
            by_file: BTreeMap::new(),
        };
        let mut errors = Vec::new();
        let files = wasm_files(folders, &mut errors);
        for loaded in parallel::map(&files, |file| registry.load_file(file)) {
            match loaded {
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

    /// `discover` over `options.plugin_dirs` and `more_folders`, with a runtime of
    /// `options`' limits and cache.
    pub fn for_options(
        options: &Options,
        more_folders: &[PathBuf],
    ) -> Result<Registry, Vec<Diagnostic>> {
        let mut runtime =
            Runtime::new(options.limits).map_err(|e| vec![Diagnostic::error(e.to_string())])?;
        if let Some(cache) = &options.cache {
            runtime = runtime.with_cache(cache.clone());
        }
        let mut folders = options.plugin_dirs.clone();
        folders.extend_from_slice(more_folders);
        Registry::discover(runtime, &folders)
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
            // one plugin, not a clash.
            if existing.sha256 == plugin.sha256 {
                return Ok(());
            }
            return Err(Diagnostic::error(format!(
                "two plugins are named `{name}`: {} and {}",
                existing.origin, plugin.origin
            ))
            .help("remove one of the files, or give one plugin another name"));
        }
        self.by_name.insert(name, plugin);
        Ok(())
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
            let known: Vec<String> = self.names();
            let error = Diagnostic::error(format!("no plugin is named `{name}`"));
            return Err(
                match crate::diagnostic::closest(name, known.iter().map(String::as_str)) {
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

    /// Every plugin name a stack could use, sorted.
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

    fn load_file(&self, path: &Path) -> Result<LoadedPlugin, Diagnostic> {
        let bytes = std::fs::read(path).map_err(|e| {
            Diagnostic::error(format!("cannot read plugin file {}: {e}", path.display()))
                .help("check the path; plugin paths are relative to the stack file")
        })?;
        let sha256: [u8; 32] = Sha256::digest(&bytes).into();
        self.load(&bytes, &sha256, Origin::File(path.to_path_buf()))
    }

    fn load(
        &self,
        bytes: &[u8],
        sha256: &[u8; 32],
        origin: Origin,
    ) -> Result<LoadedPlugin, Diagnostic> {
        let fail = |message: String| {
            Diagnostic::error(format!("cannot load {}: {message}", origin.noun()))
        };
        let plugin = Plugin::load(&self.runtime, bytes, sha256).map_err(|e| fail(e.to_string()))?;
        let schema: serde_json::Value = serde_json::from_str(&plugin.info().props_schema)
            .map_err(|e| fail(format!("its props schema is not JSON: {e}")))?;
        let schema = jsonschema::validator_for(&schema)
            .map_err(|e| fail(format!("its props schema is not a valid JSON Schema: {e}")))?;
        Ok(LoadedPlugin {
            plugin,
            origin,
            sha256: sha256.iter().map(|b| format!("{b:02x}")).collect(),
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

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
