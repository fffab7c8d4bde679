//! Diagnostics: what a plugin tells the user about their props.

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Synthesis fails.
    Error,
    /// Synthesis goes on; the user is told.
    Warning,
}

/// A problem found in a construct's props.
///
/// Write `message` in lowercase, without a trailing full stop, and say what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong and what to write instead.
    pub message: String,
    /// A JSON Pointer (RFC 6901) into the props, such as `/logging/level`; the host turns it
    /// into a line and column of the stack file. `None` means the props as a whole.
    pub path: Option<String>,
}

impl Diagnostic {
    /// An error at `path`: a JSON Pointer such as `"/retentionDays"` or
    /// `format!("/statements/{i}")`, or `None` for the props as a whole.
    pub fn error(path: impl IntoPointer, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, message)
    }

    /// A warning at `path`: a JSON Pointer, or `None` for the props as a whole.
    pub fn warning(path: impl IntoPointer, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, message)
    }

    fn new(severity: Severity, path: impl IntoPointer, message: impl Into<String>) -> Self {
        Self {
            severity,
            message: message.into(),
            path: path.into_pointer(),
        }
    }

    /// Whether this diagnostic fails synthesis.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// What [`Diagnostic::error`] and [`Diagnostic::warning`] accept as a path: a JSON Pointer as
/// `&str` or `String`, or an `Option<String>` (so plain `None` works).
pub trait IntoPointer {
    /// The pointer, or `None` for the props as a whole.
    fn into_pointer(self) -> Option<String>;
}

impl IntoPointer for &str {
    fn into_pointer(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl IntoPointer for String {
    fn into_pointer(self) -> Option<String> {
        Some(self)
    }
}

impl IntoPointer for &String {
    fn into_pointer(self) -> Option<String> {
        Some(self.clone())
    }
}

// Only one `Option` impl, so that a bare `None` needs no annotation.
impl IntoPointer for Option<String> {
    fn into_pointer(self) -> Option<String> {
        self
    }
}

/// Escapes one JSON Pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`), for pointers
/// that contain keys the user chose, such as state names in a workflow definition.
pub fn pointer_token(token: &str) -> String {
    // `~` first, or the `~` of a freshly written `~1` would be escaped again.
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_and_warning_take_an_optional_path() {
        let at = Diagnostic::error("/a/0", "bad");
        assert_eq!(Diagnostic::error(format!("/a/{}", 0), "bad"), at);
        let owned = String::from("/a/0");
        assert_eq!(Diagnostic::error(&owned, "bad"), at);
        assert_eq!(Diagnostic::error(Some(owned), "bad"), at);
        assert_eq!(at.path.as_deref(), Some("/a/0"));
        assert!(at.is_error());
        let anywhere = Diagnostic::warning(None, "meh");
        assert_eq!(anywhere.path, None);
        assert_eq!(anywhere.severity, Severity::Warning);
        assert!(!anywhere.is_error());
    }

    #[test]
    fn pointer_tokens_are_escaped_per_rfc_6901() {
        assert_eq!(pointer_token("a/b~c"), "a~1b~0c");
        assert_eq!(pointer_token("~1"), "~01");
        assert_eq!(pointer_token("Plain"), "Plain");
    }
}
