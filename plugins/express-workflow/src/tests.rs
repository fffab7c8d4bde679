//! Unit tests of the `express-workflow` construct: its output, each diagnostic, and the
//! schema.

use super::*;
use stackweave_plugin::testing;

fn ok(props: Value) -> Fragment {
    testing::ok::<ExpressWorkflow>("Workflow", props)
}

fn errors(props: Value) -> Vec<Diagnostic> {
    testing::errors::<ExpressWorkflow>("Workflow", props)
}

fn error(props: Value) -> (String, String) {
    testing::single_error::<ExpressWorkflow>("Workflow", props)
}

fn hello() -> Value {
    json!({
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Pass", "Result": {"message": "hello"}, "End": true}}
    })
}

fn role() -> Value {
    json!({"Fn::GetAtt": ["WorkflowRole", "Arn"]})
}

fn logs() -> Value {
    json!({"Fn::GetAtt": ["Logs", "Arn"]})
}

fn props(extra: Value) -> Value {
    let mut props =
        json!({"definition": hello(), "role": role(), "logging": {"destination": logs()}});
    for (key, value) in extra.as_object().into_iter().flatten() {
        props[key] = value.clone();
    }
    props
}

#[test]
fn a_logged_workflow_is_an_express_state_machine_without_depends_on() {
    let fragment = ok(props(json!({})));
    assert_eq!(
        fragment.template(),
        json!({"Resources": {"Resource": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "StateMachineType": "EXPRESS",
                "RoleArn": {"Fn::GetAtt": ["WorkflowRole", "Arn"]},
                "Definition": hello(),
                "LoggingConfiguration": {
                    "Destinations": [{
                        "CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["Logs", "Arn"]}}
                    }],
                    "Level": "ALL",
                    "IncludeExecutionData": true
                }
            }
        }}})
    );
    assert_eq!(
        fragment.attributes(),
        [
            ("arn".to_string(), json!({"Ref": "Resource"})),
            (
                "name".to_string(),
                json!({"Fn::GetAtt": ["Resource", "Name"]})
            ),
        ]
    );
    assert!(fragment.warnings().is_empty());
}

#[test]
fn every_optional_prop_is_applied() {
    let fragment = ok(props(json!({
        "name": "orders",
        "logging": {"destination": logs(), "level": "ERROR", "includeExecutionData": false},
        "tracing": true
    })));
    let properties = &fragment.resources()["Resource"]["Properties"];
    assert_eq!(properties["StateMachineName"], "orders");
    assert_eq!(properties["LoggingConfiguration"]["Level"], "ERROR");
    assert_eq!(
        properties["LoggingConfiguration"]["IncludeExecutionData"],
        false
    );
    assert_eq!(properties["TracingConfiguration"], json!({"Enabled": true}));
    let fragment = ok(props(json!({"tracing": false})));
    assert!(
        fragment.resources()["Resource"]["Properties"]
            .get("TracingConfiguration")
            .is_none()
    );
}

#[test]
fn intrinsics_in_the_definition_become_numbered_substitutions() {
    let handler = json!({"Fn::GetAtt": ["Handler", "Arn"]});
    let table = json!({"Ref": "Table"});
    let definition = json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": handler, "Payload.$": "$"},
                "Next": "Store"
            },
            "Store": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": table, "Item": {"id": {"S.$": "$.id"}}},
                "Next": "Again"
            },
            "Again": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "B", "States": {"B": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": handler},
                    "End": true
                }}}],
                "End": true
            }
        }
    });
    let fragment = ok(props(json!({"definition": definition})));
    let properties = &fragment.resources()["Resource"]["Properties"];
    assert_eq!(
        properties["DefinitionSubstitutions"],
        json!({"DefinitionSubstitution1": handler, "DefinitionSubstitution2": table})
    );
    let out = &properties["Definition"]["States"];
    assert_eq!(
        out["Call"]["Parameters"]["FunctionName"],
        "${DefinitionSubstitution1}"
    );
    assert_eq!(
        out["Store"]["Parameters"]["TableName"],
        "${DefinitionSubstitution2}"
    );
    assert_eq!(
        out["Again"]["Branches"][0]["States"]["B"]["Parameters"]["FunctionName"],
        "${DefinitionSubstitution1}"
    );
    assert!(!stackweave_plugin::cfn::contains_intrinsic(
        &properties["Definition"]
    ));
    // Deterministic: the same input gives the same output.
    assert_eq!(fragment, ok(props(json!({"definition": definition}))));
}

