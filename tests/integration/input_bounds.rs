//! Hostile input files: every file `stackweave` reads from a path a stack file or a user
//! names (the stack file, a `plugin:` file, a `!file`, `stackweave.lock`, a template given
//! to a check command, a committed output) may be a named pipe, a device such as
//! `/dev/zero`, a link to `/dev/urandom` or a sparse file of gigabytes. Each is refused
//! before it is read, with the file, the limit and whether it can be raised; the run ends
//! at once and its memory stays small. The bad files are made by each test.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Project, Run, shared_cache_dir};

/// Long enough for a debug build loading the standard plugins from a warm cache, far too
/// short to read 10 GB or to wait for a writer that never comes.
const DEADLINE: Duration = Duration::from_secs(60);

/// Peak memory a refused input may cost: the binary and its engine, nothing the size of
/// the file.
const MAX_PEAK_KIB: u64 = 512 << 10;

/// A run of `stackweave` in `dir` that is killed if it outlives [`DEADLINE`]; also checks
/// the peak resident memory it was seen to reach (sampled from /proc while it runs).
pub fn bounded_run(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackweave"))
        .args(args)
        .current_dir(dir)
        .env("STACKWEAVE_CACHE_DIR", shared_cache_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the stackweave binary runs");
    // Output is small for every run here, so it cannot fill a pipe while we wait.
    let mut peak_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for stackweave") {
            break status;
        }
        peak_kib = peak_kib.max(peak_resident_kib(child.id()).unwrap_or(0));
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("stackweave {args:?} still ran after {DEADLINE:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        peak_kib < MAX_PEAK_KIB,
        "stackweave {args:?} reached {peak_kib} KiB of memory"
    );
    let output = child.wait_with_output().expect("its output");
    let _ = status;
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `VmHWM` (peak resident set) of a running process, in KiB; `None` off Linux or once it
/// has exited.
fn peak_resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `stackweave synth stack.yaml` plus `args` in the project, bounded.
fn synth(project: &Project, args: &[&str]) -> Run {
    let mut all = vec!["synth", "stack.yaml"];
    all.extend_from_slice(args);
    bounded_run(project.dir.path(), &all)
}

/// Asserts the run failed with exit code 1 or 2, without a panic, and returns stderr.
#[track_caller]
fn refused(run: &Run) -> &str {
    assert!(
        run.code == 1 || run.code == 2,
        "expected exit code 1 or 2, got {}; stderr:\n{}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.len() < 8 << 10,
        "a short message:\n{}",
        run.stderr
    );
    &run.stderr
}

pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A sparse file of `bytes` zero bytes: instant to make, no disk used.
pub fn sparse(path: &Path, bytes: u64) {
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("create folders");
    std::fs::File::create(path)
        .expect("create the file")
        .set_len(bytes)
        .expect("set its length");
}

pub const TEN_GB: u64 = 10 << 30;

const LOGS: &str = "name: Bounded\nconstructs:\n  Logs:\n    plugin: logging\n";

fn stack_using(plugin: &str) -> String {
    format!(
        "name: Bounded\nconstructs:\n  Thing:\n    plugin: {plugin}\n    props: {{fragment: {{Resources: {{Resource: {{Type: \"AWS::SNS::Topic\"}}}}}}}}\n"
    )
}

// The stack file.

#[cfg(unix)]
#[test]
fn a_stack_file_that_is_a_device_a_link_to_one_or_a_pipe_is_refused_at_once() {
    let project = Project::new(LOGS);
    std::os::unix::fs::symlink("/dev/urandom", project.path("random.yaml")).expect("link");
    mkfifo(&project.path("pipe.yaml"));
    for (file, kind) in [
        ("/dev/zero", "a character device"),
        ("random.yaml", "a character device"),
        ("pipe.yaml", "a named pipe (FIFO)"),
    ] {
        let run = bounded_run(project.dir.path(), &["synth", file]);
        assert_contains!(
            refused(&run),
            &format!("cannot read stack file {file}"),
            &format!("it is {kind}, not a regular file")
        );
        // The check commands read their input first, the same way.
        for command in ["validate", "graph"] {
            let run = bounded_run(project.dir.path(), &[command, file]);
            assert_contains!(
                refused(&run),
                &format!("cannot read {file}"),
                &format!("this is {kind}, not a regular file")
            );
        }
    }
}

#[test]
fn a_huge_stack_file_is_refused_before_reading_naming_the_limit() {
    let project = Project::new(LOGS);
    sparse(&project.path("huge.yaml"), TEN_GB);
    let run = bounded_run(project.dir.path(), &["synth", "huge.yaml"]);
    assert_contains!(
        refused(&run),
        "cannot read stack file huge.yaml",
        "it is 10737418240 bytes, more than the 16777216 a stack file may have",
        "cannot be raised",
        "at most 1 MB"
    );
    let run = bounded_run(project.dir.path(), &["diff", "huge.yaml", "huge.yaml"]);
    assert_contains!(
        refused(&run),
        "cannot read huge.yaml",
        "10737418240 bytes, more than the 16777216",
        "cannot be raised"
    );
}

// A `plugin:` file.

#[cfg(unix)]
#[test]
fn a_plugin_path_to_dev_zero_or_a_pipe_is_refused_without_reading_it() {
    let project = Project::new(&stack_using("../../../../../../../../dev/zero"));
    let run = synth(&project, &[]);
    assert_contains!(
        refused(&run),
        "cannot read plugin file",
        "dev/zero: it is a character device, not a regular file",
        "construct: Thing"
    );

    let project = Project::new(&stack_using("./team/pipe.wasm"));
    std::fs::create_dir_all(project.path("team")).expect("a folder");
    mkfifo(&project.path("team/pipe.wasm"));
    let run = synth(&project, &[]);
    assert_contains!(
        refused(&run),
        "team/pipe.wasm: it is a named pipe (FIFO), not a regular file",
        "construct: Thing"
    );

    // The walk of a plugin folder passes over what is not a regular file: a pipe or a link
    // to a device there is not a plugin, and is never opened.
    let project = Project::new(LOGS);
    std::fs::create_dir_all(project.path("team")).expect("a folder");
    mkfifo(&project.path("team/pipe.wasm"));
    std::os::unix::fs::symlink("/dev/zero", project.path("team/zero.wasm")).expect("link");
    synth(&project, &["--plugins", "team"]).success();
}

#[test]
fn a_10_gb_plugin_file_is_refused_before_it_is_read() {
    let project = Project::new(&stack_using("./team/huge.wasm"));
    sparse(&project.path("team/huge.wasm"), TEN_GB);
    let run = synth(&project, &[]);
    assert_contains!(
        refused(&run),
        "team/huge.wasm",
        "the file is 10737418240 bytes, more than the 134217728 a plugin may have",
        "this limit cannot be raised",
        "construct: Thing"
    );
}

// `!file`.

#[cfg(unix)]
#[test]
fn a_file_tag_naming_a_pipe_or_a_link_to_a_device_is_refused() {
    let project = Project::new(
        "name: Bounded\nconstructs:\n  Thing:\n    plugin: logging\n    props:\n      a: !file pipe.json\n      b: !file random.txt\n",
    );
    mkfifo(&project.path("pipe.json"));
    std::os::unix::fs::symlink("/dev/urandom", project.path("random.txt")).expect("link");
    let run = synth(&project, &[]);
    assert_contains!(
        refused(&run),
        "stack.yaml:6:10",
        "`!file pipe.json`: cannot read",
        "pipe.json`: it is a named pipe (FIFO), not a regular file",
        "stack.yaml:7:10",
        "`!file random.txt` is a link to `/dev/urandom`, outside the stack file's folder"
    );
}

#[test]
fn a_file_tag_over_the_limit_is_refused_before_reading() {
    let project = Project::new(
        "name: Bounded\nconstructs:\n  Thing:\n    plugin: logging\n    props:\n      a: !file huge.txt\n",
    );
    sparse(&project.path("huge.txt"), TEN_GB);
    let run = synth(&project, &[]);
    assert_contains!(
        refused(&run),
        "stack.yaml:6:10",
        "is 10737418240 bytes, more than the 16777216 bytes of `!file` data a stack file may read",
        "this limit cannot be raised",
        "construct: Thing"
    );
}

#[test]
fn file_tags_share_one_budget_so_naming_a_file_many_times_is_bounded() {
    // Each read alone fits; the second pushes the stack file past 16 MiB of `!file` data.
    let project = Project::new(
        "name: Bounded\nconstructs:\n  Thing:\n    plugin: logging\n    props:\n      a: !file nine.txt\n      b: !file nine.txt\n",
    );
    sparse(&project.path("nine.txt"), 9 << 20);
    let run = synth(&project, &[]);
    let stderr = refused(&run);
    assert_contains!(
        stderr,
        "stack.yaml:7:10",
        "is 9437184 bytes, more than the 7340032 bytes left of the 16777216 bytes of `!file` data a stack file may read (earlier `!file`s read 9437184)",
        "name it fewer times"
    );
    assert!(!stderr.contains("stack.yaml:6:10"), "{stderr}");
}

// `stackweave.lock`.

#[cfg(unix)]
#[test]
fn a_lockfile_that_is_a_pipe_a_device_or_huge_is_refused() {
    let project = Project::new(LOGS);
    mkfifo(&project.path("stackweave.lock"));
    let run = synth(&project, &["--locked"]);
    assert_contains!(
        refused(&run),
        "the lockfile stackweave.lock, which cannot be read: it is a named pipe (FIFO), not a regular file",
        "stackweave lock stack.yaml"
    );

    std::fs::remove_file(project.path("stackweave.lock")).expect("remove the pipe");
    std::os::unix::fs::symlink("/dev/zero", project.path("stackweave.lock")).expect("link");
    let run = synth(&project, &["--locked"]);
    assert_contains!(refused(&run), "it is a character device");

    std::fs::remove_file(project.path("stackweave.lock")).expect("remove the link");
    sparse(&project.path("stackweave.lock"), TEN_GB);
    let run = synth(&project, &["--locked"]);
    assert_contains!(
        refused(&run),
        "it is 10737418240 bytes, more than the 16777216 a lockfile may have",
        "this limit cannot be raised"
    );
}

// What the check commands read.

#[test]
fn a_huge_template_given_to_a_check_command_is_refused_naming_the_limit() {
    let project = Project::new(LOGS);
    sparse(&project.path("cdk.out/Big.template.json"), TEN_GB);
    for command in ["validate", "graph"] {
        let run = bounded_run(project.dir.path(), &[command, "cdk.out/Big.template.json"]);
        assert_contains!(
            refused(&run),
            "cannot read cdk.out/Big.template.json",
            "10737418240 bytes, more than the 16777216 a template or stack file may have",
            "this limit cannot be raised"
        );
    }
}

#[cfg(unix)]
#[test]
fn synth_check_treats_a_committed_pipe_or_huge_file_as_out_of_date() {
    let project = Project::new(LOGS);
    synth(&project, &["--out", "out"]).success();
    let template = project.path("out/Bounded.template.yaml");
    std::fs::remove_file(&template).expect("remove the template");
    mkfifo(&template);
    sparse(&project.path("out/manifest.json"), TEN_GB);
    let run = synth(&project, &["--check", "--out", "out"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_contains!(
        run.stdout,
        "missing: out/Bounded.template.yaml",
        "missing: out/manifest.json",
        "2 of 3 files in out are out of date"
    );
}
