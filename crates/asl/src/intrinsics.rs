//! The `States.*` intrinsic functions of JSONPath states: a parser for calls such as
//! `States.Format('{} {}', $.a, States.ArrayLength($.b))` and their evaluation.
//!
//! Each function follows the developer guide's "Intrinsic functions" page: argument types,
//! limits and results. A call with arguments of the wrong kind fails with
//! `States.IntrinsicFailure`; a path argument that selects nothing fails with
//! `States.Runtime`, as any other missing path does.

use serde_json::{Map, Value};

use crate::digest;
use crate::errors::Failure;
use crate::jsonpath::{Path, scan_number};
use crate::payload::Sources;
use crate::random::Rng;

/// A parsed intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    function: Function,
    args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    Literal(Value),
    /// A string literal: its value, and its text with escapes kept, which
    /// `States.Format` needs to tell `\{` from a placeholder.
    Str {
        value: String,
        raw: String,
    },
    Path(Path),
    Call(Box<Call>),
}

macro_rules! functions {
    ($($variant:ident = $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq)]
        enum Function { $($variant,)* }
        impl Function {
            fn from_name(name: &str) -> Option<Function> {
                match name { $($name => Some(Function::$variant),)* _ => None }
            }
            fn name(self) -> &'static str {
                match self { $(Function::$variant => $name,)* }
            }
        }
    };
}

functions! {
    Format = "States.Format",
    StringToJson = "States.StringToJson",
    JsonToString = "States.JsonToString",
    Array = "States.Array",
    ArrayPartition = "States.ArrayPartition",
    ArrayContains = "States.ArrayContains",
    ArrayRange = "States.ArrayRange",
    ArrayGetItem = "States.ArrayGetItem",
    ArrayLength = "States.ArrayLength",
    ArrayUnique = "States.ArrayUnique",
    Base64Encode = "States.Base64Encode",
    Base64Decode = "States.Base64Decode",
    Hash = "States.Hash",
    JsonMerge = "States.JsonMerge",
    MathRandom = "States.MathRandom",
    MathAdd = "States.MathAdd",
    StringSplit = "States.StringSplit",
    Uuid = "States.UUID",
}

/// Whether a `"key.$"` value is an intrinsic call rather than a path.
pub(crate) fn looks_like_call(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

struct Parser<'a> {
    chars: Vec<char>,
    at: usize,
    text: &'a str,
    depth: usize,
}

/// The guide allows at most 10 nested intrinsic functions in one field.
const MAX_NESTING: usize = 10;

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!(
            "invalid intrinsic function `{}`: {what} at character {}",
            self.text, self.at
        )
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn call(&mut self) -> Result<Call, String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error("more than 10 nested functions"));
        }
        self.spaces();
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '.') {
            self.at += 1;
        }
        let name: String = self.chars[start..self.at].iter().collect();
        let function = Function::from_name(&name)
            .ok_or_else(|| self.error(&format!("unknown function `{name}`")))?;
        self.spaces();
        if self.peek() != Some('(') {
            return Err(self.error("expected `(`"));
        }
        self.at += 1;
        let mut args = Vec::new();
        self.spaces();
        if self.peek() == Some(')') {
            self.at += 1;
        } else {
            loop {
                args.push(self.arg()?);
                self.spaces();
                match self.peek() {
                    Some(',') => self.at += 1,
                    Some(')') => {
                        self.at += 1;
                        break;
                    }
                    _ => return Err(self.error("expected `,` or `)`")),
                }
            }
        }
        self.depth -= 1;
        Ok(Call { function, args })
    }

    fn arg(&mut self) -> Result<Arg, String> {
        self.spaces();
        match self.peek() {
            Some('\'') => {
                self.at += 1;
                let mut value = String::new();
                let mut raw = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("unterminated string")),
                        Some('\\') => {
                            let escaped = self
                                .chars
                                .get(self.at + 1)
                                .copied()
                                .ok_or_else(|| self.error("unterminated escape"))?;
                            value.push(escaped);
                            raw.push('\\');
                            raw.push(escaped);
                            self.at += 2;
                        }
                        Some('\'') => {
                            self.at += 1;
                            return Ok(Arg::Str { value, raw });
                        }
                        Some(c) => {
                            value.push(c);
                            raw.push(c);
                            self.at += 1;
                        }
                    }
                }
            }
            Some('$') => {
                let start = self.at;
                let mut depth = 0i32;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '[' | '(') => depth += 1,
                        (None, ']') => depth -= 1,
                        (None, ')') if depth == 0 => break,
                        (None, ')') => depth -= 1,
                        (None, ',') if depth == 0 => break,
                        _ => {}
                    }
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().collect();
                Path::parse(text.trim()).map(Arg::Path)
            }
            Some(c) if c == '-' || c.is_ascii_digit() => scan_number(&self.chars, &mut self.at)
                .map(|n| Arg::Literal(Value::Number(n)))
                .ok_or_else(|| self.error("invalid number")),
            Some(c) if c.is_alphabetic() => {
                let rest: String = self.chars[self.at..].iter().collect();
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if rest.starts_with(word)
                        && !rest[word.len()..].starts_with(|c: char| c.is_alphanumeric())
                    {
                        self.at += word.len();
                        return Ok(Arg::Literal(value));
                    }
                }
                self.call().map(|c| Arg::Call(Box::new(c)))
            }
            _ => Err(self.error("expected an argument")),
        }
    }
}

