//! Diffs of real and small templates: what a reviewer checks in `stackweave diff`.

use std::path::Path;

use serde_json::{Value, json};
use stackweave_diff::{IamChange, IamChangeKind, IamItem, Replacement, TemplateDiff, diff};

const EXAMPLE: &str =
    include_str!("../../../examples/api-to-express/expected/ApiToExpress.template.yaml");

fn example() -> Value {
    stackweave_template_file::parse_template_str(EXAMPLE, Path::new("ApiToExpress.template.yaml"))
        .unwrap_or_else(|error| panic!("{error}"))
        .value
}

/// The example's deployment, whose logical id carries a hash of the API.
fn deployment_id(template: &Value) -> String {
    template["Resources"]
        .as_object()
        .and_then(|r| r.keys().find(|id| id.starts_with("ApiDeployment")))
        .cloned()
        .expect("the example has a deployment")
}

fn template(resources: Value) -> Value {
    json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
}

fn changes_of<'d>(diff: &'d TemplateDiff, id: &str) -> &'d stackweave_diff::ModifiedResource {
    diff.resources
        .modified
        .iter()
        .find(|m| m.logical_id == id)
        .unwrap_or_else(|| panic!("{id} is not modified in {diff:#?}"))
}

#[test]
fn identical_templates_have_no_differences() {
    let diff = diff(&example(), &example());
    assert!(diff.is_empty(), "{diff:#?}");
    assert_eq!(diff.render_text(false), "No differences\n");
    assert_eq!(diff.render_text(true), "No differences\n");
}

#[test]
fn key_order_and_depends_on_spelling_are_no_change() {
    let old =
        template(json!({"A": {"Type": "T", "DependsOn": "B", "Properties": {"x": 1, "y": 2}}}));
    let new =
        template(json!({"A": {"Properties": {"y": 2, "x": 1}, "DependsOn": ["B"], "Type": "T"}}));
    assert!(diff(&old, &new).is_empty());
}

#[test]
fn a_property_change_has_its_path_and_both_values() {
    let old = example();
    let mut new = example();
    new["Resources"]["WorkflowLogs"]["Properties"]["RetentionInDays"] = json!(14);
    let diff = diff(&old, &new);
    let logs = changes_of(&diff, "WorkflowLogs");
    assert_eq!(logs.resource_type, "AWS::Logs::LogGroup");
    assert_eq!(logs.replacement, Replacement::Never);
    assert_eq!(logs.changes.len(), 1);
    let change = &logs.changes[0];
    assert_eq!(change.path, "Properties.RetentionInDays");
    assert_eq!(
        (change.old.clone(), change.new.clone()),
        (Some(json!(7)), Some(json!(14)))
    );
    assert_eq!(change.replacement, Replacement::Never);
    assert_eq!(change.reason, None);
    assert!(!diff.has_replacements());
    let text = diff.render_text(false);
    assert!(
        text.contains("[~] AWS::Logs::LogGroup WorkflowLogs\n"),
        "{text}"
    );
    assert!(
        text.contains("    [~] Properties.RetentionInDays: 7 -> 14\n"),
        "{text}"
    );
    assert!(!text.contains("replacement"), "{text}");
}

#[test]
fn nested_paths_name_list_items() {
    let old = example();
    let mut new = example();
    new["Resources"]["ApiMethod"]["Properties"]["MethodResponses"][1]["StatusCode"] = json!("401");
    new["Resources"]["ApiMethod"]["Properties"]["RequestParameters"]["method.request.querystring.other"] =
        json!(false);
    let diff = diff(&old, &new);
    let method = changes_of(&diff, "ApiMethod");
    let paths: Vec<&str> = method.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            r#"Properties.RequestParameters["method.request.querystring.other"]"#,
            "Properties.MethodResponses[1].StatusCode",
        ]
    );
    assert_eq!(
        method.changes[0].old, None,
        "an added value has no old value"
    );
    assert_eq!(method.changes[0].new, Some(json!(false)));
}

