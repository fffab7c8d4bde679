//! Merging fragments: logical ids, reference checks, cycles and quotas, driven through the
//! `echo` test plugin so that any fragment can reach the merge from a real plugin.

use stackweave_test_plugins::ECHO;

use crate::support::Project;

/// A project whose constructs (id, echo props as inline YAML) all use the echo plugin.
fn echo_stack(constructs: &[(&str, &str)], extra: &str) -> Project {
    let mut stack = String::from("name: Merge\nconstructs:\n");
    for (id, props) in constructs {
        stack.push_str(&format!(
            "  {id}:\n    plugin: ./echo.wasm\n    props: {props}\n"
        ));
    }
    stack.push_str(extra);
    let project = Project::new(&stack);
    project.plugin("echo.wasm", ECHO);
    project
}

fn resources(json: &str) -> String {
    format!("{{fragment: {{Resources: {json}}}}}")
}

#[test]
fn logical_ids_follow_the_construct_path_and_references_are_rewritten() {
    let project = echo_stack(
        &[(
            "Store",
            &resources(
                r#"{Resource: {Type: "AWS::S3::Bucket"}, Policy: {Type: "AWS::S3::BucketPolicy", Properties: {Bucket: {Ref: Resource}, PolicyDocument: {}}}}"#,
            ),
        )],
        "",
    );
    let run = project.synth(&["--format", "json"]);
    let template: serde_json::Value = serde_json::from_str(run.success()).expect("JSON");
    assert_eq!(template["Resources"]["Store"]["Type"], "AWS::S3::Bucket");
    assert_eq!(
        template["Resources"]["StorePolicy"]["Properties"]["Bucket"],
        serde_json::json!({"Ref": "Store"})
    );
}

#[test]
fn pinned_logical_ids_replace_the_derived_ones() {
    let project = Project::new(
        "name: Pin\nconstructs:\n  Logs:\n    plugin: logging\n    logicalIds: {Resource: StepFunctionLogGroup}\n",
    );
    let run = project.synth(&[]);
    assert_contains!(
        run.success(),
        "StepFunctionLogGroup:\n    Type: AWS::Logs::LogGroup"
    );
}

#[test]
fn a_pin_naming_no_resource_is_an_error() {
    let project = Project::new(
        "name: Pin\nconstructs:\n  Logs:\n    plugin: logging\n    logicalIds: {Resorce: Mine}\n",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "Resorce", "construct: Logs", "stack.yaml:5");
}

