//! Source locations: where each node of a YAML (or JSON) document was written.
//!
//! serde_yaml gives us values but forgets where they came from, so this module replays the
//! document through yaml-rust2's event parser and records, for every node, its JSON Pointer
//! and the line/column of both its key and its value. Callers (the stack file's reader, the
//! template reader, and the commands after them) then ask for a pointer and get a location,
//! falling back to the nearest ancestor for nodes that were never indexed (contents of
//! `!file` data, aliased subtrees). It is not a YAML loader: values come from serde_yaml.
//!
//! One builder serves both kinds of file. A template's CloudFormation short forms
//! (`!GetAtt A.B`) stand for long forms (`{"Fn::GetAtt": ["A", "B"]}`) the rest of
//! Stackweave reads, so a caller may say which tags are short forms ([`ShortForms`]): their
//! contents are indexed at the long form's pointers too.

use std::collections::HashMap;
use std::fmt;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

/// A position in a source file; both numbers start at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line number, 1-based.
    pub line: usize,
    /// Column number in characters, 1-based.
    pub column: usize,
}

impl Location {
    /// The start of a file, used when nothing more precise is known.
    pub const START: Location = Location { line: 1, column: 1 };

    /// Where the character right after `before` (a prefix of a text) is.
    fn after(before: &str) -> Self {
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where the first byte of `bytes` that is not UTF-8 is, and that byte (`error` is what
/// `str::from_utf8` said of `bytes`). Columns count characters, as everywhere.
pub fn not_utf8(bytes: &[u8], error: std::str::Utf8Error) -> (Location, u8) {
    let valid_up_to = error.valid_up_to();
    let before = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
    let location = Location::after(before);
    (
        location,
        bytes.get(valid_up_to).copied().unwrap_or_default(),
    )
}

/// Where the first character YAML does not allow is, and that character: YAML text may hold
/// tab, line breaks and printable Unicode only (YAML 1.2, section 5.1, as libyaml checks it).
/// serde_yaml refuses the others without a usable position.
pub fn first_non_printable(text: &str) -> Option<(Location, char)> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
    let (offset, found) = text.char_indices().find(|&(_, c)| !allowed(c))?;
    Some((Location::after(&text[..offset]), found))
}

/// Escapes one JSON Pointer reference token (RFC 6901): `~` becomes `~0`, `/` becomes `~1`.
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape_token`].
pub fn unescape_token(token: &str) -> String {
    // Order matters: `~01` must become `~1`, not `/`.
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends one unescaped token to a JSON Pointer.
pub fn join_pointer(parent: &str, token: &str) -> String {
    format!("{parent}/{}", escape_token(token))
}

/// yaml-rust2's handle for the standard `!!` tags, which serde_yaml resolves itself.
const STANDARD_HANDLE: &str = "tag:yaml.org,2002:";

/// Where one node was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The key of the map entry holding the node; for list items, short-form contents and
    /// the root, the node itself.
    pub key: Location,
    /// The node's value (for a short form, its tag).
    pub value: Location,
}

/// Maps JSON Pointers (from the document root; for a template, into its long form) to where
/// their nodes were written.
///
/// [`SourceMap::locate`] and [`SourceMap::locate_key`] fall back to the nearest indexed
/// ancestor (and to 1:1), while [`SourceMap::get`] answers only for the pointer itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    entries: HashMap<String, Located>,
}

impl SourceMap {
    /// Where the node at `pointer` (or its nearest indexed ancestor) was written.
    pub fn locate(&self, pointer: &str) -> Location {
        self.find(pointer)
            .map_or(Location::START, |found| found.value)
    }

    /// Where the key of the entry at `pointer` (or its nearest indexed ancestor) was
    /// written.
    pub fn locate_key(&self, pointer: &str) -> Location {
        self.find(pointer)
            .map_or(Location::START, |found| found.key)
    }

    /// Where the node at exactly `pointer` was written, if it was indexed.
    pub fn get(&self, pointer: &str) -> Option<Located> {
        self.entries.get(pointer).copied()
    }

    /// Whether `pointer` itself was indexed.
    pub fn contains(&self, pointer: &str) -> bool {
        self.entries.contains_key(pointer)
    }

    /// Whether nothing was indexed (a JSON file yaml-rust2 could not read, for one).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find(&self, pointer: &str) -> Option<Located> {
        let mut current = pointer;
        loop {
            if let Some(found) = self.entries.get(current) {
                return Some(*found);
            }
            match current.rfind('/') {
                Some(slash) => current = &current[..slash],
                None => return None,
            }
        }
    }
}

/// A key written twice in the same mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Pointer of the entry (parent pointer plus the key).
    pub pointer: String,
    /// The key as written.
    pub key: String,
    /// The second occurrence.
    pub location: Location,
    /// The first occurrence.
    pub first: Location,
}

/// A tag that is neither a short form nor a standard YAML tag (`!!str`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTag {
    /// As written, with its `!`.
    pub tag: String,
    /// Where it was written.
    pub at: Location,
}

/// Which local tags (`!Name`) are short forms of a long form, as CloudFormation's `!Ref`
/// is of `{"Ref": ...}`: the long form's key, or `None` for any other tag.
pub type ShortForms = fn(&str) -> Option<&'static str>;

/// No short forms: every tag is just a tag (a stack file's `!file`).
pub fn no_short_forms(_tag: &str) -> Option<&'static str> {
    None
}

/// Everything one pass over the text found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Where every node was written.
    pub map: SourceMap,
    /// Keys written twice in one mapping, in text order.
    pub duplicates: Vec<DuplicateKey>,
    /// Tags that are neither short forms nor standard YAML tags, in text order.
    pub unknown_tags: Vec<UnknownTag>,
}

/// Indexes `text`, which must be one YAML (or JSON) document; `short_forms` says which
/// tags stand for a long form.
pub fn scan(text: &str, short_forms: ShortForms) -> Result<Scan, ScanError> {
    let mut builder = Builder {
        lines: Lines::new(text),
        frames: Vec::new(),
        scan: Scan::default(),
        short_forms,
        skipping: 0,
        skipping_key: false,
        root_seen: false,
        previous: 0,
    };
    let mut parser = Parser::new_from_str(text);
    // Only the first document: serde_yaml refuses streams of several anyway.
    parser.load(&mut builder, false)?;
    Ok(builder.scan)
}

impl SourceMap {
    /// Indexes a document with no short forms (a stack file), also reporting duplicate
    /// keys: [`scan`] for those who need only these two.
    pub fn scan(text: &str) -> Result<(SourceMap, Vec<DuplicateKey>), ScanError> {
        scan(text, no_short_forms).map(|found| (found.map, found.duplicates))
    }

    /// Where the first alias (`*name`) of `text` is written. serde_yaml refuses aliases
    /// that expand to too much (a "billion laughs") without a position; the expansion
    /// starts there.
    pub fn first_alias(text: &str) -> Option<Location> {
        first_alias(text)
    }
}

fn first_alias(text: &str) -> Option<Location> {
    struct FirstAlias(Option<Marker>);
    impl MarkedEventReceiver for FirstAlias {
        fn on_event(&mut self, event: Event, mark: Marker) {
            if matches!(event, Event::Alias(_)) && self.0.is_none() {
                self.0 = Some(mark);
            }
        }
    }
    let mut found = FirstAlias(None);
    let _ = Parser::new_from_str(text).load(&mut found, false);
    found.0.map(|mark| Lines::new(text).mark_location(mark))
}

/// Line starts of a text, to turn yaml-rust2's (line, column) marks into byte offsets and
/// back. Its character index is not used: it is not counted the same way everywhere.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    /// Where locations past the end are moved to (see [`Lines::clamp`]): counted once,
    /// since every event is clamped and recounting made reading quadratic.
    last_line: usize,
    end: Location,
}

impl<'t> Lines<'t> {
    /// Measures `text`'s lines.
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        let last_line = text.lines().count().max(1);
        let end = Location {
            line: last_line,
            column: text.lines().last().unwrap_or("").chars().count() + 1,
        };
        Lines {
            text,
            starts,
            last_line,
            end,
        }
    }

    /// The byte offset of 1-based `line`, 0-based character `column`, clamped to the text.
    fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(column)
            .map_or(self.text.len(), |(at, _)| start + at)
    }

    /// The location of a byte offset.
    fn location(&self, offset: usize) -> Location {
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line.saturating_sub(1)];
        Location {
            line,
            column: self.text[start..offset].chars().count() + 1,
        }
    }

    /// yaml-rust2 reports things at the very end of a text on the line after the last;
    /// point at the end of the last line instead.
    pub fn clamp(&self, location: Location) -> Location {
        // After a final line break the (empty) next line exists too.
        let limit = self.last_line + usize::from(self.text.ends_with('\n'));
        if location.line <= limit {
            location
        } else {
            self.end
        }
    }

    /// The location of a yaml-rust2 mark.
    pub fn mark_location(&self, mark: Marker) -> Location {
        self.clamp(Location {
            line: mark.line().max(1),
            column: mark.col() + 1,
        })
    }
}

#[derive(Debug)]
enum Key {
    /// The next node is a key.
    Expected,
    /// A text key was read; the next node is its value.
    Text(String, Location),
    /// A key that is a list, map or alias was read; its value is not indexed.
    Complex,
}

#[derive(Debug)]
enum Frame {
    Mapping {
        pointer: String,
        key: Key,
        seen: HashMap<String, Location>,
        /// Entries to relocate to the first key: yaml-rust2 marks a block mapping at its
        /// first `:`, but people look for its first key. `true` when the key moves too
        /// (the root, list items and short-form contents have no key of their own).
        fix: Vec<(String, bool)>,
    },
    Sequence {
        pointer: String,
        index: usize,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Leaf,
    Mapping,
    Sequence,
    Close,
}

struct Builder<'t> {
    lines: Lines<'t>,
    frames: Vec<Frame>,
    scan: Scan,
    short_forms: ShortForms,
    /// Depth inside a subtree that is not indexed (complex keys and their values).
    skipping: usize,
    /// Whether that subtree is a key (so its value comes next) or a value.
    skipping_key: bool,
    root_seen: bool,
    /// Byte offset of the previous event, where the search for a tag starts.
    previous: usize,
}

impl Builder<'_> {
    /// Where the tag of the node marked at `offset` was written: yaml-rust2 marks the node's
    /// content, which for `!Sub |` is on the next line, but the tag is what people look for.
    fn tag_location(&self, tag: &Tag, offset: usize) -> Option<Location> {
        let written = format!("{}{}", tag.handle, tag.suffix);
        let from = self.previous.min(offset);
        let found = self.lines.text[from..offset].rfind(&written)?;
        Some(self.lines.location(from + found))
    }

    fn is_flow_start(&self, offset: usize) -> bool {
        matches!(self.lines.text[offset..].chars().next(), Some('{' | '['))
    }

    fn advance_parent(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Mapping { key, .. }) => *key = Key::Expected,
            Some(Frame::Sequence { index, .. }) => *index += 1,
            None => {}
        }
    }

    fn insert(&mut self, pointer: &str, key: Location, value: Location) {
        // With duplicate keys the first occurrence keeps its place (it is reported).
        self.scan
            .map
            .entries
            .entry(pointer.to_owned())
            .or_insert(Located { key, value });
    }

    /// Handles a node read where a key is expected.
    fn key(&mut self, node: Node, text: Option<&str>, here: Location) {
        let Some(Frame::Mapping {
            pointer,
            key,
            seen,
            fix,
        }) = self.frames.last_mut()
        else {
            return;
        };
        let fixes = std::mem::take(fix);
        match (node, text) {
            (Node::Leaf, Some(text)) => {
                if let Some(first) = seen.get(text) {
                    self.scan.duplicates.push(DuplicateKey {
                        pointer: join_pointer(pointer, text),
                        key: text.to_owned(),
                        location: here,
                        first: *first,
                    });
                } else {
                    seen.insert(text.to_owned(), here);
                }
                *key = Key::Text(text.to_owned(), here);
            }
            (Node::Leaf, None) => *key = Key::Complex,
            _ => {
                *key = Key::Complex;
                self.skipping = 1;
                self.skipping_key = true;
            }
        }
        for (pointer, with_key) in fixes {
            if let Some(entry) = self.scan.map.entries.get_mut(&pointer) {
                if with_key {
                    entry.key = here;
                }
                entry.value = here;
            }
        }
    }

    /// Handles a value node: indexes it (and, for a short form, its long form) and opens
    /// its frame when it is a collection.
    fn value(&mut self, node: Node, tag: Option<&Tag>, empty: bool, here: Location, offset: usize) {
        let (pointer, key_location, has_key) = match self.frames.last() {
            None if self.root_seen => return,
            None => {
                self.root_seen = true;
                (String::new(), here, false)
            }
            Some(Frame::Sequence { pointer, index }) => {
                (join_pointer(pointer, &index.to_string()), here, false)
            }
            Some(Frame::Mapping {
                pointer,
                key: Key::Text(text, location),
                ..
            }) => (join_pointer(pointer, text), *location, true),
            Some(Frame::Mapping { .. }) => {
                // The value of a complex key: not addressable by a pointer.
                if node == Node::Leaf {
                    self.advance_parent();
                } else {
                    self.skipping = 1;
                    self.skipping_key = false;
                }
                return;
            }
        };
        // An empty value (even after a tag, as in `definition: !file`) is marked at the next
        // token, often lines further down; its key is where the user wrote it.
        let value_location = if empty { key_location } else { here };
        self.insert(&pointer, key_location, value_location);
        let mut inner = pointer.clone();
        match tag {
            Some(tag) if tag.handle == "!" => match (self.short_forms)(&tag.suffix) {
                Some(long) => {
                    inner = join_pointer(&pointer, long);
                    self.insert(&inner, here, here);
                    if long == "Fn::GetAtt" && node == Node::Leaf {
                        // `!GetAtt A.B` becomes a two-item list.
                        self.insert(&join_pointer(&inner, "0"), here, here);
                        self.insert(&join_pointer(&inner, "1"), here, here);
                    }
                }
                None => self.scan.unknown_tags.push(UnknownTag {
                    tag: format!("!{}", tag.suffix),
                    at: here,
                }),
            },
            Some(tag) if tag.handle == STANDARD_HANDLE => {}
            Some(tag) => self.scan.unknown_tags.push(UnknownTag {
                tag: format!("{}{}", tag.handle, tag.suffix),
                at: here,
            }),
            None => {}
        }
        match node {
            Node::Leaf => self.advance_parent(),
            Node::Mapping => {
                let mut fix = Vec::new();
                // A tagged mapping is located at its tag already.
                if tag.is_none() && !self.is_flow_start(offset) {
                    fix.push((pointer, !has_key));
                }
                self.frames.push(Frame::Mapping {
                    pointer: inner,
                    key: Key::Expected,
                    seen: HashMap::new(),
                    fix,
                });
            }
            Node::Sequence => self.frames.push(Frame::Sequence {
                pointer: inner,
                index: 0,
            }),
            Node::Close => {}
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let (node, tag, text, empty) = match &event {
            Event::Scalar(text, style, _, tag) => (
                Node::Leaf,
                tag.as_ref(),
                Some(text.as_str()),
                text.is_empty() && *style == TScalarStyle::Plain,
            ),
            Event::Alias(_) => (Node::Leaf, None, None, false),
            Event::MappingStart(_, tag) => (Node::Mapping, tag.as_ref(), None, false),
            Event::SequenceStart(_, tag) => (Node::Sequence, tag.as_ref(), None, false),
            Event::MappingEnd | Event::SequenceEnd => (Node::Close, None, None, false),
            _ => return,
        };
        let offset = self.lines.offset(mark.line(), mark.col());
        let tag_location = tag.and_then(|tag| self.tag_location(tag, offset));
        let here = tag_location.unwrap_or_else(|| self.lines.mark_location(mark));
        self.previous = offset;
        if self.skipping > 0 {
            match node {
                Node::Mapping | Node::Sequence => self.skipping += 1,
                Node::Close => {
                    self.skipping -= 1;
                    if self.skipping == 0 && !self.skipping_key {
                        self.advance_parent();
                    }
                }
                Node::Leaf => {}
            }
            return;
        }
        if node == Node::Close {
            self.frames.pop();
            self.advance_parent();
            return;
        }
        let is_key = matches!(
            self.frames.last(),
            Some(Frame::Mapping {
                key: Key::Expected,
                ..
            })
        );
        if is_key {
            self.key(node, text, here);
        } else {
            self.value(node, tag, empty, here, offset);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Location {
        Location { line, column }
    }

    fn index(text: &str) -> SourceMap {
        scan(text, cloudformation).expect("valid YAML").map
    }

    /// The short forms the template reader passes (a few, for these tests).
    fn cloudformation(tag: &str) -> Option<&'static str> {
        match tag {
            "Ref" => Some("Ref"),
            "GetAtt" => Some("Fn::GetAtt"),
            "Sub" => Some("Fn::Sub"),
            _ => None,
        }
    }

    #[test]
    fn short_forms_are_indexed_at_their_long_form_pointers() {
        let map = index(
            "A:\n  Ref: !Ref Target\n  Att: !GetAtt Api.RootResourceId\n  Sub: !Sub\n    - x-${V}\n    - V: !Ref W\n",
        );
        assert_eq!(map.get("/A/Ref").map(|l| l.value), Some(at(2, 8)));
        assert_eq!(map.get("/A/Ref/Ref").map(|l| l.value), Some(at(2, 8)));
        assert_eq!(
            map.get("/A/Att/Fn::GetAtt/1").map(|l| l.value),
            Some(at(3, 8))
        );
        // The tag is on the key's line, its list below.
        assert_eq!(map.get("/A/Sub").map(|l| l.value), Some(at(4, 8)));
        assert_eq!(map.get("/A/Sub/Fn::Sub/0").map(|l| l.value), Some(at(5, 7)));
        assert_eq!(map.get("/A/Sub/Fn::Sub/1/V").map(|l| l.key), Some(at(6, 7)));
        assert_eq!(
            map.get("/A/Sub/Fn::Sub/1/V/Ref").map(|l| l.value),
            Some(at(6, 10))
        );
    }

    #[test]
    fn block_mappings_are_located_at_their_first_key() {
        let map = index("# comment\nResources:\n  Api:\n    Type: X\n");
        assert_eq!(map.get("").map(|l| l.key), Some(at(2, 1)));
        assert_eq!(map.get("/Resources").map(|l| l.value), Some(at(3, 3)));
        assert_eq!(map.get("/Resources/Api").map(|l| l.key), Some(at(3, 3)));
        assert_eq!(
            map.get("/Resources/Api/Type").map(|l| l.key),
            Some(at(4, 5))
        );
        assert_eq!(map.locate_key("/Resources/Api/Type/deeper"), at(4, 5));
    }

    #[test]
    fn duplicates_and_unknown_tags_are_reported_with_their_lines() {
        let found =
            scan("A: 1\nB: !Reference X\nA: 2\nC: !!str 5\n", cloudformation).expect("valid YAML");
        assert_eq!(
            found.duplicates,
            vec![DuplicateKey {
                pointer: "/A".into(),
                key: "A".into(),
                location: at(3, 1),
                first: at(1, 1)
            }]
        );
        assert_eq!(
            found.unknown_tags,
            vec![UnknownTag {
                tag: "!Reference".into(),
                at: at(2, 4)
            }]
        );
    }

    #[test]
    fn json_is_indexed_too() {
        let map = index("{\n\t\"Resources\": {\n\t\t\"Api\": {\"Type\": \"X\"}\n\t}\n}\n");
        assert_eq!(map.get("/Resources/Api").map(|l| l.key), Some(at(3, 3)));
        assert_eq!(
            map.get("/Resources/Api/Type").map(|l| l.value),
            Some(at(3, 19))
        );
    }
}

#[cfg(test)]
#[path = "source_map_tests.rs"]
mod stack_file_tests;
