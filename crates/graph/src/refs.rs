//! Finding the references in a piece of a CloudFormation template (long form JSON).

use serde_json::{Map, Value};

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
            if let Some(intrinsic) = single_entry(map)
                && reference(intrinsic, key, found)
            {
                return;
            }
            for (name, inner) in map {
                // `Fn::If`, `Fn::Join`... are not what a value is for: the property they
                // sit under is, so it is kept for the values inside them.
                let inner_key = if name.starts_with("Fn::") {
                    key
                } else {
                    Some(name.as_str())
                };
                walk(inner, inner_key, found);
            }
        }
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {}
    }
}

fn single_entry(map: &Map<String, Value>) -> Option<(&str, &Value)> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((name, value)), None) => Some((name.as_str(), value)),
        _ => None,
    }
}

/// Records the reference `intrinsic` makes, if it is `Ref`, `Fn::GetAtt` or `Fn::Sub`.
/// Returns whether it was one of those (and so fully handled).
fn reference((name, arg): (&str, &Value), key: Option<&str>, found: &mut Vec<Found>) -> bool {
    let mut push = |target: &str, attribute: &str| {
        found.push(Found {
            target: target.to_owned(),
            attribute: attribute.to_owned(),
            key: key.map(str::to_owned),
        });
    };
    match (name, arg) {
        ("Ref", Value::String(target)) => push(target, "Ref"),
        ("Fn::GetAtt", Value::String(dotted)) => {
            let (target, attribute) = split_attribute(dotted);
            push(target, attribute.unwrap_or("GetAtt"));
        }
        ("Fn::GetAtt", Value::Array(parts)) => match parts.as_slice() {
            [Value::String(target), Value::String(attribute)] => push(target, attribute),
            // The attribute name may itself be computed (`{"Ref": ...}`): the edge still
            // goes to the resource, and whatever the name refers to is walked too.
            [Value::String(target), computed] => {
                push(target, "GetAtt");
                walk(computed, key, found);
            }
            _ => walk(arg, key, found),
        },
        ("Fn::Sub", Value::String(text)) => {
            for variable in sub_variables(text) {
                if let Some((target, attribute)) = sub_reference(variable, &Map::new()) {
                    push(target, attribute);
                }
            }
        }
        ("Fn::Sub", Value::Array(parts)) => match parts.as_slice() {
            [Value::String(text), Value::Object(variables)] => {
                for variable in sub_variables(text) {
                    if let Some((target, attribute)) = sub_reference(variable, variables) {
                        push(target, attribute);
                    }
                }
                for value in variables.values() {
                    walk(value, key, found);
                }
            }
            _ => walk(arg, key, found),
        },
        _ => return false,
    }
    true
}

/// `X.Attr` as (`X`, `Attr`): the split is at the first dot, since attribute names may
/// hold dots themselves (`Endpoint.Address`) but logical ids never do.
fn split_attribute(dotted: &str) -> (&str, Option<&str>) {
    match dotted.split_once('.') {
        Some((target, attribute)) => (target, Some(attribute)),
        None => (dotted, None),
    }
}

/// What `${variable}` refers to, unless the variable is one of the `Fn::Sub` map's own.
fn sub_reference<'a>(
    variable: &'a str,
    variables: &Map<String, Value>,
) -> Option<(&'a str, &'a str)> {
    if variables.contains_key(variable) {
        return None;
    }
    match split_attribute(variable) {
        (target, Some(attribute)) if !variables.contains_key(target) => Some((target, attribute)),
        (_, Some(_)) => None,
        (target, None) => Some((target, "Ref")),
    }
}

/// The variable names of an `Fn::Sub` template, in order; `${!Literal}` is an escape, not a
/// variable.
pub(crate) fn sub_variables(text: &str) -> Vec<&str> {
    let mut variables = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let variable = after[..end].trim();
        if !variable.starts_with('!') && !variable.is_empty() {
            variables.push(variable);
        }
        rest = &after[end + 1..];
    }
    variables
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

    #[test]
    fn unterminated_variable_ends_the_scan() {
        assert_eq!(sub_variables("a ${B} ${C"), ["B"]);
        assert_eq!(sub_variables("${}"), Vec::<&str>::new());
    }
}
