//! Fuzzes the stack-file parser and the reference grammar with arbitrary text.
//!
//! Nothing the user writes may panic the parser (ARCHITECTURE.md: "no panics on user
//! input"). For every stack it accepts, the typed model must also keep its own promises,
//! checked here without reusing the parser's code paths:
//!
//! - every `Text` round-trips through `Text::written` and `Text::parse`, with adjacent
//!   literals merged and no empty literal;
//! - every `Reference` round-trips through its `${...}` form and has a valid shape;
//! - every pointer `Prop::references` returns leads, by an independent JSON Pointer walk,
//!   to a string holding that reference, and the walk finds no reference it missed;
//! - names that become logical ids are valid and unique, and no map loses an entry when
//!   the props become JSON (keys must be distinct);
//! - source locations can be looked up for every pointer the model hands out.
//!
//! Rejected stacks must render their error message and carry 1-based locations within
//! the text.

#![no_main]

use std::collections::BTreeSet;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stackweave_stack::format::{is_logical_id, is_logical_name, is_stack_name};
use stackweave_stack::{
    PSEUDO_PARAMETERS, Part, Prop, Reference, StackError, StackFile, Text, unescape_token,
};

/// A folder that does not exist: every `!file` then fails the same way, so a run neither
/// reads files on the fuzzing machine nor depends on them.
const STACK_PATH: &str = "/nonexistent-stackweave-fuzz/stack.yaml";

fuzz_target!(|data: &[u8]| {
    // Lossy decoding keeps every input useful: the parser only ever sees `&str`.
    let text = String::from_utf8_lossy(data);
    match stackweave_stack::parse_stack_str(Path::new(STACK_PATH), &text) {
        Ok(stack) => check_stack(&stack),
        Err(error) => check_error(&error, &text),
    }
});

fn check_error(error: &StackError, text: &str) {
    let message = error.to_string();
    assert!(!message.is_empty());
    // YAML counts `\r` (and, in 1.1, NEL / LS / PS) as line breaks too, so this bounds the
    // line numbers any YAML reader may report.
    let breaks = text
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count();
    let locations: Vec<_> = match error {
        StackError::Syntax { location, .. } => location.iter().copied().collect(),
        StackError::Invalid(problems) => {
            assert!(!problems.is_empty(), "an Invalid error with no problem");
            assert!(
                problems.iter().all(|p| p.location.is_some()),
                "a stack file problem without a line"
            );
            problems.iter().filter_map(|p| p.location).collect()
        }
        StackError::Read { .. } => Vec::new(),
    };
    for location in locations {
        assert!(location.line >= 1 && location.column >= 1, "{location:?}");
        assert!(
            location.line <= breaks + 1,
            "line {} is past the end of a text with {breaks} line breaks",
            location.line
        );
    }
}

fn check_stack(stack: &StackFile) {
    assert!(is_stack_name(&stack.name), "stack name {:?}", stack.name);

    let mut parameter_names = BTreeSet::new();
    for (name, _) in &stack.parameters {
        assert!(is_logical_name(name), "parameter name {name:?}");
        assert!(
            parameter_names.insert(name.as_str()),
            "parameter {name:?} twice"
        );
    }

    let mut construct_ids = BTreeSet::new();
    let mut pinned = BTreeSet::new();
    for construct in &stack.constructs {
        assert!(
            is_logical_name(&construct.id),
            "construct id {:?}",
            construct.id
        );
        assert!(
            construct_ids.insert(construct.id.as_str()),
            "construct {:?} twice",
            construct.id
        );
        assert!(
            !parameter_names.contains(construct.id.as_str()),
            "construct {:?} is also a parameter",
            construct.id
        );
        for (local, logical) in &construct.logical_ids {
            assert!(is_logical_id(local), "pinned local id {local:?}");
            assert!(is_logical_id(logical), "pinned logical id {logical:?}");
            assert!(pinned.insert(logical.as_str()), "{logical:?} pinned twice");
        }
        assert!(
            matches!(construct.props, Prop::Map(_)),
            "props are not a map"
        );
        let props_pointer = format!("{}/props", construct.pointer);
        check_prop_tree(&construct.props, &props_pointer, stack);
    }
    // The parser promises at least one construct: CloudFormation needs a resource.
    assert!(
        !stack.constructs.is_empty(),
        "accepted a stack with no construct"
    );

    let mut output_names = BTreeSet::new();
    for output in &stack.outputs {
        assert!(
            is_logical_name(&output.name),
            "output name {:?}",
            output.name
        );
        assert!(
            output_names.insert(output.name.as_str()),
            "output {:?} twice",
            output.name
        );
        assert!(
            matches!(
                output.value,
                Prop::Text(_) | Prop::Number(_) | Prop::Bool(_)
            ),
            "output value {:?}",
            output.value
        );
        check_prop_tree(&output.value, &format!("{}/value", output.pointer), stack);
        if let Some(export) = &output.export_name {
            assert!(matches!(export, Prop::Text(_)), "export name {export:?}");
            check_prop_tree(export, &format!("{}/exportName", output.pointer), stack);
        }
    }
}

