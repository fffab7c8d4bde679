//! `stackweave.lock`: the plugins a stack was locked to, by name, version and sha256.
//!
//! Trust on first use, like Terraform's dependency lock file: `stackweave lock` records what
//! the plugins are now; `synth --locked` refuses any plugin whose bytes differ or that the
//! lockfile does not list. The lockfile lives beside the stack file and is committed with it.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::diagnostic::Diagnostic;
use crate::load::PluginUse;

/// The lockfile format's version, written into every lockfile.
const FORMAT_VERSION: u64 = 1;

/// The largest lockfile read, in bytes: a few hundred bytes per plugin, so a stack would need
/// tens of thousands of plugins to come near. Cannot be raised; it only keeps a lockfile
/// replaced by `/dev/zero` or a huge file from taking the machine's memory.
const MAX_LOCKFILE_BYTES: u64 = 16 << 20;

/// The lockfile's name, beside the stack file.
pub const LOCKFILE_NAME: &str = "stackweave.lock";

/// Where the lockfile of a stack file is.
pub fn lockfile_path(stack_file: &Path) -> PathBuf {
    match stack_file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(LOCKFILE_NAME),
        _ => PathBuf::from(LOCKFILE_NAME),
    }
}

/// The lockfile's text for `plugins` (sorted by name), deterministic to the byte.
pub fn render(plugins: &[PluginUse]) -> String {
    let entries: Vec<Value> = plugins
        .iter()
        .map(|p| {
            let mut entry = json!({ "name": p.name, "version": p.version, "origin": p.origin, "sha256": p.sha256 });
            if p.origin == "built-in" {
                // A standard plugin changes with stackweave itself; say which one locked it.
                entry["stackweave"] = json!(env!("CARGO_PKG_VERSION"));
            }
            entry
        })
        .collect();
    let lock = json!({ "version": FORMAT_VERSION, "plugins": entries });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&lock).unwrap_or_default()
    )
}

/// A lockfile as read: (plugin name, origin) -> sha256. The origin is part of the key
/// because one stack may use two files that describe themselves with the same name.
pub(crate) struct Lockfile {
    path: PathBuf,
    entries: Vec<(String, String, String)>,
}

