//! The definition checks: parse a state machine's JSON into the [`super`] model, or stop
//! at the first problem with a [`DefinitionError`] pointing at it (JSON Pointer), as Step
//! Functions' own validation would refuse it. Kept apart from the model because the model
//! is what the executor reads, and the checks are what only parsing needs.
//!
//! Checked here: `StartAt` and every `Next`/`Default`/Catch target exist; exactly one of
//! `End`/`Next`; terminal states (Succeed, Fail) have neither; no unknown fields (and no
//! JSONPath fields in JSONata states or the reverse); `QueryLanguage` (a JSONata machine
//! cannot hold JSONPath states); every path, intrinsic call, JSONata expression and Choice
//! rule compiles; Retry/Catch use `States.ALL` alone and last; every state is reachable.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    Assign, Catcher, ChoiceBranch, Condition, Dynamic, InOutPath, Kind, Machine, MapState,
    QueryLanguage, ResultPath, Retrier, Selector, State,
};
use crate::DefinitionError;
use crate::choice;
use crate::jsonata_mode::{Jtemplate, expression_text};
use crate::jsonpath::{Path, is_variable_name};
use crate::payload::{Template, compile_dynamic, escape_pointer};
use crate::time::parse_timestamp;

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

/// Refuses the first key of `map` that `allowed` does not list; `context` ends the message
/// (" in a retrier").
fn known_fields(
    map: &Map<String, Value>,
    pointer: &str,
    allowed: &[&str],
    context: &str,
) -> Check<()> {
    match map.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => err(
            &join(pointer, key),
            format!("unknown field `{key}`{context}"),
        ),
        None => Ok(()),
    }
}

/// An array that must hold at least one item; `message` says so when it does not.
fn non_empty_array<'a>(
    value: Option<&'a Value>,
    pointer: &str,
    message: &str,
) -> Check<&'a Vec<Value>> {
    match value {
        Some(Value::Array(items)) if !items.is_empty() => Ok(items),
        _ => err(pointer, message),
    }
}

/// An optional array of objects (`Retry`, `Catch`): absent is empty; each object is handed
/// to `item` with its pointer and whether it is the last, in order, so the first problem
/// found is the first in the definition.
fn object_list<T>(
    map: &Map<String, Value>,
    key: &str,
    pointer: &str,
    (array_message, item_message): (&str, &str),
    mut item: impl FnMut(&str, &Map<String, Value>, bool) -> Check<T>,
) -> Check<Vec<T>> {
    let Some(value) = map.get(key) else {
        return Ok(Vec::new());
    };
    let at = join(pointer, key);
    let Value::Array(items) = value else {
        return err(&at, array_message);
    };
    let mut out = Vec::new();
    for (i, value) in items.iter().enumerate() {
        let p = format!("{at}/{i}");
        let Value::Object(object) = value else {
            return err(&p, item_message);
        };
        out.push(item(&p, object, i + 1 == items.len())?);
    }
    Ok(out)
}

/// An optional integer of at least `min`; `message` says what it must be.
fn integer(
    map: &Map<String, Value>,
    key: &str,
    pointer: &str,
    min: u64,
    message: &str,
) -> Check<Option<u64>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if n >= min => Ok(Some(n)),
            _ => err(&join(pointer, key), message),
        },
    }
}

/// A field that is a fixed value (read by `fixed`), a `{% %}` expression in a JSONata state,
/// or a path in its `...Path` twin (`path_message` when that is not a string).
fn dynamic<T>(
    map: &Map<String, Value>,
    key: &str,
    pointer: &str,
    language: QueryLanguage,
    fixed: impl FnOnce(&Value) -> Result<T, String>,
    path_message: &str,
) -> Check<Option<Dynamic<T>>> {
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
            _ => fixed(v)
                .map(|t| Some(Dynamic::Fixed(t)))
                .or_else(|m| err(&at, m)),
        };
    }
    let path_key = format!("{key}Path");
    match map.get(&path_key) {
        Some(Value::String(s)) => compile_dynamic(s)
            .map(|t| Some(Dynamic::Path(t)))
            .or_else(|m| err(&join(pointer, &path_key), m)),
        Some(_) => err(&join(pointer, &path_key), path_message),
        None => Ok(None),
    }
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
    known_fields(map, pointer, allowed, "")?;
    let language = language(
        map.get("QueryLanguage"),
        &join(pointer, "QueryLanguage"),
        inherited,
    )?;
    let timeout_seconds = integer(
        map,
        "TimeoutSeconds",
        pointer,
        1,
        "TimeoutSeconds must be a positive integer",
    )?;
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

/// An optional field compiled by `compile`, whose errors point inside the field.
fn compiled<T>(
    map: &Map<String, Value>,
    key: &str,
    pointer: &str,
    compile: fn(&Value) -> Result<T, (String, String)>,
) -> Check<Option<T>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) => compile(v)
            .map(Some)
            .or_else(|(p, m)| err(&format!("{}{p}", join(pointer, key)), m)),
    }
}

