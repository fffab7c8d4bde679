//! `overrides`: the stack file changing resources a construct's plugin contributed (the
//! escape hatch for what a plugin does not offer), checked like every other entry.

use crate::support::Project;

fn stack(overrides: &str) -> String {
    format!(
        "name: Over\nconstructs:\n  Api:\n    plugin: api-integration\n    props: {{ path: /start, stateMachine: \"${{Workflow.arn}}\" }}\n    overrides:\n{overrides}  Workflow:\n    plugin: express-workflow\n    props:\n      definition: {{ StartAt: A, States: {{ A: {{ Type: Pass, End: true }} }} }}\n  Logs:\n    plugin: logging\n"
    )
}

#[test]
fn overrides_set_replace_and_delete_with_references_to_other_constructs() {
    let project = Project::new(&stack(
        "      Stage:\n        /Properties/TracingEnabled: true\n        /Properties/Variables: { logs: \"${Logs.name}\" }\n      Method:\n        /Properties/OperationName: StartIt\n        /Properties/Integration/TimeoutInMillis: 5000\n      Resource:\n        /Properties/EndpointConfiguration: null\n",
    ));
    let template = project.synth(&[]).success().to_string();
    assert_contains!(
        template,
        "TracingEnabled: true",
        "Variables:\n        logs: !Ref Logs",
        "OperationName: StartIt",
        "TimeoutInMillis: 5000"
    );
    // `Api` references `Logs` only through an override: it is merged after it all the same.
    assert!(
        template.find("  Logs:\n") < template.find("  ApiStage:\n"),
        "{template}"
    );
    let api = &template[template.find("  Api:\n").expect("the REST API")..];
    let api = &api[..api[3..].find("\n  A").map_or(api.len(), |end| end + 3)];
    assert!(!api.contains("EndpointConfiguration"), "{api}");
}

#[test]
fn an_override_of_a_resource_the_plugin_does_not_have_is_located_with_a_suggestion() {
    let project = Project::new(&stack(
        "      Stag:\n        /Properties/TracingEnabled: true\n",
    ));
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "error: override `/Properties/TracingEnabled` of `Stag`: the plugin contributes no resource with local id `Stag`",
        "did you mean `Stage`?",
        "--> stack.yaml:8:37",
        "construct: Api",
        "plugin: `api-integration` (built-in)"
    );
}

#[test]
fn an_override_through_a_missing_entry_or_deleting_nothing_is_an_error() {
    let project = Project::new(&stack(
        "      Stage:\n        /Propertes/TracingEnabled: true\n",
    ));
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "resource `Stage` has no `/Propertes`",
        "--> stack.yaml:8:36"
    );
    let project = Project::new(&stack("      Stage:\n        /Properties/Nothing: null\n"));
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "resource `Stage` has no `/Properties/Nothing`"
    );
}

#[test]
fn an_override_must_be_a_pointer_below_the_type_and_its_references_must_exist() {
    let project = Project::new(&stack(
        "      Stage:\n        Properties.TracingEnabled: true\n        /Type: AWS::SNS::Topic\n",
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "`Properties.TracingEnabled` cannot be overridden: write a JSON Pointer",
        "`/Type` cannot be overridden",
        "stack.yaml:8:9"
    );
    let project = Project::new(&stack(
        "      Stage:\n        /Properties/Variables: { x: \"${Nope.arn}\" }\n",
    ));
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "`${Nope.arn}` names `Nope`",
        "stack.yaml:8:37"
    );
}
