//! Builds the standard construct plugins in `plugins/` and writes `$OUT_DIR/standard.rs`,
//! which embeds each component's bytes and their sha256 (so a run need not hash them).
//!
//! The standard plugins are the folders of `plugins/` that hold a `Cargo.toml`, sorted by
//! name: adding one is adding its folder (and its workspace member), with no list to keep.
//!
//! Each plugin's props schema is derived first, natively (its `<name>_props_schema` example, run in
//! a target folder of its own), from the very props type the component is compiled from,
//! and handed to the component's build as a constant (see
//! `stackweave_plugin::describe_prebuilt`): the schema cannot drift from the code, and the
//! schema-deriving code stays out of the components, which are a third smaller and compile
//! a third faster on a run without a warm cache.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The standard plugins: the folders under `plugins/` with a `Cargo.toml`, sorted by name.
/// A folder's name is its construct name, and its package is
/// `stackweave-construct-<folder>`.
fn standard() -> Vec<String> {
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let plugins = Path::new(&manifest_dir).join("../../plugins");
    let entries = std::fs::read_dir(&plugins)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", plugins.display()));
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", plugins.display())))
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .map(|entry| {
            let name = entry.file_name().into_string().unwrap_or_else(|name| {
                panic!("the plugin folder {name:?} is not named in UTF-8")
            });
            let manifest = std::fs::read_to_string(entry.path().join("Cargo.toml"))
                .unwrap_or_else(|e| panic!("cannot read plugins/{name}/Cargo.toml: {e}"));
            let package = format!("name = \"stackweave-construct-{name}\"");
            assert!(
                manifest.lines().any(|line| line.trim() == package),
                "plugins/{name}/Cargo.toml must say `{package}`: a standard plugin's package is named after its folder"
            );
            name
        })
        .collect();
    names.sort();
    names
}

fn main() {
    let standard = standard();
    let packages: Vec<String> = standard
        .iter()
        .map(|name| format!("stackweave-construct-{name}"))
        .collect();
    let packages: Vec<&str> = packages.iter().map(String::as_str).collect();
    // Each plugin's `<name>_props_schema` example prints its schema (plugins/*/examples;
    // examples of one workspace need distinct names).
    let examples: Vec<(&str, String)> = packages
        .iter()
        .zip(&standard)
        .map(|(package, name)| (*package, format!("{}_props_schema", name.replace('-', "_"))))
        .collect();
    let schemas = stackweave_guest_build::run_native_examples(&examples);
    let vars: Vec<(String, String)> = packages
        .iter()
        .zip(schemas)
        .map(|(package, schema)| {
            let name = format!("STACKWEAVE_PROPS_SCHEMA_{package}");
            (name, schema.trim().to_string())
        })
        .collect();
    let built =
        stackweave_guest_build::build_with_env(&packages, &["plugins", "crates/sfn-tasks"], &vars);

    let mut generated = String::from(
        "/// The standard plugins, built from `plugins/` by this crate's build script, sorted by name.\n\
         pub const STANDARD: &[Embedded] = &[\n",
    );
    for (name, guest) in standard.iter().zip(&built) {
        let path = guest.wasm.display().to_string();
        let bytes = std::fs::read(&guest.wasm).expect("the guest build wrote the component");
        let sha256: [u8; 32] = Sha256::digest(&bytes).into();
        writeln!(
            generated,
            "    Embedded {{ name: {name:?}, bytes: include_bytes!({path:?}), sha256: {sha256:?} }},"
        )
        .expect("writing to a String cannot fail");
    }
    generated.push_str("];\n");
    // For the test that each component carries its schema.
    writeln!(
        generated,
        "#[cfg(test)]\nconst DERIVED_SCHEMAS: [&str; {}] = {:?};",
        vars.len(),
        vars.iter()
            .map(|(_, schema)| schema.as_str())
            .collect::<Vec<_>>()
    )
    .expect("writing to a String cannot fail");
    let out = std::path::Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("standard.rs");
    std::fs::write(out, generated).expect("OUT_DIR is writable");
}
