//! Apps: several stack files and the environments they are deployed to, synthesised into a
//! cloud assembly per environment. Values (`${value:name}`), references between stacks
//! (`${Stack::Construct.attribute}`), the manifest's deploy order, `--check`, and that a
//! failure writes nothing.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Project, stackweave, stackweave_in};

const EXAMPLE: &str = "examples/multi-stack";

/// A stack of one log group whose retention comes from the environment.
const LOGS: &str = r#"name: Logs
constructs:
  Group:
    plugin: logging
    props:
      retentionDays: ${value:retention}
      name: /app/${value:stage}/${AWS::StackName}
"#;

/// A stack whose workflow logs to the `Logs` stack's log group.
const WORK: &str = r#"name: Work
constructs:
  Flow:
    plugin: express-workflow
    props:
      logging: { destination: "${Logs::Group.arn}" }
      definition:
        StartAt: Done
        States: { Done: { Type: Succeed } }
"#;

const APP: &str = r#"name: Demo
stacks: [logs.yaml, work.yaml]
environments:
  dev:
    region: eu-west-1
    values: { retention: 7, stage: dev }
  prod:
    region: eu-west-1
    values: { retention: 90, stage: prod }
"#;

/// A folder holding an app file and its stack files.
fn app(files: &[(&str, &str)]) -> Project {
    let project = Project::new("");
    std::fs::remove_file(project.path("stack.yaml")).expect("remove the stack file");
    for (name, text) in files {
        project.write(name, text);
    }
    project
}

fn demo() -> Project {
    app(&[("app.yaml", APP), ("logs.yaml", LOGS), ("work.yaml", WORK)])
}

/// Synthesises the project's app into `out/` and returns each environment's templates
/// (JSON) by stack id, and its manifest.
fn synthesised(project: &Project, env: &str) -> (Value, Value) {
    let run = stackweave_in(
        project.dir.path(),
        &["synth", "app.yaml", "--format", "json", "--out", "out"],
    );
    run.success();
    read_assembly(&project.path("out").join(env))
}

/// Runs `synth app.yaml --out out` in the project, expecting it to fail; its stderr.
fn failed_synth(project: &Project) -> String {
    stackweave_in(project.dir.path(), &["synth", "app.yaml", "--out", "out"])
        .failure()
        .to_owned()
}

/// Where the `Work` stack's workflow sends its logs.
fn flow_log_destination(templates: &Value) -> &Value {
    &templates["Work"]["Resources"]["Flow"]["Properties"]["LoggingConfiguration"]["Destinations"][0]
        ["CloudWatchLogsLogGroup"]["LogGroupArn"]
}

fn read_assembly(dir: &Path) -> (Value, Value) {
    let read = |name: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(name)).expect("the file was written");
        serde_json::from_str(&text).expect("JSON")
    };
    let manifest = read("manifest.json");
    let mut templates = serde_json::Map::new();
    for stack in manifest["stacks"].as_array().expect("stacks") {
        let id = stack["id"].as_str().expect("an id");
        templates.insert(id.into(), read(stack["template"].as_str().expect("a file")));
    }
    (Value::Object(templates), manifest)
}

#[test]
fn the_example_app_matches_its_expected_assemblies() {
    let run = stackweave(&[
        "synth",
        EXAMPLE,
        "--locked",
        "--check",
        "--out",
        "examples/multi-stack/expected",
    ]);
    run.success();
}

