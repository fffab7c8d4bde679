//! Architecture invariants that live in `Cargo.toml` files, checked on every test run (as
//! rust-analyzer's tidy test does): ARCHITECTURE.md states them, this keeps them true. A
//! failure here means a dependency arrow was added that the architecture forbids: move the
//! code instead, or change the architecture (and ARCHITECTURE.md) on purpose.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::repo_root;

/// Every workspace package: name -> the Stackweave (and AWS SDK) crates its own code uses
/// (`[dependencies]`; tests and build scripts may use more).
struct Workspace {
    packages: BTreeMap<String, BTreeSet<String>>,
}

impl Workspace {
    fn read() -> Workspace {
        let root = repo_root();
        let manifest = |path: &std::path::Path| -> toml::Table {
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            text.parse()
                .unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()))
        };
        let top = manifest(&root.join("Cargo.toml"));
        let members = top["workspace"]["members"]
            .as_array()
            .expect("workspace members");
        let mut packages = BTreeMap::new();
        let paths = members
            .iter()
            .map(|m| {
                root.join(m.as_str().expect("a member path"))
                    .join("Cargo.toml")
            })
            .chain([root.join("Cargo.toml")]);
        for path in paths {
            let manifest = manifest(&path);
            let name = manifest["package"]["name"]
                .as_str()
                .expect("a package name")
                .to_owned();
            let ours: BTreeSet<String> = manifest
                .get("dependencies")
                .and_then(toml::Value::as_table)
                .into_iter()
                .flat_map(|table| table.keys())
                .filter(|dep| dep.starts_with("stackweave") || dep.starts_with("aws-"))
                .cloned()
                .collect();
            packages.insert(name, ours);
        }
        Workspace { packages }
    }

    /// The packages whose own code depends on `crate_name`.
    fn users_of(&self, crate_name: &str) -> BTreeSet<&str> {
        self.packages
            .iter()
            .filter(|(_, deps)| deps.contains(crate_name))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// What `package`'s own code uses beyond `allowed`.
    fn beyond<'w>(&'w self, package: &str, allowed: &[&str]) -> Vec<&'w String> {
        self.normal(package)
            .iter()
            .filter(|dep| !allowed.contains(&dep.as_str()))
            .collect()
    }

    fn normal(&self, package: &str) -> &BTreeSet<String> {
        self.packages
            .get(package)
            .unwrap_or_else(|| panic!("no workspace package `{package}`"))
    }
}

#[test]
fn only_synth_sees_both_the_host_and_the_template_crate() {
    let workspace = Workspace::read();
    let both: BTreeSet<&str> = workspace
        .users_of("stackweave-host")
        .intersection(&workspace.users_of("stackweave-template"))
        .copied()
        .collect();
    assert_eq!(both, BTreeSet::from(["stackweave-synth"]));
}

#[test]
fn the_leaf_crates_depend_only_on_what_architecture_md_allows() {
    let workspace = Workspace::read();
    // crate -> the Stackweave crates its code may use.
    let allowed: &[(&str, &[&str])] = &[
        // The host knows wasm and files, never CloudFormation or stack files.
        ("stackweave-host", &["stackweave-files"]),
        // The template crate knows CloudFormation only (and how messages quote values).
        ("stackweave-template", &["stackweave-location"]),
        ("stackweave-files", &[]),
        ("stackweave-sfn-tasks", &[]),
        // The one IAM policy reader shares the template crate's idea of a function call.
        ("stackweave-iam", &["stackweave-template"]),
        // The SDK plugins are written with builds for wasm32-wasip2: nothing of the host.
        ("stackweave-plugin", &[]),
        // Where things were written: YAML text only, so every reporter can share it.
        ("stackweave-location", &[]),
        // The app file shares the stack file's YAML reading through the location crate,
        // never the stack crate itself.
        (
            "stackweave-app",
            &["stackweave-files", "stackweave-location"],
        ),
        // The stack file never knows wasm or merging.
        (
            "stackweave-stack",
            &[
                "stackweave-files",
                "stackweave-location",
                "stackweave-template",
            ],
        ),
        // A template file is read without knowing stack files.
        (
            "stackweave-template-file",
            &["stackweave-files", "stackweave-location"],
        ),
        // What a deployment decides without calling AWS: the diff decides approval, the
        // location crate escapes what CloudFormation says; no SDK, no synthesis.
        (
            "stackweave-rollout",
            &["stackweave-diff", "stackweave-location"],
        ),
        // The local emulator's languages know nothing of templates, HTTP or each other,
        // but that a state machine evaluates JSONata.
        ("stackweave-vtl", &[]),
        ("stackweave-jsonata", &[]),
        ("stackweave-asl", &["stackweave-jsonata"]),
        // The emulator works on the final template only: never synthesis, wasm or stack
        // files (the CLI synthesises first), so a hand-written template runs the same way.
        (
            "stackweave-emulator",
            &[
                "stackweave-location",
                "stackweave-template-file",
                "stackweave-vtl",
                "stackweave-asl",
            ],
        ),
    ];
    for (package, may_use) in allowed {
        let extra = workspace.beyond(package, may_use);
        assert!(
            extra.is_empty(),
            "`{package}` depends on {extra:?}, which ARCHITECTURE.md does not allow"
        );
    }
}

