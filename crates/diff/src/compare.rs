//! Comparing two JSON values into a list of changes with paths.
//!
//! Mappings compare key by key (order does not matter: CloudFormation ignores it). Lists are
//! first aligned on their equal items (a longest common subsequence), then the items
//! between two aligned ones are compared pairwise, and what is left over is added or
//! removed: inserting one `Action` reports one addition instead of a change at every later
//! index, while a list whose items changed in place still reports each at its index.
//! An intrinsic function (`{"Ref": ...}`, `{"Fn::...": ...}`) is one value: its parts mean
//! nothing alone, and `Fn::Sub` text reads better whole.

use serde_json::{Map, Value};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// A difference at `path`: `old` absent when added, `new` absent when removed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Difference {
    pub path: Vec<Segment>,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

impl Difference {
    /// How many leaf values this difference touches, to measure how alike two values are.
    pub(crate) fn weight(&self) -> usize {
        let size = |value: &Option<Value>| value.as_ref().map_or(0, leaves);
        size(&self.old).max(size(&self.new))
    }
}

/// Lists longer than this many item pairs are compared index by index: the alignment
/// costs their product in time and memory.
const MAX_ALIGNED_PAIRS: usize = 250_000;

/// Whether `object` is a call of an intrinsic function.
pub(crate) fn is_intrinsic(object: &Map<String, Value>) -> bool {
    stackweave_template::intrinsic_function(object).is_some()
}

/// Appends the differences between `old` and `new`, found under `path`, to `out`.
pub(crate) fn compare(
    old: &Value,
    new: &Value,
    path: &mut Vec<Segment>,
    out: &mut Vec<Difference>,
) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) if !is_intrinsic(a) && !is_intrinsic(b) => {
            compare_objects(a, b, path, out);
        }
        (Value::Array(a), Value::Array(b)) => compare_lists(a, b, path, out),
        _ => out.push(Difference {
            path: path.clone(),
            old: Some(old.clone()),
            new: Some(new.clone()),
        }),
    }
}

/// Compares two optional values (a section or entry present on one side only).
pub(crate) fn compare_present(
    old: Option<&Value>,
    new: Option<&Value>,
    path: &mut Vec<Segment>,
    out: &mut Vec<Difference>,
) {
    match (old, new) {
        (Some(old), Some(new)) => compare(old, new, path, out),
        (None, None) => {}
        (old, new) => out.push(Difference {
            path: path.clone(),
            old: old.cloned(),
            new: new.cloned(),
        }),
    }
}

/// Old keys first, in old order (changed or removed), then the new keys, in new order.
pub(crate) fn compare_objects(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    path: &mut Vec<Segment>,
    out: &mut Vec<Difference>,
) {
    for (key, old) in a {
        path.push(Segment::Key(key.clone()));
        compare_present(Some(old), b.get(key), path, out);
        path.pop();
    }
    for (key, new) in b {
        if !a.contains_key(key) {
            path.push(Segment::Key(key.clone()));
            compare_present(None, Some(new), path, out);
            path.pop();
        }
    }
}

fn compare_lists(a: &[Value], b: &[Value], path: &mut Vec<Segment>, out: &mut Vec<Difference>) {
    let mut anchors = align(a, b, |x, y| x == y);
    anchors.push((a.len(), b.len()));
    let (mut i, mut j) = (0, 0);
    for (next_i, next_j) in anchors {
        let (old_run, new_run) = (next_i - i, next_j - j);
        let paired = old_run.min(new_run);
        for k in 0..paired {
            path.push(Segment::Index(j + k));
            compare(&a[i + k], &b[j + k], path, out);
            path.pop();
        }
        for k in paired..old_run {
            path.push(Segment::Index(i + k));
            compare_present(Some(&a[i + k]), None, path, out);
            path.pop();
        }
        for k in paired..new_run {
            path.push(Segment::Index(j + k));
            compare_present(None, Some(&b[j + k]), path, out);
            path.pop();
        }
        (i, j) = (next_i + 1, next_j + 1);
    }
}

/// The pairs of indexes `(i, j)` of a longest common subsequence of `a` and `b`, in order;
/// none when the lists are too long to align (they are then compared index by index).
pub(crate) fn align<T>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 || n.saturating_mul(m) > MAX_ALIGNED_PAIRS {
        return Vec::new();
    }
    // lengths[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lengths = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i][j] = if same(&a[i], &b[j]) {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if same(&a[i], &b[j]) {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lengths[i + 1][j] >= lengths[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

/// How many leaf values `value` holds (an intrinsic function or an empty collection is one).
pub(crate) fn leaves(value: &Value) -> usize {
    match value {
        Value::Object(object) if !object.is_empty() && !is_intrinsic(object) => {
            object.values().map(leaves).sum()
        }
        Value::Array(items) if !items.is_empty() => items.iter().map(leaves).sum(),
        _ => 1,
    }
}

/// Writes a path as `Properties.Policies[0].PolicyDocument`, quoting keys that are not
/// plain words (`RequestTemplates["application/json"]`) so the path stays unambiguous.
pub(crate) fn format_path(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) if is_plain(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Key(key) => {
                out.push('[');
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(']');
            }
            Segment::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
    out
}

fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn differences(old: Value, new: Value) -> Vec<(String, Option<Value>, Option<Value>)> {
        let mut out = Vec::new();
        compare(&old, &new, &mut Vec::new(), &mut out);
        out.into_iter()
            .map(|d| (format_path(&d.path), d.old, d.new))
            .collect()
    }

    #[test]
    fn an_insertion_is_one_addition() {
        assert_eq!(
            differences(json!({"A": ["a", "c"]}), json!({"A": ["x", "a", "c"]})),
            [("A[0]".to_owned(), None, Some(json!("x")))]
        );
        assert_eq!(
            differences(json!(["a", "b", "c"]), json!(["a", "c"])),
            [("[1]".to_owned(), Some(json!("b")), None)]
        );
    }

    #[test]
    fn items_changed_in_place_keep_their_index() {
        assert_eq!(
            differences(
                json!({"L": [{"k": 1}, "same"]}),
                json!({"L": [{"k": 2}, "same"]})
            ),
            [("L[0].k".to_owned(), Some(json!(1)), Some(json!(2)))]
        );
    }

    #[test]
    fn intrinsics_compare_whole_and_key_order_is_ignored() {
        assert_eq!(
            differences(
                json!({"V": {"Fn::Sub": "a-${X}"}}),
                json!({"V": {"Fn::Sub": "b-${X}"}})
            ),
            [(
                "V".to_owned(),
                Some(json!({"Fn::Sub": "a-${X}"})),
                Some(json!({"Fn::Sub": "b-${X}"}))
            )]
        );
        assert!(differences(json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1})).is_empty());
    }

    #[test]
    fn paths_quote_keys_that_are_not_words() {
        let path = [
            Segment::Key("Properties".into()),
            Segment::Key("RequestTemplates".into()),
            Segment::Key("application/json".into()),
            Segment::Index(2),
            Segment::Key("Fn::Sub".into()),
        ];
        assert_eq!(
            format_path(&path),
            r#"Properties.RequestTemplates["application/json"][2].Fn::Sub"#
        );
    }
}
