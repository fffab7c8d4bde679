//! Validators (`wit/validator/`) through the host: the example team rule
//! `examples/team-rules/require-tracing` loads, describes and validates; the
//! `validator-misbehaving` test plugin (see `tests/plugins/README.md`) shows that every way a
//! validator's call can end is an error naming the cause, under the same sandbox as
//! construct plugins; and `load_any` tells the two worlds apart.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use stackweave_host::{
    CallError, CompileCache, Compiled, Component, Finding, Limits, LoadError, Plugin, Runtime,
    Severity, VALIDATOR_CONTRACT_VERSION, Validator, load_any,
};
use stackweave_test_plugins::{
    CONTRACT_0_1, ECHO, NEWER_CONTRACT, OTHER_WORLD, REQUIRE_TRACING, VALIDATOR_MISBEHAVING,
};

fn read(path: &str) -> (Vec<u8>, [u8; 32]) {
    let bytes = std::fs::read(path).expect("the plugin was built");
    let sha256 = Sha256::digest(&bytes).into();
    (bytes, sha256)
}

/// One runtime with the default limits for the tests that do not change them.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new(Limits::default()).expect("an engine"))
}

fn validator(runtime: &Runtime, path: &str) -> Validator {
    let (bytes, sha256) = read(path);
    Validator::load(runtime, &bytes, &sha256).expect("the validator loads")
}

/// A template with one Step Functions state machine `Workflow` of these properties.
fn state_machine(properties: &str) -> String {
    format!(
        r#"{{"Resources": {{"Logs": {{"Type": "AWS::Logs::LogGroup"}}, "Workflow": {{"Type": "AWS::StepFunctions::StateMachine", "Properties": {properties}}}}}}}"#
    )
}

/// A template whose `Description` tells the misbehaving validator what to do.
fn asking(description: &str) -> String {
    format!(
        r#"{{"Description": "{description}", "Resources": {{"Topic": {{"Type": "AWS::SNS::Topic"}}}}}}"#
    )
}

#[test]
fn the_example_validator_describes_its_rule() {
    let validator = validator(runtime(), REQUIRE_TRACING);
    let info = validator.info();
    assert_eq!(info.name, "require-tracing");
    assert_eq!(info.contract, VALIDATOR_CONTRACT_VERSION);
    assert_eq!(info.rules.len(), 1);
    let rule = &info.rules[0];
    assert_eq!(rule.id, "TEAM-TRACE-1");
    assert_eq!(rule.severity, Severity::Warning);
    assert!(rule.title.contains("X-Ray"), "{}", rule.title);
    assert!(!rule.rationale.is_empty() && !rule.fix.is_empty());
}

