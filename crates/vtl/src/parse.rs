//! Template text to nodes: text, references, comments and directives, with Velocity 1.7's
//! rules for the whitespace around directives and for backslash escapes.
//!
//! The whitespace rule, as the oracle (Velocity 1.7 itself) shows it: a directive (`#set`,
//! `#if`, `#elseif`, `#else`, `#end`, `#foreach`, `#break`, `#stop`, `#macro`, `#define`,
//! a macro call) followed by spaces or tabs and then a line break swallows them and the
//! line break; the indentation before a directive is always kept. `##` comments swallow
//! their line break; `#* *#` comments do not (and run to the end when never closed). Expressions inside directives are read by
//! `expr.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{MacroDef, Node, Pos, Reference, Step};

/// A failure with the char offset it points at; `lib.rs` turns the offset into line/column.
#[derive(Debug, Clone)]
pub(crate) struct Fail {
    pub(crate) pos: Pos,
    pub(crate) message: String,
}

pub(crate) fn fail<T>(pos: Pos, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail {
        pos,
        message: message.into(),
    })
}

/// How deeply blocks and expressions may nest: bounds the parser's (and so the
/// evaluator's) recursion, so that hostile input cannot overflow the stack.
pub(crate) const MAX_NESTING: usize = 64;

/// What ended a run of nodes.
enum Term {
    Eof,
    End(Pos),
    Else(Pos),
    ElseIf(crate::ast::Expr, Pos),
}

/// The parser: a cursor over the template's chars.
pub(crate) struct Parser {
    pub(crate) src: Vec<char>,
    pub(crate) pos: usize,
    /// Offset of `src` in the whole template (for string literals parsed on their own).
    pub(crate) base: usize,
    pub(crate) depth: usize,
    pub(crate) macros: HashMap<String, MacroDef>,
}

