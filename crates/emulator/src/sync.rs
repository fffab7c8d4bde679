//! Step Functions' StartSyncExecution, as API Gateway's integration calls it: the request
//! body checked as the service checks it (JSON, `stateMachineArn`, `input` holding JSON, an
//! Express machine), the machine run with the caller's mocks, and the response exactly in
//! the documented shape, or the service's error (`__type`, `message`) with its HTTP status.
//! Times come from a fixed clock, names and ids are fixed, so runs are byte-stable.

use serde_json::{Map, Value, json};
use stackweave_asl::{Execution, Mocks, Outcome, RunOptions, StateMachine};

use crate::error::EmulationError;
use crate::model::Machine;

/// When every emulated execution starts: 2026-01-01T00:00:00Z, in epoch seconds.
pub const START_EPOCH_SECONDS: u64 = 1_767_225_600;
/// The start time as ISO 8601, for `$$.Execution.StartTime`.
pub const START_TIME: &str = "2026-01-01T00:00:00.000Z";
/// Every execution's name when the request gives none (StartSyncExecution generates a
/// UUID; a fixed one keeps traces stable).
pub const EXECUTION_NAME: &str = "00000000-0000-4000-8000-000000000001";

/// A machine with its definition parsed once.
pub struct Runnable {
    /// The machine as the template declares it.
    pub machine: Machine,
    /// Its parsed definition, or why it is not one.
    pub parsed: Result<StateMachine, EmulationError>,
}

/// What StartSyncExecution answered.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncAnswer {
    /// The HTTP status of the service's response.
    pub status: u16,
    /// Its JSON body.
    pub body: Value,
    /// The execution, when one ran.
    pub execution: Option<(String, Execution)>,
}

fn service_error(status: u16, kind: &str, message: &str) -> SyncAnswer {
    let mut body = Map::new();
    body.insert(
        "__type".into(),
        json!(format!("com.amazonaws.swf.service.v2.model#{kind}")),
    );
    if !message.is_empty() {
        body.insert("message".into(), json!(message));
    }
    SyncAnswer {
        status,
        body: Value::Object(body),
        execution: None,
    }
}

