//! The standard function library: the table of names, how arguments are defaulted and
//! checked, and the dispatch to the module that implements each function.
//!
//! A function whose signature accepts the context (`$uppercase()` inside `Name.`) gets the
//! caller's input as its first argument when called with too few arguments.

mod collections;
mod datetime;
mod format;
mod numeric;
mod strings;
pub(crate) mod text;

use std::rc::Rc;

use crate::error::Result;
use crate::eval::Evaluator;
use crate::value::Val;
use crate::JsonataError;

pub(crate) use strings::regex_first_match;
pub(crate) use text::{compare_strings, string_of};

/// Per function: its name, how many arguments it requires, whether the context fills a
/// missing first argument, and how many a higher-order function passes it.
const TABLE: &[(&str, usize, bool, usize)] = &[
    ("sum", 1, false, 1),
    ("count", 1, false, 1),
    ("max", 1, false, 1),
    ("min", 1, false, 1),
    ("average", 1, false, 1),
    ("string", 1, true, 2),
    ("substring", 2, true, 3),
    ("substringBefore", 2, true, 2),
    ("substringAfter", 2, true, 2),
    ("lowercase", 1, true, 1),
    ("uppercase", 1, true, 1),
    ("length", 1, true, 1),
    ("trim", 1, true, 1),
    ("pad", 2, true, 3),
    ("match", 2, true, 3),
    ("contains", 2, true, 2),
    ("replace", 3, true, 4),
    ("split", 2, true, 3),
    ("join", 1, false, 2),
    ("formatNumber", 2, true, 3),
    ("formatBase", 1, true, 2),
    ("formatInteger", 2, true, 2),
    ("parseInteger", 2, true, 2),
    ("number", 1, true, 1),
    ("floor", 1, true, 1),
    ("ceil", 1, true, 1),
    ("round", 1, true, 2),
    ("abs", 1, true, 1),
    ("sqrt", 1, true, 1),
    ("power", 2, true, 2),
    ("random", 0, false, 0),
    ("boolean", 1, true, 1),
    ("not", 1, true, 1),
    ("map", 2, false, 2),
    ("zip", 1, false, 1),
    ("filter", 2, false, 2),
    ("single", 1, false, 2),
    ("reduce", 2, false, 3),
    ("sift", 2, true, 2),
    ("keys", 1, true, 1),
    ("lookup", 2, true, 2),
    ("append", 2, false, 2),
    ("exists", 1, false, 1),
    ("spread", 1, true, 1),
    ("merge", 1, false, 1),
    ("reverse", 1, false, 1),
    ("each", 2, true, 2),
    ("error", 0, false, 1),
    ("assert", 1, false, 2),
    ("type", 1, false, 1),
    ("sort", 1, false, 2),
    ("shuffle", 1, false, 1),
    ("distinct", 1, false, 1),
    ("base64encode", 1, true, 1),
    ("base64decode", 1, true, 1),
    ("encodeUrlComponent", 1, true, 1),
    ("encodeUrl", 1, true, 1),
    ("decodeUrlComponent", 1, true, 1),
    ("decodeUrl", 1, true, 1),
    ("eval", 1, false, 2),
    ("toMillis", 1, true, 2),
    ("fromMillis", 1, true, 3),
    ("now", 0, false, 2),
    ("millis", 0, false, 0),
    ("clone", 1, true, 1),
];

fn entry(name: &str) -> Option<&'static (&'static str, usize, bool, usize)> {
    TABLE.iter().find(|e| e.0 == name)
}

/// The library's own spelling of `name`, when it is a library function.
pub(crate) fn builtin_name(name: &str) -> Option<&'static str> {
    entry(name).map(|e| e.0)
}

/// How many arguments a higher-order function passes to `name`.
pub(crate) fn arity(name: &str) -> usize {
    entry(name).map_or(1, |e| e.3)
}

