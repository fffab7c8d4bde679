//! Reading real and hand-written templates: long forms, locations and errors.

use std::path::Path;

use serde_json::{Value, json};
use stackweave_location::Location;
use stackweave_template_file::{ReadErrorKind, TemplateFile, parse_template_str, read_template};

const EXAMPLE: &str =
    include_str!("../../../examples/api-to-express/expected/ApiToExpress.template.yaml");
const SEED: &str = include_str!("../../../tests/fixtures/seed-template.yaml");

fn parse(text: &str) -> TemplateFile {
    parse_template_str(text, Path::new("t.yaml")).unwrap_or_else(|error| panic!("{error}"))
}

/// The value at `pointer` of `/Resources/R/Properties/P` in a one-resource template.
fn property(yaml_value: &str) -> Value {
    let text = format!("Resources:\n  R:\n    Type: T\n    Properties:\n      P: {yaml_value}\n");
    parse(&text).value["Resources"]["R"]["Properties"]["P"].clone()
}

fn at(line: usize, column: usize) -> Location {
    Location { line, column }
}

#[test]
fn every_short_form_becomes_its_long_form() {
    let cases = [
        ("!Ref Api", json!({"Ref": "Api"})),
        ("!Condition IsProd", json!({"Condition": "IsProd"})),
        (
            "!GetAtt Api.RootResourceId",
            json!({"Fn::GetAtt": ["Api", "RootResourceId"]}),
        ),
        // Split at the first dot only.
        (
            "!GetAtt Db.Endpoint.Address",
            json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ),
        (
            "!GetAtt [Db, Endpoint.Port]",
            json!({"Fn::GetAtt": ["Db", "Endpoint.Port"]}),
        ),
        (
            "!Sub 'arn:${AWS::Partition}:x'",
            json!({"Fn::Sub": "arn:${AWS::Partition}:x"}),
        ),
        (
            "!Join [',', [a, b]]",
            json!({"Fn::Join": [",", ["a", "b"]]}),
        ),
        (
            "!Select [0, [a, b]]",
            json!({"Fn::Select": [0, ["a", "b"]]}),
        ),
        ("!Split [',', 'a,b']", json!({"Fn::Split": [",", "a,b"]})),
        (
            "!If [IsProd, a, b]",
            json!({"Fn::If": ["IsProd", "a", "b"]}),
        ),
        ("!Equals [a, b]", json!({"Fn::Equals": ["a", "b"]})),
        ("!And [true, false]", json!({"Fn::And": [true, false]})),
        ("!Or [true, false]", json!({"Fn::Or": [true, false]})),
        ("!Not [true]", json!({"Fn::Not": [true]})),
        (
            "!FindInMap [M, k, v]",
            json!({"Fn::FindInMap": ["M", "k", "v"]}),
        ),
        ("!Base64 text", json!({"Fn::Base64": "text"})),
        (
            "!Cidr [10.0.0.0/16, 6, 5]",
            json!({"Fn::Cidr": ["10.0.0.0/16", 6, 5]}),
        ),
        ("!GetAZs ''", json!({"Fn::GetAZs": ""})),
        // An empty tagged scalar is the empty string, not null.
        ("!GetAZs", json!({"Fn::GetAZs": ""})),
        ("!ImportValue Shared", json!({"Fn::ImportValue": "Shared"})),
        (
            "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
            json!({"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}),
        ),
        ("!Length [a, b]", json!({"Fn::Length": ["a", "b"]})),
        (
            "!ToJsonString {a: 1}",
            json!({"Fn::ToJsonString": {"a": 1}}),
        ),
    ];
    for (yaml, expected) in cases {
        assert_eq!(property(yaml), expected, "{yaml}");
    }
}

#[test]
fn tags_nest_inside_tags() {
    assert_eq!(
        property("!If [IsProd, !Ref A, !Ref B]"),
        json!({"Fn::If": ["IsProd", {"Ref": "A"}, {"Ref": "B"}]})
    );
    assert_eq!(
        property("!Sub\n        - '${Arn}/*'\n        - Arn: !GetAtt Bucket.Arn"),
        json!({"Fn::Sub": ["${Arn}/*", {"Arn": {"Fn::GetAtt": ["Bucket", "Arn"]}}]})
    );
    assert_eq!(
        property("!Join ['', [!Select [0, !GetAZs ''], !Ref AWS::Region]]"),
        json!({"Fn::Join": ["", [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}, {"Ref": "AWS::Region"}]]})
    );
}

#[test]
fn scalars_keep_their_kind_and_keys_their_order() {
    let value = property("{s: '200', n: 200, f: 1.5, neg: -3, b: true, t: 'true', z: ~, x: 0x1F}");
    assert_eq!(
        value,
        json!({"s": "200", "n": 200, "f": 1.5, "neg": -3, "b": true, "t": "true", "z": null, "x": 31})
    );
    let keys: Vec<&String> = value.as_object().expect("a mapping").keys().collect();
    assert_eq!(keys, ["s", "n", "f", "neg", "b", "t", "z", "x"]);
}

/// Where `needle` is first written in `text` (the example is regenerated as the constructs
/// change, so its lines are found rather than hard-coded).
fn find(text: &str, needle: &str) -> Location {
    text.lines()
        .enumerate()
        .find_map(|(i, line)| {
            let column = line.find(needle)?;
            Some(at(i + 1, line[..column].chars().count() + 1))
        })
        .unwrap_or_else(|| panic!("`{needle}` is not in the text"))
}

#[test]
fn the_example_template_reads_in_long_form_with_lines() {
    let template = parse(EXAMPLE);
    let resources = template.value["Resources"].as_object().expect("Resources");
    let ids: Vec<&str> = resources.keys().map(String::as_str).collect();
    assert_eq!(
        ids[..8],
        [
            "WorkflowLogs",
            "WorkflowRole",
            "Workflow",
            "ApiRole",
            "Api",
            "ApiPathStart",
            "ApiRequestValidator",
            "ApiMethod",
        ]
    );
    assert!(ids[8].starts_with("ApiDeployment"), "{ids:?}");
    assert_eq!(ids[9..], ["ApiStage"]);
    let value = &template.value;
    assert_eq!(
        value["Resources"]["WorkflowLogs"]["Properties"]["LogGroupName"],
        json!({"Fn::Sub": "/aws/vendedlogs/states/${AWS::StackName}-workflow"})
    );
    assert_eq!(
        value["Resources"]["Workflow"]["Properties"]["RoleArn"],
        json!({"Fn::GetAtt": ["WorkflowRole", "Arn"]})
    );
    let template_sub = &value["Resources"]["ApiMethod"]["Properties"]["Integration"]["RequestTemplates"]
        ["application/json"]["Fn::Sub"];
    assert!(
        template_sub[0]
            .as_str()
            .expect("the mapping template")
            .starts_with("## The execution input is JSON")
    );
    assert_eq!(
        template_sub[1],
        json!({"StateMachineArn": {"Ref": "Workflow"}})
    );
    // Quoted status codes stay text, as API Gateway wants them.
    assert_eq!(
        value["Resources"]["ApiMethod"]["Properties"]["MethodResponses"][0]["StatusCode"],
        json!("200")
    );
    assert_eq!(
        value["Resources"]["WorkflowLogs"]["Properties"]["RetentionInDays"],
        json!(7)
    );
    assert_eq!(
        value["Outputs"]["ApiEndpoint"]["Value"]["Fn::Sub"],
        json!(
            "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ApiStage}/start?param=value"
        )
    );

    // Lines as a reviewer finds them in the file.
    assert_eq!(
        template.location_of("Resources", "WorkflowLogs"),
        Some(at(4, 3))
    );
    assert_eq!(
        template.location_of("Resources", "Api"),
        Some(find(EXAMPLE, "  Api:")).map(|l| at(l.line, 3))
    );
    assert_eq!(
        template.location_of("Resources", "ApiStage"),
        Some(find(EXAMPLE, "ApiStage:"))
    );
    assert_eq!(
        template.location_of("Outputs", "ApiEndpoint"),
        Some(find(EXAMPLE, "ApiEndpoint:"))
    );
    assert_eq!(template.location_of("Resources", "Missing"), None);
    assert_eq!(
        template.location_of_property("ApiStage", "StageName"),
        Some(find(EXAMPLE, "StageName:"))
    );
    // Inside a short form, at its long-form pointer: the tag.
    let map = &template.source_map;
    assert_eq!(
        map.locate("/Resources/WorkflowLogs/Properties/LogGroupName/Fn::Sub"),
        find(EXAMPLE, "!Sub /aws/vendedlogs")
    );
    assert_eq!(
        map.locate("/Resources/Workflow/Properties/RoleArn/Fn::GetAtt/0"),
        find(EXAMPLE, "!GetAtt WorkflowRole.Arn")
    );
    assert_eq!(
        map.locate_key(
            "/Resources/ApiMethod/Properties/Integration/RequestTemplates/application~1json/Fn::Sub/1/StateMachineArn"
        ),
        find(EXAMPLE, "StateMachineArn: !Ref")
    );
}

#[test]
fn the_seed_template_reads_with_its_short_forms_and_lines() {
    let template = parse(SEED);
    let value = &template.value;
    assert_eq!(
        value["Resources"]["StepFunctionsExecutionRole"]["Properties"]["RoleName"],
        json!({"Fn::Sub": "StepFunctions-${AWS::StackName}-role"})
    );
    assert_eq!(
        value["Resources"]["MyMethod"]["Properties"]["Integration"]["Uri"],
        json!({"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:states:action/StartSyncExecution"})
    );
    // Unquoted here, so a number: the seed's own inconsistency, kept as written.
    assert_eq!(
        value["Resources"]["MyMethod"]["Properties"]["MethodResponses"][0]["StatusCode"],
        json!(200)
    );
    assert_eq!(
        value["Resources"]["MyStateMachine"]["DependsOn"],
        json!("StepFunctionLogGroup")
    );
    assert_eq!(
        value["Outputs"]["ApiEndpoint"]["Value"],
        json!({"Fn::Sub": "https://${MyApi}.execute-api.${AWS::Region}.amazonaws.com/prod/start?example=value"})
    );
    // Comments in Japanese before these resources do not shift lines or columns. (The
    // fixture starts with two lines of its own before the seed's text.)
    assert_eq!(
        template.location_of("Resources", "ApiGatewayExecutionRole"),
        Some(at(63, 3))
    );
    assert_eq!(template.location_of("Resources", "MyApi"), Some(at(82, 3)));
    assert_eq!(
        template.location_of_property("MyStateMachine", "StateMachineName"),
        Some(at(40, 7))
    );
    assert_eq!(
        template.location_of("Outputs", "ApiEndpoint"),
        Some(at(128, 3))
    );
    assert_eq!(
        template
            .source_map
            .locate("/Resources/MyStateMachine/Properties/StateMachineName"),
        at(40, 25)
    );
}

#[test]
fn entries_locate_the_same_whether_tagged_or_not() {
    let text = "\
Parameters:
  Stage:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub '${AWS::StackName}-topic'
      DisplayName: plain
Outputs:
  TopicArn:
    Value: !Ref Topic
";
    let template = parse(text);
    assert_eq!(template.location_of("Parameters", "Stage"), Some(at(2, 3)));
    assert_eq!(template.location_of("Resources", "Topic"), Some(at(5, 3)));
    assert_eq!(template.location_of("Outputs", "TopicArn"), Some(at(11, 3)));
    assert_eq!(
        template.location_of_property("Topic", "TopicName"),
        Some(at(8, 7))
    );
    assert_eq!(
        template.location_of_property("Topic", "DisplayName"),
        Some(at(9, 7))
    );
    let map = &template.source_map;
    assert_eq!(
        map.locate("/Resources/Topic/Properties/TopicName"),
        at(8, 18)
    );
    assert_eq!(map.locate("/Outputs/TopicArn/Value/Ref"), at(12, 12));
}

#[test]
fn json_templates_read_with_lines() {
    let text = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Logs": {
      "Type": "AWS::Logs::LogGroup",
      "Properties": {"RetentionInDays": 7, "LogGroupName": {"Fn::Sub": "/x/${AWS::StackName}"}}
    }
  }
}
"#;
    let template = parse_template_str(text, Path::new("t.json")).expect("valid JSON template");
    assert_eq!(
        template.value["Resources"]["Logs"]["Properties"],
        json!({"RetentionInDays": 7, "LogGroupName": {"Fn::Sub": "/x/${AWS::StackName}"}})
    );
    assert_eq!(template.location_of("Resources", "Logs"), Some(at(4, 5)));
    assert_eq!(
        template.location_of_property("Logs", "LogGroupName"),
        Some(at(6, 44))
    );
}

