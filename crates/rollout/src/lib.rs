//! Everything about deploying a stack through CloudFormation change sets that needs no AWS
//! SDK, so that it compiles in seconds and is tested on recorded API responses.
//!
//! `stackweave deploy` talks to CloudFormation through `stackweave-deploy`, the one crate
//! allowed the AWS SDK. What that crate asks and receives is decided here, as pure
//! functions over strings and JSON shaped as the CloudFormation API documents it:
//!
//! - [`events`]: DescribeStackEvents rows ([`StackEvent`]), put in time order, and the
//!   **root cause** of a failure ([`root_cause`]): the first failed resource that is not a
//!   consequence of another failure ("Resource creation cancelled" and the like).
//! - [`status`]: what a stack status means for a deployment ([`is_terminal`],
//!   [`is_success`]) and what to do next after a failure ([`next_step`]: the exact
//!   `aws cloudformation` command where there is one).
//! - [`failure`]: the report of a failed deployment, root cause first ([`failure_report`]).
//! - [`progress`]: the live display of one stack's deployment ([`Progress`]) and the plain
//!   line per event written to CI logs.
//! - [`mod@capabilities`]: which `Capabilities` a template must acknowledge.
//! - [`approval`]: whether a change needs a person's approval under
//!   `--require-approval` ([`ApprovalPolicy`]), and why, from `stackweave-diff`'s IAM model.
//! - [`plan`]: what is shown before executing a change set: the semantic diff and
//!   CloudFormation's own verdicts from DescribeChangeSet ([`render_plan`]), and
//!   recognising a change set that failed only because nothing changed.
//! - [`upload`]: when a template is too big to send inline, and where it goes in S3.
//!
//! What this crate is not: it makes no call, reads no credentials and holds no clock. The
//! caller measures elapsed time and passes it in, so every line it writes is a function of
//! its arguments. Text CloudFormation hands back (a resource's status reason may be written
//! by anyone's custom resource) is escaped before it appears in anything made for a
//! terminal.

pub mod approval;
pub mod capabilities;
pub mod events;
pub mod failure;
pub mod plan;
pub mod progress;
pub mod status;
pub mod upload;

mod grants;
mod text;

pub use crate::approval::{ApprovalPolicy, UnknownApprovalPolicy, approval_needed};
pub use crate::capabilities::capabilities;
pub use crate::events::{
    StackEvent, chronological, events_from_json, latest_operation, normalise_timestamp, root_cause,
};
pub use crate::failure::failure_report;
pub use crate::plan::{
    ChangeSetState, ResourceChange, change_set_state_from_json, changes_from_json,
    is_empty_change_set_reason, render_plan,
};
pub use crate::progress::Progress;
pub use crate::status::{StackState, is_success, is_terminal, next_step, stacks_from_json};
pub use crate::upload::{TEMPLATE_BODY_MAX_BYTES, s3_key, template_body_needs_upload};
