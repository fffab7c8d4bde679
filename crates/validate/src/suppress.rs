//! Findings tied back to what a person wrote: each finding's rule, construct and line, and
//! the stack file's suppressions, which mark findings as accepted without hiding them. A
//! suppression names a rule and, optionally, a logical id or a construct path, which also
//! covers the constructs under it (`Api` covers `Api/Role`, not `ApiGateway`).

use stackweave_location::Location;
use stackweave_rules::Finding;
use stackweave_synth::Diagnostic;

use crate::{Catalogue, Outcome, RuleMeta, Source, Suppression};

/// One finding with everything a reviewer needs to act on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reported {
    /// The rule that found it.
    pub rule: RuleMeta,
    /// What is wrong, specifically.
    pub message: String,
    /// The resource at fault.
    pub logical_id: String,
    /// JSON Pointer into the template at the offending value.
    pub pointer: String,
    /// The construct path of the resource, `Api/Role`.
    pub construct: Option<String>,
    /// Where it was written.
    pub location: Option<Location>,
    /// What became of it.
    pub status: Status,
}

/// What became of a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// To be fixed.
    Open,
    /// The rule could not decide (a value is only known at deploy time).
    Undecided,
    /// Accepted in the stack file, for this reason, at this line.
    Suppressed {
        /// Why the finding is accepted.
        reason: String,
        /// The line of the suppression.
        line: usize,
    },
}

impl Status {
    /// How reports name it: `open`, `undecided` or `suppressed`.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Undecided => "undecided",
            Status::Suppressed { .. } => "suppressed",
        }
    }
}

/// Ties each finding to its rule, construct and line, and applies `suppressions`. A
/// suppression of a rule no catalogue entry has is an input error. Returns the findings
/// (those of rules the catalogue does not know are dropped) and a warning for each
/// suppression that matched nothing: it hides nothing today but would hide tomorrow's
/// finding.
pub fn resolve(
    catalogue: &Catalogue,
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    source: &dyn Source,
) -> Result<Outcome, Vec<Diagnostic>> {
    let errors: Vec<Diagnostic> = suppressions
        .iter()
        .filter(|s| catalogue.rule(&s.rule).is_none())
        .map(|s| catalogue.unknown_rule(&s.rule, source.path(), Some(s.location)))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut used = vec![false; suppressions.len()];
    let mut reported = Vec::new();
    for finding in findings {
        let Some(rule) = catalogue.rule(&finding.rule_id) else {
            continue;
        };
        let construct = source.construct(&finding.logical_id);
        let matching = suppressions
            .iter()
            .position(|s| suppresses(s, &finding, construct.as_deref()));
        let status = match matching {
            Some(index) => {
                used[index] = true;
                let suppression = &suppressions[index];
                Status::Suppressed {
                    reason: suppression.reason.clone(),
                    line: suppression.location.line,
                }
            }
            None if finding.undecided => Status::Undecided,
            None => Status::Open,
        };
        reported.push(Reported {
            rule: rule.clone(),
            message: finding.message,
            location: source.location_of_value(&finding.logical_id, &finding.pointer),
            logical_id: finding.logical_id,
            pointer: finding.pointer,
            construct,
            status,
        });
    }
    let stale = suppressions
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(suppression, _)| {
            let target = suppression
                .resource
                .as_deref()
                .map(|r| format!(" on `{r}`"))
                .unwrap_or_default();
            Diagnostic::warning(format!(
                "the suppression of `{}`{target} matches no finding",
                suppression.rule
            ))
            .at(source.path(), Some(suppression.location))
            .help("remove it, so it cannot hide a future finding")
        })
        .collect();
    Ok(Outcome {
        findings: reported,
        stale,
    })
}

