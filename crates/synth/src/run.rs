//! One synthesis run: a stack file and its loaded plugins in, merged template (or every
//! diagnostic) out.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};
use stackweave_host::{SynthContext, SynthOutcome};
use stackweave_stack::{ConstructDecl, Reference, StackFile};
use stackweave_template::{
    MergeError, Owner, Quotas, RefKind, Template, TemplateBuilder, referenced_ids,
};

use crate::answer;
use crate::budget::{Budget, Spending};
use crate::compose::{Child, ChildFailures, Composition, Tree};
use crate::diagnostic::{Diagnostic, Failure};
use crate::load::{self, PluginUse};
use crate::lock::Lockfile;
use crate::options::Options;
use crate::overrides;
use crate::parallel::{self, Merge};
use crate::problem::{BUG_HELP, Problem};
use crate::references::{Imports, Namespace, Target, resolve, synthesis_order};
use crate::registry::{LoadedPlugin, Registry};

/// A successful synthesis.
pub struct Synthesis {
    /// The stack file it came from: its name, where each construct was written, and its
    /// `validation` settings.
    pub stack: StackFile,
    /// The merged, checked template.
    pub template: Template,
    /// The quotas in force (CloudFormation's, or what the stack file raised).
    pub quotas: Quotas,
    /// The plugins used, sorted by name.
    pub plugins: Vec<PluginUse>,
    /// Warnings from plugins.
    pub warnings: Vec<Diagnostic>,
    /// Every plugin the run could see, loaded: `stackweave validate` runs its validators
    /// rather than finding and loading the plugin folders again.
    pub registry: Arc<Registry>,
}

/// Synthesises the stack file at `stack_path`: reads it, loads its plugins, and runs it.
pub fn synthesize(stack_path: &Path, options: &Options) -> Result<Synthesis, Failure> {
    let stack = load::read_stack(stack_path)?;
    let registry = load::registry_for(&[&stack], options)?;
    synthesize_stack(stack, &Arc::new(registry), options)
}

/// Runs a stack that was read with [`load::read_stack`], with plugins from `registry`
/// (which [`load::load_plugins`] has loaded for it).
pub fn synthesize_stack(
    stack: StackFile,
    registry: &Arc<Registry>,
    options: &Options,
) -> Result<Synthesis, Failure> {
    synthesize_linked(stack, &Imports::new(), registry, options)
}

/// Runs a stack of an app: [`synthesize_stack`] with the expressions its references to
/// other stacks stand for.
pub(crate) fn synthesize_linked(
    stack: StackFile,
    imports: &Imports,
    registry: &Arc<Registry>,
    options: &Options,
) -> Result<Synthesis, Failure> {
    let used = load::plugins_used(&stack, registry);
    if options.locked {
        let refused = Lockfile::read(&stack.path)?.check(&used, &stack.path);
        if !refused.is_empty() {
            return Err(refused.into());
        }
    }
    let jobs = options
        .jobs
        .map_or_else(parallel::default_jobs, NonZeroUsize::get);
    let merged = Run::new(&stack, imports, registry, options.budget).synthesize(used, jobs)?;
    Ok(Synthesis {
        stack,
        template: merged.template,
        quotas: merged.quotas,
        plugins: merged.plugins,
        warnings: merged.warnings,
        registry: Arc::clone(registry),
    })
}

/// What a run produces; [`synthesize_stack`] adds the stack file it ran.
struct Merged {
    template: Template,
    quotas: Quotas,
    plugins: Vec<PluginUse>,
    warnings: Vec<Diagnostic>,
}

struct Run<'a> {
    stack: &'a StackFile,
    registry: &'a Arc<Registry>,
    plugins: Vec<&'a LoadedPlugin>,
    namespace: Namespace<'a>,
    /// Attributes of each synthesised construct, as template expressions.
    attributes: BTreeMap<&'a str, BTreeMap<String, Value>>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// Warnings beyond the budget's `warnings`, counted rather than kept.
    warnings_dropped: usize,
    spending: Arc<Spending>,
}

