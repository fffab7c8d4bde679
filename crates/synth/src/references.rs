//! Checks every `${...}` in props and outputs against what the stack defines, orders the
//! constructs so each is synthesised after those it references, and turns references into
//! CloudFormation expressions once their targets exist.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use stackweave_stack::{Part, Prop, Reference, StackFile};
use stackweave_template::{Piece, interpolate};

use stackweave_location::closest;

use crate::diagnostic::Diagnostic;
use crate::registry::LoadedPlugin;

/// What each reference to another stack of the app stands for in this stack's template
/// (`Fn::GetStackOutput` or `Fn::ImportValue` of the producer's output), as the app worked
/// it out; empty for a stack synthesised on its own.
pub type Imports = BTreeMap<Reference, Value>;

/// What a reference may name: constructs (with their plugin's attribute names), plain
/// resources and parameters, and other stacks' values the app resolved.
pub(crate) struct Namespace<'a> {
    /// Construct id -> attribute names in the plugin's order (first = default).
    pub constructs: BTreeMap<&'a str, Vec<String>>,
    /// The stack file's plain resources. Any attribute name is accepted: which attributes a
    /// resource type has is CloudFormation's knowledge, not the core's.
    pub resources: BTreeSet<&'a str>,
    /// The stack's CloudFormation parameters.
    pub parameters: BTreeSet<&'a str>,
    /// References to other stacks of the app.
    pub imports: &'a Imports,
}

