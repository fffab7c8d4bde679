//! The evaluator: walks the tree against an input, with JSONata's path semantics.
//!
//! Paths map each step over the sequence the previous step produced and flatten the
//! results one level (arrays built by `[...]` stay whole); any result that is a sequence of
//! one item is unwrapped, of none is undefined (see [`unwrap_sequence`]). Evaluation depth
//! is bounded ([`MAX_EVAL_DEPTH`]): runaway recursion is error `U1001`, not a crash.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{BinOp, Kind, Node, SortTerm, TransformDef};
use crate::error::Result;
use crate::functions;
use crate::value::{Array, Func, Obj, Val, deep_equal};
use crate::{Environment, JsonataError};

/// The deepest nesting of evaluations (sub-expressions and function calls) allowed.
pub(crate) const MAX_EVAL_DEPTH: usize = 2000;

/// The largest range `[a..b]` JSONata builds (its limit is ten million items).
const MAX_RANGE: f64 = 1e7;

/// A scope of variables; lambdas keep the scope they were defined in.
#[derive(Debug, Default)]
pub(crate) struct Frame {
    vars: RefCell<HashMap<String, Val>>,
    parent: Option<Rc<Frame>>,
}

impl Frame {
    pub(crate) fn child(parent: &Rc<Frame>) -> Rc<Frame> {
        Rc::new(Frame {
            vars: RefCell::default(),
            parent: Some(parent.clone()),
        })
    }

    pub(crate) fn bind(&self, name: &str, value: Val) {
        self.vars.borrow_mut().insert(name.to_owned(), value);
    }

    fn lookup(&self, name: &str) -> Option<Val> {
        if let Some(v) = self.vars.borrow().get(name) {
            return Some(v.clone());
        }
        self.parent.as_ref().and_then(|p| p.lookup(name))
    }
}

/// One evaluation: the host environment, the root input, and the clock.
pub(crate) struct Evaluator<'e> {
    pub host: &'e Environment,
    pub root: Val,
    /// Milliseconds since the epoch, read once so `$now()` is the same throughout.
    pub now_millis: f64,
    depth: Cell<usize>,
    host_vars: RefCell<HashMap<String, Val>>,
    /// The scope of the function call being made (what `$eval` sees).
    caller: RefCell<Option<Rc<Frame>>>,
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

impl<'e> Evaluator<'e> {
    pub(crate) fn new(host: &'e Environment, root: Val, now_millis: f64) -> Self {
        Evaluator {
            host,
            root,
            now_millis,
            depth: Cell::new(0),
            host_vars: RefCell::default(),
            caller: RefCell::default(),
        }
    }

    /// The scope of the function call being made, if any.
    pub(crate) fn caller_scope(&self) -> Option<Rc<Frame>> {
        self.caller.borrow().clone()
    }

    pub(crate) fn eval(&self, node: &Node, input: &Val, frame: &Rc<Frame>) -> Result<Val> {
        let depth = self.depth.get() + 1;
        if depth > MAX_EVAL_DEPTH {
            return Err(JsonataError::new(
                "U1001",
                Some(node.pos),
                "stack overflow: evaluation nested too deeply (check for non-terminating recursion)",
            ));
        }
        self.depth.set(depth);
        let result = self.eval_kind(node, input, frame);
        self.depth.set(depth - 1);
        result.map(unwrap_sequence).map_err(|e| e.at(node.pos))
    }

