//! The model and both syntaxes on small hand-made templates.

use serde_json::{Value, json};
use stackweave_graph::{EdgeKind, Graph, Grouping, NodeKind, grouping_from_metadata, markdown};

fn grouping(entries: &[(&str, &[&str])]) -> Grouping {
    entries
        .iter()
        .map(|(id, path)| {
            (
                (*id).to_owned(),
                path.iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect()
}

/// Each edge as (from name, to name, label), for comparing at a glance.
fn edges(graph: &Graph) -> Vec<(String, String, String)> {
    graph
        .edges()
        .iter()
        .map(|edge| {
            (
                graph.nodes()[edge.from].name.clone(),
                graph.nodes()[edge.to].name.clone(),
                edge.label(),
            )
        })
        .collect()
}

fn edge(from: &str, to: &str, label: &str) -> (String, String, String) {
    (from.to_owned(), to.to_owned(), label.to_owned())
}

fn bucket() -> Value {
    json!({"Type": "AWS::S3::Bucket"})
}

#[test]
fn every_reference_kind_gives_a_labelled_edge() {
    let template = json!({"Resources": {
        "Target": {"Type": "AWS::ApiGateway::RestApi"},
        "ByRef": {"Type": "X::Y::Z", "Properties": {"A": {"Ref": "Target"}}},
        "ByGetAtt": {"Type": "X::Y::Z", "Properties": {"A": {"Fn::GetAtt": ["Target", "RootResourceId"]}}},
        "ByGetAttString": {"Type": "X::Y::Z", "Properties": {"A": {"Fn::GetAtt": "Target.Arn"}}},
        "BySub": {"Type": "X::Y::Z", "Properties": {"A": {"Fn::Sub": "${Target}/${Target.RootResourceId}/${AWS::Region}/${!Target}"}}},
        "BySubList": {"Type": "X::Y::Z", "Properties": {"A": {"Fn::Sub": [
            "${Mine}-${Target.Arn}",
            {"Mine": {"Fn::GetAtt": ["Target", "Id"]}}
        ]}}},
        "ByDependsOn": {"Type": "X::Y::Z", "DependsOn": "Target"},
    }});
    let graph = Graph::from_template(&template, &Grouping::new());
    assert_eq!(
        edges(&graph),
        [
            edge("ByRef", "Target", "Ref"),
            edge("ByGetAtt", "Target", "RootResourceId"),
            edge("ByGetAttString", "Target", "Arn"),
            edge("BySub", "Target", "Ref"),
            edge("BySub", "Target", "RootResourceId"),
            edge("BySubList", "Target", "Arn"),
            edge("BySubList", "Target", "Id"),
            edge("ByDependsOn", "Target", "DependsOn"),
        ]
    );
    let mermaid = graph.mermaid();
    assert!(mermaid.contains("r_ByRef -->|Ref| r_Target\n"), "{mermaid}");
    assert!(mermaid.contains("r_ByGetAtt -->|RootResourceId| r_Target\n"));
    assert!(mermaid.contains("r_ByDependsOn -.->|DependsOn| r_Target\n"));
    let dot = graph.dot();
    assert!(
        dot.contains("r_ByGetAtt -> r_Target [label=\"RootResourceId\"];"),
        "{dot}"
    );
    assert!(dot.contains("r_ByDependsOn -> r_Target [label=\"DependsOn\", style=dashed];"));
}

#[test]
fn depends_on_lists_and_unknown_targets() {
    let template = json!({"Resources": {
        "A": bucket(),
        "B": bucket(),
        "C": {"Type": "AWS::S3::Bucket", "DependsOn": ["A", "B", "Missing"],
              "Properties": {"X": {"Ref": "AWS::AccountId"}, "Y": {"Ref": "Nowhere"}}},
    }});
    let graph = Graph::from_template(&template, &Grouping::new());
    assert_eq!(
        edges(&graph),
        [edge("C", "A", "DependsOn"), edge("C", "B", "DependsOn"),]
    );
    let edge = &graph.edges()[0];
    assert_eq!(edge.kind, EdgeKind::DependsOn);
}

#[test]
fn edges_are_deduplicated_in_first_found_order() {
    let template = json!({"Resources": {
        "A": bucket(),
        "B": {"Type": "AWS::S3::Bucket", "DependsOn": "A", "Properties": {
            "P": {"Ref": "A"}, "Q": [{"Ref": "A"}, {"Fn::Sub": "${A}"}],
            "R": {"Fn::GetAtt": ["A", "Arn"]}, "S": {"Fn::Sub": "${A.Arn}"},
        }},
    }});
    let graph = Graph::from_template(&template, &Grouping::new());
    assert_eq!(
        edges(&graph),
        [
            edge("B", "A", "DependsOn"),
            edge("B", "A", "Ref"),
            edge("B", "A", "Arn"),
        ]
    );
}

#[test]
fn grouping_nests_composed_constructs() {
    let template = json!({"Resources": {
        "Loose": bucket(),
        "WorkflowRole": {"Type": "AWS::IAM::Role"},
        "Workflow": {"Type": "AWS::StepFunctions::StateMachine"},
        "WorkflowRolePolicy": {"Type": "AWS::IAM::Policy"},
    }});
    let grouping = grouping(&[
        ("WorkflowRole", &["Workflow", "Role"]),
        ("WorkflowRolePolicy", &["Workflow", "Role"]),
        ("Workflow", &["Workflow"]),
        ("Unused", &["Nothing"]),
    ]);
    let graph = Graph::from_template(&template, &grouping);
    let paths: Vec<Vec<String>> = graph.groups().iter().map(|g| g.path.clone()).collect();
    assert_eq!(paths, [vec!["Workflow"], vec!["Workflow", "Role"]]);
    assert_eq!(graph.groups()[1].parent, Some(0));
    assert_eq!(graph.groups()[1].title(), "Role");
    let group_of = |id: &str| graph.node(id).and_then(|node| node.group);
    assert_eq!(group_of("r_Loose"), None);
    assert_eq!(group_of("r_WorkflowRole"), Some(1));
    assert_eq!(group_of("r_Workflow"), Some(0));

    assert_eq!(
        graph.mermaid(),
        r#"flowchart TD
    r_Loose("Loose<br/>S3::Bucket"):::storage
    subgraph g_Workflow["Workflow"]
        subgraph g_Workflow_Role["Role"]
            r_WorkflowRole("WorkflowRole<br/>IAM::Role"):::iam
            r_WorkflowRolePolicy("WorkflowRolePolicy<br/>IAM::Policy"):::iam
        end
        r_Workflow("Workflow<br/>StepFunctions::StateMachine"):::states
    end
    classDef iam fill:#fdecea,stroke:#c62828,color:#1a1a1a
    classDef states fill:#fce4ec,stroke:#ad1457,color:#1a1a1a
    classDef storage fill:#e8f5e9,stroke:#2e7d32,color:#1a1a1a
    classDef construct fill:transparent,stroke:#9e9e9e,stroke-dasharray:5 4
    class g_Workflow,g_Workflow_Role construct
"#
    );
    let dot = graph.dot();
    let outer = dot
        .find("subgraph cluster_g_Workflow {")
        .expect("outer cluster");
    let inner = dot
        .find("subgraph cluster_g_Workflow_Role {")
        .expect("inner cluster");
    let role = dot.find("r_WorkflowRole [").expect("role node");
    let machine = dot.find("r_Workflow [").expect("machine node");
    assert!(outer < inner && inner < role && role < machine, "{dot}");
}

#[test]
fn cdk_metadata_groups_plain_templates() {
    let template = json!({"Resources": {
        "HandlerServiceRole1": {"Type": "AWS::IAM::Role",
            "Metadata": {"aws:cdk:path": "MyStack/Handler/ServiceRole/Resource"}},
        "Handler2": {"Type": "AWS::Lambda::Function",
            "Metadata": {"aws:cdk:path": "MyStack/Handler/Resource"}},
        "CDKMetadata": {"Type": "AWS::CDK::Metadata",
            "Metadata": {"aws:cdk:path": "MyStack/CDKMetadata/Default"}},
        "Bare": bucket(),
    }});
    let derived = grouping_from_metadata(&template);
    assert_eq!(
        derived,
        grouping(&[
            ("HandlerServiceRole1", &["Handler", "ServiceRole"]),
            ("Handler2", &["Handler"]),
            ("CDKMetadata", &["CDKMetadata"]),
        ])
    );
    let graph = Graph::from_template(&template, &Grouping::new());
    assert_eq!(graph.groups().len(), 3);
    // A grouping given explicitly wins over the metadata.
    let explicit = Graph::from_template(&template, &grouping(&[("Bare", &["Mine"])]));
    let paths: Vec<Vec<String>> = explicit.groups().iter().map(|g| g.path.clone()).collect();
    assert_eq!(paths, [vec!["Mine"]]);
}

fn role(service: Value) -> Value {
    json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    }}})
}

