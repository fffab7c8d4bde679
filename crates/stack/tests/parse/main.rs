//! Integration tests for the stack file parser, through the public API only.
//!
//! Helpers keep each test to the YAML it feeds in and the problem it expects, with its
//! line and column, so a regression names exactly what moved.

#![allow(clippy::unwrap_used)]

mod example;
mod files;
mod problems;
mod references;
mod source_map;
mod validation;

use std::path::Path;

use stackweave_location::Diagnostic;
use stackweave_stack::{StackError, StackFile, parse_stack_str};

/// Parses `text` as if read from `stacks/demo.yaml`.
pub fn parse(text: &str) -> Result<StackFile, StackError> {
    parse_stack_str(Path::new("stacks/demo.yaml"), text)
}

/// Parses `text`, which must succeed.
pub fn ok(text: &str) -> StackFile {
    match parse(text) {
        Ok(stack) => stack,
        Err(error) => panic!("expected success, got:\n{error}"),
    }
}

/// The structural problems of `text`, which must be invalid.
pub fn invalid(text: &str) -> Vec<Diagnostic> {
    match parse(text) {
        Err(StackError::Invalid(problems)) => problems,
        Err(other) => panic!("expected structural problems, got:\n{other}"),
        Ok(_) => panic!("expected structural problems, got success"),
    }
}

/// Problems rendered as `line:col message` for compact comparison.
pub fn summary(problems: &[Diagnostic]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            let at = p.location.expect("a problem has a line");
            format!("{}:{} {}", at.line, at.column, p.message)
        })
        .collect()
}

/// Asserts that `text` has exactly these problems (`line:col message`), in this order.
#[macro_export]
macro_rules! assert_problems {
    ($text:expr, [$($expected:expr),* $(,)?]) => {{
        let problems = $crate::invalid($text);
        let expected: Vec<&str> = vec![$($expected),*];
        assert_eq!($crate::summary(&problems), expected, "problems of:\n{}", $text);
        problems
    }};
}

/// A minimal valid stack with `extra` appended (indented as top-level YAML).
pub fn with(extra: &str) -> String {
    format!("name: Demo\nconstructs:\n  Logs:\n    plugin: logging\n{extra}")
}