#[test]
fn a_definition_without_intrinsics_has_no_substitutions() {
    let fragment = ok(props(json!({})));
    assert!(
        fragment.resources()["Resource"]["Properties"]
            .get("DefinitionSubstitutions")
            .is_none()
    );
}

#[test]
fn missing_logging_is_a_warning() {
    let fragment = ok(json!({"definition": hello(), "role": role()}));
    let warnings = fragment.warnings();
    assert_eq!(warnings.len(), 1);
    assert!(!warnings[0].is_error());
    assert_eq!(warnings[0].path, None);
    assert!(
        warnings[0]
            .message
            .contains("add `logging:` with `destination: ${Logs.arn}`")
    );
    assert!(
        fragment.resources()["Resource"]["Properties"]
            .get("LoggingConfiguration")
            .is_none()
    );
}

#[test]
fn logging_off_is_a_warning() {
    let fragment = ok(props(
        json!({"logging": {"destination": logs(), "level": "OFF"}}),
    ));
    let warnings = fragment.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].path.as_deref(), Some("/logging/level"));
}

#[test]
fn the_definition_must_be_an_object_with_start_at_and_states() {
    let (path, message) = error(props(json!({"definition": "{\"StartAt\": \"A\"}"})));
    assert_eq!(path, "/definition");
    assert!(message.contains("Amazon States Language object"));

    let e = errors(props(json!({"definition": {}})));
    let messages: Vec<_> = e.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(e.len(), 2, "{messages:?}");
    assert!(messages[0].contains("no `States`"));
    assert!(messages[1].contains("no `StartAt`"));

    let (path, message) = error(props(json!({"definition": {"StartAt": "A", "States": {}}})));
    assert_eq!(path, "/definition/States");
    assert!(message.contains("at least one"));

    let (path, message) = error(props(
        json!({"definition": {"StartAt": 1, "States": hello()["States"]}}),
    ));
    assert_eq!(path, "/definition/StartAt");
    assert!(message.contains("as a string"));
}

#[test]
fn start_at_must_name_a_state() {
    let mut definition = hello();
    definition["StartAt"] = json!("Goodbye");
    let (path, message) = error(props(json!({ "definition": definition })));
    assert_eq!(path, "/definition/StartAt");
    assert_eq!(
        message,
        "`StartAt` names `Goodbye`, which is not a state; write one of Hello"
    );
}

#[test]
fn sync_and_callback_patterns_are_refused_where_they_are() {
    let definition = json!({
        "StartAt": "Run/Job",
        "States": {
            "Run/Job": {
                "Type": "Task",
                "Resource": "arn:aws:states:::ecs:runTask.sync",
                "Next": "Wait"
            },
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Next": "Nested"
            },
            "Nested": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "End": true
            }
        }
    });
    let e = errors(props(json!({ "definition": definition })));
    let paths: Vec<_> = e.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(
        paths,
        [
            "/definition/States/Run~1Job/Resource",
            "/definition/States/Wait/Resource",
            "/definition/States/Nested/Resource"
        ]
    );
    assert!(e[1].message.contains("`.waitForTaskToken`"));
}

#[test]
fn plain_arns_are_checked() {
    let (path, message) = error(props(json!({"role": "WorkflowRole"})));
    assert_eq!(path, "/role");
    assert!(message.starts_with("`WorkflowRole` is not an ARN"));
    assert_eq!(
        message,
        "`WorkflowRole` is not an ARN; write the execution role's ARN, or a reference such as `${WorkflowRole.arn}`"
    );
    ok(props(
        json!({"role": "arn:aws:iam::123456789012:role/orders"}),
    ));

    let (path, message) = error(props(json!({"logging": {"destination": "/aws/logs"}})));
    assert_eq!(path, "/logging/destination");
    assert!(message.contains("`${Logs.arn}`"));
    let arn = "arn:aws:logs:eu-west-1:123456789012:log-group:orders";
    let (path, message) = error(props(json!({"logging": {"destination": arn}})));
    assert_eq!(path, "/logging/destination");
    assert!(message.contains(&format!("write `{arn}:*`")));
    ok(props(
        json!({"logging": {"destination": format!("{arn}:*")}}),
    ));
}

