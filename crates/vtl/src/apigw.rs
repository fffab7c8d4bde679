//! API Gateway's own objects: `$input` (body, JSON paths, request parameters) and `$util`
//! (escaping, JSON, URL and base64 helpers), as the API Gateway developer guide's
//! "mapping template reference" documents them.
//!
//! JSONPath covers what mapping templates use: `$`, `.name`, `['name']` / `["name"]`,
//! `[index]` and `[*]` / `.*`; anything else (filters, `..`, slices) is an error.

use std::cell::OnceCell;

use crate::Input;
use crate::value::{JMap, Value};

/// `$input`: the request (or integration response) and its parsed body, parsed once.
#[derive(Debug)]
pub(crate) struct InputObject {
    pub(crate) input: Input,
    parsed: OnceCell<Option<serde_json::Value>>,
}

impl InputObject {
    pub(crate) fn new(input: Input) -> InputObject {
        InputObject {
            input,
            parsed: OnceCell::new(),
        }
    }

    /// The body as JSON; a body that is not JSON (or is empty) selects nothing.
    fn body_json(&self) -> Option<&serde_json::Value> {
        self.parsed
            .get_or_init(|| serde_json::from_str(&self.input.body).ok())
            .as_ref()
    }

    /// `$input.path(p)`: the selected value as a Velocity object (maps, lists, strings,
    /// numbers), or null when nothing is selected.
    pub(crate) fn path(&self, path: &str) -> Result<Value, String> {
        let Some(body) = self.body_json() else {
            // The path is checked even when there is nothing to select from.
            select(&serde_json::Value::Null, path)?;
            return Ok(Value::Null);
        };
        Ok(select(body, path)?.map_or(Value::Null, |v| Value::from_json(&v)))
    }

    /// `$input.json(p)`: the selected value as JSON text (`null` when nothing is selected).
    pub(crate) fn json(&self, path: &str) -> Result<String, String> {
        let selected = match self.body_json() {
            Some(body) => select(body, path)?,
            None => {
                select(&serde_json::Value::Null, path)?;
                None
            }
        };
        let selected = selected.unwrap_or(serde_json::Value::Null);
        serde_json::to_string(&selected).map_err(|e| e.to_string())
    }

    /// `$input.params()`: `path`, `querystring` and `header`, each a map.
    pub(crate) fn params(&self) -> Value {
        let section = |m: &std::collections::BTreeMap<String, String>| {
            Value::map(JMap {
                entries: m
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
                    .collect(),
            })
        };
        Value::map(JMap {
            entries: vec![
                ("path".into(), section(&self.input.path)),
                ("querystring".into(), section(&self.input.querystring)),
                ("header".into(), section(&self.input.header)),
            ],
        })
    }

    /// `$input.params(name)`: the path parameter, else the query string parameter, else the
    /// header of that name, else the empty string.
    pub(crate) fn param(&self, name: &str) -> String {
        let i = &self.input;
        i.path
            .get(name)
            .or_else(|| i.querystring.get(name))
            .or_else(|| i.header.get(name))
            .cloned()
            .unwrap_or_default()
    }
}

