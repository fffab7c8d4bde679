//! One sample: a whole `stackweave synth` process (of a stack file, or of an app into an
//! output folder), its wall time and its peak memory.
//!
//! The peak memory of a child is only available once it has exited, as the largest of all
//! children waited for (`getrusage(RUSAGE_CHILDREN)`). So each sample runs under a fresh
//! `stackweave-bench measure` process whose only child is the sampled one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One `stackweave synth` process.
pub struct Sample {
    pub wall: Duration,
    pub peak_rss_kib: u64,
    /// The template it printed, or every file it wrote (by path).
    pub output: String,
    pub constructs: usize,
}

/// What a row of the table shows.
pub struct Summary {
    pub constructs: usize,
    pub resources: usize,
    pub median: Duration,
    pub min: Duration,
    pub peak_rss_kib: u64,
}

impl Summary {
    pub fn of(samples: &[Sample]) -> Summary {
        let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
        walls.sort();
        Summary {
            constructs: samples[0].constructs,
            resources: count_resources(&samples[0].output),
            median: walls[walls.len() / 2],
            min: walls[0],
            peak_rss_kib: samples.iter().map(|s| s.peak_rss_kib).max().unwrap_or(0),
        }
    }
}

/// Resources in a YAML template: the entries of `Resources:` each have a `Type: AWS::...`
/// line indented four spaces.
fn count_resources(template: &str) -> usize {
    template
        .lines()
        .filter(|line| line.starts_with("    Type: "))
        .count()
}

/// Runs samples of one `stackweave` binary, keeping their output in `work`.
pub struct Sampler {
    stackweave: PathBuf,
    me: PathBuf,
    output: PathBuf,
}

impl Sampler {
    pub fn new(stackweave: &Path, work: &Path) -> Result<Sampler, String> {
        Ok(Sampler {
            stackweave: stackweave.to_path_buf(),
            me: std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?,
            output: work.join("template.yaml"),
        })
    }

