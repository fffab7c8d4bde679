//! An interpreter of the Amazon States Language, for running Express workflows locally.
//!
//! A [`StateMachine`] is parsed from its definition (the JSON of `DefinitionString` or
//! `Definition`) and [`StateMachine::run`] executes it to an [`Outcome`], the way Step
//! Functions would: Pass, Task, Choice, Wait (on a virtual clock: nothing sleeps), Succeed,
//! Fail, Parallel and Map; JSONPath (`InputPath`, `Parameters`, `ResultSelector`,
//! `ResultPath`, `OutputPath`) and the `States.*` intrinsic functions, or JSONata
//! (`Arguments`, `Output`, `Assign`); Retry and Catch. Task states are answered by
//! [`Mocks`] declared per state, as Step Functions' own mocked testing does; a Task with no
//! mock is an error ([`RunError`]), never a guess.
//!
//! What this crate is not: it knows nothing of CloudFormation, API Gateway or HTTP.
//!
//! Runs are deterministic: the same definition, input, mocks and [`RunOptions`] give the
//! same [`Execution`] (random numbers and UUIDs are drawn from a generator seeded by the
//! options). Nothing sleeps: time is a virtual clock. A run never hangs: it stops after
//! [`MAX_TRANSITIONS`] states. See ARCHITECTURE.md for where this crate deliberately differs
//! from the service.

mod branches;
mod choice;
mod definition;
mod digest;
mod errors;
mod executor;
mod intrinsics;
mod jsonata_mode;
mod jsonpath;
mod payload;
mod random;
mod retry;
mod time;
mod variables;

use std::collections::BTreeMap;

use serde_json::Value;

/// How many states one execution may enter (nested ones included) before it is stopped with
/// [`RunError::TransitionLimit`]: the 25,000 events of Step Functions' execution history,
/// so a loop ends with an error instead of hanging.
pub const MAX_TRANSITIONS: usize = 25_000;

/// How long an Express workflow may run, in seconds, whatever its `TimeoutSeconds`.
pub const EXPRESS_MAX_SECONDS: u64 = 300;

/// A parsed, checked state machine definition.
#[derive(Debug, Clone)]
pub struct StateMachine {
    machine: definition::Machine,
}

/// A definition that is not a valid state machine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct DefinitionError {
    /// JSON Pointer into the definition, e.g. `/States/Save/Next`.
    pub pointer: String,
    /// What is wrong, lowercase, no trailing full stop.
    pub message: String,
}

/// What a mocked Task answers on one call.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResponse {
    /// The task succeeds with this result.
    Return(Value),
    /// The task fails with this error and cause.
    Throw {
        /// The error name, e.g. `DynamoDB.ConditionalCheckFailedException`.
        error: String,
        /// The cause.
        cause: String,
    },
}

/// The answers of each Task state, by state name, consumed in call order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mocks {
    /// State name -> its responses, the first call getting the first.
    pub responses: BTreeMap<String, Vec<MockResponse>>,
}

/// Fixed facts of one execution, so runs are deterministic.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// `$$.StateMachine.Id` / `$states.context.StateMachine.Id`.
    pub state_machine_arn: String,
    /// `$$.Execution.Id`.
    pub execution_arn: String,
    /// `$$.Execution.StartTime`, ISO 8601; the virtual clock starts here.
    pub start_time: String,
}

impl Default for RunOptions {
    /// Placeholder ARNs in `us-east-1` and a fixed start time, for tests and local runs.
    fn default() -> RunOptions {
        RunOptions {
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:Local".into(),
            execution_arn: "arn:aws:states:us-east-1:123456789012:express:Local:local-execution"
                .into(),
            start_time: "2024-01-01T00:00:00.000Z".into(),
        }
    }
}

/// How an execution ended, as StartSyncExecution reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `SUCCEEDED`, with the output.
    Succeeded(Value),
    /// `FAILED`, with the error and cause.
    Failed {
        /// `error`.
        error: String,
        /// `cause`.
        cause: String,
    },
    /// `TIMED_OUT`: the virtual clock passed the machine's `TimeoutSeconds`.
    TimedOut,
}

