//! The reference architecture (examples/api-to-express) as a graph: every reference an
//! arrow, every construct a group.
//!
//! `fixtures/api-to-express.template.json` is the example's golden template in long form,
//! as it stood when this crate was written (kept still, so this test changes only when the
//! drawing does). The live examples' diagrams are golden files of the integration tests
//! (`tests/integration/graph.rs`), checked there with Mermaid's parser and Graphviz.

use std::path::{Path, PathBuf};

use serde_json::Value;
use stackweave_graph::{EdgeKind, Graph, Grouping};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(name)
}

fn template() -> Value {
    let text = std::fs::read_to_string(fixture("api-to-express.template.json"))
        .expect("the fixture exists");
    serde_json::from_str(&text).expect("the fixture is JSON")
}

fn grouping() -> Grouping {
    let path = |segments: &[&str]| segments.iter().map(|s| (*s).to_owned()).collect();
    let mut grouping = Grouping::new();
    grouping.insert("WorkflowLogs".into(), path(&["WorkflowLogs"]));
    grouping.insert("WorkflowRole".into(), path(&["Workflow", "Role"]));
    grouping.insert("Workflow".into(), path(&["Workflow"]));
    grouping.insert("ApiRole".into(), path(&["Api", "Role"]));
    for id in [
        "Api",
        "ApiPathStart",
        "ApiRequestValidator",
        "ApiMethod",
        "ApiDeployment0d3a7f08",
        "ApiStage",
    ] {
        grouping.insert(id.into(), path(&["Api"]));
    }
    grouping
}

/// The picture a reader needs, whatever the layout: every reference of the template.
#[test]
fn reference_diagram_has_every_reference() {
    let graph = Graph::from_template(&template(), &grouping());
    let edges: Vec<(&str, &str, &str, EdgeKind)> = graph
        .edges()
        .iter()
        .map(|edge| {
            (
                graph.nodes()[edge.from].name.as_str(),
                graph.nodes()[edge.to].name.as_str(),
                edge.attribute.as_str(),
                edge.kind,
            )
        })
        .collect();
    use EdgeKind::{Assumes, DependsOn, Reference};
    assert_eq!(
        edges,
        [
            ("Workflow", "WorkflowRole", "Arn", Assumes),
            ("Workflow", "WorkflowLogs", "Arn", Reference),
            ("ApiRole", "Workflow", "Ref", Reference),
            ("ApiPathStart", "Api", "Ref", Reference),
            ("ApiPathStart", "Api", "RootResourceId", Reference),
            ("ApiRequestValidator", "Api", "Ref", Reference),
            ("ApiMethod", "Api", "Ref", Reference),
            ("ApiMethod", "ApiPathStart", "Ref", Reference),
            ("ApiMethod", "ApiRequestValidator", "Ref", Reference),
            ("ApiMethod", "ApiRole", "Arn", Assumes),
            ("ApiMethod", "Workflow", "Ref", Reference),
            ("ApiDeployment0d3a7f08", "ApiMethod", "DependsOn", DependsOn),
            ("ApiDeployment0d3a7f08", "Api", "Ref", Reference),
            ("ApiStage", "Api", "Ref", Reference),
            ("ApiStage", "ApiDeployment0d3a7f08", "Ref", Reference),
            ("ApiEndpoint", "Api", "Ref", Reference),
            ("ApiEndpoint", "ApiStage", "Ref", Reference),
        ]
    );
    let role = graph.node("r_WorkflowRole").expect("the role is drawn");
    assert!(
        role.label_lines()
            .contains(&"assumed by states.amazonaws.com".to_owned())
    );
    let groups: Vec<String> = graph
        .groups()
        .iter()
        .map(|group| group.path.join("/"))
        .collect();
    assert_eq!(
        groups,
        [
            "WorkflowLogs",
            "Workflow",
            "Workflow/Role",
            "Api",
            "Api/Role"
        ]
    );
}
