//! Text a plugin hands the host to show people (diagnostics, `describe` answers, validator
//! findings, stderr), made safe and bounded where it enters the host's types, so that no
//! consumer has to remember to do it.
//!
//! Safe: a terminal interprets control characters (ESC starts a colour or cursor sequence,
//! CR rewrites a line) and a newline starts what looks like a line of Stackweave's own
//! (`error: ...`, `  --> stack.yaml:1:1`). Every control character and every bidirectional
//! formatting character is therefore written as an escape (`\u{1b}`, `\n`, `\t`); only
//! stderr keeps its newlines, since each of its lines is shown behind a `| ` prefix.
//! Bounded: a plugin can return megabytes of text, and a person reads a paragraph.

use crate::plugin::{Diagnostic, Severity};
use crate::sandbox::Limits;

/// `text` as one line of at most about `cap` bytes: every control character escaped, and a
/// note of how many bytes of the original were left out.
pub(crate) fn line(text: &str, cap: usize) -> String {
    escape(text, cap, false)
}

/// `text` with every control character but the newline escaped (what a plugin wrote to
/// stderr, shown line by line).
pub(crate) fn lines(text: &str) -> String {
    escape(text, usize::MAX, true)
}

/// Escapes `text` up to about `cap` bytes of output. Stopping at the cap (rather than
/// escaping everything, then cutting) keeps the work and the memory bounded by the cap.
fn escape(text: &str, cap: usize, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len().min(cap));
    for (at, c) in text.char_indices() {
        if out.len() >= cap {
            out.push_str(&format!(" [... {} more bytes not shown]", text.len() - at));
            break;
        }
        if c == '\n' && keep_newlines {
            out.push(c);
        } else if c.is_control() {
            // `\n`, `\r`, `\t` or `\u{1b}`: how Rust writes them in a string literal.
            out.extend(c.escape_default());
        } else if is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Unicode's bidirectional embeddings, overrides and isolates: they reorder how the rest of
/// a line is displayed, so a message could show text other than what it holds.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// What one call reported, made safe ([`line`]) and cut to the limits: at most
/// `limits.diagnostics` diagnostics of at most `limits.text_bytes` each, then one
/// more saying how many were left out. That note is an error if any left-out diagnostic
/// was one, so that cutting the list can never turn a failure into a success.
pub(crate) fn diagnostics(
    list: impl ExactSizeIterator<Item = Diagnostic>,
    limits: &Limits,
) -> Vec<Diagnostic> {
    let total = list.len();
    let mut kept = Vec::with_capacity(total.min(limits.diagnostics + 1));
    let (mut errors, mut warnings) = (0usize, 0usize);
    for (index, diagnostic) in list.enumerate() {
        if index < limits.diagnostics {
            kept.push(Diagnostic {
                severity: diagnostic.severity,
                message: line(&diagnostic.message, limits.text_bytes),
                path: diagnostic.path.map(|path| line(&path, limits.text_bytes)),
            });
        } else if diagnostic.severity == Severity::Error {
            errors += 1;
        } else {
            warnings += 1;
        }
    }
    if errors + warnings > 0 {
        let left_out = match (errors, warnings) {
            (0, w) => plural(w, "warning"),
            (e, 0) => plural(e, "error"),
            (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
        };
        kept.push(Diagnostic {
            severity: if errors > 0 {
                Severity::Error
            } else {
                Severity::Warning
            },
            message: format!(
                "... {left_out} from this plugin not shown (at most {} diagnostics of one call are shown)",
                limits.diagnostics
            ),
            path: None,
        });
    }
    kept
}

/// `1 more warning`, `3 more warnings`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 more {noun}")
    } else {
        format!("{count} more {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_newlines_cannot_start_a_line() {
        let forged = "fine\u{1b}[31m red\r\nerror: forged\n  --> x.yaml:1:1\t\u{7f}\u{9b}";
        assert_eq!(
            line(forged, 1000),
            "fine\\u{1b}[31m red\\r\\nerror: forged\\n  --> x.yaml:1:1\\t\\u{7f}\\u{9b}"
        );
        assert_eq!(lines("a\u{1b}b\nc\rd"), "a\\u{1b}b\nc\\rd");
    }

    #[test]
    fn bidirectional_overrides_are_escaped_but_other_text_is_kept() {
        assert_eq!(line("a\u{202e}b\u{2066}c", 100), "a\\u{202e}b\\u{2066}c");
        assert_eq!(line("Grüße, 東京 🚀", 100), "Grüße, 東京 🚀");
    }

    #[test]
    fn long_text_is_cut_with_a_note_of_what_is_left_out() {
        let text = "é".repeat(5000);
        let cut = line(&text, 4096);
        assert!(cut.starts_with("éé"), "{cut}");
        assert!(cut.ends_with(" [... 5904 more bytes not shown]"), "{cut}");
        assert!(cut.len() < 4200, "{}", cut.len());
        // Escapes count against the cap too: six bytes shown for each one of the input.
        let escapes = line(&"\u{1b}".repeat(10_000), 60);
        assert!(
            escapes.ends_with(" [... 9990 more bytes not shown]"),
            "{escapes}"
        );
        assert_eq!(line("short", 5), "short");
    }

    fn warning(message: &str) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            message: message.to_string(),
            path: Some("/a\u{1b}".to_string()),
        }
    }

    #[test]
    fn many_diagnostics_are_cut_to_the_limit_with_a_note() {
        let limits = Limits {
            diagnostics: 2,
            text_bytes: 10,
            ..Limits::default()
        };
        let all = vec![
            warning("one"),
            warning("two is longer than ten"),
            warning("3"),
        ];
        let kept = diagnostics(all.into_iter(), &limits);
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[0].path.as_deref(), Some("/a\\u{1b}"));
        assert_eq!(kept[1].message, "two is lon [... 12 more bytes not shown]");
        assert_eq!(kept[2].severity, Severity::Warning);
        assert_eq!(
            kept[2].message,
            "... 1 more warning from this plugin not shown (at most 2 diagnostics of one call are shown)"
        );
    }

    #[test]
    fn a_left_out_error_keeps_the_call_failing() {
        let limits = Limits {
            diagnostics: 1,
            ..Limits::default()
        };
        let mut error = warning("bad");
        error.severity = Severity::Error;
        let all = vec![warning("a"), warning("b"), error.clone(), error];
        let kept = diagnostics(all.into_iter(), &limits);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[1].severity, Severity::Error);
        assert!(
            kept[1]
                .message
                .starts_with("... 2 more errors and 1 more warning from this plugin not shown"),
            "{}",
            kept[1].message
        );
    }

    #[test]
    fn diagnostics_within_the_limits_are_kept_as_they_are() {
        let kept = diagnostics(vec![warning("fine")].into_iter(), &Limits::default());
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].message, "fine");
    }
}
