//! Reading DescribeStackEvents and finding the root cause, in whatever order events come.

use stackweave_rollout::{
    StackEvent, chronological, events_from_json, latest_operation, normalise_timestamp, root_cause,
};

use crate::{recorded_events, shuffled};

#[test]
fn events_are_read_in_the_documented_shape() {
    let events = recorded_events("create-failed.events.json");
    assert_eq!(events.len(), 38);
    // Newest first, as the API returns them.
    let last = &events[0];
    assert!(last.is_stack());
    assert_eq!(last.status, "ROLLBACK_COMPLETE");
    assert_eq!(last.timestamp, "2026-12-07T10:01:25.177Z");
    let role = events
        .iter()
        .find(|e| e.logical_id == "WorkflowRole" && e.status == "CREATE_FAILED")
        .expect("the role's failure");
    assert_eq!(role.resource_type, "AWS::IAM::Role");
    assert_eq!(
        role.physical_id, None,
        "an empty PhysicalResourceId is none"
    );
    assert!(
        role.reason
            .as_deref()
            .is_some_and(|r| r.contains("HandlerErrorCode: AccessDenied")),
        "{role:?}"
    );
    assert_eq!(
        role.event_id,
        "WorkflowRole-CREATE_FAILED-2026-12-07T10:00:09.544Z"
    );
}

#[test]
fn the_root_cause_of_a_failed_create_is_the_role_not_the_cancellations() {
    let newest_first = recorded_events("create-failed.events.json");
    let oldest_first: Vec<StackEvent> = newest_first.iter().rev().cloned().collect();
    let mixed = shuffled(&newest_first);
    for events in [&newest_first, &oldest_first, &mixed] {
        let cause = root_cause(events).expect("a cause");
        assert_eq!(
            (cause.logical_id.as_str(), cause.status.as_str()),
            ("WorkflowRole", "CREATE_FAILED")
        );
    }
    // The cancellations are failures too, but each is a consequence, and so is the
    // stack's summary that starts the rollback.
    let cancelled = newest_first
        .iter()
        .filter(|e| e.is_failed() && e.is_cascade())
        .count();
    assert_eq!(cancelled, 5);
    let summary = newest_first
        .iter()
        .find(|e| e.is_stack() && e.status == "ROLLBACK_IN_PROGRESS")
        .expect("the rollback");
    assert!(summary.is_cascade());
}

#[test]
fn the_root_cause_of_a_failed_update_ignores_last_weeks_failure_and_the_rollback() {
    let events = recorded_events("update-rollback-failed.events.json");
    for events in [events.clone(), shuffled(&events)] {
        let cause = root_cause(&events).expect("a cause");
        assert_eq!(cause.logical_id, "ApiStage");
        assert_eq!(cause.status, "UPDATE_FAILED");
        assert!(
            cause
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("CloudWatch Logs role ARN")),
            "{cause:?}"
        );
    }
    // The latest operation starts at this update's `User Initiated`.
    let operation = latest_operation(&events);
    assert_eq!(operation[0].status, "UPDATE_IN_PROGRESS");
    assert_eq!(operation[0].timestamp, "2026-12-07T14:20:03.410Z");
    assert_eq!(
        operation.last().map(|e| e.status.as_str()),
        Some("UPDATE_ROLLBACK_FAILED")
    );
}

#[test]
fn without_a_resource_of_its_own_the_cause_is_the_stacks_reason() {
    let stack = |status: &str, at: &str, reason: &str| StackEvent {
        event_id: format!("id-{at}"),
        stack_name: "RefArch-dev-Observability".to_owned(),
        timestamp: at.to_owned(),
        logical_id: "RefArch-dev-Observability".to_owned(),
        physical_id: None,
        resource_type: "AWS::CloudFormation::Stack".to_owned(),
        status: status.to_owned(),
        reason: Some(reason.to_owned()),
    };
    let export = "Export RefArch-dev-Observability:WorkflowLogsArn cannot be updated as it is \
                  in use by RefArch-dev-Api";
    let events = vec![
        stack("UPDATE_ROLLBACK_COMPLETE", "2026-12-07T10:00:09.000Z", ""),
        stack(
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "2026-12-07T10:00:05.000Z",
            export,
        ),
        stack(
            "UPDATE_IN_PROGRESS",
            "2026-12-07T10:00:01.000Z",
            "User Initiated",
        ),
    ];
    let cause = root_cause(&events).expect("the export");
    assert_eq!(cause.reason.as_deref(), Some(export));
}

#[test]
fn only_consequences_name_no_cause() {
    let events: Vec<StackEvent> = recorded_events("create-failed.events.json")
        .into_iter()
        .filter(|e| !(e.logical_id == "WorkflowRole" && e.status == "CREATE_FAILED"))
        .collect();
    assert_eq!(root_cause(&events), None);
}

#[test]
fn timestamps_from_the_cli_and_the_api_sort_together() {
    // The AWS CLI v2 writes `+00:00` and microseconds; the API, `Z` and milliseconds.
    let json = serde_json::json!({"StackEvents": [
        {"EventId": "b", "StackName": "S", "LogicalResourceId": "B", "ResourceType": "AWS::SQS::Queue",
         "Timestamp": "2026-12-07T11:00:02.000000+01:00", "ResourceStatus": "CREATE_COMPLETE"},
        {"EventId": "a", "StackName": "S", "LogicalResourceId": "A", "ResourceType": "AWS::SQS::Queue",
         "Timestamp": "2026-12-07T10:00:01.500Z", "ResourceStatus": "CREATE_COMPLETE"},
    ]});
    let events = events_from_json(&json);
    assert_eq!(events[0].timestamp, "2026-12-07T10:00:02.000Z");
    let ids: Vec<&str> = chronological(&events)
        .iter()
        .map(|e| e.event_id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(normalise_timestamp("not a time"), None);
}

#[test]
fn cascades_are_told_from_causes_by_their_reason() {
    let event = |reason: &str| StackEvent {
        event_id: String::new(),
        stack_name: "S".to_owned(),
        timestamp: String::new(),
        logical_id: "R".to_owned(),
        physical_id: None,
        resource_type: "AWS::SQS::Queue".to_owned(),
        status: "CREATE_FAILED".to_owned(),
        reason: Some(reason.to_owned()),
    };
    for cascade in [
        "Resource creation cancelled",
        "Resource update cancelled",
        "Resource deletion cancelled.",
        "The following resource(s) failed to create: [A, B]. ",
    ] {
        assert!(event(cascade).is_cascade(), "{cascade}");
    }
    for cause in [
        "Resource handler returned message: \"Resource creation cancelled by a hook\"",
        "Embedded stack arn:aws:cloudformation:eu-west-1:123456789012:stack/N/1 was not \
         successfully created: The following resource(s) failed to create: [Role].",
    ] {
        assert!(!event(cause).is_cascade(), "{cause}");
    }
}
