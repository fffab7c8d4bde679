//! A loaded validator: a component of the `validator-plugin` world
//! (`wit/validator/since_v0.1.0/validator.wit`) holding a team's policy rules. Compiled once,
//! described once, then called in a fresh store for every template it checks: the same
//! sandbox, limits and cache as construct plugins (`component`).

use std::collections::BTreeSet;

use wasmtime::Store;

use crate::bindings::validator_v0_1::stackweave::validator::types as wit;
use crate::bindings::validator_v0_1::{ValidatorPlugin, ValidatorPluginPre};
use crate::cache::Compiled;
use crate::component::{self, Prepared};
use crate::contract::ContractVersion;
use crate::error::{CallError, LoadError};
use crate::plugin::{Plugin, Severity, is_construct_name};
use crate::sandbox::{Limits, Runtime, Sandbox};
use crate::text;

/// The prefix of rule ids reserved for Stackweave's built-in rules (`SW-IAM-1`).
pub const RESERVED_RULE_PREFIX: &str = "SW-";

/// What a validator says about itself (`describe`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorInfo {
    /// Its name, shown with its findings; unique among the plugins a run sees.
    pub name: String,
    /// The validator's own version.
    pub version: String,
    /// One line for people.
    pub description: String,
    /// Every rule it may report, in its order; ids checked unique and well formed.
    pub rules: Vec<RuleInfo>,
    /// The validator contract version it was built against.
    pub contract: ContractVersion,
}

impl ValidatorInfo {
    /// The rule with this id, if the validator declares it.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|rule| rule.id == id)
    }
}

/// One rule a validator checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable public id, such as `TEAM-TRACE-1` (see [`is_rule_id`]).
    pub id: String,
    /// Short name, as a heading.
    pub title: String,
    /// How serious its findings are: [`Severity::Error`], the template should not be
    /// deployed as it is; [`Severity::Warning`], worth a look.
    pub severity: Severity,
    /// Why the problem matters.
    pub rationale: String,
    /// What to change to fix it.
    pub fix: String,
}

/// One problem a validator's rule found in a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule that found it: always one the validator declared.
    pub rule_id: String,
    /// The logical id of the resource at fault.
    pub logical_id: String,
    /// JSON Pointer (RFC 6901) into the template at the offending value.
    pub pointer: String,
    /// What is wrong, specifically.
    pub message: String,
    /// The rule could not decide: a value is an intrinsic only CloudFormation resolves.
    pub undecided: bool,
}

/// A validator ready to run.
pub struct Validator {
    pre: ValidatorPluginPre<Sandbox>,
    info: ValidatorInfo,
    limits: Limits,
    compiled: Compiled,
}

/// A component loaded as whichever kind of plugin its exports say it is.
pub enum Component {
    /// It exports `stackweave:plugin/construct`: a construct plugin.
    Construct(Plugin),
    /// It exports `stackweave:validator/validator`: a validator.
    Validator(Validator),
}

/// Checks, compiles (or takes from the runtime's cache) and describes a component as a
/// construct plugin or a validator, whichever world it exports, reading its exports once.
/// A component exporting both, or neither, is refused.
pub fn load_any(
    runtime: &Runtime,
    bytes: &[u8],
    sha256: &[u8; 32],
) -> Result<Component, LoadError> {
    let prepared = component::prepare(runtime, bytes, sha256)?;
    let exports = &prepared.exports;
    match (exports.construct, exports.validator) {
        (Some(_), Some(_)) => Err(LoadError::BothWorlds),
        (Some(_), None) => Plugin::from_prepared(runtime, prepared).map(Component::Construct),
        (None, Some(_)) => Validator::from_prepared(runtime, prepared).map(Component::Validator),
        (None, None) => Err(LoadError::NotAnyPlugin {
            exports: prepared.exports.others,
        }),
    }
}

impl Validator {
    /// Checks, compiles (or takes from the runtime's cache) and describes a validator from
    /// its bytes. `sha256` is the digest of `bytes`; it names the cache entry.
    pub fn load(
        runtime: &Runtime,
        bytes: &[u8],
        sha256: &[u8; 32],
    ) -> Result<Validator, LoadError> {
        let prepared = component::prepare(runtime, bytes, sha256)?;
        Validator::from_prepared(runtime, prepared)
    }

