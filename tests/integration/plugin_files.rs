//! Team plugin files: how they are found, and every way a file can fail to be a plugin.

use stackweave_test_plugins::{ECHO, IMPOSTOR, NEWER_CONTRACT, OTHER_WORLD};

use crate::support::Project;

/// A stack whose one construct uses the plugin at `plugin` (a name or a file).
fn stack_using(plugin: &str, props: &str) -> String {
    format!("name: Team\nconstructs:\n  Thing:\n    plugin: {plugin}\n    props: {props}\n")
}

const LOG_GROUP: &str =
    r#"{fragment: {Resources: {Resource: {Type: "AWS::Logs::LogGroup"}}}, value: {Ref: Resource}}"#;

#[test]
fn a_construct_may_name_a_plugin_file_directly() {
    let project = Project::new(&stack_using("./team/echo.wasm", LOG_GROUP));
    project.plugin("team/echo.wasm", ECHO);
    let run = project.synth(&[]);
    assert_contains!(run.success(), "Thing:\n    Type: AWS::Logs::LogGroup");
}

#[test]
fn plugins_are_found_in_folders_from_the_command_line_and_the_stack_file() {
    let project = Project::new(&stack_using("echo", LOG_GROUP));
    project.plugin("deep/inside/echo.wasm", ECHO);
    project.synth(&["--plugins", "deep"]).success();

    let listed = Project::new(&format!(
        "plugins: [deep]\n{}",
        stack_using("echo", LOG_GROUP)
    ));
    listed.plugin("deep/inside/echo.wasm", ECHO);
    let run = listed.synth(&["--out", "out"]);
    run.success();
    let manifest = std::fs::read_to_string(listed.path("out/manifest.json")).expect("a manifest");
    assert_contains!(manifest, "\"origin\": \"deep/inside/echo.wasm\"");
}

#[test]
fn garbage_is_not_a_plugin() {
    let project = Project::new(&stack_using("./bad.wasm", "{}"));
    project.write("bad.wasm", "this is not WebAssembly");
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "bad.wasm",
        "not a WebAssembly file",
        "construct: Thing",
        "stack.yaml:4:13"
    );
}

#[test]
fn a_core_module_is_not_a_plugin() {
    let project = Project::new(&stack_using("./core.wasm", "{}"));
    project.write("core.wasm", b"\0asm\x01\0\0\0");
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "core.wasm",
        "core WebAssembly module, not a component",
        "wasm32-wasip2"
    );
}

#[test]
fn a_truncated_component_is_not_a_plugin() {
    let project = Project::new(&stack_using("./cut.wasm", "{}"));
    let bytes = std::fs::read(ECHO).expect("echo was built");
    project.write("cut.wasm", &bytes[..bytes.len() / 2]);
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "cut.wasm", "not a valid WebAssembly component");
}

#[test]
fn a_component_of_another_world_is_not_a_plugin() {
    let project = Project::new(&stack_using("./other.wasm", "{}"));
    project.plugin("other.wasm", OTHER_WORLD);
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "other.wasm",
        "not a Stackweave construct plugin",
        "test:other/greeter@1.0.0"
    );
}

#[test]
fn a_plugin_built_for_a_newer_contract_asks_for_an_upgrade() {
    let project = Project::new(&stack_using("./future.wasm", "{}"));
    project.plugin("future.wasm", NEWER_CONTRACT);
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "future.wasm",
        "contract 0.3.0",
        "upgrade stackweave"
    );
}

#[test]
fn a_broken_file_in_a_plugin_folder_is_named() {
    let project = Project::new(&stack_using("logging", "{}"));
    project.write("team/broken.wasm", "nope");
    let stderr = project.synth(&["--plugins", "team"]).failure().to_string();
    assert_contains!(stderr, "team/broken.wasm", "not a WebAssembly file");
}

