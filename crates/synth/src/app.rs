//! Apps: the stacks of an app file read and checked once ([`read_app`]), then synthesised
//! for an environment into its cloud assembly ([`App::synthesize`]).
//!
//! Everything that can be checked without running a plugin is checked when the app is
//! read: every stack file, the environments' parameters and placements, and every
//! reference from one stack to another (`${Stack::Name.attribute}`), which becomes a
//! [`Link`]: an output of the producing stack with a name derived from what it reads
//! alone, so no unrelated edit renames it, and the expression the consumer reads it with.
//! Because that expression does not depend on the producer's template, the stacks of an
//! environment are synthesised in parallel.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use stackweave_app::{AppFile, Environment, ReferenceMode, stack_name, value_kind};
use stackweave_location::closest;
use stackweave_stack::{OutputDecl, Part, Prop, Reference, StackFile, Text, Unread};

use crate::diagnostic::{Diagnostic, Failure};
use crate::load::{self, PluginUse};
use crate::lock::Lockfile;
use crate::options::Options;
use crate::references::{Imports, Namespace, Target};
use crate::registry::{LoadedPlugin, Registry};
use crate::run::{Synthesis, synthesize_linked};

/// An app read and checked, ready to synthesise for any of its environments.
pub struct App {
    /// The app file.
    pub file: AppFile,
    /// Its stack files, in the app file's order; values are not bound yet.
    pub stacks: Vec<StackFile>,
    /// Every reference from one stack to another, in stack then file order.
    pub links: Vec<Link>,
    /// Stack indexes in deploy order: every stack after the stacks it reads from.
    pub order: Vec<usize>,
    /// Every plugin the stacks can use, loaded once for the whole app.
    pub registry: Arc<Registry>,
}

/// One reference from a stack to a value of another stack of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The reading stack (index into [`App::stacks`]).
    pub consumer: usize,
    /// Where the consumer's stack file writes it (JSON Pointer).
    pub pointer: String,
    /// The reference as written.
    pub reference: Reference,
    /// The stack it reads from.
    pub producer: usize,
    /// The producer's construct, plain resource or output it reads.
    pub target: String,
    /// The attribute read, when the target is a construct or resource.
    pub attribute: Option<String>,
    /// The producer's output that carries the value: the target itself when it is an
    /// output, otherwise [`output_name`] of target and attribute.
    pub output: String,
}

/// The name of the output through which other stacks read `attribute` of `target`: the two
/// run together, each dotted part capitalised and underscores dropped (`Logs` + `arn` ->
/// `LogsArn`, `Db` + `Endpoint.Address` -> `DbEndpointAddress`, a resource's `Ref` ->
/// `TableRef`). It depends on nothing else, so it is stable under every other edit.
pub fn output_name(target: &str, attribute: Option<&str>) -> String {
    let mut name = target.to_owned();
    for part in attribute.unwrap_or("Ref").split(['.', '_']) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name
}

/// One environment's cloud assembly: every selected stack's synthesis, in deploy order,
/// with where and how it is deployed.
pub struct Assembly {
    /// The app's name.
    pub app: String,
    /// The environment's name.
    pub environment: String,
    /// The stacks, in deploy order.
    pub stacks: Vec<AssembledStack>,
    /// Every plugin the stacks used, sorted, once.
    pub plugins: Vec<PluginUse>,
}

/// One stack of an assembly.
pub struct AssembledStack {
    /// Its name in the app (the stack file's `name`).
    pub id: String,
    /// Its CloudFormation stack name ([`stack_name`]).
    pub stack_name: String,
    /// The region it is deployed to.
    pub region: String,
    /// The account it is deployed to, when the environment says.
    pub account: Option<String>,
    /// The environment's bucket for templates too large to deploy inline, when it names one.
    pub bucket: Option<String>,
    /// Parameter values, in the environment's order.
    pub parameters: Vec<(String, String)>,
    /// Tags, in the environment's order.
    pub tags: Vec<(String, String)>,
    /// The stacks (ids) it reads from, which must be deployed first, in deploy order.
    pub depends_on: Vec<String>,
    /// The synthesis.
    pub synthesis: Synthesis,
}

