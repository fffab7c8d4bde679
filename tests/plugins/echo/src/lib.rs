//! A test plugin that answers whatever its props ask for: a fragment verbatim (or its exact
//! text, repeated keys and all), an attribute value (or attributes as raw text), warnings, a
//! rejection or a panic. It implements the generated bindings directly
//! (not the SDK's `Construct`), because the SDK refuses to return the broken fragments the
//! host's checks must be tested against.

// Only the wasm32 export names the plugin; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use serde_json::{Value, json};
use stackweave_plugin::bindings::exports::stackweave::plugin::construct::Guest;
use stackweave_plugin::bindings::stackweave::plugin::types::{
    AttributeInfo, AttributeValue, ConstructInfo, Diagnostic, Fragment, Severity, SynthContext,
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
                    "text": {"type": "string"},
                    "value": {},
                    "attributes": {"type": "array"},
                    "warn": {"type": "array"},
                    "reject": {"type": "array"},
                    "panic": {"type": "string"},
                    "children": {"type": "array"}
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
        // Children first, as a composing construct would: `[{plugin, id, props | propsText}]`. Without a
        // `value` prop, the `value` attribute is then `{child id: {attribute: expression}}`.
        let mut child_values = serde_json::Map::new();
        for child in props["children"].as_array().into_iter().flatten() {
            // `propsText`: the child's props as JSON text, so that what they refer to is not
            // among this construct's own props' references, as with a real plugin that
            // computes its children's props.
            let child_props = match child["propsText"].as_str() {
                Some(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                None => child["props"].clone(),
            };
            let created = stackweave_plugin::add_child(
                child["plugin"].as_str().unwrap_or_default(),
                child["id"].as_str().unwrap_or_default(),
                &child_props,
            );
            match created {
                Ok(created) => {
                    let attributes: serde_json::Map<String, Value> = created
                        .attributes()
                        .map(|(name, value)| (name.to_string(), value.clone()))
                        .collect();
                    child_values.insert(created.id().to_string(), Value::Object(attributes));
                }
                Err(diagnostics) => {
                    return Err(diagnostics
                        .into_iter()
                        .map(|d| Diagnostic {
                            severity: Severity::Error,
                            message: d.message,
                            path: d.path,
                        })
                        .collect());
                }
            }
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
        // `text` is the template exactly as written, which a `Value` cannot hold when it
        // repeats a key.
        let template = match props["text"].as_str() {
            Some(text) => text.to_string(),
            None => props
                .get("fragment")
                .cloned()
                .unwrap_or_else(|| json!({}))
                .to_string(),
        };
        let attributes = match props["attributes"].as_array() {
            // `[{name, text}]`, as raw as the contract allows.
            Some(raw) => raw
                .iter()
                .map(|a| AttributeValue {
                    name: a["name"].as_str().unwrap_or_default().to_string(),
                    value: a["text"].as_str().unwrap_or_default().to_string(),
                })
                .collect(),
            None => vec![AttributeValue {
                name: "value".to_string(),
                value: match props.get("value") {
                    Some(value) => value.to_string(),
                    // With children and no value of its own: the children's values.
                    None if !child_values.is_empty() => Value::Object(child_values).to_string(),
                    None => Value::Null.to_string(),
                },
            }],
        };
        Ok(Fragment {
            template,
            attributes,
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