    fn eval_kind(&self, node: &Node, input: &Val, frame: &Rc<Frame>) -> Result<Val> {
        Ok(match &node.kind {
            Kind::Num(n) => Val::Num(*n),
            Kind::Str(s) => Val::str(s),
            Kind::Bool(b) => Val::Bool(*b),
            Kind::Null => Val::Null,
            Kind::Regex(re) => Val::func(Func::Regex(re.clone())),
            Kind::Name(name) => lookup(input, name),
            Kind::Var(name) => self.variable(name, input, frame),
            Kind::Wildcard => wildcard(input),
            Kind::Descendants => {
                let mut out = Vec::new();
                descendants(input, &mut out, 0);
                Val::sequence(out)
            }
            Kind::Path { steps, keep_array } => self.path(steps, *keep_array, input, frame)?,
            Kind::Filter(inner, predicates) => {
                let mut value = self.eval(inner, input, frame)?;
                for predicate in predicates {
                    value = self.filter(predicate, &value, frame)?;
                }
                value
            }
            Kind::Sort(terms) => self.sort(terms, &input.to_items(), frame)?,
            Kind::Bound { step, .. } => self.eval(step, input, frame)?,
            Kind::Group(inner, pairs) => {
                let value = self.eval(inner, input, frame)?;
                self.group(pairs, &value, frame)?
            }
            Kind::Neg(operand) => match self.eval(operand, input, frame)? {
                Val::Undefined => Val::Undefined,
                Val::Num(n) => Val::Num(-n),
                _ => {
                    return Err(JsonataError::new(
                        "D1002",
                        Some(node.pos),
                        "cannot negate a non-numeric value",
                    ));
                }
            },
            Kind::Array(items) => self.array(items, input, frame)?,
            Kind::Object(pairs) => self.group(pairs, input, frame)?,
            Kind::Binary(op, lhs, rhs) => {
                let l = self.eval(lhs, input, frame)?;
                let r = self.eval(rhs, input, frame)?;
                binary(*op, l, r).map_err(|e| e.at(node.pos))?
            }
            Kind::And(lhs, rhs) => Val::Bool(
                self.eval(lhs, input, frame)?.truthy() && self.eval(rhs, input, frame)?.truthy(),
            ),
            Kind::Or(lhs, rhs) => Val::Bool(
                self.eval(lhs, input, frame)?.truthy() || self.eval(rhs, input, frame)?.truthy(),
            ),
            Kind::Elvis(lhs, rhs) => {
                let l = self.eval(lhs, input, frame)?;
                if l.truthy() {
                    l
                } else {
                    self.eval(rhs, input, frame)?
                }
            }
            Kind::Coalesce(lhs, rhs) => match self.eval(lhs, input, frame)? {
                Val::Undefined => self.eval(rhs, input, frame)?,
                l => l,
            },
            Kind::Range(..) => {
                return Err(JsonataError::new(
                    "S0201",
                    Some(node.pos),
                    "a range is only allowed in an array constructor",
                ));
            }
            Kind::Condition(cond, then, otherwise) => {
                if self.eval(cond, input, frame)?.truthy() {
                    self.eval(then, input, frame)?
                } else if let Some(otherwise) = otherwise {
                    self.eval(otherwise, input, frame)?
                } else {
                    Val::Undefined
                }
            }
            Kind::Block(items) => {
                let scope = Frame::child(frame);
                let mut last = Val::Undefined;
                for item in items {
                    last = self.eval(item, input, &scope)?;
                }
                last
            }
            Kind::Bind(name, value) => {
                let v = self.eval(value, input, frame)?;
                frame.bind(name, v.clone());
                v
            }
            Kind::Lambda(def) => Val::func(Func::Lambda {
                def: def.clone(),
                frame: frame.clone(),
                context: input.clone(),
            }),
            Kind::Call {
                func,
                args,
                partial,
            } => self.call(node, func, args, *partial, input, frame, None)?,
            Kind::Placeholder => {
                return Err(JsonataError::new(
                    "S0201",
                    Some(node.pos),
                    "the placeholder ? is only allowed as a function argument",
                ));
            }
            Kind::Apply(lhs, rhs) => self.apply_chain(node, lhs, rhs, input, frame)?,
            Kind::Transform(def) => Val::func(Func::Transform(def.clone(), frame.clone())),
        })
    }

    fn variable(&self, name: &str, input: &Val, frame: &Rc<Frame>) -> Val {
        match name {
            "" => return input.clone(),
            "$" => return self.root.clone(),
            _ => {}
        }
        if let Some(v) = frame.lookup(name) {
            return v;
        }
        if let Some(v) = self.host_vars.borrow().get(name) {
            return v.clone();
        }
        if let Some(json) = self.host.variables.get(name) {
            let v = Val::from_json(json);
            self.host_vars
                .borrow_mut()
                .insert(name.to_owned(), v.clone());
            return v;
        }
        if self.host.functions.contains_key(name) {
            return Val::func(Func::Native(name.to_owned()));
        }
        match functions::builtin_name(name) {
            Some(name) => Val::func(Func::Builtin(name)),
            None => Val::Undefined,
        }
    }