/// Reads the app file at `path` and every stack file it lists, loads their plugins once, and
/// checks everything that needs no plugin run (and, with `options.locked`, every plugin
/// against the app's lockfile); reports every problem found.
pub fn read_app(path: &Path, options: &Options) -> Result<App, Failure> {
    let file = stackweave_app::parse_app_file(path).map_err(|e| Failure::from(e.diagnostics()))?;
    let mut errors = Vec::new();
    let mut stacks: Vec<StackFile> = Vec::new();
    for entry in &file.stacks {
        match stackweave_stack::parse_stack_file(&entry.file) {
            Ok(stack) => {
                let at = file.source_map.locate(&entry.pointer);
                if stacks.iter().any(|s| s.name == stack.name) {
                    errors.push(
                        Diagnostic::error(format!(
                            "two stack files of the app are named `{}`",
                            stack.name
                        ))
                        .at(&file.path, Some(at))
                        .help("stack names are unique in an app: change `name:` in one of the stack files"),
                    );
                } else if stack.name == "AWS" {
                    errors.push(Diagnostic::error("a stack of an app may not be named `AWS`: `${AWS::...}` are CloudFormation's pseudo parameters").at(&stack.path, Some(stack.source_map.locate("/name"))).help("rename the stack"));
                }
                stacks.push(stack);
            }
            Err(error) => errors.extend(load::stack_diagnostics(error).diagnostics),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    errors.extend(check_environments(&file, &stacks));
    let refs: Vec<&StackFile> = stacks.iter().collect();
    let registry = Arc::new(load::registry_for(&refs, options)?);
    let links = match link(&file, &stacks, &registry) {
        Ok(links) => links,
        Err(more) => {
            errors.extend(more);
            Vec::new()
        }
    };
    let order = match deploy_order(&stacks, &links) {
        Ok(order) => order,
        Err(cycle) => {
            errors.push(cycle);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let app = App {
        file,
        stacks,
        links,
        order,
        registry,
    };
    if options.locked {
        // One lockfile for the app, checked once for every environment.
        let refused = Lockfile::read(&app.file.path)?.check(&app.plugins(), &app.file.path);
        if !refused.is_empty() {
            return Err(refused.into());
        }
    }
    Ok(app)
}

impl App {
    /// The index of the stack with this name.
    pub fn stack_index(&self, name: &str) -> Option<usize> {
        self.stacks.iter().position(|s| s.name == name)
    }

    /// The stack indexes `only` names (every stack when empty), in deploy order.
    pub fn selected(&self, only: &[String]) -> Vec<usize> {
        self.order
            .iter()
            .copied()
            .filter(|&i| only.is_empty() || only.contains(&self.stacks[i].name))
            .collect()
    }

    /// Every plugin the app's stacks use, sorted, once: what `stackweave lock` records.
    pub fn plugins(&self) -> Vec<PluginUse> {
        let mut used: Vec<PluginUse> = self
            .stacks
            .iter()
            .flat_map(|stack| load::plugins_used(stack, &self.registry))
            .collect();
        used.sort();
        used.dedup();
        used
    }

    /// Synthesises the stacks named in `only` (every stack when empty) for `environment`,
    /// in parallel; nothing is returned unless every one succeeds. (`options.locked` was
    /// checked by [`read_app`].)
    pub fn synthesize(
        &self,
        environment: &Environment,
        only: &[String],
        options: &Options,
    ) -> Result<Assembly, Failure> {
        let selected = self.selected(only);
        let mut errors = Vec::new();
        let mut prepared = Vec::new();
        for &index in &selected {
            match self.prepare(index, environment) {
                Ok(ready) => prepared.push(ready),
                Err(more) => errors.extend(more),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let results = self.run_all(prepared, options);
        let mut stacks = Vec::new();
        for (index, result) in selected.iter().zip(results) {
            match result {
                Ok(synthesis) => stacks.push(self.assembled(*index, environment, synthesis)),
                Err(failure) => errors.extend(failure.diagnostics),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let mut plugins: Vec<PluginUse> = stacks
            .iter()
            .flat_map(|s| s.synthesis.plugins.iter().cloned())
            .collect();
        plugins.sort();
        plugins.dedup();
        Ok(Assembly {
            app: self.file.name.clone(),
            environment: environment.name.clone(),
            stacks,
            plugins,
        })
    }

    /// The stack at `index` ready for `environment`: values bound, the outputs other stacks
    /// read added, and the expressions its own references to other stacks stand for.
    fn prepare(
        &self,
        index: usize,
        environment: &Environment,
    ) -> Result<(StackFile, Imports), Vec<Diagnostic>> {
        let mut stack = self.stacks[index].clone();
        stackweave_stack::bind_values(&mut stack, &|name| self.value(environment, name))?;
        self.add_read_outputs(&mut stack, index, environment);
        let mut errors = Vec::new();
        let mut imports = Imports::new();
        for link in self.links.iter().filter(|l| l.consumer == index) {
            match self.expression(environment, link) {
                Ok(expression) => {
                    imports.insert(link.reference.clone(), expression);
                }
                Err(error) => errors.push(error),
            }
        }
        match errors.is_empty() {
            true => Ok((stack, imports)),
            false => Err(errors),
        }
    }

    /// Gives the stack at `index` an output for each of its values other stacks read (or,
    /// reading one of its own outputs under strong references, that output an export).
    fn add_read_outputs(&self, stack: &mut StackFile, index: usize, environment: &Environment) {
        let mut read_by: BTreeMap<&str, (&Link, BTreeSet<&str>)> = BTreeMap::new();
        for link in self.links.iter().filter(|l| l.producer == index) {
            let entry = read_by
                .entry(link.output.as_str())
                .or_insert_with(|| (link, BTreeSet::new()));
            entry.1.insert(self.stacks[link.consumer].name.as_str());
        }
        let strong = self.file.references == ReferenceMode::Strong;
        for (output, (link, readers)) in read_by {
            let export = strong.then(|| literal(&self.export_name(environment, link)));
            if let Some(own) = stack.outputs.iter_mut().find(|o| o.name == output) {
                if own.export_name.is_none() {
                    own.export_name = export;
                }
                continue;
            }
            let readers: Vec<String> = readers.iter().map(|r| format!("`{r}`")).collect();
            stack.outputs.push(OutputDecl {
                name: output.to_owned(),
                value: Prop::Text(Text {
                    parts: vec![Part::Ref(Reference {
                        stack: None,
                        target: link.target.clone(),
                        attribute: link.attribute.clone(),
                    })],
                }),
                description: Some(format!(
                    "{} of {}, read by stack {}",
                    link.attribute.as_deref().unwrap_or("Ref"),
                    link.target,
                    readers.join(", ")
                )),
                export_name: export,
                pointer: entry_pointer(stack, &link.target),
            });
        }
    }

    /// The environment's value `name`, or why a stack cannot read it.
    fn value(&self, environment: &Environment, name: &str) -> Result<Value, Unread> {
        if let Some(value) = environment.value(name) {
            return Ok(value.value.clone());
        }
        let app = self.file.path.display();
        let defined_in: Vec<&str> = self
            .file
            .environments
            .iter()
            .filter(|e| e.value(name).is_some())
            .map(|e| e.name.as_str())
            .collect();
        if let Some(other) = defined_in.first() {
            let kind = self
                .file
                .environments
                .iter()
                .find_map(|e| e.value(name))
                .map_or("", |v| value_kind(&v.value));
            return Err(Unread {
                message: format!(
                    "environment `{}` of {app} does not define value `{name}`, which this stack reads (`{other}` gives it as a {kind})",
                    environment.name
                ),
                help: format!(
                    "add `{name}:` under `environments: {}: values:` in {app}",
                    environment.name
                ),
            });
        }
        let known = self
            .file
            .environments
            .iter()
            .flat_map(|e| e.values.iter().map(|v| v.name.as_str()));
        Err(Unread {
            message: format!("no environment of {app} defines value `{name}`"),
            help: match closest(name, known) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("define it under every environment's `values:` in {app}"),
            },
        })
    }

    /// The export a strong reference imports: the producer's stack name and the output's.
    fn export_name(&self, environment: &Environment, link: &Link) -> String {
        let producer = &self.stacks[link.producer].name;
        format!(
            "{}-{}",
            stack_name(&self.file.name, &environment.name, producer),
            link.output
        )
    }

    /// The export a strong reference imports: the one the producer's own output names
    /// (known at synthesis: literal text and the stack's name, region and account), or the
    /// one Stackweave gives it.
    fn imported_export(
        &self,
        environment: &Environment,
        link: &Link,
    ) -> Result<String, Diagnostic> {
        let producer = &self.stacks[link.producer];
        let Some(written) = producer
            .output(&link.output)
            .and_then(|o| o.export_name.as_ref())
        else {
            return Ok(self.export_name(environment, link));
        };
        let (region, account, _) = self.placement(environment, link.producer);
        let mut name = String::new();
        for part in written
            .as_text()
            .map(|t| t.parts.as_slice())
            .unwrap_or_default()
        {
            let known = match part {
                Part::Literal(text) => Some(text.clone()),
                Part::Ref(r) if r.target == "AWS::StackName" => Some(stack_name(
                    &self.file.name,
                    &environment.name,
                    &producer.name,
                )),
                Part::Ref(r) if r.target == "AWS::Region" => Some(region.clone()),
                Part::Ref(r) if r.target == "AWS::AccountId" => account.clone(),
                _ => None,
            };
            match known {
                Some(text) => name.push_str(&text),
                None => {
                    return Err(Diagnostic::error(format!(
                        "`{}` imports output `{}` of stack `{}`, whose `exportName` is only known when it is deployed",
                        link.reference, link.output, producer.name
                    ))
                    .help(format!(
                        "give the output an `exportName` of text, `${{AWS::StackName}}` and `${{AWS::Region}}` only, or remove it and Stackweave names the export in {}",
                        producer.path.display()
                    )));
                }
            }
        }
        Ok(name)
    }

    /// Region, account and the role that reads outputs, of the stack at `index`.
    fn placement(
        &self,
        environment: &Environment,
        index: usize,
    ) -> (String, Option<String>, Option<String>) {
        let placement = environment.placement(&self.stacks[index].name);
        let region = placement
            .and_then(|p| p.region.clone())
            .unwrap_or_else(|| environment.region.clone());
        let account = placement
            .and_then(|p| p.account.clone())
            .or_else(|| environment.account.clone());
        (
            region,
            account,
            placement.and_then(|p| p.outputs_role.clone()),
        )
    }

    /// The expression with which the consumer of `link` reads its value in `environment`.
    fn expression(&self, environment: &Environment, link: &Link) -> Result<Value, Diagnostic> {
        let (region, account, role) = self.placement(environment, link.producer);
        let (own_region, own_account, _) = self.placement(environment, link.consumer);
        let consumer = &self.stacks[link.consumer];
        let producer = &self.stacks[link.producer];
        let at = |diagnostic: Diagnostic| {
            diagnostic.at(
                &consumer.path,
                Some(consumer.source_map.locate(&link.pointer)),
            )
        };
        let elsewhere = region != own_region || account != own_account;
        if self.file.references == ReferenceMode::Strong {
            if elsewhere {
                return Err(at(Diagnostic::error(format!(
                    "environment `{}` puts stack `{}` in {} and `{}` in {}, and `{}` reaches across with a strong reference, which CloudFormation only resolves in one region and account",
                    environment.name,
                    producer.name,
                    placed_at(&region, &account),
                    consumer.name,
                    placed_at(&own_region, &own_account),
                    link.reference
                ))
                .help(format!("use weak references (`references: weak` in {}), which read across regions and accounts", self.file.path.display()))));
            }
            let export = self.imported_export(environment, link).map_err(at)?;
            return Ok(json!({ "Fn::ImportValue": export }));
        }
        let mut read = serde_json::Map::new();
        read.insert(
            "StackName".into(),
            stack_name(&self.file.name, &environment.name, &producer.name).into(),
        );
        read.insert("OutputName".into(), link.output.clone().into());
        if region != own_region {
            read.insert("Region".into(), region.clone().into());
        }
        if account != own_account {
            let Some(role) = role else {
                return Err(at(Diagnostic::error(format!(
                    "environment `{}` puts stack `{}` in {} and `{}` in {}; reading `{}` across accounts needs a role in `{}`'s account",
                    environment.name,
                    producer.name,
                    placed_at(&region, &account),
                    consumer.name,
                    placed_at(&own_region, &own_account),
                    link.reference,
                    producer.name
                ))
                .help(format!(
                    "give `outputsRole:` (a role allowed `cloudformation:DescribeStacks` on it) under `environments: {}: stacks: {}:` in {}",
                    environment.name,
                    producer.name,
                    self.file.path.display()
                ))));
            };
            read.insert("RoleArn".into(), role.into());
        }
        Ok(json!({ "Fn::GetStackOutput": read }))
    }

    /// Synthesises prepared stacks on up to `options.jobs` threads; results in input order,
    /// so the outcome is the same on one thread or many.
    fn run_all(
        &self,
        prepared: Vec<(StackFile, Imports)>,
        options: &Options,
    ) -> Vec<Result<Synthesis, Failure>> {
        let jobs = options
            .jobs
            .map_or_else(crate::parallel::default_jobs, NonZeroUsize::get);
        let count = prepared.len();
        let workers = jobs.min(count).max(1);
        // Spare threads go to the plugin calls inside each stack.
        let inner = Options {
            jobs: NonZeroUsize::new((jobs / workers).max(1)),
            locked: false,
            ..options.clone()
        };
        let queue = Mutex::new(prepared.into_iter().enumerate());
        let results: Mutex<Vec<Option<Result<Synthesis, Failure>>>> =
            Mutex::new((0..count).map(|_| None).collect());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let next = queue.lock().map(|mut q| q.next()).ok().flatten();
                        let Some((index, (stack, imports))) = next else {
                            break;
                        };
                        let result = synthesize_linked(stack, &imports, &self.registry, &inner);
                        if let Ok(mut results) = results.lock() {
                            results[index] = Some(result);
                        }
                    }
                });
            }
        });
        results
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(Diagnostic::error("a stack's synthesis stopped unexpectedly").into())
                })
            })
            .collect()
    }

    fn assembled(
        &self,
        index: usize,
        environment: &Environment,
        synthesis: Synthesis,
    ) -> AssembledStack {
        let id = self.stacks[index].name.clone();
        let (region, account, _) = self.placement(environment, index);
        let producers: BTreeSet<usize> = self
            .links
            .iter()
            .filter(|l| l.consumer == index)
            .map(|l| l.producer)
            .collect();
        let depends_on = self
            .order
            .iter()
            .filter(|i| producers.contains(i))
            .map(|&i| self.stacks[i].name.clone())
            .collect();
        let parameters = environment
            .parameters
            .iter()
            .find(|(stack, _)| *stack == id)
            .map(|(_, values)| values.clone())
            .unwrap_or_default();
        AssembledStack {
            stack_name: stack_name(&self.file.name, &environment.name, &id),
            id,
            region,
            account,
            bucket: environment.bucket.clone(),
            parameters,
            tags: environment.tags.clone(),
            depends_on,
            synthesis,
        }
    }
}

