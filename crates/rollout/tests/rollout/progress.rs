//! Live progress and CI lines, replaying recorded deployments event by event.

use std::time::Duration;

use stackweave_rollout::{Progress, StackEvent, changes_from_json, chronological};

use crate::{fixture, recorded_events};

/// Replays `events` oldest first into a fresh `Progress`, stopping after the first event
/// `stop` accepts (or at the end).
fn replay(total: usize, events: &[StackEvent], stop: impl Fn(&StackEvent) -> bool) -> Progress {
    let mut progress = Progress::new("RefArch-dev-Api", total);
    for event in chronological(events) {
        progress.observe(event);
        if stop(event) {
            break;
        }
    }
    progress
}

#[test]
fn a_create_shows_what_is_done_and_what_is_being_created() {
    let events = recorded_events("create-failed.events.json");
    // The stack has 13 resources; just before the role fails, two are done and six are
    // being created, the queue most recently.
    let before_failure = replay(13, &events, |e| {
        e.logical_id == "OrdersQueue" && e.reason.as_deref() == Some("Resource creation Initiated")
    });
    assert_eq!((before_failure.done(), before_failure.total()), (2, 13));
    assert_eq!(
        before_failure.status_line(Duration::from_secs(9)),
        "RefArch-dev-Api  2/13 resources  0:09  creating OrdersQueue (AWS::SQS::Queue) and 5 more"
    );
    // Once it has failed, the failure is counted, the cancellations are not.
    let after_failure = replay(13, &events, |e| e.status == "ROLLBACK_IN_PROGRESS");
    assert_eq!(after_failure.failed(), ["WorkflowRole"]);
    assert_eq!(
        after_failure.status_line(Duration::from_secs(10)),
        "RefArch-dev-Api  2/13 resources  0:10  1 failed  ROLLBACK_IN_PROGRESS"
    );
    // Undoing is not progress: the count stays where the deployment stopped.
    let rolling_back = replay(13, &events, |e| {
        e.logical_id == "Api" && e.status == "DELETE_IN_PROGRESS"
    });
    assert_eq!(
        rolling_back.status_line(Duration::from_secs(12)),
        "RefArch-dev-Api  2/13 resources  0:12  1 failed  rolling back Api (AWS::ApiGateway::RestApi) and 2 more"
    );
}

#[test]
fn an_update_counts_each_change_once_replacements_and_cleanup_included() {
    let changes = changes_from_json(&fixture("update.change-set.json"));
    let events = recorded_events("update-succeeded.events.json");
    let progress = replay(changes.len(), &events, |_| false);
    assert_eq!((progress.done(), progress.total()), (5, 5));
    assert_eq!(progress.stack_status(), Some("UPDATE_COMPLETE"));
    assert_eq!(progress.in_progress().count(), 0);
    assert_eq!(
        progress.status_line(Duration::from_secs(7 * 60 + 3)),
        "RefArch-dev-Api  5/5 resources  7:03  UPDATE_COMPLETE"
    );
    let mid = replay(changes.len(), &events, |e| {
        e.reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Requested update requires"))
    });
    assert_eq!(
        mid.status_line(Duration::from_secs(4)),
        "RefArch-dev-Api  3/5 resources  0:04  updating ApiStage (AWS::ApiGateway::Stage)"
    );
}

#[test]
fn events_seen_twice_or_late_change_nothing() {
    let events = recorded_events("update-succeeded.events.json");
    let mut progress = Progress::new("RefArch-dev-Api", 5);
    // A poller sees the same page again and again.
    for _ in 0..3 {
        for event in chronological(&events) {
            progress.observe(event);
        }
    }
    assert_eq!(progress.done(), 5);
    // An event older than what is known of its resource does not bring it back to life.
    let stale = events
        .iter()
        .find(|e| e.logical_id == "ApiRole" && e.status == "UPDATE_IN_PROGRESS")
        .cloned()
        .map(|mut e| {
            e.event_id.push_str("-again");
            e
        })
        .expect("the role's update");
    progress.observe(&stale);
    assert_eq!(progress.in_progress().count(), 0);
}

#[test]
fn ci_logs_get_one_plain_line_per_event() {
    let events = recorded_events("create-failed.events.json");
    let find = |id: &str, status: &str| {
        events
            .iter()
            .find(|e| e.logical_id == id && e.status == status)
            .expect("the event")
    };
    assert_eq!(
        Progress::event_line(
            find("WorkflowLogs", "CREATE_COMPLETE"),
            Duration::from_millis(3_400)
        ),
        "  0:03  CREATE_COMPLETE  WorkflowLogs  AWS::Logs::LogGroup"
    );
    assert_eq!(
        Progress::event_line(
            find("OrdersTable", "CREATE_FAILED"),
            Duration::from_secs(725)
        ),
        " 12:05  CREATE_FAILED  OrdersTable  AWS::DynamoDB::Table  Resource creation cancelled"
    );
    let role = Progress::event_line(
        find("WorkflowRole", "CREATE_FAILED"),
        Duration::from_secs(4),
    );
    assert!(role.starts_with("  0:04  CREATE_FAILED  WorkflowRole  AWS::IAM::Role  Resource handler returned message: \"User: "), "{role}");
    assert!(!role.contains('\n'));
}
