//! The stack file's `validation` section: which opt-in rules `stackweave validate` runs,
//! and which findings the team has accepted, each with its reason.
//!
//! Rule ids are not checked here: the rules belong to `stackweave validate` (built-in
//! rules and validator plugins), which reports unknown ids at the line that names them.

use serde_yaml::Value as Yaml;

use crate::format::{SUPPRESSION_KEYS, VALIDATION_KEYS};
use crate::model::{RuleChoice, Suppression, Validation};
use crate::parse::Analyser;
use stackweave_location::{At, ReadFields, get, join_pointer};

impl Analyser<'_, '_> {
    pub(crate) fn validation(&mut self, value: &Yaml) -> Validation {
        let help = "write e.g. `validation: { enable: [SW-SFN-2], suppress: [{ rule: SW-APIGW-1, reason: ... }] }`";
        let mut validation = Validation::default();
        if value.is_null() {
            return validation;
        }
        let Some(entries) = self.entries(value, "/validation", "`validation`", help) else {
            return validation;
        };
        self.check_keys(&entries, "/validation", VALIDATION_KEYS, "`validation`");
        if let Some(list) = get(&entries, "enable") {
            validation.enable = self.rule_ids(list, "/validation/enable");
        }
        if let Some(list) = get(&entries, "suppress") {
            validation.suppress = self.suppressions(list);
        }
        validation
    }

    fn rule_ids(&mut self, value: &Yaml, pointer: &str) -> Vec<RuleChoice> {
        let help = "list rule ids, e.g. `enable: [SW-SFN-2]`; `stackweave validate --list-rules` shows them";
        let Some(items) = self.list(value, pointer, "`enable`", help) else {
            return Vec::new();
        };
        let mut rules = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let at = join_pointer(pointer, &index.to_string());
            if let Some(rule) = self.non_empty_string(item, &at, "a rule id", help) {
                rules.push(RuleChoice { rule, pointer: at });
            }
        }
        rules
    }

    fn suppressions(&mut self, value: &Yaml) -> Vec<Suppression> {
        let help =
            "write each as `{ rule: SW-APIGW-1, resource: Api, reason: why this is accepted }`";
        let Some(items) = self.list(value, "/validation/suppress", "`suppress`", help) else {
            return Vec::new();
        };
        let mut suppressions = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let pointer = join_pointer("/validation/suppress", &index.to_string());
            let Some(entries) = self.entries(item, &pointer, "a suppression", help) else {
                continue;
            };
            self.check_keys(&entries, &pointer, SUPPRESSION_KEYS, "a suppression");
            let field = |analyser: &mut Self, key: &str, what: &str| {
                let value = get(&entries, key)?;
                analyser.non_empty_string(value, &join_pointer(&pointer, key), what, help)
            };
            let rule = field(self, "rule", "`rule`");
            let resource = field(self, "resource", "`resource`");
            let reason = field(self, "reason", "`reason`");
            if get(&entries, "rule").is_none() {
                self.require(&entries, &pointer, &["rule"], "a suppression");
            }
            if get(&entries, "reason").is_none() {
                // A suppression is a decision someone made; the reason is what a reviewer
                // and the reports show next to it.
                self.problems.push(
                    &pointer,
                    At::Key,
                    "a suppression has no `reason`".to_owned(),
                    "add `reason:` saying why this finding is accepted; reports show it",
                );
            }
            if let (Some(rule), Some(reason)) = (rule, reason) {
                suppressions.push(Suppression {
                    rule,
                    resource,
                    reason,
                    pointer,
                });
            }
        }
        suppressions
    }

    fn list<'v>(
        &mut self,
        value: &'v Yaml,
        pointer: &str,
        what: &str,
        help: &str,
    ) -> Option<&'v Vec<Yaml>> {
        match value {
            Yaml::Null => None,
            Yaml::Sequence(items) => Some(items),
            _ => {
                self.wrong_type(value, pointer, &format!("{what} must be a list"), help);
                None
            }
        }
    }

    fn non_empty_string(
        &mut self,
        value: &Yaml,
        pointer: &str,
        what: &str,
        help: &str,
    ) -> Option<String> {
        let text = self.string(value, pointer, what)?;
        if text.trim().is_empty() {
            self.problems
                .push(pointer, At::Value, format!("{what} is empty"), help);
            return None;
        }
        Some(text)
    }
}
