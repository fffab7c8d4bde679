//! Tests of adding parameters, outputs and fragments to a [`TemplateBuilder`].

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use serde_json::json;

use super::*;

pub(super) fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

pub(super) fn construct(parts: &[&str]) -> Owner {
    Owner::Construct(path(parts))
}

pub(super) fn fragment(value: Value) -> Fragment {
    Fragment::from_json(&value.to_string()).unwrap()
}

/// Adds a fragment with no pins, external ids or attributes.
pub(super) fn add(
    builder: &mut TemplateBuilder,
    parts: &[&str],
    value: Value,
) -> Result<(), MergeError> {
    builder
        .add_fragment(
            &path(parts),
            fragment(value),
            &[],
            &BTreeSet::new(),
            Vec::new(),
        )
        .map(|_| ())
}

pub(super) fn finished(builder: TemplateBuilder) -> Value {
    builder.finish(&Quotas::default()).unwrap().value().clone()
}

#[test]
fn owner_display() {
    assert_eq!(construct(&["Api"]).to_string(), "construct `Api`");
    assert_eq!(
        construct(&["Team", "Api"]).to_string(),
        "construct `Team/Api`"
    );
    assert_eq!(Owner::StackFile.to_string(), "the stack file");
}

#[test]
fn derives_logical_ids_and_rewrites_local_references() {
    let mut builder = TemplateBuilder::new(None);
    builder
        .add_parameter("Env", json!({"Type": "String"}))
        .unwrap();
    let attributes = builder
        .add_fragment(
            &path(&["Api"]),
            fragment(json!({
                "Conditions": {
                    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                    "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsProd"}]}]},
                    "Either": {"Fn::Or": [{"Condition": "Both"}, {"Condition": "IsProd"}]}
                },
                "Resources": {
                    "Resource": {"Type": "AWS::ApiGateway::RestApi"},
                    "Stage": {
                        "Type": "AWS::ApiGateway::Stage",
                        "Condition": "IsProd",
                        "DependsOn": "Resource",
                        "Properties": {
                            "RestApiId": {"Ref": "Resource"},
                            "Root": {"Fn::GetAtt": ["Resource", "RootResourceId"]},
                            "Root2": {"Fn::GetAtt": "Resource.RootResourceId"},
                            "Name": {"Fn::Sub": "${Resource}-${!Resource}-${Resource.RootResourceId}-${AWS::Region}-${Env}"},
                            "Vars": {"Fn::Sub": ["${Resource}${Local}", {"Local": {"Ref": "Resource"}}]},
                            "Maybe": {"Fn::If": ["IsProd", {"Ref": "Resource"}, {"Ref": "AWS::NoValue"}]}
                        }
                    },
                    "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["Stage", "Resource"]}
                },
                "Outputs": {
                    "Url": {"Condition": "IsProd", "Value": {"Fn::Sub": "https://${Resource}/"}}
                }
            })),
            &[],
            &BTreeSet::from(["Env".to_owned()]),
            vec![
                ("id".to_owned(), json!({"Ref": "Resource"})),
                ("stage".to_owned(), json!({"Fn::GetAtt": "Stage.StageName"})),
            ],
        )
        .unwrap();
    assert_eq!(
        attributes,
        [
            ("id".to_owned(), json!({"Ref": "Api"})),
            (
                "stage".to_owned(),
                json!({"Fn::GetAtt": "ApiStage.StageName"})
            ),
        ]
    );
    let value = finished(builder);
    assert_eq!(
        value["Conditions"],
        json!({
            "ApiIsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "ApiBoth": {"Fn::And": [{"Condition": "ApiIsProd"}, {"Fn::Not": [{"Condition": "ApiIsProd"}]}]},
            "ApiEither": {"Fn::Or": [{"Condition": "ApiBoth"}, {"Condition": "ApiIsProd"}]}
        })
    );
    assert_eq!(
        value["Resources"],
        json!({
            "Api": {"Type": "AWS::ApiGateway::RestApi"},
            "ApiStage": {
                "Type": "AWS::ApiGateway::Stage",
                "Condition": "ApiIsProd",
                "DependsOn": "Api",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "Root": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                    "Root2": {"Fn::GetAtt": "Api.RootResourceId"},
                    "Name": {"Fn::Sub": "${Api}-${!Resource}-${Api.RootResourceId}-${AWS::Region}-${Env}"},
                    "Vars": {"Fn::Sub": ["${Api}${Local}", {"Local": {"Ref": "Api"}}]},
                    "Maybe": {"Fn::If": ["ApiIsProd", {"Ref": "Api"}, {"Ref": "AWS::NoValue"}]}
                }
            },
            "ApiDeployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["ApiStage", "Api"]}
        })
    );
    assert_eq!(
        value["Outputs"],
        json!({"ApiUrl": {"Condition": "ApiIsProd", "Value": {"Fn::Sub": "https://${Api}/"}}})
    );
}

