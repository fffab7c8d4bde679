//! ASL's JSONPath: the paths of `InputPath`, `OutputPath`, `ItemsPath`, `"key.$"` fields and
//! Choice variables, and the reference paths of `ResultPath`.
//!
//! A path starts at the state's input (`$`), the context object (`$$`) or a variable
//! (`$name`), then walks `.name`, `['name']`, `[n]`, `[*]`, `.*`, `[a,b]`, `[start:end]`,
//! `..name` and filters `[?(@.k < 3)]`. A *definite* path (names and indexes only) selects
//! one value or nothing; any other selects a list, as the service's JSONPath library does.
//! A reference path (the spec's term) is a definite path over the input, and is the only
//! kind that can be written to.

use serde_json::{Map, Value};

/// Where a path starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Root {
    /// `$`: the state's input (or whatever document the field works on).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Name(String),
    Index(i64),
    Names(Vec<String>),
    Indexes(Vec<i64>),
    Wildcard,
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `..`: the segment applied at every depth.
    Descend(Box<Segment>),
    Filter(Filter),
}

/// A filter expression `?( ... )`.
#[derive(Debug, Clone, PartialEq)]
enum Filter {
    Or(Vec<Filter>),
    And(Vec<Filter>),
    Not(Box<Filter>),
    Exists(Vec<Segment>),
    Compare(Operand, CompareOp, Operand),
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Current(Vec<Segment>),
    Literal(Value),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    pub(crate) root: Root,
    segments: Vec<Segment>,
    source: String,
}

/// What a path selected.
pub(crate) enum Selection {
    /// A definite path's value, or nothing.
    One(Option<Value>),
    /// An indefinite path's matches (possibly none).
    Many(Vec<Value>),
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<char>,
    at: usize,
    /// Nesting of filters, `!` and parentheses: bounded so a hostile path cannot exhaust
    /// the stack.
    depth: usize,
}

/// How deeply filter expressions may nest.
const MAX_FILTER_DEPTH: usize = 32;

