//! String functions (`$split` and `$contains` take a string or a regex; `$match` and
//! `$replace` are in [`super::regex`]), URL and base64 coding, and `$eval`.
//!
//! Lengths and offsets count characters (code points) as the reference implementation
//! does for `$length` and `$substring`.

use std::rc::Rc;

use super::Args;
use super::regex::{match_all, regex_arg, replace};
use super::text::{MAX_STRING_BYTES, bounded, string_of};
use crate::JsonataError;
use crate::error::Result;
use crate::eval::{Evaluator, Frame};
use crate::value::{Func, Val};

pub(super) fn call(ev: &Evaluator<'_>, name: &str, a: &Args, context: &Val) -> Result<Val> {
    let text = |s: String| Ok(Val::string(s));
    match name {
        "string" => {
            let pretty = match a.get(1) {
                Val::Undefined => false,
                Val::Bool(b) => *b,
                _ => return Err(a.mismatch(1)),
            };
            Ok(string_of(a.get(0), pretty)?.map_or(Val::Undefined, Val::string))
        }
        "length" => Ok(a
            .str(0)?
            .map_or(Val::Undefined, |s| Val::Num(s.chars().count() as f64))),
        "substring" => {
            let Some(s) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            let start = a.num(1)?.ok_or_else(|| a.mismatch(1))?;
            let length = a.num(2)?;
            text(substring(&s, start, length))
        }
        "substringBefore" | "substringAfter" => {
            let Some(s) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            let Some(chars) = a.str(1)? else {
                return Ok(Val::Str(s));
            };
            Ok(match s.find(&*chars) {
                Some(at) if name == "substringBefore" => Val::str(&s[..at]),
                Some(at) => Val::str(&s[at + chars.len()..]),
                None => Val::Str(s),
            })
        }
        "uppercase" => Ok(a
            .str(0)?
            .map_or(Val::Undefined, |s| Val::string(s.to_uppercase()))),
        "lowercase" => Ok(a
            .str(0)?
            .map_or(Val::Undefined, |s| Val::string(s.to_lowercase()))),
        "trim" => Ok(a.str(0)?.map_or(Val::Undefined, |s| Val::string(trim(&s)))),
        "pad" => {
            let Some(s) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            let width = a.num(1)?.ok_or_else(|| a.mismatch(1))?;
            let fill = a.str(2)?.map_or_else(|| " ".to_string(), |f| f.to_string());
            text(pad(&s, width, &fill)?)
        }
        "contains" => {
            let Some(s) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            Ok(Val::Bool(match a.get(1) {
                Val::Str(p) => s.contains(&**p),
                Val::Func(f) => match &**f {
                    Func::Regex(re) => re.is_match(&s),
                    _ => return Err(a.mismatch(1)),
                },
                _ => return Err(a.mismatch(1)),
            }))
        }
        "split" => split(a),
        "join" => {
            let Some(items) = a.array(0) else {
                return Ok(Val::Undefined);
            };
            let sep = a.str(1)?.map_or_else(String::new, |s| s.to_string());
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Val::Str(s) => parts.push(s.to_string()),
                    _ => {
                        return Err(JsonataError::code(
                            "T0412",
                            "argument 1 of function join must be an array of strings",
                        ));
                    }
                }
            }
            text(bounded(parts.join(&sep))?)
        }
        "match" => match_all(a),
        "replace" => replace(ev, a, context),
        // The reference implementation (on node) codes each UTF-16 unit as one byte.
        "base64encode" => Ok(a.str(0)?.map_or(Val::Undefined, |s| {
            let bytes: Vec<u8> = s.encode_utf16().map(|u| (u & 0xff) as u8).collect();
            Val::string(base64_encode(&bytes))
        })),
        "base64decode" => Ok(a
            .str(0)?
            .map_or(Val::Undefined, |s| Val::string(base64_decode(&s)))),
        "encodeUrlComponent" | "encodeUrl" => {
            let Some(s) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            text(encode_url(&s, name == "encodeUrl"))
        }
        "decodeUrlComponent" | "decodeUrl" => {
            let Some(s) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            decode_url(&s, name == "decodeUrl").map(Val::string)
        }
        "eval" => {
            let Some(source) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            let ast = crate::parser::parse(&source).map_err(|e| {
                JsonataError::code(
                    "D3120",
                    format!(
                        "syntax error in expression passed to function eval: {}",
                        e.message
                    ),
                )
            })?;
            let input = match a.get(1) {
                Val::Undefined => context.clone(),
                v => v.clone(),
            };
            // The expression sees the variables in scope where `$eval` was called.
            let frame = ev
                .caller_scope()
                .unwrap_or_else(|| Rc::new(Frame::default()));
            ev.eval(&ast, &input, &frame).map_err(|e| {
                JsonataError::code(
                    "D3121",
                    format!(
                        "dynamic error evaluating the expression passed to function eval: {}",
                        e.message
                    ),
                )
            })
        }
        _ => Err(JsonataError::code(
            "T1006",
            format!("attempted to invoke a non-function: ${name}"),
        )),
    }
}