impl Call {
    /// Parses one call; the whole text must be the call.
    pub(crate) fn parse(text: &str) -> Result<Call, String> {
        let mut p = Parser {
            chars: text.chars().collect(),
            at: 0,
            text,
            depth: 0,
        };
        let call = p.call()?;
        p.spaces();
        if p.at != p.chars.len() {
            return Err(p.error("unexpected text after the call"));
        }
        Ok(call)
    }

    /// Evaluates the call.
    pub(crate) fn evaluate(&self, sources: &Sources<'_>, rng: &mut Rng) -> Result<Value, Failure> {
        let mut args = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            args.push(match arg {
                Arg::Literal(v) => v.clone(),
                Arg::Str { value, .. } => Value::String(value.clone()),
                Arg::Path(path) => sources.resolve(path)?,
                Arg::Call(call) => call.evaluate(sources, rng)?,
            });
        }
        let name = self.function.name();
        let fail = |why: &str| Failure::intrinsic(format!("{name}: {why}"));
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(fail(&format!("expects {n} arguments, got {}", args.len())))
            }
        };
        let int = |v: &Value, what: &str| -> Result<i64, Failure> {
            v.as_i64()
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .ok_or_else(|| fail(&format!("{what} must be an integer")))
        };
        let string = |v: &Value, what: &str| -> Result<String, Failure> {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| fail(&format!("{what} must be a string")))
        };
        let array = |v: &Value, what: &str| -> Result<Vec<Value>, Failure> {
            v.as_array()
                .cloned()
                .ok_or_else(|| fail(&format!("{what} must be an array")))
        };
        Ok(match self.function {
            Function::Format => {
                let Some(first) = args.first() else {
                    return Err(fail("expects a format string"));
                };
                // A literal keeps its escapes so `\{` stays a brace; a template from a path has
                // no escapes to honour.
                let template = match self.args.first() {
                    Some(Arg::Str { raw, .. }) => raw.clone(),
                    _ => string(first, "the format string")?.replace('\\', "\\\\"),
                };
                format(&template, &args[1..]).map_err(|why| fail(&why))?
            }
            Function::StringToJson => {
                arity(1)?;
                let text = string(&args[0], "the argument")?;
                serde_json::from_str(&text).map_err(|e| fail(&format!("invalid JSON: {e}")))?
            }
            Function::JsonToString => {
                arity(1)?;
                Value::String(args[0].to_string())
            }
            Function::Array => Value::Array(args),
            Function::ArrayPartition => {
                arity(2)?;
                let items = array(&args[0], "the first argument")?;
                let size = int(&args[1], "the chunk size")?;
                if size <= 0 {
                    return Err(fail("the chunk size must be greater than 0"));
                }
                Value::Array(
                    items
                        .chunks(usize::try_from(size).unwrap_or(usize::MAX))
                        .map(|c| Value::Array(c.to_vec()))
                        .collect(),
                )
            }
            Function::ArrayContains => {
                arity(2)?;
                let items = array(&args[0], "the first argument")?;
                Value::Bool(items.iter().any(|v| json_equal(v, &args[1])))
            }
            Function::ArrayRange => {
                arity(3)?;
                let start = int(&args[0], "the start")?;
                let end = int(&args[1], "the end")?;
                let step = int(&args[2], "the step")?;
                if step == 0 {
                    return Err(fail("the step cannot be 0"));
                }
                let mut out = Vec::new();
                let mut i = start;
                while (step > 0 && i <= end) || (step < 0 && i >= end) {
                    if out.len() == 1000 {
                        return Err(fail("the range has more than 1000 items"));
                    }
                    out.push(Value::from(i));
                    i = match i.checked_add(step) {
                        Some(next) => next,
                        None => break,
                    };
                }
                Value::Array(out)
            }
            Function::ArrayGetItem => {
                arity(2)?;
                let items = array(&args[0], "the first argument")?;
                let at = int(&args[1], "the index")?;
                usize::try_from(at)
                    .ok()
                    .and_then(|at| items.get(at).cloned())
                    .ok_or_else(|| fail(&format!("index {at} is out of bounds")))?
            }
            Function::ArrayLength => {
                arity(1)?;
                Value::from(array(&args[0], "the argument")?.len())
            }
            Function::ArrayUnique => {
                arity(1)?;
                let mut out: Vec<Value> = Vec::new();
                for v in array(&args[0], "the argument")? {
                    if !out.iter().any(|seen| json_equal(seen, &v)) {
                        out.push(v);
                    }
                }
                Value::Array(out)
            }
            Function::Base64Encode => {
                arity(1)?;
                let text = string(&args[0], "the argument")?;
                if text.chars().count() > 10_000 {
                    return Err(fail("the input is longer than 10000 characters"));
                }
                Value::String(digest::base64_encode(text.as_bytes()))
            }
            Function::Base64Decode => {
                arity(1)?;
                let text = string(&args[0], "the argument")?;
                if text.chars().count() > 10_000 {
                    return Err(fail("the input is longer than 10000 characters"));
                }
                let bytes = digest::base64_decode(&text).ok_or_else(|| fail("not valid Base64"))?;
                Value::String(
                    String::from_utf8(bytes).map_err(|_| fail("the decoded data is not UTF-8"))?,
                )
            }
            Function::Hash => {
                arity(2)?;
                let data = match &args[0] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if data.chars().count() > 10_000 {
                    return Err(fail("the input is longer than 10000 characters"));
                }
                let algorithm = string(&args[1], "the algorithm")?;
                Value::String(digest::hex_digest(data.as_bytes(), &algorithm).ok_or_else(|| {
                    fail(&format!(
                        "unsupported algorithm `{algorithm}` (MD5, SHA-1, SHA-256, SHA-384, SHA-512)"
                    ))
                })?)
            }
            Function::JsonMerge => {
                arity(3)?;
                let (Value::Object(left), Value::Object(right)) = (&args[0], &args[1]) else {
                    return Err(fail("the first two arguments must be objects"));
                };
                if args[2] != Value::Bool(false) {
                    return Err(fail("only a shallow merge (false) is supported"));
                }
                let mut merged: Map<String, Value> = left.clone();
                for (k, v) in right {
                    merged.insert(k.clone(), v.clone());
                }
                Value::Object(merged)
            }
            Function::MathRandom => {
                if args.len() != 2 && args.len() != 3 {
                    return Err(fail("expects 2 or 3 arguments"));
                }
                let start = int(&args[0], "the start")?;
                let end = int(&args[1], "the end")?;
                if end <= start {
                    return Err(fail("the end must be greater than the start"));
                }
                let mut seeded;
                let source = match args.get(2) {
                    Some(seed) => {
                        seeded = Rng::from_seed(int(seed, "the seed")? as u64);
                        &mut seeded
                    }
                    None => rng,
                };
                let span = (end as i128 - start as i128) as u128;
                let offset = (u128::from(source.next_u64()) % span) as i128;
                Value::from((start as i128 + offset) as i64)
            }
            Function::MathAdd => {
                arity(2)?;
                let a = int(&args[0], "the first argument")?;
                let b = int(&args[1], "the second argument")?;
                Value::from(
                    a.checked_add(b)
                        .ok_or_else(|| fail("the sum is out of range"))?,
                )
            }
            Function::StringSplit => {
                arity(2)?;
                let text = string(&args[0], "the first argument")?;
                let delimiters = string(&args[1], "the delimiter")?;
                Value::Array(
                    text.split(|c| delimiters.contains(c))
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_owned()))
                        .collect(),
                )
            }
            Function::Uuid => {
                arity(0)?;
                Value::String(rng.uuid())
            }
        })
    }
}

