//! `stackweave graph` of an app: one environment's stacks drawn together, each in a frame,
//! with an arrow for each reference from one stack to another; Mermaid checked by its own
//! parser and DOT rendered by Graphviz, as the single-stack diagrams are (graph.rs).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::graph::{mermaid_tools, required};
use crate::support::{Project, stackweave, stackweave_in};

const APP: &str = "examples/multi-stack";

/// `text` written to a file of its own under the test's target folder.
fn written(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("app-diagrams");
    std::fs::create_dir_all(&dir).expect("a folder for the diagrams");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the diagram");
    path
}

/// Asserts that Mermaid's parser takes the diagram at `path`.
fn assert_mermaid_parses(path: &Path) {
    let Some(tools) = mermaid_tools() else {
        assert!(!required(), "npm is needed to check Mermaid diagrams");
        eprintln!("skipped: install Node.js and npm to parse the diagrams with Mermaid");
        return;
    };
    let run = Command::new("node")
        .arg(tools.join("check-mermaid.mjs"))
        .arg(path)
        .output()
        .expect("node runs");
    assert!(
        run.status.success(),
        "Mermaid refused {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Asserts that Graphviz renders the diagram at `path` without a word of complaint.
fn assert_dot_renders(path: &Path) {
    if Command::new("dot").arg("-V").output().is_err() {
        assert!(
            !required(),
            "Graphviz's `dot` is needed to check DOT diagrams"
        );
        eprintln!("skipped: install Graphviz (`apt-get install graphviz`) to render the diagrams");
        return;
    }
    let picture = path.with_extension("svg");
    let run = Command::new("dot")
        .arg("-Tsvg")
        .arg(path)
        .arg("-o")
        .arg(&picture)
        .output()
        .expect("dot runs");
    assert!(
        run.status.success() && run.stderr.is_empty(),
        "dot -Tsvg {}: {}",
        path.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let svg = std::fs::read_to_string(&picture).expect("the picture");
    // Both frames and the arrow between them are drawn.
    assert!(svg.contains("cluster_stack_Observability"), "{svg}");
    assert!(svg.contains("cluster_stack_Api"), "{svg}");
}

#[test]
fn an_app_draws_each_stack_in_a_frame_and_an_arrow_between_stacks() {
    let run = stackweave(&["graph", APP]);
    let mermaid = run.success();
    // The app's first environment by default; stacks in deploy order, each a frame naming
    // where it deploys.
    assert_contains!(
        mermaid,
        "flowchart TD\n    subgraph stack_Observability[\"Observability (RefArch-dev-Observability, eu-west-1)\"]\n",
        "    subgraph stack_Api[\"Api (RefArch-dev-Api, eu-west-1)\"]\n",
        "class stack_Observability,stack_Api stack\n",
        // Inside, each stack as `graph` draws it alone, its ids prefixed by the stack.
        "        subgraph Observability_g_WorkflowLogs[\"WorkflowLogs\"]\n",
        "        subgraph Api_g_Workflow[\"Workflow\"]\n",
        "    Api_r_Workflow ==>|\"assumes (Arn)\"| Api_r_WorkflowRole\n",
        // Api's workflow logs to Observability's log group: one arrow between the constructs,
        // labelled with the attribute read.
        "    Api_g_Workflow -->|arn| Observability_g_WorkflowLogs\n",
    );
    let observability = mermaid
        .find("subgraph stack_Observability")
        .expect("a frame");
    let api = mermaid.find("subgraph stack_Api").expect("a frame");
    assert!(observability < api, "deploy order:\n{mermaid}");
    assert_eq!(mermaid.matches("-->|arn|").count(), 1, "{mermaid}");
    // The same app always draws the same text.
    assert_eq!(stackweave(&["graph", APP]).success(), mermaid);
    assert_mermaid_parses(&written("multi-stack.mmd", mermaid));

    let run = stackweave(&[
        "graph",
        &format!("{APP}/app.yaml"),
        "--env",
        "prod",
        "--format",
        "dot",
    ]);
    let dot = run.success();
    assert_contains!(
        dot,
        "digraph app {\n",
        "compound=true",
        "    subgraph cluster_stack_Observability {\n        label=\"Observability (RefArch-prod-Observability, us-east-1)\";",
        "    subgraph cluster_stack_Api {\n        label=\"Api (RefArch-prod-Api, us-east-1)\";",
        "ltail=cluster_Api_g_Workflow, lhead=cluster_Observability_g_WorkflowLogs];\n",
        "[label=\"arn\", penwidth=2, color=\"#1565c0\"",
    );
    assert_dot_renders(&written("multi-stack.dot", dot));
}

#[test]
fn arrows_between_stacks_join_plain_resources_outputs_and_constructs() {
    let project = Project::new("");
    project.write(
        "app.yaml",
        "name: Shop\nstacks: [shared.yaml, orders.yaml]\nenvironments:\n  test:\n    region: eu-west-1\n",
    );
    project.write(
        "shared.yaml",
        "name: Shared\nconstructs:\n  Logs:\n    plugin: logging\n    props:\n      retentionDays: 7\nresources:\n  Topic:\n    Type: AWS::SNS::Topic\noutputs:\n  TopicArn:\n    value: ${Topic}\n",
    );
    project.write(
        "orders.yaml",
        "name: Orders\nconstructs:\n  OrderLogs:\n    plugin: logging\n    props:\n      retentionDays: 7\nresources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: ${Shared::Topic.TopicName}\n      Tags:\n        - Key: logs\n          Value: ${Shared::Logs.arn}\noutputs:\n  Topic:\n    value: ${Shared::TopicArn}\n",
    );
    // The folder stands for its app.yaml.
    let run = stackweave_in(project.dir.path(), &["graph", "."]);
    let mermaid = run.success();
    assert_contains!(
        mermaid,
        // From a plain resource to another stack's plain resource, and to its construct.
        "    Orders_r_Queue -->|TopicName| Shared_r_Topic\n",
        "    Orders_r_Queue -->|arn| Shared_g_Logs\n",
        // From an output to the other stack's output it reads.
        "    Orders_out_Topic -->|TopicArn| Shared_out_TopicArn\n",
    );
    assert_mermaid_parses(&written("shop.mmd", mermaid));
    let run = stackweave_in(
        project.dir.path(),
        &["graph", "app.yaml", "--format", "dot"],
    );
    let dot = run.success();
    assert_contains!(
        dot,
        "    Orders_r_Queue -> Shared_r_Logs [label=\"arn\", penwidth=2, color=\"#1565c0\", fontcolor=\"#1565c0\", lhead=cluster_Shared_g_Logs];\n",
    );
}

#[test]
fn graph_of_an_app_draws_one_environment() {
    let run = stackweave(&["graph", APP, "--env", "dev", "--env", "prod"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "`graph` draws one environment of an app, but 2 are given",
        "give one `--env`"
    );
    let run = stackweave(&["graph", APP, "--env", "prd"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "app `RefArch` has no environment `prd`",
        "did you mean `prod`?"
    );
    let run = stackweave(&[
        "graph",
        "examples/api-to-express/stack.yaml",
        "--env",
        "dev",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(run.stderr, "`--env` chooses an environment of an app");
}
