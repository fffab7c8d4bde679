//! Tests of [`TemplateBuilder::finish`] and of the finished [`Template`].

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use serde_json::json;

use super::tests::{add, construct, fragment, path};
use super::*;

fn errors(builder: TemplateBuilder) -> Vec<MergeError> {
    builder.finish(&Quotas::default()).unwrap_err()
}

fn dangling(owner: Owner, from: &str, kind: RefKind, target: &str) -> MergeError {
    MergeError::DanglingReference {
        owner,
        from: from.to_owned(),
        kind,
        target: target.to_owned(),
    }
}

#[test]
fn resolvable_references_pass() {
    let mut builder = TemplateBuilder::new(None);
    builder
        .add_parameter("Env", json!({"Type": "String"}))
        .unwrap();
    add(
        &mut builder,
        &["Logs"],
        json!({
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
            "Resources": {"Resource": {"Type": "T", "Condition": "IsProd"}}
        }),
    )
    .unwrap();
    add(
        &mut builder,
        &["Flow"],
        json!({"Resources": {"Resource": {
            "Type": "T",
            "DependsOn": "Logs",
            "Properties": {
                "A": {"Ref": "Logs"}, "B": {"Ref": "Env"}, "C": {"Ref": "AWS::StackName"},
                "D": {"Fn::GetAtt": ["Logs", "Arn"]},
                "E": {"Fn::Sub": "${Logs}${Logs.Arn}${Env}${AWS::Region}${!Nope}"},
                "F": {"Fn::If": ["LogsIsProd", 1, 2]}
            }
        }}}),
    )
    .unwrap();
    assert!(builder.finish(&Quotas::default()).is_ok());
}

#[test]
fn dangling_references_of_every_kind_are_reported_in_order() {
    let mut builder = TemplateBuilder::new(None);
    builder
        .add_parameter("Env", json!({"Type": "String"}))
        .unwrap();
    add(
        &mut builder,
        &["Api"],
        json!({
            "Conditions": {"Prod": {"Fn::Not": [{"Condition": "Missing"}]}},
            "Resources": {"Method": {
                "Type": "T",
                "Condition": "NoCond",
                "DependsOn": ["Env"],
                "Properties": {
                    "A": {"Ref": "Nope"}, "A2": {"Ref": "Nope"},
                    "B": {"Fn::GetAtt": ["Env", "Arn"]},
                    "C": {"Fn::Sub": "${Gone}-${Env.Attr}"}
                }
            }},
            "Outputs": {"Url": {"Value": {"Fn::GetAtt": "Away.Url"}}}
        }),
    )
    .unwrap();
    builder
        .add_output("Extra", json!({"Value": {"Ref": "Missing"}}))
        .unwrap();
    let api = || construct(&["Api"]);
    assert_eq!(
        errors(builder),
        [
            dangling(api(), "Conditions.ApiProd", RefKind::Condition, "Missing"),
            dangling(api(), "ApiMethod", RefKind::Condition, "NoCond"),
            dangling(api(), "ApiMethod", RefKind::DependsOn, "Env"),
            dangling(api(), "ApiMethod", RefKind::Ref, "Nope"),
            dangling(api(), "ApiMethod", RefKind::GetAtt, "Env"),
            dangling(api(), "ApiMethod", RefKind::Sub, "Gone"),
            dangling(api(), "ApiMethod", RefKind::Sub, "Env.Attr"),
            dangling(api(), "Outputs.ApiUrl", RefKind::GetAtt, "Away"),
            dangling(Owner::StackFile, "Outputs.Extra", RefKind::Ref, "Missing"),
        ]
    );
}

#[test]
fn dangling_messages_say_what_is_missing() {
    let message = |from: &str, kind, target: &str| {
        dangling(construct(&["Api"]), from, kind, target).to_string()
    };
    assert_eq!(
        message("ApiMethod", RefKind::Ref, "Nope"),
        "resource `ApiMethod` (construct `Api`) has a Ref to `Nope`, which is not a resource, \
         parameter or pseudo parameter of this template; check the name, or add the missing \
         entry to the stack"
    );
    assert!(message("Outputs.Url", RefKind::GetAtt, "X").starts_with(
        "output `Url` (construct `Api`) has a Fn::GetAtt on `X`, which is not a resource of"
    ));
    assert!(message("Conditions.C", RefKind::Condition, "X")
        .starts_with("condition `C` (construct `Api`) has a reference to condition `X`, which is not a condition"));
    assert!(
        message("R", RefKind::Sub, "Env.Attr")
            .contains("variable `${Env.Attr}`, but `Env` is not a resource")
    );
    assert!(
        message("R", RefKind::Sub, "Env")
            .contains("variable `${Env}`, which is not a resource, parameter")
    );
    assert!(
        message("R", RefKind::DependsOn, "X")
            .contains("a DependsOn on `X`, which is not a resource")
    );
}

