//! Permission changes, statement by statement, so that a widened grant cannot hide in a long
//! diff.
//!
//! Each template's IAM resources are reduced to facts (a statement a role is granted, a
//! principal its trust policy admits, a managed policy it attaches, a role a policy is
//! attached to); facts are compared per resource as multisets, and each one on a single
//! side is a change. Policies attached to other resource types (bucket, topic and queue
//! policies, Lambda permissions) are not analysed.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::model::{IamChange, IamChangeKind, IamItem, IamStatement};

/// One thing an IAM resource grants or attaches.
#[derive(Debug, Clone)]
struct Fact {
    logical_id: String,
    resource_type: String,
    item: IamItem,
}

impl Fact {
    /// Whether two facts are the same grant (the policy a statement sits in and its `Sid`
    /// do not matter).
    fn same(&self, other: &Fact) -> bool {
        if self.logical_id != other.logical_id {
            return false;
        }
        match (&self.item, &other.item) {
            (IamItem::Statement { statement: a, .. }, IamItem::Statement { statement: b, .. })
            | (
                IamItem::TrustStatement { statement: a },
                IamItem::TrustStatement { statement: b },
            ) => a.same_grant(b),
            (a, b) => a == b,
        }
    }
}

/// The permission changes between two `Resources` mappings, grouped by resource (new
/// template order, then resources only in the old one), removals before additions.
pub(crate) fn diff_iam(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<IamChange> {
    let old_facts = facts(old);
    let new_facts = facts(new);
    let mut matched = vec![false; old_facts.len()];
    let mut changes = Vec::new();
    let mut added = Vec::new();
    for fact in &new_facts {
        let twin = old_facts
            .iter()
            .enumerate()
            .position(|(i, old)| !matched[i] && old.same(fact));
        match twin {
            Some(i) => matched[i] = true,
            None => added.push(change(IamChangeKind::Added, fact)),
        }
    }
    for (fact, matched) in old_facts.iter().zip(&matched) {
        if !*matched {
            changes.push(change(IamChangeKind::Removed, fact));
        }
    }
    changes.extend(added);
    let mut positions: HashMap<&str, usize> = HashMap::new();
    for id in new.keys().chain(old.keys()) {
        let next = positions.len();
        positions.entry(id.as_str()).or_insert(next);
    }
    // Stable: within a resource, facts keep their template order.
    changes.sort_by_key(|c| {
        let position = positions.get(c.logical_id.as_str()).copied();
        (position, c.change == IamChangeKind::Added)
    });
    changes
}

fn change(kind: IamChangeKind, fact: &Fact) -> IamChange {
    IamChange {
        change: kind,
        logical_id: fact.logical_id.clone(),
        resource_type: fact.resource_type.clone(),
        item: fact.item.clone(),
    }
}

/// Every IAM fact of a `Resources` mapping, in template order.
fn facts(resources: &Map<String, Value>) -> Vec<Fact> {
    let mut out = Vec::new();
    for (id, resource) in resources {
        let resource_type = resource
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let empty = Map::new();
        let properties = resource
            .get("Properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let mut push = |item| {
            out.push(Fact {
                logical_id: id.clone(),
                resource_type: resource_type.to_owned(),
                item,
            });
        };
        match resource_type {
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                if let Some(document) = properties.get("AssumeRolePolicyDocument") {
                    for statement in statements(document) {
                        push(IamItem::TrustStatement { statement });
                    }
                }
                for (i, policy) in list(properties.get("Policies")).iter().enumerate() {
                    let name = policy
                        .get("PolicyName")
                        .map_or_else(|| format!("Policies[{i}]"), render_value);
                    if let Some(document) = policy.get("PolicyDocument") {
                        for statement in statements(document) {
                            push(IamItem::Statement {
                                policy: name.clone(),
                                statement,
                            });
                        }
                    }
                }
                for arn in strings(properties.get("ManagedPolicyArns")) {
                    push(IamItem::ManagedPolicy { arn });
                }
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                let name = properties
                    .get("PolicyName")
                    .or_else(|| properties.get("ManagedPolicyName"))
                    .map_or_else(|| id.clone(), render_value);
                if let Some(document) = properties.get("PolicyDocument") {
                    for statement in statements(document) {
                        push(IamItem::Statement {
                            policy: name.clone(),
                            statement,
                        });
                    }
                }
                for (property, target_type) in
                    [("Roles", "role"), ("Users", "user"), ("Groups", "group")]
                {
                    for target in strings(properties.get(property)) {
                        push(IamItem::Attachment {
                            target_type: target_type.to_owned(),
                            target,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The statements of a policy document, normalised. A document may be written as JSON
/// text; one that is an intrinsic function (or unreadable text) has no statements we can
/// know, and is shown as one unresolved statement.
fn statements(document: &Value) -> Vec<IamStatement> {
    let parsed;
    let document = match document {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                parsed = value;
                &parsed
            }
            Err(_) => return vec![unresolved(document)],
        },
        other => other,
    };
    let Some(object) = document.as_object() else {
        return vec![unresolved(document)];
    };
    if crate::compare::is_intrinsic(object) {
        return vec![unresolved(document)];
    }
    list(object.get("Statement"))
        .iter()
        .map(|statement| match statement.as_object() {
            Some(s) if !crate::compare::is_intrinsic(s) => normalise(s),
            _ => unresolved(statement),
        })
        .collect()
}

fn unresolved(value: &Value) -> IamStatement {
    IamStatement {
        unresolved: Some(value.clone()),
        ..IamStatement::default()
    }
}

fn normalise(statement: &Map<String, Value>) -> IamStatement {
    IamStatement {
        sid: statement.get("Sid").map(render_value),
        effect: statement
            .get("Effect")
            .map(render_value)
            .unwrap_or_default(),
        actions: strings(statement.get("Action")),
        not_actions: strings(statement.get("NotAction")),
        resources: strings(statement.get("Resource")),
        not_resources: strings(statement.get("NotResource")),
        principals: principals(statement.get("Principal")),
        not_principals: principals(statement.get("NotPrincipal")),
        condition: statement.get("Condition").cloned(),
        unresolved: None,
    }
}

/// A value that may be one item or a list of them, as a list. An intrinsic function stays
/// one item: its result is only known at deployment.
fn list(value: Option<&Value>) -> Vec<Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// A one-or-many value as sorted, distinct display strings: the order of actions or
/// resources in a statement means nothing.
fn strings(value: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = list(value).iter().map(render_value).collect();
    out.sort();
    out.dedup();
    out
}

/// `Principal` as `Type:value` strings (`Service:states.amazonaws.com`), or `*`.
fn principals(value: Option<&Value>) -> Vec<String> {
    let mut out = match value {
        None => Vec::new(),
        Some(Value::Object(object)) if !crate::compare::is_intrinsic(object) => object
            .iter()
            .flat_map(|(kind, ids)| {
                list(Some(ids))
                    .iter()
                    .map(|id| format!("{kind}:{}", render_value(id)))
                    .collect::<Vec<_>>()
            })
            .collect(),
        Some(other) => vec![render_value(other)],
    };
    out.sort();
    out.dedup();
    out
}

/// Renders a value compactly for people: text as is, `${Workflow}` for a `Ref`,
/// `${Workflow.Arn}` for an `Fn::GetAtt`, an `Fn::Sub`'s text as is, anything else as JSON.
pub(crate) fn render_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Object(object) if object.len() == 1 => {
            let Some((key, argument)) = object.iter().next() else {
                return value.to_string();
            };
            match (key.as_str(), argument) {
                ("Ref", Value::String(target)) => format!("${{{target}}}"),
                ("Fn::GetAtt", Value::String(dotted)) => format!("${{{dotted}}}"),
                ("Fn::GetAtt", Value::Array(parts)) => {
                    let parts: Vec<String> = parts.iter().map(render_value).collect();
                    format!("${{{}}}", parts.join("."))
                }
                ("Fn::Sub", Value::String(text)) => text.clone(),
                ("Fn::Sub", Value::Array(parts)) => match parts.first() {
                    Some(Value::String(text)) => text.clone(),
                    _ => value.to_string(),
                },
                _ => value.to_string(),
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn intrinsics_render_compactly() {
        assert_eq!(render_value(&json!({"Ref": "Workflow"})), "${Workflow}");
        assert_eq!(
            render_value(&json!({"Fn::GetAtt": ["Workflow", "Arn"]})),
            "${Workflow.Arn}"
        );
        assert_eq!(
            render_value(&json!({"Fn::Sub": ["arn:${P}:x", {"P": "y"}]})),
            "arn:${P}:x"
        );
        assert_eq!(
            render_value(&json!({"Fn::ImportValue": "Shared"})),
            r#"{"Fn::ImportValue":"Shared"}"#
        );
        assert_eq!(render_value(&json!(3)), "3");
    }

    #[test]
    fn statements_normalise_one_or_many_and_order() {
        let a = statements(&json!({"Statement": {
            "Sid": "A", "Effect": "Allow", "Action": "s3:GetObject",
            "Resource": [{"Fn::Sub": "${Bucket.Arn}/*"}, "arn:x"],
        }}));
        let b = statements(&json!({"Statement": [{
            "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObject"],
            "Resource": ["arn:x", {"Fn::Sub": "${Bucket.Arn}/*"}],
        }]}));
        assert_eq!(a[0].resources, ["${Bucket.Arn}/*", "arn:x"]);
        assert!(a[0].same_grant(&b[0]), "{a:?} {b:?}");
        let text = statements(&json!(
            r#"{"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "Principal": {"AWS": ["b", "a"]}}]}"#
        ));
        assert_eq!(text[0].not_actions, ["iam:*"]);
        assert_eq!(text[0].principals, ["AWS:a", "AWS:b"]);
    }
}
