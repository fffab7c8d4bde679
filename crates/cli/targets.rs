//! What `deploy`, `destroy` and `diff --deployed` share: the stacks to act on (an app's
//! environment synthesised, a cloud assembly on disk, or one stack file) as
//! `stackweave_deploy::Target`s in deploy order, and the flags that say how to reach AWS.

use std::path::{Path, PathBuf};

use serde_json::Value;
use std::process::ExitCode;

use stackweave_deploy::{Connection, Runtime, Settings, Target};
use stackweave_synth::{Diagnostic, Options, Synthesis};
use stackweave_template::Format;

use crate::app::{self, Selection};
use crate::{exit, output};

/// How to reach AWS.
#[derive(clap::Args, Clone, Default)]
pub struct ConnectionArgs {
    /// A profile of ~/.aws/config (SSO profiles included) [default: the SDK's chain]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send every AWS request to this endpoint (a local server); AWS_ENDPOINT_URL also works
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The region of a stack file's stack (an app's environments name their regions)
    /// [default: the SDK's chain, e.g. AWS_REGION]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

impl From<&ConnectionArgs> for Settings {
    fn from(args: &ConnectionArgs) -> Settings {
        Settings {
            profile: args.profile.clone(),
            endpoint_url: args.endpoint_url.clone(),
            region: args.region.clone(),
        }
    }
}

/// What a command that talks to CloudFormation starts from.
pub struct Session {
    /// The runtime the SDK's calls run on.
    pub runtime: Runtime,
    /// Credentials, endpoint and clients per region.
    pub connection: Connection,
    /// The stacks to act on, in deploy order.
    pub targets: Vec<Target>,
}

/// Starts the runtime, loads the connection and reads the stacks `input` (or `assembly`)
/// stands for; `Err` is the exit code to give, the problem already reported.
pub fn open(
    input: &Path,
    assembly: Option<&Path>,
    selection: &Selection,
    connection: &ConnectionArgs,
    options: &Options,
) -> Result<Session, ExitCode> {
    let runtime = stackweave_deploy::runtime().map_err(|error| {
        exit::report(&[Diagnostic::error(format!(
            "cannot start the runtime: {error}"
        ))])
    })?;
    let connection = runtime.block_on(Connection::load(&connection.into()));
    let targets = targets(
        input,
        assembly,
        selection,
        options,
        connection.default_region(),
    )
    .map_err(|problem| match problem {
        Problem::Usage(error) => exit::usage_error(&error),
        Problem::Input(errors) => exit::input_error(&errors),
    })?;
    Ok(Session {
        runtime,
        connection,
        targets,
    })
}

/// Why the targets could not be had, with the exit code to give.
pub enum Problem {
    /// The command line was wrong (exit 2).
    Usage(Diagnostic),
    /// The input did not synthesise or read (exit 2 for deploy: nothing was tried).
    Input(Vec<Diagnostic>),
}

/// The stacks `input` (or `assembly`) stands for, in deploy order. A stack file's region is
/// `default_region` (from `--region` or the SDK chain) and its stack name is its `name`.
pub fn targets(
    input: &Path,
    assembly: Option<&Path>,
    selection: &Selection,
    options: &Options,
    default_region: Option<String>,
) -> Result<Vec<Target>, Problem> {
    if let Some(dir) = assembly {
        return from_assembly(dir, selection);
    }
    if let Some(app_path) = app::app_file(input) {
        return from_app(&app_path, selection, options);
    }
    selection.check_no_app(input).map_err(Problem::Usage)?;
    let stack_file = app::stack_file(input);
    let synthesis = stackweave_synth::synthesize(&stack_file, options)
        .map_err(|failure| Problem::Input(failure.diagnostics))?;
    let Some(region) = default_region else {
        return Err(Problem::Usage(
            Diagnostic::error(format!(
                "{} is a stack file, and no region is given for it",
                stack_file.display()
            ))
            .help("give `--region REGION` or set AWS_REGION (an app's environments name their regions)"),
        ));
    };
    let name = synthesis.stack.name.clone();
    Ok(vec![target(
        &name,
        &name,
        region,
        &synthesis,
        Vec::new(),
        Vec::new(),
        Vec::new(),
        None,
    )?])
}

