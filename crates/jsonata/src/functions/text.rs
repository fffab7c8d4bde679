//! Values as text the way the reference implementation (JavaScript) writes them: numbers
//! as `Number.prototype.toString` does (after rounding to 15 significant digits, as
//! `$string` does), objects and arrays as `JSON.stringify` does, and string ordering by
//! UTF-16 code units.

use std::cmp::Ordering;

use crate::JsonataError;
use crate::error::Result;
use crate::value::Val;

/// The longest string an expression may build (`&`, `$pad`, `$join`, `$replace`): a bound
/// on the cheap amplifiers, so `$pad('', 1e12)` is an error rather than an abort.
pub(crate) const MAX_STRING_BYTES: usize = 64 * 1024 * 1024;

/// `U1005` when `s` is longer than [`MAX_STRING_BYTES`].
pub(crate) fn bounded(s: String) -> Result<String> {
    if s.len() > MAX_STRING_BYTES {
        return Err(JsonataError::code(
            "U1005",
            format!(
                "string of {} bytes exceeds the limit of {MAX_STRING_BYTES}",
                s.len()
            ),
        ));
    }
    Ok(s)
}

/// Orders strings as JavaScript does (by UTF-16 code units).
pub(crate) fn compare_strings(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Formats a finite number as JavaScript's `String(n)` does.
pub(crate) fn js_number(n: f64) -> String {
    if n == 0.0 {
        return "0".into();
    }
    if !n.is_finite() {
        return if n.is_nan() {
            "NaN".into()
        } else if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as JavaScript uses.
    let sci = format!("{:e}", n.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let point = exponent + 1;
    let sign = if n < 0.0 { "-" } else { "" };
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let e = point - 1;
        let e = if e >= 0 {
            format!("+{e}")
        } else {
            e.to_string()
        };
        if k == 1 {
            format!("{digits}e{e}")
        } else {
            format!("{}.{}e{e}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

/// `Number(n.toPrecision(15))`: what `$string` rounds fractional numbers to (integers are
/// written exactly).
pub(crate) fn precision15(n: f64) -> f64 {
    if n.fract() == 0.0 {
        return n;
    }
    format!("{n:.14e}").parse().unwrap_or(n)
}

/// `$string(value, prettify)`; `None` for undefined.
pub(crate) fn string_of(value: &Val, pretty: bool) -> Result<Option<String>> {
    Ok(match value {
        Val::Undefined => None,
        Val::Str(s) => Some(s.to_string()),
        Val::Func(_) => Some(String::new()),
        Val::Num(n) => {
            if !n.is_finite() {
                return Err(JsonataError::code(
                    "D3001",
                    "attempting to invoke string function on infinity or nan",
                ));
            }
            Some(js_number(precision15(*n)))
        }
        other => {
            let mut out = String::new();
            write_json(other, pretty, 0, &mut out)?;
            Some(out)
        }
    })
}

/// `JSON.stringify` with numbers rounded to 15 significant digits and functions as `""`.
fn write_json(value: &Val, pretty: bool, indent: usize, out: &mut String) -> Result<()> {
    match value {
        Val::Undefined | Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(n) => {
            if n.is_finite() {
                out.push_str(&js_number(precision15(*n)));
            } else {
                out.push_str("null");
            }
        }
        Val::Str(s) => quote(s, out),
        Val::Func(_) => out.push_str("\"\""),
        Val::Array(a) => {
            out.push('[');
            for (i, item) in a.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(pretty, indent + 1, out);
                write_json(item, pretty, indent + 1, out)?;
            }
            if !a.items.is_empty() {
                newline(pretty, indent, out);
            }
            out.push(']');
        }
        Val::Object(o) => {
            out.push('{');
            let mut first = true;
            for (k, v) in o.iter() {
                if v.is_undefined() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                newline(pretty, indent + 1, out);
                quote(k, out);
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(v, pretty, indent + 1, out)?;
            }
            if !first {
                newline(pretty, indent, out);
            }
            out.push('}');
        }
    }
    Ok(())
}

fn newline(pretty: bool, indent: usize, out: &mut String) {
    if pretty {
        out.push('\n');
        out.push_str(&"  ".repeat(indent));
    }
}

fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
