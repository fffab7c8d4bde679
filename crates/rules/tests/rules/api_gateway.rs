//! SW-APIGW-1, SW-APIGW-2, SW-APIGW-3.

use serde_json::{Value, json};

use crate::{of, run, template};

/// An API with `/items/{id}` and one method on it with these properties (merged over an
/// IAM-authorised GET with no integration).
fn api(method: Value) -> Value {
    let mut properties = json!({
        "RestApiId": {"Ref": "Api"},
        "ResourceId": {"Ref": "Item"},
        "HttpMethod": "GET",
        "AuthorizationType": "AWS_IAM",
    });
    for (key, value) in method.as_object().unwrap() {
        properties[key] = value.clone();
    }
    template(json!({
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}},
        "Items": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "items"
        }},
        "Item": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Ref": "Items"}, "PathPart": "{id}"
        }},
        "Method": {"Type": "AWS::ApiGateway::Method", "Properties": properties},
    }))
}

const TEMPLATE_POINTER: &str =
    "/Resources/Method/Properties/Integration/RequestTemplates/application~1json";

// SW-APIGW-1

#[test]
fn open_methods_are_found() {
    for (properties, pointer) in [
        (
            json!({"AuthorizationType": "NONE"}),
            "/Resources/Method/Properties/AuthorizationType",
        ),
        (
            json!({"AuthorizationType": "NONE", "ApiKeyRequired": false}),
            "/Resources/Method/Properties/AuthorizationType",
        ),
    ] {
        let findings = run(&api(properties));
        let apigw1 = of(&findings, "SW-APIGW-1");
        assert_eq!(apigw1.len(), 1, "{findings:#?}");
        assert_eq!(apigw1[0].pointer, pointer);
        assert!(
            apigw1[0].message.contains("GET /items/{id}"),
            "{}",
            apigw1[0].message
        );
        assert!(!apigw1[0].undecided);
    }
    let mut absent = api(json!({}));
    absent["Resources"]["Method"]["Properties"]
        .as_object_mut()
        .unwrap()
        .remove("AuthorizationType");
    let findings = run(&absent);
    assert_eq!(
        of(&findings, "SW-APIGW-1")[0].pointer,
        "/Resources/Method/Properties"
    );
}

#[test]
fn authorised_keyed_and_preflight_methods_are_fine() {
    for properties in [
        json!({}),
        json!({"AuthorizationType": "COGNITO_USER_POOLS"}),
        json!({"AuthorizationType": "NONE", "ApiKeyRequired": true}),
        json!({"AuthorizationType": "NONE", "ApiKeyRequired": "true"}),
        json!({"AuthorizationType": "NONE", "HttpMethod": "OPTIONS"}),
    ] {
        assert!(
            of(&run(&api(properties.clone())), "SW-APIGW-1").is_empty(),
            "{properties}"
        );
    }
}

// SW-APIGW-2

fn with_template(body: Value, parameters: Value) -> Value {
    api(json!({
        "RequestParameters": parameters,
        "Integration": {"Type": "AWS", "RequestTemplates": {"application/json": body}},
    }))
}

#[test]
fn reading_an_undeclared_parameter_is_found() {
    let t = with_template(
        json!({"Fn::Sub": "{\"param\": \"$input.params('param')\", \"arn\": \"${Machine}\"}"}),
        json!({"method.request.querystring.example": false}),
    );
    let findings = run(&t);
    let apigw2 = of(&findings, "SW-APIGW-2");
    assert_eq!(apigw2.len(), 1, "{findings:#?}");
    assert_eq!(apigw2[0].pointer, TEMPLATE_POINTER);
    let message = &apigw2[0].message;
    for part in [
        "`param`",
        "$input.params('param')",
        "query string `example`",
        "path `id`",
    ] {
        assert!(message.contains(part), "{part} in {message}");
    }
}

#[test]
fn each_location_must_be_declared_where_it_is_read() {
    let t = with_template(
        json!(
            "$input.params().querystring.get('q') $input.params().header.get('X-Token') $input.params().path.get('other') $input.params().querystring.get('id')"
        ),
        json!({"method.request.path.q": true}),
    );
    let findings = run(&t);
    let names: Vec<&str> = of(&findings, "SW-APIGW-2")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(names.len(), 4, "{names:#?}");
    assert!(names[0].contains("query-string parameter `q`"));
    assert!(names[1].contains("header `X-Token`"));
    assert!(names[2].contains("path parameter `other`"));
    assert!(names[3].contains("query-string parameter `id`"));
}

#[test]
fn declared_parameters_are_fine() {
    let t = with_template(
        json!(
            "#set($q = $input.params().querystring)\n#if($q.containsKey('param'))$q.get('param')#end\n\
               $input.params('id') $input.params().path.id $input.params().header.get('x-token') $input.params('Mode')\n\
               ## $input.params('commented')\n$input.params().querystring.get($dynamic)"
        ),
        json!({
            "method.request.querystring.param": true,
            "method.request.header.X-Token": true,
            "method.request.multivaluequerystring.Mode": false,
        }),
    );
    assert!(of(&run(&t), "SW-APIGW-2").is_empty(), "{:#?}", run(&t));
}

