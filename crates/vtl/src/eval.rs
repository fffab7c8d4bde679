//! Rendering: walks the nodes with a context of variables, as Velocity 1.7 does, under the
//! limits of [`RenderLimits`](crate::RenderLimits).
//!
//! Velocity rules kept here: a reference without a value renders as its own source text
//! (nothing for `$!`); `#set` to a null value leaves the variable as it was; `#if` on a
//! literal (`#if("a")`, `#if(1)`) is false, on a reference it is false only for null and
//! `false`; `+` concatenates when either side is a string (a side without a value then
//! reads as its source text); integer division truncates and division by zero has no
//! value; `#foreach` restores its variable afterwards; macro arguments are bound for the
//! call and restored after it.

use std::collections::HashMap;
use std::rc::Rc;

use crate::RenderLimits;
use crate::ast::{BinOp, Expr, MacroDef, Node, Pos, Reference, Step};
use crate::methods;
use crate::parse::{Fail, fail};
use crate::value::{JMap, LoopState, Number, Value};

/// Where control goes after a node.
enum Flow {
    Next,
    Break,
    Stop,
}

/// Nested rendering (blocks inside blocks, macro calls, expressions) stops here, so that
/// no template can exhaust the stack.
const MAX_DEPTH: usize = 256;

pub(crate) struct Renderer<'t> {
    macros: &'t HashMap<String, MacroDef>,
    limits: &'t RenderLimits,
    pub(crate) vars: HashMap<String, Value>,
    out: String,
    steps: u64,
    depth: usize,
    macro_depth: usize,
}

impl<'t> Renderer<'t> {
    pub(crate) fn new(
        macros: &'t HashMap<String, MacroDef>,
        limits: &'t RenderLimits,
        vars: HashMap<String, Value>,
    ) -> Self {
        Renderer {
            macros,
            limits,
            vars,
            out: String::new(),
            steps: 0,
            depth: 0,
            macro_depth: 0,
        }
    }

    pub(crate) fn run(mut self, nodes: &[Node]) -> Result<(String, HashMap<String, Value>), Fail> {
        self.nodes(nodes)?;
        Ok((self.out, self.vars))
    }

