//! `stackweave validate`'s work, apart from its command line and its reports: which rules
//! exist (the built-in rules and those of validator plugins, [`Catalogue`]), which opt-in
//! rules run (the stack file's `validation.enable` and `--enable`), running them all over
//! the final template (validator plugins through `stackweave-synth`), and tying each finding
//! to its construct and line and to the stack file's suppressions ([`resolve`]), which mark
//! findings as accepted without hiding them. [`Outcome::fails`] is the verdict.
//!
//! Where a finding is tied back to comes in through [`Source`] as plain facts (a construct
//! path, a line), so this crate knows neither the CLI nor how a stack file is read.

mod catalogue;
#[cfg(test)]
mod fake;
mod suppress;

use std::path::Path;

use serde_json::Value;
use stackweave_location::Location;
use stackweave_synth::{Diagnostic, Registry};

pub use catalogue::{Catalogue, RuleMeta};
pub use suppress::{Reported, Status, resolve};

/// What a validated template came from: the file its findings point into and how each
/// resource ties back to what a person wrote there.
pub trait Source {
    /// The template, with long-form intrinsics.
    fn template(&self) -> &Value;

    /// The file findings point into: the stack file, or the template file.
    fn path(&self) -> &Path;

    /// The construct path (`Api/Role`) of the resource `logical_id`; none when no
    /// construct made it (a template file, a stack file's plain resource).
    fn construct(&self, logical_id: &str) -> Option<String>;

    /// Where the value at `pointer` (a JSON Pointer into the template) of the resource
    /// `logical_id` was written, when that is known.
    fn location_of_value(&self, logical_id: &str, pointer: &str) -> Option<Location>;

    /// The stack file's `validation:` section; empty for a template file.
    fn settings(&self) -> Settings;
}

/// A stack file's `validation:` section, each entry with the place it was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// Opt-in rules to run (`validation.enable`), in file order.
    pub enable: Vec<RuleChoice>,
    /// Accepted findings (`validation.suppress`), in file order.
    pub suppress: Vec<Suppression>,
}

/// A rule named in `validation.enable`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleChoice {
    /// The rule id.
    pub rule: String,
    /// Where it was written.
    pub location: Location,
}

/// A finding the team has accepted: reported as suppressed, never dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The rule id.
    pub rule: String,
    /// The construct path (`Api` also covers `Api/Role`) or logical id it is limited to;
    /// every resource when `None`.
    pub resource: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// Where it was written.
    pub location: Location,
}

/// What a validation found.
#[derive(Debug)]
pub struct Outcome {
    /// Every finding, suppressed ones included, in the order the rules found them.
    pub findings: Vec<Reported>,
    /// Warnings about suppressions that matched no finding.
    pub stale: Vec<Diagnostic>,
}

/// How many findings a report counts of each kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Open findings of error rules.
    pub errors: usize,
    /// Open findings of warning rules.
    pub warnings: usize,
    /// Findings a rule could not decide.
    pub undecided: usize,
    /// Findings the stack file accepts.
    pub suppressed: usize,
}

impl Outcome {
    /// Whether the findings fail the run: any open finding, error or warning. Undecided and
    /// suppressed findings are shown but do not fail it.
    pub fn fails(&self) -> bool {
        self.findings.iter().any(|f| f.status == Status::Open)
    }

    /// The findings counted by status (and, when open, by severity).
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }
}

impl Summary {
    /// `findings` counted by status (and, when open, by severity): an app's report counts
    /// its stacks' findings, each once however many environments have it, this way too.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Reported>) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            let count = match (&finding.status, finding.rule.severity) {
                (Status::Open, "error") => &mut summary.errors,
                (Status::Open, _) => &mut summary.warnings,
                (Status::Undecided, _) => &mut summary.undecided,
                (Status::Suppressed { .. }, _) => &mut summary.suppressed,
            };
            *count += 1;
        }
        summary
    }
}