/// Calls library function `name`.
pub(crate) fn call(ev: &Evaluator<'_>, name: &'static str, mut args: Vec<Val>, context: &Val) -> Result<Val> {
    if let Some(&(_, required, uses_context, _)) = entry(name) {
        if uses_context && args.len() < required {
            args.insert(0, context.clone());
        }
    }
    let a = Args { name, args };
    match name {
        "sum" | "count" | "max" | "min" | "average" | "number" | "floor" | "ceil" | "round" | "abs" | "sqrt"
        | "power" | "random" => numeric::call(ev, name, &a),
        "formatNumber" | "formatBase" | "formatInteger" | "parseInteger" => format::call(name, &a),
        "toMillis" | "fromMillis" | "now" | "millis" => datetime::call(ev, name, &a),
        "string" | "substring" | "substringBefore" | "substringAfter" | "lowercase" | "uppercase" | "length"
        | "trim" | "pad" | "match" | "contains" | "replace" | "split" | "join" | "base64encode" | "base64decode"
        | "encodeUrlComponent" | "encodeUrl" | "decodeUrlComponent" | "decodeUrl" | "eval" => {
            strings::call(ev, name, &a, context)
        }
        _ => collections::call(ev, name, &a, context),
    }
}

/// The arguments of one call, with typed accessors that raise the reference
/// implementation's signature errors.
pub(crate) struct Args {
    pub name: &'static str,
    pub args: Vec<Val>,
}

impl Args {
    pub(crate) fn get(&self, i: usize) -> &Val {
        self.args.get(i).unwrap_or(&Val::Undefined)
    }

    pub(crate) fn mismatch(&self, i: usize) -> JsonataError {
        JsonataError::code("T0410", format!("argument {} of function {} does not match function signature", i + 1, self.name))
    }

    /// A string argument; `None` when undefined.
    pub(crate) fn str(&self, i: usize) -> Result<Option<Rc<str>>> {
        match self.get(i) {
            Val::Undefined => Ok(None),
            Val::Str(s) => Ok(Some(s.clone())),
            // A one-item array stands for its item, as signatures allow.
            Val::Array(a) if a.items.len() == 1 && matches!(a.items[0], Val::Str(_)) => match &a.items[0] {
                Val::Str(s) => Ok(Some(s.clone())),
                _ => Err(self.mismatch(i)),
            },
            _ => Err(self.mismatch(i)),
        }
    }

    /// A number argument; `None` when undefined.
    pub(crate) fn num(&self, i: usize) -> Result<Option<f64>> {
        match self.get(i) {
            Val::Undefined => Ok(None),
            Val::Num(n) => Ok(Some(*n)),
            Val::Array(a) if a.items.len() == 1 && matches!(a.items[0], Val::Num(_)) => match a.items[0] {
                Val::Num(n) => Ok(Some(n)),
                _ => Err(self.mismatch(i)),
            },
            _ => Err(self.mismatch(i)),
        }
    }

    /// A function argument; `None` when undefined.
    pub(crate) fn func(&self, i: usize) -> Result<Option<Val>> {
        match self.get(i) {
            Val::Undefined => Ok(None),
            f @ Val::Func(_) => Ok(Some(f.clone())),
            _ => Err(self.mismatch(i)),
        }
    }

    /// An array argument (a single value counts as a one-item array); `None` when undefined.
    pub(crate) fn array(&self, i: usize) -> Option<Vec<Val>> {
        match self.get(i) {
            Val::Undefined => None,
            v => Some(v.to_items()),
        }
    }

    /// An array of numbers (`a<n>`).
    pub(crate) fn numbers(&self, i: usize) -> Result<Option<Vec<f64>>> {
        let Some(items) = self.array(i) else { return Ok(None) };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Val::Num(n) => out.push(n),
                _ => {
                    return Err(JsonataError::code(
                        "T0412",
                        format!("argument {} of function {} must be an array of numbers", i + 1, self.name),
                    ));
                }
            }
        }
        Ok(Some(out))
    }
}
