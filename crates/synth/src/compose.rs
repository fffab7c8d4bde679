//! Composition: the child constructs a plugin creates while it synthesises (contract 0.2's
//! `add-child`), as CDK constructs create others in their constructors.
//!
//! A child runs at once, in the parent's call, under the same sandbox limits (a fresh store
//! of its own); its path is the parent's path plus its id, so its logical ids nest under
//! the parent's by the usual rule, and the parent receives the child's attributes already
//! rewritten to those logical ids. Children are merged before their parent, a child after
//! its own children. Depth is bounded and a plugin cannot create itself, directly or
//! through others. Every child draws on the synthesis' budget (`budget`), checked before
//! it starts.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use stackweave_host::{Composer, Severity, SynthContext};
use stackweave_stack::PluginRef;
use stackweave_stack::format::{LOGICAL_NAME_PATTERN, MAX_LOGICAL_NAME, is_logical_name};
use stackweave_template::{TemplateBuilder, referenced_ids, shortened};

use crate::answer::{self, Answer};
use crate::budget::Spending;
use crate::diagnostic::PluginLabel;
use crate::handing::Parent;
use crate::problem::Problem;
use crate::registry::Registry;

/// How deep constructs may nest: a construct of the stack file is at depth 1.
pub(crate) const MAX_DEPTH: usize = 8;

/// What a parent hears when its child at `path` fails. The child's own problems are
/// reported under the child's path; this only makes the parent fail in turn.
fn child_failed(path: &[String]) -> String {
    format!(
        "the child construct `{}` failed (its errors are reported with it)",
        path.join("/")
    )
}

/// The refusals a construct was given for its failed children, word for word. The
/// contract's diagnostics carry no kind, so a plugin passes such a refusal back as an error
/// of its own (`add_child(...)?`); the run tells passing on from an error of the plugin's
/// own by equality with what the host issued. (The host keeps a plugin's message whole up
/// to `Limits::text_bytes`, 4 KiB, beyond the longest refusal: eight nested ids of 255
/// characters.)
#[derive(Default)]
pub(crate) struct ChildFailures(BTreeSet<String>);

impl ChildFailures {
    /// Whether `problem` only passes on one of these refusals.
    pub(crate) fn passes_on(&self, problem: &Problem) -> bool {
        matches!(problem, Problem::Plugin(d) if self.0.contains(&d.message))
    }
}

/// How many of a construct tree's child schema errors are traced back to the stack file's
/// props: each trace walks those props once, so a plugin failing child after child cannot
/// make the run quadratic. Errors beyond it keep naming the child's prop.
const MAX_TRACED: usize = 64;

/// What became of one child construct.
pub(crate) struct Child {
    /// From the stack file's construct down to the child.
    pub path: Vec<String>,
    pub plugin: PluginLabel,
    pub warnings: Vec<stackweave_host::Diagnostic>,
    /// The template ids its props named: all it may refer to besides its own.
    pub handed: BTreeSet<String>,
    pub result: Result<Answer, Vec<Problem>>,
}

/// What one construct of the stack file and all its descendants made, in merge order.
#[derive(Default)]
pub(crate) struct Tree {
    children: Mutex<Vec<Child>>,
    /// Whether a child of this tree was refused for the synthesis' budget: one such refusal
    /// is recorded, later ones only refused (a parent may keep asking).
    out_of_budget: AtomicBool,
    /// Warnings of children kept so far, and dropped beyond the budget's `warnings`: a tree
    /// keeps no more than the whole run shows.
    warnings_kept: AtomicUsize,
    warnings_dropped: AtomicUsize,
    /// Child schema errors traced so far (at most [`MAX_TRACED`]).
    traced: AtomicUsize,
}

impl Tree {
    fn children(&self) -> std::sync::MutexGuard<'_, Vec<Child>> {
        self.children.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The children, in merge order, and how many of their warnings were dropped.
    pub(crate) fn take(&self) -> (Vec<Child>, usize) {
        (
            std::mem::take(&mut *self.children()),
            self.warnings_dropped.load(Ordering::Relaxed),
        )
    }

