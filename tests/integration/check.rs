//! `stackweave synth --check --out DIR`: exit 0 when the committed outputs are current, 1
//! with a unified diff when not, never writing anything.

use std::path::Path;

use crate::support::{Project, stackweave, stackweave_in};

const STACK: &str =
    "name: Checked\nconstructs:\n  Logs:\n    plugin: logging\n    props: { retentionDays: 7 }\n";

/// Every file under `dir` with its contents, to prove `--check` changed nothing.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, std::fs::read(e.path()).unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn current_outputs_pass_and_nothing_is_written() {
    let project = Project::new(STACK);
    project.synth(&["--out", "out"]).success();
    let before = snapshot(&project.path("out"));
    let run = project.synth(&["--check", "--out", "out"]);
    assert_contains!(run.success(), "3 files in out are current");
    assert_eq!(snapshot(&project.path("out")), before);
}

#[test]
fn a_stale_template_fails_with_a_unified_diff_and_is_left_alone() {
    let project = Project::new(STACK);
    project.synth(&["--out", "out"]).success();
    let template = project.path("out/Checked.template.yaml");
    let committed = std::fs::read_to_string(&template).expect("written");
    let edited = committed.replace("RetentionInDays: 7", "RetentionInDays: 30");
    assert_ne!(edited, committed);
    std::fs::write(&template, &edited).expect("edit");
    let before = snapshot(&project.path("out"));

    let run = project.synth(&["--check", "--out", "out"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_contains!(
        run.stdout,
        "--- out/Checked.template.yaml (committed)",
        "+++ out/Checked.template.yaml (synthesised)",
        "@@ ",
        "-      RetentionInDays: 30",
        "+      RetentionInDays: 7",
        "1 of 3 files in out are out of date",
        "run `stackweave synth stack.yaml --out out`"
    );
    assert!(!run.stdout.contains('\x1b'), "no colour off a terminal");
    assert_eq!(
        snapshot(&project.path("out")),
        before,
        "--check writes nothing"
    );

    // The same in JSON and SARIF.
    let run = project.synth(&["--check", "--out", "out", "--report", "json"]);
    assert_eq!(run.code, 1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["current"], false);
    assert_eq!(report["files"][0]["status"], "changed");
    assert_eq!(report["files"][1]["status"], "current");
    assert_eq!(report["files"][2]["status"], "current");
    let run = project.synth(&["--check", "--out", "out", "--report", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    crate::sarif::assert_valid(&log);
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "SW-CHECK-1");
}

#[test]
fn missing_outputs_fail_and_no_folder_is_created() {
    let project = Project::new(STACK);
    let run = project.synth(&["--check", "--out", "out"]);
    assert_eq!(run.code, 1);
    assert_contains!(
        run.stdout,
        "missing: out/Checked.template.yaml",
        "missing: out/Checked.diagram.md",
        "missing: out/manifest.json"
    );
    assert!(!project.path("out").exists());
}

#[test]
fn check_needs_out_and_a_report_needs_check() {
    let project = Project::new(STACK);
    let run = project.synth(&["--check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(run.stderr, "--out");
    let run = stackweave_in(
        project.dir.path(),
        &["synth", "stack.yaml", "--report", "json"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn the_reference_example_outputs_are_committed_and_current() {
    let run = stackweave(&[
        "synth",
        "--check",
        "--locked",
        "examples/api-to-express/stack.yaml",
        "--out",
        "examples/api-to-express/expected",
    ]);
    assert_contains!(run.success(), "are current");
}
