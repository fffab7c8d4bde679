//! Tests of YAML and JSON emission.

#![allow(clippy::unwrap_used)]

use super::*;
use serde_json::{Map, json};

/// Reads emitted YAML back into the long-form JSON it stands for, expanding tags, so a
/// round trip can be compared with the original value.
fn read_back(text: &str) -> Value {
    fn expand(yaml: Yaml) -> Value {
        match yaml {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(b),
            Yaml::Number(n) => serde_json::to_value(n).unwrap(),
            Yaml::String(s) => Value::String(s),
            Yaml::Sequence(items) => Value::Array(items.into_iter().map(expand).collect()),
            Yaml::Mapping(mapping) => {
                let mut object = Map::new();
                for (k, v) in mapping {
                    let Yaml::String(k) = k else {
                        panic!("non-string key {k:?}")
                    };
                    object.insert(k, expand(v));
                }
                Value::Object(object)
            }
            Yaml::Tagged(tagged) => {
                let name = tagged.tag.to_string();
                let name = name.trim_start_matches('!');
                let arg = expand(tagged.value);
                match (name, arg) {
                    ("Ref", arg) => json!({"Ref": arg}),
                    ("GetAtt", Value::String(dotted)) => {
                        let (id, attribute) = dotted.split_once('.').unwrap();
                        json!({"Fn::GetAtt": [id, attribute]})
                    }
                    (name, arg) => json!({ format!("Fn::{name}"): arg }),
                }
            }
        }
    }
    expand(serde_yaml::from_str(text).unwrap())
}

fn sample() -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "API Gateway (GET) → Step Functions (Express)",
        "Conditions": {
            "IsProd": {"Fn::And": [{"Fn::Equals": [{"Ref": "Env"}, "prod"]}, {"Condition": "Other"}]}
        },
        "Resources": {
            "Method": {
                "Type": "AWS::ApiGateway::Method",
                "DependsOn": ["Role"],
                "Properties": {
                    "Uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartSyncExecution"},
                    "Credentials": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Dotted": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
                    "Computed": {"Fn::GetAtt": ["Db", {"Ref": "Attr"}]},
                    "RequestTemplates": {
                        "application/json": {"Fn::Sub": [
                            "#set($data = $input.params('param'))\n{\n  \"input\": \"$util.escapeJavaScript($data)\",\n  \"stateMachineArn\": \"${Machine}\"\n}\n",
                            {"Machine": {"Ref": "StateMachine"}}
                        ]}
                    },
                    "Azs": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
                    "UserData": {"Fn::Base64": {"Fn::Join": ["", ["a", {"Ref": "B"}]]}},
                    "Maybe": {"Fn::If": ["IsProd", {"Ref": "B"}, {"Ref": "AWS::NoValue"}]},
                    "Policy": {"Statement": [{"Effect": "Allow", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]},
                    "Ambiguous": ["yes", "No", "on", "OFF", "y", "~", "null", "1.0", "0755", "12:30", "1e3", ".5", "-.inf", "<<", "it's 2024-01-01"],
                    "Quoted2": "2024-01-01 it's",
                    "Numbers": [1, -2, 0.25, true, null],
                    "Empty": {},
                    "None": [],
                    "Text": "",
                    "Japanese": "ステップ関数"
                }
            }
        },
        "Outputs": {"Url": {"Value": {"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod"}}}
    })
}

#[test]
fn yaml_round_trips_through_a_tag_aware_reader() {
    let value = sample();
    assert_eq!(read_back(&to_yaml(&value).unwrap()), value);
}

#[test]
fn yaml_uses_short_forms() {
    let text = to_yaml(&sample()).unwrap();
    for expected in [
        "Credentials: !GetAtt Role.Arn",
        "Dotted: !GetAtt Db.Endpoint.Address",
        "Uri: !Sub arn:${AWS::Partition}",
        "- !Ref B",
        "Azs: !Select",
        "- !GetAZs ''",
        "IsProd: !And",
        "- !Equals",
        "Computed: !GetAtt\n",
        "- !Ref Attr",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn condition_key_stays_a_mapping() {
    let text = to_yaml(&sample()).unwrap();
    assert!(text.contains("- Condition: Other"), "{text}");
    assert!(!text.contains("!Condition"), "{text}");
}

#[test]
fn nested_short_forms_fall_back_to_long_form() {
    let text = to_yaml(&json!({"U": {"Fn::Base64": {"Fn::Sub": "x${A}"}}})).unwrap();
    assert_eq!(text, "U:\n  Fn::Base64: !Sub x${A}\n");
}

#[test]
fn multi_line_strings_are_block_scalars() {
    let text = to_yaml(&sample()).unwrap();
    let expected = "application/json: !Sub\n        - |\n          #set($data = $input.params('param'))\n          {\n            \"input\": \"$util.escapeJavaScript($data)\",";
    assert!(text.contains(expected), "{text}");
    let plain = to_yaml(&json!({"T": "a\nb"})).unwrap();
    assert_eq!(plain, "T: |-\n  a\n  b\n");
}

#[test]
fn format_version_stays_a_quoted_string() {
    let text = to_yaml(&sample()).unwrap();
    assert!(
        text.starts_with("AWSTemplateFormatVersion: '2010-09-09'\n"),
        "{text}"
    );
}

#[test]
fn yaml11_lookalikes_are_single_quoted() {
    let text =
        to_yaml(&json!({"on": ["yes", "No", "12:30", "0755", "it's 1", "3 o'clock", "plain"]}))
            .unwrap();
    assert_eq!(
        text,
        "'on':\n- 'yes'\n- 'No'\n- '12:30'\n- '0755'\n- it's 1\n- '3 o''clock'\n- plain\n"
    );
}

#[test]
fn placeholder_marker_never_collides_with_content() {
    let value = json!({"a": "stackweaveQuoted0", "b": "yes", "stackweaveQuotedX1": "on"});
    let text = to_yaml(&value).unwrap();
    assert_eq!(read_back(&text), value);
    assert!(text.contains("a: stackweaveQuoted0\n"), "{text}");
    assert!(text.contains("b: 'yes'\n"), "{text}");
}

#[test]
fn yaml_keeps_insertion_order_and_ends_with_newline() {
    let text = to_yaml(&json!({"Z": 1, "A": 2, "M": 3})).unwrap();
    assert_eq!(text, "Z: 1\nA: 2\nM: 3\n");
}

#[test]
fn yaml_is_deterministic() {
    assert_eq!(to_yaml(&sample()).unwrap(), to_yaml(&sample()).unwrap());
}

#[test]
fn json_is_pretty_with_two_spaces_and_trailing_newline() {
    let text = to_json(&json!({"B": {"Ref": "X"}, "A": [1]})).unwrap();
    assert_eq!(
        text,
        "{\n  \"B\": {\n    \"Ref\": \"X\"\n  },\n  \"A\": [\n    1\n  ]\n}\n"
    );
}

#[test]
fn misread_detection() {
    for s in [
        "yes",
        "ON",
        "2010-09-09",
        "1",
        "-1",
        "+.5",
        ".inf",
        "0x1F",
        "1_000",
        "~",
        "<<",
    ] {
        assert!(misread_by_yaml11(s), "{s}");
    }
    for s in ["", "yes please", "a1", "Ref", "x-1", "line\n1", "true-ish"] {
        assert!(!misread_by_yaml11(s), "{s}");
    }
}