    /// Keeps what the run can show of a child's warnings.
    fn keep_warnings(
        &self,
        mut warnings: Vec<stackweave_host::Diagnostic>,
        shown: usize,
    ) -> Vec<stackweave_host::Diagnostic> {
        let kept = self
            .warnings_kept
            .fetch_add(warnings.len(), Ordering::Relaxed);
        let room = shown.saturating_sub(kept);
        if warnings.len() > room {
            self.warnings_dropped
                .fetch_add(warnings.len() - room, Ordering::Relaxed);
            warnings.truncate(room);
        }
        warnings
    }
}

/// Answers one construct's requests for children.
pub(crate) struct Composition {
    registry: Arc<Registry>,
    spending: Arc<Spending>,
    stack_name: String,
    /// The path of the construct whose call this is.
    path: Vec<String>,
    /// The plugins from the stack file's construct down to this one.
    plugins: Vec<String>,
    tree: Arc<Tree>,
    /// The ids this construct has given its children.
    ids: Mutex<BTreeSet<String>>,
    /// The template ids its children's attributes named: what it may refer to besides its
    /// own ids and what its props named.
    received: Mutex<BTreeSet<String>>,
    /// The refusals it was given for children that failed.
    child_failures: Mutex<ChildFailures>,
    /// The template ids its props named.
    handed: BTreeSet<String>,
    /// The stack file's pins of its local ids (none for a child).
    pins: Vec<(String, String)>,
    /// The props of the stack file's construct, as its plugin received them: what the user
    /// wrote, where a child's refused value is looked for.
    root_props: Arc<serde_json::Value>,
}

