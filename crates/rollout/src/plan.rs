//! The plan shown before a change set is executed, and reading the change set itself.
//!
//! Two views of the same change are shown because each sees what the other cannot:
//! Stackweave's semantic diff shows what changes inside each resource and every IAM
//! statement; CloudFormation's change set (DescribeChangeSet) is the authority on what it
//! will actually do, replacements included, once parameters and intrinsic functions are
//! resolved.

use serde_json::Value;

use crate::text::shown;

/// One resource change of a change set, from DescribeChangeSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// `Add`, `Modify`, `Remove`, `Import` or `Dynamic`.
    pub action: String,
    /// `LogicalResourceId`.
    pub logical_id: String,
    /// `ResourceType`.
    pub resource_type: String,
    /// `True`, `False` or `Conditional`, for a `Modify`: whether CloudFormation replaces
    /// the resource (creates a new one, then deletes the old).
    pub replacement: Option<String>,
}

/// Parses the resource changes of a DescribeChangeSet response in the documented JSON
/// shape (`{"Changes": [{"Type": "Resource", "ResourceChange": {"Action",
/// "LogicalResourceId", "ResourceType", "Replacement", ...}}]}`), in the API's order.
/// Changes that are not resource changes are skipped; a missing text field reads as empty.
pub fn changes_from_json(describe_change_set_response: &Value) -> Vec<ResourceChange> {
    let Some(changes) = describe_change_set_response
        .get("Changes")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    changes
        .iter()
        .filter_map(|change| change.get("ResourceChange")?.as_object())
        .map(|change| {
            let text = |key: &str| change.get(key).and_then(Value::as_str).map(str::to_owned);
            ResourceChange {
                action: text("Action").unwrap_or_default(),
                logical_id: text("LogicalResourceId").unwrap_or_default(),
                resource_type: text("ResourceType").unwrap_or_default(),
                replacement: text("Replacement").filter(|r| !r.is_empty()),
            }
        })
        .collect()
}

/// Where a change set stands, from DescribeChangeSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetState {
    /// `Status`: `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`, ...
    pub status: String,
    /// `ExecutionStatus`: `AVAILABLE` once it can be executed, `UNAVAILABLE` otherwise.
    pub execution_status: String,
    /// `StatusReason`, when CloudFormation gives one.
    pub status_reason: Option<String>,
}

impl ChangeSetState {
    /// Whether the change set failed only because there is nothing to change: "no
    /// changes", never an error ([`is_empty_change_set_reason`]).
    pub fn is_empty(&self) -> bool {
        self.status == "FAILED"
            && self
                .status_reason
                .as_deref()
                .is_some_and(is_empty_change_set_reason)
    }
}

/// Reads `Status`, `ExecutionStatus` and `StatusReason` of a DescribeChangeSet response;
/// a missing text field reads as empty.
pub fn change_set_state_from_json(describe_change_set_response: &Value) -> ChangeSetState {
    let text = |key: &str| {
        describe_change_set_response
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    ChangeSetState {
        status: text("Status").unwrap_or_default(),
        execution_status: text("ExecutionStatus").unwrap_or_default(),
        status_reason: text("StatusReason").filter(|r| !r.is_empty()),
    }
}

/// Whether `status_reason`, the reason of a `FAILED` change set, means only that the
/// template and parameters change nothing. CloudFormation words it "The submitted
/// information didn't contain changes. Submit different information to create a change
/// set." or, for some stacks, "No updates are to be performed."; both are matched by
/// their distinctive part, ignoring case and the kind of apostrophe.
pub fn is_empty_change_set_reason(status_reason: &str) -> bool {
    let reason = status_reason.to_lowercase().replace('\u{2019}', "'");
    reason.contains("didn't contain changes") || reason.contains("no updates are to be performed")
}

/// The plan for people, before a change set of `stack_name` is executed; every line ends
/// with a line break and has no trailing whitespace:
///
/// 1. a header naming the stack;
/// 2. `semantic`, Stackweave's diff as `stackweave-diff`'s text renderer wrote it (IAM
///    changes first), indented;
/// 3. CloudFormation's changes as a table (action, logical id, type, replacement), a
///    replacement shown as `replaces` (`True`) or `may replace` (`Conditional`), then how
///    many resources are replaced; or a line saying CloudFormation lists no resource
///    change;
/// 4. with `approval`, why approval is needed, one reason per line.
pub fn render_plan(
    stack_name: &str,
    semantic: &str,
    changes: &[ResourceChange],
    approval: Option<&[String]>,
) -> String {
    let mut out = format!("Plan for {}\n", shown(stack_name));
    out.push_str("\nStackweave's diff against the deployed template:\n");
    push_indented(&mut out, semantic);

    out.push_str("\nCloudFormation's change set:\n");
    if changes.is_empty() {
        out.push_str("    no resource changes (outputs, parameters or tags may still change)\n");
    } else {
        let rows: Vec<[String; 4]> = changes
            .iter()
            .map(|change| {
                [
                    shown(&change.action).into_owned(),
                    shown(&change.logical_id).into_owned(),
                    shown(&change.resource_type).into_owned(),
                    replacement_words(change.replacement.as_deref()).to_owned(),
                ]
            })
            .collect();
        let header = ["Action", "Logical id", "Type", "Replacement"].map(str::to_owned);
        push_table(&mut out, &header, &rows);
        let replaced = count(changes, "True");
        let maybe = count(changes, "Conditional");
        if replaced + maybe > 0 {
            out.push_str(&format!(
                "    {replaced} replaced, {maybe} may be replaced: a replaced resource is \
                 created anew and the old one deleted, with its data\n"
            ));
        }
    }

    if let Some(reasons) = approval {
        out.push_str("\nApproval needed:\n");
        for reason in reasons {
            out.push_str(&format!("    - {}\n", shown(reason)));
        }
    }
    out
}

fn replacement_words(replacement: Option<&str>) -> &'static str {
    match replacement {
        Some("True") => "replaces",
        Some("Conditional") => "may replace",
        _ => "",
    }
}

fn count(changes: &[ResourceChange], replacement: &str) -> usize {
    changes
        .iter()
        .filter(|c| c.replacement.as_deref() == Some(replacement))
        .count()
}

/// `text`, each line indented by four spaces (blank lines left blank).
fn push_indented(out: &mut String, text: &str) {
    for line in text.trim_end().lines() {
        let line = line.trim_end();
        if !line.is_empty() {
            out.push_str("    ");
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// Columns padded to their widest cell (in characters), two spaces apart; the last
/// column is not padded, so no line ends in spaces.
fn push_table(out: &mut String, header: &[String; 4], rows: &[[String; 4]]) {
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows) {
        let mut line = String::from("    ");
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}