#[test]
fn the_cli_is_glue_and_calls_no_wasm_itself() {
    let workspace = Workspace::read();
    assert!(
        !workspace.normal("stackweave").contains("stackweave-host"),
        "the CLI must reach plugins through stackweave-synth, not the host"
    );
    // Nothing depends on the binary's package.
    assert!(workspace.users_of("stackweave").is_empty());
}

#[test]
fn validation_reaches_validator_plugins_only_through_synth() {
    // `stackweave-validate` takes what a finding is tied back to as plain data: it knows
    // neither wasm nor how a stack file is read, and never the CLI.
    let workspace = Workspace::read();
    let uses = workspace.normal("stackweave-validate");
    for forbidden in ["stackweave-host", "stackweave-stack", "stackweave"] {
        assert!(
            !uses.contains(forbidden),
            "`stackweave-validate` depends on `{forbidden}`; pass what it needs as data"
        );
    }
}

#[test]
fn plugins_are_built_from_the_sdk_and_pure_crates_only() {
    let workspace = Workspace::read();
    let guest_safe = ["stackweave-plugin", "stackweave-sfn-tasks"];
    let plugins: Vec<&String> = workspace
        .packages
        .iter()
        .filter(|(_, deps)| deps.contains("stackweave-plugin"))
        .map(|(name, _)| name)
        .collect();
    assert!(plugins.len() >= 4, "the standard plugins: {plugins:?}");
    for plugin in plugins {
        let extra = workspace.beyond(plugin, &guest_safe);
        assert!(
            extra.is_empty(),
            "plugin `{plugin}` depends on {extra:?}; a plugin may use only {guest_safe:?}"
        );
    }
}

#[test]
fn the_aws_sdk_stays_in_its_own_crate() {
    // Compiling the AWS SDK takes minutes: only a deploy crate may depend on it, so every
    // other crate (and its tests) builds without it.
    let workspace = Workspace::read();
    for (name, deps) in &workspace.packages {
        let sdk: Vec<&String> = deps.iter().filter(|d| d.starts_with("aws-")).collect();
        assert!(
            sdk.is_empty() || name == "stackweave-deploy",
            "`{name}` depends on {sdk:?}; keep the AWS SDK in stackweave-deploy"
        );
    }
}

#[test]
fn modules_of_the_orchestration_do_not_import_each_other_in_a_circle() {
    // A circle of `use crate::...` makes the steps of synthesis impossible to read in order
    // (loading, running, merging); each file may only use files below it.
    let src = repo_root().join("crates/synth/src");
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("crates/synth/src") {
        let path = entry.expect("an entry").path();
        let Some(module) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a source file");
        let used = text
            .match_indices("crate::")
            .map(|(at, _)| {
                text[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect::<String>()
            })
            .filter(|name| name != module)
            .collect();
        imports.insert(module.to_owned(), used);
    }
    assert!(imports.contains_key("run"), "{imports:?}");
    // Depth-first search; a module met again while still on the path closes a circle.
    fn visit<'m>(
        module: &'m str,
        imports: &'m BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'m str>,
        done: &mut BTreeSet<&'m str>,
    ) {
        if let Some(start) = path.iter().position(|m| *m == module) {
            panic!(
                "crates/synth imports in a circle: {} -> {module}",
                path[start..].join(" -> ")
            );
        }
        if !done.insert(module) {
            return;
        }
        path.push(module);
        for next in imports.get(module).into_iter().flatten() {
            if imports.contains_key(next) {
                visit(next, imports, path, done);
            }
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in imports.keys() {
        visit(module, &imports, &mut Vec::new(), &mut done);
    }
}

#[test]
fn a_check_command_reads_a_template_and_a_stack_file_under_one_bound() {
    // `validate`, `diff` and `graph` read a file before they know which it is.
    assert_eq!(
        stackweave_template_file::MAX_TEMPLATE_BYTES,
        stackweave_stack::format::MAX_STACK_FILE_BYTES
    );
}
