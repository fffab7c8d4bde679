//! Source locations: where each node of a YAML file (a stack file) was written.
//!
//! serde_yaml gives us values but forgets where they came from, so this module replays the
//! document through yaml-rust2's event parser and records, for every node, its JSON Pointer
//! and the line/column of both its key and its value. Callers (the stack file's reader and
//! the orchestrator) then ask for a pointer and get a location, falling back to the nearest
//! ancestor for nodes that were never indexed (contents of `!file` data, aliased subtrees).
//! It is not a YAML loader: values themselves come from serde_yaml.

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

    /// yaml-rust2 reports anything at the very end of a file without a final line break
    /// (a syntax error, an empty value) on the line after the last; point at the end of the
    /// last line instead.
    pub fn within(self, end: &TextEnd) -> Self {
        if self.line <= end.last_line {
            self
        } else {
            end.end_of_last_line
        }
    }

    /// Where the character right after `before` (a prefix of a text) is.
    fn after(before: &str) -> Self {
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }

    /// The location of a yaml-rust2 marker (which counts columns from 0).
    pub fn from_marker(mark: Marker) -> Self {
        // yaml-rust2 counts columns from 0 but lines from 1.
        Location {
            line: mark.line().max(1),
            column: mark.col() + 1,
        }
    }
}

/// Where a text ends, measured once so that clamping every location in a large stack file
/// stays linear.
pub struct TextEnd {
    /// The last line a location may be on: after a final line break, the (empty) line
    /// after it exists too.
    last_line: usize,
    end_of_last_line: Location,
}

impl TextEnd {
    /// Measures where `text` ends.
    pub fn of(text: &str) -> Self {
        let lines = text.lines().count().max(1);
        let last = text.lines().last().unwrap_or("");
        TextEnd {
            last_line: lines + usize::from(text.ends_with('\n')),
            end_of_last_line: Location {
                line: lines,
                column: last.chars().count() + 1,
            },
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

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Location,
    value: Location,
}

/// Maps JSON Pointers (from the document root) to where their nodes were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    entries: HashMap<String, (Location, Location)>,
}

impl SourceMap {
    /// Where the node at `pointer` was written; for a map entry, its value.
    ///
    /// Falls back to the nearest indexed ancestor, and to 1:1 when nothing is indexed.
    pub fn locate(&self, pointer: &str) -> Location {
        self.find(pointer)
            .map_or(Location::START, |(_, value)| value)
    }

    /// Where the key of the map entry at `pointer` was written (its value for list items
    /// and the root), with the same fallback as [`SourceMap::locate`].
    pub fn locate_key(&self, pointer: &str) -> Location {
        self.find(pointer).map_or(Location::START, |(key, _)| key)
    }

    /// Whether `pointer` itself (not an ancestor) was indexed.
    pub fn contains(&self, pointer: &str) -> bool {
        self.entries.contains_key(pointer)
    }

    fn find(&self, pointer: &str) -> Option<(Location, Location)> {
        let mut current = pointer;
        loop {
            if let Some(found) = self.entries.get(current) {
                return Some(*found);
            }
            match current.rfind('/') {
                Some(slash) => current = &current[..slash],
                None if current.is_empty() => return None,
                None => current = "",
            }
        }
    }

    /// Indexes `text`, which must be a YAML document, also reporting duplicate keys.
    pub fn scan(text: &str) -> Result<(SourceMap, Vec<DuplicateKey>), ScanError> {
        let mut builder = Builder {
            lines: text.lines().collect(),
            ..Builder::default()
        };
        let mut parser = Parser::new_from_str(text);
        // Only the first document is indexed; serde_yaml rejects streams of several.
        parser.load(&mut builder, false)?;
        let end = TextEnd::of(text);
        let entries = builder
            .entries
            .into_iter()
            .map(|(pointer, e)| (pointer, (e.key.within(&end), e.value.within(&end))))
            .collect();
        Ok((SourceMap { entries }, builder.duplicates))
    }
}

impl SourceMap {
    /// Where the first alias (`*name`) of `text` is written. serde_yaml refuses aliases that
    /// expand to too much (a "billion laughs") without a position; the expansion starts
    /// there.
    pub fn first_alias(text: &str) -> Option<Location> {
        struct FirstAlias(Option<Location>);
        impl MarkedEventReceiver for FirstAlias {
            fn on_event(&mut self, event: Event, mark: Marker) {
                if matches!(event, Event::Alias(_)) && self.0.is_none() {
                    self.0 = Some(Location::from_marker(mark));
                }
            }
        }
        let mut found = FirstAlias(None);
        let _ = Parser::new_from_str(text).load(&mut found, false);
        found.0.map(|at| at.within(&TextEnd::of(text)))
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

#[derive(Debug)]
enum Frame {
    Mapping {
        pointer: String,
        /// The key just read, with its location; `None` while a key is expected.
        /// `Some((None, _))` is a complex (non-scalar) key, whose value is not indexed.
        key: Option<(Option<String>, Location)>,
        seen: HashMap<String, Location>,
        /// Block mappings report a start mark at their first `:`, so their location is
        /// taken from the first key instead.
        fix_start: bool,
    },
    Sequence {
        pointer: String,
        index: usize,
    },
}

#[derive(Debug, Default)]
struct Builder<'t> {
    lines: Vec<&'t str>,
    frames: Vec<Frame>,
    entries: HashMap<String, Entry>,
    duplicates: Vec<DuplicateKey>,
    /// Depth inside a subtree that is not indexed (complex keys and their values).
    skipping: usize,
    /// Whether the subtree being skipped is a key (its value follows) or a value.
    skipping_key: bool,
    root_seen: bool,
}

enum Node {
    Leaf,
    Open,
    Close,
}

impl Builder<'_> {
    /// Whether the source has a flow indicator (`{` or `[`) at `mark`.
    fn is_flow_start(&self, mark: Marker) -> bool {
        self.lines
            .get(mark.line().saturating_sub(1))
            .and_then(|line| line.chars().nth(mark.col()))
            .is_some_and(|c| c == '{' || c == '[')
    }

