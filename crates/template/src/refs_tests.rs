//! Tests of the reference walker: what counts as a reference, and in-place rewriting.

use super::*;
use serde_json::json;

type Found = Vec<(RefKind, String, Option<String>)>;

fn collect(mut value: Value, walk: fn(&mut Value, &mut Visit<'_>)) -> Found {
    let mut found = Vec::new();
    walk(&mut value, &mut |site: Site<'_>| {
        let attribute = site.attribute.filter(|_| site.kind == RefKind::Sub);
        found.push((site.kind, site.id.clone(), attribute))
    });
    found
}

fn rewrite(mut value: Value, walk: fn(&mut Value, &mut Visit<'_>)) -> Value {
    walk(&mut value, &mut |site: Site<'_>| {
        site.id.insert(0, 'X');
    });
    value
}

fn plain(kind: RefKind, id: &str) -> (RefKind, String, Option<String>) {
    (kind, id.to_owned(), None)
}

#[test]
fn finds_ref_and_both_getatt_forms() {
    let found = collect(
        json!({"A": {"Ref": "R"}, "B": [{"Fn::GetAtt": ["G", "Arn"]}, {"Fn::GetAtt": "H.Name.Sub"}]}),
        walk_expr,
    );
    assert_eq!(
        found,
        [
            plain(RefKind::Ref, "R"),
            plain(RefKind::GetAtt, "G"),
            plain(RefKind::GetAtt, "H")
        ]
    );
}

#[test]
fn rewrites_ids_in_place() {
    let value = rewrite(
        json!({"A": {"Ref": "R"}, "B": {"Fn::GetAtt": "H.Name.Sub"}, "C": {"Fn::GetAtt": ["G", "Arn"]}}),
        walk_expr,
    );
    assert_eq!(
        value,
        json!({"A": {"Ref": "XR"}, "B": {"Fn::GetAtt": "XH.Name.Sub"}, "C": {"Fn::GetAtt": ["XG", "Arn"]}})
    );
}

#[test]
fn multi_key_objects_are_not_functions() {
    let found = collect(json!({"Ref": "R", "Other": 1}), walk_expr);
    assert!(found.is_empty());
}

#[test]
fn sub_variables_skip_literals_and_defined_names() {
    let value =
        json!({"Fn::Sub": ["${A}-${!B}-${C.Arn}-${AWS::Region}-${D}", {"D": {"Ref": "E"}}]});
    let found = collect(value.clone(), walk_expr);
    assert_eq!(
        found,
        [
            plain(RefKind::Sub, "A"),
            (RefKind::Sub, "C".to_owned(), Some("Arn".to_owned())),
            plain(RefKind::Sub, "AWS::Region"),
            plain(RefKind::Ref, "E"),
        ]
    );
    assert_eq!(
        rewrite(value, walk_expr),
        json!({"Fn::Sub": ["${XA}-${!B}-${XC.Arn}-${XAWS::Region}-${D}", {"D": {"Ref": "XE"}}]})
    );
}

#[test]
fn sub_string_form_keeps_unterminated_text() {
    let value = rewrite(json!({"Fn::Sub": "a${B}c${D"}), walk_expr);
    assert_eq!(value, json!({"Fn::Sub": "a${XB}c${D"}));
}

#[test]
fn resource_attributes_are_references() {
    let resource = json!({
        "Type": "T",
        "Condition": "C",
        "DependsOn": ["A", "B"],
        "Properties": {"Condition": "NotAReference", "P": {"Fn::If": ["D", {"Ref": "E"}, "x"]}}
    });
    assert_eq!(
        collect(resource, walk_resource),
        [
            plain(RefKind::Condition, "C"),
            plain(RefKind::DependsOn, "A"),
            plain(RefKind::DependsOn, "B"),
            plain(RefKind::Condition, "D"),
            plain(RefKind::Ref, "E"),
        ]
    );
    let single = json!({"Type": "T", "DependsOn": "A"});
    assert_eq!(
        rewrite(single, walk_resource),
        json!({"Type": "T", "DependsOn": "XA"})
    );
}

#[test]
fn outputs_have_no_depends_on() {
    let output = json!({"Value": "v", "Condition": "C", "DependsOn": "A"});
    assert_eq!(
        collect(output, walk_output),
        [plain(RefKind::Condition, "C")]
    );
}

#[test]
fn condition_operands_name_conditions() {
    let condition = json!({"Fn::And": [
        {"Condition": "A"},
        {"Fn::Not": [{"Condition": "B"}]},
        {"Fn::Equals": [{"Ref": "P"}, "prod"]}
    ]});
    assert_eq!(
        collect(condition, walk_condition),
        [
            plain(RefKind::Condition, "A"),
            plain(RefKind::Condition, "B"),
            plain(RefKind::Ref, "P"),
        ]
    );
    assert_eq!(
        collect(json!({"Condition": "A"}), walk_condition),
        [plain(RefKind::Condition, "A")]
    );
}

#[test]
fn condition_key_outside_condition_functions_is_data() {
    let found = collect(json!({"Statement": [{"Condition": "x"}]}), walk_expr);
    assert!(found.is_empty());
}

#[test]
fn non_string_arguments_are_walked() {
    let found = collect(json!({"Ref": {"Fn::Sub": "${A}"}}), walk_expr);
    assert_eq!(found, [plain(RefKind::Sub, "A")]);
}

#[test]
fn references_name_getatt_and_sub_attributes_in_document_order() {
    let found = references(&json!([
        {"Fn::GetAtt": ["Role", "Arn"]},
        {"Fn::GetAtt": "Db.Endpoint.Address"},
        {"Fn::Sub": ["${Api}/${Stage.Name}/${Own}/${!Literal}", {"Own": {"Ref": "Param"}}]},
        {"Fn::If": ["IsProd", {"Ref": "A"}, {"Ref": "AWS::NoValue"}]},
    ]));
    let summary: Vec<(RefKind, &str, Option<&str>)> = found
        .iter()
        .map(|r| (r.kind, r.id.as_str(), r.attribute.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (RefKind::GetAtt, "Role", Some("Arn")),
            (RefKind::GetAtt, "Db", Some("Endpoint.Address")),
            (RefKind::Sub, "Api", None),
            (RefKind::Sub, "Stage", Some("Name")),
            (RefKind::Ref, "Param", None),
            (RefKind::Condition, "IsProd", None),
            (RefKind::Ref, "A", None),
            (RefKind::Ref, "AWS::NoValue", None),
        ]
    );
}
