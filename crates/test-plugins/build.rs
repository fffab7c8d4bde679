//! Builds the plugins in `tests/plugins/` (and the example plugins elsewhere in the
//! repository that tests load) and writes `$OUT_DIR/paths.rs` with a constant per plugin
//! holding its component's path.

use std::fmt::Write as _;

/// Plugins in `tests/plugins/NAME`, package `stackweave-test-plugin-NAME`; the constant is
/// `NAME` in upper case, `-` as `_`.
const PLUGINS: &[&str] = &[
    "echo",
    "other-world",
    "newer-contract",
    "impostor",
    "hostile",
    "contract-0-1",
    "validator-misbehaving",
    "sleepy",
    "bulky",
    "schema-bomb",
];

/// Plugins shipped elsewhere in the repository that tests load as they are: (constant,
/// package, folder watched for changes).
const ELSEWHERE: &[(&str, &str, &str)] =
    &[("REQUIRE_TRACING", "require-tracing", "examples/team-rules")];

fn main() {
    let mut constants: Vec<String> = PLUGINS
        .iter()
        .map(|name| name.to_uppercase().replace('-', "_"))
        .collect();
    let mut packages: Vec<String> = PLUGINS
        .iter()
        .map(|name| format!("stackweave-test-plugin-{name}"))
        .collect();
    let mut watch = vec!["tests/plugins"];
    for (constant, package, folder) in ELSEWHERE {
        constants.push(constant.to_string());
        packages.push(package.to_string());
        watch.push(folder);
    }
    let packages: Vec<&str> = packages.iter().map(String::as_str).collect();
    // One nested cargo build for all of them: it shares the dependencies' compilation.
    let built = stackweave_guest_build::build(&packages, &watch);
    let mut generated = String::new();
    for (constant, guest) in constants.iter().zip(&built) {
        let path = guest.wasm.display().to_string();
        writeln!(
            generated,
            "/// The `{}` plugin's component.\npub const {constant}: &str = {path:?};",
            guest.package
        )
        .expect("writing to a String cannot fail");
    }
    let out = std::path::Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("paths.rs");
    std::fs::write(out, generated).expect("OUT_DIR is writable");
}
