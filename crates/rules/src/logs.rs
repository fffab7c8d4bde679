//! CloudWatch Logs rules.
//!
//! SW-LOGS-1 is an error rather than a warning: a log group without `RetentionInDays`
//! never expires anything, so its cost grows for as long as the stack lives, and nobody
//! notices until the bill does. There is no case where "forever" is the right default for
//! a synthesised stack; a stack that truly needs it can say so with an explicit retention
//! (CloudWatch Logs offers up to ten years).

use crate::intrinsics::{intrinsic_name, ref_target};
use crate::{Resource, Sink, Template};

/// SW-LOGS-1: an `AWS::Logs::LogGroup` without `RetentionInDays`, or whose
/// `RetentionInDays` is `Ref AWS::NoValue` in some `Fn::If` branch.
pub(crate) fn missing_retention(_: &Template, resource: &Resource, sink: &mut Sink) {
    if resource.resource_type != "AWS::Logs::LogGroup" {
        return;
    }
    let Some((retention, pointer)) = resource.property("RetentionInDays") else {
        sink.found(
            resource.properties_pointer(),
            format!(
                "log group `{}` has no RetentionInDays: its logs are kept, and billed, forever",
                resource.logical_id
            ),
        );
        return;
    };
    // A parameter or any other intrinsic still sets some retention; only a branch that
    // removes the property leaves the group without one.
    if has_no_value_branch(retention) {
        sink.found(
            pointer,
            format!(
                "log group `{}` sets RetentionInDays to AWS::NoValue when a condition holds: its logs are then kept, and billed, forever",
                resource.logical_id
            ),
        );
    }
}

/// Whether some branch of a (nested) `Fn::If` is `Ref AWS::NoValue`.
fn has_no_value_branch(value: &serde_json::Value) -> bool {
    if ref_target(value) == Some("AWS::NoValue") {
        return true;
    }
    if intrinsic_name(value) != Some("Fn::If") {
        return false;
    }
    match value.get("Fn::If").and_then(serde_json::Value::as_array) {
        Some(args) if args.len() == 3 => {
            has_no_value_branch(&args[1]) || has_no_value_branch(&args[2])
        }
        _ => false,
    }
}
