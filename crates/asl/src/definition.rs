//! The definition model and its checks: a state machine's JSON becomes a [`Machine`] of
//! typed states whose transitions are indexes, or a [`DefinitionError`] pointing at the
//! first problem (JSON Pointer), as Step Functions' own validation would refuse it.
//!
//! Checked here: `StartAt` and every `Next`/`Default`/Catch target exist; exactly one of
//! `End`/`Next`; terminal states (Succeed, Fail) have neither; no unknown fields (and no
//! JSONPath fields in JSONata states or the reverse); `QueryLanguage` (a JSONata machine
//! cannot hold JSONPath states); every path, intrinsic call, JSONata expression and Choice
//! rule compiles; Retry/Catch use `States.ALL` alone and last; every state is reachable.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::DefinitionError;
use crate::choice::{self, Rule};
use crate::jsonata_mode::{Jtemplate, expression_text};
use crate::jsonpath::{Path, is_variable_name};
use crate::payload::{Template, compile_dynamic, escape_pointer};
use crate::time::parse_timestamp;

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

type Check<T> = Result<T, DefinitionError>;

fn err<T>(pointer: &str, message: impl Into<String>) -> Check<T> {
    Err(DefinitionError {
        pointer: pointer.to_owned(),
        message: message.into(),
    })
}

fn join(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", escape_pointer(key))
}

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];
const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "Iterator",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
];
const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items"];

fn allowed_fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pass" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Parameters",
            "Result",
            "ResultPath",
            "Assign",
            "Output",
        ],
        "Task" => &[
            "Next",
            "End",
            "Resource",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Arguments",
            "Output",
            "Assign",
        ],
        "Choice" => &[
            "Choices",
            "Default",
            "InputPath",
            "OutputPath",
            "Assign",
            "Output",
        ],
        "Wait" => &[
            "Next",
            "End",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "InputPath",
            "OutputPath",
            "Assign",
            "Output",
        ],
        "Succeed" => &["InputPath", "OutputPath", "Output"],
        "Fail" => &["Error", "Cause", "ErrorPath", "CausePath"],
        "Parallel" => &[
            "Branches",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Arguments",
            "Output",
            "Assign",
        ],
        "Map" => &[
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "Parameters",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ItemReader",
            "ResultWriter",
            "ItemBatcher",
            "Label",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Arguments",
            "Output",
            "Assign",
        ],
        _ => return None,
    })
}

fn language(
    value: Option<&Value>,
    pointer: &str,
    inherited: QueryLanguage,
) -> Check<QueryLanguage> {
    match value {
        None => Ok(inherited),
        Some(Value::String(s)) if s == "JSONPath" => {
            if inherited == QueryLanguage::Jsonata {
                return err(
                    pointer,
                    "a state cannot use JSONPath when the state machine uses JSONata",
                );
            }
            Ok(QueryLanguage::JsonPath)
        }
        Some(Value::String(s)) if s == "JSONata" => Ok(QueryLanguage::Jsonata),
        Some(_) => err(pointer, "QueryLanguage must be \"JSONPath\" or \"JSONata\""),
    }
}

