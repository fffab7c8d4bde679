//! Payload templates of JSONPath states (`Parameters`, `ResultSelector`, `ItemSelector`,
//! `Assign`): JSON whose `"key.$"` fields are replaced by what a path or an intrinsic call
//! gives, at any depth.
//!
//! Templates are compiled when the definition is parsed, so a bad path is a
//! [`crate::DefinitionError`] that points at its field, not a failure at run time.

use serde_json::{Map, Value};

use crate::errors::Failure;
use crate::intrinsics::{self, Call};
use crate::jsonpath::{Path, Root};
use crate::random::Rng;
use crate::variables::Scope;

/// The documents a path can start from.
pub(crate) struct Sources<'a> {
    /// `$`.
    pub(crate) input: &'a Value,
    /// `$$`.
    pub(crate) context: &'a Value,
    /// `$name`.
    pub(crate) variables: &'a Scope,
}

impl Sources<'_> {
    /// Runs `f` on sources over `input` and `context` with no variables: the setting of the
    /// unit tests that evaluate paths, rules and calls.
    #[cfg(test)]
    pub(crate) fn with<R>(input: &Value, context: &Value, f: impl FnOnce(&Sources<'_>) -> R) -> R {
        let scope = Scope::root();
        f(&Sources {
            input,
            context,
            variables: &scope,
        })
    }

    /// What `path` selects, or `None` when a definite path selects nothing.
    pub(crate) fn lookup(&self, path: &Path) -> Option<Value> {
        match &path.root {
            Root::Input => path.get(self.input),
            Root::Context => path.get(self.context),
            Root::Variable(name) => path.get(self.variables.get(name)?),
        }
    }

    /// Like [`Sources::lookup`], with a missing value as `States.Runtime`.
    pub(crate) fn resolve(&self, path: &Path) -> Result<Value, Failure> {
        self.lookup(path).ok_or_else(|| {
            Failure::runtime(match &path.root {
                Root::Variable(name) if self.variables.get(name).is_none() => {
                    format!("the variable `${name}` is not defined")
                }
                _ => format!(
                    "the JSONPath `{}` could not be found in the input",
                    path.source()
                ),
            })
        })
    }
}

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Template {
    Literal(Value),
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    Path(Path),
    Call(Call),
}

/// A path or an intrinsic call: the value of a `"key.$"` field, `ErrorPath`, `CausePath`.
pub(crate) fn compile_dynamic(text: &str) -> Result<Template, String> {
    if intrinsics::looks_like_call(text) {
        Call::parse(text).map(Template::Call)
    } else {
        Path::parse(text).map(Template::Path)
    }
}

impl Template {
    /// Compiles `value`; errors carry the JSON Pointer suffix of the bad field.
    pub(crate) fn compile(value: &Value) -> Result<Template, (String, String)> {
        match value {
            Value::Object(map) => {
                let mut fields = Vec::with_capacity(map.len());
                for (key, v) in map {
                    let pointer = format!("/{}", escape_pointer(key));
                    if let Some(name) = key.strip_suffix(".$") {
                        if map.contains_key(name) {
                            return Err((
                                pointer,
                                format!("`{key}` and `{name}` name the same field"),
                            ));
                        }
                        let Value::String(text) = v else {
                            return Err((
                                pointer,
                                format!(
                                    "the value of `{key}` must be a string holding a path or an intrinsic function"
                                ),
                            ));
                        };
                        let dynamic = compile_dynamic(text).map_err(|m| (pointer, m))?;
                        fields.push((name.to_owned(), dynamic));
                    } else {
                        let inner =
                            Template::compile(v).map_err(|(p, m)| (format!("{pointer}{p}"), m))?;
                        fields.push((key.clone(), inner));
                    }
                }
                Ok(Template::Object(fields))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| Template::compile(v).map_err(|(p, m)| (format!("/{i}{p}"), m)))
                .collect::<Result<_, _>>()
                .map(Template::Array),
            other => Ok(Template::Literal(other.clone())),
        }
    }

    /// Fills the template.
    pub(crate) fn evaluate(&self, sources: &Sources<'_>, rng: &mut Rng) -> Result<Value, Failure> {
        Ok(match self {
            Template::Literal(v) => v.clone(),
            Template::Object(fields) => {
                let mut out = Map::new();
                for (k, t) in fields {
                    out.insert(k.clone(), t.evaluate(sources, rng)?);
                }
                Value::Object(out)
            }
            Template::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|t| t.evaluate(sources, rng))
                    .collect::<Result<_, _>>()?,
            ),
            Template::Path(path) => sources.resolve(path)?,
            Template::Call(call) => call.evaluate(sources, rng)?,
        })
    }
}

/// Escapes a key for a JSON Pointer (RFC 6901).
pub(crate) fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dollar_fields_are_replaced_at_any_depth() {
        let template = Template::compile(&json!({
            "flagged": true,
            "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[-3:]"},
            "list": [{"ctx.$": "$$.Execution.Id"}],
            "weekday.$": "$$.DayOfWeek"
        }));
        assert!(template.is_ok());
        let input = json!({"vals": [0, 10, 20, 30, 40, 50]});
        let context = json!({"Execution": {"Id": "arn:x"}, "DayOfWeek": "TUESDAY"});
        let out = template.and_then(|t| {
            Sources::with(&input, &context, |sources| {
                t.evaluate(sources, &mut Rng::from_seed(1))
            })
            .map_err(|f| (String::new(), f.cause))
        });
        assert_eq!(
            out,
            Ok(json!({
                "flagged": true,
                "parts": {"first": 0, "last3": [30, 40, 50]},
                "list": [{"ctx": "arn:x"}],
                "weekday": "TUESDAY"
            }))
        );
    }

    #[test]
    fn bad_fields_point_at_themselves() {
        assert_eq!(
            Template::compile(&json!({"a": {"b.$": 3}})).map_err(|(p, _)| p),
            Err("/a/b.$".to_owned())
        );
        assert_eq!(
            Template::compile(&json!({"a": [{"b.$": "nope"}]})).map_err(|(p, _)| p),
            Err("/a/0/b.$".to_owned())
        );
    }
}