/// Whether `suppression` covers `finding`, whose resource `construct` made: same rule, and
/// no resource named, or the finding's logical id, or its construct or one above it.
fn suppresses(suppression: &Suppression, finding: &Finding, construct: Option<&str>) -> bool {
    suppression.rule == finding.rule_id
        && suppression.resource.as_deref().is_none_or(|resource| {
            resource == finding.logical_id
                || construct.is_some_and(|path| {
                    path == resource || path.starts_with(&format!("{resource}/"))
                })
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use serde_json::json;
    use stackweave_synth::Severity;

    use super::*;
    use crate::Settings;
    use crate::fake::FakeSource;

    /// Resources of the constructs `Api`, `Api/Role` and `ApiGateway`.
    fn stack() -> FakeSource {
        FakeSource {
            template: json!({"Resources": {}}),
            constructs: BTreeMap::from([
                ("ApiRole", ("Api/Role", 3)),
                ("ApiStage", ("Api", 3)),
                ("ApiGatewayLogs", ("ApiGateway", 8)),
            ]),
            settings: Settings::default(),
        }
    }

    fn finding(rule_id: &str, logical_id: &str) -> Finding {
        Finding {
            rule_id: rule_id.to_owned(),
            logical_id: logical_id.to_owned(),
            pointer: format!("/Resources/{logical_id}/Properties"),
            message: format!("{rule_id} on {logical_id}"),
            undecided: false,
        }
    }

    fn suppression(rule: &str, resource: Option<&str>, line: usize) -> Suppression {
        Suppression {
            rule: rule.to_owned(),
            resource: resource.map(str::to_owned),
            reason: format!("reason {line}"),
            location: Location { line, column: 7 },
        }
    }

    fn resolved(findings: Vec<Finding>, suppressions: &[Suppression]) -> Outcome {
        resolve(&Catalogue::new(&[]), findings, suppressions, &stack()).expect("known rules")
    }

    /// The status of each finding `(rule, logical id)` under `suppressions`.
    fn statuses(suppressions: &[Suppression], findings: &[(&str, &str)]) -> Vec<&'static str> {
        let findings = findings
            .iter()
            .map(|(rule, id)| finding(rule, id))
            .collect();
        let outcome = resolved(findings, suppressions);
        outcome.findings.iter().map(|f| f.status.name()).collect()
    }

    #[test]
    fn a_finding_is_tied_to_its_rule_construct_and_line() {
        let outcome = resolved(vec![finding("SW-IAM-3", "ApiRole")], &[]);
        let reported = &outcome.findings[0];
        assert_eq!(reported.rule.id, "SW-IAM-3");
        assert_eq!(reported.rule.source, "built-in");
        assert_eq!(reported.message, "SW-IAM-3 on ApiRole");
        assert_eq!(reported.construct.as_deref(), Some("Api/Role"));
        assert_eq!(reported.location, Some(Location { line: 3, column: 3 }));
        assert_eq!(reported.pointer, "/Resources/ApiRole/Properties");
        assert_eq!(reported.status, Status::Open);
        assert!(outcome.stale.is_empty());
        // A resource no construct made (a template file's) has neither.
        let outcome = resolved(vec![finding("SW-LOGS-1", "Plain")], &[]);
        assert_eq!(outcome.findings[0].construct, None);
        assert_eq!(outcome.findings[0].location, None);
    }

    #[test]
    fn a_construct_path_suppresses_the_constructs_under_it_but_not_a_longer_name() {
        let api = [suppression("SW-IAM-3", Some("Api"), 11)];
        let findings = [
            ("SW-IAM-3", "ApiRole"),
            ("SW-IAM-3", "ApiStage"),
            // `ApiGateway` starts with `Api` but is another construct.
            ("SW-IAM-3", "ApiGatewayLogs"),
        ];
        assert_eq!(
            statuses(&api, &findings),
            ["suppressed", "suppressed", "open"]
        );
        // `Api/Role` is narrower: the parent's own resource stays open.
        let role = [suppression("SW-IAM-3", Some("Api/Role"), 11)];
        assert_eq!(statuses(&role, &findings), ["suppressed", "open", "open"]);
        let outcome = resolved(vec![finding("SW-IAM-3", "ApiRole")], &api);
        assert_eq!(
            outcome.findings[0].status,
            Status::Suppressed {
                reason: "reason 11".to_owned(),
                line: 11
            }
        );
    }

    #[test]
    fn a_logical_id_or_no_resource_suppresses_and_only_the_same_rule() {
        let suppressions = [
            suppression("SW-IAM-3", Some("ApiGatewayLogs"), 11),
            suppression("SW-LOGS-1", None, 12),
        ];
        let findings = [
            ("SW-IAM-3", "ApiGatewayLogs"),
            ("SW-LOGS-1", "ApiGatewayLogs"),
            ("SW-LOGS-1", "Plain"),
            ("SW-IAM-1", "ApiRole"),
        ];
        assert_eq!(
            statuses(&suppressions, &findings),
            ["suppressed", "suppressed", "suppressed", "open"]
        );
    }

    #[test]
    fn a_suppression_that_matches_nothing_is_a_warning_at_its_line() {
        let outcome = resolved(
            vec![finding("SW-IAM-3", "ApiRole")],
            &[
                suppression("SW-IAM-3", Some("ApiRole"), 11),
                suppression("SW-LOGS-1", Some("Api"), 12),
                suppression("SW-IAM-1", None, 13),
            ],
        );
        let stale: Vec<(&str, Option<Location>)> = outcome
            .stale
            .iter()
            .map(|d| (d.message.as_str(), d.location))
            .collect();
        assert_eq!(
            stale,
            [
                (
                    "the suppression of `SW-LOGS-1` on `Api` matches no finding",
                    Some(Location {
                        line: 12,
                        column: 7
                    })
                ),
                (
                    "the suppression of `SW-IAM-1` matches no finding",
                    Some(Location {
                        line: 13,
                        column: 7
                    })
                ),
            ]
        );
        assert!(outcome.stale.iter().all(
            |d| d.severity == Severity::Warning && d.file == Some(PathBuf::from("stack.yaml"))
        ));
    }

    #[test]
    fn a_suppression_of_an_unknown_rule_is_an_error() {
        let errors = resolve(
            &Catalogue::new(&[]),
            vec![finding("SW-LOGS-1", "Plain")],
            &[
                suppression("SW-LOGS-1", None, 11),
                suppression("SW-LOG-1", None, 12),
            ],
            &stack(),
        )
        .expect_err("a typo");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, "no rule has the id `SW-LOG-1`");
        assert_eq!(
            errors[0].location,
            Some(Location {
                line: 12,
                column: 7
            })
        );
    }

    #[test]
    fn undecided_and_suppressed_findings_do_not_fail_the_run_open_ones_do() {
        let undecided = Finding {
            undecided: true,
            ..finding("SW-IAM-1", "ApiRole")
        };
        let outcome = resolved(
            vec![undecided.clone(), finding("SW-LOGS-1", "Plain")],
            &[suppression("SW-LOGS-1", None, 11)],
        );
        assert!(!outcome.fails());
        assert_eq!(
            outcome.summary(),
            crate::Summary {
                errors: 0,
                warnings: 0,
                undecided: 1,
                suppressed: 1
            }
        );
        // A suppressed undecided finding counts as suppressed.
        let outcome = resolved(vec![undecided], &[suppression("SW-IAM-1", None, 11)]);
        assert_eq!(outcome.summary().suppressed, 1);
        // Any open finding fails, a warning's too.
        let warning = stackweave_rules::RULES
            .iter()
            .find(|r| r.severity == stackweave_rules::Severity::Warning)
            .expect("a warning rule");
        let outcome = resolved(vec![finding(warning.id, "ApiStage")], &[]);
        assert!(outcome.fails());
        assert_eq!(outcome.summary().warnings, 1);
        let outcome = resolved(vec![finding("SW-LOGS-1", "Plain")], &[]);
        assert!(outcome.fails());
        assert_eq!(outcome.summary().errors, 1);
    }

    #[test]
    fn a_finding_of_a_rule_the_catalogue_does_not_know_is_dropped() {
        let outcome = resolved(vec![finding("TEAM-9", "ApiRole")], &[]);
        assert!(outcome.findings.is_empty());
        assert!(!outcome.fails());
    }
}
