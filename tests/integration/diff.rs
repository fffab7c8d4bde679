//! `stackweave diff OLD NEW` on real edits of the reference example: stack files and
//! templates (YAML and JSON), the IAM table, replacements, `--fail` and the report formats.

use serde_json::Value;

use crate::support::{Project, Run, repo_root, stackweave, stackweave_in};

const STACK: &str = "examples/api-to-express/stack.yaml";
const TEMPLATE: &str = "examples/api-to-express/expected/ApiToExpress.template.yaml";

/// A project holding the example's stack file as `old.yaml` and, as `new.yaml`, the same
/// with every `(from, to)` replacement made (each must apply).
fn edited_stack(edits: &[(&str, &str)]) -> Project {
    let original = std::fs::read_to_string(repo_root().join(STACK)).expect("the example");
    let mut edited = original.clone();
    for (from, to) in edits {
        assert!(edited.contains(from), "the example has {from:?}");
        edited = edited.replacen(from, to, 1);
    }
    let project = Project::new(&original);
    project.write("old.yaml", &original);
    project.write("new.yaml", &edited);
    project
}

fn diff_in(project: &Project, args: &[&str]) -> Run {
    let mut all = vec!["diff", "old.yaml", "new.yaml"];
    all.extend_from_slice(args);
    stackweave_in(project.dir.path(), &all)
}

#[test]
fn the_same_stack_as_a_stack_file_and_as_its_template_has_no_differences() {
    let run = stackweave(&["diff", STACK, TEMPLATE, "--fail"]);
    assert_contains!(run.success(), "No differences");
    // JSON and YAML of one template are the same template.
    let json = stackweave(&["synth", STACK, "--format", "json"]);
    let project = Project::new("");
    project.write("template.json", json.success());
    let template = repo_root().join(TEMPLATE);
    let run = stackweave_in(
        project.dir.path(),
        &[
            "diff",
            "template.json",
            template.to_str().expect("UTF-8"),
            "--fail",
        ],
    );
    run.success();
}

#[test]
fn a_widened_statement_in_a_template_shows_in_the_iam_table() {
    let original = std::fs::read_to_string(repo_root().join(TEMPLATE)).expect("the golden");
    let widened = original.replacen("- states:StartSyncExecution", "- states:*", 1);
    assert_ne!(original, widened);
    let project = Project::new("");
    project.write("old.yaml", &original);
    project.write("new.yaml", &widened);
    let run = diff_in(&project, &[]);
    let out = run.success();
    assert_contains!(
        out,
        "IAM changes",
        "| - | ApiRole",
        "| + | ApiRole",
        "states:*"
    );
    // The IAM table comes before the resource list, where the same change is a path.
    let iam = out.find("IAM changes").expect("an IAM section");
    let resources = out.find("Resources").expect("a resource section");
    assert!(iam < resources, "{out}");
    assert_contains!(
        out,
        "Statement[0].Action[0]: \"states:StartSyncExecution\" -> \"states:*\""
    );
    assert_eq!(diff_in(&project, &["--fail"]).code, 1);
}

/// A role, a user and a group, each given access by its own `AWS::IAM::RolePolicy`,
/// `UserPolicy` and `GroupPolicy`; `extra` is appended to every policy's actions.
fn identities_with_their_own_policies(extra: &str) -> String {
    let mut template = String::from(
        "Resources:\n  Worker:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: { Service: lambda.amazonaws.com }\n            Action: sts:AssumeRole\n  Auditor:\n    Type: AWS::IAM::User\n  Operators:\n    Type: AWS::IAM::Group\n",
    );
    for (id, policy_type, property, target) in [
        ("WorkerAccess", "RolePolicy", "RoleName", "Worker"),
        ("AuditorAccess", "UserPolicy", "UserName", "Auditor"),
        ("OperatorsAccess", "GroupPolicy", "GroupName", "Operators"),
    ] {
        template.push_str(&format!(
            "  {id}:\n    Type: AWS::IAM::{policy_type}\n    Properties:\n      {property}: !Ref {target}\n      PolicyName: orders\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: [s3:GetObject{extra}]\n            Resource: !Sub \"arn:${{AWS::Partition}}:s3:::orders/*\"\n"
        ));
    }
    template
}

#[test]
fn role_user_and_group_policy_changes_show_in_the_iam_table() {
    let project = Project::new("");
    project.write("old.yaml", identities_with_their_own_policies(""));
    project.write(
        "new.yaml",
        identities_with_their_own_policies(", s3:DeleteObject"),
    );
    let out = diff_in(&project, &[]).success().to_owned();
    // The IAM table comes before the resource list, where the same changes are paths.
    let iam = out.find("IAM changes\nPermission statements\n");
    assert!(iam.is_some() && iam < out.find("\nResources\n"), "{out}");
    for id in ["WorkerAccess   ", "AuditorAccess  ", "OperatorsAccess"] {
        assert_contains!(
            out,
            format!(
                "| - | {id} | orders | Allow  | s3:GetObject    | arn:${{AWS::Partition}}:s3:::orders/* |\n"
            ),
            format!(
                "| + | {id} | orders | Allow  | s3:DeleteObject | arn:${{AWS::Partition}}:s3:::orders/* |\n"
            ),
        );
    }
    let report: Value =
        serde_json::from_str(diff_in(&project, &["--format", "json"]).success()).expect("JSON");
    let added: Vec<(&str, &str, &Value)> = report["diff"]["iam"]
        .as_array()
        .expect("iam changes")
        .iter()
        .filter(|c| c["change"] == "added")
        .map(|c| {
            (
                c["logical_id"].as_str().unwrap_or_default(),
                c["resource_type"].as_str().unwrap_or_default(),
                &c["statement"]["actions"],
            )
        })
        .collect();
    let actions = serde_json::json!(["s3:DeleteObject", "s3:GetObject"]);
    assert_eq!(
        added,
        [
            ("WorkerAccess", "AWS::IAM::RolePolicy", &actions),
            ("AuditorAccess", "AWS::IAM::UserPolicy", &actions),
            ("OperatorsAccess", "AWS::IAM::GroupPolicy", &actions),
        ],
        "{report:#}"
    );
    assert_eq!(diff_in(&project, &["--fail"]).code, 1);
}