fn substring(s: &str, start: f64, length: Option<f64>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len() as f64;
    let mut start = start.trunc();
    if start < 0.0 {
        start = (len + start).max(0.0);
    }
    let end = match length {
        Some(l) if l <= 0.0 => return String::new(),
        Some(l) => (start + l.trunc()).min(len),
        None => len,
    };
    if start >= len || start >= end {
        return String::new();
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    chars[start as usize..end as usize].iter().collect()
}

fn trim(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_space = true;
        } else {
            if in_space && !out.is_empty() {
                out.push(' ');
            }
            in_space = false;
            out.push(c);
        }
    }
    out
}

fn pad(s: &str, width: f64, fill: &str) -> Result<String> {
    let len = s.chars().count() as f64;
    let missing = width.abs().trunc() - len;
    // NaN widths pad nothing.
    if missing.is_nan() || missing <= 0.0 || fill.is_empty() {
        return Ok(s.to_string());
    }
    if missing > MAX_STRING_BYTES as f64 {
        return bounded("x".repeat(MAX_STRING_BYTES + 1));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let missing = missing as usize;
    let padding: String = fill.chars().cycle().take(missing).collect();
    bounded(if width > 0.0 {
        format!("{s}{padding}")
    } else {
        format!("{padding}{s}")
    })
}

pub(super) fn limit_arg(a: &Args, i: usize, code: &str) -> Result<Option<usize>> {
    match a.num(i)? {
        None => Ok(None),
        Some(n) if n < 0.0 => Err(JsonataError::code(
            code,
            format!(
                "third argument of {} must evaluate to a positive number",
                a.name
            ),
        )),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(n) => Ok(Some(n.trunc() as usize)),
    }
}

fn split(a: &Args) -> Result<Val> {
    let Some(s) = a.str(0)? else {
        return Ok(Val::Undefined);
    };
    let limit = limit_arg(a, 2, "D3020")?;
    let mut parts: Vec<String> = match a.get(1) {
        Val::Str(sep) if sep.is_empty() => s.chars().map(String::from).collect(),
        Val::Str(sep) => s.split(&**sep).map(String::from).collect(),
        _ => match regex_arg(a, 1) {
            Some(re) => re.split(&s).map(String::from).collect(),
            None => return Err(a.mismatch(1)),
        },
    };
    if let Some(limit) = limit {
        parts.truncate(limit);
    }
    Ok(Val::array(parts.into_iter().map(Val::string).collect()))
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> String {
    let mut bits = 0u32;
    let mut count = 0;
    let mut bytes = Vec::new();
    for c in s.bytes() {
        let Some(v) = BASE64.iter().position(|&b| b == c) else {
            continue;
        };
        bits = (bits << 6) | v as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push(((bits >> count) & 0xff) as u8);
        }
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn encode_url(s: &str, whole_url: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let keep = c.is_ascii_alphanumeric()
            || "-_.!~*'()".contains(c)
            || (whole_url && ";,/?:@&=+$#".contains(c));
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn decode_url(s: &str, whole_url: bool) -> Result<String> {
    let malformed = || {
        JsonataError::code(
            "D3140",
            format!(
                "malformed URL passed to ${}: {s}",
                if whole_url {
                    "decodeUrl"
                } else {
                    "decodeUrlComponent"
                }
            ),
        )
    };
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = s.get(i + 1..i + 3).ok_or_else(malformed)?;
        let b = u8::from_str_radix(hex, 16).map_err(|_| malformed())?;
        // decodeURI leaves escapes of reserved characters as they are.
        if whole_url && b.is_ascii() && ";/?:@&=+$,#".contains(b as char) {
            out.extend_from_slice(&bytes[i..i + 3]);
        } else {
            out.push(b);
        }
        i += 3;
    }
    String::from_utf8(out).map_err(|_| malformed())
}
