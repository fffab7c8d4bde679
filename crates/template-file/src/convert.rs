//! Turning parsed text into the long-form JSON value every check works on.
//!
//! YAML comes from serde_yaml, which keeps short-form tags as tagged values; each becomes
//! the one-key object CloudFormation itself would build. JSON comes from serde_json through
//! [`StrictJson`], which refuses duplicate keys instead of keeping the last one silently.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_yaml::Value as Yaml;
use stackweave_location::join_pointer;

use crate::error::ReadErrorKind;
use crate::short_form::{known_tags, long_form_key};

/// A problem found while converting, located later through the source map.
#[derive(Debug)]
pub(crate) struct Problem {
    pub pointer: String,
    pub kind: ReadErrorKind,
    pub message: String,
    pub help: String,
}

/// Converts a YAML value to JSON, expanding every short form; `pointer` is where `value`
/// sits in the long form.
pub(crate) fn yaml_to_json(value: &Yaml, pointer: &str) -> Result<Value, Problem> {
    Ok(match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(*b),
        Yaml::Number(n) => number(n),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, &join_pointer(pointer, &i.to_string())))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, item) in mapping {
                let key = key_text(key).ok_or_else(|| Problem {
                    pointer: pointer.to_owned(),
                    kind: ReadErrorKind::InvalidKey,
                    message: "a mapping key is a list or a mapping".to_owned(),
                    help: "CloudFormation keys are text; write the key as a plain string"
                        .to_owned(),
                })?;
                let converted = yaml_to_json(item, &join_pointer(pointer, &key))?;
                // `1:` and `'1':` are different YAML keys but the same JSON one.
                if object.insert(key.clone(), converted).is_some() {
                    return Err(Problem {
                        pointer: join_pointer(pointer, &key),
                        kind: ReadErrorKind::DuplicateKey,
                        message: format!("duplicate key `{key}`"),
                        help: "remove or rename one of them; a mapping keeps one value per key"
                            .to_owned(),
                    });
                }
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => {
            let written = tagged.tag.to_string();
            let name = written.strip_prefix('!').unwrap_or(&written);
            let Some(long) = long_form_key(name) else {
                return Err(unknown_tag(pointer, &written));
            };
            let inner_pointer = join_pointer(pointer, long);
            let inner = match &tagged.value {
                // Under an explicit tag an empty scalar is the empty string (`!GetAZs` alone
                // means the current region), not YAML's null.
                Yaml::Null => Value::String(String::new()),
                // `!GetAtt Api.RootResourceId` splits at the first dot only: attribute
                // names may hold dots themselves (`Endpoint.Address`).
                Yaml::String(s) if long == "Fn::GetAtt" => match s.split_once('.') {
                    Some((resource, attribute)) => Value::Array(vec![
                        Value::String(resource.to_owned()),
                        Value::String(attribute.to_owned()),
                    ]),
                    // Not valid CloudFormation either way; keep the list shape every
                    // reader of `Fn::GetAtt` expects and let validation say what is wrong.
                    None => Value::Array(vec![Value::String(s.clone())]),
                },
                other => yaml_to_json(other, &inner_pointer)?,
            };
            let mut object = Map::new();
            object.insert(long.to_owned(), inner);
            Value::Object(object)
        }
    })
}

pub(crate) fn unknown_tag(pointer: &str, written: &str) -> Problem {
    Problem {
        pointer: pointer.to_owned(),
        kind: ReadErrorKind::UnknownTag,
        message: format!("unknown tag `{written}`: CloudFormation has no such short form"),
        help: format!(
            "use one of {} or write the function in its long form (`Fn::...:`)",
            known_tags()
        ),
    }
}

/// Numbers keep their kind: integers stay integers, decimals stay decimals.
fn number(n: &serde_yaml::Number) -> Value {
    if let Some(u) = n.as_u64() {
        Value::Number(u.into())
    } else if let Some(i) = n.as_i64() {
        Value::Number(i.into())
    } else {
        // JSON has no infinities or NaN (YAML's `.inf`, `.nan`); they stay as written, as
        // text, rather than turning into a different number.
        n.as_f64()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(n.to_string()), Value::Number)
    }
}

/// A scalar key as the text CloudFormation sees; `None` for lists and mappings.
fn key_text(key: &Yaml) -> Option<String> {
    match key {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Null => Some("null".to_owned()),
        Yaml::Sequence(_) | Yaml::Mapping(_) | Yaml::Tagged(_) => None,
    }
}

/// A JSON value read by serde_json, refusing duplicate keys.
pub(crate) struct StrictJson(pub Value);

impl<'de> Deserialize<'de> for StrictJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictJson)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let StrictJson(item) = map.next_value()?;
            object.insert(key, item);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_json_refuses_duplicate_keys_and_keeps_numbers() {
        let StrictJson(value) =
            serde_json::from_str(r#"{"a": [1, -2, 1.5, "3"], "b": null}"#).expect("valid JSON");
        assert_eq!(
            value,
            serde_json::json!({"a": [1, -2, 1.5, "3"], "b": null})
        );
        let error = serde_json::from_str::<StrictJson>("{\"a\": 1,\n \"a\": 2}")
            .err()
            .expect("a duplicate");
        assert!(error.to_string().contains("duplicate key `a`"), "{error}");
        assert_eq!(error.line(), 2);
    }
}
