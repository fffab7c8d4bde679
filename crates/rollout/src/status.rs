//! What a stack's status means for a deployment: whether CloudFormation is done with it,
//! whether the deployment succeeded, and, when it did not, what a person does next.
//!
//! Some failed states cannot be left by deploying again: a stack whose first create was
//! rolled back must be deleted, and one whose update could not be rolled back accepts
//! nothing until the rollback is continued. [`next_step`] says so with the exact command,
//! because that is the moment a person least wants to search the documentation.

use serde_json::Value;

use crate::text::shell_word;

/// One stack of a DescribeStacks response: the parts a deployment reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackState {
    /// `StackName`.
    pub stack_name: String,
    /// `StackStatus`, e.g. `UPDATE_ROLLBACK_FAILED`.
    pub status: String,
    /// `StackStatusReason`, when CloudFormation gives one.
    pub status_reason: Option<String>,
}

/// Parses a DescribeStacks response in the documented JSON shape
/// (`{"Stacks": [{"StackName", "StackStatus", "StackStatusReason", ...}]}`), in the API's
/// order; a missing text field reads as empty.
pub fn stacks_from_json(describe_stacks_response: &Value) -> Vec<StackState> {
    let Some(stacks) = describe_stacks_response
        .get("Stacks")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    stacks
        .iter()
        .filter_map(Value::as_object)
        .map(|stack| {
            let text = |key: &str| stack.get(key).and_then(Value::as_str).map(str::to_owned);
            StackState {
                stack_name: text("StackName").unwrap_or_default(),
                status: text("StackStatus").unwrap_or_default(),
                status_reason: text("StackStatusReason").filter(|r| !r.is_empty()),
            }
        })
        .collect()
}

/// Whether CloudFormation has finished with the stack: a `*_COMPLETE` or `*_FAILED`
/// status. Every `*_IN_PROGRESS` status is still moving, `REVIEW_IN_PROGRESS` (a stack
/// that so far has only a change set) included, and so are the cleanup phases
/// (`UPDATE_COMPLETE_CLEANUP_IN_PROGRESS`), after which the stack may still change.
pub fn is_terminal(stack_status: &str) -> bool {
    !stack_status.ends_with("_IN_PROGRESS")
        && (stack_status.ends_with("_COMPLETE") || stack_status.ends_with("_FAILED"))
}

/// Whether a terminal status means the deployment succeeded. A first create succeeds
/// with `CREATE_COMPLETE`, an update with `UPDATE_COMPLETE`, an import (either way) with
/// `IMPORT_COMPLETE`. Rolled back is failed, however cleanly (`ROLLBACK_COMPLETE`,
/// `UPDATE_ROLLBACK_COMPLETE`).
///
/// The kind of operation matters: right after ExecuteChangeSet, DescribeStacks may still
/// report the status from before it started, and an update that reads the stack's old
/// `CREATE_COMPLETE` has not succeeded, it has not begun.
pub fn is_success(stack_status: &str, first_create: bool) -> bool {
    match stack_status {
        "IMPORT_COMPLETE" => true,
        "CREATE_COMPLETE" => first_create,
        "UPDATE_COMPLETE" => !first_create,
        _ => false,
    }
}

/// What to do next with a stack left in `stack_status`, for people: one or two sentences
/// and, where there is one, the exact `aws cloudformation` command (indented on its own
/// line). `None` when nothing needs doing: the stack is stable and a deploy may proceed
/// (`CREATE_COMPLETE`, `UPDATE_COMPLETE`, `IMPORT_COMPLETE`, `DELETE_COMPLETE`, or
/// `REVIEW_IN_PROGRESS`, which a deploy treats as not yet created), or the status is not
/// one CloudFormation documents.
///
/// - `UPDATE_ROLLBACK_FAILED`: fix what stopped the rollback, then
///   `aws cloudformation continue-update-rollback`; `--resources-to-skip` for resources
///   that cannot return to their old state.
/// - `ROLLBACK_COMPLETE` and `ROLLBACK_FAILED` (a first create that failed): the stack
///   must be deleted before deploying again.
/// - `DELETE_FAILED`: fix what could not be deleted, or delete while retaining it.
/// - `UPDATE_ROLLBACK_COMPLETE`, `IMPORT_ROLLBACK_COMPLETE`: the stack is as it was; fix
///   the cause and deploy again.
/// - `CREATE_FAILED`, `UPDATE_FAILED` (rollback disabled): fix and deploy again, or
///   `aws cloudformation rollback-stack`.
/// - any `*_IN_PROGRESS`: another operation is running; wait for it.
pub fn next_step(stack_name: &str, region: &str, stack_status: &str) -> Option<String> {
    next_step_naming(stack_name, region, stack_status, &[])
}

