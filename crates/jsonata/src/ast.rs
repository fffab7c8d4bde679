//! The syntax tree the parser builds and the evaluator walks.
//!
//! Paths are explicit ([`Kind::Path`] with steps), and a predicate binds to the step it
//! follows ([`Kind::Filter`] wrapping that step), because JSONata applies `a.b[0]` to each
//! `a` rather than to the whole path.

use std::sync::Arc;

/// A node and where its token starts in the expression (character offset).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub pos: usize,
}

/// A binary operator evaluated on two already-evaluated operands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Concat,
    In,
}

/// A function literal: its parameter names (without `$`), body and signature text.
#[derive(Debug)]
pub(crate) struct LambdaDef {
    pub params: Vec<String>,
    pub body: Node,
    /// `<n-n:n>`, checked against the arguments of every call.
    pub signature: Option<String>,
}

/// The transform operator `| pattern | update, delete |`: a function that copies its
/// argument and changes the objects `pattern` selects in the copy.
#[derive(Debug)]
pub(crate) struct TransformDef {
    pub pattern: Node,
    pub update: Node,
    pub delete: Option<Node>,
}

/// One term of an order-by: the key expression and whether it sorts descending.
#[derive(Debug, Clone)]
pub(crate) struct SortTerm {
    pub key: Node,
    pub descending: bool,
}

/// What a node is.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
    Regex(Arc<regex::Regex>),
    /// A field name: one step of a path.
    Name(String),
    /// `$name`; `""` is the context `$`, `"$"` the root `$$`.
    Var(String),
    Wildcard,
    Descendants,
    /// `%`: the parent of the context, in a path that tracks parents.
    Parent,
    /// `a.b.c`; `keep_array` is set by a `[]` anywhere in it.
    Path {
        steps: Vec<Node>,
        keep_array: bool,
    },
    /// A step or expression followed by predicates `[...]`.
    Filter(Box<Node>, Vec<Node>),
    /// `^(...)`: a path step ordering the sequence it receives.
    Sort(Vec<SortTerm>),
    /// A path step with `@$focus` (bind each result, keep the context) and/or `#$index`
    /// (bind each result's position) bindings.
    Bound {
        step: Box<Node>,
        focus: Option<String>,
        index: Option<String>,
    },
    /// `expr{key: value, ...}`: grouping of what `expr` yields.
    Group(Box<Node>, Vec<(Node, Node)>),
    Neg(Box<Node>),
    Array(Vec<Node>),
    Object(Vec<(Node, Node)>),
    Binary(BinOp, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    /// `a ?: b`.
    Elvis(Box<Node>, Box<Node>),
    /// `a ?? b`.
    Coalesce(Box<Node>, Box<Node>),
    /// `[a..b]` inside an array constructor.
    Range(Box<Node>, Box<Node>),
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    Block(Vec<Node>),
    Bind(String, Box<Node>),
    Lambda(Arc<LambdaDef>),
    /// `f(args)`; `partial` when an argument is the placeholder `?`.
    Call {
        func: Box<Node>,
        args: Vec<Node>,
        partial: bool,
    },
    Placeholder,
    /// `a ~> f`.
    Apply(Box<Node>, Box<Node>),
    /// `| pattern | update, delete |`.
    Transform(Arc<TransformDef>),
}

impl Node {
    pub(crate) fn new(kind: Kind, pos: usize) -> Self {
        Node { kind, pos }
    }

    /// Whether `%` occurs anywhere in this subtree (such a path tracks parents).
    pub(crate) fn contains_parent(&self) -> bool {
        let any = |nodes: &[Node]| nodes.iter().any(Node::contains_parent);
        let pairs = |pairs: &[(Node, Node)]| {
            pairs
                .iter()
                .any(|(k, v)| k.contains_parent() || v.contains_parent())
        };
        match &self.kind {
            Kind::Parent => true,
            Kind::Num(_)
            | Kind::Str(_)
            | Kind::Bool(_)
            | Kind::Null
            | Kind::Regex(_)
            | Kind::Name(_)
            | Kind::Var(_)
            | Kind::Wildcard
            | Kind::Descendants
            | Kind::Placeholder => false,
            Kind::Path { steps, .. } => any(steps),
            Kind::Filter(inner, predicates) => inner.contains_parent() || any(predicates),
            Kind::Sort(terms) => terms.iter().any(|t| t.key.contains_parent()),
            Kind::Bound { step, .. } => step.contains_parent(),
            Kind::Group(inner, kv) => inner.contains_parent() || pairs(kv),
            Kind::Object(kv) => pairs(kv),
            Kind::Neg(a) | Kind::Bind(_, a) => a.contains_parent(),
            Kind::Array(items) | Kind::Block(items) => any(items),
            Kind::Binary(_, a, b)
            | Kind::And(a, b)
            | Kind::Or(a, b)
            | Kind::Elvis(a, b)
            | Kind::Coalesce(a, b)
            | Kind::Range(a, b)
            | Kind::Apply(a, b) => a.contains_parent() || b.contains_parent(),
            Kind::Condition(c, t, e) => {
                c.contains_parent()
                    || t.contains_parent()
                    || e.as_ref().is_some_and(|e| e.contains_parent())
            }
            Kind::Lambda(def) => def.body.contains_parent(),
            Kind::Call { func, args, .. } => func.contains_parent() || any(args),
            Kind::Transform(def) => {
                def.pattern.contains_parent()
                    || def.update.contains_parent()
                    || def.delete.as_ref().is_some_and(Node::contains_parent)
            }
        }
    }
}
