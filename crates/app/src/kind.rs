//! Is this text an app file? Commands that take an app file or a stack file must tell them
//! apart before reading either, so that each goes to the reader that can explain it.

use stackweave_location::top_level_keys;

/// Whether `text` is an app file: its top-level keys include `environments` and `stacks`.
///
/// Cheap, and robust to text that does not parse: a broken file is still classified from
/// its unindented `key:` lines (or quoted keys, for JSON), so that it goes to the app
/// file's reader, which says where it is broken. A stack file (top-level `constructs`) or
/// a template (`Resources`) has no such pair of keys.
pub fn is_app_file(text: &str) -> bool {
    let keys = top_level_keys(text);
    let has = |wanted: &str| keys.iter().any(|key| key == wanted);
    has("environments") && has("stacks")
}
