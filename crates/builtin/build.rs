//! Builds the standard construct plugins in `plugins/` and writes `$OUT_DIR/standard.rs`,
//! which embeds each component's bytes and their sha256 (so a run need not hash them).
//!
//! Each plugin's props schema is derived first, natively (its `<name>_props_schema` example, run in
//! a target folder of its own), from the very props type the component is compiled from,
//! and handed to the component's build as a constant (see
//! `stackweave_plugin::describe_prebuilt`): the schema cannot drift from the code, and the
//! schema-deriving code stays out of the components, which are a third smaller and compile
//! a third faster on a run without a warm cache.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// The standard plugins: folder under `plugins/`, which is also the construct name.
const STANDARD: &[&str] = &["logging", "iam-role", "express-workflow", "api-integration"];

fn main() {
    let packages: Vec<String> = STANDARD
        .iter()
        .map(|name| format!("stackweave-construct-{name}"))
        .collect();
    let packages: Vec<&str> = packages.iter().map(String::as_str).collect();
    // Each plugin's `<name>_props_schema` example prints its schema (plugins/*/examples;
    // examples of one workspace need distinct names).
    let examples: Vec<(&str, String)> = packages
        .iter()
        .zip(STANDARD)
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
        "/// The standard plugins, built from `plugins/` by this crate's build script.\n\
         pub const STANDARD: &[Embedded] = &[\n",
    );
    for (name, guest) in STANDARD.iter().zip(&built) {
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
