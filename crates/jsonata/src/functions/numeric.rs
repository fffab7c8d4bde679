//! Numeric and aggregation functions: `$number`, rounding (banker's, as JSONata rounds),
//! `$power`, `$sqrt`, `$random`, `$sum`, `$count`, `$max`, `$min`, `$average`.

use std::hash::{BuildHasher, Hasher};

use super::Args;
use super::text::js_number;
use crate::JsonataError;
use crate::error::Result;
use crate::eval::Evaluator;
use crate::value::Val;

pub(super) fn call(_ev: &Evaluator<'_>, name: &str, a: &Args) -> Result<Val> {
    let unary = |f: fn(f64) -> f64| -> Result<Val> {
        Ok(a.num(0)?.map_or(Val::Undefined, |n| Val::Num(f(n))))
    };
    match name {
        "number" => number(a),
        "floor" => unary(f64::floor),
        "ceil" => unary(f64::ceil),
        "abs" => unary(f64::abs),
        "round" => {
            let Some(n) = a.num(0)? else {
                return Ok(Val::Undefined);
            };
            let precision = a.num(1)?.unwrap_or(0.0);
            Ok(Val::Num(round_half_even(n, precision)))
        }
        "sqrt" => {
            let Some(n) = a.num(0)? else {
                return Ok(Val::Undefined);
            };
            if n < 0.0 {
                return Err(JsonataError::code(
                    "D3060",
                    format!(
                        "the sqrt function cannot be applied to a negative number: {}",
                        js_number(n)
                    ),
                ));
            }
            Ok(Val::Num(n.sqrt()))
        }
        "power" => {
            let Some(base) = a.num(0)? else {
                return Ok(Val::Undefined);
            };
            let exponent = a.num(1)?.ok_or_else(|| a.mismatch(1))?;
            let r = base.powf(exponent);
            if !r.is_finite() {
                return Err(JsonataError::code(
                    "D3061",
                    "the power function has resulted in a value that cannot be represented as a JSON number",
                ));
            }
            Ok(Val::Num(r))
        }
        "random" => Ok(Val::Num(random())),
        "count" => Ok(Val::Num(a.array(0).map_or(0, |v| v.len()) as f64)),
        _ => {
            let Some(numbers) = a.numbers(0)? else {
                return Ok(Val::Undefined);
            };
            Ok(match name {
                "sum" => Val::Num(numbers.iter().sum()),
                "max" => numbers
                    .iter()
                    .copied()
                    .reduce(f64::max)
                    .map_or(Val::Undefined, Val::Num),
                "min" => numbers
                    .iter()
                    .copied()
                    .reduce(f64::min)
                    .map_or(Val::Undefined, Val::Num),
                _ if numbers.is_empty() => Val::Undefined,
                _ => Val::Num(numbers.iter().sum::<f64>() / numbers.len() as f64),
            })
        }
    }
}

fn number(a: &Args) -> Result<Val> {
    let cannot =
        |v: &str| JsonataError::code("D3030", format!("unable to cast value to a number: {v}"));
    match a.get(0) {
        Val::Undefined => Ok(Val::Undefined),
        Val::Num(n) => Ok(Val::Num(*n)),
        Val::Bool(b) => Ok(Val::Num(if *b { 1.0 } else { 0.0 })),
        Val::Str(s) => parse_number(s).map(Val::Num).ok_or_else(|| cannot(s)),
        _ => Err(a.mismatch(0)),
    }
}

/// A JSON number, or an unsigned `0x`/`0o`/`0b` integer.
fn parse_number(s: &str) -> Option<f64> {
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = s.strip_prefix(prefix) {
            return u64::from_str_radix(digits, radix).ok().map(|n| n as f64);
        }
    }
    let body = s.strip_prefix('-').unwrap_or(s);
    let int_end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let int = &body[..int_end];
    if int.is_empty() {
        return None;
    }
    let mut rest = &body[int_end..];
    if let Some(frac) = rest.strip_prefix('.') {
        let end = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        if end == 0 {
            return None;
        }
        rest = &frac[end..];
    }
    if let Some(exp) = rest.strip_prefix(['e', 'E']) {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if exp.is_empty() || !exp.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        rest = "";
    }
    if !rest.is_empty() {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Shifts the decimal point by `places` through the decimal text, so `1.005` scaled by two
/// places is exactly `100.5` rather than `100.49999...`.
fn shift(n: f64, places: f64) -> f64 {
    let text = format!("{n:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: f64 = exponent.parse().unwrap_or(0.0);
    format!("{mantissa}e{}", exponent + places)
        .parse()
        .unwrap_or(n)
}

/// `$round`: half to even at `precision` decimal places.
pub(crate) fn round_half_even(n: f64, precision: f64) -> f64 {
    let precision = precision.trunc();
    let scaled = if precision == 0.0 {
        n
    } else {
        shift(n, precision)
    };
    let floor = scaled.floor();
    let diff = scaled - floor;
    // Exactly half way goes to the even neighbour.
    let up = diff > 0.5 || (diff == 0.5 && floor % 2.0 != 0.0);
    let rounded = if up { floor + 1.0 } else { floor };
    let result = if precision == 0.0 {
        rounded
    } else {
        shift(rounded, -precision)
    };
    // Keep -0 out of results, as JavaScript prints it as 0.
    if result == 0.0 { 0.0 } else { result }
}

/// A number in [0, 1): the standard library's randomly keyed hasher is the entropy source,
/// so no dependency is needed for `$random` and `$shuffle`.
pub(crate) fn random() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}
