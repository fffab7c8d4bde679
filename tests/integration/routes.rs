//! One REST API of several routes (`api-integration`'s `routes`), end to end with the real
//! binary and the built-in plugins: GET /orders/{id} and POST /orders starting two express
//! workflows share one API, one role, one deployment and one stage.

use serde_json::{Value, json};

use crate::support::Project;

/// The orders stack, with `post` as the second route's method and `get_path` as the first
/// route's path.
fn orders_stack(get_path: &str, post: &str) -> String {
    format!(
        r#"name: Orders
constructs:
  Logs:
    plugin: logging
  GetOrder:
    plugin: express-workflow
    props:
      logging: {{destination: "${{Logs.arn}}", level: ERROR}}
      definition: {{StartAt: Read, States: {{Read: {{Type: Pass, End: true}}}}}}
  PutOrder:
    plugin: express-workflow
    props:
      logging: {{destination: "${{Logs.arn}}", level: ERROR}}
      definition: {{StartAt: Write, States: {{Write: {{Type: Pass, End: true}}}}}}
  Api:
    plugin: api-integration
    props:
      authorization: AWS_IAM
      routes:
        - path: {get_path}
          stateMachine: ${{GetOrder.arn}}
        - path: /orders
          method: {post}
          stateMachine: ${{PutOrder.arn}}
      cors: {{allowOrigin: "https://app.example.com"}}
      accessLog: {{destination: "${{Logs.arn}}"}}
      throttling: {{rateLimit: 50, burstLimit: 100}}
"#
    )
}

fn synth_json(stack: &str) -> Value {
    let project = Project::new(stack);
    let run = project.synth(&["--format", "json"]);
    serde_json::from_str(run.success()).expect("the template is JSON")
}

/// The logical ids of the resources of `kind`, in template order.
fn of_type(template: &Value, kind: &str) -> Vec<String> {
    template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, resource)| resource["Type"] == kind)
        .map(|(id, _)| id.clone())
        .collect()
}

fn deployment(template: &Value) -> String {
    let deployments = of_type(template, "AWS::ApiGateway::Deployment");
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    deployments[0].clone()
}

#[test]
fn two_routes_share_one_api_one_role_and_the_orders_resource() {
    let template = synth_json(&orders_stack("/orders/{id}", "POST"));
    let resources = &template["Resources"];
    assert_eq!(of_type(&template, "AWS::ApiGateway::RestApi"), ["Api"]);
    assert_eq!(of_type(&template, "AWS::ApiGateway::Stage"), ["ApiStage"]);
    assert_eq!(
        of_type(&template, "AWS::IAM::Role").len(),
        3,
        "two workflows' and the API's"
    );

    // `/orders` is one resource, the parent of `{id}`.
    assert_eq!(
        of_type(&template, "AWS::ApiGateway::Resource"),
        ["ApiPathOrders", "ApiPathOrdersId"]
    );
    assert_eq!(
        resources["ApiPathOrders"]["Properties"],
        json!({"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "orders"})
    );
    assert_eq!(
        resources["ApiPathOrdersId"]["Properties"],
        json!({"RestApiId": {"Ref": "Api"}, "ParentId": {"Ref": "ApiPathOrders"}, "PathPart": "{id}"})
    );

    assert_eq!(
        of_type(&template, "AWS::ApiGateway::Method"),
        [
            "ApiMethodGetOrdersId",
            "ApiMethodPostOrders",
            "ApiMethodOptionsOrdersId",
            "ApiMethodOptionsOrders"
        ]
    );
    for (method, verb, resource, workflow) in [
        ("ApiMethodGetOrdersId", "GET", "ApiPathOrdersId", "GetOrder"),
        ("ApiMethodPostOrders", "POST", "ApiPathOrders", "PutOrder"),
    ] {
        let properties = &resources[method]["Properties"];
        assert_eq!(properties["HttpMethod"], verb, "{method}");
        assert_eq!(properties["AuthorizationType"], "AWS_IAM", "{method}");
        assert_eq!(
            properties["ResourceId"],
            json!({"Ref": resource}),
            "{method}"
        );
        let integration = &properties["Integration"];
        assert_eq!(
            integration["RequestTemplates"]["application/json"]["Fn::Sub"][1],
            json!({"StateMachineArn": {"Ref": workflow}}),
            "{method}"
        );
        assert_eq!(
            integration["Credentials"],
            json!({"Fn::GetAtt": ["ApiRole", "Arn"]})
        );
    }
    assert_eq!(
        resources["ApiMethodGetOrdersId"]["Properties"]["RequestParameters"],
        json!({"method.request.path.id": true})
    );
    assert_eq!(
        resources["ApiMethodOptionsOrders"]["Properties"]["Integration"]["IntegrationResponses"][0]
            ["ResponseParameters"]["method.response.header.Access-Control-Allow-Methods"],
        "'POST,OPTIONS'"
    );

    // One role, allowed to start exactly the two workflows.
    let role = &resources["ApiRole"]["Properties"];
    assert_eq!(
        role["Policies"],
        json!([{
            "PolicyName": "ApiRolePolicy",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "StartSyncExecution",
                    "Effect": "Allow",
                    "Action": ["states:StartSyncExecution"],
                    "Resource": [{"Ref": "GetOrder"}, {"Ref": "PutOrder"}]
                }]
            }
        }])
    );

    let deployment = deployment(&template);
    assert_eq!(
        resources[&deployment]["DependsOn"],
        json!([
            "ApiMethodGetOrdersId",
            "ApiMethodPostOrders",
            "ApiMethodOptionsOrdersId",
            "ApiMethodOptionsOrders",
            "ApiGatewayResponseDefault4xx",
            "ApiGatewayResponseDefault5xx"
        ])
    );
    let stage = &resources["ApiStage"]["Properties"];
    assert_eq!(stage["DeploymentId"], json!({"Ref": deployment}));
    assert_eq!(
        stage["AccessLogSetting"]["DestinationArn"],
        json!({"Fn::GetAtt": ["Logs", "Arn"]})
    );
    assert_eq!(
        stage["MethodSettings"],
        json!([{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100}])
    );
}

#[test]
fn the_stack_passes_validate() {
    let project = Project::new(&orders_stack("/orders/{id}", "POST"));
    let run = crate::support::stackweave_in(project.dir.path(), &["validate", "stack.yaml"]);
    assert_contains!(run.success(), "0 errors, 0 warnings, 0 undecided");
}

#[test]
fn changing_any_route_recreates_the_deployment() {
    let base = deployment(&synth_json(&orders_stack("/orders/{id}", "POST")));
    assert_eq!(
        base,
        deployment(&synth_json(&orders_stack("/orders/{id}", "POST"))),
        "the same stack gives the same deployment"
    );
    let method_changed = deployment(&synth_json(&orders_stack("/orders/{id}", "PUT")));
    let path_changed = deployment(&synth_json(&orders_stack("/orders/{orderId}", "POST")));
    assert_ne!(method_changed, base);
    assert_ne!(path_changed, base);
    assert_ne!(method_changed, path_changed);
}

#[test]
fn a_mistake_in_one_route_names_its_line() {
    let project = Project::new(&orders_stack("/orders/{id}", "POST").replace(
        "        - path: /orders\n",
        "        - path: /orders/{orderId}\n",
    ));
    let stderr = project.synth(&[]).failure().to_string();
    assert_contains!(
        stderr,
        "error: the path parameter `{orderId}` sits where the route at `/routes/0` has `{id}`",
        "--> stack.yaml:22:17",
        "= construct: Api",
        "= plugin: `api-integration` (built-in)"
    );
}