/// Selects `path` in `root`: `None` when it selects nothing.
fn select(root: &serde_json::Value, path: &str) -> Result<Option<serde_json::Value>, String> {
    let chars: Vec<char> = path.trim().chars().collect();
    if chars.first() != Some(&'$') {
        return Err(format!("invalid json path `{path}`: it must start with $"));
    }
    // References until the end: a path over a large body clones only what it selects.
    let mut current: Vec<&serde_json::Value> = vec![root];
    let mut wildcard = false;
    let mut i = 1;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if chars.get(i + 1) == Some(&'.') {
                    return Err(format!("unsupported json path `{path}`: deep scan (..)"));
                }
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end] != '.' && chars[end] != '[' {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                if name.is_empty() {
                    return Err(format!("invalid json path `{path}`"));
                }
                if name == "*" {
                    wildcard = true;
                    current = current.into_iter().flat_map(children).collect();
                } else {
                    current = current.iter().filter_map(|v| v.get(&name)).collect();
                }
                i = end;
            }
            '[' => {
                let Some(close) = chars[i..].iter().position(|c| *c == ']').map(|p| p + i) else {
                    return Err(format!("invalid json path `{path}`: missing ]"));
                };
                let inside: String = chars[i + 1..close]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string();
                if inside == "*" {
                    wildcard = true;
                    current = current.into_iter().flat_map(children).collect();
                } else if (inside.starts_with('\'') && inside.ends_with('\'') && inside.len() >= 2)
                    || (inside.starts_with('"') && inside.ends_with('"') && inside.len() >= 2)
                {
                    let name = &inside[1..inside.len() - 1];
                    current = current.iter().filter_map(|v| v.get(name)).collect();
                } else if let Ok(n) = inside.parse::<i64>() {
                    current = current
                        .iter()
                        .filter_map(|v| {
                            let a = v.as_array()?;
                            let index = if n < 0 { a.len() as i64 + n } else { n };
                            usize::try_from(index).ok().and_then(|i| a.get(i))
                        })
                        .collect();
                } else {
                    return Err(format!("unsupported json path `{path}`: [{inside}]"));
                }
                i = close + 1;
            }
            c => return Err(format!("invalid json path `{path}`: unexpected `{c}`")),
        }
    }
    if wildcard {
        return Ok(Some(serde_json::Value::Array(
            current.into_iter().cloned().collect(),
        )));
    }
    Ok(current.into_iter().next().cloned())
}

fn children(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    match v {
        serde_json::Value::Array(a) => a.iter().collect(),
        serde_json::Value::Object(o) => o.values().collect(),
        _ => Vec::new(),
    }
}

/// `$util.escapeJavaScript`: JavaScript string escaping as API Gateway does it (Apache
/// Commons Lang 2's `escapeJavaScript`). API Gateway documents that it turns `'` into `\'`,
/// which is not valid JSON; templates that build JSON undo it with
/// `.replaceAll("\\'", "'")`. It also writes `/` as `\/` and every character outside ASCII
/// as `\uXXXX` (UTF-16 units, upper-case hex), emoji as a surrogate pair.
pub(crate) fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) > 0x7f => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04X}", unit));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `$util.urlEncode`: `application/x-www-form-urlencoded` as Java's `URLEncoder` writes it
/// (space as `+`; letters, digits and `.-*_` as they are; the rest as `%XX` of UTF-8).
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `$util.urlDecode`: the reverse (`+` is a space); a malformed escape is an error, as in Java.
pub(crate) fn url_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                    return Err("urlDecode: incomplete or invalid % escape".into());
                };
                out.push(byte);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `$util.base64Encode`: standard alphabet, padded, of the UTF-8 bytes.
pub(crate) fn base64_encode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `$util.base64Decode`: the text of the decoded bytes; invalid base64 is an error.
pub(crate) fn base64_decode(s: &str) -> Result<String, String> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    let trimmed = s.trim_end_matches('=');
    if s.len() - trimmed.len() > 2 {
        return Err("base64Decode: invalid padding".into());
    }
    for c in trimmed.bytes() {
        let Some(v) = BASE64.iter().position(|b| *b == c) else {
            return Err(format!(
                "base64Decode: illegal base64 character {:?}",
                c as char
            ));
        };
        bits = (bits << 6) | v as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    if count == 6 {
        return Err("base64Decode: truncated input".into());
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "héllo", "😀 x"] {
            assert_eq!(base64_decode(&base64_encode(s)).as_deref(), Ok(s));
        }
        assert_eq!(base64_encode("héllo"), "aMOpbGxv");
    }

    #[test]
    fn url_encoding_follows_java() {
        assert_eq!(url_encode("a b&c=d/é~*"), "a+b%26c%3Dd%2F%C3%A9%7E*");
        assert_eq!(url_decode("a+b%20c%C3%A9").as_deref(), Ok("a b cé"));
    }

    #[test]
    fn escape_javascript_escapes_single_quotes_as_api_gateway_documents() {
        assert_eq!(escape_javascript("it's"), "it\\'s");
        assert_eq!(
            escape_javascript("é😀\t/\""),
            "\\u00E9\\uD83D\\uDE00\\t\\/\\\""
        );
    }
}