/// Validates `source`'s template: the built-in rules (opt-in ones when the stack file or
/// `enable` names them), then every validator plugin of `registry`; then ties the findings
/// to constructs, lines and suppressions. An id that names no rule, or a validator that
/// fails, is an input error: the template could not be checked as asked.
pub fn validate(
    source: &dyn Source,
    catalogue: &Catalogue,
    registry: &Registry,
    enable: &[String],
) -> Result<Outcome, Vec<Diagnostic>> {
    let settings = source.settings();
    let opted_in = catalogue.opted_in(enable, &settings.enable, source.path())?;
    let mut findings = stackweave_rules::check(source.template(), &opted_in);
    findings.extend(registry.run_validators(source.template(), source.path())?);
    resolve(catalogue, findings, &settings.suppress, source)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;
    use stackweave_synth::Options;

    use super::*;
    use crate::fake::FakeSource;

    /// An Express workflow that logs without execution data: only the opt-in `SW-SFN-2`
    /// finds anything.
    fn express_without_data(settings: Settings) -> FakeSource {
        FakeSource {
            template: json!({"Resources": {"Flow": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineType": "EXPRESS",
                    "RoleArn": "arn:aws:iam::123456789012:role/r",
                    "Definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
                    "LoggingConfiguration": {
                        "Level": "ALL",
                        "IncludeExecutionData": false,
                        "Destinations": [{"CloudWatchLogsLogGroup": {
                            "LogGroupArn": "arn:aws:logs:eu-west-1:123456789012:log-group:x:*"
                        }}],
                    },
                },
            }}}),
            constructs: BTreeMap::new(),
            settings,
        }
    }

    fn found(outcome: &Outcome) -> Vec<(&str, &str)> {
        outcome
            .findings
            .iter()
            .map(|f| (f.rule.id.as_str(), f.logical_id.as_str()))
            .collect()
    }

    #[test]
    fn an_opt_in_rule_runs_only_when_the_stack_file_or_a_flag_asks() {
        let registry = stackweave_synth::new_registry(&Options::default(), &[])
            .unwrap_or_else(|failure| panic!("{:?}", failure.diagnostics));
        let catalogue = Catalogue::new(registry.validators());
        let validate = |source: &FakeSource, flags: &[&str]| {
            let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
            validate(source, &catalogue, &registry, &flags)
        };

        let quiet = validate(&express_without_data(Settings::default()), &[]).expect("a clean run");
        assert!(quiet.findings.is_empty(), "{quiet:?}");
        assert!(!quiet.fails());

        let flagged = validate(&express_without_data(Settings::default()), &["SW-SFN-2"])
            .expect("a known rule");
        assert_eq!(found(&flagged), [("SW-SFN-2", "Flow")]);
        assert!(flagged.fails(), "an open warning fails the run");

        let chosen = Settings {
            enable: vec![RuleChoice {
                rule: "SW-SFN-2".to_owned(),
                location: Location { line: 4, column: 5 },
            }],
            ..Settings::default()
        };
        let written = validate(&express_without_data(chosen), &[]).expect("a known rule");
        assert_eq!(found(&written), [("SW-SFN-2", "Flow")]);

        let accepted = Settings {
            enable: vec![],
            suppress: vec![Suppression {
                rule: "SW-SFN-2".to_owned(),
                resource: Some("Flow".to_owned()),
                reason: "no personal data".to_owned(),
                location: Location { line: 6, column: 7 },
            }],
        };
        let suppressed =
            validate(&express_without_data(accepted), &["SW-SFN-2"]).expect("a known rule");
        assert_eq!(suppressed.summary().suppressed, 1);
        assert!(!suppressed.fails());

        let errors = validate(&express_without_data(Settings::default()), &["SW-NOPE"])
            .expect_err("an unknown id");
        assert_eq!(errors[0].message, "no rule has the id `SW-NOPE`");
    }
}