#[test]
fn two_plugins_with_one_name_are_an_error_listing_both() {
    let project = Project::new(&stack_using("echo", LOG_GROUP));
    project.plugin("a/echo.wasm", ECHO);
    // Other bytes, same name: echo with a custom section (id 0, 3 bytes: the name "hi").
    let mut other = std::fs::read(ECHO).expect("echo was built");
    other.extend_from_slice(&[0x00, 0x03, 0x02, b'h', b'i']);
    project.write("b/echo-copy.wasm", other);
    let stderr = project
        .synth(&["--plugins", "a", "--plugins", "b"])
        .failure()
        .to_string();
    assert_contains!(
        stderr,
        "two plugins are named `echo`",
        "a/echo.wasm",
        "b/echo-copy.wasm"
    );
}

#[test]
fn identical_copies_of_a_plugin_are_one_plugin() {
    // As in Cargo's `release` folder, which holds a second copy under `deps/`.
    let project = Project::new(&stack_using("echo", LOG_GROUP));
    project.plugin("release/echo.wasm", ECHO);
    project.plugin("release/deps/echo.wasm", ECHO);
    project.synth(&["--plugins", "release"]).success();
    // Recorded under the path a person would name, whichever the folder walk met first.
    let listed =
        crate::support::stackweave_in(project.dir.path(), &["plugins", "--plugins", "release"]);
    assert_contains!(
        listed.success(),
        "echo\tconstruct\t0.0.1\trelease/echo.wasm\t"
    );
}

#[test]
fn a_team_plugin_never_shadows_a_standard_one() {
    let project = Project::new(&stack_using("logging", "{}"));
    project.plugin("team/logging.wasm", IMPOSTOR);
    let stderr = project.synth(&["--plugins", "team"]).failure().to_string();
    assert_contains!(stderr, "team/logging.wasm", "the name of a standard plugin");
}

#[test]
fn a_plugin_panic_reaches_the_user_with_its_message() {
    let project = Project::new(&stack_using(
        "./echo.wasm",
        "{panic: the props made me do it}",
    ));
    project.plugin("echo.wasm", ECHO);
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "crashed",
        "the props made me do it",
        "construct: Thing",
        "echo.wasm"
    );
}

#[test]
fn a_plugin_rejection_points_at_the_prop_it_names() {
    let project = Project::new(
        "name: Team\nconstructs:\n  Thing:\n    plugin: ./echo.wasm\n    props:\n      reject:\n        - message: this value is wrong\n          path: /reject/0/message\n",
    );
    project.plugin("echo.wasm", ECHO);
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "error: this value is wrong",
        "stack.yaml:7:20",
        "construct: Thing"
    );
}

#[test]
fn plugin_warnings_are_shown_and_synthesis_succeeds() {
    let project = Project::new(&stack_using(
        "./echo.wasm",
        r#"{warn: [{message: consider a retention}], fragment: {Resources: {Resource: {Type: "AWS::Logs::LogGroup"}}}}"#,
    ));
    project.plugin("echo.wasm", ECHO);
    let run = project.synth(&[]);
    run.success();
    assert_contains!(
        run.stderr,
        "warning: consider a retention",
        "construct: Thing"
    );
}

#[test]
fn an_error_a_plugin_sends_among_its_warnings_still_fails_the_run() {
    let project = Project::new(&stack_using(
        "./echo.wasm",
        r#"{warn: [{message: this is really an error, severity: error}], fragment: {Resources: {Resource: {Type: "AWS::Logs::LogGroup"}}}}"#,
    ));
    project.plugin("echo.wasm", ECHO);
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "error: this is really an error",
        "construct: Thing"
    );
    assert_eq!(run.stdout, "", "no template printed");
}

#[test]
fn a_refusal_without_an_error_still_fails_the_run() {
    for reject in ["[]", "[{message: only a warning, severity: warning}]"] {
        let project = Project::new(&stack_using(
            "./echo.wasm",
            &format!("{{reject: {reject}}}"),
        ));
        project.plugin("echo.wasm", ECHO);
        let stderr = project.synth(&[]).failure().to_string();
        assert_contains!(
            stderr,
            "refused the props without an error saying why",
            "construct: Thing"
        );
    }
}
