//! The `stackweave` command line: parses arguments, calls the synthesis library, prints
//! diagnostics and writes output files. Everything else lives in the library crates.

mod check;
mod diff;
mod input;
mod new;
mod output;
mod plugins;
mod report;
mod validate;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use stackweave_synth::{Budget, CompileCache, Diagnostic, Limits, Options, Severity};

use crate::input::Input;
use crate::report::{Paint, ReportFormat};

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
    /// Check a stack (or a template) against policy rules: exit 0 clean, 1 findings, 2
    /// input error
    Validate(ValidateArgs),
    /// Show what changed between two templates or stack files, with IAM changes and
    /// replacements: exit 0 (1 with `--fail` when they differ), 2 input error
    Diff(DiffArgs),
    /// Draw a stack (or a template) as a diagram: resources grouped by construct, arrows
    /// for references
    Graph(GraphArgs),
    /// List the plugins stackweave can see, or `show` one in full
    Plugins(plugins::PluginsArgs),
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
    /// Compare with the files in `--out DIR` instead of writing them: exit 0 when they are
    /// current, 1 with a diff when not (for CI)
    #[arg(long, requires = "out")]
    check: bool,
    /// How `--check` reports
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, requires = "check", value_name = "FORMAT")]
    report: ReportFormat,
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// A stack file (synthesised first) or a CloudFormation template (YAML or JSON)
    #[arg(default_value = "stack.yaml")]
    input: PathBuf,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, visible_alias = "report")]
    format: ReportFormat,
    /// Also run this opt-in rule (as the stack file's `validation.enable` does); repeatable
    #[arg(long, value_name = "RULE")]
    enable: Vec<String>,
    /// Describe every rule and exit
    #[arg(long)]
    list_rules: bool,
    #[command(flatten)]
    synthesis: CheckSynthArgs,
}

#[derive(clap::Args)]
struct GraphArgs {
    /// A stack file (synthesised first) or a CloudFormation template (YAML or JSON)
    #[arg(default_value = "stack.yaml")]
    input: PathBuf,
    /// Diagram language
    #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
    format: DiagramFormat,
    #[command(flatten)]
    synthesis: CheckSynthArgs,
}

/// The diagram languages of `stackweave graph`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiagramFormat {
    /// Mermaid flowchart (GitHub renders it in Markdown)
    Mermaid,
    /// Graphviz DOT
    Dot,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The old side: a template (YAML or JSON) or a stack file
    old: PathBuf,
    /// The new side: a template (YAML or JSON) or a stack file
    new: PathBuf,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, visible_alias = "report")]
    format: ReportFormat,
    /// Exit 1 when the two differ
    #[arg(long)]
    fail: bool,
    #[command(flatten)]
    synthesis: CheckSynthArgs,
}

/// How the check commands synthesise a stack file they are given (as `synth` would).
#[derive(clap::Args)]
struct CheckSynthArgs {
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    sandbox: SandboxArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

impl CheckSynthArgs {
    fn options(self) -> Result<Options, Diagnostic> {
        Ok(Options {
            limits: self.sandbox.limits()?,
            budget: self.sandbox.budget()?,
            cache: self.cache.open(),
            plugin_dirs: self.plugins.dirs,
            ..Options::default()
        })
    }
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
    /// Fragment output all plugin calls of the synthesis may return together (child
    /// constructs included), in MiB
    #[arg(long, value_name = "MIB", default_value_t = Budget::default().fragment_bytes >> 20)]
    total_output: usize,
    /// Child constructs all constructs of the synthesis may create together
    #[arg(long, value_name = "N", default_value_t = Budget::default().children)]
    total_children: usize,
    /// Wall-clock limit for all plugin calls of the synthesis together, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = Budget::default().timeout.as_secs_f64())]
    total_timeout: f64,
    /// Warnings shown for the whole synthesis; the rest are counted
    #[arg(long, value_name = "N", default_value_t = Budget::default().warnings)]
    total_warnings: usize,
}

impl SandboxArgs {
    /// The budget of the synthesis as a whole (docs/sandbox.md).
    fn budget(&self) -> Result<Budget, Diagnostic> {
        let timeout = Duration::try_from_secs_f64(self.total_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                Diagnostic::error("`--total-timeout` must be a positive number of seconds")
            })?;
        if self.total_output == 0 {
            return Err(Diagnostic::error("`--total-output` must be greater than 0"));
        }
        Ok(Budget {
            fragment_bytes: self.total_output.saturating_mul(1 << 20),
            children: self.total_children,
            timeout,
            warnings: self.total_warnings,
        })
    }

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
        Command::Validate(args) => validate(args),
        Command::Diff(args) => diff(args),
        Command::Graph(args) => graph(args),
        Command::Plugins(args) => plugins::run(args),
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
    let (limits, budget) = match (args.sandbox.limits(), args.sandbox.budget()) {
        (Ok(limits), Ok(budget)) => (limits, budget),
        (Err(error), _) | (_, Err(error)) => return usage_error(&error),
    };
    let options = Options {
        plugin_dirs: args.plugins.dirs,
        limits,
        budget,
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
        Some(dir) if args.check => {
            let compared = check::compare(dir, &output::files(&synthesis, format, &rendered));
            let paint = Paint(args.report == ReportFormat::Text && report::use_color());
            let text = check::render(args.report, &compared, &args.stack_file, dir, paint);
            return print_or_report(&text, check::stale(&compared));
        }
        Some(dir) => output::write_all(dir, &output::files(&synthesis, format, &rendered)),
        None => output::print(&rendered),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&[error]),
    }
}

