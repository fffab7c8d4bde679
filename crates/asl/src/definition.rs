//! The definition model: a state machine's JSON becomes a [`Machine`] of typed states whose
//! transitions are indexes, so the executor never looks a name up or meets a malformed
//! field. This file holds only the types; [`check`] builds them from JSON and refuses what
//! Step Functions' own validation would refuse.

use serde_json::Value;

use crate::choice::Rule;
use crate::jsonata_mode::Jtemplate;
use crate::jsonpath::Path;
use crate::payload::Template;

mod check;

pub(crate) use check::parse_machine;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum QueryLanguage {
    JsonPath,
    Jsonata,
}

#[derive(Debug, Clone)]
pub(crate) struct Machine {
    pub(crate) start_at: usize,
    pub(crate) states: Vec<State>,
    pub(crate) timeout_seconds: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) name: String,
    pub(crate) language: QueryLanguage,
    pub(crate) kind: Kind,
    /// `Some(index)` for `Next`, `None` for `End` (and for Choice, Succeed, Fail).
    pub(crate) next: Option<usize>,
    pub(crate) input_path: InOutPath,
    pub(crate) output_path: InOutPath,
    pub(crate) result_path: ResultPath,
    pub(crate) parameters: Option<Template>,
    pub(crate) result_selector: Option<Template>,
    pub(crate) arguments: Option<Jtemplate>,
    pub(crate) output: Option<Jtemplate>,
    pub(crate) assign: Option<Assign>,
    pub(crate) retry: Vec<Retrier>,
    pub(crate) catch: Vec<Catcher>,
}

/// `InputPath` / `OutputPath`: absent is `$`, `null` is `{}`.
#[derive(Debug, Clone)]
pub(crate) enum InOutPath {
    Whole,
    Discard,
    Path(Path),
}

/// `ResultPath`: absent is `$` (the result replaces the input), `null` keeps the input.
#[derive(Debug, Clone)]
pub(crate) enum ResultPath {
    Replace,
    Discard,
    Path(Path),
}

#[derive(Debug, Clone)]
pub(crate) enum Assign {
    JsonPath(Template),
    Jsonata(Jtemplate),
}

/// A field that is a fixed value, a path, or a JSONata expression.
#[derive(Debug, Clone)]
pub(crate) enum Dynamic<T> {
    Fixed(T),
    Path(Template),
    Jsonata(Jtemplate),
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Pass {
        result: Option<Value>,
    },
    Task,
    Choice {
        branches: Vec<ChoiceBranch>,
        default: Option<usize>,
    },
    Wait {
        seconds: Option<Dynamic<u64>>,
        timestamp: Option<Dynamic<i128>>,
    },
    Succeed,
    Fail {
        error: Option<Dynamic<String>>,
        cause: Option<Dynamic<String>>,
    },
    Parallel {
        branches: Vec<Machine>,
    },
    Map(Box<MapState>),
}

#[derive(Debug, Clone)]
pub(crate) struct MapState {
    pub(crate) processor: Machine,
    pub(crate) items_path: Option<Path>,
    pub(crate) items: Option<Jtemplate>,
    pub(crate) item_selector: Option<Selector>,
    pub(crate) tolerated_count: Option<u64>,
    pub(crate) tolerated_percentage: Option<f64>,
    /// A distributed-Map field that reads or writes S3 (`ItemReader`, `ItemBatcher`,
    /// `ResultWriter`): valid, but a local run cannot honour it.
    pub(crate) unsupported: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum Selector {
    JsonPath(Template),
    Jsonata(Jtemplate),
}

#[derive(Debug, Clone)]
pub(crate) enum Condition {
    Rule(Rule),
    Jsonata(Jtemplate),
}

#[derive(Debug, Clone)]
pub(crate) struct ChoiceBranch {
    pub(crate) condition: Condition,
    pub(crate) next: usize,
    pub(crate) assign: Option<Assign>,
    pub(crate) output: Option<Jtemplate>,
}

#[derive(Debug, Clone)]
pub(crate) struct Retrier {
    pub(crate) error_equals: Vec<String>,
    pub(crate) interval_seconds: f64,
    pub(crate) max_attempts: u64,
    pub(crate) backoff_rate: f64,
    pub(crate) max_delay_seconds: Option<f64>,
    pub(crate) full_jitter: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Catcher {
    pub(crate) error_equals: Vec<String>,
    pub(crate) next: usize,
    pub(crate) result_path: ResultPath,
    pub(crate) assign: Option<Assign>,
    pub(crate) output: Option<Jtemplate>,
}
