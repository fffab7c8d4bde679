//! Quoting values in messages: a plugin or a stack file can hand over a value of many
//! megabytes, and an error that repeats it whole floods the terminal (a 50 MB prop once gave
//! 600 MB of stderr). Every message that echoes a value someone else chose goes through
//! [`shortened`].

use std::borrow::Cow;

/// How many characters of a value a message shows.
pub const SHOWN_CHARS: usize = 200;

/// `text` as a message may quote it: whole when it has at most [`SHOWN_CHARS`] characters,
/// otherwise its first [`SHOWN_CHARS`] characters and `… (N bytes)`.
///
/// ```
/// use stackweave_template::shortened;
/// assert_eq!(shortened("short"), "short");
/// let long = "x".repeat(1000);
/// assert_eq!(shortened(&long), format!("{}… (1000 bytes)", "x".repeat(200)));
/// ```
pub fn shortened(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}… ({} bytes)", &text[..cut], text.len())),
    }
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
}
