//! Date and time: `$now`, `$millis`, `$fromMillis`, `$toMillis`.
//!
//! The clock is read once per evaluation ([`Evaluator::now_millis`]), so every `$now()` in
//! one expression agrees; the host fixes it with [`crate::Environment::now_millis`],
//! [`crate::Expression::evaluate_at`] or by providing `now`/`millis` functions. Timestamps are ISO 8601 in UTC unless a picture
//! string (XPath `format-dateTime` style, the common components) or a timezone is given;
//! `$toMillis` reads numeric components, month names, am/pm and zones with a picture.

use super::Args;
use crate::JsonataError;
use crate::error::Result;
use crate::eval::Evaluator;
use crate::value::Val;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub(super) fn call(ev: &Evaluator<'_>, name: &str, a: &Args) -> Result<Val> {
    match name {
        "millis" => Ok(Val::Num(ev.now_millis)),
        "now" => {
            let picture = a.str(0)?;
            let zone = a.str(1)?;
            format_millis(ev.now_millis, picture.as_deref(), zone.as_deref()).map(Val::string)
        }
        "fromMillis" => {
            let Some(ms) = a.num(0)? else {
                return Ok(Val::Undefined);
            };
            let picture = a.str(1)?;
            let zone = a.str(2)?;
            format_millis(ms, picture.as_deref(), zone.as_deref()).map(Val::string)
        }
        _ => {
            let Some(text) = a.str(0)? else {
                return Ok(Val::Undefined);
            };
            if let Some(picture) = a.str(1)? {
                return Ok(parse_with_picture(&text, &picture, ev.now_millis)
                    .map_or(Val::Undefined, Val::Num));
            }
            if let Some(ms) = parse_iso(&text) {
                return Ok(Val::Num(ms));
            }
            if looks_iso(&text) {
                return Ok(Val::Num(f64::NAN));
            }
            Err(JsonataError::code(
                "D3110",
                format!(
                    "the argument of the toMillis function must be an ISO 8601 formatted timestamp; given {text}"
                ),
            ))
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Parses an ISO 8601 timestamp (date, optional time, optional zone; no zone is UTC).
fn parse_iso(s: &str) -> Option<f64> {
    parse_iso_checked(s, true)
}

/// [`parse_iso`], with the ranges of month, day and time checked only when `check` is set.
fn parse_iso_checked(s: &str, check: bool) -> Option<f64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let year = num(0, 4)?;
    let (mut month, mut day, mut at) = (1, 1, 4);
    if b.get(at) == Some(&b'-') {
        month = num(5, 2)?;
        at = 7;
        if b.get(at) == Some(&b'-') {
            day = num(8, 2)?;
            at = 10;
        }
    }
    if check && (!(1..=12).contains(&month) || !(1..=31).contains(&day)) {
        return None;
    }
    let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0.0, 0.0);
    let mut offset_minutes = 0;
    if b.get(at) == Some(&b'T') {
        hour = num(at + 1, 2)?;
        if b.get(at + 3) != Some(&b':') {
            return None;
        }
        minute = num(at + 4, 2)?;
        at += 6;
        // Seconds are required once there is a time, as the reference implementation's
        // ISO 8601 check requires them.
        if b.get(at) != Some(&b':') {
            return None;
        }
        {
            second = num(at + 1, 2)? as f64;
            at += 3;
            if b.get(at) == Some(&b'.') {
                let start = at + 1;
                let mut end = start;
                while b.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
                let frac: f64 = format!("0.{}", s.get(start..end)?).parse().ok()?;
                millis = (frac * 1000.0).floor();
                at = end;
            }
        }
        match b.get(at) {
            None => {}
            Some(b'Z' | b'z') => at += 1,
            Some(sign @ (b'+' | b'-')) => {
                let h = num(at + 1, 2)?;
                let m = if b.get(at + 3) == Some(&b':') {
                    num(at + 4, 2)?
                } else {
                    num(at + 3, 2)?
                };
                let len = if b.get(at + 3) == Some(&b':') { 6 } else { 5 };
                offset_minutes = (h * 60 + m) * if *sign == b'-' { -1 } else { 1 };
                at += len;
            }
            _ => return None,
        }
    }
    if at != b.len() || (check && (hour > 24 || minute > 59 || second >= 61.0)) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 - offset_minutes * 60;
    Some(seconds as f64 * 1000.0 + second * 1000.0 + millis)
}

/// One piece of a picture string: literal text or a `[component]`.
enum Piece {
    Literal(String),
    Component { kind: char, modifier: String },
}

fn pieces(picture: &str) -> Option<Vec<Piece>> {
    let chars: Vec<char> = picture.chars().collect();
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c == '[' || c == ']') && chars.get(i + 1) == Some(&c) {
            literal.push(c);
            i += 2;
            continue;
        }
        if c != '[' {
            literal.push(c);
            i += 1;
            continue;
        }
        let close = chars[i..].iter().position(|&ch| ch == ']')?;
        if !literal.is_empty() {
            out.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        let marker: String = chars[i + 1..i + close]
            .iter()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut m = marker.chars();
        let kind = m.next()?;
        let modifier: String = m.as_str().split(',').next().unwrap_or("").to_string();
        out.push(Piece::Component { kind, modifier });
        i += close + 1;
    }
    if !literal.is_empty() {
        out.push(Piece::Literal(literal));
    }
    Some(out)
}

