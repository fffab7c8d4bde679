//! `stackweave lock`: records the name, version and sha256 of every plugin a stack (or every
//! stack of an app) uses in `stackweave.lock` beside the stack file (or the app file),
//! which `--locked` then holds every run to.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::app;
use crate::flags::{self, CacheArgs, PluginArgs};
use crate::{exit, output};

#[derive(clap::Args)]
pub struct LockArgs {
    /// The stack file or app file, or a folder holding `app.yaml` or `stack.yaml`
    #[arg(default_value = ".", value_name = "APP|STACK")]
    input: PathBuf,
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

pub fn run(args: LockArgs) -> ExitCode {
    let options = flags::loading_options(&args.plugins, &args.cache);
    // An app has one lockfile for all its stacks: `synth --locked` of any environment
    // checks every plugin against it.
    let (plugins, beside) = match app::app_file(&args.input) {
        Some(app_path) => match stackweave_synth::read_app(&app_path, &options) {
            Ok(app) => (app.plugins(), app_path),
            Err(failure) => return exit::report(&failure.diagnostics),
        },
        None => {
            let stack_file = app::stack_file(&args.input);
            match stackweave_synth::plugins_of(&stack_file, &options) {
                Ok(plugins) => (plugins, stack_file),
                Err(failure) => return exit::report(&failure.diagnostics),
            }
        }
    };
    let path = stackweave_synth::lockfile_path(&beside);
    match output::write_atomically(&path, &stackweave_synth::render_lockfile(&plugins)) {
        Ok(()) => {
            eprintln!("locked {} plugins in {}", plugins.len(), path.display());
            ExitCode::SUCCESS
        }
        Err(error) => exit::report(&[error]),
    }
}