#[test]
fn roles_show_who_assumes_them_and_users_get_an_assumes_edge() {
    let template = json!({"Resources": {
        "MachineRole": role(json!(["states.amazonaws.com", "states.amazonaws.com"])),
        "FnRole": role(json!("lambda.amazonaws.com")),
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": {"Fn::GetAtt": ["MachineRole", "Arn"]},
            "Other": {"Fn::GetAtt": ["MachineRole", "Arn"]},
        }},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::Sub": "${FnRole.Arn}"}}},
        "Method": {"Type": "AWS::ApiGateway::Method", "Properties": {"Integration": {
            "Credentials": {"Fn::If": ["UseRole", {"Fn::GetAtt": ["FnRole", "Arn"]}, {"Ref": "AWS::NoValue"}]}
        }}},
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {
            "Roles": [{"Ref": "FnRole"}],
            "PolicyDocument": {"Statement": [{"Resource": {"Fn::GetAtt": ["MachineRole", "Arn"]}}]}
        }},
    }});
    let graph = Graph::from_template(&template, &Grouping::new());
    let NodeKind::Resource { assumed_by, .. } = &graph.node("r_MachineRole").expect("role").kind
    else {
        panic!("a resource")
    };
    assert_eq!(assumed_by, &["states.amazonaws.com"]);
    assert_eq!(
        edges(&graph),
        [
            edge("Machine", "MachineRole", "assumes (Arn)"),
            edge("Fn", "FnRole", "assumes (Arn)"),
            edge("Method", "FnRole", "assumes (Arn)"),
            edge("Policy", "FnRole", "Ref"),
            edge("Policy", "MachineRole", "Arn"),
        ]
    );
    let mermaid = graph.mermaid();
    assert!(
        mermaid.contains(
            "r_MachineRole(\"MachineRole<br/>IAM::Role<br/>assumed by states.amazonaws.com\"):::iam"
        ),
        "{mermaid}"
    );
    assert!(mermaid.contains("r_Machine ==>|\"assumes (Arn)\"| r_MachineRole\n"));
    assert!(mermaid.contains("    linkStyle 0,1,2 stroke:#c62828,stroke-width:2.5px\n"));
    let dot = graph.dot();
    assert!(dot.contains("assumed by lambda.amazonaws.com"), "{dot}");
    assert!(dot.contains(
        "r_Fn -> r_FnRole [label=\"assumes (Arn)\", style=bold, penwidth=2, color=\"#c62828\", fontcolor=\"#c62828\"];"
    ));
}

