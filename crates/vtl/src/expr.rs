//! Expressions inside directives and method arguments: literals, references, lists, maps,
//! ranges and operators, with Velocity 1.7's precedence (`||` below `&&` below equality
//! below comparison below `+ -` below `* / %` below `!`). Word forms (`and`, `or`, `not`,
//! `eq`, `ne`, `lt`, `le`, `gt`, `ge`) are the same operators.

use std::sync::Arc;

use crate::ast::{BinOp, Expr};
use crate::parse::{Fail, Parser, fail, is_ident_char};

impl Parser {
    /// Skips whitespace, line breaks included (they are insignificant inside directives).
    pub(crate) fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// A whole word at the cursor (`and`, not `android`).
    fn word(&self, w: &str) -> bool {
        self.starts_with(w) && !self.peek_at(w.len()).is_some_and(is_ident_char)
    }

    pub(crate) fn expr(&mut self) -> Result<Expr, Fail> {
        self.enter()?;
        let result = self.or();
        self.leave();
        result
    }

    fn binary(
        &mut self,
        next: fn(&mut Parser) -> Result<Expr, Fail>,
        ops: &[(&str, BinOp)],
    ) -> Result<Expr, Fail> {
        let mut left = next(self)?;
        'outer: loop {
            self.skip_ws();
            for (text, op) in ops {
                let is_word = text.chars().all(|c| c.is_ascii_alphabetic());
                let matched = if is_word {
                    self.word(text)
                } else {
                    self.starts_with(text)
                };
                // `<` must not take the first half of `<=`, and so on.
                let longer = !is_word
                    && text.len() == 1
                    && matches!(self.peek_at(1), Some('='))
                    && matches!(*text, "<" | ">" | "!" | "=");
                if matched && !longer {
                    let pos = self.at();
                    self.pos += text.len();
                    self.skip_ws();
                    let right = next(self)?;
                    left = Expr::Binary(*op, Box::new(left), Box::new(right), pos);
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }

    fn or(&mut self) -> Result<Expr, Fail> {
        self.binary(Parser::and, &[("||", BinOp::Or), ("or", BinOp::Or)])
    }

    fn and(&mut self) -> Result<Expr, Fail> {
        self.binary(Parser::equality, &[("&&", BinOp::And), ("and", BinOp::And)])
    }

    fn equality(&mut self) -> Result<Expr, Fail> {
        self.binary(
            Parser::comparison,
            &[
                ("==", BinOp::Eq),
                ("!=", BinOp::Ne),
                ("eq", BinOp::Eq),
                ("ne", BinOp::Ne),
            ],
        )
    }

    fn comparison(&mut self) -> Result<Expr, Fail> {
        self.binary(
            Parser::additive,
            &[
                ("<=", BinOp::Le),
                (">=", BinOp::Ge),
                ("<", BinOp::Lt),
                (">", BinOp::Gt),
                ("le", BinOp::Le),
                ("ge", BinOp::Ge),
                ("lt", BinOp::Lt),
                ("gt", BinOp::Gt),
            ],
        )
    }

    fn additive(&mut self) -> Result<Expr, Fail> {
        self.binary(
            Parser::multiplicative,
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
        )
    }

    fn multiplicative(&mut self) -> Result<Expr, Fail> {
        self.binary(
            Parser::unary,
            &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
        )
    }

    fn unary(&mut self) -> Result<Expr, Fail> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.pos += 1;
            self.enter()?;
            let inner = self.unary();
            self.leave();
            return Ok(Expr::Not(Box::new(inner?)));
        }
        if self.word("not") {
            self.pos += 3;
            self.enter()?;
            let inner = self.unary();
            self.leave();
            return Ok(Expr::Not(Box::new(inner?)));
        }
        self.primary()
    }

