//! The reference architecture (API Gateway -> Express state machine -> CloudWatch Logs)
//! assembled through the public API only, as the orchestrator would: fragments keyed by
//! local ids, attributes passed between constructs, one checked template out.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use serde_json::json;
use stackweave_template::{
    Format, Fragment, Piece, Quotas, TemplateBuilder, Value, interpolate, logical_id,
};

fn path(id: &str) -> Vec<String> {
    vec![id.to_owned()]
}

fn attribute(attributes: &[(String, Value)], name: &str) -> Value {
    attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap()
}

fn build() -> stackweave_template::Template {
    let mut builder = TemplateBuilder::new(Some("API Gateway -> Step Functions (Express)".into()));
    let none = BTreeSet::new();

    let logs = Fragment::from_json(
        &json!({"Resources": {"Resource": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}}})
            .to_string(),
    )
    .unwrap();
    let logs_attributes = builder
        .add_fragment(
            &path("Logs"),
            logs,
            &[],
            &none,
            vec![("arn".into(), json!({"Fn::GetAtt": ["Resource", "Arn"]}))],
        )
        .unwrap();
    let log_arn = attribute(&logs_attributes, "arn");
    assert_eq!(log_arn, json!({"Fn::GetAtt": ["Logs", "Arn"]}));

    let flow = Fragment::from_json(
        &json!({"Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
            }},
            "Resource": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "StateMachineType": "EXPRESS",
                "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                "DefinitionString": "{\n  \"StartAt\": \"Hello\",\n  \"States\": {\"Hello\": {\"Type\": \"Pass\", \"End\": true}}\n}\n",
                "LoggingConfiguration": {"Level": "ALL", "IncludeExecutionData": true,
                    "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": log_arn}}]}
            }}
        }})
        .to_string(),
    )
    .unwrap();
    let flow_attributes = builder
        .add_fragment(
            &path("Flow"),
            flow,
            &[],
            &BTreeSet::from(["Logs".to_owned()]),
            vec![("arn".into(), json!({"Ref": "Resource"}))],
        )
        .unwrap();
    let flow_arn = attribute(&flow_attributes, "arn");

    let request = interpolate(vec![
        Piece::Text(
            "{\"input\": \"$util.escapeJavaScript($input.json('$'))\",\n \"stateMachineArn\": \""
                .into(),
        ),
        Piece::Expr(flow_arn),
        Piece::Text("\"}\n".into()),
    ]);
    let api = Fragment::from_json(
        &json!({"Resources": {
            "Resource": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "start"}},
            "Start": {"Type": "AWS::ApiGateway::Resource", "Properties": {
                "RestApiId": {"Ref": "Resource"}, "ParentId": {"Fn::GetAtt": ["Resource", "RootResourceId"]}, "PathPart": "start"}},
            "Method": {"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": "Resource"}, "ResourceId": {"Ref": "Start"}, "HttpMethod": "GET",
                "AuthorizationType": "NONE",
                "Integration": {"Type": "AWS", "IntegrationHttpMethod": "POST",
                    "Uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartSyncExecution"},
                    "RequestTemplates": {"application/json": request}}}},
            "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "Method",
                "Properties": {"RestApiId": {"Ref": "Resource"}}}
        }, "Outputs": {"Url": {"Value": {"Fn::Sub": "https://${Resource}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod/start"}}}})
        .to_string(),
    )
    .unwrap();
    builder
        .add_fragment(
            &path("Api"),
            api,
            &[],
            &BTreeSet::from(["Flow".to_owned()]),
            Vec::new(),
        )
        .unwrap();
    builder.finish(&Quotas::default()).unwrap()
}

#[test]
fn reference_stack_merges_with_derived_ids() {
    let template = build();
    let ids: Vec<&String> = template.value()["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        ids,
        [
            "Logs",
            "FlowRole",
            "Flow",
            "Api",
            "ApiStart",
            "ApiMethod",
            "ApiDeployment"
        ]
    );
    assert_eq!(logical_id(&path("Api"), "Method"), "ApiMethod");
    assert_eq!(
        template.value()["Resources"]["ApiMethod"]["Properties"]["Integration"]["RequestTemplates"]
            ["application/json"],
        json!({"Fn::Sub": "{\"input\": \"$util.escapeJavaScript($input.json('$'))\",\n \"stateMachineArn\": \"${Flow}\"}\n"})
    );
    assert_eq!(template.resource_count(), 7);
}

#[test]
fn reference_stack_renders_identically_every_time() {
    let yaml = build().render(Format::Yaml, &Quotas::default()).unwrap();
    assert_eq!(
        yaml,
        build().render(Format::Yaml, &Quotas::default()).unwrap()
    );
    assert!(yaml.contains("RoleArn: !GetAtt FlowRole.Arn\n"), "{yaml}");
    assert!(yaml.contains("application/json: !Sub |\n"), "{yaml}");
    assert!(
        yaml.contains("Value: !Sub https://${Api}.execute-api."),
        "{yaml}"
    );
    let json = build().render(Format::Json, &Quotas::default()).unwrap();
    let parsed: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(&parsed, build().value());
}
