//! The Pratt parser: tokens to [`Node`]s, with JSONata's binding powers.
//!
//! Nesting is bounded ([`MAX_DEPTH`]) so a hostile expression such as ten thousand `(`
//! is an error, not a stack overflow.

use std::sync::Arc;

use crate::JsonataError;
use crate::ast::{BinOp, Kind, LambdaDef, Node, SortTerm, TransformDef};
use crate::error::Result;
use crate::lexer::{Tok, Token, tokenize};

/// The deepest nesting of sub-expressions the parser accepts.
pub(crate) const MAX_DEPTH: usize = 200;

/// Parses a whole expression.
pub(crate) fn parse(source: &str) -> Result<Node> {
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
        source: source.chars().collect(),
    };
    let node = parser.expression(0)?;
    let next = parser.peek();
    if next.tok != Tok::End {
        return Err(JsonataError::new(
            "S0201",
            Some(next.pos),
            format!("syntax error: unexpected {}", describe(&next.tok)),
        ));
    }
    Ok(node)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
    /// The expression's characters, for the text of function signatures.
    source: Vec<char>,
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Name(n) => format!("name {n}"),
        Tok::Var(v) => format!("variable ${v}"),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Num(n) => format!("number {n}"),
        Tok::Regex(p, _) => format!("regex /{p}/"),
        Tok::Op(op) => format!("'{op}'"),
        Tok::End => "end of expression".into(),
    }
}

/// The left binding power of a token in infix position.
fn lbp(tok: &Tok) -> u8 {
    match tok {
        Tok::Op(op) => match *op {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "?" => 20,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" => 60,
            "=" | "!=" | "<" | "<=" | ">" | ">=" | "^" | "~>" | "in" | "?:" | "??" => 40,
            ":=" => 10,
            "and" => 30,
            "or" => 25,
            _ => 0,
        },
        _ => 0,
    }
}

impl Parser {
    fn peek(&self) -> Token {
        self.tokens[self.at.min(self.tokens.len() - 1)].clone()
    }

    fn advance(&mut self) -> Token {
        let t = self.peek();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        t
    }

    fn expect(&mut self, op: &str) -> Result<Token> {
        let t = self.advance();
        match &t.tok {
            Tok::Op(o) if *o == op => Ok(t),
            Tok::End => Err(JsonataError::new(
                "S0203",
                Some(t.pos),
                format!("expected '{op}' before end of expression"),
            )),
            other => Err(JsonataError::new(
                "S0202",
                Some(t.pos),
                format!("expected '{op}', got {}", describe(other)),
            )),
        }
    }

    fn at_op(&self, op: &str) -> bool {
        matches!(self.peek().tok, Tok::Op(o) if o == op)
    }

