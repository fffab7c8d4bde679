//! Plain CloudFormation resources written in the stack file beside the constructs (the
//! escape hatch for what no construct covers): referenced by constructs and referencing
//! them with `${...}`, merged under the same checks as every construct's resources, and
//! shown by `graph`, `validate` and `diff` like any other resource.

use serde_json::{Value, json};

use crate::support::{Project, stackweave_in};

/// A table (a plain resource, tagged with the log group's name) read by a workflow
/// construct, and a queue named after the table.
const TABLE_AND_WORKFLOW: &str = r#"name: Orders
constructs:
  Logs:
    plugin: logging
    props: { retentionDays: 7 }
  Reader:
    plugin: express-workflow
    props:
      logging: { destination: "${Logs.arn}" }
      definition:
        StartAt: Read
        States:
          Read:
            Type: Task
            Resource: arn:aws:states:::dynamodb:getItem
            Parameters:
              TableName: ${Table}
              Key: { id: { S.$: $.id } }
            End: true
resources:
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      Tags:
        - { Key: logs, Value: "${Logs.name}" }
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: ${AWS::StackName}-${Table}-events
outputs:
  TableArn:
    value: ${Table.Arn}
"#;

fn template_of(project: &Project) -> Value {
    let run = project.synth(&["--format", "json"]);
    serde_json::from_str(run.success()).expect("synth prints JSON")
}

#[test]
fn plain_resources_reference_constructs_and_constructs_reference_them() {
    let project = Project::new(TABLE_AND_WORKFLOW);
    let template = template_of(&project);
    let resources = template["Resources"].as_object().expect("resources");
    let table = &resources["Table"];
    // Copied as written, references resolved to the constructs' expressions.
    assert_eq!(table["Type"], "AWS::DynamoDB::Table");
    assert_eq!(table["DeletionPolicy"], "Retain");
    assert_eq!(table["UpdateReplacePolicy"], "Retain");
    assert_eq!(
        table["Properties"]["Tags"],
        json!([{"Key": "logs", "Value": {"Ref": "Logs"}}])
    );
    assert_eq!(
        resources["Queue"]["Properties"]["QueueName"],
        json!({"Fn::Sub": "${AWS::StackName}-${Table}-events"})
    );
    assert_eq!(
        template["Outputs"]["TableArn"]["Value"],
        json!({"Fn::GetAtt": ["Table", "Arn"]})
    );
    // The workflow names the table by its logical id, and its derived role reads it.
    let definition = &resources["Reader"]["Properties"];
    assert!(
        definition.to_string().contains(r#"{"Ref":"Table"}"#),
        "{definition}"
    );
    let statements =
        &resources["ReaderRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    assert_eq!(statements[1]["Action"], json!(["dynamodb:GetItem"]));
    assert_eq!(
        statements[1]["Resource"][0]["Fn::Sub"][1],
        json!({"Name": {"Ref": "Table"}})
    );
    // Plain resources follow the constructs, in file order.
    let ids: Vec<&str> = resources.keys().map(String::as_str).collect();
    assert_eq!(ids[ids.len() - 2..], ["Table", "Queue"], "{ids:?}");
}

#[test]
fn graph_validate_and_diff_treat_plain_resources_like_any_other() {
    let project = Project::new(TABLE_AND_WORKFLOW);
    let graph = stackweave_in(project.dir.path(), &["graph", "stack.yaml"]);
    assert_contains!(
        graph.success(),
        "r_Table(\"Table<br/>DynamoDB::Table\")",
        "r_Queue -->|Ref| r_Table",
        "r_Reader -->|Ref| r_Table"
    );
    let validate = stackweave_in(project.dir.path(), &["validate", "stack.yaml"]);
    assert_contains!(validate.success(), "0 errors");

    // A plain role that allows everything: its findings point at the lines of the statement.
    let broad = format!(
        "{TABLE_AND_WORKFLOW}  Admin:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement: [{{ Effect: Allow, Principal: {{ Service: lambda.amazonaws.com }}, Action: sts:AssumeRole }}]\n      Policies:\n        - PolicyName: everything\n          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n              - Effect: Allow\n                Action: \"*\"\n                Resource: \"*\"\n"
    )
    .replace("outputs:\n  TableArn:\n    value: ${Table.Arn}\n", "");
    project.write("broad.yaml", &broad);
    let line_of = |needle: &str| {
        broad
            .lines()
            .position(|line| line.trim_start().starts_with(needle))
            .expect("the line")
            + 1
    };
    let validate = stackweave_in(project.dir.path(), &["validate", "broad.yaml"]);
    assert_eq!(validate.code, 1, "{}", validate.stdout);
    assert_contains!(
        validate.stdout,
        "error[SW-IAM-1]: statement 0 of policy `everything` allows `*`",
        &format!(
            "--> broad.yaml:{}:17: resource `Admin`",
            line_of("Action: \"*\"")
        ),
        &format!(
            "--> broad.yaml:{}:17: resource `Admin`",
            line_of("Resource: \"*\"")
        )
    );

    let diff = stackweave_in(
        project.dir.path(),
        &["diff", "stack.yaml", "broad.yaml", "--format", "json"],
    );
    let report: Value = serde_json::from_str(&diff.stdout).expect("JSON");
    let added = &report["diff"]["resources"]["added"];
    assert!(added.to_string().contains("\"Admin\""), "{added}");
    let gained = report["diff"]["iam"].to_string();
    assert!(gained.contains("\"*\""), "{gained}");
}

#[test]
fn a_malformed_plain_resource_is_reported_where_it_is_written() {
    let project = Project::new(
        r#"name: Orders
constructs:
  Logs:
    plugin: logging
resources:
  Logs:
    Type: AWS::SQS::Queue
  Tabel:
    Typ: AWS::DynamoDB::Table
  Queue:
    Type: SQS Queue
    Properties:
      QueueName: !Ref Tabel
      RedrivePolicy: { deadLetterTargetArn: !GetAtt Tabel.Arn }
"#,
    );
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "error: resource id `Logs` is also a construct name\n  --> stack.yaml:6:3",
        "error: resource `Tabel` has no `Type`\n  --> stack.yaml:8:3",
        "error: unknown key `Typ` in a resource\n  --> stack.yaml:9:5\n   = help: did you mean `Type`?",
        "error: `SQS Queue` is not a resource type\n  --> stack.yaml:11:11",
        "error: unknown tag `!Ref`\n  --> stack.yaml:13:18\n   = help: write `${Tabel}` instead of `!Ref Tabel`",
        "help: write `${Tabel.Arn}` instead of `!GetAtt Tabel.Arn`"
    );
}

#[test]
fn references_to_and_from_plain_resources_are_checked_before_any_plugin_runs() {
    let project = Project::new(
        r#"name: Orders
constructs:
  Logs:
    plugin: logging
    props:
      tags: { table: "${Tble}" }
resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${Table.Arn}
      Tags: [{ Key: logs, Value: "${Logs.nope}" }]
"#,
    );
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "error: `${Tble}` names `Tble`, which is not a construct, resource or parameter of this stack\n  --> stack.yaml:6:22\n   = construct: Logs\n   = help: did you mean `Table`?",
        "error: resource `Table` references itself with `${Table.Arn}`\n  --> stack.yaml:11:18",
        "error: construct `Logs` has no attribute `nope`\n  --> stack.yaml:12:34"
    );
}

