//! Which capabilities a template must acknowledge in CreateChangeSet's `Capabilities`.
//!
//! CloudFormation refuses (InsufficientCapabilities) to create a change set for a template
//! with IAM resources unless `CAPABILITY_IAM` or `CAPABILITY_NAMED_IAM` is given, and
//! insists on `CAPABILITY_NAMED_IAM` when one of them has a custom name;
//! `CAPABILITY_AUTO_EXPAND` acknowledges macros (a `Transform`, including the
//! `AWS::Include` and `AWS::Serverless` transforms CloudFormation hosts) and nested stacks.
//! Acknowledging exactly what the template holds, rather than always all three, keeps the
//! acknowledgement meaningful.

use serde_json::Value;

/// The property that gives each IAM resource type a custom name, which makes
/// CloudFormation require `CAPABILITY_NAMED_IAM`. Elsewhere the same property names are
/// references to an existing identity (`RoleName` of `AWS::IAM::RolePolicy`), not names.
const NAME_PROPERTIES: [(&str, &str); 5] = [
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
    ("AWS::IAM::User", "UserName"),
    ("AWS::IAM::Group", "GroupName"),
    ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
];

/// Resource types that are stacks of their own, whose templates CloudFormation expands.
const NESTED_STACK_TYPES: [&str; 2] =
    ["AWS::CloudFormation::Stack", "AWS::Serverless::Application"];

/// The capabilities `template` (long-form JSON) needs, sorted and without duplicates:
///
/// - `CAPABILITY_IAM` when it has any `AWS::IAM::*` resource. The API documents AccessKey,
///   Group, InstanceProfile, ManagedPolicy, Policy, Role, User and UserToGroupAddition;
///   every IAM type is counted, since acknowledging one more costs nothing and missing one
///   fails the deployment;
/// - `CAPABILITY_NAMED_IAM` as well when one of them has a custom name: `RoleName`,
///   `ManagedPolicyName`, `UserName`, `GroupName` or `InstanceProfileName` on the type it
///   names;
/// - `CAPABILITY_AUTO_EXPAND` when it has a top-level `Transform`, an `Fn::Transform`
///   anywhere, or a nested stack (`AWS::CloudFormation::Stack`,
///   `AWS::Serverless::Application`).
///
/// What a macro or a nested stack will create is not known here: if it creates IAM
/// resources the template does not show, CloudFormation reports InsufficientCapabilities.
pub fn capabilities(template: &Value) -> Vec<&'static str> {
    let mut out = Vec::new();
    let resources = template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|resources| resources.values());
    for resource in resources {
        let Some(resource_type) = resource.get("Type").and_then(Value::as_str) else {
            continue;
        };
        if resource_type.starts_with("AWS::IAM::") {
            out.push("CAPABILITY_IAM");
            let named = NAME_PROPERTIES.iter().any(|(of, property)| {
                *of == resource_type
                    && resource
                        .get("Properties")
                        .and_then(|properties| properties.get(*property))
                        .is_some_and(|name| !name.is_null())
            });
            if named {
                out.push("CAPABILITY_NAMED_IAM");
            }
        }
        if NESTED_STACK_TYPES.contains(&resource_type) {
            out.push("CAPABILITY_AUTO_EXPAND");
        }
    }
    let transform = template.get("Transform").is_some_and(|t| match t {
        Value::Null => false,
        Value::String(name) => !name.is_empty(),
        Value::Array(names) => !names.is_empty(),
        _ => true,
    });
    if transform || calls_fn_transform(template) {
        out.push("CAPABILITY_AUTO_EXPAND");
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether `Fn::Transform` is called anywhere in `value`.
fn calls_fn_transform(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(key, inner)| key == "Fn::Transform" || calls_fn_transform(inner)),
        Value::Array(items) => items.iter().any(calls_fn_transform),
        _ => false,
    }
}
