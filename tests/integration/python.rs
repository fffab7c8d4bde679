//! A construct plugin written in Python: `examples/python-construct`, whose
//! `notification-topic` plugin is built from source with componentize-py and used by the real
//! binary next to the standard constructs.
//!
//! The first test that needs the plugin prepares it, once per run of this binary:
//!
//! 1. a virtualenv with componentize-py in the target folder, made on the first run on a
//!    machine and reused afterwards (it needs `python3` with its `venv` module, and PyPI or
//!    the index pip is told to use with `PIP_INDEX_URL`);
//! 2. the component, built afresh every run (componentize-py builds are not reproducible,
//!    so there is nothing to reuse by content);
//! 3. one synthesis of the example into a compiled-plugin cache of this run's own, so the
//!    ~13 CPU-seconds of compiling the 18 MB component are paid once, and every test after
//!    it runs warm.
//!
//! A lock file keeps two test processes sharing the target folder from building at once;
//! the second waits until the first exits.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime};

use crate::support::{Project, Run, assert_golden, repo_root, stackweave};

const COMPONENTIZE_PY: &str = "componentize-py==0.25.1";
/// The contract the plugin is built against, and its world.
const WIT: &str = "wit/since_v0.2.0";
const WORLD: &str = "construct-plugin";
const SOURCE: &str = "examples/python-construct/notification_topic";
const EXAMPLE: &str = "examples/python-construct/stack.yaml";
const GOLDEN: &str = "examples/python-construct/expected/PythonConstruct.template.yaml";

/// The built plugin and what preparing it did.
struct Plugin {
    /// The folder holding `notification_topic.wasm`, for `--plugins`.
    dir: String,
    /// This run's compiled-plugin cache, for `--cache-dir`.
    cache: String,
    /// The first synthesis of the example, which compiled the component into `cache`.
    cold: Run,
    /// The compiled entries in `cache` right after it.
    entries_after_cold: Vec<Entry>,
    /// Held until the process exits.
    _lock: File,
}

/// A compiled entry in the cache: file, length, modification time.
type Entry = (PathBuf, u64, SystemTime);

/// The plugin, prepared by the first caller; a failure to prepare it fails every test that
/// needs it with the same message.
fn plugin() -> &'static Plugin {
    static PLUGIN: OnceLock<Result<Plugin, String>> = OnceLock::new();
    match PLUGIN.get_or_init(prepare) {
        Ok(plugin) => plugin,
        Err(why) => panic!("cannot prepare the Python plugin: {why}"),
    }
}

fn prepare() -> Result<Plugin, String> {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(target).map_err(|e| format!("creating {}: {e}", target.display()))?;
    let lock = File::create(target.join("python-construct.lock"))
        .and_then(|file| file.lock().map(|()| file))
        .map_err(|e| format!("locking {}: {e}", target.display()))?;

    let venv = virtualenv(&target.join("python-venv"))?;

    // Everything of this run's own, removed by the next run.
    let work = target.join("python-construct");
    if let Err(e) = std::fs::remove_dir_all(&work)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        return Err(format!("removing {}: {e}", work.display()));
    }
    let started = Instant::now();
    let wasm = build(&venv, &work)?;
    let build_time = started.elapsed();

    let dir = utf8(wasm.parent().expect("a folder")).to_string();
    let cache = utf8(&work.join("cache")).to_string();
    let started = Instant::now();
    let cold = stackweave(&["synth", EXAMPLE, "--plugins", &dir, "--cache-dir", &cache]);
    eprintln!(
        "built {} ({} bytes) in {build_time:.1?}; the first synthesis, compiling it, took {:.1?}",
        wasm.display(),
        std::fs::metadata(&wasm).map_or(0, |m| m.len()),
        started.elapsed(),
    );
    Ok(Plugin {
        entries_after_cold: compiled_entries(Path::new(&cache)),
        dir,
        cache,
        cold,
        _lock: lock,
    })
}

