//! The tokenizer: turns an expression into tokens with their character offsets.
//!
//! It exists apart from the parser because JSONata's lexical rules (backtick names,
//! `/regex/flags` versus division, `..` versus a decimal point, comments) are easier to get
//! right in one place. Whether `/` starts a regex depends on the token before it.

use crate::JsonataError;
use crate::error::Result;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A field name (plain or in backticks).
    Name(String),
    /// A `$variable` (`""` for `$`, `"$"` for `$$`).
    Var(String),
    Str(String),
    Num(f64),
    /// A regex literal: pattern and flags.
    Regex(String, String),
    /// An operator or punctuation, including the keyword operators `and`, `or`, `in`.
    Op(&'static str),
    End,
}

/// A token and where it starts (character offset).
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: usize,
}

const OPERATORS: [&str; 34] = [
    "..", ":=", "!=", "<=", ">=", "~>", "**", "?:", "??", ".", "[", "]", "{", "}", "(", ")", ",",
    "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!",
];

/// Characters that end a name.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || ".[]{}()=<>!?*+-/%&|~^:;,@#$\"'`".contains(c)
}

/// Splits `source` into tokens, ending with [`Tok::End`].
pub(crate) fn tokenize(source: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let start = i;
            i += 2;
            loop {
                if i + 1 >= chars.len() {
                    return Err(JsonataError::new(
                        "S0106",
                        Some(start),
                        "comment has no closing tag",
                    ));
                }
                if chars[i] == '*' && chars[i + 1] == '/' {
                    i += 2;
                    break;
                }
                i += 1;
            }
            continue;
        }
        let start = i;
        if c == '/' && regex_allowed(tokens.last()) {
            let (tok, next) = regex_literal(&chars, i)?;
            tokens.push(Token { tok, pos: start });
            i = next;
            continue;
        }
        if c == '"' || c == '\'' {
            let (text, next) = string_literal(&chars, i)?;
            tokens.push(Token {
                tok: Tok::Str(text),
                pos: start,
            });
            i = next;
            continue;
        }
        if c == '`' {
            let end = chars[i + 1..].iter().position(|&ch| ch == '`');
            let Some(end) = end else {
                return Err(JsonataError::new(
                    "S0105",
                    Some(start),
                    "quoted property name must be terminated with a backquote (`)",
                ));
            };
            let name: String = chars[i + 1..i + 1 + end].iter().collect();
            tokens.push(Token {
                tok: Tok::Name(name),
                pos: start,
            });
            i += end + 2;
            continue;
        }
        if c.is_ascii_digit() {
            let (n, next) = number_literal(&chars, i)?;
            tokens.push(Token {
                tok: Tok::Num(n),
                pos: start,
            });
            i = next;
            continue;
        }
        if c == '$' {
            let mut j = i + 1;
            while j < chars.len() && !is_delimiter(chars[j]) {
                j += 1;
            }
            if j == i + 1 && chars.get(j) == Some(&'$') {
                tokens.push(Token {
                    tok: Tok::Var("$".into()),
                    pos: start,
                });
                i = j + 1;
                continue;
            }
            tokens.push(Token {
                tok: Tok::Var(chars[i + 1..j].iter().collect()),
                pos: start,
            });
            i = j;
            continue;
        }
        if let Some(op) = OPERATORS.iter().find(|op| starts_with(&chars, i, op)) {
            tokens.push(Token {
                tok: Tok::Op(op),
                pos: start,
            });
            i += op.chars().count();
            continue;
        }
        if c == '~' {
            return Err(JsonataError::new(
                "S0204",
                Some(start),
                "unknown operator: ~",
            ));
        }
        let mut j = i;
        while j < chars.len() && !is_delimiter(chars[j]) {
            j += 1;
        }
        let word: String = chars[i..j].iter().collect();
        let tok = match word.as_str() {
            "and" => Tok::Op("and"),
            "or" => Tok::Op("or"),
            "in" => Tok::Op("in"),
            _ => Tok::Name(word),
        };
        tokens.push(Token { tok, pos: start });
        i = j;
    }
    tokens.push(Token {
        tok: Tok::End,
        pos: chars.len(),
    });
    Ok(tokens)
}

fn starts_with(chars: &[char], at: usize, text: &str) -> bool {
    text.chars()
        .enumerate()
        .all(|(k, c)| chars.get(at + k) == Some(&c))
}

