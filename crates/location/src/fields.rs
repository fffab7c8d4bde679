//! Reading a YAML file's structure and telling its problems, for every file format of ours
//! that is YAML (the stack file, the app file, the emulator's test case and mocks files): the [`Problems`] collector, which locates
//! each problem by JSON Pointer, the [`ReadFields`] reader of mappings, strings and keys
//! over `serde_yaml` values, YAML → JSON conversion, and the first look at a file's
//! [`top_level_keys`].
//!
//! Only what is the same for every format lives here; where the formats word a problem
//! differently (which tags they allow, how they name a mapping), the reader asks its
//! [`Dialect`]. What a format's keys mean is its own crate's business.

use std::path::{Component, Path, PathBuf};

use serde_yaml::Value as Yaml;
use serde_yaml::value::TaggedValue;

use crate::diagnostic::Diagnostic;
use crate::quote::shortened;
use crate::source_map::{DuplicateKey, Lines, Location, SourceMap, join_pointer};
use crate::suggest::closest;

/// Which part of an entry a problem points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The key of the map entry (unknown, missing or misnamed keys).
    Key,
    /// The value.
    Value,
}

/// The construct (or other owner) a pointer lies under, named on each problem there.
pub type OwnerOf = fn(&str) -> Option<String>;

/// Collects problems while a file is analysed, locating each by JSON Pointer; the file's
/// problems are then told all at once, so a user fixes a whole file in one pass.
#[derive(Debug)]
pub struct Problems<'a> {
    path: &'a Path,
    map: &'a SourceMap,
    found: Vec<Diagnostic>,
    construct_of: Option<OwnerOf>,
}

impl<'a> Problems<'a> {
    /// A collector for the file at `path`, whose nodes `map` locates.
    pub fn new(path: &'a Path, map: &'a SourceMap) -> Self {
        Problems {
            path,
            map,
            found: Vec::new(),
            construct_of: None,
        }
    }

    /// Names on every problem the construct its pointer lies under, as `construct_of`
    /// tells it.
    pub fn naming_constructs(mut self, construct_of: OwnerOf) -> Self {
        self.construct_of = Some(construct_of);
        self
    }

    /// Where the file's nodes were written.
    pub fn map(&self) -> &'a SourceMap {
        self.map
    }

    /// Records a problem at an exact location; `pointer` is the node it is about.
    pub fn push_at(
        &mut self,
        pointer: &str,
        location: Location,
        message: String,
        help: impl Into<String>,
    ) {
        let mut problem = Diagnostic::error(message)
            .at(self.path, Some(location))
            .help(help);
        problem.construct = self
            .construct_of
            .and_then(|construct_of| construct_of(pointer));
        self.found.push(problem);
    }

    /// Records a problem at the node `pointer` names.
    pub fn push(&mut self, pointer: &str, at: At, message: String, help: impl Into<String>) {
        let location = match at {
            At::Key => self.map.locate_key(pointer),
            At::Value => self.map.locate(pointer),
        };
        self.push_at(pointer, location, message, help);
    }

    /// Reports every key written twice in one mapping, as the scan of the text found them.
    pub fn duplicate_keys(&mut self, duplicates: &[DuplicateKey]) {
        for duplicate in duplicates {
            self.push_at(
                &duplicate.pointer,
                duplicate.location,
                format!(
                    "duplicate key `{}` (first written at line {})",
                    shortened(&duplicate.key),
                    duplicate.first.line
                ),
                "remove or rename one of them; YAML keeps only one value per key",
            );
        }
    }

    /// The problems in file order (stable, so problems at one spot keep their order).
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.found.sort_by_key(|p| p.location);
        self.found
    }
}

/// A file's problems as an error's text: how many there are in `the {file}` (`stack
/// file`, `app file`), then each on one line with its help below.
pub fn problem_list(file: &str, problems: &[Diagnostic]) -> String {
    let mut out = match problems.len() {
        1 => format!("the {file} has 1 problem; fix it and run again"),
        n => format!("the {file} has {n} problems; fix them and run again"),
    };
    for problem in problems {
        out.push('\n');
        out.push_str(&one_line(problem));
    }
    out
}

/// A problem as one line (and its help below), as a summary of a file's problems shows
/// it: `stack.yaml:3:5: construct `Api`: unknown key ...`.
fn one_line(problem: &Diagnostic) -> String {
    let mut out = String::new();
    if let Some(file) = &problem.file {
        out.push_str(&file.display().to_string());
        out.push(':');
    }
    let at = problem.location.unwrap_or(Location::START);
    out.push_str(&format!("{at}: "));
    if let Some(construct) = &problem.construct {
        out.push_str(&format!("construct `{construct}`: "));
    }
    out.push_str(&problem.message);
    if let Some(help) = &problem.help {
        out.push_str(&format!("\n  help: {help}"));
    }
    out
}

