//! API Gateway's mapping templates, evaluated locally.
//!
//! A mapping template is Velocity Template Language (VTL, the language of Apache Velocity
//! 1.7) with the variables API Gateway gives it: `$input` (the request or integration
//! response body, its JSON paths and the request parameters), `$util` (escaping, JSON and
//! base64/URL helpers), `$context` (the request context, including the writable
//! `$context.responseOverride`) and `$stageVariables`. Values behave as the Java objects
//! API Gateway hands to Velocity (`String`, `Map`, `List`, numbers), with the Java methods
//! templates call on them.
//!
//! What this crate is not: it knows nothing of CloudFormation templates or HTTP. The
//! emulator (`stackweave-emulator`) finds the templates and builds the [`Scope`].
//!
//! SKELETON: the API below is the contract other crates are written against; its bodies are
//! filled in by the VTL work.

use std::collections::BTreeMap;

/// A parsed mapping template.
#[derive(Debug, Clone)]
pub struct Template {}

/// A template that cannot be parsed or rendered, with where in the template (1-based).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct VtlError {
    /// Line in the template, 1-based.
    pub line: usize,
    /// Column in the template, 1-based.
    pub column: usize,
    /// What went wrong, lowercase, no trailing full stop.
    pub message: String,
}

/// The HTTP request or integration response as `$input` sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    /// The raw body (`$input.body`); `$input.json`/`$input.path` parse it as JSON.
    pub body: String,
    /// Path parameters (`$input.params().path`).
    pub path: BTreeMap<String, String>,
    /// Query string parameters (`$input.params().querystring`).
    pub querystring: BTreeMap<String, String>,
    /// Headers (`$input.params().header`).
    pub header: BTreeMap<String, String>,
}

/// Everything a template sees.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// `$input`.
    pub input: Input,
    /// `$context` as a JSON object (`requestId`, `stage`, `httpMethod`, `resourcePath`,
    /// `identity`, ...).
    pub context: serde_json::Map<String, serde_json::Value>,
    /// `$stageVariables`.
    pub stage_variables: BTreeMap<String, String>,
}

/// A rendered template and what it asked of the response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The output text.
    pub text: String,
    /// `$context.responseOverride.status`, when the template set it.
    pub status_override: Option<u16>,
    /// `$context.responseOverride.header.<name>`, for each header the template set.
    pub header_overrides: BTreeMap<String, String>,
}

impl Template {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Template, VtlError> {
        let _ = source;
        unimplemented!("skeleton")
    }

    /// Renders the template against `scope`.
    pub fn render(&self, scope: &Scope) -> Result<Rendered, VtlError> {
        let _ = scope;
        unimplemented!("skeleton")
    }
}