    /// `stackweave synth STACK` with the compiled-plugin cache in `cache`.
    pub fn synth(&self, stack: &Path, cache: &Path, extra: &[&str]) -> Result<Sample, String> {
        let mut command = Command::new(&self.me);
        command
            .arg("measure")
            .arg("--stdout")
            .arg(&self.output)
            .arg("--")
            .arg(&self.stackweave)
            .arg("synth")
            .arg(stack)
            .arg("--cache-dir")
            .arg(cache)
            .args(extra);
        let answer = command
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.me.display()))?;
        if !answer.status.success() {
            return Err(format!(
                "`stackweave synth {}` failed:\n{}",
                stack.display(),
                String::from_utf8_lossy(&answer.stderr)
            ));
        }
        let text = String::from_utf8_lossy(&answer.stdout);
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        let (Some(Ok(micros)), Some(Ok(peak_rss_kib))) = (fields.next(), fields.next()) else {
            return Err(format!("unexpected answer from `measure`: {text}"));
        };
        let output = std::fs::read_to_string(&self.output)
            .map_err(|e| format!("cannot read the template: {e}"))?;
        let stack_text = std::fs::read_to_string(stack)
            .map_err(|e| format!("cannot read {}: {e}", stack.display()))?;
        Ok(Sample {
            wall: Duration::from_micros(micros),
            peak_rss_kib,
            output,
            constructs: count_constructs(&stack_text),
        })
    }

    /// `stackweave synth APP --out OUT` plus `extra` (`--env dev`, say) with the
    /// compiled-plugin cache in `cache`, into an `OUT` made afresh. The sample's output is
    /// every file written under `out`, by path; its constructs are those of the app's stack files times the
    /// environments written.
    pub fn synth_app(
        &self,
        app: &Path,
        out: &Path,
        cache: &Path,
        extra: &[&str],
    ) -> Result<Sample, String> {
        // Only what this run writes: `synth` replaces the folders of the environments it
        // synthesises and leaves the others.
        if out.exists() {
            std::fs::remove_dir_all(out)
                .map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
        }
        let mut command = Command::new(&self.me);
        command
            .arg("measure")
            .arg("--stdout")
            .arg(&self.output)
            .arg("--")
            .arg(&self.stackweave)
            .arg("synth")
            .arg(app)
            .arg("--out")
            .arg(out)
            .arg("--cache-dir")
            .arg(cache)
            .args(extra);
        let answer = command
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.me.display()))?;
        if !answer.status.success() {
            return Err(format!(
                "`stackweave synth {} {}` failed:\n{}",
                app.display(),
                extra.join(" "),
                String::from_utf8_lossy(&answer.stderr)
            ));
        }
        let text = String::from_utf8_lossy(&answer.stdout);
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        let (Some(Ok(micros)), Some(Ok(peak_rss_kib))) = (fields.next(), fields.next()) else {
            return Err(format!("unexpected answer from `measure`: {text}"));
        };
        let mut files = Vec::new();
        files_under(out, out, &mut files)?;
        files.sort();
        let environments = files
            .iter()
            .filter(|(name, _)| name.ends_with("/manifest.json"))
            .count();
        let mut output = String::new();
        for (name, text) in files {
            output.push_str(&format!("==> {name} <==\n{text}"));
        }
        let mut constructs = 0;
        for entry in
            std::fs::read_dir(app).map_err(|e| format!("cannot read {}: {e}", app.display()))?
        {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.file_name().is_some_and(|n| n != "app.yaml") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                constructs += count_constructs(&text);
            }
        }
        Ok(Sample {
            wall: Duration::from_micros(micros),
            peak_rss_kib,
            output,
            constructs: constructs * environments,
        })
    }

    /// `runs` samples of the same app command.
    pub fn repeat_app(
        &self,
        runs: usize,
        app: &Path,
        out: &Path,
        cache: &Path,
        extra: &[&str],
    ) -> Result<Vec<Sample>, String> {
        (0..runs)
            .map(|_| self.synth_app(app, out, cache, extra))
            .collect()
    }

    /// `runs` samples of the same command.
    pub fn repeat(
        &self,
        runs: usize,
        stack: &Path,
        cache: &Path,
        extra: &[&str],
    ) -> Result<Vec<Sample>, String> {
        (0..runs).map(|_| self.synth(stack, cache, extra)).collect()
    }
}

/// Every file under `dir` (a synthesis' output folder), by its path from `root`, with its
/// text.
fn files_under(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            files_under(root, &path, files)?;
        } else {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            files.push((name, text));
        }
    }
    Ok(())
}

/// Constructs in a stack file: the lines `plugin: ...` (one per construct in the example
/// and in generated stacks).
fn count_constructs(stack: &str) -> usize {
    stack
        .lines()
        .filter(|line| line.trim_start().starts_with("plugin: "))
        .count()
}

/// The `measure` subcommand: runs `command` with stdout into `stdout`, stderr inherited,
/// then prints `WALL_MICROSECONDS PEAK_RSS_KIB`.
pub fn child(stdout: &Path, command: &[String]) -> Result<(), String> {
    let (program, args) = command.split_first().ok_or("`measure` needs a command")?;
    let file = std::fs::File::create(stdout)
        .map_err(|e| format!("cannot create {}: {e}", stdout.display()))?;
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdout(file)
        .stderr(Stdio::inherit())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let wall = start.elapsed();
    if !status.success() {
        return Err(format!("{program} exited with {status}"));
    }
    println!("{} {}", wall.as_micros(), peak_rss_of_children()?);
    Ok(())
}

#[cfg(unix)]
fn peak_rss_of_children() -> Result<u64, String> {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| format!("getrusage: {e}"))?;
    // Linux reports kibibytes (macOS bytes; this benchmark's numbers are from Linux).
    Ok(u64::try_from(usage.max_rss()).unwrap_or(0))
}

#[cfg(not(unix))]
fn peak_rss_of_children() -> Result<u64, String> {
    Ok(0)
}