    fn expression(&mut self, rbp: u8) -> Result<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let pos = self.peek().pos;
            return Err(JsonataError::new(
                "U1001",
                Some(pos),
                "expression nested too deeply",
            ));
        }
        let t = self.advance();
        let mut left = self.nud(t)?;
        while rbp < lbp(&self.peek().tok) {
            let t = self.advance();
            left = self.led(t, left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    fn nud(&mut self, t: Token) -> Result<Node> {
        let pos = t.pos;
        let node = |kind| Ok(Node::new(kind, pos));
        match t.tok {
            Tok::Num(n) => node(Kind::Num(n)),
            Tok::Str(s) => node(Kind::Str(s)),
            Tok::Regex(pattern, flags) => {
                let mut builder = regex::RegexBuilder::new(&pattern);
                builder
                    .case_insensitive(flags.contains('i'))
                    .multi_line(flags.contains('m'));
                match builder.build() {
                    Ok(re) => node(Kind::Regex(Arc::new(re))),
                    Err(_) => Err(JsonataError::new(
                        "S0303",
                        Some(pos),
                        format!("invalid regular expression: /{pattern}/"),
                    )),
                }
            }
            Tok::Var(v) => node(Kind::Var(v)),
            Tok::Name(n) => match n.as_str() {
                "true" => node(Kind::Bool(true)),
                "false" => node(Kind::Bool(false)),
                "null" => node(Kind::Null),
                "function" | "λ" if self.at_op("(") => self.lambda(pos),
                _ => node(path_of(Node::new(Kind::Name(n), pos))),
            },
            // Keyword operators in prefix position are field names.
            Tok::Op(op @ ("and" | "or" | "in")) => {
                node(path_of(Node::new(Kind::Name(op.into()), pos)))
            }
            Tok::Op("-") => {
                let operand = self.expression(70)?;
                match operand.kind {
                    Kind::Num(n) => node(Kind::Num(-n)),
                    _ => node(Kind::Neg(Box::new(operand))),
                }
            }
            Tok::Op("*") => node(path_of(Node::new(Kind::Wildcard, pos))),
            Tok::Op("%") => node(path_of(Node::new(Kind::Parent, pos))),
            Tok::Op("**") => node(path_of(Node::new(Kind::Descendants, pos))),
            Tok::Op("(") => {
                let mut items = Vec::new();
                while !self.at_op(")") {
                    items.push(self.expression(0)?);
                    if !self.at_op(";") {
                        break;
                    }
                    self.advance();
                }
                self.expect(")")?;
                node(Kind::Block(items))
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                if !self.at_op("]") {
                    loop {
                        let mut item = self.expression(0)?;
                        if self.at_op("..") {
                            let range_pos = self.advance().pos;
                            let end = self.expression(0)?;
                            item = Node::new(Kind::Range(Box::new(item), Box::new(end)), range_pos);
                        }
                        items.push(item);
                        if !self.at_op(",") {
                            break;
                        }
                        self.advance();
                    }
                }
                self.expect("]")?;
                node(Kind::Array(items))
            }
            Tok::Op("{") => {
                let pairs = self.object_pairs()?;
                node(Kind::Object(pairs))
            }
            Tok::Op("|") => {
                let pattern = self.expression(0)?;
                self.expect("|")?;
                let update = self.expression(0)?;
                let delete = if self.at_op(",") {
                    self.advance();
                    Some(self.expression(0)?)
                } else {
                    None
                };
                self.expect("|")?;
                node(Kind::Transform(Arc::new(TransformDef {
                    pattern,
                    update,
                    delete,
                })))
            }
            Tok::End => Err(JsonataError::new(
                "S0207",
                Some(pos),
                "unexpected end of expression",
            )),
            Tok::Op(op) => Err(JsonataError::new(
                "S0211",
                Some(pos),
                format!("the symbol {op} cannot be used as a unary operator"),
            )),
        }
    }

    fn object_pairs(&mut self) -> Result<Vec<(Node, Node)>> {
        let mut pairs = Vec::new();
        if !self.at_op("}") {
            loop {
                let key = self.expression(0)?;
                self.expect(":")?;
                let value = self.expression(0)?;
                pairs.push((key, value));
                if !self.at_op(",") {
                    break;
                }
                self.advance();
            }
        }
        self.expect("}")?;
        Ok(pairs)
    }

    fn lambda(&mut self, pos: usize) -> Result<Node> {
        self.expect("(")?;
        let mut params = Vec::new();
        if !self.at_op(")") {
            loop {
                let t = self.advance();
                match t.tok {
                    Tok::Var(v) => params.push(v),
                    _ => {
                        return Err(JsonataError::new(
                            "S0208",
                            Some(t.pos),
                            "parameter of a function definition must be a variable name (start with $)",
                        ));
                    }
                }
                if !self.at_op(",") {
                    break;
                }
                self.advance();
            }
        }
        self.expect(")")?;
        // A signature `<n-n:n>`, kept as text and checked when the function is called.
        let mut signature = None;
        if self.at_op("<") {
            let start = self.peek().pos;
            let mut depth = 0;
            loop {
                let t = self.advance();
                match t.tok {
                    Tok::Op("<") => depth += 1,
                    Tok::Op(">") => {
                        depth -= 1;
                        if depth == 0 {
                            let text: String = self.source[start..=t.pos].iter().collect();
                            signature = Some(text);
                            break;
                        }
                    }
                    Tok::End => {
                        return Err(JsonataError::new(
                            "S0401",
                            Some(t.pos),
                            "function signature is not terminated",
                        ));
                    }
                    _ => {}
                }
            }
        }
        self.expect("{")?;
        let body = self.expression(0)?;
        self.expect("}")?;
        Ok(Node::new(
            Kind::Lambda(Arc::new(LambdaDef {
                params,
                body,
                signature,
            })),
            pos,
        ))
    }

    fn led(&mut self, t: Token, left: Node) -> Result<Node> {
        let pos = t.pos;
        let Tok::Op(op) = t.tok else {
            return Err(JsonataError::new(
                "S0201",
                Some(pos),
                format!("syntax error: unexpected {}", describe(&t.tok)),
            ));
        };
        let binary = |parser: &mut Parser, bop: BinOp, left: Node| -> Result<Node> {
            let right = parser.expression(lbp(&Tok::Op(op)))?;
            Ok(Node::new(
                Kind::Binary(bop, Box::new(left), Box::new(right)),
                pos,
            ))
        };
        match op {
            "+" => binary(self, BinOp::Add, left),
            "-" => binary(self, BinOp::Sub, left),
            "*" => binary(self, BinOp::Mul, left),
            "/" => binary(self, BinOp::Div, left),
            "%" => binary(self, BinOp::Mod, left),
            "=" => binary(self, BinOp::Eq, left),
            "!=" => binary(self, BinOp::Ne, left),
            "<" => binary(self, BinOp::Lt, left),
            "<=" => binary(self, BinOp::Le, left),
            ">" => binary(self, BinOp::Gt, left),
            ">=" => binary(self, BinOp::Ge, left),
            "&" => binary(self, BinOp::Concat, left),
            "in" => binary(self, BinOp::In, left),
            "and" => {
                let right = self.expression(30)?;
                Ok(Node::new(Kind::And(Box::new(left), Box::new(right)), pos))
            }
            "or" => {
                let right = self.expression(25)?;
                Ok(Node::new(Kind::Or(Box::new(left), Box::new(right)), pos))
            }
            "?:" => {
                let right = self.expression(40)?;
                Ok(Node::new(Kind::Elvis(Box::new(left), Box::new(right)), pos))
            }
            "??" => {
                let right = self.expression(40)?;
                Ok(Node::new(
                    Kind::Coalesce(Box::new(left), Box::new(right)),
                    pos,
                ))
            }
            "~>" => {
                let right = self.expression(40)?;
                Ok(Node::new(Kind::Apply(Box::new(left), Box::new(right)), pos))
            }
            ":=" => {
                let Kind::Var(name) = left.kind else {
                    return Err(JsonataError::new(
                        "S0212",
                        Some(pos),
                        "the left side of := must be a variable name (start with $)",
                    ));
                };
                let right = self.expression(9)?;
                Ok(Node::new(Kind::Bind(name, Box::new(right)), pos))
            }
            "?" => {
                let then = self.expression(0)?;
                let otherwise = if self.at_op(":") {
                    self.advance();
                    Some(Box::new(self.expression(0)?))
                } else {
                    None
                };
                Ok(Node::new(
                    Kind::Condition(Box::new(left), Box::new(then), otherwise),
                    pos,
                ))
            }
            "." => {
                let right = self.expression(75)?;
                join_path(left, right, pos)
            }
            "(" => {
                if self.peek().tok == Tok::End {
                    return Err(JsonataError::new(
                        "S0203",
                        Some(self.peek().pos),
                        "expected ')' before end of expression",
                    ));
                }
                let mut args = Vec::new();
                let mut partial = false;
                if !self.at_op(")") {
                    loop {
                        let next = self.tokens.get(self.at + 1).map(|t| &t.tok);
                        let arg = if self.at_op("?") && matches!(next, Some(Tok::Op("," | ")"))) {
                            let t = self.advance();
                            partial = true;
                            Node::new(Kind::Placeholder, t.pos)
                        } else {
                            self.expression(0)?
                        };
                        args.push(arg);
                        if !self.at_op(",") {
                            break;
                        }
                        self.advance();
                    }
                }
                self.expect(")")?;
                Ok(Node::new(
                    Kind::Call {
                        func: Box::new(left),
                        args,
                        partial,
                    },
                    pos,
                ))
            }
            "[" => {
                if self.at_op("]") {
                    self.advance();
                    return Ok(keep_array(left));
                }
                if self.peek().tok == Tok::End {
                    return Err(JsonataError::new(
                        "S0203",
                        Some(self.peek().pos),
                        "expected ']' before end of expression",
                    ));
                }
                let predicate = self.expression(0)?;
                self.expect("]")?;
                add_predicate(left, predicate)
            }
            "^" => {
                self.expect("(")?;
                let mut terms = Vec::new();
                loop {
                    let mut descending = false;
                    if self.at_op("<") {
                        self.advance();
                    } else if self.at_op(">") {
                        self.advance();
                        descending = true;
                    }
                    let key = self.expression(0)?;
                    terms.push(SortTerm { key, descending });
                    if !self.at_op(",") {
                        break;
                    }
                    self.advance();
                }
                self.expect(")")?;
                let step = Node::new(Kind::Sort(terms), pos);
                join_path(left, step, pos)
            }
            "@" | "#" => {
                let t = self.advance();
                let Tok::Var(name) = t.tok else {
                    return Err(JsonataError::new(
                        "S0214",
                        Some(t.pos),
                        format!("the right side of {op} must be a variable name (start with $)"),
                    ));
                };
                bind_step(left, op == "@", name, pos)
            }
            "{" => {
                if matches!(left.kind, Kind::Group(..)) {
                    return Err(JsonataError::new(
                        "S0210",
                        Some(pos),
                        "each step can only have one grouping expression",
                    ));
                }
                let pairs = self.object_pairs()?;
                Ok(Node::new(Kind::Group(Box::new(left), pairs), pos))
            }
            _ => Err(JsonataError::new(
                "S0201",
                Some(pos),
                format!("syntax error: unexpected '{op}'"),
            )),
        }
    }
}

/// A single step as a path, so a name on its own maps over an input array.
fn path_of(step: Node) -> Kind {
    Kind::Path {
        steps: vec![step],
        keep_array: false,
    }
}

fn join_path(left: Node, right: Node, pos: usize) -> Result<Node> {
    let (mut steps, mut keep) = match left.kind {
        Kind::Path { steps, keep_array } => (steps, keep_array),
        _ => (vec![as_step(left)?], false),
    };
    match right.kind {
        Kind::Path {
            steps: more,
            keep_array,
        } => {
            steps.extend(more);
            keep |= keep_array;
        }
        _ => steps.push(as_step(right)?),
    }
    Ok(Node::new(
        Kind::Path {
            steps,
            keep_array: keep,
        },
        pos,
    ))
}

/// A string literal in a path is a field name; other literals cannot be steps.
fn as_step(node: Node) -> Result<Node> {
    match node.kind {
        Kind::Str(s) => Ok(Node::new(Kind::Name(s), node.pos)),
        Kind::Num(_) | Kind::Bool(_) | Kind::Null => Err(JsonataError::new(
            "S0213",
            Some(node.pos),
            "a literal value cannot be used as a step within a path expression",
        )),
        _ => Ok(node),
    }
}

fn keep_array(node: Node) -> Node {
    match node.kind {
        Kind::Path { steps, .. } => Node::new(
            Kind::Path {
                steps,
                keep_array: true,
            },
            node.pos,
        ),
        _ => {
            let pos = node.pos;
            Node::new(
                Kind::Path {
                    steps: vec![node],
                    keep_array: true,
                },
                pos,
            )
        }
    }
}

/// Attaches an `@$focus` or `#$index` binding to the last step of a path.
fn bind_step(node: Node, focus: bool, name: String, pos: usize) -> Result<Node> {
    let (mut steps, keep_array) = match node.kind {
        Kind::Path { steps, keep_array } => (steps, keep_array),
        _ => (vec![as_step(node)?], false),
    };
    let Some(last) = steps.pop() else {
        return Err(JsonataError::new(
            "S0201",
            Some(pos),
            "syntax error: empty path",
        ));
    };
    let step = match last.kind {
        Kind::Bound {
            step,
            focus: f,
            index: i,
        } => {
            let (f, i) = if focus {
                (Some(name), i)
            } else {
                (f, Some(name))
            };
            Node::new(
                Kind::Bound {
                    step,
                    focus: f,
                    index: i,
                },
                last.pos,
            )
        }
        kind => {
            let inner = Box::new(Node::new(kind, last.pos));
            let (f, i) = if focus {
                (Some(name), None)
            } else {
                (None, Some(name))
            };
            Node::new(
                Kind::Bound {
                    step: inner,
                    focus: f,
                    index: i,
                },
                last.pos,
            )
        }
    };
    steps.push(step);
    Ok(Node::new(Kind::Path { steps, keep_array }, pos))
}

/// Attaches a predicate to the last step of a path (or to the expression itself).
fn add_predicate(node: Node, predicate: Node) -> Result<Node> {
    let pos = node.pos;
    match node.kind {
        Kind::Path {
            mut steps,
            keep_array,
        } => {
            let Some(last) = steps.pop() else {
                return Err(JsonataError::new(
                    "S0201",
                    Some(pos),
                    "syntax error: empty path",
                ));
            };
            if matches!(last.kind, Kind::Group(..)) {
                return Err(JsonataError::new(
                    "S0209",
                    Some(pos),
                    "a predicate cannot follow a grouping expression in a step",
                ));
            }
            steps.push(with_predicate(last, predicate));
            Ok(Node::new(Kind::Path { steps, keep_array }, pos))
        }
        Kind::Group(..) => Err(JsonataError::new(
            "S0209",
            Some(pos),
            "a predicate cannot follow a grouping expression in a step",
        )),
        _ => Ok(with_predicate(node, predicate)),
    }
}

fn with_predicate(node: Node, predicate: Node) -> Node {
    let pos = node.pos;
    match node.kind {
        Kind::Filter(inner, mut predicates) => {
            predicates.push(predicate);
            Node::new(Kind::Filter(inner, predicates), pos)
        }
        kind => Node::new(
            Kind::Filter(Box::new(Node::new(kind, pos)), vec![predicate]),
            pos,
        ),
    }
}