#[test]
fn the_example_differs_between_environments_only_where_the_environments_do() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().to_str().expect("UTF-8");
    stackweave(&["synth", EXAMPLE, "--format", "json", "--out", out]).success();
    let (dev, dev_manifest) = read_assembly(&dir.path().join("dev"));
    let (prod, prod_manifest) = read_assembly(&dir.path().join("prod"));
    let retention = |t: &Value| {
        t["Observability"]["Resources"]["WorkflowLogs"]["Properties"]["RetentionInDays"].clone()
    };
    assert_eq!((retention(&dev), retention(&prod)), (json!(7), json!(90)));
    let stage = |t: &Value| t["Api"]["Resources"]["ApiStage"]["Properties"]["StageName"].clone();
    assert_eq!((stage(&dev), stage(&prod)), (json!("dev"), json!("prod")));
    // The workflow reads the log group of its own environment's Observability stack.
    for (templates, env) in [(&dev, "dev"), (&prod, "prod")] {
        let destination = &templates["Api"]["Resources"]["Workflow"]["Properties"]["LoggingConfiguration"]
            ["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"];
        assert_eq!(
            destination,
            &json!({"Fn::GetStackOutput": {"StackName": format!("RefArch-{env}-Observability"), "OutputName": "WorkflowLogsArn"}})
        );
        assert_eq!(
            templates["Observability"]["Outputs"]["WorkflowLogsArn"]["Value"],
            json!({"Fn::GetAtt": ["WorkflowLogs", "Arn"]})
        );
        // Weak references export nothing.
        assert!(
            templates["Observability"]["Outputs"]["WorkflowLogsArn"]
                .get("Export")
                .is_none()
        );
    }
    assert_eq!(dev_manifest["stacks"][0]["region"], "eu-west-1");
    assert_eq!(prod_manifest["stacks"][0]["region"], "us-east-1");
    assert_eq!(prod_manifest["stacks"][1]["stackName"], "RefArch-prod-Api");
    assert_eq!(prod_manifest["stacks"][1]["account"], "222222222222");
    assert_eq!(prod_manifest["stacks"][1]["tags"]["environment"], "prod");
}

#[test]
fn values_keep_their_type_whole_and_become_text_inside_strings() {
    let project = demo();
    let (templates, _) = synthesised(&project, "prod");
    let group = &templates["Logs"]["Resources"]["Group"]["Properties"];
    assert_eq!(group["RetentionInDays"], json!(90));
    assert_eq!(
        group["LogGroupName"],
        json!({"Fn::Sub": "/app/prod/${AWS::StackName}"})
    );
}

#[test]
fn a_value_one_environment_lacks_is_an_error_naming_it_and_the_line_that_reads_it() {
    let app_file = APP.replace(
        "values: { retention: 90, stage: prod }",
        "values: { retention: 90 }",
    );
    let project = app(&[
        ("app.yaml", &app_file),
        ("logs.yaml", LOGS),
        ("work.yaml", WORK),
    ]);
    let run = stackweave_in(project.dir.path(), &["synth", "app.yaml", "--out", "out"]);
    let stderr = run.failure();
    assert!(
        stderr.contains("environment `prod`: environment `prod` of app.yaml does not define value `stage`, which this stack reads (`dev` gives it as a string)"),
        "{stderr}"
    );
    assert!(stderr.contains("--> logs.yaml:7:13"), "{stderr}");
    assert!(
        stderr.contains("add `stage:` under `environments: prod: values:`"),
        "{stderr}"
    );
    // dev alone is fine: the value is only missing where it is read.
    stackweave_in(
        project.dir.path(),
        &["synth", "app.yaml", "--env", "dev", "--out", "out"],
    )
    .success();
    assert!(!project.path("out/prod").exists());
}

#[test]
fn an_unknown_value_suggests_the_closest_and_a_value_of_the_wrong_type_fails_the_plugins_schema() {
    let logs = LOGS.replace("${value:stage}", "${value:stag}");
    let project = app(&[("app.yaml", APP), ("logs.yaml", &logs), ("work.yaml", WORK)]);
    let run = stackweave_in(project.dir.path(), &["synth", "app.yaml", "--out", "out"]);
    let stderr = run.failure();
    // Told once, not once per environment: no environment defines it.
    assert_eq!(
        stderr.matches("defines value `stag`").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("no environment of app.yaml defines value `stag`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `stage`?"), "{stderr}");

    // Values are typed: a string where the plugin wants a number is refused by its schema
    // at the line that reads it, for the environment that gives it.
    let app_file = APP
        .replace("retention: 90", "retention: \"90\"")
        .replace("retention: 7,", "retention: \"7\",");
    let project = app(&[
        ("app.yaml", &app_file),
        ("logs.yaml", LOGS),
        ("work.yaml", WORK),
    ]);
    let stderr = failed_synth(&project);
    assert!(stderr.contains("props/retentionDays"), "{stderr}");
    assert!(stderr.contains("--> logs.yaml:6:"), "{stderr}");
}

