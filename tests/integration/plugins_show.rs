//! `stackweave plugins show NAME`: what a product team reads to use a construct it has no
//! page of docs for; props from the plugin's own schema, so they cannot drift from it.

use stackweave_test_plugins::REQUIRE_TRACING;

use crate::support::{Project, stackweave, stackweave_in};

#[test]
fn a_standard_construct_shows_its_props_types_defaults_and_attributes() {
    let run = stackweave(&["plugins", "show", "logging"]);
    assert_contains!(
        run.success(),
        "logging 0.1.0 (construct, built-in)",
        "props:\n  retentionDays: 1 | 3 | 5 | 7",
        ", default 30\n      How many days CloudWatch Logs keeps each log event",
        "  deletionPolicy: \"Delete\" | \"Retain\" | \"RetainExceptOnCreate\"",
        "attributes (`${Id}` is the first, `${Id.name}` any):\n  arn: ",
        "  name: the log group's name"
    );
}

#[test]
fn required_props_and_composition_are_marked() {
    let run = stackweave(&["plugins", "show", "express-workflow"]);
    assert_contains!(
        run.success(),
        "may create child constructs",
        "  definition: object, required"
    );
}

#[test]
fn a_validator_in_a_plugin_folder_shows_its_rules() {
    let project = Project::new("");
    project.plugin("rules/require-tracing.wasm", REQUIRE_TRACING);
    let run = stackweave_in(
        project.dir.path(),
        &["plugins", "show", "require-tracing", "--plugins", "rules"],
    );
    assert_contains!(
        run.success(),
        "(validator, ",
        "rules:\n  TEAM-TRACE-1 (",
        "      fix: "
    );
}

#[test]
fn an_unknown_name_suggests_the_closest() {
    let run = stackweave(&["plugins", "show", "api-integraton"]);
    assert_contains!(
        run.failure(),
        "error: no plugin is named `api-integraton`",
        "help: did you mean `api-integration`?"
    );
}
