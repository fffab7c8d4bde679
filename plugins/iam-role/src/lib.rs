//! The `iam-role` construct: an IAM role (`AWS::IAM::Role`) for AWS services, with one inline
//! policy built from statements.
//!
//! Least privilege is enforced, not advised: an Allow statement with the action `*` or a
//! whole service (`logs:*`, `s3*:Get`), and AWS-managed policies that grant whole services
//! (`*FullAccess`, `AdministratorAccess`, `PowerUserAccess`), are errors pointing at the exact
//! item. The resource `*` draws a warning unless every action of its statement is one AWS
//! documents without resource-level permissions. Deny statements are exempt from both checks:
//! a wide Deny only takes permissions away.
//!
//! Local id `Resource`; attributes `name` (`Ref`) and `arn` (`Fn::GetAtt Arn`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stackweave_plugin::{
    Construct, Context, Diagnostic, Fragment, Info, JsonSchema, cfn, schemars,
};
use stackweave_sfn_tasks::{LOG_DELIVERY_ACTIONS, TRACING_ACTIONS};

/// Whether AWS documents no resource narrower than `*` for `action`: the CloudWatch Logs
/// log-delivery actions Step Functions logging needs, and X-Ray's trace upload. IAM compares
/// action names without regard to case.
fn needs_wildcard_resource(action: &str) -> bool {
    LOG_DELIVERY_ACTIONS
        .iter()
        .chain(&TRACING_ACTIONS)
        .any(|known| known.eq_ignore_ascii_case(action))
}

/// The `iam-role` construct.
pub struct IamRole;

/// An IAM role that AWS services assume, with one inline policy built from least-privilege
/// statements.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(example = example_props())]
pub struct IamRoleProps {
    /// The service principals allowed to assume the role (sts:AssumeRole), such as
    /// states.amazonaws.com for a Step Functions execution role or apigateway.amazonaws.com
    /// for an API Gateway integration role.
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    #[schemars(inner(regex(pattern = r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")))]
    #[schemars(example = ["states.amazonaws.com"], example = ["apigateway.amazonaws.com"])]
    pub assumed_by: Vec<String>,
    /// The statements of the role's inline policy, named after the construct's path
    /// (`<ConstructPath>Policy`, such as ApiRolePolicy). An Allow statement may not use the action * or a whole service
    /// (such as s3:*); name the actions the role needs. Resources may reference other
    /// constructs, such as ${Workflow.arn}; * is for actions without resource-level
    /// permissions only.
    #[serde(default)]
    pub statements: Vec<Statement>,
    /// ARNs of managed policies to attach. AWS-managed policies that grant whole services
    /// (*FullAccess, AdministratorAccess, PowerUserAccess) are refused; write statements
    /// instead.
    #[serde(default)]
    #[schemars(with = "Vec<String>", extend("uniqueItems" = true))]
    #[schemars(example = ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"])]
    pub managed_policies: Vec<Value>,
    /// The role's name (RoleName), up to 64 of the characters a-z A-Z 0-9 + = , . @ _ -.
    /// Omitted, CloudFormation generates a unique one, which lets the stack be deployed more
    /// than once per account.
    #[schemars(with = "Option<String>", length(min = 1, max = 64))]
    #[schemars(example = "orders-workflow")]
    pub name: Option<Value>,
    /// The role's path, / or a path that starts and ends with /.
    #[schemars(regex(pattern = r"^/([!-~]*/)?$"), length(max = 512))]
    #[schemars(example = "/service-role/")]
    pub path: Option<String>,
    /// What the role is for, up to 1000 characters.
    #[schemars(with = "Option<String>", length(max = 1000))]
    #[schemars(example = "runs the orders workflow")]
    pub description: Option<Value>,
    /// The ARN of a managed policy that bounds the role's permissions.
    #[schemars(with = "Option<String>")]
    #[schemars(example = "arn:aws:iam::123456789012:policy/team-boundary")]
    pub permissions_boundary: Option<Value>,
    /// Tags for the role: keys and values (a value may reference a parameter or another
    /// construct), written in key order. Omitted, none.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>", example = json!({"team": "platform"}))]
    pub tags: BTreeMap<String, Value>,
}