/// JSON equality where `1` and `1.0` are the same number.
pub(crate) fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Fills `{}` placeholders; `\{`, `\}` and `\\` in the template are literal characters.
fn format(template: &str, args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let arg = args.get(next).ok_or_else(|| {
                    format!(
                        "the format string has more placeholders than the {} arguments",
                        args.len()
                    )
                })?;
                match arg {
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                next += 1;
            }
            c => out.push(c),
        }
    }
    if next != args.len() {
        return Err(format!(
            "the format string has {next} placeholders but {} arguments were given",
            args.len()
        ));
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(text: &str, input: Value) -> Result<Value, Failure> {
        let call = Call::parse(text).map_err(Failure::intrinsic)?;
        Sources::with(&input, &json!({}), |sources| {
            call.evaluate(sources, &mut Rng::from_seed(7))
        })
    }

    #[test]
    fn format_fills_placeholders_and_keeps_escaped_braces() {
        assert_eq!(
            eval(
                "States.Format('Hello, my name is {}.', $.name)",
                json!({"name": "Arnav"})
            ),
            Ok(json!("Hello, my name is Arnav."))
        );
        assert_eq!(
            eval(r"States.Format('\{{}\}', 'x')", json!({})),
            Ok(json!("{x}"))
        );
        assert_eq!(
            eval("States.Format('{} {}', 'a')", json!({})).map_err(|f| f.error),
            Err("States.IntrinsicFailure".to_owned())
        );
    }

    #[test]
    fn nested_calls_and_literals_evaluate_inside_out() {
        assert_eq!(
            eval(
                "States.ArrayLength(States.Array(1, 'two', true, null))",
                json!({})
            ),
            Ok(json!(4))
        );
        assert_eq!(
            eval(
                "States.MathAdd(States.ArrayGetItem($.a, 1), -1)",
                json!({"a": [5, 9]})
            ),
            Ok(json!(8))
        );
    }

    #[test]
    fn parse_errors_name_the_problem() {
        assert!(Call::parse("States.Nope()").is_err());
        assert!(Call::parse("States.Array(1,").is_err());
        assert!(Call::parse("States.Array('x)").is_err());
        assert!(Call::parse("States.Array(1) trailing").is_err());
        let deep = format!("{}1{}", "States.Array(".repeat(11), ")".repeat(11));
        assert!(Call::parse(&deep).is_err());
    }

    #[test]
    fn missing_path_arguments_are_runtime_errors() {
        assert_eq!(
            eval("States.Array($.missing)", json!({})).map_err(|f| f.error),
            Err("States.Runtime".to_owned())
        );
    }

    #[test]
    fn math_random_is_deterministic_and_in_range() {
        let a = eval("States.MathRandom(1, 999)", json!({}));
        assert_eq!(a, eval("States.MathRandom(1, 999)", json!({})));
        let n = a.ok().and_then(|v| v.as_i64()).unwrap_or(0);
        assert!((1..999).contains(&n));
    }
}
