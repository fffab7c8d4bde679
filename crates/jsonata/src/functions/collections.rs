//! Boolean, array, object and higher-order functions: `$boolean $not $exists $append
//! $sort $reverse $shuffle $distinct $zip $keys $lookup $spread $merge $each $sift $type
//! $error $assert $map $filter $single $reduce $clone`.

use std::rc::Rc;

use super::Args;
use super::text::compare_strings;
use crate::JsonataError;
use crate::error::Result;
use crate::eval::{Evaluator, arity, lookup};
use crate::value::{Obj, Val, deep_equal};

pub(super) fn call(ev: &Evaluator<'_>, name: &str, a: &Args, context: &Val) -> Result<Val> {
    match name {
        "boolean" => Ok(match a.get(0) {
            Val::Undefined => Val::Undefined,
            v => Val::Bool(v.truthy()),
        }),
        "not" => Ok(match a.get(0) {
            Val::Undefined => Val::Undefined,
            v => Val::Bool(!v.truthy()),
        }),
        "exists" => Ok(Val::Bool(!a.get(0).is_undefined())),
        "type" => Ok(match a.get(0) {
            Val::Undefined => Val::Undefined,
            v => Val::str(v.type_name()),
        }),
        "append" => Ok(match (a.get(0), a.get(1)) {
            (Val::Undefined, other) | (other, Val::Undefined) => other.clone(),
            (x, y) => {
                let mut items = x.to_items();
                items.extend(y.to_items());
                Val::array(items)
            }
        }),
        "reverse" => Ok(a.array(0).map_or(Val::Undefined, |mut items| {
            items.reverse();
            Val::array(items)
        })),
        "shuffle" => Ok(a.array(0).map_or(Val::Undefined, |mut items| {
            for i in (1..items.len()).rev() {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let j = (super::numeric::random() * (i + 1) as f64) as usize;
                items.swap(i, j.min(i));
            }
            Val::array(items)
        })),
        "distinct" => Ok(match a.get(0) {
            Val::Array(arr) => {
                let mut out: Vec<Val> = Vec::new();
                for item in &arr.items {
                    if !out.iter().any(|seen| deep_equal(seen, item)) {
                        out.push(item.clone());
                    }
                }
                Val::array(out)
            }
            other => other.clone(),
        }),
        "zip" => {
            let arrays: Vec<Vec<Val>> = a.args.iter().map(Val::to_items).collect();
            let len = arrays.iter().map(Vec::len).min().unwrap_or(0);
            Ok(Val::array(
                (0..len)
                    .map(|i| Val::array(arrays.iter().map(|arr| arr[i].clone()).collect()))
                    .collect(),
            ))
        }
        "sort" => sort(ev, a, context),
        "keys" => {
            let mut keys: Vec<Rc<str>> = Vec::new();
            let mut add = |v: &Val| {
                if let Val::Object(o) = v {
                    for (k, _) in o.iter() {
                        if !keys.contains(k) {
                            keys.push(k.clone());
                        }
                    }
                }
            };
            match a.get(0) {
                Val::Array(arr) => arr.items.iter().for_each(&mut add),
                v => add(v),
            }
            Ok(Val::sequence(keys.into_iter().map(Val::Str).collect()))
        }
        "lookup" => {
            let key = a.str(1)?.ok_or_else(|| a.mismatch(1))?;
            Ok(lookup(a.get(0), &key))
        }
        "spread" => Ok(spread(a.get(0))),
        "merge" => {
            let Some(items) = a.array(0) else {
                return Ok(Val::Undefined);
            };
            let mut out = Obj::default();
            for item in items {
                match item {
                    Val::Object(o) => o.iter().for_each(|(k, v)| out.insert(k.clone(), v.clone())),
                    _ => {
                        return Err(JsonataError::code(
                            "T0412",
                            "argument 1 of function merge must be an array of objects",
                        ));
                    }
                }
            }
            Ok(Val::object(out))
        }
        "each" => {
            let Some(entries) = object_entries(ev, a, context)? else {
                return Ok(Val::Undefined);
            };
            Ok(Val::sequence(
                entries
                    .into_iter()
                    .map(|(_, _, r)| r)
                    .filter(|r| !r.is_undefined())
                    .collect(),
            ))
        }
        "sift" => {
            let Some(entries) = object_entries(ev, a, context)? else {
                return Ok(Val::Undefined);
            };
            let mut out = Obj::default();
            for (k, v, r) in entries {
                if r.truthy() {
                    out.insert(k, v);
                }
            }
            Ok(if out.len() == 0 {
                Val::Undefined
            } else {
                Val::object(out)
            })
        }
        "error" => {
            let message = a.str(0)?.map_or_else(
                || "$error() function evaluated".to_string(),
                |m| m.to_string(),
            );
            Err(JsonataError::code("D3137", message))
        }
        "assert" => match a.get(0) {
            Val::Bool(true) => Ok(Val::Undefined),
            Val::Bool(false) => {
                let message = a.str(1)?.map_or_else(
                    || "$assert() statement failed".to_string(),
                    |m| m.to_string(),
                );
                Err(JsonataError::code("D3141", message))
            }
            _ => Err(a.mismatch(0)),
        },
        "map" | "filter" => {
            let Some(items) = a.array(0) else {
                return Ok(Val::Undefined);
            };
            let f = a.func(1)?.ok_or_else(|| a.mismatch(1))?;
            let whole = Val::array(items.clone());
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let r = ev.apply_hof(
                    &f,
                    vec![item.clone(), Val::Num(i as f64), whole.clone()],
                    context,
                )?;
                if name == "map" {
                    if !r.is_undefined() {
                        out.push(r);
                    }
                } else if r.truthy() {
                    out.push(item.clone());
                }
            }
            Ok(Val::sequence(out))
        }
        "single" => {
            let Some(items) = a.array(0) else {
                return Ok(Val::Undefined);
            };
            let f = a.func(1)?;
            let whole = Val::array(items.clone());
            let mut found: Option<Val> = None;
            for (i, item) in items.iter().enumerate() {
                let matched = match &f {
                    Some(f) => ev
                        .apply_hof(
                            f,
                            vec![item.clone(), Val::Num(i as f64), whole.clone()],
                            context,
                        )?
                        .truthy(),
                    None => true,
                };
                if matched {
                    if found.is_some() {
                        return Err(JsonataError::code(
                            "D3138",
                            "the $single() function expected exactly 1 matching result; instead it matched more",
                        ));
                    }
                    found = Some(item.clone());
                }
            }
            found.ok_or_else(|| JsonataError::code("D3139", "the $single() function expected exactly 1 matching result; instead it matched 0"))
        }
        "reduce" => {
            let Some(items) = a.array(0) else {
                return Ok(Val::Undefined);
            };
            let f = a.func(1)?.ok_or_else(|| a.mismatch(1))?;
            if arity(&f) < 2 {
                return Err(JsonataError::code(
                    "D3050",
                    "the second argument of reduce function must be a function with at least two arguments",
                ));
            }
            let whole = Val::array(items.clone());
            let (mut acc, start) = match a.get(2) {
                Val::Undefined => match items.first() {
                    Some(first) => (first.clone(), 1),
                    None => return Ok(Val::Undefined),
                },
                init => (init.clone(), 0),
            };
            for (i, item) in items.iter().enumerate().skip(start) {
                let args = vec![acc, item.clone(), Val::Num(i as f64), whole.clone()];
                acc = ev.apply_hof(&f, args, context)?;
            }
            Ok(acc)
        }
        "clone" => Ok(a.get(0).clone()),
        _ => Err(JsonataError::code(
            "T1006",
            format!("attempted to invoke a non-function: ${name}"),
        )),
    }
}

