//! `docs/app.schema.json`, the editors' description of the app file, agrees with the
//! parser: the same keys, the same patterns, and the same verdict on sample files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use stackweave_app::format::{
    ACCOUNT_PATTERN, APP_NAME_PATTERN, ENVIRONMENT_KEYS, ENVIRONMENT_NAME_PATTERN,
    IDENTIFIER_PATTERN, MAX_APP_NAME, MAX_DESCRIPTION, MAX_ENVIRONMENT_NAME, MAX_IDENTIFIER,
    MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS, PLACEMENT_KEYS, REFERENCE_MODES, REGION_PATTERN,
    REQUIRED_ENVIRONMENT_KEYS, REQUIRED_TOP_LEVEL_KEYS, STACK_NAME_PATTERN, TOP_LEVEL_KEYS,
};

use crate::{SAMPLE, parse, with_env};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema() -> Json {
    let text = std::fs::read_to_string(root().join("docs/app.schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the app schema compiles")
}

/// The schema's errors for YAML `text`, as text.
fn schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let instance: Json = serde_yaml::from_str(text).unwrap();
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

fn property_names(object: &Json) -> BTreeSet<String> {
    object["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn required(object: &Json) -> BTreeSet<String> {
    let list = object["required"].as_array().unwrap();
    list.iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn schema_lists_exactly_the_keys_the_parser_accepts() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(property_names(&schema), set(TOP_LEVEL_KEYS));
    assert_eq!(required(&schema), set(REQUIRED_TOP_LEVEL_KEYS));
    assert_eq!(schema["additionalProperties"], false);

    let environment = &schema["$defs"]["environment"];
    assert_eq!(property_names(environment), set(ENVIRONMENT_KEYS));
    assert_eq!(required(environment), set(REQUIRED_ENVIRONMENT_KEYS));
    assert_eq!(environment["additionalProperties"], false);

    let placement = &schema["$defs"]["placement"];
    assert_eq!(property_names(placement), set(PLACEMENT_KEYS));
    assert_eq!(placement["additionalProperties"], false);

    assert_eq!(
        schema["properties"]["references"]["enum"],
        serde_json::json!(REFERENCE_MODES)
    );
}

#[test]
fn schema_patterns_and_bounds_match_the_parser_rules() {
    let schema = schema();
    let anchored = |p: &str| Json::String(format!("^{p}$"));
    let properties = &schema["properties"];
    assert_eq!(properties["name"]["pattern"], anchored(APP_NAME_PATTERN));
    assert_eq!(properties["name"]["maxLength"], MAX_APP_NAME);
    assert_eq!(properties["description"]["maxLength"], MAX_DESCRIPTION);
    let names = &properties["environments"]["propertyNames"];
    assert_eq!(names["pattern"], anchored(ENVIRONMENT_NAME_PATTERN));
    assert_eq!(names["maxLength"], MAX_ENVIRONMENT_NAME);

    let defs = &schema["$defs"];
    assert_eq!(defs["region"]["pattern"], anchored(REGION_PATTERN));
    assert_eq!(defs["account"]["pattern"], anchored(ACCOUNT_PATTERN));
    let environment = &defs["environment"]["properties"];
    let tags = &environment["tags"];
    assert_eq!(tags["maxProperties"], MAX_TAGS);
    assert_eq!(tags["propertyNames"]["maxLength"], MAX_TAG_KEY);
    assert_eq!(tags["additionalProperties"]["maxLength"], MAX_TAG_VALUE);
    for map in ["parameters", "stacks"] {
        let names = &environment[map]["propertyNames"];
        assert_eq!(names["pattern"], anchored(STACK_NAME_PATTERN), "{map}");
    }
    let values = &environment["values"]["propertyNames"];
    assert_eq!(values["pattern"], anchored(IDENTIFIER_PATTERN));
    assert_eq!(values["maxLength"], MAX_IDENTIFIER);
    let parameters = &environment["parameters"]["additionalProperties"]["propertyNames"];
    assert_eq!(parameters["pattern"], anchored(IDENTIFIER_PATTERN));
    assert_eq!(parameters["maxLength"], MAX_IDENTIFIER);
}

/// Editors show `title` and `description` as hover help, so every property needs both.
#[test]
fn every_schema_property_has_a_title_and_description() {
    fn walk(value: &Json, at: &str, missing: &mut Vec<String>) {
        if let Some(properties) = value.get("properties").and_then(Json::as_object) {
            for (key, property) in properties {
                let here = format!("{at}/{key}");
                for field in ["title", "description"] {
                    if property.get(field).and_then(Json::as_str).is_none() {
                        missing.push(format!("{here}: {field}"));
                    }
                }
                walk(property, &here, missing);
            }
        }
        for nested in ["$defs", "additionalProperties", "items"] {
            match value.get(nested) {
                Some(Json::Object(defs)) if nested == "$defs" => {
                    for (name, def) in defs {
                        walk(def, &format!("{at}/$defs/{name}"), missing);
                    }
                }
                Some(inner @ Json::Object(_)) => walk(inner, at, missing),
                _ => {}
            }
        }
    }
    let mut missing = Vec::new();
    walk(&schema(), "", &mut missing);
    assert!(missing.is_empty(), "missing: {missing:?}");
}

#[test]
fn the_sample_and_every_example_app_file_validate() {
    let validator = validator();
    let mut files = vec![("tests/app/sample.yaml".to_owned(), SAMPLE.to_owned())];
    // Examples may have no app file yet; those that do must satisfy both readers.
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let path = entry.unwrap().path().join("app.yaml");
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((path.display().to_string(), text));
        }
    }
    for (name, text) in &files {
        assert_eq!(
            schema_errors(&validator, text),
            Vec::<String>::new(),
            "{name}"
        );
        if let Err(error) = parse(text) {
            panic!("{name} does not parse:\n{error}");
        }
    }
}