type ParseResult<T> = Result<T, String>;

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text,
            chars: text.chars().collect(),
            at: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn error(&self, what: &str) -> String {
        format!(
            "invalid path `{}`: {what} at character {}",
            self.text, self.at
        )
    }

    /// A name after `.`: anything up to the next `.` or `[` (and, in filters, operators).
    fn name(&mut self, in_filter: bool) -> ParseResult<String> {
        let start = self.at;
        while let Some(c) = self.peek() {
            let stop =
                c == '.' || c == '[' || (in_filter && (c.is_whitespace() || "=!<>&|)".contains(c)));
            if stop {
                break;
            }
            self.at += 1;
        }
        if self.at == start {
            return Err(self.error("expected a name"));
        }
        Ok(self.chars[start..self.at].iter().collect())
    }

    fn quoted(&mut self) -> ParseResult<String> {
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(self.error("expected a quoted name")),
        };
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated quoted name")),
                Some('\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(c) => out.push(c),
                        None => return Err(self.error("unterminated escape")),
                    }
                }
                Some(c) if c == quote => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
            self.at += 1;
        }
    }

    fn integer(&mut self) -> ParseResult<i64> {
        let start = self.at;
        if self.peek() == Some('-') {
            self.at += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        text.parse().map_err(|_| self.error("expected an integer"))
    }

    fn segments(&mut self, in_filter: bool) -> ParseResult<Vec<Segment>> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Some('.') if self.peek_at(1) == Some('.') => {
                    self.at += 2;
                    let inner = if self.peek() == Some('[') {
                        self.bracket()?
                    } else if self.eat('*') {
                        Segment::Wildcard
                    } else {
                        Segment::Name(self.name(in_filter)?)
                    };
                    out.push(Segment::Descend(Box::new(inner)));
                }
                Some('.') => {
                    self.at += 1;
                    if self.eat('*') {
                        out.push(Segment::Wildcard);
                    } else {
                        out.push(Segment::Name(self.name(in_filter)?));
                    }
                }
                Some('[') => out.push(self.bracket()?),
                _ => return Ok(out),
            }
        }
    }

    fn bracket(&mut self) -> ParseResult<Segment> {
        self.at += 1; // `[`
        self.skip_spaces();
        let segment = match self.peek() {
            Some('*') => {
                self.at += 1;
                Segment::Wildcard
            }
            Some('\'' | '"') => {
                let mut names = vec![self.quoted()?];
                self.skip_spaces();
                while self.eat(',') {
                    self.skip_spaces();
                    names.push(self.quoted()?);
                    self.skip_spaces();
                }
                if names.len() == 1 {
                    Segment::Name(names.remove(0))
                } else {
                    Segment::Names(names)
                }
            }
            Some('?') => {
                self.at += 1;
                self.skip_spaces();
                if !self.eat('(') {
                    return Err(self.error("expected `(` after `?`"));
                }
                let filter = self.filter_or()?;
                self.skip_spaces();
                if !self.eat(')') {
                    return Err(self.error("expected `)` closing the filter"));
                }
                Segment::Filter(filter)
            }
            Some(':') => self.slice(None)?,
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let first = self.integer()?;
                self.skip_spaces();
                if self.peek() == Some(':') {
                    self.slice(Some(first))?
                } else {
                    let mut indexes = vec![first];
                    while self.eat(',') {
                        self.skip_spaces();
                        indexes.push(self.integer()?);
                        self.skip_spaces();
                    }
                    if indexes.len() == 1 {
                        Segment::Index(first)
                    } else {
                        Segment::Indexes(indexes)
                    }
                }
            }
            _ => return Err(self.error("unexpected character in brackets")),
        };
        self.skip_spaces();
        if !self.eat(']') {
            return Err(self.error("expected `]`"));
        }
        Ok(segment)
    }

    fn slice(&mut self, start: Option<i64>) -> ParseResult<Segment> {
        let mut parts = [start, None, None];
        for part in parts.iter_mut().skip(1) {
            self.skip_spaces();
            if !self.eat(':') {
                break;
            }
            self.skip_spaces();
            if self.peek().is_some_and(|c| c == '-' || c.is_ascii_digit()) {
                *part = Some(self.integer()?);
            }
        }
        if parts[2] == Some(0) {
            return Err(self.error("a slice step cannot be 0"));
        }
        Ok(Segment::Slice(parts[0], parts[1], parts[2]))
    }

    fn filter_or(&mut self) -> ParseResult<Filter> {
        let mut parts = vec![self.filter_and()?];
        loop {
            self.skip_spaces();
            if self.peek() == Some('|') && self.peek_at(1) == Some('|') {
                self.at += 2;
                parts.push(self.filter_and()?);
            } else {
                break;
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::Or(parts)
        })
    }

    fn filter_and(&mut self) -> ParseResult<Filter> {
        let mut parts = vec![self.filter_unary()?];
        loop {
            self.skip_spaces();
            if self.peek() == Some('&') && self.peek_at(1) == Some('&') {
                self.at += 2;
                parts.push(self.filter_unary()?);
            } else {
                break;
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    fn filter_unary(&mut self) -> ParseResult<Filter> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(self.error("filters nest too deeply"));
        }
        let filter = self.filter_unary_inner();
        self.depth -= 1;
        filter
    }

    fn filter_unary_inner(&mut self) -> ParseResult<Filter> {
        self.skip_spaces();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.filter_unary()?)));
        }
        if self.eat('(') {
            let inner = self.filter_or()?;
            self.skip_spaces();
            if !self.eat(')') {
                return Err(self.error("expected `)`"));
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        self.skip_spaces();
        let op = match (self.peek(), self.peek_at(1)) {
            (Some('='), Some('=')) => Some((CompareOp::Eq, 2)),
            (Some('!'), Some('=')) => Some((CompareOp::Ne, 2)),
            (Some('<'), Some('=')) => Some((CompareOp::Le, 2)),
            (Some('>'), Some('=')) => Some((CompareOp::Ge, 2)),
            (Some('<'), _) => Some((CompareOp::Lt, 1)),
            (Some('>'), _) => Some((CompareOp::Gt, 1)),
            _ => None,
        };
        match op {
            Some((op, width)) => {
                self.at += width;
                self.skip_spaces();
                let right = self.operand()?;
                Ok(Filter::Compare(left, op, right))
            }
            None => match left {
                Operand::Current(segments) => Ok(Filter::Exists(segments)),
                Operand::Literal(_) => Err(self.error("a filter needs `@` or a comparison")),
            },
        }
    }

    fn operand(&mut self) -> ParseResult<Operand> {
        self.skip_spaces();
        match self.peek() {
            Some('@') => {
                self.at += 1;
                Ok(Operand::Current(self.segments(true)?))
            }
            Some('\'' | '"') => Ok(Operand::Literal(Value::String(self.quoted()?))),
            Some(c) if c == '-' || c.is_ascii_digit() => scan_number(&self.chars, &mut self.at)
                .map(|n| Operand::Literal(Value::Number(n)))
                .ok_or_else(|| self.error("invalid number")),
            _ => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.chars[self.at..].starts_with(&word.chars().collect::<Vec<_>>()) {
                        self.at += word.len();
                        return Ok(Operand::Literal(value));
                    }
                }
                Err(self.error("expected `@`, a string, a number, true, false or null"))
            }
        }
    }
}

