//! Checking what a plugin's `synth` answered, the same way for a construct of the stack file
//! and for a child construct another plugin created: a fragment that parses, every promised
//! attribute, and no error hidden among the warnings.

use serde_json::Value;
use stackweave_host::{CallError, Severity, SynthOutcome};
use stackweave_template::Fragment;

use crate::registry::LoadedPlugin;

/// An answer that can be merged.
pub(crate) struct Answer {
    pub fragment: Fragment,
    /// Attribute name and expression, over the fragment's local ids.
    pub attributes: Vec<(String, Value)>,
}

/// A checked answer: the plugin's warnings (shown either way) and what can be merged, or
/// why not.
pub(crate) struct Checked {
    pub warnings: Vec<stackweave_host::Diagnostic>,
    pub result: Result<Answer, Vec<Problem>>,
}

/// Why an answer cannot be merged.
pub(crate) enum Problem {
    /// A diagnostic of the plugin's own (its path points into the props).
    Plugin(stackweave_host::Diagnostic),
    /// The call failed (a trap or a budget); the message starts with "plugin".
    Call(String),
    /// The plugin broke the contract: a bug for its authors.
    Bug(String),
}

/// The help for [`Problem::Bug`].
pub(crate) const BUG_HELP: &str = "this is a bug in the plugin: report it to the plugin's authors";

/// Checks `plugin`'s answer. `children_failed` says whether a child construct it created
/// failed (then a refusal without an error of its own is expected, not a bug).
pub(crate) fn check(
    plugin: &LoadedPlugin,
    answer: Result<SynthOutcome, CallError>,
    children_failed: bool,
) -> Checked {
    let mut warnings = Vec::new();
    let result = check_fragment(plugin, answer, children_failed, &mut warnings);
    Checked { warnings, result }
}

fn check_fragment(
    plugin: &LoadedPlugin,
    answer: Result<SynthOutcome, CallError>,
    children_failed: bool,
    warnings: &mut Vec<stackweave_host::Diagnostic>,
) -> Result<Answer, Vec<Problem>> {
    let outcome = answer.map_err(|e| vec![Problem::Call(format!("plugin {e}"))])?;
    let (template, attributes, diagnostics) = match outcome {
        SynthOutcome::Fragment {
            template,
            attributes,
            warnings,
        } => (template, attributes, warnings),
        SynthOutcome::Rejected(diagnostics) => {
            let mut problems: Vec<Problem> = diagnostics.into_iter().map(Problem::Plugin).collect();
            // A refusal must fail the run even if the plugin forgot to say why.
            let has_error = problems
                .iter()
                .any(|p| matches!(p, Problem::Plugin(d) if d.severity == Severity::Error));
            if !has_error && !children_failed {
                problems.push(Problem::Bug(
                    "the plugin refused the props without an error saying why".into(),
                ));
            }
            return Err(problems);
        }
    };
    // The contract says any error fails synthesis, wherever the plugin put it.
    let (errors, plugin_warnings): (Vec<_>, Vec<_>) = diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    warnings.extend(plugin_warnings);
    if !errors.is_empty() {
        return Err(errors.into_iter().map(Problem::Plugin).collect());
    }
    let bug = |message: String| vec![Problem::Bug(message)];
    let fragment = Fragment::from_json(&template)
        .map_err(|e| bug(format!("the plugin returned an unusable fragment: {e}")))?;
    let mut values = Vec::new();
    for (name, text) in attributes {
        let value = serde_json::from_str::<Value>(&text)
            .map_err(|e| bug(format!("the plugin's attribute `{name}` is not JSON: {e}")))?;
        values.push((name, value));
    }
    if let Some(missing) = plugin
        .info()
        .attributes
        .iter()
        .find(|a| !values.iter().any(|(n, _)| *n == a.name))
    {
        return Err(bug(format!(
            "the plugin did not return its attribute `{}`",
            missing.name
        )));
    }
    Ok(Answer {
        fragment,
        attributes: values,
    })
}
