//! Unit tests of an API of several routes: the shared path resources, the ids, the role,
//! the deployment's hash, and the API-wide options (CORS, access logging, throttling) with
//! their errors.

use super::*;

const GET_ORDER: &str = "arn:aws:states:eu-west-1:123456789012:stateMachine:get-order";
const PUT_ORDER: &str = "arn:aws:states:eu-west-1:123456789012:stateMachine:put-order";

/// GET /orders/{id} and POST /orders, with `extra` props.
fn two_routes(extra: Value) -> Value {
    let mut props = json!({
        "role": {"Fn::GetAtt": ["ApiRole", "Arn"]},
        "routes": [
            {"path": "/orders/{id}", "stateMachine": {"Ref": "GetOrder"}},
            {"path": "/orders", "method": "POST", "stateMachine": {"Ref": "PutOrder"},
             "input": {"headers": [{"name": "X-Request-Id", "required": false}]}}
        ]
    });
    for (key, value) in extra.as_object().into_iter().flatten() {
        props[key] = value.clone();
    }
    props
}

fn push_route(props: &mut Value, route: Value) {
    if let Some(routes) = props["routes"].as_array_mut() {
        routes.push(route);
    }
}

/// A named edit of the props.
type Edit = (&'static str, fn(&mut Value));

fn of_type(fragment: &Fragment, kind: &str) -> Vec<String> {
    fragment
        .resources()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, _)| id.clone())
        .collect()
}

fn properties(fragment: &Fragment, id: &str) -> Value {
    fragment.resources()[id]["Properties"].clone()
}

#[test]
fn routes_share_the_resources_of_their_common_path_segments() {
    let mut props = two_routes(json!({}));
    push_route(
        &mut props,
        json!({"path": "/orders/{id}/items", "stateMachine": {"Ref": "GetOrder"}}),
    );
    let fragment = ok(props);
    assert_eq!(
        of_type(&fragment, "AWS::ApiGateway::Resource"),
        ["PathOrders", "PathOrdersId", "PathOrdersIdItems"]
    );
    let deployment = deployment_id(&fragment);
    assert_eq!(
        ids(&fragment),
        [
            "Resource",
            "PathOrders",
            "PathOrdersId",
            "PathOrdersIdItems",
            "RequestValidator",
            "MethodGetOrdersId",
            "MethodPostOrders",
            "MethodGetOrdersIdItems",
            deployment.as_str(),
            "Stage"
        ]
    );
    assert_eq!(
        properties(&fragment, "PathOrders")["ParentId"],
        json!({"Fn::GetAtt": ["Resource", "RootResourceId"]})
    );
    assert_eq!(
        properties(&fragment, "PathOrdersId"),
        json!({"RestApiId": {"Ref": "Resource"}, "ParentId": {"Ref": "PathOrders"}, "PathPart": "{id}"})
    );
    assert_eq!(
        properties(&fragment, "PathOrdersIdItems")["ParentId"],
        json!({"Ref": "PathOrdersId"})
    );
    for (method, verb, resource) in [
        ("MethodGetOrdersId", "GET", "PathOrdersId"),
        ("MethodPostOrders", "POST", "PathOrders"),
        ("MethodGetOrdersIdItems", "GET", "PathOrdersIdItems"),
    ] {
        let method = properties(&fragment, method);
        assert_eq!(method["HttpMethod"], verb);
        assert_eq!(method["ResourceId"], json!({"Ref": resource}));
    }
    // The deployment waits for every method it deploys.
    assert_eq!(
        fragment.resources()[&deployment]["DependsOn"],
        json!([
            "MethodGetOrdersId",
            "MethodPostOrders",
            "MethodGetOrdersIdItems"
        ])
    );
}

