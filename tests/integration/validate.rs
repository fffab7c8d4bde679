//! `stackweave validate`: the seed's defects found, the examples clean, findings tied to
//! resource, construct and line, suppressions, opt-in rules, undecided values, exit codes and
//! the three report formats (SARIF checked against the SARIF 2.1.0 schema).

use serde_json::Value;
use stackweave_test_plugins::ECHO;

use crate::support::{Project, Run, repo_root, stackweave, stackweave_in};

/// The seed's template (from the blog post the product reproduces), kept as a test input.
const SEED: &str = "tests/fixtures/seed-template.yaml";

fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\nstderr:\n{}", run.stdout, run.stderr))
}

/// `(rule, resource, status)` of every finding in a JSON report.
fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
            (text("rule"), text("resource"), text("status"))
        })
        .collect()
}

fn has(found: &[(String, String, String)], rule: &str, resource: &str) -> bool {
    found.iter().any(|(r, id, _)| r == rule && id == resource)
}

#[test]
fn the_seed_template_fails_with_each_of_its_defects() {
    let run = stackweave(&["validate", SEED, "--format", "json"]);
    assert_eq!(run.code, 1, "findings exit 1; stderr:\n{}", run.stderr);
    let report = json_of(&run);
    let found = findings(&report);
    // `logs:*` on `*`: a wildcard action, and a write on every resource.
    assert!(
        has(&found, "SW-IAM-1", "StepFunctionsExecutionRole"),
        "{found:?}"
    );
    assert!(
        has(&found, "SW-IAM-3", "StepFunctionsExecutionRole"),
        "{found:?}"
    );
    // AmazonS3FullAccess.
    assert!(
        has(&found, "SW-IAM-2", "StepFunctionsExecutionRole"),
        "{found:?}"
    );
    // The template reads `param`, the method declares `example`.
    assert!(has(&found, "SW-APIGW-2", "MyMethod"), "{found:?}");
    // StartSyncExecution answers 200 for a FAILED execution, and the seed passes it on.
    assert!(has(&found, "SW-APIGW-3", "MyMethod"), "{found:?}");
    let messages = run.stdout.to_lowercase();
    assert_contains!(messages, "logs:*", "amazons3fullaccess", "param", "failed");
    // Each finding says where: in a template file, the line of the value at fault.
    let first = &report["findings"][0];
    assert_eq!(first["rule"], "SW-IAM-1");
    assert_eq!(first["file"], SEED);
    let text = std::fs::read_to_string(repo_root().join(SEED)).expect("the seed");
    let line = text
        .lines()
        .position(|l| l.trim() == "- logs:*")
        .expect("logs:*")
        + 1;
    assert_eq!(first["line"], line, "{first}");
    assert!(first["rationale"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(first["fix"].as_str().is_some_and(|s| !s.is_empty()));
}

#[test]
fn the_seed_in_text_names_rule_resource_line_and_fix() {
    let run = stackweave(&["validate", SEED]);
    let out = &run.stdout;
    assert_eq!(run.code, 1);
    assert_contains!(
        out,
        "error[SW-IAM-2]",
        "--> tests/fixtures/seed-template.yaml:",
        "resource `StepFunctionsExecutionRole`",
        "fix: ",
        "errors,"
    );
    // Not a terminal: no colour codes.
    assert!(!out.contains('\x1b'), "{out}");
}

#[test]
fn the_reference_example_and_its_template_report_nothing() {
    for input in [
        "examples/api-to-express/stack.yaml",
        "examples/api-to-express/expected/ApiToExpress.template.yaml",
    ] {
        let run = stackweave(&["validate", input, "--format", "json"]);
        assert_eq!(run.code, 0, "{input}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(json_of(&run)["findings"], Value::Array(vec![]), "{input}");
        let text = stackweave(&["validate", input]);
        assert_contains!(
            text.success(),
            "0 errors, 0 warnings, 0 undecided, 0 suppressed"
        );
    }
}

/// A stack whose construct `Thing` (the echo test plugin) contributes `fragment` and, when
/// asked, a child construct `Inner`: an `iam-role` that may write to every S3 object.
fn echo_stack(fragment: &str, child: bool, extra: &str) -> Project {
    let children = if child {
        ", children: [{plugin: iam-role, id: Inner, props: {assumedBy: [states.amazonaws.com], statements: [{actions: ['s3:PutObject'], resources: ['*']}]}}]"
    } else {
        ""
    };
    let project = Project::new(&format!(
        "name: Checks\nconstructs:\n  Other:\n    plugin: logging\n    props: {{ retentionDays: 7 }}\n  Thing:\n    plugin: ./echo.wasm\n    props: {{fragment: {fragment}{children}}}\n{extra}"
    ));
    project.plugin("echo.wasm", ECHO);
    project
}

const NO_RETENTION: &str = "{Resources: {Logs: {Type: 'AWS::Logs::LogGroup'}}}";

fn validate_json(project: &Project, args: &[&str]) -> (Run, Value) {
    let mut all = vec!["validate", "stack.yaml", "--format", "json"];
    all.extend_from_slice(args);
    let run = stackweave_in(project.dir.path(), &all);
    let report = json_of(&run);
    (run, report)
}

#[test]
fn a_finding_names_resource_construct_and_stack_file_line() {
    let project = echo_stack(NO_RETENTION, true, "");
    let (run, report) = validate_json(&project, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let items = report["findings"].as_array().expect("a list");
    assert_eq!(items.len(), 2, "{report}");
    // The child's resource comes first (children merge before their parent), under the
    // child's construct path, at the line of the construct that created it.
    assert_eq!(items[0]["rule"], "SW-IAM-3");
    assert_eq!(items[0]["resource"], "ThingInner");
    assert_eq!(items[0]["construct"], "Thing/Inner");
    assert_eq!(items[0]["line"], 6, "the line of `Thing:`");
    assert_contains!(
        items[0]["message"].as_str().unwrap_or_default(),
        "s3:PutObject"
    );
    assert_eq!(items[1]["rule"], "SW-LOGS-1");
    assert_eq!(items[1]["resource"], "ThingLogs");
    assert_eq!(items[1]["construct"], "Thing");
    assert_eq!(items[1]["file"], "stack.yaml");
    assert_eq!(report["summary"]["errors"], 2);
}

#[test]
fn suppressions_mark_findings_without_hiding_them() {
    let suppress = "validation:\n  suppress:\n    - rule: SW-IAM-3\n      resource: Thing/Inner\n      reason: the uploader writes to buckets named at run time\n";
    let project = echo_stack(NO_RETENTION, true, suppress);
    let (run, report) = validate_json(&project, &[]);
    // The parent's own log group is still open: exit 1.
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&report);
    assert!(
        found.contains(&("SW-IAM-3".into(), "ThingInner".into(), "suppressed".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("SW-LOGS-1".into(), "ThingLogs".into(), "open".into())),
        "{found:?}"
    );
    let suppressed = &report["findings"][0]["suppression"];
    assert_eq!(
        suppressed["reason"],
        "the uploader writes to buckets named at run time"
    );
    assert_eq!(suppressed["line"], 11);

    // Suppressed for the whole construct `Thing` (its child included) and for every
    // resource: nothing open, exit 0, and the text report still shows both, as suppressed,
    // with the reason.
    let project = echo_stack(
        NO_RETENTION,
        true,
        "validation:\n  suppress:\n    - { rule: SW-IAM-3, resource: Thing, reason: kept forever }\n    - { rule: SW-LOGS-1, reason: kept forever }\n",
    );
    let run = stackweave_in(project.dir.path(), &["validate", "stack.yaml"]);
    let out = run.success();
    assert_contains!(out, "suppressed[SW-IAM-3]", "suppressed[SW-LOGS-1]");
    assert_contains!(
        out,
        "suppressed at stack.yaml:11: kept forever",
        "0 errors, 0 warnings, 0 undecided, 2 suppressed"
    );
}

#[test]
fn a_suppression_that_matches_nothing_is_a_warning_and_an_unknown_rule_an_input_error() {
    let project = echo_stack(
        "{Resources: {Logs: {Type: 'AWS::Logs::LogGroup', Properties: {RetentionInDays: 7}}}}",
        false,
        "validation:\n  suppress:\n    - { rule: SW-LOGS-1, reason: no longer needed }\n",
    );
    let run = stackweave_in(project.dir.path(), &["validate", "stack.yaml"]);
    run.success();
    assert_contains!(
        run.stderr,
        "stack.yaml:11",
        "matches no finding",
        "remove it"
    );

    let project = echo_stack(
        NO_RETENTION,
        false,
        "validation:\n  suppress:\n    - { rule: SW-LOG-1, reason: typo }\n",
    );
    let run = stackweave_in(project.dir.path(), &["validate", "stack.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "stack.yaml:11",
        "no rule has the id `SW-LOG-1`",
        "SW-LOGS-1"
    );
}

const EXPRESS_WITHOUT_DATA: &str = "{Resources: {Flow: {Type: 'AWS::StepFunctions::StateMachine', Properties: {StateMachineType: EXPRESS, RoleArn: 'arn:aws:iam::123456789012:role/r', Definition: {StartAt: A, States: {A: {Type: Succeed}}}, LoggingConfiguration: {Level: ALL, IncludeExecutionData: false, Destinations: [{CloudWatchLogsLogGroup: {LogGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:x:*'}}]}}}}}";

#[test]
fn opt_in_rules_run_only_when_the_stack_or_the_command_asks() {
    let project = echo_stack(EXPRESS_WITHOUT_DATA, false, "");
    let (run, _) = validate_json(&project, &[]);
    assert_eq!(run.code, 0, "SW-SFN-2 is opt-in: {}", run.stdout);

    let (run, report) = validate_json(&project, &["--enable", "SW-SFN-2"]);
    assert_eq!(run.code, 1);
    assert!(has(&findings(&report), "SW-SFN-2", "ThingFlow"), "{report}");

    let project = echo_stack(
        EXPRESS_WITHOUT_DATA,
        false,
        "validation:\n  enable: [SW-SFN-2]\n",
    );
    let (run, report) = validate_json(&project, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(report["findings"][0]["severity"], "warning");

    let run = stackweave_in(
        project.dir.path(),
        &["validate", "stack.yaml", "--enable", "SW-NOPE"],
    );
    assert_eq!(run.code, 2);
    assert_contains!(run.stderr, "no rule has the id `SW-NOPE`");
}

#[test]
fn a_rule_that_cannot_decide_says_so_and_does_not_fail() {
    let project = Project::new("");
    project.write(
        "template.yaml",
        "Parameters:\n  Actions:\n    Type: CommaDelimitedList\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: states.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: !Ref Actions\n                Resource: '*'\n",
    );
    let run = stackweave_in(
        project.dir.path(),
        &["validate", "template.yaml", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = json_of(&run);
    let statuses: Vec<String> = findings(&report).into_iter().map(|(_, _, s)| s).collect();
    assert!(
        !statuses.is_empty() && statuses.iter().all(|s| s == "undecided"),
        "{report}"
    );
    assert!(
        report["summary"]["undecided"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );
    let text = stackweave_in(project.dir.path(), &["validate", "template.yaml"]);
    assert_contains!(text.success(), "cannot decide[SW-IAM-1]");
}

#[test]
fn bad_input_exits_2_and_says_what_to_do() {
    let project = Project::new("name: Broken\nconstructs:\n  A:\n    plugin: nope\n");
    let run = stackweave_in(project.dir.path(), &["validate", "stack.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(run.stderr, "stack.yaml:4", "no plugin is named `nope`");

    project.write("other.yaml", "just: text\n");
    let run = stackweave_in(project.dir.path(), &["validate", "other.yaml"]);
    assert_eq!(run.code, 2);
    assert_contains!(
        run.stderr,
        "neither a stack file nor a CloudFormation template"
    );

    // Too broken to tell what it is: its syntax error, at its line, is what to fix.
    project.write("broken.json", "{\"Resources\": {\"A\": }");
    let run = stackweave_in(project.dir.path(), &["validate", "broken.json"]);
    assert_eq!(run.code, 2);
    assert_contains!(run.stderr, "invalid JSON", "--> broken.json:1:");

    let run = stackweave_in(project.dir.path(), &["validate", "missing.yaml"]);
    assert_eq!(run.code, 2);
    assert_contains!(run.stderr, "cannot read missing.yaml");

    let run = stackweave_in(
        project.dir.path(),
        &["validate", "stack.yaml", "--format", "xml"],
    );
    assert_eq!(run.code, 2, "a usage error");
}

#[test]
fn list_rules_describes_every_rule() {
    let run = stackweave(&["validate", "--list-rules", "--format", "json"]);
    let listed = json_of(&run);
    let ids: Vec<&str> = listed["rules"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["id"].as_str().expect("an id"))
        .collect();
    for id in [
        "SW-IAM-1",
        "SW-IAM-2",
        "SW-IAM-3",
        "SW-LOGS-1",
        "SW-SFN-1",
        "SW-SFN-2",
        "SW-APIGW-1",
        "SW-APIGW-2",
        "SW-APIGW-3",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
}

#[test]
fn sarif_reports_validate_against_the_sarif_2_1_0_schema() {
    let run = stackweave(&["validate", SEED, "--format", "sarif"]);
    assert_eq!(run.code, 1);
    let log = json_of(&run);
    crate::sarif::assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() >= 5);
    let first = &results[0];
    assert_eq!(
        first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        SEED
    );
    assert!(first["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
    // Every result's rule is described once in the driver.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }

    // Suppressed findings carry their justification.
    let project = echo_stack(
        NO_RETENTION,
        false,
        "validation:\n  suppress:\n    - { rule: SW-LOGS-1, reason: kept forever }\n",
    );
    let run = stackweave_in(
        project.dir.path(),
        &["validate", "stack.yaml", "--format", "sarif"],
    );
    let log = json_of(&run);
    crate::sarif::assert_valid(&log);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["suppressions"][0]["justification"], "kept forever");
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["name"],
        "ThingLogs"
    );
}

#[test]
fn the_seed_fixture_is_the_seed() {
    // The fixture must stay the blog post's template; where the brief's copy is present,
    // compare them.
    let shared = repo_root().join("../shared/seed/seed-template.yaml");
    if let Ok(original) = std::fs::read_to_string(shared) {
        let fixture = std::fs::read_to_string(repo_root().join(SEED)).expect("the fixture");
        assert!(
            fixture.ends_with(&original),
            "tests/fixtures/seed-template.yaml drifted"
        );
    }
}

#[test]
fn text_is_coloured_on_a_terminal_unless_no_color_is_set() {
    // `script` (util-linux) runs the command with a pseudo-terminal as stdout.
    let command = format!("{} validate {SEED}", env!("CARGO_BIN_EXE_stackweave"));
    let on_terminal = |no_color: bool| {
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &command, "/dev/null"])
            .current_dir(repo_root())
            .env("STACKWEAVE_CACHE_DIR", crate::support::shared_cache_dir())
            .env_remove("NO_COLOR");
        if no_color {
            script.env("NO_COLOR", "1");
        }
        script
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let Some(coloured) = on_terminal(false) else {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    };
    assert_contains!(coloured, "\x1b[31merror\x1b[0m[\x1b[1mSW-IAM-1\x1b[0m]");
    let plain = on_terminal(true).expect("script ran before");
    assert_contains!(plain, "error[SW-IAM-1]");
    assert!(!plain.contains('\x1b'), "{plain}");
}

/// The line (1-based) of the first line of `text` that is `wanted` once trimmed.
fn line_of(text: &str, wanted: &str) -> usize {
    text.lines()
        .position(|l| l.trim_end() == wanted)
        .unwrap_or_else(|| panic!("no line {wanted:?} in:\n{text}"))
        + 1
}

#[test]
fn the_multi_stack_app_is_clean_in_every_environment() {
    let run = stackweave(&["validate", "examples/multi-stack"]);
    assert_contains!(
        run.success(),
        "stack `Observability` (examples/multi-stack/observability.yaml): 0 errors, 0 warnings, 0 undecided, 0 suppressed",
        "stack `Api` (examples/multi-stack/api.yaml): 0 errors",
        "app examples/multi-stack/app.yaml (2 stacks; environments dev, prod): 0 errors, 0 warnings, 0 undecided, 0 suppressed"
    );
    let run = stackweave(&[
        "validate",
        "examples/multi-stack/app.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = json_of(&run);
    assert_eq!(report["environments"], serde_json::json!(["dev", "prod"]));
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["findings"], serde_json::json!([]));
    let stacks: Vec<&str> = report["stacks"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["stack"].as_str())
        .collect();
    // In deploy order.
    assert_eq!(stacks, ["Observability", "Api"]);
}

#[test]
fn an_open_api_in_one_stack_of_an_app_is_one_finding_at_its_line_for_every_environment() {
    let project = Project::copy_of("examples/multi-stack");
    project.edit("api.yaml", "authorization: AWS_IAM", "authorization: NONE");
    let line = line_of(&project.read("api.yaml"), "  Api:");
    let run = stackweave_in(
        project.dir.path(),
        &["validate", "app.yaml", "--format", "json"],
    );
    assert_eq!(run.code, 1, "findings exit 1; stderr:\n{}", run.stderr);
    let report = json_of(&run);
    let found = report["findings"].as_array().expect("a list");
    // The same finding in dev and in prod is one entry naming both: one line to fix.
    assert_eq!(found.len(), 1, "{report:#}");
    let finding = &found[0];
    assert_eq!(finding["rule"], "SW-APIGW-1");
    assert_eq!(finding["stack"], "Api");
    assert_eq!(finding["construct"], "Api");
    assert_eq!(finding["file"], "api.yaml");
    assert_eq!(finding["line"], line);
    assert_eq!(finding["environments"], serde_json::json!(["dev", "prod"]));
    assert_eq!(report["summary"]["warnings"], 1);
    assert_eq!(report["stacks"][1]["summary"]["warnings"], 1);
    assert_eq!(report["stacks"][0]["summary"]["warnings"], 0);

    let run = stackweave_in(project.dir.path(), &["validate", "."]);
    assert_eq!(run.code, 1);
    assert_contains!(
        run.stdout,
        "warning[SW-APIGW-1]: GET /start",
        &format!(
            "  --> api.yaml:{line}:3: resource `ApiMethod` of construct `Api`\n  in environments dev, prod\n"
        ),
        "stack `Api` (api.yaml): 0 errors, 1 warning",
        "app app.yaml (2 stacks; environments dev, prod): 0 errors, 1 warning"
    );
    assert_eq!(
        run.stdout.matches("[SW-APIGW-1]").count(),
        1,
        "{}",
        run.stdout
    );

    // One environment chosen: only its findings.
    let run = stackweave_in(
        project.dir.path(),
        &["validate", "app.yaml", "--env", "prod", "--format", "json"],
    );
    assert_eq!(run.code, 1);
    let report = json_of(&run);
    assert_eq!(
        report["findings"][0]["environments"],
        serde_json::json!(["prod"])
    );

    // SARIF: one result, in the stack file, with its stack and environments.
    let run = stackweave_in(
        project.dir.path(),
        &["validate", "app.yaml", "--format", "sarif"],
    );
    assert_eq!(run.code, 1);
    let log = json_of(&run);
    crate::sarif::assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{log:#}");
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "api.yaml");
    assert_eq!(location["region"]["startLine"], line);
    assert_eq!(results[0]["properties"]["stack"], "Api");
    assert_eq!(
        results[0]["properties"]["environments"],
        serde_json::json!(["dev", "prod"])
    );
}

#[test]
fn a_finding_of_one_environment_of_an_app_says_which_and_its_suppression_is_not_stale() {
    let project = Project::copy_of("examples/multi-stack");
    project.edit(
        "api.yaml",
        "authorization: AWS_IAM",
        "authorization: ${value:authorization}",
    );
    project.edit(
        "app.yaml",
        "      stage: dev\n",
        "      stage: dev\n      authorization: NONE\n",
    );
    project.edit(
        "app.yaml",
        "      stage: prod\n",
        "      stage: prod\n      authorization: AWS_IAM\n",
    );
    let run = stackweave_in(project.dir.path(), &["validate", "app.yaml"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_contains!(
        run.stdout,
        "warning[SW-APIGW-1]",
        "  only in environment dev (not prod)\n"
    );
    let run = stackweave_in(
        project.dir.path(),
        &["validate", "app.yaml", "--format", "sarif"],
    );
    let log = json_of(&run);
    assert_contains!(
        log["runs"][0]["results"][0]["message"]["text"]
            .as_str()
            .expect("a message"),
        "(only in environment dev, not prod)"
    );

    // A suppression that matches in dev does its job there: not stale for prod. One that
    // matches in no environment is reported once, not once per environment.
    let text = project.read("api.yaml");
    project.write(
        "api.yaml",
        format!("{text}\nvalidation:\n  suppress:\n    - rule: SW-APIGW-1\n      reason: dev is open on purpose\n"),
    );
    let text = project.read("observability.yaml");
    project.write(
        "observability.yaml",
        format!("{text}\nvalidation:\n  suppress:\n    - rule: SW-IAM-1\n      reason: nothing to suppress\n"),
    );
    let run = stackweave_in(project.dir.path(), &["validate", "app.yaml"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_contains!(
        run.stdout,
        "suppressed[SW-APIGW-1]",
        "suppressed at api.yaml:",
        "0 errors, 0 warnings, 0 undecided, 1 suppressed"
    );
    assert_eq!(
        run.stderr.matches("matches no finding").count(),
        1,
        "{}",
        run.stderr
    );
    assert_contains!(
        run.stderr,
        "the suppression of `SW-IAM-1` matches no finding"
    );
}

#[test]
fn env_and_stack_choose_from_an_app_only() {
    let run = stackweave(&[
        "validate",
        "examples/api-to-express/stack.yaml",
        "--env",
        "dev",
    ]);
    assert_eq!(run.code, 2);
    assert_contains!(run.stderr, "`--env` and `--stack` choose from an app");
    let run = stackweave(&["validate", "examples/multi-stack", "--env", "staging"]);
    assert_eq!(run.code, 2);
    assert_contains!(run.stderr, "has no environment `staging`");
    let run = stackweave(&[
        "validate",
        "examples/multi-stack",
        "--stack",
        "Api",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json_of(&run)["stacks"].as_array().map(Vec::len), Some(1));
}