impl Lockfile {
    /// Reads the lockfile beside `stack_file`.
    pub(crate) fn read(stack_file: &Path) -> Result<Lockfile, Diagnostic> {
        let path = lockfile_path(stack_file);
        let lock_hint = format!(
            "run `stackweave lock {}` and commit the lockfile",
            stack_file.display()
        );
        let unreadable = |why: String, help: String| {
            Diagnostic::error(format!(
                "`--locked` needs the lockfile {}, which cannot be read: {why}",
                path.display()
            ))
            .help(help)
        };
        let bytes =
            stackweave_files::read_bounded(&path, MAX_LOCKFILE_BYTES).map_err(|e| match e {
                stackweave_files::ReadError::TooLarge { actual, limit } => unreadable(
                    format!("it is {actual} bytes, more than the {limit} a lockfile may have"),
                    format!(
                        "this limit cannot be raised: a lockfile holds a few hundred bytes per \
                         plugin, so this is not one stackweave wrote; {lock_hint}"
                    ),
                ),
                other => unreadable(other.to_string(), lock_hint.clone()),
            })?;
        let malformed = |why: &str| {
            Diagnostic::error(format!(
                "the lockfile {} is not one stackweave wrote: {why}",
                path.display()
            ))
            .help(lock_hint.clone())
        };
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| malformed(&e.to_string()))?;
        if value["version"] != json!(FORMAT_VERSION) {
            return Err(malformed(&format!(
                "its format version is {}, not {FORMAT_VERSION}",
                value["version"]
            )));
        }
        let plugins = value["plugins"]
            .as_array()
            .ok_or_else(|| malformed("it has no `plugins` list"))?;
        let mut entries = Vec::new();
        for plugin in plugins {
            match (
                plugin["name"].as_str(),
                plugin["origin"].as_str(),
                plugin["sha256"].as_str(),
            ) {
                (Some(name), Some(origin), Some(sha256)) => {
                    let twice = entries
                        .iter()
                        .position(|(n, o, s): &(String, String, String)| {
                            n == name && o == origin && s != sha256
                        });
                    if let Some(first) = twice {
                        return Err(Diagnostic::error(format!(
                            "the lockfile {} names plugin `{name}` ({origin}) twice with different \
                             sha256: entries {} and {} of `plugins` say {} and {sha256}",
                            path.display(),
                            first + 1,
                            entries.len() + 1,
                            entries[first].2,
                        ))
                        .help(format!(
                            "a plugin has one sha256; keep the entry of the bytes you reviewed, \
                             or review the plugin and run `stackweave lock {}` to write the \
                             lockfile afresh",
                            stack_file.display()
                        )));
                    }
                    entries.push((name.to_string(), origin.to_string(), sha256.to_string()));
                }
                _ => {
                    return Err(malformed(
                        "a plugin entry lacks `name`, `origin` or `sha256`",
                    ));
                }
            }
        }
        Ok(Lockfile { path, entries })
    }

    /// Every plugin in `used` that is missing from the lockfile or whose bytes differ.
    pub(crate) fn check(&self, used: &[PluginUse], stack_file: &Path) -> Vec<Diagnostic> {
        let relock = format!(
            "if the change is expected, review it and run `stackweave lock {}`",
            stack_file.display()
        );
        used.iter()
            .filter_map(|plugin| match self.entries.iter().find(|(name, origin, _)| *name == plugin.name && *origin == plugin.origin) {
                None => Some(
                    Diagnostic::error(format!(
                        "plugin `{}` ({}) is not in the lockfile {}",
                        plugin.name,
                        plugin.origin,
                        self.path.display()
                    ))
                    .help(relock.clone()),
                ),
                Some((_, _, locked)) if *locked != plugin.sha256 => Some(
                    Diagnostic::error(format!(
                        "plugin `{}` ({}) is not the one locked: its sha256 is {}, the lockfile {} says {locked}",
                        plugin.name,
                        plugin.origin,
                        plugin.sha256,
                        self.path.display()
                    ))
                    .help(relock.clone()),
                ),
                Some(_) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(name: &str, sha256: &str) -> PluginUse {
        PluginUse {
            name: name.into(),
            version: "1.0.0".into(),
            origin: "built-in".into(),
            sha256: sha256.into(),
        }
    }

    #[test]
    fn the_lockfile_sits_beside_the_stack_file() {
        assert_eq!(
            lockfile_path(Path::new("a/b/stack.yaml")),
            Path::new("a/b/stackweave.lock")
        );
        assert_eq!(
            lockfile_path(Path::new("stack.yaml")),
            Path::new("stackweave.lock")
        );
    }

    #[test]
    fn a_rendered_lockfile_checks_clean_and_catches_changes() {
        let dir = std::env::temp_dir().join(format!("stackweave-lock-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let stack = dir.join("stack.yaml");
        std::fs::write(lockfile_path(&stack), render(&[plugin("logging", "aa")])).expect("write");
        let lock = Lockfile::read(&stack).expect("reads back");
        assert!(lock.check(&[plugin("logging", "aa")], &stack).is_empty());
        let changed = lock.check(&[plugin("logging", "bb")], &stack);
        assert_eq!(changed.len(), 1);
        assert!(
            changed[0].message.contains("its sha256 is bb")
                && changed[0].message.contains("says aa")
        );
        let missing = lock.check(&[plugin("iam-role", "cc")], &stack);
        assert!(
            missing[0]
                .message
                .contains("`iam-role` (built-in) is not in the lockfile")
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn one_plugin_locked_twice_with_two_hashes_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let stack = dir.path().join("stack.yaml");
        let entries = [plugin("logging", "aa"), plugin("iam-role", "cc")];
        let mut lock: Value = serde_json::from_str(&render(&entries)).expect("JSON");
        let mut other = lock["plugins"][0].clone();
        other["sha256"] = json!("bb");
        lock["plugins"].as_array_mut().expect("a list").push(other);
        std::fs::write(lockfile_path(&stack), lock.to_string()).expect("write");
        let Err(refused) = Lockfile::read(&stack) else {
            panic!("a lockfile with two hashes for `logging` was accepted");
        };
        assert!(
            refused.message.contains(
                "names plugin `logging` (built-in) twice with different sha256: entries 1 and 3 of `plugins` say aa and bb"
            ),
            "{}",
            refused.message
        );
    }
}
