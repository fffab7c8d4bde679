//! Whether an API Gateway `SelectionPattern` matches a status code.
//!
//! For AWS and HTTP integrations API Gateway matches an integration response's
//! `SelectionPattern`, a Java regular expression, against the back end's HTTP status code
//! as a whole. Patterns in practice are small (`2\d{2}`, `4..`, `5\d{2}|400`), so this
//! module implements the subset they use rather than pulling a regex engine into the
//! crate: literals, `.`, `\d \w \s` and their negations, escaped punctuation, classes
//! (`[0-9]`, `[^5]`), groups (`(...)`, `(?:...)`), alternation, and the quantifiers
//! `* + ? {n} {n,} {n,m}` (lazy forms behave the same for a whole-string match). Anything
//! else (back-references, lookaround, flags, possessive quantifiers) gives `None`: the
//! caller reports it as undecided rather than guess.

/// Whether `pattern` matches all of `subject`; `None` when the pattern uses syntax this
/// module does not read.
pub(crate) fn full_match(pattern: &str, subject: &str) -> Option<bool> {
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        at: 0,
    };
    // Anchors at the very ends change nothing for a whole-string match.
    if parser.chars.first() == Some(&'^') {
        parser.at = 1;
    }
    if parser.chars.last() == Some(&'$') && !parser.chars.ends_with(&['\\', '$']) {
        parser.chars.pop();
    }
    let alternation = parser.alternation()?;
    if parser.at != parser.chars.len() {
        return None;
    }
    let subject: Vec<char> = subject.chars().collect();
    let ends = alternation.ends(&subject, &[0]);
    Some(ends.contains(&subject.len()))
}

/// `a|b|c`.
struct Alternation(Vec<Sequence>);

/// Quantified atoms in a row.
struct Sequence(Vec<Repeat>);

struct Repeat {
    atom: Atom,
    min: usize,
    /// `None`: unbounded.
    max: Option<usize>,
}

enum Atom {
    /// Any one character in these inclusive ranges (or not in them, when negated).
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Group(Alternation),
}

impl Alternation {
    /// Every position the alternation can end at, starting from any of `starts`.
    fn ends(&self, subject: &[char], starts: &[usize]) -> Vec<usize> {
        let mut out = Vec::new();
        for sequence in &self.0 {
            for end in sequence.ends(subject, starts) {
                if !out.contains(&end) {
                    out.push(end);
                }
            }
        }
        out
    }
}

impl Sequence {
    fn ends(&self, subject: &[char], starts: &[usize]) -> Vec<usize> {
        let mut positions = starts.to_vec();
        for repeat in &self.0 {
            positions = repeat.ends(subject, &positions);
            if positions.is_empty() {
                break;
            }
        }
        positions
    }
}

impl Repeat {
    fn ends(&self, subject: &[char], starts: &[usize]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut current = starts.to_vec();
        // Each round applies the atom once more. The sets of positions are bounded by the
        // subject's length, so after that many rounds past `min` nothing new can appear.
        let limit = self.max.unwrap_or(self.min + subject.len() + 1);
        for count in 0..=limit {
            if count >= self.min {
                for &position in &current {
                    if !out.contains(&position) {
                        out.push(position);
                    }
                }
            }
            if count == limit || current.is_empty() {
                break;
            }
            current = self.atom.ends(subject, &current);
        }
        out
    }
}

impl Atom {
    fn ends(&self, subject: &[char], starts: &[usize]) -> Vec<usize> {
        match self {
            Atom::Class { ranges, negated } => starts
                .iter()
                .filter(|&&at| {
                    subject.get(at).is_some_and(|c| {
                        ranges.iter().any(|&(low, high)| (low..=high).contains(c)) != *negated
                    })
                })
                .map(|at| at + 1)
                .collect(),
            Atom::Group(alternation) => alternation.ends(subject, starts),
        }
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

const DIGITS: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
const SPACE: &[(char, char)] = &[(' ', ' '), ('\t', '\r')];

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn alternation(&mut self) -> Option<Alternation> {
        let mut sequences = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.at += 1;
            sequences.push(self.sequence()?);
        }
        Some(Alternation(sequences))
    }

