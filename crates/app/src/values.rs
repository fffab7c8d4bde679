//! Environment values' types across environments.
//!
//! A stack file reads a value (`${value:name}`) without knowing which environment it is
//! synthesised for, so a value must have one type in every environment that defines it:
//! otherwise a stack would synthesise in `dev` and fail in `prod`. Whether every
//! environment defines it is not checked here: only a stack that reads it needs it.

use serde_json::Value as Json;
use stackweave_location::{At, Problems, shortened};

use crate::model::Environment;

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
