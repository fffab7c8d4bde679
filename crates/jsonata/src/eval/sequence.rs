//! Paths and sequences: JSONata's navigation semantics.
//!
//! A path maps each step over the sequence the previous step produced and flattens the
//! results one level (arrays built by `[...]` as a path's first or last step stay whole);
//! a sequence of one item is unwrapped and of none is undefined ([`unwrap_sequence`]);
//! predicates bind to the step before them; `^(...)` orders the whole sequence; `@`/`#`
//! bindings turn the path into a stream of tuples, each carrying its own scope.

use std::rc::Rc;

use super::{Evaluator, Frame, MAX_EVAL_DEPTH, PARENTS};
use crate::JsonataError;
use crate::ast::{Kind, Node, SortTerm};
use crate::error::Result;
use crate::functions;
use crate::value::{Array, Val};

impl Evaluator<'_> {
    pub(super) fn path(
        &self,
        steps: &[Node],
        keep_array: bool,
        input: &Val,
        frame: &Rc<Frame>,
    ) -> Result<Val> {
        let parents = self.uses_parent && steps.iter().any(Node::contains_parent);
        if parents || steps.iter().any(is_bound) {
            return self.tuple_path(steps, keep_array, parents, input, frame);
        }
        let first_is_var = steps.first().is_some_and(starts_with_variable);
        let mut current: Vec<Val> = match input {
            Val::Array(a) if !first_is_var => a.items.clone(),
            other => vec![other.clone()],
        };
        let mut result = Val::Undefined;
        for (i, step) in steps.iter().enumerate() {
            let last = i + 1 == steps.len();
            result = if i == 0 && matches!(step.kind, Kind::Array(_)) {
                // A leading `[...]` is built once, not once per input item.
                as_cons(self.eval(step, input, frame)?)
            } else {
                self.step(step, &current, last, frame)?
            };
            current = match &result {
                Val::Undefined => Vec::new(),
                Val::Array(a) => a.items.clone(),
                other => vec![other.clone()],
            };
            if current.is_empty() {
                break;
            }
        }
        Ok(match result {
            Val::Array(a) if a.sequence => {
                let mut a = Rc::unwrap_or_clone(a);
                a.sequence = true;
                a.keep_singleton |= keep_array;
                Val::Array(Rc::new(a))
            }
            // A data array (never unwrapped) is the result as it is, `[]` or not.
            plain @ Val::Array(_) => plain,
            Val::Undefined => Val::sequence(Vec::new()),
            other if keep_array => Val::Array(Rc::new(Array {
                items: vec![other],
                sequence: true,
                keep_singleton: true,
                cons: false,
                outer: false,
            })),
            other => other,
        })
    }

    /// A path with `@`/`#` bindings: a stream of tuples, each a context and the scope
    /// holding the bindings made so far.
    /// A path with `@`/`#` bindings or `%`: a stream of tuples, each a context and the
    /// scope holding the bindings made so far (with `parents`, also the context's
    /// ancestors, nearest first).
    fn tuple_path(
        &self,
        steps: &[Node],
        keep_array: bool,
        parents: bool,
        input: &Val,
        frame: &Rc<Frame>,
    ) -> Result<Val> {
        // A tuple's scope for `item`, reached from `context` in `scope`.
        let descend = |context: &Val, scope: &Rc<Frame>| -> Rc<Frame> {
            if !parents {
                return scope.clone();
            }
            let mut ancestors = vec![context.clone()];
            if let Some(older) = scope.lookup(PARENTS) {
                ancestors.extend(older.to_items());
            }
            let child = Frame::child(scope);
            child.bind(PARENTS, Val::array(ancestors));
            child
        };
        let first_is_var = steps.first().is_some_and(starts_with_variable);
        let mut tuples: Vec<(Val, Rc<Frame>)> = match input {
            Val::Array(a) if !first_is_var => {
                a.items.iter().map(|i| (i.clone(), frame.clone())).collect()
            }
            other => vec![(other.clone(), frame.clone())],
        };
        for step in steps {
            let (inner, predicates): (&Node, &[Node]) = match &step.kind {
                Kind::Filter(inner, predicates) => (inner, predicates),
                _ => (step, &[]),
            };
            let mut next: Vec<(Val, Rc<Frame>)> = Vec::new();
            match &inner.kind {
                Kind::Sort(terms) => {
                    let order = self.sort_order(terms, &tuples)?;
                    next = order.into_iter().map(|i| tuples[i].clone()).collect();
                }
                Kind::Bound {
                    step: core,
                    focus,
                    index,
                } => {
                    for (context, scope) in &tuples {
                        let results = flatten_step(self.eval(core, context, scope)?);
                        for (position, item) in results.into_iter().enumerate() {
                            let bound = Frame::child(&if focus.is_some() {
                                scope.clone()
                            } else {
                                descend(context, scope)
                            });
                            if let Some(index) = index {
                                bound.bind(index, Val::Num(position as f64));
                            }
                            let context = match focus {
                                Some(focus) => {
                                    bound.bind(focus, item);
                                    context.clone()
                                }
                                None => item,
                            };
                            next.push((context, bound));
                        }
                    }
                }
                Kind::Parent => {
                    for (_, scope) in &tuples {
                        let ancestors = scope
                            .lookup(PARENTS)
                            .map(|a| a.to_items())
                            .unwrap_or_default();
                        let Some((parent, older)) = ancestors.split_first() else {
                            continue;
                        };
                        let up = Frame::child(scope);
                        up.bind(PARENTS, Val::array(older.to_vec()));
                        next.push((parent.clone(), up));
                    }
                }
                _ => {
                    for (context, scope) in &tuples {
                        let results = flatten_step(self.eval(inner, context, scope)?);
                        if results.is_empty() {
                            continue;
                        }
                        let child = descend(context, scope);
                        for item in results {
                            next.push((item, child.clone()));
                        }
                    }
                }
            }
            for predicate in predicates {
                next = self.filter_tuples(predicate, next)?;
            }
            tuples = next;
            if tuples.is_empty() {
                break;
            }
        }
        let items = tuples.into_iter().map(|(v, _)| v).collect();
        Ok(Val::Array(Rc::new(Array {
            items,
            sequence: true,
            keep_singleton: keep_array,
            cons: false,
            outer: false,
        })))
    }

    fn filter_tuples(
        &self,
        predicate: &Node,
        tuples: Vec<(Val, Rc<Frame>)>,
    ) -> Result<Vec<(Val, Rc<Frame>)>> {
        let len = tuples.len();
        if let Kind::Num(n) = predicate.kind {
            let mut at = n.floor();
            if at < 0.0 {
                at += len as f64;
            }
            return Ok(tuples
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i as f64 == at)
                .map(|(_, t)| t)
                .collect());
        }
        let mut out = Vec::new();
        for (i, (context, scope)) in tuples.into_iter().enumerate() {
            let r = self.eval(predicate, &context, &scope)?;
            let keep = match &r {
                Val::Num(n) => {
                    let at = if *n < 0.0 {
                        n.floor() + len as f64
                    } else {
                        n.floor()
                    };
                    at == i as f64
                }
                other => other.truthy(),
            };
            if keep {
                out.push((context, scope));
            }
        }
        Ok(out)
    }

    fn step(&self, step: &Node, items: &[Val], last: bool, frame: &Rc<Frame>) -> Result<Val> {
        // An order-by sorts the whole sequence, and its predicates see the sorted result.
        match &step.kind {
            Kind::Sort(terms) => return self.sort(terms, items, frame),
            Kind::Filter(inner, predicates) if matches!(inner.kind, Kind::Sort(_)) => {
                let Kind::Sort(terms) = &inner.kind else {
                    return Ok(Val::Undefined);
                };
                let mut value = self.sort(terms, items, frame)?;
                for predicate in predicates {
                    value = self.filter(predicate, &value, frame)?;
                }
                return Ok(value);
            }
            _ => {}
        }
        // A trailing `[...]` builds one array per item, kept whole.
        let keep_whole = last && matches!(step.kind, Kind::Array(_));
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            let r = self.eval(step, item, frame)?;
            if !r.is_undefined() {
                results.push(if keep_whole { as_cons(r) } else { r });
            }
        }
        if last
            && results.len() == 1
            && let Val::Array(a) = &results[0]
            && !a.sequence
        {
            return Ok(results.pop().unwrap_or(Val::Undefined));
        }
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Val::Array(a) if !a.cons => out.extend(a.items.iter().cloned()),
                other => out.push(other),
            }
        }
        Ok(Val::sequence(out))
    }

    pub(crate) fn filter(&self, predicate: &Node, input: &Val, frame: &Rc<Frame>) -> Result<Val> {
        let keep = matches!(input, Val::Array(a) if a.keep_singleton);
        let items = input.to_items();
        let mut out = Vec::new();
        if let Kind::Num(n) = predicate.kind {
            if let Some(item) = index(&items, n) {
                if let Val::Array(_) = item {
                    return Ok(item.clone());
                }
                out.push(item.clone());
            }
        } else {
            for (i, item) in items.iter().enumerate() {
                let r = self.eval(predicate, item, frame)?;
                let numbers: Option<Vec<f64>> = match &r {
                    Val::Num(n) => Some(vec![*n]),
                    Val::Array(a)
                        if !a.items.is_empty()
                            && a.items.iter().all(|v| matches!(v, Val::Num(_))) =>
                    {
                        Some(
                            a.items
                                .iter()
                                .filter_map(|v| if let Val::Num(n) = v { Some(*n) } else { None })
                                .collect(),
                        )
                    }
                    _ => None,
                };
                match numbers {
                    Some(numbers) => {
                        for n in numbers {
                            let mut at = n.floor();
                            if at < 0.0 {
                                at += items.len() as f64;
                            }
                            if at == i as f64 {
                                out.push(item.clone());
                            }
                        }
                    }
                    None if r.truthy() => out.push(item.clone()),
                    None => {}
                }
            }
        }
        Ok(Val::Array(Rc::new(Array {
            items: out,
            sequence: true,
            keep_singleton: keep,
            cons: false,
            outer: false,
        })))
    }

    pub(super) fn sort(&self, terms: &[SortTerm], items: &[Val], frame: &Rc<Frame>) -> Result<Val> {
        let pairs: Vec<(Val, Rc<Frame>)> =
            items.iter().map(|i| (i.clone(), frame.clone())).collect();
        let order = self.sort_order(terms, &pairs)?;
        Ok(Val::sequence(
            order.into_iter().map(|i| items[i].clone()).collect(),
        ))
    }

    /// The stable order of `items` (each a context and the scope its keys see) by `terms`.
    fn sort_order(&self, terms: &[SortTerm], items: &[(Val, Rc<Frame>)]) -> Result<Vec<usize>> {
        let mut keyed: Vec<(Vec<Val>, usize)> = Vec::with_capacity(items.len());
        for (index, (item, frame)) in items.iter().enumerate() {
            let mut keys = Vec::with_capacity(terms.len());
            for term in terms {
                let k = self.eval(&term.key, item, frame)?;
                if !matches!(k, Val::Undefined | Val::Num(_) | Val::Str(_)) {
                    return Err(JsonataError::new(
                        "T2008",
                        Some(term.key.pos),
                        "the expressions within an order-by clause must evaluate to numeric or string values",
                    ));
                }
                keys.push(k);
            }
            keyed.push((keys, index));
        }
        for t in 0..terms.len() {
            let mut kind = None;
            for (keys, _) in &keyed {
                let this = match &keys[t] {
                    Val::Num(_) => "number",
                    Val::Str(_) => "string",
                    _ => continue,
                };
                if kind.is_some_and(|k| k != this) {
                    return Err(JsonataError::new(
                        "T2007",
                        Some(terms[t].key.pos),
                        "type mismatch when comparing values in order-by clause",
                    ));
                }
                kind = Some(this);
            }
        }
        keyed.sort_by(|(a, _), (b, _)| {
            for (t, term) in terms.iter().enumerate() {
                let ord = match (&a[t], &b[t]) {
                    (Val::Undefined, Val::Undefined) => std::cmp::Ordering::Equal,
                    // Undefined keys sort last whatever the direction.
                    (Val::Undefined, _) => return std::cmp::Ordering::Greater,
                    (_, Val::Undefined) => return std::cmp::Ordering::Less,
                    (Val::Num(x), Val::Num(y)) => {
                        x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal)
                    }
                    (Val::Str(x), Val::Str(y)) => functions::compare_strings(x, y),
                    _ => std::cmp::Ordering::Equal,
                };
                let ord = if term.descending { ord.reverse() } else { ord };
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
        Ok(keyed.into_iter().map(|(_, i)| i).collect())
    }
}

/// Whether a step is a variable (with predicates or bindings or not): such a first step is
/// evaluated once against the whole input, not once per item.
fn starts_with_variable(step: &Node) -> bool {
    match &step.kind {
        Kind::Var(_) => true,
        Kind::Filter(inner, _) | Kind::Bound { step: inner, .. } => starts_with_variable(inner),
        _ => false,
    }
}

/// A sequence of no items is undefined, of one item (unless kept by `[]`) that item.
pub(crate) fn unwrap_sequence(value: Val) -> Val {
    if let Val::Array(a) = &value
        && a.sequence
    {
        match a.items.len() {
            0 => return Val::Undefined,
            1 if !a.keep_singleton => return a.items[0].clone(),
            _ => {}
        }
    }
    value
}

fn is_bound(step: &Node) -> bool {
    match &step.kind {
        Kind::Bound { .. } => true,
        Kind::Filter(inner, _) => matches!(inner.kind, Kind::Bound { .. }),
        _ => false,
    }
}

/// A step's result as the items it adds to the stream (arrays flattened one level).
fn flatten_step(value: Val) -> Vec<Val> {
    match value {
        Val::Undefined => Vec::new(),
        Val::Array(a) if !a.cons => a.items.clone(),
        other => vec![other],
    }
}

/// Marks an array built by `[...]` as one a path keeps whole.
fn as_cons(value: Val) -> Val {
    match value {
        Val::Array(a) => {
            let mut a = Rc::unwrap_or_clone(a);
            a.cons = true;
            Val::Array(Rc::new(a))
        }
        other => other,
    }
}

fn index(items: &[Val], n: f64) -> Option<&Val> {
    let mut at = n.floor();
    if at < 0.0 {
        at += items.len() as f64;
    }
    if at < 0.0 || at >= items.len() as f64 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    items.get(at as usize)
}

/// A field of an object, or of every object in an array (flattened).
pub(crate) fn lookup(input: &Val, name: &str) -> Val {
    match input {
        Val::Object(o) => o.get(name).cloned().unwrap_or(Val::Undefined),
        Val::Array(a) => {
            let mut out = Vec::new();
            for item in &a.items {
                match lookup(item, name) {
                    Val::Undefined => {}
                    Val::Array(inner) => out.extend(inner.items.iter().cloned()),
                    other => out.push(other),
                }
            }
            Val::sequence(out)
        }
        _ => Val::Undefined,
    }
}

fn flatten_into(value: &Val, out: &mut Vec<Val>) {
    match value {
        Val::Array(a) => a.items.iter().for_each(|v| flatten_into(v, out)),
        other => out.push(other.clone()),
    }
}

pub(super) fn wildcard(input: &Val) -> Val {
    let mut out = Vec::new();
    match input {
        Val::Object(o) => o.iter().for_each(|(_, v)| flatten_into(v, &mut out)),
        Val::Array(a) => a.items.iter().for_each(|v| flatten_into(v, &mut out)),
        _ => {}
    }
    Val::sequence(out)
}

pub(super) fn descendants(input: &Val, out: &mut Vec<Val>, depth: usize) {
    // Data nesting is bounded by the JSON parser, but stay safe with constructed values.
    if depth > MAX_EVAL_DEPTH {
        return;
    }
    match input {
        Val::Array(a) => a.items.iter().for_each(|v| descendants(v, out, depth + 1)),
        Val::Undefined => {}
        other => {
            out.push(other.clone());
            if let Val::Object(o) = other {
                o.iter().for_each(|(_, v)| descendants(v, out, depth + 1));
            }
        }
    }
}
