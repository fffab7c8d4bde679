//! The plan shown before executing a change set, and reading DescribeChangeSet.

use serde_json::json;
use stackweave_rollout::{
    ResourceChange, change_set_state_from_json, changes_from_json, is_empty_change_set_reason,
    render_plan,
};

use crate::fixture;

#[test]
fn change_sets_are_read_in_the_documented_shape() {
    let changes = changes_from_json(&fixture("update.change-set.json"));
    let row = |c: &ResourceChange| {
        (
            c.action.clone(),
            c.logical_id.clone(),
            c.replacement.clone().unwrap_or_default(),
        )
    };
    let rows: Vec<(String, String, String)> = changes.iter().map(row).collect();
    let expected = [
        ("Modify", "ApiRole", "False"),
        ("Modify", "Workflow", "Conditional"),
        ("Add", "ApiDeployment4d2e91a0", ""),
        ("Modify", "ApiStage", "True"),
        ("Remove", "ApiDeploymentcf9b9d67", ""),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(rows, expected);
    assert_eq!(changes[3].resource_type, "AWS::ApiGateway::Stage");
    let state = change_set_state_from_json(&fixture("update.change-set.json"));
    assert_eq!(
        (state.status.as_str(), state.execution_status.as_str()),
        ("CREATE_COMPLETE", "AVAILABLE")
    );
    assert!(!state.is_empty());
}

#[test]
fn the_plan_marks_replacements_and_says_why_approval_is_needed() {
    let old = json!({"Resources": {
        "ApiStage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "dev"}},
    }});
    let new = json!({"Resources": {
        "ApiStage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "v1"}},
    }});
    let semantic = stackweave_diff::diff(&old, &new).render_text(false);
    let changes = changes_from_json(&fixture("update.change-set.json"));
    let reasons = vec![
        "ApiRole now allows states:* on ${Workflow}, beyond what it allowed before (policy ApiRolePolicy)".to_owned(),
    ];
    let plan = render_plan("RefArch-dev-Api", &semantic, &changes, Some(&reasons));
    let expected = "\
Plan for RefArch-dev-Api

Stackweave's diff against the deployed template:
    Resources
    [~] AWS::ApiGateway::Stage ApiStage (replacement)
        [~] Properties.StageName: \"dev\" -> \"v1\" (requires replacement)

CloudFormation's change set:
    Action  Logical id             Type                              Replacement
    Modify  ApiRole                AWS::IAM::Role
    Modify  Workflow               AWS::StepFunctions::StateMachine  may replace
    Add     ApiDeployment4d2e91a0  AWS::ApiGateway::Deployment
    Modify  ApiStage               AWS::ApiGateway::Stage            replaces
    Remove  ApiDeploymentcf9b9d67  AWS::ApiGateway::Deployment
    1 replaced, 1 may be replaced: a replaced resource is created anew and the old one deleted, with its data

Approval needed:
    - ApiRole now allows states:* on ${Workflow}, beyond what it allowed before (policy ApiRolePolicy)
";
    assert_eq!(plan, expected);
    assert!(plan.lines().all(|line| line == line.trim_end()));
}

#[test]
fn a_plan_without_resource_changes_or_approval_says_so() {
    let plan = render_plan("RefArch-dev-Api", "No differences\n", &[], None);
    assert!(
        plan.contains("    no resource changes (outputs, parameters or tags may still change)\n")
    );
    assert!(!plan.contains("Approval"));
}

#[test]
fn an_empty_change_set_is_recognised_by_its_reason() {
    let state = change_set_state_from_json(&fixture("empty.change-set.json"));
    assert_eq!(state.status, "FAILED");
    assert_eq!(state.execution_status, "UNAVAILABLE");
    assert!(state.is_empty(), "{state:?}");
    assert!(changes_from_json(&fixture("empty.change-set.json")).is_empty());

    for empty in [
        "The submitted information didn't contain changes. Submit different information to create a change set.",
        "No updates are to be performed.",
        "The submitted information didn\u{2019}t contain changes. Submit different information to create a change set.",
    ] {
        assert!(is_empty_change_set_reason(empty), "{empty}");
    }
    for failure in [
        "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template",
        "Requires capabilities : [CAPABILITY_IAM]",
        "",
    ] {
        assert!(!is_empty_change_set_reason(failure), "{failure}");
    }
}