/// Why a document the scan read is no serde_yaml value: where serde_yaml gave up, when it
/// said, and what it said.
pub type NotYaml = (Option<Location>, String);

/// The document `text` as a serde_yaml value, once the scan has read it; `None` when
/// serde_yaml refuses keys written twice, which the scan found (`has_duplicates`) and
/// [`Problems::duplicate_keys`] reports with their locations.
pub fn yaml_value(text: &str, has_duplicates: bool) -> Result<Option<Yaml>, NotYaml> {
    match serde_yaml::from_str(text) {
        Ok(root) => Ok(Some(root)),
        Err(_) if has_duplicates => Ok(None),
        Err(error) => {
            let location = match error.location() {
                Some(l) => Some(Location {
                    line: l.line(),
                    column: l.column(),
                }),
                // Only aliases expanding to too much fail without a position.
                None => SourceMap::first_alias(text),
            };
            Err((location, error.to_string()))
        }
    }
}

/// A YAML document as the scan reads it (the source map and the keys written twice) and
/// as a serde_yaml value, which is `None` when serde_yaml refuses those keys (see
/// [`yaml_value`]).
pub type Document = (SourceMap, Vec<DuplicateKey>, Option<Yaml>);

/// Reads `text` with the scan, then as a serde_yaml value; where either gives up is a syntax
/// error.
pub fn read_document(text: &str) -> Result<Document, NotYaml> {
    let (map, duplicates) = SourceMap::scan(text).map_err(|error| {
        let location = Lines::new(text).mark_location(*error.marker());
        (Some(location), error.info().to_owned())
    })?;
    let root = yaml_value(text, !duplicates.is_empty())?;
    Ok((map, duplicates, root))
}

/// How a file format words the problems the shared reader finds.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// Where a tag is refused, ending "tag `!Ref` is not allowed …": `here`,
    /// `in an app file`.
    pub tag_refused: &'static str,
    /// What to do about a refused tag.
    pub tag_help: &'static str,
    /// Whether two keys meaning the same name their mapping as the caller does (`two keys
    /// of the app file`) or as `this mapping`.
    pub same_key_names_owner: bool,
}

/// A problem inside a value: pointer, message, help.
pub type ValueProblem = (String, String, String);

/// A mapping's entries with their keys as text.
pub type Entries<'v> = Vec<(String, &'v Yaml)>;