#[test]
fn each_route_declares_its_own_parameters_and_starts_its_own_workflow() {
    let fragment = ok(two_routes(json!({})));
    let get = properties(&fragment, "MethodGetOrdersId");
    assert_eq!(
        get["RequestParameters"],
        json!({"method.request.path.id": true})
    );
    assert_eq!(
        get["RequestValidatorId"],
        json!({"Ref": "RequestValidator"})
    );
    let template = get["Integration"]["RequestTemplates"]["application/json"]["Fn::Sub"].clone();
    assert!(
        template[0]
            .as_str()
            .unwrap_or_default()
            .contains("$p.get('id')")
    );
    assert!(
        !template[0]
            .as_str()
            .unwrap_or_default()
            .contains("$input.json")
    );
    assert_eq!(template[1], json!({"StateMachineArn": {"Ref": "GetOrder"}}));

    let post = properties(&fragment, "MethodPostOrders");
    // Only optional parameters: no validator on this method, though the API has one.
    assert_eq!(
        post["RequestParameters"],
        json!({"method.request.header.X-Request-Id": false})
    );
    assert!(post.get("RequestValidatorId").is_none());
    let template = post["Integration"]["RequestTemplates"]["application/json"]["Fn::Sub"].clone();
    assert!(
        template[0]
            .as_str()
            .unwrap_or_default()
            .contains("$input.json('$')")
    );
    assert_eq!(template[1], json!({"StateMachineArn": {"Ref": "PutOrder"}}));
    for method in [&get, &post] {
        assert_eq!(
            method["Integration"]["Credentials"],
            json!({"Fn::GetAtt": ["ApiRole", "Arn"]})
        );
    }
}

#[test]
fn a_route_takes_the_api_authorization_unless_it_has_its_own() {
    let mut props = two_routes(json!({"authorization": "AWS_IAM"}));
    props["routes"][1]["authorization"] = json!("NONE");
    let fragment = ok(props);
    assert_eq!(
        properties(&fragment, "MethodGetOrdersId")["AuthorizationType"],
        "AWS_IAM"
    );
    assert_eq!(
        properties(&fragment, "MethodPostOrders")["AuthorizationType"],
        "NONE"
    );
}

#[test]
fn the_role_may_start_exactly_the_workflows_of_the_routes_once_each() {
    let mut props = two_routes(json!({}));
    props.as_object_mut().map(|p| p.remove("role"));
    push_route(
        &mut props,
        json!({"path": "/", "stateMachine": {"Ref": "GetOrder"}}),
    );
    push_route(
        &mut props,
        json!({"path": "/orders", "method": "PUT", "stateMachine": PUT_ORDER}),
    );
    let (fragment, roles) = with_role(props);
    assert_eq!(roles.len(), 1, "one role per API");
    assert_eq!(
        roles[0]["statements"],
        json!([{
            "sid": "StartSyncExecution",
            "actions": ["states:StartSyncExecution"],
            "resources": [{"Ref": "GetOrder"}, {"Ref": "PutOrder"}, PUT_ORDER]
        }])
    );
    assert_eq!(
        roles[0]["description"],
        "Lets API Gateway start synchronous executions of the workflows of this API's routes"
    );
    assert_eq!(roles[0]["assumedBy"], json!(["apigateway.amazonaws.com"]));
    for method in of_type(&fragment, "AWS::ApiGateway::Method") {
        assert_eq!(
            properties(&fragment, &method)["Integration"]["Credentials"],
            json!({"Fn::GetAtt": ["ApiRole", "Arn"]}),
            "{method}"
        );
    }
    // The root route's method sits on the root resource.
    assert_eq!(
        properties(&fragment, "MethodGet")["ResourceId"],
        json!({"Fn::GetAtt": ["Resource", "RootResourceId"]})
    );

    // Routes that all start one workflow: the role says so, as a single route's does.
    let (_, roles) = with_role(json!({"routes": [
        {"path": "/a", "stateMachine": GET_ORDER},
        {"path": "/b", "stateMachine": GET_ORDER}
    ]}));
    assert_eq!(roles[0]["statements"][0]["resources"], json!([GET_ORDER]));
    assert_eq!(
        roles[0]["description"],
        "Lets API Gateway start synchronous executions of this one workflow"
    );
}

#[test]
fn adding_a_route_renames_nothing_and_changes_no_other_route() {
    let one = ok(json!({
        "role": {"Fn::GetAtt": ["ApiRole", "Arn"]},
        "routes": [{"path": "/orders/{id}", "stateMachine": {"Ref": "GetOrder"}}]
    }));
    let two = ok(two_routes(json!({})));
    for id in [
        "Resource",
        "PathOrders",
        "PathOrdersId",
        "RequestValidator",
        "MethodGetOrdersId",
    ] {
        assert_eq!(one.resources()[id], two.resources()[id], "{id}");
    }
    assert_eq!(properties(&two, "Stage")["StageName"], "prod");
}

