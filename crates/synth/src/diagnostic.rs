//! The one shape every failure takes on its way to the user: what went wrong, where in the
//! stack file, which construct, which plugin, and what to do.

use std::fmt;
use std::path::PathBuf;

use stackweave_stack::Location;
use stackweave_template::{MergeError, shortened, visible};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Synthesis failed.
    Error,
    /// Synthesis went on.
    Warning,
}

/// A plugin as a person would identify it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginLabel {
    /// The construct name it describes itself with.
    pub name: String,
    /// `built-in` or the plugin file's path.
    pub origin: String,
}

impl fmt::Display for PluginLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` ({})", self.name, self.origin)
    }
}

/// One problem, with everything needed to find and fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong; lowercase, no trailing full stop.
    pub message: String,
    /// The file the problem is in (usually the stack file).
    pub file: Option<PathBuf>,
    /// Line and column in `file`.
    pub location: Option<Location>,
    /// The construct id involved.
    pub construct: Option<String>,
    /// The plugin involved.
    pub plugin: Option<PluginLabel>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with just a message; add the rest with the builder methods.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: None,
            location: None,
            construct: None,
            plugin: None,
            help: None,
        }
    }

    /// A warning with just a message.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Points at a place in a file.
    pub fn at(mut self, file: impl Into<PathBuf>, location: Option<Location>) -> Self {
        self.file = Some(file.into());
        self.location = location;
        self
    }

    /// Names the construct.
    pub fn construct(mut self, id: impl Into<String>) -> Self {
        self.construct = Some(id.into());
        self
    }

    /// Names the plugin.
    pub fn plugin(mut self, plugin: PluginLabel) -> Self {
        self.plugin = Some(plugin);
        self
    }

    /// Says what to do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// An error for why fragments could not be merged (or the template rendered): the
    /// template crate says what is wrong in CloudFormation's terms; where to change it in
    /// the stack file (its `limits`, its ids) is said here, where stack files meet templates.
    pub fn merge_error(error: &MergeError) -> Self {
        let message = match error {
            MergeError::AmbiguousId { id, .. } => format!(
                "{error}; rename whatever produces `{}` in the stack file, or pin it to a different logical id",
                shortened(id)
            ),
            MergeError::QuotaExceeded { quota, limit, .. } => {
                let (excess, cloudformation) = error.quota_excess().unwrap_or_default();
                let allowed = cloudformation
                    .unwrap_or_else(|| format!("the stack file's `limits.{quota}` allows {limit}"));
                format!(
                    "{excess}; {allowed} — split the stack, or raise `limits.{quota}` in the stack file if your account's quota is higher"
                )
            }
            _ => error.to_string(),
        };
        Diagnostic::error(message)
    }
}

impl fmt::Display for Diagnostic {
    /// Every part goes through [`visible`]: the last guard, should a value someone else
    /// chose (a file name, a plugin's id) reach a message unquoted, against a terminal
    /// acting on its control characters. Newlines only ever separate a message's lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut lines = self.message.lines();
        let first = lines.next().unwrap_or_default();
        writeln!(f, "{label}: {}", visible(first, false))?;
        for line in lines {
            writeln!(f, "  {}", visible(line, false))?;
        }
        if let Some(file) = &self.file {
            let file = file.display().to_string();
            let file = visible(&file, false);
            match self.location {
                Some(at) => writeln!(f, "  --> {file}:{}:{}", at.line, at.column)?,
                None => writeln!(f, "  --> {file}")?,
            }
        }
        if let Some(construct) = &self.construct {
            writeln!(f, "   = construct: {}", visible(construct, false))?;
        }
        if let Some(plugin) = &self.plugin {
            writeln!(f, "   = plugin: {}", visible(&plugin.to_string(), false))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "   = help: {}", visible(help, true))?;
        }
        Ok(())
    }
}

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

#[cfg(test)]
mod tests {
    use stackweave_template::Owner;

    use super::*;

    #[test]
    fn quota_messages_name_the_setting() {
        let message = |quota, limit, actual| {
            Diagnostic::merge_error(&MergeError::QuotaExceeded {
                quota,
                limit,
                actual,
            })
            .message
        };
        assert_eq!(
            message("resources", 500, 612),
            "the template has 612 resources; CloudFormation allows 500 per stack — split the stack, \
             or raise `limits.resources` in the stack file if your account's quota is higher"
        );
        let raised = message("outputs", 300, 301);
        assert!(
            raised.contains("the stack file's `limits.outputs` allows 300"),
            "{raised}"
        );
        let bytes = message("templateBytes", 1_000_000, 1_000_001);
        assert!(bytes.starts_with(
            "the rendered template is 1000001 bytes; CloudFormation allows 1000000 bytes"
        ));
        assert!(bytes.contains("`limits.templateBytes`"));
    }

    #[test]
    fn an_ambiguous_id_is_renamed_or_pinned_in_the_stack_file() {
        let error = MergeError::AmbiguousId {
            owner: Owner::Construct(vec!["Api".into()]),
            id: "Role".into(),
        };
        assert_eq!(
            Diagnostic::merge_error(&error).message,
            format!(
                "{error}; rename whatever produces `Role` in the stack file, or pin it to a different logical id"
            )
        );
    }

    #[test]
    fn renders_every_part_a_user_needs() {
        let d = Diagnostic::error("unknown attribute `ur` of construct `Api`")
            .at(
                "stack.yaml",
                Some(Location {
                    line: 3,
                    column: 12,
                }),
            )
            .construct("Workflow")
            .plugin(PluginLabel {
                name: "express-workflow".into(),
                origin: "built-in".into(),
            })
            .help("did you mean `url`?");
        assert_eq!(
            d.to_string(),
            "error: unknown attribute `ur` of construct `Api`\n  --> stack.yaml:3:12\n   = construct: Workflow\n   = plugin: `express-workflow` (built-in)\n   = help: did you mean `url`?\n"
        );
    }
}
