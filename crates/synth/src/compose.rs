//! Composition: the child constructs a plugin creates while it synthesises (contract 0.2's
//! `add-child`), as CDK constructs create others in their constructors.
//!
//! A child runs at once, in the parent's call, under the same sandbox limits (a fresh store
//! of its own); its path is the parent's path plus its id, so its logical ids nest under
//! the parent's by the usual rule, and the parent receives the child's attributes already
//! rewritten to those logical ids. Children are merged before their parent, a child after
//! its own children. Depth is bounded and a plugin cannot create itself, directly or
//! through others.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use stackweave_host::{Composer, Severity, SynthContext};
use stackweave_stack::PluginRef;
use stackweave_template::{TemplateBuilder, is_valid_logical_id};

use crate::answer::{self, Answer, Problem};
use crate::diagnostic::PluginLabel;
use crate::registry::Registry;

/// How deep constructs may nest: a construct of the stack file is at depth 1.
pub(crate) const MAX_DEPTH: usize = 8;

/// The start of what a parent hears when its child fails. The child's own problems are
/// reported under the child's path, so a parent that merely passes this on is not
/// reported again.
pub(crate) const CHILD_FAILED: &str = "the child construct";

/// What became of one child construct.
pub(crate) struct Child {
    /// From the stack file's construct down to the child.
    pub path: Vec<String>,
    pub plugin: PluginLabel,
    pub warnings: Vec<stackweave_host::Diagnostic>,
    pub result: Result<Answer, Vec<Problem>>,
}

/// Every child created under one construct of the stack file, in merge order.
pub(crate) type Children = Arc<Mutex<Vec<Child>>>;

/// Answers one construct's requests for children.
pub(crate) struct Composition {
    registry: Arc<Registry>,
    stack_name: String,
    /// The path of the construct whose call this is.
    path: Vec<String>,
    /// The plugins from the stack file's construct down to this one.
    plugins: Vec<String>,
    children: Children,
    /// The ids this construct has given its children.
    ids: Mutex<BTreeSet<String>>,
}

impl Composition {
    /// The composer of a construct of the stack file, and where its children will be.
    pub(crate) fn root(
        registry: Arc<Registry>,
        stack_name: &str,
        construct_id: &str,
        plugin: &str,
    ) -> (Arc<Composition>, Children) {
        let children = Children::default();
        let composition = Composition {
            registry,
            stack_name: stack_name.to_string(),
            path: vec![construct_id.to_string()],
            plugins: vec![plugin.to_string()],
            children: Arc::clone(&children),
            ids: Mutex::default(),
        };
        (Arc::new(composition), children)
    }

    fn children(&self) -> std::sync::MutexGuard<'_, Vec<Child>> {
        self.children.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `props` as a stack file would have written them: schemas describe props as written, where
/// a reference to another construct is a `${...}` string, but a parent passes a child
/// CloudFormation expressions (`{"Ref": ...}`, `{"Fn::GetAtt": ...}`, ...). Each becomes
/// such a string before validation.
fn as_written(props: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match props {
        Value::Object(map)
            if map.len() == 1 && map.keys().all(|k| k == "Ref" || k.starts_with("Fn::")) =>
        {
            Value::String("${expression}".into())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), as_written(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(as_written).collect()),
        other => other.clone(),
    }
}

/// An error for the calling plugin.
fn refusal(message: String) -> Vec<stackweave_host::Diagnostic> {
    vec![stackweave_host::Diagnostic {
        severity: Severity::Error,
        message,
        path: None,
    }]
}

impl Composer for Composition {
    fn add_child(
        &self,
        plugin: &str,
        id: &str,
        props: &str,
    ) -> Result<Vec<(String, String)>, Vec<stackweave_host::Diagnostic>> {
        let parent = self.path.join("/");
        if !is_valid_logical_id(id) {
            return Err(refusal(format!(
                "`{id}` cannot be a child construct's id: use letters and digits, starting with a letter (it becomes part of logical ids)"
            )));
        }
        if !self
            .ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_string())
        {
            return Err(refusal(format!(
                "`{parent}` already has a child construct `{id}`; give each child its own id"
            )));
        }
        if self.path.len() >= MAX_DEPTH {
            return Err(refusal(format!(
                "constructs nest at most {MAX_DEPTH} deep, and `{parent}/{id}` would be deeper"
            )));
        }
        if self.plugins.iter().any(|p| p == plugin) {
            let mut cycle = self.plugins.clone();
            cycle.push(plugin.to_string());
            return Err(refusal(format!(
                "plugins would create each other without end: {}",
                cycle.join(" -> ")
            )));
        }
        let Some(child) = self.registry.get(&PluginRef::Name(plugin.to_string())) else {
            if self.registry.validator_named(plugin).is_some() {
                return Err(refusal(format!(
                    "`{plugin}` is a validator plugin: it checks templates (`stackweave validate`) and cannot be the construct `{parent}/{id}`"
                )));
            }
            let names = self.registry.names();
            let hint = crate::diagnostic::closest(plugin, names.iter().map(String::as_str))
                .map(|close| format!("; did you mean `{close}`?"))
                .unwrap_or_default();
            return Err(refusal(format!(
                "no plugin is named `{plugin}`, so `{parent}/{id}` cannot be created{hint}"
            )));
        };
        let mut path = self.path.clone();
        path.push(id.to_string());
        let label = child.label();
        let failed = |problems: Vec<Problem>, warnings| {
            self.children().push(Child {
                path: path.clone(),
                plugin: label.clone(),
                warnings,
                result: Err(problems),
            });
            refusal(format!(
                "{CHILD_FAILED} `{}` failed (its errors are reported with it)",
                path.join("/")
            ))
        };