#[test]
fn json_syntax_errors_name_the_line() {
    let text = "{\n  \"Resources\": {\n    \"A\": {\"Type\": \"X\"}\n    \"B\": {}\n  }\n}\n";
    let error = parse_template_str(text, Path::new("t.json")).expect_err("missing comma");
    assert_eq!(error.kind, ReadErrorKind::Syntax);
    assert_eq!(error.location.map(|l| l.line), Some(4));
    let shown = error.to_string();
    assert!(shown.starts_with("t.json:4:"), "{shown}");
    assert!(
        shown.contains("invalid JSON: expected `,` or `}`"),
        "{shown}"
    );
    assert!(shown.contains("help: fix the JSON"), "{shown}");
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let text = "Resources:\n  A:\n    Type: X\n    Properties: [a, b\n  B:\n    Type: Y\n";
    let error = parse_template_str(text, Path::new("t.yaml")).expect_err("unclosed list");
    assert_eq!(error.kind, ReadErrorKind::Syntax);
    assert!(
        error.location.is_some_and(|l| (4..=5).contains(&l.line)),
        "{error}"
    );
    assert!(error.to_string().contains("invalid YAML"), "{error}");
}

#[test]
fn unknown_tags_are_refused_with_their_line() {
    let text = "Resources:\n  A:\n    Type: X\n    Properties:\n      P: !GetAttr A.B\n";
    let error = parse_template_str(text, Path::new("t.yaml")).expect_err("unknown tag");
    assert_eq!(error.kind, ReadErrorKind::UnknownTag);
    assert_eq!(error.location, Some(at(5, 10)));
    let shown = error.to_string();
    assert!(shown.contains("unknown tag `!GetAttr`"), "{shown}");
    assert!(
        shown.contains("!GetAtt"),
        "the help lists the real ones: {shown}"
    );
}

