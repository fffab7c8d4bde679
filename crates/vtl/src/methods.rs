//! The Java methods templates call on values (`$s.replaceAll(...)`, `$map.get(...)`,
//! `$list.size()`, `$input.path(...)`, `$util.escapeJavaScript(...)`), and Velocity's
//! property rules (`$a.b` is `getB()`, else `get("b")` on a map, else `isB()`).
//!
//! A method that does not exist for the value (or not for those argument types) is "not
//! found": Velocity then treats the reference as having no value. A method that exists
//! but fails (an index out of range, an invalid pattern) is an error, as Java's exception
//! is in Velocity.

use std::rc::Rc;

use crate::apigw;
use crate::java_regex;
use crate::value::{LoopState, Value};

/// What a call gave: `None` when no such method exists for these arguments.
pub(crate) type Called = Result<Option<Value>, String>;

/// `$target.name`.
pub(crate) fn property(target: &Value, name: &str) -> Called {
    if let Value::Map(m) = target {
        return Ok(Some(m.borrow().get(name).cloned().unwrap_or(Value::Null)));
    }
    let mut capital = name.to_string();
    if let Some(first) = capital.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    if let Some(v) = call(target, &format!("get{capital}"), &[])? {
        return Ok(Some(v));
    }
    if let Some(v) = call(target, &format!("get{name}"), &[])? {
        return Ok(Some(v));
    }
    call(target, &format!("is{capital}"), &[])
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn from_utf16(units: &[u16]) -> Value {
    Value::str(String::from_utf16_lossy(units))
}

fn index_arg(v: &Value) -> Option<i128> {
    match v {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

fn str_arg(v: &Value) -> Option<&str> {
    match v {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn bounds(i: i128, len: usize) -> Result<usize, String> {
    usize::try_from(i)
        .ok()
        .filter(|i| *i <= len)
        .ok_or_else(|| format!("index {i} out of range for length {len}"))
}

/// `$target.name(args)`.
pub(crate) fn call(target: &Value, name: &str, args: &[Value]) -> Called {
    match (name, args) {
        ("toString", []) => return Ok(Some(Value::str(target.to_java_string()))),
        ("equals", [other]) => return Ok(Some(Value::Bool(target.java_equals(other)))),
        _ => {}
    }
    match target {
        Value::Str(s) => string_method(s, name, args),
        Value::List(l) => {
            let mut list = l.borrow_mut();
            Ok(match (name, args) {
                ("size", []) => Some(Value::Int(list.len() as i128)),
                ("isEmpty", []) | ("getEmpty", []) => Some(Value::Bool(list.is_empty())),
                ("get", [i]) => {
                    let Some(i) = index_arg(i) else {
                        return Ok(None);
                    };
                    let index = bounds(i, list.len().saturating_sub(1))
                        .ok()
                        .filter(|_| !list.is_empty());
                    let Some(index) = index else {
                        return Err(format!("index {i} out of bounds for length {}", list.len()));
                    };
                    Some(list[index].clone())
                }
                ("contains", [v]) => Some(Value::Bool(list.iter().any(|x| x.java_equals(v)))),
                ("indexOf", [v]) => Some(Value::Int(
                    list.iter()
                        .position(|x| x.java_equals(v))
                        .map_or(-1, |p| p as i128),
                )),
                ("add", [v]) => {
                    list.push(v.clone());
                    Some(Value::Bool(true))
                }
                ("add", [i, v]) => {
                    let Some(i) = index_arg(i) else {
                        return Ok(None);
                    };
                    let i = bounds(i, list.len())?;
                    list.insert(i, v.clone());
                    Some(Value::Null)
                }
                ("set", [i, v]) => {
                    let Some(i) = index_arg(i) else {
                        return Ok(None);
                    };
                    let i = bounds(i, list.len())?;
                    if i == list.len() {
                        return Err(format!("index {i} out of bounds for length {}", list.len()));
                    }
                    Some(std::mem::replace(&mut list[i], v.clone()))
                }
                ("remove", [i]) => {
                    let Some(i) = index_arg(i) else {
                        return Ok(None);
                    };
                    let i = bounds(i, list.len())?;
                    if i == list.len() {
                        return Err(format!("index {i} out of bounds for length {}", list.len()));
                    }
                    Some(list.remove(i))
                }
                ("addAll", [Value::List(other)]) => {
                    let items: Vec<Value> = if Rc::ptr_eq(l, other) {
                        list.clone()
                    } else {
                        other.borrow().clone()
                    };
                    list.extend(items);
                    Some(Value::Bool(true))
                }
                ("clear", []) => {
                    list.clear();
                    Some(Value::Null)
                }
                _ => None,
            })
        }
        Value::Map(m) => {
            let mut map = m.borrow_mut();
            Ok(match (name, args) {
                ("get", [k]) => Some(map.get(&k.to_java_string()).cloned().unwrap_or(Value::Null)),
                ("containsKey", [k]) => Some(Value::Bool(map.get(&k.to_java_string()).is_some())),
                ("containsValue", [v]) => Some(Value::Bool(
                    map.entries.iter().any(|(_, x)| x.java_equals(v)),
                )),
                ("size", []) => Some(Value::Int(map.entries.len() as i128)),
                ("isEmpty", []) => Some(Value::Bool(map.entries.is_empty())),
                ("keySet", []) => Some(Value::list(
                    map.entries
                        .iter()
                        .map(|(k, _)| Value::str(k.as_str()))
                        .collect(),
                )),
                ("values", []) => Some(Value::list(
                    map.entries.iter().map(|(_, v)| v.clone()).collect(),
                )),
                ("entrySet", []) => Some(Value::list(
                    map.entries
                        .iter()
                        .map(|(k, v)| Value::Entry(Rc::new((k.clone(), v.clone()))))
                        .collect(),
                )),
                ("put", [k, v]) => Some(map.put(k.to_java_string(), v.clone())),
                ("remove", [k]) => {
                    let key = k.to_java_string();
                    let found = map.entries.iter().position(|(x, _)| *x == key);
                    Some(found.map_or(Value::Null, |i| map.entries.remove(i).1))
                }
                ("putAll", [Value::Map(other)]) => {
                    let entries = if Rc::ptr_eq(m, other) {
                        map.entries.clone()
                    } else {
                        other.borrow().entries.clone()
                    };
                    for (k, v) in entries {
                        map.put(k, v);
                    }
                    Some(Value::Null)
                }
                ("clear", []) => {
                    map.entries.clear();
                    Some(Value::Null)
                }
                _ => None,
            })
        }
        Value::Entry(e) => Ok(match (name, args) {
            ("getKey", []) => Some(Value::str(e.0.as_str())),
            ("getValue", []) => Some(e.1.clone()),
            _ => None,
        }),
        Value::Int(i) => Ok(match (name, args) {
            ("intValue", []) | ("longValue", []) => Some(Value::Int(*i)),
            ("doubleValue", []) => Some(Value::Double(*i as f64)),
            _ => None,
        }),
        Value::Double(d) => Ok(match (name, args) {
            ("intValue", []) | ("longValue", []) => Some(Value::Int(*d as i128)),
            ("doubleValue", []) => Some(Value::Double(*d)),
            _ => None,
        }),
        Value::Bool(b) => Ok(match (name, args) {
            ("booleanValue", []) => Some(Value::Bool(*b)),
            _ => None,
        }),
        Value::Input(input) => input_method(input, name, args),
        Value::Util => util_method(name, args),
        Value::Foreach(state) => Ok(foreach_method(state, name, args)),
        Value::Null | Value::Block(_) => Ok(None),
    }
}

fn string_method(s: &Rc<str>, name: &str, args: &[Value]) -> Called {
    let arg_str = |i: usize| args.get(i).and_then(str_arg);
    Ok(match (name, args.len()) {
        ("length", 0) => Some(Value::Int(s.encode_utf16().count() as i128)),
        ("isEmpty", 0) => Some(Value::Bool(s.is_empty())),
        ("trim", 0) => Some(Value::str(s.trim_matches(|c: char| c <= ' '))),
        ("toLowerCase", 0) => Some(Value::str(s.to_lowercase())),
        ("toUpperCase", 0) => Some(Value::str(s.to_uppercase())),
        ("equalsIgnoreCase", 1) => {
            let Some(o) = arg_str(0) else {
                return Ok(Some(Value::Bool(false)));
            };
            Some(Value::Bool(s.to_lowercase() == o.to_lowercase()))
        }
        ("charAt", 1) => {
            let Some(i) = args.first().and_then(index_arg) else {
                return Ok(None);
            };
            let units = utf16(s);
            let i = usize::try_from(i).ok().filter(|i| *i < units.len());
            let Some(i) = i else {
                return Err(format!(
                    "string index out of range: {}",
                    args[0].to_java_string()
                ));
            };
            Some(from_utf16(&units[i..=i]))
        }
        ("substring", 1 | 2) => {
            let units = utf16(s);
            let Some(begin) = args.first().and_then(index_arg) else {
                return Ok(None);
            };
            let end = match args.get(1) {
                Some(e) => match index_arg(e) {
                    Some(e) => e,
                    None => return Ok(None),
                },
                None => units.len() as i128,
            };
            if begin < 0 || end > units.len() as i128 || begin > end {
                return Err(format!("begin {begin}, end {end}, length {}", units.len()));
            }
            Some(from_utf16(&units[begin as usize..end as usize]))
        }
        ("indexOf" | "lastIndexOf", 1 | 2) => {
            let Some(needle) = arg_str(0) else {
                return Ok(None);
            };
            let hay = utf16(s);
            let needle = utf16(needle);
            let from = match args.get(1) {
                Some(v) => match index_arg(v) {
                    Some(f) => Some(f),
                    None => return Ok(None),
                },
                None => None,
            };
            let positions = (0..=hay.len().saturating_sub(needle.len()))
                .filter(|i| hay.len() >= needle.len() && hay[*i..*i + needle.len()] == needle[..]);
            let found = if name == "indexOf" {
                let from = from.unwrap_or(0).max(0) as usize;
                positions.clone().find(|i| *i >= from)
            } else {
                let from = from.unwrap_or(i128::MAX);
                positions.rev().find(|i| (*i as i128) <= from)
            };
            Some(Value::Int(found.map_or(-1, |i| i as i128)))
        }
        ("contains", 1) => arg_str(0).map(|o| Value::Bool(s.contains(o))),
        ("startsWith", 1) => arg_str(0).map(|o| Value::Bool(s.starts_with(o))),
        ("endsWith", 1) => arg_str(0).map(|o| Value::Bool(s.ends_with(o))),
        ("concat", 1) => arg_str(0).map(|o| Value::str(format!("{s}{o}"))),
        ("replace", 2) => match (arg_str(0), arg_str(1)) {
            (Some(a), Some(b)) => Some(Value::str(java_replace_literal(s, a, b))),
            _ => None,
        },
        ("replaceAll" | "replaceFirst", 2) => match (arg_str(0), arg_str(1)) {
            (Some(p), Some(r)) => Some(Value::str(java_regex::replace(
                s,
                p,
                r,
                name == "replaceAll",
            )?)),
            _ => None,
        },
        ("matches", 1) => match arg_str(0) {
            Some(p) => Some(Value::Bool(java_regex::matches(s, p)?)),
            None => None,
        },
        // Java returns a `String[]`, which Velocity prints as `[Ljava.lang.String;@hash`;
        // here it is a list (it iterates, indexes and `size()`s the same).
        ("split", 1) => match arg_str(0) {
            Some(p) => Some(Value::list(
                java_regex::split(s, p)?
                    .into_iter()
                    .map(Value::str)
                    .collect(),
            )),
            None => None,
        },
        _ => None,
    })
}

/// Java's `String.replace(CharSequence, CharSequence)`: an empty target inserts the
/// replacement between every character.
fn java_replace_literal(s: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        let mut out = String::from(to);
        for c in s.chars() {
            out.push(c);
            out.push_str(to);
        }
        return out;
    }
    s.replace(from, to)
}

fn input_method(input: &apigw::InputObject, name: &str, args: &[Value]) -> Called {
    Ok(match (name, args) {
        ("getBody", []) => Some(Value::str(input.input.body.as_str())),
        ("path", [Value::Str(p)]) => Some(input.path(p)?),
        ("json", [Value::Str(p)]) => Some(Value::str(input.json(p)?)),
        ("params", []) => Some(input.params()),
        ("params", [Value::Str(n)]) => Some(Value::str(input.param(n))),
        _ => None,
    })
}

fn util_method(name: &str, args: &[Value]) -> Called {
    // Every `$util` function takes a string; Velocity passes null through to it, and the
    // functions give null back for it (Commons Lang's behaviour for `escapeJavaScript`).
    let [arg] = args else { return Ok(None) };
    let s = match arg {
        Value::Str(s) => s.clone(),
        Value::Null => {
            return Ok(matches!(
                name,
                "escapeJavaScript"
                    | "urlEncode"
                    | "urlDecode"
                    | "base64Encode"
                    | "base64Decode"
                    | "parseJson"
            )
            .then_some(Value::Null));
        }
        _ => return Ok(None),
    };
    Ok(Some(match name {
        "escapeJavaScript" => Value::str(apigw::escape_javascript(&s)),
        "parseJson" => {
            let json: serde_json::Value =
                serde_json::from_str(&s).map_err(|e| format!("parseJson: invalid json: {e}"))?;
            Value::from_json(&json)
        }
        "urlEncode" => Value::str(apigw::url_encode(&s)),
        "urlDecode" => Value::str(apigw::url_decode(&s)?),
        "base64Encode" => Value::str(apigw::base64_encode(&s)),
        "base64Decode" => Value::str(apigw::base64_decode(&s)?),
        _ => return Ok(None),
    }))
}

fn foreach_method(state: &Rc<LoopState>, name: &str, args: &[Value]) -> Option<Value> {
    if !args.is_empty() {
        return None;
    }
    Some(match name {
        "getIndex" => Value::Int(state.index as i128),
        "getCount" => Value::Int(state.index as i128 + 1),
        "hasNext" | "getHasNext" | "isHasNext" => Value::Bool(state.has_next),
        "isFirst" | "getFirst" => Value::Bool(state.index == 0),
        "isLast" | "getLast" => Value::Bool(!state.has_next),
        "getParent" => state.parent.clone().map_or(Value::Null, Value::Foreach),
        _ => return None,
    })
}
