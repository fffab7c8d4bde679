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
//! SKELETON: the API below is the contract other crates are written against; its bodies are
//! filled in by the ASL work.

use std::collections::BTreeMap;

use serde_json::Value;

/// A parsed, checked state machine definition.
#[derive(Debug, Clone)]
pub struct StateMachine {}

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
}

impl StateMachine {
    /// Parses and checks a definition.
    pub fn parse(definition: &Value) -> Result<StateMachine, DefinitionError> {
        let _ = definition;
        unimplemented!("skeleton")
    }

    /// Runs one execution.
    pub fn run(
        &self,
        input: Value,
        mocks: &Mocks,
        options: &RunOptions,
    ) -> Result<Execution, RunError> {
        let _ = (input, mocks, options);
        unimplemented!("skeleton")
    }
}
