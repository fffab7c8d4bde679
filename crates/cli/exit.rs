//! How a command ends: what it prints for the user, and the exit code CI reads (0 done or
//! clean, 1 failed or findings, 2 the input or the usage was wrong).

use std::process::ExitCode;

use stackweave_synth::{Diagnostic, Severity};

use crate::output;

/// Prints a report to stdout; exit code 1 when `failed`.
pub fn print_or_report(text: &str, failed: bool) -> ExitCode {
    match output::print(text) {
        Ok(()) if failed => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&[error]),
    }
}

/// Prints why a check command's input cannot be checked; exit code 2, so that CI can tell
/// "the check found something" (1) from "the check could not run".
pub fn input_error(diagnostics: &[Diagnostic]) -> ExitCode {
    report(diagnostics);
    ExitCode::from(2)
}

/// Prints a usage problem clap cannot check; exit code 2.
pub fn usage_error(diagnostic: &Diagnostic) -> ExitCode {
    eprint!("{diagnostic}");
    ExitCode::from(2)
}

/// Prints diagnostics to stderr; exit code 1 if any is an error.
pub fn report(diagnostics: &[Diagnostic]) -> ExitCode {
    for diagnostic in diagnostics {
        eprint!("{diagnostic}");
    }
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