    /// Where a tagged scalar's tag starts, when it is on the scalar's line: the parser
    /// reports the scalar itself, but users look for the tag (`!file`).
    fn tag_start(&self, tag: &Tag, mark: Marker) -> Option<Location> {
        let written = format!("{}{}", tag.handle, tag.suffix);
        let line = self.lines.get(mark.line().checked_sub(1)?)?;
        let before: String = line.chars().take(mark.col()).collect();
        let column = before.rfind(&written)?;
        Some(Location {
            line: mark.line(),
            column: before[..column].chars().count() + 1,
        })
    }

    /// Marks the node just finished as consumed by its parent.
    fn advance_parent(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Mapping { key, .. }) => *key = None,
            Some(Frame::Sequence { index, .. }) => *index += 1,
            None => {}
        }
    }

    /// Handles a node that starts (or is) at `mark`; returns the node's pointer when it is
    /// a value that gets indexed, `None` for keys and unindexed values.
    fn start_node(&mut self, scalar: Option<&str>, empty: bool, here: Location) -> Option<String> {
        let (pointer, key_location, value_location) = match self.frames.last_mut() {
            None if self.root_seen => return None,
            None => {
                self.root_seen = true;
                (String::new(), here, here)
            }
            Some(Frame::Sequence { pointer, index }) => {
                (join_pointer(pointer, &index.to_string()), here, here)
            }
            Some(Frame::Mapping {
                pointer,
                key,
                seen,
                fix_start,
            }) => match key {
                None => {
                    // This node is a key.
                    if *fix_start {
                        *fix_start = false;
                        if let Some(entry) = self.entries.get_mut(pointer.as_str()) {
                            // The root and list items have no key of their own.
                            if entry.key == entry.value {
                                entry.key = here;
                            }
                            entry.value = here;
                        }
                    }
                    let text = scalar.map(str::to_owned);
                    if let Some(text) = &text {
                        if let Some(first) = seen.get(text) {
                            self.duplicates.push(DuplicateKey {
                                pointer: join_pointer(pointer, text),
                                key: text.clone(),
                                location: here,
                                first: *first,
                            });
                        } else {
                            seen.insert(text.clone(), here);
                        }
                    }
                    *key = Some((text, here));
                    return None;
                }
                Some((None, _)) => return None,
                Some((Some(text), key_location)) => {
                    // An empty value is reported at the next token, often a line further
                    // down; the key is where the user wrote it.
                    let value = if empty { *key_location } else { here };
                    (join_pointer(pointer, text), *key_location, value)
                }
            },
        };
        // Duplicates keep the first occurrence's locations.
        self.entries.entry(pointer.clone()).or_insert(Entry {
            key: key_location,
            value: value_location,
        });
        Some(pointer)
    }

    fn is_key_position(&self) -> bool {
        matches!(self.frames.last(), Some(Frame::Mapping { key: None, .. }))
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let mut here = Location::from_marker(mark);
        let (node, scalar, empty) = match &event {
            Event::Scalar(text, style, _, tag) => {
                if let Some(tag) = tag {
                    here = self.tag_start(tag, mark).unwrap_or(here);
                }
                let empty = text.is_empty() && *style == TScalarStyle::Plain;
                (Node::Leaf, Some(text.clone()), empty)
            }
            Event::Alias(_) => (Node::Leaf, None, false),
            Event::MappingStart(_, tag) | Event::SequenceStart(_, tag) => {
                if let Some(tag) = tag {
                    here = self.tag_start(tag, mark).unwrap_or(here);
                }
                (Node::Open, None, false)
            }
            Event::MappingEnd | Event::SequenceEnd => (Node::Close, None, false),
            _ => return,
        };
        if self.skipping > 0 {
            match node {
                Node::Open => self.skipping += 1,
                Node::Close => {
                    self.skipping -= 1;
                    // A skipped key keeps its `Some((None, _))` so the next node is its
                    // (unindexed) value; a skipped value completes its parent's entry.
                    if self.skipping == 0 && !self.skipping_key {
                        self.advance_parent();
                    }
                }
                Node::Leaf => {}
            }
            return;
        }
        match node {
            Node::Close => {
                self.frames.pop();
                self.advance_parent();
            }
            Node::Leaf => {
                let was_key = self.is_key_position();
                self.start_node(scalar.as_deref(), empty, here);
                if !was_key {
                    self.advance_parent();
                }
            }
            Node::Open => {
                let was_key = self.is_key_position();
                let pointer = self.start_node(None, false, here);
                match pointer {
                    Some(pointer) if !was_key => {
                        let frame = if matches!(event, Event::MappingStart(..)) {
                            let fix_start = !self.is_flow_start(mark);
                            Frame::Mapping {
                                pointer,
                                key: None,
                                seen: HashMap::new(),
                                fix_start,
                            }
                        } else {
                            Frame::Sequence { pointer, index: 0 }
                        };
                        self.frames.push(frame);
                    }
                    _ => {
                        self.skipping = 1;
                        self.skipping_key = was_key;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "source_map_tests.rs"]
mod tests;
