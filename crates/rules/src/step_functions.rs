//! Step Functions rules.
//!
//! Express workflows keep no execution history in Step Functions (the console shows none):
//! CloudWatch Logs is the only record an execution leaves. Standard workflows keep their
//! history for 90 days whatever their logging, so these rules leave them alone.

use serde_json::Value;

use crate::intrinsics::{alternatives, as_bool, describe, is_intrinsic, literal_text};
use crate::{Resource, Sink, Template, child};

const STATE_MACHINE: &str = "AWS::StepFunctions::StateMachine";

/// Whether a state machine is Express, as far as the template says.
enum Express {
    Yes,
    No,
    /// `StateMachineType` is an intrinsic (named here) that may resolve to `EXPRESS`.
    Maybe(String),
}

fn express(resource: &Resource) -> Express {
    // `StateMachineType` defaults to STANDARD.
    let Some((value, pointer)) = resource.property("StateMachineType") else {
        return Express::No;
    };
    let mut maybe = None;
    for (branch, _) in alternatives(value, &pointer) {
        match literal_text(branch) {
            Some(kind) if kind.eq_ignore_ascii_case("EXPRESS") => return Express::Yes,
            Some(_) => {}
            None => maybe = Some(describe(branch)),
        }
    }
    match maybe {
        Some(what) => Express::Maybe(what),
        None => Express::No,
    }
}

/// Reports `message` as decided for an Express machine, or as undecided (saying why) when
/// the machine's type is an intrinsic.
fn report(sink: &mut Sink, kind: &Express, pointer: String, message: String, undecided: bool) {
    match kind {
        Express::No => {}
        Express::Yes => sink.push(pointer, message, undecided),
        Express::Maybe(what) => sink.undecided(
            pointer,
            format!("{message} (if StateMachineType, an unresolved `{what}`, is EXPRESS)"),
        ),
    }
}

