//! The executor: runs a [`Machine`] state by state on a virtual clock, applying each
//! state's input/output processing (JSONPath or JSONata), Retry and Catch, and recording a
//! [`Step`] per state entered.
//!
//! Nothing sleeps: Wait states and retry delays move the clock forward, and the execution
//! times out when the clock passes the machine's `TimeoutSeconds` or the 5 minutes an
//! Express workflow may run. Every state entered counts as one transition; past
//! [`crate::MAX_TRANSITIONS`] the run stops with [`RunError::TransitionLimit`], so a loop
//! without Wait states (which Step Functions would run until the 5 minutes are up) ends
//! promptly with an error, never a hang.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::definition::{
    Assign, Catcher, Condition, Dynamic, InOutPath, Kind, Machine, QueryLanguage, ResultPath, State,
};
use crate::errors::{Failure, names};
use crate::jsonata_mode::{self, Jtemplate};
use crate::payload::{Sources, Template};
use crate::random::Rng;
use crate::retry::{Attempts, Decision};
use crate::time::{NANOS_PER_SECOND, format_timestamp};
use crate::variables::Scope;
use crate::{MAX_TRANSITIONS, MockResponse, Mocks, RunError, RunOptions, Step};

/// The largest state input or output Step Functions accepts (256 KiB).
const PAYLOAD_LIMIT: usize = 256 * 1024;

/// How deeply a state's output may nest. Step Functions sets no such limit, but a loop that
/// wraps its input once per turn (`{"a.$": "$"}`) would otherwise build values deep enough
/// to overflow the stack when serialised or dropped.
const MAX_DEPTH: usize = 256;