#[test]
fn plain_names_are_checked() {
    let (path, message) = error(props(json!({"name": "orders workflow"})));
    assert_eq!(path, "/name");
    assert!(message.contains("cannot contain ` `"));
    let (_, message) = error(props(json!({"name": "a".repeat(81)})));
    assert!(message.contains("has 81"));
    ok(props(
        json!({"name": {"Fn::Sub": "${AWS::StackName}-orders"}}),
    ));
}

fn schema() -> Value {
    stackweave_plugin::props_schema::<ExpressWorkflow>()
}

#[test]
fn every_example_in_the_schema_fits_its_schema() {
    testing::assert_schema_examples_fit::<ExpressWorkflow>(6);
}
#[test]
fn the_schema_says_what_is_wrong_where() {
    let schema = schema();
    let errors = |props: Value| testing::schema_errors(&schema, &props);
    assert_eq!(
        errors(json!({"definition": {"StartAt": "A"}, "role": "${Role.arn}"})),
        [r#"props/definition: "States" is a required property"#]
    );
    assert_eq!(
        errors(json!({
            "definition": hello(),
            "role": "${Role.arn}",
            "logging": {"destination": "${Logs.arn}", "level": "DEBUG"},
            "tracing": "yes"
        })),
        [
            // The validator names only some of four or more choices, as it did with the
            // hand-written schema.
            r#"props/logging/level: "DEBUG" is not one of "ALL", "ERROR" or 2 other candidates"#,
            r#"props/tracing: "yes" is not of type "boolean""#,
        ]
    );
    assert_eq!(
        errors(json!({"definition": hello(), "role": "${Role.arn}", "logging": null})),
        [r#"props/logging: null is not of type "object""#]
    );
}

#[test]
fn the_schema_examples_fit_the_props() {
    let schema = schema();
    assert_eq!(schema["examples"], json!([example_props()]));
    let props: ExpressWorkflowProps =
        serde_json::from_value(example_props()).expect("the example deserialises");
    assert!(props.tracing);
    let fragment = ok(example_props());
    assert!(fragment.warnings().is_empty());
    let logging = &schema["properties"]["logging"];
    for example in logging["examples"].as_array().into_iter().flatten() {
        let logging: Logging =
            serde_json::from_value(example.clone()).expect("example deserialises");
        assert_eq!(logging.level, LogLevel::Error);
    }
    assert_eq!(
        schema["properties"]["definition"]["examples"],
        json!([hello()])
    );
}

#[test]
fn every_prop_is_documented() {
    assert_eq!(
        testing::schema_problems::<ExpressWorkflow>(),
        Vec::<String>::new()
    );
    assert_eq!(schema()["title"], "express-workflow");
}

#[test]
fn the_schema_agrees_with_the_code() {
    let schema = schema();
    assert_eq!(schema["required"], json!(["definition"]));
    let properties = &schema["properties"];
    assert_eq!(
        properties["definition"]["required"],
        json!(["StartAt", "States"])
    );
    assert_eq!(properties["definition"]["type"], "object");
    // References are strings as written in the stack file.
    assert_eq!(properties["role"]["type"], "string");
    assert_eq!(properties["tracing"]["default"], false);
    let logging = &properties["logging"];
    assert_eq!(logging["type"], "object");
    assert_eq!(logging["required"], json!(["destination"]));
    assert_eq!(logging["additionalProperties"], false);
    assert_eq!(logging["properties"]["destination"]["type"], "string");
    let level = &logging["properties"]["level"];
    assert_eq!(level["enum"], json!(["ALL", "ERROR", "FATAL", "OFF"]));
    assert_eq!(level["default"], LogLevel::default().as_str());
    assert_eq!(
        logging["properties"]["includeExecutionData"]["default"],
        include_execution_data_by_default()
    );
}

#[test]
fn describe_names_the_construct_and_its_attributes() {
    let info = stackweave_plugin::describe::<ExpressWorkflow>();
    assert_eq!(info.name, "express-workflow");
    let names: Vec<_> = info.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["arn", "name"]);
}

/// Runs the construct without a `role`, answering for the host: returns the fragment and
/// the (plugin, id, props) of every child it created.
fn with_own_role(props: Value) -> (Fragment, Vec<(String, String, Value)>) {
    let created = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = std::rc::Rc::clone(&created);
    let fragment = testing::with_children(
        move |plugin, id, props| {
            record
                .borrow_mut()
                .push((plugin.to_string(), id.to_string(), props.clone()));
            Ok(vec![(
                "arn",
                json!({"Fn::GetAtt": ["WorkflowRole", "Arn"]}),
            )])
        },
        || ok(props),
    );
    let created = created.borrow().clone();
    (fragment, created)
}

#[test]
fn without_a_role_the_workflow_creates_one_that_may_only_deliver_its_logs() {
    let mut logged = props(json!({}));
    logged.as_object_mut().map(|p| p.remove("role"));
    let (fragment, children) = with_own_role(logged);
    assert_eq!(children.len(), 1);
    let (plugin, id, role) = &children[0];
    assert_eq!((plugin.as_str(), id.as_str()), ("iam-role", "Role"));
    assert_eq!(role["assumedBy"], json!(["states.amazonaws.com"]));
    assert_eq!(
        role["statements"],
        json!([{"sid": "LogDelivery", "actions": LOG_DELIVERY_ACTIONS, "resources": ["*"]}])
    );
    assert_eq!(
        fragment.resources()["Resource"]["Properties"]["RoleArn"],
        json!({"Fn::GetAtt": ["WorkflowRole", "Arn"]})
    );
}

#[test]
fn a_traced_workflows_own_role_may_also_send_traces_and_an_unlogged_ones_nothing() {
    let (_, children) = with_own_role(json!({"definition": hello(), "tracing": true}));
    assert_eq!(
        children[0].2["statements"],
        json!([{"sid": "Tracing", "actions": TRACING_ACTIONS, "resources": ["*"]}])
    );
    let (_, children) = with_own_role(json!({"definition": hello()}));
    assert_eq!(children[0].2["statements"], json!([]));
    assert_eq!(
        children[0].2["description"],
        "Execution role of the Express workflow; grants nothing"
    );
}

#[test]
fn a_placeholder_never_reuses_a_name_the_definition_holds_as_text() {
    // `${!DefinitionSubstitution1}` in a stack file is the literal text below; CloudFormation
    // would substitute a placeholder of that name there too.
    let table = json!({"Ref": "Table"});
    let definition = json!({
        "StartAt": "Store",
        "States": {
            "Store": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": table, "Item": {"note": {"S": "${DefinitionSubstitution1}"}}},
                "End": true
            }
        }
    });
    let fragment = ok(props(json!({"definition": definition})));
    let properties = &fragment.resources()["Resource"]["Properties"];
    assert_eq!(
        properties["DefinitionSubstitutions"],
        json!({"DefinitionSubstitution2": table})
    );
    let store = &properties["Definition"]["States"]["Store"]["Parameters"];
    assert_eq!(store["TableName"], "${DefinitionSubstitution2}");
    assert_eq!(store["Item"]["note"]["S"], "${DefinitionSubstitution1}");
}

