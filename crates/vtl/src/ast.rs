//! The parsed form of a template: nodes of text and directives, and the expressions inside
//! them. Produced by `parse`, walked by `eval`; nothing here evaluates anything.

use std::sync::Arc;

/// A place in the template: a char offset, turned into line and column only for errors.
pub(crate) type Pos = usize;

/// One piece of a template body.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// Literal text, written as is.
    Text(String),
    /// `$ref`, `$!ref`, `${ref}`: its value, or its own source text when it has none.
    Ref(Reference),
    /// `\$ref` with `slashes` backslashes: Velocity halves them and, when the count is odd,
    /// writes the reference's source text instead of its value (only for defined references).
    EscapedRef {
        slashes: usize,
        reference: Reference,
    },
    /// `#set($target = value)`.
    Set {
        target: Reference,
        value: Expr,
        pos: Pos,
    },
    /// `#if` / `#elseif` branches, then `#else`.
    If {
        branches: Vec<(Expr, Vec<Node>)>,
        otherwise: Option<Vec<Node>>,
    },
    /// `#foreach($var in iterable)`.
    Foreach {
        var: String,
        iterable: Expr,
        body: Arc<Vec<Node>>,
        pos: Pos,
    },
    /// `#break`: leaves the innermost `#foreach` (or the template, outside any loop).
    Break,
    /// `#stop`: ends rendering, keeping what was written.
    Stop,
    /// `#define($name)...#end`: `$name` renders the block when referenced.
    Define { name: String, body: Arc<Vec<Node>> },
    /// `#name(args)`: a call of a `#macro`, looked up when rendering. Without such a macro
    /// it is text: `source`, then the blanks and line break it would have swallowed.
    Call {
        name: String,
        args: Vec<Expr>,
        source: String,
        swallowed: String,
        pos: Pos,
    },
}

/// A user macro: `#macro(name $param ...)body#end`.
#[derive(Debug, Clone)]
pub(crate) struct MacroDef {
    pub(crate) params: Vec<String>,
    pub(crate) body: Arc<Vec<Node>>,
}

/// A reference: a variable and what is done to it (`$a.b.m(1)[0]`).
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    pub(crate) name: String,
    pub(crate) steps: Vec<Step>,
    /// `$!`: renders nothing when it has no value.
    pub(crate) quiet: bool,
    /// The reference as written, rendered when it has no value.
    pub(crate) source: String,
    pub(crate) pos: Pos,
}

/// One step along a reference.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// `.name`: a property (`getName()`, `get("name")`, `isName()`).
    Property(String),
    /// `.name(args)`.
    Method(String, Vec<Expr>, Pos),
    /// `[index]`.
    Index(Expr, Pos),
}

/// An expression inside a directive or a method's arguments.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Ref(Reference),
    /// A string literal; `Some(nodes)` when double-quoted with `$` or `#` inside.
    Str(String, Option<Arc<Vec<Node>>>),
    Int(i128),
    Float(f64),
    Bool(bool),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Range(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>, Pos),
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}