/// Parses a whole state machine definition (top level or a branch / item processor).
pub(crate) fn parse_machine(
    value: &Value,
    pointer: &str,
    inherited: QueryLanguage,
    top_level: bool,
) -> Check<Machine> {
    let Value::Object(map) = value else {
        return err(pointer, "a state machine definition must be an object");
    };
    let allowed: &[&str] = if top_level {
        &[
            "StartAt",
            "States",
            "Comment",
            "Version",
            "TimeoutSeconds",
            "QueryLanguage",
        ]
    } else {
        &[
            "StartAt",
            "States",
            "Comment",
            "ProcessorConfig",
            "QueryLanguage",
        ]
    };
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            return err(&join(pointer, key), format!("unknown field `{key}`"));
        }
    }
    let language = language(
        map.get("QueryLanguage"),
        &join(pointer, "QueryLanguage"),
        inherited,
    )?;
    let timeout_seconds = match map.get("TimeoutSeconds") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(n) if n > 0 => Some(n),
            _ => {
                return err(
                    &join(pointer, "TimeoutSeconds"),
                    "TimeoutSeconds must be a positive integer",
                );
            }
        },
    };
    let Some(Value::Object(states)) = map.get("States") else {
        return err(pointer, "`States` must be an object of states");
    };
    if states.is_empty() {
        return err(
            &join(pointer, "States"),
            "`States` must hold at least one state",
        );
    }
    let names: BTreeMap<&str, usize> = states
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let start_at = match map.get("StartAt") {
        Some(Value::String(s)) => match names.get(s.as_str()) {
            Some(i) => *i,
            None => {
                return err(
                    &join(pointer, "StartAt"),
                    format!("StartAt names `{s}`, which is not a state"),
                );
            }
        },
        _ => return err(pointer, "`StartAt` must name the first state"),
    };
    let states_pointer = join(pointer, "States");
    let mut parsed = Vec::with_capacity(states.len());
    for (name, state) in states {
        if name.is_empty() || name.chars().count() > 80 {
            return err(
                &join(&states_pointer, name),
                "a state name has 1 to 80 characters",
            );
        }
        parsed.push(parse_state(
            name,
            state,
            &join(&states_pointer, name),
            language,
            &names,
        )?);
    }
    if top_level {
        check_unique_names(value, "", &mut BTreeMap::new())?;
    }
    let machine = Machine {
        start_at,
        states: parsed,
        timeout_seconds,
    };
    check_reachable(&machine, &states_pointer)?;
    Ok(machine)
}

/// State names are unique across the whole definition, branches and item processors
/// included (Step Functions refuses duplicates; mocks and steps are keyed by name).
fn check_unique_names(
    machine: &Value,
    pointer: &str,
    seen: &mut BTreeMap<String, String>,
) -> Check<()> {
    let Some(Value::Object(states)) = machine.get("States") else {
        return Ok(());
    };
    let states_pointer = join(pointer, "States");
    for (name, state) in states {
        let at = join(&states_pointer, name);
        if let Some(first) = seen.insert(name.clone(), at.clone()) {
            return err(
                &at,
                format!("state name `{name}` is already used at {first}"),
            );
        }
        if let Some(Value::Array(branches)) = state.get("Branches") {
            for (i, branch) in branches.iter().enumerate() {
                check_unique_names(branch, &format!("{at}/Branches/{i}"), seen)?;
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(key) {
                check_unique_names(processor, &join(&at, key), seen)?;
            }
        }
    }
    Ok(())
}

fn check_reachable(machine: &Machine, pointer: &str) -> Check<()> {
    let mut seen = vec![false; machine.states.len()];
    let mut todo = vec![machine.start_at];
    while let Some(i) = todo.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let state = &machine.states[i];
        todo.extend(state.next);
        todo.extend(state.catch.iter().map(|c| c.next));
        if let Kind::Choice { branches, default } = &state.kind {
            todo.extend(branches.iter().map(|b| b.next));
            todo.extend(*default);
        }
    }
    match seen.iter().position(|s| !s) {
        Some(i) => err(
            &join(pointer, &machine.states[i].name),
            format!("state `{}` is not reachable", machine.states[i].name),
        ),
        None => Ok(()),
    }
}

fn target(value: Option<&Value>, pointer: &str, names: &BTreeMap<&str, usize>) -> Check<usize> {
    match value {
        Some(Value::String(s)) => names.get(s.as_str()).copied().map_or_else(
            || {
                err(
                    pointer,
                    format!("`{s}` is not a state of this state machine"),
                )
            },
            Ok,
        ),
        _ => err(pointer, "expected the name of a state"),
    }
}

fn in_out_path(map: &Map<String, Value>, key: &str, pointer: &str) -> Check<InOutPath> {
    match map.get(key) {
        None => Ok(InOutPath::Whole),
        Some(Value::Null) => Ok(InOutPath::Discard),
        Some(Value::String(s)) => Path::parse(s)
            .map(InOutPath::Path)
            .or_else(|m| err(&join(pointer, key), m)),
        Some(_) => err(&join(pointer, key), format!("{key} must be a path or null")),
    }
}

