//! The workflow's role follows its definition: `express-workflow` derives its own role from
//! its Task states (a table another construct provides, read and written through optimized
//! integrations), refuses a resource known only at run time until `policyStatements` covers
//! it, and `stackweave validate` (SW-SFN-3) fails a template whose hand-written role lacks a
//! permission a task needs. Also the agreement of the two: every role the construct derives
//! passes the rule.

use serde_json::Value;
use stackweave_test_plugins::ECHO;

use crate::support::{Project, stackweave_in};

/// A stack whose table `Orders` (the echo test plugin, its `value` the table's `Ref`) is read
/// and written by `Workflow`, whose definition's states follow `states` (YAML, indented for
/// `States:`), plus `extra` props of the workflow.
fn table_stack(states: &str, extra: &str) -> Project {
    let project = Project::new(&format!(
        r#"name: Orders
constructs:
  Logs:
    plugin: logging
    props: {{ retentionDays: 7 }}
  Orders:
    plugin: ./echo.wasm
    props:
      value: {{Ref: Resource}}
      fragment:
        Resources:
          Resource:
            Type: AWS::DynamoDB::Table
            Properties:
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
              KeySchema: [{{AttributeName: id, KeyType: HASH}}]
  Workflow:
    plugin: express-workflow
    props:
      logging:
        destination: ${{Logs.arn}}
{extra}      definition:
        StartAt: Read
        States:
{states}"#
    ));
    project.plugin("echo.wasm", ECHO);
    project
}

const READ_AND_WRITE: &str = r#"          Read:
            Type: Task
            Resource: arn:aws:states:::dynamodb:getItem
            Parameters:
              TableName: ${Orders.value}
              Key: {id: {S.$: $.id}}
            Next: Write
          Write:
            Type: Task
            Resource: arn:aws:states:::dynamodb:putItem
            Parameters:
              TableName: ${Orders.value}
              Item: {id: {S.$: $.id}}
            End: true
"#;

fn template_of(project: &Project) -> Value {
    let run = project.synth(&["--format", "json"]);
    serde_json::from_str(run.success()).expect("synth prints JSON")
}

/// `(rule, resource, status, message)` of every finding `validate` reports on `file`.
fn findings(project: &Project, file: &str) -> (i32, Vec<(String, String, String, String)>) {
    let run = stackweave_in(project.dir.path(), &["validate", file, "--format", "json"]);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    let found = report["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
            (
                text("rule"),
                text("resource"),
                text("status"),
                text("message"),
            )
        })
        .collect();
    (run.code, found)
}

#[test]
fn a_workflow_reading_and_writing_a_table_gets_exactly_those_permissions() {
    let project = table_stack(READ_AND_WRITE, "");
    let template = template_of(&project);
    let role = &template["Resources"]["WorkflowRole"]["Properties"];
    let statements = &role["Policies"][0]["PolicyDocument"]["Statement"];
    assert_eq!(statements[0]["Sid"], "LogDelivery");
    assert_eq!(
        statements[1],
        serde_json::json!({
            "Sid": "CallDynamodb",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": [{"Fn::Sub": [
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}",
                {"Name": {"Ref": "Orders"}}
            ]}]
        })
    );
    assert_eq!(statements.as_array().map(Vec::len), Some(2), "{statements}");
    assert_eq!(
        role["Description"],
        "Execution role of the Express workflow; may only deliver its logs and call what its tasks need"
    );
    // The definition names the table through a substitution, and the rule follows it.
    let (code, found) = findings(&project, "stack.yaml");
    assert_eq!(code, 0, "{found:?}");
    assert!(found.iter().all(|f| f.0 != "SW-SFN-3"), "{found:?}");
}

