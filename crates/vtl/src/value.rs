//! Values as Velocity sees the Java objects API Gateway hands it: `String`, `Integer`/`Long`,
//! `Double`, `Boolean`, `ArrayList`, `LinkedHashMap`, and API Gateway's own `$input` and
//! `$util`. Lists and maps are shared and mutable, as Java references are
//! (`$list.add(x)` changes every name for that list). `to_java_string` is Java's
//! `toString()`, which is what Velocity writes.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::apigw::InputObject;
use crate::ast::Node;

/// A Java map with insertion order (API Gateway's JSON objects and Velocity's `{}`
/// literals both iterate in insertion order). Keys are strings: a `{1: 'a'}` literal's key
/// is `"1"`, a deviation from Velocity, where it is an `Integer`.
#[derive(Debug, Clone, Default)]
pub(crate) struct JMap {
    pub(crate) entries: Vec<(String, Value)>,
}

impl JMap {
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Java's `put`: the previous value (or null).
    pub(crate) fn put(&mut self, key: String, value: Value) -> Value {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => std::mem::replace(v, value),
            None => {
                self.entries.push((key, value));
                Value::Null
            }
        }
    }
}

/// The state `$foreach` exposes inside a loop.
#[derive(Debug, Clone)]
pub(crate) struct LoopState {
    pub(crate) index: usize,
    pub(crate) has_next: bool,
    pub(crate) parent: Option<Rc<LoopState>>,
}

/// A value.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// Java's null: no value (a reference to it renders as its source text).
    Null,
    Bool(bool),
    /// `Integer`, `Long` and `BigInteger` alike (they print the same).
    Int(i128),
    Double(f64),
    Str(Rc<str>),
    List(Rc<RefCell<Vec<Value>>>),
    Map(Rc<RefCell<JMap>>),
    /// A `Map.Entry` from `entrySet()`.
    Entry(Rc<(String, Value)>),
    /// A `#define` block: renders its body when written.
    Block(Arc<Vec<Node>>),
    Input(Rc<InputObject>),
    Util,
    Foreach(Rc<LoopState>),
}

impl Value {
    pub(crate) fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    pub(crate) fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }

    pub(crate) fn map(map: JMap) -> Value {
        Value::Map(Rc::new(RefCell::new(map)))
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Velocity's truth of a reference's value: only null and `false` are false.
    pub(crate) fn truthy(&self) -> bool {
        !matches!(self, Value::Null | Value::Bool(false))
    }

    pub(crate) fn as_number(&self) -> Option<Number> {
        match self {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Double(d) => Some(Number::Double(*d)),
            _ => None,
        }
    }

    /// The Java class name, for messages and for `==` across classes.
    pub(crate) fn class(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Double(_) => "Double",
            Value::Str(_) => "String",
            Value::List(_) => "ArrayList",
            Value::Map(_) => "LinkedHashMap",
            Value::Entry(_) => "Map.Entry",
            Value::Block(_) => "Block",
            Value::Input(_) => "Input",
            Value::Util => "Util",
            Value::Foreach(_) => "ForeachScope",
        }
    }

    /// Java's `toString()`; blocks are rendered by the evaluator, not here.
    pub(crate) fn to_java_string(&self) -> String {
        let mut out = String::new();
        self.write_java(&mut out, 0);
        out
    }

    fn write_java(&self, out: &mut String, depth: usize) {
        // A list that contains itself prints "(this Collection)" in Java; a depth bound keeps
        // any cycle finite here.
        if depth > 64 {
            out.push_str("(this Collection)");
            return;
        }
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Double(d) => out.push_str(&java_double(*d)),
            Value::Str(s) => out.push_str(s),
            Value::List(l) => {
                out.push('[');
                for (i, v) in l.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_java(out, depth + 1);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.borrow().entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push('=');
                    v.write_java(out, depth + 1);
                }
                out.push('}');
            }
            Value::Entry(e) => {
                out.push_str(&e.0);
                out.push('=');
                e.1.write_java(out, depth + 1);
            }
            Value::Block(_) => out.push_str("(block)"),
            Value::Input(_) => out.push_str("$input"),
            Value::Util => out.push_str("$util"),
            Value::Foreach(_) => out.push_str("$foreach"),
        }
    }

    /// From JSON, as API Gateway's JSON reader gives it to Velocity.
    pub(crate) fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i128::from(i)),
                None => match n.as_u64() {
                    Some(u) => Value::Int(i128::from(u)),
                    None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
            serde_json::Value::String(s) => Value::str(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::map(JMap {
                entries: o
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            }),
        }
    }

    /// Java's `equals` (lists and maps compare by content).
    pub(crate) fn java_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Double(a), Value::Double(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                Rc::ptr_eq(a, b) || {
                    let (a, b) = (a.borrow(), b.borrow());
                    a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.java_equals(y))
                }
            }
            (Value::Map(a), Value::Map(b)) => {
                Rc::ptr_eq(a, b) || {
                    let (a, b) = (a.borrow(), b.borrow());
                    a.entries.len() == b.entries.len()
                        && a.entries
                            .iter()
                            .all(|(k, v)| b.get(k).is_some_and(|w| v.java_equals(w)))
                }
            }
            _ => false,
        }
    }
}

/// A number for arithmetic.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    Int(i128),
    Double(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Double(d) => d,
        }
    }
}

/// Java's `Double.toString`: plain decimals from 10^-3 to 10^7, otherwise
/// `d.dddE±n`, and always a digit after the point. Digits are the shortest that read back
/// as the same double (JDK 19 and later; JDK 17 sometimes prints one more).
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let magnitude = d.abs();
    if (1e-3..1e7).contains(&magnitude) {
        let s = format!("{d}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let s = format!("{d:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::java_double;

    #[test]
    fn doubles_print_as_java_prints_them() {
        assert_eq!(java_double(1.5), "1.5");
        assert_eq!(java_double(3.0), "3.0");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(1e-4), "1.0E-4");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(123456789.125), "1.23456789125E8");
        assert_eq!(java_double(-2.5e-10), "-2.5E-10");
    }
}
