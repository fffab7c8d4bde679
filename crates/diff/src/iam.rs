//! Permission changes, statement by statement, so that a widened grant cannot hide in a long
//! diff.
//!
//! Each template's IAM resources, as `stackweave-iam` reads them, are reduced to facts (a
//! statement a role is granted, a principal its trust policy admits, a managed policy it
//! attaches, a role a policy is attached to); facts are compared per resource as multisets,
//! and each one on a single side is a change. Policies attached to other resource types
//! (bucket, topic and queue policies, Lambda permissions) are not analysed.

use std::collections::HashMap;

use serde_json::{Map, Value};
use stackweave_iam::{Content, Identity, Slot, Source, as_written};

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

/// Every IAM fact of a `Resources` mapping, in template order: per resource, its trust
/// statements, its policies' statements, its managed policies, then what it is attached to.
fn facts(resources: &Map<String, Value>) -> Vec<Fact> {
    let mut out = Vec::new();
    for (id, resource) in resources {
        let Some(read) = stackweave_iam::read_resource(id, resource, as_written) else {
            continue;
        };
        let mut push = |item| {
            out.push(Fact {
                logical_id: id.clone(),
                resource_type: read.resource_type.to_owned(),
                item,
            });
        };
        // A `Policies` list or entry that is not one has no statement to show; its change
        // is among the resource's.
        for document in read.documents() {
            let policy = match document.source {
                Source::Trust => None,
                Source::Inline { index } => Some(
                    document
                        .name
                        .map_or_else(|| format!("Policies[{index}]"), render_value),
                ),
                Source::PolicyResource => {
                    let managed_name = || resource.pointer("/Properties/ManagedPolicyName");
                    let name = document.name.or_else(managed_name);
                    Some(name.map_or_else(|| id.clone(), render_value))
                }
            };
            for statement in statements(document.value) {
                push(match &policy {
                    None => IamItem::TrustStatement { statement },
                    Some(policy) => IamItem::Statement {
                        policy: policy.clone(),
                        statement,
                    },
                });
            }
        }
        if read.identity.is_some() {
            let arns = resource
                .get("Properties")
                .and_then(|properties| properties.get("ManagedPolicyArns"));
            for arn in strings(arns) {
                push(IamItem::ManagedPolicy { arn });
            }
        }
        for identity in [Identity::Role, Identity::User, Identity::Group] {
            let mut targets: Vec<String> = read
                .attached_to
                .iter()
                .filter(|target| target.identity == identity)
                .map(|target| render_value(target.value))
                .collect();
            targets.sort();
            targets.dedup();
            for target in targets {
                push(IamItem::Attachment {
                    target_type: identity.noun().to_owned(),
                    target,
                });
            }
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
    // Like every one-or-many value here, a null `Statement` is none.
    if document.get("Statement").is_some_and(Value::is_null) {
        return Vec::new();
    }
    match stackweave_iam::read_document(document, "", as_written) {
        Content::Statements(slots) => slots
            .iter()
            .map(|slot| match slot {
                Slot::Statement(statement) => normalise(statement.body),
                Slot::Unreadable { value, .. } => unresolved(value),
            })
            .collect(),
        Content::Text(_) | Content::Unreadable => vec![unresolved(document)],
    }
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

/// A value that may be one item or a list of them, as a list; absent or null is none. An
/// intrinsic function stays one item: its result is only known at deployment.
fn list(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => stackweave_iam::entries(value, "", as_written)
            .into_iter()
            .map(|(value, _)| value)
            .collect(),
    }
}

/// A one-or-many value as sorted, distinct display strings: the order of actions or
/// resources in a statement means nothing.
fn strings(value: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = list(value).into_iter().map(render_value).collect();
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
