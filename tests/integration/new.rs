//! `stackweave new`: a new plugin crate builds with the one documented command and loads
//! into `stackweave synth` at once; a new stack file synthesises as it is.

use crate::support::{build_standalone_plugin, stackweave, stackweave_in};

#[test]
fn a_new_plugin_builds_and_is_used_by_a_new_stack_at_once() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let crate_dir = dir.path().join("team-bucket");
    let crate_arg = crate_dir.to_str().expect("a UTF-8 path");
    let run = stackweave(&["new", "plugin", "team-bucket", "--dir", crate_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_contains!(run.stderr, "Cargo.toml", "src/lib.rs", "README.md");
    assert_contains!(
        std::fs::read_to_string(crate_dir.join("README.md")).expect("a README"),
        "cargo build --release --target wasm32-wasip2"
    );
    // The SDK is named relative to the crate: no absolute path of this machine, so the
    // crate builds in any clone of a repository that holds both.
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("a manifest");
    assert_contains!(manifest, "stackweave-plugin = { path = \"../");
    assert!(!manifest.contains("path = \"/"), "{manifest}");
    let built = build_standalone_plugin(&crate_dir);
    assert!(built.join("team_bucket.wasm").is_file());

    let run = stackweave_in(
        dir.path(),
        &["new", "stack", "stack.yaml", "--name", "Data"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut stack = std::fs::read_to_string(dir.path().join("stack.yaml")).expect("a stack");
    let constructs = stack.find("constructs:\n").expect("a constructs section") + 12;
    stack.insert_str(
        constructs,
        "  Archive:\n    plugin: team-bucket\n    props: {}\n",
    );
    std::fs::write(dir.path().join("stack.yaml"), &stack).expect("write the stack");

    let plugins = built.to_str().expect("a UTF-8 path");
    let run = stackweave_in(dir.path(), &["synth", "stack.yaml", "--plugins", plugins]);
    let template = run.success();
    assert_contains!(
        template,
        "  Archive:\n    Type: AWS::S3::Bucket",
        "Status: Enabled",
        "  Logs:\n    Type: AWS::Logs::LogGroup",
        "!GetAtt Logs.Arn"
    );
    let listed = stackweave(&["plugins", "--plugins", plugins]);
    assert_contains!(listed.success(), "team-bucket\tconstruct\t0.1.0\t");
}

#[test]
fn new_never_overwrites_and_checks_names() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("stack.yaml"), "mine").expect("a file");
    let run = stackweave_in(dir.path(), &["new", "stack"]);
    assert_eq!(run.code, 1);
    assert_contains!(run.stderr, "stack.yaml exists already", "never overwrites");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("stack.yaml")).expect("the file"),
        "mine"
    );

    let run = stackweave_in(dir.path(), &["new", "plugin", "Team_Bucket"]);
    assert_eq!(run.code, 1);
    assert_contains!(run.stderr, "lowercase words joined by `-`");
    assert!(!dir.path().join("Team_Bucket").exists());
}
