//! A route's `AWS::ApiGateway::Method`: its declared request parameters and the AWS
//! integration calling `StartSyncExecution` (see [`crate::vtl`] for its mapping templates),
//! and the responses it declares.

use serde_json::{Map, Value, json};
use stackweave_plugin::cfn;

use crate::routes::Route;
use crate::vtl;

/// The method of `route`, whose integration assumes `role`; `validate` says whether the API
/// has its request validator, and `cors_headers` are the response headers every answer
/// carries (`method.response.header.<name>` to its static value), empty without CORS.
pub(crate) fn method(
    route: &Route,
    role: &Value,
    validate: bool,
    cors_headers: &Map<String, Value>,
) -> Value {
    let mut properties = Map::new();
    properties.insert("RestApiId".into(), cfn::reference("Resource"));
    properties.insert("ResourceId".into(), route.resource_id.clone());
    properties.insert("HttpMethod".into(), json!(route.method.as_str()));
    properties.insert(
        "AuthorizationType".into(),
        json!(route.authorization.as_str()),
    );
    if !route.parameters.is_empty() {
        let declared: Map<String, Value> = route
            .parameters
            .iter()
            .map(|p| {
                (
                    format!("method.request.{}.{}", p.source.key(), p.name),
                    json!(p.required),
                )
            })
            .collect();
        properties.insert("RequestParameters".into(), Value::Object(declared));
    }
    if validate && route.parameters.iter().any(|p| p.required) {
        properties.insert(
            "RequestValidatorId".into(),
            cfn::reference("RequestValidator"),
        );
    }
    let mut variables = Map::new();
    variables.insert("StateMachineArn".into(), route.state_machine.clone());
    let mut responses = vec![
        json!({
            "StatusCode": "200",
            "ResponseTemplates": {"application/json": vtl::RESULT_TEMPLATE}
        }),
        json!({
            "StatusCode": "400",
            "SelectionPattern": "4\\d{2}",
            "ResponseTemplates": {"application/json": vtl::SERVICE_ERROR_TEMPLATE}
        }),
        json!({
            "StatusCode": "500",
            "SelectionPattern": "5\\d{2}",
            "ResponseTemplates": {"application/json": vtl::SERVICE_ERROR_TEMPLATE}
        }),
    ];
    let mut method_responses: Vec<Value> = ["200", "400", "500", "504"]
        .map(|code| json!({"StatusCode": code}))
        .to_vec();
    if !cors_headers.is_empty() {
        let declared: Map<String, Value> = cors_headers
            .keys()
            .map(|name| (name.clone(), json!(true)))
            .collect();
        for response in &mut responses {
            response["ResponseParameters"] = Value::Object(cors_headers.clone());
        }
        for response in &mut method_responses {
            response["ResponseParameters"] = Value::Object(declared.clone());
        }
    }
    properties.insert(
        "Integration".into(),
        json!({
            "Type": "AWS",
            "IntegrationHttpMethod": "POST",
            "Uri": cfn::sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartSyncExecution"
            ),
            "Credentials": role,
            "PassthroughBehavior": "NEVER",
            "RequestTemplates": {
                "application/json": cfn::sub_with(
                    &vtl::request_template(&route.parameters, route.body),
                    variables
                )
            },
            "IntegrationResponses": responses
        }),
    );
    properties.insert("MethodResponses".into(), Value::Array(method_responses));
    json!({"Type": "AWS::ApiGateway::Method", "Properties": properties})
}