#[test]
fn duplicate_keys_are_refused_with_both_lines() {
    let text = "Resources:\n  A:\n    Type: X\n  B:\n    Type: Y\n  A:\n    Type: Z\n";
    let error = parse_template_str(text, Path::new("t.yaml")).expect_err("duplicate");
    assert_eq!(error.kind, ReadErrorKind::DuplicateKey);
    assert_eq!(error.location, Some(at(6, 3)));
    assert!(
        error
            .message
            .contains("duplicate key `A` (first written at line 2)")
    );

    let json = "{\"Resources\": {\n  \"A\": {\"Type\": \"X\"},\n  \"A\": {\"Type\": \"Y\"}\n}}\n";
    let error = parse_template_str(json, Path::new("t.json")).expect_err("duplicate");
    assert_eq!(error.kind, ReadErrorKind::DuplicateKey);
    assert_eq!(error.location.map(|l| l.line), Some(3));
}

#[test]
fn files_that_are_not_templates_are_refused_with_what_to_do() {
    let cases = [
        ("", ReadErrorKind::Empty, "the file is empty"),
        (
            "# only a comment\n",
            ReadErrorKind::Empty,
            "the file is empty",
        ),
        (
            "- a\n- b\n",
            ReadErrorKind::NotAMapping,
            "the top level is a list",
        ),
        (
            "just text\n",
            ReadErrorKind::NotAMapping,
            "the top level is text",
        ),
        (
            "name: MyStack\nconstructs:\n  Logs:\n    use: logging\n",
            ReadErrorKind::NoResources,
            "no top-level `Resources`",
        ),
        (
            "Resources: [a]\n",
            ReadErrorKind::NoResources,
            "`Resources` is a list",
        ),
    ];
    for (text, kind, message) in cases {
        let error = parse_template_str(text, Path::new("t.yaml")).expect_err(text);
        assert_eq!(error.kind, kind, "{text:?}");
        assert!(error.message.contains(message), "{text:?}: {error}");
        assert!(!error.help.is_empty());
    }
    let stack = parse_template_str("name: S\nconstructs: {}\n", Path::new("s.yaml"))
        .expect_err("a stack file");
    assert!(stack.help.contains("stackweave synth"), "{stack}");
}

#[test]
fn unreadable_paths_say_what_is_wrong() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = read_template(&dir.path().join("nope.yaml")).expect_err("missing");
    assert_eq!(missing.kind, ReadErrorKind::NotFound);
    assert!(
        missing.to_string().contains("nope.yaml: no such file"),
        "{missing}"
    );

    let directory = read_template(dir.path()).expect_err("a directory");
    assert_eq!(directory.kind, ReadErrorKind::NotAFile);
    assert!(directory.message.contains("directory"));

    let binary = dir.path().join("t.yaml");
    std::fs::write(&binary, b"Resources:\n  A: {Type: \xff}\n").expect("written");
    let error = read_template(&binary).expect_err("not UTF-8");
    assert_eq!(error.kind, ReadErrorKind::NotUtf8);
    assert_eq!(error.location, Some(at(2, 13)));

    let good = dir.path().join("good.yaml");
    std::fs::write(&good, EXAMPLE).expect("written");
    let template = read_template(&good).expect("the example reads from disk");
    assert_eq!(template.path, good);
}
