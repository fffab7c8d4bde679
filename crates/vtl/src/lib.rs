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
//! Where API Gateway documents behaviour that plain Velocity lacks, this crate follows API
//! Gateway: `#foreach` stops after 1,000 iterations ([`RenderLimits`]), and `$util`'s
//! functions are API Gateway's. Rendering is bounded (output size, steps, macro depth,
//! nesting), so no template can hang or exhaust memory or the stack.
//!
//! Modules: `parse` and `expr` (text to `ast`), `eval` (rendering), `value` and `methods`
//! (the Java objects and their methods), `apigw` (`$input`, `$util`), `java_regex`
//! (Java's regular expressions on the `regex` crate).

mod apigw;
mod ast;
mod eval;
mod expr;
mod java_regex;
mod methods;
mod parse;
mod value;

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use crate::value::{JMap, Value};

/// A parsed mapping template. It is `Send` and `Sync`: parse once, render from any thread.
#[derive(Debug, Clone)]
pub struct Template {
    source: Arc<str>,
    nodes: Arc<Vec<ast::Node>>,
    macros: Arc<HashMap<String, ast::MacroDef>>,
}

/// Bounds on one rendering. The defaults follow API Gateway where it documents a limit,
/// and Velocity's defaults elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderLimits {
    /// Iterations of one `#foreach`; API Gateway stops a loop after 1,000 (Velocity has no
    /// limit by default). Further items are skipped, as with Velocity's `maxloops`.
    pub max_foreach_iterations: usize,
    /// Nested macro calls (Velocity's `velocimacro.max.depth`, 20).
    pub max_macro_depth: usize,
    /// Bytes of output (API Gateway's payload limit is 10 MB).
    pub max_output_bytes: usize,
    /// Evaluation steps (references, operators, iterations) before rendering gives up.
    pub max_steps: u64,
    /// Items of one range (`[1..n]`).
    pub max_range_length: usize,
}

impl Default for RenderLimits {
    fn default() -> Self {
        RenderLimits {
            max_foreach_iterations: 1000,
            max_macro_depth: 20,
            max_output_bytes: 10 * 1024 * 1024,
            max_steps: 5_000_000,
            max_range_length: 1_000_000,
        }
    }
}

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
        let mut parser = parse::Parser::new(source, 0);
        let nodes = parser.parse_template().map_err(|f| locate(source, f))?;
        Ok(Template {
            source: source.into(),
            nodes: Arc::new(nodes),
            macros: Arc::new(parser.macros),
        })
    }

    /// Renders the template against `scope`, with the default [`RenderLimits`].
    pub fn render(&self, scope: &Scope) -> Result<Rendered, VtlError> {
        self.render_with(scope, &RenderLimits::default())
    }

    /// Renders the template against `scope` within `limits`.
    pub fn render_with(&self, scope: &Scope, limits: &RenderLimits) -> Result<Rendered, VtlError> {
        let mut context = JMap {
            entries: scope
                .context
                .iter()
                .map(|(k, v)| (k.clone(), Value::from_json(v)))
                .collect(),
        };
        // `$context.responseOverride` is writable: the template sets `status` and
        // `header.<name>` on it, and API Gateway applies them to the response.
        let response_override = match context.get("responseOverride") {
            Some(Value::Map(m)) => m.clone(),
            _ => Rc::new(std::cell::RefCell::new(JMap::default())),
        };
        if !matches!(
            response_override.borrow().get("header"),
            Some(Value::Map(_))
        ) {
            response_override
                .borrow_mut()
                .put("header".into(), Value::map(JMap::default()));
        }
        context.put(
            "responseOverride".into(),
            Value::Map(response_override.clone()),
        );
        let stage = JMap {
            entries: scope
                .stage_variables
                .iter()
                .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
                .collect(),
        };
        let mut vars = HashMap::new();
        vars.insert(
            "input".to_string(),
            Value::Input(Rc::new(apigw::InputObject::new(scope.input.clone()))),
        );
        vars.insert("util".to_string(), Value::Util);
        vars.insert("context".to_string(), Value::map(context));
        vars.insert("stageVariables".to_string(), Value::map(stage));
        let renderer = eval::Renderer::new(&self.macros, limits, vars);
        let (text, _) = renderer
            .run(&self.nodes)
            .map_err(|f| locate(&self.source, f))?;
        let overrides = response_override.borrow();
        let status_override = match overrides.get("status") {
            Some(Value::Int(i)) => u16::try_from(*i).ok(),
            Some(Value::Str(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let header_overrides = match overrides.get("header") {
            Some(Value::Map(h)) => h
                .borrow()
                .entries
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.to_java_string()))
                .collect(),
            _ => BTreeMap::new(),
        };
        Ok(Rendered {
            text,
            status_override,
            header_overrides,
        })
    }
}

/// A failure's char offset as 1-based line and column.
fn locate(source: &str, fail: parse::Fail) -> VtlError {
    let mut line = 1;
    let mut column = 1;
    for c in source.chars().take(fail.pos) {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    VtlError {
        line,
        column,
        message: fail.message,
    }
}
