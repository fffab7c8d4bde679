//! A plugin's props as a person reads them: name, type, whether required, default and
//! description, taken from the JSON Schema the plugin's `describe` returns. This is what
//! `stackweave plugins show` prints, so a team construct needs no page of its own to be
//! used.
//!
//! Only the top level of the schema is listed (what a stack file writes under `props:`);
//! a nested object's own fields are its description's business. Types are read from
//! `type`, `enum`, `const`, `$ref` (the definition's `type`, or its name) and
//! `anyOf` / `oneOf`, which is how schemars writes the SDK's props types.

use serde_json::{Map, Value};

/// One top-level prop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropDoc {
    /// Its key under `props:`.
    pub name: String,
    /// Its type as the schema says it (`string`, `integer | string`, `"GET" | "POST"`).
    pub kind: String,
    /// Whether the schema lists it in `required`.
    pub required: bool,
    /// Its default, as JSON text.
    pub default: Option<String>,
    /// Its description, on one line.
    pub description: String,
}

/// The top-level props of `schema` (JSON text), in the schema's order; empty when the text
/// is not a schema of an object.
pub fn props_of(schema: &str) -> Vec<PropDoc> {
    let Ok(schema) = serde_json::from_str::<Value>(schema) else {
        return Vec::new();
    };
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let definitions = schema
        .get("$defs")
        .or_else(|| schema.get("definitions"))
        .and_then(Value::as_object);
    properties
        .iter()
        .map(|(name, property)| PropDoc {
            name: name.clone(),
            kind: kind_of(property, definitions),
            required: required.contains(&name.as_str()),
            default: property.get("default").map(Value::to_string),
            description: property
                .get("description")
                .and_then(Value::as_str)
                .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
        })
        .collect()
}

/// The type of one schema, as a short expression.
fn kind_of(schema: &Value, definitions: Option<&Map<String, Value>>) -> String {
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        return choices
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    match schema.get("type") {
        Some(Value::String(kind)) => return array_kind(kind, schema, definitions),
        Some(Value::Array(kinds)) => {
            return kinds
                .iter()
                .filter_map(Value::as_str)
                .map(|kind| array_kind(kind, schema, definitions))
                .collect::<Vec<_>>()
                .join(" | ");
        }
        _ => {}
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return match definitions.and_then(|defs| defs.get(name)) {
            // One level only: a definition's own `$ref` is named, not followed, so a
            // recursive schema cannot loop.
            Some(definition) if definition.get("$ref").is_none() => {
                match kind_of(definition, None) {
                    kind if kind == "any" => name.to_string(),
                    kind => kind,
                }
            }
            _ => name.to_string(),
        };
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(choices) = schema.get(key).and_then(Value::as_array) {
            let mut kinds: Vec<String> = Vec::new();
            for choice in choices {
                let kind = kind_of(choice, definitions);
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            return kinds.join(" | ");
        }
    }
    "any".to_string()
}

/// `kind`, or `list of <items>` for an array whose items say their type.
fn array_kind(kind: &str, schema: &Value, definitions: Option<&Map<String, Value>>) -> String {
    match (kind, schema.get("items")) {
        ("array", Some(items)) if items.is_object() => {
            format!("list of {}", kind_of(items, definitions))
        }
        _ => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_prop_has_its_type_requiredness_default_and_description() {
        let schema = json!({
            "type": "object",
            "properties": {
                "retentionDays": {"type": "integer", "default": 7, "description": "How long\n  logs stay."},
                "name": {"type": ["string", "null"]},
                "method": {"enum": ["GET", "POST"]},
                "queries": {"type": "array", "items": {"type": "string"}},
                "logging": {"$ref": "#/$defs/Logging"},
                "role": {"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "string"}]},
                "anything": {}
            },
            "required": ["method"],
            "$defs": {"Logging": {"type": "object", "properties": {}}}
        });
        let props = props_of(&schema.to_string());
        let kinds: Vec<(&str, &str, bool)> = props
            .iter()
            .map(|p| (p.name.as_str(), p.kind.as_str(), p.required))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("retentionDays", "integer", false),
                ("name", "string | null", false),
                ("method", "\"GET\" | \"POST\"", true),
                ("queries", "list of string", false),
                ("logging", "object", false),
                ("role", "string | object", false),
                ("anything", "any", false),
            ]
        );
        assert_eq!(props[0].default.as_deref(), Some("7"));
        assert_eq!(props[0].description, "How long logs stay.");
    }

    #[test]
    fn a_recursive_or_unknown_reference_is_named_not_followed() {
        let schema = json!({
            "properties": {"tree": {"$ref": "#/$defs/Tree"}, "gone": {"$ref": "#/$defs/Gone"}},
            "$defs": {"Tree": {"$ref": "#/$defs/Tree"}}
        });
        let kinds: Vec<String> = props_of(&schema.to_string())
            .into_iter()
            .map(|p| p.kind)
            .collect();
        assert_eq!(kinds, vec!["Tree", "Gone"]);
    }

    #[test]
    fn text_that_is_no_object_schema_has_no_props() {
        assert!(props_of("not json").is_empty());
        assert!(props_of("{\"type\": \"string\"}").is_empty());
    }
}
