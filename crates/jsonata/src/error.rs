//! Building [`JsonataError`]s: one constructor per kind, so every error carries the
//! reference implementation's code, and a position when the source offset is known.

use crate::JsonataError;

impl JsonataError {
    /// An error with `code` at `position` (character offset in the expression).
    pub fn new(code: &str, position: Option<usize>, message: impl Into<String>) -> Self {
        JsonataError {
            code: code.to_owned(),
            position,
            message: message.into(),
        }
    }

    /// An error raised with no known position (most function-library errors).
    pub(crate) fn code(code: &str, message: impl Into<String>) -> Self {
        JsonataError::new(code, None, message)
    }

    /// Attaches `position` when the error does not have one yet.
    pub(crate) fn at(mut self, position: usize) -> Self {
        if self.position.is_none() {
            self.position = Some(position);
        }
        self
    }
}

/// Shorthand for a result of this crate.
pub(crate) type Result<T> = std::result::Result<T, JsonataError>;
