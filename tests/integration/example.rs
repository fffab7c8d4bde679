//! The reference example: its golden template, the properties that make it deployable and
//! least-privilege, `--out`, and determinism.

use serde_json::Value;

use crate::support::{Project, assert_golden, repo_root, stackweave, stackweave_in};

const EXAMPLE: &str = "examples/api-to-express/stack.yaml";
const GOLDEN: &str = "examples/api-to-express/expected/ApiToExpress.template.yaml";

#[test]
fn reference_example_matches_its_golden_template() {
    let run = stackweave(&["synth", EXAMPLE]);
    let template = run.success();
    assert_golden(GOLDEN, template);
}

fn example_json() -> Value {
    let run = stackweave(&["synth", EXAMPLE, "--format", "json"]);
    serde_json::from_str(run.success()).expect("--format json prints JSON")
}

fn resources_of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    let resources = template["Resources"]
        .as_object()
        .expect("Resources is an object");
    resources
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

#[test]
fn reference_example_reproduces_the_seed_architecture() {
    let template = example_json();
    for kind in [
        "AWS::Logs::LogGroup",
        "AWS::StepFunctions::StateMachine",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Stage",
    ] {
        assert_eq!(resources_of_type(&template, kind).len(), 1, "one {kind}");
    }
    assert_eq!(resources_of_type(&template, "AWS::IAM::Role").len(), 2);
    let (_, logs) = resources_of_type(&template, "AWS::Logs::LogGroup")[0];
    assert_eq!(logs["Properties"]["RetentionInDays"], 7);
    let (_, machine) = resources_of_type(&template, "AWS::StepFunctions::StateMachine")[0];
    assert_eq!(machine["Properties"]["StateMachineType"], "EXPRESS");
    assert_eq!(
        machine["Properties"]["LoggingConfiguration"]["Level"],
        "ALL"
    );
    assert_eq!(
        machine["Properties"]["LoggingConfiguration"]["IncludeExecutionData"],
        true
    );
    assert!(
        machine.get("DependsOn").is_none(),
        "no redundant DependsOn (cfn-lint W3005)"
    );
    assert_eq!(
        machine["Properties"]["Definition"]["States"]["HelloWorld"]["Type"],
        "Pass"
    );
    let (_, stage) = resources_of_type(&template, "AWS::ApiGateway::Stage")[0];
    assert_eq!(stage["Properties"]["StageName"], "prod");
    assert!(
        template["Outputs"]["ApiEndpoint"]["Value"]
            .to_string()
            .contains("/start?param=value")
    );
}

#[test]
fn reference_example_declares_the_query_parameter_it_reads() {
    // The seed read `param` but declared `example`; the method must declare what the
    // request template reads.
    let template = example_json();
    let (_, method) = resources_of_type(&template, "AWS::ApiGateway::Method")[0];
    let declared = method["Properties"]["RequestParameters"]
        .as_object()
        .expect("parameters are declared");
    assert_eq!(
        declared.keys().collect::<Vec<_>>(),
        ["method.request.querystring.param"]
    );
    let request =
        method["Properties"]["Integration"]["RequestTemplates"]["application/json"].to_string();
    assert_contains!(request, "querystring", "get('param')");
    assert!(!request.contains("example"));
}

#[test]
fn reference_example_maps_failed_executions_to_errors() {
    let template = example_json();
    let (_, method) = resources_of_type(&template, "AWS::ApiGateway::Method")[0];
    let responses = method["Properties"]["Integration"]["IntegrationResponses"].to_string();
    // SUCCEEDED returns the output; TIMED_OUT is a 504 and anything else (FAILED, ABORTED) a 500.
    assert_contains!(
        responses,
        "'SUCCEEDED'",
        "$.output",
        "'TIMED_OUT'",
        "status = 504",
        "status = 500",
        "$.error",
        "$.cause"
    );
}

