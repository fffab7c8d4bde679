//! The [`Construct`] trait a plugin implements, and the values it receives and describes.

use crate::{Diagnostic, Fragment};

/// Where in the stack the construct being synthesised sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The stack's name from the stack file.
    pub stack_name: String,
    /// The construct's id as written in the stack file.
    pub construct_id: String,
    /// The ids from the stack's root down to this construct; the last is `construct_id`.
    pub construct_path: Vec<String>,
}

impl Context {
    /// A context for a construct at the top level of a stack, which is what unit tests need.
    pub fn new(stack_name: impl Into<String>, construct_id: impl Into<String>) -> Self {
        let construct_id = construct_id.into();
        Self {
            stack_name: stack_name.into(),
            construct_path: vec![construct_id.clone()],
            construct_id,
        }
    }
}

/// What a plugin says about itself. Its props schema is not here: the SDK derives it from
/// [`Construct::Props`] (see [`props_schema`](crate::props_schema)), so it cannot drift
/// from what `synth` accepts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Info {
    /// The name stack files use in `plugin:`; lowercase words joined by `-`.
    pub name: &'static str,
    /// The plugin's own semantic version; usually `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
    /// One line for people.
    pub description: &'static str,
    /// `(name, doc)` of every attribute, in order; the first is what a bare `${Id}` means.
    pub attributes: Vec<(&'static str, &'static str)>,
}

/// A construct: typed props in, a template fragment out.
pub trait Construct {
    /// The props, deserialised from the JSON the host sends; their JSON Schema, which the host
    /// validates the props against before `synth`, is derived from this type.
    ///
    /// Derive `Deserialize` and [`JsonSchema`](crate::JsonSchema) (with
    /// `use stackweave_plugin::schemars;` in scope, which that derive names), and
    /// `Serialize` on your types that fields default to, so the defaults show in the schema;
    /// use
    /// `#[serde(deny_unknown_fields, rename_all = "camelCase")]`, and document every field for
    /// the stack file's author: doc comments become the schema's descriptions. Give a prop
    /// that may hold a reference to another construct the type `serde_json::Value` and
    /// `#[schemars(with = "String")]`: it is a string as written, and arrives as a
    /// CloudFormation expression (an object) or a plain string, to embed as it is. The
    /// [`schema`](crate::schema) module lists the attributes that shape the schema.
    type Props: serde::de::DeserializeOwned + schemars::JsonSchema;

    /// Describes the construct; must depend on nothing but the plugin's own code.
    fn info() -> Info;

    /// Turns props into a fragment, or explains with error diagnostics why it cannot.
    fn synth(ctx: &Context, props: Self::Props) -> Result<Fragment, Vec<Diagnostic>>;
}
