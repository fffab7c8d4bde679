//! Overrides: the stack file changing a resource its construct's plugin contributed, as the
//! CDK's `addPropertyOverride` does, for what no plugin offers (yet).
//!
//! An override is applied to the plugin's fragment before it is merged, so the logical-id,
//! reference, cycle and quota checks see the result like any other resource. It names the
//! resource by the plugin's local id and the entry by a JSON Pointer into the resource
//! (`/Properties/TracingEnabled`); a value replaces or adds the entry, `null` deletes it.
//! Everything the pointer passes through must exist, so a typo in a resource or a path is an
//! error at its line rather than a property CloudFormation later refuses or ignores. The
//! core still knows no resource type: it edits JSON.

use serde_json::Value;
use stackweave_template::{Fragment, shortened};

/// Sets (`Some`) or deletes (`None`) the entry at `path` in the resource `local_id` of
/// `fragment`; the error says what is missing.
pub(crate) fn apply(
    fragment: &mut Fragment,
    local_id: &str,
    path: &str,
    value: Option<Value>,
) -> Result<(), String> {
    let Some(resource) = fragment.resources.get_mut(local_id) else {
        let known: Vec<&str> = fragment.resources.keys().map(String::as_str).collect();
        let hint = match stackweave_location::closest(local_id, known.iter().copied()) {
            Some(close) => format!("; did you mean `{close}`?"),
            None => String::new(),
        };
        return Err(format!(
            "the plugin contributes no resource with local id `{}` (it has {}){hint}",
            shortened(local_id),
            list(&known)
        ));
    };
    let tokens: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = tokens.split_last() else {
        return Err("an override needs a path into the resource".to_string());
    };
    let mut at = resource;
    let mut walked = String::new();
    for token in parents {
        walked.push('/');
        walked.push_str(token);
        at = step(at, token).ok_or_else(|| missing(local_id, &walked))?;
    }
    match (at, value) {
        (Value::Object(map), Some(value)) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        (Value::Object(map), None) => map
            .shift_remove(last)
            .map(drop)
            .ok_or_else(|| missing(local_id, path)),
        (Value::Array(items), value) => {
            let index: usize = last.parse().map_err(|_| missing(local_id, path))?;
            match value {
                Some(value) if index < items.len() => items[index] = value,
                Some(value) if index == items.len() => items.push(value),
                None if index < items.len() => {
                    items.remove(index);
                }
                _ => return Err(missing(local_id, path)),
            }
            Ok(())
        }
        _ => Err(format!(
            "`{}` of resource `{local_id}` is not an object or a list, so it has no `{}`",
            shortened(&walked),
            shortened(last)
        )),
    }
}

/// The entry `token` of an object, or item `token` of a list.
fn step<'v>(value: &'v mut Value, token: &str) -> Option<&'v mut Value> {
    match value {
        Value::Object(map) => map.get_mut(token),
        Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?),
        _ => None,
    }
}

fn missing(local_id: &str, path: &str) -> String {
    format!(
        "resource `{local_id}` has no `{}`; an override may add an entry to an existing object, but every entry its path passes through (and one it deletes) must exist",
        shortened(path)
    )
}

fn list(names: &[&str]) -> String {
    match names {
        [] => "none".to_string(),
        names => names
            .iter()
            .map(|name| format!("`{}`", shortened(name)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fragment() -> Fragment {
        Fragment::from_json(
            &json!({"Resources": {
                "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {
                    "StageName": "prod",
                    "MethodSettings": [{"HttpMethod": "*", "ResourcePath": "/*"}]
                }}
            }})
            .to_string(),
        )
        .expect("a fragment")
    }

    #[test]
    fn a_value_adds_or_replaces_and_null_deletes() {
        let mut fragment = fragment();
        apply(
            &mut fragment,
            "Stage",
            "/Properties/TracingEnabled",
            Some(json!(true)),
        )
        .expect("set");
        apply(
            &mut fragment,
            "Stage",
            "/Properties/StageName",
            Some(json!("v1")),
        )
        .expect("replace");
        apply(
            &mut fragment,
            "Stage",
            "/Properties/MethodSettings/0/ThrottlingRateLimit",
            Some(json!(10)),
        )
        .expect("into a list item");
        apply(
            &mut fragment,
            "Stage",
            "/DeletionPolicy",
            Some(json!("Retain")),
        )
        .expect("beside Properties");
        apply(&mut fragment, "Stage", "/Properties/MethodSettings", None).expect("delete");
        assert_eq!(
            fragment.resources["Stage"],
            json!({"Type": "AWS::ApiGateway::Stage", "Properties": {
                "StageName": "v1", "TracingEnabled": true
            }, "DeletionPolicy": "Retain"})
        );
    }

    #[test]
    fn a_missing_resource_or_path_is_an_error_naming_it() {
        let mut fragment = fragment();
        let error =
            apply(&mut fragment, "Stag", "/Properties/X", Some(json!(1))).expect_err("no resource");
        assert!(
            error.contains(
                "no resource with local id `Stag` (it has `Stage`); did you mean `Stage`?"
            ),
            "{error}"
        );
        let error =
            apply(&mut fragment, "Stage", "/Propertes/X", Some(json!(1))).expect_err("no path");
        assert!(
            error.contains("resource `Stage` has no `/Propertes`"),
            "{error}"
        );
        let error =
            apply(&mut fragment, "Stage", "/Properties/Nope", None).expect_err("nothing to delete");
        assert!(error.contains("has no `/Properties/Nope`"), "{error}");
        let error = apply(
            &mut fragment,
            "Stage",
            "/Properties/StageName/x",
            Some(json!(1)),
        )
        .expect_err("into a string");
        assert!(error.contains("is not an object or a list"), "{error}");
    }
}
