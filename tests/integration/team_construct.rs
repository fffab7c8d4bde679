//! The team construct example: a plugin crate built as a team would build it, composing
//! the standard constructs, used by a stack of a handful of lines.

use crate::support::{assert_golden, build_standalone_plugin, repo_root, stackweave};

const STACK: &str = "examples/team-construct/stack.yaml";

#[test]
fn the_team_construct_example_matches_its_golden_template() {
    let built = build_standalone_plugin(&repo_root().join("examples/team-construct/express-api"));
    let plugins = built.to_str().expect("a UTF-8 path");
    let run = stackweave(&["synth", STACK, "--plugins", plugins]);
    let template = run.success();
    assert_golden(
        "examples/team-construct/expected/Orders.template.yaml",
        template,
    );

    // The team's defaults, and every resource nested under the one construct's path.
    assert_contains!(
        template,
        "  OrdersLogs:\n    Type: AWS::Logs::LogGroup",
        "RetentionInDays: 14",
        "  OrdersWorkflowRole:\n    Type: AWS::IAM::Role",
        "  OrdersWorkflow:\n    Type: AWS::StepFunctions::StateMachine",
        "  OrdersApiRole:\n    Type: AWS::IAM::Role",
        "StageName: v1",
        // The team's tag and the product's, on everything, the roles included.
        "Tags:\n      - Key: cost-centre\n        Value: orders\n      - Key: managed-by\n        Value: platform-team"
    );
    let tagged = template.matches("Value: platform-team").count();
    assert_eq!(
        tagged, 6,
        "log group, two roles, state machine, REST API and stage:\n{template}"
    );
    let stack = std::fs::read_to_string(repo_root().join(STACK)).expect("the stack file");
    let lines = stack
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .count();
    assert!(
        lines <= 25,
        "the stack file should stay a handful of lines, not {lines}"
    );
}
