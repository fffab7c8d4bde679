//! Number formatting with picture strings: `$formatNumber` (XPath `format-number`),
//! `$formatInteger` and `$parseInteger` (XPath `format-integer`: decimal, words, roman,
//! letters), `$formatBase`.

use super::Args;
use super::numeric::round_half_even;
use crate::JsonataError;
use crate::error::Result;
use crate::value::Val;

pub(super) fn call(name: &str, a: &Args) -> Result<Val> {
    match name {
        "formatBase" => {
            let Some(n) = a.num(0)? else {
                return Ok(Val::Undefined);
            };
            let radix = a.num(1)?.unwrap_or(10.0);
            if !(2.0..=36.0).contains(&radix) {
                return Err(JsonataError::code(
                    "D3100",
                    format!(
                        "the radix of the formatBase function must be between 2 and 36; it was {radix}"
                    ),
                ));
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(Val::string(to_radix(round_half_even(n, 0.0), radix as u32)))
        }
        "formatNumber" => {
            let Some(n) = a.num(0)? else {
                return Ok(Val::Undefined);
            };
            let picture = a.str(1)?.ok_or_else(|| a.mismatch(1))?;
            let (mut decimal, mut grouping) = ('.', ',');
            if let Val::Object(o) = a.get(2) {
                if let Some(Val::Str(s)) = o.get("decimal-separator") {
                    decimal = s.chars().next().unwrap_or('.');
                }
                if let Some(Val::Str(s)) = o.get("grouping-separator") {
                    grouping = s.chars().next().unwrap_or(',');
                }
            }
            format_number(n, &picture, decimal, grouping).map(Val::string)
        }
        "formatInteger" => {
            let Some(n) = a.num(0)? else {
                return Ok(Val::Undefined);
            };
            let picture = a.str(1)?.ok_or_else(|| a.mismatch(1))?;
            format_integer(n, &picture).map(Val::string)
        }
        _ => {
            let Some(s) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            let picture = a.str(1)?.ok_or_else(|| a.mismatch(1))?;
            parse_integer(&s, &picture).map_or(Ok(Val::Undefined), |n| Ok(Val::Num(n)))
        }
    }
}

fn to_radix(n: f64, radix: u32) -> String {
    let negative = n < 0.0;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let mut v = n.abs() as u128;
    let mut digits = Vec::new();
    loop {
        let d = (v % u128::from(radix)) as u32;
        digits.push(std::char::from_digit(d, radix).unwrap_or('?'));
        v /= u128::from(radix);
        if v == 0 {
            break;
        }
    }
    if negative {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

fn format_number(n: f64, picture: &str, decimal: char, grouping: char) -> Result<String> {
    let mut pictures = picture.split(';');
    let positive = pictures.next().unwrap_or("");
    let negative = pictures.next();
    if pictures.next().is_some() {
        return Err(JsonataError::code(
            "D3080",
            "the picture string must not contain more than one instance of the pattern-separator character",
        ));
    }
    let sub = if n < 0.0 {
        negative.unwrap_or(positive)
    } else {
        positive
    };
    let is_active = |c: char| c.is_ascii_digit() || c == '#' || c == decimal || c == grouping;
    let first = sub.find(is_active).unwrap_or(sub.len());
    let last = sub.rfind(is_active).map_or(first, |i| {
        i + sub[i..].chars().next().map_or(1, char::len_utf8)
    });
    let prefix = &sub[..first];
    let suffix = &sub[last..];
    let body = &sub[first..last];
    let (int_pic, frac_pic) = match body.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut value = n.abs();
    if sub.contains('%') {
        value *= 100.0;
    } else if sub.contains('‰') {
        value *= 1000.0;
    }
    let min_int = int_pic.chars().filter(char::is_ascii_digit).count();
    let frac_pic = frac_pic.unwrap_or("");
    let min_frac = frac_pic.chars().filter(char::is_ascii_digit).count();
    let max_frac = frac_pic
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '#')
        .count();
    // Grouping positions, counted from the decimal point.
    let mut groups = Vec::new();
    let mut digits_seen = 0;
    for c in int_pic.chars().rev() {
        if c == grouping {
            groups.push(digits_seen);
        } else {
            digits_seen += 1;
        }
    }
    let regular = groups
        .first()
        .copied()
        .filter(|&g| g > 0 && groups.iter().enumerate().all(|(k, &p)| p == g * (k + 1)));
    let rounded = round_half_even(value, max_frac as f64);
    let text = format!("{rounded:.max_frac$}");
    let (int_digits, frac_digits) = text.split_once('.').unwrap_or((&text, ""));
    let mut int_digits = int_digits.trim_start_matches('0').to_string();
    while int_digits.len() < min_int {
        int_digits.insert(0, '0');
    }
    let mut frac_digits = frac_digits.to_string();
    while frac_digits.len() > min_frac && frac_digits.ends_with('0') {
        frac_digits.pop();
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        int_digits.push('0');
    }
    let mut grouped = String::new();
    let count = int_digits.chars().count();
    for (i, c) in int_digits.chars().enumerate() {
        let from_right = count - i;
        if i > 0 {
            let at_group = match regular {
                Some(g) => from_right.is_multiple_of(g),
                None => groups.contains(&from_right),
            };
            if at_group {
                grouped.push(grouping);
            }
        }
        grouped.push(c);
    }
    let mut out = String::new();
    if n < 0.0 && negative.is_none() {
        out.push('-');
    }
    out.push_str(prefix);
    out.push_str(&grouped);
    if !frac_digits.is_empty() {
        out.push(decimal);
        out.push_str(&frac_digits);
    }
    out.push_str(suffix);
    Ok(out)
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: [(u64, &str); 4] = [
    (1_000_000_000_000, "trillion"),
    (1_000_000_000, "billion"),
    (1_000_000, "million"),
    (1000, "thousand"),
];

fn words(n: u64) -> String {
    if n < 20 {
        return ONES[n as usize].into();
    }
    if n < 100 {
        let (t, o) = (n / 10, n % 10);
        return if o == 0 {
            TENS[t as usize].into()
        } else {
            format!("{}-{}", TENS[t as usize], ONES[o as usize])
        };
    }
    if n < 1000 {
        let (h, rest) = (n / 100, n % 100);
        return if rest == 0 {
            format!("{} hundred", ONES[h as usize])
        } else {
            format!("{} hundred and {}", ONES[h as usize], words(rest))
        };
    }
    for (scale, name) in SCALES {
        if n >= scale {
            let (high, rest) = (n / scale, n % scale);
            let head = format!("{} {name}", words(high));
            return match rest {
                0 => head,
                r if r < 100 => format!("{head} and {}", words(r)),
                r => format!("{head}, {}", words(r)),
            };
        }
    }
    n.to_string()
}

/// `st`, `nd`, `rd` or `th`.
pub(crate) fn ordinal_suffix(value: u64) -> &'static str {
    match (value % 10, value % 100) {
        (1, r) if r != 11 => "st",
        (2, r) if r != 12 => "nd",
        (3, r) if r != 13 => "rd",
        _ => "th",
    }
}

/// `twenty-one` → `twenty-first`: the last word becomes an ordinal.
fn ordinal_words(text: &str) -> String {
    let cut = text.rfind([' ', '-']).map_or(0, |i| i + 1);
    let (head, last) = text.split_at(cut);
    let last = match last {
        "one" => "first".to_string(),
        "two" => "second".to_string(),
        "three" => "third".to_string(),
        "five" => "fifth".to_string(),
        "eight" => "eighth".to_string(),
        "nine" => "ninth".to_string(),
        "twelve" => "twelfth".to_string(),
        w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
        w => format!("{w}th"),
    };
    format!("{head}{last}")
}

fn roman(mut n: u64) -> String {
    const TABLE: [(u64, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, text) in TABLE {
        while n >= value {
            out.push_str(text);
            n -= value;
        }
    }
    out
}

fn letters(mut n: u64) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    out.iter().rev().collect()
}

fn format_integer(n: f64, picture: &str) -> Result<String> {
    let (primary, modifier) = picture.split_once(';').unwrap_or((picture, ""));
    let ordinal = modifier.starts_with('o');
    let negative = n < 0.0;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let value = n.abs().floor() as u64;
    let sign = if negative { "-" } else { "" };
    let spelled = if ordinal {
        ordinal_words(&words(value))
    } else {
        words(value)
    };
    let text = match primary {
        "w" => spelled,
        "W" => spelled.to_uppercase(),
        "Ww" => {
            let mut start = true;
            spelled
                .chars()
                .map(|c| {
                    let out = if start { c.to_ascii_uppercase() } else { c };
                    start = c == ' ' || c == '-';
                    out
                })
                .collect()
        }
        "i" => roman(value),
        "I" => roman(value).to_uppercase(),
        "a" => letters(value),
        "A" => letters(value).to_uppercase(),
        _ => {
            let digits = primary
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '#')
                .count();
            if digits == 0 {
                return Err(JsonataError::code(
                    "D3130",
                    format!(
                        "formatting or parsing an integer as a sequence starting with {primary} is not supported"
                    ),
                ));
            }
            let text = format_number(value as f64, primary, '.', ',').unwrap_or_default();
            let text = decimal_picture(value, primary).unwrap_or(text);
            if ordinal {
                return Ok(format!("{sign}{text}{}", ordinal_suffix(value)));
            }
            text
        }
    };
    Ok(format!("{sign}{text}"))
}

/// A decimal picture such as `000` or `#,##0`: mandatory digits and any separators.
fn decimal_picture(value: u64, picture: &str) -> Option<String> {
    let mandatory = picture.chars().filter(char::is_ascii_digit).count();
    let mut digits: Vec<char> = value.to_string().chars().collect();
    while digits.len() < mandatory {
        digits.insert(0, '0');
    }
    let mut separators = Vec::new();
    let mut seen = 0;
    for c in picture.chars().rev() {
        if c.is_ascii_digit() || c == '#' {
            seen += 1;
        } else {
            separators.push((seen, c));
        }
    }
    let regular = separators.first().filter(|(g, c)| {
        *g > 0
            && separators
                .iter()
                .enumerate()
                .all(|(k, (p, d))| *p == g * (k + 1) && d == c)
    });
    let mut out = String::new();
    let count = digits.len();
    for (i, c) in digits.iter().enumerate() {
        let from_right = count - i;
        if i > 0 {
            match regular {
                Some((g, sep)) if from_right.is_multiple_of(*g) => out.push(*sep),
                None => {
                    if let Some((_, sep)) = separators.iter().find(|(p, _)| *p == from_right) {
                        out.push(*sep);
                    }
                }
                _ => {}
            }
        }
        out.push(*c);
    }
    Some(out)
}

/// `one hundred and twenty-three` → 123; NaN for words it does not know, as the
/// reference implementation returns.
fn parse_words(s: &str) -> Option<f64> {
    let (mut total, mut current) = (0u64, 0u64);
    let mut any = false;
    for word in s
        .to_lowercase()
        .split([' ', '-', ','])
        .filter(|w| !w.is_empty() && *w != "and")
    {
        any = true;
        if let Some(n) = ONES.iter().position(|o| *o == word) {
            current += n as u64;
        } else if let Some(n) = TENS.iter().position(|t| !t.is_empty() && *t == word) {
            current += 10 * n as u64;
        } else if word == "hundred" {
            current *= 100;
        } else if let Some((scale, _)) = SCALES.iter().find(|(_, name)| *name == word) {
            total += current.max(1) * scale;
            current = 0;
        } else {
            return Some(f64::NAN);
        }
    }
    Some(if any {
        (total + current) as f64
    } else {
        f64::NAN
    })
}

fn parse_integer(s: &str, picture: &str) -> Option<f64> {
    let (primary, _) = picture.split_once(';').unwrap_or((picture, ""));
    match primary {
        "i" | "I" => {
            let value = |c: char| match c.to_ascii_lowercase() {
                'i' => Some(1),
                'v' => Some(5),
                'x' => Some(10),
                'l' => Some(50),
                'c' => Some(100),
                'd' => Some(500),
                'm' => Some(1000),
                _ => None,
            };
            let values: Option<Vec<i64>> = s.chars().map(value).collect();
            let values = values?;
            let mut total = 0;
            for (i, v) in values.iter().enumerate() {
                if values.get(i + 1).is_some_and(|next| next > v) {
                    total -= v
                } else {
                    total += v
                }
            }
            Some(total as f64)
        }
        "w" | "W" | "Ww" => parse_words(s),
        "a" | "A" => {
            let mut total = 0f64;
            for c in s.chars() {
                let c = c.to_ascii_lowercase();
                if !c.is_ascii_lowercase() {
                    return None;
                }
                total = total * 26.0 + f64::from(c as u8 - b'a' + 1);
            }
            Some(total)
        }
        _ => {
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            let negative = s.starts_with('-');
            let n: f64 = digits.parse().ok()?;
            Some(if negative { -n } else { n })
        }
    }
}
