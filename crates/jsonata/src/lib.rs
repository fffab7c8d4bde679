//! The JSONata query language, as Step Functions evaluates it (`QueryLanguage: JSONata`).
//!
//! An [`Expression`] is parsed once and evaluated against an input document and an
//! [`Environment`] of bound variables (`$states`, variables assigned by `Assign`) and
//! native functions (Step Functions adds `$partition`, `$range`, `$hash`, `$random`,
//! `$uuid`, `$parse`). JSONata's "undefined" is `None`.
//!
//! What this crate is not: it knows nothing of states or workflows.
//!
//! SKELETON: the API below is the contract other crates are written against; its bodies are
//! filled in by the JSONata work.

use std::collections::BTreeMap;

use serde_json::Value;

/// A parsed JSONata expression.
#[derive(Debug, Clone)]
pub struct Expression {}

/// A JSONata error, with the reference implementation's error code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct JsonataError {
    /// The reference implementation's code, e.g. `S0201` (syntax) or `T2001` (type).
    pub code: String,
    /// Character offset in the expression where it was found, when known.
    pub position: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// A function the host provides: takes the evaluated arguments (`None` = undefined).
pub type NativeFunction =
    Box<dyn Fn(&[Option<Value>]) -> Result<Option<Value>, JsonataError> + Send + Sync>;

/// What an expression sees besides its input.
#[derive(Default)]
pub struct Environment {
    /// Variables by name, without the `$` (`states` for `$states`).
    pub variables: BTreeMap<String, Value>,
    /// Host functions by name, without the `$`.
    pub functions: BTreeMap<String, NativeFunction>,
}

impl Expression {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Expression, JsonataError> {
        let _ = source;
        unimplemented!("skeleton")
    }

    /// Evaluates against `input` (`None`: no input) in `environment`.
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        environment: &Environment,
    ) -> Result<Option<Value>, JsonataError> {
        let _ = (input, environment);
        unimplemented!("skeleton")
    }
}
