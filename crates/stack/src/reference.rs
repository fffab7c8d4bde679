//! References inside strings: `${Name}`, `${Name.attribute}`, `${AWS::Region}`, another
//! stack's `${Stack::Name.attribute}`, and an environment's `${value:name}`.
//!
//! The grammar follows CloudFormation's `Fn::Sub`, so a stack file reads like the template
//! it becomes: `${!` is the escape for a literal `${` (so `${!Literal}` means the text
//! `${Literal}`), and a `$` not followed by `{` is plain text. This module only checks the
//! shape of a reference; whether `Name` is a construct or parameter, and whether the
//! attribute exists, is the orchestrator's business because only it knows the plugins.
//! A value is no reference at all: it is replaced by the environment's setting before
//! synthesis ([`crate::bind_values`]), so it never reaches a template.

use std::fmt;

/// The pseudo parameters CloudFormation defines; they take no attribute. The template crate
/// owns the list, because it checks every `Ref` in the merged template against it too.
pub use stackweave_template::PSEUDO_PARAMETERS;

/// A reference to a construct, a parameter, or a pseudo parameter; or to a construct or
/// output of another stack of the app.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    /// The other stack of the app it reaches into (`Observability` in
    /// `${Observability::Logs.arn}`); `None` for this stack.
    pub stack: Option<String>,
    /// The construct id, parameter name, or pseudo parameter (`AWS::Region`); in another
    /// stack, a construct id or output name.
    pub target: String,
    /// The attribute after the first `.`, if any (`url` in `${Api.url}`).
    pub attribute: Option<String>,
}

impl Reference {
    /// Whether the target is a pseudo parameter such as `AWS::Region`.
    pub fn is_pseudo(&self) -> bool {
        self.target.starts_with("AWS::")
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(stack) = &self.stack {
            return match &self.attribute {
                Some(attribute) => write!(f, "${{{stack}::{}.{attribute}}}", self.target),
                None => write!(f, "${{{stack}::{}}}", self.target),
            };
        }
        match &self.attribute {
            Some(attribute) => write!(f, "${{{}.{attribute}}}", self.target),
            None => write!(f, "${{{}}}", self.target),
        }
    }
}

/// One piece of a string: literal text or a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text as meant, escapes already applied: `${!x}` in the file is `${x}` here. Write
    /// it back into `Fn::Sub` with [`escape_sub_literal`].
    Literal(String),
    /// A reference.
    Ref(Reference),
    /// `${value:name}`: a setting of the environment the app is synthesised for.
    Value(String),
}

/// A YAML string, split at its references. Adjacent literals are merged, and an empty
/// string has no parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    /// The pieces in order.
    pub parts: Vec<Part>,
}

impl Text {
    /// Parses a string; the error says what is wrong and what to write instead.
    pub fn parse(text: &str) -> Result<Text, TextError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(dollar) = rest.find("${") {
            literal.push_str(&rest[..dollar]);
            let after = &rest[dollar + 2..];
            if let Some(escaped) = after.strip_prefix('!') {
                literal.push_str("${");
                rest = escaped;
                continue;
            }
            let Some(close) = after.find('}') else {
                return Err(TextError::Unterminated {
                    text: rest[dollar..].to_owned(),
                });
            };
            let part = parse_reference(&after[..close])?;
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
            rest = &after[close + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Text { parts })
    }

    /// The string as written in the stack file (references unexpanded, escapes restored).
    pub fn written(&self) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Literal(text) => escape_sub_literal(text),
                Part::Ref(reference) => reference.to_string(),
                Part::Value(name) => format!("${{{VALUE_PREFIX}{name}}}"),
            })
            .collect()
    }

    /// The text when it holds no reference.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Ref(_) | Part::Value(_) => return None,
            }
        }
        Some(out)
    }

    /// The references, in order.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        self.parts.iter().filter_map(|part| match part {
            Part::Ref(reference) => Some(reference),
            Part::Literal(_) | Part::Value(_) => None,
        })
    }

    /// The names of the values it reads, in order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Value(name) => Some(name.as_str()),
            Part::Literal(_) | Part::Ref(_) => None,
        })
    }
}

