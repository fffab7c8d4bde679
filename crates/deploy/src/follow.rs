//! Executing a change set and following the stack until CloudFormation is done with it:
//! its status from DescribeStacks, its new events from DescribeStackEvents (only those after
//! the execution started, paged until the last one already seen), each handed to the
//! caller as it arrives.

use std::time::Duration;

use stackweave_location::Diagnostic;

use crate::connection::Clients;
use crate::error::sdk_error;
use crate::rollout::{self, StackEvent};

/// How the stack ended.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The terminal status.
    pub status: String,
    /// Whether it is the status asked for.
    pub succeeded: bool,
    /// Every event of this deploy, oldest first (for the failure report).
    pub events: Vec<StackEvent>,
}

/// The id of the stack's newest event, so that following reads only what comes after.
pub async fn newest_event(
    clients: &Clients,
    stack_name: &str,
) -> Result<Option<String>, Diagnostic> {
    match clients
        .cloudformation
        .describe_stack_events()
        .stack_name(stack_name)
        .send()
        .await
    {
        Ok(page) => Ok(page
            .stack_events()
            .first()
            .and_then(|e| e.event_id())
            .map(str::to_owned)),
        Err(error) if crate::error::is_missing_stack(&error) => Ok(None),
        Err(error) => Err(sdk_error(
            "cloudformation:DescribeStackEvents",
            stack_name,
            &error,
        )),
    }
}

/// Executes the change set `name` and follows the stack to a terminal status.
pub async fn execute(
    clients: &Clients,
    stack_name: &str,
    name: &str,
    creates: bool,
    on_event: &mut dyn FnMut(&StackEvent),
) -> Result<Finished, Diagnostic> {
    let mut seen = newest_event(clients, stack_name).await?;
    clients
        .cloudformation
        .execute_change_set()
        .stack_name(stack_name)
        .change_set_name(name)
        .send()
        .await
        .map_err(|e| sdk_error("cloudformation:ExecuteChangeSet", stack_name, &e))?;
    follow(clients, stack_name, &mut seen, creates, on_event).await
}

/// Polls until the stack's status is terminal, reporting new events.
pub async fn follow(
    clients: &Clients,
    stack_name: &str,
    seen: &mut Option<String>,
    creates: bool,
    on_event: &mut dyn FnMut(&StackEvent),
) -> Result<Finished, Diagnostic> {
    let mut interval = Duration::from_millis(50);
    let mut events = Vec::new();
    loop {
        // A stack that is gone was deleted: describing it by name no longer finds it.
        let status = crate::deployed::status(clients, stack_name)
            .await?
            .or_else(|| Some("DELETE_COMPLETE".to_owned()));
        // Events after the status, so that the events of a terminal status are all in.
        for event in new_events(clients, stack_name, seen).await? {
            on_event(&event);
            events.push(event);
        }
        if let Some(status) = status.filter(|s| rollout::is_terminal(s)) {
            return Ok(Finished {
                succeeded: rollout::is_success(&status, creates),
                status,
                events,
            });
        }
        tokio::time::sleep(interval).await;
        // Never slower than every 5 s: the deadline is CloudFormation's, not ours.
        interval = (interval * 2).min(Duration::from_secs(5));
    }
}

/// The events newer than `seen`, oldest first; `seen` moves to the newest.
async fn new_events(
    clients: &Clients,
    stack_name: &str,
    seen: &mut Option<String>,
) -> Result<Vec<StackEvent>, Diagnostic> {
    let mut fresh = Vec::new();
    let mut token = None;
    'pages: loop {
        let page = match clients
            .cloudformation
            .describe_stack_events()
            .stack_name(stack_name)
            .set_next_token(token)
            .send()
            .await
        {
            Ok(page) => page,
            Err(error) if crate::error::is_missing_stack(&error) => break,
            Err(error) => {
                return Err(sdk_error(
                    "cloudformation:DescribeStackEvents",
                    stack_name,
                    &error,
                ));
            }
        };
        for event in page.stack_events() {
            let id = event.event_id().unwrap_or_default();
            if seen.as_deref() == Some(id) {
                break 'pages;
            }
            fresh.push(StackEvent {
                event_id: id.to_owned(),
                stack_name: stack_name.to_owned(),
                timestamp: event.timestamp().map(|t| t.to_string()).unwrap_or_default(),
                logical_id: event.logical_resource_id().unwrap_or_default().to_owned(),
                physical_id: event.physical_resource_id().map(str::to_owned),
                resource_type: event.resource_type().unwrap_or_default().to_owned(),
                status: event
                    .resource_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                reason: event.resource_status_reason().map(str::to_owned),
            });
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    if let Some(newest) = fresh.first() {
        *seen = Some(newest.event_id.clone());
    }
    fresh.reverse();
    Ok(fresh)
}
