//! Unit tests of the `api-integration` construct: its resources, its mapping templates, each
//! diagnostic, and the schema.

use super::*;
use crate::props::{
    default_stage, example_props, private_example_props, required_by_default, routes_example_props,
};
use crate::routes::pascal_case;
use stackweave_plugin::testing;

mod routes;

fn ok(props: Value) -> Fragment {
    testing::ok::<ApiIntegration>("Api", props)
}

fn errors(props: Value) -> Vec<Diagnostic> {
    testing::errors::<ApiIntegration>("Api", props)
}

fn error(props: Value) -> (String, String) {
    testing::single_error::<ApiIntegration>("Api", props)
}

fn props(extra: Value) -> Value {
    let mut props = json!({
        "stateMachine": {"Ref": "Workflow"},
        "role": {"Fn::GetAtt": ["ApiRole", "Arn"]},
        "path": "/start"
    });
    for (key, value) in extra.as_object().into_iter().flatten() {
        props[key] = value.clone();
    }
    props
}

fn ids(fragment: &Fragment) -> Vec<String> {
    fragment.resources().keys().cloned().collect()
}

fn deployment_id(fragment: &Fragment) -> String {
    ids(fragment)
        .into_iter()
        .find(|id| id.starts_with("Deployment"))
        .unwrap_or_default()
}

fn method(fragment: &Fragment) -> Value {
    fragment.resources()["Method"]["Properties"].clone()
}

