//! Every kind of problem, with the line and column it is reported at.

use stackweave_stack::{Location, StackError};

use crate::{assert_problems, invalid, parse, with};

#[test]
fn bad_yaml_is_a_syntax_error_with_its_location() {
    let error = parse("name: Demo\nconstructs: [a\n").unwrap_err();
    let StackError::Syntax {
        path,
        location,
        message,
    } = &error
    else {
        panic!("expected a syntax error, got {error}");
    };
    assert_eq!(path.to_str(), Some("stacks/demo.yaml"));
    assert_eq!(*location, Some(Location { line: 3, column: 1 }));
    assert!(message.contains("flow sequence"), "{message}");
    assert!(
        error
            .to_string()
            .starts_with("stacks/demo.yaml:3:1: invalid YAML: ")
    );
    assert!(
        error
            .to_string()
            .ends_with("; fix the YAML syntax at that position")
    );
}

#[test]
fn undefined_alias_is_a_syntax_error() {
    let error = parse("name: *nope\n").unwrap_err();
    assert!(
        matches!(
            error,
            StackError::Syntax {
                location: Some(Location { line: 1, column: 7 }),
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn several_documents_are_a_syntax_error() {
    let error = parse("name: A\n---\nname: B\n").unwrap_err();
    let StackError::Syntax { message, .. } = &error else {
        panic!("expected a syntax error, got {error}");
    };
    assert!(message.contains("more than one document"), "{message}");
    assert!(
        error.to_string().ends_with("; fix the YAML syntax"),
        "{error}"
    );
}

#[test]
fn empty_file_and_non_mapping_root() {
    let problems = assert_problems!("# nothing\n", ["1:1 the stack file is empty"]);
    assert!(
        problems[0]
            .help
            .as_deref()
            .unwrap()
            .contains("name: MyStack")
    );
    assert_problems!("- a\n- b\n", ["1:1 the stack file must be a mapping"]);
}

#[test]
fn duplicate_keys_are_reported_at_the_second_occurrence() {
    let problems = assert_problems!(
        "name: A\nconstructs:\n  X:\n    plugin: a\n    plugin: b\nname: B\n",
        [
            "5:5 duplicate key `plugin` (first written at line 4)",
            "6:1 duplicate key `name` (first written at line 1)",
        ]
    );
    assert_eq!(problems[0].construct.as_deref(), Some("X"));
    assert_eq!(problems[1].construct, None);
}

#[test]
fn unknown_top_level_key_suggests_the_closest() {
    let problems = assert_problems!(
        "name: A\nconstruct:\n  X: { plugin: a }\nextra: 1\n",
        [
            "1:1 the stack file has no `constructs`",
            "2:1 unknown key `construct` in the stack file",
            "4:1 unknown key `extra` in the stack file",
        ]
    );
    assert_eq!(
        problems[0].help.as_deref(),
        Some("add `constructs:` to the stack file")
    );
    assert_eq!(
        problems[1].help.as_deref(),
        Some(
            "did you mean `constructs`? the stack file accepts `name`, `description`, `plugins`, `parameters`, `limits`, `constructs`, `resources`, `outputs`, `validation`"
        )
    );
    assert!(
        problems[2]
            .help
            .as_deref()
            .unwrap()
            .starts_with("remove it; ")
    );
}

#[test]
fn stack_name_and_description_are_checked() {
    assert_problems!(
        "name: 1-bad\nconstructs: { X: { plugin: a } }\n",
        ["1:7 stack name `1-bad` is not valid"]
    );
    assert_problems!(
        "name: [A]\ndescription: 5\nconstructs: { X: { plugin: a } }\n",
        [
            "1:7 `name` must be a string",
            "2:14 `description` must be a string"
        ]
    );
    let long = "x".repeat(1025);
    assert_problems!(
        &format!("name: A\ndescription: {long}\nconstructs: {{ X: {{ plugin: a }} }}\n"),
        ["2:14 description is 1025 bytes long; CloudFormation allows 1024"]
    );
}

#[test]
fn tags_in_the_fixed_structure_are_named() {
    let problems = assert_problems!(
        "name: !Ref StackName\nconstructs: { X: { plugin: a } }\n",
        ["1:7 tag `!Ref` is not allowed here"]
    );
    assert_eq!(
        problems[0].help.as_deref(),
        Some("remove the tag; `!file` is only allowed inside construct props")
    );
}

#[test]
fn plugin_folders_must_be_a_list_of_strings() {
    assert_problems!(
        &with("plugins: ./plugins\n"),
        ["5:10 `plugins` must be a list of folders"]
    );
    assert_problems!(
        &with("plugins:\n  - ./a\n  - {x: 1}\n  - ''\n"),
        [
            "7:5 a plugin folder must be a string",
            "8:5 plugin folder is empty"
        ]
    );
}

#[test]
fn parameters_are_checked() {
    assert_problems!(
        &with(
            "parameters:\n  my-env: { Type: String }\n  Count: 3\n  Size: { Default: 1 }\n  Tagged: { Type: !Ref X }\n"
        ),
        [
            "6:3 parameter name `my-env` is not valid",
            "7:10 parameter `Count` must be a mapping",
            "8:3 parameter `Size` has no `Type`",
            "9:19 tag `!Ref` is not allowed here",
        ]
    );
}

#[test]
fn construct_id_may_not_be_a_parameter_name() {
    let problems = assert_problems!(
        "name: A\nparameters:\n  Logs: { Type: String }\nconstructs:\n  Logs: { plugin: logging }\n",
        ["5:3 construct id `Logs` is also a parameter name"]
    );
    assert_eq!(problems[0].construct.as_deref(), Some("Logs"));
}

#[test]
fn limits_are_positive_integers_with_known_keys() {
    assert_problems!(
        &with(
            "limits:\n  resources: 0\n  outputs: -3\n  parameters: 1.5\n  templateBytes: big\n  resource: 5\n"
        ),
        [
            "6:14 `limits.resources` must be a positive integer",
            "7:12 `limits.outputs` must be a positive integer",
            "8:15 `limits.parameters` must be a positive integer",
            "9:18 `limits.templateBytes` must be a positive integer",
            "10:3 unknown key `resource` in `limits`",
        ]
    );
}

#[test]
fn constructs_must_be_a_non_empty_mapping() {
    assert_problems!("name: A\nconstructs:\n", ["2:1 `constructs` is empty"]);
    assert_problems!("name: A\nconstructs: {}\n", ["2:1 `constructs` is empty"]);
    assert_problems!(
        "name: A\nconstructs: [a]\n",
        ["2:13 `constructs` must be a mapping"]
    );
}

#[test]
fn construct_structure_is_checked() {
    let problems = assert_problems!(
        "name: A\nconstructs:\n  bad-id: { plugin: a }\n  Empty:\n  Typo:\n    plugin: logging\n    prop: {}\n  NoPlugin:\n    props: {}\n  Number:\n    plugin: 5\n  Blank:\n    plugin: ''\n  ListProps:\n    plugin: a\n    props: [1]\n",
        [
            "3:3 construct id `bad-id` is not valid",
            "4:3 construct `Empty` has no `plugin`",
            "7:5 unknown key `prop` in a construct",
            "8:3 construct `NoPlugin` has no `plugin`",
            "11:13 `plugin` must be a string",
            "13:13 `plugin` is empty",
            "16:12 `props` must be a mapping",
        ]
    );
    let constructs: Vec<_> = problems.iter().map(|p| p.construct.as_deref()).collect();
    assert_eq!(
        constructs,
        [
            Some("bad-id"),
            Some("Empty"),
            Some("Typo"),
            Some("NoPlugin"),
            Some("Number"),
            Some("Blank"),
            Some("ListProps"),
        ]
    );
    assert!(
        problems[2]
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `props`? ")
    );
}

#[test]
fn logical_id_pins_are_checked() {
    assert_problems!(
        "name: A\nconstructs:\n  X:\n    plugin: a\n    logicalIds:\n      Res-1: Ok1\n      Role: Bad_Id\n      Other: 7\n      Log: Same\n  Y:\n    plugin: b\n    logicalIds: { Fn: Same }\n",
        [
            "6:7 local id `Res-1` in `logicalIds` is not valid",
            "7:13 pinned logical id `Bad_Id` is not valid",
            "8:14 a pinned logical id must be a string",
            "12:23 logical id `Same` is already pinned by construct `X` (`Log`)",
        ]
    );
}

#[test]
fn tags_other_than_file_are_named_in_props() {
    let problems = assert_problems!(
        &with("    props:\n      role: !GetAtt Role.Arn\n      list: [!Ref X]\n"),
        ["6:13 unknown tag `!GetAtt`", "7:14 unknown tag `!Ref`"]
    );
    assert!(
        problems[0]
            .help
            .as_deref()
            .unwrap()
            .contains("`${Name.attribute}`")
    );
}

#[test]
fn malformed_references_are_located_at_their_string() {
    let problems = assert_problems!(
        &with(
            "    props:\n      a: fine ${X.y}\n      b:\n        - ok\n        - \"${Api.url\"\n      c: ${}\n"
        ),
        [
            "9:11 in `${Api.url`: unterminated reference `${Api.url`; close it with `}`, or write `${!` for a literal `${`",
            "10:10 in `${}`: empty reference `${}`; write `${Name}` or `${Name.attribute}`, or `${!}` for the literal text `${}`",
        ]
    );
    assert_eq!(problems[0].construct.as_deref(), Some("Logs"));
    assert!(
        problems[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("references follow Fn::Sub")
    );
}

#[test]
fn props_keys_and_numbers_must_fit_json() {
    assert_problems!(
        &with("    props:\n      ? [a]\n      : b\n      n: .nan\n      200: ok\n"),
        [
            "6:9 mapping key is not a string, number or boolean",
            "8:10 number `.nan` cannot be represented in JSON",
        ]
    );
}

#[test]
fn outputs_are_checked() {
    assert_problems!(
        &with(
            "outputs:\n  bad-name: { value: x }\n  Empty:\n  NoValue: { description: d }\n  List: { value: [a] }\n  Typo: { value: x, exportname: y }\n  File: { value: !file x.txt }\n  Ref: { value: \"${AWS::Regin}\", exportName: \"${\" }\n"
        ),
        [
            "6:3 output name `bad-name` is not valid",
            "7:3 output `Empty` has no `value`",
            "8:3 output `NoValue` has no `value`",
            "9:18 output `value` must be a string, number or boolean",
            "10:21 unknown key `exportname` in an output",
            "11:18 `!file` is not allowed here",
            "12:17 in `${AWS::Regin}`: unknown pseudo parameter `AWS::Regin`; use one of AWS::AccountId, AWS::NotificationARNs, AWS::NoValue, AWS::Partition, AWS::Region, AWS::StackId, AWS::StackName, AWS::URLSuffix (did you mean `AWS::Region`?)",
            "12:46 in `${`: unterminated reference `${`; close it with `}`, or write `${!` for a literal `${`",
        ]
    );
}

#[test]
fn all_problems_are_reported_in_file_order_and_displayed() {
    let text = "constructs:\n  X:\n    plugin: a\n    props: { a: \"${\" }\nnme: Demo\nfoo: 1\n";
    let problems = assert_problems!(
        text,
        [
            "1:1 the stack file has no `name`",
            "4:17 in `${`: unterminated reference `${`; close it with `}`, or write `${!` for a literal `${`",
            "5:1 unknown key `nme` in the stack file",
            "6:1 unknown key `foo` in the stack file",
        ]
    );
    assert_eq!(problems.len(), 4);
    let shown = StackError::Invalid(invalid(text)).to_string();
    let mut lines = shown.lines();
    assert_eq!(
        lines.next(),
        Some("the stack file has 4 problems; fix them and run again")
    );
    assert_eq!(
        lines.next(),
        Some("stacks/demo.yaml:1:1: the stack file has no `name`")
    );
    assert_eq!(lines.next(), Some("  help: add `name:` to the stack file"));
    assert_eq!(
        lines.next(),
        Some(
            "stacks/demo.yaml:4:17: construct `X`: in `${`: unterminated reference `${`; close it with `}`, or write `${!` for a literal `${`"
        )
    );
    // Every problem says what to do.
    assert!(invalid(text).iter().all(|p| p.help.is_some()));
}

#[test]
fn keys_spelt_differently_but_meaning_the_same_are_refused() {
    // Found by fuzzing: `True` and "true" both became the key `true`, and one value was lost.
    for stack in [
        "name: S\nconstructs:\n  A:\n    plugin: p\n    props:\n      True: x\n      \"true\": y\n",
        "name: S\nconstructs:\n  True:\n    plugin: p\n  \"true\":\n    plugin: q\n",
        "name: S\nconstructs:\n  A:\n    plugin: p\n    props:\n      list:\n        - {1e0: a, \"1.0\": b}\n",
    ] {
        let error = stackweave_stack::parse_stack_str(std::path::Path::new("stack.yaml"), stack)
            .expect_err("two keys meaning the same must be refused");
        assert!(error.to_string().contains("both mean"), "{error}");
    }
}

#[test]
fn an_error_at_the_end_of_a_file_points_inside_the_file() {
    // Found by fuzzing: without a final line break the parser reported the line after the last.
    for text in [":\no", "!"] {
        let at = match stackweave_stack::parse_stack_str(std::path::Path::new("stack.yaml"), text) {
            Err(stackweave_stack::StackError::Syntax {
                location: Some(at), ..
            }) => at,
            Err(stackweave_stack::StackError::Invalid(problems)) => {
                problems[0].location.expect("a problem has a line")
            }
            other => panic!("expected an error for {text:?}, got {other:?}"),
        };
        assert!(
            at.line <= text.lines().count(),
            "{text:?} -> line {}",
            at.line
        );
    }
}

#[cfg(unix)]
#[test]
fn a_file_linked_from_outside_the_stack_folder_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.json"), "{\"a\": 1}").unwrap();
    let stack_dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.json"),
        stack_dir.path().join("def.json"),
    )
    .unwrap();
    let path = stack_dir.path().join("stack.yaml");
    let text =
        "name: S\nconstructs:\n  A:\n    plugin: p\n    props:\n      definition: !file def.json\n";
    let error = stackweave_stack::parse_stack_str(&path, text).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("outside the stack file's folder"),
        "{error}"
    );
}