/// One statement of the inline policy.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Statement {
    /// An identifier for the statement, unique in the policy; letters and digits only.
    #[schemars(regex(pattern = r"^[A-Za-z0-9]+$"), example = &"StartOrders")]
    pub sid: Option<String>,
    /// Whether the statement allows or denies the actions.
    #[serde(default)]
    pub effect: Effect,
    /// The actions, each service:Action, such as states:StartSyncExecution; a * may stand
    /// for part of the action's name (s3:Get*) but not for the whole of it or for the
    /// service.
    #[schemars(length(min = 1), example = ["states:StartSyncExecution"])]
    pub actions: Vec<String>,
    /// The ARNs the actions apply to, or references such as ${Workflow.arn}.
    #[schemars(with = "Vec<String>", length(min = 1))]
    #[schemars(example = ["${Workflow.arn}"], example = ["arn:aws:s3:::orders-archive/*"])]
    pub resources: Vec<Value>,
    /// The statement's Condition block: condition operators, each mapping condition keys to
    /// values.
    #[schemars(extend("additionalProperties" = {"type": "object"}))]
    #[schemars(example = json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))]
    pub conditions: Option<Map<String, Value>>,
}

/// Whether a statement allows or denies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Effect {
    /// Grants the actions.
    #[default]
    Allow,
    /// Refuses the actions, whatever else allows them.
    Deny,
}

/// The props' example in the schema, which a unit test runs.
fn example_props() -> Value {
    json!({
        "assumedBy": ["states.amazonaws.com"],
        "statements": [
            {
                "sid": "DeliverLogs",
                "actions": LOG_DELIVERY_ACTIONS,
                "resources": ["*"]
            },
            {
                "effect": "Deny",
                "actions": ["s3:*"],
                "resources": ["arn:aws:s3:::orders-archive/*"],
                "conditions": {"Bool": {"aws:SecureTransport": "false"}}
            }
        ],
        "managedPolicies": ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"],
        "name": "orders-workflow",
        "path": "/service-role/",
        "description": "runs the orders workflow",
        "permissionsBoundary": "arn:aws:iam::123456789012:policy/team-boundary"
    })
}

impl Effect {
    fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "Allow",
            Self::Deny => "Deny",
        }
    }
}

impl Construct for IamRole {
    type Props = IamRoleProps;

    fn info() -> Info {
        Info {
            name: "iam-role",
            version: env!("CARGO_PKG_VERSION"),
            description: "an IAM role for AWS services, with a least-privilege inline policy",
            // ARN first, so a bare `${Role}` means the ARN, as for every standard construct.
            attributes: vec![("arn", "the role's ARN"), ("name", "the role's name")],
        }
    }

    fn synth(ctx: &Context, props: IamRoleProps) -> Result<Fragment, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        check_principals(&props.assumed_by, &mut errors);
        for (index, statement) in props.statements.iter().enumerate() {
            check_statement(index, statement, &mut errors, &mut warnings);
        }
        check_sids(&props.statements, &mut errors);
        for (index, arn) in props.managed_policies.iter().enumerate() {
            if let Some(problem) = managed_policy_problem(arn) {
                errors.push(Diagnostic::error(
                    format!("/managedPolicies/{index}"),
                    problem,
                ));
            }
        }
        check_scalars(&props, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut properties = Map::new();
        if let Some(name) = props.name {
            properties.insert("RoleName".into(), name);
        }
        if let Some(path) = props.path {
            properties.insert("Path".into(), json!(path));
        }
        if let Some(description) = props.description {
            properties.insert("Description".into(), description);
        }
        properties.insert(
            "AssumeRolePolicyDocument".into(),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": props.assumed_by},
                    "Action": "sts:AssumeRole"
                }]
            }),
        );
        if !props.managed_policies.is_empty() {
            properties.insert("ManagedPolicyArns".into(), json!(props.managed_policies));
        }
        if let Some(boundary) = props.permissions_boundary {
            properties.insert("PermissionsBoundary".into(), boundary);
        }
        if !props.statements.is_empty() {
            let statements: Vec<Value> = props.statements.into_iter().map(statement).collect();
            properties.insert(
                "Policies".into(),
                json!([{
                    "PolicyName": policy_name(&ctx.construct_path.concat()),
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}
                }]),
            );
        }

        if !props.tags.is_empty() {
            properties.insert("Tags".into(), cfn::tags(&props.tags));
        }
        let mut fragment = Fragment::new()
            .resource(
                "Resource",
                json!({"Type": "AWS::IAM::Role", "Properties": properties}),
            )
            .attribute("arn", cfn::get_att("Resource", "Arn"))
            .attribute("name", cfn::reference("Resource"));
        for warning in warnings {
            fragment = fragment.warning(warning);
        }
        Ok(fragment)
    }
}

