//! What every command that takes an app shares: telling an app file from a stack file,
//! the `--env` and `--stack` selections, and an environment's cloud assembly as files.

use std::path::{Path, PathBuf};

use stackweave_app::{APP_FILE_NAME, Environment};
use stackweave_synth::{App, Assembly, Diagnostic};
use stackweave_template::Format;

use crate::output;

/// Which environments and stacks of an app a command works on.
#[derive(clap::Args, Clone, Default)]
pub struct Selection {
    /// An environment of the app; repeatable [default: every environment]
    #[arg(long = "env", value_name = "NAME")]
    pub environments: Vec<String>,
    /// A stack of the app, by its stack file's `name`; repeatable [default: every stack]
    #[arg(long = "stack", value_name = "NAME")]
    pub stacks: Vec<String>,
}

/// The app file `path` names: the file itself when it is an app file, or `app.yaml` in a
/// folder that has one; `None` for a stack file or anything else.
pub fn app_file(path: &Path) -> Option<PathBuf> {
    if path.is_dir() {
        // `app.yaml` rather than `./app.yaml` in messages when run in the app's folder.
        let app = match path == Path::new(".") {
            true => PathBuf::from(APP_FILE_NAME),
            false => path.join(APP_FILE_NAME),
        };
        return app.is_file().then_some(app);
    }
    let text = stackweave_files::read_bounded(path, stackweave_app::MAX_APP_FILE_BYTES).ok()?;
    stackweave_app::is_app_file(&String::from_utf8_lossy(&text)).then(|| path.to_path_buf())
}

/// A folder stands for the stack file in it when it has no app file.
pub fn stack_file(path: &Path) -> PathBuf {
    match path.is_dir() {
        true if path == Path::new(".") => PathBuf::from("stack.yaml"),
        true => path.join("stack.yaml"),
        false => path.to_path_buf(),
    }
}

impl Selection {
    /// The environments selected, in the app file's order; an unknown name is an error
    /// with the closest known one.
    pub fn environments<'a>(&self, app: &'a App) -> Result<Vec<&'a Environment>, Diagnostic> {
        let known = || app.file.environments.iter().map(|e| e.name.as_str());
        for name in &self.environments {
            if app.file.environment(name).is_none() {
                let error = Diagnostic::error(format!(
                    "app `{}` has no environment `{name}`",
                    app.file.name
                ));
                return Err(match stackweave_location::closest(name, known()) {
                    Some(close) => error.help(format!("did you mean `{close}`?")),
                    None => error.help(format!(
                        "its environments are {}",
                        known().collect::<Vec<_>>().join(", ")
                    )),
                });
            }
        }
        Ok(app
            .file
            .environments
            .iter()
            .filter(|e| self.environments.is_empty() || self.environments.contains(&e.name))
            .collect())
    }

    /// Checks that every stack named is one of the app's.
    pub fn check_stacks(&self, app: &App) -> Result<(), Diagnostic> {
        let known = || app.stacks.iter().map(|s| s.name.as_str());
        for name in &self.stacks {
            if app.stack_index(name).is_none() {
                let error =
                    Diagnostic::error(format!("app `{}` has no stack `{name}`", app.file.name));
                return Err(match stackweave_location::closest(name, known()) {
                    Some(close) => error.help(format!("did you mean `{close}`?")),
                    None => error.help(format!(
                        "its stacks are {}",
                        known().collect::<Vec<_>>().join(", ")
                    )),
                });
            }
        }
        Ok(())
    }
}

/// The files of an environment's cloud assembly, by name: each stack's template and
/// diagram, and `manifest.json` (what `deploy` reads: stacks in deploy order, where each
/// goes, its parameters, tags and dependencies, and every plugin used).
pub fn assembly_files(
    assembly: &Assembly,
    format: Format,
) -> Result<Vec<(String, String)>, Diagnostic> {
    let mut files = Vec::new();
    let mut stacks = Vec::new();
    for stack in &assembly.stacks {
        let rendered = output::render(&stack.synthesis, format)?;
        let mut stack_files = output::files(&stack.synthesis, format, &rendered);
        stack_files.retain(|(name, _)| name != output::MANIFEST);
        let template = stack_files[0].0.clone();
        files.extend(stack_files);
        let strings = |pairs: &[(String, String)]| {
            serde_json::Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect(),
            )
        };
        let mut entry = serde_json::json!({
            "id": stack.id,
            "stackName": stack.stack_name,
            "template": template,
            "region": stack.region,
        });
        if let Some(account) = &stack.account {
            entry["account"] = account.clone().into();
        }
        if let Some(bucket) = &stack.bucket {
            entry["bucket"] = bucket.clone().into();
        }
        entry["parameters"] = strings(&stack.parameters);
        entry["tags"] = strings(&stack.tags);
        entry["dependsOn"] = stack.depends_on.clone().into();
        stacks.push(entry);
    }
    let manifest = serde_json::json!({
        "app": assembly.app,
        "environment": assembly.environment,
        "stackweave": env!("CARGO_PKG_VERSION"),
        "stacks": stacks,
        "plugins": output::plugin_entries(&assembly.plugins),
    });
    files.push((output::MANIFEST.to_owned(), output::pretty(&manifest)));
    Ok(files)
}

/// `diagnostics` of a synthesis of `environment`, each message naming it (`environment
/// `prod`: ...`), for commands that synthesise several environments and report together.
pub fn in_environment(environment: &str, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| Diagnostic {
            message: format!("environment `{environment}`: {}", d.message),
            ..d
        })
        .collect()
}

impl Selection {
    /// Refuses `--env` and `--stack` when the input is a stack file (or a template): they
    /// choose from an app.
    pub fn check_no_app(&self, input: &Path) -> Result<(), Diagnostic> {
        if self.environments.is_empty() && self.stacks.is_empty() {
            return Ok(());
        }
        Err(Diagnostic::error(format!(
            "`--env` and `--stack` choose from an app, but {} is not an app file",
            input.display()
        ))
        .help("give the app file (or its folder), or drop `--env` and `--stack`"))
    }
}

/// The diagnostics of several environments as one list, in environment order: one that
/// every environment of `environments` gave appears once, as it is (a problem in a stack
/// file is usually the same whatever the environment); any other names its environment.
pub fn per_environment(
    environments: usize,
    results: &[(String, Vec<Diagnostic>)],
) -> Vec<Diagnostic> {
    let everywhere = |diagnostic: &Diagnostic| {
        results.len() == environments
            && results
                .iter()
                .all(|(_, diagnostics)| diagnostics.contains(diagnostic))
    };
    let mut all = Vec::new();
    for (index, (environment, diagnostics)) in results.iter().enumerate() {
        for diagnostic in diagnostics {
            if environments <= 1 || (index == 0 && everywhere(diagnostic)) {
                all.push(diagnostic.clone());
            } else if !everywhere(diagnostic) {
                all.extend(in_environment(environment, vec![diagnostic.clone()]));
            }
        }
    }
    all
}