/// Files the parser refuses, which the schema refuses too: an editor flags the same
/// mistakes as `stackweave`.
#[test]
fn schema_refuses_what_the_parser_refuses() {
    let validator = validator();
    let environment = |extra: &str| with_env(extra);
    let cases = [
        "name: Demo\nstacks: [a.yaml]\n".to_owned(),
        "name: 2Demo\nstacks: [a.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n".to_owned(),
        "name: Demo\nstacks: []\nenvironments:\n  dev:\n    region: eu-west-1\n".to_owned(),
        "name: Demo\nstacks: [a.yaml, a.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n".to_owned(),
        "name: Demo\nstacks: [a.yaml]\nenvironments: {}\n".to_owned(),
        "name: Demo\nstacks: [a.yaml]\nreferences: hard\nenvironments:\n  dev:\n    region: eu-west-1\n".to_owned(),
        "name: Demo\nstacks: [a.yaml]\nenvironments:\n  dev_1:\n    region: eu-west-1\n".to_owned(),
        "name: Demo\nstacks: [a.yaml]\nenvironments:\n  dev:\n    region: Ireland\n".to_owned(),
        environment("    regoin: x\n"),
        environment("    account: 111111111111\n"),
        environment("    account: \"1234\"\n"),
        environment("    tags:\n      aws:x: y\n"),
        environment("    tags:\n      Aws:x: y\n"),
        environment(&format!("    tags:\n      k: {}\n", "v".repeat(257))),
        environment("    values:\n      stage: ~\n"),
        environment("    values:\n      log-days: 7\n"),
        environment("    parameters:\n      Api:\n        Email: {a: 1}\n"),
        environment("    parameters:\n      Api:\n        Names: [\"x,y\"]\n"),
        environment("    stacks:\n      Api:\n        outputsRole: read-outputs\n"),
        environment("    stacks:\n      Api:\n        outputRole: arn:aws:iam::1:role/r\n"),
        environment("    stacks:\n      Api: {}\n"),
    ];
    for text in &cases {
        assert!(parse(text).is_err(), "the parser accepts:\n{text}");
        assert!(
            !schema_errors(&validator, text).is_empty(),
            "the schema accepts:\n{text}"
        );
    }
}
