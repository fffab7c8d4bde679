//! The report of a failed deployment: the cause first, then where the stack is left, then
//! what to do. The cascade a failure sets off (cancelled resources, rollback) is counted,
//! not listed: it is what a person scrolls past to find the one line that matters.

use std::collections::BTreeSet;

use crate::events::{StackEvent, latest_operation, root_cause};
use crate::status::next_step_naming;
use crate::text::{shell_word, shown};

/// A report of a failed deployment of `stack_name`, for people, from its events (any
/// order; only the latest operation's count, as [`root_cause`] reads them):
///
/// 1. the root cause: resource, type, status, and CloudFormation's reason on the next
///    line; then any other resource that failed for a reason of its own before the
///    rollback began;
/// 2. how many more resources were cancelled or rolled back (a count, never the list);
/// 3. the resources that failed while rolling back, with their reasons (why the stack is
///    stuck);
/// 4. the final status of the stack, with its region;
/// 5. what to do next ([`crate::next_step`]), naming the resources found in 3 for
///    `--resources-to-skip` (UPDATE_ROLLBACK_FAILED) or those that could not be deleted
///    for `--retain-resources` (DELETE_FAILED).
///
/// Every line ends with a line break; text from CloudFormation is escaped
/// ([`stackweave_location::visible`]).
pub fn failure_report(
    stack_name: &str,
    region: &str,
    final_status: &str,
    events: &[StackEvent],
) -> String {
    let operation = latest_operation(events);
    let cause = root_cause(events);
    let rollback_start = operation
        .iter()
        .position(|e| e.is_stack() && e.status.ends_with("ROLLBACK_IN_PROGRESS"));
    let (before, during) = operation.split_at(rollback_start.unwrap_or(operation.len()));
    let own_failure = |e: &&&StackEvent| !e.is_stack() && e.is_failed() && !e.is_cascade();
    let is_cause = |e: &StackEvent| cause.is_some_and(|c| std::ptr::eq(c, e));
    let also: Vec<&StackEvent> = before
        .iter()
        .filter(own_failure)
        .filter(|e| !is_cause(e))
        .copied()
        .collect();
    let in_rollback: Vec<&StackEvent> = during
        .iter()
        .filter(own_failure)
        .filter(|e| !is_cause(e))
        .copied()
        .collect();

    let mut named: BTreeSet<&str> = BTreeSet::new();
    named.extend(
        cause
            .filter(|c| !c.is_stack())
            .map(|c| c.logical_id.as_str()),
    );
    named.extend(also.iter().map(|e| e.logical_id.as_str()));
    named.extend(in_rollback.iter().map(|e| e.logical_id.as_str()));
    let cascade: BTreeSet<&str> = before
        .iter()
        .filter(|e| !e.is_stack() && e.is_cascade())
        .chain(during.iter().filter(|e| !e.is_stack()))
        .map(|e| e.logical_id.as_str())
        .filter(|id| !named.contains(id))
        .collect();

    let mut out = String::new();
    match cause {
        Some(cause) => {
            out.push_str(&format!("root cause: {}\n", headline(cause)));
            out.push_str(&format!("  {}\n", reason(cause)));
        }
        None => {
            out.push_str(
                "root cause: not found in the stack's events; CloudFormation lists them with\n",
            );
            out.push_str(&format!(
                "  aws cloudformation describe-stack-events --stack-name {} --region {}\n",
                shell_word(stack_name),
                shell_word(region)
            ));
        }
    }
    for event in &also {
        out.push_str(&format!(
            "also failed: {}\n  {}\n",
            headline(event),
            reason(event)
        ));
    }
    match cascade.len() {
        0 => {}
        1 => out.push_str("and 1 more resource was cancelled or rolled back\n"),
        n => out.push_str(&format!(
            "and {n} more resources were cancelled or rolled back\n"
        )),
    }
    for event in &in_rollback {
        out.push_str(&format!(
            "failed while rolling back: {}\n  {}\n",
            headline(event),
            reason(event)
        ));
    }
    out.push_str(&format!(
        "final status: {} in {} is {}\n",
        shown(stack_name),
        shown(region),
        shown(final_status)
    ));
    let resources = resources_for_next_step(final_status, &operation, &in_rollback);
    if let Some(next) = next_step_naming(stack_name, region, final_status, &resources) {
        out.push_str("next step: ");
        out.push_str(&next);
        out.push('\n');
    }
    out
}

/// `ApiRole (AWS::IAM::Role) CREATE_FAILED`.
fn headline(event: &StackEvent) -> String {
    format!(
        "{} ({}) {}",
        shown(&event.logical_id),
        shown(&event.resource_type),
        shown(&event.status)
    )
}

fn reason(event: &StackEvent) -> String {
    match event.reason.as_deref() {
        Some(reason) => shown(reason).into_owned(),
        None => "(CloudFormation gave no reason)".to_owned(),
    }
}

/// The resources the next step's command can name: for UPDATE_ROLLBACK_FAILED, those left
/// in UPDATE_FAILED by the rollback (the only ones `--resources-to-skip` accepts); for
/// DELETE_FAILED, those whose deletion failed. Each once, in the order they failed.
fn resources_for_next_step(
    final_status: &str,
    operation: &[&StackEvent],
    in_rollback: &[&StackEvent],
) -> Vec<String> {
    let candidates: Vec<&StackEvent> = match final_status {
        "UPDATE_ROLLBACK_FAILED" => in_rollback
            .iter()
            .filter(|e| e.status == "UPDATE_FAILED")
            .copied()
            .collect(),
        "DELETE_FAILED" => operation
            .iter()
            .filter(|e| !e.is_stack() && e.status == "DELETE_FAILED")
            .copied()
            .collect(),
        _ => Vec::new(),
    };
    let mut ids: Vec<String> = Vec::new();
    for event in candidates {
        if !ids.contains(&event.logical_id) {
            ids.push(event.logical_id.clone());
        }
    }
    ids
}
