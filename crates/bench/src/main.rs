//! `stackweave-bench`: times whole `stackweave synth` processes, as a user or CI job runs
//! them, and prints a Markdown table (the one in docs/performance.md).
//!
//! ```text
//! cargo build --release && cargo run --release -p stackweave-bench
//! ```
//!
//! It measures the reference example with an empty compiled-plugin cache (cold) and a
//! filled one (warm), generated stacks of growing size built from the standard
//! constructs, and generated apps of growing numbers of stacks (`synth APP --env dev
//! --out DIR`, then every environment at the largest). Each sample is one `stackweave
//! synth` process: wall time from spawn to exit, and its peak resident memory. Nothing
//! here is a pass/fail test: the numbers depend on the machine; what is checked is that
//! everything synthesises and that `--jobs 1` writes the same bytes.

mod generate;
mod measure;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::measure::{Sample, Summary};

#[derive(Parser)]
#[command(
    name = "stackweave-bench",
    about = "Times whole `stackweave synth` processes"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The `stackweave` binary to time [default: `stackweave` beside this benchmark, that
    /// is the release build]
    #[arg(long, value_name = "PATH")]
    stackweave: Option<PathBuf>,
    /// Samples per case (the median is reported)
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Sizes of the generated stacks, in constructs
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000,5000")]
    sizes: Vec<usize>,
    /// Sizes of the generated apps, in stacks of 10 constructs each (`0` for none); the
    /// largest is also synthesised for every environment and with `--jobs 1`
    #[arg(long, value_delimiter = ',', default_value = "25,50,100")]
    app_stacks: Vec<usize>,
}

#[derive(Subcommand)]
enum Command {
    /// Prints a generated stack file of this many constructs (to profile or inspect one)
    Generate {
        /// How many constructs
        constructs: usize,
    },
    /// Writes a generated app of this many stacks into a folder (to profile or inspect one)
    GenerateApp {
        /// How many stacks
        stacks: usize,
        /// The folder to write `app.yaml` and the stack files into
        dir: PathBuf,
    },
    /// Runs one command and prints its wall time and peak memory (used by the benchmark
    /// itself, so that each sample's peak memory is its own process's)
    #[command(hide = true)]
    Measure {
        /// Where the command's stdout goes
        #[arg(long)]
        stdout: PathBuf,
        /// The command and its arguments
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Measure { stdout, command }) => measure::child(&stdout, &command),
        Some(Command::Generate { constructs }) => {
            print!("{}", generate::stack(constructs));
            Ok(())
        }
        Some(Command::GenerateApp { stacks, dir }) => write_app(&dir, stacks),
        None => run(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("stackweave-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), String> {
    let stackweave = match &cli.stackweave {
        Some(path) => path.clone(),
        None => beside_this_binary("stackweave")?,
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let example = repo.join("examples/api-to-express/stack.yaml");
    let work = tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let warm_cache = work.path().join("warm-cache");
    let runs = cli.runs.max(1);
    let sampler = measure::Sampler::new(&stackweave, work.path())?;

    println!("| case | constructs | resources | wall (median) | wall (min) | peak memory |");
    println!("|---|---:|---:|---:|---:|---:|");

    let cold: Vec<Sample> = (0..runs)
        .map(|run| {
            // A new, empty cache each time: every plugin is compiled.
            let cache = work.path().join(format!("cold-cache-{run}"));
            sampler.synth(&example, &cache, &[])
        })
        .collect::<Result<_, _>>()?;
    print_row("reference example, cold cache", &cold);

    sampler.synth(&example, &warm_cache, &[])?;
    let warm = sampler.repeat(runs, &example, &warm_cache, &[])?;
    print_row("reference example, warm cache", &warm);

    for &size in &cli.sizes {
        let stack = work.path().join(format!("generated-{size}.yaml"));
        std::fs::write(&stack, generate::stack(size))
            .map_err(|e| format!("cannot write {}: {e}", stack.display()))?;
        // Big stacks take long enough that fewer samples say as much.
        let samples = if size >= 1000 { runs.min(3) } else { runs };
        let parallel = sampler.repeat(samples, &stack, &warm_cache, &[])?;
        print_row(&format!("generated, warm cache ({size})"), &parallel);
        if size == 1000 {
            let serial = sampler.repeat(samples, &stack, &warm_cache, &["--jobs", "1"])?;
            print_row(
                &format!("generated, warm cache, `--jobs 1` ({size})"),
                &serial,
            );
            if serial[0].output != parallel[0].output {
                return Err("`--jobs 1` gave a different template".into());
            }
        }
    }
    let app_stacks: Vec<usize> = cli.app_stacks.iter().copied().filter(|&n| n > 0).collect();
    for &stacks in &app_stacks {
        let app = work.path().join(format!("app-{stacks}"));
        write_app(&app, stacks)?;
        let out = work.path().join(format!("app-{stacks}.out"));
        let dev = sampler.repeat_app(runs, &app, &out, &warm_cache, &["--env", "dev"])?;
        print_row(
            &format!("app, warm cache, `--env dev` ({stacks} stacks)"),
            &dev,
        );
        if Some(&stacks) == app_stacks.iter().max() {
            let every = sampler.repeat_app(runs.min(3), &app, &out, &warm_cache, &[])?;
            let count = generate::ENVIRONMENTS.len();
            print_row(
                &format!("app, warm cache, all {count} environments ({stacks} stacks)"),
                &every,
            );
            let serial = sampler.repeat_app(
                runs.min(3),
                &app,
                &out,
                &warm_cache,
                &["--env", "dev", "--jobs", "1"],
            )?;
            print_row(
                &format!("app, warm cache, `--env dev --jobs 1` ({stacks} stacks)"),
                &serial,
            );
            if serial[0].output != dev[0].output {
                return Err(format!(
                    "`--jobs 1` wrote different files for the app of {stacks} stacks"
                ));
            }
        }
    }
    Ok(())
}

/// Writes a generated app of `stacks` stacks into `dir`.
fn write_app(dir: &Path, stacks: usize) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    for (name, text) in generate::app(stacks) {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn print_row(case: &str, samples: &[Sample]) {
    let Summary {
        constructs,
        resources,
        median,
        min,
        peak_rss_kib,
    } = Summary::of(samples);
    println!(
        "| {case} | {constructs} | {resources} | {:.1} ms | {:.1} ms | {:.1} MB |",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        peak_rss_kib as f64 * 1024.0 / 1e6,
    );
}

fn beside_this_binary(name: &str) -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let path = me
        .parent()
        .map(|dir| dir.join(name))
        .filter(|p| p.exists())
        .ok_or_else(|| {
            format!("no `{name}` beside {}: run `cargo build --release` first, or pass --stackweave PATH", me.display())
        })?;
    Ok(path)
}