impl Composition {
    /// The template ids this construct's children's attributes have named so far.
    pub(crate) fn take_received(&self) -> BTreeSet<String> {
        std::mem::take(&mut *self.received.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The refusals this construct was given for children that failed.
    pub(crate) fn take_child_failures(&self) -> ChildFailures {
        std::mem::take(
            &mut *self
                .child_failures
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// The composer of a construct of the stack file (with the ids its props name, its
    /// pins and its props, resolved), and where its children will be.
    pub(crate) fn root(
        registry: Arc<Registry>,
        spending: Arc<Spending>,
        stack_name: &str,
        construct: (&str, &[(String, String)], BTreeSet<String>),
        props: Arc<serde_json::Value>,
        plugin: &str,
    ) -> (Arc<Composition>, Arc<Tree>) {
        let (construct_id, pins, handed) = construct;
        let tree = Arc::new(Tree::default());
        let composition = Composition {
            registry,
            spending,
            stack_name: stack_name.to_string(),
            path: vec![construct_id.to_string()],
            plugins: vec![plugin.to_string()],
            tree: Arc::clone(&tree),
            ids: Mutex::default(),
            received: Mutex::default(),
            child_failures: Mutex::default(),
            handed,
            pins: pins.to_vec(),
            root_props: props,
        };
        (Arc::new(composition), tree)
    }

    fn children(&self) -> std::sync::MutexGuard<'_, Vec<Child>> {
        self.tree.children()
    }

    /// A child's schema error, named in the terms the user wrote: the prop of the stack
    /// file's construct its value came from, when the value the schema refused (for an
    /// unknown prop, the object holding it) is at exactly one place in that construct's
    /// props.
    fn props_problem(
        &self,
        child: &str,
        props: &serde_json::Value,
        problem: crate::registry::PropsProblem,
    ) -> Problem {
        let hint = problem
            .suggestion
            .map(|close| format!(" (did you mean `{close}`?)"))
            .unwrap_or_default();
        let root = &self.path[0];
        // An unknown prop is the user's only if the object holding it is: then the key is
        // at the same place below it.
        let below = problem.at.strip_prefix(&problem.about).unwrap_or_default();
        let traced = props
            .pointer(&problem.about)
            .filter(|_| self.tree.traced.fetch_add(1, Ordering::Relaxed) < MAX_TRACED)
            .and_then(|value| only_place(&self.root_props, value))
            .map(|place| place + below);
        let (message, help) = match &traced {
            Some(place) => (
                format!(
                    "props{} of child `{child}`: {}{hint}; it comes from `props{place}` of `{root}`",
                    problem.about, problem.message
                ),
                format!(
                    "change `props{place}` of `{root}` (run `stackweave plugins show {}` to see its props)",
                    self.plugins[0]
                ),
            ),
            None => (
                format!("props{}: {}{hint}", problem.about, problem.message),
                format!(
                    "the plugin `{}` of `{}` built these props: check the props of `{root}` (run `stackweave plugins show {}` to see them), or report it to the plugin's authors",
                    self.plugins.last().map_or("", String::as_str),
                    self.path.join("/"),
                    self.plugins[0]
                ),
            ),
        };
        Problem::ChildProps {
            message,
            help,
            traced,
        }
    }
}

/// Where `value` is in `props`, as a JSON Pointer, when it is there at exactly one place.
fn only_place(props: &serde_json::Value, value: &serde_json::Value) -> Option<String> {
    fn visit(
        node: &serde_json::Value,
        value: &serde_json::Value,
        pointer: &mut String,
        found: &mut Vec<String>,
    ) {
        if found.len() > 1 {
            return;
        }
        // A tree is never equal to a part of itself: below a match there is no other.
        if node == value {
            found.push(pointer.clone());
            return;
        }
        let mut descend = |key: &str, node| {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            visit(node, value, pointer, found);
            pointer.truncate(len);
        };
        match node {
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| descend(k, v)),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| descend(&i.to_string(), v)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    visit(props, value, &mut String::new(), &mut found);
    match <[String; 1]>::try_from(found) {
        Ok([place]) => Some(place),
        Err(_) => None,
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
        let (plugin, id) = (shortened(plugin), shortened(id));
        let (plugin, id): (&str, &str) = (&plugin, &id);
        // The construct-id rule of the stack file: a child's id becomes part of logical ids
        // and of its path just as a construct's does.
        if !is_logical_name(id) {
            return Err(refusal(format!(
                "`{id}` cannot be a child construct's id: construct ids match `{LOGICAL_NAME_PATTERN}` (a letter, then letters and digits), {MAX_LOGICAL_NAME} characters at most (it becomes part of logical ids)"
            )));
        }
        if self
            .ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(id)
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
            let hint = stackweave_location::closest(plugin, names.iter().map(String::as_str))
                .map(|close| format!("; did you mean `{close}`?"))
                .unwrap_or_default();
            return Err(refusal(format!(
                "no plugin is named `{plugin}`, so `{parent}/{id}` cannot be created{hint}"
            )));
        };
        let mut path = self.path.clone();
        path.push(id.to_string());
        let label = child.label();
        let refuse_failed = || {
            let message = child_failed(&path);
            self.child_failures
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .0
                .insert(message.clone());
            refusal(message)
        };
        // Counted before anything is kept for it, so that a parent asking again and again
        // keeps nothing once the budget is spent.
        if let Err(exceeded) = self.spending.start_child() {
            if !self.tree.out_of_budget.swap(true, Ordering::Relaxed) {
                self.children().push(Child {
                    path: path.clone(),
                    plugin: label,
                    warnings: Vec::new(),
                    handed: BTreeSet::new(),
                    result: Err(vec![self.spending.problem(exceeded)]),
                });
            }
            return Err(refuse_failed());
        }
        self.ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_string());

        let parsed: serde_json::Value = serde_json::from_str(props)
            .map_err(|e| refusal(format!("the props of child `{id}` are not JSON: {e}")))?;
        let given: BTreeSet<String> = self
            .handed
            .iter()
            .chain(
                self.received
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .iter(),
            )
            .cloned()
            .collect();
        let parent = Parent {
            path: &self.path,
            pins: &self.pins,
            handed: &given,
        };
        let parsed = parent.hand(id, parsed).map_err(refusal)?;
        let props = parsed.to_string();
        let mut handed = referenced_ids(&parsed);
        let failed = |problems: Vec<Problem>, warnings, handed| {
            let warnings = self
                .tree
                .keep_warnings(warnings, self.spending.budget.warnings);
            self.children().push(Child {
                path: path.clone(),
                plugin: label.clone(),
                warnings,
                handed,
                result: Err(problems),
            });
            refuse_failed()
        };
        let written = as_written(&parsed);
        let child_path = path.join("/");
        let schema_errors: Vec<Problem> = child
            .schema
            .iter_errors(&written)
            .flat_map(|error| crate::registry::props_problems(&error, &child.info().props_schema))
            .map(|problem| self.props_problem(&child_path, &parsed, problem))
            .collect();
        drop(written);
        drop(parsed);
        if !schema_errors.is_empty() {
            return Err(failed(schema_errors, Vec::new(), handed));
        }

        let mut plugins = self.plugins.clone();
        plugins.push(plugin.to_string());
        let grandchildren_before = self.children().len();
        let nested = Composition {
            registry: Arc::clone(&self.registry),
            spending: Arc::clone(&self.spending),
            stack_name: self.stack_name.clone(),
            path: path.clone(),
            plugins,
            tree: Arc::clone(&self.tree),
            ids: Mutex::default(),
            received: Mutex::default(),
            child_failures: Mutex::default(),
            handed: handed.clone(),
            pins: Vec::new(),
            root_props: Arc::clone(&self.root_props),
        };
        let nested = Arc::new(nested);
        let context = SynthContext {
            stack_name: self.stack_name.clone(),
            construct_id: id.to_string(),
            construct_path: path.clone(),
        };
        let answer = self
            .spending
            .synth(child, &context, &props, Arc::clone(&nested) as _);
        handed.extend(nested.take_received());
        let grandchildren_failed = self.children()[grandchildren_before..]
            .iter()
            .any(|c| c.result.is_err());
        let checked = answer::check(child, answer, grandchildren_failed, &self.spending);
        let answer = match checked.result {
            Ok(answer) if !grandchildren_failed => answer,
            Ok(_) => return Err(failed(Vec::new(), checked.warnings, handed)),
            Err(problems) => {
                // A child passing on its own child's failure adds nothing to the errors that
                // grandchild reported under its path.
                let told = nested.take_child_failures();
                let own = problems
                    .into_iter()
                    .filter(|p| !told.passes_on(p))
                    .collect();
                return Err(failed(own, checked.warnings, handed));
            }
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
                    handed,
                ));
            }
        };
        let warnings = self
            .tree
            .keep_warnings(checked.warnings, self.spending.budget.warnings);
        self.children().push(Child {
            path,
            plugin: label,
            warnings,
            handed,
            result: Ok(answer),
        });
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(
                attributes
                    .iter()
                    .flat_map(|(_, value)| referenced_ids(value)),
            );
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
    use crate::registry::PropsProblem;

