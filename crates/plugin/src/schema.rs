//! The props schema, derived from [`Construct::Props`] so that what `describe` promises is
//! what `synth` accepts.
//!
//! The schema is [schemars]' JSON Schema (draft 2020-12) of the props type, with every
//! subschema inlined so each prop reads on its own, titled with the construct's name, the
//! lines of each paragraph of a doc comment joined into one, and adjusted to two conventions
//! of props written in a stack file:
//!
//! - **An optional prop is left out, never written `null`.** schemars lets an `Option<T>`
//!   field be `null`; here a prop that is not required takes `T` only, so `name: ~` is an
//!   error at its line rather than a silent "unset", and a mistyped value gets `T`'s own
//!   message instead of "not valid under any of the schemas listed in the 'anyOf' keyword".
//! - **A choice of names is an `enum`.** schemars writes a Rust enum whose unit variants carry
//!   doc comments as a `oneOf` of documented `const`s, whose error names none of the choices;
//!   here it becomes `"enum": [...]`, so the host's message lists them (`"Keep" is not one
//!   of "Delete", "Retain" or "RetainExceptOnCreate"`), and the variants' docs are appended
//!   to the description as a list.
//!
//! The derive names the `schemars` crate, so a plugin brings the SDK's re-export into scope
//! next to the derive: `use stackweave_plugin::{JsonSchema, schemars};`.
//!
//! What serde and schemars attributes give the schema:
//!
//! | in the props type | in the schema |
//! |---|---|
//! | a doc comment on the type or a field | `description` (write it for the stack file's author) |
//! | `#[serde(deny_unknown_fields)]` | `"additionalProperties": false` |
//! | `#[serde(rename_all = "camelCase")]`, `#[serde(rename = "...")]` | the props' names |
//! | a field that is neither `Option` nor `#[serde(default)]` | `required` |
//! | `#[serde(default)]` / `#[serde(default = "path")]` on a field whose type is `Serialize` | `default`: the code's own default, serialised |
//! | `#[schemars(range(min = 1, max = 10))]` | `minimum`, `maximum` |
//! | `#[schemars(length(min = 1, max = 64))]` | `minLength` / `maxLength`, or `minItems` / `maxItems` on a list |
//! | `#[schemars(regex(pattern = r"^[a-z]+$"))]`, `#[schemars(inner(regex(...)))]` for list items | `pattern` |
//! | `#[schemars(example = 7, example = &"text")]` | `examples` |
//! | `#[schemars(with = "String")]` on a `serde_json::Value` | the schema of `String`: see below |
//! | `#[schemars(extend("uniqueItems" = true))]` | any other keyword, as written |
//!
//! A prop that may hold a reference to another construct is a `serde_json::Value` in the props
//! type, because it arrives as a CloudFormation expression; but the host validates the props
//! as written, where `${Other.arn}` is a string. Give such a field
//! `#[schemars(with = "String")]` (or `"Option<String>"`, `"Vec<String>"`).
//!
//! [`Construct::Props`]: crate::Construct::Props

use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value};

use crate::{Construct, Info};

/// The JSON Schema of `C`'s props, exactly as [`describe`](crate::describe) reports it: derived
/// from [`Construct::Props`] and titled with the construct's name.
pub fn props_schema<C: Construct>() -> Value {
    schema_of::<C>(&C::info())
}

/// [`props_schema`] for a construct whose `Info` is at hand.
pub(crate) fn schema_of<C: Construct>(info: &Info) -> Value {
    derive::<C::Props>(info.name)
}

/// The schema of `P`, titled `title`, following this module's conventions.
fn derive<P: JsonSchema>(title: &str) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.inline_subschemas = true;
    let schema = settings
        .with_transform(StackFileConventions)
        .into_generator()
        .into_root_schema_for::<P>();
    // `$schema`, `title` and `description` first, as a person would write them.
    let mut root = Map::new();
    root.insert("$schema".into(), Value::Null);
    root.insert("title".into(), title.into());
    root.insert("description".into(), Value::Null);
    if let Value::Object(derived) = schema.to_value() {
        for (key, value) in derived {
            if key != "title" {
                root.insert(key, value);
            }
        }
    }
    root.retain(|_, value| !value.is_null());
    Value::Object(root)
}

/// The adjustments this module's documentation lists, applied to every subschema.
#[derive(Debug, Clone, Copy)]
struct StackFileConventions;

impl Transform for StackFileConventions {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut() {
            optional_props_are_never_null(object);
            documented_constants_to_enum(object);
            if let Some(Value::String(description)) = object.get_mut("description") {
                *description = unwrap_lines(description);
            }
        }
        transform_subschemas(self, schema);
    }
}