#[test]
fn unresolved_request_parameters_or_template_are_undecided() {
    let t = with_template(
        json!("$input.params('param')"),
        json!({"Fn::If": ["C", {"method.request.querystring.param": true}, {}]}),
    );
    let findings = run(&t);
    let apigw2 = of(&findings, "SW-APIGW-2");
    assert_eq!(apigw2.len(), 1, "{findings:#?}");
    assert!(apigw2[0].undecided);
    assert_eq!(
        apigw2[0].pointer,
        "/Resources/Method/Properties/RequestParameters"
    );
    assert!(apigw2[0].message.contains("`param`") && apigw2[0].message.contains("Fn::If"));

    let t = with_template(json!({"Ref": "TemplateParam"}), json!({}));
    let findings = run(&t);
    let apigw2 = of(&findings, "SW-APIGW-2");
    assert_eq!(apigw2.len(), 1, "{findings:#?}");
    assert!(apigw2[0].undecided && apigw2[0].message.contains("Ref TemplateParam"));
    assert_eq!(apigw2[0].pointer, TEMPLATE_POINTER);
}

#[test]
fn unfollowable_resource_path_is_undecided_for_path_reads() {
    let mut t = with_template(
        json!("$input.params().path.get('id') $input.params().querystring.get('q')"),
        json!({}),
    );
    t["Resources"]["Method"]["Properties"]["ResourceId"] =
        json!({"Fn::ImportValue": "SharedResource"});
    let findings = run(&t);
    let apigw2 = of(&findings, "SW-APIGW-2");
    let found: Vec<(bool, &str)> = apigw2
        .iter()
        .map(|f| (f.undecided, f.pointer.as_str()))
        .collect();
    assert_eq!(
        found,
        // Sorted by pointer: `Integration/...` before `ResourceId`.
        vec![
            (false, TEMPLATE_POINTER),
            (true, "/Resources/Method/Properties/ResourceId")
        ],
        "{apigw2:#?}"
    );
}

// SW-APIGW-3

fn start_sync(uri: Value, responses: Value) -> Value {
    api(json!({
        "Integration": {
            "Type": "AWS",
            "IntegrationHttpMethod": "POST",
            "Uri": uri,
            "IntegrationResponses": responses,
        }
    }))
}

fn sub_uri() -> Value {
    json!({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartSyncExecution"})
}

const HANDLES_STATUS: &str = "#set($status = $input.path('$.status'))\n#if($status == 'SUCCEEDED')$input.path('$.output')#else\n#set($context.responseOverride.status = 500)\n#end";

#[test]
fn passing_a_failed_execution_as_200_is_found() {
    let cases = [
        (
            sub_uri(),
            json!([{"StatusCode": 200, "ResponseTemplates": {"application/json": "$input.body"}}]),
            "/0",
        ),
        (
            json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"}, ":states:action/StartSyncExecution"]]}),
            json!([{"StatusCode": "200"}]),
            "/0",
        ),
        (
            json!("arn:aws:apigateway:eu-west-1:states:action/StartSyncExecution"),
            // The pattern that matches 200 answers it; the default never sees it.
            json!([
                {"StatusCode": "200", "ResponseTemplates": {"application/json": HANDLES_STATUS}},
                {"StatusCode": "200", "SelectionPattern": "2\\d{2}", "ResponseTemplates": {"application/json": "$input.json('$.output')"}},
            ]),
            "/1",
        ),
    ];
    for (uri, responses, index) in cases {
        let findings = run(&start_sync(uri, responses));
        let apigw3 = of(&findings, "SW-APIGW-3");
        assert_eq!(apigw3.len(), 1, "{findings:#?}");
        assert!(!apigw3[0].undecided);
        assert_eq!(
            apigw3[0].pointer,
            format!("/Resources/Method/Properties/Integration/IntegrationResponses{index}")
        );
        assert!(
            apigw3[0].message.contains("FAILED"),
            "{}",
            apigw3[0].message
        );
    }
}

#[test]
fn mapping_the_status_or_other_integrations_are_fine() {
    let cases = [
        start_sync(
            sub_uri(),
            json!([
                {"StatusCode": "200", "ResponseTemplates": {"application/json": HANDLES_STATUS}},
                {"StatusCode": "400", "SelectionPattern": "4\\d{2}"},
                {"StatusCode": "500", "SelectionPattern": "5\\d{2}"},
            ]),
        ),
        start_sync(sub_uri(), json!([{"StatusCode": "500"}])),
        start_sync(
            sub_uri(),
            json!([{"StatusCode": "200", "ResponseTemplates": {"application/json": {"Fn::Sub": HANDLES_STATUS}}}]),
        ),
        start_sync(
            json!({"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:states:action/StartExecution"}),
            json!([{"StatusCode": 200}]),
        ),
    ];
    for t in cases {
        assert!(of(&run(&t), "SW-APIGW-3").is_empty(), "{:#?}", run(&t));
    }
}

#[test]
fn unresolved_response_template_is_undecided() {
    let t = start_sync(
        sub_uri(),
        json!([{"StatusCode": "200", "ResponseTemplates": {"application/json": {"Fn::ImportValue": "SharedTemplate"}}}]),
    );
    let findings = run(&t);
    let apigw3 = of(&findings, "SW-APIGW-3");
    assert_eq!(apigw3.len(), 1);
    assert!(
        apigw3[0].undecided && apigw3[0].message.contains("Fn::ImportValue"),
        "{apigw3:#?}"
    );
}
