//! JSONata states (`QueryLanguage: JSONata`): `{% ... %}` strings in `Arguments`, `Output`,
//! `Assign`, `Items`, `ItemSelector`, `Condition` and the other fields that take them,
//! evaluated with `$states` (`input`, `result`, `errorOutput`, `context`), the workflow's
//! variables, and the functions Step Functions adds to JSONata (`$partition`, `$range`,
//! `$hash`, `$random`, `$uuid`, `$parse`).
//!
//! The expression language itself is `stackweave-jsonata`'s; this module only decides what
//! each expression sees. Any evaluation error becomes `States.QueryEvaluationError`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};
use stackweave_jsonata::{Environment, Expression, JsonataError, NativeFunction};

use crate::digest;
use crate::errors::Failure;
use crate::random::Rng;

/// A JSON value whose `{% ... %}` strings are JSONata expressions.
#[derive(Debug, Clone)]
pub(crate) enum Jtemplate {
    Literal(Value),
    Object(Vec<(String, Jtemplate)>),
    Array(Vec<Jtemplate>),
    Expr {
        expression: Expression,
        source: String,
    },
}

/// The text between `{%` and `%}` when the whole string is one expression.
pub(crate) fn expression_text(text: &str) -> Option<&str> {
    text.strip_prefix("{%")?.strip_suffix("%}")
}

impl Jtemplate {
    /// Compiles a value; errors are `(pointer suffix, message)`.
    pub(crate) fn compile(value: &Value) -> Result<Jtemplate, (String, String)> {
        Ok(match value {
            Value::String(text) => match expression_text(text) {
                Some(source) => Jtemplate::Expr {
                    expression: Expression::parse(source).map_err(|e| {
                        (
                            String::new(),
                            format!("invalid JSONata expression `{source}`: {e}"),
                        )
                    })?,
                    source: source.trim().to_owned(),
                },
                None => Jtemplate::Literal(value.clone()),
            },
            Value::Object(map) => {
                let mut fields = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let inner = Jtemplate::compile(v).map_err(|(p, m)| {
                        (format!("/{}{p}", crate::payload::escape_pointer(k)), m)
                    })?;
                    fields.push((k.clone(), inner));
                }
                Jtemplate::Object(fields)
            }
            Value::Array(items) => Jtemplate::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Jtemplate::compile(v).map_err(|(p, m)| (format!("/{i}{p}"), m)))
                    .collect::<Result<_, _>>()?,
            ),
            other => Jtemplate::Literal(other.clone()),
        })
    }

    /// Evaluates the template written in `field` (`Output`, `Arguments`, `Assign`, ...). As
    /// the service does, an expression that gives no value (JSONata's undefined) fails with
    /// `States.QueryEvaluationError`, naming the field: `Output/v`, `Arguments/list[0]`.
    pub(crate) fn evaluate(
        &self,
        env: &Environment,
        input: &Value,
        field: &str,
    ) -> Result<Value, Failure> {
        Ok(match self {
            Jtemplate::Literal(v) => v.clone(),
            Jtemplate::Object(fields) => {
                let mut out = Map::new();
                for (k, t) in fields {
                    out.insert(k.clone(), t.evaluate(env, input, &format!("{field}/{k}"))?);
                }
                Value::Object(out)
            }
            Jtemplate::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, t)| t.evaluate(env, input, &format!("{field}[{i}]")))
                    .collect::<Result<_, _>>()?,
            ),
            Jtemplate::Expr { expression, source } => expression
                .evaluate(Some(input), env)
                .map_err(|e| {
                    Failure::query(format!(
                        "The JSONata expression '{source}' specified for the field '{field}' could not be evaluated: {e}"
                    ))
                })?
                .ok_or_else(|| {
                    Failure::query(format!(
                        "The JSONata expression '{source}' specified for the field '{field}' returned nothing (undefined)."
                    ))
                })?,
        })
    }
}

fn argument_error(function: &str, why: &str) -> JsonataError {
    JsonataError {
        code: "T0410".to_owned(),
        position: None,
        message: format!("${function}: {why}"),
    }
}

fn integer(v: &Option<Value>) -> Option<i64> {
    let v = v.as_ref()?;
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
}

