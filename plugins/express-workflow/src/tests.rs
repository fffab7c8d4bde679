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