impl<'a> Run<'a> {
    fn new(
        stack: &'a StackFile,
        imports: &'a Imports,
        registry: &'a Arc<Registry>,
        budget: Budget,
    ) -> Self {
        let plugins: Vec<&LoadedPlugin> = stack
            .constructs
            .iter()
            .map(|c| {
                registry
                    .get(&c.plugin)
                    .expect("load_plugins loaded every construct's plugin")
            })
            .collect();
        let namespace = Namespace::of(stack, &plugins, imports);
        let max_resources = stack
            .limits
            .resources
            .unwrap_or(Quotas::default().resources);
        Run {
            stack,
            registry,
            plugins,
            namespace,
            attributes: BTreeMap::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            warnings_dropped: 0,
            spending: Arc::new(Spending::start(budget, registry.limits(), max_resources)),
        }
    }

    /// Keeps warnings up to the budget's `warnings`; counts the rest.
    fn warn(&mut self, warnings: Vec<Diagnostic>) {
        let room = self
            .spending
            .budget
            .warnings
            .saturating_sub(self.warnings.len());
        self.warnings_dropped += warnings.len().saturating_sub(room);
        self.warnings.extend(warnings.into_iter().take(room));
    }

    /// The warnings to show: those kept, and how many were not.
    fn all_warnings(&self) -> Vec<Diagnostic> {
        let mut warnings = self.warnings.clone();
        if self.warnings_dropped > 0 {
            warnings.push(
                Diagnostic::warning(format!(
                    "{} more warnings were not shown: a synthesis shows at most {}",
                    self.warnings_dropped, self.spending.budget.warnings
                ))
                .help("raise the cap with `--total-warnings N`"),
            );
        }
        warnings
    }

