//! `stackweave serve STACK`: the emulated API answering real HTTP on 127.0.0.1, for curl and
//! for a front end under development. The first line on stdout is the URL it listens on
//! (`--port 0` picks a free port), so scripts can read it; requests go to that URL plus the
//! resource path, the stage's prefix being optional. The server is
//! `stackweave_emulator::server`: bounded, one thread per connection, `Connection: close`.

use std::io::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use stackweave_emulator::server::{self, Handler, Limits};
use stackweave_emulator::{Request, Response};
use stackweave_synth::Diagnostic;

use crate::exit;
use crate::local::{Local, LocalArgs, read_mocks};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// A stack file (synthesised first) or a CloudFormation template; or a folder holding
    /// `stack.yaml`
    #[arg(default_value = ".", value_name = "STACK|TEMPLATE")]
    input: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// What the workflows' Task states answer, for every request (docs/local.md)
    #[arg(long, value_name = "FILE")]
    mocks: Option<PathBuf>,
    #[command(flatten)]
    local: LocalArgs,
}

pub fn run(mut args: ServeArgs) -> ExitCode {
    let options = match std::mem::take(&mut args.local.synthesis).options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    let mocks = match read_mocks(args.mocks.as_deref()) {
        Ok(mocks) => Arc::new(mocks),
        Err(errors) => return exit::input_error(&errors),
    };
    let local = match Local::load(&args.input, &options, args.local.api.as_deref()) {
        Ok(local) => local,
        Err(errors) => return exit::input_error(&errors),
    };
    // On stderr, before the URL: the first line of stdout stays the URL.
    local.report_warnings();
    let listener = match TcpListener::bind(("127.0.0.1", args.port)) {
        Ok(listener) => listener,
        Err(error) => {
            return exit::input_error(&[Diagnostic::error(format!(
                "cannot listen on 127.0.0.1:{}: {error}",
                args.port
            ))
            .help("choose another `--port`, or `--port 0` for a free one")]);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
    let stage = local.emulator.api().stage.name.clone();
    let base = if stage.is_empty() {
        format!("http://127.0.0.1:{port}")
    } else {
        format!("http://127.0.0.1:{port}/{stage}")
    };
    // The URL first and alone on its line: scripts and tests wait for it.
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{base}");
    let _ = stdout.flush();
    for route in &local.emulator.api().routes {
        for method in &route.methods {
            eprintln!("  {} {base}{}", method.http_method, route.path);
        }
    }
    let local = Arc::new(local);
    let handler: Handler = {
        let local = Arc::clone(&local);
        Arc::new(move |request: &Request| answer(&local, &mocks, &stage, request))
    };
    match server::serve(&listener, Limits::default(), handler) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => exit::report(&[Diagnostic::error(format!("the server stopped: {error}"))]),
    }
}

/// One request: the stage's prefix taken off, emulated; a request that cannot be emulated
/// is a 500 saying why (and the diagnostic on stderr).
fn answer(
    local: &Local,
    mocks: &stackweave_emulator::Mocks,
    stage: &str,
    request: &Request,
) -> Response {
    let mut request = request.clone();
    if !stage.is_empty() {
        let prefix = format!("/{stage}");
        if request.path == prefix {
            request.path = "/".to_owned();
        } else if let Some(rest) = request.path.strip_prefix(&format!("{prefix}/")) {
            request.path = format!("/{rest}");
        }
    }
    match local.emulator.invoke(&request, mocks) {
        Ok(invocation) => {
            eprintln!(
                "{} {} -> {}",
                request.method, request.path, invocation.response.status
            );
            invocation.response
        }
        Err(error) => {
            let diagnostic = local.diagnostic(&error);
            eprint!("{diagnostic}");
            Response {
                status: 500,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: serde_json::json!({
                    "message": "stackweave could not emulate this request",
                    "error": diagnostic.message,
                    "help": diagnostic.help,
                })
                .to_string(),
            }
        }
    }
}