/// A one-state definition: a Task calling `resource` with `parameters`.
fn task_definition(resource: &str, parameters: Value) -> Value {
    json!({
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": true}}
    })
}

/// The statements of the role created for `definition` (with `extra` props), after the
/// log-delivery one.
fn derived_statements(definition: Value, extra: Value) -> Vec<Value> {
    let mut props = json!({"definition": definition, "logging": {"destination": logs()}});
    for (key, value) in extra.as_object().into_iter().flatten() {
        props[key] = value.clone();
    }
    let (_, children) = with_own_role(props);
    let statements = children[0].2["statements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(statements[0]["sid"], "LogDelivery");
    statements[1..].to_vec()
}

fn own_role_errors(definition: Value, extra: Value) -> Vec<(String, String)> {
    let mut props = json!({"definition": definition, "logging": {"destination": logs()}});
    for (key, value) in extra.as_object().into_iter().flatten() {
        props[key] = value.clone();
    }
    let result = testing::with_children(
        |_, _, _| {
            Ok(vec![(
                "arn",
                json!({"Fn::GetAtt": ["WorkflowRole", "Arn"]}),
            )])
        },
        || testing::synth::<ExpressWorkflow>("Workflow", props),
    );
    match result {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|d| (d.path.unwrap_or_default(), d.message))
            .collect(),
    }
}

