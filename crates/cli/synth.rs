//! `stackweave synth`: a stack file into one template, printed, written with its diagram and
//! manifest into a folder, or compared with that folder (`--check`).

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use stackweave_synth::Options;

use crate::flags::SynthesisArgs;
use crate::report::{self, CheckReport, ReportFormat};
use crate::{check, exit, output};

#[derive(clap::Args)]
pub struct SynthArgs {
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

pub fn run(args: SynthArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => Options {
            locked: args.locked,
            jobs: args.jobs,
            ..options
        },
        Err(error) => return exit::usage_error(&error),
    };
    let synthesis = match stackweave_synth::synthesize(&args.stack_file, &options) {
        Ok(synthesis) => synthesis,
        Err(failure) => return exit::report(&failure.diagnostics),
    };
    exit::report(&synthesis.warnings);
    let format = match args.format {
        Format::Yaml => stackweave_template::Format::Yaml,
        Format::Json => stackweave_template::Format::Json,
    };
    let rendered = match synthesis.template.render(format, &synthesis.quotas) {
        Ok(text) => text,
        Err(error) => {
            let error = stackweave_synth::merge_error(&error).at(&args.stack_file, None);
            return exit::report(&[error]);
        }
    };
    let result = match &args.out {
        Some(dir) if args.check => {
            let compared = check::compare(dir, &output::files(&synthesis, format, &rendered));
            let report = CheckReport {
                compared: &compared,
                stack: &args.stack_file,
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