const DIRECTIVES: &[&str] = &[
    "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "macro", "define", "include",
    "parse", "evaluate",
];

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Parser {
    pub(crate) fn new(src: &str, base: usize) -> Parser {
        Parser {
            src: src.chars().collect(),
            pos: 0,
            base,
            depth: 0,
            macros: HashMap::new(),
        }
    }

    pub(crate) fn at(&self) -> Pos {
        self.base + self.pos
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, offset: usize) -> Option<char> {
        self.src.get(self.pos + offset).copied()
    }

    pub(crate) fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.src.get(self.pos + i) == Some(&c))
    }

    pub(crate) fn enter(&mut self) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return fail(
                self.at(),
                format!("nesting deeper than {MAX_NESTING} levels"),
            );
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The whole template.
    pub(crate) fn parse_template(&mut self) -> Result<Vec<Node>, Fail> {
        let (nodes, term) = self.parse_nodes()?;
        match term {
            Term::Eof => Ok(nodes),
            Term::End(p) => fail(p, "#end without an open directive"),
            Term::Else(p) => fail(p, "#else without #if"),
            Term::ElseIf(_, p) => fail(p, "#elseif without #if"),
        }
    }

    fn parse_nodes(&mut self) -> Result<(Vec<Node>, Term), Fail> {
        self.enter()?;
        let result = self.parse_nodes_inner();
        self.leave();
        result
    }

    fn parse_nodes_inner(&mut self) -> Result<(Vec<Node>, Term), Fail> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        macro_rules! flush {
            () => {
                if !text.is_empty() {
                    nodes.push(Node::Text(std::mem::take(&mut text)));
                }
            };
        }
        while let Some(c) = self.peek() {
            match c {
                '\\' => {
                    let start = self.pos;
                    while self.peek() == Some('\\') {
                        self.pos += 1;
                    }
                    let slashes = self.pos - start;
                    if self.peek() == Some('$') {
                        if let Some(reference) = self.try_text_reference()? {
                            flush!();
                            nodes.push(Node::EscapedRef { slashes, reference });
                            continue;
                        }
                        text.extend(std::iter::repeat_n('\\', slashes));
                    } else if let Some((word, len)) = self.directive_word() {
                        if DIRECTIVES.contains(&word.as_str()) {
                            text.extend(std::iter::repeat_n('\\', slashes / 2));
                            if slashes % 2 == 1 {
                                // An escaped directive is text, and so are its arguments.
                                text.extend(self.src[self.pos..self.pos + len].iter());
                                self.pos += len;
                            }
                        } else {
                            text.extend(std::iter::repeat_n('\\', slashes));
                        }
                    } else {
                        text.extend(std::iter::repeat_n('\\', slashes));
                    }
                }
                '$' | '#' if self.pos + 1 == self.src.len() && self.base == 0 => {
                    // Velocity 1.7's lexer refuses a template whose last character is a
                    // `$` or `#` that starts nothing.
                    return fail(
                        self.at() + 1,
                        format!("unexpected end of the template after `{c}`"),
                    );
                }
                '$' => {
                    // Velocity 1.7 writes a `$!` that starts no reference as a bare `$`.
                    if self.peek_at(1) == Some('!')
                        && !self
                            .peek_at(2)
                            .is_some_and(|c| is_ident_start(c) || c == '{')
                    {
                        text.push('$');
                        self.pos += 2;
                        continue;
                    }
                    if let Some(reference) = self.try_text_reference()? {
                        flush!();
                        nodes.push(Node::Ref(reference));
                    } else {
                        text.push('$');
                        self.pos += 1;
                    }
                }
                '#' => match self.peek_at(1) {
                    Some('#') => {
                        while let Some(c) = self.peek() {
                            self.pos += 1;
                            if c == '\n' {
                                break;
                            }
                        }
                    }
                    Some('*') => {
                        self.pos += 2;
                        loop {
                            // Velocity 1.7 lets an unterminated comment run to the end.
                            if self.pos >= self.src.len() {
                                break;
                            }
                            if self.starts_with("*#") {
                                self.pos += 2;
                                break;
                            }
                            self.pos += 1;
                        }
                    }
                    Some('[') if self.peek_at(2) == Some('[') => {
                        let start = self.at();
                        self.pos += 3;
                        loop {
                            if self.pos >= self.src.len() {
                                return fail(start, "unterminated #[[ block");
                            }
                            if self.starts_with("]]#") {
                                self.pos += 3;
                                break;
                            }
                            text.push(self.src[self.pos]);
                            self.pos += 1;
                        }
                    }
                    _ => {
                        let Some((word, len)) = self.directive_word() else {
                            text.push('#');
                            self.pos += 1;
                            continue;
                        };
                        let start = self.pos;
                        let pos = self.at();
                        self.pos += len;
                        match word.as_str() {
                            "end" => {
                                flush!();
                                self.eat_line_break();
                                return Ok((nodes, Term::End(pos)));
                            }
                            "else" => {
                                flush!();
                                self.eat_line_break();
                                return Ok((nodes, Term::Else(pos)));
                            }
                            "elseif" => {
                                flush!();
                                let cond = self.directive_condition("#elseif")?;
                                self.eat_line_break();
                                return Ok((nodes, Term::ElseIf(cond, pos)));
                            }
                            "set" | "if" | "foreach" | "break" | "stop" | "macro" | "define" => {
                                // Velocity's `#set` token takes the blanks before it, unless
                                // they belong to a run of text (`a #set` keeps its space, a
                                // line's indentation too; `$x #set` and ` #set` at the start
                                // lose it).
                                if word == "set" && text.chars().all(|c| c == ' ' || c == '\t') {
                                    text.clear();
                                }
                                flush!();
                                if let Some(node) = self.directive(&word, pos)? {
                                    nodes.push(node);
                                }
                            }
                            "include" | "parse" | "evaluate" => {
                                return fail(
                                    pos,
                                    format!(
                                        "#{word} is not available in API Gateway's mapping templates"
                                    ),
                                );
                            }
                            _ => match self.try_macro_call(&word, start, pos)? {
                                Some(node) => {
                                    flush!();
                                    nodes.push(node);
                                }
                                None => {
                                    // Not a directive: the `#` and the word are text.
                                    self.pos = start + len;
                                    text.extend(self.src[start..start + len].iter());
                                }
                            },
                        }
                    }
                },
                _ => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        flush!();
        Ok((nodes, Term::Eof))
    }

    /// At `#`: the directive word and the length of `#word` or `#{word}`.
    fn directive_word(&self) -> Option<(String, usize)> {
        if self.peek() != Some('#') {
            return None;
        }
        let braced = self.peek_at(1) == Some('{');
        let mut i = self.pos + 1 + usize::from(braced);
        if !self.src.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let start = i;
        while self
            .src
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            i += 1;
        }
        let word: String = self.src[start..i].iter().collect();
        if braced {
            if self.src.get(i) != Some(&'}') {
                return None;
            }
            i += 1;
        }
        Some((word, i - self.pos))
    }

    /// After a directive: spaces or tabs and a line break are swallowed, or nothing is.
    fn eat_line_break(&mut self) {
        let mut i = self.pos;
        while matches!(self.src.get(i), Some(' ' | '\t')) {
            i += 1;
        }
        match self.src.get(i) {
            Some('\n') => self.pos = i + 1,
            Some('\r') => {
                self.pos = i + 1;
                if self.src.get(self.pos) == Some(&'\n') {
                    self.pos += 1;
                }
            }
            _ => {}
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    fn open_paren(&mut self, directive: &str) -> Result<(), Fail> {
        self.skip_blanks();
        if self.peek() != Some('(') {
            return fail(self.at(), format!("expected ( after {directive}"));
        }
        self.pos += 1;
        Ok(())
    }

    pub(crate) fn close_paren(&mut self, directive: &str) -> Result<(), Fail> {
        self.skip_ws();
        if self.peek() != Some(')') {
            return fail(self.at(), format!("expected ) to close {directive}"));
        }
        self.pos += 1;
        Ok(())
    }

    fn directive_condition(&mut self, directive: &str) -> Result<crate::ast::Expr, Fail> {
        self.open_paren(directive)?;
        self.skip_ws();
        let cond = self.expr()?;
        self.close_paren(directive)?;
        Ok(cond)
    }

    /// A block directive's body up to its `#end`.
    fn block(&mut self, directive: &str, pos: Pos) -> Result<Vec<Node>, Fail> {
        let (body, term) = self.parse_nodes()?;
        match term {
            Term::End(_) => Ok(body),
            Term::Eof => fail(pos, format!("{directive} without #end")),
            Term::Else(p) | Term::ElseIf(_, p) => fail(p, format!("#else inside {directive}")),
        }
    }

    fn directive(&mut self, word: &str, pos: Pos) -> Result<Option<Node>, Fail> {
        match word {
            "set" => {
                self.open_paren("#set")?;
                self.skip_ws();
                if self.peek() != Some('$') {
                    return fail(self.at(), "expected a reference to set");
                }
                let target = self.reference(true)?;
                self.skip_ws();
                if self.peek() != Some('=') {
                    return fail(self.at(), "expected = in #set");
                }
                self.pos += 1;
                self.skip_ws();
                let value = self.expr()?;
                self.close_paren("#set")?;
                self.eat_line_break();
                Ok(Some(Node::Set { target, value, pos }))
            }
            "if" => {
                let cond = self.directive_condition("#if")?;
                self.eat_line_break();
                let mut branches = Vec::new();
                let mut cond = cond;
                loop {
                    let (body, term) = self.parse_nodes()?;
                    branches.push((cond, body));
                    match term {
                        Term::End(_) => {
                            return Ok(Some(Node::If {
                                branches,
                                otherwise: None,
                            }));
                        }
                        Term::ElseIf(next, _) => cond = next,
                        Term::Else(_) => {
                            let otherwise = self.block("#if", pos)?;
                            return Ok(Some(Node::If {
                                branches,
                                otherwise: Some(otherwise),
                            }));
                        }
                        Term::Eof => return fail(pos, "#if without #end"),
                    }
                }
            }
            "foreach" => {
                self.open_paren("#foreach")?;
                self.skip_ws();
                let var = self.variable_name("#foreach")?;
                self.skip_ws();
                if !(self.starts_with("in") && self.peek_at(2).is_some_and(|c| !is_ident_char(c))) {
                    return fail(self.at(), "expected `in` in #foreach");
                }
                self.pos += 2;
                self.skip_ws();
                let iterable = self.expr()?;
                self.close_paren("#foreach")?;
                self.eat_line_break();
                let body = self.block("#foreach", pos)?;
                Ok(Some(Node::Foreach {
                    var,
                    iterable,
                    body: Arc::new(body),
                    pos,
                }))
            }
            "break" => {
                self.eat_line_break();
                Ok(Some(Node::Break))
            }
            "stop" => {
                self.eat_line_break();
                Ok(Some(Node::Stop))
            }
            "macro" => {
                self.open_paren("#macro")?;
                self.skip_ws();
                let name = self.ident_chars();
                if name.is_empty() {
                    return fail(self.at(), "expected the macro's name");
                }
                let mut params = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(')') => {
                            self.pos += 1;
                            break;
                        }
                        Some(',') => self.pos += 1,
                        Some('$') => params.push(self.variable_name("#macro")?),
                        _ => return fail(self.at(), "expected a $parameter or ) in #macro"),
                    }
                }
                self.eat_line_break();
                let body = self.block("#macro", pos)?;
                self.macros.insert(
                    name,
                    MacroDef {
                        params,
                        body: Arc::new(body),
                    },
                );
                Ok(None)
            }
            "define" => {
                self.open_paren("#define")?;
                self.skip_ws();
                let name = self.variable_name("#define")?;
                self.close_paren("#define")?;
                self.eat_line_break();
                let body = self.block("#define", pos)?;
                Ok(Some(Node::Define {
                    name,
                    body: Arc::new(body),
                }))
            }
            _ => fail(pos, format!("unknown directive #{word}")),
        }
    }

    /// The identifier characters from here on (none is an empty string), moving past them.
    fn ident_chars(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        self.src[start..self.pos].iter().collect()
    }

    /// `$name` (or `${name}`) where a directive wants a plain variable.
    fn variable_name(&mut self, directive: &str) -> Result<String, Fail> {
        if self.peek() != Some('$') {
            return fail(self.at(), format!("expected a $variable in {directive}"));
        }
        self.pos += 1;
        let braced = self.peek() == Some('{');
        if braced {
            self.pos += 1;
        }
        if !self.peek().is_some_and(is_ident_start) {
            return fail(self.at(), format!("expected a $variable in {directive}"));
        }
        let name = self.ident_chars();
        if braced {
            if self.peek() != Some('}') {
                return fail(self.at(), "expected }");
            }
            self.pos += 1;
        }
        Ok(name)
    }

    /// `#name(args)`: a macro call when the arguments parse; otherwise text.
    fn try_macro_call(&mut self, name: &str, start: usize, pos: Pos) -> Result<Option<Node>, Fail> {
        self.skip_blanks();
        if self.peek() != Some('(') {
            return Ok(None);
        }
        self.pos += 1;
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(')') => {
                    self.pos += 1;
                    break;
                }
                Some(',') => self.pos += 1,
                None => return Ok(None),
                Some(_) => match self.primary() {
                    Ok(arg) => args.push(arg),
                    Err(_) => return Ok(None),
                },
            }
        }
        let source = self.src[start..self.pos].iter().collect();
        let before = self.pos;
        self.eat_line_break();
        let swallowed = self.src[before..self.pos].iter().collect();
        Ok(Some(Node::Call {
            name: name.to_string(),
            args,
            source,
            swallowed,
            pos,
        }))
    }

    /// A reference in text: `None` (and nothing consumed) when the `$` starts none.
    fn try_text_reference(&mut self) -> Result<Option<Reference>, Fail> {
        let start = self.pos;
        let mut i = self.pos + 1;
        if self.src.get(i) == Some(&'!') {
            i += 1;
        }
        if self.src.get(i) == Some(&'{') {
            i += 1;
        }
        if !self.src.get(i).is_some_and(|c| is_ident_start(*c)) {
            return Ok(None);
        }
        match self.reference(false) {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.message == UNCLOSED_BRACE => {
                self.pos = start;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// A reference at `$`. In text (`in_expr` false) a `.` or `[` that does not continue it is
    /// left as text; inside expressions the same.
    pub(crate) fn reference(&mut self, in_expr: bool) -> Result<Reference, Fail> {
        let _ = in_expr;
        let start = self.pos;
        let pos = self.at();
        self.pos += 1;
        let quiet = self.peek() == Some('!');
        if quiet {
            self.pos += 1;
        }
        let braced = self.peek() == Some('{');
        if braced {
            self.pos += 1;
        }
        if !self.peek().is_some_and(is_ident_start) {
            return fail(self.at(), "expected a name after $");
        }
        let name = self.ident_chars();
        let mut steps = Vec::new();
        loop {
            match self.peek() {
                Some('.') if self.peek_at(1).is_some_and(is_ident_start) => {
                    self.pos += 1;
                    let member = self.ident_chars();
                    if self.peek() == Some('(') {
                        let call_pos = self.at();
                        self.pos += 1;
                        let args = self.arguments()?;
                        steps.push(Step::Method(member, args, call_pos));
                    } else {
                        steps.push(Step::Property(member));
                    }
                }
                Some('[') => {
                    let save = self.pos;
                    let index_pos = self.at();
                    self.pos += 1;
                    self.skip_ws();
                    let parsed = self.enter().and_then(|()| self.expr());
                    self.leave();
                    let ok = match parsed {
                        Ok(index) => {
                            self.skip_ws();
                            if self.peek() == Some(']') {
                                self.pos += 1;
                                steps.push(Step::Index(index, index_pos));
                                true
                            } else {
                                false
                            }
                        }
                        Err(_) => false,
                    };
                    if !ok {
                        self.pos = save;
                        break;
                    }
                }
                _ => break,
            }
        }
        if braced {
            if self.peek() != Some('}') {
                return fail(self.at(), UNCLOSED_BRACE);
            }
            self.pos += 1;
        }
        let source = self.src[start..self.pos].iter().collect();
        Ok(Reference {
            name,
            steps,
            quiet,
            source,
            pos,
        })
    }
}

const UNCLOSED_BRACE: &str = "expected } to close ${";