#[test]
fn method_ids_follow_the_verb_and_the_path() {
    assert_eq!(
        crate::routes::method_local_id("GET", Some("PathOrdersOrderId")),
        "MethodGetOrdersOrderId"
    );
    assert_eq!(
        crate::routes::method_local_id("DELETE", None),
        "MethodDelete"
    );
    assert_eq!(
        crate::routes::method_local_id("OPTIONS", Some("PathOrders")),
        "MethodOptionsOrders"
    );
}

#[test]
fn the_deployment_changes_with_any_route_and_only_with_the_routes() {
    let base = deployment_id(&ok(two_routes(json!({}))));
    assert_eq!(base, deployment_id(&ok(two_routes(json!({})))));
    let change = |edit: fn(&mut Value)| {
        let mut props = two_routes(json!({}));
        edit(&mut props);
        deployment_id(&ok(props))
    };
    let changes: [Edit; 9] = [
        ("first route's path", |p| {
            p["routes"][0]["path"] = json!("/orders/{orderId}")
        }),
        ("second route's method", |p| {
            p["routes"][1]["method"] = json!("PUT")
        }),
        ("second route's workflow", |p| {
            p["routes"][1]["stateMachine"] = json!({"Ref": "Other"})
        }),
        ("second route's input", |p| {
            p["routes"][1]["input"] = json!({"queryString": ["dryRun"]})
        }),
        ("first route's authorization", |p| {
            p["routes"][0]["authorization"] = json!("AWS_IAM")
        }),
        ("a route added", |p| {
            push_route(p, json!({"path": "/health", "stateMachine": {"Ref": "X"}}));
        }),
        ("a route removed", |p| {
            p["routes"].as_array_mut().map(|r| r.pop());
        }),
        ("CORS", |p| p["cors"] = json!({"allowOrigin": "*"})),
        ("the role", |p| {
            p["role"] = json!({"Fn::GetAtt": ["Other", "Arn"]})
        }),
    ];
    for (what, edit) in changes {
        assert_ne!(change(edit), base, "{what}");
    }
    // The stage's own settings update the stage in place: no new deployment.
    let stage_only: [Edit; 3] = [
        ("stage name", |p| p["stage"] = json!("v2")),
        ("throttling", |p| p["throttling"] = json!({"rateLimit": 10})),
        ("access log", |p| {
            p["accessLog"] = json!({"destination": {"Fn::GetAtt": ["Logs", "Arn"]}})
        }),
    ];
    for (what, edit) in stage_only {
        assert_eq!(change(edit), base, "{what}");
    }
}

#[test]
fn cors_answers_preflight_on_each_path_and_marks_every_answer() {
    let mut props = two_routes(json!({"cors": {
        "allowOrigin": "https://app.example.com",
        "maxAge": 600,
        "allowCredentials": true
    }}));
    push_route(
        &mut props,
        json!({"path": "/orders", "stateMachine": {"Ref": "GetOrder"}}),
    );
    let fragment = ok(props);
    let deployment = deployment_id(&fragment);
    assert_eq!(
        ids(&fragment)[4..],
        [
            "MethodGetOrdersId",
            "MethodPostOrders",
            "MethodGetOrders",
            "MethodOptionsOrdersId",
            "MethodOptionsOrders",
            "GatewayResponseDefault4xx",
            "GatewayResponseDefault5xx",
            deployment.as_str(),
            "Stage"
        ]
    );
    let preflight = properties(&fragment, "MethodOptionsOrders");
    assert_eq!(preflight["HttpMethod"], "OPTIONS");
    assert_eq!(preflight["AuthorizationType"], "NONE");
    assert_eq!(preflight["ResourceId"], json!({"Ref": "PathOrders"}));
    assert_eq!(preflight["Integration"]["Type"], "MOCK");
    assert_eq!(
        preflight["Integration"]["RequestTemplates"],
        json!({"application/json": "{\"statusCode\": 204}"})
    );
    let h = "method.response.header.Access-Control-";
    assert_eq!(
        preflight["Integration"]["IntegrationResponses"],
        json!([{"StatusCode": "204", "ResponseParameters": {
            format!("{h}Allow-Origin"): "'https://app.example.com'",
            format!("{h}Allow-Credentials"): "'true'",
            format!("{h}Allow-Methods"): "'POST,GET,OPTIONS'",
            // The header the POST route passes to its workflow is allowed too.
            format!("{h}Allow-Headers"): "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Request-Id'",
            format!("{h}Max-Age"): "'600'"
        }}])
    );
    assert_eq!(
        preflight["MethodResponses"][0]["ResponseParameters"][format!("{h}Allow-Methods")],
        true
    );
    assert_eq!(
        properties(&fragment, "MethodOptionsOrdersId")["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
            [format!("{h}Allow-Methods")],
        "'GET,OPTIONS'"
    );

    // Every answer of a real method carries the origin, failures included.
    let method = properties(&fragment, "MethodGetOrdersId");
    let headers = json!({
        format!("{h}Allow-Origin"): "'https://app.example.com'",
        format!("{h}Allow-Credentials"): "'true'"
    });
    for response in method["Integration"]["IntegrationResponses"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_eq!(response["ResponseParameters"], headers);
    }
    let codes: Vec<_> = method["MethodResponses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            assert_eq!(
                r["ResponseParameters"],
                json!({format!("{h}Allow-Origin"): true, format!("{h}Allow-Credentials"): true})
            );
            r["StatusCode"].clone()
        })
        .collect();
    assert_eq!(codes, ["200", "400", "500", "504"]);

    assert_eq!(
        properties(&fragment, "GatewayResponseDefault4xx"),
        json!({
            "RestApiId": {"Ref": "Resource"},
            "ResponseType": "DEFAULT_4XX",
            "ResponseParameters": {
                "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'",
                "gatewayresponse.header.Access-Control-Allow-Credentials": "'true'"
            }
        })
    );
    assert_eq!(
        fragment.resources()[&deployment]["DependsOn"],
        json!([
            "MethodGetOrdersId",
            "MethodPostOrders",
            "MethodGetOrders",
            "MethodOptionsOrdersId",
            "MethodOptionsOrders",
            "GatewayResponseDefault4xx",
            "GatewayResponseDefault5xx"
        ])
    );
}