/// "eu-west-1" or "eu-west-1, account 111111111111", for messages.
fn placed_at(region: &str, account: &Option<String>) -> String {
    match account {
        Some(account) => format!("{region}, account {account}"),
        None => region.to_owned(),
    }
}

/// A string prop holding literal text.
fn literal(text: &str) -> Prop {
    Prop::Text(Text {
        parts: vec![Part::Literal(text.to_owned())],
    })
}

/// Where a construct or plain resource of the stack is written, for errors about the
/// output added for it.
fn entry_pointer(stack: &StackFile, id: &str) -> String {
    stack
        .construct(id)
        .map(|c| c.pointer.clone())
        .or_else(|| stack.resource(id).map(|r| r.pointer.clone()))
        .unwrap_or_default()
}

/// Every environment's parameters and placements name stacks and parameters that exist,
/// every parameter without a default has a value in every environment, and every stack
/// name fits CloudFormation's limit.
fn check_environments(file: &AppFile, stacks: &[StackFile]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let names = || stacks.iter().map(|s| s.name.as_str());
    let at = |pointer: &str| file.source_map.locate_key(pointer);
    let unknown_stack = |name: &str, pointer: &str| {
        let error = Diagnostic::error(format!("`{name}` is not a stack of the app"))
            .at(&file.path, Some(at(pointer)));
        match closest(name, names()) {
            Some(close) => error.help(format!("did you mean `{close}`?")),
            None => error.help("name a stack by its stack file's `name:`"),
        }
    };
    for environment in &file.environments {
        for (stack_id, values) in &environment.parameters {
            let pointer = format!("{}/parameters/{stack_id}", environment.pointer);
            let Some(stack) = stacks.iter().find(|s| s.name == *stack_id) else {
                errors.push(unknown_stack(stack_id, &pointer));
                continue;
            };
            for (name, _) in values {
                if stack.parameter(name).is_none() {
                    let error =
                        Diagnostic::error(format!("stack `{stack_id}` has no parameter `{name}`"))
                            .at(&file.path, Some(at(&format!("{pointer}/{name}"))));
                    let declared = stack.parameters.iter().map(|(n, _)| n.as_str());
                    errors.push(match closest(name, declared) {
                        Some(close) => error.help(format!("did you mean `{close}`?")),
                        None => error.help(format!(
                            "declare it under `parameters:` in {}, or remove it here",
                            stack.path.display()
                        )),
                    });
                }
            }
        }
        for (stack_id, placement) in &environment.placements {
            if !names().any(|n| n == stack_id) {
                errors.push(unknown_stack(stack_id, &placement.pointer));
            }
        }
        for stack in stacks {
            let given = environment
                .parameters
                .iter()
                .find(|(s, _)| *s == stack.name)
                .map(|(_, values)| values.as_slice())
                .unwrap_or_default();
            for (name, declaration) in &stack.parameters {
                if declaration.get("Default").is_none() && !given.iter().any(|(n, _)| n == name) {
                    errors.push(
                        Diagnostic::error(format!(
                            "environment `{}` gives no value for parameter `{name}` of stack `{}`, which has no default",
                            environment.name, stack.name
                        ))
                        .at(&file.path, Some(at(&environment.pointer)))
                        .help(format!(
                            "add `{}: {{{name}: ...}}` under `environments: {}: parameters:`, or give the parameter a `Default` in {}",
                            stack.name,
                            environment.name,
                            stack.path.display()
                        )),
                    );
                }
            }
            let name = stack_name(&file.name, &environment.name, &stack.name);
            if name.len() > stackweave_app::MAX_STACK_NAME {
                errors.push(
                    Diagnostic::error(format!(
                        "stack name `{name}` is {} characters, more than the {} CloudFormation allows",
                        name.len(),
                        stackweave_app::MAX_STACK_NAME
                    ))
                    .at(&file.path, Some(at(&environment.pointer)))
                    .help("shorten the app, environment or stack name"),
                );
            }
        }
    }
    errors
}