#[test]
fn outputs_and_referenced_parameters_are_nodes() {
    let template = json!({
        "Parameters": {
            "Unused": {"Type": "String"},
            "Env": {"Type": "String"},
            "Count": {},
        },
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${Env}-q"}}},
        },
        "Outputs": {
            "QueueUrl": {"Value": {"Ref": "Queue"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-url"}}},
            "Queue": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}, "Condition": "Queue"},
            "Size": {"Value": {"Ref": "Count"}},
        },
    });
    let graph = Graph::from_template(&template, &Grouping::new());
    let ids: Vec<&str> = graph.nodes().iter().map(|node| node.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "r_Queue",
            "p_Env",
            "p_Count",
            "out_QueueUrl",
            "out_Queue",
            "out_Size"
        ]
    );
    assert_eq!(
        edges(&graph),
        [
            edge("Queue", "Env", "Ref"),
            edge("QueueUrl", "Queue", "Ref"),
            edge("Queue", "Queue", "Arn"),
            edge("Size", "Count", "Ref"),
        ]
    );
    assert_eq!(
        graph.mermaid(),
        r#"flowchart TD
    p_Env[/"Env<br/>parameter: String"/]:::parameter
    p_Count[/"Count<br/>parameter"/]:::parameter
    r_Queue("Queue<br/>SQS::Queue"):::messaging
    out_QueueUrl(["QueueUrl<br/>output"]):::output
    out_Queue(["Queue<br/>output"]):::output
    out_Size(["Size<br/>output"]):::output
    r_Queue -->|Ref| p_Env
    out_QueueUrl -->|Ref| r_Queue
    out_Queue -->|Arn| r_Queue
    out_Size -->|Ref| p_Count
    classDef messaging fill:#fce4ec,stroke:#ad1457,color:#1a1a1a
    classDef parameter fill:#fffde7,stroke:#f9a825,color:#1a1a1a
    classDef output fill:#e3f2fd,stroke:#1565c0,color:#1a1a1a
"#
    );
    let dot = graph.dot();
    assert!(dot.contains("p_Env [label=<<B>Env</B><BR/><FONT POINT-SIZE=\"9\">parameter: String</FONT>>, fillcolor=\"#fffde7\", color=\"#f9a825\", shape=parallelogram, style=filled];"), "{dot}");
    assert!(dot.contains("out_Size -> p_Count [label=\"Ref\"];"));
}

