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

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    /// The name stack files use in `plugin:`; lowercase words joined by `-`.
    pub name: &'static str,
    /// The plugin's own semantic version; usually `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
    /// One line for people.
    pub description: &'static str,
    /// A JSON Schema (draft 2020-12) of the props. The host validates props against it before
    /// `synth` with references still unexpanded, so a prop that may hold a reference must
    /// accept a string here even though it arrives as a CloudFormation expression.
    pub props_schema: serde_json::Value,
    /// `(name, doc)` of every attribute, in order; the first is what a bare `${Id}` means.
    pub attributes: Vec<(&'static str, &'static str)>,
}

/// A construct: typed props in, a template fragment out.
pub trait Construct {
    /// The props, deserialised from the JSON the host sends.
    ///
    /// Use `#[serde(deny_unknown_fields, rename_all = "camelCase")]`, and
    /// `serde_json::Value` for any prop that may hold a reference to another construct: it
    /// arrives as a CloudFormation expression (an object) or a plain string, and is embedded
    /// as it is.
    type Props: serde::de::DeserializeOwned;

    /// Describes the construct; must depend on nothing but the plugin's own code.
    fn info() -> Info;

    /// Turns props into a fragment, or explains with error diagnostics why it cannot.
    fn synth(ctx: &Context, props: Self::Props) -> Result<Fragment, Vec<Diagnostic>>;
}