/// Checks every reference to another stack against what that stack defines.
fn link(
    file: &AppFile,
    stacks: &[StackFile],
    registry: &Registry,
) -> Result<Vec<Link>, Vec<Diagnostic>> {
    let no_imports = Imports::new();
    let plugins: Vec<Vec<&LoadedPlugin>> = stacks
        .iter()
        .map(|stack| {
            stack
                .constructs
                .iter()
                .filter_map(|c| registry.get(&c.plugin))
                .collect()
        })
        .collect();
    let namespaces: Vec<Namespace> = stacks
        .iter()
        .zip(&plugins)
        .map(|(stack, plugins)| Namespace::of(stack, plugins, &no_imports))
        .collect();
    let mut links = Vec::new();
    let mut errors = Vec::new();
    for (consumer, stack) in stacks.iter().enumerate() {
        for (pointer, reference) in stack.references() {
            let Some(producer_name) = &reference.stack else {
                continue;
            };
            let at = |diagnostic: Diagnostic| {
                diagnostic.at(&stack.path, Some(stack.source_map.locate(&pointer)))
            };
            let Some(producer) = stacks.iter().position(|s| s.name == *producer_name) else {
                let error = Diagnostic::error(format!(
                    "`{reference}` names stack `{producer_name}`, which is not a stack of app `{}`",
                    file.name
                ));
                let names = stacks
                    .iter()
                    .map(|s| s.name.as_str())
                    .filter(|n| *n != stack.name);
                errors.push(at(match closest(producer_name, names) {
                    Some(close) => error.help(format!("did you mean `{close}`?")),
                    None => error.help(format!(
                        "list its stack file under `stacks:` in {}",
                        file.path.display()
                    )),
                }));
                continue;
            };
            if producer == consumer {
                let local = Reference {
                    stack: None,
                    ..reference.clone()
                };
                errors.push(at(Diagnostic::error(format!(
                    "`{reference}` names this stack itself"
                ))
                .help(format!("write `{local}`"))));
                continue;
            }
            match resolve_link(&stacks[producer], &namespaces[producer], reference) {
                Ok((target, attribute, output)) => links.push(Link {
                    consumer,
                    pointer: pointer.clone(),
                    reference: reference.clone(),
                    producer,
                    target,
                    attribute,
                    output,
                }),
                Err(error) => errors.push(at(error)),
            }
        }
    }
    errors.extend(clashing_outputs(stacks, &links));
    match errors.is_empty() {
        true => Ok(links),
        false => Err(errors),
    }
}

