//! Errors returned when an app file cannot be read, is not YAML, or is not a valid app.
//!
//! As for stack files, structural problems are collected rather than returned one at a
//! time, so a user fixes a whole file in one pass; each carries the file, line and column
//! and what to do about it.

use std::path::PathBuf;

use stackweave_files::ReadError;
use stackweave_location::{Diagnostic, Location, problem_list};

use crate::format::MAX_APP_FILE_BYTES;

/// Why an app file could not be turned into an [`crate::AppFile`].
#[derive(thiserror::Error, Debug)]
pub enum AppError {
    /// The app file itself could not be read.
    #[error("cannot read app file `{}`: {source}; {}", path.display(), read_help(source))]
    Read {
        /// The path as given.
        path: PathBuf,
        /// What the operating system said, or which bound the file breaks.
        source: ReadError,
    },
    /// The app file is not well-formed YAML (or not UTF-8 text).
    #[error(
        "{}{}: invalid YAML: {message}; fix the YAML syntax{}",
        path.display(),
        location.map(|l| format!(":{l}")).unwrap_or_default(),
        if location.is_some() { " at that position" } else { "" }
    )]
    Syntax {
        /// The app file.
        path: PathBuf,
        /// Where the YAML parser gave up, when it said.
        location: Option<Location>,
        /// What is wrong.
        message: String,
    },
    /// The app file is YAML but breaks the app file format: every problem found, each an
    /// error with the app file, its line and what to do.
    #[error("{}", problem_list("app file", .0))]
    Invalid(Vec<Diagnostic>),
}

impl AppError {
    /// Every problem as a located [`Diagnostic`] in the app file, so a command reports an
    /// app file's failure as it reports any other.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            AppError::Read { path, source } => vec![
                Diagnostic::error(format!(
                    "cannot read app file `{}`: {source}",
                    path.display()
                ))
                .at(path, None)
                .help(read_help(source)),
            ],
            AppError::Syntax {
                path,
                location,
                message,
            } => vec![
                Diagnostic::error(format!("the app file is not valid YAML: {message}"))
                    .at(path, *location)
                    .help("fix the YAML syntax at that position"),
            ],
            AppError::Invalid(problems) => problems.clone(),
        }
    }
}

/// What to do about a failed read, worded for an app file.
fn read_help(error: &ReadError) -> String {
    match error {
        ReadError::TooLarge { .. } => format!(
            "an app file names stacks and environments, never their contents, so {MAX_APP_FILE_BYTES} \
             bytes is far more than one needs; check that this is the app file"
        ),
        ReadError::NotRegular { .. } => "give the path of an app file (YAML)".to_owned(),
        ReadError::Io(_) => "check that the path is right and the file is readable".to_owned(),
    }
}