    /// A composer for a construct at `path` whose chain of plugins is `plugins`, over a
    /// registry of the standard plugins (none loaded: these checks come first).
    fn composer(path: &[&str], plugins: &[&str]) -> Composition {
        let runtime = Runtime::new(Limits::default()).expect("an engine");
        let registry = Registry::discover(runtime, &[]).expect("the standard plugins");
        Composition {
            registry: Arc::new(registry),
            spending: Arc::new(Spending::start(
                crate::budget::Budget::default(),
                Limits::default(),
                500,
            )),
            stack_name: "Test".into(),
            path: path.iter().map(|p| p.to_string()).collect(),
            plugins: plugins.iter().map(|p| p.to_string()).collect(),
            tree: Arc::default(),
            ids: Mutex::default(),
            received: Mutex::default(),
            child_failures: Mutex::default(),
            handed: BTreeSet::new(),
            pins: Vec::new(),
            root_props: Arc::default(),
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
        let message = refused(&api, "iam-role", "1Kid");
        assert!(
            message.contains("`1Kid` cannot be a child construct's id: construct ids match `[A-Za-z][A-Za-z0-9]*`"),
            "{message}"
        );
        let message = refused(&api, "api-integration", "Again");
        assert_eq!(
            message,
            "plugins would create each other without end: api-integration -> api-integration"
        );
    }

    #[test]
    fn a_spent_child_budget_refuses_every_further_child_and_is_reported_once() {
        let mut api = composer(&["Api"], &["api-integration"]);
        let mut registry =
            Registry::discover(Runtime::new(Limits::default()).expect("an engine"), &[])
                .expect("the standard plugins");
        for loaded in registry.load_all(&[PluginRef::Name("iam-role".into())]) {
            loaded.expect("the standard plugin loads");
        }
        api.registry = Arc::new(registry);
        api.spending = Arc::new(Spending::start(
            crate::budget::Budget {
                children: 0,
                ..crate::budget::Budget::default()
            },
            Limits::default(),
            500,
        ));
        for id in ["Role", "Other", "Third"] {
            let message = refused(&api, "iam-role", id);
            assert_eq!(
                message,
                format!("the child construct `Api/{id}` failed (its errors are reported with it)")
            );
        }
        let told = api.take_child_failures();
        for id in ["Role", "Other", "Third"] {
            let passed_on = Problem::Plugin(stackweave_host::Diagnostic {
                severity: Severity::Error,
                message: format!(
                    "the child construct `Api/{id}` failed (its errors are reported with it)"
                ),
                path: None,
            });
            assert!(
                told.passes_on(&passed_on),
                "the refusal `Api/{id}` is known"
            );
        }
        let own = Problem::Plugin(stackweave_host::Diagnostic {
            severity: Severity::Error,
            message: "the child construct `Api/Fourth` failed (its errors are reported with it)"
                .into(),
            path: None,
        });
        assert!(
            !told.passes_on(&own),
            "a refusal the host never issued is the plugin's own error"
        );
        let (children, _) = api.tree.take();
        assert_eq!(
            children.len(),
            1,
            "one record, however often the parent asks"
        );
        let Err(problems) = &children[0].result else {
            panic!("a refusal");
        };
        assert!(
            matches!(&problems[0], Problem::Call(m) if m.contains("more than 0 child constructs") && m.contains("--total-children")),
        );
        assert!(api.ids.lock().expect("unpoisoned").is_empty());
    }

    #[test]
    fn a_value_is_traced_only_to_its_one_place() {
        let props = json!({"logs": {"days": 5, "name": "a/b"}, "other": [5, {"n": 7}], "t": 7});
        assert_eq!(
            only_place(&props, &json!({"n": 7})),
            Some("/other/1".into())
        );
        assert_eq!(only_place(&props, &json!("a/b")), Some("/logs/name".into()));
        assert_eq!(only_place(&props, &json!(5)), None, "two places");
        assert_eq!(only_place(&props, &json!(6)), None, "no place");
        assert_eq!(only_place(&props, &props), Some(String::new()));
    }

    /// `problem` as the schema of the grandchild `Api/Workflow/Role` reports it.
    fn grandchild_problem(root_props: serde_json::Value, problem: PropsProblem) -> Problem {
        let mut workflow = composer(&["Api", "Workflow"], &["team-api", "express-workflow"]);
        workflow.root_props = Arc::new(root_props);
        let props = json!({"maxSessionDuration": 60, "tags": {"aws:x": "y"}});
        workflow.props_problem("Api/Workflow/Role", &props, problem)
    }

    #[test]
    fn a_grandchilds_refused_value_is_traced_to_the_stack_files_construct() {
        let too_short = || PropsProblem {
            about: "/maxSessionDuration".into(),
            at: "/maxSessionDuration".into(),
            message: "60 is less than the minimum of 3600".into(),
            suggestion: None,
        };
        let Problem::ChildProps {
            message,
            help,
            traced,
        } = grandchild_problem(json!({"session": {"seconds": 60}}), too_short())
        else {
            panic!("a child's props problem");
        };
        assert_eq!(
            message,
            "props/maxSessionDuration of child `Api/Workflow/Role`: 60 is less than the minimum of 3600; it comes from `props/session/seconds` of `Api`"
        );
        assert_eq!(
            help,
            "change `props/session/seconds` of `Api` (run `stackweave plugins show team-api` to see its props)"
        );
        assert_eq!(traced.as_deref(), Some("/session/seconds"));

        // An unknown key is the user's when the object holding it is.
        let unknown = PropsProblem {
            about: "/tags".into(),
            at: "/tags/aws:x".into(),
            message: "unknown prop `aws:x`".into(),
            suggestion: None,
        };
        let Problem::ChildProps { traced, .. } =
            grandchild_problem(json!({"labels": {"aws:x": "y"}}), unknown)
        else {
            panic!("a child's props problem");
        };
        assert_eq!(traced.as_deref(), Some("/labels/aws:x"));

        // Not found: the child's own prop, and the plugin that built it.
        let Problem::ChildProps {
            message,
            help,
            traced,
        } = grandchild_problem(json!({"session": 60, "again": 60}), too_short())
        else {
            panic!("a child's props problem");
        };
        assert_eq!(traced, None);
        assert_eq!(
            message,
            "props/maxSessionDuration: 60 is less than the minimum of 3600"
        );
        assert_eq!(
            help,
            "the plugin `express-workflow` of `Api/Workflow` built these props: check the props of `Api` (run `stackweave plugins show team-api` to see them), or report it to the plugin's authors"
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
