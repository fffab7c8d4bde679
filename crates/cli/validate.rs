//! `stackweave validate`: policy rules over the final template, as cdk-nag runs over a CDK
//! app's. The work (rule catalogue, opt-in rules, validator plugins, suppressions, the
//! verdict) is crate `stackweave-validate`'s; `report::ValidateReport` renders it. An app
//! is validated stack by stack in every selected environment, and the findings of its
//! environments merged (`report::AppValidateReport`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use stackweave_synth::{Assembly, Diagnostic, Options, Registry};
use stackweave_validate::{Catalogue, Outcome};

use crate::app::{self, Selection};
use crate::exit;
use crate::flags::SynthesisArgs;
use crate::input::Input;
use crate::report::{
    self, AppValidateReport, EnvironmentFinding, ReportFormat, StackFindings, ValidateReport,
};

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// A stack file (synthesised first), a CloudFormation template (YAML or JSON), or an
    /// app file (each stack synthesised for every selected environment); or a folder holding
    /// `app.yaml` or `stack.yaml`
    #[arg(default_value = ".", value_name = "APP|STACK|TEMPLATE")]
    input: PathBuf,
    #[command(flatten)]
    selection: Selection,
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

pub fn run(mut args: ValidateArgs) -> ExitCode {
    let options = match std::mem::take(&mut args.synthesis).options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    let input = if args.list_rules {
        None
    } else {
        if let Some(app) = app::app_file(&args.input) {
            return run_app(&app, &args, &options);
        }
        if let Err(error) = args.selection.check_no_app(&args.input) {
            return exit::usage_error(&error);
        }
        match Input::load(&app::stack_file(&args.input), &options) {
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

/// `validate` of an app: every selected stack synthesised for every selected environment
/// (all of them must succeed: a check that could not run is an input error), then each
/// stack's template validated as a stack file's is, and the environments' findings merged.
fn run_app(app_path: &Path, args: &ValidateArgs, options: &Options) -> ExitCode {
    let app = match stackweave_synth::read_app(app_path, options) {
        Ok(app) => app,
        Err(failure) => return exit::input_error(&failure.diagnostics),
    };
    let environments = match args.selection.environments(&app) {
        Ok(environments) => environments,
        Err(error) => return exit::usage_error(&error),
    };
    if let Err(error) = args.selection.check_stacks(&app) {
        return exit::usage_error(&error);
    }
    let count = environments.len();
    let mut assemblies = Vec::new();
    let mut failed = Vec::new();
    for environment in &environments {
        match app.synthesize(environment, &args.selection.stacks, options) {
            Ok(assembly) => assemblies.push(assembly),
            Err(failure) => failed.push((environment.name.clone(), failure.diagnostics)),
        }
    }
    if !failed.is_empty() {
        return exit::input_error(&app::per_environment(count, &failed));
    }
    let warnings: Vec<(String, Vec<Diagnostic>)> = assemblies
        .iter()
        .map(|assembly| (assembly.environment.clone(), warnings_of(assembly)))
        .collect();
    exit::report(&app::per_environment(count, &warnings));

    let catalogue = Catalogue::new(app.registry.validators());
    let mut validated: Vec<(String, Vec<StackOutcome>)> = Vec::new();
    let mut failed = Vec::new();
    for assembly in assemblies {
        let mut outcomes = Vec::new();
        let mut errors = Vec::new();
        for stack in assembly.stacks {
            let input = Input::Stack(Box::new(stack.synthesis));
            match stackweave_validate::validate(&input, &catalogue, &app.registry, &args.enable) {
                Ok(outcome) => outcomes.push(StackOutcome {
                    id: stack.id,
                    path: input.path().to_path_buf(),
                    outcome,
                }),
                Err(more) => errors.extend(more),
            }
        }
        if !errors.is_empty() {
            failed.push((assembly.environment.clone(), errors));
        }
        validated.push((assembly.environment, outcomes));
    }
    if !failed.is_empty() {
        return exit::input_error(&app::per_environment(count, &failed));
    }
    let (stacks, stale) = merge_environments(validated);
    exit::report(&stale);
    let names: Vec<String> = environments.iter().map(|e| e.name.clone()).collect();
    let report = AppValidateReport {
        path: app_path,
        environments: &names,
        catalogue: &catalogue,
        stacks: &stacks,
    };
    let fails = stacks
        .iter()
        .flat_map(|s| &s.findings)
        .any(|f| f.finding.status == stackweave_validate::Status::Open);
    exit::print_or_report(&report::render(&report, args.format), fails)
}

/// What validating one stack of an app for one environment found.
struct StackOutcome {
    /// The stack's name in the app.
    id: String,
    /// Its stack file.
    path: PathBuf,
    outcome: Outcome,
}

/// Every warning of an environment's synthesis, stack by stack.
fn warnings_of(assembly: &Assembly) -> Vec<Diagnostic> {
    assembly
        .stacks
        .iter()
        .flat_map(|s| s.synthesis.warnings.iter().cloned())
        .collect()
}

/// Each stack's findings over every environment, a finding that several environments share
/// once, naming them; and the suppressions that match nothing in any environment (one that
/// matches in some environment does its job there).
fn merge_environments(
    validated: Vec<(String, Vec<StackOutcome>)>,
) -> (Vec<StackFindings>, Vec<Diagnostic>) {
    let mut stacks: Vec<StackFindings> = Vec::new();
    // Per stack, each environment's stale suppressions.
    let mut stale: Vec<Vec<Vec<Diagnostic>>> = Vec::new();
    for (environment, outcomes) in validated {
        for StackOutcome { id, path, outcome } in outcomes {
            let index = match stacks.iter().position(|s| s.stack == id) {
                Some(index) => index,
                None => {
                    stacks.push(StackFindings {
                        stack: id,
                        path,
                        findings: Vec::new(),
                    });
                    stale.push(Vec::new());
                    stacks.len() - 1
                }
            };
            let merged = &mut stacks[index].findings;
            for finding in outcome.findings {
                // The same finding twice in one environment stays two entries.
                let same = merged
                    .iter_mut()
                    .find(|f| f.finding == finding && !f.environments.contains(&environment));
                match same {
                    Some(found) => found.environments.push(environment.clone()),
                    None => merged.push(EnvironmentFinding {
                        finding,
                        environments: vec![environment.clone()],
                    }),
                }
            }
            stale[index].push(outcome.stale);
        }
    }
    let stale = stale
        .into_iter()
        .flat_map(|per_environment| {
            let (first, rest) = per_environment.split_first()?;
            let everywhere: Vec<Diagnostic> = first
                .iter()
                .filter(|d| rest.iter().all(|other| other.contains(d)))
                .cloned()
                .collect();
            Some(everywhere)
        })
        .flatten()
        .collect();
    (stacks, stale)
}
