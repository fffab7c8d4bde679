//! A validator plugin as the rest of Stackweave sees it: what it described (name, version,
//! rules) as plain data, and its run over a template, with findings in the built-in rules'
//! shape ([`stackweave_rules::Finding`]) and a failure as a [`Diagnostic`]. The host's
//! validator types stay behind this file, so `stackweave validate` calls no wasm itself.

use std::path::Path;

use stackweave_host::Validator;
use stackweave_rules::{Finding, Severity};

use crate::diagnostic::{Diagnostic, PluginLabel};
use crate::origin::Origin;

/// A validator found in a plugin folder, with what identifies it.
pub struct LoadedValidator {
    /// The loaded component.
    validator: Validator,
    /// What it said about itself, as data.
    info: ValidatorInfo,
    /// Where it came from (always a file: no validator is built in).
    pub origin: Origin,
    /// Hex sha256 of its bytes.
    pub sha256: String,
}

/// What a validator says about itself (`describe`), already checked and made safe to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorInfo {
    /// Its name, shown with its findings; unique among the plugins a run sees.
    pub name: String,
    /// The validator's own version.
    pub version: String,
    /// One line for people.
    pub description: String,
    /// Every rule it may report, in its order.
    pub rules: Vec<ValidatorRule>,
}

/// One rule a validator checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorRule {
    /// Stable public id, such as `TEAM-TRACE-1`.
    pub id: String,
    /// Short name, as a heading.
    pub title: String,
    /// How serious its findings are.
    pub severity: Severity,
    /// Why the problem matters.
    pub rationale: String,
    /// What to change to fix it.
    pub fix: String,
}

impl LoadedValidator {
    pub(crate) fn new(validator: Validator, origin: Origin, sha256: String) -> LoadedValidator {
        let described = validator.info();
        let info = ValidatorInfo {
            name: described.name.clone(),
            version: described.version.clone(),
            description: described.description.clone(),
            rules: described
                .rules
                .iter()
                .map(|rule| ValidatorRule {
                    id: rule.id.clone(),
                    title: rule.title.clone(),
                    severity: match rule.severity {
                        stackweave_host::Severity::Error => Severity::Error,
                        stackweave_host::Severity::Warning => Severity::Warning,
                    },
                    rationale: rule.rationale.clone(),
                    fix: rule.fix.clone(),
                })
                .collect(),
        };
        LoadedValidator {
            validator,
            info,
            origin,
            sha256,
        }
    }

    /// What `describe` said: name, version and rules.
    pub fn info(&self) -> &ValidatorInfo {
        &self.info
    }

    /// How messages name this validator.
    pub fn label(&self) -> PluginLabel {
        PluginLabel {
            name: self.info.name.clone(),
            origin: self.origin.to_string(),
        }
    }

    /// Runs the validator on one template (JSON text) read from `path`. A validator that
    /// fails (a trap, a limit, an undeclared rule) is an error naming it: its rules could
    /// not be checked.
    pub(crate) fn check(
        &self,
        template_json: &str,
        path: &Path,
    ) -> Result<Vec<Finding>, Diagnostic> {
        match self.validator.validate(template_json) {
            Ok(found) => Ok(found
                .into_iter()
                .map(|f| Finding {
                    rule_id: f.rule_id,
                    logical_id: f.logical_id,
                    pointer: f.pointer,
                    message: f.message,
                    undecided: f.undecided,
                })
                .collect()),
            Err(error) => Err(
                Diagnostic::error(format!("validating {}: {error}", path.display()))
                    .plugin(self.label())
                    .help("fix or remove the validator plugin; its rules were not checked"),
            ),
        }
    }
}