    /// Makes a validator of a compiled component whose exports have been read: checks it
    /// speaks a validator contract this host loads, links it and describes it.
    pub(crate) fn from_prepared(
        runtime: &Runtime,
        prepared: Prepared,
    ) -> Result<Validator, LoadError> {
        let Prepared {
            component,
            compiled,
            exports,
        } = prepared;
        let contract = match exports.validator {
            Some(version) if version.is_supported_validator() => version,
            Some(found) => return Err(LoadError::IncompatibleValidatorContract { found }),
            None if exports.construct.is_some() => return Err(LoadError::IsAConstruct),
            None => {
                return Err(LoadError::NotAValidator {
                    exports: exports.others,
                });
            }
        };
        let instance_pre = component::instantiate_pre(runtime, &component)?;
        let pre = ValidatorPluginPre::new(instance_pre)
            .map_err(|e| LoadError::WrongShape(format!("{e:#}")))?;
        let mut validator = Validator {
            pre,
            info: ValidatorInfo {
                name: String::new(),
                version: String::new(),
                description: String::new(),
                rules: Vec::new(),
                contract,
            },
            limits: runtime.limits,
            compiled,
        };
        validator.info = validator.describe(contract)?;
        Ok(validator)
    }

    /// What the validator said about itself.
    pub fn info(&self) -> &ValidatorInfo {
        &self.info
    }

    /// Whether this run compiled the validator or took it from the cache.
    pub fn compiled(&self) -> Compiled {
        self.compiled
    }

    fn describe(&self, contract: ContractVersion) -> Result<ValidatorInfo, LoadError> {
        let answer = self
            .call(|plugin, store| plugin.stackweave_validator_validator().call_describe(store))
            .map_err(|e| LoadError::Describe(Box::new(e)))?;
        // All of it is shown to people (`plugins`, reports, SARIF).
        let shown = |text: &str| text::line(text, self.limits.text_bytes);
        let info = ValidatorInfo {
            name: shown(&answer.name),
            version: shown(&answer.version),
            description: shown(&answer.description),
            rules: answer
                .rules
                .iter()
                .map(|rule| RuleInfo {
                    id: shown(&rule.id),
                    title: shown(&rule.title),
                    severity: match rule.severity {
                        wit::Severity::Error => Severity::Error,
                        wit::Severity::Warning => Severity::Warning,
                    },
                    rationale: shown(&rule.rationale),
                    fix: shown(&rule.fix),
                })
                .collect(),
            contract,
        };
        check_description(&info)?;
        Ok(info)
    }

    /// Checks one template (JSON text, long-form intrinsics) in a fresh store and returns
    /// the findings in the validator's order. Fails if the call fails (a trap, a budget),
    /// if the validator says it cannot check the template, if its answer is larger than
    /// [`Limits::output_bytes`], if it reports more than [`Limits::findings`] findings, or
    /// if a finding names a rule the validator did not declare or a pointer that is not a
    /// JSON Pointer. Its text is made safe to show and cut to [`Limits::text_bytes`].
    pub fn validate(&self, template_json: &str) -> Result<Vec<Finding>, CallError> {
        let answer = self.call(|plugin, store| {
            plugin
                .stackweave_validator_validator()
                .call_validate(store, template_json)
        })?;
        let size = match &answer {
            Ok(findings) => findings
                .iter()
                .map(|f| f.rule_id.len() + f.logical_id.len() + f.pointer.len() + f.message.len())
                .sum(),
            Err(message) => message.len(),
        };
        if size > self.limits.output_bytes {
            return Err(CallError::OutputTooLarge {
                limit: self.limits.output_bytes,
                actual: size,
            });
        }
        let shown = |text: &str| text::line(text, self.limits.text_bytes);
        let findings = answer.map_err(|message| CallError::ValidatorFailed {
            message: shown(&message),
        })?;
        if findings.len() > self.limits.findings {
            return Err(CallError::TooManyFindings {
                limit: self.limits.findings,
                actual: findings.len(),
            });
        }
        findings
            .into_iter()
            .map(|finding| wit::Finding {
                rule_id: shown(&finding.rule_id),
                logical_id: shown(&finding.logical_id),
                pointer: shown(&finding.pointer),
                message: shown(&finding.message),
                undecided: finding.undecided,
            })
            .map(|finding| {
                if self.info.rule(&finding.rule_id).is_none() {
                    return Err(CallError::UndeclaredRule {
                        rule_id: finding.rule_id,
                    });
                }
                if !is_json_pointer(&finding.pointer) {
                    return Err(CallError::BadFinding {
                        reason: format!(
                            "its pointer `{}` is not a JSON Pointer (empty, or `/` followed by keys, such as `/Resources/Queue/Properties`)",
                            finding.pointer
                        ),
                        rule_id: finding.rule_id,
                    });
                }
                Ok(Finding {
                    rule_id: finding.rule_id,
                    logical_id: finding.logical_id,
                    pointer: finding.pointer,
                    message: finding.message,
                    undecided: finding.undecided,
                })
            })
            .collect()
    }