#[test]
fn odd_names_are_escaped_in_both_syntaxes() {
    let template = json!({
        "Resources": {
            "my-bucket": {"Type": "Custom::Quote\"<&>#`"},
            "my_bucket": {"Type": "AWS::S3::Bucket", "Properties": {
                "A": {"Fn::GetAtt": ["my-bucket", "Weird \"attr\""]}
            }},
        },
    });
    let grouping = grouping(&[("my-bucket", &["A \"quoted\" construct", "x\\y"])]);
    let graph = Graph::from_template(&template, &grouping);
    let ids: Vec<&str> = graph.nodes().iter().map(|node| node.id.as_str()).collect();
    // Both names sanitise to the same id; the second gets a number, so none collide.
    assert_eq!(ids, ["r_my_bucket", "r_my_bucket_2"]);

    let mermaid = graph.mermaid();
    assert!(
        mermaid.contains(
            "r_my_bucket(\"my-bucket<br/>Custom::Quote#quot;#lt;#amp;#gt;#35;#96;\"):::other"
        ),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("subgraph g_A__quoted__construct[\"A #quot;quoted#quot; construct\"]")
    );
    assert!(mermaid.contains("r_my_bucket_2 -->|\"Weird #quot;attr#quot;\"| r_my_bucket\n"));

    let dot = graph.dot();
    assert!(
        dot.contains(
            "<B>my-bucket</B><BR/><FONT POINT-SIZE=\"9\">Custom::Quote&quot;&lt;&amp;&gt;#`</FONT>"
        ),
        "{dot}"
    );
    assert!(dot.contains("label=\"x\\\\y\";"));
    assert!(dot.contains("[label=\"Weird \\\"attr\\\"\"];"));
}

#[test]
fn output_is_deterministic_and_follows_template_order() {
    let text = r#"{"Resources": {
        "Zeta": {"Type": "AWS::S3::Bucket"},
        "Alpha": {"Type": "AWS::S3::Bucket", "Properties": {"B": {"Ref": "Zeta"}}},
        "Mid": {"Type": "AWS::SQS::Queue", "Properties": {"B": {"Ref": "Alpha"}, "C": {"Ref": "Zeta"}}}
    }}"#;
    let grouping = grouping(&[("Mid", &["Group"]), ("Zeta", &["Group"])]);
    let runs: Vec<(String, String)> = (0..5)
        .map(|_| {
            let template: Value = serde_json::from_str(text).expect("JSON");
            let graph = Graph::from_template(&template, &grouping);
            (graph.mermaid(), graph.dot())
        })
        .collect();
    assert!(runs.windows(2).all(|pair| pair[0] == pair[1]));
    let mermaid = &runs[0].0;
    let zeta = mermaid.find("r_Zeta(").expect("Zeta");
    let alpha = mermaid.find("r_Alpha(").expect("Alpha");
    let mid = mermaid.find("r_Mid(").expect("Mid");
    // The group appears where its first resource does, and holds Mid though Alpha came
    // between them.
    assert!(zeta < mid && mid < alpha, "{mermaid}");
}

