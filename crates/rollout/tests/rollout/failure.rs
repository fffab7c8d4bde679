//! The failure report: root cause first, the cascade as a count, the final status, then
//! what to do, on recorded failures.

use stackweave_rollout::{StackEvent, failure_report, next_step, stacks_from_json};

use crate::{fixture, recorded_events, shuffled};

/// The final status, as DescribeStacks reports it once the stack stops moving.
fn final_status(stacks: &str) -> String {
    let stacks = stacks_from_json(&fixture(stacks));
    assert_eq!(stacks.len(), 1);
    assert_eq!(stacks[0].stack_name, "RefArch-dev-Api");
    stacks[0].status.clone()
}

fn position(report: &str, needle: &str) -> usize {
    report
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{report}"))
}

#[test]
fn a_failed_first_create_says_the_stack_must_be_deleted() {
    let status = final_status("create-failed.stacks.json");
    assert_eq!(status, "ROLLBACK_COMPLETE");
    let events = recorded_events("create-failed.events.json");
    let report = failure_report("RefArch-dev-Api", "eu-west-1", &status, &events);
    let expected = "\
root cause: WorkflowRole (AWS::IAM::Role) CREATE_FAILED
  Resource handler returned message: \"User: arn:aws:sts::123456789012:assumed-role/stackweave-deployer/ci-4711 is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/RefArch-dev-Api-WorkflowRole-Q3v8XkP1aB2c because no identity-based policy allows the iam:CreateRole action (Service: Iam, Status Code: 403, Request ID: 6f1d2c3b-8a9e-4b7c-9d0e-1f2a3b4c5d6e)\" (RequestToken: 0b3c8a0e-7f4d-4b1e-a2c5-9d8e7f6a5b4c, HandlerErrorCode: AccessDenied)
and 7 more resources were cancelled or rolled back
final status: RefArch-dev-Api in eu-west-1 is ROLLBACK_COMPLETE
next step: The stack was never created, and a stack in ROLLBACK_COMPLETE cannot be updated: delete it, then deploy again.
  aws cloudformation delete-stack --stack-name RefArch-dev-Api --region eu-west-1
  aws cloudformation wait stack-delete-complete --stack-name RefArch-dev-Api --region eu-west-1
";
    assert_eq!(report, expected);
    // The same report whatever order the events come in.
    let mixed = shuffled(&events);
    assert_eq!(
        failure_report("RefArch-dev-Api", "eu-west-1", &status, &mixed),
        expected
    );
    // The cascade is counted, never listed.
    for cancelled in [
        "ApiAccessLogs",
        "ApiPathStart",
        "OrdersQueue",
        "OrdersTable",
    ] {
        assert!(!report.contains(cancelled), "{cancelled} listed:\n{report}");
    }
}

#[test]
fn a_failed_update_rollback_gives_the_continue_command_naming_what_to_skip() {
    let status = final_status("update-rollback-failed.stacks.json");
    assert_eq!(status, "UPDATE_ROLLBACK_FAILED");
    let events = recorded_events("update-rollback-failed.events.json");
    let report = failure_report("RefArch-dev-Api", "eu-west-1", &status, &events);
    let cause = position(
        &report,
        "root cause: ApiStage (AWS::ApiGateway::Stage) UPDATE_FAILED",
    );
    let rollback = position(
        &report,
        "failed while rolling back: OrdersTable (AWS::DynamoDB::Table)",
    );
    let final_line = position(
        &report,
        "final status: RefArch-dev-Api in eu-west-1 is UPDATE_ROLLBACK_FAILED",
    );
    let next = position(
        &report,
        "  aws cloudformation continue-update-rollback --stack-name RefArch-dev-Api --region eu-west-1\n",
    );
    let skip = position(
        &report,
        "  aws cloudformation continue-update-rollback --stack-name RefArch-dev-Api --region eu-west-1 --resources-to-skip OrdersTable\n",
    );
    assert!(report.starts_with("root cause: "), "{report}");
    assert!(cause < rollback && rollback < final_line && final_line < next && next < skip);
    assert!(
        report.contains("CloudWatch Logs role ARN must be set"),
        "{report}"
    );
    assert!(
        report.contains("and 1 more resource was cancelled or rolled back"),
        "{report}"
    );
    // Last week's failed update is history, not this failure's cause.
    assert!(
        !report.contains("Invalid State Machine Definition"),
        "{report}"
    );
}