fn validate(args: ValidateArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => options,
        Err(error) => return usage_error(&error),
    };
    let input = if args.list_rules {
        None
    } else {
        match Input::load(&args.input, &options) {
            Ok(input) => Some(input),
            Err(errors) => return input_error(&errors),
        }
    };
    let registry = match validate::validators(&options, input.as_ref()) {
        Ok(registry) => registry,
        Err(errors) => return input_error(&errors),
    };
    let mut rules = validate::builtin_rules();
    rules.extend(validate::plugin_rules(registry.validators()));
    let Some(input) = input else {
        return print_or_report(&validate::list_rules(&rules, args.format), false);
    };
    if let Input::Stack(synthesis) = &input {
        report(&synthesis.warnings);
    }
    let opted_in = match validate::opted_in(&rules, &input, &args.enable) {
        Ok(opted_in) => opted_in,
        Err(errors) => return input_error(&errors),
    };
    let mut findings = stackweave_rules::check(input.template(), &opted_in);
    match validate::run_validators(registry.validators(), input.template(), input.path()) {
        Ok(found) => findings.extend(found),
        Err(errors) => return input_error(&errors),
    }
    let (findings, stale) = match validate::resolve(&rules, findings, &input) {
        Ok(resolved) => resolved,
        Err(errors) => return input_error(&errors),
    };
    report(&stale);
    let paint = Paint(args.format == ReportFormat::Text && report::use_color());
    let text = validate::render(args.format, &input, &rules, &findings, paint);
    print_or_report(&text, validate::fails(&findings))
}

fn diff(args: DiffArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => options,
        Err(error) => return usage_error(&error),
    };
    let (old, new) = match (
        Input::load(&args.old, &options),
        Input::load(&args.new, &options),
    ) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let errors: Vec<Diagnostic> = [old.err(), new.err()]
                .into_iter()
                .flatten()
                .flatten()
                .collect();
            return input_error(&errors);
        }
    };
    let changes = stackweave_diff::diff(old.template(), new.template());
    let paint = Paint(args.format == ReportFormat::Text && report::use_color());
    let text = diff::render(args.format, &old, &new, &changes, paint);
    print_or_report(&text, args.fail && !changes.is_empty())
}

fn graph(args: GraphArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => options,
        Err(error) => return usage_error(&error),
    };
    let input = match Input::load(&args.input, &options) {
        Ok(input) => input,
        Err(errors) => return input_error(&errors),
    };
    let diagram = input.graph();
    let text = match args.format {
        DiagramFormat::Mermaid => diagram.mermaid(),
        DiagramFormat::Dot => diagram.dot(),
    };
    print_or_report(&text, false)
}

/// Prints a report to stdout; exit code 1 when `failed`.
fn print_or_report(text: &str, failed: bool) -> ExitCode {
    match output::print(text) {
        Ok(()) if failed => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&[error]),
    }
}

/// Prints why a check command's input cannot be checked; exit code 2, so that CI can tell
/// "the check found something" (1) from "the check could not run".
fn input_error(diagnostics: &[Diagnostic]) -> ExitCode {
    report(diagnostics);
    ExitCode::from(2)
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