/// [`next_step`], with the logical ids of the resources the failure report found: those
/// whose rollback failed (for `--resources-to-skip`) or that could not be deleted (for
/// `--retain-resources`), written into the command instead of a placeholder.
pub(crate) fn next_step_naming(
    stack_name: &str,
    region: &str,
    stack_status: &str,
    resources: &[String],
) -> Option<String> {
    let aws = |command: &str, extra: &str| {
        format!(
            "  aws cloudformation {command} --stack-name {} --region {}{extra}",
            shell_word(stack_name),
            shell_word(region)
        )
    };
    let listed = |flag: &str| {
        if resources.is_empty() {
            format!(" {flag} LOGICAL_ID...")
        } else {
            let ids: Vec<_> = resources.iter().map(|id| shell_word(id)).collect();
            format!(" {flag} {}", ids.join(" "))
        }
    };
    let text = match stack_status {
        "UPDATE_ROLLBACK_FAILED" => [
            "CloudFormation could not roll the update back, and the stack accepts no update \
             until the rollback finishes. Fix what stopped it (the failures above), then \
             continue the rollback:"
                .to_owned(),
            aws("continue-update-rollback", ""),
            "A resource that cannot return to its old state (deleted or changed outside \
             CloudFormation, say) can be skipped: CloudFormation marks it rolled back \
             without touching it, and it no longer matches the template until the next \
             deploy."
                .to_owned(),
            aws("continue-update-rollback", &listed("--resources-to-skip")),
        ]
        .join("\n"),
        "ROLLBACK_COMPLETE" => [
            "The stack was never created, and a stack in ROLLBACK_COMPLETE cannot be \
             updated: delete it, then deploy again."
                .to_owned(),
            aws("delete-stack", ""),
            aws("wait stack-delete-complete", ""),
        ]
        .join("\n"),
        "ROLLBACK_FAILED" => [
            "The stack was never created, and CloudFormation could not delete everything \
             it had created: delete the stack before deploying again."
                .to_owned(),
            aws("delete-stack", ""),
            "If a resource still cannot be deleted, the stack ends in DELETE_FAILED; fix \
             the resource and delete again, or delete the stack and keep the resource \
             (--retain-resources)."
                .to_owned(),
        ]
        .join("\n"),
        "DELETE_FAILED" => [
            "Some resources could not be deleted (a bucket that is not empty, say). Fix \
             them and delete the stack again, or delete it and keep them:"
                .to_owned(),
            aws("delete-stack", ""),
            aws("delete-stack", &listed("--retain-resources")),
        ]
        .join("\n"),
        "UPDATE_ROLLBACK_COMPLETE" => "The update was rolled back and the stack is as it was \
             before; fix the cause and deploy again."
            .to_owned(),
        "IMPORT_ROLLBACK_COMPLETE" => "The import was rolled back and the stack is as it was \
             before; fix the cause and deploy again."
            .to_owned(),
        "IMPORT_ROLLBACK_FAILED" => [
            "CloudFormation could not roll the import back; the failed resources and their \
             reasons are in the stack's events:"
                .to_owned(),
            aws("describe-stack-events", ""),
        ]
        .join("\n"),
        "CREATE_FAILED" | "UPDATE_FAILED" => [
            "Rollback was disabled, so the resources are left as they were when it failed. \
             Fix the cause and deploy again, or roll back to the last stable state (for a \
             stack that never had one, that deletes it):"
                .to_owned(),
            aws("rollback-stack", ""),
        ]
        .join("\n"),
        "REVIEW_IN_PROGRESS" => return None,
        other if other.ends_with("_IN_PROGRESS") => [
            format!(
                "Another operation is running on the stack ({other}); wait for it to \
                 finish, then deploy again. Its status:"
            ),
            aws("describe-stacks", ""),
        ]
        .join("\n"),
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_statuses_are_complete_or_failed_and_not_in_progress() {
        for terminal in [
            "CREATE_COMPLETE",
            "ROLLBACK_COMPLETE",
            "ROLLBACK_FAILED",
            "UPDATE_ROLLBACK_FAILED",
            "UPDATE_ROLLBACK_COMPLETE",
            "DELETE_FAILED",
            "IMPORT_ROLLBACK_COMPLETE",
        ] {
            assert!(is_terminal(terminal), "{terminal}");
        }
        for moving in [
            "REVIEW_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            "ROLLBACK_IN_PROGRESS",
            "",
        ] {
            assert!(!is_terminal(moving), "{moving}");
        }
    }

    #[test]
    fn success_depends_on_what_was_started() {
        assert!(is_success("CREATE_COMPLETE", true));
        assert!(!is_success("CREATE_COMPLETE", false));
        assert!(is_success("UPDATE_COMPLETE", false));
        assert!(!is_success("UPDATE_COMPLETE", true));
        assert!(is_success("IMPORT_COMPLETE", false));
        for failed in [
            "ROLLBACK_COMPLETE",
            "UPDATE_ROLLBACK_COMPLETE",
            "DELETE_COMPLETE",
        ] {
            assert!(!is_success(failed, true) && !is_success(failed, false));
        }
    }

    #[test]
    fn stable_states_need_no_next_step() {
        for fine in [
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
            "DELETE_COMPLETE",
            "REVIEW_IN_PROGRESS",
            "NOT_A_STATUS",
        ] {
            assert_eq!(next_step("S", "eu-west-1", fine), None, "{fine}");
        }
        let waiting = next_step("S", "eu-west-1", "UPDATE_IN_PROGRESS").unwrap_or_default();
        assert!(waiting.contains("wait"), "{waiting}");
    }
}