#[test]
fn next_steps_per_status() {
    let step = |status: &str| next_step("RefArch-dev-Api", "eu-west-1", status).unwrap_or_default();
    assert!(step("UPDATE_ROLLBACK_FAILED").contains(
        "aws cloudformation continue-update-rollback --stack-name RefArch-dev-Api --region eu-west-1 --resources-to-skip LOGICAL_ID..."
    ));
    for first_create in ["ROLLBACK_COMPLETE", "ROLLBACK_FAILED"] {
        assert!(
            step(first_create).contains(
                "aws cloudformation delete-stack --stack-name RefArch-dev-Api --region eu-west-1"
            ),
            "{first_create}"
        );
    }
    assert!(step("DELETE_FAILED").contains("--retain-resources LOGICAL_ID..."));
    assert!(step("UPDATE_ROLLBACK_COMPLETE").contains("fix the cause and deploy again"));
    assert!(
        step("UPDATE_FAILED")
            .contains("aws cloudformation rollback-stack --stack-name RefArch-dev-Api")
    );
    assert!(
        step("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS").starts_with("Another operation is running")
    );
    assert_eq!(
        next_step("RefArch-dev-Api", "eu-west-1", "UPDATE_COMPLETE"),
        None
    );
    // A surprising stack name stays one word of the command.
    let odd = next_step("it's", "eu-west-1", "ROLLBACK_COMPLETE").unwrap_or_default();
    assert!(
        odd.contains(r"--stack-name 'it'\''s' --region eu-west-1"),
        "{odd}"
    );
}

#[test]
fn a_failed_delete_names_what_could_not_be_deleted() {
    let event = |id: &str, status: &str, at: &str, reason: Option<&str>| StackEvent {
        event_id: format!("{id}-{status}-{at}"),
        stack_name: "RefArch-dev-Data".to_owned(),
        timestamp: at.to_owned(),
        logical_id: id.to_owned(),
        physical_id: None,
        resource_type: if id == "RefArch-dev-Data" {
            "AWS::CloudFormation::Stack"
        } else {
            "AWS::S3::Bucket"
        }
        .to_owned(),
        status: status.to_owned(),
        reason: reason.map(str::to_owned),
    };
    let not_empty =
        "Resource handler returned message: \"The bucket you tried to delete is not empty\"";
    let events = vec![
        event(
            "RefArch-dev-Data",
            "DELETE_FAILED",
            "2026-12-07T10:00:09.000Z",
            Some("The following resource(s) failed to delete: [Archive]. "),
        ),
        event(
            "Archive",
            "DELETE_FAILED",
            "2026-12-07T10:00:08.000Z",
            Some(not_empty),
        ),
        event(
            "Archive",
            "DELETE_IN_PROGRESS",
            "2026-12-07T10:00:02.000Z",
            None,
        ),
        event(
            "RefArch-dev-Data",
            "DELETE_IN_PROGRESS",
            "2026-12-07T10:00:01.000Z",
            Some("User Initiated"),
        ),
    ];
    let report = failure_report("RefArch-dev-Data", "eu-west-1", "DELETE_FAILED", &events);
    assert!(
        report.starts_with("root cause: Archive (AWS::S3::Bucket) DELETE_FAILED\n"),
        "{report}"
    );
    assert!(
        report.contains("  aws cloudformation delete-stack --stack-name RefArch-dev-Data --region eu-west-1 --retain-resources Archive\n"),
        "{report}"
    );
}

#[test]
fn text_from_cloudformation_cannot_drive_the_terminal() {
    let mut events = recorded_events("create-failed.events.json");
    for event in &mut events {
        if event.logical_id == "WorkflowRole" && event.status == "CREATE_FAILED" {
            event.reason = Some("custom resource says \u{1b}[2Jgone\nerror: forged".to_owned());
        }
    }
    let report = failure_report("RefArch-dev-Api", "eu-west-1", "ROLLBACK_COMPLETE", &events);
    assert!(!report.contains('\u{1b}'), "{report}");
    assert!(
        report.contains(r"custom resource says \u{1b}[2Jgone\nerror: forged"),
        "{report}"
    );
}

#[test]
fn another_failure_of_its_own_is_named_not_counted() {
    let mut events = recorded_events("create-failed.events.json");
    let quota = "Resource handler returned message: \"Subscriber limit exceeded: Provisioned \
                 throughput for the account exceeds the limit\" (HandlerErrorCode: ServiceLimitExceeded)";
    for event in &mut events {
        if event.logical_id == "OrdersTable" && event.status == "CREATE_FAILED" {
            event.reason = Some(quota.to_owned());
        }
    }
    let report = failure_report("RefArch-dev-Api", "eu-west-1", "ROLLBACK_COMPLETE", &events);
    let cause = position(
        &report,
        "root cause: WorkflowRole (AWS::IAM::Role) CREATE_FAILED\n",
    );
    let also = position(
        &report,
        "also failed: OrdersTable (AWS::DynamoDB::Table) CREATE_FAILED\n",
    );
    let count = position(
        &report,
        "and 6 more resources were cancelled or rolled back\n",
    );
    assert!(cause < also && also < count, "{report}");
    assert!(report.contains("Subscriber limit exceeded"), "{report}");
}
