//! The reference stack file from the format description, parsed end to end.

use std::path::{Path, PathBuf};

use serde_json::json;
use stackweave_stack::{Limits, PluginRef, Prop, Reference, parse_stack_file};

const EXAMPLE: &str = r#"# yaml-language-server: $schema=../../docs/stack-file.schema.json
name: ApiToExpress
description: API Gateway calling a Step Functions Express workflow
plugins: [./plugins, ../team-plugins]
parameters:
  Env: { Type: String, Default: dev }
limits:
  resources: 600
constructs:
  WorkflowLogs:
    plugin: logging
    props:
      retentionDays: 7
      name: /aws/vendedlogs/states/${AWS::StackName}-workflow
  Workflow:
    plugin: express-workflow
    logicalIds: { Resource: MyStateMachine }
    props:
      role: ${WorkflowRole.arn}
      definition: !file hello.asl.json
  Custom:
    plugin: ./wasm/custom.wasm
outputs:
  ApiEndpoint:
    value: ${Api.url}/start?param=value
    description: where to call
    exportName: ${AWS::StackName}-endpoint
"#;

fn write_example(dir: &Path) -> PathBuf {
    std::fs::write(
        dir.join("hello.asl.json"),
        r#"{"StartAt": "Hello", "States": {}}"#,
    )
    .unwrap();
    let path = dir.join("stack.yaml");
    std::fs::write(&path, EXAMPLE).unwrap();
    path
}

fn reference(target: &str, attribute: Option<&str>) -> Reference {
    Reference {
        stack: None,
        target: target.to_owned(),
        attribute: attribute.map(str::to_owned),
    }
}

#[test]
fn reference_example_parses_into_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_example(dir.path());
    let stack = parse_stack_file(&path).unwrap();

    assert_eq!(stack.path, path);
    assert_eq!(stack.dir, dir.path());
    assert_eq!(stack.name, "ApiToExpress");
    assert_eq!(
        stack.description.as_deref(),
        Some("API Gateway calling a Step Functions Express workflow")
    );
    assert_eq!(
        stack.plugin_dirs,
        vec![
            dir.path().join("./plugins"),
            dir.path().join("../team-plugins")
        ]
    );
    assert_eq!(
        stack.parameters,
        vec![(
            "Env".to_owned(),
            json!({"Type": "String", "Default": "dev"})
        )]
    );
    assert_eq!(
        stack.limits,
        Limits {
            resources: Some(600),
            ..Limits::default()
        }
    );

    let ids: Vec<&str> = stack.constructs.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["WorkflowLogs", "Workflow", "Custom"]);

    let logs = &stack.constructs[0];
    assert_eq!(logs.plugin, PluginRef::Name("logging".into()));
    assert_eq!(logs.pointer, "/constructs/WorkflowLogs");
    assert_eq!(
        logs.props.to_written_json(),
        json!({"retentionDays": 7, "name": "/aws/vendedlogs/states/${AWS::StackName}-workflow"})
    );
    let refs = logs.props.references();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].0, "/name");
    assert!(refs[0].1.is_pseudo());

    let workflow = stack.construct("Workflow").unwrap();
    assert_eq!(
        workflow.logical_ids,
        vec![("Resource".to_owned(), "MyStateMachine".to_owned())]
    );
    assert_eq!(
        workflow.props.get("definition"),
        Some(&Prop::Data(json!({"StartAt": "Hello", "States": {}})))
    );
    let refs = workflow.props.references();
    assert_eq!(
        refs,
        vec![("/role".to_owned(), &reference("WorkflowRole", Some("arn")))]
    );

    let custom = stack.construct("Custom").unwrap();
    assert_eq!(
        custom.plugin,
        PluginRef::File(dir.path().join("./wasm/custom.wasm"))
    );
    assert_eq!(custom.props, Prop::Map(Vec::new()));

    let output = &stack.outputs[0];
    assert_eq!(output.name, "ApiEndpoint");
    assert_eq!(output.pointer, "/outputs/ApiEndpoint");
    assert_eq!(output.description.as_deref(), Some("where to call"));
    assert_eq!(
        output.value.to_written_json(),
        json!("${Api.url}/start?param=value")
    );
    assert_eq!(
        output.value.references()[0].1,
        &reference("Api", Some("url"))
    );
    let export = output.export_name.as_ref().unwrap().as_text().unwrap();
    assert_eq!(export.written(), "${AWS::StackName}-endpoint");
}

