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
fn fan_out(count: usize, props: &str, extra: &str) -> Project {
    let children: Vec<String> = (0..count)
        .map(|i| format!("{{plugin: bulky, id: Kid{i}, props: {props}}}"))
        .collect();
    let project = Project::new(&format!(
        "name: Fan\nplugins: [plugins]\nconstructs:\n  Fan:\n    plugin: echo\n    props: {{children: [{}]}}\n{extra}",
        children.join(", ")
    ));
    project.plugin("plugins/echo.wasm", ECHO);
    project.plugin("plugins/bulky.wasm", BULKY);
    project
}

/// A run of `stackweave synth stack.yaml` plus `args` in `dir`, with its peak resident
/// memory and how long it took. The peak is the kernel's high-water mark of the process
/// (`VmHWM` in `/proc/PID/status`, Linux), read every 2 ms until it exits: the mark only
/// grows, so any read after the peak sees it.
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
    let read_all = |mut from: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = from.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("piped")));
    let stderr = read_all(Box::new(child.stderr.take().expect("piped")));
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .as_deref()
            .and_then(|status| status.lines().find_map(|l| l.strip_prefix("VmHWM:")))
            .and_then(|value| {
                value
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
        {
            peak = peak.max(kib * 1024);
        }
        if let Some(status) = child.try_wait().expect("the process can be waited for") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("the reader finishes"),
        stderr: stderr.join().expect("the reader finishes"),
    };
    assert!(peak > 0, "the peak memory of the process was read");
    (run, peak, elapsed)
}

#[track_caller]
fn assert_bounded(peak: u64, elapsed: Duration) {
    eprintln!("peak resident memory {} MiB, {elapsed:?}", peak >> 20);
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
    let project = fan_out(40, "{bytes: 16000000}", "");
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

    // Raised (with the template quota that so large a template needs), five children fit.
    let project = fan_out(
        5,
        "{bytes: 16000000}",
        "limits:\n  templateBytes: 200000000\n",
    );
    project.synth(&["--total-output", "100"]).success();
}

#[test]
fn children_of_half_a_million_resources_stop_at_the_resource_quota() {
    // 28 children of 20,000 resources each: 560,000 resources, each stopped at the quota
    // while its fragment is parsed.
    let project = fan_out(28, "{resources: 20000}", "");
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
    let project = fan_out(5, "{}", "");
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
        "cannot load plugin bomb.wasm: its props schema is",
        "more than the 262144 a props schema may have",
        "construct: Bomb"
    );
    assert_bounded(peak, elapsed);
}
