//! `stackweave test STACK|TEMPLATE`: runs the request/response cases of the file beside the
//! stack (`<stem>.tests.yaml`, or `--cases FILE`) against the emulated API (crate
//! `stackweave-emulator`) and reports them (`report::TestReport`: text, JSON, JUnit XML,
//! SARIF). Exit 0 when every case passes, 1 when any fails or cannot run, 2 when the input,
//! the case file or the usage is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use stackweave_synth::Diagnostic;

use crate::exit;
use crate::local::{Local, LocalArgs, cases_beside, read_text};
use crate::report::{self, ReportFormat, TestReport};

/// The report formats of `stackweave test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// For people; coloured on a terminal.
    Text,
    /// One JSON document.
    Json,
    /// JUnit XML, which CI systems show as test results.
    Junit,
    /// SARIF 2.1.0: each failing case as a result at its line.
    Sarif,
}

#[derive(clap::Args)]
pub struct TestArgs {
    /// A stack file (synthesised first) or a CloudFormation template; or a folder holding
    /// `stack.yaml`
    #[arg(default_value = ".", value_name = "STACK|TEMPLATE")]
    input: PathBuf,
    /// The test case file [default: STEM.tests.yaml beside the stack file STEM.yaml]
    #[arg(long, value_name = "FILE")]
    cases: Option<PathBuf>,
    /// Report format
    #[arg(long = "report", value_enum, default_value_t = TestFormat::Text, visible_alias = "format")]
    report: TestFormat,
    #[command(flatten)]
    local: LocalArgs,
}

pub fn run(mut args: TestArgs) -> ExitCode {
    let options = match std::mem::take(&mut args.local.synthesis).options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    let cases_path = args
        .cases
        .clone()
        .unwrap_or_else(|| cases_beside(&args.input));
    if args.cases.is_none() && !cases_path.exists() {
        return exit::input_error(&[Diagnostic::error(format!(
            "no test case file `{}` beside the stack",
            cases_path.display()
        ))
        .help("write one (docs/local.md shows the format), or name it with `--cases FILE`")]);
    }
    let file = match read_text(&cases_path, "test case file")
        .and_then(|text| stackweave_emulator::parse_cases(&cases_path, &text))
    {
        Ok(file) => file,
        Err(errors) => return exit::input_error(&errors),
    };
    let local = match Local::load(&args.input, &options, args.local.api.as_deref()) {
        Ok(local) => local,
        Err(errors) => return exit::input_error(&errors),
    };
    local.report_warnings();
    let outcome = stackweave_emulator::run_cases(&local.emulator, &file);
    let report = TestReport {
        cases: &file.path,
        input: local.input.path(),
        outcome: &outcome,
    };
    let text = match args.report {
        TestFormat::Text => report::render(&report, ReportFormat::Text),
        TestFormat::Json => report::render(&report, ReportFormat::Json),
        TestFormat::Sarif => report::render(&report, ReportFormat::Sarif),
        TestFormat::Junit => report.junit(),
    };
    exit::print_or_report(&text, outcome.fails())
}
