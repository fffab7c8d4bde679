//! Checking what a plugin's `synth` answered, the same way for a construct of the stack file
//! and for a child construct another plugin created: a fragment that parses, every promised
//! attribute, and no error hidden among the warnings.

use serde_json::Value;
use stackweave_host::{Severity, SynthOutcome};
use stackweave_template::{Fragment, FragmentError, malformed_intrinsic, parse_value, shortened};

use crate::budget::Spending;
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

/// Checks `plugin`'s answer (from [`Spending::synth`]), counting its fragment against the
/// synthesis' budget before parsing it. `children_failed` says whether a child construct it
/// created failed (then a refusal without an error of its own is expected, not a bug).
pub(crate) fn check(
    plugin: &LoadedPlugin,
    answer: Result<SynthOutcome, Problem>,
    children_failed: bool,
    spending: &Spending,
) -> Checked {
    let mut warnings = Vec::new();
    let result = check_fragment(plugin, answer, children_failed, spending, &mut warnings);
    Checked { warnings, result }
}

fn check_fragment(
    plugin: &LoadedPlugin,
    answer: Result<SynthOutcome, Problem>,
    children_failed: bool,
    spending: &Spending,
    warnings: &mut Vec<stackweave_host::Diagnostic>,
) -> Result<Answer, Vec<Problem>> {
    let outcome = answer.map_err(|problem| vec![problem])?;
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
    let bytes = template.len()
        + attributes
            .iter()
            .map(|(name, value)| name.len() + value.len())
            .sum::<usize>();
    spending
        .spend_fragment_bytes(bytes)
        .map_err(|exceeded| vec![spending.problem(exceeded)])?;
    let fragment = match Fragment::parse(&template, spending.resources_left()) {
        Ok(fragment) => fragment,
        Err(FragmentError::TooManyResources { .. }) => {
            return Err(vec![spending.problem(spending.resources_exceeded())]);
        }
        Err(e) => {
            return Err(bug(format!(
                "the plugin returned an unusable fragment: {e}"
            )));
        }
    };
    drop(template);
    spending.spend_resources(fragment.resources.len());
    let mut values: Vec<(String, Value)> = Vec::new();
    for (name, text) in attributes {
        let shown = shortened(&name);
        if values.iter().any(|(seen, _)| *seen == name) {
            return Err(bug(format!(
                "the plugin returned its attribute `{shown}` twice"
            )));
        }
        let value = parse_value(&text)
            .map_err(|e| bug(format!("the plugin's attribute `{shown}` is not JSON: {e}")))?;
        if let Some((at, problem)) = malformed_intrinsic(&value) {
            return Err(bug(format!(
                "the plugin's attribute `{shown}` has a malformed intrinsic function at `{at}`: {problem}"
            )));
        }
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