#[test]
fn empty_and_malformed_templates_draw_what_they_can() {
    let graph = Graph::from_template(&json!({}), &Grouping::new());
    assert_eq!(graph.mermaid(), "flowchart TD\n");
    assert!(graph.dot().starts_with("digraph stack {\n"));
    let odd = json!({"Resources": {"NoType": {}, "NotAnObject": 3, "BadRefs": {
        "Type": "AWS::S3::Bucket",
        "Properties": {"A": {"Ref": 7}, "B": {"Fn::GetAtt": []}, "C": {"Fn::Sub": 1}},
        "DependsOn": 4
    }}});
    let graph = Graph::from_template(&odd, &Grouping::new());
    assert_eq!(graph.nodes().len(), 3);
    assert!(graph.edges().is_empty());
    assert!(graph.mermaid().contains("r_NoType(\"NoType\"):::other"));
}

#[test]
fn markdown_has_a_heading_and_a_mermaid_block() {
    let template = json!({"Resources": {"A": bucket()}});
    let graph = Graph::from_template(&template, &Grouping::new());
    let text = markdown("My_Stack", &graph);
    assert!(text.starts_with("# My\\_Stack\n\n"), "{text}");
    let block = format!("```mermaid\n{}```\n", graph.mermaid());
    assert!(text.ends_with(&block), "{text}");
    assert_eq!(text.matches("```").count(), 2);
}

/// Everything awkward at once, written to `fixtures/awkward.{mmd,dot}` (golden files, so
/// the real parsers can check them: see tests/render/README.md).
#[test]
fn awkward_names_golden() {
    let template = json!({
        "Parameters": {"end": {"Type": "List<String>"}, "o-x": {"Type": "String"}},
        "Resources": {
            "end": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Value": {"Ref": "end"}}]}},
            "subgraph": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                "Statement": {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}
            }}},
            "oBucket": {"Type": "Custom::Pipe|Bracket[]{};%%", "DependsOn": ["end", "xQueue"],
                "Properties": {"Name": {"Fn::Sub": "${o-x}"}}},
            "xQueue": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "TaskRoleArn": {"Fn::GetAtt": ["subgraph", "Arn"]},
                "Weird": {"Fn::GetAtt": ["oBucket", "Attr|with\"pipe\"]"]},
                "Arrow": {"Fn::GetAtt": ["end", "a-->b"]},
            }},
            "Ünïcode": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["subgraph", "Arn"]}}},
        },
        "Outputs": {
            "end": {"Value": {"Ref": "end"}},
            "Quote\"Out": {"Value": {"Fn::Sub": "${xQueue.Arn} ${oBucket}"}},
        },
    });
    let grouping = grouping(&[
        ("end", &["class", "click"]),
        ("subgraph", &["class", "click", "Role \"x\""]),
        ("xQueue", &["class"]),
        ("oBucket", &["[weird] {group}; %% not a comment", "a\\b"]),
    ]);
    let graph = Graph::from_template(&template, &grouping);
    for (name, text) in [
        ("awkward.mmd", graph.mermaid()),
        ("awkward.dot", graph.dot()),
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        if std::env::var_os("STACKWEAVE_BLESS").is_some() {
            std::fs::write(&path, &text).expect("write the golden file");
        } else {
            let expected = std::fs::read_to_string(&path)
                .expect("the golden file exists (STACKWEAVE_BLESS=1 writes it)");
            assert!(text == expected, "{name} differs:\n{text}");
        }
    }
}

/// Writes `text` to `fixtures/<name>`, or compares it with that golden file.
fn assert_fixture(name: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    if std::env::var_os("STACKWEAVE_BLESS").is_some() {
        std::fs::write(&path, text).expect("write the golden file");
    } else {
        let expected = std::fs::read_to_string(&path)
            .expect("the golden file exists (STACKWEAVE_BLESS=1 writes it)");
        assert!(text == expected, "{name} differs:\n{text}");
    }
}

