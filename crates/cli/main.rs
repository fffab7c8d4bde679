//! The `stackweave` command line: parses arguments, calls the synthesis library, prints
//! diagnostics and writes output files. Everything else lives in the library crates.

mod new;
mod output;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use stackweave_synth::{CompileCache, Diagnostic, Limits, Options, Registry, Severity};

/// Synthesise AWS CloudFormation templates from stacks of sandboxed WebAssembly constructs.
#[derive(Parser)]
#[command(name = "stackweave", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Synthesise a stack file into one CloudFormation template
    Synth(SynthArgs),
    /// List the plugins stackweave can see
    Plugins(PluginsArgs),
    /// Record the name, version and sha256 of every plugin a stack uses in `stackweave.lock`
    /// beside the stack file
    Lock(LockArgs),
    /// Start a new plugin crate or stack file
    #[command(subcommand)]
    New(NewCommand),
}

#[derive(Subcommand)]
enum NewCommand {
    /// Write a plugin crate for a team construct, ready to build with
    /// `cargo build --release --target wasm32-wasip2`
    Plugin {
        /// The construct's name, as stack files will write it: lowercase words joined by `-`
        name: String,
        /// The folder to create [default: NAME]
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The Stackweave plugin SDK (`crates/plugin`) to depend on [default: the one this
        /// stackweave was built from]
        #[arg(long, value_name = "DIR")]
        sdk: Option<PathBuf>,
    },
    /// Write a starter stack file
    Stack {
        /// The file to write
        #[arg(default_value = "stack.yaml")]
        path: PathBuf,
        /// The stack's name
        #[arg(long, default_value = "MyStack")]
        name: String,
    },
}

#[derive(clap::Args)]
struct LockArgs {
    /// The stack file
    #[arg(default_value = "stack.yaml")]
    stack_file: PathBuf,
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

#[derive(clap::Args)]
struct PluginsArgs {
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

#[derive(clap::Args)]
struct SynthArgs {
    /// The stack file
    #[arg(default_value = "stack.yaml")]
    stack_file: PathBuf,
    /// Template format
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
    /// Write `<StackName>.template.<ext>` and `manifest.json` into this folder instead of
    /// printing the template
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    sandbox: SandboxArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// Fail unless every plugin matches the stack's `stackweave.lock` (for CI)
    #[arg(long)]
    locked: bool,
    /// How many plugin calls to run at once [default: one per core]
    #[arg(long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
}

/// Where compiled plugins are kept between runs (docs/performance.md).
#[derive(clap::Args)]
struct CacheArgs {
    /// Folder of compiled plugins [default: `stackweave/compiled` in the user's cache folder]
    #[arg(long, value_name = "DIR", env = "STACKWEAVE_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile every plugin afresh and keep nothing (wins over `--cache-dir` and
    /// `STACKWEAVE_CACHE_DIR`)
    #[arg(long)]
    no_cache: bool,
}

impl CacheArgs {
    /// The cache to use, if any. A folder that cannot be used is a warning, not an error:
    /// synthesis only gets slower.
    fn open(&self) -> Option<CompileCache> {
        if self.no_cache {
            return None;
        }
        let dir = self
            .cache_dir
            .clone()
            .or_else(|| dirs::cache_dir().map(|d| d.join("stackweave").join("compiled")))?;
        match CompileCache::open(&dir) {
            Ok(cache) => Some(cache),
            Err(unusable) => {
                report(&[Diagnostic::warning(unusable.to_string())]);
                None
            }
        }
    }
}

/// Limits on every plugin call; the defaults are documented in docs/sandbox.md.
#[derive(clap::Args)]
struct SandboxArgs {
    /// Fuel budget for each plugin call (roughly WebAssembly instructions)
    #[arg(long, value_name = "UNITS", default_value_t = Limits::default().fuel)]
    plugin_fuel: u64,
    /// Memory cap for each plugin call, in MiB
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().memory_bytes >> 20)]
    plugin_memory: usize,
    /// Wall-clock limit for each plugin call, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().timeout.as_secs_f64())]
    plugin_timeout: f64,
}

impl SandboxArgs {
    fn limits(&self) -> Result<Limits, Diagnostic> {
        let timeout = Duration::try_from_secs_f64(self.plugin_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                Diagnostic::error("`--plugin-timeout` must be a positive number of seconds")
            })?;
        if self.plugin_fuel == 0 || self.plugin_memory == 0 {
            return Err(Diagnostic::error(
                "`--plugin-fuel` and `--plugin-memory` must be greater than 0",
            ));
        }
        Ok(Limits {
            fuel: self.plugin_fuel,
            memory_bytes: self.plugin_memory.saturating_mul(1 << 20),
            timeout,
            ..Limits::default()
        })
    }
}

