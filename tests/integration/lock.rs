//! `stackweave lock` and `synth --locked`: trust on first use for plugin bytes.

use stackweave_test_plugins::ECHO;

use crate::support::{Project, stackweave};

const STACK: &str = "name: Locked\nconstructs:\n  Logs:\n    plugin: logging\n  Thing:\n    plugin: ./team/thing.wasm\n    props: {fragment: {Resources: {Resource: {Type: \"AWS::SNS::Topic\"}}}}\n";

fn locked_project() -> Project {
    let project = Project::new(STACK);
    project.plugin("team/thing.wasm", ECHO);
    let run = crate::support::stackweave_in(project.dir.path(), &["lock", "stack.yaml"]);
    // Echo speaks contract 0.2, so it could create children with any plugin: all are locked.
    assert_contains!(run.stderr, "locked 5 plugins in stackweave.lock");
    assert_eq!(run.code, 0);
    project
}

#[test]
fn lock_records_every_plugin_with_its_sha256_and_locked_synthesis_passes() {
    let project = locked_project();
    let lock: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.path("stackweave.lock")).expect("written"),
    )
    .expect("JSON");
    let names: Vec<&str> = lock["plugins"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "api-integration",
            "echo",
            "express-workflow",
            "iam-role",
            "logging"
        ]
    );
    assert_eq!(lock["plugins"][1]["origin"], "team/thing.wasm");
    assert_eq!(lock["plugins"][4]["origin"], "built-in");
    assert_eq!(lock["plugins"][4]["stackweave"], env!("CARGO_PKG_VERSION"));
    project.synth(&["--locked"]).success();
}

#[test]
fn locked_synthesis_refuses_a_plugin_whose_bytes_changed_naming_both_hashes() {
    let project = locked_project();
    let locked = std::fs::read_to_string(project.path("stackweave.lock")).expect("written");
    // Same name, other bytes: a rebuilt or swapped plugin.
    let mut bytes = std::fs::read(ECHO).expect("echo was built");
    // A custom section named `test`: still a valid component, but other bytes.
    bytes.extend_from_slice(&[0x00, 0x05, 0x04, b't', b'e', b's', b't']);
    project.write("team/thing.wasm", &bytes);
    let stderr = project
        .synth(&["--locked", "--out", "out"])
        .failure()
        .to_string();
    let locked: serde_json::Value = serde_json::from_str(&locked).expect("JSON");
    let old_sha = locked["plugins"][1]["sha256"]
        .as_str()
        .expect("echo's sha256");
    assert_contains!(
        stderr,
        "plugin `echo` (team/thing.wasm) is not the one locked",
        old_sha,
        "stackweave lock stack.yaml"
    );
    assert!(!project.path("out").exists());
}

#[test]
fn locked_synthesis_refuses_a_plugin_missing_from_the_lockfile() {
    let project = locked_project();
    let extended = format!("{STACK}  Other:\n    plugin: ./team/other.wasm\n");
    project.write("stack.yaml", extended);
    project.plugin("team/other.wasm", ECHO);
    let stderr = project.synth(&["--locked"]).failure().to_string();
    assert_contains!(
        stderr,
        "plugin `echo` (team/other.wasm) is not in the lockfile",
        "stackweave lock stack.yaml"
    );
}

#[test]
fn locked_synthesis_without_a_lockfile_says_how_to_make_one() {
    let project = Project::new("name: NoLock\nconstructs:\n  Logs:\n    plugin: logging\n");
    let stderr = project.synth(&["--locked"]).failure().to_string();
    assert_contains!(
        stderr,
        "stackweave.lock",
        "run `stackweave lock stack.yaml`"
    );
}

#[test]
fn the_reference_examples_lockfile_is_current() {
    stackweave(&["synth", "--locked", "examples/api-to-express/stack.yaml"]).success();
}

#[test]
fn a_lockfile_naming_one_plugin_twice_with_different_hashes_is_refused() {
    let project = locked_project();
    let text = std::fs::read_to_string(project.path("stackweave.lock")).expect("written");
    let mut lock: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let plugins = lock["plugins"].as_array_mut().expect("a list");
    // The same entry again is harmless; the same plugin with another hash is a conflict
    // `--locked` cannot settle by picking one.
    let same = plugins[1].clone();
    plugins.push(same);
    let mut other = plugins[1].clone();
    other["sha256"] = "0".repeat(64).into();
    plugins.push(other);
    let twice = serde_json::to_string_pretty(&lock).expect("JSON");
    std::fs::write(project.path("stackweave.lock"), twice).expect("write the lockfile");
    let stderr = project.synth(&["--locked"]).failure().to_string();
    assert_contains!(
        stderr,
        "the lockfile stackweave.lock names plugin `echo` (team/thing.wasm) twice with different sha256",
        "entries 2 and 7 of `plugins`",
        &"0".repeat(64),
        "stackweave lock stack.yaml"
    );

    let mut lock: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let plugins = lock["plugins"].as_array_mut().expect("a list");
    let same = plugins[1].clone();
    plugins.push(same);
    let repeated = serde_json::to_string_pretty(&lock).expect("JSON");
    std::fs::write(project.path("stackweave.lock"), repeated).expect("write the lockfile");
    project.synth(&["--locked"]).success();
}

#[test]
fn an_app_has_one_lockfile_beside_its_app_file_and_locked_synthesis_holds_every_stack_to_it() {
    // The example's committed lockfile is current.
    let out = tempfile::tempdir().expect("a temporary folder");
    let out_arg = out.path().to_str().expect("a UTF-8 path");
    stackweave(&[
        "synth",
        "--locked",
        "examples/multi-stack",
        "--out",
        out_arg,
    ])
    .success();

    let project = Project::copy_of("examples/multi-stack");
    std::fs::remove_file(project.path("stackweave.lock")).expect("the copied lockfile");
    let run = crate::support::stackweave_in(project.dir.path(), &["lock", "app.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_contains!(run.stderr, "locked 4 plugins in stackweave.lock");
    // The plugins of every stack, once: the same lockfile as the one committed.
    let locked = project.read("stackweave.lock");
    assert_eq!(
        locked,
        std::fs::read_to_string(
            crate::support::repo_root().join("examples/multi-stack/stackweave.lock")
        )
        .expect("the example's lockfile")
    );
    let synth = |args: &[&str]| {
        let mut all = vec!["synth", "app.yaml", "--locked", "--out", "out"];
        all.extend_from_slice(args);
        crate::support::stackweave_in(project.dir.path(), &all)
    };
    synth(&[]).success();

    // A wrong sha256 for a plugin only the Observability stack uses.
    let mut lock: serde_json::Value = serde_json::from_str(&locked).expect("JSON");
    let logging = lock["plugins"]
        .as_array_mut()
        .expect("a list")
        .iter_mut()
        .find(|p| p["name"] == "logging")
        .expect("logging is locked");
    let real = logging["sha256"].as_str().expect("a sha256").to_owned();
    logging["sha256"] = "0".repeat(64).into();
    project.write(
        "stackweave.lock",
        serde_json::to_string_pretty(&lock).expect("JSON"),
    );
    std::fs::remove_dir_all(project.path("out")).expect("the first run's output");
    let stderr = synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "plugin `logging` (built-in) is not the one locked",
        &real,
        &"0".repeat(64),
        "run `stackweave lock app.yaml`"
    );
    // Nothing written for any environment.
    assert!(!project.path("out").exists());
    // Lock from the app's folder: the same lockfile again, and synthesis passes.
    let run = crate::support::stackweave_in(project.dir.path(), &["lock"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(project.read("stackweave.lock"), locked);
    synth(&[]).success();
}
