//! `stackweave diff OLD NEW`: what changed between two templates or stack files (crate
//! `stackweave-diff`), reported by `report::DiffReport` as text, JSON or SARIF.

use std::path::PathBuf;
use std::process::ExitCode;

use stackweave_synth::Diagnostic;

use crate::exit;
use crate::flags::SynthesisArgs;
use crate::input::Input;
use crate::report::{self, DiffReport, ReportFormat};

#[derive(clap::Args)]
pub struct DiffArgs {
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
    synthesis: SynthesisArgs,
}

pub fn run(args: DiffArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
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
            return exit::input_error(&errors);
        }
    };
    let changes = stackweave_diff::diff(old.template(), new.template());
    let report = DiffReport {
        old: &old,
        new: &new,
        changes: &changes,
    };
    let text = report::render(&report, args.format);
    exit::print_or_report(&text, args.fail && !changes.is_empty())
}
