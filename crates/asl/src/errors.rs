//! The errors an execution raises inside the state machine (`States.*` and task errors), as
//! opposed to [`crate::RunError`], which says the run itself could not be done faithfully.
//!
//! A [`Failure`] is what Retry and Catch match on and what a failed execution reports.

use serde_json::{Value, json};

/// Names of the errors Step Functions defines (appendix A of the specification and the
/// developer guide's error handling page).
pub(crate) mod names {
    pub(crate) const ALL: &str = "States.ALL";
    pub(crate) const TASK_FAILED: &str = "States.TaskFailed";
    pub(crate) const TIMEOUT: &str = "States.Timeout";
    pub(crate) const RUNTIME: &str = "States.Runtime";
    pub(crate) const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    pub(crate) const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    pub(crate) const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    pub(crate) const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    pub(crate) const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
    pub(crate) const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str =
        "States.ExceedToleratedFailureThreshold";
}

/// An error raised by a state: its name and cause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub(crate) error: String,
    pub(crate) cause: String,
}

impl Failure {
    pub(crate) fn new(error: &str, cause: impl Into<String>) -> Failure {
        Failure {
            error: error.to_owned(),
            cause: cause.into(),
        }
    }

    pub(crate) fn runtime(cause: impl Into<String>) -> Failure {
        Failure::new(names::RUNTIME, cause)
    }

    pub(crate) fn intrinsic(cause: impl Into<String>) -> Failure {
        Failure::new(names::INTRINSIC_FAILURE, cause)
    }

    pub(crate) fn query(cause: impl Into<String>) -> Failure {
        Failure::new(names::QUERY_EVALUATION_ERROR, cause)
    }

    /// The error output a Catcher passes on: `{"Error": ..., "Cause": ...}`.
    pub(crate) fn output(&self) -> Value {
        json!({ "Error": self.error, "Cause": self.cause })
    }

    /// Terminal errors: no Retry or Catch ever handles them, `States.ALL` included.
    pub(crate) fn is_terminal(&self) -> bool {
        self.error == names::RUNTIME || self.error == names::DATA_LIMIT_EXCEEDED
    }

    /// Whether a Retrier's or Catcher's `ErrorEquals` entry matches this error.
    pub(crate) fn matches(&self, name: &str) -> bool {
        if self.is_terminal() {
            return false;
        }
        match name {
            names::ALL => true,
            // The guide: States.TaskFailed matches any known error except States.Timeout.
            names::TASK_FAILED => self.error != names::TIMEOUT,
            _ => self.error == name,
        }
    }
}
