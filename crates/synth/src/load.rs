//! Loading, the steps before a stack runs: reading the stack file, then finding and loading
//! the plugins it uses into a [`Registry`]. One registry can serve several stacks (each
//! [`load_plugins`] call loads only what is missing), so plugins are compiled and described
//! once however many stacks use them.

use std::path::{Path, PathBuf};

use stackweave_host::Runtime;
use stackweave_stack::{ConstructDecl, PluginRef, StackError, StackFile, Unread, parse_stack_file};

use crate::diagnostic::{Diagnostic, Failure};
use crate::options::Options;
use crate::origin::Origin;
use crate::registry::{LoadedPlugin, Registry};

/// A plugin a synthesis used, for the manifest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PluginUse {
    /// Its name.
    pub name: String,
    /// Its own version.
    pub version: String,
    /// `built-in` or its file, relative to the stack file's folder where possible.
    pub origin: String,
    /// Hex sha256 of its bytes.
    pub sha256: String,
}

/// Reads and checks the stack file at `path` to synthesise on its own, reporting every
/// problem it has. Values (`${value:name}`) belong to an app's environments, so one read
/// here is an error at its line.
pub fn read_stack(path: &Path) -> Result<StackFile, Failure> {
    let mut stack = parse_stack_file(path).map_err(stack_diagnostics)?;
    stackweave_stack::bind_values(&mut stack, &|name| {
        Err(Unread {
            message: format!(
                "`${{value:{name}}}` reads a value of an app's environment, but this stack file is synthesised on its own"
            ),
            help: "synthesise the app that lists this stack for one of its environments: `stackweave synth app.yaml --env ENV`".into(),
        })
    })?;
    Ok(stack)
}

/// A registry of the built-in plugins and those in `options.plugin_dirs` and `more_folders`,
/// with a runtime of `options`' limits and cache; plugins load when first asked for.
pub fn new_registry(options: &Options, more_folders: &[PathBuf]) -> Result<Registry, Failure> {
    let mut runtime = Runtime::new(options.limits).map_err(|e| Diagnostic::error(e.to_string()))?;
    if let Some(cache) = &options.cache {
        runtime = runtime.with_cache(cache.clone());
    }
    let mut folders = options.plugin_dirs.clone();
    folders.extend_from_slice(more_folders);
    Ok(Registry::discover(runtime, &folders)?)
}

/// A registry of the plugins `options` and the stack files' `plugins:` folders hold, with
/// every plugin each stack uses loaded.
pub fn registry_for(stacks: &[&StackFile], options: &Options) -> Result<Registry, Failure> {
    // Stacks of one app often share their folders: each is searched once.
    let mut folders: Vec<PathBuf> = Vec::new();
    for folder in stacks.iter().flat_map(|stack| &stack.plugin_dirs) {
        if !folders.contains(folder) {
            folders.push(folder.clone());
        }
    }
    let mut registry = new_registry(options, &folders)?;
    for stack in stacks {
        load_plugins(stack, &mut registry)?;
    }
    Ok(registry)
}

/// The plugins the stack file at `stack_path` uses, sorted by name, without synthesising:
/// what `stackweave lock` records.
pub fn plugins_of(stack_path: &Path, options: &Options) -> Result<Vec<PluginUse>, Failure> {
    let stack = read_stack(stack_path)?;
    let registry = registry_for(&[&stack], options)?;
    Ok(plugins_used(&stack, &registry))
}

/// Each plugin the stack's constructs use, once, sorted by name. When a plugin can create
/// child constructs, every plugin a child could name counts as used, so that `--locked`
/// covers whatever the children turn out to be.
pub(crate) fn plugins_used(stack: &StackFile, registry: &Registry) -> Vec<PluginUse> {
    let plugins: Vec<&LoadedPlugin> = if can_compose(stack, registry) {
        registry.loaded().collect()
    } else {
        stack
            .constructs
            .iter()
            .filter_map(|c| registry.get(&c.plugin))
            .collect()
    };
    let mut used: Vec<PluginUse> = plugins
        .into_iter()
        .map(|plugin| plugin_use(stack, plugin))
        .collect();
    used.sort();
    used.dedup();
    used
}

fn plugin_use(stack: &StackFile, plugin: &LoadedPlugin) -> PluginUse {
    let origin = match &plugin.origin {
        Origin::BuiltIn(_) => "built-in".to_string(),
        // Relative to the stack file's folder, so the manifest and lockfile do not depend on
        // where the repository is checked out.
        Origin::File(path) => path
            .strip_prefix(&stack.dir)
            .unwrap_or(path)
            .display()
            .to_string(),
    };
    PluginUse {
        name: plugin.info().name.clone(),
        version: plugin.info().version.clone(),
        origin,
        sha256: plugin.sha256.clone(),
    }
}

/// Loads each construct's plugin, reporting every one that cannot be had once, at the
/// first construct that uses it.
pub fn load_plugins(stack: &StackFile, registry: &mut Registry) -> Result<(), Failure> {
    let mut wanted: Vec<PluginRef> = Vec::new();
    let mut first_users: Vec<&ConstructDecl> = Vec::new();
    for construct in &stack.constructs {
        if !wanted.contains(&construct.plugin) {
            wanted.push(construct.plugin.clone());
            first_users.push(construct);
        }
    }
    let mut errors = Vec::new();
    for (loaded, construct) in registry.load_all(&wanted).into_iter().zip(first_users) {
        if let Err(error) = loaded {
            let at = stack
                .source_map
                .locate(&format!("{}/plugin", construct.pointer));
            errors.push(error.at(&stack.path, Some(at)).construct(&construct.id));
        }
    }
    // Children name their plugins only while synthesising: have every plugin ready.
    if errors.is_empty()
        && can_compose(stack, registry)
        && let Err(error) = registry.all()
    {
        errors.push(error);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}

/// Whether a plugin of the stack can create child constructs (it imports `composition`).
fn can_compose(stack: &StackFile, registry: &Registry) -> bool {
    stack
        .constructs
        .iter()
        .filter_map(|c| registry.get(&c.plugin))
        .any(|p| p.info().composes)
}

pub(crate) fn stack_diagnostics(error: StackError) -> Failure {
    match error {
        StackError::Read { path, source } => Diagnostic::error(format!(
            "cannot read stack file {}: {source}",
            path.display()
        ))
        .help("check the path to the stack file")
        .into(),
        StackError::Syntax {
            path,
            location,
            message,
        } => Diagnostic::error(format!("the stack file is not valid YAML: {message}"))
            .at(path, location)
            .help("fix the YAML syntax at that line")
            .into(),
        StackError::Invalid(problems) => problems.into(),
    }
}
