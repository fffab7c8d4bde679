//! The Stackweave app file: an app's stacks and the environments it is deployed to.
//!
//! An app file names the app, lists its stack files (beside it), and describes each
//! environment: its region and account, the tags and parameter values of its stacks, and
//! the values stack files read at synthesis (`${value:name}`). This crate parses that file
//! into an [`AppFile`] with exact source locations, and owns the one rule for stack names
//! ([`stack_name`]).
//!
//! What it deliberately does not do: read the stack files, check references between
//! stacks, or run plugins; that is synthesis's business. The file format is described for
//! editors by `docs/app.schema.json`, which a test keeps in step with
//! [`format`](mod@format).

mod environment;
mod error;
pub mod format;
mod kind;
mod model;
mod parse;
mod values;

pub use error::AppError;
pub use format::{APP_FILE_NAME, MAX_APP_FILE_BYTES, MAX_STACK_NAME, stack_name};
pub use kind::is_app_file;
pub use model::{AppFile, Environment, Placement, ReferenceMode, StackEntry, Value};
pub use parse::{parse_app_file, parse_app_str};
pub use values::value_kind;
