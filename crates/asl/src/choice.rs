//! Choice rules of JSONPath states: `Variable` with a comparison operator (`StringEquals`,
//! `NumericLessThanPath`, `StringMatches`, `IsPresent`, ...), and `And`, `Or`, `Not`.
//!
//! Comparing values of the wrong type is false, not an error (the spec: "the comparison
//! operators ... return false" for a non-matching type). A `Variable` that selects nothing
//! is false for `IsPresent` and the type tests and a `States.Runtime` error for a
//! comparison, as the service reports ("invalid path"). JSONata's `Condition` lives in
//! [`crate::jsonata_mode`].

use serde_json::Value;

use crate::errors::Failure;
use crate::jsonpath::Path;
use crate::payload::Sources;
use crate::time::parse_timestamp;

/// A boolean expression over the state's input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rule {
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Test { variable: Path, test: Test },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Against {
    Value(Value),
    Path(Path),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TypeTest {
    Null,
    Present,
    Numeric,
    String,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    Compare {
        kind: Kind,
        op: Op,
        against: Against,
    },
    Matches(String),
    Is {
        test: TypeTest,
        expected: bool,
    },
}

/// Parses an operator name such as `NumericLessThanEqualsPath`.
fn operator(name: &str) -> Option<(Kind, Op, bool)> {
    let (base, is_path) = match name.strip_suffix("Path") {
        Some(base) => (base, true),
        None => (name, false),
    };
    let (kind, rest) = [
        ("String", Kind::String),
        ("Numeric", Kind::Numeric),
        ("Boolean", Kind::Boolean),
        ("Timestamp", Kind::Timestamp),
    ]
    .into_iter()
    .find_map(|(prefix, kind)| base.strip_prefix(prefix).map(|rest| (kind, rest)))?;
    let op = match rest {
        "Equals" => Op::Equals,
        "LessThan" if kind != Kind::Boolean => Op::LessThan,
        "GreaterThan" if kind != Kind::Boolean => Op::GreaterThan,
        "LessThanEquals" if kind != Kind::Boolean => Op::LessThanEquals,
        "GreaterThanEquals" if kind != Kind::Boolean => Op::GreaterThanEquals,
        _ => return None,
    };
    Some((kind, op, is_path))
}

fn type_test(name: &str) -> Option<TypeTest> {
    Some(match name {
        "IsNull" => TypeTest::Null,
        "IsPresent" => TypeTest::Present,
        "IsNumeric" => TypeTest::Numeric,
        "IsString" => TypeTest::String,
        "IsBoolean" => TypeTest::Boolean,
        "IsTimestamp" => TypeTest::Timestamp,
        _ => return None,
    })
}

/// Compiles a rule object. `extra` are the other fields allowed beside it (`Next`, `Assign`
/// on a top-level rule; nothing when nested). Errors are `(pointer suffix, message)`.
pub(crate) fn compile(
    value: &Value,
    pointer: &str,
    extra: &[&str],
) -> Result<Rule, (String, String)> {
    let Value::Object(map) = value else {
        return Err((pointer.to_owned(), "a choice rule must be an object".into()));
    };
    for key in map.keys() {
        let known = key == "Comment"
            || key == "Variable"
            || key == "And"
            || key == "Or"
            || key == "Not"
            || key == "StringMatches"
            || extra.contains(&key.as_str())
            || operator(key).is_some()
            || type_test(key).is_some();
        if !known {
            return Err((
                format!("{pointer}/{key}"),
                format!("unknown field `{key}` in a choice rule"),
            ));
        }
    }
    let combinators: Vec<&str> = ["And", "Or", "Not"]
        .into_iter()
        .filter(|k| map.contains_key(*k))
        .collect();
    let operators: Vec<&String> = map
        .keys()
        .filter(|k| {
            k.as_str() == "StringMatches" || operator(k).is_some() || type_test(k).is_some()
        })
        .collect();
    match (combinators.as_slice(), operators.as_slice()) {
        ([combinator], []) => {
            if map.contains_key("Variable") {
                return Err((
                    format!("{pointer}/Variable"),
                    format!("`Variable` cannot be used with `{combinator}`"),
                ));
            }
            let inner_pointer = format!("{pointer}/{combinator}");
            let inner = &map[*combinator];
            if *combinator == "Not" {
                return Ok(Rule::Not(Box::new(compile(inner, &inner_pointer, &[])?)));
            }
            let Value::Array(items) = inner else {
                return Err((
                    inner_pointer,
                    format!("`{combinator}` must be an array of rules"),
                ));
            };
            if items.is_empty() {
                return Err((
                    inner_pointer,
                    format!("`{combinator}` needs at least one rule"),
                ));
            }
            let rules = items
                .iter()
                .enumerate()
                .map(|(i, v)| compile(v, &format!("{inner_pointer}/{i}"), &[]))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if *combinator == "And" {
                Rule::And(rules)
            } else {
                Rule::Or(rules)
            })
        }
        ([], [name]) => {
            let name = name.as_str();
            let variable = match map.get("Variable") {
                Some(Value::String(text)) => {
                    Path::parse(text).map_err(|m| (format!("{pointer}/Variable"), m))?
                }
                Some(_) => {
                    return Err((
                        format!("{pointer}/Variable"),
                        "`Variable` must be a path string".into(),
                    ));
                }
                None => return Err((pointer.to_owned(), "a comparison needs a `Variable`".into())),
            };
            let operand = &map[name];
            let at = format!("{pointer}/{name}");
            let test = if name == "StringMatches" {
                match operand {
                    Value::String(p) => Test::Matches(p.clone()),
                    _ => return Err((at, "`StringMatches` needs a string pattern".into())),
                }
            } else if let Some(test) = type_test(name) {
                match operand {
                    Value::Bool(expected) => Test::Is {
                        test,
                        expected: *expected,
                    },
                    _ => return Err((at, format!("`{name}` needs true or false"))),
                }
            } else if let Some((kind, op, is_path)) = operator(name) {
                let against = if is_path {
                    match operand {
                        Value::String(p) => {
                            Against::Path(Path::parse(p).map_err(|m| (at.clone(), m))?)
                        }
                        _ => return Err((at, format!("`{name}` needs a path"))),
                    }
                } else {
                    let fits = match kind {
                        Kind::String => operand.is_string(),
                        Kind::Numeric => operand.is_number(),
                        Kind::Boolean => operand.is_boolean(),
                        Kind::Timestamp => operand.as_str().and_then(parse_timestamp).is_some(),
                    };
                    if !fits {
                        return Err((at, format!("`{name}` needs a value of its type")));
                    }
                    Against::Value(operand.clone())
                };
                Test::Compare { kind, op, against }
            } else {
                return Err((at, format!("unknown operator `{name}`")));
            };
            Ok(Rule::Test { variable, test })
        }
        ([], []) => Err((
            pointer.to_owned(),
            "a choice rule needs a comparison operator or And, Or, Not".into(),
        )),
        _ => Err((
            pointer.to_owned(),
            "a choice rule has exactly one comparison operator or combinator".into(),
        )),
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal.
pub(crate) fn string_matches(text: &str, pattern: &str) -> bool {
    enum Token {
        Char(char),
        Star,
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => tokens.push(Token::Char(chars.next().unwrap_or('\\'))),
            '*' => tokens.push(Token::Star),
            c => tokens.push(Token::Char(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Iterative wildcard matching with one backtrack point: linear in practice, never
    // exponential on hostile patterns.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(|t| matches!(t, Token::Star))
}

fn compare(kind: Kind, op: Op, left: &Value, right: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match kind {
        Kind::String => match (left, right) {
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            _ => None,
        },
        Kind::Numeric => match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) if left.is_number() && right.is_number() => a.partial_cmp(&b),
            _ => None,
        },
        Kind::Boolean => match (left, right) {
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        },
        Kind::Timestamp => match (
            left.as_str().and_then(parse_timestamp),
            right.as_str().and_then(parse_timestamp),
        ) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => None,
        },
    };
    ordering.is_some_and(|o| match op {
        Op::Equals => o.is_eq(),
        Op::LessThan => o.is_lt(),
        Op::GreaterThan => o.is_gt(),
        Op::LessThanEquals => o.is_le(),
        Op::GreaterThanEquals => o.is_ge(),
    })
}

impl Rule {
    /// Evaluates the rule against the state's effective input.
    pub(crate) fn evaluate(&self, sources: &Sources<'_>) -> Result<bool, Failure> {
        match self {
            Rule::And(rules) => {
                for r in rules {
                    if !r.evaluate(sources)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(rules) => {
                for r in rules {
                    if r.evaluate(sources)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(rule) => Ok(!rule.evaluate(sources)?),
            Rule::Test { variable, test } => {
                let value = sources.lookup(variable);
                match test {
                    Test::Is { test, expected } => {
                        let actual = match (&value, test) {
                            (None, _) => false,
                            (Some(_), TypeTest::Present) => true,
                            (Some(v), TypeTest::Null) => v.is_null(),
                            (Some(v), TypeTest::Numeric) => v.is_number(),
                            (Some(v), TypeTest::String) => v.is_string(),
                            (Some(v), TypeTest::Boolean) => v.is_boolean(),
                            (Some(v), TypeTest::Timestamp) => {
                                v.as_str().and_then(parse_timestamp).is_some()
                            }
                        };
                        Ok(actual == *expected)
                    }
                    Test::Matches(pattern) => {
                        let value = missing(value, variable)?;
                        Ok(value.as_str().is_some_and(|s| string_matches(s, pattern)))
                    }
                    Test::Compare { kind, op, against } => {
                        let value = missing(value, variable)?;
                        let other = match against {
                            Against::Value(v) => v.clone(),
                            Against::Path(p) => missing(sources.lookup(p), p)?,
                        };
                        Ok(compare(*kind, *op, &value, &other))
                    }
                }
            }
        }
    }
}

fn missing(value: Option<Value>, path: &Path) -> Result<Value, Failure> {
    value.ok_or_else(|| {
        Failure::runtime(format!(
            "invalid path `{}`: the choice state's condition path references an invalid value",
            path.source()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(rule: Value, input: Value) -> Result<bool, String> {
        let rule = compile(&rule, "", &["Next"]).map_err(|(_, m)| m)?;
        Sources::with(&input, &json!({}), |sources| rule.evaluate(sources)).map_err(|f| f.error)
    }

    #[test]
    fn string_matches_wildcards_and_escapes() {
        assert!(string_matches("log-2024.txt", "log-*.txt"));
        assert!(string_matches("anything", "*"));
        assert!(string_matches("a*b", r"a\*b"));
        assert!(!string_matches("axb", r"a\*b"));
        assert!(string_matches(r"a\b", r"a\\b"));
        assert!(!string_matches("log.txt", "log-*.txt"));
        assert!(string_matches("", "*"));
        let hostile = "a".repeat(5000);
        assert!(!string_matches(&hostile, &format!("{}b", "*a".repeat(200))));
    }

    #[test]
    fn comparisons_of_the_wrong_type_are_false() {
        assert_eq!(
            check(
                json!({"Variable": "$.x", "StringEquals": "1"}),
                json!({"x": 1})
            ),
            Ok(false)
        );
        assert_eq!(
            check(
                json!({"Variable": "$.x", "NumericEquals": 1}),
                json!({"x": 1.0})
            ),
            Ok(true)
        );
        assert_eq!(
            check(
                json!({"Variable": "$.x", "NumericLessThanPath": "$.y"}),
                json!({"x": 1, "y": 2})
            ),
            Ok(true)
        );
    }

    #[test]
    fn missing_variables_fail_comparisons_but_not_type_tests() {
        assert_eq!(
            check(json!({"Variable": "$.x", "IsPresent": false}), json!({})),
            Ok(true)
        );
        assert_eq!(
            check(json!({"Variable": "$.x", "IsNull": false}), json!({})),
            Ok(true)
        );
        assert_eq!(
            check(json!({"Variable": "$.x", "StringEquals": "a"}), json!({})),
            Err("States.Runtime".into())
        );
    }

    #[test]
    fn malformed_rules_are_rejected() {
        assert!(check(json!({"Variable": "$.x"}), json!({})).is_err());
        assert!(
            check(
                json!({"Variable": "$.x", "BooleanLessThan": true}),
                json!({})
            )
            .is_err()
        );
        assert!(check(json!({"Variable": "$.x", "NumericEquals": "1"}), json!({})).is_err());
        assert!(check(json!({"And": []}), json!({})).is_err());
        assert!(
            check(
                json!({"Variable": "$.x", "IsNull": true, "IsString": true}),
                json!({})
            )
            .is_err()
        );
    }
}
