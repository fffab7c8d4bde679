//! Emitting: the text of a template, as YAML with CloudFormation's short-form tags or
//! as pretty-printed JSON. Both are deterministic and keep insertion order.
//!
//! CloudFormation reads YAML 1.1, where `2010-09-09` is a date and `yes`, `on` or `off`
//! are booleans, while serde_yaml quotes only what YAML 1.2 would misread. Strings that
//! YAML 1.1 could misread are therefore single-quoted here: they are emitted as unique
//! plain placeholder tokens and replaced by their quoted form afterwards.

use serde_json::Value;
use serde_yaml::value::{Tag, TaggedValue};
use serde_yaml::{Mapping, Value as Yaml};

use crate::merge::MergeError;

/// Intrinsic functions written with a short-form tag: `Ref` becomes `!Ref`, `Fn::X`
/// becomes `!X`. `Condition` is deliberately absent: `{"Condition": ...}` is also a
/// common ordinary property (IAM statements), so it stays a mapping.
const SHORT_FORMS: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::If",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::Select",
    "Fn::Split",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::FindInMap",
    "Fn::ImportValue",
    "Fn::GetAZs",
    "Fn::ToJsonString",
    "Fn::Length",
];

/// Plain scalars YAML 1.1 reads as booleans, nulls or other non-strings.
const YAML11_WORDS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "<<",
    "=",
];

/// Renders `value` as YAML with short-form tags, ending in a newline.
pub fn to_yaml(value: &Value) -> Result<String, MergeError> {
    let mut marker = String::from("stackweaveQuoted");
    while contains_text(value, &marker) {
        marker.push('X');
    }
    let mut converter = Converter {
        marker,
        quoted: Vec::new(),
    };
    let yaml = converter.convert(value);
    let text = serde_yaml::to_string(&yaml).map_err(|e| MergeError::Render {
        message: e.to_string(),
    })?;
    converter.substitute(&text)
}

/// Renders `value` as JSON indented by two spaces, ending in a newline.
pub fn to_json(value: &Value) -> Result<String, MergeError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| MergeError::Render {
        message: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

struct Converter {
    /// Prefix of placeholder tokens; occurs in no string of the template.
    marker: String,
    /// Strings to be single-quoted, indexed by the number in their token.
    quoted: Vec<String>,
}

impl Converter {
    fn convert(&mut self, value: &Value) -> Yaml {
        match value {
            Value::Null => Yaml::Null,
            Value::Bool(b) => Yaml::Bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    Yaml::Number(u.into())
                } else if let Some(i) = n.as_i64() {
                    Yaml::Number(i.into())
                } else {
                    Yaml::Number(n.as_f64().unwrap_or(f64::NAN).into())
                }
            }
            Value::String(s) => self.string(s),
            Value::Array(items) => Yaml::Sequence(items.iter().map(|v| self.convert(v)).collect()),
            Value::Object(object) => {
                if object.len() == 1
                    && let Some((key, arg)) = object.iter().next()
                    && SHORT_FORMS.contains(&key.as_str())
                {
                    return self.function(key, arg);
                }
                let mut mapping = Mapping::new();
                for (key, v) in object {
                    let key = self.string(key);
                    mapping.insert(key, self.convert(v));
                }
                Yaml::Mapping(mapping)
            }
        }
    }

    /// A short-form function, or the long form when its argument is itself tagged:
    /// a YAML node has at most one tag, so `!Base64 !Sub ...` is not valid.
    fn function(&mut self, key: &str, arg: &Value) -> Yaml {
        let converted = match (key, arg) {
            ("Fn::GetAtt", Value::Array(args)) => match args.as_slice() {
                [Value::String(id), Value::String(attribute)] => {
                    self.string(&format!("{id}.{attribute}"))
                }
                _ => self.convert(arg),
            },
            _ => self.convert(arg),
        };
        if matches!(converted, Yaml::Tagged(_)) {
            let mut mapping = Mapping::new();
            mapping.insert(Yaml::String(key.to_owned()), converted);
            return Yaml::Mapping(mapping);
        }
        let tag = key.strip_prefix("Fn::").unwrap_or(key);
        Yaml::Tagged(Box::new(TaggedValue {
            tag: Tag::new(tag),
            value: converted,
        }))
    }

    fn string(&mut self, s: &str) -> Yaml {
        if !misread_by_yaml11(s) {
            return Yaml::String(s.to_owned());
        }
        let token = format!("{}{}", self.marker, self.quoted.len());
        self.quoted.push(s.to_owned());
        Yaml::String(token)
    }

    /// Replaces each placeholder token in `text` by its single-quoted string.
    fn substitute(&self, text: &str) -> Result<String, MergeError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(&self.marker) {
            out.push_str(&rest[..start]);
            let after = &rest[start + self.marker.len()..];
            let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let original = after[..digits]
                .parse::<usize>()
                .ok()
                .and_then(|n| self.quoted.get(n))
                .ok_or_else(|| MergeError::Render {
                    message: "a quoting placeholder was mangled by the YAML emitter".to_owned(),
                })?;
            out.push('\'');
            out.push_str(&original.replace('\'', "''"));
            out.push('\'');
            rest = &after[digits..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Whether a plain scalar `s` would be read by a YAML 1.1 parser as something other
/// than this string. Errs on the side of quoting: anything that starts like a number,
/// date or time is quoted. Strings with control characters are left to serde_yaml,
/// which never emits them plain.
fn misread_by_yaml11(s: &str) -> bool {
    let printable = |c: char| !c.is_control() && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}');
    if s.is_empty() || !s.chars().all(printable) {
        return false;
    }
    if YAML11_WORDS.contains(&s) {
        return true;
    }
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let body = body.strip_prefix('.').unwrap_or(body);
    body.starts_with(|c: char| c.is_ascii_digit())
        || matches!(body, "inf" | "Inf" | "INF" | "nan" | "NaN" | "NAN")
}

/// Whether any string or key in `value` contains `needle`.
fn contains_text(value: &Value, needle: &str) -> bool {
    match value {
        Value::String(s) => s.contains(needle),
        Value::Array(items) => items.iter().any(|v| contains_text(v, needle)),
        Value::Object(object) => object
            .iter()
            .any(|(k, v)| k.contains(needle) || contains_text(v, needle)),
        _ => false,
    }
}

#[cfg(test)]
#[path = "emit_tests.rs"]
mod tests;
