//! Synthesis' failures: every error found, plus the warnings seen before. A single problem
//! is a [`Diagnostic`], the one shape every crate reports in (`stackweave-location`); here
//! a merge error becomes one, with the stack-file advice the template crate does not give.

use stackweave_template::{MergeError, shortened};

pub use stackweave_location::{Diagnostic, PluginLabel, Severity};

/// An error for why fragments could not be merged (or the template rendered): the
/// template crate says what is wrong in CloudFormation's terms; where to change it in
/// the stack file (its `limits`, its ids) is said here, where stack files meet templates.
pub fn merge_error(error: &MergeError) -> Diagnostic {
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
            merge_error(&MergeError::QuotaExceeded {
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
            merge_error(&error).message,
            format!(
                "{error}; rename whatever produces `Role` in the stack file, or pin it to a different logical id"
            )
        );
    }
}