pub(crate) fn result_path(map: &Map<String, Value>, pointer: &str) -> Check<ResultPath> {
    match map.get("ResultPath") {
        None => Ok(ResultPath::Replace),
        Some(Value::Null) => Ok(ResultPath::Discard),
        Some(Value::String(s)) if s == "$" => Ok(ResultPath::Replace),
        Some(Value::String(s)) => Path::parse_reference(s)
            .map(ResultPath::Path)
            .or_else(|m| err(&join(pointer, "ResultPath"), m)),
        Some(_) => err(
            &join(pointer, "ResultPath"),
            "ResultPath must be a reference path or null",
        ),
    }
}

fn template(map: &Map<String, Value>, key: &str, pointer: &str) -> Check<Option<Template>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) => Template::compile(v)
            .map(Some)
            .or_else(|(p, m)| err(&format!("{}{p}", join(pointer, key)), m)),
    }
}

fn jtemplate(map: &Map<String, Value>, key: &str, pointer: &str) -> Check<Option<Jtemplate>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) => Jtemplate::compile(v)
            .map(Some)
            .or_else(|(p, m)| err(&format!("{}{p}", join(pointer, key)), m)),
    }
}

fn assign(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
) -> Check<Option<Assign>> {
    let Some(value) = map.get("Assign") else {
        return Ok(None);
    };
    let at = join(pointer, "Assign");
    let Value::Object(fields) = value else {
        return err(&at, "Assign must be an object of variable names");
    };
    for key in fields.keys() {
        let name = match language {
            QueryLanguage::JsonPath => key.strip_suffix(".$").unwrap_or(key),
            QueryLanguage::Jsonata => key,
        };
        if !is_variable_name(name) || name == "states" {
            return err(
                &join(&at, key),
                format!("`{name}` is not a valid variable name"),
            );
        }
    }
    Ok(Some(match language {
        QueryLanguage::JsonPath => Assign::JsonPath(
            template(map, "Assign", pointer)?.unwrap_or(Template::Literal(Value::Null)),
        ),
        QueryLanguage::Jsonata => Assign::Jsonata(
            jtemplate(map, "Assign", pointer)?.unwrap_or(Jtemplate::Literal(Value::Null)),
        ),
    }))
}

fn error_names(value: Option<&Value>, pointer: &str, is_last: bool) -> Check<Vec<String>> {
    let at = join(pointer, "ErrorEquals");
    let Some(Value::Array(items)) = value else {
        return err(&at, "ErrorEquals must be a non-empty array of error names");
    };
    if items.is_empty() {
        return err(&at, "ErrorEquals must be a non-empty array of error names");
    }
    let mut names = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => names.push(s.clone()),
            _ => return err(&format!("{at}/{i}"), "an error name must be a string"),
        }
    }
    if names.iter().any(|n| n == "States.ALL") {
        if names.len() != 1 {
            return err(&at, "States.ALL must appear alone in ErrorEquals");
        }
        if !is_last {
            return err(&at, "a States.ALL entry must be the last one");
        }
    }
    Ok(names)
}

fn number(
    map: &Map<String, Value>,
    key: &str,
    pointer: &str,
    default: f64,
    min: f64,
) -> Check<f64> {
    match map.get(key) {
        None => Ok(default),
        Some(v) => match v.as_f64() {
            Some(n) if n >= min => Ok(n),
            _ => err(
                &join(pointer, key),
                format!("{key} must be a number of at least {min}"),
            ),
        },
    }
}

