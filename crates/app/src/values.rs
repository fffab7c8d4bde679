//! Environment values as JSON, and their types across environments.
//!
//! A stack file reads a value (`${value:name}`) without knowing which environment it is
//! synthesised for, so a value must have one type in every environment that defines it:
//! otherwise a stack would synthesise in `dev` and fail in `prod`. Whether every
//! environment defines it is not checked here: only a stack that reads it needs it.

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;
use stackweave_location::{join_pointer, shortened};

use crate::error::{At, Problems};
use crate::model::Environment;
use crate::parse::key_text;

/// The kind of a value as messages name it: `string`, `number` (integer or not),
/// `boolean`, `list`, `map`, or `null` (which a parsed value never is).
pub fn value_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "list",
        Json::Object(_) => "map",
    }
}

/// A problem inside a value: absolute pointer, message, help.
type Problem = (String, String, String);

/// Converts YAML to JSON; non-string keys become their text. `pointer` is the value's.
pub(crate) fn to_json(value: &Yaml, pointer: &str) -> Result<Json, Problem> {
    Ok(match value {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Number(n) => {
            let number = match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Some(i.into()),
                (_, Some(u)) => Some(u.into()),
                _ => n.as_f64().and_then(serde_json::Number::from_f64),
            };
            Json::Number(number.ok_or_else(|| {
                (
                    pointer.to_owned(),
                    format!("number `{n}` cannot be represented in JSON"),
                    "use a finite number, or quote it to make it a string".to_owned(),
                )
            })?)
        }
        Yaml::Sequence(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &join_pointer(pointer, &i.to_string())))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(entries) => {
            let mut object = serde_json::Map::new();
            for (key, item) in entries {
                let Some(key) = key_text(key) else {
                    let message = "mapping key is not a string, number or boolean".to_owned();
                    return Err((
                        pointer.to_owned(),
                        message,
                        "use a plain string as the key".to_owned(),
                    ));
                };
                let item = to_json(item, &join_pointer(pointer, &key))?;
                if object.insert(key.clone(), item).is_some() {
                    return Err((
                        join_pointer(pointer, &key),
                        format!("two keys of this mapping both mean `{}`", shortened(&key)),
                        "keep one of them; YAML reads spellings such as `True` and `true` as the same key".to_owned(),
                    ));
                }
            }
            Json::Object(object)
        }
        Yaml::Tagged(tagged) => {
            return Err((
                pointer.to_owned(),
                format!(
                    "tag `{}` is not allowed in an app file",
                    shortened(&tagged.tag.to_string())
                ),
                "remove the tag".to_owned(),
            ));
        }
    })
}

/// Reports every value whose kind differs from the kind the first environment defining it
/// gave it, at the later environment's value.
pub(crate) fn check_value_kinds(environments: &[Environment], problems: &mut Problems<'_>) {
    // Value name, its kind, and the environment that first defined it.
    let mut first: Vec<(&str, &str, &str)> = Vec::new();
    for environment in environments {
        for value in &environment.values {
            let kind = value_kind(&value.value);
            match first.iter().find(|(name, ..)| *name == value.name) {
                None => first.push((&value.name, kind, &environment.name)),
                Some((_, first_kind, _)) if *first_kind == kind => {}
                Some((_, first_kind, first_environment)) => problems.push(
                    &value.pointer,
                    At::Key,
                    format!(
                        "value `{}` is a {kind} in environment `{}` but a {first_kind} in `{}`",
                        shortened(&value.name),
                        shortened(&environment.name),
                        shortened(first_environment)
                    ),
                    "give it the same type in every environment; a stack file reads it the same way in each",
                ),
            }
        }
    }
}