#[test]
fn two_constructs_producing_one_logical_id_are_both_named() {
    let project = echo_stack(
        &[
            ("A", &resources(r#"{BC: {Type: "AWS::SNS::Topic"}}"#)),
            ("AB", &resources(r#"{C: {Type: "AWS::SNS::Topic"}}"#)),
        ],
        "",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "ABC",
        "construct `A`",
        "construct `AB`",
        "construct: AB"
    );
}

#[test]
fn references_to_nothing_are_errors_naming_resource_and_construct() {
    let cases = [
        (
            r#"{Resource: {Type: "AWS::SNS::Topic", Properties: {TopicName: {Ref: Nowhere}}}}"#,
            "Nowhere",
        ),
        (
            r#"{Resource: {Type: "AWS::SNS::Topic", Properties: {TopicName: {"Fn::GetAtt": [Ghost, Name]}}}}"#,
            "Ghost",
        ),
        (
            r#"{Resource: {Type: "AWS::SNS::Topic", Properties: {TopicName: {"Fn::Sub": "${!Phantom}-x"}}}}"#,
            "Phantom",
        ),
        (
            r#"{Resource: {Type: "AWS::SNS::Topic", DependsOn: Absent}}"#,
            "Absent",
        ),
    ];
    for (fragment, target) in cases {
        let project = echo_stack(&[("Topic", &resources(fragment))], "");
        let stderr = project.synth(&[]).failure().to_string();
        assert_contains!(stderr, target, "Topic", "construct: Topic", "stack.yaml:3");
    }
}

#[test]
fn a_dependency_cycle_between_resources_is_listed() {
    let project = echo_stack(
        &[(
            "Pair",
            &resources(
                r#"{Left: {Type: "AWS::SNS::Topic", DependsOn: Right}, Right: {Type: "AWS::SNS::Topic", Properties: {TopicName: {"Fn::GetAtt": [Left, TopicName]}}}}"#,
            ),
        )],
        "",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "PairLeft", "PairRight", "cycle");
}

#[test]
fn a_fragment_that_is_not_a_template_fragment_is_a_plugin_bug() {
    let project = echo_stack(
        &[(
            "Odd",
            "{fragment: {Resources: {Resource: {Properties: {}}}}}",
        )],
        "",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "unusable fragment",
        "Type",
        "construct: Odd",
        "bug in the plugin"
    );
}

fn many_topics(count: usize) -> String {
    let topics: Vec<String> = (0..count)
        .map(|i| format!("T{i}: {{Type: \"AWS::SNS::Topic\"}}"))
        .collect();
    resources(&format!("{{{}}}", topics.join(", ")))
}

#[test]
fn more_resources_than_cloudformation_allows_is_an_error_naming_the_quota() {
    let project = echo_stack(&[("Many", &many_topics(501))], "");
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "501 resources", "500", "limits.resources");
}

#[test]
fn the_stack_file_may_raise_the_resource_quota() {
    let project = echo_stack(
        &[("Many", &many_topics(501))],
        "limits:\n  resources: 600\n",
    );
    project.synth(&[]).success();
}

#[test]
fn a_failed_synthesis_writes_nothing() {
    let project = echo_stack(
        &[(
            "Topic",
            &resources(r#"{Resource: {Type: "AWS::SNS::Topic", DependsOn: Absent}}"#),
        )],
        "",
    );
    project.synth(&["--out", "out"]).failure();
    assert!(
        !project.path("out").exists(),
        "no output folder after a failure"
    );
}

#[test]
fn a_template_larger_than_the_byte_quota_is_an_error_naming_the_setting() {
    let project = Project::new(
        "name: Big\nlimits:\n  templateBytes: 50\nconstructs:\n  Logs:\n    plugin: logging\n",
    );
    let stderr = project.synth(&["--out", "out"]).failure().to_string();
    assert_contains!(stderr, "50", "limits.templateBytes");
    assert!(!project.path("out").exists(), "nothing written");
}

#[test]
fn more_outputs_than_cloudformation_allows_is_an_error() {
    let outputs: String = (0..201)
        .map(|i| format!("  O{i}:\n    value: ${{Logs.arn}}\n"))
        .collect();
    let project = Project::new(&format!(
        "name: Outs\nconstructs:\n  Logs:\n    plugin: logging\noutputs:\n{outputs}"
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(stderr, "201 outputs", "200", "limits.outputs");
}

/// A construct `Odd` whose echo props are `props` (inline YAML); the run must fail naming
/// `Odd`, its plugin and each of `needles`.
#[track_caller]
fn refused(props: &str, needles: &[&str]) {
    let project = echo_stack(&[("Odd", props)], "");
    let stderr = project.synth(&[]).failure().to_string();
    for needle in needles
        .iter()
        .chain(&["construct: Odd\n", "plugin: `echo`"])
    {
        assert_contains!(stderr, needle);
    }
}

#[test]
fn a_fragment_repeating_a_key_is_refused() {
    refused(
        r#"{text: '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Type": "AWS::SQS::Queue"}}}'}"#,
        &[
            "the key `Type` twice in the object at `/Resources/Topic`",
            "bug in the plugin",
        ],
    );
}

#[test]
fn an_attribute_returned_twice_is_refused() {
    refused(
        r#"{fragment: {Resources: {Resource: {Type: "AWS::SNS::Topic"}}}, attributes: [{name: value, text: '"a"'}, {name: value, text: '"b"'}]}"#,
        &["returned its attribute `value` twice"],
    );
}

#[test]
fn properties_that_are_a_list_are_refused() {
    refused(
        &resources(r#"{Resource: {Type: "AWS::SNS::Topic", Properties: [TopicName, x]}}"#),
        &["resource `Resource` has `Properties` that are an array, not an object"],
    );
}

#[test]
fn a_ref_of_a_list_is_refused() {
    refused(
        &resources(
            r#"{Resource: {Type: "AWS::SNS::Topic", Properties: {TopicName: {Ref: [Other]}}}}"#,
        ),
        &[
            "malformed intrinsic function at `/Properties/TopicName`",
            "`Ref` takes the name of a resource or parameter, not an array",
        ],
    );
}

#[test]
fn conditions_defined_through_each_other_are_a_cycle() {
    refused(
        r#"{fragment: {Resources: {Resource: {Type: "AWS::SNS::Topic", Condition: Left}}, Conditions: {Left: {"Fn::Not": [{Condition: Right}]}, Right: {"Fn::Not": [{Condition: Left}]}}}}"#,
        &[
            "conditions are defined through each other in a cycle: OddLeft",
            "OddRight",
        ],
    );
}

#[test]
fn a_malformed_sub_in_an_attribute_is_blamed_on_the_plugin_that_returned_it() {
    let project = echo_stack(
        &[
            (
                "Odd",
                r#"{fragment: {Resources: {Resource: {Type: "AWS::SNS::Topic"}}}, value: {"Fn::Sub": "arn:${!Broken"}}"#,
            ),
            (
                "User",
                r#"{fragment: {Resources: {Resource: {Type: "AWS::SNS::Topic"}}}, value: "${Odd.value}-suffix-${AWS::Region}"}"#,
            ),
        ],
        "",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "the plugin's attribute `value` has a malformed intrinsic function",
        "`${` that is never closed",
        "construct: Odd\n"
    );
    assert!(!stderr.contains("construct: User"), "{stderr}");
}

#[test]
fn a_plugin_cannot_refer_to_a_construct_it_was_not_given() {
    let project = echo_stack(
        &[
            (
                "Target",
                &resources(r#"{Resource: {Type: "AWS::SNS::Topic"}}"#),
            ),
            // As text, so that the props themselves hand the plugin nothing.
            (
                "Snoop",
                r#"{text: '{"Resources": {"Resource": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "Target"}}}}}'}"#,
            ),
        ],
        "",
    );
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "resource `Resource` of construct `Snoop` has a Ref to `Target`, which is none of its own ids",
        "construct: Snoop\n",
        "plugin: `echo`"
    );

    // Handed through its props, the same reference is fine.
    let project = echo_stack(
        &[
            (
                "Target",
                r#"{fragment: {Resources: {Resource: {Type: "AWS::SNS::Topic"}}}, value: {Ref: Resource}}"#,
            ),
            (
                "Given",
                r#"{text: '{"Resources": {"Resource": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "Target"}}}}}', value: "${Target.value}"}"#,
            ),
        ],
        "",
    );
    project.synth(&[]).success();
}

#[test]
fn control_characters_in_a_fragment_reach_the_terminal_escaped() {
    // The id a `Ref` names comes from the plugin; a message quoting it must not colour the
    // terminal or forge a line of its own.
    let project = echo_stack(
        &[(
            "Forger",
            &resources(
                r#"{Resource: {Type: "AWS::SNS::Topic", Properties: {TopicName: {Ref: "\e[31mNowhere\nerror: forged\n  --> x.yaml:1:1"}}}}"#,
            ),
        )],
        "",
    );
    let run = project.synth(&[]);
    let stderr = run.failure();
    assert_contains!(stderr, r"\u{1b}[31mNowhere\nerror: forged");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(
        !stderr
            .lines()
            .any(|line| line.starts_with("error: forged") || line.trim_start() == "--> x.yaml:1:1"),
        "{stderr}"
    );
}