/// What a reference into `producer` reads: (target, attribute, output name).
fn resolve_link(
    producer: &StackFile,
    namespace: &Namespace,
    reference: &Reference,
) -> Result<(String, Option<String>, String), Diagnostic> {
    let name = &producer.name;
    if let Some(output) = producer.output(&reference.target) {
        if let Some(attribute) = &reference.attribute {
            return Err(Diagnostic::error(format!(
                "`{reference}` asks for attribute `{attribute}` of output `{}` of stack `{name}`, but outputs have no attributes",
                output.name
            ))
            .help(format!("write `${{{name}::{}}}`", output.name)));
        }
        return Ok((output.name.clone(), None, output.name.clone()));
    }
    let local = Reference {
        stack: None,
        ..reference.clone()
    };
    let unknown = || {
        let names = producer
            .constructs
            .iter()
            .map(|c| c.id.as_str())
            .chain(producer.resources.iter().map(|r| r.id.as_str()))
            .chain(producer.outputs.iter().map(|o| o.name.as_str()));
        let error = Diagnostic::error(format!(
            "`{reference}` names `{}`, which is not a construct, resource or output of stack `{name}` ({})",
            reference.target,
            producer.path.display()
        ));
        match closest(&reference.target, names) {
            Some(close) => error.help(format!("did you mean `{close}`?")),
            None => error.help(
                "name a construct id, a resource from `resources:` or an output of that stack",
            ),
        }
    };
    match namespace.check(&local) {
        Ok(Target::Construct { id, attribute }) => {
            let output = output_name(id, Some(&attribute));
            Ok((id.to_owned(), Some(attribute), output))
        }
        Ok(Target::Resource { id, attribute }) => Ok((
            id.to_owned(),
            attribute.map(str::to_owned),
            output_name(id, attribute),
        )),
        Ok(Target::Parameter(_)) => Err(Diagnostic::error(format!(
            "`{reference}` names parameter `{}` of stack `{name}`; parameters are not shared between stacks",
            reference.target
        ))
        .help("give both stacks the value in the app's environments (`parameters:` or `values:`)")),
        Ok(Target::Pseudo(_) | Target::Imported(_)) => Err(unknown()),
        Err(error) if namespace.constructs.contains_key(reference.target.as_str()) => {
            Err(Diagnostic {
                message: format!("stack `{name}`: {}", error.message),
                ..error
            })
        }
        Err(_) => Err(unknown()),
    }
}

