//! Values echoed in messages are shortened: a prop of many megabytes once came back whole in
//! its error (50 MB of stderr). A message quotes at most 200 characters of a value, then
//! says how long the whole was.

use stackweave_test_plugins::ECHO;

use crate::support::Project;

/// 5 MB: far more than any message should repeat.
const HUGE: usize = 5_000_000;

#[test]
fn a_huge_prop_that_fails_its_schema_is_quoted_shortened() {
    let project = Project::new(&format!(
        "name: Huge\nconstructs:\n  Logs:\n    plugin: logging\n    props: {{retentionDays: {}}}\n",
        "x".repeat(HUGE)
    ));
    let run = project.synth(&[]);
    let stderr = run.failure();
    assert_contains!(
        stderr,
        &format!(
            "props/retentionDays: \"{}… ({} bytes)",
            "x".repeat(199),
            HUGE + 2
        ),
        "construct: Logs",
        "plugin: `logging`"
    );
    assert!(stderr.len() < 4096, "{} bytes of stderr", stderr.len());
}

#[test]
fn a_huge_prop_a_parent_hands_its_child_is_quoted_shortened() {
    let project = Project::new(&format!(
        "name: Huge\nconstructs:\n  Parent:\n    plugin: ./echo.wasm\n    props: {{children: [{{plugin: logging, id: Logs, props: {{retentionDays: {}}}}}]}}\n",
        "x".repeat(HUGE)
    ));
    project.plugin("echo.wasm", ECHO);
    let run = project.synth(&[]);
    let stderr = run.failure();
    assert_contains!(
        stderr,
        &format!("\"{}… ({} bytes)", "x".repeat(199), HUGE + 2),
        "construct: Parent/Logs",
        "plugin: `logging`"
    );
    assert!(stderr.len() < 4096, "{} bytes of stderr", stderr.len());
}
