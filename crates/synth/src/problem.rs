//! Why a plugin call's answer cannot be merged: the one shape calling (the budget),
//! checking (the answer) and composing (children) report a failed call in.

/// Why an answer cannot be merged.
pub(crate) enum Problem {
    /// A diagnostic of the plugin's own (its path points into the props).
    Plugin(stackweave_host::Diagnostic),
    /// The call failed (a trap or a budget); the message starts with "plugin".
    Call(String),
    /// The plugin broke the contract: a bug for its authors.
    Bug(String),
    /// A child's props, as its parent's plugin built them, that the child's plugin's schema
    /// refuses (`compose`).
    ChildProps {
        message: String,
        help: String,
        /// Where the refused value is in the props of the stack file's construct (a JSON
        /// Pointer below `props`), when it is there at exactly one place: what the user
        /// wrote and can change.
        traced: Option<String>,
    },
}

/// The help for [`Problem::Bug`].
pub(crate) const BUG_HELP: &str = "this is a bug in the plugin: report it to the plugin's authors";