/// The value under `key`.
pub fn get<'v>(entries: &Entries<'v>, key: &str) -> Option<&'v Yaml> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// A scalar mapping key as text: strings as they are, numbers and booleans in canonical
/// form (YAML reads `2024:` as a number, but the person meant a name).
pub fn key_text(key: &Yaml) -> Option<String> {
    match key {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Two keys that YAML spells differently but that become the same text (`True` and
/// `"true"`, `1e0` and `"1.0"`): the raw-text duplicate check cannot see them. `owner`
/// names the mapping (`this mapping`).
pub fn same_key_twice(pointer: &str, key: &str, owner: &str) -> ValueProblem {
    (
        join_pointer(pointer, key),
        format!("two keys of {owner} both mean `{}`", shortened(key)),
        "keep one of them; YAML reads spellings such as `True` and `true` as the same key"
            .to_owned(),
    )
}

/// A mapping key that is neither a string, a number nor a boolean, inside a value.
pub fn non_string_key(pointer: &str) -> ValueProblem {
    (
        pointer.to_owned(),
        "mapping key is not a string, number or boolean".to_owned(),
        "use a plain string as the key".to_owned(),
    )
}

/// A YAML number as a JSON number, when JSON can hold it (not `.inf` or `.nan`).
pub fn json_number(n: &serde_yaml::Number) -> Option<serde_json::Number> {
    if let Some(i) = n.as_i64() {
        Some(i.into())
    } else if let Some(u) = n.as_u64() {
        Some(u.into())
    } else {
        n.as_f64().and_then(serde_json::Number::from_f64)
    }
}

/// A number JSON cannot hold.
pub fn bad_number(pointer: &str, n: &serde_yaml::Number) -> ValueProblem {
    (
        pointer.to_owned(),
        format!("number `{n}` cannot be represented in JSON"),
        "use a finite number, or quote it to make it a string".to_owned(),
    )
}

/// A tag where `dialect` allows none: message and help.
pub fn tag_refused(tagged: &TaggedValue, dialect: &Dialect) -> (String, &'static str) {
    (
        format!(
            "tag `{}` is not allowed {}",
            shortened(&tagged.tag.to_string()),
            dialect.tag_refused
        ),
        dialect.tag_help,
    )
}

/// Converts YAML to JSON verbatim (no references, no tags): non-string keys become their
/// text. `pointer` is the value's, and problems are located under it.
pub fn yaml_to_json(
    value: &Yaml,
    pointer: &str,
    dialect: &Dialect,
) -> Result<serde_json::Value, ValueProblem> {
    Ok(match value {
        Yaml::Null => serde_json::Value::Null,
        Yaml::Bool(b) => serde_json::Value::Bool(*b),
        Yaml::Number(n) => {
            serde_json::Value::Number(json_number(n).ok_or_else(|| bad_number(pointer, n))?)
        }
        Yaml::String(s) => serde_json::Value::String(s.clone()),
        Yaml::Sequence(items) => serde_json::Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    yaml_to_json(item, &join_pointer(pointer, &i.to_string()), dialect)
                })
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(entries) => {
            let mut object = serde_json::Map::new();
            for (key, item) in entries {
                let key = key_text(key).ok_or_else(|| non_string_key(pointer))?;
                let item = yaml_to_json(item, &join_pointer(pointer, &key), dialect)?;
                if object.insert(key.clone(), item).is_some() {
                    return Err(same_key_twice(pointer, &key, "this mapping"));
                }
            }
            serde_json::Value::Object(object)
        }
        Yaml::Tagged(tagged) => {
            let (message, help) = tag_refused(tagged, dialect);
            return Err((pointer.to_owned(), message, help.to_owned()));
        }
    })
}

/// Reads the structure of a YAML file, reporting what is wrong to its [`Problems`]: a
/// format's analyser implements the two required items and gets the rest.
pub trait ReadFields<'p> {
    /// How the format words what differs between formats.
    const DIALECT: Dialect;

    /// Where problems go.
    fn problems(&mut self) -> &mut Problems<'p>;

    /// Keys written twice that were already reported (and are not reported again when
    /// their spellings become the same text).
    fn reported_duplicates(&self) -> &[DuplicateKey] {
        &[]
    }

    /// The entries of a mapping, or a problem saying `what` must be one.
    fn entries<'v>(
        &mut self,
        value: &'v Yaml,
        pointer: &str,
        what: &str,
        help: &str,
    ) -> Option<Entries<'v>> {
        let Yaml::Mapping(mapping) = value else {
            self.wrong_type(value, pointer, &format!("{what} must be a mapping"), help);
            return None;
        };
        let owner = if Self::DIALECT.same_key_names_owner {
            what
        } else {
            "this mapping"
        };
        let mut entries: Entries<'v> = Vec::with_capacity(mapping.len());
        for (key, item) in mapping {
            match key_text(key) {
                // `True` and `true` are the same key here (and `true` and `"true"`, which
                // the duplicate check may already have reported).
                Some(key) if get(&entries, &key).is_some() => {
                    let (at, message, help) = same_key_twice(pointer, &key, owner);
                    if self.reported_duplicates().iter().any(|d| d.pointer == at) {
                        continue;
                    }
                    self.problems().push(&at, At::Key, message, help);
                }
                Some(key) => entries.push((key, item)),
                None => self.problems().push(
                    pointer,
                    At::Value,
                    format!("{what} has a key that is not a string"),
                    "use plain strings as keys",
                ),
            }
        }
        Some(entries)
    }

    /// Reports keys of `entries` that are not in `allowed`, suggesting the closest.
    fn check_keys(&mut self, entries: &Entries<'_>, parent: &str, allowed: &[&str], what: &str) {
        for (key, _) in entries {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let keys = allowed
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let help = match closest(key, allowed.iter().copied()) {
                Some(near) => format!("did you mean `{near}`? {what} accepts {keys}"),
                None => format!("remove it; {what} accepts {keys}"),
            };
            let message = format!("unknown key `{}` in {what}", shortened(key));
            self.problems()
                .push(&join_pointer(parent, key), At::Key, message, help);
        }
    }

    /// Reports each of `required` missing from `entries`, at the owner's key.
    fn require(&mut self, entries: &Entries<'_>, parent: &str, required: &[&str], what: &str) {
        for key in required {
            if get(entries, key).is_none() {
                self.problems().push(
                    parent,
                    At::Key,
                    format!("{what} has no `{key}`"),
                    format!("add `{key}:` to {what}"),
                );
            }
        }
    }

    /// The string under `key`, if present and a string (reports otherwise).
    fn field_string(&mut self, entries: &Entries<'_>, parent: &str, key: &str) -> Option<String> {
        let value = get(entries, key)?;
        self.string(value, &join_pointer(parent, key), &format!("`{key}`"))
    }

    /// `value` as a string, or a problem saying `what` must be one.
    fn string(&mut self, value: &Yaml, pointer: &str, what: &str) -> Option<String> {
        if let Yaml::String(s) = value {
            return Some(s.clone());
        }
        let help = "write it as text; quote it if YAML reads it as something else";
        self.wrong_type(value, pointer, &format!("{what} must be a string"), help);
        None
    }

    /// Reports a value of the wrong type, or a tag, which is the likelier mistake.
    fn wrong_type(&mut self, value: &Yaml, pointer: &str, message: &str, help: &str) {
        let (message, help) = match value {
            Yaml::Tagged(tagged) => tag_refused(tagged, &Self::DIALECT),
            _ => (message.to_owned(), help),
        };
        self.problems().push(pointer, At::Value, message, help);
    }
}

