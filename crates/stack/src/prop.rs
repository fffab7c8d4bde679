//! Construct props and output values: YAML values whose strings may hold references.
//!
//! A [`Prop`] keeps strings split at their references so the orchestrator can resolve them
//! without re-parsing, and keeps `!file` contents apart as [`Prop::Data`] because data read
//! from a file is never interpolated.

use serde_json::{Map, Value};

use crate::reference::{Reference, Text};
use stackweave_location::join_pointer;

/// A props value as written in the stack file.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer or a finite float.
    Number(serde_json::Number),
    /// A string, split at its references.
    Text(Text),
    /// A sequence.
    List(Vec<Prop>),
    /// A mapping, in the order written; keys that YAML reads as numbers or booleans are
    /// kept in their canonical text form (`200`, `true`).
    Map(Vec<(String, Prop)>),
    /// Contents of a `!file`: literal data, never interpolated.
    Data(Value),
}

impl Prop {
    /// The props as written, strings verbatim (references unexpanded, `${!x}` kept as
    /// written) — what the plugin's JSON Schema validates.
    pub fn to_written_json(&self) -> Value {
        match self {
            Prop::Null => Value::Null,
            Prop::Bool(b) => Value::Bool(*b),
            Prop::Number(n) => Value::Number(n.clone()),
            Prop::Text(text) => Value::String(text.written()),
            Prop::List(items) => Value::Array(items.iter().map(Prop::to_written_json).collect()),
            Prop::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| (key.clone(), value.to_written_json()))
                    .collect::<Map<_, _>>(),
            ),
            Prop::Data(data) => data.clone(),
        }
    }

    /// Every reference with the JSON Pointer of the string that holds it (pointer relative
    /// to this Prop, e.g. "/role"), in document order.
    pub fn references(&self) -> Vec<(String, &Reference)> {
        let mut found = Vec::new();
        self.collect_references(String::new(), &mut found);
        found
    }

    fn collect_references<'p>(&'p self, pointer: String, found: &mut Vec<(String, &'p Reference)>) {
        match self {
            Prop::Text(text) => {
                found.extend(text.references().map(|r| (pointer.clone(), r)));
            }
            Prop::List(items) => {
                for (index, item) in items.iter().enumerate() {
                    item.collect_references(join_pointer(&pointer, &index.to_string()), found);
                }
            }
            Prop::Map(entries) => {
                for (key, value) in entries {
                    value.collect_references(join_pointer(&pointer, key), found);
                }
            }
            Prop::Null | Prop::Bool(_) | Prop::Number(_) | Prop::Data(_) => {}
        }
    }

    /// The string, when this is one.
    pub fn as_text(&self) -> Option<&Text> {
        match self {
            Prop::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value of `key` when this is a map.
    pub fn get(&self, key: &str) -> Option<&Prop> {
        match self {
            Prop::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn text(s: &str) -> Prop {
        Prop::Text(Text::parse(s).unwrap())
    }

    #[test]
    fn written_json_keeps_strings_and_escapes_verbatim() {
        let prop = Prop::Map(vec![
            ("role".into(), text("${Role.arn}")),
            ("literal".into(), text("cost: $5 ${!NotARef} $${X}")),
            (
                "list".into(),
                Prop::List(vec![Prop::Null, Prop::Bool(true)]),
            ),
            ("n".into(), Prop::Number(7.into())),
            (
                "data".into(),
                Prop::Data(json!({"a": "${NotInterpolated}"})),
            ),
        ]);
        assert_eq!(
            prop.to_written_json(),
            json!({
                "role": "${Role.arn}",
                "literal": "cost: $5 ${!NotARef} $${X}",
                "list": [null, true],
                "n": 7,
                "data": {"a": "${NotInterpolated}"}
            })
        );
    }

    #[test]
    fn references_carry_escaped_pointers_and_skip_data() {
        let prop = Prop::Map(vec![
            ("a/b".into(), text("${A}")),
            (
                "c~d".into(),
                Prop::List(vec![text("x"), text("${B.url}-${AWS::Region}")]),
            ),
            ("data".into(), Prop::Data(json!("${C}"))),
        ]);
        let found: Vec<(String, String)> = prop
            .references()
            .into_iter()
            .map(|(p, r)| (p, r.to_string()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("/a~1b".to_owned(), "${A}".to_owned()),
                ("/c~0d/1".to_owned(), "${B.url}".to_owned()),
                ("/c~0d/1".to_owned(), "${AWS::Region}".to_owned()),
            ]
        );
        assert_eq!(text("${X}").references()[0].0, "");
    }
}