/// The inline policy's name: the construct's path (its ids concatenated, like its logical
/// id, so a child `Role` of `Api` names `ApiRolePolicy`) and `Policy`, keeping only the
/// characters IAM allows in a policy name, so it reads as belonging to the role and never
/// clashes with a name the user chose elsewhere.
fn policy_name(construct_path: &str) -> String {
    let allowed = |c: &char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c);
    let stem: String = construct_path.chars().filter(allowed).take(122).collect();
    format!("{stem}Policy")
}

fn statement(statement: Statement) -> Value {
    let mut out = Map::new();
    if let Some(sid) = statement.sid {
        out.insert("Sid".into(), json!(sid));
    }
    out.insert("Effect".into(), json!(statement.effect.as_str()));
    out.insert("Action".into(), json!(statement.actions));
    out.insert("Resource".into(), json!(statement.resources));
    if let Some(conditions) = statement.conditions {
        out.insert("Condition".into(), Value::Object(conditions));
    }
    Value::Object(out)
}

fn check_principals(principals: &[String], errors: &mut Vec<Diagnostic>) {
    if principals.is_empty() {
        errors.push(Diagnostic::error(
            "/assumedBy",
            "a role needs a service that may assume it; write one such as `states.amazonaws.com`",
        ));
    }
    for (index, principal) in principals.iter().enumerate() {
        let path = format!("/assumedBy/{index}");
        let host = principal
            .strip_suffix(".amazonaws.com")
            .or_else(|| principal.strip_suffix(".amazonaws.com.cn"));
        let valid = host.is_some_and(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b))
        });
        if !valid {
            errors.push(Diagnostic::error(
                path,
                format!(
                    "`{principal}` is not a service principal; write the service's principal, \
                     such as `states.amazonaws.com` or `apigateway.amazonaws.com`"
                ),
            ));
        } else if principals[..index].contains(principal) {
            errors.push(Diagnostic::error(
                path,
                format!("`{principal}` is listed twice; list each service once"),
            ));
        }
    }
}

fn check_statement(
    index: usize,
    statement: &Statement,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let at = format!("/statements/{index}");
    if statement.actions.is_empty() {
        errors.push(Diagnostic::error(
            format!("{at}/actions"),
            "a statement needs at least one action; write the actions it grants, such as \
             `states:StartSyncExecution`",
        ));
    }
    if statement.resources.is_empty() {
        errors.push(Diagnostic::error(
            format!("{at}/resources"),
            "a statement needs at least one resource; write an ARN or a reference such as \
             `${Workflow.arn}`",
        ));
    }
    let allow = statement.effect == Effect::Allow;
    for (number, action) in statement.actions.iter().enumerate() {
        let problem = action_problem(action, allow);
        if let Some(problem) = problem {
            errors.push(Diagnostic::error(format!("{at}/actions/{number}"), problem));
        }
    }
    for (number, resource) in statement.resources.iter().enumerate() {
        let Value::String(resource) = resource else {
            // A resolved reference: an ARN by construction.
            continue;
        };
        let path = format!("{at}/resources/{number}");
        if resource == "*" {
            let narrowable = statement
                .actions
                .iter()
                .find(|a| !needs_wildcard_resource(a));
            if let (true, Some(action)) = (allow, narrowable) {
                warnings.push(Diagnostic::warning(
                    path,
                    format!(
                        "the resource `*` lets `{action}` act on every resource; write the \
                         ARNs it needs, or a reference such as `${{Bucket.arn}}`, and keep \
                         `*` in a statement of its own for actions AWS documents without \
                         resource-level permissions"
                    ),
                ));
            }
        } else if !resource.starts_with("arn:") {
            errors.push(Diagnostic::error(
                path,
                format!(
                    "`{resource}` is not an ARN; write the resource's ARN, such as \
                     `arn:aws:s3:::orders/*`, or a reference such as `${{Workflow.arn}}`"
                ),
            ));
        }
    }
}

