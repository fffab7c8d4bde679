//! Every rule a validation can run: the built-in rules, then each validator plugin's, as
//! reports describe them; and which opt-in rules a run chooses.

use std::collections::BTreeSet;
use std::path::Path;

use stackweave_location::Location;
use stackweave_synth::{Diagnostic, LoadedValidator, Origin, ValidatorInfo};

use crate::RuleChoice;

/// A rule from any source, as reports describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable public id, `SW-IAM-1`.
    pub id: String,
    /// Short name.
    pub title: String,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// Why it matters.
    pub rationale: String,
    /// What to do.
    pub fix: String,
    /// Off unless the stack file or `--enable` asks for it.
    pub opt_in: bool,
    /// `built-in` or the validator plugin's name and origin.
    pub source: String,
}

/// The rules a run knows, built-in first, then each validator's in registry order.
#[derive(Clone, Debug)]
pub struct Catalogue {
    rules: Vec<RuleMeta>,
}

impl Catalogue {
    /// The built-in rules and those of `validators`.
    pub fn new(validators: &[LoadedValidator]) -> Catalogue {
        let mut catalogue = Catalogue::builtin();
        for validator in validators {
            catalogue.add_validator(validator.info(), &validator.origin);
        }
        catalogue
    }

    fn builtin() -> Catalogue {
        let rules = stackweave_rules::RULES
            .iter()
            .map(|rule| RuleMeta {
                id: rule.id.to_owned(),
                title: rule.title.to_owned(),
                severity: severity_name(rule.severity),
                rationale: rule.rationale.to_owned(),
                fix: rule.fix.to_owned(),
                opt_in: rule.opt_in,
                source: "built-in".to_owned(),
            })
            .collect();
        Catalogue { rules }
    }

    /// Adds the rules a validator described; a validator's rules are never opt-in.
    fn add_validator(&mut self, info: &ValidatorInfo, origin: &Origin) {
        let source = format!("{} {} ({origin})", info.name, info.version);
        self.rules.extend(info.rules.iter().map(|rule| RuleMeta {
            id: rule.id.clone(),
            title: rule.title.clone(),
            severity: severity_name(rule.severity),
            rationale: rule.rationale.clone(),
            fix: rule.fix.clone(),
            opt_in: false,
            source: source.clone(),
        }));
    }

    /// Every rule, in catalogue order.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// The rule with this id, if any.
    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|rule| rule.id == id)
    }

    /// Which opt-in rules run: those `--enable` (`flags`) and the stack file's
    /// `validation.enable` (`chosen`, written in `path`) name. An id that names no rule is
    /// an input error, at its line when the stack file wrote it.
    pub fn opted_in(
        &self,
        flags: &[String],
        chosen: &[RuleChoice],
        path: &Path,
    ) -> Result<BTreeSet<String>, Vec<Diagnostic>> {
        let named = flags
            .iter()
            .map(|id| (id, None))
            .chain(chosen.iter().map(|c| (&c.rule, Some(c.location))));
        let mut opted_in = BTreeSet::new();
        let mut errors = Vec::new();
        for (id, location) in named {
            match self.rule(id) {
                Some(_) => {
                    opted_in.insert(id.clone());
                }
                None => errors.push(self.unknown_rule(id, path, location)),
            }
        }
        if errors.is_empty() {
            Ok(opted_in)
        } else {
            Err(errors)
        }
    }

    /// An id that names no rule, with the ids that do.
    pub(crate) fn unknown_rule(
        &self,
        id: &str,
        path: &Path,
        location: Option<Location>,
    ) -> Diagnostic {
        let ids: Vec<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        let error = Diagnostic::error(format!("no rule has the id `{id}`"));
        let error = match location {
            Some(location) => error.at(path, Some(location)),
            None => error,
        };
        error.help(format!(
            "the rules are {}; `stackweave validate --list-rules` describes them",
            ids.join(", ")
        ))
    }
}

