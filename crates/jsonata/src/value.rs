//! The values an expression computes with: JSON plus JSONata's extras.
//!
//! Besides JSON, JSONata has "undefined" ([`Val::Undefined`]), functions (lambdas, the
//! library's built-ins, host functions, partial applications) and regexes as values, and
//! distinguishes a *sequence* (a path's result, flattened and unwrapped when it holds one
//! item) from an *array* (data or an `[...]` constructor). Those flags live on [`Array`].

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::Value;

use crate::JsonataError;
use crate::ast::{LambdaDef, TransformDef};
use crate::error::Result;
use crate::eval::Frame;

/// A value during evaluation.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(Rc<str>),
    Array(Rc<Array>),
    Object(Rc<Obj>),
    Func(Rc<Func>),
}

/// An array or a sequence.
#[derive(Clone, Debug, Default)]
pub(crate) struct Array {
    pub items: Vec<Val>,
    /// A path's result: flattened into the next step, unwrapped when it holds one item.
    pub sequence: bool,
    /// Set by `[]`: a one-item sequence stays an array.
    pub keep_singleton: bool,
    /// Built by `[...]`: a path step keeps it whole instead of flattening it.
    pub cons: bool,
    /// The one-item sequence an array input is wrapped in, so a path's first step sees
    /// the whole array as one item; `$` unwraps it.
    pub outer: bool,
}

/// An object, keeping its keys in insertion order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Obj {
    entries: Vec<(Rc<str>, Val)>,
    index: HashMap<Rc<str>, usize>,
}

/// Something callable.
pub(crate) enum Func {
    Lambda {
        def: Arc<LambdaDef>,
        frame: Rc<Frame>,
        context: Val,
    },
    /// A function of the standard library, by name.
    Builtin(&'static str),
    /// A function from the host's [`crate::Environment`], by name.
    Native(String),
    /// A regex literal: called on a string, it returns the first match object.
    Regex(Arc<regex::Regex>),
    /// `f(a, ?, c)`: `None` marks a placeholder.
    Partial(Val, Vec<Option<Val>>),
    /// `f ~> g`: applies `f`, then `g`.
    Compose(Val, Val),
    /// `| pattern | update, delete |`, with the scope it was written in.
    Transform(Arc<TransformDef>, Rc<Frame>),
}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Func::Lambda { def, .. } => write!(f, "lambda({:?})", def.params),
            Func::Builtin(name) => write!(f, "${name}"),
            Func::Native(name) => write!(f, "native ${name}"),
            Func::Regex(re) => write!(f, "/{}/", re.as_str()),
            Func::Partial(..) => write!(f, "partial"),
            Func::Compose(..) => write!(f, "composed"),
            Func::Transform(..) => write!(f, "transform"),
        }
    }
}