    fn synthesize(mut self, plugins: Vec<PluginUse>, jobs: usize) -> Result<Merged, Failure> {
        let depends_on = self.check_references();
        self.check_schemas();
        if !self.errors.is_empty() {
            return Err(self.errors.into());
        }
        let order = synthesis_order(self.stack, &depends_on).map_err(|cycle| {
            let first = self.construct(&cycle[0]);
            let message = format!("constructs reference each other in a cycle: {}", cycle.join(" -> "));
            self.at(Diagnostic::error(message), &first.pointer, Some(&cycle[0]))
                .help("a construct can only use attributes of constructs that do not depend on it; break the cycle")
        })?;

        let mut builder = TemplateBuilder::new(self.stack.description.clone());
        for (name, declaration) in &self.stack.parameters {
            if let Err(error) = builder.add_parameter(name, declaration.clone()) {
                self.errors.push(self.merge_diagnostic(error));
            }
        }
        // Constructs run in `order`, each after the constructs it references (whose
        // attributes its props need); independent ones run at the same time. A construct
        // whose dependency failed is skipped: it would only report that failure again.
        let position: BTreeMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(task, &index)| (self.stack.constructs[index].id.as_str(), task))
            .collect();
        let needs: Vec<Vec<usize>> = order
            .iter()
            .map(|&index| {
                depends_on
                    .get(self.stack.constructs[index].id.as_str())
                    .map_or_else(Vec::new, |deps| deps.iter().map(|d| position[d]).collect())
            })
            .collect();
        let mut merging = Merging {
            run: &mut self,
            builder: &mut builder,
            order: &order,
        };
        parallel::pipeline(jobs, &needs, &mut merging, |call: Call<'a>| {
            let answer = call.spending.synth(
                call.plugin,
                &call.context,
                &call.props,
                Arc::clone(&call.composer) as _,
            );
            let (children, warnings_dropped) = call.tree.take();
            let mut handed = call.handed;
            handed.extend(call.composer.take_received());
            Synthesised {
                answer,
                children,
                warnings_dropped,
                handed,
                child_failures: call.composer.take_child_failures(),
            }
        });
        self.add_resources(&mut builder);
        self.add_outputs(&mut builder);
        if !self.errors.is_empty() {
            return Err(Failure::new(
                [self.errors.clone(), self.all_warnings()].concat(),
            ));
        }
        let quotas = self.quotas();
        let template = builder.finish(&quotas).map_err(|errors| {
            let mut diagnostics: Vec<Diagnostic> = errors
                .into_iter()
                .map(|e| self.merge_diagnostic(e))
                .collect();
            diagnostics.extend(self.all_warnings());
            Failure::new(diagnostics)
        })?;
        Ok(Merged {
            template,
            quotas,
            plugins,
            warnings: self.all_warnings(),
        })
    }

    /// Checks every reference; returns which constructs each construct's props reference.
    fn check_references(&mut self) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
        let mut depends_on: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for construct in &self.stack.constructs {
            // Its props' references, and its overrides' (which bind it just the same).
            let props = construct
                .props
                .references()
                .into_iter()
                .map(|(pointer, r)| (format!("{}/props{pointer}", construct.pointer), r));
            let overrides = construct.overrides.iter().flat_map(|o| {
                o.value.iter().flat_map(move |value| {
                    value
                        .references()
                        .into_iter()
                        .map(move |(pointer, r)| (format!("{}{pointer}", o.pointer), r))
                })
            });
            for (at, reference) in props.chain(overrides) {
                match self.namespace.check(reference) {
                    Ok(Target::Construct { id, .. }) if id == construct.id => {
                        self.errors.push(
                            self.at(
                                Diagnostic::error(format!(
                                    "construct `{id}` references itself with `{reference}`"
                                ))
                                .help(
                                    "a construct's props can only use other constructs' attributes",
                                ),
                                &at,
                                Some(&construct.id),
                            ),
                        );
                    }
                    Ok(Target::Construct { id, .. }) => {
                        depends_on
                            .entry(construct.id.as_str())
                            .or_default()
                            .insert(id);
                    }
                    Ok(_) => {}
                    Err(error) => self.errors.push(self.at(error, &at, Some(&construct.id))),
                }
            }
        }
        for resource in &self.stack.resources {
            for (pointer, reference) in resource.body.references() {
                let at = format!("{}{pointer}", resource.pointer);
                match self.namespace.check(reference) {
                    Ok(Target::Resource { id, .. }) if id == resource.id => {
                        let error = Diagnostic::error(format!(
                            "resource `{id}` references itself with `{reference}`"
                        ))
                        .help("CloudFormation cannot create a resource that needs its own value; remove the reference");
                        self.errors.push(self.at(error, &at, None));
                    }
                    Ok(_) => {}
                    Err(error) => self.errors.push(self.at(error, &at, None)),
                }
            }
        }
        for output in &self.stack.outputs {
            let props = std::iter::once(&output.value).chain(output.export_name.as_ref());
            for (field, prop) in ["/value", "/exportName"].into_iter().zip(props) {
                for (pointer, reference) in prop.references() {
                    if let Err(error) = self.namespace.check(reference) {
                        let at = format!("{}{field}{pointer}", output.pointer);
                        self.errors.push(self.at(error, &at, None));
                    }
                }
            }
        }
        depends_on
    }

    /// Validates each construct's props, as written, against its plugin's JSON Schema.
    fn check_schemas(&mut self) {
        for (construct, plugin) in self.stack.constructs.iter().zip(&self.plugins) {
            let written = construct.props.to_written_json();
            for error in plugin.schema.iter_errors(&written) {
                let schema = &plugin.info().props_schema;
                for problem in crate::registry::props_problems(&error, schema) {
                    let at = format!("{}/props{}", construct.pointer, problem.at);
                    let field = match problem.about.as_str() {
                        "" => "props".to_string(),
                        path => format!("props{path}"),
                    };
                    let help = match problem.suggestion {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!(
                            "run `stackweave plugins show {}` to see its props",
                            plugin.info().name
                        ),
                    };
                    self.errors.push(
                        self.at(
                            Diagnostic::error(format!("{field}: {}", problem.message)),
                            &at,
                            Some(&construct.id),
                        )
                        .plugin(plugin.label())
                        .help(help),
                    );
                }
            }
        }
    }

    /// The call of a construct's plugin, with its props' references resolved (the
    /// constructs it references have been merged).
    fn call(&self, index: usize) -> Call<'a> {
        let construct = &self.stack.constructs[index];
        let plugin = self.plugins[index];
        let props = Arc::new(resolve(&construct.props, &|r| self.expression(r)));
        let handed = referenced_ids(&props);
        let (composer, tree) = Composition::root(
            Arc::clone(self.registry),
            Arc::clone(&self.spending),
            &self.stack.name,
            (&construct.id, &construct.logical_ids, handed.clone()),
            Arc::clone(&props),
            &plugin.info().name,
        );
        Call {
            plugin,
            spending: Arc::clone(&self.spending),
            composer,
            tree,
            context: SynthContext {
                stack_name: self.stack.name.clone(),
                construct_id: construct.id.clone(),
                construct_path: vec![construct.id.clone()],
            },
            handed,
            props: props.to_string(),
        }
    }

    /// Checks what a construct's plugin answered and merges its children's fragments, then
    /// its own; returns the construct's attributes as template expressions.
    fn merge_answer(
        &self,
        index: usize,
        synthesised: Synthesised,
        builder: &mut TemplateBuilder,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<BTreeMap<String, Value>, Vec<Diagnostic>> {
        let Synthesised {
            answer,
            children,
            handed: mut handed_ids,
            child_failures,
            ..
        } = synthesised;
        let construct = &self.stack.constructs[index];
        let plugin = self.plugins[index];
        // Only ids that arrived through `${...}` or from children can clash with the
        // plugin's local ids; intrinsics written literally in props are its business.
        let mut external_ids: BTreeSet<String> = construct
            .props
            .references()
            .into_iter()
            .flat_map(|(_, r)| referenced_ids(&self.expression(r)))
            .collect();
        let children_failed = children.iter().any(|c| c.result.is_err());
        let mut errors = Vec::new();
        for child in children {
            let (located, child_errors) = self.merge_child(construct, child, builder, warnings);
            external_ids.extend(located);
            errors.extend(child_errors);
        }
        let checked = answer::check(plugin, answer, children_failed, &self.spending);
        warnings.extend(
            checked
                .warnings
                .into_iter()
                .map(|d| self.plugin_diagnostic(construct, plugin, d)),
        );
        let answer = match checked.result {
            Ok(answer) if errors.is_empty() => answer,
            Ok(_) => return Err(errors),
            Err(problems) => {
                // A parent passing on its child's failure adds nothing to the child's errors.
                let own = problems
                    .into_iter()
                    .filter(|p| !child_failures.passes_on(p));
                errors.extend(own.map(|p| self.problem(construct, plugin, p)));
                return Err(errors);
            }
        };
        let mut answer = answer;
        for change in &construct.overrides {
            let value = change
                .value
                .as_ref()
                .map(|prop| resolve(prop, &|r| self.expression(r)));
            // Ids from `${...}` are other constructs': handed to this one like its props'.
            let referenced = change.value.iter().flat_map(|prop| {
                prop.references()
                    .into_iter()
                    .flat_map(|(_, r)| referenced_ids(&self.expression(r)))
            });
            let referenced: BTreeSet<String> = referenced.collect();
            handed_ids.extend(referenced.iter().cloned());
            external_ids.extend(referenced);
            overrides::apply(&mut answer.fragment, &change.local_id, &change.path, value).map_err(
                |message| {
                    vec![
                        self.at(
                            Diagnostic::error(format!(
                                "override `{}` of `{}`: {message}",
                                stackweave_template::shortened(&change.path),
                                change.local_id
                            )),
                            &change.pointer,
                            Some(&construct.id),
                        )
                        .plugin(plugin.label())
                        .help("`overrides` name the plugin's local ids (`stackweave graph` shows its resources) and JSON Pointers into each resource"),
                    ]
                },
            )?;
        }
        let path = std::slice::from_ref(&construct.id);
        builder
            .check_references_handed(path, &answer.fragment, &answer.attributes, &handed_ids)
            .map_err(|e| vec![self.merge_diagnostic(e)])?;
        let attributes = builder
            .add_fragment(
                path,
                answer.fragment,
                &construct.logical_ids,
                &external_ids,
                answer.attributes,
            )
            .map_err(|e| vec![self.merge_diagnostic(e)])?;
        Ok(attributes.into_iter().collect())
    }

    /// Merges one child of `construct` (or reports its failure), located at the construct
    /// in the stack file (or at the prop of it a refused value of the child's props came
    /// from) and named by its path. Returns the logical ids its attributes name, and its
    /// errors.
    fn merge_child(
        &self,
        construct: &ConstructDecl,
        child: Child,
        builder: &mut TemplateBuilder,
        warnings: &mut Vec<Diagnostic>,
    ) -> (BTreeSet<String>, Vec<Diagnostic>) {
        let path = child.path.join("/");
        let locate = |diagnostic: Diagnostic| {
            self.at(diagnostic, &construct.pointer, Some(&path))
                .plugin(child.plugin.clone())
        };
        let from_plugin = |d: stackweave_host::Diagnostic| {
            let message = match &d.path {
                Some(pointer) => format!("props{pointer}: {}", d.message),
                None => d.message,
            };
            locate(match d.severity {
                stackweave_host::Severity::Error => Diagnostic::error(message),
                stackweave_host::Severity::Warning => Diagnostic::warning(message),
            })
        };
        warnings.extend(child.warnings.into_iter().map(from_plugin));
        let answer = match child.result {
            Ok(answer) => answer,
            Err(problems) => {
                let errors = problems.into_iter().map(|problem| match problem {
                    Problem::Plugin(d) => from_plugin(d),
                    Problem::Call(message) => locate(Diagnostic::error(message)),
                    Problem::Bug(message) => locate(Diagnostic::error(message)).help(BUG_HELP),
                    Problem::ChildProps {
                        message,
                        help,
                        traced,
                    } => {
                        let at = match traced {
                            Some(place) => format!("{}/props{place}", construct.pointer),
                            None => construct.pointer.clone(),
                        };
                        self.at(Diagnostic::error(message), &at, Some(&path))
                            .plugin(child.plugin.clone())
                            .help(help)
                    }
                });
                return (BTreeSet::new(), errors.collect());
            }
        };
        if let Err(error) = builder.check_references_handed(
            &child.path,
            &answer.fragment,
            &answer.attributes,
            &child.handed,
        ) {
            let error = locate(crate::diagnostic::merge_error(&error)).help(BUG_HELP);
            return (BTreeSet::new(), vec![error]);
        }
        let no_pins: &[(String, String)] = &[];
        match builder.add_fragment(
            &child.path,
            answer.fragment,
            no_pins,
            &BTreeSet::new(),
            answer.attributes,
        ) {
            Ok(attributes) => (
                attributes
                    .iter()
                    .flat_map(|(_, value)| referenced_ids(value))
                    .collect(),
                Vec::new(),
            ),
            Err(error) => (BTreeSet::new(), vec![self.merge_diagnostic(error)]),
        }
    }

    /// A problem with a construct's answer, located at the construct or the prop it names.
    fn problem(
        &self,
        construct: &ConstructDecl,
        plugin: &LoadedPlugin,
        problem: Problem,
    ) -> Diagnostic {
        let at_construct = |message: String| {
            self.at(
                Diagnostic::error(message),
                &construct.pointer,
                Some(&construct.id),
            )
            .plugin(plugin.label())
        };
        match problem {
            Problem::Plugin(d) => self.plugin_diagnostic(construct, plugin, d),
            Problem::Call(message) => at_construct(message),
            Problem::Bug(message) => at_construct(message).help(BUG_HELP),
            // A child's only: a stack file construct's props are checked before its call.
            Problem::ChildProps { message, help, .. } => at_construct(message).help(help),
        }
    }

    /// Adds the stack file's plain resources, after every construct: their references to
    /// constructs need those constructs' attributes. The merge checks them like any
    /// construct's resources (logical ids, references, cycles, quotas).
    fn add_resources(&mut self, builder: &mut TemplateBuilder) {
        for resource in &self.stack.resources {
            let body = resolve(&resource.body, &|r| self.expression(r));
            if let Err(error) = builder.add_resource(&resource.id, body) {
                self.errors.push(self.merge_diagnostic(error));
            }
        }
    }

    fn add_outputs(&mut self, builder: &mut TemplateBuilder) {
        for output in &self.stack.outputs {
            let mut entry = Map::new();
            if let Some(description) = &output.description {
                entry.insert("Description".into(), Value::String(description.clone()));
            }
            entry.insert(
                "Value".into(),
                resolve(&output.value, &|r| self.expression(r)),
            );
            if let Some(name) = &output.export_name {
                let name = resolve(name, &|r| self.expression(r));
                entry.insert("Export".into(), serde_json::json!({ "Name": name }));
            }
            if let Err(error) = builder.add_output(&output.name, Value::Object(entry)) {
                let diagnostic = self.at(
                    crate::diagnostic::merge_error(&error),
                    &output.pointer,
                    None,
                );
                self.errors.push(diagnostic);
            }
        }
    }

    /// The expression a checked reference stands for, once its target is synthesised.
    fn expression(&self, reference: &Reference) -> Value {
        match self.namespace.check(reference) {
            Ok(Target::Pseudo(name) | Target::Parameter(name)) => {
                serde_json::json!({ "Ref": name })
            }
            Ok(Target::Resource {
                id,
                attribute: None,
            }) => serde_json::json!({ "Ref": id }),
            Ok(Target::Resource {
                id,
                attribute: Some(attribute),
            }) => serde_json::json!({ "Fn::GetAtt": [id, attribute] }),
            Ok(Target::Imported(expression)) => expression.clone(),
            Ok(Target::Construct { id, attribute }) => self
                .attributes
                .get(id)
                .and_then(|a| a.get(&attribute))
                .cloned()
                .unwrap_or(Value::Null),
            // Unreachable in practice: every reference was checked before synthesis began.
            Err(_) => Value::Null,
        }
    }

    fn plugin_diagnostic(
        &self,
        construct: &ConstructDecl,
        plugin: &LoadedPlugin,
        diagnostic: stackweave_host::Diagnostic,
    ) -> Diagnostic {
        let at = format!(
            "{}/props{}",
            construct.pointer,
            diagnostic.path.as_deref().unwrap_or("")
        );
        let base = match diagnostic.severity {
            stackweave_host::Severity::Error => Diagnostic::error(diagnostic.message),
            stackweave_host::Severity::Warning => Diagnostic::warning(diagnostic.message),
        };
        self.at(base, &at, Some(&construct.id))
            .plugin(plugin.label())
    }

    fn merge_diagnostic(&self, error: MergeError) -> Diagnostic {
        let owner = match &error {
            MergeError::DuplicateLogicalId { second, .. } => Some(second),
            MergeError::UnknownPin { owner, .. }
            | MergeError::InvalidLogicalId { owner, .. }
            | MergeError::AmbiguousId { owner, .. }
            | MergeError::ForeignReference { owner, .. }
            | MergeError::DanglingReference { owner, .. } => Some(owner),
            MergeError::DependencyCycle { cycle } | MergeError::ConditionCycle { cycle } => {
                cycle.first().map(|(_, owner)| owner)
            }
            MergeError::QuotaExceeded { .. }
            | MergeError::NoResources
            | MergeError::Render { .. } => None,
        };
        let construct = match owner {
            Some(Owner::Construct(path)) => path.first().map(|id| self.construct(id)),
            _ => None,
        };
        let diagnostic = crate::diagnostic::merge_error(&error);
        match construct {
            Some(construct) => {
                let index = self
                    .stack
                    .constructs
                    .iter()
                    .position(|c| c.id == construct.id)
                    .unwrap_or(0);
                let pointer = match &error {
                    MergeError::UnknownPin { .. } | MergeError::InvalidLogicalId { .. } => {
                        format!("{}/logicalIds", construct.pointer)
                    }
                    _ => construct.pointer.clone(),
                };
                self.at(diagnostic, &pointer, Some(&construct.id))
                    .plugin(self.plugins[index].label())
            }
            None => match self.stack_file_entry(&error) {
                Some(pointer) => self.at(diagnostic, &pointer, None),
                None => diagnostic.at(&self.stack.path, None),
            },
        }
    }

    /// The stack-file entry a merge error about the stack file's own entries is about:
    /// the plain resource it names, so the error points at its line.
    fn stack_file_entry(&self, error: &MergeError) -> Option<String> {
        let (id, key) = match error {
            MergeError::DuplicateLogicalId {
                logical_id,
                second: Owner::StackFile,
                ..
            } => (logical_id, None),
            // A `DependsOn` is one key of the entry: point at it.
            MergeError::DanglingReference {
                owner: Owner::StackFile,
                from,
                kind,
                ..
            } => (from, (*kind == RefKind::DependsOn).then_some("DependsOn")),
            MergeError::DependencyCycle { cycle } => match cycle.first()? {
                (id, Owner::StackFile) => (id, None),
                _ => return None,
            },
            _ => return None,
        };
        let pointer = &self.stack.resource(id)?.pointer;
        Some(match key {
            Some(key) => format!("{pointer}/{key}"),
            None => pointer.clone(),
        })
    }

    fn construct(&self, id: &str) -> &'a ConstructDecl {
        let stack: &'a StackFile = self.stack;
        stack
            .constructs
            .iter()
            .find(|c| c.id == id)
            .unwrap_or(&stack.constructs[0])
    }

    /// Locates a diagnostic at `pointer`; a construct or plain resource itself is located
    /// at its id, where a reader looks for it, rather than at its first key.
    fn at(&self, diagnostic: Diagnostic, pointer: &str, construct: Option<&str>) -> Diagnostic {
        let map = &self.stack.source_map;
        let is_entry = self.stack.constructs.iter().any(|c| c.pointer == pointer)
            || self.stack.resources.iter().any(|r| r.pointer == pointer);
        let location = if is_entry {
            map.locate_key(pointer)
        } else {
            map.locate(pointer)
        };
        let diagnostic = diagnostic.at(&self.stack.path, Some(location));
        match construct {
            Some(id) => diagnostic.construct(id),
            None => diagnostic,
        }
    }

    fn quotas(&self) -> Quotas {
        let defaults = Quotas::default();
        let limits = &self.stack.limits;
        Quotas {
            resources: limits.resources.unwrap_or(defaults.resources),
            outputs: limits.outputs.unwrap_or(defaults.outputs),
            parameters: limits.parameters.unwrap_or(defaults.parameters),
            template_bytes: limits.template_bytes.unwrap_or(defaults.template_bytes),
        }
    }
}

