//! Running the API locally (`invoke`, `serve`, `test`; crate `stackweave-emulator`): the
//! reference example answers as API Gateway and Step Functions would, the seed template's
//! behavioural defects show, every example's cases pass, and the server answers real HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::support::{
    Project, Run, build_standalone_plugin, repo_root, shared_cache_dir, stackweave, stackweave_in,
};

const EXAMPLE: &str = "examples/api-to-express/stack.yaml";
/// The blog post's hand-written template (`../shared/seed/seed-template.yaml`), kept as the
/// user's input the emulator must run as it is.
const SEED: &str = "tests/fixtures/seed-template.yaml";

/// The body of an `invoke` response: what follows the blank line after the headers.
fn body_of(output: &str) -> &str {
    let response = output
        .rsplit_once("== response\n")
        .map_or(output, |(_, r)| r);
    response
        .split_once("\n\n")
        .map_or("", |(_, body)| body)
        .trim_end()
}

/// The status line of an `invoke` response.
fn status_of(output: &str) -> &str {
    let response = output
        .rsplit_once("== response\n")
        .map_or(output, |(_, r)| r);
    response.lines().next().unwrap_or_default()
}

/// The text of the first trace step whose title starts with `title`.
fn step<'a>(trace: &'a str, title: &str) -> &'a str {
    let start = trace
        .find(&format!("== {title}"))
        .unwrap_or_else(|| panic!("no step {title:?} in:\n{trace}"));
    let rest = &trace[start..];
    let body = rest.split_once('\n').map_or("", |(_, b)| b);
    body.find("\n== ").map_or(body, |end| &body[..end])
}

/// The execution input StartSyncExecution was asked for, parsed.
fn execution_input(trace: &str) -> Value {
    let request: Value = serde_json::from_str(step(trace, "StartSyncExecution request"))
        .expect("the StartSyncExecution request is JSON");
    let input = request["input"].as_str().expect("`input` is a string");
    serde_json::from_str(input).expect("`input` holds JSON")
}

#[test]
fn the_reference_example_answers_the_pass_states_output() {
    let run = stackweave(&["invoke", EXAMPLE, "GET", "/start?param=x"]);
    let out = run.success();
    assert_eq!(status_of(out), "HTTP/1.1 200 OK", "{out}");
    assert_contains!(out, "Content-Type: application/json\n");
    let body: Value = serde_json::from_str(body_of(out)).expect("a JSON body");
    assert_eq!(body, json!({"message": "Hello from Step Functions!"}));
}

#[test]
fn a_missing_required_parameter_answers_400_with_api_gateways_message() {
    let out = stackweave(&["invoke", EXAMPLE, "GET", "/start"])
        .success()
        .to_owned();
    assert_eq!(status_of(&out), "HTTP/1.1 400 Bad Request", "{out}");
    assert_eq!(
        body_of(&out),
        r#"{"message":"Missing required request parameters: [param]"}"#
    );
}

#[test]
fn a_workflow_ending_in_a_fail_state_answers_500_with_error_and_cause() {
    let project = Project::copy_of("examples/api-to-express");
    project.edit(
        "stack.yaml",
        "          HelloWorld:\n            Type: Pass\n            Result:\n              message: Hello from Step Functions!\n            End: true",
        "          HelloWorld:\n            Type: Fail\n            Error: Broken\n            Cause: \"it's \\\"broken\\\"\"",
    );
    let run = stackweave_in(
        project.dir.path(),
        &[
            "invoke",
            "stack.yaml",
            "GET",
            "/start",
            "--query",
            "param=x",
        ],
    );
    let out = run.success();
    assert_eq!(
        status_of(out),
        "HTTP/1.1 500 Internal Server Error",
        "{out}"
    );
    let body: Value = serde_json::from_str(body_of(out)).expect("a JSON body");
    assert_eq!(body, json!({"error": "Broken", "cause": "it's \"broken\""}));
}