fn retriers(map: &Map<String, Value>, pointer: &str) -> Check<Vec<Retrier>> {
    let Some(value) = map.get("Retry") else {
        return Ok(Vec::new());
    };
    let at = join(pointer, "Retry");
    let Value::Array(items) = value else {
        return err(&at, "Retry must be an array of retriers");
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{at}/{i}");
        let Value::Object(r) = item else {
            return err(&p, "a retrier must be an object");
        };
        for key in r.keys() {
            if ![
                "ErrorEquals",
                "IntervalSeconds",
                "MaxAttempts",
                "BackoffRate",
                "MaxDelaySeconds",
                "JitterStrategy",
                "Comment",
            ]
            .contains(&key.as_str())
            {
                return err(
                    &join(&p, key),
                    format!("unknown field `{key}` in a retrier"),
                );
            }
        }
        let max_attempts = match r.get("MaxAttempts") {
            None => 3,
            Some(v) => v.as_u64().map_or_else(
                || {
                    err(
                        &join(&p, "MaxAttempts"),
                        "MaxAttempts must be a non-negative integer",
                    )
                },
                Ok,
            )?,
        };
        let full_jitter = match r.get("JitterStrategy") {
            None => false,
            Some(Value::String(s)) if s == "FULL" => true,
            Some(Value::String(s)) if s == "NONE" => false,
            Some(_) => {
                return err(
                    &join(&p, "JitterStrategy"),
                    "JitterStrategy must be FULL or NONE",
                );
            }
        };
        out.push(Retrier {
            error_equals: error_names(r.get("ErrorEquals"), &p, i + 1 == items.len())?,
            interval_seconds: number(r, "IntervalSeconds", &p, 1.0, 1.0)?,
            max_attempts,
            backoff_rate: number(r, "BackoffRate", &p, 2.0, 1.0)?,
            max_delay_seconds: if r.contains_key("MaxDelaySeconds") {
                Some(number(r, "MaxDelaySeconds", &p, 0.0, 1.0)?)
            } else {
                None
            },
            full_jitter,
        });
    }
    Ok(out)
}

fn catchers(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
    names: &BTreeMap<&str, usize>,
) -> Check<Vec<Catcher>> {
    let Some(value) = map.get("Catch") else {
        return Ok(Vec::new());
    };
    let at = join(pointer, "Catch");
    let Value::Array(items) = value else {
        return err(&at, "Catch must be an array of catchers");
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{at}/{i}");
        let Value::Object(c) = item else {
            return err(&p, "a catcher must be an object");
        };
        let allowed: &[&str] = match language {
            QueryLanguage::JsonPath => &["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"],
            QueryLanguage::Jsonata => &["ErrorEquals", "Next", "Output", "Assign", "Comment"],
        };
        for key in c.keys() {
            if !allowed.contains(&key.as_str()) {
                return err(
                    &join(&p, key),
                    format!("unknown field `{key}` in a catcher"),
                );
            }
        }
        out.push(Catcher {
            error_equals: error_names(c.get("ErrorEquals"), &p, i + 1 == items.len())?,
            next: target(c.get("Next"), &join(&p, "Next"), names)?,
            result_path: result_path(c, &p)?,
            assign: assign(c, &p, language)?,
            output: jtemplate(c, "Output", &p)?,
        });
    }
    Ok(out)
}

/// A non-negative integer, a JSONPath `...Path` field, or a `{% %}` expression.
fn wait_seconds(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
) -> Check<Option<Dynamic<u64>>> {
    if let Some(v) = map.get("Seconds") {
        let at = join(pointer, "Seconds");
        return match v {
            Value::String(s)
                if language == QueryLanguage::Jsonata && expression_text(s).is_some() =>
            {
                Jtemplate::compile(v)
                    .map(|t| Some(Dynamic::Jsonata(t)))
                    .or_else(|(_, m)| err(&at, m))
            }
            _ => match v.as_u64() {
                Some(n) => Ok(Some(Dynamic::Fixed(n))),
                None => err(&at, "Seconds must be a non-negative integer"),
            },
        };
    }
    match map.get("SecondsPath") {
        Some(Value::String(s)) => compile_dynamic(s)
            .map(|t| Some(Dynamic::Path(t)))
            .or_else(|m| err(&join(pointer, "SecondsPath"), m)),
        Some(_) => err(&join(pointer, "SecondsPath"), "SecondsPath must be a path"),
        None => Ok(None),
    }
}

