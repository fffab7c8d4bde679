//! The `stackweave` command line. This file only parses arguments and dispatches: each
//! command lives in its own file (its clap arguments and its `run`), the flags every
//! command shares in `flags.rs`, and the work in the library crates.

mod app;
mod check;
mod deploy;
mod destroy;
mod diff;
mod exit;
mod flags;
mod graph;
mod input;
mod invoke;
mod local;
mod lock;
mod new;
mod output;
mod plugins;
mod report;
mod serve;
mod synth;
mod targets;
mod test;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Synthesise AWS CloudFormation templates from stacks of sandboxed WebAssembly constructs.
#[derive(Parser)]
#[command(name = "stackweave", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Synthesise a stack file into one CloudFormation template, or an app into a cloud
    /// assembly per environment
    Synth(synth::SynthArgs),
    /// Check a stack, an app (every environment) or a template against policy rules: exit 0
    /// clean, 1 findings, 2 input error
    Validate(validate::ValidateArgs),
    /// Show what changed between two templates or stack files (or two environments or
    /// versions of an app, stack by stack), with IAM changes and replacements: exit 0 (1
    /// with `--fail` when they differ), 2 input error
    Diff(diff::DiffArgs),
    /// Draw a stack (or a template, or an app's stacks in one environment) as a diagram:
    /// resources grouped by construct, arrows for references
    Graph(graph::GraphArgs),
    /// List the plugins stackweave can see, or `show` one in full
    Plugins(plugins::PluginsArgs),
    /// Record the name, version and sha256 of every plugin a stack or app uses in
    /// `stackweave.lock` beside the stack file or app file
    Lock(lock::LockArgs),
    /// Deploy an app's environment (or a stack file) through CloudFormation change sets:
    /// plan, approval, progress: exit 0 deployed or no changes, 1 failed or not approved,
    /// 2 input error
    Deploy(deploy::DeployArgs),
    /// Delete an app environment's stacks (or a stack file's stack), dependents first
    Destroy(destroy::DestroyArgs),
    /// Send one request to the stack's API, emulated locally (mapping templates, the Express
    /// workflow with mocked Task states) and print the response; `--trace` shows each step
    Invoke(invoke::InvokeArgs),
    /// Answer HTTP requests on 127.0.0.1 with the stack's API, emulated locally
    Serve(serve::ServeArgs),
    /// Run the request/response cases beside a stack against its emulated API: exit 0 all
    /// pass, 1 any fails, 2 input error
    Test(test::TestArgs),
    /// Start a new plugin crate, stack file or app
    #[command(subcommand)]
    New(new::NewCommand),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Synth(args) => synth::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Plugins(args) => plugins::run(args),
        Command::Lock(args) => lock::run(args),
        Command::Deploy(args) => deploy::run(args),
        Command::Destroy(args) => destroy::run(args),
        Command::Invoke(args) => invoke::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Test(args) => test::run(args),
        Command::New(what) => new::run(what),
    }
}
