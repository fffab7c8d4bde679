//! Integration response selection patterns: the Java regular expressions API Gateway matches
//! against the backend's HTTP status code (for an AWS integration), the whole code against
//! the whole pattern. The subset status patterns use is enough: literals, `.`, classes
//! (`[45]`, `[^2]`, `\d`, `\w`, `\s`), groups with `|`, and `*`, `+`, `?`, `{n}`, `{n,m}`.
//! A pattern outside it is an error, never a silent mismatch.

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    alternatives: Vec<Vec<Node>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Char(char),
    Any,
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Group(Vec<Vec<Node>>),
    Repeat {
        node: Box<Node>,
        min: usize,
        max: usize,
    },
}

impl Pattern {
    /// Parses `source`; the error says what is not supported or malformed.
    pub fn parse(source: &str) -> Result<Pattern, String> {
        let chars: Vec<char> = source.chars().collect();
        let mut at = 0;
        let alternatives = alternatives(&chars, &mut at)?;
        if at < chars.len() {
            return Err(format!("unbalanced `)` at character {}", at + 1));
        }
        Ok(Pattern { alternatives })
    }

    /// Whether the pattern matches all of `text`.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        self.alternatives
            .iter()
            .any(|seq| match_seq(seq, &text, 0, &mut |end| end == text.len()))
    }
}

fn alternatives(chars: &[char], at: &mut usize) -> Result<Vec<Vec<Node>>, String> {
    let mut all = vec![Vec::new()];
    while *at < chars.len() {
        let c = chars[*at];
        match c {
            ')' => break,
            '|' => {
                *at += 1;
                all.push(Vec::new());
                continue;
            }
            _ => {}
        }
        let node = atom(chars, at)?;
        let node = quantified(node, chars, at)?;
        if let Some(last) = all.last_mut() {
            last.push(node);
        }
    }
    Ok(all)
}

fn atom(chars: &[char], at: &mut usize) -> Result<Node, String> {
    let c = chars[*at];
    *at += 1;
    Ok(match c {
        '.' => Node::Any,
        '^' | '$' => Node::Group(vec![Vec::new()]),
        '(' => {
            if chars.get(*at) == Some(&'?') && chars.get(*at + 1) == Some(&':') {
                *at += 2;
            }
            let inner = alternatives(chars, at)?;
            if chars.get(*at) != Some(&')') {
                return Err("unclosed `(`".to_owned());
            }
            *at += 1;
            Node::Group(inner)
        }
        '[' => class(chars, at)?,
        '\\' => {
            let Some(&escaped) = chars.get(*at) else {
                return Err("pattern ends with `\\`".to_owned());
            };
            *at += 1;
            escape(escaped)
        }
        '*' | '+' | '?' | '{' => return Err(format!("`{c}` repeats nothing")),
        other => Node::Char(other),
    })
}

fn escape(c: char) -> Node {
    let digits = vec![('0', '9')];
    let word = vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
    let space = vec![
        (' ', ' '),
        ('\t', '\t'),
        ('\n', '\n'),
        ('\r', '\r'),
        ('\u{b}', '\u{c}'),
    ];
    match c {
        'd' => Node::Class {
            ranges: digits,
            negated: false,
        },
        'D' => Node::Class {
            ranges: digits,
            negated: true,
        },
        'w' => Node::Class {
            ranges: word,
            negated: false,
        },
        'W' => Node::Class {
            ranges: word,
            negated: true,
        },
        's' => Node::Class {
            ranges: space,
            negated: false,
        },
        'S' => Node::Class {
            ranges: space,
            negated: true,
        },
        other => Node::Char(other),
    }
}

