//! Turning serde_yaml values into [`Prop`]s and JSON, including reading `!file`.
//!
//! The host reads files, never the plugin: a `!file` path is resolved inside the stack
//! file's folder tree (lexically; no absolute paths, no `..` above the folder) so a stack
//! file cannot pull in arbitrary files from the machine that synthesises it.

use std::path::{Component, Path, PathBuf};

use serde_yaml::Value as Yaml;
use serde_yaml::value::TaggedValue;

use stackweave_files::ReadError;

use stackweave_template::shortened;

use crate::format::MAX_FILE_DATA_BYTES;
use crate::parse::DIALECT;
use crate::prop::Prop;
use crate::reference::Text;
use stackweave_location::{
    At, Problems, ValueProblem, bad_number, join_pointer, json_number, key_text, non_string_key,
    not_utf8, same_key_twice, yaml_to_json,
};

/// The one tag a stack file may use.
pub(crate) const FILE_TAG: &str = "!file";

const REFERENCE_HELP: &str = "references follow Fn::Sub: `${Name}`, `${Name.attribute}` or `${AWS::Region}`; write `${!` for a literal `${`";

/// Converts props and output values, reporting every problem.
pub(crate) struct Converter<'c, 'p> {
    pub problems: &'c mut Problems<'p>,
    /// The stack file's folder, base of `!file` paths.
    pub dir: &'c Path,
    /// Bytes of `!file` data the stack file has read so far.
    pub file_data: &'c mut u64,
    /// Whether `!file` is accepted (props) or not (outputs).
    pub allow_file: bool,
}