    /// Method arguments after `(`, up to and including `)`.
    pub(crate) fn arguments(&mut self) -> Result<Vec<Expr>, Fail> {
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            self.skip_ws();
            args.push(self.expr()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => return fail(self.at(), "expected , or ) in the arguments"),
            }
        }
    }

    pub(crate) fn primary(&mut self) -> Result<Expr, Fail> {
        self.skip_ws();
        let pos = self.at();
        match self.peek() {
            None => fail(pos, "unexpected end of the template in an expression"),
            Some('$') => Ok(Expr::Ref(self.reference(true)?)),
            Some(q @ ('"' | '\'')) => self.string(q),
            Some(c) if c.is_ascii_digit() => self.number(),
            Some('-') if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => self.number(),
            Some('(') => {
                self.pos += 1;
                let inner = self.expr()?;
                self.close_paren("the parenthesis")?;
                Ok(inner)
            }
            Some('[') => {
                self.pos += 1;
                self.enter()?;
                let list = self.list();
                self.leave();
                list
            }
            Some('{') => {
                self.pos += 1;
                self.enter()?;
                let map = self.map();
                self.leave();
                map
            }
            Some(_) if self.word("true") => {
                self.pos += 4;
                Ok(Expr::Bool(true))
            }
            Some(_) if self.word("false") => {
                self.pos += 5;
                Ok(Expr::Bool(false))
            }
            Some(c) => fail(pos, format!("unexpected `{c}` in an expression")),
        }
    }

    fn list(&mut self) -> Result<Expr, Fail> {
        self.skip_ws();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(Expr::List(Vec::new()));
        }
        let first = self.expr()?;
        self.skip_ws();
        if self.starts_with("..") {
            self.pos += 2;
            let last = self.expr()?;
            self.skip_ws();
            if self.peek() != Some(']') {
                return fail(self.at(), "expected ] to close the range");
            }
            self.pos += 1;
            return Ok(Expr::Range(Box::new(first), Box::new(last)));
        }
        let mut items = vec![first];
        loop {
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.pos += 1;
                    items.push(self.expr()?);
                }
                Some(']') => {
                    self.pos += 1;
                    return Ok(Expr::List(items));
                }
                _ => return fail(self.at(), "expected , or ] in the list"),
            }
        }
    }

    fn map(&mut self) -> Result<Expr, Fail> {
        let mut entries = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(Expr::Map(entries));
        }
        loop {
            let key = self.expr()?;
            self.skip_ws();
            if self.peek() != Some(':') {
                return fail(self.at(), "expected : in the map");
            }
            self.pos += 1;
            let value = self.expr()?;
            entries.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {
                    self.pos += 1;
                    return Ok(Expr::Map(entries));
                }
                _ => return fail(self.at(), "expected , or } in the map"),
            }
        }
    }

    fn number(&mut self) -> Result<Expr, Fail> {
        let start = self.pos;
        let pos = self.at();
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let mut float = false;
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            float = true;
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let mut i = 1;
            if matches!(self.peek_at(1), Some('+' | '-')) {
                i = 2;
            }
            if self.peek_at(i).is_some_and(|c| c.is_ascii_digit()) {
                float = true;
                self.pos += i;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
            }
        }
        let text: String = self.src[start..self.pos].iter().collect();
        if float {
            text.parse()
                .map(Expr::Float)
                .or_else(|_| fail(pos, "invalid number"))
        } else {
            text.parse()
                .map(Expr::Int)
                .or_else(|_| fail(pos, "integer literal out of range"))
        }
    }

    /// A string literal; a doubled quote stands for one. Double-quoted strings with `$` or
    /// `#` inside are templates of their own, rendered where they are evaluated.
    fn string(&mut self, quote: char) -> Result<Expr, Fail> {
        let pos = self.at();
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return fail(pos, "unterminated string literal"),
                Some(c) if c == quote => {
                    if self.peek_at(1) == Some(quote) {
                        text.push(quote);
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                        break;
                    }
                }
                Some(c) => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        if quote == '"' && (text.contains('$') || text.contains('#')) {
            let mut inner = Parser::new(&text, pos + 1);
            inner.depth = self.depth;
            let nodes = inner.parse_template()?;
            return Ok(Expr::Str(text, Some(Arc::new(nodes))));
        }
        Ok(Expr::Str(text, None))
    }
}
