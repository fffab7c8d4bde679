//! A test plugin that makes large answers from small props, so a stack file of a few lines
//! can test the synthesis' budget: `resources: N` returns N topics, `bytes: N` a topic whose
//! name is N bytes long. A parent (`echo`) creates many of it as children.

// Only the wasm32 export names the plugin; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::fmt::Write as _;

use serde_json::{Value, json};
use stackweave_plugin::bindings::exports::stackweave::plugin::construct::Guest;
use stackweave_plugin::bindings::stackweave::plugin::types::{
    AttributeInfo, AttributeValue, ConstructInfo, Diagnostic, Fragment, SynthContext,
};

struct Bulky;

impl Guest for Bulky {
    fn describe() -> ConstructInfo {
        ConstructInfo {
            name: "bulky".to_string(),
            version: "0.0.1".to_string(),
            description: "returns as many resources or bytes as its props ask (tests only)"
                .to_string(),
            props_schema: json!({
                "type": "object",
                "properties": {
                    "resources": {"type": "integer", "minimum": 0},
                    "bytes": {"type": "integer", "minimum": 0}
                },
                "additionalProperties": false
            })
            .to_string(),
            attributes: vec![AttributeInfo {
                name: "arn".to_string(),
                doc: "the first topic's ARN".to_string(),
            }],
        }
    }

    fn synth(_context: SynthContext, props: String) -> Result<Fragment, Vec<Diagnostic>> {
        let props: Value = serde_json::from_str(&props).unwrap_or(Value::Null);
        let resources = props["resources"].as_u64().unwrap_or(0);
        let bytes = props["bytes"].as_u64().unwrap_or(0);
        // Written as text, not built as a `Value`: the plugin's own memory cap should not be
        // what stops it.
        let mut template = String::from(
            r#"{"Resources":{"Resource":{"Type":"AWS::SNS::Topic","Properties":{"TopicName":""#,
        );
        template.extend(std::iter::repeat_n('x', bytes as usize));
        template.push_str(r#""}}"#);
        for i in 0..resources {
            let _ = write!(template, r#","T{i}":{{"Type":"AWS::SNS::Topic"}}"#);
        }
        template.push_str("}}");
        Ok(Fragment {
            template,
            attributes: vec![AttributeValue {
                name: "arn".to_string(),
                value: json!({"Ref": "Resource"}).to_string(),
            }],
            warnings: Vec::new(),
        })
    }
}

#[cfg(target_arch = "wasm32")]
stackweave_plugin::bindings::export_bindings!(Bulky with_types_in stackweave_plugin::bindings);