#[derive(clap::Args)]
struct PluginArgs {
    /// A folder of team plugins (`*.wasm`, searched recursively); repeatable
    #[arg(long = "plugins", value_name = "DIR")]
    dirs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Synth(args) => synth(args),
        Command::Plugins(args) => plugins(args),
        Command::Lock(args) => lock(args),
        Command::New(what) => new(what),
    }
}

fn new(what: NewCommand) -> ExitCode {
    let written = match &what {
        NewCommand::Plugin { name, dir, sdk } => {
            let dir = dir.clone().unwrap_or_else(|| PathBuf::from(name));
            new::plugin(name, &dir, sdk.as_deref())
        }
        NewCommand::Stack { path, name } => new::stack(path, name),
    };
    match written {
        Ok(files) => {
            for file in files {
                eprintln!("created {}", file.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => report(&[error]),
    }
}

fn synth(args: SynthArgs) -> ExitCode {
    let limits = match args.sandbox.limits() {
        Ok(limits) => limits,
        Err(error) => return usage_error(&error),
    };
    let options = Options {
        plugin_dirs: args.plugins.dirs,
        limits,
        locked: args.locked,
        cache: args.cache.open(),
        jobs: args.jobs,
    };
    let synthesis = match stackweave_synth::synthesize(&args.stack_file, &options) {
        Ok(synthesis) => synthesis,
        Err(failure) => return report(&failure.diagnostics),
    };
    report(&synthesis.warnings);
    let format = match args.format {
        Format::Yaml => stackweave_template::Format::Yaml,
        Format::Json => stackweave_template::Format::Json,
    };
    let rendered = match synthesis.template.render(format, &synthesis.quotas) {
        Ok(text) => text,
        Err(error) => {
            let error = Diagnostic::error(error.to_string()).at(&args.stack_file, None);
            return report(&[error]);
        }
    };
    let result = match &args.out {
        Some(dir) => output::write_all(dir, &synthesis, format, &rendered),
        None => output::print(&rendered),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&[error]),
    }
}

fn lock(args: LockArgs) -> ExitCode {
    let options = Options {
        plugin_dirs: args.plugins.dirs,
        cache: args.cache.open(),
        ..Options::default()
    };
    let plugins = match stackweave_synth::plugins_of(&args.stack_file, &options) {
        Ok(plugins) => plugins,
        Err(failure) => return report(&failure.diagnostics),
    };
    let path = stackweave_synth::lockfile_path(&args.stack_file);
    match output::write_atomically(&path, &stackweave_synth::render_lockfile(&plugins)) {
        Ok(()) => {
            eprintln!("locked {} plugins in {}", plugins.len(), path.display());
            ExitCode::SUCCESS
        }
        Err(error) => report(&[error]),
    }
}

fn plugins(args: PluginsArgs) -> ExitCode {
    let options = Options {
        plugin_dirs: args.plugins.dirs,
        cache: args.cache.open(),
        ..Options::default()
    };
    let listed = Registry::for_options(&options, &[]).and_then(|mut registry| {
        let rows = registry
            .all()
            .map_err(|e| vec![e])?
            .into_iter()
            .map(|p| {
                let info = p.info();
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    info.name, info.version, p.origin, p.sha256, info.description
                )
            })
            .collect::<Vec<_>>();
        Ok(rows)
    });
    match listed {
        Ok(rows) => {
            println!("NAME\tVERSION\tORIGIN\tSHA256\tDESCRIPTION");
            for row in rows {
                println!("{row}");
            }
            ExitCode::SUCCESS
        }
        Err(errors) => report(&errors),
    }
}

/// Prints a usage problem clap cannot check; exit code 2.
fn usage_error(diagnostic: &Diagnostic) -> ExitCode {
    eprint!("{diagnostic}");
    ExitCode::from(2)
}

/// Prints diagnostics to stderr; exit code 1 if any is an error.
fn report(diagnostics: &[Diagnostic]) -> ExitCode {
    for diagnostic in diagnostics {
        eprint!("{diagnostic}");
    }
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
