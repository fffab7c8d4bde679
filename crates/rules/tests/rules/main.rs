//! Integration tests of the policy rules, through the public API only: one module per
//! rule family, each with templates that trigger a rule and templates that must not,
//! plus the seed's and the example's templates and the rule catalogue itself.

#![allow(clippy::unwrap_used)]

mod api_gateway;
mod catalogue;
mod fixtures;
mod iam;
mod logs;
mod step_functions;
mod task_permissions;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use stackweave_rules::{Finding, RULES, check};

/// Runs the default rules (no opt-in) over `template`.
pub fn run(template: &Value) -> Vec<Finding> {
    check(template, &BTreeSet::new())
}

/// Runs every rule, opt-in ones included.
pub fn run_all(template: &Value) -> Vec<Finding> {
    let all = RULES.iter().map(|rule| rule.id.to_owned()).collect();
    check(template, &all)
}

/// The findings of one rule.
pub fn of<'a>(findings: &'a [Finding], rule_id: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule_id == rule_id).collect()
}

/// A template holding these resources.
pub fn template(resources: Value) -> Value {
    json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
}

/// A role whose one inline policy has these statements.
pub fn role_with(statements: Value) -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]
            },
            "Policies": [{
                "PolicyName": "Inline",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}
            }]
        }
    })
}

/// Panics with every finding when `findings` is not empty.
pub fn assert_none(findings: &[Finding]) {
    assert!(
        findings.is_empty(),
        "expected no findings, got {findings:#?}"
    );
}

/// The pointer of the first statement of `role_with`'s policy in resource `id`.
pub fn statement_pointer(id: &str) -> String {
    format!("/Resources/{id}/Properties/Policies/0/PolicyDocument/Statement/0")
}
