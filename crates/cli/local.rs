//! What the local commands (`invoke`, `serve`, `test`) share: the stack (synthesised) or
//! template they emulate, read through `input.rs` like the check commands' input, turned
//! into a `stackweave_emulator::Emulator`; the `--mocks` file; and the emulator's errors as
//! the project's one `Diagnostic`, located at the resource's line in the stack file or
//! template.

use std::path::{Path, PathBuf};

use stackweave_emulator::{EmulationError, Emulator, Environment, Mocks, Model, ModelError};
use stackweave_synth::{Diagnostic, Options};

use crate::flags::SynthesisArgs;
use crate::input::Input;
use crate::{app, exit};

/// The largest test case or mocks file read: generous for text a person writes, small
/// enough that a wrong path cannot take the machine's memory.
pub const MAX_CASE_FILE_BYTES: u64 = 4 << 20;

/// The arguments every local command takes.
#[derive(clap::Args, Default)]
pub struct LocalArgs {
    /// Which REST API to emulate (its logical id), when the template has several
    #[arg(long, value_name = "LOGICAL_ID")]
    pub api: Option<String>,
    #[command(flatten)]
    pub synthesis: SynthesisArgs,
}

/// A stack or template, ready to answer requests.
pub struct Local {
    /// What was read.
    pub input: Input,
    /// Its API's emulator.
    pub emulator: Emulator,
}

impl Local {
    /// Reads `path` (a stack file is synthesised with `options`) and builds the emulator of
    /// its REST API (`api` names it when there are several).
    pub fn load(
        path: &Path,
        options: &Options,
        api: Option<&str>,
    ) -> Result<Local, Vec<Diagnostic>> {
        let path = app::stack_file(path);
        let input = Input::load(&path, options)?;
        let stack_name = match &input {
            Input::Stack(synthesis) => synthesis.stack.name.clone(),
            Input::Template(file) => file
                .path
                .file_stem()
                .map(|stem| {
                    stem.to_string_lossy()
                        .split('.')
                        .next()
                        .unwrap_or("stack")
                        .to_owned()
                })
                .unwrap_or_else(|| "stack".to_owned()),
        };
        let environment = Environment {
            stack_name,
            ..Environment::default()
        };
        let model = Model::read(input.template(), environment)
            .map_err(|e| vec![model_diagnostic(&input, &e)])?;
        let emulator = Emulator::new(model, api).map_err(|e| vec![model_diagnostic(&input, &e)])?;
        Ok(Local { input, emulator })
    }

    /// Reports the synthesis warnings of a stack (a template has none).
    pub fn report_warnings(&self) {
        if let Input::Stack(synthesis) = &self.input {
            exit::report(&synthesis.warnings);
        }
    }

    /// An emulation error as a diagnostic at its resource.
    pub fn diagnostic(&self, error: &EmulationError) -> Diagnostic {
        match error {
            EmulationError::Model(model) => model_diagnostic(&self.input, model),
            other => {
                let mut diagnostic = Diagnostic::error(other.to_string()).help(other.help());
                if let Some(resource) = other.resource() {
                    // The message names the resource already.
                    let message = diagnostic.message.clone();
                    diagnostic = locate(diagnostic, &self.input, resource, None);
                    diagnostic.message = message;
                }
                diagnostic
            }
        }
    }
}

/// Where a problem of the template is: the stack file's or template's line of `resource`
/// (its property's line, when the file has it), and the construct that made it.
fn locate(
    diagnostic: Diagnostic,
    input: &Input,
    resource: &str,
    pointer: Option<&str>,
) -> Diagnostic {
    let location = match pointer {
        Some(pointer) if !pointer.is_empty() => input.location_of_value(resource, pointer),
        _ => input.location("Resources", resource),
    };
    let mut diagnostic = diagnostic.at(input.path(), location);
    diagnostic.message = format!("resource `{resource}`: {}", diagnostic.message);
    match input.construct(resource) {
        Some(construct) => diagnostic.construct(construct),
        None => diagnostic,
    }
}

fn model_diagnostic(input: &Input, error: &ModelError) -> Diagnostic {
    let diagnostic = Diagnostic::error(error.message.clone()).help(error.help.clone());
    match &error.resource {
        Some(resource) => locate(diagnostic, input, resource, Some(&error.pointer)),
        None => diagnostic.at(input.path(), None),
    }
}

/// The mocks in `path`, or none.
pub fn read_mocks(path: Option<&Path>) -> Result<Mocks, Vec<Diagnostic>> {
    let Some(path) = path else {
        return Ok(Mocks::default());
    };
    let text = read_text(path, "mocks file")?;
    stackweave_emulator::parse_mocks(path, &text)
}

/// A file a person wrote for the emulator, bounded and UTF-8.
pub fn read_text(path: &Path, what: &str) -> Result<String, Vec<Diagnostic>> {
    let bytes = stackweave_files::read_bounded(path, MAX_CASE_FILE_BYTES).map_err(|error| {
        let help = if error.is_not_found() {
            format!("check the path; docs/local.md shows a {what}")
        } else {
            format!("give the path of a {what} (YAML)")
        };
        vec![
            Diagnostic::error(format!("cannot read {what} `{}`: {error}", path.display()))
                .at(path, None)
                .help(help),
        ]
    })?;
    String::from_utf8(bytes).map_err(|_| {
        vec![
            Diagnostic::error(format!("the {what} `{}` is not UTF-8 text", path.display()))
                .at(path, None)
                .help("save it as UTF-8"),
        ]
    })
}

/// The test case file beside a stack file or template: `<stem>.tests.yaml`.
pub fn cases_beside(input: &Path) -> PathBuf {
    let input = app::stack_file(input);
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stack".to_owned());
    // `api.template.yaml` → `api.tests.yaml`.
    let stem = stem.strip_suffix(".template").unwrap_or(&stem).to_owned();
    input.with_file_name(format!("{stem}.tests.yaml"))
}