#[test]
fn reference_example_locates_its_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let stack = parse_stack_file(&write_example(dir.path())).unwrap();
    let at = |pointer: &str| {
        let l = stack.source_map.locate(pointer);
        (l.line, l.column)
    };
    let key = |pointer: &str| {
        let l = stack.source_map.locate_key(pointer);
        (l.line, l.column)
    };
    assert_eq!(at("/name"), (2, 7));
    assert_eq!(key("/name"), (2, 1));
    assert_eq!(at("/plugins/1"), (4, 22));
    assert_eq!(at("/parameters/Env/Default"), (6, 33));
    assert_eq!(key("/constructs/Workflow"), (15, 3));
    // A block mapping's value starts at its first key.
    assert_eq!(at("/constructs/Workflow"), (16, 5));
    assert_eq!(at("/constructs/Workflow/logicalIds/Resource"), (17, 29));
    assert_eq!(at("/constructs/Workflow/props/role"), (19, 13));
    assert_eq!(at("/constructs/Workflow/props/definition"), (20, 19));
    // Inside `!file` data nothing is indexed: the tag's value stands in.
    assert_eq!(at("/constructs/Workflow/props/definition/States"), (20, 19));
    assert_eq!(at("/outputs/ApiEndpoint/exportName"), (27, 17));
    assert_eq!(at("/constructs/Nope/props"), at("/constructs"));
}

#[test]
fn missing_stack_file_is_a_read_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.yaml");
    let error = parse_stack_file(&path).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, stackweave_stack::StackError::Read { .. }),
        "{message}"
    );
    assert!(message.starts_with(&format!("cannot read stack file `{}`: ", path.display())));
    assert!(message.ends_with("; check that the path is right and the file is readable"));
}

#[test]
fn bare_file_name_has_dot_as_its_folder_and_paths_read_as_written() {
    let stack = stackweave_stack::parse_stack_str(
        Path::new("stack.yaml"),
        "name: A\nconstructs:\n  X:\n    plugin: x.wasm\nplugins: [p]\n",
    )
    .unwrap();
    assert_eq!(stack.dir, Path::new("."));
    // Joined onto `.` without a `./` prefix, so messages and manifests show `p/...`.
    assert_eq!(stack.plugin_dirs, vec![PathBuf::from("p")]);
    assert_eq!(
        stack.constructs[0].plugin,
        PluginRef::File(PathBuf::from("x.wasm"))
    );
}

/// Every truncation of a real stack file, and every single-character corruption of its
/// first lines, must give an error or a stack: never a panic.
#[test]
fn truncated_and_corrupted_files_never_panic() {
    let path = Path::new("stack.yaml");
    let boundaries = EXAMPLE
        .char_indices()
        .map(|(i, _)| i)
        .chain([EXAMPLE.len()]);
    for end in boundaries {
        let _ = stackweave_stack::parse_stack_str(path, &EXAMPLE[..end]);
    }
    let head: String = EXAMPLE
        .lines()
        .skip(1)
        .take(12)
        .collect::<Vec<_>>()
        .join("\n");
    for (i, _) in head.char_indices() {
        for c in [
            '{', '[', ':', '-', '?', '*', '&', '!', '"', '\'', '\t', '|', '#', ',',
        ] {
            let mut broken = head.clone();
            broken.replace_range(i..i + 1, &c.to_string());
            let _ = stackweave_stack::parse_stack_str(path, &broken);
        }
    }
}
