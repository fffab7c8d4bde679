//! `stackweave diff OLD NEW`: what changed between two templates or stack files (crate
//! `stackweave-diff`), reported by `report::DiffReport` as text, JSON or SARIF; between two
//! environments of an app (`diff APP --env dev --env prod`) or two versions of an app
//! (`diff OLD_APP NEW_APP`), stack by stack, reported by `report::AppDiffReport`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Map, Value, json};
use stackweave_diff::{TemplateDiff, ValueChange};
use stackweave_synth::{App, AssembledStack, Assembly, Diagnostic, Options};

use crate::app::{self, Selection};
use crate::exit;
use crate::flags::SynthesisArgs;
use crate::input::Input;
use crate::report::{self, AppDiffReport, AppStackDiff, DiffReport, ReportFormat, display_path};

#[derive(clap::Args)]
pub struct DiffArgs {
    /// The old side: a template (YAML or JSON), a stack file, or an app file (or a folder
    /// holding `app.yaml`)
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The new side: a template or a stack file, or, when OLD is an app, another version of
    /// it; omit it to compare two environments of the app OLD (two `--env`)
    #[arg(value_name = "NEW")]
    new: Option<PathBuf>,
    /// An environment of the app: with one app, exactly two (the old side, then the new
    /// side); with two apps, the environments to compare, repeatable [default: every
    /// environment of NEW]
    #[arg(long = "env", value_name = "NAME")]
    environments: Vec<String>,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, visible_alias = "report")]
    format: ReportFormat,
    /// Exit 1 when the two differ (for apps: when any stack differs)
    #[arg(long)]
    fail: bool,
    /// Compare OLD (an app with one `--env`, or a stack file) with what is deployed of it
    #[arg(long, conflicts_with = "new")]
    deployed: bool,
    #[command(flatten)]
    connection: crate::targets::ConnectionArgs,
    #[command(flatten)]
    synthesis: SynthesisArgs,
}

pub fn run(mut args: DiffArgs) -> ExitCode {
    let options = match std::mem::take(&mut args.synthesis).options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    if args.deployed {
        return crate::targets::diff_deployed(
            &args.old,
            &args.environments,
            &args.connection,
            &options,
            args.fail,
        );
    }
    let old_app = app::app_file(&args.old);
    let new_app = args.new.as_deref().and_then(app::app_file);
    let (old, new) = match (old_app, new_app, &args.new) {
        (Some(app), _, None) => return two_environments(&app, &args, &options),
        (Some(old), Some(new), _) => return two_versions(&old, &new, &args, &options),
        (None, _, None) => {
            let error = Diagnostic::error("`diff` compares two sides, and NEW is missing")
                .help("give NEW (a template or a stack file), or an app and two `--env` to compare two of its environments");
            return exit::usage_error(&error);
        }
        (Some(_), None, Some(new)) => return not_both_apps(&args.old, new),
        (None, Some(_), Some(new)) => return not_both_apps(new, &args.old),
        (None, None, Some(new)) => (&args.old, new.clone()),
    };
    if !args.environments.is_empty() {
        let error = Diagnostic::error(format!(
            "`--env` chooses environments of an app, but {} is not an app file",
            old.display()
        ))
        .help("give an app file (or its folder), or drop `--env`");
        return exit::usage_error(&error);
    }
    let (old, new) = match (Input::load(old, &options), Input::load(&new, &options)) {
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
        old: Some(&old),
        new: Some(&new),
        changes: &changes,
    };
    let text = report::render(&report, args.format);
    exit::print_or_report(&text, args.fail && !changes.is_empty())
}

/// The usage error for an app compared with something else.
fn not_both_apps(app: &Path, other: &Path) -> ExitCode {
    let error = Diagnostic::error(format!(
        "{} is an app but {} is not: `diff` compares an app only with another version of it",
        app.display(),
        other.display()
    ))
    .help("give two apps, one app and two `--env`, or two stack files or templates");
    exit::usage_error(&error)
}

