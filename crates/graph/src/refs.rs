//! Finding the references in a piece of a CloudFormation template (long form JSON).

use serde_json::Value;
use stackweave_template::RefKind;

/// One reference found in a value: what it names and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// The logical id, parameter or pseudo parameter named.
    pub target: String,
    /// `Ref` for a `Ref` or a `${X}`; otherwise the attribute of a `Fn::GetAtt` or `${X.Attr}`.
    pub attribute: String,
    /// The nearest property name around the reference (`RoleArn`, `Credentials`...), which
    /// says what the reference is used for; intrinsic function names are skipped.
    pub key: Option<String>,
}

/// Every reference in `value`, in document order (duplicates kept; the caller dedupes).
pub(crate) fn references(value: &Value) -> Vec<Found> {
    let mut found = Vec::new();
    walk(value, None, &mut found);
    found
}

fn walk(value: &Value, key: Option<&str>, found: &mut Vec<Found>) {
    match value {
        Value::Array(items) => {
            for item in items {
                walk(item, key, found);
            }
        }
        Value::Object(map) => {
            if stackweave_template::intrinsic_function(map).is_some() {
                return record(value, key, found);
            }
            for (name, inner) in map {
                walk(inner, Some(name.as_str()), found);
            }
        }
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {}
    }
}

/// Records the references an intrinsic function makes (through `Fn::If`, `Fn::Join` and
/// the rest, all under the property `key`), read by the template crate's reference walker,
/// the one merging and checking use, so the diagram's arrows are exactly the references
/// the merge checked. Condition names are not arrows.
fn record(intrinsic: &Value, key: Option<&str>, found: &mut Vec<Found>) {
    for reference in stackweave_template::references(intrinsic) {
        let attribute = match (reference.kind, reference.attribute) {
            (RefKind::Condition, _) => continue,
            (_, Some(attribute)) => attribute,
            // A `Fn::GetAtt` whose attribute is computed: the arrow still goes to it.
            (RefKind::GetAtt, None) => "GetAtt".to_owned(),
            (_, None) => "Ref".to_owned(),
        };
        found.push(Found {
            target: reference.id,
            attribute,
            key: key.map(str::to_owned),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(value: Value) -> Vec<(String, String)> {
        references(&value)
            .into_iter()
            .map(|found| (found.target, found.attribute))
            .collect()
    }

    fn pair(target: &str, attribute: &str) -> (String, String) {
        (target.to_owned(), attribute.to_owned())
    }

    #[test]
    fn ref_and_both_getatt_forms() {
        let value = json!({
            "A": {"Ref": "Bucket"},
            "B": {"Fn::GetAtt": ["Role", "Arn"]},
            "C": {"Fn::GetAtt": "Api.RootResourceId"},
            "D": {"Fn::GetAtt": "Db.Endpoint.Address"},
        });
        assert_eq!(
            pairs(value),
            [
                pair("Bucket", "Ref"),
                pair("Role", "Arn"),
                pair("Api", "RootResourceId"),
                pair("Db", "Endpoint.Address"),
            ]
        );
    }

    #[test]
    fn sub_string_form_finds_refs_and_attributes_but_not_escapes() {
        let value = json!({"Fn::Sub": "https://${Api}.x/${Stage.Name}/${!Literal}/${AWS::Region}"});
        assert_eq!(
            pairs(value),
            [
                pair("Api", "Ref"),
                pair("Stage", "Name"),
                pair("AWS::Region", "Ref"),
            ]
        );
    }

    #[test]
    fn sub_list_form_skips_its_own_variables_and_walks_their_values() {
        let value = json!({"Fn::Sub": [
            "${Arn} ${Other} ${Local.Thing}",
            {"Arn": {"Ref": "Workflow"}, "Local": "x"}
        ]});
        assert_eq!(
            pairs(value),
            [pair("Other", "Ref"), pair("Workflow", "Ref")]
        );
    }

    #[test]
    fn keys_name_the_property_through_intrinsics() {
        let value = json!({"Integration": {"Credentials": {"Fn::If": ["C", {"Fn::GetAtt": ["R", "Arn"]}, ""]}}});
        let found = references(&value);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key.as_deref(), Some("Credentials"));
    }

    #[test]
    fn computed_getatt_attribute() {
        let value = json!({"Fn::GetAtt": ["Res", {"Ref": "AttrName"}]});
        assert_eq!(
            pairs(value),
            [pair("Res", "GetAtt"), pair("AttrName", "Ref")]
        );
    }
}