#[test]
fn reference_example_grants_least_privilege() {
    let template = example_json();
    for (id, role) in resources_of_type(&template, "AWS::IAM::Role") {
        assert!(
            role["Properties"].get("ManagedPolicyArns").is_none(),
            "{id} has no managed policies"
        );
        for policy in role["Properties"]["Policies"]
            .as_array()
            .expect("inline policies")
        {
            for statement in policy["PolicyDocument"]["Statement"]
                .as_array()
                .expect("statements")
            {
                let actions: Vec<&str> = match &statement["Action"] {
                    Value::String(a) => vec![a.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    other => panic!("unexpected Action {other}"),
                };
                for action in &actions {
                    assert!(
                        !action.contains('*'),
                        "{id} grants wildcard action {action}"
                    );
                }
                if statement["Resource"] == "*" || statement["Resource"] == serde_json::json!(["*"])
                {
                    assert!(
                        actions.iter().all(|a| a.starts_with("logs:")),
                        "{id}: only log delivery may use *"
                    );
                }
            }
        }
    }
    let api_role = &template["Resources"]["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"][0];
    assert_eq!(
        api_role["Action"],
        serde_json::json!(["states:StartSyncExecution"])
    );
    assert_eq!(
        api_role["Resource"],
        serde_json::json!([{"Ref": "Workflow"}])
    );
}

#[test]
fn out_writes_the_template_its_diagram_and_a_manifest_of_plugins() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let out_dir = out.path().to_str().expect("a UTF-8 path");
    let run = stackweave(&["synth", EXAMPLE, "--out", out_dir]);
    assert_eq!(run.success(), "", "nothing on stdout with --out");
    let printed = stackweave(&["synth", EXAMPLE]);
    let written = std::fs::read_to_string(out.path().join("ApiToExpress.template.yaml"))
        .expect("template written");
    assert_eq!(written, printed.success());
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("manifest.json")).expect("manifest written"),
    )
    .expect("the manifest is JSON");
    assert_eq!(manifest["stack"], "ApiToExpress");
    assert_eq!(manifest["template"], "ApiToExpress.template.yaml");
    let plugins = manifest["plugins"].as_array().expect("a list of plugins");
    let names: Vec<&str> = plugins.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(
        names,
        ["api-integration", "express-workflow", "iam-role", "logging"]
    );
    for plugin in plugins {
        assert_eq!(plugin["origin"], "built-in");
        let sha = plugin["sha256"].as_str().expect("a sha256");
        assert!(
            sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "sha256 {sha}"
        );
    }
    let diagram = std::fs::read_to_string(out.path().join("ApiToExpress.diagram.md"))
        .expect("diagram written");
    let graph = stackweave(&["graph", EXAMPLE]);
    assert!(diagram.contains(graph.success().trim_end()), "{diagram}");
    let leftovers: Vec<_> = std::fs::read_dir(out.path()).expect("list").collect();
    #[cfg(unix)]
    for entry in &leftovers {
        use std::os::unix::fs::PermissionsExt;
        let entry = entry.as_ref().expect("an entry");
        let mode = entry.metadata().expect("metadata").permissions().mode() & 0o777;
        assert_eq!(
            mode,
            0o644,
            "{}: readable like any file, not private",
            entry.path().display()
        );
    }
    assert_eq!(
        leftovers.len(),
        3,
        "only the three files, no temporary files left behind"
    );
}

#[test]
fn output_is_identical_from_any_folder_and_any_run() {
    let from_root = stackweave(&["synth", EXAMPLE, "--format", "json"]);
    let example_dir = repo_root().join("examples/api-to-express");
    let from_example = stackweave_in(&example_dir, &["synth", "stack.yaml", "--format", "json"]);
    assert_eq!(from_root.success(), from_example.success());
    let again = stackweave(&["synth", EXAMPLE, "--format", "json"]);
    assert_eq!(from_root.stdout, again.stdout);
}

#[test]
fn definition_may_come_from_a_file_next_to_the_stack_file() {
    let project = Project::new(
        "name: FromFile\nconstructs:\n  Role:\n    plugin: iam-role\n    props:\n      assumedBy: [states.amazonaws.com]\n  Flow:\n    plugin: express-workflow\n    props:\n      role: ${Role.arn}\n      definition: !file flow.asl.json\n",
    );
    project.write(
        "flow.asl.json",
        r#"{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}"#,
    );
    let run = project.synth(&["--format", "json"]);
    let template: Value = serde_json::from_str(run.success()).expect("JSON");
    assert_eq!(
        template["Resources"]["Flow"]["Properties"]["Definition"]["States"]["Done"]["Type"],
        "Succeed"
    );
}

#[test]
fn plugins_lists_the_standard_plugins() {
    let run = stackweave(&["plugins"]);
    let listing = run.success();
    for name in ["logging", "iam-role", "express-workflow", "api-integration"] {
        assert!(
            listing
                .lines()
                .any(|l| l.starts_with(&format!("{name}\tconstruct\t"))
                    && l.contains("\tbuilt-in\t")),
            "{name} listed:\n{listing}"
        );
    }
}

#[test]
fn the_readme_first_example_synthesises_as_written() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let start = readme
        .find("```yaml\n")
        .expect("the README shows a stack file")
        + 8;
    let length = readme[start..].find("```").expect("the block ends");
    let project = Project::new(&readme[start..start + length]);
    let template = project.synth(&[]);
    assert_contains!(
        template.success(),
        "Type: AWS::StepFunctions::StateMachine",
        "Type: AWS::ApiGateway::Method"
    );
}
