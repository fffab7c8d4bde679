//! A plugin built against contract 0.1.0, which imports nothing of Stackweave's own: it must
//! keep loading in a host that speaks 0.2.0. It writes its bindings straight from
//! `wit/since_v0.1.0` (not through the SDK, which follows the newest contract) and makes
//! one log group named by its props.

// wit-bindgen's export macro expands to `unsafe` glue at the call site.
#![allow(unsafe_code)]
// Only the wasm32 export names the plugin; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[allow(missing_docs)]
mod bindings {
    wit_bindgen::generate!({ path: "../../../wit/since_v0.1.0", world: "construct-plugin" });
}

use bindings::exports::stackweave::plugin::construct::Guest;
use bindings::stackweave::plugin::types::{
    AttributeInfo, AttributeValue, ConstructInfo, Diagnostic, Fragment, SynthContext,
};

struct OldTimer;

impl Guest for OldTimer {
    fn describe() -> ConstructInfo {
        ConstructInfo {
            name: "old-timer".to_string(),
            version: "0.1.0".to_string(),
            description: "a log group, from a plugin built against contract 0.1.0 (tests only)"
                .to_string(),
            props_schema: r#"{"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": false}"#
                .to_string(),
            attributes: vec![AttributeInfo {
                name: "arn".to_string(),
                doc: "the log group's ARN".to_string(),
            }],
        }
    }

    fn synth(_context: SynthContext, props: String) -> Result<Fragment, Vec<Diagnostic>> {
        // The props are `{"name": "..."}` or `{}`; the schema has checked that.
        let name = props
            .split('"')
            .nth(3)
            .map(|name| format!(r#", "Properties": {{"LogGroupName": "{name}"}}"#))
            .unwrap_or_default();
        Ok(Fragment {
            template: format!(
                r#"{{"Resources": {{"Resource": {{"Type": "AWS::Logs::LogGroup"{name}}}}}}}"#
            ),
            attributes: vec![AttributeValue {
                name: "arn".to_string(),
                value: r#"{"Fn::GetAtt": ["Resource", "Arn"]}"#.to_string(),
            }],
            warnings: Vec::new(),
        })
    }
}

#[cfg(target_arch = "wasm32")]
bindings::export!(OldTimer with_types_in bindings);