/// The scalar written at `at` in `text`, as it was written (`0123` rather than the number
/// `123`), to quote it back in a fix.
pub fn written(text: &str, at: Location) -> &str {
    let line = text
        .lines()
        .nth(at.line.saturating_sub(1))
        .unwrap_or_default();
    let start = line
        .char_indices()
        .nth(at.column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let end = rest.find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']' | '#'));
    &rest[..end.unwrap_or(rest.len())]
}

/// `relative` joined onto `dir` without `.` parts, so paths in messages and manifests read
/// as written (`plugins/a.wasm`, not `././plugins/a.wasm`) and `./api.yaml` and `api.yaml`
/// are one file. `..` is kept: a folder may legitimately sit beside the file's.
pub fn join_tidy(dir: &Path, relative: &str) -> PathBuf {
    let tidy: PathBuf = dir
        .join(relative)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if tidy.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        tidy
    }
}

/// The top-level keys of `text`, which may not parse: a file's kind is told from them
/// before it is read, so that a broken file still goes to the reader that can say where
/// it is broken. Text that does not parse is read from its unindented `key:` lines (or
/// quoted keys, for JSON).
pub fn top_level_keys(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Ok(Yaml::Mapping(mapping)) = serde_yaml::from_str(text) {
        return mapping
            .keys()
            .filter_map(|key| key.as_str().map(str::to_owned))
            .collect();
    }
    let json = text.trim_start().starts_with('{');
    text.lines()
        .filter(|line| json || !line.starts_with([' ', '\t', '#', '-']))
        .filter_map(|line| {
            let (key, _) = line.trim().split_once(':')?;
            Some(key.trim().trim_matches(['"', '\'']).to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HERE: Dialect = Dialect {
        tag_refused: "here",
        tag_help: "remove the tag",
        same_key_names_owner: false,
    };

    #[test]
    fn problem_list_counts_then_shows_each_on_one_line() {
        let problems = [
            Diagnostic::error("`name` must be a string").at("app.yaml", Some(Location::START)),
            Diagnostic::error("unknown key `stack`")
                .at("app.yaml", Some(Location { line: 2, column: 1 }))
                .help("did you mean `stacks`?"),
        ];
        assert_eq!(
            problem_list("app file", &problems),
            "the app file has 2 problems; fix them and run again\n\
             app.yaml:1:1: `name` must be a string\n\
             app.yaml:2:1: unknown key `stack`\n  help: did you mean `stacks`?"
        );
    }

    #[test]
    fn yaml_to_json_reports_what_json_cannot_hold() {
        let problem = |text: &str| {
            let yaml: Yaml = serde_yaml::from_str(text).unwrap();
            let (pointer, message, _) = yaml_to_json(&yaml, "/v", &HERE).unwrap_err();
            format!("{pointer}: {message}")
        };
        assert_eq!(
            problem("a: {True: 1, \"true\": 2}"),
            "/v/a/true: two keys of this mapping both mean `true`"
        );
        assert_eq!(
            problem("- [1, .inf]"),
            "/v/0/1: number `.inf` cannot be represented in JSON"
        );
        assert_eq!(
            problem("? [a]\n: 1"),
            "/v: mapping key is not a string, number or boolean"
        );
    }

    #[test]
    fn top_level_keys_of_broken_text() {
        assert_eq!(top_level_keys("a: 1\nb:\n  c: 2\n"), ["a", "b"]);
        assert_eq!(top_level_keys("a: [\n  c: 1\nb: 2\n"), ["a", "b"]);
        assert_eq!(top_level_keys("{\n  \"a\": [\n"), ["a"]);
    }

    #[test]
    fn written_quotes_the_scalar_as_written() {
        let at = Location {
            line: 2,
            column: 10,
        };
        assert_eq!(written("a: 1\naccount: 0123 # x\n", at), "0123");
    }
}