    /// Instantiates in a fresh store and runs `f` there, under the sandbox's limits.
    fn call<R: Send>(
        &self,
        f: impl FnOnce(&ValidatorPlugin, &mut Store<Sandbox>) -> wasmtime::Result<R> + Send,
    ) -> Result<R, CallError> {
        component::call(
            self.pre.engine(),
            &self.limits,
            None,
            |store| self.pre.instantiate(store),
            f,
        )
    }
}

/// Whether `id` can be a rule id: upper-case words of letters and digits joined by `-`, the
/// first starting with a letter (`TEAM-TRACE-1`), as `[A-Z][A-Z0-9]*(-[A-Z0-9]+)*`.
pub fn is_rule_id(id: &str) -> bool {
    let upper_or_digit = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
    let mut words = id.split('-');
    let first_ok = words.next().is_some_and(|first| {
        first.starts_with(|c: char| c.is_ascii_uppercase()) && first.chars().all(upper_or_digit)
    });
    first_ok && words.all(|word| !word.is_empty() && word.chars().all(upper_or_digit))
}

/// Whether `pointer` is a JSON Pointer (RFC 6901): empty, or `/`-prefixed keys in which `~`
/// only starts `~0` or `~1`.
fn is_json_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    pointer.starts_with('/')
        && pointer
            .split('~')
            .skip(1)
            .all(|after| after.starts_with(['0', '1']))
}

fn check_description(info: &ValidatorInfo) -> Result<(), LoadError> {
    let bad = |message: String| Err(LoadError::BadDescription(message));
    if !is_construct_name(&info.name) {
        return bad(format!(
            "its name `{}` is not lowercase words joined by `-` (like `team-rules`)",
            info.name
        ));
    }
    if info.rules.is_empty() {
        return bad(
            "it declares no rules, so it could report nothing; list every rule it checks in `rules`"
                .to_string(),
        );
    }
    let mut seen = BTreeSet::new();
    for rule in &info.rules {
        if !is_rule_id(&rule.id) {
            return bad(format!(
                "its rule id `{}` is not upper-case letters and digits in `-`-separated parts, starting with a letter (like `TEAM-TRACE-1`)",
                rule.id
            ));
        }
        if rule.id.starts_with(RESERVED_RULE_PREFIX) {
            return bad(format!(
                "its rule id `{}` starts with `{RESERVED_RULE_PREFIX}`, which is reserved for Stackweave's built-in rules; use a prefix of your team's own",
                rule.id
            ));
        }
        if !seen.insert(rule.id.as_str()) {
            return bad(format!("it declares the rule `{}` twice", rule.id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_upper_case_words_starting_with_a_letter() {
        for good in ["TEAM-TRACE-1", "A", "X1", "ACME-2-B", "SW"] {
            assert!(is_rule_id(good), "{good}");
        }
        for bad in [
            "", "team-1", "1TEAM", "TEAM-", "-TEAM", "TEAM--1", "TEAM_1", "TEAM 1", "TÉAM",
        ] {
            assert!(!is_rule_id(bad), "{bad}");
        }
    }

    #[test]
    fn pointers_are_checked_for_the_json_pointer_syntax() {
        for good in ["", "/", "/Resources/A", "/a~1b/c~0d", "/Resources//x"] {
            assert!(is_json_pointer(good), "{good}");
        }
        for bad in ["Resources/A", "/a~2", "/a~", "#/Resources"] {
            assert!(!is_json_pointer(bad), "{bad}");
        }
    }

    fn info(name: &str, ids: &[&str]) -> ValidatorInfo {
        ValidatorInfo {
            name: name.into(),
            version: "1.0.0".into(),
            description: "test".into(),
            rules: ids
                .iter()
                .map(|id| RuleInfo {
                    id: id.to_string(),
                    title: "t".into(),
                    severity: Severity::Warning,
                    rationale: "r".into(),
                    fix: "f".into(),
                })
                .collect(),
            contract: crate::VALIDATOR_CONTRACT_VERSION,
        }
    }

    fn refusal(info: &ValidatorInfo) -> String {
        check_description(info)
            .expect_err("the description is refused")
            .to_string()
    }

    #[test]
    fn descriptions_are_checked() {
        assert!(check_description(&info("team-rules", &["TEAM-1", "TEAM-2"])).is_ok());
        assert!(refusal(&info("Team", &["TEAM-1"])).contains("its name `Team`"));
        assert!(refusal(&info("team", &[])).contains("declares no rules"));
        assert!(refusal(&info("team", &["team-1"])).contains("`team-1` is not upper-case"));
        let reserved = refusal(&info("team", &["SW-IAM-1"]));
        assert!(
            reserved.contains("reserved for Stackweave's built-in rules"),
            "{reserved}"
        );
        let twice = refusal(&info("team", &["TEAM-1", "TEAM-2", "TEAM-1"]));
        assert!(
            twice.contains("declares the rule `TEAM-1` twice"),
            "{twice}"
        );
    }
}