/// What a checked reference points at.
pub(crate) enum Target<'a> {
    /// `AWS::Region` and friends.
    Pseudo(&'a str),
    /// A stack parameter.
    Parameter(&'a str),
    /// An attribute of a construct.
    Construct { id: &'a str, attribute: String },
    /// A plain resource: its `Ref`, or the attribute `Fn::GetAtt` reads.
    Resource {
        id: &'a str,
        attribute: Option<&'a str>,
    },
    /// A value of another stack of the app: the expression that reads it.
    Imported(&'a Value),
}

impl<'a> Namespace<'a> {
    /// What the stack's references may name, given each construct's plugin (in
    /// construct order) and the app's imports.
    pub fn of(stack: &'a StackFile, plugins: &[&LoadedPlugin], imports: &'a Imports) -> Self {
        Namespace {
            constructs: stack
                .constructs
                .iter()
                .zip(plugins)
                .map(|(c, p)| {
                    (
                        c.id.as_str(),
                        p.info().attributes.iter().map(|a| a.name.clone()).collect(),
                    )
                })
                .collect(),
            resources: stack.resources.iter().map(|r| r.id.as_str()).collect(),
            parameters: stack
                .parameters
                .iter()
                .map(|(name, _)| name.as_str())
                .collect(),
            imports,
        }
    }

    /// Resolves a reference's target or says why it cannot be.
    pub fn check(&self, reference: &'a Reference) -> Result<Target<'a>, Diagnostic> {
        let target = reference.target.as_str();
        if let Some(stack) = &reference.stack {
            // The app checks every reference to another stack before synthesis; a stack
            // on its own has no other stacks.
            return self.imports.get(reference).map(Target::Imported).ok_or_else(|| {
                Diagnostic::error(format!(
                    "`{reference}` reads from stack `{stack}`, but this stack file is synthesised on its own"
                ))
                .help("synthesise the app that lists both stacks: `stackweave synth app.yaml --env ENV`")
            });
        }
        if reference.is_pseudo() {
            return Ok(Target::Pseudo(target));
        }
        if self.parameters.contains(target) {
            if let Some(attribute) = &reference.attribute {
                return Err(Diagnostic::error(format!(
                    "`{reference}` asks for attribute `{attribute}` of the parameter `{target}`, but parameters have no attributes"
                ))
                .help(format!("write `${{{target}}}`")));
            }
            return Ok(Target::Parameter(target));
        }
        if self.resources.contains(target) {
            return Ok(Target::Resource {
                id: target,
                attribute: reference.attribute.as_deref(),
            });
        }
        let Some(attributes) = self.constructs.get(target) else {
            let names = self
                .constructs
                .keys()
                .chain(&self.resources)
                .chain(&self.parameters)
                .copied();
            let error = Diagnostic::error(format!(
                "`{reference}` names `{target}`, which is not a construct, resource or parameter of this stack"
            ));
            return Err(match closest(target, names) {
                Some(close) => error.help(format!("did you mean `{close}`?")),
                None => error.help("reference a construct id from `constructs:`, a resource from `resources:`, a parameter, or a pseudo parameter such as `AWS::Region`"),
            });
        };
        let attribute = match &reference.attribute {
            Some(attribute) if attributes.contains(attribute) => attribute.clone(),
            Some(attribute) => {
                let error = Diagnostic::error(format!(
                    "construct `{target}` has no attribute `{attribute}`"
                ));
                return Err(
                    match closest(attribute, attributes.iter().map(String::as_str)) {
                        Some(close) => error.help(format!("did you mean `{close}`?")),
                        None => error.help(format!("its attributes are {}", quoted(attributes))),
                    },
                );
            }
            None => attributes.first().cloned().ok_or_else(|| {
                Diagnostic::error(format!(
                    "construct `{target}` exposes no attributes, so `{reference}` has no value"
                ))
            })?,
        };
        Ok(Target::Construct {
            id: target,
            attribute,
        })
    }
}

/// Construct order: every construct after the ones its props reference, otherwise file order.
/// On a cycle, returns the ids on it.
pub(crate) fn synthesis_order(
    stack: &StackFile,
    depends_on: &BTreeMap<&str, BTreeSet<&str>>,
) -> Result<Vec<usize>, Vec<String>> {
    // Kahn's algorithm, always taking the earliest declared construct that is ready.
    let index: BTreeMap<&str, usize> = stack
        .constructs
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut waiting_on = vec![0usize; stack.constructs.len()];
    let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); stack.constructs.len()];
    for (id, deps) in depends_on {
        let Some(&dependent) = index.get(id) else {
            continue;
        };
        for dep in deps {
            if let Some(&dep) = index.get(dep) {
                waiting_on[dependent] += 1;
                needed_by[dep].push(dependent);
            }
        }
    }
    let mut ready: BTreeSet<usize> = (0..stack.constructs.len())
        .filter(|&i| waiting_on[i] == 0)
        .collect();
    let mut order = Vec::with_capacity(stack.constructs.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &dependent in &needed_by[next] {
            waiting_on[dependent] -= 1;
            if waiting_on[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    if order.len() < stack.constructs.len() {
        let stuck = stack
            .constructs
            .iter()
            .enumerate()
            .filter(|(i, _)| waiting_on[*i] > 0)
            .map(|(_, c)| c.id.as_str());
        return Err(cycle_among(stuck.collect(), depends_on));
    }
    Ok(order)
}

/// One cycle among constructs that cannot be ordered, as ids from start back to start.
fn cycle_among(stuck: Vec<&str>, depends_on: &BTreeMap<&str, BTreeSet<&str>>) -> Vec<String> {
    let stuck_set: BTreeSet<&str> = stuck.iter().copied().collect();
    let mut path: Vec<&str> = Vec::new();
    let mut current = stuck[0];
    // Every stuck construct depends on another stuck one, so walking always finds a repeat.
    while !path.contains(&current) {
        path.push(current);
        current = depends_on
            .get(current)
            .and_then(|deps| deps.iter().copied().find(|d| stuck_set.contains(d)))
            .unwrap_or(current);
    }
    let start = path.iter().position(|id| *id == current).unwrap_or(0);
    let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
    cycle.push(current.to_string());
    cycle
}

/// Turns written props into the JSON a plugin receives: references become expressions.
pub(crate) fn resolve(prop: &Prop, expression: &dyn Fn(&Reference) -> Value) -> Value {
    match prop {
        Prop::Null => Value::Null,
        Prop::Bool(b) => Value::Bool(*b),
        Prop::Number(n) => Value::Number(n.clone()),
        Prop::Text(text) => interpolate(
            text.parts
                .iter()
                .map(|part| match part {
                    Part::Literal(s) => Piece::Text(s.clone()),
                    Part::Ref(reference) => Piece::Expr(expression(reference)),
                    // Bound before synthesis: an app binds its environment's values, and
                    // a stack file on its own may read none.
                    Part::Value(name) => Piece::Text(format!("${{value:{name}}}")),
                })
                .collect(),
        ),
        Prop::List(items) => {
            Value::Array(items.iter().map(|item| resolve(item, expression)).collect())
        }
        Prop::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), resolve(v, expression)))
                .collect::<Map<_, _>>(),
        ),
        Prop::Data(value) => value.clone(),
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