/// Checks one props tree (or output value) found at absolute pointer `at`.
fn check_prop_tree(prop: &Prop, at: &str, stack: &StackFile) {
    // Rendering the props as the plugin's schema sees them must not panic.
    let _ = prop.to_written_json();

    let mut texts = Vec::new();
    collect_texts(prop, String::new(), &mut texts);
    let mut expected = Vec::new();
    for (pointer, text) in &texts {
        check_text(text);
        expected.extend(text.references().map(|r| (pointer.clone(), r)));
        let _ = stack.source_map.locate(&format!("{at}{pointer}"));
        let _ = stack.source_map.locate_key(&format!("{at}{pointer}"));
    }

    let found = prop.references();
    // Same references in the same (document) order as an independent walk finds them.
    assert_eq!(
        found, expected,
        "Prop::references disagrees with a plain walk"
    );
    for (pointer, reference) in &found {
        check_reference(reference);
        let Some(Prop::Text(text)) = resolve(prop, pointer) else {
            panic!("reference pointer {pointer:?} does not lead to a string");
        };
        assert!(
            text.references().any(|r| r == *reference),
            "the string at {pointer:?} does not hold {reference}"
        );
    }
}

/// Every string of a props tree, with its pointer relative to the tree, in document order.
fn collect_texts<'p>(prop: &'p Prop, pointer: String, out: &mut Vec<(String, &'p Text)>) {
    match prop {
        Prop::Text(text) => out.push((pointer, text)),
        Prop::List(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_texts(item, format!("{pointer}/{index}"), out);
            }
        }
        Prop::Map(entries) => {
            let mut keys = BTreeSet::new();
            for (key, value) in entries {
                // A JSON object keeps one value per key: a repeated key would silently lose
                // a value in `to_written_json` and make its pointers ambiguous.
                assert!(
                    keys.insert(key.as_str()),
                    "map key {key:?} twice in {pointer:?}"
                );
                let token = key.replace('~', "~0").replace('/', "~1");
                collect_texts(value, format!("{pointer}/{token}"), out);
            }
        }
        Prop::Null | Prop::Bool(_) | Prop::Number(_) | Prop::Data(_) => {}
    }
}

/// Follows a JSON Pointer (RFC 6901) from `prop`, token by token.
fn resolve<'p>(prop: &'p Prop, pointer: &str) -> Option<&'p Prop> {
    if pointer.is_empty() {
        return Some(prop);
    }
    let mut current = prop;
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = unescape_token(token);
        current = match current {
            Prop::List(items) => items.get(token.parse::<usize>().ok()?)?,
            Prop::Map(entries) => entries.iter().find(|(k, _)| *k == token).map(|(_, v)| v)?,
            _ => return None,
        };
    }
    Some(current)
}

fn check_text(text: &Text) {
    // "Adjacent literals are merged, and an empty string has no parts."
    for pair in text.parts.windows(2) {
        assert!(
            !matches!(pair, [Part::Literal(_), Part::Literal(_)]),
            "adjacent literals in {text:?}"
        );
    }
    for part in &text.parts {
        if let Part::Literal(literal) = part {
            assert!(!literal.is_empty(), "empty literal in {text:?}");
        }
    }
    let written = text.written();
    let reparsed = Text::parse(&written)
        .unwrap_or_else(|e| panic!("written form {written:?} of {text:?} does not parse: {e}"));
    assert_eq!(&reparsed, text, "round trip through {written:?}");
    assert_eq!(
        text.as_literal().is_some(),
        text.references().next().is_none(),
        "as_literal disagrees with references in {text:?}"
    );
}

fn check_reference(reference: &Reference) {
    if PSEUDO_PARAMETERS.contains(&reference.target.as_str()) {
        assert!(reference.is_pseudo());
        assert_eq!(reference.attribute, None, "pseudo parameter with attribute");
    } else {
        assert!(
            !reference.is_pseudo(),
            "unknown pseudo parameter {reference}"
        );
        // The grammar has no length limit (an over-long target simply matches nothing), so
        // this is `[A-Za-z][A-Za-z0-9]*` rather than `is_logical_name`.
        let mut chars = reference.target.chars();
        assert!(
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric()),
            "target of {reference:?}"
        );
    }
    if let Some(attribute) = &reference.attribute {
        let segment_ok =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        assert!(
            attribute.split('.').all(segment_ok),
            "attribute of {reference:?}"
        );
    }
    let written = reference.to_string();
    let reparsed =
        Text::parse(&written).unwrap_or_else(|e| panic!("{written:?} does not parse back: {e}"));
    assert_eq!(
        reparsed.parts,
        vec![Part::Ref(reference.clone())],
        "reference round trip through {written:?}"
    );
}
