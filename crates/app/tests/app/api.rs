//! The small public helpers: stack names, telling an app file from other files, value
//! kinds.

use serde_json::json;
use stackweave_app::{APP_FILE_NAME, MAX_STACK_NAME, is_app_file, stack_name, value_kind};

use crate::SAMPLE;

#[test]
fn stack_names_are_app_environment_stack() {
    assert_eq!(stack_name("RefArch", "prod", "Api"), "RefArch-prod-Api");
    assert_eq!(
        stack_name("RefArch", "eu-prod", "Observability"),
        "RefArch-eu-prod-Observability"
    );
    assert_eq!(MAX_STACK_NAME, 128);
    assert_eq!(APP_FILE_NAME, "app.yaml");
}

#[test]
fn is_app_file_tells_app_files_from_stack_files_and_templates() {
    assert!(is_app_file(SAMPLE));
    assert!(is_app_file(
        "{\"name\": \"A\", \"stacks\": [], \"environments\": {}}"
    ));
    // Broken YAML is still told apart, so the app file's reader can say where it is broken.
    assert!(is_app_file(
        "name: Demo\nstacks: [a.yaml\nenvironments:\n  dev: {\n"
    ));
    assert!(is_app_file("\u{feff}stacks: [a.yaml]\nenvironments:\n"));

    assert!(!is_app_file(
        "name: MyStack\nconstructs:\n  Logs:\n    plugin: logging\n"
    ));
    assert!(!is_app_file(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
    ));
    // Only top-level keys count.
    assert!(!is_app_file(
        "name: S\nconstructs:\n  X:\n    stacks: 1\n    environments: 2\n"
    ));
    assert!(!is_app_file("stacks: [a.yaml]\n"));
    assert!(!is_app_file(""));
}

#[test]
fn value_kinds_are_named_as_messages_name_them() {
    assert_eq!(value_kind(&json!("dev")), "string");
    assert_eq!(value_kind(&json!(7)), "number");
    assert_eq!(value_kind(&json!(7.5)), "number");
    assert_eq!(value_kind(&json!(true)), "boolean");
    assert_eq!(value_kind(&json!([1])), "list");
    assert_eq!(value_kind(&json!({"a": 1})), "map");
    assert_eq!(value_kind(&json!(null)), "null");
}