#[test]
fn plain_resources_pass_the_merge_checks_of_every_resource() {
    // A construct's pinned logical id taken by a plain resource.
    let project = Project::new(
        "name: Orders\nconstructs:\n  Logs:\n    plugin: logging\n    logicalIds: { Resource: Queue }\nresources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
    );
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "error: logical id `Queue` is used by both construct `Logs` and the stack file",
        "--> stack.yaml:7:3"
    );

    // A cycle between two plain resources, a DependsOn on nothing, and a Ref to nothing.
    let project = Project::new(
        r#"name: Orders
constructs:
  Logs:
    plugin: logging
resources:
  A:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: { deadLetterTargetArn: "${B.Arn}", maxReceiveCount: 3 }
  B:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: { deadLetterTargetArn: "${A.Arn}", maxReceiveCount: 3 }
  C:
    Type: AWS::SQS::Queue
    DependsOn: Nope
    Properties:
      QueueName: { Ref: Missing }
"#,
    );
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "error: resource `C` (the stack file) has a DependsOn on `Nope`, which is not a resource of this template",
        // At the `DependsOn` the user wrote; the Ref, somewhere in the resource, at its id.
        "--> stack.yaml:16:16",
        "error: resource `C` (the stack file) has a Ref to `Missing`",
        "--> stack.yaml:14:3",
        "error: resources depend on each other in a cycle: A (the stack file) -> B (the stack file) -> A",
        "--> stack.yaml:6:3"
    );

    // Plain resources count against the resource quota.
    let project = Project::new(
        "name: Orders\nlimits: { resources: 2 }\nconstructs:\n  Logs:\n    plugin: logging\nresources:\n  A:\n    Type: AWS::SQS::Queue\n  B:\n    Type: AWS::SQS::Queue\n",
    );
    let run = project.synth(&[]);
    assert_contains!(
        run.failure(),
        "error: the template has 3 resources; the stack file's `limits.resources` allows 2"
    );
}
