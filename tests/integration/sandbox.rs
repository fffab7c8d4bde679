//! Hostile plugins: every way a plugin can misbehave ends in exit code 1 with a message naming
//! the construct, the plugin and the cause (and the limit it hit), and nothing on disk is
//! created or changed; a wait returns at once under the fixed clock; what a plugin says is
//! cut to size and shown with its control characters escaped. Driven by the `hostile` test
//! plugin (see `tests/plugins/README.md`), whose `mode` prop picks the misbehaviour, and by
//! `sleepy`, whose `describe` sleeps.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use stackweave_test_plugins::{ECHO, HOSTILE, OTHER_WORLD, SLEEPY};

use crate::support::{Project, Run, stackweave_in};

/// Fuel for tests that must run out quickly; describing the plugin needs far less.
const SMALL_FUEL: &str = "50000000";

/// A project whose construct `Probe` runs the hostile plugin in `mode`, with an `out/` folder
/// already holding a template and manifest, so a test can tell whether anything touched it.
fn hostile(mode: &str) -> Project {
    let project = Project::new(&format!(
        "name: Sandbox\nconstructs:\n  Probe:\n    plugin: ./hostile.wasm\n    props: {{mode: {mode}}}\n"
    ));
    project.plugin("hostile.wasm", HOSTILE);
    sentinel(&project);
    project
}

