//! The fixed vocabulary of the stack file format: its keys, name patterns and sizes.
//!
//! These lists are the single source for the parser's unknown-key checks and its help
//! texts, and a test holds `docs/stack-file.schema.json` to them so the editor schema and
//! the parser cannot drift apart.

/// Keys allowed at the top level of a stack file.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "description",
    "plugins",
    "parameters",
    "limits",
    "constructs",
    "resources",
    "outputs",
    "validation",
];

/// Top-level keys a stack file must have.
pub const REQUIRED_TOP_LEVEL_KEYS: &[&str] = &["name", "constructs"];

/// Keys allowed in a construct.
pub const CONSTRUCT_KEYS: &[&str] = &["plugin", "props", "logicalIds", "overrides"];

/// Keys a construct must have.
pub const REQUIRED_CONSTRUCT_KEYS: &[&str] = &["plugin"];

/// Keys allowed in a plain resource: CloudFormation's own resource attributes, since the
/// entry is copied into the template as written.
pub const RESOURCE_KEYS: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
    "Metadata",
];

/// Keys a plain resource must have.
pub const REQUIRED_RESOURCE_KEYS: &[&str] = &["Type"];

/// Keys allowed in an output.
pub const OUTPUT_KEYS: &[&str] = &["value", "description", "exportName"];

/// Keys an output must have.
pub const REQUIRED_OUTPUT_KEYS: &[&str] = &["value"];

/// Keys allowed under `limits`.
pub const LIMIT_KEYS: &[&str] = &["resources", "outputs", "parameters", "templateBytes"];

/// Keys allowed under `validation`.
pub const VALIDATION_KEYS: &[&str] = &["enable", "suppress"];

/// Keys allowed in a suppression (`rule` and `reason` are required).
pub const SUPPRESSION_KEYS: &[&str] = &["rule", "resource", "reason"];

/// CloudFormation's stack-name rule (a regular expression, unanchored).
pub const STACK_NAME_PATTERN: &str = "[A-Za-z][A-Za-z0-9-]{0,127}";

/// Construct ids, parameter names and output names: they become logical ids.
pub const LOGICAL_NAME_PATTERN: &str = "[A-Za-z][A-Za-z0-9]*";

/// Both sides of a `logicalIds` pin.
pub const LOGICAL_ID_PATTERN: &str = "[A-Za-z0-9]+";

/// The longest construct id, parameter, output name or logical id CloudFormation accepts.
pub const MAX_LOGICAL_NAME: usize = 255;

/// The longest stack or output description CloudFormation accepts, in bytes.
pub const MAX_DESCRIPTION: usize = 1024;

/// The largest stack file read, in bytes. A CloudFormation template is at most 1 MB, so a
/// stack file describing one is far smaller: the bound cannot be raised, and only stops a
/// mistake (or `/dev/zero`) from taking the machine's memory.
pub const MAX_STACK_FILE_BYTES: u64 = 16 << 20;

/// The most bytes of `!file` data one stack file may read, all its `!file`s together (so a
/// file named a thousand times counts a thousand times). Props end up in a CloudFormation
/// template, which is at most 1 MB, so the bound cannot be raised.
pub const MAX_FILE_DATA_BYTES: u64 = 16 << 20;

/// Whether `name` is a valid stack name ([`STACK_NAME_PATTERN`]).
pub fn is_stack_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
        && name.len() <= 128
}

/// Whether `name` has the shape of a CloudFormation resource type: two to four
/// `::`-separated names (`AWS::SQS::Queue`, `Custom::Seed`, `Org::Team::Thing::MODULE`).
/// Which types exist is CloudFormation's business, not Stackweave's.
pub fn is_resource_type(name: &str) -> bool {
    let parts: Vec<&str> = name.split("::").collect();
    (2..=4).contains(&parts.len())
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '@')
        })
}

