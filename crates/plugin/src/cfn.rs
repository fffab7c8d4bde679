//! CloudFormation intrinsic functions as `serde_json::Value`s.
//!
//! Local ids given to these helpers are rewritten by the core into the template's logical ids,
//! so a plugin writes `reference("Resource")` and never needs to know its construct's path.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// The pseudo parameter that removes a property when a condition is false (`{"Ref":
/// "AWS::NoValue"}`).
pub const NO_VALUE: &str = "AWS::NoValue";

/// `{"Ref": id}`: a resource's or parameter's primary value.
pub fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

/// One of this construct's own resources, for a child construct's props: `{"Ref": id}` is
/// read in the child's namespace (where `Resource` is the child's own), so a parent names
/// its own `local_id` this way and the host writes the logical id it gets (pins included).
pub fn local(local_id: &str) -> Value {
    json!({ "Stackweave::Local": local_id })
}

/// [`local`] for one attribute of a resource (a `Fn::GetAtt` of the parent's resource).
pub fn local_att(local_id: &str, attribute: &str) -> Value {
    json!({ "Stackweave::Local": [local_id, attribute] })
}

/// `{"Fn::GetAtt": [id, attribute]}`: one attribute of a resource.
pub fn get_att(id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attribute] })
}

/// `{"Fn::Sub": text}`: `text` with `${Name}` and `${Id.Attribute}` replaced.
pub fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

/// `{"Fn::Sub": [text, variables]}`: like [`sub`], with variables of its own, whose values may
/// be any expression (such as a resolved reference to another construct).
pub fn sub_with(text: &str, variables: Map<String, Value>) -> Value {
    json!({ "Fn::Sub": [text, variables] })
}

/// CloudFormation `Tags`, `[{"Key": key, "Value": value}, ...]`, from a map of tags: in key
/// order, so the template does not depend on the order a stack file wrote them in.
pub fn tags(tags: &BTreeMap<String, Value>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(key, value)| json!({ "Key": key, "Value": value }))
            .collect(),
    )
}

/// `{"Fn::Join": [delimiter, parts]}`.
pub fn join(delimiter: &str, parts: impl IntoIterator<Item = Value>) -> Value {
    json!({ "Fn::Join": [delimiter, parts.into_iter().collect::<Vec<_>>()] })
}

/// Whether `value` is an intrinsic function call: an object with exactly one key, which is
/// `Ref` or starts with `Fn::`. Props that reference other constructs arrive as such values.
pub fn is_intrinsic(value: &Value) -> bool {
    match value.as_object() {
        Some(object) if object.len() == 1 => object
            .keys()
            .all(|key| key == "Ref" || key.starts_with("Fn::")),
        _ => false,
    }
}

/// Whether `value` is an intrinsic or holds one anywhere inside it.
pub fn contains_intrinsic(value: &Value) -> bool {
    is_intrinsic(value)
        || match value {
            Value::Array(items) => items.iter().any(contains_intrinsic),
            Value::Object(object) => object.values().any(contains_intrinsic),
            _ => false,
        }
}

#[cfg(test)]
mod tests {

    #[test]
    fn tags_are_in_key_order() {
        let tags: std::collections::BTreeMap<String, Value> = [
            ("team".to_string(), json!("platform")),
            ("env".to_string(), json!({"Ref": "Env"})),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            super::tags(&tags),
            json!([{"Key": "env", "Value": {"Ref": "Env"}}, {"Key": "team", "Value": "platform"}])
        );
    }

    use super::*;

    #[test]
    fn helpers_spell_intrinsics_the_way_cloudformation_does() {
        assert_eq!(reference("Resource"), json!({"Ref": "Resource"}));
        assert_eq!(reference(NO_VALUE), json!({"Ref": "AWS::NoValue"}));
        assert_eq!(
            get_att("Resource", "Arn"),
            json!({"Fn::GetAtt": ["Resource", "Arn"]})
        );
        assert_eq!(sub("${AWS::Region}"), json!({"Fn::Sub": "${AWS::Region}"}));
        let mut variables = Map::new();
        variables.insert("Arn".into(), get_att("Role", "Arn"));
        assert_eq!(
            sub_with("${Arn}/x", variables),
            json!({"Fn::Sub": ["${Arn}/x", {"Arn": {"Fn::GetAtt": ["Role", "Arn"]}}]})
        );
        assert_eq!(
            join(":", [json!("a"), reference("B")]),
            json!({"Fn::Join": [":", ["a", {"Ref": "B"}]]})
        );
    }

    #[test]
    fn intrinsics_are_recognised() {
        assert!(is_intrinsic(&json!({"Ref": "X"})));
        assert!(is_intrinsic(&json!({"Fn::GetAtt": ["X", "Arn"]})));
        assert!(is_intrinsic(&json!({"Fn::ImportValue": "shared-arn"})));
        assert!(!is_intrinsic(&json!({"Ref": "X", "Other": 1})));
        assert!(!is_intrinsic(&json!({"Type": "Task"})));
        assert!(!is_intrinsic(&json!({"Condition": "IsProd"})));
        assert!(!is_intrinsic(&json!("Ref")));
        assert!(!is_intrinsic(&json!({})));
    }

    #[test]
    fn nested_intrinsics_are_found() {
        assert!(contains_intrinsic(&json!({"a": [1, {"b": {"Ref": "X"}}]})));
        assert!(!contains_intrinsic(&json!({"a": [1, {"b": "Ref"}]})));
    }
}