/// Reads the number that starts at `chars[*at]` (a `-` or a digit) and moves `*at` past
/// it; `None` when the characters taken are not a JSON number. Paths' filters and
/// intrinsic functions' arguments write numbers the same way.
pub(crate) fn scan_number(chars: &[char], at: &mut usize) -> Option<serde_json::Number> {
    let start = *at;
    *at += 1;
    while chars
        .get(*at)
        .is_some_and(|c| c.is_ascii_digit() || ".eE+-".contains(*c))
    {
        *at += 1;
    }
    let text: String = chars[start..*at].iter().collect();
    serde_json::from_str(&text).ok()
}

/// Whether `name` can name a variable: a letter or `_`, then letters, digits or `_`.
pub(crate) fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

impl Path {
    /// Parses a path.
    pub(crate) fn parse(text: &str) -> Result<Path, String> {
        let mut p = Parser::new(text);
        if !p.eat('$') {
            return Err(format!("invalid path `{text}`: a path starts with `$`"));
        }
        let root = if p.eat('$') {
            Root::Context
        } else if p.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
            let start = p.at;
            while p.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                p.at += 1;
            }
            Root::Variable(p.chars[start..p.at].iter().collect())
        } else {
            Root::Input
        };
        let segments = p.segments(false)?;
        if p.at != p.chars.len() {
            return Err(p.error("unexpected character"));
        }
        Ok(Path {
            root,
            segments,
            source: text.to_owned(),
        })
    }

    /// Parses a reference path: definite, over the input (`ResultPath`).
    pub(crate) fn parse_reference(text: &str) -> Result<Path, String> {
        let path = Path::parse(text)?;
        if path.root != Root::Input || !path.is_definite() {
            return Err(format!(
                "invalid reference path `{text}`: only `$`, `.name`, `['name']` and `[n]` are allowed"
            ));
        }
        Ok(path)
    }

    /// The text it was parsed from.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    fn is_definite(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Name(_) | Segment::Index(_)))
    }

    /// Applies the path's segments to `root` (already chosen by the caller from [`Root`]).
    pub(crate) fn select(&self, root: &Value) -> Selection {
        if self.is_definite() {
            let mut current = root;
            for segment in &self.segments {
                let next = match (segment, current) {
                    (Segment::Name(n), Value::Object(map)) => map.get(n),
                    (Segment::Index(i), Value::Array(items)) => index(items, *i),
                    _ => None,
                };
                match next {
                    Some(v) => current = v,
                    None => return Selection::One(None),
                }
            }
            return Selection::One(Some(current.clone()));
        }
        let mut matches = vec![root];
        for segment in &self.segments {
            let mut next = Vec::new();
            for value in matches {
                apply(segment, value, &mut next);
            }
            matches = next;
        }
        Selection::Many(matches.into_iter().cloned().collect())
    }

    /// The selected value: a definite path's value, or an indefinite path's list.
    pub(crate) fn get(&self, root: &Value) -> Option<Value> {
        match self.select(root) {
            Selection::One(v) => v,
            Selection::Many(list) => Some(Value::Array(list)),
        }
    }

    /// Writes `value` at this reference path inside `target`, creating missing objects on
    /// the way; `Err` when the path runs into something that is not an object (or an array
    /// without that index).
    pub(crate) fn set(&self, target: &mut Value, value: Value) -> Result<(), String> {
        let mut current = target;
        for segment in &self.segments {
            current = match segment {
                Segment::Name(n) => {
                    if current.is_null() {
                        *current = Value::Object(Map::new());
                    }
                    match current {
                        Value::Object(map) => map.entry(n.clone()).or_insert(Value::Null),
                        _ => {
                            return Err(format!(
                                "unable to apply ResultPath `{}`: `{n}` is inside a value that is not an object",
                                self.source
                            ));
                        }
                    }
                }
                Segment::Index(i) => {
                    let len = current.as_array().map(Vec::len).unwrap_or(0);
                    let at = if *i < 0 { len as i64 + i } else { *i };
                    match current {
                        Value::Array(items) if at >= 0 && (at as usize) < len => {
                            &mut items[at as usize]
                        }
                        _ => {
                            return Err(format!(
                                "unable to apply ResultPath `{}`: no array element {i}",
                                self.source
                            ));
                        }
                    }
                }
                _ => return Err(format!("`{}` is not a reference path", self.source)),
            };
        }
        *current = value;
        Ok(())
    }
}

