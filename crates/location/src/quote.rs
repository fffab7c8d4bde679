//! Quoting values in messages: a plugin or a stack file can hand over a value of many
//! megabytes, and an error that repeats it whole floods the terminal (a 50 MB prop once gave
//! 600 MB of stderr). Every message that echoes a value someone else chose goes through
//! [`shortened`], which also makes the value one visible line: a value is someone else's
//! text, and a terminal would act on its control characters (ESC starts a colour or cursor
//! sequence) or show its newlines as lines of Stackweave's own (`  --> x.yaml:1:1`).

use std::borrow::Cow;

/// How many characters of a value a message shows.
pub const SHOWN_CHARS: usize = 200;

/// `text` as a message may quote it: whole when it has at most [`SHOWN_CHARS`] characters,
/// otherwise its first [`SHOWN_CHARS`] characters and `… (N bytes)`; control characters
/// (newlines included) escaped as [`visible`] does.
///
/// ```
/// use stackweave_location::shortened;
/// assert_eq!(shortened("short"), "short");
/// let long = "x".repeat(1000);
/// assert_eq!(shortened(&long), format!("{}… (1000 bytes)", "x".repeat(200)));
/// ```
pub fn shortened(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => visible(text, false),
        Some((cut, _)) => Cow::Owned(format!(
            "{}… ({} bytes)",
            visible(&text[..cut], false),
            text.len()
        )),
    }
}

/// `text` with every control character (but the newline, when `keep_newlines`) and every
/// bidirectional formatting character written as an escape (`\u{1b}`, `\n`, `\u{202e}`),
/// so that a terminal shows it instead of acting on it. Borrowed when there is none.
pub fn visible(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && !(keep_newlines && c == '\n'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if hidden(c) && c.is_control() => out.extend(c.escape_default()),
            c if hidden(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_character_boundary_and_says_how_long_the_whole_was() {
        let text = "é".repeat(SHOWN_CHARS + 1);
        let quoted = shortened(&text);
        assert!(quoted.starts_with(&"é".repeat(SHOWN_CHARS)));
        assert!(quoted.ends_with(&format!("… ({} bytes)", text.len())));
        assert_eq!(shortened(&"é".repeat(SHOWN_CHARS)), "é".repeat(SHOWN_CHARS));
    }

    #[test]
    fn control_characters_are_shown_not_acted_on() {
        assert_eq!(
            shortened("a\u{1b}[31mb\nerror: forged\u{202e}"),
            "a\\u{1b}[31mb\\nerror: forged\\u{202e}"
        );
        assert_eq!(visible("one\ntwo\r", true), "one\ntwo\\r");
        assert!(matches!(visible("plain", false), Cow::Borrowed(_)));
    }
}