fn from_app(path: &Path, selection: &Selection, options: &Options) -> Result<Vec<Target>, Problem> {
    let app =
        stackweave_synth::read_app(path, options).map_err(|f| Problem::Input(f.diagnostics))?;
    let environments = selection.environments(&app).map_err(Problem::Usage)?;
    selection.check_stacks(&app).map_err(Problem::Usage)?;
    let [environment] = environments.as_slice() else {
        let names: Vec<&str> = app
            .file
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        return Err(Problem::Usage(
            Diagnostic::error(format!(
                "deploying an app takes one environment, and {} are selected",
                environments.len()
            ))
            .help(format!(
                "give one `--env` (its environments are {})",
                names.join(", ")
            )),
        ));
    };
    let assembly = app
        .synthesize(environment, &selection.stacks, options)
        .map_err(|f| Problem::Input(f.diagnostics))?;
    for stack in &assembly.stacks {
        exit::report(&stack.synthesis.warnings);
    }
    assembly
        .stacks
        .iter()
        .map(|s| {
            target(
                &s.id,
                &s.stack_name,
                s.region.clone(),
                &s.synthesis,
                s.parameters.clone(),
                s.tags.clone(),
                s.depends_on.clone(),
                s.bucket.clone(),
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments, reason = "one field of Target each")]
fn target(
    id: &str,
    stack_name: &str,
    region: String,
    synthesis: &Synthesis,
    parameters: Vec<(String, String)>,
    tags: Vec<(String, String)>,
    depends_on: Vec<String>,
    bucket: Option<String>,
) -> Result<Target, Problem> {
    let body = output::render(synthesis, Format::Json).map_err(|e| Problem::Input(vec![e]))?;
    Ok(Target {
        id: id.to_owned(),
        stack_name: stack_name.to_owned(),
        region,
        template: synthesis.template.value().clone(),
        body,
        parameters,
        tags,
        depends_on,
        bucket,
    })
}

/// A cloud assembly `synth --out` wrote: `DIR/manifest.json` and the templates it names.
fn from_assembly(dir: &Path, selection: &Selection) -> Result<Vec<Target>, Problem> {
    let manifest_path = dir.join(output::MANIFEST);
    let unreadable = |what: String| {
        Problem::Input(vec![Diagnostic::error(what).help(format!(
            "give `--assembly` an environment's folder written by `stackweave synth APP --out DIR` (DIR/<env>), holding {}",
            output::MANIFEST
        ))])
    };
    let text = stackweave_files::read_bounded(&manifest_path, 16 << 20)
        .map_err(|e| unreadable(format!("cannot read {}: {e}", manifest_path.display())))?;
    let manifest: Value = serde_json::from_slice(&text)
        .map_err(|e| unreadable(format!("{} is not JSON: {e}", manifest_path.display())))?;
    let Some(stacks) = manifest.get("stacks").and_then(Value::as_array) else {
        return Err(unreadable(format!(
            "{} lists no stacks",
            manifest_path.display()
        )));
    };
    let strings = |value: Option<&Value>| -> Vec<(String, String)> {
        value
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let text_of = |entry: &Value, key: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut targets = Vec::new();
    for entry in stacks {
        let id = text_of(entry, "id");
        if !selection.stacks.is_empty() && !selection.stacks.contains(&id) {
            continue;
        }
        let path: PathBuf = dir.join(text_of(entry, "template"));
        let template = stackweave_template_file::read_template(&path)
            .map_err(|e| Problem::Input(vec![Diagnostic::from(e)]))?
            .value;
        targets.push(Target {
            stack_name: text_of(entry, "stackName"),
            region: text_of(entry, "region"),
            body: serde_json::to_string_pretty(&template).unwrap_or_default(),
            template,
            parameters: strings(entry.get("parameters")),
            tags: strings(entry.get("tags")),
            depends_on: entry
                .get("dependsOn")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            bucket: entry
                .get("bucket")
                .and_then(Value::as_str)
                .map(str::to_owned),
            id,
        });
    }
    Ok(targets)
}

/// For each target, the indexes of the targets it waits for: its dependencies when
/// deploying, the stacks that depend on it when destroying (`reverse`).
pub fn waits(targets: &[Target], reverse: bool) -> Vec<Vec<usize>> {
    let index = |id: &str| targets.iter().position(|t| t.id == id);
    let mut waits = vec![Vec::new(); targets.len()];
    for (i, target) in targets.iter().enumerate() {
        for dependency in target.depends_on.iter().filter_map(|d| index(d)) {
            match reverse {
                false => waits[i].push(dependency),
                true => waits[dependency].push(i),
            }
        }
    }
    waits
}

/// `diff --deployed`: each stack of `input` compared with its deployed template; exit 1
/// with `fail` when any differs (a stack not deployed differs).
pub fn diff_deployed(
    input: &Path,
    environments: &[String],
    connection: &ConnectionArgs,
    options: &Options,
    fail: bool,
) -> ExitCode {
    let selection = Selection {
        environments: environments.to_vec(),
        stacks: Vec::new(),
    };
    let Session {
        runtime,
        connection,
        targets,
    } = match open(input, None, &selection, connection, options) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let color = crate::report::use_color();
    let mut differs = false;
    let mut text = String::new();
    for target in &targets {
        let clients = connection.clients(&target.region);
        let deployed = match runtime.block_on(stackweave_deploy::deployed::template(
            &clients,
            &target.stack_name,
        )) {
            Ok(deployed) => deployed,
            Err(error) => return exit::report(&[error]),
        };
        text.push_str(&format!("{} ({}):\n", target.stack_name, target.region));
        match deployed {
            None => {
                differs = true;
                text.push_str("  not deployed\n");
            }
            Some(deployed) => {
                let changes = stackweave_diff::diff(&deployed, &target.template);
                differs |= !changes.is_empty();
                match changes.is_empty() {
                    true => text.push_str("  no differences\n"),
                    false => text.push_str(&changes.render_text(color)),
                }
            }
        }
    }
    exit::print_or_report(&text, fail && differs)
}