fn wait_timestamp(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
) -> Check<Option<Dynamic<i128>>> {
    if let Some(v) = map.get("Timestamp") {
        let at = join(pointer, "Timestamp");
        return match v {
            Value::String(s)
                if language == QueryLanguage::Jsonata && expression_text(s).is_some() =>
            {
                Jtemplate::compile(v)
                    .map(|t| Some(Dynamic::Jsonata(t)))
                    .or_else(|(_, m)| err(&at, m))
            }
            Value::String(s) => match parse_timestamp(s) {
                Some(t) => Ok(Some(Dynamic::Fixed(t))),
                None => err(
                    &at,
                    "Timestamp must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z",
                ),
            },
            _ => err(&at, "Timestamp must be a string"),
        };
    }
    match map.get("TimestampPath") {
        Some(Value::String(s)) => compile_dynamic(s)
            .map(|t| Some(Dynamic::Path(t)))
            .or_else(|m| err(&join(pointer, "TimestampPath"), m)),
        Some(_) => err(
            &join(pointer, "TimestampPath"),
            "TimestampPath must be a path",
        ),
        None => Ok(None),
    }
}

fn fail_text(
    map: &Map<String, Value>,
    key: &str,
    pointer: &str,
    language: QueryLanguage,
) -> Check<Option<Dynamic<String>>> {
    let path_key = format!("{key}Path");
    if map.contains_key(key) && map.contains_key(&path_key) {
        return err(pointer, format!("{key} and {path_key} cannot both be set"));
    }
    if let Some(v) = map.get(key) {
        let at = join(pointer, key);
        return match v {
            Value::String(s)
                if language == QueryLanguage::Jsonata && expression_text(s).is_some() =>
            {
                Jtemplate::compile(v)
                    .map(|t| Some(Dynamic::Jsonata(t)))
                    .or_else(|(_, m)| err(&at, m))
            }
            Value::String(s) => Ok(Some(Dynamic::Fixed(s.clone()))),
            _ => err(&at, format!("{key} must be a string")),
        };
    }
    match map.get(&path_key) {
        Some(Value::String(s)) => compile_dynamic(s)
            .map(|t| Some(Dynamic::Path(t)))
            .or_else(|m| err(&join(pointer, &path_key), m)),
        Some(_) => err(
            &join(pointer, &path_key),
            format!("{path_key} must be a path or an intrinsic function"),
        ),
        None => Ok(None),
    }
}

fn parse_choice(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
    names: &BTreeMap<&str, usize>,
) -> Check<Kind> {
    let at = join(pointer, "Choices");
    let Some(Value::Array(rules)) = map.get("Choices") else {
        return err(&at, "Choices must be a non-empty array of rules");
    };
    if rules.is_empty() {
        return err(&at, "Choices must be a non-empty array of rules");
    }
    let mut branches = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let p = format!("{at}/{i}");
        let Value::Object(r) = rule else {
            return err(&p, "a choice rule must be an object");
        };
        let condition = match language {
            QueryLanguage::JsonPath => Condition::Rule(
                choice::compile(rule, &p, &["Next", "Assign"]).or_else(|(ptr, m)| err(&ptr, m))?,
            ),
            QueryLanguage::Jsonata => {
                for key in r.keys() {
                    if !["Condition", "Next", "Assign", "Output", "Comment"].contains(&key.as_str())
                    {
                        return err(
                            &join(&p, key),
                            format!("unknown field `{key}` in a JSONata choice rule"),
                        );
                    }
                }
                match r.get("Condition") {
                    Some(v @ Value::Bool(_)) => Condition::Jsonata(Jtemplate::Literal(v.clone())),
                    Some(Value::String(s)) if expression_text(s).is_some() => Condition::Jsonata(
                        jtemplate(r, "Condition", &p)?
                            .unwrap_or(Jtemplate::Literal(Value::Bool(false))),
                    ),
                    _ => {
                        return err(
                            &join(&p, "Condition"),
                            "a JSONata choice rule needs a `Condition` of the form {% ... %}",
                        );
                    }
                }
            }
        };
        branches.push(ChoiceBranch {
            condition,
            next: target(r.get("Next"), &join(&p, "Next"), names)?,
            assign: assign(r, &p, language)?,
            output: jtemplate(r, "Output", &p)?,
        });
    }
    let default = match map.get("Default") {
        None => None,
        v => Some(target(v, &join(pointer, "Default"), names)?),
    };
    Ok(Kind::Choice { branches, default })
}

