//! Composition: constructs creating child constructs through the host (contract 0.2), and
//! plugins built against contract 0.1 loading beside them.

use stackweave_test_plugins::{CONTRACT_0_1, ECHO};

use crate::support::Project;

/// A project with the echo plugin as `./echo.wasm` and one construct `Thing` using it.
fn echo_project(props: &str) -> Project {
    let project = Project::new(&format!(
        "name: Compose\nconstructs:\n  Thing:\n    plugin: ./echo.wasm\n    props: {props}\n\
         outputs:\n  Children:\n    value: ${{Thing.value}}\n"
    ));
    project.plugin("echo.wasm", ECHO);
    project
}

const TOPIC: &str = r#"fragment: {Resources: {Resource: {Type: "AWS::SNS::Topic"}}}"#;

#[test]
fn a_plugin_built_against_contract_0_1_still_loads() {
    let project = Project::new(
        "name: Old\nconstructs:\n  Old:\n    plugin: ./old.wasm\n    props: {name: kept}\n\
         \x20 New:\n    plugin: logging\n    props: {retentionDays: 7}\n\
         outputs:\n  OldArn:\n    value: ${Old.arn}\n",
    );
    project.plugin("old.wasm", CONTRACT_0_1);
    let template = project.synth(&[]).success().to_string();
    assert_contains!(
        template,
        "  Old:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: kept",
        "  New:\n    Type: AWS::Logs::LogGroup",
        "Value: !GetAtt Old.Arn"
    );
}

#[test]
fn children_get_logical_ids_under_their_parents_path() {
    let project = echo_project(&format!(
        "{{{TOPIC}, children: [{{plugin: logging, id: Logs, props: {{retentionDays: 7}}}}, \
         {{plugin: iam-role, id: Role, props: {{assumedBy: [sns.amazonaws.com]}}}}]}}"
    ));
    let template = project.synth(&[]).success().to_string();
    // Children first, in the order they were created, then the parent's own resources.
    let logs = template.find("  ThingLogs:\n    Type: AWS::Logs::LogGroup");
    let role = template.find("  ThingRole:\n    Type: AWS::IAM::Role");
    let topic = template.find("  Thing:\n    Type: AWS::SNS::Topic");
    assert!(
        logs.is_some() && role.is_some() && topic.is_some(),
        "{template}"
    );
    assert!(logs < role && role < topic, "{template}");
    // The parent received the children's attributes over the template's logical ids.
    assert_contains!(
        template,
        "Logs:\n        arn: !GetAtt ThingLogs.Arn",
        "arn: !GetAtt ThingRole.Arn"
    );
}