#[test]
fn a_list_value_cannot_be_part_of_a_longer_string() {
    let app_file = APP
        .replace("stage: dev", "stage: [a, b]")
        .replace("stage: prod", "stage: [c]");
    let project = app(&[
        ("app.yaml", &app_file),
        ("logs.yaml", LOGS),
        ("work.yaml", WORK),
    ]);
    let stderr = failed_synth(&project);
    assert!(
        stderr.contains("value `stage` is a list, which cannot be part of a longer string"),
        "{stderr}"
    );
}

#[test]
fn a_stack_file_reading_values_or_other_stacks_cannot_be_synthesised_alone() {
    let project = demo();
    let stderr = stackweave_in(project.dir.path(), &["synth", "logs.yaml"])
        .failure()
        .to_owned();
    assert!(stderr.contains("`${value:retention}` reads a value of an app's environment, but this stack file is synthesised on its own"), "{stderr}");
    assert!(stderr.contains("--> logs.yaml:6:22"), "{stderr}");
    let stderr = stackweave_in(project.dir.path(), &["synth", "work.yaml"])
        .failure()
        .to_owned();
    assert!(stderr.contains("`${Logs::Group.arn}` reads from stack `Logs`, but this stack file is synthesised on its own"), "{stderr}");
}

#[test]
fn references_to_unknown_stacks_constructs_and_attributes_are_errors_with_suggestions() {
    for (written, expected, suggestion) in [
        (
            "${Log::Group.arn}",
            "names stack `Log`, which is not a stack of app `Demo`",
            "did you mean `Logs`?",
        ),
        (
            "${Logs::Grop.arn}",
            "names `Grop`, which is not a construct, resource or output of stack `Logs` (logs.yaml)",
            "did you mean `Group`?",
        ),
        (
            "${Logs::Group.arm}",
            "stack `Logs`: construct `Group` has no attribute `arm`",
            "did you mean `arn`?",
        ),
        (
            "${Work::Flow.arn}",
            "`${Work::Flow.arn}` names this stack itself",
            "write `${Flow.arn}`",
        ),
    ] {
        let work = WORK.replace("${Logs::Group.arn}", written);
        let project = app(&[("app.yaml", APP), ("logs.yaml", LOGS), ("work.yaml", &work)]);
        let stderr = failed_synth(&project);
        assert!(stderr.contains(expected), "{written}: {stderr}");
        assert!(stderr.contains(suggestion), "{written}: {stderr}");
        assert!(stderr.contains("--> work.yaml:6:"), "{written}: {stderr}");
        assert!(!project.path("out").exists(), "nothing is written");
    }
}

#[test]
fn stacks_reading_each_other_in_a_cycle_are_an_error_naming_it() {
    let logs = format!("{LOGS}outputs:\n  FlowArn:\n    value: ${{Work::Flow.arn}}\n");
    let project = app(&[("app.yaml", APP), ("logs.yaml", &logs), ("work.yaml", WORK)]);
    let stderr = failed_synth(&project);
    assert!(
        stderr.contains("stacks read from each other in a cycle: Logs -> Work -> Logs"),
        "{stderr}"
    );
    assert!(stderr.contains("--> logs.yaml:10:12"), "{stderr}");
}