fn index(items: &[Value], i: i64) -> Option<&Value> {
    let at = if i < 0 { items.len() as i64 + i } else { i };
    usize::try_from(at).ok().and_then(|at| items.get(at))
}

fn apply<'v>(segment: &Segment, value: &'v Value, out: &mut Vec<&'v Value>) {
    match segment {
        Segment::Name(n) => out.extend(value.as_object().and_then(|m| m.get(n))),
        Segment::Index(i) => out.extend(value.as_array().and_then(|a| index(a, *i))),
        Segment::Names(names) => {
            if let Value::Object(map) = value {
                out.extend(names.iter().filter_map(|n| map.get(n)));
            }
        }
        Segment::Indexes(indexes) => {
            if let Value::Array(items) = value {
                out.extend(indexes.iter().filter_map(|i| index(items, *i)));
            }
        }
        Segment::Wildcard => match value {
            Value::Object(map) => out.extend(map.values()),
            Value::Array(items) => out.extend(items.iter()),
            _ => {}
        },
        Segment::Slice(start, end, step) => {
            if let Value::Array(items) = value {
                let len = items.len() as i64;
                let clamp = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
                let step = step.unwrap_or(1);
                if step > 0 {
                    let mut i = clamp(start.unwrap_or(0));
                    let end = clamp(end.unwrap_or(len));
                    while i < end {
                        out.push(&items[i as usize]);
                        i += step;
                    }
                } else {
                    let mut i = start.map_or(len - 1, |s| clamp(s).min(len - 1));
                    let end = end.map_or(-1, clamp);
                    while i > end && i >= 0 {
                        out.push(&items[i as usize]);
                        i += step;
                    }
                }
            }
        }
        Segment::Descend(inner) => descend(inner, value, out),
        Segment::Filter(filter) => match value {
            Value::Array(items) => out.extend(items.iter().filter(|v| test(filter, v))),
            Value::Object(map) => out.extend(map.values().filter(|v| test(filter, v))),
            _ => {}
        },
    }
}

fn descend<'v>(inner: &Segment, value: &'v Value, out: &mut Vec<&'v Value>) {
    apply(inner, value, out);
    match value {
        Value::Object(map) => map.values().for_each(|v| descend(inner, v, out)),
        Value::Array(items) => items.iter().for_each(|v| descend(inner, v, out)),
        _ => {}
    }
}

fn resolve<'v>(segments: &[Segment], value: &'v Value) -> Option<&'v Value> {
    let mut matches = vec![value];
    for segment in segments {
        let mut next = Vec::new();
        for v in matches {
            apply(segment, v, &mut next);
        }
        matches = next;
    }
    matches.into_iter().next()
}

fn operand<'v>(operand: &'v Operand, current: &'v Value) -> Option<&'v Value> {
    match operand {
        Operand::Current(segments) => resolve(segments, current),
        Operand::Literal(v) => Some(v),
    }
}

