//! The `validation` section: opt-in rules and suppressions with their reasons.

use crate::{assert_problems, ok, with};

#[test]
fn enable_and_suppressions_are_read_in_file_order_with_their_pointers() {
    let stack = ok(&with(
        "validation:\n  enable: [SW-SFN-2]\n  suppress:\n    - rule: SW-APIGW-1\n      resource: Api\n      reason: public demo endpoint\n    - { rule: SW-LOGS-1, reason: kept forever on purpose }\n",
    ));
    let validation = &stack.validation;
    assert_eq!(validation.enable.len(), 1);
    assert_eq!(validation.enable[0].rule, "SW-SFN-2");
    assert_eq!(validation.enable[0].pointer, "/validation/enable/0");
    let [first, second] = validation.suppress.as_slice() else {
        panic!("two suppressions expected: {:?}", validation.suppress);
    };
    assert_eq!(first.rule, "SW-APIGW-1");
    assert_eq!(first.resource.as_deref(), Some("Api"));
    assert_eq!(first.reason, "public demo endpoint");
    assert_eq!(second.resource, None);
    assert_eq!(second.pointer, "/validation/suppress/1");
    // The pointer locates the suppression in the file, for reports.
    assert!(stack.source_map.locate(&first.pointer).line > 1);
}

#[test]
fn no_validation_section_means_nothing_enabled_or_suppressed() {
    let stack = ok(&with(""));
    assert!(stack.validation.enable.is_empty());
    assert!(stack.validation.suppress.is_empty());
}

#[test]
fn a_suppression_without_a_reason_or_rule_is_refused_at_its_line() {
    let text = "name: A\nconstructs:\n  X: { plugin: a }\nvalidation:\n  suppress:\n    - rule: SW-IAM-1\n    - reason: because\n    - { rule: SW-IAM-2, reason: '  ' }\n";
    let problems = assert_problems!(
        text,
        [
            "6:7 a suppression has no `reason`",
            "7:7 a suppression has no `rule`",
            "8:33 `reason` is empty",
        ]
    );
    assert!(
        problems[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("why this finding is accepted"))
    );
}

#[test]
fn wrong_shapes_and_unknown_keys_are_reported() {
    let text = "name: A\nconstructs:\n  X: { plugin: a }\nvalidation:\n  enable: SW-SFN-2\n  suppress:\n    - { rule: SW-IAM-1, reason: r, resources: Api }\n  ignore: []\n";
    assert_problems!(
        text,
        [
            "5:11 `enable` must be a list",
            "7:36 unknown key `resources` in a suppression",
            "8:3 unknown key `ignore` in `validation`",
        ]
    );
}