    fn sequence(&mut self) -> Option<Sequence> {
        let mut repeats = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let (min, max) = self.quantifier()?;
            repeats.push(Repeat { atom, min, max });
        }
        Some(Sequence(repeats))
    }

    fn atom(&mut self) -> Option<Atom> {
        let c = self.peek()?;
        self.at += 1;
        match c {
            '.' => Some(Atom::Class {
                // Java's `.` matches anything but line terminators.
                ranges: vec![('\n', '\n'), ('\r', '\r')],
                negated: true,
            }),
            '(' => {
                if self.peek() == Some('?') {
                    if self.chars.get(self.at + 1) != Some(&':') {
                        return None;
                    }
                    self.at += 2;
                }
                let inner = self.alternation()?;
                (self.peek() == Some(')')).then_some(())?;
                self.at += 1;
                Some(Atom::Group(inner))
            }
            '[' => self.class(),
            '\\' => {
                let (ranges, negated) = self.escape()?;
                Some(Atom::Class { ranges, negated })
            }
            '*' | '+' | '?' | '{' | ')' | '^' | '$' => None,
            literal => Some(Atom::Class {
                ranges: vec![(literal, literal)],
                negated: false,
            }),
        }
    }

    /// After a `\`: a shorthand class or an escaped punctuation character.
    fn escape(&mut self) -> Option<(Vec<(char, char)>, bool)> {
        let c = self.peek()?;
        self.at += 1;
        match c {
            'd' => Some((DIGITS.to_vec(), false)),
            'D' => Some((DIGITS.to_vec(), true)),
            'w' => Some((WORD.to_vec(), false)),
            'W' => Some((WORD.to_vec(), true)),
            's' => Some((SPACE.to_vec(), false)),
            'S' => Some((SPACE.to_vec(), true)),
            // Letters and digits after `\` are Java escapes with other meanings.
            c if c.is_ascii_alphanumeric() => None,
            c => Some((vec![(c, c)], false)),
        }
    }

    fn class(&mut self) -> Option<Atom> {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek()?;
            self.at += 1;
            let low = match c {
                ']' if !first => break,
                '[' => return None,
                '\\' => {
                    let (escaped, escaped_negated) = self.escape()?;
                    // A negated shorthand inside a class (`[\D]`) is rare: not read.
                    if escaped_negated {
                        return None;
                    }
                    match escaped.as_slice() {
                        // An escaped character: it may start a range.
                        &[(low, high)] if low == high => low,
                        // A shorthand class (`[\d.]`): its ranges join the class.
                        _ => {
                            ranges.extend(escaped);
                            first = false;
                            continue;
                        }
                    }
                }
                c => c,
            };
            first = false;
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&n| n != ']') {
                self.at += 1;
                let high = self.peek()?;
                self.at += 1;
                if high == '\\' || high == '[' || high < low {
                    return None;
                }
                ranges.push((low, high));
            } else {
                ranges.push((low, low));
            }
        }
        Some(Atom::Class { ranges, negated })
    }

    /// A quantifier after an atom, as (min, max); `(1, Some(1))` when there is none.
    fn quantifier(&mut self) -> Option<(usize, Option<usize>)> {
        let bounds = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.at += 1;
                let min = self.number()?;
                let max = match self.peek()? {
                    '}' => Some(min),
                    ',' => {
                        self.at += 1;
                        if self.peek() == Some('}') {
                            None
                        } else {
                            Some(self.number()?)
                        }
                    }
                    _ => return None,
                };
                (self.peek() == Some('}')).then_some(())?;
                if max.is_some_and(|max| max < min) {
                    return None;
                }
                (min, max)
            }
            _ => return Some((1, Some(1))),
        };
        self.at += 1;
        match self.peek() {
            // Lazy: the same set of whole-string matches.
            Some('?') => self.at += 1,
            // Possessive: may refuse matches a greedy quantifier finds.
            Some('+') => return None,
            _ => {}
        }
        Some(bounds)
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.chars[start..self.at]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::full_match;

    #[test]
    fn common_selection_patterns() {
        assert_eq!(full_match(r"2\d{2}", "200"), Some(true));
        assert_eq!(full_match(r"4\d{2}", "200"), Some(false));
        assert_eq!(full_match(r"5\d{2}", "200"), Some(false));
        assert_eq!(full_match("200", "200"), Some(true));
        assert_eq!(full_match("2..", "200"), Some(true));
        assert_eq!(full_match("2", "200"), Some(false), "whole-string match");
        assert_eq!(full_match("4..|5..", "200"), Some(false));
        assert_eq!(full_match("(2|4)00", "200"), Some(true));
        assert_eq!(full_match("[23][0-9]+", "200"), Some(true));
        assert_eq!(full_match("[^2]00", "200"), Some(false));
        assert_eq!(full_match(".*", "200"), Some(true));
        assert_eq!(full_match(".+", "200"), Some(true));
        assert_eq!(full_match("^2\\d\\d$", "200"), Some(true));
        assert_eq!(full_match("(?:2)\\d{1,2}", "200"), Some(true));
        assert_eq!(full_match("2\\d{3,}", "200"), Some(false));
    }

    #[test]
    fn unsupported_syntax_is_undecided() {
        assert_eq!(full_match(r"(?i)200", "200"), None);
        assert_eq!(full_match(r"(2)\1", "22"), None);
        assert_eq!(full_match(r"\b200", "200"), None);
        assert_eq!(full_match(r"2\d++", "200"), None);
        assert_eq!(full_match("(200", "200"), None);
    }
}