fn sub(text: &str) -> Value {
    json!({"Fn::Sub": text})
}

#[test]
fn each_integration_is_granted_its_action_on_the_resource_its_parameters_name() {
    let table = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders";
    let cases = [
        (
            "arn:aws:states:::dynamodb:getItem",
            json!({"TableName": "orders"}),
            "dynamodb:GetItem",
            sub(table),
        ),
        (
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "orders"}),
            "dynamodb:PutItem",
            sub(table),
        ),
        (
            "arn:aws:states:::dynamodb:updateItem",
            json!({"TableName": "orders"}),
            "dynamodb:UpdateItem",
            sub(table),
        ),
        (
            "arn:aws:states:::dynamodb:deleteItem",
            json!({"TableName": "orders"}),
            "dynamodb:DeleteItem",
            sub(table),
        ),
        (
            "arn:aws:states:::aws-sdk:dynamodb:query",
            json!({"TableName": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders", "KeyConditionExpression": "id = :id"}),
            "dynamodb:Query",
            json!("arn:aws:dynamodb:eu-west-1:123456789012:table/orders"),
        ),
        (
            "arn:aws:states:::aws-sdk:dynamodb:query",
            json!({"TableName": "orders", "IndexName": "byCustomer"}),
            "dynamodb:Query",
            sub(&format!("{table}/index/byCustomer")),
        ),
        (
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders", "MessageBody.$": "$"}),
            "sqs:SendMessage",
            sub("arn:${AWS::Partition}:sqs:eu-west-1:123456789012:orders"),
        ),
        (
            "arn:aws:states:::sns:publish",
            json!({"TopicArn": "arn:aws:sns:eu-west-1:123456789012:alerts", "Message.$": "$"}),
            "sns:Publish",
            json!("arn:aws:sns:eu-west-1:123456789012:alerts"),
        ),
        (
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "resize:live", "Payload.$": "$"}),
            "lambda:InvokeFunction",
            sub(
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:resize:live",
            ),
        ),
        (
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "123456789012:function:resize"}),
            "lambda:InvokeFunction",
            sub("arn:${AWS::Partition}:lambda:${AWS::Region}:123456789012:function:resize"),
        ),
        (
            "arn:aws:states:::states:startExecution",
            json!({"StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:child"}),
            "states:StartExecution",
            json!("arn:aws:states:eu-west-1:123456789012:stateMachine:child"),
        ),
        (
            "arn:aws:states:::aws-sdk:sfn:startSyncExecution",
            json!({"StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:child"}),
            "states:StartSyncExecution",
            json!("arn:aws:states:eu-west-1:123456789012:stateMachine:child"),
        ),
        (
            "arn:aws:states:::events:putEvents",
            json!({"Entries": [{"Detail.$": "$", "DetailType": "x", "Source": "orders"}]}),
            "events:PutEvents",
            sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"),
        ),
        (
            "arn:aws:states:::events:putEvents",
            json!({"Entries": [{"EventBusName": "orders", "Source": "orders"}]}),
            "events:PutEvents",
            sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/orders"),
        ),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:resize",
            json!({}),
            "lambda:InvokeFunction",
            json!("arn:aws:lambda:eu-west-1:123456789012:function:resize"),
        ),
    ];
    for (resource, parameters, action, expected) in cases {
        let statements = derived_statements(task_definition(resource, parameters), json!({}));
        assert_eq!(statements.len(), 1, "{resource}: {statements:?}");
        assert_eq!(statements[0]["actions"], json!([action]), "{resource}");
        assert_eq!(statements[0]["resources"], json!([expected]), "{resource}");
    }
}

#[test]
fn jsonata_arguments_name_resources_too() {
    let definition = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {"Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Arguments": {"TopicArn": "arn:aws:sns:eu-west-1:123456789012:alerts", "Message": "{% $states.input %}"},
            "End": true
        }}
    });
    let statements = derived_statements(definition, json!({}));
    assert_eq!(
        statements,
        [
            json!({"sid": "CallSns", "actions": ["sns:Publish"], "resources": ["arn:aws:sns:eu-west-1:123456789012:alerts"]})
        ]
    );
}