/// An app whose stack names are Mermaid keywords or start like an arrow's end, with
/// arrows to and from constructs, resources, outputs and a whole stack, written to
/// `fixtures/app.{mmd,dot}` for the real parsers (tests/integration/graph.rs).
#[test]
fn awkward_app_golden() {
    use stackweave_graph::Anchor;
    let mut app = two_stacks();
    let template = json!({"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Table": {"Type": "AWS::DynamoDB::Table"},
    }, "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}}});
    let mut frames = Vec::new();
    for name in ["end", "o-x", "subgraph"] {
        let graph = Graph::from_template(&template, &grouping(&[("Queue", &["Queue"])]));
        frames.push(app.stack(name, &format!("{name} \"x\" [y] {{z}}; %% #"), graph));
    }
    let queue = Anchor::Construct(vec!["Queue".to_owned()]);
    let table = Anchor::Resource("Table".to_owned());
    let url = Anchor::Output("QueueUrl".to_owned());
    app.reference((frames[1], &queue), (frames[0], &url), "QueueUrl");
    app.reference((frames[2], &table), (frames[1], &queue), "a-->b |\"c\"|");
    app.reference(
        (frames[0], &url),
        (frames[2], &Anchor::Construct(Vec::new())),
        "Ref",
    );
    assert_fixture("app.mmd", &app.mermaid());
    assert_fixture("app.dot", &app.dot());
}

#[test]
fn metadata_references_count_but_plain_names_do_not() {
    let template = json!({"Resources": {
        "Bucket": bucket(),
        "Condition": bucket(),
        "Instance": {"Type": "AWS::EC2::Instance",
            "Condition": "Condition",
            "DeletionPolicy": "Bucket",
            "Metadata": {
                "aws:cdk:path": "Stack/Instance/Resource",
                "AWS::CloudFormation::Init": {"config": {"files": {"/etc/app": {
                    "content": {"Fn::Sub": "bucket=${Bucket}"}
                }}}}
            }},
    }});
    let graph = Graph::from_template(&template, &Grouping::new());
    assert_eq!(edges(&graph), [edge("Instance", "Bucket", "Ref")]);
}

#[test]
fn a_diagram_too_large_for_mermaid_becomes_a_note_in_markdown() {
    // 501 topics, each with a policy referring to it: 501 arrows.
    let mut resources = serde_json::Map::new();
    for i in 0..=stackweave_graph::MERMAID_MAX_EDGES {
        resources.insert(
            format!("Topic{i}"),
            serde_json::json!({"Type": "AWS::SNS::Topic"}),
        );
        resources.insert(
            format!("Policy{i}"),
            serde_json::json!({"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": format!("Topic{i}")}]}}),
        );
    }
    let template = serde_json::json!({ "Resources": resources });
    let graph = Graph::from_template(&template, &Grouping::new());
    assert_eq!(graph.edges().len(), 501);
    let text = markdown("Big", &graph);
    assert!(!text.contains("```mermaid"), "{text}");
    assert!(
        text.contains("501 references") && text.contains("--format dot"),
        "{text}"
    );
}

/// Two stacks that both have a construct `Logs`, and a reference from `Api`'s `Workflow`
/// to `Shared`'s `Logs`.
fn two_stacks() -> stackweave_graph::AppGraph {
    use stackweave_graph::{Anchor, AppGraph};
    let logs = json!({"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup"}}});
    let shared = Graph::from_template(&logs, &grouping(&[("Logs", &["Logs"])]));
    let api = Graph::from_template(
        &json!({"Resources": {
            "Logs": {"Type": "AWS::Logs::LogGroup"},
            "WorkflowRole": role(json!("states.amazonaws.com")),
            "Workflow": {"Type": "AWS::StepFunctions::StateMachine",
                         "Properties": {"RoleArn": {"Fn::GetAtt": ["WorkflowRole", "Arn"]}}},
        }, "Outputs": {"Url": {"Value": "x"}}}),
        &grouping(&[
            ("Logs", &["Logs"]),
            ("WorkflowRole", &["Workflow", "Role"]),
            ("Workflow", &["Workflow"]),
        ]),
    );
    let mut app = AppGraph::new();
    let giver = app.stack("Shared", "Shared (eu-west-1)", shared);
    let reader = app.stack("Api", "Api \"quoted\" <1>", api);
    let construct = |id: &str| Anchor::Construct(vec![id.to_owned()]);
    app.reference(
        (reader, &construct("Workflow")),
        (giver, &construct("Logs")),
        "arn",
    );
    // The same arrow twice is drawn once; an output and a resource are boxes of their own.
    app.reference(
        (reader, &construct("Workflow")),
        (giver, &construct("Logs")),
        "arn",
    );
    let output = Anchor::Output("Url".to_owned());
    let resource = Anchor::Resource("Logs".to_owned());
    app.reference((reader, &output), (giver, &resource), "Ref");
    // A construct that made nothing stands for its whole stack; an unknown stack draws nothing.
    app.reference((reader, &construct("Nothing")), (giver, &resource), "Ref");
    app.reference((7, &output), (giver, &resource), "Ref");
    app
}