/// One plugin call, ready to run on any thread.
struct Call<'a> {
    plugin: &'a LoadedPlugin,
    spending: Arc<Spending>,
    /// Answers the plugin's requests for child constructs ...
    composer: Arc<Composition>,
    /// ... and keeps what they became.
    tree: Arc<Tree>,
    context: SynthContext,
    /// The template ids the props name.
    handed: BTreeSet<String>,
    props: String,
}

/// What a construct's call gave, for merging.
struct Synthesised {
    answer: Result<SynthOutcome, Problem>,
    children: Vec<Child>,
    /// Children's warnings beyond the budget, counted rather than kept.
    warnings_dropped: usize,
    /// The template ids the props named, and those its children's attributes named.
    handed: BTreeSet<String>,
    /// The refusals the construct was given for its failed children.
    child_failures: ChildFailures,
}

/// The merging half of synthesis (see [`parallel::pipeline`]): task `t` is the construct
/// `order[t]`.
struct Merging<'r, 'a> {
    run: &'r mut Run<'a>,
    builder: &'r mut TemplateBuilder,
    order: &'r [usize],
}

impl<'a> Merge for Merging<'_, 'a> {
    type Input = Call<'a>;
    type Output = Synthesised;

    fn prepare(&mut self, task: usize) -> Call<'a> {
        self.run.call(self.order[task])
    }

    fn merge(&mut self, task: usize, synthesised: Synthesised) -> bool {
        let index = self.order[task];
        let mut warnings = Vec::new();
        self.run.warnings_dropped += synthesised.warnings_dropped;
        let merged = self
            .run
            .merge_answer(index, synthesised, self.builder, &mut warnings);
        self.run.warn(warnings);
        match merged {
            Ok(attributes) => {
                let id = self.run.stack.constructs[index].id.as_str();
                self.run.attributes.insert(id, attributes);
                true
            }
            Err(errors) => {
                self.run.errors.extend(errors);
                false
            }
        }
    }
}
