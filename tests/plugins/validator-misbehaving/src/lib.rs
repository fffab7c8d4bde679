//! A validator that misbehaves as the template's `Description` says, so the host's tests can
//! check every way a validator's call ends: `loop` spins forever (fuel, timeout),
//! `undeclared` reports a rule its `describe` does not list, `error` returns an error,
//! `panic` panics. Any other template gets one finding of its rule `TEST-1` on its first
//! resource (none without resources).

// wit-bindgen's export macro expands to `unsafe` glue at the call site.
#![allow(unsafe_code)]
// Only the wasm32 export names the validator; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[allow(missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit/validator/since_v0.1.0",
        world: "validator-plugin",
    });
}

use std::hint::black_box;

use bindings::exports::stackweave::validator::validator::Guest;
use bindings::stackweave::validator::types::{Finding, RuleInfo, Severity, ValidatorInfo};
use serde_json::Value;

struct Misbehaving;

impl Guest for Misbehaving {
    fn describe() -> ValidatorInfo {
        ValidatorInfo {
            name: "misbehaving".to_string(),
            version: "0.0.1".to_string(),
            description: "misbehaves as the template's Description says (tests only)".to_string(),
            rules: vec![RuleInfo {
                id: "TEST-1".to_string(),
                title: "Every first resource".to_string(),
                severity: Severity::Error,
                rationale: "tests need a finding".to_string(),
                fix: "none".to_string(),
            }],
        }
    }

    fn validate(template: String) -> Result<Vec<Finding>, String> {
        let template: Value =
            serde_json::from_str(&template).map_err(|e| format!("not JSON: {e}"))?;
        let first = template
            .get("Resources")
            .and_then(Value::as_object)
            .and_then(|resources| resources.keys().next().cloned());
        let finding = |rule_id: &str, logical_id: String| Finding {
            rule_id: rule_id.to_string(),
            pointer: format!("/Resources/{logical_id}"),
            logical_id,
            message: "the first resource".to_string(),
            undecided: false,
        };
        match template.get("Description").and_then(Value::as_str) {
            Some("loop") => endless_loop(),
            Some("undeclared") => Ok(vec![finding("TEST-99", first.unwrap_or_default())]),
            Some("error") => Err("this validator was asked to fail".to_string()),
            Some("panic") => panic!("this validator was asked to panic"),
            _ => Ok(first
                .map(|id| vec![finding("TEST-1", id)])
                .unwrap_or_default()),
        }
    }
}

/// Spins forever; the counter goes through `black_box` so the loop has an effect the
/// optimiser must keep.
fn endless_loop() -> ! {
    let mut counter: u64 = 0;
    loop {
        counter = black_box(counter.wrapping_add(1));
    }
}

#[cfg(target_arch = "wasm32")]
bindings::export!(Misbehaving with_types_in bindings);
