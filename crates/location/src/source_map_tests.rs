//! Unit tests of the source map builder: complex keys, duplicates, roots.

#![allow(clippy::unwrap_used)]

use super::*;

fn at(map: &SourceMap, pointer: &str) -> (usize, usize) {
    let l = map.locate(pointer);
    (l.line, l.column)
}

#[test]
fn complex_keys_and_their_values_are_skipped_without_losing_place() {
    let text =
        "a:\n  ? [x, {y: 1}]\n  : { deep: [1] }\n  after: 2\n  ? { k: v }\n  : plain\n  last: 4\n";
    let (map, duplicates) = SourceMap::scan(text).unwrap();
    assert!(duplicates.is_empty());
    assert_eq!(at(&map, "/a/after"), (4, 10));
    assert_eq!(at(&map, "/a/last"), (7, 9));
    assert!(!map.contains("/a/x"));
    assert!(!map.contains("/a/deep"));
    assert!(!map.contains("/a/k"));
}

#[test]
fn duplicates_are_found_in_block_and_flow_mappings() {
    let (_, duplicates) = SourceMap::scan("a: 1\nb: { x: 1, x: 2 }\na: 3\n").unwrap();
    let found: Vec<(&str, Location, Location)> = duplicates
        .iter()
        .map(|d| (d.pointer.as_str(), d.location, d.first))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "/b/x",
                Location {
                    line: 2,
                    column: 12
                },
                Location { line: 2, column: 6 }
            ),
            (
                "/a",
                Location { line: 3, column: 1 },
                Location { line: 1, column: 1 }
            ),
        ]
    );
}

#[test]
fn root_scalars_and_sequences_are_indexed() {
    let (map, _) = SourceMap::scan("  just text\n").unwrap();
    assert_eq!(at(&map, ""), (1, 3));
    let (map, _) = SourceMap::scan("- a\n- - b\n  - c\n").unwrap();
    assert_eq!(at(&map, "/1/1"), (3, 5));
    assert_eq!(map.locate_key("/1"), map.locate("/1"));
}

#[test]
fn syntax_errors_carry_a_marker() {
    let error = SourceMap::scan("a: [1,\n").unwrap_err();
    assert_eq!(error.marker().line(), 2);
}
