//! Checking SARIF reports against the SARIF 2.1.0 JSON schema, the schema GitHub code
//! scanning validates uploads against. The schema comes from the npm registry (the
//! `@microsoft/jest-sarif` package ships the OASIS 2.1.0 schema), fetched once into the
//! target folder; nothing of it is committed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The npm package carrying the schema, pinned.
const PACKAGE: &str = "@microsoft/jest-sarif@1.0.0-beta.0";
/// The schema's path inside the package.
const SCHEMA: &str = "package/lib/schemas/sarif-2.1.0-rtm.5.json";

fn schema() -> &'static jsonschema::Validator {
    static SCHEMA_VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA_VALIDATOR.get_or_init(|| {
        let path = fetch().unwrap_or_else(|why| panic!("cannot get the SARIF schema: {why}"));
        let text = std::fs::read_to_string(&path).expect("the schema is readable");
        let mut schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        // The schema's pattern for `language` (of a run and of a tool component) has a
        // stray `]` that JavaScript's regular expressions forgive and the validator's do
        // not, so the schema itself fails to compile. Stackweave never writes `language`;
        // drop those patterns.
        for owner in ["run", "toolComponent"] {
            let language = schema
                .pointer_mut(&format!("/definitions/{owner}/properties/language"))
                .and_then(Value::as_object_mut)
                .expect("the schema describes `language`");
            language.remove("pattern");
        }
        jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
    })
}

/// `npm pack` the package into the target folder and unpack it (once per target folder).
fn fetch() -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif-schema");
    let schema = dir.join(SCHEMA);
    if schema.is_file() {
        return Ok(schema);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let packed = Command::new("npm")
        .args(["pack", "--silent", PACKAGE])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("running npm (Node.js's npm must be installed): {e}"))?;
    if !packed.status.success() {
        return Err(format!(
            "npm pack {PACKAGE}: {}",
            String::from_utf8_lossy(&packed.stderr)
        ));
    }
    let tarball = String::from_utf8_lossy(&packed.stdout).trim().to_owned();
    let unpacked = Command::new("tar")
        .args(["xzf", &tarball, SCHEMA])
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("running tar: {e}"))?;
    if !unpacked.success() || !schema.is_file() {
        return Err(format!("{tarball} has no {SCHEMA}"));
    }
    Ok(schema)
}

/// Asserts that `log` is a valid SARIF 2.1.0 log.
#[track_caller]
pub fn assert_valid(log: &Value) {
    let errors: Vec<String> = schema()
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}\n{log:#}");
    assert_eq!(log["version"], "2.1.0");
}
