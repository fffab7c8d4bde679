//! The live progress of one stack's deployment, built from its events as they arrive.
//!
//! A terminal gets one line per stack, rewritten in place ([`Progress::status_line`]): how
//! many resources are done, the time, and what CloudFormation is working on, which is what
//! a person watching wants to know ("is it stuck on the distribution again?"). A CI log
//! cannot rewrite lines, so it gets one plain line per event instead
//! ([`Progress::event_line`]).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::events::{StackEvent, instant};
use crate::text::{clock, shown};

/// The live progress of one stack's deployment.
#[derive(Debug, Clone)]
pub struct Progress {
    stack_name: String,
    total: usize,
    /// Resources that reached a `*_COMPLETE` status (or were retained on delete).
    done: HashSet<String>,
    /// Resources CloudFormation is working on: logical id, type, status; oldest start
    /// first.
    in_progress: Vec<(String, String, String)>,
    /// Resources that failed for a reason of their own, in order.
    failed: Vec<String>,
    /// The latest status of the stack itself.
    stack_status: Option<String>,
    /// Events already observed, by id: a poller sees the same page of events many times.
    seen: HashSet<String>,
    /// The time of the latest event observed per logical id (milliseconds), so that an
    /// event arriving late cannot undo a newer one.
    latest: HashMap<String, i64>,
}

impl Progress {
    /// The progress of deploying `stack_name`, which will touch `total_resources`
    /// resources (those of the template for a create, the change set's changes for an
    /// update).
    pub fn new(stack_name: &str, total_resources: usize) -> Self {
        Progress {
            stack_name: stack_name.to_owned(),
            total: total_resources,
            done: HashSet::new(),
            in_progress: Vec::new(),
            failed: Vec::new(),
            stack_status: None,
            seen: HashSet::new(),
            latest: HashMap::new(),
        }
    }

    /// Takes one event into account. Feed this deployment's events only
    /// (DescribeStackEvents returns the stack's whole history;
    /// [`crate::latest_operation`] keeps the latest operation's), oldest first
    /// ([`crate::chronological`]). An event already observed (same `EventId`) is ignored,
    /// and so is one older than the latest already observed for the same resource.
    ///
    /// A resource counts as done once it reaches a `*_COMPLETE` status (or
    /// `DELETE_SKIPPED`: retained), unless the stack is rolling back: undoing work is not
    /// progress, and the count stays where the deployment stopped. Events of the stack
    /// itself only update its status. A `*_IN_PROGRESS` status marks the resource as being
    /// worked on; a `*_FAILED` one is remembered unless it is a cascade
    /// ([`StackEvent::is_cascade`]).
    pub fn observe(&mut self, event: &StackEvent) {
        if !event.event_id.is_empty() && !self.seen.insert(event.event_id.clone()) {
            return;
        }
        if event.is_stack() {
            self.stack_status = Some(event.status.clone());
            return;
        }
        let id = &event.logical_id;
        if let Some(at) = instant(&event.timestamp) {
            match self.latest.get(id) {
                Some(&newest) if at < newest => return,
                _ => {
                    self.latest.insert(id.clone(), at);
                }
            }
        }
        self.in_progress.retain(|(other, _, _)| other != id);
        let status = event.status.as_str();
        if status.ends_with("_IN_PROGRESS") {
            self.in_progress
                .push((id.clone(), event.resource_type.clone(), status.to_owned()));
        } else if status.ends_with("_COMPLETE") || status == "DELETE_SKIPPED" {
            if !self.rolling_back() {
                self.done.insert(id.clone());
            }
        } else if event.is_failed() && !event.is_cascade() && !self.failed.contains(id) {
            self.failed.push(id.clone());
        }
    }

    /// One line for a terminal, with no line break:
    /// `RefArch-dev-Api  7/12 resources  0:42  creating ApiStage (AWS::ApiGateway::Stage)`.
    ///
    /// After the count and the time come how many resources failed (when any), then the
    /// resource whose work started last (and how many others are in progress), or, with
    /// none in progress, the stack's own status. The total shown is never below the count
    /// done (an update's cleanup may touch more resources than it changed).
    pub fn status_line(&self, elapsed: Duration) -> String {
        let mut line = format!(
            "{}  {}/{} resources  {}",
            shown(&self.stack_name),
            self.done(),
            self.total.max(self.done()),
            clock(elapsed)
        );
        if !self.failed.is_empty() {
            line.push_str(&format!("  {} failed", self.failed.len()));
        }
        match self.in_progress.last() {
            Some((id, resource_type, status)) => {
                let doing = if self.rolling_back() {
                    "rolling back".to_owned()
                } else {
                    doing(status)
                };
                line.push_str(&format!(
                    "  {doing} {} ({})",
                    shown(id),
                    shown(resource_type)
                ));
                if self.in_progress.len() > 1 {
                    line.push_str(&format!(" and {} more", self.in_progress.len() - 1));
                }
            }
            None => match &self.stack_status {
                Some(status) => line.push_str(&format!("  {}", shown(status))),
                None => line.push_str("  starting"),
            },
        }
        line
    }

    /// One plain line for a CI log, with no line break: the elapsed time right-aligned,
    /// the status, the logical id, the type, then the reason when there is one:
    /// `  0:03  CREATE_COMPLETE  WorkflowLogs  AWS::Logs::LogGroup`.
    pub fn event_line(event: &StackEvent, elapsed: Duration) -> String {
        let mut line = format!(
            "{:>6}  {}  {}  {}",
            clock(elapsed),
            shown(&event.status),
            shown(&event.logical_id),
            shown(&event.resource_type)
        );
        if let Some(reason) = &event.reason {
            line.push_str("  ");
            line.push_str(&shown(reason));
        }
        line
    }

    /// How many resources are done.
    pub fn done(&self) -> usize {
        self.done.len()
    }

    /// How many resources the deployment touches, as given to [`Progress::new`].
    pub fn total(&self) -> usize {
        self.total
    }

    /// The resources CloudFormation is working on, oldest start first.
    pub fn in_progress(&self) -> impl Iterator<Item = &str> {
        self.in_progress.iter().map(|(id, _, _)| id.as_str())
    }

    /// The resources that failed for a reason of their own, in the order they failed.
    pub fn failed(&self) -> &[String] {
        &self.failed
    }

    /// Whether the stack is rolling back (or has rolled back) what this deployment did.
    fn rolling_back(&self) -> bool {
        self.stack_status
            .as_deref()
            .is_some_and(|status| status.contains("ROLLBACK"))
    }

    /// The latest status of the stack itself, once an event about it was observed.
    pub fn stack_status(&self) -> Option<&str> {
        self.stack_status.as_deref()
    }
}

/// What a resource in `status` is undergoing, as a verb.
fn doing(status: &str) -> String {
    match status {
        "CREATE_IN_PROGRESS" => "creating".to_owned(),
        "UPDATE_IN_PROGRESS" => "updating".to_owned(),
        "DELETE_IN_PROGRESS" => "deleting".to_owned(),
        "IMPORT_IN_PROGRESS" => "importing".to_owned(),
        other if other.contains("ROLLBACK") => "rolling back".to_owned(),
        other => shown(other).into_owned(),
    }
}
