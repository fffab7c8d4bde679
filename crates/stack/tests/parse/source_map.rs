//! JSON Pointers into the stack file and the locations they resolve to.

use stackweave_stack::{SourceMap, StackFile, escape_token, join_pointer, unescape_token};

use crate::{ok, with};

fn at(map: &SourceMap, pointer: &str) -> (usize, usize) {
    let l = map.locate(pointer);
    (l.line, l.column)
}

fn key(map: &SourceMap, pointer: &str) -> (usize, usize) {
    let l = map.locate_key(pointer);
    (l.line, l.column)
}

fn stack(extra: &str) -> StackFile {
    ok(&with(extra))
}

#[test]
fn pointer_tokens_escape_slash_and_tilde() {
    assert_eq!(escape_token("a/b~c"), "a~1b~0c");
    assert_eq!(unescape_token("a~1b~0c"), "a/b~c");
    // `~01` is an escaped `~` followed by `1`, not a slash.
    assert_eq!(unescape_token("~01"), "~1");
    assert_eq!(join_pointer("/x", "~/"), "/x/~0~1");
}

#[test]
fn keys_with_slash_and_tilde_are_indexed_escaped() {
    let stack = stack(
        "    props:\n      paths:\n        /start/{id}: get\n        ~home: x\n        a~1b: y\n",
    );
    let map = &stack.source_map;
    let props = "/constructs/Logs/props";
    assert_eq!(at(map, &format!("{props}/paths/~1start~1{{id}}")), (7, 22));
    assert_eq!(key(map, &format!("{props}/paths/~1start~1{{id}}")), (7, 9));
    assert_eq!(at(map, &format!("{props}/paths/~0home")), (8, 16));
    // The literal key `a~1b` is `a~01b` as a token.
    assert_eq!(at(map, &format!("{props}/paths/a~01b")), (9, 15));
    assert!(!map.contains(&format!("{props}/paths/a~1b")));
    // The references of the props use the same escaping.
    let props = &stack.constructs[0].props;
    assert_eq!(
        props
            .get("paths")
            .unwrap()
            .get("/start/{id}")
            .unwrap()
            .to_written_json(),
        "get"
    );
}

#[test]
fn sequences_nested_mappings_and_flow_collections() {
    let stack = stack(
        "    props:\n      input:\n        queryString:\n          - param\n          - { name: other, required: true }\n        flow: [a, [b, c]]\n",
    );
    let map = &stack.source_map;
    let input = "/constructs/Logs/props/input";
    assert_eq!(at(map, &format!("{input}/queryString/0")), (8, 13));
    assert_eq!(at(map, &format!("{input}/queryString/1")), (9, 13));
    assert_eq!(at(map, &format!("{input}/queryString/1/required")), (9, 38));
    assert_eq!(
        key(map, &format!("{input}/queryString/1/required")),
        (9, 28)
    );
    assert_eq!(at(map, &format!("{input}/flow")), (10, 15));
    assert_eq!(at(map, &format!("{input}/flow/1/1")), (10, 23));
    // A list item's key location is the item itself.
    assert_eq!(key(map, &format!("{input}/queryString/0")), (8, 13));
}

#[test]
fn unindexed_pointers_fall_back_to_the_nearest_ancestor() {
    let stack = stack("    props:\n      a: 1\n");
    let map = &stack.source_map;
    assert_eq!(at(map, "/constructs/Logs/props/a/deeper/0"), (6, 10));
    assert_eq!(
        at(map, "/constructs/Logs/props/missing"),
        at(map, "/constructs/Logs/props")
    );
    assert_eq!(at(map, "/nothing/here"), at(map, ""));
    assert_eq!(at(map, ""), (1, 1));
    assert_eq!(SourceMap::default().locate("/x").line, 1);
}

#[test]
fn empty_values_are_located_at_their_key() {
    let stack = stack("    props:\n      a:\n      b: ~\n");
    let map = &stack.source_map;
    assert_eq!(at(map, "/constructs/Logs/props/a"), (6, 7));
    assert_eq!(at(map, "/constructs/Logs/props/b"), (7, 10));
}

#[test]
fn aliases_resolve_in_values_and_point_at_the_alias() {
    let stack = stack("    props:\n      a: &shared { x: 1 }\n      b: *shared\n");
    let props = &stack.constructs[0].props;
    assert_eq!(props.get("b"), props.get("a"));
    let map = &stack.source_map;
    assert_eq!(at(map, "/constructs/Logs/props/b/x"), (7, 10));
}

#[test]
fn columns_count_characters_not_bytes() {
    let stack = stack("    props:\n      é: ü\n      z: ${A}\n");
    assert_eq!(at(&stack.source_map, "/constructs/Logs/props/é"), (6, 10));
    assert_eq!(at(&stack.source_map, "/constructs/Logs/props/z"), (7, 10));
}

#[test]
fn numeric_keys_are_text_in_props_and_pointers() {
    let stack = stack("    props:\n      responses:\n        200: ok\n        500: ${Err}\n");
    let props = &stack.constructs[0].props;
    let refs = props.references();
    assert_eq!(refs[0].0, "/responses/500");
    let pointer = format!("{}/props{}", stack.constructs[0].pointer, refs[0].0);
    assert_eq!(at(&stack.source_map, &pointer), (8, 14));
}
