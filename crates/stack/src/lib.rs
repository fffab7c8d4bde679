//! The Stackweave stack file: parsing it into a typed model with exact source locations.
//!
//! A stack file is YAML naming constructs (each provided by a WebAssembly plugin), their
//! props, and the stack's outputs; strings may reference other constructs as `${Id}` or
//! `${Id.attribute}` and pseudo parameters as `${AWS::Region}`, following `Fn::Sub`. This
//! crate turns that text into a [`StackFile`] and a [`SourceMap`] from JSON Pointers to
//! line and column, so every later failure can name the line that caused it.
//!
//! [`kind_of`] tells a stack file from a CloudFormation template, for commands that take
//! either.
//!
//! What it deliberately does not do: load or run plugins, check that a reference's target
//! or attribute exists (only the orchestrator knows the plugins), or build templates.
//! The file format is described for editors by `docs/stack-file.schema.json`, which a test
//! keeps in step with [`format`](mod@format).

mod convert;
mod error;
pub mod format;
mod kind;
mod model;
mod parse;
mod prop;
mod reference;
mod sections;
mod validation;
mod values;

pub use error::{ReadFailure, StackError};
pub use kind::{FileKind, kind_of};
pub use model::{
    ConstructDecl, Limits, OutputDecl, Override, PluginRef, ResourceDecl, RuleChoice, StackFile,
    Suppression, Validation,
};
pub use parse::{parse_stack_file, parse_stack_str};
pub use prop::Prop;
pub use reference::{
    PSEUDO_PARAMETERS, Part, Reference, Text, TextError, VALUE_PREFIX, escape_sub_literal,
};
pub use stackweave_location::{
    Location, SourceMap, escape_token, join_pointer, not_utf8, unescape_token,
};
pub use values::{Unread, bind_values};