/// The virtualenv at `venv` with componentize-py installed, made unless an earlier run made
/// it.
fn virtualenv(venv: &Path) -> Result<PathBuf, String> {
    // Written last, so a virtualenv whose set-up was interrupted is made again.
    let ready = venv.join("stackweave-ready");
    if std::fs::read_to_string(&ready).is_ok_and(|installed| installed == COMPONENTIZE_PY) {
        return Ok(venv.to_path_buf());
    }
    let _ = std::fs::remove_dir_all(venv);
    let python = if cfg!(windows) { "python" } else { "python3" };
    run(
        Command::new(python).args(["-m", "venv"]).arg(venv),
        "making a virtualenv with `python3 -m venv` (Python 3.10 or newer is needed, with \
         its venv module: on Debian and Ubuntu, the `python3-venv` package)",
    )?;
    run(
        Command::new(venv_program(venv, "python")).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            COMPONENTIZE_PY,
        ]),
        &format!("installing {COMPONENTIZE_PY} from PyPI (or the index in PIP_INDEX_URL)"),
    )?;
    std::fs::write(&ready, COMPONENTIZE_PY)
        .map_err(|e| format!("writing {}: {e}", ready.display()))?;
    Ok(venv.to_path_buf())
}

/// Builds the component into `work/plugins`, from a copy of the source in `work/src`:
/// componentize-py writes `__pycache__` next to the source, and the tests are not part of
/// the plugin.
fn build(venv: &Path, work: &Path) -> Result<PathBuf, String> {
    let source = work.join("src");
    let plugins = work.join("plugins");
    for dir in [&source, &plugins] {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    let copy = || -> std::io::Result<()> {
        for entry in std::fs::read_dir(repo_root().join(SOURCE))? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".py") && !name.starts_with("test_") {
                std::fs::copy(&path, source.join(name))?;
            }
        }
        Ok(())
    };
    copy().map_err(|e| format!("copying {SOURCE}: {e}"))?;
    let wasm = plugins.join("notification_topic.wasm");
    run(
        Command::new(venv_program(venv, "componentize-py"))
            .arg("--quiet")
            .arg("--wit-path")
            .arg(repo_root().join(WIT))
            .args(["--world", WORLD, "componentize", "--python-path"])
            .arg(&source)
            .arg("app")
            .arg("--output")
            .arg(&wasm),
        &format!(
            "building the plugin from {SOURCE} with componentize-py (if the virtualenv is \
             broken, delete {} to make it afresh)",
            venv.display()
        ),
    )?;
    Ok(wasm)
}

/// A program the virtualenv installed.
fn venv_program(venv: &Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{name}.exe"))
    } else {
        venv.join("bin").join(name)
    }
}

/// Runs `command`; a failure is a message saying what was being done, with its output.
fn run(command: &mut Command, doing: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{doing}: cannot run {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{doing}: {} exited with {}\n{}{}",
        command.get_program().to_string_lossy(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    ))
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// The compiled plugins in a cache folder, sorted.
fn compiled_entries(cache: &Path) -> Vec<Entry> {
    let Ok(dir) = std::fs::read_dir(cache) else {
        return Vec::new();
    };
    let mut entries: Vec<Entry> = dir
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "cwasm"))
        .map(|path| {
            let meta = std::fs::metadata(&path).expect("an entry's metadata");
            let modified = meta.modified().expect("a modification time");
            (path, meta.len(), modified)
        })
        .collect();
    entries.sort();
    entries
}

/// Synthesises a stack written into a temporary folder with the Python plugin.
fn synth_with_plugin(stack: &str) -> Run {
    let plugin = plugin();
    Project::new(stack).synth(&["--plugins", &plugin.dir, "--cache-dir", &plugin.cache])
}

/// `stackweave synth` of the example with the built plugin and this run's cache.
fn synth_example(plugin: &Plugin) -> Run {
    stackweave(&[
        "synth",
        EXAMPLE,
        "--plugins",
        &plugin.dir,
        "--cache-dir",
        &plugin.cache,
    ])
}

#[test]
fn python_example_matches_its_golden_template() {
    let plugin = plugin();
    let run = synth_example(plugin);
    let template = run.success();
    assert_eq!(run.stderr, "", "no warnings");
    assert_golden(GOLDEN, template);
}

