//! The standard function library: the table of names, how arguments are defaulted and
//! checked, and the dispatch to the module that implements each function.
//!
//! A function whose signature accepts the context (`$uppercase()` inside `Name.`) gets the
//! caller's input as its first argument when that argument is left out (see [`signature`]).

mod collections;
mod datetime;
mod format;
mod numeric;
mod regex;
pub(crate) mod signature;
mod strings;
pub(crate) mod text;

use std::rc::Rc;

use crate::JsonataError;
use crate::error::Result;
use crate::eval::Evaluator;
use crate::value::Val;

pub(crate) use self::regex::regex_first_match;
pub(crate) use text::{bounded, compare_strings, string_of};

/// Per function: its name and its signature, as the JSONata documentation gives them.
const TABLE: &[(&str, &str)] = &[
    ("sum", "<a<n>:n>"),
    ("count", "<a:n>"),
    ("max", "<a<n>:n>"),
    ("min", "<a<n>:n>"),
    ("average", "<a<n>:n>"),
    ("string", "<x-b?:s>"),
    ("substring", "<s-nn?:s>"),
    ("substringBefore", "<s-s:s>"),
    ("substringAfter", "<s-s:s>"),
    ("lowercase", "<s-:s>"),
    ("uppercase", "<s-:s>"),
    ("length", "<s-:n>"),
    ("trim", "<s-:s>"),
    ("pad", "<s-ns?:s>"),
    ("match", "<s-f<s:o>n?:a<o>>"),
    ("contains", "<s-(sf):b>"),
    ("replace", "<s-(sf)(sf)n?:s>"),
    ("split", "<s-(sf)n?:a<s>>"),
    ("join", "<a<s>s?:s>"),
    ("formatNumber", "<n-so?:s>"),
    ("formatBase", "<n-n?:s>"),
    ("formatInteger", "<n-s:s>"),
    ("parseInteger", "<s-s:n>"),
    ("number", "<(nsb)-:n>"),
    ("floor", "<n-:n>"),
    ("ceil", "<n-:n>"),
    ("round", "<n-n?:n>"),
    ("abs", "<n-:n>"),
    ("sqrt", "<n-:n>"),
    ("power", "<n-n:n>"),
    ("random", "<:n>"),
    ("boolean", "<x-:b>"),
    ("not", "<x-:b>"),
    ("map", "<af>"),
    ("zip", "<a+>"),
    ("filter", "<af>"),
    ("single", "<af?>"),
    ("reduce", "<afj?:j>"),
    ("sift", "<o-f?:o>"),
    ("keys", "<x-:a<s>>"),
    ("lookup", "<x-s:x>"),
    ("append", "<xx:a>"),
    ("exists", "<x:b>"),
    ("spread", "<x-:a<o>>"),
    ("merge", "<a<o>:o>"),
    ("reverse", "<a:a>"),
    ("each", "<o-f:a>"),
    ("error", "<s?:x>"),
    ("assert", "<bs?:x>"),
    ("type", "<x:s>"),
    ("sort", "<af?:a>"),
    ("shuffle", "<a:a>"),
    ("distinct", "<x:x>"),
    ("base64encode", "<s-:s>"),
    ("base64decode", "<s-:s>"),
    ("encodeUrlComponent", "<s-:s>"),
    ("encodeUrl", "<s-:s>"),
    ("decodeUrlComponent", "<s-:s>"),
    ("decodeUrl", "<s-:s>"),
    ("eval", "<sx?:x>"),
    ("toMillis", "<s-s?:n>"),
    ("fromMillis", "<n-s?s?:s>"),
    ("now", "<s?s?:s>"),
    ("millis", "<:n>"),
    ("clone", "<(oa)-:(oa)>"),
];

fn entry(name: &str) -> Option<&'static (&'static str, &'static str)> {
    TABLE.iter().find(|e| e.0 == name)
}

/// The library's own spelling of `name`, when it is a library function.
pub(crate) fn builtin_name(name: &str) -> Option<&'static str> {
    entry(name).map(|e| e.0)
}

/// How many arguments a higher-order function passes to `name` (as JavaScript counts the
/// reference implementation's parameters: `$string`'s optional one does not count).
pub(crate) fn arity(name: &str) -> usize {
    if name == "string" {
        return 1;
    }
    entry(name).map_or(1, |e| signature::count(e.1))
}

/// Calls library function `name`, its arguments checked against its signature first.
pub(crate) fn call(
    ev: &Evaluator<'_>,
    name: &'static str,
    args: Vec<Val>,
    context: &Val,
) -> Result<Val> {
    let args = match entry(name) {
        Some((_, sig)) => signature::validate(name, sig, args, context)?,
        None => args,
    };
    dispatch(ev, name, args, context)
}

fn dispatch(ev: &Evaluator<'_>, name: &'static str, args: Vec<Val>, context: &Val) -> Result<Val> {
    let a = Args { name, args };
    match name {
        "sum" | "count" | "max" | "min" | "average" | "number" | "floor" | "ceil" | "round"
        | "abs" | "sqrt" | "power" | "random" => numeric::call(ev, name, &a),
        "formatNumber" | "formatBase" | "formatInteger" | "parseInteger" => format::call(name, &a),
        "toMillis" | "fromMillis" | "now" | "millis" => datetime::call(ev, name, &a),
        "string" | "substring" | "substringBefore" | "substringAfter" | "lowercase"
        | "uppercase" | "length" | "trim" | "pad" | "match" | "contains" | "replace" | "split"
        | "join" | "base64encode" | "base64decode" | "encodeUrlComponent" | "encodeUrl"
        | "decodeUrlComponent" | "decodeUrl" | "eval" => strings::call(ev, name, &a, context),
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
        JsonataError::code(
            "T0410",
            format!(
                "argument {} of function {} does not match function signature",
                i + 1,
                self.name
            ),
        )
    }

    /// A string argument; `None` when undefined.
    pub(crate) fn str(&self, i: usize) -> Result<Option<Rc<str>>> {
        match self.get(i) {
            Val::Undefined => Ok(None),
            Val::Str(s) => Ok(Some(s.clone())),
            // A one-item array stands for its item, as signatures allow.
            Val::Array(a) if a.items.len() == 1 && matches!(a.items[0], Val::Str(_)) => {
                match &a.items[0] {
                    Val::Str(s) => Ok(Some(s.clone())),
                    _ => Err(self.mismatch(i)),
                }
            }
            _ => Err(self.mismatch(i)),
        }
    }

    /// A number argument; `None` when undefined.
    pub(crate) fn num(&self, i: usize) -> Result<Option<f64>> {
        match self.get(i) {
            Val::Undefined => Ok(None),
            Val::Num(n) => Ok(Some(*n)),
            Val::Array(a) if a.items.len() == 1 && matches!(a.items[0], Val::Num(_)) => {
                match a.items[0] {
                    Val::Num(n) => Ok(Some(n)),
                    _ => Err(self.mismatch(i)),
                }
            }
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
        let Some(items) = self.array(i) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Val::Num(n) => out.push(n),
                _ => {
                    return Err(JsonataError::code(
                        "T0412",
                        format!(
                            "argument {} of function {} must be an array of numbers",
                            i + 1,
                            self.name
                        ),
                    ));
                }
            }
        }
        Ok(Some(out))
    }
}