#[test]
fn references_are_granted_as_the_arns_they_give() {
    let name = json!({"Ref": "Orders"});
    let arn = json!({"Fn::GetAtt": ["Orders", "Arn"]});
    let queue = json!({"Ref": "Queue"});
    let function = json!({"Fn::GetAtt": ["Handler", "Arn"]});
    let definition = json!({
        "StartAt": "ByName",
        "States": {
            "ByName": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                       "Parameters": {"TableName": name}, "Next": "ByArn"},
            "ByArn": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                      "Parameters": {"TableName": arn}, "Next": "Send"},
            "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                     "Parameters": {"QueueUrl": queue, "MessageBody": "x"}, "Next": "Direct"},
            "Direct": {"Type": "Task", "Resource": function, "End": true}
        }
    });
    let statements = derived_statements(definition, json!({}));
    let by_action = |action: &str| {
        statements
            .iter()
            .find(|s| s["actions"] == json!([action]))
            .map(|s| s["resources"].clone())
            .unwrap_or_default()
    };
    assert_eq!(
        by_action("dynamodb:GetItem"),
        json!([{"Fn::Sub": [
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}",
            {"Name": name}
        ]}])
    );
    assert_eq!(by_action("dynamodb:PutItem"), json!([arn]));
    assert_eq!(by_action("lambda:InvokeFunction"), json!([function]));
    let split = json!({"Fn::Split": ["/", queue]});
    assert_eq!(
        by_action("sqs:SendMessage"),
        json!([{"Fn::Sub": ["arn:${AWS::Partition}:sqs:${Region}:${Account}:${Name}", {
            "Region": {"Fn::Select": [1, {"Fn::Split": [".", {"Fn::Select": [2, split]}]}]},
            "Account": {"Fn::Select": [3, split]},
            "Name": {"Fn::Select": [4, split]}
        }]}])
    );
    // Two DynamoDB statements: numbered sids.
    let sids: Vec<_> = statements.iter().map(|s| s["sid"].clone()).collect();
    assert_eq!(
        sids,
        json!(["CallDynamodb1", "CallDynamodb2", "CallLambda", "CallSqs"])
            .as_array()
            .cloned()
            .unwrap_or_default()
    );
}

#[test]
fn parallel_branches_and_map_processors_are_walked_and_grants_merged() {
    let get = |table: &str| {
        json!({"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                                   "Parameters": {"TableName": table}, "End": true})
    };
    let put = |table: &str| {
        json!({"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                                   "Parameters": {"TableName": table}, "End": true})
    };
    let definition = json!({
        "StartAt": "Both",
        "States": {
            "Both": {"Type": "Parallel", "Next": "Each", "Branches": [
                {"StartAt": "A", "States": {"A": get("orders")}},
                {"StartAt": "B", "States": {"B": put("orders")}}
            ]},
            "Each": {"Type": "Map", "Next": "Old", "ItemProcessor": {
                "StartAt": "C", "States": {"C": get("customers")}
            }},
            "Old": {"Type": "Map", "End": true, "Iterator": {
                "StartAt": "D", "States": {"D": get("orders")}
            }}
        }
    });
    let table = |name: &str| {
        sub(&format!(
            "arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/{name}"
        ))
    };
    assert_eq!(
        derived_statements(definition.clone(), json!({})),
        [
            json!({"sid": "CallDynamodb1", "actions": ["dynamodb:GetItem"], "resources": [table("customers")]}),
            json!({"sid": "CallDynamodb2", "actions": ["dynamodb:GetItem", "dynamodb:PutItem"], "resources": [table("orders")]}),
        ]
    );
    // Stable: the same definition gives the same role.
    assert_eq!(
        derived_statements(definition.clone(), json!({})),
        derived_statements(definition, json!({}))
    );
}

#[test]
fn a_resource_known_only_at_run_time_is_an_error_at_its_field() {
    let definition = task_definition(
        "arn:aws:states:::dynamodb:getItem",
        json!({"TableName.$": "$.table"}),
    );
    let errors = own_role_errors(definition.clone(), json!({}));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].0,
        "/definition/States/Call/Parameters/TableName.$"
    );
    assert_eq!(
        errors[0].1,
        "`TableName` of state `Call` is only known at run time, so the role this workflow \
         creates cannot grant it; add a statement allowing `dynamodb:GetItem` on the resources \
         it may name to `policyStatements`, or give the workflow a `role`"
    );

    let jsonata = json!({
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                             "QueryLanguage": "JSONata",
                             "Arguments": {"QueueUrl": "{% $states.input.queue %}", "MessageBody": "x"},
                             "End": true}}
    });
    let errors = own_role_errors(jsonata, json!({}));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "/definition/States/Call/Arguments/QueueUrl");
    assert!(errors[0].1.contains("allowing `sqs:SendMessage`"));

    // Never `*`: an unknown integration is an error too.
    let errors = own_role_errors(
        task_definition("arn:aws:states:::ecs:runTask", json!({})),
        json!({}),
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "/definition/States/Call/Resource");
    assert!(errors[0].1.contains("allowing the `ecs` actions it calls"));

    // With a role of the user's own, nothing is derived and nothing is an error.
    let mut given = props(json!({}));
    given["definition"] = task_definition(
        "arn:aws:states:::dynamodb:getItem",
        json!({"TableName.$": "$.table"}),
    );
    ok(given);
}

