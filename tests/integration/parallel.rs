//! Constructs run on several threads at once; the template and every message must be the
//! same as when they run one at a time.

use stackweave_test_plugins::ECHO;

use crate::support::Project;

/// A stack of `chains` independent chains, each a log group, a role using it and an
/// output, so that some constructs wait for others and many can run at once.
fn chains(chains: usize, extra: &str) -> String {
    let mut stack = String::from("name: Many\nlimits:\n  resources: 10000\nconstructs:\n");
    for i in 0..chains {
        stack.push_str(&format!(
            "  Logs{i}:\n    plugin: logging\n    props:\n      retentionDays: 7\n\
             \x20 Role{i}:\n    plugin: iam-role\n    props:\n      assumedBy: [states.amazonaws.com]\n\
             \x20     statements:\n        - actions: [logs:PutLogEvents]\n          resources: [\"${{Logs{i}.arn}}\"]\n"
        ));
    }
    stack.push_str(extra);
    stack
}

#[test]
fn the_template_does_not_depend_on_the_number_of_jobs() {
    let project = Project::new(&chains(40, ""));
    let one = project.synth(&["--jobs", "1"]);
    let template = one.success();
    assert_contains!(template, "Logs39:", "Role39:");
    for jobs in ["2", "8"] {
        let run = project.synth(&["--jobs", jobs]);
        assert_eq!(run.success(), template, "--jobs {jobs}");
    }
}

#[test]
fn failures_are_reported_in_the_same_order_whatever_the_number_of_jobs() {
    // Constructs that reject their props in the middle of the stack, and one that depends
    // on a failing one (and so is skipped).
    let failing = "  BadA:\n    plugin: ./echo.wasm\n    props: {reject: [{message: \"first refusal\"}]}\n\
                   \x20 BadB:\n    plugin: ./echo.wasm\n    props: {reject: [{message: \"second refusal\"}]}\n\
                   \x20 Dependent:\n    plugin: ./echo.wasm\n    props: {value: \"${BadA}\"}\n";
    let project = Project::new(&chains(20, failing));
    project.plugin("echo.wasm", ECHO);
    let one = project.synth(&["--jobs", "1"]).failure().to_string();
    assert_contains!(one, "first refusal", "second refusal", "construct: BadA");
    assert!(
        one.find("first refusal") < one.find("second refusal"),
        "in stack order:\n{one}"
    );
    assert!(!one.contains("construct: Dependent"), "skipped:\n{one}");
    for jobs in ["2", "8"] {
        let run = project.synth(&["--jobs", jobs]);
        assert_eq!(run.failure(), one, "--jobs {jobs}");
    }
}

#[test]
fn zero_jobs_is_a_usage_error() {
    let project = Project::new(&chains(1, ""));
    let run = project.synth(&["--jobs", "0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