/// A doc comment's text with the lines of each paragraph joined by spaces, as Markdown shows
/// them: source code wraps its comments, a description need not. A line starting a list
/// item, and anything in a paragraph holding a code fence, keep their line breaks.
fn unwrap_lines(text: &str) -> String {
    let starts_item = |line: &str| {
        let line = line.trim_start();
        line.starts_with("- ")
            || line.starts_with("* ")
            || line
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    text.split("\n\n")
        .map(|paragraph| {
            if paragraph.contains("```") {
                return paragraph.to_owned();
            }
            let mut joined = String::new();
            for line in paragraph.lines() {
                if joined.is_empty() {
                    joined.push_str(line.trim_end());
                } else if starts_item(line) {
                    joined.push('\n');
                    joined.push_str(line.trim_end());
                } else {
                    joined.push(' ');
                    joined.push_str(line.trim());
                }
            }
            joined
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Takes `null` out of what each prop that is not required accepts.
fn optional_props_are_never_null(object: &mut Map<String, Value>) {
    let required: Vec<String> = match object.get("required") {
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(|name| name.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let Some(Value::Object(properties)) = object.get_mut("properties") else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if let (false, Value::Object(property)) = (required.contains(name), property) {
            refuse_null(property);
        }
    }
}

fn refuse_null(schema: &mut Map<String, Value>) {
    let is_null = |value: &Value| value.get("type") == Some(&Value::from("null"));
    // `anyOf: [T, {"type": "null"}]`, which schemars writes for an `Option` of a schema with
    // subschemas: keep `T`, under the field's own description, default and examples.
    if let Some(Value::Array(branches)) = schema.get("anyOf")
        && branches.len() == 2
        && let Some(null_at) = branches.iter().position(is_null)
        && let Some(Value::Object(other)) = branches.get(1 - null_at).cloned()
    {
        schema.remove("anyOf");
        for (key, value) in other {
            schema.entry(key).or_insert(value);
        }
    }
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            schema.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if schema.get("default") == Some(&Value::Null) {
        schema.remove("default");
    }
}

/// Turns a `oneOf` whose every branch is a string `const` (with at most a description) into
/// an `enum` of those strings, listing the branches' descriptions in the schema's own.
fn documented_constants_to_enum(object: &mut Map<String, Value>) {
    let Some(Value::Array(branches)) = object.get("oneOf") else {
        return;
    };
    let mut values = Vec::new();
    let mut notes = Vec::new();
    for branch in branches {
        let Value::Object(branch) = branch else {
            return;
        };
        let Some(Value::String(value)) = branch.get("const") else {
            return;
        };
        let plain = branch.iter().all(|(key, keyword)| match key.as_str() {
            "const" => true,
            "type" => keyword == "string",
            "description" => keyword.is_string(),
            _ => false,
        });
        if !plain {
            return;
        }
        values.push(Value::String(value.clone()));
        if let Some(Value::String(note)) = branch.get("description") {
            notes.push(format!("- `{value}`: {note}"));
        }
    }
    if values.is_empty() || object.get("type").is_some_and(|t| t != "string") {
        return;
    }
    // Rebuilt rather than edited, so `type` and `enum` stand where `oneOf` stood.
    let mut rebuilt = Map::new();
    for (key, keyword) in std::mem::take(object) {
        match key.as_str() {
            "oneOf" => {
                rebuilt.insert("type".into(), "string".into());
                rebuilt.insert("enum".into(), Value::Array(values.clone()));
            }
            "type" => {}
            _ => {
                rebuilt.insert(key, keyword);
            }
        }
    }
    if !notes.is_empty() {
        let notes = notes.join("\n");
        let description = match rebuilt.get("description") {
            Some(Value::String(own)) => format!("{own}\n\n{notes}"),
            _ => notes,
        };
        rebuilt.insert("description".into(), description.into());
    }
    *object = rebuilt;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, Diagnostic, Fragment};
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    /// Props of every shape the conventions touch.
    #[derive(Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct ShapesProps {
        /// A choice with a default.
        #[serde(default)]
        policy: Policy,
        /// An optional choice.
        fallback: Option<Policy>,
        /// An optional reference.
        #[schemars(with = "Option<String>", length(min = 1))]
        name: Option<Value>,
        /// An optional object.
        nested: Option<Nested>,
        /// An optional number.
        #[schemars(range(max = 10))]
        count: Option<u8>,
        /// A choice whose names are undocumented.
        plain: Option<Plain>,
        /// A name or an object.
        #[serde(default)]
        either: Vec<Either>,
    }

    /// What to do.
    #[derive(Default, Deserialize, Serialize, JsonSchema)]
    enum Policy {
        /// Remove it.
        #[default]
        Delete,
        /// Keep it.
        Retain,
    }

    #[derive(Deserialize, Serialize, JsonSchema)]
    #[serde(rename_all = "UPPERCASE")]
    enum Plain {
        On,
        Off,
    }

    #[derive(Deserialize, Serialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Nested {
        /// A flag.
        flag: bool,
    }

    #[derive(Deserialize, Serialize, JsonSchema)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Either {
        /// Just the name.
        Name(String),
        /// The long form.
        Long(Nested),
    }

    struct Shapes;

    impl Construct for Shapes {
        type Props = ShapesProps;

        fn info() -> Info {
            Info {
                name: "shapes",
                ..Info::default()
            }
        }

        fn synth(_: &Context, _: ShapesProps) -> Result<Fragment, Vec<Diagnostic>> {
            Ok(Fragment::new())
        }
    }

    /// The host's messages for `props`, as `props/<path>: <message>`.
    fn messages(props: Value) -> Vec<String> {
        let schema = props_schema::<Shapes>();
        let validator = match jsonschema::validator_for(&schema) {
            Ok(validator) => validator,
            Err(error) => panic!("the derived schema does not compile: {error}\n{schema:#}"),
        };
        validator
            .iter_errors(&props)
            .map(|e| format!("props{}: {e}", e.instance_path().as_str()))
            .collect()
    }

    #[test]
    fn the_schema_is_draft_2020_12_titled_with_the_construct() {
        let schema = props_schema::<Shapes>();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["title"], "shapes");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema.get("required"), None);
        assert_eq!(schema.get("$defs"), None, "subschemas are inlined");
        assert_eq!(messages(json!({})), Vec::<String>::new());
    }

    #[test]
    fn documented_choices_are_an_enum_whose_description_lists_them() {
        let schema = props_schema::<Shapes>();
        let policy = &schema["properties"]["policy"];
        assert_eq!(
            policy,
            &json!({
                "description": "A choice with a default.\n\n- `Delete`: Remove it.\n- `Retain`: Keep it.",
                "type": "string",
                "enum": ["Delete", "Retain"],
                "default": "Delete"
            })
        );
        assert_eq!(
            messages(json!({"policy": "Keep"})),
            [r#"props/policy: "Keep" is not one of "Delete" or "Retain""#]
        );
    }

    #[test]
    fn optional_props_refuse_null_and_keep_their_own_messages() {
        let schema = props_schema::<Shapes>();
        let properties = &schema["properties"];
        assert_eq!(properties["fallback"]["enum"], json!(["Delete", "Retain"]));
        assert_eq!(
            properties["fallback"]["description"]
                .as_str()
                .map(|d| d.starts_with("An optional choice.\n\n- `Delete`")),
            Some(true)
        );
        assert_eq!(properties["name"]["type"], "string");
        assert_eq!(properties["name"]["minLength"], 1);
        assert_eq!(properties["nested"]["type"], "object");
        assert_eq!(properties["nested"]["description"], "An optional object.");
        assert_eq!(properties["count"]["type"], "integer");
        assert_eq!(properties["count"]["maximum"], 10);
        assert_eq!(properties["plain"]["enum"], json!(["ON", "OFF"]));
        for prop in ["fallback", "name", "nested", "count", "plain"] {
            assert!(!properties[prop].to_string().contains("null"), "{prop}");
        }
        assert_eq!(
            messages(json!({"fallback": "Keep", "plain": "DIM", "name": "", "count": 11})),
            [
                r#"props/fallback: "Keep" is not one of "Delete" or "Retain""#,
                r#"props/plain: "DIM" is not one of "ON" or "OFF""#,
                r#"props/name: "" is shorter than 1 character"#,
                "props/count: 11 is greater than the maximum of 10",
            ]
        );
        assert_eq!(
            messages(json!({"name": null})),
            [r#"props/name: null is not of type "string""#]
        );
    }

    #[test]
    fn descriptions_are_unwrapped_but_keep_paragraphs_and_lists() {
        assert_eq!(
            unwrap_lines("One\ntwo.\n\nThree:\n- four\n  five\n- six\n1. seven"),
            "One two.\n\nThree:\n- four five\n- six\n1. seven"
        );
        let fenced = "Like this:\n```yaml\na: 1\n```";
        assert_eq!(unwrap_lines(fenced), fenced);
    }

    #[test]
    fn other_shapes_are_left_as_schemars_writes_them() {
        let schema = props_schema::<Shapes>();
        let either = &schema["properties"]["either"];
        assert_eq!(either["default"], json!([]));
        let branches = &either["items"]["anyOf"];
        assert_eq!(branches[0]["type"], "string");
        assert_eq!(branches[1]["required"], json!(["flag"]));
        assert_eq!(
            messages(json!({"either": ["a", {"flag": true}, 1]})),
            [
                "props/either/2: 1 is not valid under any of the schemas listed in the 'anyOf' keyword"
            ]
        );
    }
}
