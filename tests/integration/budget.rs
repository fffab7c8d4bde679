//! The budget of a synthesis as a whole (docs/sandbox.md): a construct tree cannot multiply
//! the per-call limits by creating children. Each attack is a small stack file whose
//! constructs fan out (`echo` creating `bulky` children that return large answers); each
//! must fail naming the budget and its flag, within a bounded time and a bounded peak
//! memory of the `stackweave` process.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stackweave_test_plugins::{BULKY, ECHO, HOSTILE, SCHEMA_BOMB};

use crate::support::{Project, Run, shared_cache_dir};

/// The peak resident memory a budget attack may reach. The default budget keeps at most
/// 64 MiB of fragments, one call's 16 MiB answer in flight and the stores of the calls
/// nested at that moment; without the budget, the attacks below reach several GB.
const PEAK_RSS_BOUND: u64 = 1 << 30;

/// How long a budget attack may take (without the budget: minutes, or never).
const TIME_BOUND: Duration = Duration::from_secs(60);

/// A project whose construct `Fan` (the `echo` plugin) creates `count` children `Kid0`, ...
/// of the `bulky` plugin with `props`; both plugins are in `plugins/`.
fn fan_out(count: usize, props: &str) -> Project {
    let children: Vec<String> = (0..count)
        .map(|i| format!("{{plugin: bulky, id: Kid{i}, props: {props}}}"))
        .collect();
    let project = Project::new(&format!(
        "name: Fan\nplugins: [plugins]\nconstructs:\n  Fan:\n    plugin: echo\n    props: {{children: [{}]}}\n",
        children.join(", ")
    ));
    project.plugin("plugins/echo.wasm", ECHO);
    project.plugin("plugins/bulky.wasm", BULKY);
    project
}