#[test]
fn an_unknown_prop_of_a_child_gets_the_closest_known_one() {
    // The child's props are an object the user wrote in the parent's props: the unknown key
    // is reported where it was written.
    let project = echo_project(&format!(
        "{{{TOPIC}, children: [{{plugin: logging, id: Logs, props: {{retentionDay: 7}}}}]}}"
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "error: props of child `Thing/Logs`: unknown prop `retentionDay` (did you mean `retentionDays`?); it comes from `props/children/0/props/retentionDay` of `Thing`\n  --> stack.yaml:5:",
        "construct: Thing/Logs"
    );
}

/// A parent (echo) holding `value` of its own, whose child `Logs` (logging) gets props the
/// parent computed (`propsText`, as a real plugin would), not copied from what it was given.
fn logs_from(value: &str, child_props: &str) -> Project {
    let project = Project::new(&format!(
        "name: Compose\nconstructs:\n  Thing:\n    plugin: ./echo.wasm\n    props:\n\
         \x20     value:\n{value}\
         \x20     {TOPIC}\n\
         \x20     children:\n\
         \x20       - {{plugin: logging, id: Logs, propsText: '{child_props}'}}\n"
    ));
    project.plugin("echo.wasm", ECHO);
    project
}

#[test]
fn a_childs_refused_value_is_reported_at_the_parents_prop_the_user_wrote() {
    let project = logs_from("        logRetention: 8\n", r#"{"retentionDays": 8}"#);
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "error: props/retentionDays of child `Thing/Logs`: 8 is not one of 1, 3 or 20 other candidates; it comes from `props/value/logRetention` of `Thing`\n\
         \x20 --> stack.yaml:7:23\n\
         \x20  = construct: Thing/Logs\n\
         \x20  = plugin: `logging` (built-in)\n\
         \x20  = help: change `props/value/logRetention` of `Thing` (run `stackweave plugins show echo` to see its props)\n"
    );
    assert!(
        !stderr.contains("construct: Thing\n"),
        "the parent passing the failure on is not reported again:\n{stderr}"
    );
}

#[test]
fn a_failing_child_is_reported_under_its_path_at_the_parents_line() {
    // The refused value is nowhere in the parent's props (or in two places): the child's
    // own prop is named, at the parent's line, with the plugin that built it.
    let untraceable = "error: props/retentionDays: 8 is not one of 1, 3 or 20 other candidates\n\
         \x20 --> stack.yaml:3:3\n\
         \x20  = construct: Thing/Logs\n\
         \x20  = plugin: `logging` (built-in)\n\
         \x20  = help: the plugin `echo` of `Thing` built these props: check the props of `Thing` (run `stackweave plugins show echo` to see them), or report it to the plugin's authors\n";
    for value in [
        "        logRetention: 9\n",
        "        logRetention: 8\n        archiveAfter: 8\n",
    ] {
        let project = logs_from(value, r#"{"retentionDays": 8}"#);
        let stderr = project.synth(&[]).failure().to_string();
        assert_contains!(stderr, untraceable);
        assert!(
            !stderr.contains("construct: Thing\n") && !stderr.contains("it comes from"),
            "only the child's error:\n{stderr}"
        );
    }
}

#[test]
fn a_plugin_cannot_create_itself() {
    let project = echo_project(&format!(
        "{{{TOPIC}, children: [{{plugin: echo, id: Again, props: {{}}}}]}}"
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "plugins would create each other without end: echo -> echo",
        "construct: Thing"
    );
}

#[test]
fn child_ids_are_unique_and_plugins_must_exist() {
    let twice = echo_project(&format!(
        "{{{TOPIC}, children: [{{plugin: logging, id: Logs, props: {{}}}}, {{plugin: logging, id: Logs, props: {{}}}}]}}"
    ));
    let run = twice.synth(&[]);
    assert_contains!(
        run.failure(),
        "`Thing` already has a child construct `Logs`; give each child its own id"
    );
    let unknown = echo_project(&format!(
        "{{{TOPIC}, children: [{{plugin: loging, id: Logs, props: {{}}}}]}}"
    ));
    let run = unknown.synth(&[]);
    assert_contains!(
        run.failure(),
        "no plugin is named `loging`, so `Thing/Logs` cannot be created; did you mean `logging`?"
    );
}

#[test]
fn a_stack_whose_plugins_can_compose_locks_every_plugin_a_child_could_use() {
    let project = echo_project(&format!("{{{TOPIC}}}"));
    let run = crate::support::stackweave_in(project.dir.path(), &["lock", "stack.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lock = std::fs::read_to_string(project.path("stackweave.lock")).expect("a lockfile");
    assert_contains!(
        lock,
        "\"name\": \"echo\"",
        "\"name\": \"iam-role\"",
        "\"name\": \"logging\""
    );
}

#[test]
fn a_child_id_follows_the_stack_files_construct_id_rule() {
    let project = echo_project(&format!(
        "{{{TOPIC}, children: [{{plugin: logging, id: 1Kid, props: {{}}}}]}}"
    ));
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "`1Kid` cannot be a child construct's id: construct ids match `[A-Za-z][A-Za-z0-9]*`",
        "construct: Thing\n",
        "plugin: `echo`"
    );
}

/// A parent (echo) with a state machine of its own, giving an `api-integration` child the
/// state machine's ARN as `state_machine`.
fn api_over_own_machine(state_machine: &str, pins: &str) -> Project {
    let project = Project::new(&format!(
        "name: Wired\nconstructs:\n  Orders:\n    plugin: ./echo.wasm\n{pins}    props:\n      fragment: {{Resources: {{Resource: {{Type: \"AWS::StepFunctions::StateMachine\", Properties: {{DefinitionString: \"{{}}\", RoleArn: arn}}}}}}}}\n      children:\n        - plugin: api-integration\n          id: Api\n          propsText: '{{\"path\": \"/orders\", \"stateMachine\": {state_machine}}}'\n"
    ));
    project.plugin("echo.wasm", ECHO);
    project
}

#[test]
fn a_parents_bare_local_id_in_a_childs_props_is_refused_not_miswired() {
    // `{Ref: Resource}` in the child's props would be the *child's* `Resource` (its REST
    // API): the template used to start the API itself, exit 0.
    let run = api_over_own_machine(r#"{"Ref": "Resource"}"#, "").synth(&[]);
    assert_contains!(
        run.failure(),
        "`Orders` gives its child `Orders/Api` a reference to `Resource` in the prop `stateMachine`",
        "write `{\"Stackweave::Local\": \"Resource\"}` (the SDK's `cfn::local(\"Resource\")`)",
        "construct: Orders"
    );
}

#[test]
fn a_parents_own_resource_named_as_local_reaches_the_child_as_its_logical_id() {
    let template = api_over_own_machine(r#"{"Stackweave::Local": "Resource"}"#, "")
        .synth(&[])
        .success()
        .to_string();
    // The role may start the parent's state machine (logical id `Orders`), not the API.
    assert_contains!(
        template,
        "Resource:\n            - !Ref Orders\n",
        "StateMachineArn: !Ref Orders\n"
    );

    // A pinned local id is followed.
    let template = api_over_own_machine(
        r#"{"Stackweave::Local": "Resource"}"#,
        "    logicalIds: {Resource: OrdersMachine}\n",
    )
    .synth(&[])
    .success()
    .to_string();
    assert_contains!(
        template,
        "  OrdersMachine:\n    Type: AWS::StepFunctions::StateMachine",
        "Resource:\n            - !Ref OrdersMachine\n",
        "StateMachineArn: !Ref OrdersMachine\n"
    );
}

#[test]
fn a_child_passing_on_its_own_childs_failure_is_not_reported_again() {
    // `Thing` creates a workflow, which creates its role; with room for one child only, the
    // role is refused. That refusal is reported once, where it happened, not again at the
    // workflow that passed it on.
    let project = echo_project(&format!(
        "{{{TOPIC}, children: [{{plugin: express-workflow, id: Flow, props: {{definition: {{StartAt: A, States: {{A: {{Type: Pass, End: true}}}}}}}}}}]}}"
    ));
    let stderr = project
        .synth(&["--total-children", "1"])
        .failure()
        .to_string();
    assert_contains!(stderr, "construct: Thing/Flow/Role");
    assert!(
        !stderr.contains("the child construct `Thing/Flow/Role` failed"),
        "the refusal is not passed on as an error of `Thing/Flow`:\n{stderr}"
    );
}
