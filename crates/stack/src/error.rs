//! Errors returned when a stack file cannot be read, is not YAML, or is not a valid stack.
//!
//! Structural problems are collected rather than returned one at a time, so a user fixes
//! a whole file in one pass; each carries the file, line and column, the construct it
//! belongs to, and what to do about it.

use std::fmt;
use std::path::PathBuf;

use stackweave_template::shortened;

use crate::format::MAX_STACK_FILE_BYTES;
use stackweave_location::{Diagnostic, Location, problem_list, unescape_token};

/// Why the stack file's bytes could not be read, worded for its role: which bound, and why
/// it cannot be raised.
#[derive(Debug)]
pub struct ReadFailure(pub stackweave_files::ReadError);

impl fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            stackweave_files::ReadError::TooLarge { actual, .. } => write!(
                f,
                "it is {actual} bytes, more than the {MAX_STACK_FILE_BYTES} a stack file may \
                 have; this limit cannot be raised: a CloudFormation template is at most 1 MB, \
                 and the stack file describing one is smaller"
            ),
            stackweave_files::ReadError::NotRegular { kind } => write!(
                f,
                "it is {kind}, not a regular file; give the path of a stack file (YAML)"
            ),
            other => write!(f, "{other}"),
        }
    }
}

impl std::error::Error for ReadFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Why a stack file could not be turned into a [`crate::StackFile`].
#[derive(thiserror::Error, Debug)]
pub enum StackError {
    /// The stack file itself could not be read.
    #[error(
        "cannot read stack file `{}`: {source}; check that the path is right and the file is readable",
        path.display()
    )]
    Read {
        /// The path as given.
        path: PathBuf,
        /// Why: what the operating system said, or which bound the file breaks.
        source: ReadFailure,
    },
    /// The stack file is not well-formed YAML.
    #[error(
        "{}{}: invalid YAML: {message}; fix the YAML syntax{}",
        path.display(),
        location.map(|l| format!(":{l}")).unwrap_or_default(),
        if location.is_some() { " at that position" } else { "" }
    )]
    Syntax {
        /// The stack file.
        path: PathBuf,
        /// Where the YAML parser gave up, when it said.
        location: Option<Location>,
        /// The YAML parser's description of the problem.
        message: String,
    },
    /// The stack file is YAML but breaks the stack file format; every problem found, each
    /// an error with the stack file, its line, the construct it is inside and what to do.
    #[error("{}", problem_list("stack file", .0))]
    Invalid(Vec<Diagnostic>),
}

/// The construct id a pointer lies under, if any.
pub(crate) fn construct_of(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/constructs/")?;
    let token = rest.split('/').next()?;
    Some(shortened(&unescape_token(token)).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn construct_is_taken_from_the_pointer() {
        assert_eq!(construct_of("/constructs/Api/props/x"), Some("Api".into()));
        assert_eq!(construct_of("/constructs/a~1b"), Some("a/b".into()));
        assert_eq!(construct_of("/constructs"), None);
        assert_eq!(construct_of("/outputs/Api"), None);
    }

    #[test]
    fn invalid_display_names_file_line_construct_and_help() {
        let problem = Diagnostic::error("unknown key `prop`")
            .at("stack.yaml", Some(Location { line: 3, column: 5 }))
            .construct("Api")
            .help("did you mean `props`?");
        assert_eq!(
            StackError::Invalid(vec![problem]).to_string(),
            "the stack file has 1 problem; fix it and run again\n\
             stack.yaml:3:5: construct `Api`: unknown key `prop`\n  help: did you mean `props`?"
        );
    }
}