#[test]
fn an_output_of_another_stack_is_read_by_its_own_name() {
    let logs = format!("{LOGS}outputs:\n  GroupName:\n    value: ${{Group.name}}\n");
    let work = WORK.replace(
        "definition:",
        "name: \"${Logs::GroupName}-flow\"\n      definition:",
    );
    let project = app(&[
        ("app.yaml", APP),
        ("logs.yaml", &logs),
        ("work.yaml", &work),
    ]);
    let (templates, _) = synthesised(&project, "dev");
    // No output is added for it: the stack's own one carries the value (`GroupArn` is for
    // the workflow's log destination).
    let outputs = templates["Logs"]["Outputs"].as_object().expect("outputs");
    assert_eq!(
        outputs.keys().collect::<Vec<_>>(),
        ["GroupName", "GroupArn"]
    );
    let text = templates["Work"].to_string();
    assert!(text.contains(r#""OutputName":"GroupName""#), "{text}");
}

#[test]
fn strong_references_export_and_import_and_cannot_cross_regions() {
    let app_file = APP.replace(
        "stacks: [logs.yaml, work.yaml]",
        "stacks: [logs.yaml, work.yaml]\nreferences: strong",
    );
    let project = app(&[
        ("app.yaml", &app_file),
        ("logs.yaml", LOGS),
        ("work.yaml", WORK),
    ]);
    let (templates, _) = synthesised(&project, "dev");
    assert_eq!(
        templates["Logs"]["Outputs"]["GroupArn"]["Export"],
        json!({"Name": "Demo-dev-Logs-GroupArn"})
    );
    let destination = flow_log_destination(&templates);
    assert_eq!(
        destination,
        &json!({"Fn::ImportValue": "Demo-dev-Logs-GroupArn"})
    );

    let elsewhere = app_file.replace(
        "    values: { retention: 90, stage: prod }",
        "    values: { retention: 90, stage: prod }\n    stacks:\n      Logs: { region: us-east-1 }",
    );
    let project = app(&[
        ("app.yaml", &elsewhere),
        ("logs.yaml", LOGS),
        ("work.yaml", WORK),
    ]);
    let stderr = failed_synth(&project);
    assert!(
        stderr
            .contains("environment `prod` puts stack `Logs` in us-east-1 and `Work` in eu-west-1"),
        "{stderr}"
    );
    assert!(stderr.contains("use weak references"), "{stderr}");
}

#[test]
fn weak_references_reach_other_regions_and_accounts() {
    let placed = APP.replace(
        "    values: { retention: 90, stage: prod }",
        "    account: \"111111111111\"\n    values: { retention: 90, stage: prod }\n    stacks:\n      Logs:\n        region: us-east-1\n        account: \"222222222222\"\n        outputsRole: arn:aws:iam::222222222222:role/read-outputs",
    );
    let project = app(&[
        ("app.yaml", &placed),
        ("logs.yaml", LOGS),
        ("work.yaml", WORK),
    ]);
    let (templates, manifest) = synthesised(&project, "prod");
    let destination = flow_log_destination(&templates);
    assert_eq!(
        destination,
        &json!({"Fn::GetStackOutput": {
            "StackName": "Demo-prod-Logs",
            "OutputName": "GroupArn",
            "Region": "us-east-1",
            "RoleArn": "arn:aws:iam::222222222222:role/read-outputs"
        }})
    );
    assert_eq!(manifest["stacks"][0]["region"], "us-east-1");
    assert_eq!(manifest["stacks"][1]["region"], "eu-west-1");

    // Across accounts without a role to read with: an error saying where to give one.
    let no_role = placed.replace(
        "        outputsRole: arn:aws:iam::222222222222:role/read-outputs\n",
        "",
    );
    let project = app(&[
        ("app.yaml", &no_role),
        ("logs.yaml", LOGS),
        ("work.yaml", WORK),
    ]);
    let stderr = failed_synth(&project);
    assert!(
        stderr.contains(
            "reading `${Logs::Group.arn}` across accounts needs a role in `Logs`'s account"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("give `outputsRole:`"), "{stderr}");
}

#[test]
fn output_names_do_not_change_under_unrelated_edits() {
    let (before, _) = synthesised(&demo(), "dev");
    // Another construct before the one read, another reader, and constructs reordered.
    let logs = LOGS.replace(
        "constructs:\n",
        "constructs:\n  Audit:\n    plugin: logging\n    props: { retentionDays: 30 }\n",
    );
    let work = WORK.replace(
        "constructs:\n",
        "constructs:\n  Other:\n    plugin: logging\n    props: { retentionDays: 1 }\n",
    );
    let project = app(&[
        ("app.yaml", APP),
        ("logs.yaml", &logs),
        ("work.yaml", &work),
    ]);
    let (after, _) = synthesised(&project, "dev");
    assert_eq!(before["Logs"]["Outputs"], after["Logs"]["Outputs"]);
    let destination = |t: &Value| {
        t["Work"]["Resources"]["Flow"]["Properties"]["LoggingConfiguration"]["Destinations"][0]
            .clone()
    };
    assert_eq!(destination(&before), destination(&after));
}

#[test]
fn the_manifest_lists_stacks_in_deploy_order_with_what_each_depends_on() {
    // Listed consumer first: deploy order puts each stack after the stacks it reads.
    let top = "name: Top\nconstructs:\n  Flow:\n    plugin: express-workflow\n    props:\n      logging: { destination: \"${Logs::Group.arn}\" }\n      definition: { StartAt: A, States: { A: { Type: Pass, Result: \"${Work::Flow.arn}\", End: true } } }\n";
    let app_file = APP.replace(
        "stacks: [logs.yaml, work.yaml]",
        "stacks: [top.yaml, work.yaml, logs.yaml]",
    );
    let project = app(&[
        ("app.yaml", &app_file),
        ("logs.yaml", LOGS),
        ("work.yaml", WORK),
        ("top.yaml", top),
    ]);
    let (_, manifest) = synthesised(&project, "dev");
    let order: Vec<(&str, Value)> = manifest["stacks"]
        .as_array()
        .expect("stacks")
        .iter()
        .map(|s| (s["id"].as_str().expect("id"), s["dependsOn"].clone()))
        .collect();
    assert_eq!(
        order,
        [
            ("Logs", json!([])),
            ("Work", json!(["Logs"])),
            ("Top", json!(["Logs", "Work"])),
        ]
    );
    assert_eq!(manifest["stacks"][2]["stackName"], "Demo-dev-Top");
    assert_eq!(manifest["stacks"][2]["template"], "Top.template.json");
}

#[test]
fn check_compares_every_environment_and_names_what_is_stale() {
    let project = demo();
    stackweave_in(project.dir.path(), &["synth", "app.yaml", "--out", "out"]).success();
    stackweave_in(
        project.dir.path(),
        &["synth", "app.yaml", "--out", "out", "--check"],
    )
    .success();
    let stale = APP.replace("retention: 90", "retention: 30");
    project.write("app.yaml", stale);
    let run = stackweave_in(
        project.dir.path(),
        &["synth", "app.yaml", "--out", "out", "--check"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("out/prod/Logs.template.yaml"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+      RetentionInDays: 30"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout
            .contains("out/dev/Logs.template.yaml (committed)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_failure_in_one_stack_of_one_environment_writes_nothing() {
    let project = demo();
    stackweave_in(project.dir.path(), &["synth", "app.yaml", "--out", "out"]).success();
    let before = std::fs::read(project.path("out/dev/Logs.template.yaml")).expect("written");
    // 8 days is no retention CloudWatch Logs offers: prod's Logs stack fails.
    project.write(
        "app.yaml",
        APP.replace("retention: 90", "retention: 8")
            .replace("retention: 7", "retention: 14"),
    );
    let run = stackweave_in(project.dir.path(), &["synth", "app.yaml", "--out", "out"]);
    let stderr = run.failure();
    assert!(
        stderr.contains("environment `prod`: props/retentionDays: 8 is not one of"),
        "{stderr}"
    );
    assert!(stderr.contains("--> logs.yaml:6:22"), "{stderr}");
    assert!(stderr.contains("= construct: Group"), "{stderr}");
    assert!(
        stderr.contains("= plugin: `logging` (built-in)"),
        "{stderr}"
    );
    // dev succeeded, yet its files are as they were: nothing is written.
    assert_eq!(
        std::fs::read(project.path("out/dev/Logs.template.yaml")).expect("kept"),
        before
    );
}

#[test]
fn one_thread_gives_the_same_assembly_as_many() {
    let project = demo();
    stackweave_in(project.dir.path(), &["synth", "app.yaml", "--out", "many"]).success();
    stackweave_in(
        project.dir.path(),
        &["synth", "app.yaml", "--out", "one", "--jobs", "1"],
    )
    .success();
    for env in ["dev", "prod"] {
        for file in [
            "Logs.template.yaml",
            "Work.template.yaml",
            "Logs.diagram.md",
            "manifest.json",
        ] {
            let read = |dir: &str| {
                std::fs::read(project.path(&format!("{dir}/{env}/{file}"))).expect("written")
            };
            assert_eq!(read("many"), read("one"), "{env}/{file}");
        }
    }
}

#[test]
fn environments_parameters_must_name_real_stacks_and_parameters_and_cover_required_ones() {
    let work = WORK.replace(
        "constructs:",
        "parameters:\n  Owner: { Type: String }\nconstructs:",
    );
    let project = app(&[("app.yaml", APP), ("logs.yaml", LOGS), ("work.yaml", &work)]);
    let stderr = failed_synth(&project);
    assert!(stderr.contains("environment `dev` gives no value for parameter `Owner` of stack `Work`, which has no default"), "{stderr}");

    let app_file = APP.replace(
        "    values: { retention: 7, stage: dev }",
        "    values: { retention: 7, stage: dev }\n    parameters:\n      Work: { Ownr: team }\n      Wrk: { Owner: team }",
    );
    let project = app(&[
        ("app.yaml", &app_file),
        ("logs.yaml", LOGS),
        ("work.yaml", &work),
    ]);
    let stderr = stackweave_in(
        project.dir.path(),
        &["synth", "app.yaml", "--env", "dev", "--out", "out"],
    )
    .failure()
    .to_owned();
    assert!(
        stderr.contains("stack `Work` has no parameter `Ownr`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `Owner`?"), "{stderr}");
    assert!(
        stderr.contains("`Wrk` is not a stack of the app"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `Work`?"), "{stderr}");
}

#[test]
fn printing_needs_one_environment_and_one_stack() {
    let project = demo();
    let run = stackweave_in(project.dir.path(), &["synth", "app.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("give `--out DIR`"), "{}", run.stderr);
    let run = stackweave_in(
        project.dir.path(),
        &["synth", ".", "--env", "prod", "--stack", "Logs"],
    );
    assert!(
        run.success().contains("RetentionInDays: 90"),
        "{}",
        run.stdout
    );
    let run = stackweave_in(
        project.dir.path(),
        &["synth", ".", "--env", "prd", "--stack", "Logs"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("app `Demo` has no environment `prd`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `prod`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_strong_reference_to_an_exported_output_imports_the_name_it_exports() {
    let app_file = APP.replace(
        "stacks: [logs.yaml, work.yaml]",
        "stacks: [logs.yaml, work.yaml]\nreferences: strong",
    );
    let logs = format!(
        "{LOGS}outputs:\n  GroupName:\n    value: ${{Group.name}}\n    exportName: ${{AWS::StackName}}-group-${{AWS::Region}}\n"
    );
    let work = WORK.replace(
        "definition:",
        "name: \"${Logs::GroupName}-flow\"\n      definition:",
    );
    let project = app(&[
        ("app.yaml", &app_file),
        ("logs.yaml", &logs),
        ("work.yaml", &work),
    ]);
    let (templates, _) = synthesised(&project, "prod");
    let text = templates["Work"].to_string();
    assert!(
        text.contains(r#"{"Fn::ImportValue":"Demo-prod-Logs-group-eu-west-1"}"#),
        "{text}"
    );
    // An export name only CloudFormation knows cannot be imported by name.
    let logs = logs.replace("${AWS::Region}", "${Group.arn}");
    let project = app(&[
        ("app.yaml", &app_file),
        ("logs.yaml", &logs),
        ("work.yaml", &work),
    ]);
    let stderr = failed_synth(&project);
    assert!(
        stderr.contains("whose `exportName` is only known when it is deployed"),
        "{stderr}"
    );
}
