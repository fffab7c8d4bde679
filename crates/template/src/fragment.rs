//! Fragments: what one construct contributes to a template, as its plugin returned it.
//!
//! A fragment is keyed by the construct's *local* ids; [`crate::TemplateBuilder`] turns
//! them into logical ids. Parsing checks the shape CloudFormation needs, so that a
//! plugin's mistake is reported against the plugin rather than surfacing later as a
//! confusing merge or deployment error.

use serde_json::{Map, Value};

/// Keys CloudFormation accepts on a resource.
const RESOURCE_KEYS: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
];

/// Keys CloudFormation accepts on an output.
const OUTPUT_KEYS: &[&str] = &["Value", "Description", "Export", "Condition"];

/// What one construct contributed, parsed and shape-checked from the plugin's JSON text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fragment {
    /// Resources by local id.
    pub resources: Map<String, Value>,
    /// Conditions by local id.
    pub conditions: Map<String, Value>,
    /// Outputs by local id.
    pub outputs: Map<String, Value>,
}

/// Why a plugin's fragment text was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FragmentError {
    /// What is wrong, naming the offending section, id or key.
    pub message: String,
}

impl FragmentError {
    fn new(message: impl Into<String>) -> Self {
        FragmentError {
            message: message.into(),
        }
    }
}

impl Fragment {
    /// Parses and shape-checks a fragment: a JSON object whose only keys are
    /// `Resources`, `Conditions` and `Outputs`, each an object keyed by ASCII
    /// alphanumeric local ids; every resource has a string `Type`, every output a `Value`.
    pub fn from_json(text: &str) -> Result<Fragment, FragmentError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| FragmentError::new(format!("the fragment is not valid JSON: {e}")))?;
        let Value::Object(top) = value else {
            return Err(FragmentError::new(format!(
                "the fragment must be a JSON object, not {}",
                kind_of(&value)
            )));
        };
        let mut fragment = Fragment::default();
        for (key, section) in top {
            let target = match key.as_str() {
                "Resources" => &mut fragment.resources,
                "Conditions" => &mut fragment.conditions,
                "Outputs" => &mut fragment.outputs,
                _ => {
                    return Err(FragmentError::new(format!(
                        "the fragment has a top-level key `{key}`; only `Resources`, \
                         `Conditions` and `Outputs` are allowed"
                    )));
                }
            };
            let Value::Object(entries) = section else {
                return Err(FragmentError::new(format!(
                    "the fragment's `{key}` must be an object, not {}",
                    kind_of(&section)
                )));
            };
            *target = entries;
        }
        for id in fragment
            .resources
            .keys()
            .chain(fragment.conditions.keys())
            .chain(fragment.outputs.keys())
        {
            check_local_id(id)?;
        }
        for (id, resource) in &fragment.resources {
            check_resource(id, resource)?;
        }
        for (id, condition) in &fragment.conditions {
            if !condition.is_object() {
                return Err(FragmentError::new(format!(
                    "condition `{id}` must be a condition function object, not {}",
                    kind_of(condition)
                )));
            }
        }
        for (id, output) in &fragment.outputs {
            check_output(id, output)?;
        }
        Ok(fragment)
    }

    /// Whether any section has an entry with this local id.
    pub fn has_local_id(&self, local_id: &str) -> bool {
        self.resources.contains_key(local_id)
            || self.conditions.contains_key(local_id)
            || self.outputs.contains_key(local_id)
    }
}

fn check_local_id(id: &str) -> Result<(), FragmentError> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FragmentError::new(format!(
            "local id `{id}` must be non-empty and contain only ASCII letters and digits"
        )));
    }
    Ok(())
}

fn check_resource(id: &str, resource: &Value) -> Result<(), FragmentError> {
    let Value::Object(fields) = resource else {
        return Err(FragmentError::new(format!(
            "resource `{id}` must be an object, not {}",
            kind_of(resource)
        )));
    };
    match fields.get("Type") {
        Some(Value::String(_)) => {}
        Some(other) => {
            return Err(FragmentError::new(format!(
                "resource `{id}` has a `Type` that is {}, not a string",
                kind_of(other)
            )));
        }
        None => {
            return Err(FragmentError::new(format!("resource `{id}` has no `Type`")));
        }
    }
    if let Some(key) = fields.keys().find(|k| !RESOURCE_KEYS.contains(&k.as_str())) {
        return Err(FragmentError::new(format!(
            "resource `{id}` has a key `{key}` that CloudFormation does not accept; \
             allowed keys are {}",
            RESOURCE_KEYS.join(", ")
        )));
    }
    Ok(())
}