/// The logging configurations of an Express state machine, each alternative of a
/// `Fn::If` separately, for a rule about its logs. Reports (with `missing`) a machine that
/// has none, and as undecided (saying the rule cannot tell `what`) a configuration that is
/// an intrinsic; returns the machine's kind and the configurations left to check, or
/// `None` when the resource is not an Express state machine.
fn logging_configurations<'a>(
    resource: &Resource<'a>,
    sink: &mut Sink,
    missing: &str,
    what: &str,
) -> Option<(Express, Vec<(&'a Value, String)>)> {
    if resource.resource_type != STATE_MACHINE {
        return None;
    }
    let kind = express(resource);
    if matches!(kind, Express::No) {
        return None;
    }
    let name = resource.logical_id;
    let Some((logging, logging_pointer)) = resource.property("LoggingConfiguration") else {
        let message =
            format!("Express state machine `{name}` has no LoggingConfiguration{missing}");
        report(sink, &kind, resource.properties_pointer(), message, false);
        return None;
    };
    let mut configurations = Vec::new();
    for (config, config_pointer) in alternatives(logging, &logging_pointer) {
        if is_intrinsic(config) {
            let message = format!(
                "cannot tell whether Express state machine `{name}` {what}: LoggingConfiguration is an unresolved `{}`",
                describe(config)
            );
            report(sink, &kind, config_pointer, message, true);
        } else {
            configurations.push((config, config_pointer));
        }
    }
    Some((kind, configurations))
}

/// SW-SFN-1: an Express state machine with no `LoggingConfiguration`, with `Level` `OFF`
/// (also the default when `Level` is absent), or with no `Destinations`.
pub(crate) fn express_without_logging(_: &Template, resource: &Resource, sink: &mut Sink) {
    let Some((kind, configurations)) = logging_configurations(
        resource,
        sink,
        ": its executions leave no record",
        "logs its executions",
    ) else {
        return;
    };
    let name = resource.logical_id;
    for (config, config_pointer) in configurations {
        check_level(sink, &kind, name, config, &config_pointer);
        check_destinations(sink, &kind, name, config, &config_pointer);
    }
}

fn check_level(sink: &mut Sink, kind: &Express, name: &str, config: &Value, pointer: &str) {
    let Some(level) = config.get("Level") else {
        let message = format!(
            "Express state machine `{name}` sets no logging Level, which defaults to OFF: its executions leave no record"
        );
        report(sink, kind, pointer.to_owned(), message, false);
        return;
    };
    let level_pointer = child(pointer, "Level");
    let branches = alternatives(level, &level_pointer);
    if branches.is_empty() {
        let message = format!(
            "Express state machine `{name}` removes its logging Level (AWS::NoValue), which then defaults to OFF"
        );
        report(sink, kind, level_pointer, message, false);
    }
    for (branch, branch_pointer) in branches {
        match literal_text(branch) {
            Some(level) if level.eq_ignore_ascii_case("OFF") => {
                let message = format!(
                    "Express state machine `{name}` has logging Level OFF: its executions leave no record"
                );
                report(sink, kind, branch_pointer, message, false);
            }
            Some(_) => {}
            None => {
                let message = format!(
                    "cannot tell whether Express state machine `{name}` logs its executions: Level is an unresolved `{}` that may be OFF",
                    describe(branch)
                );
                report(sink, kind, branch_pointer, message, true);
            }
        }
    }
}

fn check_destinations(sink: &mut Sink, kind: &Express, name: &str, config: &Value, pointer: &str) {
    let missing = format!(
        "Express state machine `{name}` has no logging Destinations: its executions leave no record"
    );
    let Some(destinations) = config.get("Destinations") else {
        report(sink, kind, pointer.to_owned(), missing, false);
        return;
    };
    let destinations_pointer = child(pointer, "Destinations");
    let branches = alternatives(destinations, &destinations_pointer);
    if branches.is_empty() {
        report(sink, kind, destinations_pointer, missing, false);
        return;
    }
    for (branch, branch_pointer) in branches {
        match branch {
            Value::Array(list) if list.is_empty() => {
                report(sink, kind, branch_pointer, missing.clone(), false);
            }
            Value::Array(_) => {}
            _ => {
                let message = format!(
                    "cannot tell whether Express state machine `{name}` has a log destination: Destinations is an unresolved `{}`",
                    describe(branch)
                );
                report(sink, kind, branch_pointer, message, true);
            }
        }
    }
}

/// SW-SFN-2 (opt-in): an Express state machine whose logging leaves out execution data
/// (`IncludeExecutionData` absent or false, or no `LoggingConfiguration` at all).
pub(crate) fn express_without_execution_data(_: &Template, resource: &Resource, sink: &mut Sink) {
    let Some((kind, configurations)) = logging_configurations(
        resource,
        sink,
        ", so no execution data is logged",
        "logs execution data",
    ) else {
        return;
    };
    let name = resource.logical_id;
    for (config, config_pointer) in configurations {
        let Some(include) = config.get("IncludeExecutionData") else {
            let message = format!(
                "Express state machine `{name}` does not set IncludeExecutionData, so its logs hold no inputs or outputs"
            );
            report(sink, &kind, config_pointer, message, false);
            continue;
        };
        let include_pointer = child(&config_pointer, "IncludeExecutionData");
        let branches = alternatives(include, &include_pointer);
        if branches.is_empty() {
            let message = format!(
                "Express state machine `{name}` removes IncludeExecutionData (AWS::NoValue), so its logs hold no inputs or outputs"
            );
            report(sink, &kind, include_pointer, message, false);
        }
        for (branch, branch_pointer) in branches {
            match as_bool(branch) {
                Some(true) => {}
                Some(false) => {
                    let message = format!(
                        "Express state machine `{name}` has IncludeExecutionData false, so its logs hold no inputs or outputs"
                    );
                    report(sink, &kind, branch_pointer, message, false);
                }
                None => {
                    let message = format!(
                        "cannot tell whether Express state machine `{name}` logs execution data: IncludeExecutionData is `{}`, not a boolean",
                        describe(branch)
                    );
                    report(sink, &kind, branch_pointer, message, true);
                }
            }
        }
    }
}
