//! Builds the plugins in `tests/plugins/` and writes `$OUT_DIR/paths.rs` with a constant per
//! plugin holding its component's path.

use std::fmt::Write as _;

const PLUGINS: &[&str] = &[
    "echo",
    "other-world",
    "newer-contract",
    "impostor",
    "hostile",
    "contract-0-1",
];

fn main() {
    let packages: Vec<String> = PLUGINS
        .iter()
        .map(|name| format!("stackweave-test-plugin-{name}"))
        .collect();
    let packages: Vec<&str> = packages.iter().map(String::as_str).collect();
    let built = stackweave_guest_build::build(&packages, &["tests/plugins"]);
    let mut generated = String::new();
    for (name, guest) in PLUGINS.iter().zip(&built) {
        let constant = name.to_uppercase().replace('-', "_");
        let path = guest.wasm.display().to_string();
        writeln!(
            generated,
            "/// The `{name}` test plugin's component.\npub const {constant}: &str = {path:?};"
        )
        .expect("writing to a String cannot fail");
    }
    let out = std::path::Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("paths.rs");
    std::fs::write(out, generated).expect("OUT_DIR is writable");
}