/// What opens a value's name inside `${...}`: `${value:stage}`.
pub const VALUE_PREFIX: &str = "value:";

/// Escapes literal text for `Fn::Sub`: every `${` becomes `${!`.
pub fn escape_sub_literal(text: &str) -> String {
    text.replace("${", "${!")
}

/// Why a string's references are malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// `${` without a closing `}`.
    #[error(
        "unterminated reference `{}`; close it with `}}`, or write `${{!` for a literal `${{`",
        stackweave_template::shortened(.text)
    )]
    Unterminated {
        /// The text from the `${` to the end of the string.
        text: String,
    },
    /// `${}`.
    #[error(
        "empty reference `${{}}`; write `${{Name}}` or `${{Name.attribute}}`, or `${{!}}` for the literal text `${{}}`"
    )]
    Empty,
    /// Anything else between `${` and `}` that is not a reference.
    #[error(
        "malformed reference `${{{}}}`; write `${{Name}}` or `${{Name.attribute}}` where Name is letters and digits starting with a letter, `${{Stack::Name.attribute}}` for another stack of the app, `${{value:name}}` for a value of the environment, or `${{!{}}}` for literal text",
        stackweave_template::shortened(.inner),
        stackweave_template::shortened(.inner)
    )]
    Malformed {
        /// The text between the braces.
        inner: String,
    },
    /// `${AWS::Something}` that CloudFormation does not define.
    #[error("unknown pseudo parameter `{}`; use one of {}{}", stackweave_template::shortened(.name), PSEUDO_PARAMETERS.join(", "), suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownPseudo {
        /// What was written.
        name: String,
        /// The closest known pseudo parameter.
        suggestion: Option<String>,
    },
    /// `${AWS::Region.x}`.
    #[error("pseudo parameter `{name}` has no attributes; write `${{{name}}}`")]
    PseudoAttribute {
        /// The pseudo parameter.
        name: String,
    },
}

fn parse_reference(inner: &str) -> Result<Part, TextError> {
    if inner.is_empty() {
        return Err(TextError::Empty);
    }
    let malformed = || TextError::Malformed {
        inner: inner.to_owned(),
    };
    if let Some(name) = inner.strip_prefix(VALUE_PREFIX) {
        return match is_logical_name(name) {
            true => Ok(Part::Value(name.to_owned())),
            false => Err(malformed()),
        };
    }
    if let Some(rest) = inner.strip_prefix("AWS::") {
        let (name, attribute) = match rest.split_once('.') {
            Some((name, attribute)) => (format!("AWS::{name}"), Some(attribute)),
            None => (inner.to_owned(), None),
        };
        if !PSEUDO_PARAMETERS.contains(&name.as_str()) {
            let suggestion = stackweave_location::closest(&name, PSEUDO_PARAMETERS.iter().copied())
                .map(str::to_owned);
            return Err(TextError::UnknownPseudo { name, suggestion });
        }
        if attribute.is_some() {
            return Err(TextError::PseudoAttribute { name });
        }
        return Ok(Part::Ref(Reference {
            stack: None,
            target: name,
            attribute: None,
        }));
    }
    // `Stack::Name.attribute`: the stack is the part before the first `::`.
    let (stack, inner) = match inner.split_once("::") {
        Some((stack, rest)) if crate::format::is_stack_name(stack) => (Some(stack), rest),
        Some(_) => return Err(malformed()),
        None => (None, inner),
    };
    let (target, attribute) = match inner.split_once('.') {
        Some((target, attribute)) => (target, Some(attribute)),
        None => (inner, None),
    };
    if !is_logical_name(target) {
        return Err(malformed());
    }
    if let Some(attribute) = attribute {
        // CloudFormation attributes may be dotted (`Endpoint.Address`).
        let segment_ok =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !attribute.split('.').all(segment_ok) {
            return Err(malformed());
        }
    }
    Ok(Part::Ref(Reference {
        stack: stack.map(str::to_owned),
        target: target.to_owned(),
        attribute: attribute.map(str::to_owned),
    }))
}

/// `[A-Za-z][A-Za-z0-9]*`: construct ids, parameter and output names, reference targets.
pub(crate) fn is_logical_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric())
}