fn class(chars: &[char], at: &mut usize) -> Result<Node, String> {
    let negated = chars.get(*at) == Some(&'^');
    if negated {
        *at += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let Some(&c) = chars.get(*at) else {
            return Err("unclosed `[`".to_owned());
        };
        *at += 1;
        if c == ']' && !first {
            break;
        }
        first = false;
        let low = if c == '\\' {
            let Some(&e) = chars.get(*at) else {
                return Err("unclosed `[`".to_owned());
            };
            *at += 1;
            match escape(e) {
                Node::Class {
                    ranges: more,
                    negated: false,
                } => {
                    ranges.extend(more);
                    continue;
                }
                Node::Char(c) => c,
                _ => return Err(format!("`\\{e}` inside `[...]` is not supported")),
            }
        } else {
            c
        };
        if chars.get(*at) == Some(&'-') && chars.get(*at + 1).is_some_and(|&n| n != ']') {
            let high = chars[*at + 1];
            *at += 2;
            ranges.push((low, high));
        } else {
            ranges.push((low, low));
        }
    }
    Ok(Node::Class { ranges, negated })
}

fn quantified(node: Node, chars: &[char], at: &mut usize) -> Result<Node, String> {
    let (min, max) = match chars.get(*at) {
        Some('*') => (0, usize::MAX),
        Some('+') => (1, usize::MAX),
        Some('?') => (0, 1),
        Some('{') => {
            let close = chars[*at..]
                .iter()
                .position(|&c| c == '}')
                .ok_or_else(|| "unclosed `{`".to_owned())?;
            let inside: String = chars[*at + 1..*at + close].iter().collect();
            let number = |text: &str| {
                text.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("`{{{inside}}}` is not a repetition"))
            };
            let (min, max) = match inside.split_once(',') {
                Some((low, "")) => (number(low)?, usize::MAX),
                Some((low, high)) => (number(low)?, number(high)?),
                None => {
                    let n = number(&inside)?;
                    (n, n)
                }
            };
            *at += close;
            (min, max)
        }
        _ => return Ok(node),
    };
    *at += 1;
    Ok(Node::Repeat {
        node: Box::new(node),
        min,
        max,
    })
}

fn match_seq(seq: &[Node], text: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((first, rest)) = seq.split_first() else {
        return k(pos);
    };
    match_node(first, text, pos, &mut |next| match_seq(rest, text, next, k))
}

fn match_node(node: &Node, text: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match node {
        Node::Char(c) => text.get(pos) == Some(c) && k(pos + 1),
        Node::Any => text.get(pos).is_some_and(|&c| c != '\n') && k(pos + 1),
        Node::Class { ranges, negated } => {
            text.get(pos).is_some_and(|&c| {
                ranges.iter().any(|&(low, high)| low <= c && c <= high) != *negated
            }) && k(pos + 1)
        }
        Node::Group(alternatives) => alternatives.iter().any(|seq| match_seq(seq, text, pos, k)),
        Node::Repeat { node, min, max } => repeat(node, *min, *max, text, pos, k),
    }
}

/// Greedy repetition: as many as possible first, then fewer.
fn repeat(
    node: &Node,
    min: usize,
    max: usize,
    text: &[char],
    pos: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if max > 0
        && match_node(node, text, pos, &mut |next| {
            next != pos && repeat(node, min.saturating_sub(1), max - 1, text, next, k)
        })
    {
        return true;
    }
    min == 0 && k(pos)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        Pattern::parse(pattern).unwrap().matches(text)
    }

    #[test]
    fn status_patterns_match_whole_codes() {
        assert!(matches("4\\d{2}", "400"));
        assert!(!matches("4\\d{2}", "4000"));
        assert!(!matches("4\\d{2}", "500"));
        assert!(matches("5\\d\\d|403", "403"));
        assert!(matches("(4|5)..", "504"));
        assert!(matches("[45]0[0-9]", "409"));
        assert!(!matches("[^2]00", "200"));
        assert!(matches("2.*", "200"));
        assert!(matches("200", "200"));
        assert!(!matches("20", "200"));
        assert!(matches("5\\d{1,2}", "50"));
    }

    #[test]
    fn malformed_patterns_are_errors() {
        assert!(Pattern::parse("(4").is_err());
        assert!(Pattern::parse("*4").is_err());
        assert!(Pattern::parse("[4").is_err());
    }
}