fn spread(v: &Val) -> Val {
    match v {
        Val::Array(arr) => {
            let mut out = Vec::new();
            for item in &arr.items {
                out.extend(spread(item).to_items());
            }
            Val::sequence(out)
        }
        Val::Object(o) => Val::sequence(
            o.iter()
                .map(|(k, v)| {
                    let mut one = Obj::default();
                    one.insert(k.clone(), v.clone());
                    Val::object(one)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// An object's key and value, with what the function gave for them.
type Entry = (Rc<str>, Val, Val);

/// The object argument's entries with what the function argument gives for each (called
/// as `f(value, key, object)`, in order), as `$each` and `$sift` need them; `None` when the
/// object is undefined.
fn object_entries(ev: &Evaluator<'_>, a: &Args, context: &Val) -> Result<Option<Vec<Entry>>> {
    let Val::Object(o) = a.get(0) else {
        return if a.get(0).is_undefined() {
            Ok(None)
        } else {
            Err(a.mismatch(0))
        };
    };
    let f = a.func(1)?.ok_or_else(|| a.mismatch(1))?;
    let mut out = Vec::new();
    for (k, v) in o.iter() {
        let r = ev.apply_hof(
            &f,
            vec![v.clone(), Val::Str(k.clone()), a.get(0).clone()],
            context,
        )?;
        out.push((k.clone(), v.clone(), r));
    }
    Ok(Some(out))
}

fn sort(ev: &Evaluator<'_>, a: &Args, context: &Val) -> Result<Val> {
    let Some(mut items) = a.array(0) else {
        return Ok(Val::Undefined);
    };
    if items.len() <= 1 {
        return Ok(Val::array(items));
    }
    match a.func(1)? {
        None => {
            if items.iter().all(|v| matches!(v, Val::Num(_))) {
                items.sort_by(|x, y| match (x, y) {
                    (Val::Num(p), Val::Num(q)) => {
                        p.partial_cmp(q).unwrap_or(std::cmp::Ordering::Equal)
                    }
                    _ => std::cmp::Ordering::Equal,
                });
            } else if items.iter().all(|v| matches!(v, Val::Str(_))) {
                items.sort_by(|x, y| match (x, y) {
                    (Val::Str(p), Val::Str(q)) => compare_strings(p, q),
                    _ => std::cmp::Ordering::Equal,
                });
            } else {
                return Err(JsonataError::code(
                    "D3070",
                    "the single argument form of the sort function can only be applied to an array of strings or an array of numbers",
                ));
            }
            Ok(Val::array(items))
        }
        Some(f) => {
            // A stable merge sort: `f(a, b)` true means `a` goes after `b`.
            let mut buffer = items.clone();
            merge_sort(ev, &f, &mut items, &mut buffer, context)?;
            Ok(Val::array(items))
        }
    }
}

fn merge_sort(
    ev: &Evaluator<'_>,
    f: &Val,
    items: &mut [Val],
    buffer: &mut [Val],
    context: &Val,
) -> Result<()> {
    let n = items.len();
    if n <= 1 {
        return Ok(());
    }
    let mid = n / 2;
    {
        let (left, right) = items.split_at_mut(mid);
        let (bl, br) = buffer.split_at_mut(mid);
        merge_sort(ev, f, left, bl, context)?;
        merge_sort(ev, f, right, br, context)?;
    }
    let (mut i, mut j) = (0, mid);
    for slot in buffer.iter_mut().take(n) {
        let take_right = if i >= mid {
            true
        } else if j >= n {
            false
        } else {
            ev.apply(f, vec![items[i].clone(), items[j].clone()], context)?
                .truthy()
        };
        if take_right {
            *slot = items[j].clone();
            j += 1;
        } else {
            *slot = items[i].clone();
            i += 1;
        }
    }
    items.clone_from_slice(&buffer[..n]);
    Ok(())
}