/// Why `action` is not acceptable, if it is not. `allow` says whether the statement grants:
/// wildcards are refused only there.
fn action_problem(action: &str, allow: bool) -> Option<String> {
    let is_wildcard = |part: &str| !part.is_empty() && part.chars().all(|c| c == '*' || c == '?');
    if is_wildcard(action) {
        return allow.then(|| {
            format!(
                "the action `{action}` allows every action of every service; write the actions \
                 the role needs, such as `states:StartSyncExecution`"
            )
        });
    }
    let Some((service, name)) = action.split_once(':') else {
        return Some(format!(
            "`{action}` is not an action; write it as service:Action, such as \
             `states:StartSyncExecution`"
        ));
    };
    if allow && service.contains(['*', '?']) {
        return Some(format!(
            "the action `{action}` has a wildcard in its service, which allows actions of \
             services nobody named; write the service's prefix, such as `states:{name}`"
        ));
    }
    if allow && is_wildcard(name) {
        return Some(format!(
            "the action `{action}` allows every action of `{service}`; write the actions the \
             role needs, such as `{service}:{}`",
            example_action(service)
        ));
    }
    let service_ok = !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*' || b == b'?');
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?');
    if !service_ok || !name_ok {
        return Some(format!(
            "`{action}` is not an action; write it as service:Action, such as \
             `states:StartSyncExecution`"
        ));
    }
    None
}

/// A plausible action of `service` for messages, so the suggestion reads naturally.
fn example_action(service: &str) -> &'static str {
    match service {
        "logs" => "CreateLogDelivery",
        "states" => "StartSyncExecution",
        "s3" => "GetObject",
        "xray" => "PutTraceSegments",
        _ => "Describe*",
    }
}

fn check_sids(statements: &[Statement], errors: &mut Vec<Diagnostic>) {
    for (index, statement) in statements.iter().enumerate() {
        let Some(sid) = &statement.sid else { continue };
        let path = format!("/statements/{index}/sid");
        if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            errors.push(Diagnostic::error(
                path,
                format!("the sid `{sid}` may hold only letters and digits; write one such as `StartOrders`"),
            ));
        } else if statements[..index]
            .iter()
            .any(|s| s.sid.as_deref() == Some(sid))
        {
            errors.push(Diagnostic::error(
                path,
                format!("the sid `{sid}` is used by an earlier statement; give each statement its own sid"),
            ));
        }
    }
}

/// Why a managed policy may not be attached, if it may not. Only AWS-managed policies are
/// judged, by name: a customer-managed policy's content is not known here.
fn managed_policy_problem(arn: &Value) -> Option<String> {
    let text = match arn {
        Value::String(text) => text.as_str(),
        // `!Sub "arn:${AWS::Partition}:iam::aws:policy/..."` names a policy just as plainly.
        Value::Object(object) => match object.get("Fn::Sub") {
            Some(Value::String(text)) if object.len() == 1 => text.as_str(),
            _ => return None,
        },
        _ => return None,
    };
    if !text.starts_with("arn:") {
        return Some(format!(
            "`{text}` is not a policy ARN; write the ARN, such as \
             `arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess`"
        ));
    }
    let (_, policy) = text.split_once(":iam::aws:policy/")?;
    let name = policy.rsplit('/').next().unwrap_or(policy);
    let broad =
        name.ends_with("FullAccess") || name == "AdministratorAccess" || name == "PowerUserAccess";
    broad.then(|| {
        format!(
            "the AWS-managed policy `{name}` grants far more than a role needs; remove it and \
             write statements naming the actions and resources the role uses"
        )
    })
}

/// Checks the optional scalar props when they are plain strings; expressions are the
/// template's business.
fn check_scalars(props: &IamRoleProps, errors: &mut Vec<Diagnostic>) {
    if let Some(Value::String(name)) = &props.name {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
        if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) {
            errors.push(Diagnostic::error(
                "/name",
                format!(
                    "`{name}` cannot be a role name; write 1 to 64 letters, digits and \
                     `+ = , . @ _ -`, such as `orders-workflow`"
                ),
            ));
        }
    }
    if let Some(path) = &props.path {
        let printable = path.bytes().all(|b| (b'!'..=b'~').contains(&b));
        if !path.starts_with('/') || !path.ends_with('/') || !printable || path.len() > 512 {
            errors.push(Diagnostic::error(
                "/path",
                format!(
                    "`{path}` cannot be a role path; write `/` or a path that starts and ends \
                     with `/`, such as `/service-role/`"
                ),
            ));
        }
    }
    if let Some(Value::String(description)) = &props.description
        && description.chars().count() > 1000
    {
        errors.push(Diagnostic::error(
            "/description",
            "a role description is at most 1000 characters; shorten it",
        ));
    }
    if let Some(Value::String(boundary)) = &props.permissions_boundary
        && !boundary.starts_with("arn:")
    {
        errors.push(Diagnostic::error(
            "/permissionsBoundary",
            format!(
                "`{boundary}` is not a policy ARN; write the ARN of the managed policy that \
                 bounds the role"
            ),
        ));
    }
}

stackweave_plugin::export_construct!(IamRole);

#[cfg(test)]
mod tests;