fn parse_map(map: &Map<String, Value>, pointer: &str, language: QueryLanguage) -> Check<Kind> {
    let processor_key = match (
        map.contains_key("ItemProcessor"),
        map.contains_key("Iterator"),
    ) {
        (true, false) => "ItemProcessor",
        (false, true) => "Iterator",
        (true, true) => {
            return err(
                pointer,
                "a Map state has ItemProcessor or Iterator, not both",
            );
        }
        (false, false) => return err(pointer, "a Map state needs an ItemProcessor"),
    };
    let processor = parse_machine(
        &map[processor_key],
        &join(pointer, processor_key),
        language,
        false,
    )?;
    if map.contains_key("ItemSelector") && map.contains_key("Parameters") {
        return err(
            pointer,
            "a Map state has ItemSelector or Parameters, not both",
        );
    }
    let selector_key = if map.contains_key("Parameters") {
        "Parameters"
    } else {
        "ItemSelector"
    };
    let item_selector = match language {
        QueryLanguage::JsonPath => template(map, selector_key, pointer)?.map(Selector::JsonPath),
        QueryLanguage::Jsonata => jtemplate(map, selector_key, pointer)?.map(Selector::Jsonata),
    };
    let items_path = match map.get("ItemsPath") {
        None => None,
        Some(Value::String(s)) => {
            Some(Path::parse(s).or_else(|m| err(&join(pointer, "ItemsPath"), m))?)
        }
        Some(_) => return err(&join(pointer, "ItemsPath"), "ItemsPath must be a path"),
    };
    let tolerated_count = match map.get("ToleratedFailureCount") {
        None => None,
        Some(v) => Some(v.as_u64().map_or_else(
            || {
                err(
                    &join(pointer, "ToleratedFailureCount"),
                    "ToleratedFailureCount must be a non-negative integer",
                )
            },
            Ok,
        )?),
    };
    let tolerated_percentage = match map.get("ToleratedFailurePercentage") {
        None => None,
        Some(v) => Some(match v.as_f64() {
            Some(p) if (0.0..=100.0).contains(&p) => p,
            _ => {
                return err(
                    &join(pointer, "ToleratedFailurePercentage"),
                    "ToleratedFailurePercentage must be between 0 and 100",
                );
            }
        }),
    };
    // Accepted and checked, but iterations run one at a time whatever it says.
    let concurrency_ok = |v: &Value| {
        v.as_u64().is_some()
            || (language == QueryLanguage::Jsonata
                && v.as_str().is_some_and(|s| expression_text(s).is_some()))
    };
    if map
        .get("MaxConcurrency")
        .is_some_and(|v| !concurrency_ok(v))
    {
        return err(
            &join(pointer, "MaxConcurrency"),
            "MaxConcurrency must be a non-negative integer",
        );
    }
    Ok(Kind::Map(Box::new(MapState {
        processor,
        items_path,
        items: jtemplate(map, "Items", pointer)?,
        item_selector,
        tolerated_count,
        tolerated_percentage,
        unsupported: ["ItemReader", "ItemBatcher", "ResultWriter"]
            .into_iter()
            .find(|k| map.contains_key(*k))
            .map(str::to_owned),
    })))
}