/// One state entered, for `--trace`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The state's name.
    pub state: String,
    /// Its effective input.
    pub input: Value,
    /// Its output, or `None` when it failed.
    pub output: Option<Value>,
    /// For a Task: what it sent to its resource (`Parameters` / `Arguments` evaluated), on
    /// its last attempt; `None` for other states.
    pub arguments: Option<Value>,
}

/// A finished execution.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// How it ended.
    pub outcome: Outcome,
    /// Every state entered, in order.
    pub steps: Vec<Step>,
}

/// An execution that could not be run faithfully (not an execution failure).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// A Task state was reached with no mock response left for it.
    #[error("task state `{state}` has no mock for call {call}")]
    Unmocked {
        /// The state.
        state: String,
        /// Which call, 1-based.
        call: usize,
    },
    /// The execution entered more than [`MAX_TRANSITIONS`] states: most likely a loop with
    /// no Wait, which Step Functions would run until the Express time limit.
    #[error("the execution entered more than {limit} states; is there a loop without an exit?")]
    TransitionLimit {
        /// The limit that was reached.
        limit: usize,
    },
    /// A state's output nests deeper than the interpreter allows (see `executor.rs`).
    #[error("the output of state `{state}` nests deeper than {limit} levels")]
    TooDeep {
        /// The state.
        state: String,
        /// The limit.
        limit: usize,
    },
    /// The definition uses a feature this interpreter cannot run faithfully locally
    /// (a distributed Map's `ItemReader`, `ItemBatcher` or `ResultWriter`).
    #[error("state `{state}` uses {feature}, which local runs do not support")]
    Unsupported {
        /// The state.
        state: String,
        /// What it uses.
        feature: String,
    },
    /// `RunOptions::start_time` is not an RFC 3339 timestamp.
    #[error("start time `{start_time}` is not an RFC 3339 timestamp such as 2024-01-01T00:00:00Z")]
    InvalidStartTime {
        /// The rejected value.
        start_time: String,
    },
}

impl StateMachine {
    /// Parses and checks a definition.
    pub fn parse(definition: &Value) -> Result<StateMachine, DefinitionError> {
        let machine =
            definition::parse_machine(definition, "", definition::QueryLanguage::JsonPath, true)?;
        Ok(StateMachine { machine })
    }

    /// Runs one execution.
    pub fn run(
        &self,
        input: Value,
        mocks: &Mocks,
        options: &RunOptions,
    ) -> Result<Execution, RunError> {
        let start = time::parse_timestamp(&options.start_time).ok_or_else(|| {
            RunError::InvalidStartTime {
                start_time: options.start_time.clone(),
            }
        })?;
        let limit = self
            .machine
            .timeout_seconds
            .unwrap_or(EXPRESS_MAX_SECONDS)
            .min(EXPRESS_MAX_SECONDS);
        let mut runner = executor::Runner {
            mocks,
            options,
            calls: BTreeMap::new(),
            clock: start,
            start,
            deadline: start + i128::from(limit) * time::NANOS_PER_SECOND,
            transitions: 0,
            rng: random::Rng::from_text(&format!(
                "{}\n{}\n{}",
                options.state_machine_arn, options.execution_arn, options.start_time
            )),
            steps: Vec::new(),
            execution_input: input.clone(),
        };
        let mut scope = variables::Scope::root();
        let outcome = match runner.run_machine(&self.machine, input, &mut scope, None) {
            Ok(output) => Outcome::Succeeded(output),
            Err(executor::Halt::Failed(f)) => Outcome::Failed {
                error: f.error,
                cause: f.cause,
            },
            Err(executor::Halt::TimedOut) => Outcome::TimedOut,
            Err(executor::Halt::Run(e)) => return Err(e),
        };
        Ok(Execution {
            outcome,
            steps: runner.steps,
        })
    }
}