/// `$toMillis(text, picture)`: reads the components the picture names; those more
/// significant than any given come from the clock, less significant ones are their lowest
/// value. `None` when the text does not fit the picture.
fn parse_with_picture(text: &str, picture: &str, now: f64) -> Option<f64> {
    let pieces = pieces(picture)?;
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    // Y M D H m s f, as given.
    let mut fields: [Option<i64>; 7] = [None; 7];
    let (mut hour12, mut pm, mut offset) = (None, None, 0i64);
    for (n, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(l) => {
                for c in l.chars() {
                    if chars.get(at) != Some(&c) {
                        return None;
                    }
                    at += 1;
                }
            }
            Piece::Component { kind, modifier } => {
                let named = modifier.starts_with(['N', 'n']);
                if *kind == 'P' || (named && matches!(kind, 'M' | 'F')) {
                    let start = at;
                    while chars
                        .get(at)
                        .is_some_and(|c| c.is_alphabetic() || *c == '.')
                    {
                        at += 1;
                    }
                    let word: String = chars[start..at].iter().collect::<String>().to_lowercase();
                    match kind {
                        'P' => pm = Some(word.starts_with('p')),
                        'M' => {
                            let month = MONTHS.iter().position(|m| {
                                m.to_lowercase().starts_with(&word) && word.len() >= 3
                            })?;
                            fields[1] = Some(month as i64 + 1);
                        }
                        _ => {}
                    }
                    continue;
                }
                if matches!(kind, 'Z' | 'z') {
                    if *kind == 'z' {
                        for c in "GMT".chars() {
                            if chars.get(at) == Some(&c) {
                                at += 1;
                            }
                        }
                    }
                    // `Z` for UTC only with the `t` modifier (`[Z01:01t]`), as XPath has it.
                    if modifier.ends_with('t') && chars.get(at) == Some(&'Z') {
                        at += 1;
                        continue;
                    }
                    let sign = match chars.get(at) {
                        Some('+') => 1,
                        Some('-') => -1,
                        _ => return None,
                    };
                    at += 1;
                    let digits: String = chars[at..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit() || **c == ':')
                        .collect();
                    at += digits.chars().count();
                    let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
                    let (h, m) = match digits.len() {
                        1 | 2 => (digits.parse::<i64>().ok()?, 0),
                        4 => (
                            digits[..2].parse::<i64>().ok()?,
                            digits[2..].parse::<i64>().ok()?,
                        ),
                        _ => return None,
                    };
                    offset = sign * (h * 60 + m);
                    continue;
                }
                let width = modifier.chars().filter(char::is_ascii_digit).count();
                // Without a separator before the next component, take exactly the width.
                let fixed = matches!(pieces.get(n + 1), Some(Piece::Component { .. }));
                let start = at;
                while chars.get(at).is_some_and(char::is_ascii_digit)
                    && (!fixed || at - start < width.max(1))
                {
                    at += 1;
                }
                if at == start {
                    return None;
                }
                let value: i64 = chars[start..at].iter().collect::<String>().parse().ok()?;
                if modifier.ends_with('o') {
                    while chars.get(at).is_some_and(|c| c.is_ascii_alphabetic()) {
                        at += 1;
                    }
                }
                match kind {
                    'Y' => fields[0] = Some(value),
                    'M' => fields[1] = Some(value),
                    'D' => fields[2] = Some(value),
                    'H' => fields[3] = Some(value),
                    'h' => hour12 = Some(value),
                    'm' => fields[4] = Some(value),
                    's' => fields[5] = Some(value),
                    'f' => fields[6] = Some(value),
                    _ => {}
                }
            }
        }
    }
    if at != chars.len() {
        return None;
    }
    if let Some(h) = hour12 {
        fields[3] = Some(h % 12 + if pm == Some(true) { 12 } else { 0 });
    }
    let most = fields.iter().position(Option::is_some)?;
    let today = parts(now, 0);
    let clock = [
        today.year,
        today.month,
        today.day,
        today.hour,
        today.minute,
        today.second,
        today.millis,
    ];
    let lowest = [0, 1, 1, 0, 0, 0, 0];
    let value = |i: usize| fields[i].unwrap_or(if i < most { clock[i] } else { lowest[i] });
    let days = days_from_civil(value(0), value(1), value(2));
    let ms =
        days * 86_400_000 + value(3) * 3_600_000 + value(4) * 60_000 + value(5) * 1000 + value(6)
            - offset * 60_000;
    Some(ms as f64)
}