#[test]
fn added_and_removed_resources_are_listed_with_their_type() {
    let old = template(json!({
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "Old": {"Type": "AWS::SNS::Topic"},
    }));
    let new = template(json!({
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}},
    }));
    let diff = diff(&old, &new);
    assert_eq!(diff.resources.added.len(), 1);
    assert_eq!(diff.resources.added[0].logical_id, "Queue");
    assert_eq!(diff.resources.added[0].resource_type, "AWS::SQS::Queue");
    assert_eq!(diff.resources.removed[0].logical_id, "Old");
    assert!(
        diff.resources.renamed.is_empty(),
        "different types are no rename"
    );
    let text = diff.render_text(false);
    assert!(text.contains("[-] AWS::SNS::Topic Old\n"), "{text}");
    assert!(text.contains("[+] AWS::SQS::Queue Queue\n"), "{text}");
}

#[test]
fn a_changed_logical_id_is_a_rename_that_replaces() {
    let old = example();
    let mut new = example();
    let old_id = deployment_id(&old);
    let resources = new["Resources"].as_object_mut().expect("resources");
    let deployment = resources.shift_remove(&old_id).expect("the deployment");
    resources.insert("ApiDeployment12345678".to_owned(), deployment);
    new["Resources"]["ApiStage"]["Properties"]["DeploymentId"] =
        json!({"Ref": "ApiDeployment12345678"});
    let diff = diff(&old, &new);
    assert!(diff.resources.added.is_empty(), "{:#?}", diff.resources);
    assert!(diff.resources.removed.is_empty());
    let renamed = &diff.resources.renamed[0];
    assert_eq!(renamed.old_logical_id, old_id);
    assert_eq!(renamed.new_logical_id, "ApiDeployment12345678");
    assert_eq!(renamed.resource_type, "AWS::ApiGateway::Deployment");
    assert_eq!(renamed.replacement, Replacement::Always);
    assert!(renamed.changes.is_empty());
    assert!(diff.has_replacements());
    // The stage follows the new deployment in place: DeploymentId is no replacement.
    let stage = changes_of(&diff, "ApiStage");
    assert_eq!(stage.replacement, Replacement::Never);
    let text = diff.render_text(false);
    assert!(
        text.contains(&format!(
            "[~] AWS::ApiGateway::Deployment renamed {old_id} -> ApiDeployment12345678 (replacement)\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("CloudFormation creates ApiDeployment12345678 and deletes"),
        "{text}"
    );
}

#[test]
fn a_rename_with_derived_names_changed_is_still_a_rename() {
    let old = example();
    let mut new = example();
    let resources = new["Resources"].as_object_mut().expect("resources");
    let mut role = resources.shift_remove("WorkflowRole").expect("the role");
    role["Properties"]["Policies"][0]["PolicyName"] = json!("FlowRolePolicy");
    resources.insert("FlowRole".to_owned(), role);
    new["Resources"]["Workflow"]["Properties"]["RoleArn"] =
        json!({"Fn::GetAtt": ["FlowRole", "Arn"]});
    let diff = diff(&old, &new);
    let renamed = &diff.resources.renamed[0];
    assert_eq!(
        (
            renamed.old_logical_id.as_str(),
            renamed.new_logical_id.as_str()
        ),
        ("WorkflowRole", "FlowRole")
    );
    assert_eq!(renamed.changes[0].path, "Properties.Policies[0].PolicyName");
    // Its statements move to the new role: the IAM table says so.
    assert!(
        diff.iam
            .iter()
            .any(|c| c.logical_id == "FlowRole" && c.change == IamChangeKind::Added)
    );
    assert!(
        diff.iam
            .iter()
            .any(|c| c.logical_id == "WorkflowRole" && c.change == IamChangeKind::Removed)
    );
}

#[test]
fn documented_replacement_properties_are_marked() {
    let old = example();
    let mut new = example();
    new["Resources"]["ApiStage"]["Properties"]["StageName"] = json!("v1");
    new["Resources"]["WorkflowLogs"]["Properties"]["LogGroupName"] = json!("/custom/logs");
    new["Resources"]["WorkflowLogs"]["Properties"]["RetentionInDays"] = json!(30);
    new["Resources"]["Workflow"]["Properties"]["StateMachineType"] = json!("STANDARD");
    new["Resources"]["Workflow"]["Properties"]["StateMachineName"] = json!("flow");
    new["Resources"]["ApiRole"]["Properties"]["Path"] = json!("/service-role/");
    let diff = diff(&old, &new);

    let stage = changes_of(&diff, "ApiStage");
    assert_eq!(stage.replacement, Replacement::Always);
    assert_eq!(stage.changes[0].path, "Properties.StageName");
    assert_eq!(stage.changes[0].replacement, Replacement::Always);
    assert!(
        stage.changes[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("Update requires: Replacement"))
    );

    let logs = changes_of(&diff, "WorkflowLogs");
    let by_path = |m: &stackweave_diff::ModifiedResource, path: &str| {
        m.changes
            .iter()
            .find(|c| c.path == path)
            .map(|c| c.replacement)
            .unwrap_or_else(|| panic!("no change at {path}"))
    };
    assert_eq!(
        by_path(logs, "Properties.LogGroupName"),
        Replacement::Always
    );
    assert_eq!(
        by_path(logs, "Properties.RetentionInDays"),
        Replacement::Never
    );

    let workflow = changes_of(&diff, "Workflow");
    assert_eq!(
        by_path(workflow, "Properties.StateMachineType"),
        Replacement::Always
    );
    // Added: a property that was absent counts too.
    assert_eq!(
        by_path(workflow, "Properties.StateMachineName"),
        Replacement::Always
    );
    assert_eq!(
        by_path(changes_of(&diff, "ApiRole"), "Properties.Path"),
        Replacement::Always
    );

    let text = diff.render_text(false);
    assert!(
        text.contains("[~] AWS::ApiGateway::Stage ApiStage (replacement)\n"),
        "{text}"
    );
    assert!(
        text.contains("    [~] Properties.StageName: \"prod\" -> \"v1\" (requires replacement)\n"),
        "{text}"
    );
    assert!(
        text.contains("    [~] Properties.RetentionInDays: 7 -> 30\n"),
        "{text}"
    );
    assert!(
        text.contains("    [+] Properties.StateMachineName: \"flow\" (requires replacement)\n"),
        "{text}"
    );
}

#[test]
fn a_type_change_replaces() {
    let old = template(json!({"Q": {"Type": "AWS::SQS::Queue"}}));
    let new = template(json!({"Q": {"Type": "AWS::SNS::Topic"}}));
    let diff = diff(&old, &new);
    let queue = changes_of(&diff, "Q");
    assert_eq!(queue.replacement, Replacement::Always);
    assert_eq!(queue.changes[0].path, "Type");
    assert!(
        diff.render_text(false)
            .contains("[~] AWS::SNS::Topic Q (replacement)")
    );
}

#[test]
fn nested_changes_under_a_replacement_property_replace() {
    let old = template(
        json!({"D": {"Type": "AWS::ApiGateway::Deployment", "Properties": {
        "RestApiId": "x", "DeploymentCanarySettings": {"PercentTraffic": 10}}}}),
    );
    let mut new = old.clone();
    new["Resources"]["D"]["Properties"]["DeploymentCanarySettings"]["PercentTraffic"] = json!(20);
    let diff = diff(&old, &new);
    let change = &changes_of(&diff, "D").changes[0];
    assert_eq!(
        change.path,
        "Properties.DeploymentCanarySettings.PercentTraffic"
    );
    assert_eq!(change.replacement, Replacement::Always);
}

#[test]
fn resources_referring_to_a_replaced_resource_may_be_replaced() {
    let old = example();
    let mut new = example();
    new["Resources"]["Api"]["Type"] = json!("AWS::ApiGateway::RestApiV3");
    let diff = diff(&old, &new);
    assert_eq!(changes_of(&diff, "Api").replacement, Replacement::Always);
    // RestApiId (a replacement property) refers to the replaced API.
    let stage = changes_of(&diff, "ApiStage");
    assert_eq!(stage.replacement, Replacement::Conditional);
    assert_eq!(stage.changes[0].path, "Properties.RestApiId");
    assert!(
        stage.changes[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("refers to Api"))
    );
    let method = changes_of(&diff, "ApiMethod");
    assert_eq!(method.replacement, Replacement::Conditional);
    let text = diff.render_text(false);
    assert!(
        text.contains("[~] AWS::ApiGateway::Stage ApiStage (may be replaced)\n"),
        "{text}"
    );
}

#[test]
fn output_and_parameter_changes_are_listed() {
    let old = json!({
        "Parameters": {"Stage": {"Type": "String", "Default": "prod"}, "Gone": {"Type": "String"}},
        "Resources": {"A": {"Type": "T"}},
        "Outputs": {"Url": {"Value": {"Fn::Sub": "https://${A}/prod"}}, "Old": {"Value": "x"}},
    });
    let new = json!({
        "Parameters": {"Stage": {"Type": "String", "Default": "v1"}, "Extra": {"Type": "Number"}},
        "Resources": {"A": {"Type": "T"}},
        "Outputs": {"Url": {"Value": {"Fn::Sub": "https://${A}/v1"}, "Export": {"Name": "url"}}},
        "Description": "now described",
    });
    let diff = diff(&old, &new);
    assert!(diff.resources.is_empty());
    let url = &diff.outputs.modified[0];
    assert_eq!(url.id, "Url");
    let paths: Vec<&str> = url.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["Value", "Export"]);
    assert_eq!(diff.outputs.removed[0].id, "Old");
    assert_eq!(diff.parameters.modified[0].changes[0].path, "Default");
    assert_eq!(diff.parameters.added[0].id, "Extra");
    assert_eq!(diff.parameters.removed[0].id, "Gone");
    assert_eq!(diff.sections[0].section, "Description");
    assert_eq!(
        diff.sections[0].changes[0].new,
        Some(json!("now described"))
    );

    let text = diff.render_text(false);
    assert!(
        text.contains("Outputs\n[-] Old: {\"Value\":\"x\"}\n[~] Url\n"),
        "{text}"
    );
    assert!(
        text.contains("    [~] Value: {\"Fn::Sub\":\"https://${A}/prod\"} -> {\"Fn::Sub\":\"https://${A}/v1\"}\n"),
        "{text}"
    );
    assert!(text.contains("Parameters\n[-] Gone: {\"Type\":\"String\"}\n[+] Extra: {\"Type\":\"Number\"}\n[~] Stage\n    [~] Default: \"prod\" -> \"v1\"\n"), "{text}");
    assert!(
        text.contains("Other sections\n[+] Description: \"now described\"\n"),
        "{text}"
    );
}

fn statements(diff: &TemplateDiff) -> Vec<(IamChangeKind, &str, Vec<String>)> {
    diff.iam
        .iter()
        .filter_map(|c| match &c.item {
            IamItem::Statement { statement, .. } => {
                Some((c.change, c.logical_id.as_str(), statement.actions.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_widened_action_shows_in_the_iam_table() {
    let old = example();
    let mut new = example();
    let action = &mut new["Resources"]["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        [0]["Action"][0];
    assert_eq!(*action, json!("states:StartSyncExecution"));
    *action = json!("states:*");
    let diff = diff(&old, &new);
    assert_eq!(
        statements(&diff),
        [
            (
                IamChangeKind::Removed,
                "ApiRole",
                vec!["states:StartSyncExecution".to_owned()]
            ),
            (IamChangeKind::Added, "ApiRole", vec!["states:*".to_owned()]),
        ]
    );
    let IamItem::Statement { policy, statement } = &diff.iam[1].item else {
        panic!("a statement: {:#?}", diff.iam)
    };
    assert_eq!(policy, "ApiRolePolicy");
    assert_eq!(statement.sid.as_deref(), Some("StartSyncExecution"));
    assert_eq!(statement.effect, "Allow");
    assert_eq!(statement.resources, ["${Workflow}"]);
    // The same change, by path, among the resources.
    assert_eq!(
        changes_of(&diff, "ApiRole").changes[0].path,
        "Properties.Policies[0].PolicyDocument.Statement[0].Action[0]"
    );

    let text = diff.render_text(false);
    assert!(
        text.starts_with("IAM changes\nPermission statements\n"),
        "IAM comes first:\n{text}"
    );
    let removed = text
        .lines()
        .find(|l| l.starts_with("| - | ApiRole"))
        .unwrap_or_else(|| panic!("no removed row in\n{text}"));
    assert!(
        removed.contains("| Allow  | states:StartSyncExecution | ${Workflow} |"),
        "{removed}"
    );
    assert!(
        removed.contains("| ApiRolePolicy | StartSyncExecution |"),
        "{removed}"
    );
    let added = text
        .lines()
        .find(|l| l.starts_with("| + | ApiRole"))
        .unwrap_or_else(|| panic!("no added row in\n{text}"));
    assert!(
        added.contains("| states:*                  | ${Workflow} |"),
        "{added}"
    );
    let iam_end = text.find("\nResources\n").expect("a Resources section");
    assert!(text.find("| + | ApiRole").is_some_and(|at| at < iam_end));
}

#[test]
fn statements_moving_or_reordering_are_no_iam_change() {
    let role = |statements: Value| {
        template(json!({"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": []},
            "Policies": [{"PolicyName": "P", "PolicyDocument": {"Statement": statements}}]}}}))
    };
    let old = role(json!([
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "q"},
    ]));
    let new = role(json!([
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": ["q"]},
        {"Sid": "Renamed", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": ["*"]},
    ]));
    let diff = diff(&old, &new);
    assert!(diff.iam.is_empty(), "{:#?}", diff.iam);
}

#[test]
fn an_added_managed_policy_shows_in_the_iam_table() {
    let old = example();
    let mut new = example();
    new["Resources"]["WorkflowRole"]["Properties"]["ManagedPolicyArns"] =
        json!(["arn:aws:iam::aws:policy/AmazonS3FullAccess"]);
    let diff = diff(&old, &new);
    assert_eq!(diff.iam.len(), 1, "{:#?}", diff.iam);
    let IamChange {
        change,
        logical_id,
        item,
        ..
    } = &diff.iam[0];
    assert_eq!(*change, IamChangeKind::Added);
    assert_eq!(logical_id, "WorkflowRole");
    assert_eq!(
        *item,
        IamItem::ManagedPolicy {
            arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess".to_owned()
        }
    );
    let text = diff.render_text(false);
    assert!(text.contains("Managed policies\n"), "{text}");
    assert!(
        text.contains("| + | WorkflowRole | arn:aws:iam::aws:policy/AmazonS3FullAccess |"),
        "{text}"
    );
}

#[test]
fn a_changed_trust_principal_shows_in_the_iam_table() {
    let old = example();
    let mut new = example();
    new["Resources"]["WorkflowRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] =
        json!({"Service": ["states.amazonaws.com", "lambda.amazonaws.com"]});
    let diff = diff(&old, &new);
    let trust: Vec<(IamChangeKind, Vec<String>)> = diff
        .iam
        .iter()
        .filter_map(|c| match &c.item {
            IamItem::TrustStatement { statement } => Some((c.change, statement.principals.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        trust,
        [
            (
                IamChangeKind::Removed,
                vec!["Service:states.amazonaws.com".to_owned()]
            ),
            (
                IamChangeKind::Added,
                vec![
                    "Service:lambda.amazonaws.com".to_owned(),
                    "Service:states.amazonaws.com".to_owned()
                ]
            ),
        ]
    );
    let text = diff.render_text(false);
    assert!(
        text.contains("Trust policy statements (who may assume the role)\n"),
        "{text}"
    );
    assert!(text.contains("Service:lambda.amazonaws.com"), "{text}");
}

#[test]
fn a_new_role_contributes_all_its_statements() {
    let old = template(json!({}));
    let new = template(json!({"R": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "P", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}}],
    }},
    "Attach": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "Extra", "Roles": [{"Ref": "R"}],
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": {"Fn::GetAtt": ["Bucket", "Arn"]}}]}}}}));
    let diff = diff(&old, &new);
    let kinds: Vec<(&str, &str)> = diff
        .iam
        .iter()
        .map(|c| {
            let kind = match &c.item {
                IamItem::Statement { .. } => "statement",
                IamItem::TrustStatement { .. } => "trust",
                IamItem::ManagedPolicy { .. } => "managed",
                IamItem::Attachment { .. } => "attachment",
            };
            (c.logical_id.as_str(), kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("R", "trust"),
            ("R", "statement"),
            ("Attach", "statement"),
            ("Attach", "attachment")
        ]
    );
    assert!(diff.iam.iter().all(|c| c.change == IamChangeKind::Added));
    let text = diff.render_text(false);
    assert!(
        text.contains("| + | Attach   | Extra  | Allow  | s3:*   | ${Bucket.Arn} |"),
        "{text}"
    );
    assert!(text.contains("| + | Attach | role ${R}   |"), "{text}");
}

/// A role, user or group `Target` and a policy resource `Grant` of `policy_type` that
/// names it through `property` (`RoleName`...), allowing `actions` on a bucket's objects.
fn attached_policy(
    identity_type: &str,
    policy_type: &str,
    property: &str,
    actions: Value,
) -> Value {
    let mut properties = json!({
        "PolicyName": "orders-access",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "Objects", "Effect": "Allow", "Action": actions,
            "Resource": "arn:aws:s3:::orders/*"}]},
    });
    properties[property] = json!({"Ref": "Target"});
    template(json!({
        "Target": {"Type": identity_type},
        "Grant": {"Type": policy_type, "Properties": properties},
    }))
}

/// What `stackweave diff` shows when only the statement of `policy_type` gains an action,
/// and when that policy is added whole: the same rows as for an `AWS::IAM::Policy`.
fn a_widened_attached_policy_shows_in_the_iam_table(
    identity_type: &str,
    policy_type: &str,
    property: &str,
    noun: &str,
) {
    let old = attached_policy(
        identity_type,
        policy_type,
        property,
        json!(["s3:GetObject"]),
    );
    let new = attached_policy(
        identity_type,
        policy_type,
        property,
        json!(["s3:PutObject", "s3:GetObject"]),
    );
    let changes = diff(&old, &new);
    assert_eq!(
        statements(&changes),
        [
            (
                IamChangeKind::Removed,
                "Grant",
                vec!["s3:GetObject".to_owned()]
            ),
            (
                IamChangeKind::Added,
                "Grant",
                vec!["s3:GetObject".to_owned(), "s3:PutObject".to_owned()]
            ),
        ],
        "{policy_type}"
    );
    let report = serde_json::to_value(&changes).expect("serialisable");
    assert_eq!(
        report["iam"][1],
        json!({
            "change": "added",
            "logical_id": "Grant",
            "resource_type": policy_type,
            "kind": "statement",
            "policy": "orders-access",
            "statement": {
                "sid": "Objects",
                "effect": "Allow",
                "actions": ["s3:GetObject", "s3:PutObject"],
                "resources": ["arn:aws:s3:::orders/*"]
            }
        })
    );
    let text = changes.render_text(false);
    assert!(
        text.starts_with("IAM changes\nPermission statements\n"),
        "IAM comes first:\n{text}"
    );
    assert!(
        text.contains(
            "| - | Grant    | orders-access | Objects | Allow  | s3:GetObject | arn:aws:s3:::orders/* |\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(concat!(
            "| + | Grant    | orders-access | Objects | Allow  | s3:GetObject | arn:aws:s3:::orders/* |\n",
            "|   |          |               |         |        | s3:PutObject |                       |\n",
        )),
        "{text}"
    );
    // What it applies to did not change.
    assert!(!text.contains("Policy attachments"), "{text}");

    // Added whole, it also names what it applies to.
    let whole = diff(&template(json!({"Target": {"Type": identity_type}})), &new);
    let text = whole.render_text(false);
    assert!(text.contains("Policy attachments\n"), "{text}");
    assert!(
        text.contains(&format!("| + | Grant  | {noun} ${{Target}} |")),
        "{text}"
    );
}

#[test]
fn a_role_policy_statement_change_shows_in_the_iam_table() {
    a_widened_attached_policy_shows_in_the_iam_table(
        "AWS::IAM::Role",
        "AWS::IAM::RolePolicy",
        "RoleName",
        "role",
    );
}

#[test]
fn a_user_policy_statement_change_shows_in_the_iam_table() {
    a_widened_attached_policy_shows_in_the_iam_table(
        "AWS::IAM::User",
        "AWS::IAM::UserPolicy",
        "UserName",
        "user",
    );
}

#[test]
fn a_group_policy_statement_change_shows_in_the_iam_table() {
    a_widened_attached_policy_shows_in_the_iam_table(
        "AWS::IAM::Group",
        "AWS::IAM::GroupPolicy",
        "GroupName",
        "group",
    );
}

#[test]
fn long_values_are_shown_line_by_line() {
    let old = example();
    let mut new = example();
    let templates = &mut new["Resources"]["ApiMethod"]["Properties"]["Integration"]["IntegrationResponses"]
        [0]["ResponseTemplates"]["application/json"];
    let text = templates
        .as_str()
        .expect("a mapping template")
        .replace("504", "503");
    *templates = json!(text);
    let diff = diff(&old, &new);
    let rendered = diff.render_text(false);
    assert!(
        rendered.contains(
            "    [~] Properties.Integration.IntegrationResponses[0].ResponseTemplates[\"application/json\"]:\n"
        ),
        "{rendered}"
    );
    assert!(
        rendered.contains("        - #set($context.responseOverride.status = 504)\n"),
        "{rendered}"
    );
    assert!(
        rendered.contains("        + #set($context.responseOverride.status = 503)\n"),
        "{rendered}"
    );
    assert!(
        rendered.contains("          #if($status == 'TIMED_OUT')\n"),
        "context: {rendered}"
    );
    assert!(
        rendered.contains("        ...\n"),
        "far lines are folded: {rendered}"
    );
}

#[test]
fn colour_only_when_asked_and_no_trailing_whitespace() {
    let old = example();
    let mut new = example();
    new["Resources"]["ApiStage"]["Properties"]["StageName"] = json!("v1");
    new["Resources"]["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] =
        json!(["states:*"]);
    let resources = new["Resources"].as_object_mut().expect("resources");
    resources.shift_remove("ApiRequestValidator");
    resources.insert("Topic".to_owned(), json!({"Type": "AWS::SNS::Topic"}));
    let diff = diff(&old, &new);

    let plain = diff.render_text(false);
    assert!(!plain.contains('\x1b'), "{plain}");
    let coloured = diff.render_text(true);
    assert!(
        coloured.contains("\x1b[32m[+] AWS::SNS::Topic Topic\x1b[0m"),
        "{coloured}"
    );
    assert!(
        coloured
            .contains("\x1b[31m[-] AWS::ApiGateway::RequestValidator ApiRequestValidator\x1b[0m"),
        "{coloured}"
    );
    assert!(
        coloured.contains(
            "\x1b[33m[~] AWS::ApiGateway::Stage ApiStage\x1b[0m \x1b[1;31m(replacement)\x1b[0m"
        ),
        "{coloured}"
    );
    assert!(
        coloured.contains("\x1b[1;31m(requires replacement)\x1b[0m"),
        "{coloured}"
    );
    for text in [&plain, &coloured] {
        for line in text.lines() {
            assert_eq!(line, line.trim_end(), "trailing whitespace in {line:?}");
        }
        assert!(text.ends_with('\n'));
    }
    // Deterministic: the same input gives the same bytes.
    assert_eq!(plain, stackweave_diff::diff(&old, &new).render_text(false));
}

#[test]
fn the_json_report_is_snake_case_and_leaves_out_absent_values() {
    let old = example();
    let mut new = example();
    new["Resources"]["ApiStage"]["Properties"]["StageName"] = json!("v1");
    new["Resources"]["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"]
        [0] = json!("states:*");
    let report = serde_json::to_value(diff(&old, &new)).expect("serialisable");
    let keys: Vec<&String> = report.as_object().expect("an object").keys().collect();
    assert_eq!(
        keys,
        ["resources", "outputs", "parameters", "sections", "iam"]
    );
    let stage = report["resources"]["modified"]
        .as_array()
        .and_then(|m| m.iter().find(|r| r["logical_id"] == "ApiStage"))
        .expect("the stage");
    assert_eq!(stage["replacement"], "always");
    assert_eq!(stage["changes"][0]["path"], "Properties.StageName");
    assert_eq!(stage["changes"][0]["old"], "prod");
    assert_eq!(stage["changes"][0]["new"], "v1");
    assert_eq!(
        report["iam"][0],
        json!({
            "change": "removed",
            "logical_id": "ApiRole",
            "resource_type": "AWS::IAM::Role",
            "kind": "statement",
            "policy": "ApiRolePolicy",
            "statement": {
                "sid": "StartSyncExecution",
                "effect": "Allow",
                "actions": ["states:StartSyncExecution"],
                "resources": ["${Workflow}"]
            }
        })
    );
    let role = report["resources"]["modified"]
        .as_array()
        .and_then(|m| m.iter().find(|r| r["logical_id"] == "ApiRole"))
        .expect("the role");
    assert!(
        role["changes"][0].get("reason").is_none(),
        "no reason when not replaced"
    );
}

#[test]
fn the_seed_and_the_example_differ_as_expected() {
    let seed = stackweave_template_file::parse_template_str(
        include_str!("../../../tests/fixtures/seed-template.yaml"),
        Path::new("seed-template.yaml"),
    )
    .unwrap_or_else(|error| panic!("{error}"))
    .value;
    let diff = diff(&seed, &example());
    // The seed's over-broad grants go away.
    let removed: Vec<String> = diff
        .iam
        .iter()
        .filter(|c| c.change == IamChangeKind::Removed)
        .filter_map(|c| match &c.item {
            IamItem::ManagedPolicy { arn } => Some(arn.clone()),
            IamItem::Statement { statement, .. } => Some(statement.actions.join(",")),
            _ => None,
        })
        .collect();
    assert!(
        removed.contains(&"arn:aws:iam::aws:policy/AmazonS3FullAccess".to_owned()),
        "{removed:?}"
    );
    assert!(removed.contains(&"logs:*".to_owned()), "{removed:?}");
    let text = diff.render_text(false);
    assert!(text.starts_with("IAM changes\n"), "{text}");
}
