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
}
