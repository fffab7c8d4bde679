//! The evaluator: walks the tree against an input. This module holds the dispatch over
//! node kinds, variables and scopes, and function calls; paths and sequences live in
//! [`sequence`], constructors (arrays, objects and grouping, transforms) in [`construct`],
//! operators in [`operators`].
//!
//! Evaluation depth is bounded ([`MAX_EVAL_DEPTH`]): runaway recursion is error `U1001`,
//! not a crash.

mod construct;
mod operators;
mod sequence;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{Kind, Node};
use crate::error::Result;
use crate::functions;
use crate::value::{Func, Val};

use crate::{Environment, JsonataError};
use operators::binary;
use sequence::{descendants, wildcard};
pub(crate) use sequence::{lookup, unwrap_sequence};

/// The hidden variable holding a tuple's ancestors, nearest first (`$%` cannot be written).
pub(crate) const PARENTS: &str = "%";

/// The deepest nesting of evaluations (sub-expressions and function calls) allowed.
pub(crate) const MAX_EVAL_DEPTH: usize = 2000;

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
    /// Whether the expression uses `%`, so paths containing it track parents.
    pub uses_parent: bool,
    /// The scope of the function call being made (what `$eval` sees).
    caller: RefCell<Option<Rc<Frame>>>,
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
            uses_parent: false,
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
            Kind::Parent => frame.lookup(PARENTS).map_or(Val::Undefined, |p| {
                p.to_items().into_iter().next().unwrap_or(Val::Undefined)
            }),
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
            "" => {
                return match input {
                    Val::Array(a) if a.outer => a.items.first().cloned().unwrap_or(Val::Undefined),
                    other => other.clone(),
                };
            }
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
