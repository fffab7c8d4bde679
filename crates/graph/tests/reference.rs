//! The reference architecture (examples/api-to-express) drawn in both syntaxes.
//!
//! `fixtures/api-to-express.template.json` is the example's golden template in long form,
//! as it stood when this crate was written (kept still, so the diagrams below change only
//! when the drawing does), and `fixtures/api-to-express.{mmd,dot,diagram.md}` are its
//! diagrams, rewritten by `STACKWEAVE_BLESS=1 cargo test -p stackweave-graph`. The diagrams are the files to
//! check with the real parsers: `node tests/render/check-mermaid.mjs` and `dot -Tsvg`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use stackweave_graph::{EdgeKind, Graph, Grouping, markdown};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(name)
}

#[track_caller]
fn assert_golden(name: &str, actual: &str) {
    let path = fixture(name);
    if std::env::var_os("STACKWEAVE_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .expect("the golden file exists (STACKWEAVE_BLESS=1 writes it)");
    assert!(
        actual == expected,
        "{name} differs; if the change is deliberate, run `STACKWEAVE_BLESS=1 cargo test -p stackweave-graph` and review the diff\n--- actual:\n{actual}"
    );
}

/// The short-form YAML the synthesiser writes, in long form: `!Ref X` → `{"Ref": "X"}`,
/// `!GetAtt X.Attr` → `{"Fn::GetAtt": ["X", "Attr"]}`, `!Name v` → `{"Fn::Name": v}`.
fn long_form(yaml: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Yaml;
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => serde_json::to_value(n).expect("a YAML number is a JSON number"),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(long_form).collect()),
        Yaml::Mapping(map) => {
            let mut object = Map::new();
            for (key, value) in map {
                let key = match key {
                    Yaml::String(key) => key,
                    other => serde_yaml::to_string(&other)
                        .expect("a YAML key prints")
                        .trim()
                        .to_owned(),
                };
                object.insert(key, long_form(value));
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = long_form(tagged.value);
            let (function, argument) = match (name, value) {
                ("Ref", value) => ("Ref".to_owned(), value),
                ("GetAtt", Value::String(dotted)) => {
                    let (id, attribute) = dotted.split_once('.').expect("X.Attr");
                    ("Fn::GetAtt".to_owned(), serde_json::json!([id, attribute]))
                }
                (other, value) => (format!("Fn::{other}"), value),
            };
            let mut object = Map::new();
            object.insert(function, argument);
            Value::Object(object)
        }
    }
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

/// The live example (which changes with the constructs) still converts and draws: every
/// resource a box, every construct's resources inside a box of their own.
#[test]
fn live_example_draws() {
    let example =
        crate_dir().join("../../examples/api-to-express/expected/ApiToExpress.template.yaml");
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(example).expect("the example exists"))
            .expect("the example is YAML");
    let template = long_form(yaml);
    let resources = template["Resources"].as_object().expect("resources");
    // Logical ids start with their construct's id, so the prefix finds the construct.
    let mut grouping = Grouping::new();
    for id in resources.keys() {
        let construct = ["WorkflowLogs", "Workflow", "Api"]
            .into_iter()
            .find(|construct| id.starts_with(construct))
            .expect("every resource belongs to one of the three constructs");
        grouping.insert(id.clone(), vec![construct.to_owned()]);
    }
    let graph = Graph::from_template(&template, &grouping);
    for id in resources.keys() {
        let node = graph
            .node(&format!("r_{id}"))
            .expect("every resource is drawn");
        assert!(node.group.is_some(), "{id} is inside its construct");
    }
    assert!(graph.edges().len() >= 15, "{}", graph.mermaid());
}

#[test]
fn reference_diagrams_are_the_golden_files() {
    let graph = Graph::from_template(&template(), &grouping());
    assert_golden("api-to-express.mmd", &graph.mermaid());
    assert_golden("api-to-express.dot", &graph.dot());
    assert_golden(
        "api-to-express.diagram.md",
        &markdown("ApiToExpress", &graph),
    );
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