impl Converter<'_, '_> {
    /// Converts `value`, found at absolute `pointer`. After a problem the result is a
    /// placeholder; callers only use it when no problem was reported.
    pub(crate) fn prop(&mut self, value: &Yaml, pointer: &str) -> Prop {
        match value {
            Yaml::Null => Prop::Null,
            Yaml::Bool(b) => Prop::Bool(*b),
            Yaml::Number(n) => match json_number(n) {
                Some(n) => Prop::Number(n),
                None => self.report(bad_number(pointer, n)),
            },
            Yaml::String(s) => self.text(s, pointer).map_or(Prop::Null, Prop::Text),
            Yaml::Sequence(items) => Prop::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.prop(item, &join_pointer(pointer, &i.to_string())))
                    .collect(),
            ),
            Yaml::Mapping(entries) => {
                let mut out: Vec<(String, Prop)> = Vec::with_capacity(entries.len());
                for (key, item) in entries {
                    match key_text(key) {
                        Some(key) if out.iter().any(|(k, _)| *k == key) => {
                            self.report(same_key_twice(pointer, &key, "this mapping"));
                        }
                        Some(key) => {
                            let item = self.prop(item, &join_pointer(pointer, &key));
                            out.push((key, item));
                        }
                        None => {
                            self.report(non_string_key(pointer));
                        }
                    }
                }
                Prop::Map(out)
            }
            Yaml::Tagged(tagged) => self.tagged(tagged, pointer),
        }
    }

    /// Parses a string's references, reporting a malformed one at the string.
    pub(crate) fn text(&mut self, s: &str, pointer: &str) -> Option<Text> {
        match Text::parse(s) {
            Ok(text) => Some(text),
            Err(error) => {
                self.problems.push(
                    pointer,
                    At::Value,
                    format!("in `{}`: {error}", shortened(s)),
                    REFERENCE_HELP,
                );
                None
            }
        }
    }

    fn report(&mut self, (pointer, message, help): ValueProblem) -> Prop {
        self.problems.push(&pointer, At::Value, message, help);
        Prop::Null
    }

    fn tagged(&mut self, tagged: &TaggedValue, pointer: &str) -> Prop {
        let tag = tagged.tag.to_string();
        if tag != FILE_TAG {
            // A CloudFormation short form pasted in: say what the stack file writes instead.
            let written = match &tagged.value {
                Yaml::String(text) => Some(shortened(text)),
                _ => None,
            };
            let help = match (tag.as_str(), written) {
                ("!Ref" | "!GetAtt", Some(target)) => format!(
                    "write `${{{target}}}` instead of `{tag} {target}`: constructs, resources and parameters are referenced as `${{Name}}` or `${{Name.attribute}}` in any string"
                ),
                ("!Sub", Some(_)) => "remove the tag: `${...}` references are resolved in every string of a stack file".to_owned(),
                _ if self.allow_file => "remove the tag; reference other constructs with `${Name}` or `${Name.attribute}` instead of CloudFormation intrinsic functions, and read files with `!file path`".to_owned(),
                _ => "remove the tag; reference other constructs with `${Name}` or `${Name.attribute}` instead of CloudFormation intrinsic functions".to_owned(),
            };
            self.problems.push(
                pointer,
                At::Value,
                format!("unknown tag `{}`", shortened(&tag)),
                help,
            );
            return Prop::Null;
        }
        if !self.allow_file {
            self.problems.push(
                pointer,
                At::Value,
                "`!file` is not allowed here".to_owned(),
                "`!file` is only allowed inside construct props; write the value inline",
            );
            return Prop::Null;
        }
        let Yaml::String(relative) = &tagged.value else {
            self.problems.push(
                pointer,
                At::Value,
                "`!file` needs a path".to_owned(),
                "write `!file path/to/file.json`, relative to the stack file's folder",
            );
            return Prop::Null;
        };
        match self.load(relative) {
            Ok(data) => Prop::Data(data),
            Err((message, help)) => {
                self.problems.push(pointer, At::Value, message, help);
                Prop::Null
            }
        }
    }

    /// Reads and parses a `!file`; errors are (message, help).
    fn load(&mut self, relative: &str) -> Result<serde_json::Value, (String, String)> {
        let path = resolve(self.dir, relative)?;
        let written = shortened(relative);
        let shown = path.display().to_string();
        let shown = shortened(&shown);
        // The lexical check cannot see symbolic links: the file itself must be inside the
        // stack file's folder once every link is followed.
        if let (Ok(real), Ok(real_dir)) = (path.canonicalize(), self.dir.canonicalize())
            && !real.starts_with(&real_dir)
        {
            return Err((
                format!(
                    "`!file {written}` is a link to `{}`, outside the stack file's folder",
                    shortened(&real.display().to_string())
                ),
                "copy the file next to the stack file instead of linking to it".to_owned(),
            ));
        }
        let read = *self.file_data;
        let left = MAX_FILE_DATA_BYTES.saturating_sub(read);
        let budget = if read == 0 {
            format!("the {MAX_FILE_DATA_BYTES} bytes of `!file` data a stack file may read")
        } else {
            format!(
                "the {left} bytes left of the {MAX_FILE_DATA_BYTES} bytes of `!file` data a \
                 stack file may read (earlier `!file`s read {read})"
            )
        };
        let bytes = stackweave_files::read_bounded(&path, left).map_err(|error| match error {
            ReadError::TooLarge { actual, .. } => (
                format!("`!file {written}`: `{shown}` is {actual} bytes, more than {budget}"),
                "this limit cannot be raised: props end up in a CloudFormation template, which \
                 is at most 1 MB; make the file smaller, or name it fewer times"
                    .to_owned(),
            ),
            ReadError::NotRegular { kind } => (
                format!(
                    "`!file {written}`: cannot read `{shown}`: it is {kind}, not a regular file"
                ),
                "point `!file` at a regular file inside the stack file's folder".to_owned(),
            ),
            error if error.is_not_found() => (
                format!("`!file {written}`: file `{shown}` does not exist"),
                "check the path; it is relative to the stack file's folder".to_owned(),
            ),
            error => (
                format!("`!file {written}`: cannot read `{shown}`: {error}"),
                "check that the file is readable".to_owned(),
            ),
        })?;
        *self.file_data += bytes.len() as u64;
        let text = String::from_utf8(bytes).map_err(|error| {
            let (at, byte) = not_utf8(error.as_bytes(), error.utf8_error());
            (
                format!("`!file {written}`: file `{shown}` is not UTF-8 text"),
                format!(
                    "save the file as UTF-8 (its first byte that is not: 0x{byte:02x} at {at})"
                ),
            )
        })?;
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("json") => serde_json::from_str(&text).map_err(|error| {
                (
                    format!("`!file {written}`: `{shown}` is not valid JSON: {error}"),
                    "fix the JSON in that file".to_owned(),
                )
            }),
            Some("yaml" | "yml") => {
                let yaml: Yaml = serde_yaml::from_str(&text).map_err(|error| {
                    (
                        format!("`!file {written}`: `{shown}` is not valid YAML: {error}"),
                        "fix the YAML in that file".to_owned(),
                    )
                })?;
                yaml_to_json(&yaml, "", &DIALECT).map_err(|(inner, message, help)| {
                    let at = if inner.is_empty() { "/".into() } else { inner };
                    (
                        format!(
                            "`!file {written}`: in `{shown}` at `{}`: {message}",
                            shortened(&at)
                        ),
                        help,
                    )
                })
            }
            _ => Ok(serde_json::Value::String(text)),
        }
    }
}