/// `diff APP --env OLD --env NEW`: what differs between two environments of one app.
fn two_environments(path: &Path, args: &DiffArgs, options: &Options) -> ExitCode {
    let [old_name, new_name] = args.environments.as_slice() else {
        let given = match args.environments.len() {
            0 => "no `--env` is given".to_owned(),
            1 => "one `--env` is given".to_owned(),
            n => format!("{n} `--env` are given"),
        };
        let error = Diagnostic::error(format!(
            "`diff` of one app compares two of its environments, but {given}"
        ))
        .help(format!(
            "give two, the old side first (`stackweave diff {} --env dev --env prod`), or a second app to compare two versions",
            display_path(&args.old)
        ));
        return exit::usage_error(&error);
    };
    let app = match stackweave_synth::read_app(path, options) {
        Ok(app) => app,
        Err(failure) => return exit::input_error(&failure.diagnostics),
    };
    let mut sides = Vec::new();
    for name in [old_name, new_name] {
        match environment(&app, name) {
            Ok(environment) => sides.push(environment),
            Err(error) => return exit::usage_error(&error),
        }
    }
    let (old, new) = match (
        synthesize(&app, sides[0], options),
        synthesize(&app, sides[1], options),
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
    let at = location(&app, new_name);
    let pairs = pair(Some(old), new, at);
    let command = format!(
        "stackweave diff {} --env {old_name} --env {new_name}",
        display_path(&args.old)
    );
    report_pairs(&pairs, command, path, path, args)
}

/// `diff OLD_APP NEW_APP [--env NAME]...`: what changed between two versions of an app, in
/// each environment of the new one (or those named).
fn two_versions(old_path: &Path, new_path: &Path, args: &DiffArgs, options: &Options) -> ExitCode {
    let (old_app, new_app) = match (
        stackweave_synth::read_app(old_path, options),
        stackweave_synth::read_app(new_path, options),
    ) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let errors: Vec<Diagnostic> = [old.err(), new.err()]
                .into_iter()
                .flatten()
                .flat_map(|failure| failure.diagnostics)
                .collect();
            return exit::input_error(&errors);
        }
    };
    let selection = Selection {
        environments: args.environments.clone(),
        stacks: Vec::new(),
    };
    let environments = match selection.environments(&new_app) {
        Ok(environments) => environments,
        Err(error) => return exit::usage_error(&error),
    };
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    for environment in environments {
        // An environment the old version lacks is new: every stack of it is added.
        let old = old_app
            .file
            .environment(&environment.name)
            .map(|old| synthesize(&old_app, old, options))
            .transpose();
        match (old, synthesize(&new_app, environment, options)) {
            (Ok(old), Ok(new)) => {
                pairs.extend(pair(old, new, location(&new_app, &environment.name)));
            }
            (old, new) => errors.extend([old.err(), new.err()].into_iter().flatten().flatten()),
        }
    }
    if !errors.is_empty() {
        return exit::input_error(&errors);
    }
    let mut command = format!(
        "stackweave diff {} {}",
        display_path(&args.old),
        args.new.as_deref().map(display_path).unwrap_or_default()
    );
    for name in &args.environments {
        command.push_str(&format!(" --env {name}"));
    }
    report_pairs(&pairs, command, old_path, new_path, args)
}

/// One stack of the report, owned: the report borrows from it.
struct StackPair {
    stack: String,
    old_environment: String,
    new_environment: String,
    old: Option<Input>,
    new: Option<Input>,
    deployment: Vec<ValueChange>,
    changes: TemplateDiff,
    environment_at: Option<(usize, usize)>,
}

fn report_pairs(
    pairs: &[StackPair],
    command: String,
    old: &Path,
    new: &Path,
    args: &DiffArgs,
) -> ExitCode {
    let report = AppDiffReport {
        command,
        old,
        new,
        stacks: pairs
            .iter()
            .map(|pair| AppStackDiff {
                stack: &pair.stack,
                old_environment: &pair.old_environment,
                new_environment: &pair.new_environment,
                deployment: &pair.deployment,
                environment_at: pair.environment_at,
                template: DiffReport {
                    old: pair.old.as_ref(),
                    new: pair.new.as_ref(),
                    changes: &pair.changes,
                },
            })
            .collect(),
    };
    let differ = report.stacks.iter().any(|stack| !stack.is_empty());
    let text = report::render(&report, args.format);
    exit::print_or_report(&text, args.fail && differ)
}