/// The shape of an ISO 8601 timestamp, whether or not its date and time exist.
fn looks_iso(s: &str) -> bool {
    parse_iso_checked(s, false).is_some()
}

/// `±HHMM` as minutes east of UTC.
fn parse_zone(zone: &str) -> Result<i64> {
    let bad = || JsonataError::code("D3134", format!("invalid timezone: {zone}"));
    let (sign, digits) = match zone.as_bytes().first() {
        Some(b'-') => (-1, &zone[1..]),
        Some(b'+') => (1, &zone[1..]),
        _ => (1, zone),
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let h: i64 = digits[..2].parse().map_err(|_| bad())?;
    let m: i64 = digits[2..].parse().map_err(|_| bad())?;
    Ok(sign * (h * 60 + m))
}

struct Parts {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
    weekday: usize,
    day_of_year: i64,
    offset: i64,
}

fn parts(ms: f64, offset: i64) -> Parts {
    #[allow(clippy::cast_possible_truncation)]
    let total = ms.floor() as i64 + offset * 60_000;
    let days = total.div_euclid(86_400_000);
    let in_day = total.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: in_day / 3_600_000,
        minute: in_day / 60_000 % 60,
        second: in_day / 1000 % 60,
        millis: in_day % 1000,
        // 1970-01-01 was a Thursday.
        weekday: (days + 3).rem_euclid(7) as usize,
        day_of_year: days - days_from_civil(year, 1, 1) + 1,
        offset,
    }
}

fn format_millis(ms: f64, picture: Option<&str>, zone: Option<&str>) -> Result<String> {
    if !ms.is_finite() {
        return Err(JsonataError::code(
            "D3001",
            "attempting to format a non-finite number as a date",
        ));
    }
    let offset = zone.map(parse_zone).transpose()?.unwrap_or(0);
    let p = parts(ms, offset);
    let Some(picture) = picture else {
        if zone.is_some() {
            return format_picture(&p, "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
        }
        return Ok(format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            year_text(p.year),
            p.month,
            p.day,
            p.hour,
            p.minute,
            p.second,
            p.millis
        ));
    };
    format_picture(&p, picture)
}

fn year_text(y: i64) -> String {
    if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else if y < 0 {
        format!("-{:06}", -y)
    } else {
        format!("+{y:06}")
    }
}

fn format_picture(p: &Parts, picture: &str) -> Result<String> {
    let mut out = String::new();
    let chars: Vec<char> = picture.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ']' && chars.get(i + 1) == Some(&']') {
            out.push(']');
            i += 2;
            continue;
        }
        if c != '[' {
            out.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'[') {
            out.push('[');
            i += 2;
            continue;
        }
        let Some(close) = chars[i..].iter().position(|&ch| ch == ']') else {
            return Err(JsonataError::code(
                "D3135",
                "no matching closing bracket ']' in date/time picture string",
            ));
        };
        let marker: String = chars[i + 1..i + close]
            .iter()
            .filter(|c| !c.is_whitespace())
            .collect();
        out.push_str(&component(p, &marker)?);
        i += close + 1;
    }
    Ok(out)
}

