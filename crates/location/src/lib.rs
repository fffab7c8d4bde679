//! Where things were written, and how a problem is told: a source [`Location`] (line and
//! column), JSON Pointer helpers, the [`SourceMap`] from a YAML document's pointers to
//! locations, the one "did you mean" ([`closest`]), the quoting of someone else's text in a
//! message ([`shortened`], [`visible`]), the one [`Diagnostic`] every error becomes, and
//! the reading of a YAML file's structure every format of ours shares: the [`Problems`]
//! collector, the [`ReadFields`] reader of mappings and strings, YAML → JSON
//! ([`yaml_to_json`]) and a file's [`top_level_keys`].
//!
//! A leaf crate: it knows YAML text, not stack files, templates or plugins, so every crate
//! that reports a location (the stack file's reader, the template reader, the
//! orchestrator, and the commands after them) shares one notion of it without depending on
//! the others.

mod diagnostic;
mod fields;
mod quote;
mod source_map;
mod suggest;

pub use diagnostic::{Diagnostic, PluginLabel, Severity};
pub use fields::{
    At, Dialect, Document, Entries, NotYaml, OwnerOf, Problems, ReadFields, ValueProblem,
    bad_number, get, join_tidy, json_number, key_text, non_string_key, problem_list, read_document,
    same_key_twice, tag_refused, top_level_keys, written, yaml_to_json, yaml_value,
};
pub use quote::{SHOWN_CHARS, shortened, visible};
pub use source_map::{
    DuplicateKey, Lines, Located, Location, Scan, ShortForms, SourceMap, UnknownTag, escape_token,
    first_non_printable, join_pointer, no_short_forms, not_utf8, scan, unescape_token,
};
pub use suggest::closest;
