//! Mistakes in a stack file: each names the file, line and column, the construct and (where
//! one is involved) the plugin, and says what to do; the exit code is 1 (2 for usage).

use crate::support::{Project, stackweave};

const ROLE: &str =
    "  Role:\n    plugin: iam-role\n    props:\n      assumedBy: [states.amazonaws.com]\n";

#[test]
fn bad_yaml_names_the_line_and_column() {
    let project = Project::new("name: Broken\nconstructs:\n  Role: [unclosed\n");
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "stack.yaml:", "not valid YAML");
}

#[test]
fn unknown_construct_in_a_reference_is_located_and_suggests_the_closest() {
    let project = Project::new(&format!(
        "name: Refs\nconstructs:\n{ROLE}  Flow:\n    plugin: express-workflow\n    props:\n      role: ${{Rol.arn}}\n      definition: {{StartAt: A, States: {{A: {{Type: Succeed}}}}}}\n"
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "`${Rol.arn}` names `Rol`",
        "stack.yaml:10:13",
        "construct: Flow",
        "did you mean `Role`?"
    );
}

#[test]
fn unknown_attribute_is_located_and_lists_what_exists() {
    let project = Project::new(&format!(
        "name: Refs\nconstructs:\n{ROLE}  Flow:\n    plugin: express-workflow\n    props:\n      role: ${{Role.ar}}\n      definition: {{StartAt: A, States: {{A: {{Type: Succeed}}}}}}\n"
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "construct `Role` has no attribute `ar`",
        "stack.yaml:10:13",
        "did you mean `arn`?"
    );
}

#[test]
fn unknown_reference_in_an_output_is_located() {
    let project = Project::new(&format!(
        "name: Out\nconstructs:\n{ROLE}outputs:\n  Arn:\n    value: ${{Nope.arn}}\n"
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "`${Nope.arn}` names `Nope`", "stack.yaml:9:12");
}

#[test]
fn props_failing_the_plugins_schema_name_the_prop_construct_and_plugin() {
    let project = Project::new(
        "name: Schema\nconstructs:\n  Logs:\n    plugin: logging\n    props:\n      retentionDays: 8\n",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "props/retentionDays",
        "stack.yaml:6:22",
        "construct: Logs",
        "plugin: `logging` (built-in)"
    );
}

#[test]
fn a_plugins_own_diagnostic_points_at_the_prop() {
    let project = Project::new(
        "name: Wild\nconstructs:\n  Role:\n    plugin: iam-role\n    props:\n      assumedBy: [states.amazonaws.com]\n      statements:\n        - actions: [\"logs:*\"]\n          resources: [\"*\"]\n",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "logs:*",
        "stack.yaml:8:21",
        "construct: Role",
        "plugin: `iam-role` (built-in)"
    );
}

#[test]
fn unknown_plugin_name_suggests_the_closest() {
    let project = Project::new("name: Typo\nconstructs:\n  Logs:\n    plugin: loging\n");
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "no plugin is named `loging`",
        "stack.yaml:4:13",
        "construct: Logs",
        "did you mean `logging`?"
    );
}

#[test]
fn constructs_referencing_each_other_in_a_cycle_are_named() {
    let project = Project::new(
        "name: Loop\nconstructs:\n  A:\n    plugin: iam-role\n    props:\n      assumedBy: [states.amazonaws.com]\n      description: ${B.arn}\n  B:\n    plugin: iam-role\n    props:\n      assumedBy: [states.amazonaws.com]\n      description: ${A.arn}\n",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "cycle: A -> B -> A");
}

#[test]
fn a_missing_stack_file_is_an_error_not_a_panic() {
    let stderr = stackweave(&["synth", "no/such/stack.yaml"])
        .failure()
        .to_string();
    assert_contains!(stderr, "no/such/stack.yaml");
}

#[test]
fn usage_errors_exit_with_2() {
    let run = stackweave(&["synth", "--format", "xml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = stackweave(&["frobnicate"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn an_unquoted_reference_in_a_flow_list_gets_a_hint() {
    let project = Project::new(&format!(
        "name: Flow\nconstructs:\n{ROLE}  Other:\n    plugin: iam-role\n    props:\n      assumedBy: [states.amazonaws.com]\n      managedPolicies: [${{Role.arn}}]\n"
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "stack.yaml:11:",
        "must be quoted, as in [\"${Role.arn}\"]"
    );
}
