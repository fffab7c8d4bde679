//! Why a template file could not be read.

use std::fmt;
use std::path::{Path, PathBuf};

use stackweave_location::{Diagnostic, Location};

/// What kind of problem a [`ReadError`] is, for callers that react differently (say, to a
/// missing file and to a broken one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// Nothing exists at the path.
    NotFound,
    /// The path is a directory or something else that is not a regular file.
    NotAFile,
    /// The file exists but could not be read (permissions, I/O).
    Unreadable,
    /// The file is larger than any template (see [`crate::MAX_TEMPLATE_BYTES`]).
    TooLarge,
    /// The file is not UTF-8 text.
    NotUtf8,
    /// The text is not well-formed YAML or JSON.
    Syntax,
    /// A mapping has the same key twice.
    DuplicateKey,
    /// A `!Tag` that is not one of CloudFormation's short forms.
    UnknownTag,
    /// A mapping key that is a list or a mapping, which CloudFormation cannot take.
    InvalidKey,
    /// The file holds no document at all (empty, or only comments).
    Empty,
    /// The top level is not a mapping.
    NotAMapping,
    /// There is no `Resources` mapping at the top level.
    NoResources,
}

/// A template file that could not be read, with where and what to do about it.
///
/// Displays as `path:line:column: message` (without `:line:column` when no line is known),
/// then `  help: ...` on the next line, like the stack file's problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The template file, as given.
    pub path: PathBuf,
    /// Where the problem is in the file, when known.
    pub location: Option<Location>,
    /// What kind of problem this is.
    pub kind: ReadErrorKind,
    /// What is wrong (lowercase, no final full stop).
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl ReadError {
    pub(crate) fn new(
        path: &Path,
        location: Option<Location>,
        kind: ReadErrorKind,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        ReadError {
            path: path.to_path_buf(),
            location,
            kind,
            message: message.into(),
            help: help.into(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(location) = self.location {
            write!(f, ":{location}")?;
        }
        write!(f, ": {}\n  help: {}", self.message, self.help)
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for Diagnostic {
    /// The error in the one shape every Stackweave error is shown in.
    fn from(error: ReadError) -> Self {
        Diagnostic::error(error.message)
            .at(error.path, error.location)
            .help(error.help)
    }
}
