//! The regex side of the library: `$match`, `$replace` (strings or regexes, `$1`
//! references, function replacements), match objects, and what a regex literal returns when
//! called. Regexes are the `regex` crate's (no look-around or back-references); a match's
//! `index` counts UTF-16 units, as JavaScript reports it.

use std::rc::Rc;

use regex::Regex;

use super::Args;
use super::strings::limit_arg;
use crate::JsonataError;
use crate::error::Result;
use crate::eval::Evaluator;
use crate::value::{Func, Obj, Val};

pub(super) fn regex_arg(a: &Args, i: usize) -> Option<Rc<Regex>> {
    match a.get(i) {
        Val::Func(f) => match &**f {
            Func::Regex(re) => Some(Rc::new((**re).clone())),
            _ => None,
        },
        _ => None,
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// A match object: `{match, index, groups}`.
fn match_object(s: &str, caps: &regex::Captures<'_>) -> Val {
    let whole = caps.get(0).map_or("", |m| m.as_str());
    let start = caps.get(0).map_or(0, |m| m.start());
    let mut obj = Obj::default();
    obj.insert(Rc::from("match"), Val::str(whole));
    obj.insert(Rc::from("index"), Val::Num(utf16_len(&s[..start]) as f64));
    let groups = (1..caps.len())
        .map(|g| caps.get(g).map_or(Val::Undefined, |m| Val::str(m.as_str())))
        .collect();
    obj.insert(Rc::from("groups"), Val::array(groups));
    Val::object(obj)
}

/// What a regex literal returns when called: its first match object, or undefined.
pub(crate) fn regex_first_match(re: &Regex, s: &str) -> Val {
    re.captures(s)
        .map_or(Val::Undefined, |caps| match_object(s, &caps))
}

pub(super) fn match_all(a: &Args) -> Result<Val> {
    let Some(s) = a.str(0)? else {
        return Ok(Val::Undefined);
    };
    let Some(re) = regex_arg(a, 1) else {
        return Err(a.mismatch(1));
    };
    let limit = limit_arg(a, 2, "D3040")?;
    let mut out = Vec::new();
    for caps in re.captures_iter(&s) {
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        out.push(match_object(&s, &caps));
    }
    Ok(Val::sequence(out))
}

pub(super) fn replace(ev: &Evaluator<'_>, a: &Args, context: &Val) -> Result<Val> {
    let Some(s) = a.str(0)? else {
        return Ok(Val::Undefined);
    };
    let limit = limit_arg(a, 3, "D3011")?;
    let replacement = a.get(2);
    if !matches!(replacement, Val::Str(_) | Val::Func(_)) {
        return Err(a.mismatch(2));
    }
    if let Val::Str(pattern) = a.get(1) {
        if pattern.is_empty() {
            return Err(JsonataError::code(
                "D3010",
                "second argument of replace function cannot be an empty string",
            ));
        }
        let Val::Str(with) = replacement else {
            return Err(a.mismatch(2));
        };
        let mut out = String::new();
        let mut rest: &str = &s;
        let mut count = 0;
        while let Some(at) = rest.find(&**pattern) {
            if limit.is_some_and(|l| count >= l) {
                break;
            }
            out.push_str(&rest[..at]);
            out.push_str(with);
            rest = &rest[at + pattern.len()..];
            count += 1;
        }
        out.push_str(rest);
        return Ok(Val::string(super::text::bounded(out)?));
    }
    let Some(re) = regex_arg(a, 1) else {
        return Err(a.mismatch(1));
    };
    let mut out = String::new();
    let mut last = 0;
    for (count, caps) in re.captures_iter(&s).enumerate() {
        if limit.is_some_and(|l| count >= l) {
            break;
        }
        let Some(m) = caps.get(0) else { continue };
        if m.as_str().is_empty() {
            return Err(JsonataError::code(
                "D1004",
                "regular expression matches zero length string",
            ));
        }
        out.push_str(&s[last..m.start()]);
        match replacement {
            Val::Str(template) => expand(template, &caps, &mut out),
            f => match ev.apply(f, vec![match_object(&s, &caps)], context)? {
                Val::Str(r) => out.push_str(&r),
                _ => {
                    return Err(JsonataError::code(
                        "D3012",
                        "attempted to replace a matched string with a non-string value",
                    ));
                }
            },
        }
        last = m.end();
    }
    out.push_str(&s[last..]);
    Ok(Val::string(super::text::bounded(out)?))
}

/// `$0`..`$9` in a replacement string are the match and its groups; `$$` is `$`.
fn expand(template: &str, caps: &regex::Captures<'_>, out: &mut String) {
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '$' && chars.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
            continue;
        }
        if c == '$' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            // The longest run of digits that names a group; its remaining digits are text.
            let mut j = i + 1;
            let mut group = 0usize;
            let mut used = i + 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                let candidate = group * 10 + chars[j].to_digit(10).unwrap_or(0) as usize;
                if candidate >= caps.len() && j > i + 1 {
                    break;
                }
                group = candidate;
                j += 1;
                used = j;
            }
            if let Some(m) = caps.get(group) {
                out.push_str(m.as_str());
            }
            i = used;
            continue;
        }
        out.push(c);
        i += 1;
    }
}