#[test]
fn a_stack_file_edit_that_adds_tracing_grants_the_role_x_ray() {
    let project = edited_stack(&[(
        "        includeExecutionData: true\n",
        "        includeExecutionData: true\n      tracing: true\n",
    )]);
    let run = diff_in(&project, &["--format", "json"]);
    let report: Value = serde_json::from_str(run.success()).expect("JSON");
    let gained: Vec<&Value> = report["diff"]["iam"]
        .as_array()
        .expect("iam changes")
        .iter()
        .filter(|c| c["change"] == "added" && c["logical_id"] == "WorkflowRole")
        .collect();
    assert!(
        gained.iter().any(|c| c["statement"]["actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "xray:PutTraceSegments"))),
        "{report:#}"
    );
    let modified = report["diff"]["resources"]["modified"]
        .as_array()
        .expect("modified");
    assert!(
        modified.iter().any(|r| r["logical_id"] == "Workflow"
            && r["changes"][0]["path"] == "Properties.TracingConfiguration"),
        "{report:#}"
    );
}

#[test]
fn replacements_are_marked() {
    // A new stage name: AWS documents StageName as replaced on update.
    let project = edited_stack(&[("      stage: prod\n", "      stage: v1\n")]);
    let out = diff_in(&project, &[]).success().to_owned();
    assert_contains!(out, "ApiStage", "requires replacement");
    let report: Value =
        serde_json::from_str(diff_in(&project, &["--format", "json"]).success()).expect("JSON");
    assert_eq!(report["replacements"], true);
    let stage = report["diff"]["resources"]["modified"]
        .as_array()
        .expect("modified")
        .iter()
        .find(|r| r["logical_id"] == "ApiStage")
        .expect("the stage changed")
        .clone();
    assert_eq!(stage["replacement"], "always");

    // A new construct id is a new logical id: CloudFormation replaces the log group.
    let project = edited_stack(&[
        ("  WorkflowLogs:\n", "  ExecutionLogs:\n"),
        ("${WorkflowLogs.arn}", "${ExecutionLogs.arn}"),
    ]);
    let report: Value =
        serde_json::from_str(diff_in(&project, &["--format", "json"]).success()).expect("JSON");
    let renamed = &report["diff"]["resources"]["renamed"][0];
    assert_eq!(renamed["old_logical_id"], "WorkflowLogs");
    assert_eq!(renamed["new_logical_id"], "ExecutionLogs");
    assert_eq!(renamed["replacement"], "always");

    // The retention period is updated in place.
    let project = edited_stack(&[("retentionDays: 7", "retentionDays: 14")]);
    let report: Value =
        serde_json::from_str(diff_in(&project, &["--format", "json"]).success()).expect("JSON");
    assert_eq!(report["replacements"], false, "{report:#}");
}

#[test]
fn sarif_diff_reports_iam_changes_and_replacements_at_the_stack_file_line() {
    let project = edited_stack(&[
        ("      stage: prod\n", "      stage: v1\n"),
        (
            "        includeExecutionData: true\n",
            "        includeExecutionData: true\n      tracing: true\n",
        ),
    ]);
    let run = diff_in(&project, &["--format", "sarif"]);
    let log: Value = serde_json::from_str(run.success()).expect("JSON");
    crate::sarif::assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let iam = results
        .iter()
        .find(|r| r["ruleId"] == "SW-DIFF-IAM")
        .expect("an IAM change");
    assert_eq!(iam["level"], "warning");
    let location = &iam["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "new.yaml"
    );
    assert_eq!(
        location["logicalLocations"][1]["fullyQualifiedName"],
        "Workflow/Role"
    );
    let replaced = results
        .iter()
        .find(|r| r["ruleId"] == "SW-DIFF-REPLACE")
        .expect("a replacement");
    assert_contains!(
        replaced["message"]["text"].as_str().unwrap_or_default(),
        "ApiStage"
    );
}

#[test]
fn unreadable_inputs_exit_2() {
    let project = Project::new("name: Broken\nconstructs:\n  A:\n    plugin: nope\n");
    project.write("bad.yaml", "Resources:\n  A: !Nope x\n");
    let run = stackweave_in(project.dir.path(), &["diff", "stack.yaml", "bad.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "no plugin is named `nope`",
        "bad.yaml:2",
        "!Nope"
    );
    let run = stackweave_in(project.dir.path(), &["diff", "stack.yaml"]);
    assert_eq!(run.code, 2, "a missing argument is a usage error");
}
