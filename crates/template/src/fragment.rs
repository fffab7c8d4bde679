//! Fragments: what one construct contributes to a template, as its plugin returned it.
//!
//! A fragment is keyed by the construct's *local* ids; [`crate::TemplateBuilder`] turns
//! them into logical ids. Parsing checks the shape CloudFormation needs, so that a
//! plugin's mistake is reported against the plugin rather than surfacing later as a
//! confusing merge or deployment error.

use serde_json::{Map, Value};

use crate::refs::malformed_intrinsic;
use crate::strict_json::{self, Refusal};
use stackweave_location::shortened;

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
pub enum FragmentError {
    /// Not a fragment: what is wrong, naming the offending section, id or key.
    #[error("{0}")]
    Invalid(String),
    /// More resources than the caller allowed; parsing stopped there.
    #[error("the fragment has more than {limit} resources")]
    TooManyResources {
        /// How many were allowed.
        limit: usize,
    },
}

impl FragmentError {
    fn new(message: impl Into<String>) -> Self {
        FragmentError::Invalid(message.into())
    }
}

impl Fragment {
    /// Parses and shape-checks a fragment: a JSON object whose only keys are
    /// `Resources`, `Conditions` and `Outputs`, each an object keyed by ASCII
    /// alphanumeric local ids; every resource has a string `Type` and object `Properties`,
    /// every output a `Value`; no object has a key twice; every `Ref` names a string and
    /// every `Fn::Sub` closes its `${`.
    pub fn from_json(text: &str) -> Result<Fragment, FragmentError> {
        Fragment::parse(text, usize::MAX)
    }

    /// [`Fragment::from_json`], stopping with [`FragmentError::TooManyResources`] as soon
    /// as a resource beyond the first `max_resources` starts, so that a fragment too large
    /// for the template costs no more than the resources it may have.
    pub fn parse(text: &str, max_resources: usize) -> Result<Fragment, FragmentError> {
        let value = strict_json::parse(text, max_resources).map_err(|refusal| match refusal {
            Refusal::Syntax(e) => FragmentError::new(format!("the fragment is not valid JSON: {e}")),
            Refusal::DuplicateKey { key, pointer } => FragmentError::new(format!(
                "the fragment has the key `{}` twice in the object at `{}`; CloudFormation refuses a template with a repeated key",
                shortened(&key),
                if pointer.is_empty() { "/" } else { &pointer }
            )),
            Refusal::TooManyResources => FragmentError::TooManyResources {
                limit: max_resources,
            },
        })?;
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
                        "the fragment has a top-level key `{}`; only `Resources`, \
                         `Conditions` and `Outputs` are allowed",
                        shortened(&key)
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
        let entries = [
            ("resource", &fragment.resources),
            ("condition", &fragment.conditions),
            ("output", &fragment.outputs),
        ];
        for (what, section) in entries {
            for (id, value) in section {
                if let Some((at, problem)) = malformed_intrinsic(value) {
                    return Err(FragmentError::new(format!(
                        "{what} `{id}` has a malformed intrinsic function at `{at}`: {problem}"
                    )));
                }
            }
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
            "local id `{}` must be non-empty and contain only ASCII letters and digits",
            shortened(id)
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
            "resource `{id}` has a key `{}` that CloudFormation does not accept; \
             allowed keys are {}",
            shortened(key),
            RESOURCE_KEYS.join(", ")
        )));
    }
    match fields.get("Properties") {
        None | Some(Value::Object(_)) => Ok(()),
        Some(other) => Err(FragmentError::new(format!(
            "resource `{id}` has `Properties` that are {}, not an object of property names",
            kind_of(other)
        ))),
    }
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
            "output `{id}` has a key `{}` that CloudFormation does not accept; \
             allowed keys are {}",
            shortened(key),
            OUTPUT_KEYS.join(", ")
        )));
    }
    Ok(())
}

pub(crate) fn kind_of(value: &Value) -> &'static str {
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
        Fragment::from_json(text).unwrap_err().to_string()
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
    fn repeated_keys_anywhere_are_refused() {
        let message = err(r#"{"Resources": {"A": {"Type": "T", "Type": "U"}}}"#);
        assert!(
            message.contains("the key `Type` twice in the object at `/Resources/A`"),
            "{message}"
        );
        let message = err(r#"{"Resources": {"A": {"Type": "T"}}, "Resources": {}}"#);
        assert!(
            message.contains("`Resources` twice in the object at `/`"),
            "{message}"
        );
    }

    #[test]
    fn properties_must_be_an_object() {
        let message = err(r#"{"Resources": {"A": {"Type": "T", "Properties": [1]}}}"#);
        assert!(
            message.contains("resource `A` has `Properties` that are an array"),
            "{message}"
        );
    }

    #[test]
    fn malformed_intrinsics_are_refused_where_they_are() {
        let message =
            err(r#"{"Resources": {"A": {"Type": "T", "Properties": {"P": {"Ref": ["B"]}}}}}"#);
        assert!(
            message.contains("resource `A` has a malformed intrinsic function at `/Properties/P`")
                && message
                    .contains("`Ref` takes the name of a resource or parameter, not an array"),
            "{message}"
        );
        let message = err(r#"{"Outputs": {"O": {"Value": {"Fn::Sub": "arn:${Broken"}}}}"#);
        assert!(message.contains("output `O`"), "{message}");
        assert!(message.contains("`${` that is never closed"), "{message}");
    }

    #[test]
    fn resources_beyond_the_limit_stop_parsing() {
        let text = r#"{"Resources": {"A": {"Type": "T"}, "B": {"Type": "T"}}}"#;
        assert_eq!(Fragment::parse(text, 2).unwrap().resources.len(), 2);
        assert_eq!(
            Fragment::parse(text, 1),
            Err(FragmentError::TooManyResources { limit: 1 })
        );
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