/// The functions Step Functions adds to JSONata. `seed` makes `$random` and `$uuid`
/// deterministic for the run.
fn functions(seed: u64) -> Vec<(&'static str, NativeFunction)> {
    let state = std::sync::Arc::new(AtomicU64::new(seed));
    let draw = move || {
        // Each call takes the next state, so calls in one expression differ.
        let s = state.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
        Rng::from_seed(s)
    };
    let draw_for_uuid = draw.clone();
    vec![
        (
            "partition",
            Box::new(|args: &[Option<Value>]| {
                let items = match args.first() {
                    Some(Some(Value::Array(items))) => items.clone(),
                    _ => {
                        return Err(argument_error(
                            "partition",
                            "the first argument must be an array",
                        ));
                    }
                };
                let size = integer(args.get(1).unwrap_or(&None))
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        argument_error("partition", "the size must be a positive integer")
                    })?;
                Ok(Some(Value::Array(
                    items
                        .chunks(usize::try_from(size).unwrap_or(usize::MAX))
                        .map(|c| Value::Array(c.to_vec()))
                        .collect(),
                )))
            }),
        ),
        (
            "range",
            Box::new(|args: &[Option<Value>]| {
                let get = |i: usize, what: &str| {
                    integer(args.get(i).unwrap_or(&None)).ok_or_else(|| {
                        argument_error("range", &format!("the {what} must be an integer"))
                    })
                };
                let (start, end, step) = (get(0, "start")?, get(1, "end")?, get(2, "step")?);
                if step == 0 {
                    return Err(argument_error("range", "the step cannot be 0"));
                }
                let mut out = Vec::new();
                let mut i = start;
                while (step > 0 && i <= end) || (step < 0 && i >= end) {
                    if out.len() == 1000 {
                        return Err(argument_error(
                            "range",
                            "the range has more than 1000 items",
                        ));
                    }
                    out.push(Value::from(i));
                    i = match i.checked_add(step) {
                        Some(n) => n,
                        None => break,
                    };
                }
                Ok(Some(Value::Array(out)))
            }),
        ),
        (
            "hash",
            Box::new(|args: &[Option<Value>]| {
                let data = match args.first() {
                    Some(Some(Value::String(s))) => s.clone(),
                    Some(Some(other)) => other.to_string(),
                    _ => return Err(argument_error("hash", "the data is missing")),
                };
                let algorithm = match args.get(1) {
                    Some(Some(Value::String(a))) => a.clone(),
                    _ => return Err(argument_error("hash", "the algorithm must be a string")),
                };
                digest::hex_digest(data.as_bytes(), &algorithm)
                    .map(|h| Some(Value::String(h)))
                    .ok_or_else(|| {
                        argument_error("hash", &format!("unsupported algorithm `{algorithm}`"))
                    })
            }),
        ),
        (
            "random",
            Box::new(move |args: &[Option<Value>]| {
                let mut rng = match integer(args.first().unwrap_or(&None)) {
                    Some(seed) => Rng::from_seed(seed as u64),
                    None => draw(),
                };
                Ok(serde_json::Number::from_f64(rng.next_f64()).map(Value::Number))
            }),
        ),
        (
            "uuid",
            Box::new(move |_: &[Option<Value>]| Ok(Some(Value::String(draw_for_uuid().uuid())))),
        ),
        (
            "parse",
            Box::new(|args: &[Option<Value>]| match args.first() {
                Some(Some(Value::String(text))) => serde_json::from_str(text)
                    .map(Some)
                    .map_err(|e| argument_error("parse", &format!("invalid JSON: {e}"))),
                _ => Err(argument_error("parse", "the argument must be a string")),
            }),
        ),
    ]
}

/// What a JSONata state's expressions see: `$states`, the visible variables, and the
/// execution's virtual clock as `$now()`/`$millis()` (never the machine's: runs stay
/// deterministic).
pub(crate) fn environment(
    states: Value,
    variables: Map<String, Value>,
    seed: u64,
    now_millis: i64,
) -> Environment {
    let mut env = Environment {
        now_millis: Some(now_millis),
        ..Environment::default()
    };
    for (name, value) in variables {
        env.variables.insert(name, value);
    }
    env.variables.insert("states".to_owned(), states);
    for (name, f) in functions(seed) {
        env.functions.insert(name.to_owned(), f);
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_whole_strings_are_expressions() {
        assert_eq!(expression_text("{% $x %}"), Some(" $x "));
        assert_eq!(expression_text("a {% $x %}"), None);
        assert_eq!(expression_text("{% $x"), None);
    }

    #[test]
    fn step_functions_functions_behave() {
        let env = environment(json!({}), Map::new(), 3, 0);
        let call = |name: &str, args: &[Option<Value>]| env.functions.get(name).map(|f| f(args));
        assert_eq!(
            call("partition", &[Some(json!([1, 2, 3])), Some(json!(2))]),
            Some(Ok(Some(json!([[1, 2], [3]]))))
        );
        assert_eq!(
            call("range", &[Some(json!(0)), Some(json!(10)), Some(json!(5))]),
            Some(Ok(Some(json!([0, 5, 10]))))
        );
        assert_eq!(
            call("hash", &[Some(json!("abc")), Some(json!("SHA-1"))]),
            Some(Ok(Some(json!("a9993e364706816aba3e25717850c26c9cd0d89d"))))
        );
        assert_eq!(
            call("parse", &[Some(json!("{\"a\":1}"))]),
            Some(Ok(Some(json!({"a": 1}))))
        );
        let first = call("uuid", &[]);
        let second = call("uuid", &[]);
        assert_ne!(first, second);
    }
}