#[test]
fn cors_on_a_single_route_keeps_its_method_id() {
    let fragment = ok(props(json!({"cors": {"allowOrigin": "*"}})));
    assert_eq!(
        of_type(&fragment, "AWS::ApiGateway::Method"),
        ["Method", "MethodOptionsStart"]
    );
    let preflight = properties(&fragment, "MethodOptionsStart");
    assert_eq!(
        preflight["Integration"]["IntegrationResponses"][0]["ResponseParameters"],
        json!({
            "method.response.header.Access-Control-Allow-Origin": "'*'",
            "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
            "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'"
        })
    );
}

#[test]
fn access_logs_go_to_the_destination_in_the_default_format() {
    let destination = json!({"Fn::GetAtt": ["ApiLogs", "Arn"]});
    let fragment = ok(two_routes(
        json!({"accessLog": {"destination": destination}}),
    ));
    let setting = properties(&fragment, "Stage")["AccessLogSetting"].clone();
    assert_eq!(setting["DestinationArn"], destination);
    let format = setting["Format"].as_str().unwrap_or_default().to_owned();
    assert_eq!(format, DEFAULT_ACCESS_LOG_FORMAT);
    assert!(format.contains("$context.requestId") && !format.contains('\n'));
    // Each line is a JSON object once API Gateway fills in the variables, a missing one
    // being a bare `-`: every variable is quoted.
    let mut line = format.clone();
    while let Some(start) = line.find("$context.") {
        let end = line[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '$'))
            .map_or(line.len(), |n| start + n);
        line.replace_range(start..end, "-");
    }
    let parsed: Value = serde_json::from_str(&line).expect("the default format is JSON");
    assert_eq!(parsed["status"], "-");
    assert_eq!(parsed["errorType"], "-");

    let custom = "$context.requestId $context.status";
    let fragment = ok(two_routes(json!({"accessLog": {
        "destination": "arn:aws:logs:eu-west-1:123456789012:log-group:api",
        "format": custom
    }})));
    assert_eq!(
        properties(&fragment, "Stage")["AccessLogSetting"]["Format"],
        custom
    );
}

#[test]
fn throttling_applies_to_every_method_of_the_stage() {
    let stage = |throttling: Value| {
        properties(&ok(two_routes(json!({"throttling": throttling}))), "Stage")["MethodSettings"]
            .clone()
    };
    assert_eq!(
        stage(json!({"rateLimit": 100, "burstLimit": 200})),
        json!([{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200}])
    );
    assert_eq!(
        stage(json!({"rateLimit": 2.5})),
        json!([{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 2.5}])
    );
    assert_eq!(
        stage(json!({"burstLimit": 0})),
        json!([{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 0}])
    );
    assert!(
        properties(&ok(two_routes(json!({}))), "Stage")
            .get("MethodSettings")
            .is_none()
    );
}