#[test]
fn dependency_cycle_lists_ids_with_owners() {
    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["Free"],
        json!({"Resources": {"Resource": {"Type": "T"}}}),
    )
    .unwrap();
    add(
        &mut builder,
        &["Role"],
        json!({"Resources": {"Resource": {"Type": "T", "Properties": {"P": {"Fn::Sub": "${Flow}"}}}}}),
    )
    .unwrap();
    add(
        &mut builder,
        &["Flow"],
        json!({"Resources": {"Resource": {"Type": "T", "DependsOn": "Free", "Properties": {"R": {"Fn::GetAtt": ["Role", "Arn"]}}}}}),
    )
    .unwrap();
    let errs = errors(builder);
    assert_eq!(
        errs,
        [MergeError::DependencyCycle {
            cycle: vec![
                ("Role".to_owned(), construct(&["Role"])),
                ("Flow".to_owned(), construct(&["Flow"])),
            ]
        }]
    );
    assert_eq!(
        errs[0].to_string(),
        "resources depend on each other in a cycle: Role (construct `Role`) -> Flow (construct \
         `Flow`) -> Role; CloudFormation cannot create them in any order, so remove one of these \
         references or DependsOn entries"
    );
}

#[test]
fn self_dependency_is_a_cycle_but_condition_use_is_not() {
    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["A"],
        json!({
            "Conditions": {"Resource": {"Fn::Equals": [1, 1]}},
            "Resources": {"Resource": {"Type": "T", "Condition": "A"}}
        }),
    )
    .unwrap();
    assert!(builder.clone().finish(&Quotas::default()).is_ok());
    add(
        &mut builder,
        &["B"],
        json!({"Resources": {"Resource": {"Type": "T", "DependsOn": ["Resource"]}}}),
    )
    .unwrap();
    assert_eq!(
        errors(builder),
        [MergeError::DependencyCycle {
            cycle: vec![("B".to_owned(), construct(&["B"]))]
        }]
    );
}

#[test]
fn every_message_is_lowercase_without_full_stop() {
    let api = construct(&["Api"]);
    let all = [
        MergeError::DuplicateLogicalId {
            logical_id: "A".into(),
            first: api.clone(),
            second: Owner::StackFile,
        },
        MergeError::UnknownPin {
            owner: api.clone(),
            local_id: "X".into(),
        },
        MergeError::InvalidLogicalId {
            owner: api.clone(),
            logical_id: "a-b".into(),
        },
        MergeError::AmbiguousId {
            owner: api.clone(),
            id: "Role".into(),
        },
        dangling(api.clone(), "A", RefKind::Ref, "B"),
        MergeError::DependencyCycle {
            cycle: vec![("A".into(), api)],
        },
        MergeError::QuotaExceeded {
            quota: "parameters",
            limit: 200,
            actual: 201,
        },
        MergeError::Render {
            message: "boom".into(),
        },
    ];
    for error in all {
        let message = error.to_string();
        assert!(message.starts_with(|c: char| c.is_lowercase()), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}

#[test]
fn conditions_defined_through_each_other_are_a_cycle() {
    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["Gate"],
        json!({
            "Resources": {"Resource": {"Type": "AWS::SNS::Topic", "Condition": "Open"}},
            "Conditions": {
                "Open": {"Fn::Not": [{"Condition": "Shut"}]},
                "Shut": {"Fn::And": [{"Condition": "Open"}, {"Fn::Equals": ["a", "a"]}]}
            }
        }),
    )
    .unwrap();
    let found = errors(builder);
    assert_eq!(
        found,
        vec![MergeError::ConditionCycle {
            cycle: vec![
                ("GateOpen".into(), construct(&["Gate"])),
                ("GateShut".into(), construct(&["Gate"])),
            ]
        }]
    );
    assert!(found[0].to_string().starts_with(
        "conditions are defined through each other in a cycle: GateOpen (construct `Gate`) -> GateShut (construct `Gate`) -> GateOpen"
    ));
}

#[test]
fn a_fragment_may_refer_only_to_what_it_was_handed() {
    let mut builder = TemplateBuilder::new(None);
    builder
        .add_parameter("Env", json!({"Type": "String"}))
        .unwrap();
    add(
        &mut builder,
        &["Target"],
        json!({"Resources": {"Resource": {"Type": "T"}}}),
    )
    .unwrap();
    let snoop = fragment(json!({
        "Resources": {"Resource": {"Type": "T", "Properties": {
            "Own": {"Ref": "Resource"},
            "Env": {"Ref": "Env"},
            "Region": {"Fn::Sub": "${AWS::Region}"},
            "Other": {"Fn::GetAtt": ["Target", "Arn"]}
        }}}
    }));
    let handed: BTreeSet<String> = ["Target".to_string()].into();
    let attributes = [("arn".to_string(), json!({"Ref": "Target"}))];
    assert_eq!(
        builder.check_references_handed(&path(&["Snoop"]), &snoop, &attributes, &handed),
        Ok(())
    );
    let refused = builder
        .check_references_handed(&path(&["Snoop"]), &snoop, &attributes, &BTreeSet::new())
        .unwrap_err();
    assert_eq!(
        refused,
        MergeError::ForeignReference {
            owner: construct(&["Snoop"]),
            from: "Resource".into(),
            kind: RefKind::GetAtt,
            target: "Target".into(),
        }
    );
    let only_attribute = fragment(json!({"Resources": {"Resource": {"Type": "T"}}}));
    let refused = builder
        .check_references_handed(
            &path(&["Snoop"]),
            &only_attribute,
            &attributes,
            &BTreeSet::new(),
        )
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .starts_with("attribute `arn` of construct `Snoop` has a Ref to `Target`"),
        "{refused}"
    );
}
