//! Integration tests for the app file parser, through the public API only.
//!
//! Helpers keep each test to the YAML it feeds in and the problems it expects, with their
//! line and column, so a regression names exactly what moved.

#![allow(clippy::unwrap_used)]

mod api;
mod example;
mod files;
mod problems;
mod schema;

use std::path::Path;

use stackweave_app::{AppError, AppFile, parse_app_str};
use stackweave_location::Diagnostic;

/// A full app file using every key.
pub const SAMPLE: &str = include_str!("sample.yaml");

/// Where the texts under test claim to come from.
pub const PATH: &str = "apps/refarch/app.yaml";

/// Parses `text` as if read from [`PATH`].
pub fn parse(text: &str) -> Result<AppFile, AppError> {
    parse_app_str(Path::new(PATH), text)
}

/// Parses `text`, which must succeed.
pub fn ok(text: &str) -> AppFile {
    match parse(text) {
        Ok(app) => app,
        Err(error) => panic!("expected success, got:\n{error}"),
    }
}

/// The structural problems of `text`, which must be invalid.
pub fn invalid(text: &str) -> Vec<Diagnostic> {
    match parse(text) {
        Err(AppError::Invalid(problems)) => problems,
        Err(other) => panic!("expected structural problems, got:\n{other}"),
        Ok(_) => panic!("expected structural problems, got success"),
    }
}

/// Problems rendered as `line:col message` for compact comparison.
pub fn summary(problems: &[Diagnostic]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            assert_eq!(p.file.as_deref(), Some(Path::new(PATH)));
            let at = p.location.expect("a problem has a line");
            format!("{}:{} {}", at.line, at.column, p.message)
        })
        .collect()
}

/// The help of the only problem of `text`, which must have exactly `expected` (`line:col
/// message`).
pub fn only(text: &str, expected: &str) -> String {
    let problems = invalid(text);
    assert_eq!(summary(&problems), [expected], "problems of:\n{text}");
    problems[0]
        .help
        .clone()
        .expect("every problem says what to do")
}

/// Asserts that `text` has exactly these problems (`line:col message`), in this order.
#[macro_export]
macro_rules! assert_problems {
    ($text:expr, [$($expected:expr),* $(,)?]) => {{
        let problems = $crate::invalid($text);
        let expected: Vec<String> = vec![$(($expected).to_string()),*];
        assert_eq!($crate::summary(&problems), expected, "problems of:\n{}", $text);
        problems
    }};
}

/// A minimal valid app whose environment `dev` has `extra` after its region (`extra`'s
/// lines indented by four spaces, as environment keys). Line 5 is `region:`, so the first
/// line of `extra` is line 6.
pub fn with_env(extra: &str) -> String {
    format!("name: Demo\nstacks: [api.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n{extra}")
}
