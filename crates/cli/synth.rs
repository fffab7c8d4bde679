//! `stackweave synth`: a stack file into one template, printed, written with its diagram and
//! manifest into a folder, or compared with that folder (`--check`); an app into one cloud
//! assembly per environment (`DIR/<env>/`), written or compared the same way.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use stackweave_synth::{Diagnostic, Options};

use crate::app::{self, Selection};
use crate::flags::SynthesisArgs;
use crate::report::{self, CheckReport, ReportFormat};
use crate::{check, exit, output};

#[derive(clap::Args)]
pub struct SynthArgs {
    /// The stack file or app file, or a folder holding `app.yaml` or `stack.yaml`
    #[arg(default_value = ".", value_name = "APP|STACK")]
    input: PathBuf,
    #[command(flatten)]
    selection: Selection,
    /// Template format
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
    /// Write `<StackName>.template.<ext>`, its diagram and `manifest.json` into this folder
    /// instead of printing the template (an app: one folder per environment in it)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    synthesis: SynthesisArgs,
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

/// The template's format.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

pub fn run(mut args: SynthArgs) -> ExitCode {
    let synthesis = std::mem::take(&mut args.synthesis);
    let options = match synthesis.options() {
        Ok(options) => Options {
            locked: args.locked,
            jobs: args.jobs,
            ..options
        },
        Err(error) => return exit::usage_error(&error),
    };
    let format = match args.format {
        Format::Yaml => stackweave_template::Format::Yaml,
        Format::Json => stackweave_template::Format::Json,
    };
    if let Some(app) = app::app_file(&args.input) {
        return run_app(&app, &args, format, &options);
    }
    if let Err(error) = args.selection.check_no_app(&args.input) {
        return exit::usage_error(&error);
    }
    let stack_file = app::stack_file(&args.input);
    let synthesis = match stackweave_synth::synthesize(&stack_file, &options) {
        Ok(synthesis) => synthesis,
        Err(failure) => return exit::report(&failure.diagnostics),
    };
    exit::report(&synthesis.warnings);
    let rendered = match output::render(&synthesis, format) {
        Ok(text) => text,
        Err(error) => return exit::report(&[error]),
    };
    let result = match &args.out {
        Some(dir) if args.check => {
            let compared = check::compare(dir, &output::files(&synthesis, format, &rendered));
            let report = CheckReport {
                compared: &compared,
                stack: &stack_file,
                dir,
            };
            let text = report::render(&report, args.report);
            return exit::print_or_report(&text, check::stale(&compared));
        }
        Some(dir) => output::write_all(dir, &output::files(&synthesis, format, &rendered)),
        None => output::print(&rendered),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => exit::report(&[error]),
    }
}

/// `synth` of an app: every selected environment synthesised first, then written (or
/// compared) only when all succeeded, each environment's folder replaced as a whole.
fn run_app(
    app_path: &Path,
    args: &SynthArgs,
    format: stackweave_template::Format,
    options: &Options,
) -> ExitCode {
    let app = match stackweave_synth::read_app(app_path, options) {
        Ok(app) => app,
        Err(failure) => return exit::report(&failure.diagnostics),
    };
    let environments = match args.selection.environments(&app) {
        Ok(environments) => environments,
        Err(error) => return exit::usage_error(&error),
    };
    if let Err(error) = args.selection.check_stacks(&app) {
        return exit::usage_error(&error);
    }
    let printing = args.out.is_none();
    if printing && (environments.len() != 1 || app.selected(&args.selection.stacks).len() != 1) {
        let error = Diagnostic::error(format!(
            "app `{}` synthesises to several templates, and only one can be printed",
            app.file.name
        ))
        .help("give `--out DIR` to write a cloud assembly per environment, or one `--env` and one `--stack` to print that template");
        return exit::usage_error(&error);
    }
    if !printing && !args.check && !args.selection.stacks.is_empty() {
        let error = Diagnostic::error(
            "`--out` writes every stack of an environment, so it takes no `--stack`",
        )
        .help("drop `--stack` (or `--out`, to print one stack's template)");
        return exit::usage_error(&error);
    }
    let mut assemblies = Vec::new();
    let mut failures = Vec::new();
    for environment in &environments {
        match app.synthesize(environment, &args.selection.stacks, options) {
            Ok(assembly) => assemblies.push(assembly),
            Err(failure) => failures.push((environment.name.clone(), failure.diagnostics)),
        }
    }
    if !failures.is_empty() {
        return exit::report(&app::per_environment(environments.len(), &failures));
    }
    let warnings = assemblies.iter().map(|assembly| {
        let warnings = assembly
            .stacks
            .iter()
            .flat_map(|s| s.synthesis.warnings.clone());
        (assembly.environment.clone(), warnings.collect())
    });
    let warnings: Vec<(String, Vec<Diagnostic>)> = warnings.collect();
    exit::report(&app::per_environment(environments.len(), &warnings));
    let Some(dir) = &args.out else {
        let synthesis = &assemblies[0].stacks[0].synthesis;
        return match output::render(synthesis, format).and_then(|text| output::print(&text)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => exit::report(&[error]),
        };
    };
    let mut written = Vec::new();
    for assembly in &assemblies {
        match app::assembly_files(assembly, format) {
            Ok(mut files) => {
                if !args.selection.stacks.is_empty() {
                    // `--check --stack`: only those stacks' files.
                    files.retain(|(name, _)| {
                        assembly
                            .stacks
                            .iter()
                            .any(|s| name.starts_with(&format!("{}.", s.id)))
                    });
                }
                written.push((dir.join(&assembly.environment), files));
            }
            Err(error) => return exit::report(&[error]),
        }
    }
    if args.check {
        let mut compared = Vec::new();
        for (dir, files) in &written {
            compared.extend(check::compare(dir, files));
        }
        let report = CheckReport {
            compared: &compared,
            stack: app_path,
            dir,
        };
        let text = report::render(&report, args.report);
        return exit::print_or_report(&text, check::stale(&compared));
    }
    for (dir, files) in &written {
        if let Err(error) = output::write_all(dir, files) {
            return exit::report(&[error]);
        }
    }
    ExitCode::SUCCESS
}