fn request_template(fragment: &Fragment) -> String {
    let sub = &method(fragment)["Integration"]["RequestTemplates"]["application/json"]["Fn::Sub"];
    sub[0].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_bare_get_gives_api_path_method_deployment_and_stage() {
    let fragment = ok(props(json!({})));
    let deployment = deployment_id(&fragment);
    assert_eq!(
        ids(&fragment),
        [
            "Resource",
            "PathStart",
            "Method",
            deployment.as_str(),
            "Stage"
        ]
    );
    assert_eq!(deployment.len(), "Deployment".len() + 8);
    let resources = fragment.resources();
    assert_eq!(
        resources["Resource"],
        json!({
            "Type": "AWS::ApiGateway::RestApi",
            "Properties": {
                "Name": {"Fn::Sub": "${AWS::StackName}-Api"},
                "EndpointConfiguration": {"Types": ["REGIONAL"]}
            }
        })
    );
    assert_eq!(
        resources["PathStart"],
        json!({
            "Type": "AWS::ApiGateway::Resource",
            "Properties": {
                "RestApiId": {"Ref": "Resource"},
                "ParentId": {"Fn::GetAtt": ["Resource", "RootResourceId"]},
                "PathPart": "start"
            }
        })
    );
    assert_eq!(
        resources[&deployment],
        json!({
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": ["Method"],
            "Properties": {"RestApiId": {"Ref": "Resource"}}
        })
    );
    assert_eq!(
        resources["Stage"],
        json!({
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {
                "RestApiId": {"Ref": "Resource"},
                "DeploymentId": {"Ref": deployment},
                "StageName": "prod"
            }
        })
    );
    assert_eq!(
        fragment.attributes(),
        [
            ("id".to_string(), json!({"Ref": "Resource"})),
            (
                "url".to_string(),
                json!({"Fn::Sub": "https://${Resource}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}"})
            ),
            ("stage".to_string(), json!({"Ref": "Stage"})),
        ]
    );
    assert!(fragment.warnings().is_empty());
}

#[test]
fn the_method_integrates_start_sync_execution_directly() {
    let fragment = ok(props(json!({})));
    let method = method(&fragment);
    assert_eq!(method["HttpMethod"], "GET");
    assert_eq!(method["AuthorizationType"], "NONE");
    assert_eq!(method["ResourceId"], json!({"Ref": "PathStart"}));
    assert!(method.get("RequestParameters").is_none());
    assert!(method.get("RequestValidatorId").is_none());
    let integration = &method["Integration"];
    assert_eq!(integration["Type"], "AWS");
    assert_eq!(integration["IntegrationHttpMethod"], "POST");
    assert_eq!(
        integration["Uri"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartSyncExecution"})
    );
    assert_eq!(
        integration["Credentials"],
        json!({"Fn::GetAtt": ["ApiRole", "Arn"]})
    );
    assert_eq!(integration["PassthroughBehavior"], "NEVER");
    assert_eq!(
        integration["RequestTemplates"]["application/json"]["Fn::Sub"][1],
        json!({"StateMachineArn": {"Ref": "Workflow"}})
    );
    let responses = integration["IntegrationResponses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let codes: Vec<_> = responses
        .iter()
        .map(|r| (r["StatusCode"].clone(), r.get("SelectionPattern").cloned()))
        .collect();
    assert_eq!(
        codes,
        [
            (json!("200"), None),
            (json!("400"), Some(json!("4\\d{2}"))),
            (json!("500"), Some(json!("5\\d{2}")))
        ]
    );
    assert_eq!(
        responses[0]["ResponseTemplates"]["application/json"],
        vtl::RESULT_TEMPLATE
    );
    assert_eq!(
        method["MethodResponses"],
        json!([{"StatusCode": "200"}, {"StatusCode": "400"}, {"StatusCode": "500"}, {"StatusCode": "504"}])
    );
}

#[test]
fn a_get_without_inputs_starts_with_an_empty_input() {
    let template = request_template(&ok(props(json!({}))));
    assert!(
        template.ends_with("{\"input\": \"{}\", \"stateMachineArn\": \"${StateMachineArn}\"}\n")
    );
    assert!(!template.contains("$input.json"));
}

#[test]
fn every_input_is_declared_on_the_method_under_the_name_the_template_reads() {
    let fragment = ok(props(json!({
        "path": "/orders/{orderId}",
        "input": {
            "queryString": ["page", {"name": "sort", "required": false}],
            "headers": [{"name": "X-Request-Id"}]
        }
    })));
    let method = method(&fragment);
    assert_eq!(
        method["RequestParameters"],
        json!({
            "method.request.path.orderId": true,
            "method.request.querystring.page": true,
            "method.request.querystring.sort": false,
            "method.request.header.X-Request-Id": true
        })
    );
    assert_eq!(
        method["RequestValidatorId"],
        json!({"Ref": "RequestValidator"})
    );
    assert_eq!(
        fragment.resources()["RequestValidator"],
        json!({
            "Type": "AWS::ApiGateway::RequestValidator",
            "Properties": {
                "RestApiId": {"Ref": "Resource"},
                "ValidateRequestParameters": true,
                "ValidateRequestBody": false
            }
        })
    );
    let template = request_template(&fragment);
    for read in [
        "$p.containsKey('orderId')",
        "$p.get('orderId')",
        "$q.containsKey('page')",
        "$q.get('page')",
        "$q.get('sort')",
        "$k.equalsIgnoreCase('X-Request-Id')",
    ] {
        assert!(template.contains(read), "{read} missing from {template}");
    }
    for key in ["orderId", "page", "sort", "X-Request-Id"] {
        assert!(template.contains(&format!("\\\"{key}\\\": #if(")), "{key}");
    }
}

#[test]
fn the_request_template_is_exactly_as_designed() {
    let parameters = [
        RequestParameter {
            name: "id".into(),
            source: Source::Path,
            required: true,
        },
        RequestParameter {
            name: "q".into(),
            source: Source::QueryString,
            required: false,
        },
        RequestParameter {
            name: "X-A".into(),
            source: Source::Header,
            required: false,
        },
    ];
    let twice = |n: usize| {
        format!(
            "$util.escapeJavaScript($util.escapeJavaScript($v{n}).replaceAll(\"\\\\'\", \"'\")).replaceAll(\"\\\\'\", \"'\")"
        )
    };
    let expected = format!(
        "## The execution input is JSON inside a JSON string: each request value is escaped twice.\n\
         #set($p = $input.params().path)\n\
         #set($q = $input.params().querystring)\n\
         #set($h = $input.params().header)\n\
         #set($f0 = $p.containsKey('id'))\n\
         #set($v0 = $p.get('id'))\n\
         #set($f1 = $q.containsKey('q'))\n\
         #set($v1 = $q.get('q'))\n\
         #set($f2 = false)\n\
         #set($v2 = '')\n\
         #foreach($k in $h.keySet())#if($k.equalsIgnoreCase('X-A'))#set($v2 = $h.get($k))#set($f2 = true)#end#end\n\
         {{\"input\": \"{{\\\"id\\\": #if($f0)\\\"{}\\\"#{{else}}null#end, \
         \\\"q\\\": #if($f1)\\\"{}\\\"#{{else}}null#end, \
         \\\"X-A\\\": #if($f2)\\\"{}\\\"#{{else}}null#end, \
         \\\"body\\\": $util.escapeJavaScript($input.json('$')).replaceAll(\"\\\\'\", \"'\")}}\", \
         \"stateMachineArn\": \"${{StateMachineArn}}\"}}\n",
        twice(0),
        twice(1),
        twice(2)
    );
    assert_eq!(vtl::request_template(&parameters, true), expected);
}

#[test]
fn the_request_template_has_no_sub_variable_but_the_state_machine() {
    let template = request_template(&ok(props(json!({
        "path": "/orders/{orderId}",
        "method": "POST",
        "input": {"queryString": ["page"], "headers": ["X-Id"]}
    }))));
    assert_eq!(template.matches("${").count(), 1, "{template}");
    assert!(template.contains("\"${StateMachineArn}\""));
    // One line for the input, or a raw line break would land in a JSON string.
    let last = template.lines().last().unwrap_or_default();
    assert!(last.starts_with("{\"input\": \"{") && last.contains("\\\"body\\\": "));
}

#[test]
fn the_response_templates_never_use_sub_syntax_and_map_the_status() {
    for template in [vtl::RESULT_TEMPLATE, vtl::SERVICE_ERROR_TEMPLATE] {
        assert!(!template.contains("${"));
        assert!(template.contains("replaceAll(\"\\\\'\", \"'\")"));
    }
    let result = vtl::RESULT_TEMPLATE;
    assert!(result.contains("$input.path('$.status')"));
    assert!(result.contains("#if($status == 'SUCCEEDED')\n$!input.path('$.output')"));
    assert!(
        result
            .contains("#if($status == 'TIMED_OUT')\n#set($context.responseOverride.status = 504)")
    );
    assert!(result.contains("#else\n#set($context.responseOverride.status = 500)"));
    assert!(result.contains("\"cause\": \"$!util.escapeJavaScript($input.path('$.cause'))"));
}

#[test]
fn body_defaults_follow_the_method() {
    for (method, body) in [
        ("GET", false),
        ("DELETE", false),
        ("POST", true),
        ("PUT", true),
        ("PATCH", true),
    ] {
        let fragment = ok(props(json!({"method": method})));
        assert_eq!(method_of(&fragment), method);
        assert_eq!(
            request_template(&fragment).contains("$input.json('$')"),
            body,
            "{method}"
        );
    }
    let fragment = ok(props(json!({"method": "POST", "input": {"body": false}})));
    assert!(!request_template(&fragment).contains("$input.json"));
    let fragment = ok(props(json!({"input": {"body": true}})));
    assert!(
        request_template(&fragment)
            .contains("\\\"body\\\": $util.escapeJavaScript($input.json('$'))")
    );
}

fn method_of(fragment: &Fragment) -> String {
    method(fragment)["HttpMethod"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn optional_parameters_alone_need_no_validator() {
    let fragment = ok(props(
        json!({"input": {"queryString": [{"name": "page", "required": false}]}}),
    ));
    assert!(!ids(&fragment).contains(&"RequestValidator".to_string()));
    assert!(method(&fragment).get("RequestValidatorId").is_none());
    assert_eq!(
        method(&fragment)["RequestParameters"],
        json!({"method.request.querystring.page": false})
    );
}

#[test]
fn path_segments_become_nested_resources_named_after_the_path() {
    let fragment = ok(props(json!({"path": "/orders/{orderId}/line-items.v2"})));
    let resources = fragment.resources();
    assert_eq!(
        ids(&fragment)[..5],
        [
            "Resource",
            "PathOrders",
            "PathOrdersOrderId",
            "PathOrdersOrderIdLineItemsV2",
            "RequestValidator"
        ]
    );
    assert_eq!(
        resources["PathOrdersOrderId"]["Properties"]["PathPart"],
        "{orderId}"
    );
    assert_eq!(
        resources["PathOrdersOrderId"]["Properties"]["ParentId"],
        json!({"Ref": "PathOrders"})
    );
    assert_eq!(
        method(&fragment)["ResourceId"],
        json!({"Ref": "PathOrdersOrderIdLineItemsV2"})
    );
}

#[test]
fn the_root_path_uses_the_root_resource() {
    let fragment = ok(props(json!({"path": "/"})));
    assert!(!ids(&fragment).iter().any(|id| id.starts_with("Path")));
    assert_eq!(
        method(&fragment)["ResourceId"],
        json!({"Fn::GetAtt": ["Resource", "RootResourceId"]})
    );
}

#[test]
fn every_optional_prop_is_applied() {
    let fragment = ok(props(json!({
        "method": "DELETE",
        "name": "orders-api",
        "description": "orders",
        "stage": "v1",
        "endpointType": "EDGE",
        "authorization": "AWS_IAM"
    })));
    let api = &fragment.resources()["Resource"]["Properties"];
    assert_eq!(api["Name"], "orders-api");
    assert_eq!(api["Description"], "orders");
    assert_eq!(api["EndpointConfiguration"], json!({"Types": ["EDGE"]}));
    assert_eq!(
        fragment.resources()["Stage"]["Properties"]["StageName"],
        "v1"
    );
    assert_eq!(method(&fragment)["AuthorizationType"], "AWS_IAM");
    assert_eq!(method(&fragment)["HttpMethod"], "DELETE");
}

#[test]
fn a_private_api_lets_only_its_endpoints_invoke_it() {
    let endpoint = json!({"Ref": "Endpoint"});
    let fragment = ok(props(
        json!({"endpointType": "PRIVATE", "vpcEndpointIds": [endpoint]}),
    ));
    let api = &fragment.resources()["Resource"]["Properties"];
    assert_eq!(
        api["EndpointConfiguration"],
        json!({"Types": ["PRIVATE"], "VpcEndpointIds": [{"Ref": "Endpoint"}]})
    );
    assert_eq!(
        api["Policy"]["Statement"][0]["Condition"],
        json!({"StringEquals": {"aws:SourceVpce": [{"Ref": "Endpoint"}]}})
    );
    assert_eq!(
        api["Policy"]["Statement"][0]["Action"],
        "execute-api:Invoke"
    );
}

#[test]
fn endpoint_settings_must_agree() {
    let (path, message) = error(props(json!({"endpointType": "PRIVATE"})));
    assert_eq!(path, "/endpointType");
    assert!(message.contains("add `vpcEndpointIds"));
    let (path, message) = error(props(json!({"vpcEndpointIds": ["vpce-1"]})));
    assert_eq!(path, "/vpcEndpointIds");
    assert!(message.contains("this one is REGIONAL"));
}

#[test]
fn any_change_to_the_api_gives_a_new_deployment_and_none_else_does() {
    let base = deployment_id(&ok(props(json!({}))));
    assert_eq!(base, deployment_id(&ok(props(json!({})))));
    for change in [
        json!({"path": "/begin"}),
        json!({"method": "POST"}),
        json!({"input": {"queryString": ["page"]}}),
        json!({"stateMachine": {"Ref": "Other"}}),
        json!({"authorization": "AWS_IAM"}),
    ] {
        assert_ne!(deployment_id(&ok(props(change.clone()))), base, "{change}");
    }
    // The stage is not part of the deployment.
    assert_eq!(deployment_id(&ok(props(json!({"stage": "v2"})))), base);
}

#[test]
fn pascal_case_keeps_letters_and_digits() {
    assert_eq!(pascal_case("start"), "Start");
    assert_eq!(pascal_case("{orderId}"), "OrderId");
    assert_eq!(pascal_case("line-items.v2"), "LineItemsV2");
    assert_eq!(pascal_case("2024"), "2024");
}

#[test]
fn bad_paths_are_refused() {
    for (path, fragment) in [
        ("start", "must start with `/`"),
        ("/start/", "empty segment"),
        ("/a//b", "empty segment"),
        ("/files/{proxy+}", "greedy path parameter"),
        ("/{}", "needs a name"),
        ("/{order-id}", "needs a name"),
        ("/a b", "may hold letters"),
        ("/_", "at least one letter or digit"),
    ] {
        let (at, message) = error(props(json!({ "path": path })));
        assert_eq!(at, "/path");
        assert!(message.contains(fragment), "{path}: {message}");
    }
}

#[test]
fn input_names_must_be_unique() {
    let (path, message) = error(props(json!({
        "path": "/orders/{orderId}",
        "input": {"queryString": ["orderId"]}
    })));
    assert_eq!(path, "/input/queryString/0");
    assert!(
        message.contains("same name as the path parameter `orderId`"),
        "{message}"
    );

    let (path, _) = error(props(
        json!({"input": {"queryString": ["a", {"name": "a", "required": false}]}}),
    ));
    assert_eq!(path, "/input/queryString/1/name");

    let (path, message) = error(props(json!({"input": {"headers": ["X-Id", "x-id"]}})));
    assert_eq!(path, "/input/headers/1");
    assert!(message.contains("header `X-Id`"));

    let (path, _) = error(props(
        json!({"input": {"queryString": ["id"], "headers": ["id"]}}),
    ));
    assert_eq!(path, "/input/headers/0");

    // A header and a query parameter differing in case are different keys of the input.
    ok(props(
        json!({"input": {"queryString": ["id"], "headers": ["ID"]}}),
    ));

    let (path, _) = error(props(json!({"path": "/{id}/{id}"})));
    assert_eq!(path, "/path");
}

#[test]
fn body_is_reserved_when_the_body_is_passed() {
    let (path, message) = error(props(
        json!({"method": "POST", "input": {"queryString": ["body"]}}),
    ));
    assert_eq!(path, "/input/queryString/0");
    assert!(message.contains("`input.body: false`"));
    let (path, _) = error(props(json!({"method": "POST", "path": "/{body}"})));
    assert_eq!(path, "/path");
    ok(props(json!({"input": {"queryString": ["body"]}})));
}

#[test]
fn parameter_names_are_checked() {
    let (path, message) = error(props(json!({"input": {"headers": [{"name": "X Id"}]}})));
    assert_eq!(path, "/input/headers/0/name");
    assert!(message.starts_with("the header name `X Id` may hold only"));
    let (path, _) = error(props(json!({"input": {"queryString": ["it's"]}})));
    assert_eq!(path, "/input/queryString/0");
}

#[test]
fn plain_arns_and_stages_are_checked() {
    let (path, message) = error(props(json!({"stateMachine": "orders"})));
    assert_eq!(path, "/stateMachine");
    assert!(message.contains("`${Workflow.arn}`"));
    assert_eq!(
        message,
        "`orders` is not an ARN; write the state machine's ARN, or a reference to its construct such as `${Workflow.arn}`"
    );
    let (path, message) = error(props(json!({"role": "api-role"})));
    assert_eq!(path, "/role");
    assert_eq!(
        message,
        "`api-role` is not an ARN; write the role API Gateway assumes's ARN, or a reference to its construct such as `${Workflow.arn}`"
    );
    let (path, _) = error(props(json!({"stage": "prod stage"})));
    assert_eq!(path, "/stage");
    ok(props(json!({
        "stateMachine": "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
        "role": "arn:aws:iam::123456789012:role/api"
    })));
}

#[test]
fn errors_are_reported_together() {
    let e = errors(props(json!({"path": "start", "stage": "", "role": "x"})));
    assert_eq!(e.len(), 3, "{e:?}");
}

#[test]
fn the_seed_defect_cannot_recur() {
    // The blog read `param` but declared `example`; here the declaration and the read come
    // from the same list.
    let fragment = ok(props(
        json!({"input": {"queryString": [{"name": "param", "required": false}]}}),
    ));
    let declared: Vec<String> = method(&fragment)["RequestParameters"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    assert_eq!(declared, ["method.request.querystring.param"]);
    assert!(request_template(&fragment).contains("$q.get('param')"));
}

fn schema() -> Value {
    stackweave_plugin::props_schema::<ApiIntegration>()
}

#[test]
fn every_example_in_the_schema_fits_its_schema() {
    testing::assert_schema_examples_fit::<ApiIntegration>(6);
}
#[test]
fn the_schema_says_what_is_wrong_where() {
    let schema = schema();
    let errors = |props: Value| testing::schema_errors(&schema, &props);
    let base = json!({"stateMachine": "${Workflow.arn}", "role": "${ApiRole.arn}", "path": "/"});
    assert_eq!(errors(base.clone()), Vec::<String>::new());
    let with = |extra: Value| {
        let mut props = base.clone();
        for (key, value) in extra.as_object().into_iter().flatten() {
            props[key] = value.clone();
        }
        errors(props)
    };
    assert_eq!(
        with(json!({"method": "HEAD", "authorization": "IAM", "stage": "prod stage"})),
        [
            // The validator names only some of four or more choices, as it did with the
            // hand-written schema.
            r#"props/method: "HEAD" is not one of "GET", "POST" or 3 other candidates"#,
            r#"props/authorization: "IAM" is not one of "NONE" or "AWS_IAM""#,
            r#"props/stage: "prod stage" does not match "^[A-Za-z0-9_-]{1,128}$""#,
        ]
    );
    assert_eq!(
        with(json!({"vpcEndpointIds": [], "input": {"queryString": [""], "body": 1}})),
        [
            "props/vpcEndpointIds: [] has less than 1 item",
            r#"props/input/queryString/0: "" is not valid under any of the schemas listed in the 'anyOf' keyword"#,
            r#"props/input/body: 1 is not of type "boolean""#,
        ]
    );
}

#[test]
fn the_schema_examples_fit_the_props() {
    let schema = schema();
    let examples = schema["examples"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        examples,
        [
            example_props(),
            private_example_props(),
            routes_example_props()
        ]
    );
    for example in examples {
        let props: ApiIntegrationProps =
            serde_json::from_value(example.clone()).expect("example deserialises");
        assert!(props.path.is_some() || !props.routes.is_empty());
        with_role(example);
    }
    let input = &schema["properties"]["input"];
    for list in ["queryString", "headers"] {
        let examples = input["properties"][list]["examples"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(examples.len(), 1, "{list}");
        for example in examples {
            let parameters: Vec<Parameter> =
                serde_json::from_value(example.clone()).expect("parameters deserialise");
            assert!(!parameters.is_empty());
            ok(props(json!({"input": {list: example}})));
        }
    }
}

#[test]
fn every_prop_is_documented() {
    assert_eq!(
        testing::schema_problems::<ApiIntegration>(),
        Vec::<String>::new()
    );
    assert_eq!(schema()["title"], "api-integration");
}

#[test]
fn the_schema_agrees_with_the_code() {
    let schema = schema();
    // Either form of routes may be given, which the plugin checks (with clearer messages
    // than a schema's `oneOf`).
    assert_eq!(schema.get("required"), None);
    let properties = &schema["properties"];
    let route = &properties["routes"]["items"];
    assert_eq!(route["required"], json!(["path", "stateMachine"]));
    assert_eq!(route["properties"]["method"]["default"], "GET");
    assert_eq!(properties["routes"]["minItems"], 1);
    assert_eq!(
        properties["cors"]["properties"]["allowHeaders"]["default"],
        json!(crate::props::default_allow_headers())
    );
    assert_eq!(properties["stage"]["default"], default_stage());
    for (prop, default, values) in [
        (
            "method",
            HttpMethod::default().as_str(),
            json!(["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ),
        (
            "endpointType",
            EndpointType::default().as_str(),
            json!(["REGIONAL", "EDGE", "PRIVATE"]),
        ),
        (
            "authorization",
            Authorization::default().as_str(),
            json!(["NONE", "AWS_IAM"]),
        ),
    ] {
        assert_eq!(properties[prop]["default"], default, "{prop}");
        assert_eq!(properties[prop]["enum"], values, "{prop}");
    }
    // A default of [] would break its own `minItems`.
    assert_eq!(properties["vpcEndpointIds"].get("default"), None);
    assert_eq!(properties["vpcEndpointIds"]["minItems"], 1);
    // References are strings as written in the stack file.
    for reference in ["stateMachine", "role", "name", "description"] {
        assert_eq!(properties[reference]["type"], "string", "{reference}");
    }
    assert_eq!(properties["vpcEndpointIds"]["items"]["type"], "string");

    let input = &properties["input"];
    assert_eq!(input["additionalProperties"], false);
    assert_eq!(input["properties"]["body"]["type"], "boolean");
    for list in ["queryString", "headers"] {
        let parameter = &input["properties"][list]["items"]["anyOf"];
        assert_eq!(input["properties"][list]["default"], json!([]));
        assert_eq!(parameter[0]["type"], "string", "{list}");
        assert_eq!(parameter[0]["minLength"], 1, "{list}");
        let detailed = &parameter[1];
        assert_eq!(detailed["required"], json!(["name"]));
        assert_eq!(
            detailed["properties"]["required"]["default"],
            required_by_default()
        );
    }
}

#[test]
fn describe_names_the_construct_and_its_attributes() {
    let info = stackweave_plugin::describe::<ApiIntegration>();
    assert_eq!(info.name, "api-integration");
    let names: Vec<_> = info.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["id", "url", "stage"]);
}

#[test]
fn without_a_role_the_api_creates_one_that_may_only_start_this_workflow() {
    let mut without_role = props(json!({}));
    without_role.as_object_mut().map(|p| p.remove("role"));
    let created = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = std::rc::Rc::clone(&created);
    let fragment = testing::with_children(
        move |plugin, id, props| {
            record
                .borrow_mut()
                .push((plugin.to_string(), id.to_string(), props.clone()));
            Ok(vec![("arn", json!({"Fn::GetAtt": ["ApiRole", "Arn"]}))])
        },
        || ok(without_role),
    );
    let created = created.borrow();
    assert_eq!(created.len(), 1);
    let (plugin, id, role) = &created[0];
    assert_eq!((plugin.as_str(), id.as_str()), ("iam-role", "Role"));
    assert_eq!(role["assumedBy"], json!(["apigateway.amazonaws.com"]));
    assert_eq!(
        role["statements"],
        json!([{
            "sid": "StartSyncExecution",
            "actions": ["states:StartSyncExecution"],
            "resources": [{"Ref": "Workflow"}]
        }])
    );
    let method = fragment
        .resources()
        .values()
        .find(|r| r["Type"] == "AWS::ApiGateway::Method")
        .expect("a method");
    assert_eq!(
        method["Properties"]["Integration"]["Credentials"],
        json!({"Fn::GetAtt": ["ApiRole", "Arn"]})
    );
}

/// The fragment of `props` without a `role`, and the props of each child role it created.
fn with_role(props: Value) -> (Fragment, Vec<Value>) {
    let created = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = std::rc::Rc::clone(&created);
    let fragment = testing::with_children(
        move |plugin, id, props| {
            assert_eq!((plugin, id), ("iam-role", "Role"));
            record.borrow_mut().push(props.clone());
            Ok(vec![("arn", json!({"Fn::GetAtt": ["ApiRole", "Arn"]}))])
        },
        || ok(props),
    );
    let created = created.borrow().clone();
    (fragment, created)
}
