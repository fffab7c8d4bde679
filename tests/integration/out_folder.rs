//! `synth --out DIR` replaces its files as one set: whatever happens to a run (killed at
//! any moment, racing another run, failing on a file it cannot write), `DIR` holds all of
//! one run's files, never a template beside another run's manifest.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::support::{Project, shared_cache_dir};

/// The same stack name, so both variants write the same three file names; only the
/// retention (and so every file but the manifest) differs.
fn stack(days: u32) -> String {
    format!(
        "name: Whole\nconstructs:\n  Logs:\n    plugin: logging\n    props: {{ retentionDays: {days} }}\n  Other:\n    plugin: logging\n    props: {{ retentionDays: 1 }}\n"
    )
}

/// Every entry of `dir` (files only) with its contents, sorted.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("the output folder exists")
        .map(|e| {
            let e = e.expect("an entry");
            let name = e.file_name().to_string_lossy().into_owned();
            (
                name,
                std::fs::read_to_string(e.path()).expect("a readable file"),
            )
        })
        .collect();
    files.sort();
    files
}

fn synth_command(project: &Project, stack: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackweave"));
    command
        .args(["synth", stack, "--out", "out"])
        .current_dir(project.dir.path())
        .env("STACKWEAVE_CACHE_DIR", shared_cache_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// The two complete sets the folder may hold: one run of each variant into a fresh folder;
/// the folder is left holding the second (`b.yaml`'s).
fn expected_sets(project: &Project) -> [Vec<(String, String)>; 2] {
    ["a.yaml", "b.yaml"].map(|stack| {
        let _ = std::fs::remove_dir_all(project.path("out"));
        let status = synth_command(project, stack)
            .status()
            .expect("stackweave runs");
        assert!(status.success(), "{stack} synthesises");
        snapshot(&project.path("out"))
    })
}

fn two_variants() -> Project {
    let project = Project::new("");
    project.write("a.yaml", stack(7));
    project.write("b.yaml", stack(14));
    project
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_old_set_or_the_new_one() {
    let project = two_variants();
    let [a, b] = expected_sets(&project);
    assert_ne!(a, b);
    // The longest uninterrupted run seen so far, so the kills sweep the whole run. It is
    // updated by every run that restores the folder: under a loaded CI machine runs slow
    // down as the test goes on, and a length measured once at the start would leave every
    // kill before the swap.
    let timed_run = |stack: &str| {
        let start = Instant::now();
        assert!(
            synth_command(&project, stack)
                .status()
                .expect("runs")
                .success()
        );
        start.elapsed()
    };
    let mut whole = timed_run("a.yaml");
    let steps = 40u32;
    let (mut old_kept, mut new_written) = (0, 0);
    for step in 0..steps {
        let (from, to) = if step % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let stack = if step % 2 == 0 { "b.yaml" } else { "a.yaml" };
        // The folder holds `from`; a run writing `to` is killed part-way.
        assert_eq!(&snapshot(&project.path("out")), from, "step {step}");
        let mut child = synth_command(&project, stack).spawn().expect("runs");
        // Up to twice the run's length, so the last kills come after it has finished.
        std::thread::sleep(whole * 2 * step / steps);
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&project.path("out"));
        assert!(
            &now == from || &now == to,
            "step {step}: the folder holds a mix of two runs: {:?}",
            now.iter().map(|(name, _)| name).collect::<Vec<_>>()
        );
        if &now == from {
            old_kept += 1;
            // Put the folder in the state the next step expects.
            whole = whole.max(timed_run(stack));
        } else {
            new_written += 1;
        }
    }
    // The sweep reached both ends: kills before the swap and runs that finished first.
    assert!(
        old_kept > 0 && new_written > 0,
        "old {old_kept}, new {new_written}"
    );
}

#[test]
fn concurrent_runs_take_turns_and_leave_one_whole_set() {
    let project = two_variants();
    let [a, b] = expected_sets(&project);
    let children: Vec<_> = (0..8)
        .map(|i| {
            let stack = if i % 2 == 0 { "a.yaml" } else { "b.yaml" };
            synth_command(&project, stack).spawn().expect("runs")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("finishes");
        assert!(
            output.status.success(),
            "a concurrent run failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let now = snapshot(&project.path("out"));
    assert!(now == a || now == b, "the folder holds a mix of two runs");
    // No staging folder is left behind.
    let leftovers: Vec<String> = std::fs::read_dir(project.dir.path())
        .expect("the project")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_folder_that_cannot_be_replaced_whole_is_refused_and_left_as_it_was() {
    let project = two_variants();
    let [_, b] = expected_sets(&project);
    // A folder inside `out` cannot be carried into the replacement; the run must fail
    // before any file changes (the old code replaced the template, then failed).
    std::fs::create_dir(project.path("out/notes")).expect("a folder inside out");
    let run =
        crate::support::stackweave_in(project.dir.path(), &["synth", "b.yaml", "--out", "out"]);
    assert_contains!(
        run.failure(),
        "cannot write the output folder out",
        "notes is a folder",
        "help: give `--out` a folder of its own"
    );
    std::fs::remove_dir(project.path("out/notes")).expect("the folder is still there");
    assert_eq!(snapshot(&project.path("out")), b);
}
