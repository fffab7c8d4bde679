//! `stackweave validate`: policy rules over the final template, as cdk-nag runs over a CDK
//! app's. The work (rule catalogue, opt-in rules, validator plugins, suppressions, the
//! verdict) is crate `stackweave-validate`'s; `report::ValidateReport` renders it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use stackweave_synth::{Diagnostic, Options, Registry};
use stackweave_validate::Catalogue;

use crate::exit;
use crate::flags::SynthesisArgs;
use crate::input::Input;
use crate::report::{self, ReportFormat, ValidateReport};

#[derive(clap::Args)]
pub struct ValidateArgs {
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
    synthesis: SynthesisArgs,
}

pub fn run(args: ValidateArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    let input = if args.list_rules {
        None
    } else {
        match Input::load(&args.input, &options) {
            Ok(input) => Some(input),
            Err(errors) => return exit::input_error(&errors),
        }
    };
    let registry = match validators(&options, input.as_ref()) {
        Ok(registry) => registry,
        Err(errors) => return exit::input_error(&errors),
    };
    let catalogue = Catalogue::new(registry.validators());
    let Some(input) = input else {
        return exit::print_or_report(&report::rule_list(catalogue.rules(), args.format), false);
    };
    if let Input::Stack(synthesis) = &input {
        exit::report(&synthesis.warnings);
    }
    let outcome = match stackweave_validate::validate(&input, &catalogue, &registry, &args.enable) {
        Ok(outcome) => outcome,
        Err(errors) => return exit::input_error(&errors),
    };
    exit::report(&outcome.stale);
    let report = ValidateReport {
        path: input.path(),
        catalogue: &catalogue,
        outcome: &outcome,
    };
    exit::print_or_report(&report::render(&report, args.format), outcome.fails())
}

/// The plugins holding the validators: those the synthesis of a stack file loaded (from
/// `--plugins` and the stack file's `plugins:`), or for a template (or none, to list the
/// rules) those in `--plugins`, loaded into the sandbox now.
fn validators(options: &Options, input: Option<&Input>) -> Result<Arc<Registry>, Vec<Diagnostic>> {
    match input {
        Some(Input::Stack(synthesis)) => Ok(Arc::clone(&synthesis.registry)),
        Some(Input::Template(_)) | None => stackweave_synth::new_registry(options, &[])
            .map(Arc::new)
            .map_err(|failure| failure.diagnostics),
    }
}