/// Joins `relative` onto `dir`, refusing absolute paths and paths that leave `dir`.
pub(crate) fn resolve(dir: &Path, relative: &str) -> Result<PathBuf, (String, String)> {
    let inside_help = "use a path relative to the stack file's folder that stays inside it";
    if relative.trim().is_empty() {
        return Err((
            "`!file` needs a path".to_owned(),
            "write `!file path/to/file.json`, relative to the stack file's folder".to_owned(),
        ));
    }
    // Normalised lexically: `sub/../a.json` must work even when `sub` does not exist.
    let mut inside = PathBuf::new();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => inside.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !inside.pop() {
                    return Err((
                        format!(
                            "`!file {}` leaves the stack file's folder",
                            shortened(relative)
                        ),
                        inside_help.to_owned(),
                    ));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err((
                    format!("`!file {}` is an absolute path", shortened(relative)),
                    inside_help.to_owned(),
                ));
            }
        }
    }
    Ok(dir.join(inside))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resolve_stays_inside_the_folder() {
        let dir = Path::new("stacks");
        assert_eq!(
            resolve(dir, "defs/a.json").unwrap(),
            PathBuf::from("stacks/defs/a.json")
        );
        assert_eq!(
            resolve(dir, "defs/../a.json").unwrap(),
            PathBuf::from("stacks/a.json")
        );
        assert_eq!(
            resolve(dir, "./x/./a.json").unwrap(),
            PathBuf::from("stacks/x/a.json")
        );
        let (message, _) = resolve(dir, "defs/../../a.json").unwrap_err();
        assert_eq!(
            message,
            "`!file defs/../../a.json` leaves the stack file's folder"
        );
        let (message, _) = resolve(dir, "/etc/passwd").unwrap_err();
        assert_eq!(message, "`!file /etc/passwd` is an absolute path");
        assert!(resolve(dir, " ").is_err());
    }

    #[test]
    fn yaml_to_json_rejects_tags_with_their_pointer() {
        let yaml: Yaml = serde_yaml::from_str("a:\n  - 1\n  - !Ref X\n").unwrap();
        let (pointer, message, _) = yaml_to_json(&yaml, "", &DIALECT).unwrap_err();
        assert_eq!(pointer, "/a/1");
        assert_eq!(message, "tag `!Ref` is not allowed here");
        let yaml: Yaml = serde_yaml::from_str("200: ok\ntrue: 1.5\n").unwrap();
        assert_eq!(
            yaml_to_json(&yaml, "", &DIALECT).unwrap(),
            serde_json::json!({"200": "ok", "true": 1.5})
        );
    }
}