#[test]
fn python_example_draws_as_its_goldens_and_passes_validation() {
    let plugin = plugin();
    let with_plugin = [
        "--plugins",
        plugin.dir.as_str(),
        "--cache-dir",
        plugin.cache.as_str(),
    ];
    crate::graph::assert_graph_goldens(
        EXAMPLE,
        "examples/python-construct/expected/PythonConstruct",
        &with_plugin,
    );
    let mut validate = vec!["validate", EXAMPLE];
    validate.extend_from_slice(&with_plugin);
    let run = stackweave(&validate);
    assert_contains!(
        run.success(),
        "0 errors, 0 warnings, 0 undecided, 0 suppressed"
    );
}

#[test]
fn a_second_run_reuses_the_compiled_python_plugin() {
    let plugin = plugin();
    let cold = plugin.cold.success();
    let entries = &plugin.entries_after_cold;
    // The standard plugins compile to about 1 MB each; the Python one, interpreter
    // included, to about 40 MB.
    let large = entries.iter().filter(|(_, len, _)| *len > 10 << 20).count();
    assert_eq!(large, 1, "one entry is the Python plugin's: {entries:?}");

    let warm = synth_example(plugin);
    assert_eq!(warm.success(), cold);
    assert_eq!(warm.stderr, plugin.cold.stderr);
    // Entries are replaced by rename when written, so a recompiled plugin would show as a
    // new modification time.
    assert_eq!(
        &compiled_entries(Path::new(&plugin.cache)),
        entries,
        "the warm run compiled nothing and rewrote no entry"
    );
}

#[test]
fn python_diagnostics_are_reported_at_the_prop_they_point_to() {
    let run = synth_with_plugin(
        "name: Bad
constructs:
  Alerts:
    plugin: notification-topic
    props:
      displayName: Order alerts
      subscribers:
        - ops@example.com
        - ops at example.com
        - OPS@example.com
  Ordered:
    plugin: notification-topic
    props:
      fifo: true
      subscribers: [ops@example.com]
",
    );
    let stderr = run.failure();
    let origin = "= plugin: `notification-topic` (";
    assert_contains!(
        stderr,
        "error: `ops at example.com` is not an email address; write one such as `ops@example.com`, or a reference such as `${AlertEmail}`\n  --> stack.yaml:9:11\n   = construct: Alerts\n",
        "error: `OPS@example.com` is already subscribed at index 0; remove one of them\n  --> stack.yaml:10:11\n   = construct: Alerts\n",
        "error: a FIFO topic delivers only to SQS queues, so it cannot have email subscribers; remove `subscribers` or set `fifo: false`\n  --> stack.yaml:15:20\n   = construct: Ordered\n",
        origin,
        "notification_topic.wasm)",
    );
    assert_eq!(stderr.matches(origin).count(), 3, "{stderr}");
    assert_eq!(run.stdout, "", "nothing is printed when synthesis fails");
}

#[test]
fn a_python_warning_is_shown_and_synthesis_goes_on() {
    let run = synth_with_plugin(
        "name: Warned
constructs:
  Alerts:
    plugin: notification-topic
    props:
      subscribers: [ops@example.com]
",
    );
    assert_contains!(run.success(), "AlertsSubscription0:");
    assert_contains!(
        run.stderr,
        "warning: without `displayName` the notifications come from `AWS Notifications`; set `displayName` so subscribers can tell them apart\n  --> stack.yaml:6:20\n   = construct: Alerts\n"
    );
}

#[test]
fn the_props_schema_from_python_is_checked_before_synthesis() {
    let run = synth_with_plugin(
        "name: Schema
constructs:
  Alerts:
    plugin: notification-topic
    props:
      displayname: Order alerts
      fifo: \"yes\"
",
    );
    assert_contains!(
        run.failure(),
        "error: props/fifo: \"yes\" is not of type \"boolean\"\n  --> stack.yaml:7:13\n",
        "error: props: unknown prop `displayname`\n  --> stack.yaml:6:20\n",
        "help: did you mean `displayName`?",
    );
}

#[test]
fn the_python_logic_passes_its_unit_tests() {
    // The logic is plain Python: any CPython runs its tests, no WebAssembly or bindings.
    let python = if cfg!(windows) { "python" } else { "python3" };
    let source = repo_root().join(SOURCE);
    let output = Command::new(python)
        .args(["-m", "unittest", "discover", "--start-directory"])
        .arg(&source)
        .current_dir(&source)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "unittest failed:\n{stderr}");
    assert_contains!(stderr, "OK");
}
