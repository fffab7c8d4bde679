//! Tests of logical id validity and uniqueness across the template's namespaces.

#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::tests::{add, construct, finished, fragment, path};
use super::*;
use std::collections::BTreeSet;

#[test]
fn duplicate_resource_ids_across_constructs_name_both_owners() {
    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["A"],
        json!({"Resources": {"BC": {"Type": "T"}}}),
    )
    .unwrap();
    let err = add(
        &mut builder,
        &["AB"],
        json!({"Resources": {"C": {"Type": "T"}}}),
    )
    .unwrap_err();
    assert_eq!(
        err,
        MergeError::DuplicateLogicalId {
            logical_id: "ABC".to_owned(),
            first: construct(&["A"]),
            second: construct(&["AB"]),
        }
    );
    assert_eq!(
        err.to_string(),
        "logical id `ABC` is used by both construct `A` and construct `AB`; \
         rename one of them, or pin a different logical id"
    );
}

#[test]
fn resources_and_parameters_share_a_namespace() {
    let mut builder = TemplateBuilder::new(None);
    builder
        .add_parameter("Logs", json!({"Type": "String"}))
        .unwrap();
    let err = add(
        &mut builder,
        &["Logs"],
        json!({"Resources": {"Resource": {"Type": "T"}}}),
    )
    .unwrap_err();
    assert!(
        matches!(err, MergeError::DuplicateLogicalId { ref first, .. } if *first == Owner::StackFile)
    );

    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["Logs"],
        json!({"Resources": {"Resource": {"Type": "T"}}}),
    )
    .unwrap();
    let err = builder
        .add_parameter("Logs", json!({"Type": "String"}))
        .unwrap_err();
    assert_eq!(
        err,
        MergeError::DuplicateLogicalId {
            logical_id: "Logs".to_owned(),
            first: construct(&["Logs"]),
            second: Owner::StackFile,
        }
    );
    assert!(builder.add_parameter("Env", json!({})).is_ok());
    assert!(matches!(
        builder.add_parameter("Env", json!({})),
        Err(MergeError::DuplicateLogicalId { .. })
    ));
}

#[test]
fn outputs_and_conditions_have_their_own_namespaces() {
    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["Logs"],
        json!({"Resources": {"Resource": {"Type": "T"}}, "Conditions": {"Resource": {"Fn::Equals": [1, 1]}}}),
    )
    .unwrap();
    builder
        .add_output("Logs", json!({"Value": {"Ref": "Logs"}}))
        .unwrap();
    let err = builder.add_output("Logs", json!({"Value": 1})).unwrap_err();
    assert!(
        matches!(err, MergeError::DuplicateLogicalId { ref second, .. } if *second == Owner::StackFile)
    );
    let err = add(
        &mut builder,
        &["Logs"],
        json!({"Outputs": {"Resource": {"Value": 1}}}),
    )
    .unwrap_err();
    assert!(
        matches!(err, MergeError::DuplicateLogicalId { ref first, .. } if *first == Owner::StackFile)
    );
    let err = add(
        &mut builder,
        &["Logs"],
        json!({"Conditions": {"Resource": {"Fn::Equals": [1, 1]}}}),
    )
    .unwrap_err();
    assert!(
        matches!(err, MergeError::DuplicateLogicalId { ref first, .. } if *first == construct(&["Logs"]))
    );
}

#[test]
fn duplicate_within_one_fragment() {
    let mut builder = TemplateBuilder::new(None);
    let err = builder
        .add_fragment(
            &path(&["Api"]),
            fragment(json!({"Resources": {"Resource": {"Type": "T"}, "Stage": {"Type": "T"}}})),
            &[("Stage".to_owned(), "Api".to_owned())],
            &BTreeSet::new(),
            Vec::new(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "construct `Api` produces logical id `Api` twice; \
         pin one of its local ids to a different logical id"
    );
}

#[test]
fn failed_add_leaves_the_builder_unchanged() {
    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["Api"],
        json!({"Resources": {"Stage": {"Type": "T"}}}),
    )
    .unwrap();
    // `Web`'s resource id is free but its output id is taken: nothing may stick.
    builder.add_output("WebUrl", json!({"Value": 1})).unwrap();
    let err = add(
        &mut builder,
        &["Web"],
        json!({"Resources": {"Resource": {"Type": "T"}}, "Outputs": {"Url": {"Value": 1}}}),
    )
    .unwrap_err();
    assert!(matches!(err, MergeError::DuplicateLogicalId { .. }));
    let value = finished(builder);
    assert_eq!(value["Resources"], json!({"ApiStage": {"Type": "T"}}));
}

#[test]
fn stack_file_names_are_validated() {
    let mut builder = TemplateBuilder::new(None);
    let err = builder.add_parameter("env-name", json!({})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the stack file declares `env-name`, which contains '-'; only ASCII letters and digits \
         are allowed; rename it"
    );
    assert!(builder.add_output("", json!({"Value": 1})).is_err());
}
#[test]
fn derived_ids_are_validated() {
    let mut builder = TemplateBuilder::new(None);
    let err = add(
        &mut builder,
        &["my-api"],
        json!({"Resources": {"Resource": {"Type": "T"}}}),
    )
    .unwrap_err();
    assert!(
        matches!(err, MergeError::InvalidLogicalId { ref logical_id, .. } if logical_id == "my-api")
    );
    let long = "A".repeat(250);
    let err = add(
        &mut builder,
        &[&long],
        json!({"Resources": {"Stage1": {"Type": "T"}}}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("256 characters long"), "{err}");
}
