//! [`Fragment`]: what one construct contributes to the template.

use serde_json::{Map, Value};

use crate::Diagnostic;

/// What one construct contributes: resources, conditions and outputs keyed by local ids, the
/// values of its attributes, and warnings.
///
/// Local ids are ASCII letters and digits. The core derives each logical id from the
/// construct path plus the local id, leaving out a local id of `Resource`, so a construct's
/// main resource should be called `Resource` to get the construct's own id. `Ref`,
/// `Fn::GetAtt`, `Fn::Sub` and `DependsOn` that name local ids are rewritten to match.
///
/// The builder never fails; mistakes such as an invalid or repeated local id are kept and
/// reported as error diagnostics by [`run`](crate::run), so a plugin bug reaches the user as a
/// message rather than a trap.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fragment {
    resources: Map<String, Value>,
    conditions: Map<String, Value>,
    outputs: Map<String, Value>,
    attributes: Vec<(String, Value)>,
    warnings: Vec<Diagnostic>,
    mistakes: Vec<String>,
}

impl Fragment {
    /// An empty fragment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a resource (`{"Type": ..., "Properties": ...}`) under `local_id`.
    pub fn resource(mut self, local_id: impl Into<String>, value: Value) -> Self {
        let local_id = local_id.into();
        self.check_id(
            "resource",
            &local_id,
            self.resources.contains_key(&local_id),
        );
        self.resources.insert(local_id, value);
        self
    }

    /// Adds a condition under `local_id`.
    pub fn condition(mut self, local_id: impl Into<String>, value: Value) -> Self {
        let local_id = local_id.into();
        self.check_id(
            "condition",
            &local_id,
            self.conditions.contains_key(&local_id),
        );
        self.conditions.insert(local_id, value);
        self
    }

    /// Adds an output under `local_id`.
    pub fn output(mut self, local_id: impl Into<String>, value: Value) -> Self {
        let local_id = local_id.into();
        self.check_id("output", &local_id, self.outputs.contains_key(&local_id));
        self.outputs.insert(local_id, value);
        self
    }

    /// Sets the value of the attribute `name`: a CloudFormation expression naming local ids,
    /// such as `cfn::get_att("Resource", "Arn")`.
    pub fn attribute(mut self, name: impl Into<String>, expr: Value) -> Self {
        let name = name.into();
        if self.attributes.iter().any(|(known, _)| *known == name) {
            self.mistakes.push(format!(
                "the plugin set attribute `{name}` twice; set it once"
            ));
        }
        self.attributes.push((name, expr));
        self
    }

    /// Adds a diagnostic for the user. A warning lets synthesis go on; an error makes
    /// [`run`](crate::run) fail with every error the fragment holds.
    pub fn warning(mut self, diagnostic: Diagnostic) -> Self {
        self.warnings.push(diagnostic);
        self
    }

    /// The resources, by local id.
    pub fn resources(&self) -> &Map<String, Value> {
        &self.resources
    }

    /// The conditions, by local id.
    pub fn conditions(&self) -> &Map<String, Value> {
        &self.conditions
    }

    /// The outputs, by local id.
    pub fn outputs(&self) -> &Map<String, Value> {
        &self.outputs
    }

    /// The attribute values, in the order they were set.
    pub fn attributes(&self) -> &[(String, Value)] {
        &self.attributes
    }

    /// The value of one attribute.
    pub fn attribute_value(&self, name: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value)
    }

    /// The diagnostics added with [`Fragment::warning`].
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The template part as the WIT contract has it: an object with `Resources`,
    /// `Conditions` and `Outputs`, each present only when it is not empty.
    pub fn template(&self) -> Value {
        let mut template = Map::new();
        for (key, section) in [
            ("Conditions", &self.conditions),
            ("Resources", &self.resources),
            ("Outputs", &self.outputs),
        ] {
            if !section.is_empty() {
                template.insert(key.to_owned(), Value::Object(section.clone()));
            }
        }
        Value::Object(template)
    }

    /// Builder mistakes, each a message for the user.
    pub(crate) fn mistakes(&self) -> &[String] {
        &self.mistakes
    }

    /// Puts the attributes in the order `names` gives; names not listed go last.
    pub(crate) fn sort_attributes(&mut self, names: &[&str]) {
        self.attributes.sort_by_key(|(name, _)| {
            names
                .iter()
                .position(|known| known == name)
                .unwrap_or(names.len())
        });
    }

    fn check_id(&mut self, kind: &str, local_id: &str, taken: bool) {
        if !is_local_id(local_id) {
            self.mistakes.push(format!(
                "the plugin named a {kind} `{local_id}`, but local ids are ASCII letters and \
                 digits only; use a name such as `Resource` or `LogGroup`"
            ));
        } else if taken {
            self.mistakes.push(format!(
                "the plugin added {kind} `{local_id}` twice; give each {kind} its own local id"
            ));
        }
    }
}

/// Whether `id` can be a local id: one or more ASCII letters and digits, as CloudFormation
/// logical ids require.
pub fn is_local_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_sections_are_left_out() {
        let fragment = Fragment::new().resource("Resource", json!({"Type": "AWS::SNS::Topic"}));
        assert_eq!(
            fragment.template(),
            json!({"Resources": {"Resource": {"Type": "AWS::SNS::Topic"}}})
        );
        assert_eq!(Fragment::new().template(), json!({}));
    }

    #[test]
    fn all_sections_and_attributes_are_kept_in_order() {
        let fragment = Fragment::new()
            .output("Url", json!({"Value": "x"}))
            .condition("IsProd", json!({"Fn::Equals": ["a", "b"]}))
            .resource("Resource", json!({"Type": "AWS::SNS::Topic"}))
            .resource("Policy", json!({"Type": "AWS::SNS::TopicPolicy"}))
            .attribute("arn", json!({"Ref": "Resource"}))
            .attribute("name", json!("n"))
            .warning(Diagnostic::warning(None, "careful"));
        let template = fragment.template();
        let keys: Vec<_> = template
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["Conditions", "Resources", "Outputs"]);
        let resources: Vec<_> = fragment.resources().keys().cloned().collect();
        assert_eq!(resources, ["Resource", "Policy"]);
        assert_eq!(fragment.attribute_value("name"), Some(&json!("n")));
        assert_eq!(fragment.attribute_value("url"), None);
        assert_eq!(fragment.warnings().len(), 1);
        assert!(fragment.mistakes().is_empty());
    }

    #[test]
    fn invalid_and_repeated_ids_are_recorded() {
        let fragment = Fragment::new()
            .resource("Log-Group", json!({}))
            .resource("", json!({}))
            .resource("A", json!({}))
            .resource("A", json!({}))
            .output("A", json!({}))
            .attribute("arn", json!(1))
            .attribute("arn", json!(2));
        let mistakes = fragment.mistakes();
        assert_eq!(mistakes.len(), 4, "{mistakes:?}");
        assert!(mistakes[0].contains("`Log-Group`"));
        assert!(mistakes[2].contains("twice"));
        assert!(mistakes[3].contains("attribute `arn` twice"));
    }

    #[test]
    fn local_ids_are_ascii_alphanumeric() {
        assert!(is_local_id("Resource"));
        assert!(is_local_id("Deployment0a1b2c3d"));
        assert!(!is_local_id(""));
        assert!(!is_local_id("Path_Start"));
        assert!(!is_local_id("Café"));
    }
}