        let parsed: serde_json::Value = serde_json::from_str(props)
            .map_err(|e| refusal(format!("the props of child `{id}` are not JSON: {e}")))?;
        let written = as_written(&parsed);
        let schema_errors: Vec<Problem> = child
            .schema
            .iter_errors(&written)
            .map(|error| {
                Problem::Plugin(stackweave_host::Diagnostic {
                    severity: Severity::Error,
                    message: format!("props{}: {error}", error.instance_path().as_str()),
                    path: None,
                })
            })
            .collect();
        if !schema_errors.is_empty() {
            return Err(failed(schema_errors, Vec::new()));
        }

        let mut plugins = self.plugins.clone();
        plugins.push(plugin.to_string());
        let grandchildren_before = self.children().len();
        let nested = Composition {
            registry: Arc::clone(&self.registry),
            stack_name: self.stack_name.clone(),
            path: path.clone(),
            plugins,
            children: Arc::clone(&self.children),
            ids: Mutex::default(),
        };
        let context = SynthContext {
            stack_name: self.stack_name.clone(),
            construct_id: id.to_string(),
            construct_path: path.clone(),
        };
        let answer = child.plugin.synth(&context, props, Some(Arc::new(nested)));
        let grandchildren_failed = self.children()[grandchildren_before..]
            .iter()
            .any(|c| c.result.is_err());
        let checked = answer::check(child, answer, grandchildren_failed);
        let answer = match checked.result {
            Ok(answer) if !grandchildren_failed => answer,
            Ok(_) => return Err(failed(Vec::new(), checked.warnings)),
            Err(problems) => return Err(failed(problems, checked.warnings)),
        };
        let attributes = match TemplateBuilder::attributes_at(
            &path,
            &answer.fragment,
            answer.attributes.clone(),
        ) {
            Ok(attributes) => attributes,
            Err(error) => {
                return Err(failed(
                    vec![Problem::Bug(error.to_string())],
                    checked.warnings,
                ));
            }
        };
        self.children().push(Child {
            path,
            plugin: label,
            warnings: checked.warnings,
            result: Ok(answer),
        });
        Ok(attributes
            .into_iter()
            .map(|(name, value)| (name, value.to_string()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use stackweave_host::{Limits, Runtime};

    use super::*;

    /// A composer for a construct at `path` whose chain of plugins is `plugins`, over a
    /// registry of the standard plugins (none loaded: these checks come first).
    fn composer(path: &[&str], plugins: &[&str]) -> Composition {
        let runtime = Runtime::new(Limits::default()).expect("an engine");
        let registry = Registry::discover(runtime, &[]).expect("the standard plugins");
        Composition {
            registry: Arc::new(registry),
            stack_name: "Test".into(),
            path: path.iter().map(|p| p.to_string()).collect(),
            plugins: plugins.iter().map(|p| p.to_string()).collect(),
            children: Children::default(),
            ids: Mutex::default(),
        }
    }

    fn refused(composer: &Composition, plugin: &str, id: &str) -> String {
        match composer.add_child(plugin, id, "{}") {
            Ok(_) => panic!("`{id}` ({plugin}) was created"),
            Err(diagnostics) => diagnostics[0].message.clone(),
        }
    }

    #[test]
    fn depth_ids_and_cycles_are_checked_before_anything_runs() {
        let deep: Vec<String> = (1..=MAX_DEPTH).map(|i| format!("Level{i}")).collect();
        let deep: Vec<&str> = deep.iter().map(String::as_str).collect();
        let message = refused(&composer(&deep, &["team"]), "logging", "Logs");
        assert!(message.contains("nest at most 8 deep"), "{message}");

        let api = composer(&["Api"], &["api-integration"]);
        let message = refused(&api, "iam-role", "role-1");
        assert!(message.contains("letters and digits"), "{message}");
        let message = refused(&api, "api-integration", "Again");
        assert_eq!(
            message,
            "plugins would create each other without end: api-integration -> api-integration"
        );
    }

    #[test]
    fn expressions_are_validated_as_the_strings_a_stack_file_would_hold() {
        let props = json!({
            "role": {"Fn::GetAtt": ["Role", "Arn"]},
            "resources": [{"Ref": "Workflow"}, "*"],
            "definition": {"States": {"A": {"Type": "Pass"}}},
            "pair": {"Ref": "X", "Other": 1}
        });
        assert_eq!(
            as_written(&props),
            json!({
                "role": "${expression}",
                "resources": ["${expression}", "*"],
                "definition": {"States": {"A": {"Type": "Pass"}}},
                "pair": {"Ref": "X", "Other": 1}
            })
        );
    }
}