fn parse_state(
    name: &str,
    value: &Value,
    pointer: &str,
    inherited: QueryLanguage,
    names: &BTreeMap<&str, usize>,
) -> Check<State> {
    let Value::Object(map) = value else {
        return err(pointer, "a state must be an object");
    };
    let type_name = match map.get("Type") {
        Some(Value::String(t)) => t.as_str(),
        _ => return err(pointer, "a state needs a `Type`"),
    };
    let Some(allowed) = allowed_fields(type_name) else {
        return err(
            &join(pointer, "Type"),
            format!("unknown state type `{type_name}`"),
        );
    };
    let language = language(
        map.get("QueryLanguage"),
        &join(pointer, "QueryLanguage"),
        inherited,
    )?;
    for key in map.keys() {
        let k = key.as_str();
        if !COMMON.contains(&k) && !allowed.contains(&k) {
            return err(
                &join(pointer, key),
                format!("unknown field `{key}` in a {type_name} state"),
            );
        }
        let wrong = match language {
            QueryLanguage::JsonPath => JSONATA_ONLY.contains(&k),
            QueryLanguage::Jsonata => JSONPATH_ONLY.contains(&k),
        };
        if wrong {
            let lang = if language == QueryLanguage::Jsonata {
                "JSONata"
            } else {
                "JSONPath"
            };
            return err(
                &join(pointer, key),
                format!("`{key}` cannot be used in a {lang} state"),
            );
        }
    }
    let terminal = matches!(type_name, "Choice" | "Succeed" | "Fail");
    let next = match (map.get("Next"), map.get("End")) {
        _ if terminal => None,
        (Some(n), None) => Some(target(Some(n), &join(pointer, "Next"), names)?),
        (None, Some(Value::Bool(true))) => None,
        (None, Some(_)) => return err(&join(pointer, "End"), "End must be true"),
        (Some(_), Some(_)) => return err(pointer, "a state has either Next or End, not both"),
        (None, None) => return err(pointer, "a state needs Next or End"),
    };
    let kind = match type_name {
        "Pass" => Kind::Pass {
            result: map.get("Result").cloned(),
        },
        "Task" => {
            if !map.get("Resource").is_some_and(Value::is_string) {
                return err(pointer, "a Task state needs a `Resource` string");
            }
            for key in ["TimeoutSeconds", "HeartbeatSeconds"] {
                if let Some(v) = map.get(key) {
                    let ok = v.as_u64().is_some_and(|n| n > 0)
                        || v.as_str().is_some_and(|s| expression_text(s).is_some());
                    if !ok {
                        return err(
                            &join(pointer, key),
                            format!("{key} must be a positive integer"),
                        );
                    }
                }
            }
            Kind::Task
        }
        "Choice" => parse_choice(map, pointer, language, names)?,
        "Wait" => {
            let seconds = wait_seconds(map, pointer, language)?;
            let timestamp = wait_timestamp(map, pointer, language)?;
            let count = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]
                .iter()
                .filter(|k| map.contains_key(**k))
                .count();
            if count != 1 {
                return err(
                    pointer,
                    "a Wait state has exactly one of Seconds, SecondsPath, Timestamp, TimestampPath",
                );
            }
            Kind::Wait { seconds, timestamp }
        }
        "Succeed" => Kind::Succeed,
        "Fail" => Kind::Fail {
            error: fail_text(map, "Error", pointer, language)?,
            cause: fail_text(map, "Cause", pointer, language)?,
        },
        "Parallel" => {
            let at = join(pointer, "Branches");
            let Some(Value::Array(branches)) = map.get("Branches") else {
                return err(&at, "Branches must be a non-empty array of state machines");
            };
            if branches.is_empty() {
                return err(&at, "Branches must be a non-empty array of state machines");
            }
            Kind::Parallel {
                branches: branches
                    .iter()
                    .enumerate()
                    .map(|(i, b)| parse_machine(b, &format!("{at}/{i}"), language, false))
                    .collect::<Check<_>>()?,
            }
        }
        _ => parse_map(map, pointer, language)?,
    };
    let parameters = if type_name == "Map" {
        None
    } else {
        template(map, "Parameters", pointer)?
    };
    Ok(State {
        name: name.to_owned(),
        language,
        next,
        input_path: in_out_path(map, "InputPath", pointer)?,
        output_path: in_out_path(map, "OutputPath", pointer)?,
        result_path: result_path(map, pointer)?,
        parameters,
        result_selector: template(map, "ResultSelector", pointer)?,
        arguments: jtemplate(map, "Arguments", pointer)?,
        output: jtemplate(map, "Output", pointer)?,
        assign: assign(map, pointer, language)?,
        retry: retriers(map, pointer)?,
        catch: catchers(map, pointer, language, names)?,
        kind,
    })
}