/// A `/` is a regex when it cannot be division: nothing before it yields a value.
fn regex_allowed(previous: Option<&Token>) -> bool {
    match previous.map(|t| &t.tok) {
        None => true,
        Some(Tok::Name(_) | Tok::Var(_) | Tok::Str(_) | Tok::Num(_) | Tok::Regex(..)) => false,
        Some(Tok::Op(op)) => !matches!(*op, ")" | "]" | "}"),
        Some(Tok::End) => false,
    }
}

fn regex_literal(chars: &[char], start: usize) -> Result<(Tok, usize)> {
    let mut i = start + 1;
    let mut depth = 0i32;
    let mut pattern = String::new();
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(JsonataError::new(
                "S0302",
                Some(start),
                "no terminating / in regular expression",
            ));
        };
        if c == '/' && depth == 0 {
            break;
        }
        if c == '\\' {
            pattern.push(c);
            i += 1;
            if let Some(&next) = chars.get(i) {
                pattern.push(next);
                i += 1;
            }
            continue;
        }
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            _ => {}
        }
        pattern.push(c);
        i += 1;
    }
    if pattern.is_empty() {
        return Err(JsonataError::new(
            "S0301",
            Some(start),
            "empty regular expressions are not allowed",
        ));
    }
    i += 1;
    let mut flags = String::new();
    while let Some(&c) = chars.get(i) {
        if c == 'i' || c == 'm' {
            flags.push(c);
            i += 1;
        } else if c.is_ascii_alphanumeric() {
            return Err(JsonataError::new(
                "S0302",
                Some(start),
                "invalid regular expression flag",
            ));
        } else {
            break;
        }
    }
    Ok((Tok::Regex(pattern, flags), i))
}

fn string_literal(chars: &[char], start: usize) -> Result<(String, usize)> {
    let quote = chars[start];
    let mut i = start + 1;
    let mut out = String::new();
    let mut pending_high: Option<u32> = None;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(JsonataError::new(
                "S0101",
                Some(start),
                "string literal must be terminated by a matching quote",
            ));
        };
        if c == quote {
            if pending_high.is_some() {
                out.push('\u{FFFD}');
            }
            return Ok((out, i + 1));
        }
        if c != '\\' {
            if pending_high.take().is_some() {
                out.push('\u{FFFD}');
            }
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&escape) = chars.get(i + 1) else {
            return Err(JsonataError::new(
                "S0101",
                Some(start),
                "string literal must be terminated by a matching quote",
            ));
        };
        i += 2;
        let simple = match escape {
            '"' => Some('"'),
            '\\' => Some('\\'),
            '/' => Some('/'),
            '\'' => Some('\''),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'u' => None,
            other => {
                return Err(JsonataError::new(
                    "S0103",
                    Some(i - 1),
                    format!("unsupported escape sequence: \\{other}"),
                ));
            }
        };
        if let Some(ch) = simple {
            if pending_high.take().is_some() {
                out.push('\u{FFFD}');
            }
            out.push(ch);
            continue;
        }
        let hex: String = chars
            .get(i..i + 4)
            .map(|h| h.iter().collect())
            .unwrap_or_default();
        let Some(unit) = (hex.len() == 4)
            .then(|| u32::from_str_radix(&hex, 16).ok())
            .flatten()
        else {
            return Err(JsonataError::new(
                "S0104",
                Some(i),
                "the escape sequence \\u must be followed by 4 hex digits",
            ));
        };
        i += 4;
        // \uD83D\uDE00: JSON strings spell characters beyond the BMP as surrogate pairs.
        if (0xD800..0xDC00).contains(&unit) {
            if pending_high.replace(unit).is_some() {
                out.push('\u{FFFD}');
            }
        } else if (0xDC00..0xE000).contains(&unit) {
            match pending_high.take() {
                Some(high) => {
                    let code = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                None => out.push('\u{FFFD}'),
            }
        } else {
            if pending_high.take().is_some() {
                out.push('\u{FFFD}');
            }
            out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
        }
    }
}

fn number_literal(chars: &[char], start: usize) -> Result<(f64, usize)> {
    let mut i = start;
    let digits = |i: &mut usize| {
        while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
    };
    digits(&mut i);
    // `1..5` is a range: a `.` is a decimal point only when a digit follows.
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
        digits(&mut i);
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        if chars.get(j).is_some_and(|c| c.is_ascii_digit()) {
            i = j;
            digits(&mut i);
        }
    }
    let text: String = chars[start..i].iter().collect();
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok((n, i)),
        _ => Err(JsonataError::new(
            "S0102",
            Some(start),
            format!("number out of range: {text}"),
        )),
    }
}
