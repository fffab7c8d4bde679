//! Team rules as validator plugins: `examples/team-rules/require-tracing` found by
//! `stackweave validate` in a plugin folder, its findings reported and suppressed like the
//! built-in rules', and a misbehaving validator stopped by the sandbox.

use serde_json::Value;
use stackweave_test_plugins::{REQUIRE_TRACING, VALIDATOR_MISBEHAVING};

use crate::support::{Project, repo_root, stackweave_in};

/// The reference example's stack file in a project with `rules/` holding `validator`.
fn project_with(validator: &str, edit: (&str, &str)) -> Project {
    let stack = std::fs::read_to_string(repo_root().join("examples/api-to-express/stack.yaml"))
        .expect("the example");
    assert!(stack.contains(edit.0), "{:?}", edit.0);
    let project = Project::new(&stack.replacen(edit.0, edit.1, 1));
    project.plugin("rules/validator.wasm", validator);
    project
}

const NO_EDIT: (&str, &str) = ("name: ApiToExpress", "name: ApiToExpress");

#[test]
fn a_team_rule_reports_like_a_built_in_one() {
    let project = project_with(REQUIRE_TRACING, NO_EDIT);
    let run = stackweave_in(
        project.dir.path(),
        &[
            "validate",
            "stack.yaml",
            "--plugins",
            "rules",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "TEAM-TRACE-1");
    assert_eq!(finding["resource"], "Workflow");
    assert_eq!(finding["construct"], "Workflow");
    assert_eq!(finding["severity"], "warning");
    assert!(finding["line"].as_u64().is_some_and(|l| l > 1));
    assert_contains!(
        finding["source"].as_str().unwrap_or_default(),
        "require-tracing",
        "validator.wasm"
    );

    // Listed with the built-in rules.
    let run = stackweave_in(
        project.dir.path(),
        &["validate", "--list-rules", "--plugins", "rules"],
    );
    assert_contains!(run.success(), "TEAM-TRACE-1", "SW-IAM-1");
    // And among the plugins.
    let run = stackweave_in(project.dir.path(), &["plugins", "--plugins", "rules"]);
    assert_contains!(run.success(), "require-tracing\tvalidator\t");
}

#[test]
fn a_team_rule_is_satisfied_or_suppressed_in_the_stack_file() {
    let traced = project_with(
        REQUIRE_TRACING,
        (
            "        includeExecutionData: true\n",
            "        includeExecutionData: true\n      tracing: true\n",
        ),
    );
    let run = stackweave_in(
        traced.dir.path(),
        &["validate", "stack.yaml", "--plugins", "rules"],
    );
    assert_contains!(run.success(), "0 errors, 0 warnings");

    let suppressed = project_with(
        REQUIRE_TRACING,
        (
            "constructs:\n",
            "validation:\n  suppress:\n    - { rule: TEAM-TRACE-1, resource: Workflow, reason: traced by the caller }\nconstructs:\n",
        ),
    );
    let run = stackweave_in(
        suppressed.dir.path(),
        &["validate", "stack.yaml", "--plugins", "rules"],
    );
    assert_contains!(
        run.success(),
        "suppressed[TEAM-TRACE-1]",
        "traced by the caller"
    );
}

#[test]
fn a_validator_that_loops_is_stopped_and_named() {
    let project = project_with(
        VALIDATOR_MISBEHAVING,
        (
            "description: API Gateway (GET /start) calling a Step Functions Express workflow synchronously, logged to CloudWatch Logs",
            "description: loop",
        ),
    );
    let run = stackweave_in(
        project.dir.path(),
        &[
            "validate",
            "stack.yaml",
            "--plugins",
            "rules",
            "--plugin-timeout",
            "2",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(run.stderr, "validator.wasm", "its rules were not checked");
}

#[test]
fn synthesis_ignores_validators_in_plugin_folders() {
    let project = project_with(REQUIRE_TRACING, NO_EDIT);
    project.synth(&["--plugins", "rules"]).success();
}

#[test]
fn a_validator_cannot_be_a_construct_or_a_child_construct() {
    let project = crate::support::Project::new(
        "name: Wrong\nconstructs:\n  Rules:\n    plugin: require-tracing\n",
    );
    project.plugin("rules/validator.wasm", REQUIRE_TRACING);
    let run = project.synth(&["--plugins", "rules"]);
    assert_contains!(
        run.failure(),
        "stack.yaml:4",
        "`require-tracing` is a validator plugin"
    );

    let project = crate::support::Project::new(
        "name: Wrong\nconstructs:\n  Thing:\n    plugin: ./echo.wasm\n    props: {children: [{plugin: require-tracing, id: Rules, props: {}}]}\n",
    );
    project.plugin("echo.wasm", stackweave_test_plugins::ECHO);
    project.plugin("rules/validator.wasm", REQUIRE_TRACING);
    let run = project.synth(&["--plugins", "rules"]);
    assert_contains!(
        run.failure(),
        "`require-tracing` is a validator plugin",
        "Thing/Rules"
    );
}
