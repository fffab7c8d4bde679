//! Values: an environment's settings (`${value:name}`), bound into a stack file before it
//! is synthesised, so plugins and templates only ever see the settings themselves.
//!
//! A string that is nothing but one value becomes the value with its type (a number stays
//! a number, a list a list), so `retentionDays: ${value:logRetentionDays}` passes a
//! plugin's schema like `retentionDays: 7`. Inside longer text a value must be text, a
//! number or a boolean, and is spliced in as text.

use serde_json::Value;
use stackweave_location::Diagnostic;

use crate::model::StackFile;
use crate::prop::Prop;
use crate::reference::{Part, Text};

/// Why a value could not be read: what is wrong, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// What is wrong, such as which environment lacks the value.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

/// Replaces every `${value:name}` in the stack's props, overrides, resources and outputs
/// with what `lookup` gives for `name`; every value that cannot be read is reported at the
/// line that reads it.
pub fn bind_values(
    stack: &mut StackFile,
    lookup: &dyn Fn(&str) -> Result<Value, Unread>,
) -> Result<(), Vec<Diagnostic>> {
    let mut binder = Binder {
        lookup,
        failures: Vec::new(),
    };
    for construct in &mut stack.constructs {
        binder.bind(&mut construct.props, format!("{}/props", construct.pointer));
        for change in &mut construct.overrides {
            if let Some(value) = &mut change.value {
                binder.bind(value, change.pointer.clone());
            }
        }
    }
    for resource in &mut stack.resources {
        binder.bind(&mut resource.body, resource.pointer.clone());
    }
    for output in &mut stack.outputs {
        binder.bind(&mut output.value, format!("{}/value", output.pointer));
        if let Some(name) = &mut output.export_name {
            binder.bind(name, format!("{}/exportName", output.pointer));
        }
    }
    if binder.failures.is_empty() {
        return Ok(());
    }
    Err(binder
        .failures
        .into_iter()
        .map(|(pointer, unread)| {
            Diagnostic::error(unread.message)
                .at(&stack.path, Some(stack.source_map.locate(&pointer)))
                .help(unread.help)
        })
        .collect())
}

struct Binder<'l> {
    lookup: &'l dyn Fn(&str) -> Result<Value, Unread>,
    /// Where each value that could not be read was read, and why.
    failures: Vec<(String, Unread)>,
}

impl Binder<'_> {
    fn bind(&mut self, prop: &mut Prop, pointer: String) {
        match prop {
            Prop::Text(text) => {
                if let Some(bound) = self.bind_text(text, &pointer) {
                    *prop = bound;
                }
            }
            Prop::List(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.bind(
                        item,
                        stackweave_location::join_pointer(&pointer, &index.to_string()),
                    );
                }
            }
            Prop::Map(entries) => {
                for (key, value) in entries {
                    self.bind(value, stackweave_location::join_pointer(&pointer, key));
                }
            }
            Prop::Null | Prop::Bool(_) | Prop::Number(_) | Prop::Data(_) => {}
        }
    }

    /// The prop a text becomes once its values are bound; `None` when it reads none (or
    /// one could not be read, which is recorded).
    fn bind_text(&mut self, text: &Text, pointer: &str) -> Option<Prop> {
        text.values().next()?;
        if let [Part::Value(name)] = text.parts.as_slice() {
            return match (self.lookup)(name) {
                Ok(value) => Some(prop_of(&value)),
                Err(unread) => {
                    self.failures.push((pointer.to_owned(), unread));
                    None
                }
            };
        }
        let mut parts: Vec<Part> = Vec::with_capacity(text.parts.len());
        let mut failed = false;
        for part in &text.parts {
            let spliced = match part {
                Part::Value(name) => match (self.lookup)(name).map(|v| splice(name, &v)) {
                    Ok(Ok(text)) => text,
                    Ok(Err(unread)) | Err(unread) => {
                        self.failures.push((pointer.to_owned(), unread));
                        failed = true;
                        continue;
                    }
                },
                other => {
                    parts.push(other.clone());
                    continue;
                }
            };
            // Adjacent literals are one part, as `Text::parse` makes them.
            match parts.last_mut() {
                Some(Part::Literal(previous)) => previous.push_str(&spliced),
                _ => parts.push(Part::Literal(spliced)),
            }
        }
        (!failed).then(|| Prop::Text(Text { parts }))
    }
}

/// A value as the text it stands for inside a longer string.
fn splice(name: &str, value: &Value) -> Result<String, Unread> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        _ => Err(Unread {
            message: format!(
                "value `{name}` is a {}, which cannot be part of a longer string",
                match value {
                    Value::Array(_) => "list",
                    Value::Object(_) => "map",
                    _ => "null",
                }
            ),
            help: format!(
                "write `${{value:{name}}}` as the whole string to pass the {} itself",
                if value.is_array() { "list" } else { "map" }
            ),
        }),
    }
}

/// The prop a value is: strings are literal text (a value is never read for references).
fn prop_of(value: &Value) -> Prop {
    match value {
        Value::Null => Prop::Null,
        Value::Bool(flag) => Prop::Bool(*flag),
        Value::Number(number) => Prop::Number(number.clone()),
        Value::String(text) => Prop::Text(Text {
            parts: match text.is_empty() {
                true => Vec::new(),
                false => vec![Part::Literal(text.clone())],
            },
        }),
        Value::Array(items) => Prop::List(items.iter().map(prop_of).collect()),
        Value::Object(entries) => Prop::Map(
            entries
                .iter()
                .map(|(key, value)| (key.clone(), prop_of(value)))
                .collect(),
        ),
    }
}
