//! Java's regular expressions as `String.replaceAll`, `replaceFirst`, `matches` and `split`
//! use them, on top of the `regex` crate.
//!
//! Deviations from `java.util.regex`, which templates rarely meet: no look-around, no
//! back-references in the pattern, no possessive quantifiers (these are errors, not silent
//! mismatches); character classes follow Unicode rather than Java's ASCII defaults for
//! `\w`, `\d` and `\s`. The replacement string follows Java: `$n` and `${name}` insert a
//! group, `\x` is a literal `x`, and a lone `$` is an error.

use regex::Regex;

/// A pattern, or why it cannot be used.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    // Java's `\w`, `\d`, `\s` and `\b` are ASCII-only unless asked; `(?-u)` cannot be used
    // with non-ASCII text in the `regex` crate, so the Unicode classes stay (see above).
    Regex::new(pattern).map_err(|e| {
        let first = e
            .to_string()
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        format!("unsupported or invalid regular expression `{pattern}`: {first}")
    })
}

/// `String.matches`: the whole string.
pub(crate) fn matches(text: &str, pattern: &str) -> Result<bool, String> {
    let re = compile(&format!(r"\A(?:{pattern})\z"))?;
    Ok(re.is_match(text))
}

/// `replaceAll` (or `replaceFirst` when `all` is false) with Java's replacement syntax.
pub(crate) fn replace(
    text: &str,
    pattern: &str,
    replacement: &str,
    all: bool,
) -> Result<String, String> {
    let re = compile(pattern)?;
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(text) {
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&text[last..m.start()]);
        expand(&caps, &re, replacement, &mut out)?;
        last = m.end();
        if !all {
            break;
        }
    }
    out.push_str(&text[last..]);
    Ok(out)
}

fn expand(
    caps: &regex::Captures<'_>,
    re: &Regex,
    replacement: &str,
    out: &mut String,
) -> Result<(), String> {
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                i += 1;
                match chars.get(i) {
                    Some(c) => out.push(*c),
                    None => return Err("character to be escaped is missing".into()),
                }
                i += 1;
            }
            '$' => {
                i += 1;
                if chars.get(i) == Some(&'{') {
                    let end = chars[i..].iter().position(|c| *c == '}').map(|p| p + i);
                    let Some(end) = end else {
                        return Err("named capturing group is missing trailing '}'".into());
                    };
                    let name: String = chars[i + 1..end].iter().collect();
                    if re.capture_names().all(|n| n != Some(name.as_str())) {
                        return Err(format!("no group with name {{{name}}}"));
                    }
                    out.push_str(caps.name(&name).map_or("", |m| m.as_str()));
                    i = end + 1;
                    continue;
                }
                let Some(first) = chars.get(i).and_then(|c| c.to_digit(10)) else {
                    return Err("illegal group reference".into());
                };
                // Java takes further digits while they still name an existing group.
                let mut group = first as usize;
                i += 1;
                if group >= caps.len() {
                    return Err(format!("no group {group}"));
                }
                while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    let longer = group * 10 + d as usize;
                    if longer >= caps.len() {
                        break;
                    }
                    group = longer;
                    i += 1;
                }
                out.push_str(caps.get(group).map_or("", |m| m.as_str()));
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(())
}

/// `String.split(regex)`: trailing empty strings are dropped, and a zero-width match at the
/// start makes no leading empty string.
pub(crate) fn split(text: &str, pattern: &str) -> Result<Vec<String>, String> {
    let re = compile(pattern)?;
    let mut parts = Vec::new();
    let mut last = 0;
    for m in re.find_iter(text) {
        if m.end() == 0 {
            continue;
        }
        parts.push(text[last..m.start()].to_string());
        last = m.end();
    }
    parts.push(text[last..].to_string());
    if text.is_empty() {
        return Ok(vec![String::new()]);
    }
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_groups_follow_java() {
        assert_eq!(
            replace("hello", "(l+)", "[$1]", true).as_deref(),
            Ok("he[ll]o")
        );
        assert_eq!(replace("a.b", "\\.", "\\$", true).as_deref(), Ok("a$b"));
        assert!(replace("a", "a", "$", true).is_err());
        assert_eq!(replace("it\\'s", "\\\\'", "'", true).as_deref(), Ok("it's"));
    }

    #[test]
    fn split_drops_trailing_empties() {
        assert_eq!(
            split("a,b,,", ",").ok(),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            split(",a", ",").ok(),
            Some(vec![String::new(), "a".to_string()])
        );
    }
}