/// A run of `stackweave synth stack.yaml` plus `args` in `dir`, with its peak resident
/// memory (from `wait4`'s resource usage of that one process) and how long it took.
fn measured_synth(dir: &Path, args: &[&str]) -> (Run, u64, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackweave"))
        .args(["synth", "stack.yaml"])
        .args(args)
        .current_dir(dir)
        .env("STACKWEAVE_CACHE_DIR", shared_cache_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the stackweave binary runs");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let reading = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let mut errors = String::new();
    let _ = stderr.read_to_string(&mut errors);
    let stdout = reading.join().expect("the reader finishes");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of the plain C struct `wait4` fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (std's `Child` is never waited on
    // here), and both pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(
        waited,
        pid,
        "wait4 failed: {}",
        std::io::Error::last_os_error()
    );
    let elapsed = started.elapsed();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // Linux reports `ru_maxrss` in KiB.
    let peak = u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024;
    let run = Run {
        code,
        stdout,
        stderr: errors,
    };
    (run, peak, elapsed)
}

#[track_caller]
fn assert_bounded(peak: u64, elapsed: Duration) {
    assert!(
        peak < PEAK_RSS_BOUND,
        "peak resident memory {} MiB is over the {} MiB bound",
        peak >> 20,
        PEAK_RSS_BOUND >> 20
    );
    assert!(elapsed < TIME_BOUND, "took {elapsed:?}");
}

#[test]
fn children_of_16_mb_fragments_stop_at_the_output_budget() {
    // 40 children of 16 MB each would be 640 MB of fragments; the default budget is 64 MiB,
    // so the fifth child is the one too many.
    let project = fan_out(40, "{bytes: 16000000}");
    let (run, peak, elapsed) = measured_synth(project.dir.path(), &[]);
    let stderr = run.failure();
    assert_contains!(
        stderr,
        "returned more than 64 MiB of fragments together (child constructs included)",
        "`--total-output MIB`",
        "construct: Fan/Kid4\n",
        "plugin: `bulky`"
    );
    assert!(stderr.len() < 4096, "a short report:\n{stderr}");
    assert_bounded(peak, elapsed);

    // Raised, the same children fit.
    let project = fan_out(5, "{bytes: 16000000}");
    project.synth(&["--total-output", "100"]).success();
}

#[test]
fn children_of_half_a_million_resources_stop_at_the_resource_quota() {
    // 28 children of 20,000 resources each: 560,000 resources, each stopped at the quota
    // while its fragment is parsed.
    let project = fan_out(28, "{resources: 20000}");
    let (run, peak, elapsed) = measured_synth(project.dir.path(), &[]);
    let stderr = run.failure();
    assert_contains!(
        stderr,
        "the template has at least 501 resources; CloudFormation allows 500 per stack",
        "raise `limits.resources` in the stack file",
        "construct: Fan/Kid0\n",
        "plugin: `bulky`"
    );
    assert_bounded(peak, elapsed);
}

#[test]
fn a_fan_out_stops_at_the_child_budget() {
    let project = fan_out(5, "{}");
    let stderr = project
        .synth(&["--total-children", "3"])
        .failure()
        .to_string();
    assert_contains!(
        stderr,
        "created more than 3 child constructs together",
        "`--total-children N`",
        "construct: Fan/Kid3\n",
        "stack.yaml:4:3"
    );
    assert!(!stderr.contains("Fan/Kid4"), "one report:\n{stderr}");
    project.synth(&["--total-children", "5"]).success();
}

#[test]
fn the_synthesis_deadline_cuts_a_childs_call_short() {
    let project = Project::new(
        "name: Slow\nplugins: [plugins]\nconstructs:\n  Parent:\n    plugin: echo\n    props: {children: [{plugin: hostile, id: Spin, props: {mode: loop}}]}\n",
    );
    project.plugin("plugins/echo.wasm", ECHO);
    project.plugin("plugins/hostile.wasm", HOSTILE);
    let started = Instant::now();
    let run = project.synth(&[
        "--plugin-fuel",
        "18446744073709551615",
        "--plugin-timeout",
        "60",
        "--total-timeout",
        "1",
    ]);
    let elapsed = started.elapsed();
    assert_contains!(
        run.failure(),
        "the synthesis ran longer than its 1 s of wall-clock time",
        "`--total-timeout SECONDS`",
        "construct: Parent/Spin\n",
        "plugin: `hostile`"
    );
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[test]
fn warnings_beyond_the_cap_are_counted_not_shown() {
    let warnings: Vec<String> = (0..5)
        .map(|i| format!("{{message: careful {i}}}"))
        .collect();
    let project = Project::new(&format!(
        "name: Noisy\nconstructs:\n  Loud:\n    plugin: ./echo.wasm\n    props: {{fragment: {{Resources: {{Resource: {{Type: \"AWS::SNS::Topic\"}}}}}}, warn: [{}]}}\n",
        warnings.join(", ")
    ));
    project.plugin("echo.wasm", ECHO);
    let run = project.synth(&["--total-warnings", "2"]);
    run.success();
    assert_contains!(
        run.stderr,
        "warning: careful 0",
        "warning: careful 1",
        "warning: 3 more warnings were not shown: a synthesis shows at most 2",
        "`--total-warnings N`"
    );
    assert!(!run.stderr.contains("careful 2"), "{}", run.stderr);
}

#[test]
fn a_props_schema_of_20000_patterns_is_refused_quickly() {
    let project =
        Project::new("name: Bomb\nconstructs:\n  Bomb:\n    plugin: ./bomb.wasm\n    props: {}\n");
    project.plugin("bomb.wasm", SCHEMA_BOMB);
    let (run, peak, elapsed) = measured_synth(project.dir.path(), &[]);
    assert_contains!(
        run.failure(),
        "cannot load plugin ./bomb.wasm: its props schema is",
        "more than the 262144 a props schema may have",
        "construct: Bomb"
    );
    assert_bounded(peak, elapsed);
}