#[test]
fn non_local_ids_pass_through() {
    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["Logs"],
        json!({"Resources": {"Resource": {"Type": "AWS::Logs::LogGroup"}}}),
    )
    .unwrap();
    add(
        &mut builder,
        &["Flow"],
        json!({"Resources": {"Resource": {"Type": "T", "Properties": {"Log": {"Fn::GetAtt": ["Logs", "Arn"]}}}}}),
    )
    .unwrap();
    let value = finished(builder);
    assert_eq!(
        value["Resources"]["Flow"]["Properties"]["Log"],
        json!({"Fn::GetAtt": ["Logs", "Arn"]})
    );
}

#[test]
fn pins_override_the_derived_id_in_every_section() {
    let mut builder = TemplateBuilder::new(None);
    let attributes = builder
        .add_fragment(
            &path(&["Api"]),
            fragment(json!({
                "Resources": {"Resource": {"Type": "T"}, "Stage": {"Type": "S", "Properties": {"Api": {"Ref": "Resource"}}}},
                "Outputs": {"Url": {"Value": {"Ref": "Resource"}}}
            })),
            &[
                ("Resource".to_owned(), "MyApi".to_owned()),
                ("Url".to_owned(), "Endpoint".to_owned()),
            ],
            &BTreeSet::new(),
            vec![("id".to_owned(), json!({"Ref": "Resource"}))],
        )
        .unwrap();
    assert_eq!(attributes[0].1, json!({"Ref": "MyApi"}));
    let value = finished(builder);
    assert_eq!(
        value["Resources"],
        json!({"MyApi": {"Type": "T"}, "ApiStage": {"Type": "S", "Properties": {"Api": {"Ref": "MyApi"}}}})
    );
    assert_eq!(
        value["Outputs"],
        json!({"Endpoint": {"Value": {"Ref": "MyApi"}}})
    );
}

#[test]
fn unknown_pin_is_an_error() {
    let mut builder = TemplateBuilder::new(None);
    let err = builder
        .add_fragment(
            &path(&["Api"]),
            fragment(json!({"Resources": {"Resource": {"Type": "T"}}})),
            &[("Stage".to_owned(), "MyStage".to_owned())],
            &BTreeSet::new(),
            Vec::new(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        MergeError::UnknownPin {
            owner: construct(&["Api"]),
            local_id: "Stage".to_owned()
        }
    );
}

#[test]
fn invalid_pin_is_an_error() {
    let mut builder = TemplateBuilder::new(None);
    let err = builder
        .add_fragment(
            &path(&["Api"]),
            fragment(json!({"Resources": {"Resource": {"Type": "T"}}})),
            &[("Resource".to_owned(), "my-api".to_owned())],
            &BTreeSet::new(),
            Vec::new(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        MergeError::InvalidLogicalId {
            owner: construct(&["Api"]),
            logical_id: "my-api".to_owned()
        }
    );
    assert!(err.to_string().contains("contains '-'"), "{err}");
}

#[test]
fn ambiguous_external_id_is_an_error() {
    let mut builder = TemplateBuilder::new(None);
    let err = builder
        .add_fragment(
            &path(&["Api"]),
            fragment(json!({"Resources": {"Role": {"Type": "T"}}, "Conditions": {"IsProd": {"Fn::Equals": [1, 1]}}})),
            &[],
            &BTreeSet::from(["Logs".to_owned(), "Role".to_owned()]),
            Vec::new(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        MergeError::AmbiguousId {
            owner: construct(&["Api"]),
            id: "Role".to_owned()
        }
    );
    let err = builder
        .add_fragment(
            &path(&["Api"]),
            fragment(json!({"Conditions": {"IsProd": {"Fn::Equals": [1, 1]}}})),
            &[],
            &BTreeSet::from(["IsProd".to_owned()]),
            Vec::new(),
        )
        .unwrap_err();
    assert!(matches!(err, MergeError::AmbiguousId { .. }));
}
