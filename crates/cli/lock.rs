//! `stackweave lock`: records the name, version and sha256 of every plugin a stack uses in
//! `stackweave.lock` beside the stack file, which `--locked` then holds every run to.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::flags::{self, CacheArgs, PluginArgs};
use crate::{exit, output};

#[derive(clap::Args)]
pub struct LockArgs {
    /// The stack file
    #[arg(default_value = "stack.yaml")]
    stack_file: PathBuf,
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

pub fn run(args: LockArgs) -> ExitCode {
    let options = flags::loading_options(&args.plugins, &args.cache);
    let plugins = match stackweave_synth::plugins_of(&args.stack_file, &options) {
        Ok(plugins) => plugins,
        Err(failure) => return exit::report(&failure.diagnostics),
    };
    let path = stackweave_synth::lockfile_path(&args.stack_file);
    match output::write_atomically(&path, &stackweave_synth::render_lockfile(&plugins)) {
        Ok(()) => {
            eprintln!("locked {} plugins in {}", plugins.len(), path.display());
            ExitCode::SUCCESS
        }
        Err(error) => exit::report(&[error]),
    }
}
