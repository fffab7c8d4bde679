//! Parsing JSON that plugins return, strictly. serde_json keeps the last of two equal keys,
//! so `{"Type": "A", "Type": "B"}` would silently become `B`, while CloudFormation refuses a
//! template with a key twice; and parsing a fragment of half a million resources builds half
//! a million values before any quota is checked. This parser refuses a repeated key (naming
//! where) and stops at the resource limit it is given, before building what lies beyond.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use stackweave_location::shortened;

/// Why strict parsing stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not JSON at all; serde_json's message (with line and column).
    Syntax(String),
    /// An object has a key twice.
    DuplicateKey {
        /// The key, as written.
        key: String,
        /// JSON Pointer of the object.
        pointer: String,
    },
    /// The top-level `Resources` object has more entries than allowed.
    TooManyResources,
}

/// Parses `text` as one JSON value, refusing repeated keys, and refusing a top-level
/// `Resources` object of more than `max_resources` entries as soon as the next one starts.
pub(crate) fn parse(text: &str, max_resources: usize) -> Result<Value, Refusal> {
    let state = State {
        max_resources,
        refusal: RefCell::new(None),
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Seed {
        path: Path::Root,
        state: &state,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        Ok(value) => Ok(value),
        Err(error) => Err(state
            .refusal
            .into_inner()
            .unwrap_or_else(|| Refusal::Syntax(error.to_string()))),
    }
}

/// Parses one JSON value (an attribute's expression, say) refusing repeated keys; the error
/// says what is wrong, and where.
pub fn parse_value(text: &str) -> Result<Value, String> {
    parse(text, usize::MAX).map_err(|refusal| match refusal {
        Refusal::Syntax(message) => message,
        Refusal::DuplicateKey { key, pointer } => format!(
            "the key `{}` appears twice in the object at `{}`",
            shortened(&key),
            if pointer.is_empty() { "/" } else { &pointer }
        ),
        // Only the top level of a fragment counts resources.
        Refusal::TooManyResources => "too many resources".to_string(),
    })
}

struct State {
    max_resources: usize,
    /// Set just before a refusal is returned, so the caller gets it typed rather than as
    /// serde_json's text.
    refusal: RefCell<Option<Refusal>>,
}

/// Where a value sits, as a chain of borrowed steps up to the root: cheap to extend while
/// parsing, and only turned into a JSON Pointer when a refusal names it.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn is_top_level_resources(&self) -> bool {
        matches!(self, Path::Key(Path::Root, "Resources"))
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(parent, key) => {
                let key = key.replace('~', "~0").replace('/', "~1");
                write!(f, "{parent}/{}", shortened(&key))
            }
            Path::Index(parent, index) => write!(f, "{parent}/{index}"),
        }
    }
}

#[derive(Clone, Copy)]
struct Seed<'a> {
    path: Path<'a>,
    state: &'a State,
}

impl Seed<'_> {
    fn refuse<E: de::Error>(&self, refusal: Refusal) -> E {
        let message = format!("{refusal:?}");
        *self.state.refusal.borrow_mut() = Some(refusal);
        E::custom(message)
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON text has no NaN or infinity, so every parsed float is a number.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = Seed {
                path: Path::Index(&self.path, items.len()),
                state: self.state,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let counted = self.path.is_top_level_resources();
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if counted && object.len() >= self.state.max_resources {
                return Err(self.refuse(Refusal::TooManyResources));
            }
            if object.contains_key(&key) {
                return Err(self.refuse(Refusal::DuplicateKey {
                    key,
                    pointer: self.path.to_string(),
                }));
            }
            let value = map.next_value_seed(Seed {
                path: Path::Key(&self.path, &key),
                state: self.state,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_serde_json_parses_in_the_same_order() {
        let text = r#"{"b": [1, -2, 3.5, true, null, "s"], "a": {"x": {}}}"#;
        let strict = parse(text, usize::MAX).expect("valid JSON");
        let lenient: Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(strict, lenient);
        assert_eq!(strict.to_string(), lenient.to_string());
    }

    #[test]
    fn a_repeated_key_is_refused_with_its_place() {
        let refused = parse(
            r#"{"Resources": {"A~/b": {"Type": "T", "Type": "U"}}}"#,
            usize::MAX,
        );
        assert_eq!(
            refused,
            Err(Refusal::DuplicateKey {
                key: "Type".into(),
                pointer: "/Resources/A~0~1b".into()
            })
        );
        assert!(matches!(
            parse(r#"{"a": 1, "a": 1}"#, usize::MAX),
            Err(Refusal::DuplicateKey { .. })
        ));
    }

    #[test]
    fn resources_are_counted_only_at_the_top_level() {
        let text = r#"{"Resources": {"A": {}, "B": {}, "C": {}}}"#;
        assert!(parse(text, 3).is_ok());
        assert_eq!(parse(text, 2), Err(Refusal::TooManyResources));
        assert!(parse(r#"{"X": {"Resources": {"A": 1, "B": 2}}}"#, 1).is_ok());
    }

    #[test]
    fn syntax_errors_keep_serde_jsons_position() {
        let Err(Refusal::Syntax(message)) = parse("{\"a\": }", usize::MAX) else {
            panic!("a syntax error");
        };
        assert!(message.contains("line 1 column 7"), "{message}");
        assert!(matches!(
            parse("{} {}", usize::MAX),
            Err(Refusal::Syntax(_))
        ));
    }
}
