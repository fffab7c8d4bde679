//! `stackweave new`: a new plugin crate passes its own tests and builds with the documented
//! commands, composes a child construct, and loads into `stackweave synth` at once; a new
//! stack file synthesises as it is.

use crate::support::{build_standalone_plugin, stackweave, stackweave_in, test_standalone_plugin};

#[test]
fn a_new_plugin_tests_builds_composes_and_is_used_by_a_new_stack_at_once() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let crate_dir = dir.path().join("team-jobs");
    let crate_arg = crate_dir.to_str().expect("a UTF-8 path");
    let run = stackweave(&["new", "plugin", "team-jobs", "--dir", crate_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_contains!(run.stderr, "Cargo.toml", "src/lib.rs", "README.md");
    assert_contains!(
        std::fs::read_to_string(crate_dir.join("README.md")).expect("a README"),
        "cargo test ",
        "cargo build --release --target wasm32-wasip2"
    );
    // The SDK is named relative to the crate: no absolute path of this machine, so the
    // crate builds in any clone of a repository that holds both.
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("a manifest");
    assert_contains!(manifest, "stackweave-plugin = { path = \"../");
    assert!(!manifest.contains("path = \"/"), "{manifest}");
    // Its unit tests, the composition one included, pass natively as written.
    let tested = test_standalone_plugin(&crate_dir);
    assert_contains!(
        tested,
        "test tests::the_schedule_sends_to_the_queue_through_a_child_role ... ok",
        "test tests::a_rate_schedule_with_a_time_zone_is_an_error ... ok",
        "test result: ok. 2 passed"
    );
    let built = build_standalone_plugin(&crate_dir);
    assert!(built.join("team_jobs.wasm").is_file());

    let run = stackweave_in(
        dir.path(),
        &["new", "stack", "stack.yaml", "--name", "Data"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut stack = std::fs::read_to_string(dir.path().join("stack.yaml")).expect("a stack");
    let constructs = stack.find("constructs:\n").expect("a constructs section") + 12;
    stack.insert_str(
        constructs,
        "  Nightly:\n    plugin: team-jobs\n    props: {schedule: cron(0 6 * * ? *), timezone: Europe/Paris}\n",
    );
    std::fs::write(dir.path().join("stack.yaml"), &stack).expect("write the stack");

    let plugins = built.to_str().expect("a UTF-8 path");
    let run = stackweave_in(dir.path(), &["synth", "stack.yaml", "--plugins", plugins]);
    let template = run.success();
    // The child's role comes first, under the construct's path, allowed to send to the
    // construct's own queue; the schedule uses the role's ARN.
    assert_contains!(
        template,
        "  NightlyRole:\n    Type: AWS::IAM::Role",
        "- scheduler.amazonaws.com",
        "- sqs:SendMessage\n            Resource:\n            - !GetAtt Nightly.Arn",
        "  Nightly:\n    Type: AWS::SQS::Queue",
        "  NightlySchedule:\n    Type: AWS::Scheduler::Schedule",
        "RoleArn: !GetAtt NightlyRole.Arn",
        "ScheduleExpressionTimezone: Europe/Paris",
        "  Logs:\n    Type: AWS::Logs::LogGroup",
        "!GetAtt Logs.Arn"
    );
    let listed = stackweave(&["plugins", "--plugins", plugins]);
    assert_contains!(listed.success(), "team-jobs\tconstruct\t0.1.0\t");
}

#[test]
fn new_never_overwrites_and_checks_names() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("stack.yaml"), "mine").expect("a file");
    let run = stackweave_in(dir.path(), &["new", "stack"]);
    assert_eq!(run.code, 1);
    assert_contains!(run.stderr, "stack.yaml exists already", "never overwrites");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("stack.yaml")).expect("the file"),
        "mine"
    );

    let run = stackweave_in(dir.path(), &["new", "plugin", "Team_Bucket"]);
    assert_eq!(run.code, 1);
    assert_contains!(run.stderr, "lowercase words joined by `-`");
    assert!(!dir.path().join("Team_Bucket").exists());
}

#[test]
fn a_new_app_synthesises_and_validates_as_written() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let run = stackweave_in(dir.path(), &["new", "app", "web_shop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_contains!(
        run.stderr,
        "web_shop/app.yaml",
        "web_shop/logs.yaml",
        "web_shop/service.yaml"
    );
    let app = dir.path().join("web_shop/app.yaml");
    let text = std::fs::read_to_string(&app).expect("an app file");
    // Named after its folder, as far as an app name allows.
    assert_contains!(text, "\nname: web-shop\n", "  dev:\n", "  prod:\n");

    let run = stackweave_in(dir.path(), &["synth", "web_shop", "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for environment in ["dev", "prod"] {
        for stack in ["Logs", "Service"] {
            let template = dir
                .path()
                .join(format!("out/{environment}/{stack}.template.yaml"));
            assert!(template.is_file(), "{}", template.display());
        }
    }
    let service = std::fs::read_to_string(dir.path().join("out/prod/Service.template.yaml"))
        .expect("a template");
    // The second stack reads the first one's log group.
    assert_contains!(
        service,
        "Fn::GetStackOutput:",
        "StackName: web-shop-prod-Logs",
        "OutputName: AppLogsArn"
    );
    let logs = std::fs::read_to_string(dir.path().join("out/prod/Logs.template.yaml"))
        .expect("a template");
    assert_contains!(logs, "RetentionInDays: 90");

    let run = stackweave_in(dir.path(), &["validate", "web_shop"]);
    assert_contains!(
        run.success(),
        "(2 stacks; environments dev, prod): 0 errors, 0 warnings, 0 undecided, 0 suppressed"
    );

    // As `new stack`: never over an existing file, and nothing written when one exists.
    std::fs::write(&app, "mine").expect("write");
    let run = stackweave_in(dir.path(), &["new", "app", "web_shop"]);
    assert_eq!(run.code, 1);
    assert_contains!(run.stderr, "app.yaml exists already", "never overwrites");
    assert_eq!(std::fs::read_to_string(&app).expect("the file"), "mine");
    let other = dir.path().join("other");
    std::fs::create_dir(&other).expect("a folder");
    std::fs::write(other.join("service.yaml"), "mine").expect("write");
    let run = stackweave_in(&other, &["new", "app", "--name", "Other"]);
    assert_eq!(run.code, 1);
    assert_contains!(run.stderr, "service.yaml exists already");
    assert!(!other.join("app.yaml").exists());
    let run = stackweave_in(&other, &["new", "app", "sub", "--name", "9lives"]);
    assert_eq!(run.code, 1);
    assert_contains!(run.stderr, "`9lives` cannot be an app name", "--name");
}
