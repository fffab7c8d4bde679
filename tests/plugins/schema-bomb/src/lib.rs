//! A test plugin whose `describe` returns a props schema of 20,000 regular expressions
//! (about 1.4 MB): compiled without bound, such a schema once took 4.9 GB and 36 s. Loading
//! it must fail quickly, naming the limit.

// Only the wasm32 export names the plugin; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use serde_json::{Map, Value, json};
use stackweave_plugin::bindings::exports::stackweave::plugin::construct::Guest;
use stackweave_plugin::bindings::stackweave::plugin::types::{
    ConstructInfo, Diagnostic, Fragment, SynthContext,
};

struct SchemaBomb;

impl Guest for SchemaBomb {
    fn describe() -> ConstructInfo {
        let properties: Map<String, Value> = (0..20_000)
            .map(|i| {
                let pattern = format!(r"^(\w+\s?){{1,{}}}[a-z]{{{i}}}$", 50 + i % 50);
                (
                    format!("p{i}"),
                    json!({"type": "string", "pattern": pattern}),
                )
            })
            .collect();
        ConstructInfo {
            name: "schema-bomb".to_string(),
            version: "0.0.1".to_string(),
            description: "describes a props schema of 20,000 patterns (tests only)".to_string(),
            props_schema: json!({"type": "object", "properties": properties}).to_string(),
            attributes: Vec::new(),
        }
    }

    fn synth(_context: SynthContext, _props: String) -> Result<Fragment, Vec<Diagnostic>> {
        Ok(Fragment {
            template: "{}".to_string(),
            attributes: Vec::new(),
            warnings: Vec::new(),
        })
    }
}

#[cfg(target_arch = "wasm32")]
stackweave_plugin::bindings::export_bindings!(SchemaBomb with_types_in stackweave_plugin::bindings);