fn severity_name(severity: stackweave_rules::Severity) -> &'static str {
    match severity {
        stackweave_rules::Severity::Error => "error",
        stackweave_rules::Severity::Warning => "warning",
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use stackweave_rules::Severity;
    use stackweave_synth::ValidatorRule;

    use super::*;

    fn team_validator() -> ValidatorInfo {
        ValidatorInfo {
            name: "team-rules".to_owned(),
            version: "1.2.0".to_owned(),
            description: "the team's rules".to_owned(),
            rules: vec![ValidatorRule {
                id: "TEAM-1".to_owned(),
                title: "Tracing off".to_owned(),
                severity: Severity::Warning,
                rationale: "traces find slow calls".to_owned(),
                fix: "turn tracing on".to_owned(),
            }],
        }
    }

    fn with_team_rules() -> Catalogue {
        let mut catalogue = Catalogue::builtin();
        catalogue.add_validator(
            &team_validator(),
            &Origin::File(PathBuf::from("rules/team.wasm")),
        );
        catalogue
    }

    #[test]
    fn the_catalogue_lists_the_built_in_rules_then_each_validators() {
        let catalogue = with_team_rules();
        let rules = catalogue.rules();
        assert_eq!(rules.len(), stackweave_rules::RULES.len() + 1);
        for (meta, rule) in rules.iter().zip(stackweave_rules::RULES) {
            assert_eq!(meta.id, rule.id);
            assert_eq!(meta.opt_in, rule.opt_in);
            assert_eq!(meta.source, "built-in");
            assert!(["error", "warning"].contains(&meta.severity), "{meta:?}");
        }
        let team = rules.last().expect("the team's rule");
        assert_eq!(
            team,
            &RuleMeta {
                id: "TEAM-1".to_owned(),
                title: "Tracing off".to_owned(),
                severity: "warning",
                rationale: "traces find slow calls".to_owned(),
                fix: "turn tracing on".to_owned(),
                opt_in: false,
                source: "team-rules 1.2.0 (rules/team.wasm)".to_owned(),
            }
        );
        assert_eq!(catalogue.rule("TEAM-1"), Some(team));
        assert_eq!(
            catalogue.rule("SW-LOGS-1").map(|r| r.severity),
            Some("error")
        );
        assert_eq!(catalogue.rule("SW-NOPE-1"), None);
    }

    #[test]
    fn flags_and_the_stack_file_opt_in_to_rules_by_id() {
        let catalogue = with_team_rules();
        let opt_in = stackweave_rules::RULES
            .iter()
            .find(|r| r.opt_in)
            .expect("an opt-in rule");
        let chosen = [RuleChoice {
            rule: "TEAM-1".to_owned(),
            location: Location { line: 9, column: 5 },
        }];
        let opted_in = catalogue
            .opted_in(&[opt_in.id.to_owned()], &chosen, Path::new("stack.yaml"))
            .expect("known ids");
        assert_eq!(
            opted_in,
            BTreeSet::from([opt_in.id.to_owned(), "TEAM-1".to_owned()])
        );
        let none = catalogue
            .opted_in(&[], &[], Path::new("stack.yaml"))
            .expect("nothing asked");
        assert!(none.is_empty());
    }

    #[test]
    fn an_unknown_id_is_an_error_at_its_line_naming_every_rule() {
        let catalogue = with_team_rules();
        let chosen = [RuleChoice {
            rule: "SW-NOPE-1".to_owned(),
            location: Location {
                line: 7,
                column: 12,
            },
        }];
        let errors = catalogue
            .opted_in(
                &["SW-X".to_owned(), "SW-LOGS-1".to_owned()],
                &chosen,
                Path::new("stack.yaml"),
            )
            .expect_err("unknown ids");
        // Flags first, then the stack file; a flag has no line.
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].message, "no rule has the id `SW-X`");
        assert_eq!(errors[0].file, None);
        assert_eq!(errors[1].message, "no rule has the id `SW-NOPE-1`");
        assert_eq!(errors[1].file, Some(PathBuf::from("stack.yaml")));
        assert_eq!(
            errors[1].location,
            Some(Location {
                line: 7,
                column: 12
            })
        );
        let help = errors[1].help.as_deref().unwrap_or_default();
        assert!(
            help.contains("SW-LOGS-1") && help.contains("TEAM-1"),
            "{help}"
        );
        assert!(help.contains("--list-rules"), "{help}");
    }
}
