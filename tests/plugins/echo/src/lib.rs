//! A test plugin that answers whatever its props ask for: a fragment verbatim, an attribute
//! value, warnings, a rejection or a panic. It implements the generated bindings directly
//! (not the SDK's `Construct`), because the SDK refuses to return the broken fragments the
//! host's checks must be tested against.

// Only the wasm32 export names the plugin; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use serde_json::{Value, json};
use stackweave_plugin::bindings::exports::stackweave::plugin::construct::Guest;
use stackweave_plugin::bindings::stackweave::plugin::types::{
    AttributeInfo, ConstructInfo, Diagnostic, Fragment, Severity, SynthContext,
};

struct Echo;

impl Guest for Echo {
    fn describe() -> ConstructInfo {
        ConstructInfo {
            name: "echo".to_string(),
            version: "0.0.1".to_string(),
            description: "returns the fragment its props hold (tests only)".to_string(),
            props_schema: json!({
                "type": "object",
                "properties": {
                    "fragment": {"type": "object"},
                    "value": {},
                    "warn": {"type": "array"},
                    "reject": {"type": "array"},
                    "panic": {"type": "string"}
                },
                "additionalProperties": false
            })
            .to_string(),
            attributes: vec![AttributeInfo {
                name: "value".to_string(),
                doc: "whatever the `value` prop held".to_string(),
            }],
        }
    }

    fn synth(_context: SynthContext, props: String) -> Result<Fragment, Vec<Diagnostic>> {
        let props: Value = serde_json::from_str(&props).unwrap_or(Value::Null);
        if let Some(message) = props["panic"].as_str() {
            panic!("{message}");
        }
        if let Some(reject) = props["reject"].as_array() {
            return Err(reject
                .iter()
                .map(|d| diagnostic(d, Severity::Error))
                .collect());
        }
        let warnings = props["warn"]
            .as_array()
            .map(|w| w.iter().map(|d| diagnostic(d, Severity::Warning)).collect());
        Ok(Fragment {
            template: props
                .get("fragment")
                .cloned()
                .unwrap_or_else(|| json!({}))
                .to_string(),
            attributes: vec![
                stackweave_plugin::bindings::stackweave::plugin::types::AttributeValue {
                    name: "value".to_string(),
                    value: props
                        .get("value")
                        .cloned()
                        .unwrap_or(Value::Null)
                        .to_string(),
                },
            ],
            warnings: warnings.unwrap_or_default(),
        })
    }
}

/// A diagnostic from `{message, path, severity}`; `severity` ("error" or "warning")
/// overrides the list's own, so tests can send the contract's odd cases.
fn diagnostic(value: &Value, severity: Severity) -> Diagnostic {
    let severity = match value["severity"].as_str() {
        Some("error") => Severity::Error,
        Some("warning") => Severity::Warning,
        _ => severity,
    };
    Diagnostic {
        severity,
        message: value["message"]
            .as_str()
            .unwrap_or("no message")
            .to_string(),
        path: value["path"].as_str().map(str::to_string),
    }
}

#[cfg(target_arch = "wasm32")]
stackweave_plugin::bindings::export_bindings!(Echo with_types_in stackweave_plugin::bindings);