#[test]
fn each_mistake_is_reported_at_its_prop() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"path": "/x"}), "/path", "give it on each route"),
        (json!({"input": {}}), "/input", "give it on each route"),
        (
            json!({"method": "GET"}),
            "/method",
            "is for an API of one route",
        ),
        (
            json!({"cors": {"allowOrigin": "app.example.com"}}),
            "/cors/allowOrigin",
            "is not an origin",
        ),
        (
            json!({"cors": {"allowOrigin": "https://a.example/path"}}),
            "/cors/allowOrigin",
            "and nothing else",
        ),
        (
            json!({"cors": {"allowOrigin": "*", "allowCredentials": true}}),
            "/cors/allowCredentials",
            "any origin",
        ),
        (
            json!({"cors": {"allowOrigin": "*", "allowHeaders": ["X 1"]}}),
            "/cors/allowHeaders/0",
            "may hold only",
        ),
        (
            json!({"cors": {"allowOrigin": "*", "allowHeaders": ["X-A", "x-a"]}}),
            "/cors/allowHeaders/1",
            "already allowed as item 0",
        ),
        (
            json!({"cors": {"allowOrigin": "*", "maxAge": 90000}}),
            "/cors/maxAge",
            "at most 86400",
        ),
        (
            json!({"accessLog": {"destination": "arn:aws:s3:::bucket"}}),
            "/accessLog/destination",
            "not the ARN of a log group",
        ),
        (
            json!({"accessLog": {"destination": "logs"}}),
            "/accessLog/destination",
            "`${ApiLogs.arn}`",
        ),
        (
            json!({"accessLog": {"destination": {"Ref": "L"}, "format": "$context.status"}}),
            "/accessLog/format",
            "`$context.requestId`",
        ),
        (json!({"throttling": {}}), "/throttling", "changes nothing"),
        (
            json!({"throttling": {"rateLimit": 0}}),
            "/throttling/rateLimit",
            "positive number",
        ),
    ];
    for (extra, at, fragment) in cases {
        let (path, message) = error(two_routes(extra.clone()));
        assert_eq!(path, at, "{extra}: {message}");
        assert!(message.contains(fragment), "{extra}: {message}");
    }
}

#[test]
fn each_route_is_checked_at_its_own_pointer() {
    let route_error = |second: Value| {
        let mut props = two_routes(json!({}));
        props["routes"][1] = second;
        error(props)
    };
    let cases = [
        (
            json!({"path": "orders", "stateMachine": GET_ORDER}),
            "/routes/1/path",
            "must start with `/`",
        ),
        (
            json!({"path": "/x", "stateMachine": "get-order"}),
            "/routes/1/stateMachine",
            "is not an ARN",
        ),
        (
            json!({"path": "/x", "stateMachine": GET_ORDER, "input": {"queryString": ["a", "a"]}}),
            "/routes/1/input/queryString/1",
            "same name",
        ),
        (
            json!({"path": "/orders/{id}", "stateMachine": PUT_ORDER}),
            "/routes/1/method",
            "the route at `/routes/0` is already `GET /orders/{id}`",
        ),
        (
            json!({"path": "/orders/{orderId}", "method": "DELETE", "stateMachine": PUT_ORDER}),
            "/routes/1/path",
            "has `{id}`, and API Gateway allows one parameter per level under `/orders`",
        ),
    ];
    for (route, at, fragment) in cases {
        let (path, message) = route_error(route.clone());
        assert_eq!(path, at, "{route}: {message}");
        assert!(message.contains(fragment), "{route}: {message}");
    }
    // Paths the local ids cannot tell apart.
    let (path, message) = error(json!({"role": "arn:aws:iam::1:role/r", "routes": [
        {"path": "/line-items", "stateMachine": GET_ORDER},
        {"path": "/lineItems", "stateMachine": GET_ORDER}
    ]}));
    assert_eq!(path, "/routes/1/path");
    assert!(
        message.contains("both give the resource id `PathLineItems`"),
        "{message}"
    );
    // No route at all.
    let (path, message) = error(json!({"role": "arn:aws:iam::1:role/r", "path": "/x"}));
    assert_eq!(path, "");
    assert!(
        message.contains("add `stateMachine` for one route, or `routes`"),
        "{message}"
    );
}
