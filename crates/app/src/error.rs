//! Errors returned when an app file cannot be read, is not YAML, or is not a valid app.
//!
//! As for stack files, structural problems are collected rather than returned one at a
//! time, so a user fixes a whole file in one pass; each carries the file, line and column
//! and what to do about it.

use std::path::{Path, PathBuf};

use stackweave_files::ReadError;
use stackweave_location::{Diagnostic, Location, SourceMap};

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
    #[error("{}", list(.0))]
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

fn list(problems: &[Diagnostic]) -> String {
    let mut out = match problems.len() {
        1 => "the app file has 1 problem; fix it and run again".to_owned(),
        n => format!("the app file has {n} problems; fix them and run again"),
    };
    for problem in problems {
        if let Some(file) = &problem.file {
            out.push_str(&format!("\n{}:", file.display()));
        }
        let at = problem.location.unwrap_or(Location::START);
        out.push_str(&format!("{at}: {}", problem.message));
        if let Some(help) = &problem.help {
            out.push_str(&format!("\n  help: {help}"));
        }
    }
    out
}

/// Which part of an entry a problem points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// The key of the map entry (unknown, missing or misnamed keys).
    Key,
    /// The value.
    Value,
}

/// Collects problems while the app file is analysed, locating each by JSON Pointer.
pub(crate) struct Problems<'a> {
    path: &'a Path,
    pub(crate) map: &'a SourceMap,
    found: Vec<Diagnostic>,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(path: &'a Path, map: &'a SourceMap) -> Self {
        Problems {
            path,
            map,
            found: Vec::new(),
        }
    }

    /// Records a problem at an exact location.
    pub(crate) fn push_at(&mut self, location: Location, message: String, help: impl Into<String>) {
        let problem = Diagnostic::error(message)
            .at(self.path, Some(location))
            .help(help);
        self.found.push(problem);
    }

    /// Records a problem at the node `pointer` names.
    pub(crate) fn push(&mut self, pointer: &str, at: At, message: String, help: impl Into<String>) {
        let location = match at {
            At::Key => self.map.locate_key(pointer),
            At::Value => self.map.locate(pointer),
        };
        self.push_at(location, message, help);
    }

    /// The problems in file order (stable, so problems at one spot keep their order).
    pub(crate) fn finish(mut self) -> Vec<Diagnostic> {
        self.found.sort_by_key(|p| p.location);
        self.found
    }
}