#[test]
fn the_example_validator_finds_an_express_machine_without_tracing() {
    let validator = validator(runtime(), REQUIRE_TRACING);
    let findings = validator
        .validate(&state_machine(r#"{"StateMachineType": "EXPRESS"}"#))
        .expect("the template is checked");
    assert_eq!(
        findings,
        [Finding {
            rule_id: "TEAM-TRACE-1".into(),
            logical_id: "Workflow".into(),
            pointer: "/Resources/Workflow".into(),
            message: findings[0].message.clone(),
            undecided: false,
        }]
    );
    assert!(findings[0].message.contains("TracingConfiguration"));

    let traced = state_machine(
        r#"{"StateMachineType": "EXPRESS", "TracingConfiguration": {"Enabled": true}}"#,
    );
    assert_eq!(validator.validate(&traced).expect("checked"), []);
    let standard = state_machine(r#"{"StateMachineType": "STANDARD"}"#);
    assert_eq!(validator.validate(&standard).expect("checked"), []);

    let toggled = state_machine(
        r#"{"StateMachineType": "EXPRESS", "TracingConfiguration": {"Enabled": {"Ref": "Trace"}}}"#,
    );
    let findings = validator.validate(&toggled).expect("checked");
    assert_eq!(findings.len(), 1);
    assert!(findings[0].undecided);
    assert_eq!(
        findings[0].pointer,
        "/Resources/Workflow/Properties/TracingConfiguration"
    );
}

#[test]
fn a_validator_error_is_surfaced() {
    let validator = validator(runtime(), REQUIRE_TRACING);
    let error = validator
        .validate("Resources: {}")
        .expect_err("YAML is not JSON");
    assert!(
        matches!(&error, CallError::ValidatorFailed { message } if message.contains("not JSON")),
        "{error:?}"
    );

    let misbehaving = self::validator(runtime(), VALIDATOR_MISBEHAVING);
    let error = misbehaving
        .validate(&asking("error"))
        .expect_err("it fails");
    assert_eq!(
        error.to_string(),
        "could not check the template: this validator was asked to fail"
    );
}

#[test]
fn a_well_behaved_call_of_the_misbehaving_validator_finds_its_rule() {
    let validator = validator(runtime(), VALIDATOR_MISBEHAVING);
    assert_eq!(validator.info().name, "misbehaving");
    let findings = validator.validate(&asking("fine")).expect("checked");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "TEST-1");
    assert_eq!(findings[0].logical_id, "Topic");
    assert_eq!(findings[0].pointer, "/Resources/Topic");
}

#[test]
fn an_undeclared_rule_id_is_refused_by_name() {
    let validator = validator(runtime(), VALIDATOR_MISBEHAVING);
    let error = validator
        .validate(&asking("undeclared"))
        .expect_err("refused");
    assert!(
        matches!(&error, CallError::UndeclaredRule { rule_id } if rule_id == "TEST-99"),
        "{error:?}"
    );
    assert!(error.to_string().contains("`TEST-99`"), "{error}");
}

#[test]
fn a_panic_is_a_trap_with_the_panic_message() {
    let validator = validator(runtime(), VALIDATOR_MISBEHAVING);
    let error = validator.validate(&asking("panic")).expect_err("it panics");
    match &error {
        CallError::Trap { stderr, .. } => {
            assert!(
                stderr.contains("this validator was asked to panic"),
                "{stderr}"
            );
        }
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn an_endless_loop_runs_out_of_fuel() {
    let runtime = Runtime::new(Limits {
        fuel: 50_000_000,
        ..Limits::default()
    })
    .expect("an engine");
    let validator = validator(&runtime, VALIDATOR_MISBEHAVING);
    let error = validator.validate(&asking("loop")).expect_err("it loops");
    assert!(
        matches!(
            error,
            CallError::OutOfFuel {
                limit: 50_000_000,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn an_endless_loop_with_fuel_to_spare_times_out() {
    let runtime = Runtime::new(Limits {
        fuel: u64::MAX,
        timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .expect("an engine");
    let validator = validator(&runtime, VALIDATOR_MISBEHAVING);
    let started = Instant::now();
    let error = validator.validate(&asking("loop")).expect_err("it loops");
    assert!(matches!(error, CallError::TimedOut { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn findings_count_against_the_output_limit() {
    let runtime = Runtime::new(Limits {
        output_bytes: 16,
        ..Limits::default()
    })
    .expect("an engine");
    let validator = validator(&runtime, VALIDATOR_MISBEHAVING);
    let error = validator.validate(&asking("fine")).expect_err("too much");
    assert!(
        matches!(error, CallError::OutputTooLarge { limit: 16, .. }),
        "{error:?}"
    );
    // Nothing found is nothing to count.
    assert_eq!(validator.validate("{}").expect("checked"), []);
}

#[test]
fn more_findings_than_one_call_may_report_fail_the_call() {
    let runtime = Runtime::new(Limits {
        findings: 0,
        ..Limits::default()
    })
    .expect("an engine");
    let validator = validator(&runtime, VALIDATOR_MISBEHAVING);
    let error = validator.validate(&asking("fine")).expect_err("too many");
    assert!(
        matches!(
            error,
            CallError::TooManyFindings {
                limit: 0,
                actual: 1
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("cannot be raised"), "{error}");
}

#[test]
fn finding_text_is_escaped_and_cut_to_size() {
    let runtime = Runtime::new(Limits {
        text_bytes: 16,
        ..Limits::default()
    })
    .expect("an engine");
    let validator = validator(&runtime, VALIDATOR_MISBEHAVING);
    // The validator names the first resource: here its logical id holds ESC and a newline.
    let findings = validator
        .validate(r#"{"Resources": {"\u001b[2J\nX": {"Type": "AWS::SNS::Topic"}}}"#)
        .expect("checked");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].logical_id, "\\u{1b}[2J\\nX");
    assert_eq!(
        findings[0].message,
        "the first resour [... 2 more bytes not shown]"
    );
    let error = validator.validate(&asking("error")).expect_err("it fails");
    assert_eq!(
        error.to_string(),
        "could not check the template: this validator w [... 16 more bytes not shown]"
    );
}

#[test]
fn load_any_tells_the_worlds_apart() {
    let runtime = runtime();
    for (path, construct) in [
        (ECHO, true),
        (CONTRACT_0_1, true),
        (REQUIRE_TRACING, false),
        (VALIDATOR_MISBEHAVING, false),
    ] {
        let (bytes, sha256) = read(path);
        match load_any(runtime, &bytes, &sha256).expect("it loads") {
            Component::Construct(plugin) => {
                assert!(construct, "{path} loaded as a construct");
                assert!(!plugin.info().name.is_empty());
            }
            Component::Validator(validator) => {
                assert!(!construct, "{path} loaded as a validator");
                assert!(!validator.info().rules.is_empty());
            }
        }
    }

    let (bytes, sha256) = read(OTHER_WORLD);
    let error = load_any(runtime, &bytes, &sha256)
        .err()
        .expect("another world is refused");
    let message = error.to_string();
    assert!(matches!(error, LoadError::NotAnyPlugin { .. }), "{message}");
    assert!(
        message.contains("not a Stackweave construct plugin or validator"),
        "{message}"
    );
    assert!(message.contains("test:other/greeter@1.0.0"), "{message}");
    assert!(message.contains("stackweave:validator@0.1.0"), "{message}");

    let (bytes, sha256) = read(NEWER_CONTRACT);
    let error = load_any(runtime, &bytes, &sha256)
        .err()
        .expect("a newer construct contract is refused");
    assert!(
        matches!(error, LoadError::IncompatibleContract { .. }),
        "{error}"
    );
}

#[test]
fn a_validator_is_not_a_construct_nor_a_construct_a_validator() {
    let runtime = runtime();
    let (validator_bytes, validator_sha) = read(REQUIRE_TRACING);
    let error = Plugin::load(runtime, &validator_bytes, &validator_sha)
        .err()
        .expect("a validator is not a construct");
    assert!(matches!(error, LoadError::IsAValidator), "{error}");
    assert!(
        error.to_string().contains(
            "validator plugin (it exports `stackweave:validator/validator`): it checks templates (`stackweave validate`) and cannot be a construct"
        ),
        "{error}"
    );

    let (construct_bytes, construct_sha) = read(ECHO);
    let error = Validator::load(runtime, &construct_bytes, &construct_sha)
        .err()
        .expect("a construct is not a validator");
    assert!(matches!(error, LoadError::IsAConstruct), "{error}");
    assert!(
        error.to_string().contains("this is a construct plugin"),
        "{error}"
    );

    let (other_bytes, other_sha) = read(OTHER_WORLD);
    let error = Validator::load(runtime, &other_bytes, &other_sha)
        .err()
        .expect("another world is not a validator");
    assert!(matches!(error, LoadError::NotAValidator { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("not a Stackweave validator: it does not export `stackweave:validator/validator` (it exports test:other/greeter@1.0.0)"),
        "{error}"
    );
}

#[test]
fn a_validator_is_compiled_once_then_loaded_from_the_cache() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let load = || {
        let cache = CompileCache::open(dir.path()).expect("a private folder");
        let runtime = Runtime::new(Limits::default())
            .expect("an engine")
            .with_cache(cache);
        let validator = validator(&runtime, REQUIRE_TRACING);
        (validator.compiled(), validator.info().clone())
    };
    let (first, first_info) = load();
    assert_eq!(first, Compiled::Fresh);
    let (second, second_info) = load();
    assert_eq!(second, Compiled::FromCache);
    assert_eq!(first_info, second_info);
}
