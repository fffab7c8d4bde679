//! `stackweave diff` of apps: two environments of one app (`diff APP --env dev --env prod`)
//! and two versions of an app (`diff OLD_APP NEW_APP`), stack by stack, in every report
//! format.

use serde_json::Value;

use crate::support::{Project, repo_root, stackweave, stackweave_in};

const APP: &str = "examples/multi-stack";

#[test]
fn dev_and_prod_differ_in_retention_stage_and_where_they_deploy() {
    let run = stackweave(&["diff", APP, "--env", "dev", "--env", "prod"]);
    let out = run.success();
    assert_contains!(
        out,
        "stackweave diff examples/multi-stack --env dev --env prod\n",
        // Observability keeps its logs 90 days in prod, 7 in dev.
        "=== dev -> prod: stack Observability ===\n",
        "[~] AWS::Logs::LogGroup WorkflowLogs\n    [~] Properties.RetentionInDays: 7 -> 90\n",
        // Api: another stage, which replaces it, and the log group of prod's Observability.
        "=== dev -> prod: stack Api ===\n",
        "[~] AWS::ApiGateway::Stage ApiStage (replacement)\n    [~] Properties.StageName: \"dev\" -> \"prod\" (requires replacement)\n",
        "          Fn::GetStackOutput:\n        -   StackName: RefArch-dev-Observability\n        +   StackName: RefArch-prod-Observability\n            OutputName: WorkflowLogsArn\n",
        // Where each stack deploys differs too.
        "Deployment\n[~] stackName: \"RefArch-dev-Api\" -> \"RefArch-prod-Api\"\n[~] region: \"eu-west-1\" -> \"us-east-1\"\n[~] account: \"111111111111\" -> \"222222222222\"\n[~] tags.environment: \"dev\" -> \"prod\"\n",
        "\n2 of 2 stacks differ\n",
    );
    // Stacks in deploy order: Api reads from Observability.
    let observability = out.find("stack Observability").expect("a section");
    let api = out.find("stack Api").expect("a section");
    assert!(observability < api, "{out}");
    let run = stackweave(&["diff", APP, "--env", "dev", "--env", "prod", "--fail"]);
    assert_eq!(run.code, 1, "{}", run.stderr);

    let run = stackweave(&[
        "diff", APP, "--env", "dev", "--env", "prod", "--format", "json",
    ]);
    let report: Value = serde_json::from_str(run.success()).expect("JSON");
    assert_eq!(report["command"], "diff");
    assert_eq!(report["empty"], false);
    assert_eq!(report["replacements"], true);
    let stacks = report["stacks"].as_array().expect("stacks");
    let ids: Vec<&str> = stacks.iter().filter_map(|s| s["stack"].as_str()).collect();
    assert_eq!(ids, ["Observability", "Api"]);
    let observability = &stacks[0];
    assert_eq!(observability["old_environment"], "dev");
    assert_eq!(observability["new_environment"], "prod");
    assert_eq!(observability["status"], "modified");
    assert_eq!(
        observability["new"],
        "examples/multi-stack/observability.yaml"
    );
    let change = &observability["diff"]["resources"]["modified"][0]["changes"][0];
    assert_eq!(change["path"], "Properties.RetentionInDays");
    assert_eq!((&change["old"], &change["new"]), (&7.into(), &90.into()));
    let region = observability["deployment"]
        .as_array()
        .expect("deployment")
        .iter()
        .find(|c| c["path"] == "region")
        .expect("the region differs");
    assert_eq!(
        (&region["old"], &region["new"]),
        (&"eu-west-1".into(), &"us-east-1".into())
    );

    let run = stackweave(&[
        "diff", APP, "--env", "dev", "--env", "prod", "--format", "sarif",
    ]);
    let log: Value = serde_json::from_str(run.success()).expect("JSON");
    crate::sarif::assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let stage = results
        .iter()
        .find(|r| r["ruleId"] == "SW-DIFF-REPLACE")
        .expect("the stage is replaced");
    assert_eq!(
        stage["message"]["text"],
        "dev -> prod: stack Api: AWS::ApiGateway::Stage ApiStage is replaced: Properties.StageName"
    );
    assert_eq!(
        stage["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/multi-stack/api.yaml"
    );
    let moved = results
        .iter()
        .find(|r| r["ruleId"] == "SW-DIFF-DEPLOY")
        .expect("a deployment change");
    assert_eq!(
        moved["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/multi-stack/app.yaml"
    );
}

#[test]
fn an_app_diffed_against_itself_has_no_differences() {
    let run = stackweave(&["diff", APP, &format!("{APP}/app.yaml"), "--fail"]);
    let out = run.success();
    assert_contains!(
        out,
        "=== dev: stack Observability ===\nNo differences\n",
        "=== prod: stack Api ===\nNo differences\n",
        "No differences in 4 stacks\n"
    );
    let run = stackweave(&["diff", APP, "--env", "prod", "--env", "prod", "--fail"]);
    assert_contains!(run.success(), "No differences in 2 stacks");
    let run = stackweave(&["diff", APP, APP, "--format", "json", "--fail"]);
    let report: Value = serde_json::from_str(run.success()).expect("JSON");
    assert_eq!(report["empty"], true);
}

/// The example app copied into a project as `old/`, and as `new/` with prod's retention
/// shortened and a third stack, `Cache`.
fn two_versions() -> Project {
    let project = Project::new("");
    for file in ["app.yaml", "observability.yaml", "api.yaml"] {
        let text = std::fs::read_to_string(repo_root().join(APP).join(file)).expect("the example");
        project.write(&format!("old/{file}"), &text);
        let text = match file {
            "app.yaml" => text
                .replacen("logRetentionDays: 90", "logRetentionDays: 30", 1)
                .replacen("  - api.yaml\n", "  - api.yaml\n  - cache.yaml\n", 1),
            _ => text,
        };
        project.write(&format!("new/{file}"), &text);
    }
    project.write(
        "new/cache.yaml",
        "name: Cache\nconstructs:\n  Logs:\n    plugin: logging\n    props:\n      retentionDays: 3\n",
    );
    project
}

#[test]
fn two_versions_of_an_app_differ_stack_by_stack_with_added_and_removed_stacks() {
    let project = two_versions();
    let run = stackweave_in(project.dir.path(), &["diff", "old", "new", "--env", "prod"]);
    let out = run.success();
    assert_contains!(
        out,
        "stackweave diff old new --env prod\n",
        "=== prod: stack Observability ===\nResources\n[~] AWS::Logs::LogGroup WorkflowLogs\n    [~] Properties.RetentionInDays: 90 -> 30\n",
        "=== prod: stack Api ===\nNo differences\n",
        "=== prod: stack Cache (added) ===\nDeployment\n[+] stackName: \"RefArch-prod-Cache\"\n",
        "[+] AWS::Logs::LogGroup Logs\n",
        "2 of 3 stacks differ\n",
    );
    assert!(!out.contains("=== dev"), "only prod:\n{out}");
    let run = stackweave_in(project.dir.path(), &["diff", "old", "new", "--fail"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Every environment of the new side by default: dev has the new stack too.
    assert_contains!(
        run.stdout,
        "=== dev: stack Cache (added) ===",
        "3 of 6 stacks differ"
    );

    // The other way round, the stack is removed, and listed after the stacks both have.
    let run = stackweave_in(
        project.dir.path(),
        &["diff", "new/app.yaml", "old", "--env", "dev"],
    );
    let out = run.success();
    assert_contains!(
        out,
        "=== dev: stack Cache (removed) ===\n",
        "[-] AWS::Logs::LogGroup Logs\n",
        "1 of 3 stacks differs\n"
    );
    assert!(out.find("stack Api").expect("Api") < out.find("stack Cache").expect("Cache"));
    let run = stackweave_in(
        project.dir.path(),
        &["diff", "new", "old", "--env", "dev", "--format", "json"],
    );
    let report: Value = serde_json::from_str(run.success()).expect("JSON");
    let cache = &report["stacks"][2];
    assert_eq!(cache["stack"], "Cache");
    assert_eq!(cache["status"], "removed");
    assert_eq!(cache["new"], Value::Null);
}

#[test]
fn an_app_diff_that_is_not_two_environments_or_two_apps_is_a_usage_error() {
    let run = stackweave(&["diff", APP, "--env", "dev"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "`diff` of one app compares two of its environments, but one `--env` is given",
        "stackweave diff examples/multi-stack --env dev --env prod"
    );
    let run = stackweave(&["diff", APP]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(run.stderr, "but no `--env` is given");
    let run = stackweave(&["diff", APP, "--env", "dev", "--env", "prd"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "has no environment `prd`",
        "did you mean `prod`?"
    );
    let run = stackweave(&["diff", APP, "examples/api-to-express/stack.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "examples/multi-stack is an app but examples/api-to-express/stack.yaml is not"
    );
    let stack = "examples/api-to-express/stack.yaml";
    let run = stackweave(&["diff", stack, stack, "--env", "dev"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(run.stderr, "`--env` chooses environments of an app");
}
