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
fn an_unknown_prop_is_named_at_its_line_with_the_closest_known_one() {
    let project = Project::new(
        "name: Typo\nconstructs:\n  Logs:\n    plugin: logging\n    props:\n      name: audit\n      retentionDay: 7\n      colour: blue\n",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "error: props: unknown prop `retentionDay`\n  --> stack.yaml:7:21\n",
        "help: did you mean `retentionDays`?",
        // Nothing close: the help says where the props are listed.
        "error: props: unknown prop `colour`\n  --> stack.yaml:8:15\n",
        "help: run `stackweave plugins show logging` to see its props"
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

// Encoding: what a stack file's bytes can be, and where a problem with them is.

#[test]
fn a_byte_order_mark_is_accepted_as_yaml_allows() {
    let project = Project::new("\u{feff}name: Bom\nconstructs:\n  Logs:\n    plugin: logging\n");
    let template = project.synth(&[]).success().to_string();
    let plain = Project::new("name: Bom\nconstructs:\n  Logs:\n    plugin: logging\n");
    assert_eq!(template, plain.synth(&[]).success());
    // Columns on the first line are those the editor shows, which does not show the mark.
    let project = Project::new("\u{feff}name: 2Bad\nconstructs:\n  Logs:\n    plugin: logging\n");
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "stack name `2Bad` is not valid",
        "stack.yaml:1:7"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_located() {
    let project = Project::new("");
    project.write(
        "stack.yaml",
        b"name: Latin\nconstructs:\n  Logs:\n    plugin: logging\n    props: {a: \"caf\xe9\"}\n",
    );
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "byte 0xe9 is not UTF-8",
        "save it as UTF-8",
        "stack.yaml:5:20"
    );
}

#[test]
fn a_control_character_is_located_where_it_is() {
    let project = Project::new(
        "name: Esc\nconstructs:\n  Logs:\n    plugin: logging\n    props:\n      retentionDays: \x1b7\n",
    );
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "character U+001B is a control character",
        "stack.yaml:6:22"
    );
}

#[test]
fn aliases_that_expand_too_far_are_located_at_the_first_alias() {
    let mut stack = String::from(
        "name: Laughs\nconstructs:\n  Logs:\n    plugin: logging\n    props:\n      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in 1..10 {
        let previous = format!("*l{}", level - 1);
        let items = [previous.as_str(); 9].join(", ");
        stack.push_str(&format!("      l{level}: &l{level} [{items}]\n"));
    }
    let project = Project::new(&stack);
    let started = std::time::Instant::now();
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "repetition limit exceeded", "stack.yaml:7:16");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

// Errors quote what the user wrote, but never much of it.

#[test]
fn errors_quote_long_values_shortened_with_their_size() {
    let long = "a".repeat(1_000_000);
    let project = Project::new(&format!(
        "name: {long}\nconstructs:\n  Logs:\n    plugin: logging\n    props:\n      x: \"${{{long}\"\n"
    ));
    let stderr = project.synth(&[]).failure().to_string();
    let shown = format!("{}… (", "a".repeat(200));
    assert_contains!(
        stderr,
        "stack.yaml:6:10",
        &format!(
            "unterminated reference `${{{}… (1000002 bytes)`",
            "a".repeat(198)
        ),
        "stack.yaml:1:7",
        &format!("stack name `{shown}1000000 bytes)` is not valid")
    );
    assert!(stderr.len() < 8 << 10, "{} bytes of messages", stderr.len());
}