/// The nesting depth of a value, without recursion.
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut todo = vec![(value, 1)];
    while let Some((v, d)) = todo.pop() {
        deepest = deepest.max(d);
        match v {
            Value::Array(items) => todo.extend(items.iter().map(|i| (i, d + 1))),
            Value::Object(map) => todo.extend(map.values().map(|i| (i, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// Why a run of states stopped early.
pub(crate) enum Halt {
    Failed(Failure),
    TimedOut,
    Run(RunError),
}

impl From<Failure> for Halt {
    fn from(f: Failure) -> Halt {
        Halt::Failed(f)
    }
}

/// The `$$.Map.Item` of an iteration.
#[derive(Clone)]
pub(crate) struct MapItem {
    pub(crate) index: usize,
    pub(crate) value: Value,
}

pub(crate) struct Runner<'a> {
    pub(crate) mocks: &'a Mocks,
    pub(crate) options: &'a RunOptions,
    pub(crate) calls: BTreeMap<String, usize>,
    pub(crate) clock: i128,
    pub(crate) start: i128,
    pub(crate) deadline: i128,
    pub(crate) transitions: usize,
    pub(crate) rng: Rng,
    pub(crate) steps: Vec<Step>,
    pub(crate) execution_input: Value,
}

/// What a state did: its output, and where to go next (`None`: the machine ends).
struct Done {
    output: Value,
    next: Option<usize>,
    assigned: Map<String, Value>,
}

fn last_segment(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

impl Runner<'_> {
    fn context(&self, state: &str, entered: i128, retries: u64, item: Option<&MapItem>) -> Value {
        let mut context = json!({
            "Execution": {
                "Id": self.options.execution_arn,
                "Input": self.execution_input,
                "Name": last_segment(&self.options.execution_arn),
                "StartTime": format_timestamp(self.start),
                "RedriveCount": 0,
            },
            "State": {
                "Name": state,
                "EnteredTime": format_timestamp(entered),
                "RetryCount": retries,
            },
            "StateMachine": {
                "Id": self.options.state_machine_arn,
                "Name": last_segment(&self.options.state_machine_arn),
            },
        });
        if let (Some(item), Value::Object(map)) = (item, &mut context) {
            map.insert(
                "Map".into(),
                json!({"Item": {"Index": item.index, "Value": item.value}}),
            );
        }
        context
    }

    /// Moves the clock; past the deadline the execution has timed out.
    pub(crate) fn advance(&mut self, nanos: i128) -> Result<(), Halt> {
        self.clock = self.clock.saturating_add(nanos.max(0));
        if self.clock >= self.deadline {
            self.clock = self.deadline;
            return Err(Halt::TimedOut);
        }
        Ok(())
    }

    /// Runs a machine (the top level, a branch, or one Map iteration) to its end.
    pub(crate) fn run_machine(
        &mut self,
        machine: &Machine,
        input: Value,
        scope: &mut Scope,
        item: Option<&MapItem>,
    ) -> Result<Value, Halt> {
        let mut current = machine.start_at;
        let mut input = input;
        loop {
            self.transitions += 1;
            if self.transitions > MAX_TRANSITIONS {
                return Err(Halt::Run(RunError::TransitionLimit {
                    limit: MAX_TRANSITIONS,
                }));
            }
            let state = &machine.states[current];
            let step = self.steps.len();
            self.steps.push(Step {
                state: state.name.clone(),
                input: input.clone(),
                output: None,
                arguments: None,
            });
            let done = self.run_state(state, input, scope, item)?;
            if depth(&done.output) > MAX_DEPTH {
                return Err(Halt::Run(RunError::TooDeep {
                    state: state.name.clone(),
                    limit: MAX_DEPTH,
                }));
            }
            if serde_json::to_string(&done.output).map_or(0, |s| s.len()) > PAYLOAD_LIMIT {
                return Err(Failure::new(
                    names::DATA_LIMIT_EXCEEDED,
                    format!(
                        "the output of state `{}` is larger than 256 KiB",
                        state.name
                    ),
                )
                .into());
            }
            self.steps[step].output = Some(done.output.clone());
            scope.assign(done.assigned);
            match done.next {
                Some(next) => {
                    current = next;
                    input = done.output;
                }
                None => return Ok(done.output),
            }
        }
    }

    /// One state entry, with its retries and catchers.
    fn run_state(
        &mut self,
        state: &State,
        input: Value,
        scope: &Scope,
        item: Option<&MapItem>,
    ) -> Result<Done, Halt> {
        if let Kind::Map(map) = &state.kind
            && let Some(feature) = &map.unsupported
        {
            return Err(Halt::Run(RunError::Unsupported {
                state: state.name.clone(),
                feature: feature.clone(),
            }));
        }
        let entered = self.clock;
        let mut attempts = Attempts::new(&state.retry);
        loop {
            let context = self.context(&state.name, entered, attempts.total(), item);
            let failure = match self.attempt(state, &input, scope, &context) {
                Ok(done) => return Ok(done),
                Err(Halt::Failed(failure)) => failure,
                Err(other) => return Err(other),
            };
            match attempts.decide(&failure, &state.retry, &state.catch, &mut self.rng) {
                Decision::Retry { delay } => self.advance(delay)?,
                Decision::Catch(catcher) => {
                    return self.catch(state, catcher, &failure, input, scope, &context);
                }
                Decision::Propagate => return Err(failure.into()),
            }
        }
    }

    fn catch(
        &mut self,
        state: &State,
        catcher: &Catcher,
        failure: &Failure,
        input: Value,
        scope: &Scope,
        context: &Value,
    ) -> Result<Done, Halt> {
        let error_output = failure.output();
        let (output, assigned) = match state.language {
            QueryLanguage::JsonPath => {
                let sources = Sources {
                    input: &error_output,
                    context,
                    variables: scope,
                };
                let assigned = self.assign_jsonpath(catcher.assign.as_ref(), &sources)?;
                let output = apply_result_path(&catcher.result_path, input, error_output.clone())?;
                (output, assigned)
            }
            QueryLanguage::Jsonata => {
                let env = self.env(
                    json!({"input": input, "errorOutput": error_output, "context": context}),
                    scope,
                );
                let output = match &catcher.output {
                    Some(t) => t.evaluate(&env, &input, "Catch/Output")?,
                    None => error_output.clone(),
                };
                let assigned = assign_jsonata(catcher.assign.as_ref(), &env, &input)?;
                (output, assigned)
            }
        };
        Ok(Done {
            output,
            next: Some(catcher.next),
            assigned,
        })
    }

    pub(crate) fn env(&mut self, states: Value, scope: &Scope) -> stackweave_jsonata::Environment {
        let seed = self.rng.next_u64();
        let now_millis = i64::try_from(self.clock / 1_000_000).unwrap_or(i64::MAX);
        jsonata_mode::environment(states, scope.flatten(), seed, now_millis)
    }

    fn assign_jsonpath(
        &mut self,
        assign: Option<&Assign>,
        sources: &Sources<'_>,
    ) -> Result<Map<String, Value>, Halt> {
        match assign {
            Some(Assign::JsonPath(t)) => match t.evaluate(sources, &mut self.rng)? {
                Value::Object(map) => Ok(map),
                _ => Ok(Map::new()),
            },
            _ => Ok(Map::new()),
        }
    }

    /// Keeps what a Task sent to its resource on its step (a Task has no nested states, so
    /// its step is the last one).
    fn record_arguments(&mut self, arguments: Value) {
        if let Some(step) = self.steps.last_mut() {
            step.arguments = Some(arguments);
        }
    }

    /// Answers a Task from its mocks.
    fn call_task(&mut self, state: &State) -> Result<Value, Halt> {
        let count = self.calls.entry(state.name.clone()).or_insert(0);
        *count += 1;
        let call = *count;
        let response = self
            .mocks
            .responses
            .get(&state.name)
            .and_then(|list| list.get(call - 1));
        match response {
            Some(MockResponse::Return(v)) => Ok(v.clone()),
            Some(MockResponse::Throw { error, cause }) => {
                Err(Failure::new(error, cause.clone()).into())
            }
            None => Err(Halt::Run(RunError::Unmocked {
                state: state.name.clone(),
                call,
            })),
        }
    }

    /// One attempt at a state: everything between its input and its output.
    fn attempt(
        &mut self,
        state: &State,
        input: &Value,
        scope: &Scope,
        context: &Value,
    ) -> Result<Done, Halt> {
        match state.language {
            QueryLanguage::JsonPath => self.attempt_jsonpath(state, input, scope, context),
            QueryLanguage::Jsonata => self.attempt_jsonata(state, input, scope, context),
        }
    }

    fn attempt_jsonpath(
        &mut self,
        state: &State,
        input: &Value,
        scope: &Scope,
        context: &Value,
    ) -> Result<Done, Halt> {
        let effective = match &state.input_path {
            InOutPath::Whole => input.clone(),
            InOutPath::Discard => json!({}),
            InOutPath::Path(p) => sources(input, context, scope).lookup(p).ok_or_else(|| {
                Failure::runtime(format!(
                    "invalid InputPath `{}`: it selects nothing in the state input",
                    p.source()
                ))
            })?,
        };
        let parameters =
            |runner: &mut Runner<'_>, t: &Option<Template>| -> Result<Value, Failure> {
                match t {
                    Some(t) => t.evaluate(&sources(&effective, context, scope), &mut runner.rng),
                    None => Ok(effective.clone()),
                }
            };
        // States without a result (Choice, Wait, Succeed) pass their effective input on.
        let mut next = state.next;
        let mut rule_assign = None;
        let result: Option<Value> = match &state.kind {
            Kind::Pass { result } => Some(match result {
                Some(r) => r.clone(),
                None => parameters(self, &state.parameters)?,
            }),
            Kind::Task => {
                let arguments = parameters(self, &state.parameters)?;
                self.record_arguments(arguments);
                Some(self.call_task(state)?)
            }
            Kind::Parallel { branches } => {
                let branch_input = parameters(self, &state.parameters)?;
                Some(self.run_parallel(branches, branch_input, scope)?)
            }
            Kind::Map(map) => {
                let items = match &map.items_path {
                    Some(p) => sources(&effective, context, scope)
                        .lookup(p)
                        .ok_or_else(|| {
                            Failure::runtime(format!(
                                "invalid ItemsPath `{}`: it selects nothing",
                                p.source()
                            ))
                        })?,
                    None => effective.clone(),
                };
                Some(self.run_map(map, items, &effective, scope, context)?)
            }
            Kind::Choice { branches, default } => {
                let mut chosen = None;
                for branch in branches {
                    let Condition::Rule(rule) = &branch.condition else {
                        continue;
                    };
                    if rule.evaluate(&sources(&effective, context, scope))? {
                        chosen = Some(branch.next);
                        rule_assign = branch.assign.as_ref();
                        break;
                    }
                }
                next = Some(chosen_or_default(state, chosen, *default)?);
                None
            }
            Kind::Wait { seconds, timestamp } => {
                self.wait_jsonpath(
                    seconds.as_ref(),
                    timestamp.as_ref(),
                    &sources(&effective, context, scope),
                )?;
                None
            }
            Kind::Succeed => None,
            Kind::Fail { error, cause } => {
                let text = |runner: &mut Runner<'_>,
                            d: &Option<Dynamic<String>>|
                 -> Result<String, Failure> {
                    Ok(match d {
                        None => String::new(),
                        Some(Dynamic::Fixed(s)) => s.clone(),
                        Some(Dynamic::Path(t)) => {
                            text_of(t.evaluate(&sources(input, context, scope), &mut runner.rng)?)
                        }
                        Some(Dynamic::Jsonata(_)) => String::new(),
                    })
                };
                let error = text(self, error)?;
                let cause = text(self, cause)?;
                return Err(Failure { error, cause }.into());
            }
        };
        let Some(result) = result else {
            // Choice, Wait and Succeed: the effective input, filtered by OutputPath.
            let mut assigned =
                self.assign_jsonpath(state.assign.as_ref(), &sources(&effective, context, scope))?;
            assigned
                .extend(self.assign_jsonpath(rule_assign, &sources(&effective, context, scope))?);
            let output =
                apply_output_path(&state.output_path, &sources(&effective, context, scope))?;
            return Ok(Done {
                output,
                next,
                assigned,
            });
        };
        let result = match &state.result_selector {
            Some(t) => t.evaluate(&sources(&result, context, scope), &mut self.rng)?,
            None => result,
        };
        let assigned =
            self.assign_jsonpath(state.assign.as_ref(), &sources(&result, context, scope))?;
        let combined = apply_result_path(&state.result_path, input.clone(), result)?;
        let output = apply_output_path(&state.output_path, &sources(&combined, context, scope))?;
        Ok(Done {
            output,
            next,
            assigned,
        })
    }

    fn wait_jsonpath(
        &mut self,
        seconds: Option<&Dynamic<u64>>,
        timestamp: Option<&Dynamic<i128>>,
        sources: &Sources<'_>,
    ) -> Result<(), Halt> {
        let target = match (seconds, timestamp) {
            (Some(Dynamic::Fixed(s)), _) => self.clock + i128::from(*s) * NANOS_PER_SECOND,
            (Some(Dynamic::Path(t)), _) => {
                let v = t.evaluate(sources, &mut self.rng)?;
                self.clock + seconds_value(&v)?
            }
            (_, Some(Dynamic::Fixed(t))) => *t,
            (_, Some(Dynamic::Path(t))) => {
                let v = t.evaluate(sources, &mut self.rng)?;
                timestamp_value(&v)?
            }
            _ => self.clock,
        };
        self.advance(target - self.clock)
    }

    fn attempt_jsonata(
        &mut self,
        state: &State,
        input: &Value,
        scope: &Scope,
        context: &Value,
    ) -> Result<Done, Halt> {
        let states = json!({"input": input, "context": context});
        let env = self.env(states, scope);
        let mut next = state.next;
        let mut output_template = state.output.as_ref();
        let mut assign = state.assign.as_ref();
        let mut extra_assign = None;
        let arguments = |t: Option<&Jtemplate>, field: &str| -> Result<Value, Failure> {
            match t {
                Some(t) => t.evaluate(&env, input, field),
                None => Ok(input.clone()),
            }
        };
        let result: Option<Value> = match &state.kind {
            Kind::Pass { result } => result.clone(),
            Kind::Task => {
                let arguments = arguments(state.arguments.as_ref(), "Arguments")?;
                self.record_arguments(arguments);
                Some(self.call_task(state)?)
            }
            Kind::Parallel { branches } => {
                let branch_input = arguments(state.arguments.as_ref(), "Arguments")?;
                Some(self.run_parallel(branches, branch_input, scope)?)
            }
            Kind::Map(map) => {
                let items = arguments(map.items.as_ref(), "Items")?;
                Some(self.run_map(map, items, input, scope, context)?)
            }
            Kind::Choice { branches, default } => {
                let mut chosen = None;
                for branch in branches {
                    let Condition::Jsonata(t) = &branch.condition else {
                        continue;
                    };
                    match t.evaluate(&env, input, "Condition")? {
                        Value::Bool(true) => {
                            chosen = Some(branch.next);
                            if branch.output.is_some() {
                                output_template = branch.output.as_ref();
                            }
                            extra_assign = branch.assign.as_ref();
                            break;
                        }
                        Value::Bool(false) => {}
                        other => {
                            return Err(Failure::query(format!(
                                "a Condition must give true or false, not {other}"
                            ))
                            .into());
                        }
                    }
                }
                next = Some(chosen_or_default(state, chosen, *default)?);
                None
            }
            Kind::Wait { seconds, timestamp } => {
                let target = match (seconds, timestamp) {
                    (Some(Dynamic::Fixed(s)), _) => self.clock + i128::from(*s) * NANOS_PER_SECOND,
                    (Some(Dynamic::Jsonata(t)), _) => {
                        self.clock + seconds_value(&t.evaluate(&env, input, "Seconds")?)?
                    }
                    (_, Some(Dynamic::Fixed(t))) => *t,
                    (_, Some(Dynamic::Jsonata(t))) => {
                        timestamp_value(&t.evaluate(&env, input, "Timestamp")?)?
                    }
                    _ => self.clock,
                };
                self.advance(target - self.clock)?;
                None
            }
            Kind::Succeed => None,
            Kind::Fail { error, cause } => {
                let text = |d: &Option<Dynamic<String>>, field: &str| -> Result<String, Failure> {
                    Ok(match d {
                        Some(Dynamic::Fixed(s)) => s.clone(),
                        Some(Dynamic::Jsonata(t)) => text_of(t.evaluate(&env, input, field)?),
                        _ => String::new(),
                    })
                };
                return Err(Failure {
                    error: text(error, "Error")?,
                    cause: text(cause, "Cause")?,
                }
                .into());
            }
        };
        // `$states.result` exists only for states that produce one.
        let env = match &result {
            Some(r) if !matches!(state.kind, Kind::Pass { .. }) => self.env(
                json!({"input": input, "result": r, "context": context}),
                scope,
            ),
            _ => env,
        };
        let default_output = match (&state.kind, &result) {
            (Kind::Pass { result: Some(r) }, _) => r.clone(),
            (Kind::Task | Kind::Parallel { .. } | Kind::Map(_), Some(r)) => r.clone(),
            _ => input.clone(),
        };
        let output = match output_template {
            Some(t) => t.evaluate(&env, input, "Output")?,
            None => default_output,
        };
        let mut assigned = assign_jsonata(assign.take(), &env, input)?;
        assigned.extend(assign_jsonata(extra_assign, &env, input)?);
        Ok(Done {
            output,
            next,
            assigned,
        })
    }
}

/// The state a Choice state moves to: the first matching rule's, else its `Default`.
fn chosen_or_default(
    state: &State,
    chosen: Option<usize>,
    default: Option<usize>,
) -> Result<usize, Failure> {
    chosen.or(default).ok_or_else(|| {
        Failure::new(
            names::NO_CHOICE_MATCHED,
            format!(
                "no choice rule of state `{}` matched and it has no Default",
                state.name
            ),
        )
    })
}

/// A Fail state's Error or Cause: a string as it is, any other value as JSON.
fn text_of(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

fn sources<'a>(input: &'a Value, context: &'a Value, variables: &'a Scope) -> Sources<'a> {
    Sources {
        input,
        context,
        variables,
    }
}

pub(crate) fn assign_jsonata(
    assign: Option<&Assign>,
    env: &stackweave_jsonata::Environment,
    input: &Value,
) -> Result<Map<String, Value>, Failure> {
    match assign {
        Some(Assign::Jsonata(t)) => match t.evaluate(env, input, "Assign")? {
            Value::Object(map) => Ok(map),
            _ => Ok(Map::new()),
        },
        _ => Ok(Map::new()),
    }
}

fn seconds_value(v: &Value) -> Result<i128, Failure> {
    v.as_u64()
        .map(|s| i128::from(s) * NANOS_PER_SECOND)
        .ok_or_else(|| {
            Failure::runtime(format!(
                "the wait time must be a non-negative integer of seconds, not {v}"
            ))
        })
}

fn timestamp_value(v: &Value) -> Result<i128, Failure> {
    v.as_str()
        .and_then(crate::time::parse_timestamp)
        .ok_or_else(|| {
            Failure::runtime(format!(
                "the wait timestamp must be an RFC 3339 timestamp, not {v}"
            ))
        })
}

fn apply_output_path(path: &InOutPath, sources: &Sources<'_>) -> Result<Value, Failure> {
    match path {
        InOutPath::Whole => Ok(sources.input.clone()),
        InOutPath::Discard => Ok(json!({})),
        InOutPath::Path(p) => sources.lookup(p).ok_or_else(|| {
            Failure::runtime(format!(
                "invalid OutputPath `{}`: it selects nothing",
                p.source()
            ))
        }),
    }
}

pub(crate) fn apply_result_path(
    path: &ResultPath,
    input: Value,
    result: Value,
) -> Result<Value, Failure> {
    match path {
        ResultPath::Replace => Ok(result),
        ResultPath::Discard => Ok(input),
        ResultPath::Path(p) => {
            let mut combined = input;
            p.set(&mut combined, result)
                .map_err(|m| Failure::new(names::RESULT_PATH_MATCH_FAILURE, m))?;
            Ok(combined)
        }
    }
}
