//! The JSONata query language, as Step Functions evaluates it (`QueryLanguage: JSONata`).
//!
//! An [`Expression`] is parsed once and evaluated against an input document and an
//! [`Environment`] of bound variables (`$states`, variables assigned by `Assign`) and
//! native functions (Step Functions adds `$partition`, `$range`, `$hash`, `$random`,
//! `$uuid`, `$parse`). JSONata's "undefined" is `None`.
//!
//! Semantics follow JSONata 2.x (the `jsonata` npm package is the oracle of the
//! differential test in `tests/`): path navigation with sequence flattening, predicates,
//! order-by, grouping, lambdas and closures, partial application, `~>`, regexes, and the
//! standard function library. Errors carry the reference implementation's codes.
//!
//! Time: `$now()` and `$millis()` read the clock once per evaluation. To fix it (tests,
//! an emulator's recorded runs), call [`Expression::evaluate_at`], or provide host
//! functions named `now`/`millis` in [`Environment::functions`] (host functions shadow the
//! library's).
//!
//! Bounds: parsing nests at most 200 deep and evaluation (sub-expressions plus function
//! calls) at most 2,000 deep; beyond that the error is `U1001`, never a crash. Both run
//! on a thread of their own with a large stack, so the caller's stack size does not matter.
//! Ranges hold at most ten million items (`D2014`) and built strings at most 64 MiB
//! (`U1005`); there is no overall time or memory budget (`$map` over a big range of big
//! ranges can still exhaust memory).
//!
//! What this crate is not: it knows nothing of states or workflows. Not supported:
//! grouping `{...}` over `@`/`#` tuple streams, the element types of
//! array signatures (`a<n>`) on lambdas, day names and words in `$toMillis` pictures, and
//! regex syntax the `regex` crate lacks (look-around, back-references).

mod ast;
mod error;
mod eval;
mod functions;
mod lexer;
mod parser;
mod value;

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value;

/// A parsed JSONata expression.
#[derive(Debug, Clone)]
pub struct Expression {
    ast: ast::Node,
    /// Whether `%` occurs: only then do paths track parents.
    uses_parent: bool,
}

/// A JSONata error, with the reference implementation's code.
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
    /// The clock `$now()` and `$millis()` read, in milliseconds since the Unix epoch;
    /// `None` reads the system clock (once per evaluation).
    pub now_millis: Option<i64>,
}

impl Expression {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Expression, JsonataError> {
        let ast = on_large_stack(|| parser::parse(source))?;
        let uses_parent = ast.contains_parent();
        Ok(Expression { ast, uses_parent })
    }

    /// Evaluates against `input` (`None`: no input) in `environment`, with `$now()` and
    /// `$millis()` reading [`Environment::now_millis`], or else the system clock (once).
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        environment: &Environment,
    ) -> Result<Option<Value>, JsonataError> {
        let now = environment.now_millis.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        });
        self.evaluate_at(input, environment, now)
    }

    /// As [`Expression::evaluate`], with the clock fixed at `now_millis` (milliseconds
    /// since the Unix epoch): what `$millis()` returns and `$now()` formats.
    pub fn evaluate_at(
        &self,
        input: Option<&Value>,
        environment: &Environment,
        now_millis: i64,
    ) -> Result<Option<Value>, JsonataError> {
        on_large_stack(|| {
            let root = input.map_or(value::Val::Undefined, value::Val::from_json);
            let mut evaluator = eval::Evaluator::new(environment, root.clone(), now_millis as f64);
            evaluator.uses_parent = self.uses_parent;
            let frame = Rc::new(eval::Frame::default());
            let context = value::Val::wrap_input(root);
            let result = evaluator.eval(&self.ast, &context, &frame)?;
            result.to_json()
        })
    }
}

/// The stack parsing and evaluation run on: enough for the depth bounds
/// ([`parser::MAX_DEPTH`], [`eval::MAX_EVAL_DEPTH`]) even in a debug build, whatever the
/// caller's own stack (an async runtime's worker threads have 2 MiB). Only the pages used
/// are committed.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// Runs `work` on a thread with a [`STACK_BYTES`] stack, so the depth bounds, not the
/// caller's stack size, decide how deep an expression may go.
fn on_large_stack<T: Send>(
    work: impl FnOnce() -> Result<T, JsonataError> + Send,
) -> Result<T, JsonataError> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("jsonata".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, work)
            .map_err(|e| {
                JsonataError::new(
                    "U1003",
                    None,
                    format!("cannot start the evaluation thread: {e}"),
                )
            })?;
        handle.join().unwrap_or_else(|_| {
            Err(JsonataError::new(
                "U1004",
                None,
                "the evaluation panicked (a bug in stackweave-jsonata)",
            ))
        })
    })
}