#[test]
fn policy_statements_are_added_and_cover_run_time_resources() {
    let definition = json!({
        "StartAt": "Read",
        "States": {
            "Read": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                     "Parameters": {"TableName.$": "$.table"}, "Next": "Run"},
            "Run": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask", "End": true}
        }
    });
    let extra = json!({"policyStatements": [
        {"sid": "ReadAnyOrders", "actions": ["dynamodb:Get*"],
         "resources": ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders-*"]},
        {"actions": ["ecs:RunTask"], "resources": [{"Ref": "TaskDefinition"}],
         "conditions": {"StringEquals": {"ecs:cluster": "c"}}}
    ]});
    let statements = derived_statements(definition.clone(), extra.clone());
    assert_eq!(
        statements,
        [
            json!({"sid": "ReadAnyOrders", "actions": ["dynamodb:Get*"],
                   "resources": ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders-*"]}),
            json!({"actions": ["ecs:RunTask"], "resources": [{"Ref": "TaskDefinition"}],
                   "conditions": {"StringEquals": {"ecs:cluster": "c"}}}),
        ]
    );
    let (_, children) = with_own_role(
        json!({"definition": definition, "policyStatements": extra["policyStatements"]}),
    );
    assert_eq!(
        children[0].2["description"],
        "Execution role of the Express workflow; may only call what its tasks need"
    );

    // A Deny statement covers nothing.
    let errors = own_role_errors(
        task_definition(
            "arn:aws:states:::dynamodb:getItem",
            json!({"TableName.$": "$.t"}),
        ),
        json!({"policyStatements": [{"effect": "Deny", "actions": ["dynamodb:GetItem"], "resources": ["*"]}]}),
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[test]
fn policy_statements_need_the_created_role_and_their_own_sids() {
    let (path, message) = error(props(json!({"policyStatements": [
        {"actions": ["sns:Publish"], "resources": ["arn:aws:sns:eu-west-1:123456789012:a"]}
    ]})));
    assert_eq!(path, "/policyStatements");
    assert!(message.contains("with `role` it creates none"));

    let errors = own_role_errors(
        hello(),
        json!({"policyStatements": [
            {"sid": "CallSns", "actions": ["sns:Publish"], "resources": ["arn:aws:sns:eu-west-1:123456789012:a"]}
        ]}),
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "/policyStatements/0/sid");
}

#[test]
fn descriptions_name_every_duty() {
    let definition = task_definition(
        "arn:aws:states:::sns:publish",
        json!({"TopicArn": "arn:aws:sns:eu-west-1:1:a"}),
    );
    let (_, children) = with_own_role(json!({
        "definition": definition, "logging": {"destination": logs()}, "tracing": true
    }));
    assert_eq!(
        children[0].2["description"],
        "Execution role of the Express workflow; may only deliver its logs, send its traces and call what its tasks need"
    );
}