    fn path(
        &self,
        steps: &[Node],
        keep_array: bool,
        input: &Val,
        frame: &Rc<Frame>,
    ) -> Result<Val> {
        if steps.iter().any(is_bound) {
            return self.tuple_path(steps, keep_array, input, frame);
        }
        let first_is_var = matches!(steps.first().map(|s| &s.kind), Some(Kind::Var(_)));
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
            Val::Array(a) if a.sequence || keep_array => {
                let mut a = Rc::unwrap_or_clone(a);
                a.sequence = true;
                a.keep_singleton |= keep_array;
                Val::Array(Rc::new(a))
            }
            Val::Undefined => Val::sequence(Vec::new()),
            other if keep_array => Val::Array(Rc::new(Array {
                items: vec![other],
                sequence: true,
                keep_singleton: true,
                cons: false,
            })),
            other => other,
        })
    }

    /// A path with `@`/`#` bindings: a stream of tuples, each a context and the scope
    /// holding the bindings made so far.
    fn tuple_path(
        &self,
        steps: &[Node],
        keep_array: bool,
        input: &Val,
        frame: &Rc<Frame>,
    ) -> Result<Val> {
        let first_is_var = matches!(steps.first().map(|s| &s.kind), Some(Kind::Var(_)));
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
                            let bound = Frame::child(scope);
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
                _ => {
                    for (context, scope) in &tuples {
                        for item in flatten_step(self.eval(inner, context, scope)?) {
                            next.push((item, scope.clone()));
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
        })))
    }

    fn array(&self, items: &[Node], input: &Val, frame: &Rc<Frame>) -> Result<Val> {
        let mut out = Vec::new();
        for item in items {
            if let Kind::Range(lo, hi) = &item.kind {
                let lo_v = self.eval(lo, input, frame)?;
                let hi_v = self.eval(hi, input, frame)?;
                range(&lo_v, &hi_v, &mut out).map_err(|e| e.at(item.pos))?;
                continue;
            }
            let v = self.eval(item, input, frame)?;
            match v {
                Val::Undefined => {}
                Val::Array(_) if matches!(item.kind, Kind::Array(_)) => out.push(v),
                Val::Array(a) => out.extend(a.items.iter().cloned()),
                other => out.push(other),
            }
        }
        Ok(Val::array(out))
    }

    /// An object constructor or a group-by: keys are evaluated per item, and each key's
    /// value over the items that produced it.
    fn group(&self, pairs: &[(Node, Node)], input: &Val, frame: &Rc<Frame>) -> Result<Val> {
        let items = match input {
            Val::Array(a) if a.items.is_empty() => vec![Val::Undefined],
            Val::Array(a) => a.items.clone(),
            other => vec![other.clone()],
        };
        let mut order: Vec<Rc<str>> = Vec::new();
        let mut groups: HashMap<Rc<str>, (usize, Vec<Val>)> = HashMap::new();
        for item in &items {
            for (pair_index, (key_node, _)) in pairs.iter().enumerate() {
                let key = match self.eval(key_node, item, frame)? {
                    Val::Undefined => continue,
                    Val::Str(s) => s,
                    other => {
                        return Err(JsonataError::new(
                            "T1003",
                            Some(key_node.pos),
                            format!(
                                "key in object structure must evaluate to a string; got: {}",
                                other.type_name()
                            ),
                        ));
                    }
                };
                match groups.get_mut(&key) {
                    Some((index, data)) => {
                        if *index != pair_index {
                            return Err(JsonataError::new(
                                "D1009",
                                Some(key_node.pos),
                                format!("multiple key definitions evaluate to same key: {key}"),
                            ));
                        }
                        data.push(item.clone());
                    }
                    None => {
                        order.push(key.clone());
                        groups.insert(key, (pair_index, vec![item.clone()]));
                    }
                }
            }
        }
        let mut obj = Obj::default();
        for key in order {
            let Some((index, data)) = groups.remove(&key) else {
                continue;
            };
            let context = if data.len() == 1 {
                data.into_iter().next().unwrap_or(Val::Undefined)
            } else {
                let mut flat = Vec::new();
                for d in data {
                    match d {
                        Val::Array(a) => flat.extend(a.items.iter().cloned()),
                        other => flat.push(other),
                    }
                }
                Val::array(flat)
            };
            let value = self.eval(&pairs[index].1, &context, frame)?;
            if !value.is_undefined() {
                obj.insert(key, value);
            }
        }
        Ok(Val::object(obj))
    }

    fn sort(&self, terms: &[SortTerm], items: &[Val], frame: &Rc<Frame>) -> Result<Val> {
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

    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        node: &Node,
        func: &Node,
        args: &[Node],
        partial: bool,
        input: &Val,
        frame: &Rc<Frame>,
        first: Option<Val>,
    ) -> Result<Val> {
        let callee = self.eval(func, input, frame)?;
        if !callee.is_func() {
            let (code, hint) = match &func.kind {
                Kind::Path { steps, .. }
                    if steps.len() == 1
                        && matches!(&steps[0].kind, Kind::Name(n) if functions::builtin_name(n).is_some()) =>
                {
                    (
                        "T1005",
                        " (did you mean to prefix the function name with $?)",
                    )
                }
                _ => ("T1006", ""),
            };
            return Err(JsonataError::new(
                code,
                Some(node.pos),
                format!("attempted to invoke a non-function{hint}"),
            ));
        }
        let mut values: Vec<Option<Val>> = Vec::with_capacity(args.len() + 1);
        if let Some(first) = first {
            values.push(Some(first));
        }
        for arg in args {
            if matches!(arg.kind, Kind::Placeholder) {
                values.push(None);
            } else {
                values.push(Some(self.eval(arg, input, frame)?));
            }
        }
        if partial {
            if let Val::Func(f) = &callee
                && matches!(
                    **f,
                    Func::Lambda { .. } | Func::Builtin(_) | Func::Native(_)
                )
            {
                return Ok(Val::func(Func::Partial(callee.clone(), values)));
            }
            return Err(JsonataError::new(
                "T1008",
                Some(node.pos),
                "attempted to partially apply a non-function",
            ));
        }
        let values: Vec<Val> = values
            .into_iter()
            .map(|v| v.unwrap_or(Val::Undefined))
            .collect();
        let outer = self.caller.replace(Some(frame.clone()));
        let result = self.apply(&callee, values, input);
        self.caller.replace(outer);
        result.map_err(|e| e.at(node.pos))
    }

    fn apply_chain(
        &self,
        node: &Node,
        lhs: &Node,
        rhs: &Node,
        input: &Val,
        frame: &Rc<Frame>,
    ) -> Result<Val> {
        let l = self.eval(lhs, input, frame)?;
        if let Kind::Call {
            func,
            args,
            partial: false,
        } = &rhs.kind
        {
            return self.call(rhs, func, args, false, input, frame, Some(l));
        }
        let r = self.eval(rhs, input, frame)?;
        if !r.is_func() {
            return Err(JsonataError::new(
                "T2006",
                Some(node.pos),
                "the right side of the function application operator ~> must be a function",
            ));
        }
        if l.is_func() {
            return Ok(Val::func(Func::Compose(l, r)));
        }
        self.apply(&r, vec![l], input)
    }

    /// Calls a function value with evaluated arguments; `context` is the caller's input,
    /// which library functions use when an argument is left out.
    pub(crate) fn apply(&self, callee: &Val, args: Vec<Val>, context: &Val) -> Result<Val> {
        let Val::Func(f) = callee else {
            return Err(JsonataError::code(
                "T1006",
                "attempted to invoke a non-function",
            ));
        };
        let depth = self.depth.get() + 1;
        if depth > MAX_EVAL_DEPTH {
            return Err(JsonataError::code(
                "U1001",
                "stack overflow: function calls nested too deeply (check for non-terminating recursion)",
            ));
        }
        self.depth.set(depth);
        let result = self.apply_func(f, args, context);
        self.depth.set(depth - 1);
        result.map(unwrap_sequence)
    }

    fn apply_func(&self, f: &Func, args: Vec<Val>, context: &Val) -> Result<Val> {
        match f {
            Func::Lambda {
                def,
                frame,
                context: captured,
            } => {
                let args = match &def.signature {
                    Some(sig) => functions::signature::validate("lambda", sig, args, context)?,
                    None => args,
                };
                let scope = Frame::child(frame);
                let mut args = args.into_iter();
                for param in &def.params {
                    scope.bind(param, args.next().unwrap_or(Val::Undefined));
                }
                self.eval(&def.body, captured, &scope)
            }
            Func::Builtin(name) => functions::call(self, name, args, context),
            Func::Native(name) => {
                let Some(native) = self.host.functions.get(name) else {
                    return Err(JsonataError::code(
                        "T1006",
                        format!("attempted to invoke a non-function: ${name}"),
                    ));
                };
                let mut json = Vec::with_capacity(args.len());
                for a in &args {
                    json.push(a.to_json()?);
                }
                let out = native(&json)?;
                Ok(out.as_ref().map_or(Val::Undefined, Val::from_json))
            }
            Func::Regex(re) => {
                let Some(Val::Str(s)) = args.first() else {
                    return Ok(Val::Undefined);
                };
                Ok(functions::regex_first_match(re, s))
            }
            Func::Partial(inner, bound) => {
                let mut supplied = args.into_iter();
                let full: Vec<Val> = bound
                    .iter()
                    .map(|b| match b {
                        Some(v) => v.clone(),
                        None => supplied.next().unwrap_or(Val::Undefined),
                    })
                    .collect();
                self.apply(inner, full, context)
            }
            Func::Transform(def, frame) => self.transform(
                def,
                frame,
                args.into_iter().next().unwrap_or(Val::Undefined),
            ),
            Func::Compose(first, second) => {
                let mid = self.apply(first, args, context)?;
                self.apply(second, vec![mid], context)
            }
        }
    }

    /// The transform operator: values are immutable and shared, so the "copy" is a rebuild
    /// of the argument in which the objects `pattern` selected (found by identity) are
    /// replaced by their updated versions.
    fn transform(&self, def: &TransformDef, frame: &Rc<Frame>, target: Val) -> Result<Val> {
        if target.is_undefined() {
            return Ok(Val::Undefined);
        }
        let matches = self.eval(&def.pattern, &target, frame)?.to_items();
        let mut selected: Vec<Rc<Obj>> = Vec::new();
        for m in matches {
            if let Val::Object(o) = m {
                selected.push(o);
            }
        }
        self.rebuild(def, frame, &target, &selected, 0)
    }

    fn rebuild(
        &self,
        def: &TransformDef,
        frame: &Rc<Frame>,
        value: &Val,
        selected: &[Rc<Obj>],
        depth: usize,
    ) -> Result<Val> {
        if depth > MAX_EVAL_DEPTH {
            return Err(JsonataError::code(
                "U1001",
                "value nested too deeply to transform",
            ));
        }
        Ok(match value {
            Val::Array(a) => {
                let mut items = Vec::with_capacity(a.items.len());
                for item in &a.items {
                    items.push(self.rebuild(def, frame, item, selected, depth + 1)?);
                }
                Val::Array(Rc::new(Array {
                    items,
                    ..(**a).clone()
                }))
            }
            Val::Object(o) => {
                let mut out = Obj::default();
                for (k, v) in o.iter() {
                    out.insert(k.clone(), self.rebuild(def, frame, v, selected, depth + 1)?);
                }
                if selected.iter().any(|s| Rc::ptr_eq(s, o)) {
                    match self.eval(&def.update, value, frame)? {
                        Val::Undefined => {}
                        Val::Object(update) => update
                            .iter()
                            .for_each(|(k, v)| out.insert(k.clone(), v.clone())),
                        _ => {
                            return Err(JsonataError::new(
                                "T2011",
                                Some(def.update.pos),
                                "the insert/update clause of the transform expression must evaluate to an object",
                            ));
                        }
                    }
                    if let Some(delete) = &def.delete {
                        let keys = self.eval(delete, value, frame)?;
                        for key in keys.to_items() {
                            match key {
                                Val::Str(k) => out.remove(&k),
                                _ => {
                                    return Err(JsonataError::new(
                                        "T2012",
                                        Some(delete.pos),
                                        "the delete clause of the transform expression must evaluate to a string or array of strings",
                                    ));
                                }
                            }
                        }
                    }
                }
                Val::object(out)
            }
            other => other.clone(),
        })
    }

    /// Calls `f` from a higher-order function with as many of `args` (value, index,
    /// array) as it declares.
    pub(crate) fn apply_hof(&self, f: &Val, mut args: Vec<Val>, context: &Val) -> Result<Val> {
        let arity = arity(f);
        args.truncate(arity.max(1));
        self.apply(f, args, context)
    }
}