#[test]
fn an_app_draws_each_stack_in_a_frame_with_arrows_between_stacks() {
    let app = two_stacks();
    let frames: Vec<(&str, &str)> = app
        .frames()
        .iter()
        .map(|f| (f.id.as_str(), f.title.as_str()))
        .collect();
    assert_eq!(
        frames,
        [
            ("stack_Shared", "Shared (eu-west-1)"),
            ("stack_Api", "Api \"quoted\" <1>")
        ]
    );
    let mermaid = app.mermaid();
    for expected in [
        "flowchart TD\n    subgraph stack_Shared[\"Shared (eu-west-1)\"]\n        subgraph Shared_g_Logs[\"Logs\"]\n            Shared_r_Logs(",
        "    subgraph stack_Api[\"Api #quot;quoted#quot; #lt;1#gt;\"]\n",
        // Both stacks have a construct `Logs`: the ids tell them apart.
        "        subgraph Api_g_Logs[\"Logs\"]\n",
        "    Api_r_Workflow ==>|\"assumes (Arn)\"| Api_r_WorkflowRole\n",
        "    Api_g_Workflow -->|arn| Shared_g_Logs\n",
        "    Api_out_Url -->|Ref| Shared_r_Logs\n",
        "    stack_Api -->|Ref| Shared_r_Logs\n",
        "    class stack_Shared,stack_Api stack\n",
        // The stacks' own arrows first (one here, "assumes"), then the three between stacks.
        "    linkStyle 0 stroke:#c62828,stroke-width:2.5px\n    linkStyle 1,2,3 stroke:#1565c0,stroke-width:2px\n",
    ] {
        assert!(mermaid.contains(expected), "{expected:?} in:\n{mermaid}");
    }
    assert_eq!(mermaid.matches("-->|arn|").count(), 1, "{mermaid}");
    let dot = app.dot();
    for expected in [
        "digraph app {\n    graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, nodesep=0.35, ranksep=0.7, compound=true];\n",
        "    subgraph cluster_stack_Api {\n        label=\"Api \\\"quoted\\\" <1>\";",
        // An arrow to or from a construct joins a box inside it, clipped at its frame.
        "    Api_r_WorkflowRole -> Shared_r_Logs [label=\"arn\", penwidth=2, color=\"#1565c0\", fontcolor=\"#1565c0\", ltail=cluster_Api_g_Workflow, lhead=cluster_Shared_g_Logs];\n",
        "    Api_out_Url -> Shared_r_Logs [label=\"Ref\", penwidth=2, color=\"#1565c0\", fontcolor=\"#1565c0\"];\n",
        "    Api_r_Logs -> Shared_r_Logs [label=\"Ref\", penwidth=2, color=\"#1565c0\", fontcolor=\"#1565c0\", ltail=cluster_stack_Api];\n",
    ] {
        assert!(dot.contains(expected), "{expected:?} in:\n{dot}");
    }
    // Deterministic.
    assert_eq!(two_stacks().mermaid(), mermaid);
    assert_eq!(two_stacks().dot(), dot);
}

#[test]
fn app_ids_never_collide_even_when_stack_names_sanitise_alike() {
    use stackweave_graph::AppGraph;
    let template = json!({"Resources": {"A": bucket()}});
    let mut app = AppGraph::new();
    for name in ["a-b", "a_b", "a.b"] {
        app.stack(
            name,
            name,
            Graph::from_template(&template, &Grouping::new()),
        );
    }
    let mut ids: Vec<&str> = app
        .frames()
        .iter()
        .flat_map(|f| {
            std::iter::once(f.id.as_str()).chain(f.graph.nodes().iter().map(|n| n.id.as_str()))
        })
        .collect();
    assert_eq!(
        ids,
        [
            "stack_a_b",
            "a_b_r_A",
            "stack_a_b_2",
            "a_b_r_A_2",
            "stack_a_b_3",
            "a_b_r_A_3"
        ]
    );
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6);
}
