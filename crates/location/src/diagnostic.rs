//! The one shape every problem takes on its way to the user, whichever crate found it:
//! what went wrong, where (file:line:col), which construct, which plugin, and what to do.

use std::fmt;
use std::path::PathBuf;

use crate::quote::visible;
use crate::source_map::Location;

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

#[cfg(test)]
mod tests {
    use super::*;

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