/// How many arguments a function declares (higher-order functions pass no more).
pub(crate) fn arity(f: &Val) -> usize {
    let Val::Func(func) = f else { return 0 };
    match &**func {
        Func::Lambda { def, .. } => def.params.len(),
        Func::Builtin(name) => functions::arity(name),
        Func::Native(_) | Func::Regex(_) | Func::Compose(..) | Func::Transform(..) => 1,
        Func::Partial(_, bound) => bound.iter().filter(|b| b.is_none()).count(),
    }
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

fn wildcard(input: &Val) -> Val {
    let mut out = Vec::new();
    match input {
        Val::Object(o) => o.iter().for_each(|(_, v)| flatten_into(v, &mut out)),
        Val::Array(a) => a.items.iter().for_each(|v| flatten_into(v, &mut out)),
        _ => {}
    }
    Val::sequence(out)
}

fn descendants(input: &Val, out: &mut Vec<Val>, depth: usize) {
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

fn range(lo: &Val, hi: &Val, out: &mut Vec<Val>) -> Result<()> {
    let as_int = |v: &Val, code: &str, side: &str| -> Result<Option<f64>> {
        match v {
            Val::Undefined => Ok(None),
            Val::Num(n) if n.fract() == 0.0 => Ok(Some(*n)),
            _ => Err(JsonataError::code(
                code,
                format!("the {side} side of the range operator (..) must evaluate to an integer"),
            )),
        }
    };
    let lo = as_int(lo, "T2003", "left")?;
    let hi = as_int(hi, "T2004", "right")?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(());
    };
    if lo > hi {
        return Ok(());
    }
    if hi - lo >= MAX_RANGE {
        return Err(JsonataError::code(
            "D2014",
            "the size of the sequence allocated by the range operator (..) must not exceed 1e7",
        ));
    }
    let mut n = lo;
    while n <= hi {
        out.push(Val::Num(n));
        n += 1.0;
    }
    Ok(())
}

fn binary(op: BinOp, l: Val, r: Val) -> Result<Val> {
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
            let x = match l {
                Val::Undefined => None,
                Val::Num(n) => Some(n),
                _ => {
                    return Err(JsonataError::code(
                        "T2001",
                        "the left side of an arithmetic operator must evaluate to a number",
                    ));
                }
            };
            let y = match r {
                Val::Undefined => None,
                Val::Num(n) => Some(n),
                _ => {
                    return Err(JsonataError::code(
                        "T2002",
                        "the right side of an arithmetic operator must evaluate to a number",
                    ));
                }
            };
            let (Some(x), Some(y)) = (x, y) else {
                return Ok(Val::Undefined);
            };
            let n = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                _ => x % y,
            };
            // Infinity travels on (JavaScript's arithmetic); `$string` and the output refuse it.
            Ok(Val::Num(n))
        }
        BinOp::Eq | BinOp::Ne => {
            if l.is_undefined() || r.is_undefined() {
                return Ok(Val::Bool(false));
            }
            let eq = deep_equal(&l, &r);
            Ok(Val::Bool(if op == BinOp::Eq { eq } else { !eq }))
        }
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let comparable = |v: &Val| matches!(v, Val::Undefined | Val::Num(_) | Val::Str(_));
            if !comparable(&l) || !comparable(&r) {
                return Err(JsonataError::code(
                    "T2010",
                    "the expressions either side of operator must evaluate to numeric or string values",
                ));
            }
            let ord = match (&l, &r) {
                (Val::Undefined, _) | (_, Val::Undefined) => return Ok(Val::Undefined),
                (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
                (Val::Str(x), Val::Str(y)) => Some(functions::compare_strings(x, y)),
                _ => {
                    return Err(JsonataError::code(
                        "T2009",
                        "the values either side of the operator must be of the same data type",
                    ));
                }
            };
            let Some(ord) = ord else {
                return Ok(Val::Bool(false));
            };
            use std::cmp::Ordering::{Equal, Greater, Less};
            Ok(Val::Bool(match op {
                BinOp::Lt => ord == Less,
                BinOp::Le => ord != Greater,
                BinOp::Gt => ord == Greater,
                _ => ord == Greater || ord == Equal,
            }))
        }
        BinOp::Concat => {
            let mut s = functions::string_of(&l, false)?.unwrap_or_default();
            s.push_str(&functions::string_of(&r, false)?.unwrap_or_default());
            Ok(Val::string(s))
        }
        BinOp::In => {
            if l.is_undefined() {
                return Ok(Val::Bool(false));
            }
            Ok(Val::Bool(r.to_items().iter().any(|v| deep_equal(v, &l))))
        }
    }
}