/// Earlier output in `out/`, under the names a successful run would write.
fn sentinel(project: &Project) {
    project.write(
        "out/Sandbox.template.yaml",
        "# sentinel: an earlier run's template\n",
    );
    project.write("out/manifest.json", "{\"sentinel\": true}\n");
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("list a folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walk(root, &path, files);
                files.insert(
                    path.strip_prefix(root).expect("inside").join(""),
                    Vec::new(),
                );
            } else {
                let bytes = std::fs::read(&path).expect("read a file");
                files.insert(
                    path.strip_prefix(root).expect("inside").to_path_buf(),
                    bytes,
                );
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Runs `synth stack.yaml --out out` plus `args`; asserts exit code 1, no panic, nothing on
/// stdout, the construct and plugin named, and the project folder (`out/` included) exactly
/// as it was. Returns stderr.
#[track_caller]
fn fails_touching_nothing(project: &Project, construct: &str, args: &[&str]) -> String {
    let before = snapshot(project.dir.path());
    let mut all = vec!["--out", "out"];
    all.extend_from_slice(args);
    let run = project.synth(&all);
    let stderr = run.failure().to_string();
    assert_no_crash(&run);
    assert_contains!(stderr, format!("construct: {construct}"));
    assert_eq!(run.stdout, "", "nothing printed on a failure");
    let after = snapshot(project.dir.path());
    assert!(
        before == after,
        "the project folder changed: before {:?}, after {:?}",
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    stderr
}

/// Like [`fails_touching_nothing`] for the hostile plugin, which must also be named.
#[track_caller]
fn hostile_fails(mode: &str, args: &[&str]) -> String {
    let project = hostile(mode);
    let stderr = fails_touching_nothing(&project, "Probe", args);
    assert_contains!(stderr, "plugin: `hostile` (", "hostile.wasm)");
    stderr
}

/// No sign of a panic or abort of the binary itself. What the plugin wrote to its stderr
/// (quoted in messages as `  | ...` lines, a Rust plugin's panic included) is not the
/// binary's; an abort or a signal would already have failed [`Run::failure`]'s exit code 1.
#[track_caller]
fn assert_no_crash(run: &Run) {
    let own = run
        .stderr
        .lines()
        .filter(|line| !line.trim_start().starts_with('|'));
    for line in own {
        for sign in [
            "panicked at",
            "RUST_BACKTRACE",
            "fatal runtime error",
            "Aborted",
        ] {
            assert!(
                !line.contains(sign),
                "the binary crashed ({sign}):\n{}",
                run.stderr
            );
        }
    }
}

#[test]
fn an_endless_loop_runs_out_of_fuel() {
    let stderr = hostile_fails("loop", &["--plugin-fuel", SMALL_FUEL]);
    assert_contains!(
        stderr,
        "plugin ran out of fuel after 50000000 units",
        "--plugin-fuel"
    );
}

#[test]
fn an_endless_loop_with_unlimited_fuel_hits_the_wall_clock_backstop() {
    let started = Instant::now();
    let stderr = hostile_fails(
        "loop",
        &[
            "--plugin-fuel",
            &u64::MAX.to_string(),
            "--plugin-timeout",
            "0.2",
        ],
    );
    assert_contains!(
        stderr,
        "plugin ran longer than 0.2 s of wall-clock time",
        "--plugin-timeout"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the 0.2 s backstop took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_memory_bomb_hits_the_memory_cap() {
    let stderr = hostile_fails("allocate", &["--plugin-memory", "32"]);
    assert_contains!(
        stderr,
        "tried to use more than 32 MiB of memory",
        "--plugin-memory"
    );
}

#[test]
fn a_memory_bomb_hits_the_default_memory_cap() {
    let stderr = hostile_fails("allocate", &[]);
    assert_contains!(stderr, "tried to use more than 256 MiB of memory");
}

#[test]
fn unbounded_recursion_overflows_the_wasm_stack() {
    let stderr = hostile_fails("recurse", &[]);
    assert_contains!(
        stderr,
        format!("overflowed its {}-byte WebAssembly stack", 1 << 20),
        "recursion",
        "this limit cannot be raised"
    );
}

#[test]
fn overflowing_the_plugins_own_stack_is_named_as_such() {
    let stderr = hostile_fails("shadow-stack", &[]);
    assert_contains!(
        stderr,
        "out of bounds memory access",
        "the plugin's own stack overflowing",
        "-C link-arg=-zstack-size=BYTES"
    );
    assert_one_clean_line(&stderr);
}

#[test]
fn a_100_mb_output_is_refused() {
    let stderr = hostile_fails("huge-output", &[]);
    assert_contains!(stderr, "bytes of output, more than the 16777216 allowed");
    let returned: u64 = stderr
        .split("returned ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the message says how many bytes came back");
    assert!(
        returned >= 100 << 20,
        "the whole ~100 MiB answer was measured, not {returned}"
    );
}

#[test]
fn an_answer_larger_than_wasmtime_copies_names_the_output_limit() {
    let stderr = hostile_fails("transfer-bomb", &[]);
    assert_contains!(
        stderr,
        format!("more than {} bytes to the host at once", 128 << 20),
        format!("the {} bytes of output a plugin may return", 16 << 20)
    );
    assert!(
        !stderr.contains("too much data is being copied"),
        "wasmtime's own words are replaced:\n{stderr}"
    );
}

#[test]
fn output_that_is_not_json_is_a_plugin_bug() {
    let stderr = hostile_fails("not-json", &[]);
    assert_contains!(stderr, "unusable fragment", "bug in the plugin");
}

#[test]
fn flooding_stderr_fails_naming_the_cap() {
    let stderr = hostile_fails("spam-stderr", &[]);
    assert_contains!(
        stderr,
        format!("wrote more than {} bytes to stdout or stderr", 64 << 10)
    );
    assert!(
        stderr.len() < 8 << 10,
        "the plugin's stderr shown to the user is cut to its end, not 10 MB ({} bytes)",
        stderr.len()
    );
}

#[test]
fn an_unknown_mode_is_the_plugin_refusing_its_props() {
    let stderr = hostile_fails("dance", &[]);
    assert_contains!(stderr, "unknown mode `dance`");
}

/// Where the file the `read-file` mode tries to write would land if the sandbox let it.
const ESCAPE: &str = "/tmp/stackweave-escape";

#[test]
fn a_plugin_cannot_read_list_or_write_files() {
    let existed = Path::new(ESCAPE).exists();
    let stderr = hostile_fails("read-file", &[]);
    assert_contains!(
        stderr,
        "error: sandboxed:",
        "read /etc/passwd:",
        "list /:",
        "write /tmp/stackweave-escape:"
    );
    assert!(!stderr.contains("root:"), "/etc/passwd leaked:\n{stderr}");
    if !existed {
        assert!(!Path::new(ESCAPE).exists(), "the plugin wrote {ESCAPE}");
    }
}

/// A value no plugin could guess, put in the binary's environment.
const CANARY: &str = "canary-4b1d-sandbox";

#[test]
fn a_plugin_sees_no_environment_variables() {
    let project = hostile("read-env");
    let before = snapshot(project.dir.path());
    let output = Command::new(env!("CARGO_BIN_EXE_stackweave"))
        .args(["synth", "stack.yaml", "--out", "out"])
        .current_dir(project.dir.path())
        .env("STACKWEAVE_CANARY", CANARY)
        .env("HOME", "/home/canary-4b1d")
        .output()
        .expect("the stackweave binary runs");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let stderr = run.failure();
    assert_no_crash(&run);
    assert_contains!(
        stderr,
        "error: sandboxed:",
        "the environment is empty",
        "HOME:",
        "there are no arguments",
        "construct: Probe",
        "hostile.wasm"
    );
    assert!(
        !stderr.contains("canary-4b1d"),
        "the environment leaked:\n{stderr}"
    );
    assert_eq!(snapshot(project.dir.path()), before, "nothing written");
}

#[test]
fn a_plugin_cannot_open_sockets_or_resolve_names() {
    let stderr = hostile_fails("open-socket", &[]);
    assert_contains!(
        stderr,
        "error: sandboxed:",
        "tcp connect 127.0.0.1:9:",
        "udp bind 127.0.0.1:0:",
        "resolve localhost:80:"
    );
}

#[test]
fn clocks_and_randomness_are_fixed_so_output_is_deterministic() {
    let stack = "name: Clock\nconstructs:\n  Probe:\n    plugin: ./hostile.wasm\n    props: {mode: clock}\n";
    let first = Project::new(stack);
    first.plugin("hostile.wasm", HOSTILE);
    let second = Project::new(stack);
    second.plugin("hostile.wasm", HOSTILE);
    let a = first.synth(&["--format", "json"]);
    let b = second.synth(&["--format", "json"]);
    assert_eq!(a.success(), b.success(), "two runs give the same bytes");
    let template: serde_json::Value = serde_json::from_str(a.success()).expect("JSON");
    let metadata = &template["Resources"]["Probe"]["Metadata"];
    // 2000-01-01T00:00:00Z, the host's fixed wall clock.
    assert_eq!(
        metadata["Now"],
        serde_json::json!({"seconds": 946_684_800u64, "nanos": 0})
    );
    assert!(
        metadata["Random"].as_str().is_some_and(|r| r.len() == 16),
        "a hash keyed by the random state: {metadata}"
    );
}

#[test]
fn one_failing_construct_means_no_construct_is_written_anywhere() {
    // `Logs` succeeds and is synthesised first; `Probe` then fails.
    let stack = "name: Sandbox\nconstructs:\n  Logs:\n    plugin: logging\n  Probe:\n    plugin: ./hostile.wasm\n    props: {mode: not-json, after: '${Logs.arn}'}\n";
    let fresh = Project::new(stack);
    fresh.plugin("hostile.wasm", HOSTILE);
    fails_touching_nothing(&fresh, "Probe", &[]);
    assert!(!fresh.path("out").exists(), "no output folder created");

    let earlier = Project::new(stack);
    earlier.plugin("hostile.wasm", HOSTILE);
    sentinel(&earlier);
    let stderr = fails_touching_nothing(&earlier, "Probe", &[]);
    assert!(
        !stderr.contains("LogGroup"),
        "the good construct's result is not shown:\n{stderr}"
    );
}

/// One of the hostile plugins the other test files cover, run here with `--out`.
struct Elsewhere {
    /// The construct the message must name.
    construct: &'static str,
    /// The `constructs:` section.
    constructs: String,
    /// What `echo.wasm` holds.
    component: Vec<u8>,
    /// Part of the message saying what went wrong.
    cause: &'static str,
}

#[test]
fn every_other_hostile_plugin_leaves_the_output_folder_untouched() {
    let echo =
        |id: &str, props: &str| format!("  {id}:\n    plugin: ./echo.wasm\n    props: {props}\n");
    let built = std::fs::read(ECHO).expect("echo was built");
    let cases = [
        Elsewhere {
            construct: "Thing",
            constructs: echo("Thing", "{panic: boom}"),
            component: built.clone(),
            cause: "crashed",
        },
        Elsewhere {
            construct: "Thing",
            constructs: echo(
                "Thing",
                r#"{fragment: {Resources: {Resource: {Type: "AWS::SNS::Topic", Properties: {TopicName: {Ref: Nowhere}}}}}}"#,
            ),
            component: built.clone(),
            cause: "Nowhere",
        },
        Elsewhere {
            construct: "AB",
            constructs: echo(
                "A",
                r#"{fragment: {Resources: {BC: {Type: "AWS::SNS::Topic"}}}}"#,
            ) + &echo(
                "AB",
                r#"{fragment: {Resources: {C: {Type: "AWS::SNS::Topic"}}}}"#,
            ),
            component: built.clone(),
            cause: "ABC",
        },
        Elsewhere {
            construct: "Thing",
            constructs: echo("Thing", "{}"),
            component: built[..built.len() / 2].to_vec(),
            cause: "not a valid WebAssembly component",
        },
        Elsewhere {
            construct: "Thing",
            constructs: echo("Thing", "{}"),
            component: b"\0asm\x01\0\0\0".to_vec(),
            cause: "core WebAssembly module",
        },
        Elsewhere {
            construct: "Thing",
            constructs: echo("Thing", "{}"),
            component: std::fs::read(OTHER_WORLD).expect("other-world was built"),
            cause: "not a Stackweave construct plugin",
        },
    ];
    for case in cases {
        let project = Project::new(&format!("name: Sandbox\nconstructs:\n{}", case.constructs));
        project.write("echo.wasm", &case.component);
        sentinel(&project);
        let stderr = fails_touching_nothing(&project, case.construct, &[]);
        assert_contains!(stderr, "echo.wasm", case.cause);
    }
}

/// The first line of `stderr` is the error, and nothing anywhere is a WebAssembly backtrace.
#[track_caller]
fn assert_one_clean_line(stderr: &str) {
    assert!(stderr.starts_with("error: plugin "), "{stderr}");
    for sign in ["backtrace", "wasm function", "<unknown>!"] {
        assert!(
            !stderr.contains(sign),
            "a backtrace is shown ({sign}):\n{stderr}"
        );
    }
}

/// More than any run of these tests needs, and far less than the sleeps asked for: a run
/// finishing within it returned from its sleep rather than waiting for a deadline.
const QUICK: Duration = Duration::from_secs(60);

/// `mode` waits 100,000 s, which the fixed clock makes return at once: the plugin then
/// fails with `woke:` and what the wait gave back. A wait that did not return would be cut
/// off at the (raised) deadline instead, failing without `woke:`.
#[track_caller]
fn wakes_at_once(mode: &str, gave_back: &str) {
    let started = Instant::now();
    let stderr = hostile_fails(mode, &["--plugin-timeout", "20"]);
    assert_contains!(stderr, "error: woke: ", gave_back);
    assert!(
        started.elapsed() < QUICK,
        "`{mode}` took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_100000_s_sleep_returns_at_once_under_the_fixed_clock() {
    wakes_at_once(
        "sleep",
        "std::thread::sleep(100000 s) returned after 0ns by the monotonic clock",
    );
}

#[test]
fn a_raw_subscribe_duration_and_block_return_at_once() {
    wakes_at_once(
        "block-duration",
        "block on subscribe-duration(100000000000000 ns) returned",
    );
}

#[test]
fn a_poll_on_the_end_of_time_returns_at_once() {
    wakes_at_once(
        "poll-instant",
        "poll on subscribe-instant(18446744073709551615) returned [0]",
    );
}

#[test]
fn reading_stdin_returns_at_once_with_nothing() {
    wakes_at_once(
        "read-stdin",
        "stdin read Ok(0); block on it returned; blocking-read says closed: true",
    );
}

#[test]
fn waiting_for_the_clock_to_move_runs_out_of_fuel() {
    // With the default limits: each wait is charged fuel, so fuel (the same on every
    // machine) ends the loop, long before the 10 s wall-clock backstop.
    let started = Instant::now();
    let stderr = hostile_fails("wait-for-clock", &[]);
    assert_contains!(stderr, "plugin ran out of fuel after 10000000000 units");
    assert!(started.elapsed() < QUICK, "took {:?}", started.elapsed());
}

#[test]
fn a_sleeping_child_construct_returns_at_once() {
    let project = Project::new(
        "name: Sandbox\nconstructs:\n  Parent:\n    plugin: ./echo.wasm\n    props: {children: [{plugin: hostile, id: Nap, props: {mode: sleep}}]}\n",
    );
    project.plugin("echo.wasm", ECHO);
    project.plugin("team/hostile.wasm", HOSTILE);
    sentinel(&project);
    let started = Instant::now();
    let stderr = fails_touching_nothing(
        &project,
        "Parent/Nap",
        &["--plugins", "team", "--plugin-timeout", "20"],
    );
    assert_contains!(
        stderr,
        "error: woke: std::thread::sleep(100000 s) returned",
        "plugin: `hostile` (",
        "hostile.wasm)"
    );
    assert!(started.elapsed() < QUICK, "took {:?}", started.elapsed());
}

/// A project whose construct `Nap` uses the `sleepy` plugin, whose `describe` sleeps.
fn sleepy() -> Project {
    let project =
        Project::new("name: Sandbox\nconstructs:\n  Nap:\n    plugin: ./team/sleepy.wasm\n");
    project.plugin("team/sleepy.wasm", SLEEPY);
    project
}

#[test]
fn a_describe_that_sleeps_holds_neither_plugins_nor_lock() {
    let project = sleepy();
    let started = Instant::now();
    let listed = stackweave_in(project.dir.path(), &["plugins", "--plugins", "team"]);
    let row = listed
        .success()
        .lines()
        .find(|row| row.starts_with("sleepy\t"))
        .unwrap_or_else(|| panic!("sleepy is listed:\n{}", listed.stdout))
        .to_string();
    assert_contains!(row, "slept 100000 s three ways in 0ns (poll: [0])");
    let locked = stackweave_in(project.dir.path(), &["lock", "stack.yaml"]);
    assert_eq!(locked.code, 0, "{}", locked.stderr);
    assert!(
        project.path("stackweave.lock").exists(),
        "the lockfile is written"
    );
    assert!(started.elapsed() < QUICK, "took {:?}", started.elapsed());
}

/// No byte a terminal would act on: ESC, BEL, CR, and no line forged by the plugin.
#[track_caller]
fn assert_nothing_raw(output: &str) {
    for raw in ['\u{1b}', '\u{7}', '\r'] {
        assert!(
            !output.contains(raw),
            "{raw:?} reached the terminal:\n{output}"
        );
    }
    for line in output.lines() {
        let text = line.trim_start();
        assert!(
            !text.starts_with("error: forged") && !text.starts_with("--> x.yaml"),
            "a forged line reached the terminal: {line:?}\n{output}"
        );
    }
}

#[test]
fn terminal_escapes_and_forged_lines_in_a_warning_are_shown_escaped() {
    let project = hostile("forge-warning");
    let run = project.synth(&[]);
    run.success();
    assert_nothing_raw(&run.stderr);
    assert_contains!(
        run.stderr,
        "warning: \\u{1b}[31mred\\u{1b}[0m\\u{1b}]0;pwned\\u{7}\\rerror: forged by the plugin\\n  --> x.yaml:1:1\\n   = construct: Forged\n",
        "construct: Probe"
    );
}

#[test]
fn terminal_escapes_and_forged_lines_on_stderr_are_shown_escaped() {
    let stderr = hostile_fails("forge-stderr", &[]);
    assert_nothing_raw(&stderr);
    // Each line the plugin wrote keeps the `| ` that marks it as the plugin's.
    assert_contains!(
        stderr,
        "    | \\u{1b}[31mred\\u{1b}[0m\\u{1b}]0;pwned\\u{7}\\rerror: forged by the plugin\n    |   --> x.yaml:1:1\n    |    = construct: Forged\n"
    );
}

#[test]
fn terminal_escapes_and_forged_lines_in_a_description_are_shown_escaped() {
    let project = sleepy();
    let listed = stackweave_in(project.dir.path(), &["plugins", "--plugins", "team"]);
    let stdout = listed.success();
    assert_nothing_raw(stdout);
    let row = stdout
        .lines()
        .find(|row| row.starts_with("sleepy\t"))
        .unwrap_or_else(|| panic!("sleepy is listed:\n{stdout}"));
    assert_contains!(
        row,
        "\\u{1b}[31mred\\u{1b}[0m\\u{1b}]0;pwned\\u{7}\\rerror: forged by the plugin\\n  --> x.yaml:1:1\\tforged-column"
    );
    assert_eq!(
        row.matches('\t').count(),
        5,
        "six columns, as the header says: {row:?}"
    );
}

/// What a plugin may say fits on a screen or two, whatever it returns.
const SMALL_STDERR: usize = 64 << 10;

#[test]
fn a_100_mb_warning_is_cut_and_the_run_goes_on() {
    let project = hostile("huge-warning");
    let run = project.synth(&[]);
    run.success();
    assert_contains!(
        run.stderr,
        format!("warning: {}", "x".repeat(4096)),
        format!(" [... {} more bytes not shown]", (100 << 20) - 4096),
        "construct: Probe"
    );
    assert!(
        run.stderr.len() < SMALL_STDERR,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

#[test]
fn two_hundred_thousand_warnings_are_cut_to_a_hundred_and_a_note() {
    let project = hostile("many-warnings");
    let run = project.synth(&[]);
    run.success();
    assert_contains!(
        run.stderr,
        "warning: warning 0\n",
        "warning: warning 99\n",
        "warning: ... 199900 more warnings from this plugin not shown (at most 100 diagnostics of one call are shown)"
    );
    assert!(!run.stderr.contains("warning 100\n"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("warning: ").count(), 101);
    assert!(
        run.stderr.len() < SMALL_STDERR,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

#[test]
fn two_hundred_thousand_errors_are_cut_to_a_hundred_and_a_note() {
    let stderr = hostile_fails("many-errors", &[]);
    assert_contains!(
        stderr,
        "error: error 0\n",
        "error: error 99\n",
        "error: ... 199900 more errors from this plugin not shown"
    );
    assert_eq!(stderr.matches("error: ").count(), 101);
    assert!(
        stderr.len() < SMALL_STDERR,
        "{} bytes of stderr",
        stderr.len()
    );
}

#[test]
fn exit_in_a_plugin_is_one_clean_line() {
    let stderr = hostile_fails("exit", &[]);
    assert_contains!(
        stderr,
        "error: plugin called `exit` (`std::process::exit`); a plugin returns its answer, or error diagnostics saying what is wrong, and never exits\n"
    );
    assert_one_clean_line(&stderr);
}

#[test]
fn polling_nothing_is_one_clean_line() {
    let stderr = hostile_fails("poll-nothing", &[]);
    assert_contains!(
        stderr,
        "error: plugin made a host call the sandbox refuses: called `poll` with an empty list of pollables, which would wait forever (a bug in the plugin)"
    );
    assert_one_clean_line(&stderr);
}