#[test]
fn every_derived_role_passes_validate() {
    // One state per integration of the table, chained: what the construct grants, the rule
    // must find sufficient, decided.
    let states = r#"          Read:
            Type: Task
            Resource: arn:aws:states:::dynamodb:getItem
            Parameters: {TableName: orders, Key: {id: {S: x}}}
            Next: Put
          Put:
            Type: Task
            Resource: arn:aws:states:::dynamodb:putItem
            Parameters: {TableName: "${Orders.value}", Item: {id: {S: x}}}
            Next: Update
          Update:
            Type: Task
            Resource: arn:aws:states:::dynamodb:updateItem
            Parameters: {TableName: arn:aws:dynamodb:eu-west-1:123456789012:table/orders, Key: {id: {S: x}}}
            Next: Delete
          Delete:
            Type: Task
            Resource: arn:aws:states:::dynamodb:deleteItem
            Parameters: {TableName: orders, Key: {id: {S: x}}}
            Next: Query
          Query:
            Type: Task
            Resource: arn:aws:states:::aws-sdk:dynamodb:query
            Parameters: {TableName: orders, IndexName: byCustomer, KeyConditionExpression: "c = :c"}
            Next: Send
          Send:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage
            Parameters: {QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders", MessageBody: x}
            Next: Publish
          Publish:
            Type: Task
            Resource: arn:aws:states:::sns:publish
            Parameters: {TopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts", Message: x}
            Next: Invoke
          Invoke:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: resize, Payload: {}}
            Next: Start
          Start:
            Type: Task
            Resource: arn:aws:states:::states:startExecution
            Parameters: {StateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:child"}
            Next: StartSync
          StartSync:
            Type: Task
            Resource: arn:aws:states:::aws-sdk:sfn:startSyncExecution
            Parameters: {StateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:child"}
            Next: Events
          Events:
            Type: Task
            Resource: arn:aws:states:::events:putEvents
            Parameters: {Entries: [{Source: orders, DetailType: x, Detail: {}}, {EventBusName: audit, Source: orders, DetailType: x, Detail: {}}]}
            End: true
"#;
    let project = table_stack(states, "");
    let template = template_of(&project);
    let statements = &template["Resources"]["WorkflowRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"];
    let actions: Vec<&str> = statements
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["Action"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .filter(|a| !a.starts_with("logs:"))
        .collect();
    for action in [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "sqs:SendMessage",
        "sns:Publish",
        "lambda:InvokeFunction",
        "states:StartExecution",
        "states:StartSyncExecution",
        "events:PutEvents",
    ] {
        assert!(actions.contains(&action), "{action} missing: {statements}");
    }
    // Never `*` for a task.
    for statement in statements.as_array().into_iter().flatten().skip(1) {
        assert!(
            !statement["Resource"].to_string().contains("\"*\""),
            "{statement}"
        );
    }
    let (code, found) = findings(&project, "stack.yaml");
    assert!(found.iter().all(|f| f.0 != "SW-SFN-3"), "{found:?}");
    assert_eq!(code, 0, "{found:?}");

    // Remove any one derived statement from the synthesised template: the rule notices.
    for index in 1..statements.as_array().map(Vec::len).unwrap_or(0) {
        let mut broken = template.clone();
        let list = broken["Resources"]["WorkflowRole"]["Properties"]["Policies"][0]
            ["PolicyDocument"]["Statement"]
            .as_array_mut()
            .expect("statements");
        let removed = list.remove(index);
        project.write("broken.json", broken.to_string());
        let (code, found) = findings(&project, "broken.json");
        assert_eq!(code, 1, "without {removed}: {found:?}");
        assert!(
            found.iter().any(|f| f.0 == "SW-SFN-3"
                && f.2 == "open"
                && f.3.contains("role `WorkflowRole` does not allow")),
            "without {removed}: {found:?}"
        );
    }
}

#[test]
fn a_run_time_table_fails_synthesis_until_policy_statements_cover_it() {
    let states = r#"          Read:
            Type: Task
            Resource: arn:aws:states:::dynamodb:getItem
            Parameters:
              TableName.$: $.table
              Key: {id: {S.$: $.id}}
            End: true
"#;
    let project = table_stack(states, "");
    let run = project.synth(&[]);
    let stderr = run.failure();
    assert_contains!(
        stderr,
        "error: `TableName` of state `Read` is only known at run time, so the role this workflow creates cannot grant it; add a statement allowing `dynamodb:GetItem` on the resources it may name to `policyStatements`, or give the workflow a `role`",
        "stack.yaml:30:",
        "construct: Workflow"
    );
    assert!(!project.path("out").exists());

    let covered = table_stack(
        states,
        "      policyStatements:\n        - sid: ReadOrderTables\n          actions: [dynamodb:GetItem]\n          resources: [\"arn:aws:dynamodb:eu-west-1:123456789012:table/orders-*\"]\n",
    );
    let template = template_of(&covered);
    let statements = &template["Resources"]["WorkflowRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"];
    assert_eq!(statements[1]["Sid"], "ReadOrderTables", "{statements}");
    assert_eq!(statements.as_array().map(Vec::len), Some(2), "{statements}");
}

#[test]
fn validate_fails_a_template_whose_own_role_lacks_a_permission() {
    let project = Project::new("");
    let template = |actions: &str| {
        format!(
            r#"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Service: [states.amazonaws.com]}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: Tables
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [{actions}]
                Resource: !GetAtt Orders.Arn
  Workflow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineType: STANDARD
      RoleArn: !GetAtt OrdersRole.Arn
      Definition:
        StartAt: Write
        States:
          Write:
            Type: Task
            Resource: arn:aws:states:::dynamodb:putItem
            Parameters:
              TableName: ${{Table}}
              Item: {{id: {{S.$: $.id}}}}
            End: true
      DefinitionSubstitutions:
        Table: !Ref Orders
"#
        )
    };
    project.write("lacking.yaml", template("dynamodb:GetItem"));
    let (code, found) = findings(&project, "lacking.yaml");
    assert_eq!(code, 1, "{found:?}");
    let sfn3: Vec<_> = found.iter().filter(|f| f.0 == "SW-SFN-3").collect();
    assert_eq!(sfn3.len(), 1, "{found:?}");
    assert_eq!(sfn3[0].1, "Workflow");
    assert_eq!(sfn3[0].2, "open");
    assert_contains!(
        sfn3[0].3,
        "state `Write`",
        "`dynamodb:PutItem`",
        "role `OrdersRole` does not allow"
    );

    project.write(
        "granted.yaml",
        template("dynamodb:GetItem, dynamodb:PutItem"),
    );
    let (code, found) = findings(&project, "granted.yaml");
    assert!(found.iter().all(|f| f.0 != "SW-SFN-3"), "{found:?}");
    assert_eq!(code, 0, "{found:?}");
}