    fn step(&mut self, pos: Pos) -> Result<(), Fail> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return fail(
                pos,
                format!("rendering took more than {} steps", self.limits.max_steps),
            );
        }
        Ok(())
    }

    fn write(&mut self, text: &str, pos: Pos) -> Result<(), Fail> {
        if self.out.len() + text.len() > self.limits.max_output_bytes {
            return fail(
                pos,
                format!("output larger than {} bytes", self.limits.max_output_bytes),
            );
        }
        self.out.push_str(text);
        Ok(())
    }

    fn deeper(&mut self, pos: Pos) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return fail(
                pos,
                format!("rendering nested deeper than {MAX_DEPTH} levels"),
            );
        }
        Ok(())
    }

    fn nodes(&mut self, nodes: &[Node]) -> Result<Flow, Fail> {
        self.deeper(0)?;
        let flow = self.nodes_inner(nodes);
        self.depth -= 1;
        flow
    }

    fn nodes_inner(&mut self, nodes: &[Node]) -> Result<Flow, Fail> {
        for node in nodes {
            let flow = self.node(node)?;
            if !matches!(flow, Flow::Next) {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    fn node(&mut self, node: &Node) -> Result<Flow, Fail> {
        match node {
            Node::Text(text) => self.write(text, 0)?,
            Node::Ref(r) => {
                self.step(r.pos)?;
                let value = self.reference(r)?;
                if value.is_null() {
                    if !r.quiet {
                        self.write(&r.source, r.pos)?;
                    }
                } else {
                    let text = self.display(&value, r.pos)?;
                    self.write(&text, r.pos)?;
                }
            }
            Node::EscapedRef { slashes, reference } => {
                self.step(reference.pos)?;
                let value = self.reference(reference)?;
                let text = if value.is_null() {
                    format!("{}{}", "\\".repeat(*slashes), reference.source)
                } else {
                    let half = "\\".repeat(slashes / 2);
                    if slashes % 2 == 1 {
                        format!("{half}{}", reference.source)
                    } else {
                        format!("{half}{}", self.display(&value, reference.pos)?)
                    }
                };
                self.write(&text, reference.pos)?;
            }
            Node::Set { target, value, pos } => {
                self.step(*pos)?;
                let value = self.expr(value)?;
                if !value.is_null() {
                    self.assign(target, value)?;
                }
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    if self.condition(cond)? {
                        return self.nodes(body);
                    }
                }
                if let Some(body) = otherwise {
                    return self.nodes(body);
                }
            }
            Node::Foreach {
                var,
                iterable,
                body,
                pos,
            } => return self.foreach(var, iterable, body, *pos),
            Node::Break => return Ok(Flow::Break),
            Node::Stop => return Ok(Flow::Stop),
            Node::Define { name, body } => {
                self.vars.insert(name.clone(), Value::Block(body.clone()));
            }
            Node::Call {
                name,
                args,
                source,
                swallowed,
                pos,
            } => {
                return self.call(name, args, &format!("{source}{swallowed}"), *pos);
            }
        }
        Ok(Flow::Next)
    }

    /// A value as text; a `#define` block renders its body.
    fn display(&mut self, value: &Value, pos: Pos) -> Result<String, Fail> {
        match value {
            Value::Block(body) => {
                let body = body.clone();
                self.deeper(pos)?;
                let saved = std::mem::take(&mut self.out);
                let flow = self.nodes(&body);
                let text = std::mem::replace(&mut self.out, saved);
                self.depth -= 1;
                flow?;
                Ok(text)
            }
            other => Ok(other.to_java_string()),
        }
    }

    fn assign(&mut self, target: &Reference, value: Value) -> Result<(), Fail> {
        let Some((last, init)) = target.steps.split_last() else {
            self.vars.insert(target.name.clone(), value);
            return Ok(());
        };
        let base = Reference {
            steps: init.to_vec(),
            ..target.clone()
        };
        let base = self.reference(&base)?;
        match (last, &base) {
            (Step::Property(key), Value::Map(m)) => {
                m.borrow_mut().put(key.clone(), value);
            }
            (Step::Index(index, pos), _) => {
                let index = self.expr(index)?;
                match (&base, &index) {
                    (Value::Map(m), key) => {
                        m.borrow_mut().put(key.to_java_string(), value);
                    }
                    (Value::List(_), Value::Int(_)) => {
                        methods::call(&base, "set", &[index.clone(), value])
                            .or_else(|e| fail(*pos, e))?;
                    }
                    _ => {}
                }
            }
            (Step::Method(..), _) => return fail(target.pos, "cannot #set a method call's result"),
            // Velocity calls a setter here; no value API Gateway gives has one.
            _ => {}
        }
        Ok(())
    }

    fn foreach(
        &mut self,
        var: &str,
        iterable: &Expr,
        body: &[Node],
        pos: Pos,
    ) -> Result<Flow, Fail> {
        self.step(pos)?;
        let items = match self.expr(iterable)? {
            Value::List(l) => l.borrow().clone(),
            Value::Map(m) => m.borrow().entries.iter().map(|(_, v)| v.clone()).collect(),
            _ => Vec::new(),
        };
        let saved_var = self.vars.get(var).cloned();
        let saved_foreach = self.vars.get("foreach").cloned();
        let saved_count = self.vars.get("velocityCount").cloned();
        let parent = match &saved_foreach {
            Some(Value::Foreach(p)) => Some(p.clone()),
            _ => None,
        };
        // API Gateway stops a #foreach after 1,000 iterations (plain Velocity has no limit).
        let count = items.len().min(self.limits.max_foreach_iterations);
        let mut flow = Flow::Next;
        for (index, item) in items.into_iter().take(count).enumerate() {
            self.step(pos)?;
            if item.is_null() {
                self.vars.remove(var);
            } else {
                self.vars.insert(var.to_string(), item);
            }
            let state = LoopState {
                index,
                has_next: index + 1 < count,
                parent: parent.clone(),
            };
            self.vars
                .insert("foreach".into(), Value::Foreach(Rc::new(state)));
            self.vars
                .insert("velocityCount".into(), Value::Int(index as i128 + 1));
            match self.nodes(body)? {
                Flow::Next => {}
                Flow::Break => break,
                Flow::Stop => {
                    flow = Flow::Stop;
                    break;
                }
            }
        }
        self.restore(var, saved_var);
        self.restore("foreach", saved_foreach);
        self.restore("velocityCount", saved_count);
        Ok(flow)
    }

    fn restore(&mut self, name: &str, value: Option<Value>) {
        match value {
            Some(v) => self.vars.insert(name.to_string(), v),
            None => self.vars.remove(name),
        };
    }

    fn call(&mut self, name: &str, args: &[Expr], source: &str, pos: Pos) -> Result<Flow, Fail> {
        self.step(pos)?;
        let Some(def) = self.macros.get(name) else {
            self.write(source, pos)?;
            return Ok(Flow::Next);
        };
        if self.macro_depth >= self.limits.max_macro_depth {
            return fail(
                pos,
                format!(
                    "macro calls nested deeper than {} levels",
                    self.limits.max_macro_depth
                ),
            );
        }
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.expr(arg)?);
        }
        let mut saved = Vec::new();
        for (i, param) in def.params.iter().enumerate() {
            saved.push((param.clone(), self.vars.get(param).cloned()));
            match values.get(i) {
                Some(v) if !v.is_null() => {
                    self.vars.insert(param.clone(), v.clone());
                }
                _ => {
                    self.vars.remove(param);
                }
            }
        }
        let body = def.body.clone();
        self.macro_depth += 1;
        let flow = self.nodes(&body);
        self.macro_depth -= 1;
        for (param, value) in saved {
            self.restore(&param, value);
        }
        match flow? {
            Flow::Stop => Ok(Flow::Stop),
            // A #break in a macro ends the macro's body.
            Flow::Next | Flow::Break => Ok(Flow::Next),
        }
    }

    pub(crate) fn reference(&mut self, r: &Reference) -> Result<Value, Fail> {
        let mut value = self.vars.get(&r.name).cloned().unwrap_or(Value::Null);
        for step in &r.steps {
            if value.is_null() {
                return Ok(Value::Null);
            }
            self.step(r.pos)?;
            value = match step {
                Step::Property(name) => match methods::property(&value, name) {
                    Ok(v) => v.unwrap_or(Value::Null),
                    Err(e) => return fail(r.pos, format!("{} of {}: {e}", name, r.source)),
                },
                Step::Method(name, args, pos) => {
                    let mut values = Vec::with_capacity(args.len());
                    for arg in args {
                        values.push(self.expr(arg)?);
                    }
                    match methods::call(&value, name, &values) {
                        Ok(v) => v.unwrap_or(Value::Null),
                        Err(e) => return fail(*pos, format!("{name}() failed: {e}")),
                    }
                }
                Step::Index(index, pos) => {
                    let index = self.expr(index)?;
                    self.index(&value, &index, *pos)?
                }
            };
        }
        Ok(value)
    }

    fn index(&mut self, value: &Value, index: &Value, pos: Pos) -> Result<Value, Fail> {
        match (value, index) {
            (Value::List(l), Value::Int(i)) => {
                let l = l.borrow();
                // Velocity 1.7 counts a negative index from the end.
                let at = if *i < 0 { l.len() as i128 + i } else { *i };
                match usize::try_from(at).ok().and_then(|at| l.get(at)) {
                    Some(v) => Ok(v.clone()),
                    None => fail(
                        pos,
                        format!("index {i} out of bounds for a list of {}", l.len()),
                    ),
                }
            }
            (Value::Map(m), key) => Ok(m
                .borrow()
                .get(&key.to_java_string())
                .cloned()
                .unwrap_or(Value::Null)),
            _ => Ok(Value::Null),
        }
    }

    /// `#if` truth: see the module header for literals.
    fn condition(&mut self, e: &Expr) -> Result<bool, Fail> {
        self.deeper(0)?;
        let result = match e {
            Expr::Ref(r) => self.reference(r).map(|v| v.truthy()),
            Expr::Bool(b) => Ok(*b),
            Expr::Not(inner) => self.condition(inner).map(|b| !b),
            Expr::Binary(..) => self.expr(e).map(|v| v.truthy()),
            Expr::Str(..)
            | Expr::Int(_)
            | Expr::Float(_)
            | Expr::List(_)
            | Expr::Map(_)
            | Expr::Range(..) => Ok(false),
        };
        self.depth -= 1;
        result
    }

    pub(crate) fn expr(&mut self, e: &Expr) -> Result<Value, Fail> {
        self.deeper(0)?;
        let result = self.expr_inner(e);
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, e: &Expr) -> Result<Value, Fail> {
        Ok(match e {
            Expr::Ref(r) => self.reference(r)?,
            Expr::Str(s, None) => Value::str(s.as_str()),
            Expr::Str(_, Some(nodes)) => {
                let saved = std::mem::take(&mut self.out);
                let flow = self.nodes(nodes);
                let text = std::mem::replace(&mut self.out, saved);
                flow?;
                Value::str(text)
            }
            Expr::Int(i) => Value::Int(*i),
            Expr::Float(f) => Value::Double(*f),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.expr(item)?);
                }
                Value::list(values)
            }
            Expr::Map(entries) => {
                let mut map = JMap::default();
                for (k, v) in entries {
                    let k = self.expr(k)?.to_java_string();
                    let v = self.expr(v)?;
                    map.put(k, v);
                }
                Value::map(map)
            }
            Expr::Range(from, to) => {
                let (Some(from), Some(to)) =
                    (range_end(&self.expr(from)?), range_end(&self.expr(to)?))
                else {
                    return Ok(Value::Null);
                };
                let len = (to - from).unsigned_abs() + 1;
                if len > self.limits.max_range_length as u128 {
                    return fail(
                        0,
                        format!(
                            "range [{from}..{to}] longer than {} items",
                            self.limits.max_range_length
                        ),
                    );
                }
                let items: Vec<Value> = if from <= to {
                    (from..=to).map(Value::Int).collect()
                } else {
                    (to..=from).rev().map(Value::Int).collect()
                };
                Value::list(items)
            }
            Expr::Not(inner) => Value::Bool(!self.condition(inner)?),
            Expr::Binary(op, left, right, pos) => self.binary(*op, left, right, *pos)?,
        })
    }

    fn binary(&mut self, op: BinOp, left: &Expr, right: &Expr, pos: Pos) -> Result<Value, Fail> {
        self.step(pos)?;
        match op {
            BinOp::And => return Ok(Value::Bool(self.condition(left)? && self.condition(right)?)),
            BinOp::Or => return Ok(Value::Bool(self.condition(left)? || self.condition(right)?)),
            _ => {}
        }
        let l = self.expr(left)?;
        let r = self.expr(right)?;
        Ok(match op {
            BinOp::Eq => Value::Bool(velocity_equals(&l, &r)),
            BinOp::Ne => Value::Bool(!velocity_equals(&l, &r)),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (Some(a), Some(b)) = (l.as_number(), r.as_number()) else {
                    return Ok(Value::Bool(false));
                };
                let ordering = compare(a, b);
                Value::Bool(match op {
                    BinOp::Lt => ordering.is_lt(),
                    BinOp::Le => ordering.is_le(),
                    BinOp::Gt => ordering.is_gt(),
                    _ => ordering.is_ge(),
                })
            }
            BinOp::Add if matches!(l, Value::Str(_)) || matches!(r, Value::Str(_)) => {
                let a = if l.is_null() {
                    literal(left)
                } else {
                    self.display(&l, pos)?
                };
                let b = if r.is_null() {
                    literal(right)
                } else {
                    self.display(&r, pos)?
                };
                Value::str(format!("{a}{b}"))
            }
            _ => match (l.as_number(), r.as_number()) {
                (Some(a), Some(b)) => arithmetic(op, a, b),
                _ => Value::Null,
            },
        })
    }
}