fn template(map: &Map<String, Value>, key: &str, pointer: &str) -> Check<Option<Template>> {
    compiled(map, key, pointer, Template::compile)
}

fn jtemplate(map: &Map<String, Value>, key: &str, pointer: &str) -> Check<Option<Jtemplate>> {
    compiled(map, key, pointer, Jtemplate::compile)
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
    let items = non_empty_array(
        value,
        &at,
        "ErrorEquals must be a non-empty array of error names",
    )?;
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
    let messages = (
        "Retry must be an array of retriers",
        "a retrier must be an object",
    );
    object_list(map, "Retry", pointer, messages, |p, r, is_last| {
        known_fields(
            r,
            p,
            &[
                "ErrorEquals",
                "IntervalSeconds",
                "MaxAttempts",
                "BackoffRate",
                "MaxDelaySeconds",
                "JitterStrategy",
                "Comment",
            ],
            " in a retrier",
        )?;
        let max_attempts = integer(
            r,
            "MaxAttempts",
            p,
            0,
            "MaxAttempts must be a non-negative integer",
        )?
        .unwrap_or(3);
        let full_jitter = match r.get("JitterStrategy") {
            None => false,
            Some(Value::String(s)) if s == "FULL" => true,
            Some(Value::String(s)) if s == "NONE" => false,
            Some(_) => {
                return err(
                    &join(p, "JitterStrategy"),
                    "JitterStrategy must be FULL or NONE",
                );
            }
        };
        Ok(Retrier {
            error_equals: error_names(r.get("ErrorEquals"), p, is_last)?,
            interval_seconds: number(r, "IntervalSeconds", p, 1.0, 1.0)?,
            max_attempts,
            backoff_rate: number(r, "BackoffRate", p, 2.0, 1.0)?,
            max_delay_seconds: if r.contains_key("MaxDelaySeconds") {
                Some(number(r, "MaxDelaySeconds", p, 0.0, 1.0)?)
            } else {
                None
            },
            full_jitter,
        })
    })
}

fn catchers(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
    names: &BTreeMap<&str, usize>,
) -> Check<Vec<Catcher>> {
    let allowed: &[&str] = match language {
        QueryLanguage::JsonPath => &["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"],
        QueryLanguage::Jsonata => &["ErrorEquals", "Next", "Output", "Assign", "Comment"],
    };
    let messages = (
        "Catch must be an array of catchers",
        "a catcher must be an object",
    );
    object_list(map, "Catch", pointer, messages, |p, c, is_last| {
        known_fields(c, p, allowed, " in a catcher")?;
        Ok(Catcher {
            error_equals: error_names(c.get("ErrorEquals"), p, is_last)?,
            next: target(c.get("Next"), &join(p, "Next"), names)?,
            result_path: result_path(c, p)?,
            assign: assign(c, p, language)?,
            output: jtemplate(c, "Output", p)?,
        })
    })
}

/// A non-negative integer, a JSONPath `...Path` field, or a `{% %}` expression.
fn wait_seconds(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
) -> Check<Option<Dynamic<u64>>> {
    let fixed = |v: &Value| {
        v.as_u64()
            .ok_or_else(|| "Seconds must be a non-negative integer".to_owned())
    };
    dynamic(
        map,
        "Seconds",
        pointer,
        language,
        fixed,
        "SecondsPath must be a path",
    )
}

fn wait_timestamp(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
) -> Check<Option<Dynamic<i128>>> {
    let fixed = |v: &Value| match v {
        Value::String(s) => parse_timestamp(s).ok_or_else(|| {
            "Timestamp must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z".to_owned()
        }),
        _ => Err("Timestamp must be a string".to_owned()),
    };
    dynamic(
        map,
        "Timestamp",
        pointer,
        language,
        fixed,
        "TimestampPath must be a path",
    )
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
    let fixed = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        _ => Err(format!("{key} must be a string")),
    };
    dynamic(
        map,
        key,
        pointer,
        language,
        fixed,
        &format!("{path_key} must be a path or an intrinsic function"),
    )
}

fn parse_choice(
    map: &Map<String, Value>,
    pointer: &str,
    language: QueryLanguage,
    names: &BTreeMap<&str, usize>,
) -> Check<Kind> {
    let at = join(pointer, "Choices");
    let rules = non_empty_array(
        map.get("Choices"),
        &at,
        "Choices must be a non-empty array of rules",
    )?;
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
                known_fields(
                    r,
                    &p,
                    &["Condition", "Next", "Assign", "Output", "Comment"],
                    " in a JSONata choice rule",
                )?;
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
    let tolerated_count = integer(
        map,
        "ToleratedFailureCount",
        pointer,
        0,
        "ToleratedFailureCount must be a non-negative integer",
    )?;
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
            let branches = non_empty_array(
                map.get("Branches"),
                &at,
                "Branches must be a non-empty array of state machines",
            )?;
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