/// An output Stackweave adds whose name the producer already uses for something else, or
/// two different values that would share one output name.
fn clashing_outputs(stacks: &[StackFile], links: &[Link]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut claimed: BTreeMap<(usize, &str), &Link> = BTreeMap::new();
    for link in links {
        let producer = &stacks[link.producer];
        let consumer = &stacks[link.consumer];
        let at = || consumer.source_map.locate(&link.pointer);
        let own_output = link.attribute.is_none() && producer.output(&link.target).is_some();
        if !own_output && producer.output(&link.output).is_some() {
            errors.push(
                Diagnostic::error(format!(
                    "`{}` is read through an output named `{}`, but stack `{}` already has an output of that name",
                    link.reference, link.output, producer.name
                ))
                .at(&consumer.path, Some(at()))
                .help(format!("rename output `{}` in {}", link.output, producer.path.display())),
            );
            continue;
        }
        match claimed.get(&(link.producer, link.output.as_str())) {
            Some(first) if (&first.target, &first.attribute) != (&link.target, &link.attribute) => {
                errors.push(
                    Diagnostic::error(format!(
                        "`{}` and `{}` would both be read through output `{}` of stack `{}`",
                        first.reference, link.reference, link.output, producer.name
                    ))
                    .at(&consumer.path, Some(at()))
                    .help("rename one of the two constructs"),
                );
            }
            Some(_) => {}
            None => {
                claimed.insert((link.producer, link.output.as_str()), link);
            }
        }
    }
    errors
}