/// Answers the StartSyncExecution request `body` against `machines`.
pub fn start_sync_execution(
    body: &str,
    machines: &[Runnable],
    mocks: &Mocks,
) -> Result<SyncAnswer, EmulationError> {
    // The service's JSON protocol refuses a body that is not a JSON object before anything
    // else, with the protocol's own error.
    let request: Map<String, Value> = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(request)) => request,
        _ => {
            return Ok(SyncAnswer {
                status: 400,
                body: json!({"__type": "com.amazon.coral.service#SerializationException"}),
                execution: None,
            });
        }
    };
    let arn = match request.get("stateMachineArn") {
        Some(Value::String(arn)) => arn.clone(),
        Some(_) => {
            return Ok(SyncAnswer {
                status: 400,
                body: json!({"__type": "com.amazon.coral.service#SerializationException"}),
                execution: None,
            });
        }
        None => {
            return Ok(service_error(
                400,
                "ValidationException",
                "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
            ));
        }
    };
    let input_text = match request.get("input") {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(_) => {
            return Ok(SyncAnswer {
                status: 400,
                body: json!({"__type": "com.amazon.coral.service#SerializationException"}),
                execution: None,
            });
        }
    };
    let name = match request.get("name") {
        Some(Value::String(name)) => name.clone(),
        _ => EXECUTION_NAME.to_owned(),
    };
    if !arn.starts_with("arn:") || arn.split(':').count() < 7 {
        return Ok(service_error(
            400,
            "InvalidArn",
            &format!("Invalid Arn: '{arn}'"),
        ));
    }
    let Some(runnable) = machines.iter().find(|m| m.machine.arn == arn) else {
        return Ok(service_error(
            400,
            "StateMachineDoesNotExist",
            &format!("State Machine Does Not Exist: '{arn}'"),
        ));
    };
    let machine = &runnable.machine;
    if !machine.express {
        return Ok(service_error(
            400,
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        ));
    }
    let input: Value = match serde_json::from_str(&input_text) {
        Ok(input) => input,
        Err(error) => {
            return Ok(service_error(
                400,
                "InvalidExecutionInput",
                &format!("Invalid State Machine Execution Input: '{error}'"),
            ));
        }
    };
    let parsed = match &runnable.parsed {
        Ok(parsed) => parsed,
        Err(error) => return Err(error.clone()),
    };
    let (region_account, machine_name) = match arn.rsplit_once(":stateMachine:") {
        Some((prefix, name)) => (prefix.to_owned(), name.to_owned()),
        None => (arn.clone(), machine.name.clone()),
    };
    let execution_arn = format!("{region_account}:express:{machine_name}:{name}:{EXECUTION_NAME}");
    let options = RunOptions {
        state_machine_arn: arn.clone(),
        execution_arn: execution_arn.clone(),
        start_time: START_TIME.to_owned(),
    };
    let execution = parsed
        .run(input, mocks, &options)
        .map_err(|error| EmulationError::Run {
            machine: machine.logical_id.clone(),
            error,
        })?;
    let start = json!(START_EPOCH_SECONDS as f64);
    let stop = json!(START_EPOCH_SECONDS as f64 + 0.05);
    let mut body = Map::new();
    body.insert("executionArn".into(), json!(execution_arn));
    body.insert("stateMachineArn".into(), json!(arn));
    body.insert("name".into(), json!(name));
    body.insert("startDate".into(), start);
    body.insert("stopDate".into(), stop);
    match &execution.outcome {
        Outcome::Succeeded(_) => body.insert("status".into(), json!("SUCCEEDED")),
        Outcome::Failed { .. } => body.insert("status".into(), json!("FAILED")),
        Outcome::TimedOut => body.insert("status".into(), json!("TIMED_OUT")),
    };
    if let Outcome::Failed { error, cause } = &execution.outcome {
        body.insert("error".into(), json!(error));
        body.insert("cause".into(), json!(cause));
    }
    body.insert("input".into(), json!(input_text));
    body.insert("inputDetails".into(), json!({"included": true}));
    if let Outcome::Succeeded(output) = &execution.outcome {
        body.insert("output".into(), json!(output.to_string()));
        body.insert("outputDetails".into(), json!({"included": true}));
    }
    body.insert(
        "billingDetails".into(),
        json!({"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100}),
    );
    Ok(SyncAnswer {
        status: 200,
        body: Value::Object(body),
        execution: Some((machine.logical_id.clone(), execution)),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn machine(express: bool) -> Machine {
        Machine {
            logical_id: "Flow".into(),
            name: "Flow".into(),
            arn: "arn:aws:states:us-east-1:123456789012:stateMachine:Flow".into(),
            express,
            definition: Ok(json!({})),
        }
    }

    fn answer(body: &str, express: bool) -> SyncAnswer {
        let machine = machine(express);
        let machines = [Runnable {
            machine,
            // Never reached by these requests: each is refused before the run.
            parsed: Err(EmulationError::Model(crate::ModelError::template(
                "unused".into(),
                "",
            ))),
        }];
        start_sync_execution(body, &machines, &Mocks::default()).unwrap()
    }

    #[test]
    fn a_body_that_is_not_json_is_a_serialization_exception() {
        let answer = answer("{\"input\": \"{\"a\"}", true);
        assert_eq!(answer.status, 400);
        assert_eq!(
            answer.body["__type"],
            json!("com.amazon.coral.service#SerializationException")
        );
    }

    #[test]
    fn the_service_refuses_what_it_refuses() {
        let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:Flow";
        let cases = [
            ("{}".to_owned(), "ValidationException", true),
            (
                "{\"stateMachineArn\": \"nope\"}".to_owned(),
                "InvalidArn",
                true,
            ),
            (
                format!("{{\"stateMachineArn\": \"{arn}x\"}}"),
                "StateMachineDoesNotExist",
                true,
            ),
            (
                format!("{{\"stateMachineArn\": \"{arn}\"}}"),
                "StateMachineTypeNotSupported",
                false,
            ),
            (
                format!("{{\"stateMachineArn\": \"{arn}\", \"input\": \"{{x\"}}"),
                "InvalidExecutionInput",
                true,
            ),
        ];
        for (body, kind, express) in cases {
            let answer = answer(&body, express);
            assert_eq!(answer.status, 400, "{body}");
            assert_eq!(
                answer.body["__type"],
                json!(format!("com.amazonaws.swf.service.v2.model#{kind}")),
                "{body}"
            );
        }
    }
}