/// The environment `name` of `app`, or the usage error naming the closest.
fn environment<'a>(
    app: &'a App,
    name: &str,
) -> Result<&'a stackweave_app::Environment, Diagnostic> {
    let selection = Selection {
        environments: vec![name.to_owned()],
        stacks: Vec::new(),
    };
    let found = selection.environments(app)?;
    found.into_iter().next().ok_or_else(|| {
        Diagnostic::error(format!(
            "app `{}` has no environment `{name}`",
            app.file.name
        ))
    })
}

/// Every stack of `environment` synthesised; each error names the environment.
fn synthesize(
    app: &App,
    environment: &stackweave_app::Environment,
    options: &Options,
) -> Result<Assembly, Vec<Diagnostic>> {
    app.synthesize(environment, &[], options)
        .map_err(|failure| app::in_environment(&environment.name, failure.diagnostics))
}

/// Where environment `name` is written in `app`'s file.
fn location(app: &App, name: &str) -> Option<(usize, usize)> {
    let environment = app.file.environment(name)?;
    let at = app.file.source_map.locate_key(&environment.pointer);
    Some((at.line, at.column))
}

/// The stacks of two assemblies side by side by id: the new side's in deploy order, then
/// those only the old side has, in its deploy order.
fn pair(old: Option<Assembly>, new: Assembly, at: Option<(usize, usize)>) -> Vec<StackPair> {
    let environments = (
        old.as_ref()
            .map_or(&new.environment, |o| &o.environment)
            .clone(),
        new.environment.clone(),
    );
    let mut old_stacks: Vec<Option<AssembledStack>> = old
        .map(|o| o.stacks)
        .unwrap_or_default()
        .into_iter()
        .map(Some)
        .collect();
    let mut sides = Vec::new();
    for stack in new.stacks {
        let counterpart = old_stacks
            .iter_mut()
            .find(|old| old.as_ref().is_some_and(|old| old.id == stack.id))
            .and_then(Option::take);
        sides.push((counterpart, Some(stack)));
    }
    sides.extend(
        old_stacks
            .into_iter()
            .flatten()
            .map(|old| (Some(old), None)),
    );
    sides
        .into_iter()
        .map(|(old, new)| stack_pair(old, new, &environments, at))
        .collect()
}

/// One stack's two sides compared: how it is deployed, and its template.
fn stack_pair(
    old: Option<AssembledStack>,
    new: Option<AssembledStack>,
    (old_environment, new_environment): &(String, String),
    at: Option<(usize, usize)>,
) -> StackPair {
    let stack = new.as_ref().or(old.as_ref()).map(|s| s.id.clone());
    let empty = Value::Object(Map::new());
    let settings = |side: &Option<AssembledStack>| side.as_ref().map_or(empty.clone(), deployment);
    let deployment = stackweave_diff::diff_values(&settings(&old), &settings(&new));
    let input = |side: Option<AssembledStack>| side.map(|s| Input::Stack(Box::new(s.synthesis)));
    let (old, new) = (input(old), input(new));
    let template = |side: &Option<Input>| side.as_ref().map_or(&empty, Input::template).clone();
    let changes = stackweave_diff::diff(&template(&old), &template(&new));
    StackPair {
        stack: stack.unwrap_or_default(),
        old_environment: old_environment.clone(),
        new_environment: new_environment.clone(),
        old,
        new,
        deployment,
        changes,
        environment_at: at,
    }
}

/// How a stack is deployed, named as `manifest.json` names it.
fn deployment(stack: &AssembledStack) -> Value {
    let strings = |pairs: &[(String, String)]| {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    };
    let mut settings = Map::new();
    settings.insert("stackName".into(), json!(stack.stack_name));
    settings.insert("region".into(), json!(stack.region));
    if let Some(account) = &stack.account {
        settings.insert("account".into(), json!(account));
    }
    // Empty lists are left out: an added stack's report shows only what it has.
    if !stack.parameters.is_empty() {
        settings.insert("parameters".into(), strings(&stack.parameters));
    }
    if !stack.tags.is_empty() {
        settings.insert("tags".into(), strings(&stack.tags));
    }
    if !stack.depends_on.is_empty() {
        settings.insert("dependsOn".into(), json!(stack.depends_on));
    }
    Value::Object(settings)
}