/// The source text standing for an operand without a value.
fn literal(e: &Expr) -> String {
    match e {
        Expr::Ref(r) => r.source.clone(),
        _ => "null".into(),
    }
}

fn range_end(v: &Value) -> Option<i128> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn compare(a: Number, b: Number) -> std::cmp::Ordering {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => x.cmp(&y),
        _ => a
            .as_f64()
            .partial_cmp(&b.as_f64())
            .unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// Velocity's `==`: numbers by value, same classes by `equals`, different classes by their
/// text (`1 == '1'` is true); null equals only null.
fn velocity_equals(l: &Value, r: &Value) -> bool {
    match (l, r) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        _ => {
            if let (Some(a), Some(b)) = (l.as_number(), r.as_number()) {
                return compare(a, b).is_eq();
            }
            if l.class() == r.class() {
                l.java_equals(r)
            } else {
                l.to_java_string() == r.to_java_string()
            }
        }
    }
}

fn arithmetic(op: BinOp, a: Number, b: Number) -> Value {
    if let (Number::Int(x), Number::Int(y)) = (a, b) {
        let result = match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            BinOp::Mul => x.checked_mul(y),
            BinOp::Div if y == 0 => return Value::Null,
            BinOp::Div => x.checked_div(y),
            BinOp::Rem if y == 0 => return Value::Null,
            BinOp::Rem => x.checked_rem(y),
            _ => return Value::Null,
        };
        return result.map_or(Value::Null, Value::Int);
    }
    let (x, y) = (a.as_f64(), b.as_f64());
    match op {
        BinOp::Add => Value::Double(x + y),
        BinOp::Sub => Value::Double(x - y),
        BinOp::Mul => Value::Double(x * y),
        BinOp::Div | BinOp::Rem if y == 0.0 => Value::Null,
        BinOp::Div => Value::Double(x / y),
        BinOp::Rem => Value::Double(x % y),
        _ => Value::Null,
    }
}
