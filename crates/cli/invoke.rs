//! `stackweave invoke STACK|TEMPLATE METHOD PATH`: one request through the emulated API
//! (crate `stackweave-emulator`), printed as the client would see it: status line, headers,
//! body; with `--trace`, every step before it. Exit 0 when the request was emulated (whatever
//! its HTTP status), 1 when it could not be (an unmocked Task, a template that fails), 2 when
//! the input or the usage is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use stackweave_emulator::{Request, parse_query};
use stackweave_synth::Diagnostic;

use crate::exit;
use crate::local::{Local, LocalArgs, read_mocks, read_text};

#[derive(clap::Args)]
pub struct InvokeArgs {
    /// A stack file (synthesised first) or a CloudFormation template (YAML or JSON); or a
    /// folder holding `stack.yaml`
    #[arg(value_name = "STACK|TEMPLATE")]
    input: PathBuf,
    /// The HTTP method, e.g. GET
    #[arg(value_name = "METHOD")]
    method: String,
    /// The resource path, without the stage (`/start`); a `?query` may follow
    #[arg(value_name = "PATH")]
    path: String,
    /// A query string parameter; repeatable
    #[arg(long = "query", value_name = "NAME=VALUE")]
    query: Vec<String>,
    /// A header; repeatable
    #[arg(long = "header", value_name = "NAME:VALUE")]
    header: Vec<String>,
    /// The body: text, or `@FILE` for a file's contents
    #[arg(long, value_name = "TEXT|@FILE")]
    body: Option<String>,
    /// What the workflows' Task states answer (docs/local.md)
    #[arg(long, value_name = "FILE")]
    mocks: Option<PathBuf>,
    /// Print each step: templates rendered, StartSyncExecution's request and response, each
    /// state's input and output, the integration response chosen
    #[arg(long)]
    trace: bool,
    #[command(flatten)]
    local: LocalArgs,
}

pub fn run(mut args: InvokeArgs) -> ExitCode {
    let options = match std::mem::take(&mut args.local.synthesis).options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    let request = match request(&args) {
        Ok(request) => request,
        Err(errors) => return exit::input_error(&errors),
    };
    let mocks = match read_mocks(args.mocks.as_deref()) {
        Ok(mocks) => mocks,
        Err(errors) => return exit::input_error(&errors),
    };
    let local = match Local::load(&args.input, &options, args.local.api.as_deref()) {
        Ok(local) => local,
        Err(errors) => return exit::input_error(&errors),
    };
    local.report_warnings();
    match local.emulator.invoke(&request, &mocks) {
        Ok(invocation) => {
            let text = if args.trace {
                // The trace ends with the response itself.
                invocation.trace.to_text()
            } else {
                invocation.response.to_text()
            };
            exit::print_or_report(&text, false)
        }
        Err(error) => exit::report(&[local.diagnostic(&error)]),
    }
}

/// The request the arguments describe.
fn request(args: &InvokeArgs) -> Result<Request, Vec<Diagnostic>> {
    let (path, query) = match args.path.split_once('?') {
        Some((path, query)) => (path.to_owned(), parse_query(query)),
        None => (args.path.clone(), Vec::new()),
    };
    if !path.starts_with('/') {
        return Err(vec![
            Diagnostic::error(format!("PATH `{path}` does not start with `/`"))
                .help("give the resource path, e.g. `/start` (without the stage)"),
        ]);
    }
    let mut request = Request {
        method: args.method.to_uppercase(),
        path: stackweave_emulator::percent_decode(&path, false),
        query,
        headers: Vec::new(),
        body: String::new(),
    };
    for pair in &args.query {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        request.query.push((name.to_owned(), value.to_owned()));
    }
    for header in &args.header {
        let Some((name, value)) = header.split_once(':') else {
            return Err(vec![
                Diagnostic::error(format!("`--header {header}` has no `:`"))
                    .help("write `--header Name:value`"),
            ]);
        };
        request
            .headers
            .push((name.trim().to_owned(), value.trim().to_owned()));
    }
    request.body = match args.body.as_deref() {
        None => String::new(),
        Some(text) => match text.strip_prefix('@') {
            Some(file) => read_text(std::path::Path::new(file), "body file")?,
            None => text.to_owned(),
        },
    };
    Ok(request)
}
