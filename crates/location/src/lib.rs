//! Where things were written, for every error Stackweave reports: a source [`Location`]
//! (line and column), JSON Pointer helpers, the [`SourceMap`] from a YAML document's
//! pointers to locations, and the one "did you mean" ([`closest`]).
//!
//! A leaf crate: it knows YAML text, not stack files, templates or plugins, so every crate
//! that reports a location (the stack file's reader, the template reader, the
//! orchestrator, and the commands after them) shares one notion of it without depending on
//! the others.

mod source_map;
mod suggest;

pub use source_map::{
    DuplicateKey, Lines, Located, Location, Scan, ShortForms, SourceMap, UnknownTag, escape_token,
    first_non_printable, join_pointer, no_short_forms, not_utf8, scan, unescape_token,
};
pub use suggest::closest;