fn component(p: &Parts, marker: &str) -> Result<String> {
    let mut chars = marker.chars();
    let Some(kind) = chars.next() else {
        return Err(JsonataError::code(
            "D3135",
            "empty component in date/time picture string",
        ));
    };
    let rest: String = chars.collect();
    let (modifier, width) = match rest.split_once(',') {
        Some((m, w)) => (m.to_string(), Some(w.to_string())),
        None => (rest, None),
    };
    let max_width = width
        .as_deref()
        .and_then(|w| w.split_once('-').map(|(_, max)| max).or(Some(w)))
        .and_then(|w| w.parse::<usize>().ok());
    let min_width = width
        .as_deref()
        .and_then(|w| w.split('-').next())
        .and_then(|w| w.parse::<usize>().ok());
    let name = |full: &str| -> String {
        let mut text = match modifier.as_str() {
            "N" => full.to_uppercase(),
            "n" => full.to_lowercase(),
            _ => full.to_string(),
        };
        if let Some(max) = max_width {
            text = text.chars().take(max).collect();
        }
        text
    };
    let number = |n: i64, default_width: usize| -> String {
        let digits = modifier
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '#')
            .count();
        let width = if digits > 0 {
            modifier.chars().filter(char::is_ascii_digit).count()
        } else {
            default_width
        };
        let width = min_width.unwrap_or(width).max(width);
        let mut text = format!("{:0width$}", n.abs(), width = width);
        if modifier.ends_with('o') {
            text.push_str(super::format::ordinal_suffix(n.unsigned_abs()));
        }
        if let Some(max) = max_width
            && text.len() > max
        {
            text = text[text.len() - max..].to_string();
        }
        if n < 0 { format!("-{text}") } else { text }
    };
    let named = modifier.starts_with(['N', 'n']);
    Ok(match kind {
        'Y' => {
            if modifier.chars().filter(char::is_ascii_digit).count() == 2 && max_width.is_none() {
                format!("{:02}", p.year.rem_euclid(100))
            } else {
                number(p.year, 1)
            }
        }
        'M' if named => name(MONTHS[(p.month - 1) as usize]),
        'M' => number(p.month, 1),
        'D' => number(p.day, 1),
        'd' => number(p.day_of_year, 1),
        'F' if named || modifier.is_empty() => name(DAYS[p.weekday]),
        'F' => number(p.weekday as i64 + 1, 1),
        'H' => number(p.hour, 1),
        'h' => number(if p.hour % 12 == 0 { 12 } else { p.hour % 12 }, 1),
        'm' => number(p.minute, 2),
        's' => number(p.second, 2),
        // Milliseconds as an integer: `[f0001]` is `0789`.
        'f' => number(p.millis, 1),
        'P' => {
            let text = if p.hour < 12 { "am" } else { "pm" };
            if modifier == "N" {
                text.to_uppercase()
            } else {
                text.to_string()
            }
        }
        'Z' | 'z' => {
            if modifier.ends_with('t') && p.offset == 0 {
                return Ok("Z".into());
            }
            let sign = if p.offset < 0 { '-' } else { '+' };
            let (h, m) = (p.offset.abs() / 60, p.offset.abs() % 60);
            let digits: String = modifier.chars().filter(char::is_ascii_digit).collect();
            let zone = if modifier.contains(':') || digits.is_empty() {
                format!("{sign}{h:02}:{m:02}")
            } else if digits.len() <= 2 {
                if m == 0 {
                    format!("{sign}{h}")
                } else {
                    format!("{sign}{h}:{m:02}")
                }
            } else {
                format!("{sign}{h:02}{m:02}")
            };
            if kind == 'z' {
                format!("GMT{zone}")
            } else {
                zone
            }
        }
        'E' => "AD".into(),
        _ => {
            return Err(JsonataError::code(
                "D3132",
                format!("unknown component specifier {kind} in date/time picture string"),
            ));
        }
    })
}
