//! Where each node of a template was written: JSON Pointers (into the long form) to line and
//! column.
//!
//! `stackweave_location::SourceMap` cannot be used here: it knows nothing of short forms, so
//! the contents of `!GetAtt A.B` would sit at a different pointer than in the long form the
//! rest of Stackweave reads. This index replays yaml-rust2's events like that one does, and gives every short-form node
//! the pointer of its long form: `!Sub` at `/Outputs/Url/Value` also indexes
//! `/Outputs/Url/Value/Fn::Sub`, and `!GetAtt Api.RootResourceId` its two list items.
//! It also reports what serde_yaml would lose or mislocate: duplicate keys (with both
//! lines) and tags CloudFormation does not know (with the tag's own line).

use std::collections::HashMap;

use stackweave_location::{Location, join_pointer};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use crate::short_form::long_form_key;

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

/// Maps JSON Pointers into a template's long form to where their nodes were written.
///
/// Lookups mirror `stackweave_location::SourceMap`'s: [`SourceMap::locate`] and
/// [`SourceMap::locate_key`] fall back to the nearest indexed ancestor (and to 1:1), while
/// [`SourceMap::get`] answers only for the pointer itself.
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

/// A key written twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Duplicate {
    pub key: String,
    pub at: Location,
    pub first: Location,
}

/// A tag that is neither a CloudFormation short form nor a standard YAML tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownTag {
    /// As written, with its `!`.
    pub tag: String,
    pub at: Location,
}

/// Everything one pass over the text found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub map: SourceMap,
    pub duplicates: Vec<Duplicate>,
    pub unknown_tags: Vec<UnknownTag>,
}

/// Indexes `text`, which must be one YAML (or JSON) document.
pub(crate) fn scan(text: &str) -> Result<Scan, ScanError> {
    let mut builder = Builder {
        lines: Lines::new(text),
        frames: Vec::new(),
        scan: Scan::default(),
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

/// Line starts of a text, to turn yaml-rust2's (line, column) marks into byte offsets and
/// back. Its character index is not used: it is not counted the same way everywhere.
pub(crate) struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    /// Where locations past the end are moved to (see [`Lines::clamp`]): counted once,
    /// since every event is clamped and recounting made reading quadratic.
    last_line: usize,
    end: Location,
}

impl<'t> Lines<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
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
    pub(crate) fn clamp(&self, location: Location) -> Location {
        // After a final line break the (empty) next line exists too.
        let limit = self.last_line + usize::from(self.text.ends_with('\n'));
        if location.line <= limit {
            location
        } else {
            self.end
        }
    }

    /// The location of a yaml-rust2 mark.
    pub(crate) fn mark_location(&self, mark: Marker) -> Location {
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
        let Some(Frame::Mapping { key, seen, fix, .. }) = self.frames.last_mut() else {
            return;
        };
        let fixes = std::mem::take(fix);
        match (node, text) {
            (Node::Leaf, Some(text)) => {
                if let Some(first) = seen.get(text) {
                    self.scan.duplicates.push(Duplicate {
                        key: text.to_owned(),
                        at: here,
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
        // An empty value is marked at the next token, often lines further down.
        let value_location = if empty && tag.is_none() {
            key_location
        } else {
            here
        };
        self.insert(&pointer, key_location, value_location);
        let mut inner = pointer.clone();
        match tag {
            Some(tag) if tag.handle == "!" => match long_form_key(&tag.suffix) {
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
        scan(text).expect("valid YAML").map
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
        let found = scan("A: 1\nB: !Reference X\nA: 2\nC: !!str 5\n").expect("valid YAML");
        assert_eq!(
            found.duplicates,
            vec![Duplicate {
                key: "A".into(),
                at: at(3, 1),
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