/// Stack indexes with every stack after those it reads from (app file order otherwise),
/// or the error naming a cycle.
fn deploy_order(stacks: &[StackFile], links: &[Link]) -> Result<Vec<usize>, Diagnostic> {
    let mut reads: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); stacks.len()];
    for link in links {
        reads[link.consumer].insert(link.producer);
    }
    let mut order: Vec<usize> = Vec::with_capacity(stacks.len());
    while order.len() < stacks.len() {
        let ready = (0..stacks.len())
            .find(|i| !order.contains(i) && reads[*i].iter().all(|p| order.contains(p)));
        match ready {
            Some(next) => order.push(next),
            None => return Err(cycle_error(stacks, links, &order, &reads)),
        }
    }
    Ok(order)
}

fn cycle_error(
    stacks: &[StackFile],
    links: &[Link],
    done: &[usize],
    reads: &[BTreeSet<usize>],
) -> Diagnostic {
    // Every stack left reads another one left: walk until a stack repeats.
    let left: Vec<usize> = (0..stacks.len()).filter(|i| !done.contains(i)).collect();
    let mut path = vec![left[0]];
    loop {
        let current = path[path.len() - 1];
        let next = reads[current]
            .iter()
            .copied()
            .find(|p| left.contains(p))
            .unwrap_or(current);
        if let Some(start) = path.iter().position(|&i| i == next) {
            let cycle: Vec<usize> = path[start..].iter().copied().chain([next]).collect();
            let names: Vec<&str> = cycle.iter().map(|&i| stacks[i].name.as_str()).collect();
            let first = links
                .iter()
                .find(|l| l.consumer == cycle[0] && l.producer == cycle[1])
                .expect("each step of the cycle is a link");
            let consumer = &stacks[first.consumer];
            return Diagnostic::error(format!(
                "stacks read from each other in a cycle: {}",
                names.join(" -> ")
            ))
            .at(&consumer.path, Some(consumer.source_map.locate(&first.pointer)))
            .help("CloudFormation must deploy a stack before the stacks that read it; move what both need into one stack, or into a third that both read");
        }
        path.push(next);
    }
}