fn check_output(id: &str, output: &Value) -> Result<(), FragmentError> {
    let Value::Object(fields) = output else {
        return Err(FragmentError::new(format!(
            "output `{id}` must be an object, not {}",
            kind_of(output)
        )));
    };
    if !fields.contains_key("Value") {
        return Err(FragmentError::new(format!("output `{id}` has no `Value`")));
    }
    if let Some(key) = fields.keys().find(|k| !OUTPUT_KEYS.contains(&k.as_str())) {
        return Err(FragmentError::new(format!(
            "output `{id}` has a key `{key}` that CloudFormation does not accept; \
             allowed keys are {}",
            OUTPUT_KEYS.join(", ")
        )));
    }
    Ok(())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Fragment::from_json(text).unwrap_err().message
    }

    #[test]
    fn parses_all_sections_in_order() {
        let f = Fragment::from_json(
            r#"{"Resources": {"B": {"Type": "AWS::X::B"}, "A": {"Type": "AWS::X::A"}},
                "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}},
                "Outputs": {"Arn": {"Value": {"Ref": "B"}}}}"#,
        )
        .unwrap();
        assert_eq!(f.resources.keys().collect::<Vec<_>>(), ["B", "A"]);
        assert!(f.conditions.contains_key("IsProd"));
        assert!(f.outputs.contains_key("Arn"));
        assert!(f.has_local_id("Arn") && f.has_local_id("IsProd") && !f.has_local_id("C"));
    }

    #[test]
    fn missing_sections_are_empty() {
        assert_eq!(Fragment::from_json("{}").unwrap(), Fragment::default());
    }

    #[test]
    fn rejects_unknown_top_level_key_by_name() {
        let message = err(r#"{"Resources": {}, "Parameters": {}}"#);
        assert!(message.contains("`Parameters`"), "{message}");
    }

    #[test]
    fn rejects_non_object_shapes() {
        assert!(err("[]").contains("must be a JSON object"));
        assert!(err(r#"{"Resources": []}"#).contains("`Resources` must be an object"));
        assert!(err(r#"{"Resources": {"A": 1}}"#).contains("resource `A` must be an object"));
        assert!(err(r#"{"Conditions": {"C": true}}"#).contains("condition `C`"));
        assert!(err(r#"{"Outputs": {"O": "x"}}"#).contains("output `O` must be an object"));
    }

    #[test]
    fn rejects_invalid_json() {
        assert!(err("{").starts_with("the fragment is not valid JSON"));
    }

    #[test]
    fn resource_needs_string_type() {
        assert!(err(r#"{"Resources": {"A": {}}}"#).contains("resource `A` has no `Type`"));
        assert!(err(r#"{"Resources": {"A": {"Type": 3}}}"#).contains("not a string"));
    }

    #[test]
    fn resource_rejects_unknown_keys() {
        let message = err(r#"{"Resources": {"A": {"Type": "T", "Propertie": {}}}}"#);
        assert!(message.contains("`Propertie`"), "{message}");
    }

    #[test]
    fn output_needs_value() {
        assert!(err(r#"{"Outputs": {"O": {"Description": "d"}}}"#).contains("has no `Value`"));
        assert!(err(r#"{"Outputs": {"O": {"Value": 1, "Valu": 2}}}"#).contains("`Valu`"));
    }

    #[test]
    fn local_ids_must_be_alphanumeric() {
        assert!(err(r#"{"Resources": {"my-a": {"Type": "T"}}}"#).contains("local id `my-a`"));
        assert!(err(r#"{"Outputs": {"": {"Value": 1}}}"#).contains("local id ``"));
        assert!(err(r#"{"Conditions": {"a_b": {}}}"#).contains("local id `a_b`"));
    }

    #[test]
    fn messages_follow_style() {
        for text in ["[]", "{", r#"{"X": 1}"#, r#"{"Resources": {"A": {}}}"#] {
            let message = err(text);
            let first = message.chars().next().unwrap();
            assert!(first.is_lowercase(), "{message}");
            assert!(!message.ends_with('.'), "{message}");
        }
    }
}