fn test(filter: &Filter, current: &Value) -> bool {
    match filter {
        Filter::Or(parts) => parts.iter().any(|f| test(f, current)),
        Filter::And(parts) => parts.iter().all(|f| test(f, current)),
        Filter::Not(inner) => !test(inner, current),
        Filter::Exists(segments) => resolve(segments, current).is_some(),
        Filter::Compare(left, op, right) => {
            let (Some(l), Some(r)) = (operand(left, current), operand(right, current)) else {
                return false;
            };
            let ordering = match (l, r) {
                (Value::Number(a), Value::Number(b)) => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(a, b)| a.partial_cmp(&b)),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            match op {
                CompareOp::Eq => ordering.map_or(l == r, |o| o.is_eq()),
                CompareOp::Ne => ordering.map_or(l != r, |o| o.is_ne()),
                CompareOp::Lt => ordering.is_some_and(|o| o.is_lt()),
                CompareOp::Le => ordering.is_some_and(|o| o.is_le()),
                CompareOp::Gt => ordering.is_some_and(|o| o.is_gt()),
                CompareOp::Ge => ordering.is_some_and(|o| o.is_ge()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn get(path: &str, doc: &Value) -> Option<Value> {
        Path::parse(path).ok()?.get(doc)
    }

    #[test]
    fn definite_paths_select_one_value() {
        let doc = json!({"a": {"b": [10, 20, {"c d": 3}]}});
        assert_eq!(get("$", &doc), Some(doc.clone()));
        assert_eq!(get("$.a.b[1]", &doc), Some(json!(20)));
        assert_eq!(get("$.a.b[-1]['c d']", &doc), Some(json!(3)));
        assert_eq!(get("$.a.x", &doc), None);
    }

    #[test]
    fn indefinite_paths_select_lists() {
        let doc = json!({"items": [{"p": 5, "n": "a"}, {"p": 15, "n": "b"}, {"n": "c"}]});
        assert_eq!(get("$.items[*].n", &doc), Some(json!(["a", "b", "c"])));
        assert_eq!(get("$.items[?(@.p > 10)].n", &doc), Some(json!(["b"])));
        assert_eq!(get("$.items[?(@.p)].n", &doc), Some(json!(["a", "b"])));
        assert_eq!(get("$.items[0:2].n", &doc), Some(json!(["a", "b"])));
        assert_eq!(get("$..n", &doc), Some(json!(["a", "b", "c"])));
        assert_eq!(
            get("$.items[?(@.n == 'c' || @.p < 6)].n", &doc),
            Some(json!(["a", "c"]))
        );
        assert_eq!(get("$.nothing[*]", &doc), Some(json!([])));
    }

    #[test]
    fn roots_are_input_context_or_variable() {
        assert_eq!(
            Path::parse("$$.Execution.Id").map(|p| p.root),
            Ok(Root::Context)
        );
        assert_eq!(
            Path::parse("$myVar.x").map(|p| p.root),
            Ok(Root::Variable("myVar".into()))
        );
        assert!(Path::parse("a.b").is_err());
        assert!(Path::parse("$.a[").is_err());
        assert!(Path::parse("$.a[?(").is_err());
        assert!(Path::parse_reference("$.a[*]").is_err());
        let deep = format!("$[?({}@.a{})]", "(".repeat(100_000), ")".repeat(100_000));
        assert!(Path::parse(&deep).is_err());
        let nested = format!("$.a{}", "[?(@.b".repeat(50_000));
        assert!(Path::parse(&nested).is_err());
    }

    #[test]
    fn set_creates_nested_objects_and_refuses_non_objects() {
        let mut doc = json!({"a": "text"});
        let path = Path::parse_reference("$.x.y.z");
        assert!(path.is_ok());
        if let Ok(path) = path {
            assert!(path.set(&mut doc, json!(1)).is_ok());
        }
        assert_eq!(doc, json!({"a": "text", "x": {"y": {"z": 1}}}));
        if let Ok(path) = Path::parse_reference("$.a.b") {
            assert!(path.set(&mut doc, json!(1)).is_err());
        }
    }
}
