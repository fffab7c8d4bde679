//! Small pieces of text every report here shares: elapsed time as a clock shows it, a word
//! a shell reads back unchanged, and someone else's text made safe for a terminal.

use std::borrow::Cow;
use std::time::Duration;

/// `m:ss` under an hour, `h:mm:ss` from then on: what a person glancing at a deployment
/// reads fastest, and the same width for every line of the first hour.
pub(crate) fn clock(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

/// `word` as one argument of a POSIX shell command, quoted only when it must be: stack
/// names and regions never need it, so the commands we print stay the ones a person would
/// type, and a surprising name still cannot break or extend the command.
pub(crate) fn shell_word(word: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

/// Text CloudFormation returned, on one visible line: control characters (a custom
/// resource's reason is anyone's text) are shown escaped instead of acted on.
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    stackweave_location::visible(text, false)
}

/// `items` joined with commas, at most `limit` of them, then how many more there are:
/// a list in a sentence must not grow with the stack.
pub(crate) fn some_of(items: &[String], limit: usize) -> String {
    if items.len() <= limit {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..limit].join(", "),
        items.len() - limit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_like_a_stopwatch() {
        assert_eq!(clock(Duration::from_millis(3_900)), "0:03");
        assert_eq!(clock(Duration::from_secs(42)), "0:42");
        assert_eq!(clock(Duration::from_secs(12 * 60 + 5)), "12:05");
        assert_eq!(clock(Duration::from_secs(3600 + 2 * 60 + 3)), "1:02:03");
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("RefArch-dev-Api"), "RefArch-dev-Api");
        assert_eq!(shell_word("eu-west-1"), "eu-west-1");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's;rm"), r"'it'\''s;rm'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn long_lists_are_cut_with_a_count() {
        let items: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
        assert_eq!(some_of(&items, 3), "A, B, C");
        assert_eq!(some_of(&items, 2), "A, B and 1 more");
    }
}