/// Whether `id` matches [`LOGICAL_ID_PATTERN`] within [`MAX_LOGICAL_NAME`].
pub fn is_logical_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_LOGICAL_NAME && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `name` matches [`LOGICAL_NAME_PATTERN`] within [`MAX_LOGICAL_NAME`].
pub fn is_logical_name(name: &str) -> bool {
    name.len() <= MAX_LOGICAL_NAME && crate::reference::is_logical_name(name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn schema() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/stack-file.schema.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn property_names(object: &Value) -> BTreeSet<String> {
        object["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    fn required(object: &Value) -> BTreeSet<String> {
        let list = object["required"].as_array().unwrap();
        list.iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn schema_lists_exactly_the_keys_the_parser_accepts() {
        let schema = schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(property_names(&schema), set(TOP_LEVEL_KEYS));
        assert_eq!(required(&schema), set(REQUIRED_TOP_LEVEL_KEYS));
        assert_eq!(schema["additionalProperties"], false);

        let construct = &schema["$defs"]["construct"];
        assert_eq!(property_names(construct), set(CONSTRUCT_KEYS));
        assert_eq!(required(construct), set(REQUIRED_CONSTRUCT_KEYS));
        assert_eq!(construct["additionalProperties"], false);

        let resource = &schema["$defs"]["resource"];
        assert_eq!(property_names(resource), set(RESOURCE_KEYS));
        assert_eq!(required(resource), set(REQUIRED_RESOURCE_KEYS));
        assert_eq!(resource["additionalProperties"], false);

        let output = &schema["$defs"]["output"];
        assert_eq!(property_names(output), set(OUTPUT_KEYS));
        assert_eq!(required(output), set(REQUIRED_OUTPUT_KEYS));
        assert_eq!(output["additionalProperties"], false);

        let validation = &schema["properties"]["validation"];
        assert_eq!(property_names(validation), set(VALIDATION_KEYS));
        assert_eq!(validation["additionalProperties"], false);
        let suppression = &schema["$defs"]["suppression"];
        assert_eq!(property_names(suppression), set(SUPPRESSION_KEYS));
        assert_eq!(required(suppression), set(&["rule", "reason"]));

        let limits = &schema["properties"]["limits"];
        assert_eq!(property_names(limits), set(LIMIT_KEYS));
        assert_eq!(limits["additionalProperties"], false);
    }

    #[test]
    fn schema_patterns_match_the_parser_rules() {
        let schema = schema();
        let anchored = |p: &str| Value::String(format!("^{p}$"));
        let properties = &schema["properties"];
        assert_eq!(properties["name"]["pattern"], anchored(STACK_NAME_PATTERN));
        for map in ["parameters", "constructs", "outputs"] {
            let names = &properties[map]["propertyNames"];
            assert_eq!(names["pattern"], anchored(LOGICAL_NAME_PATTERN), "{map}");
            assert_eq!(names["maxLength"], MAX_LOGICAL_NAME, "{map}");
        }
        let pins = &schema["$defs"]["construct"]["properties"]["logicalIds"];
        assert_eq!(
            pins["propertyNames"]["pattern"],
            anchored(LOGICAL_ID_PATTERN)
        );
        assert_eq!(
            pins["additionalProperties"]["pattern"],
            anchored(LOGICAL_ID_PATTERN)
        );
        assert_eq!(properties["description"]["maxLength"], MAX_DESCRIPTION);
    }

    /// Editors show `title` and `description` as hover help, so every property needs both.
    #[test]
    fn every_schema_property_has_a_title_and_description() {
        fn walk(value: &Value, at: &str, missing: &mut Vec<String>) {
            if let Some(properties) = value.get("properties").and_then(Value::as_object) {
                for (key, property) in properties {
                    let here = format!("{at}/{key}");
                    for field in ["title", "description"] {
                        if property.get(field).and_then(Value::as_str).is_none() {
                            missing.push(format!("{here}: {field}"));
                        }
                    }
                    walk(property, &here, missing);
                }
            }
            for nested in ["$defs", "additionalProperties", "items"] {
                if let Some(Value::Object(inner)) = value.get(nested) {
                    if nested == "$defs" {
                        for (name, def) in inner {
                            walk(def, &format!("{at}/$defs/{name}"), missing);
                        }
                    } else {
                        walk(&Value::Object(inner.clone()), at, missing);
                    }
                }
            }
        }
        let mut missing = Vec::new();
        walk(&schema(), "", &mut missing);
        assert!(missing.is_empty(), "missing: {missing:?}");
    }

    #[test]
    fn name_rules_follow_their_patterns() {
        assert!(is_stack_name("ApiToExpress-2"));
        assert!(!is_stack_name("2Api"));
        assert!(!is_stack_name("api_x"));
        assert!(is_stack_name(&format!("a{}", "b".repeat(127))));
        assert!(!is_stack_name(&format!("a{}", "b".repeat(128))));
        assert!(is_logical_name("Api2"));
        assert!(!is_logical_name("Api-2"));
        assert!(!is_logical_name(&"a".repeat(256)));
        assert!(is_logical_id("2Resource"));
        assert!(!is_logical_id(""));
    }
}