#[test]
fn quotes_backslashes_and_unicode_reach_the_execution_input_intact() {
    let value = r#"it's a \ "test" ünïcödé ✓"#;
    let query = format!("param={value}");
    let run = stackweave(&[
        "invoke", EXAMPLE, "GET", "/start", "--query", &query, "--trace",
    ]);
    let trace = run.success();
    assert_eq!(execution_input(trace), json!({"param": value}));
    // And the trace shows every step, in order.
    let titles: Vec<&str> = trace
        .lines()
        .filter_map(|l| l.strip_prefix("== "))
        .collect();
    assert_eq!(
        titles,
        [
            "route",
            "authorization",
            "request validator",
            "request template (application/json)",
            "credentials",
            "StartSyncExecution request",
            "state `HelloWorld` of `Workflow`",
            "StartSyncExecution response (200)",
            "integration response",
            "response template (application/json)",
            "response",
        ]
    );
    let response: Value =
        serde_json::from_str(step(trace, "StartSyncExecution response")).expect("JSON");
    assert_eq!(response["status"], json!("SUCCEEDED"));
    assert_eq!(
        response["output"],
        json!(r#"{"message":"Hello from Step Functions!"}"#)
    );
    for field in [
        "executionArn",
        "stateMachineArn",
        "name",
        "startDate",
        "stopDate",
        "input",
        "inputDetails",
        "outputDetails",
        "billingDetails",
    ] {
        assert!(response.get(field).is_some(), "no `{field}` in {response}");
    }
}

#[test]
fn the_seed_template_reads_a_parameter_it_does_not_declare() {
    // It declares `example` (and its output URL says `?example=value`), but its request
    // template reads `param`: the value a client sends never reaches the workflow.
    let run = stackweave(&["invoke", SEED, "GET", "/start?example=value", "--trace"]);
    let trace = run.success();
    assert_eq!(execution_input(trace), json!({"param": ""}));
    let run = stackweave(&["invoke", SEED, "GET", "/start?param=value", "--trace"]);
    assert_eq!(execution_input(run.success()), json!({"param": "value"}));
}

#[test]
fn the_seed_template_answers_200_for_a_failed_execution() {
    let project = Project::new("");
    let seed = std::fs::read_to_string(repo_root().join(SEED)).expect("the seed fixture");
    let pass = r#""Type": "Pass",
              "Result": {
                "message": "Hello from Step Functions!"
              },
              "End": true"#;
    assert!(seed.contains(pass), "the seed's definition changed");
    project.write(
        "seed.yaml",
        seed.replace(
            pass,
            r#""Type": "Fail", "Error": "Broken", "Cause": "boom""#,
        ),
    );
    let out = stackweave_in(
        project.dir.path(),
        &["invoke", "seed.yaml", "GET", "/start"],
    )
    .success()
    .to_owned();
    assert_eq!(status_of(&out), "HTTP/1.1 200 OK", "{out}");
    // Its response template passes StartSyncExecution's envelope through as it is.
    let body: Value = serde_json::from_str(body_of(&out)).expect("a JSON body");
    assert_eq!(body["status"], json!("FAILED"));
    assert_eq!(body["error"], json!("Broken"));
    assert_eq!(body["cause"], json!("boom"));
}

#[test]
fn an_unmocked_task_is_an_error_naming_the_state_and_what_to_do() {
    let run = stackweave(&[
        "invoke",
        "examples/orders-api/stack.yaml",
        "GET",
        "/orders/1",
    ]);
    let stderr = run.failure();
    assert_contains!(
        stderr,
        "task state `ReadOrder` has no mock for call 1",
        "--> examples/orders-api/stack.yaml:",
        "= help: declare what `ReadOrder` answers"
    );
}

#[test]
fn mocks_from_a_file_answer_task_states() {
    let project = Project::new("");
    project.write(
        "mocks.yaml",
        "ReadOrder:\n  - return: {Item: {id: {S: '1'}, item: {S: pen}, quantity: {N: '5'}}}\n",
    );
    let stack = repo_root().join("examples/orders-api/stack.yaml");
    let mocks = project.path("mocks.yaml");
    let run = stackweave(&[
        "invoke",
        stack.to_str().expect("UTF-8"),
        "GET",
        "/orders/1",
        "--mocks",
        mocks.to_str().expect("UTF-8"),
    ]);
    let body: Value = serde_json::from_str(body_of(run.success())).expect("a JSON body");
    assert_eq!(body, json!({"id": "1", "item": "pen", "quantity": 5}));
}

#[test]
fn every_examples_cases_pass() {
    for stack in [
        "examples/api-to-express/stack.yaml",
        "examples/orders-api/stack.yaml",
    ] {
        let out = stackweave(&["test", stack]).success().to_owned();
        assert_contains!(out, "0 failed, 0 could not run");
    }
    for environment in ["dev", "prod"] {
        let template = format!("examples/multi-stack/expected/{environment}/Api.template.yaml");
        let out = stackweave(&[
            "test",
            &template,
            "--cases",
            "examples/multi-stack/api.tests.yaml",
        ])
        .success()
        .to_owned();
        assert_contains!(
            out,
            "2 cases in examples/multi-stack/api.tests.yaml: 2 passed"
        );
    }
}

#[test]
fn a_team_constructs_api_runs_from_the_template_it_produces() {
    let built = build_standalone_plugin(&repo_root().join("examples/team-construct/express-api"));
    let plugins = built.to_str().expect("a UTF-8 path");
    let run = stackweave(&[
        "test",
        "examples/team-construct/stack.yaml",
        "--plugins",
        plugins,
    ]);
    assert_contains!(
        run.success(),
        "2 cases in examples/team-construct/stack.tests.yaml: 2 passed"
    );
}

/// `stackweave test stack.yaml` run in `project`, with `more` arguments.
fn test_in(project: &Project, more: &[&str]) -> Run {
    let args: Vec<&str> = ["test", "stack.yaml"].iter().chain(more).copied().collect();
    stackweave_in(project.dir.path(), &args)
}

fn failing_project() -> Project {
    let project = Project::copy_of("examples/api-to-express");
    project.write(
        "stack.tests.yaml",
        "cases:\n  - name: passes\n    request: {path: /start, query: {param: x}}\n    expect: {status: 200}\n  - name: wrong status and body\n    request: {path: /start}\n    expect:\n      status: 200\n      json: {message: hello}\n  - name: unknown & <odd>\n    request: {path: /start, query: {param: x}}\n    expect: {status: 200, headers: {X-Missing: 'yes'}}\n",
    );
    project
}

#[test]
fn a_mismatch_shows_expected_and_actual_and_exits_1() {
    let project = failing_project();
    let run = test_in(&project, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_contains!(
        run.stdout,
        "PASS  passes\n",
        "FAIL  wrong status and body\n      --> stack.tests.yaml:5:5\n      status: expected 200, got 400\n",
        "      json at /message: expected \"hello\", got \"Missing required request parameters: [param]\"\n",
        "header X-Missing: expected yes, got (absent)",
        "3 cases in stack.tests.yaml: 1 passed, 2 failed, 0 could not run",
    );
}

#[test]
fn test_reports_as_junit_and_json() {
    let project = failing_project();
    let run = test_in(&project, &["--report", "junit"]);
    assert_eq!(run.code, 1);
    assert_contains!(
        run.stdout,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"stackweave test\" tests=\"3\" failures=\"2\" errors=\"0\">",
        "<testcase name=\"passes\" classname=\"stack.tests.yaml\" file=\"stack.tests.yaml\" line=\"2\"/>",
        "<testcase name=\"unknown &amp; &lt;odd&gt;\"",
        "<failure type=\"mismatch\" message=\"status: expected 200, got 400\">",
    );
    let run = test_in(&project, &["--report", "json"]);
    let report: Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    assert_eq!(report["command"], json!("test"));
    assert_eq!(
        report["summary"],
        json!({"passed": 1, "failed": 2, "errors": 0})
    );
    assert_eq!(
        report["cases"][1]["mismatches"][0],
        json!({"what": "status", "expected": "200", "actual": "400"})
    );
}

#[test]
fn a_bad_case_file_is_reported_at_its_lines_with_help() {
    let project = Project::copy_of("examples/api-to-express");
    project.write(
        "stack.tests.yaml",
        "cases:\n  - name: a\n    request: {path: start}\n    expct: {status: 200}\n",
    );
    let run = test_in(&project, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "error: path `start` does not start with `/`\n  --> stack.tests.yaml:3:21\n",
        "error: unknown key `expct` in a case\n  --> stack.tests.yaml:4:5\n   = help: did you mean `expect`?",
        "error: a case has no `expect`\n",
    );
    let run = test_in(&project, &["--cases", "none.yaml"]);
    assert_eq!(run.code, 2);
    assert_contains!(run.stderr, "cannot read test case file `none.yaml`");
}

#[test]
fn a_stack_without_a_case_file_says_where_one_goes() {
    let project = Project::copy_of("examples/api-to-express");
    std::fs::remove_file(project.path("stack.tests.yaml")).expect("the example's cases");
    let run = test_in(&project, &[]);
    assert_eq!(run.code, 2);
    assert_contains!(
        run.stderr,
        "no test case file `stack.tests.yaml` beside the stack",
        "--cases FILE"
    );
}

/// `stackweave serve` on a free port, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(stack: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackweave"))
        .args(["serve", stack, "--port", "0"])
        .current_dir(repo_root())
        .env("STACKWEAVE_CACHE_DIR", shared_cache_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("stackweave serve starts");
    let stdout = child.stdout.take().expect("its stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the URL line");
    Server {
        child,
        url: line.trim().to_owned(),
    }
}

/// Sends `raw` to the server and returns its whole answer.
fn http(server: &Server, raw: &str) -> String {
    let address = server
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port");
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    stream.write_all(raw.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    answer
}

#[test]
fn serve_answers_real_http_requests() {
    let server = serve(EXAMPLE);
    assert!(
        server.url.starts_with("http://127.0.0.1:") && server.url.ends_with("/prod"),
        "{}",
        server.url
    );
    let ok = http(
        &server,
        "GET /prod/start?param=%C3%BC HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
    assert_contains!(
        ok,
        "Connection: close\r\n",
        "\r\n\r\n{\"message\":\"Hello from Step Functions!\"}"
    );
    let refused = http(&server, "GET /start HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(
        refused.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{refused}"
    );
    assert_contains!(refused, "Missing required request parameters: [param]");
    let broken = http(&server, "GARBAGE\r\n\r\n");
    assert!(broken.starts_with("HTTP/1.1 400 "), "{broken}");
}
