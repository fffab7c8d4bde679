//! Synthesis' failures: every error found, plus the warnings seen before. A single problem
//! is a [`Diagnostic`], the one shape every crate reports in (`stackweave-location`).

pub use stackweave_location::{Diagnostic, PluginLabel, Severity};

/// Synthesis failed; every error found, plus the warnings seen before.
#[derive(Debug)]
pub struct Failure {
    /// Errors first, then warnings, each in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    pub(crate) fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(|d| d.severity);
        Failure { diagnostics }
    }
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Self {
        Failure::new(vec![diagnostic])
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Failure::new(diagnostics)
    }
}
