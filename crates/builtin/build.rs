//! Builds the standard construct plugins in `plugins/` and writes `$OUT_DIR/standard.rs`,
//! which embeds each component's bytes and their sha256 (so a run need not hash them).

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
    let built = stackweave_guest_build::build(&packages, &["plugins"]);

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
    let out = std::path::Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("standard.rs");
    std::fs::write(out, generated).expect("OUT_DIR is writable");
}