impl Obj {
    pub(crate) fn get(&self, key: &str) -> Option<&Val> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }

    pub(crate) fn insert(&mut self, key: Rc<str>, value: Val) {
        match self.index.get(&key) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &str) {
        if self.index.remove(key).is_some() {
            self.entries.retain(|(k, _)| &**k != key);
            self.index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Rc<str>, &Val)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

impl Val {
    pub(crate) fn str(s: &str) -> Val {
        Val::Str(Rc::from(s))
    }

    pub(crate) fn string(s: String) -> Val {
        Val::Str(Rc::from(s))
    }

    /// `input` as the context of the whole expression: an array is wrapped in an outer
    /// one-item sequence, as the reference implementation wraps it.
    pub(crate) fn wrap_input(input: Val) -> Val {
        match input {
            Val::Array(_) => Val::Array(Rc::new(Array {
                items: vec![input],
                sequence: true,
                outer: true,
                ..Array::default()
            })),
            other => other,
        }
    }

    /// A plain array (data, or a function's result).
    pub(crate) fn array(items: Vec<Val>) -> Val {
        Val::Array(Rc::new(Array {
            items,
            ..Array::default()
        }))
    }

    /// A sequence: flattened by paths, unwrapped when it holds one item.
    pub(crate) fn sequence(items: Vec<Val>) -> Val {
        Val::Array(Rc::new(Array {
            items,
            sequence: true,
            ..Array::default()
        }))
    }

    pub(crate) fn object(obj: Obj) -> Val {
        Val::Object(Rc::new(obj))
    }

    pub(crate) fn func(f: Func) -> Val {
        Val::Func(Rc::new(f))
    }

    pub(crate) fn is_undefined(&self) -> bool {
        matches!(self, Val::Undefined)
    }

    pub(crate) fn is_func(&self) -> bool {
        matches!(self, Val::Func(_))
    }

    /// The items of an array, or the value as a one-item list (none for undefined).
    pub(crate) fn to_items(&self) -> Vec<Val> {
        match self {
            Val::Undefined => Vec::new(),
            Val::Array(a) => a.items.clone(),
            other => vec![other.clone()],
        }
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Val::Undefined => "undefined",
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Num(_) => "number",
            Val::Str(_) => "string",
            Val::Array(_) => "array",
            Val::Object(_) => "object",
            Val::Func(_) => "function",
        }
    }

    /// JSONata's truthiness (`$boolean`).
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Val::Undefined | Val::Null => false,
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::Array(a) => a.items.iter().any(Val::truthy),
            Val::Object(o) => o.len() > 0,
            Val::Func(_) => false,
        }
    }

    pub(crate) fn from_json(value: &Value) -> Val {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Val::str(s),
            Value::Array(items) => Val::array(items.iter().map(Val::from_json).collect()),
            Value::Object(map) => {
                let mut obj = Obj::default();
                for (k, v) in map {
                    obj.insert(Rc::from(k.as_str()), Val::from_json(v));
                }
                Val::object(obj)
            }
        }
    }

    /// JSON for the caller, as `JSON.stringify` writes it: undefined inside arrays is
    /// `null`, inside objects the key is left out; functions become `""`.
    pub(crate) fn to_json(&self) -> Result<Option<Value>> {
        Ok(match self {
            Val::Undefined => None,
            Val::Null => Some(Value::Null),
            Val::Bool(b) => Some(Value::Bool(*b)),
            Val::Num(n) => Some(number_to_json(*n)?),
            Val::Str(s) => Some(Value::String(s.to_string())),
            Val::Array(a) => {
                let mut out = Vec::with_capacity(a.items.len());
                // JSON.stringify writes an undefined item as null.
                for item in &a.items {
                    out.push(item.to_json()?.unwrap_or(Value::Null));
                }
                Some(Value::Array(out))
            }
            Val::Object(o) => {
                let mut map = serde_json::Map::new();
                for (k, v) in o.iter() {
                    if let Some(v) = v.to_json()? {
                        map.insert(k.to_string(), v);
                    }
                }
                Some(Value::Object(map))
            }
            Val::Func(_) => Some(Value::String(String::new())),
        })
    }
}

/// Integral numbers become JSON integers (`1+1` is `2`, not `2.0`).
pub(crate) fn number_to_json(n: f64) -> Result<Value> {
    if !n.is_finite() {
        return Err(JsonataError::code(
            "D1001",
            format!("number out of range: {n}"),
        ));
    }
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        // Exact: the value is an integer below 2^53.
        #[allow(clippy::cast_possible_truncation)]
        return Ok(Value::from(n as i64));
    }
    Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
}

/// Deep equality as JSONata's `=` and `$distinct` see it.
pub(crate) fn deep_equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Undefined, Val::Undefined) | (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Num(x), Val::Num(y)) => x == y,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Array(x), Val::Array(y)) => {
            x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(p, q)| deep_equal(p, q))
        }
        (Val::Object(x), Val::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Val::Func(x), Val::Func(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}
