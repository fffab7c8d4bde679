//! Reading a CloudFormation template file for Stackweave's checks (`diff`, `validate`,
//! `graph`).
//!
//! A template may be YAML, with CloudFormation's short-form tags (`!Ref`, `!GetAtt`,
//! `!Sub`, ...), or JSON. Either way [`read_template`] returns its **long form**, the JSON
//! value CloudFormation itself works on (`!GetAtt Api.Arn` is `{"Fn::GetAtt": ["Api",
//! "Arn"]}`), so that checks compare meaning, not spelling; and a [`SourceMap`] from JSON
//! Pointers into that long form to line and column, so they can say where a resource was
//! written. Keys keep file order and scalars their kind (`'200'` stays text, `200` a
//! number). Duplicate keys, unknown tags and files that are not templates are refused with
//! the file, the line and what to do.

mod convert;
mod error;
mod short_form;

use std::path::{Path, PathBuf};

use serde_json::Value;
use stackweave_location::{Lines, Location, Scan, join_pointer, not_utf8};

use crate::convert::{Problem, StrictJson, yaml_to_json};

pub use crate::error::{ReadError, ReadErrorKind};
pub use crate::short_form::{SHORT_FORMS, long_form_key};
pub use stackweave_location::{Located, SourceMap};

/// A template file read into its long form.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateFile {
    /// The file, as given.
    pub path: PathBuf,
    /// The template in long form: no short-form tags, keys in file order.
    pub value: Value,
    /// Where each node of [`TemplateFile::value`] was written, by JSON Pointer. Empty when
    /// the file could only be read as JSON (see [`SourceMap::is_empty`]).
    pub source_map: SourceMap,
}

impl TemplateFile {
    /// Where the entry `/<section>/<logical_id>` was written (its key), e.g.
    /// `("Resources", "Api")`; `None` when the template has no such entry or it was not
    /// located.
    pub fn location_of(&self, section: &str, logical_id: &str) -> Option<Location> {
        let pointer = join_pointer(&join_pointer("", section), logical_id);
        self.source_map.get(&pointer).map(|found| found.key)
    }

    /// Where property `property` of resource `logical_id` was written (its key), falling
    /// back to the resource when the property was not located.
    pub fn location_of_property(&self, logical_id: &str, property: &str) -> Option<Location> {
        let resource = join_pointer("/Resources", logical_id);
        let pointer = join_pointer(&join_pointer(&resource, "Properties"), property);
        self.source_map
            .get(&pointer)
            .or_else(|| self.source_map.get(&resource))
            .map(|found| found.key)
    }
}

/// The largest template file read, in bytes. CloudFormation takes a template body of at
/// most 1 MB (from S3; 51,200 bytes inline), so this bound is generous and cannot be raised:
/// it only stops a wrong path (or `/dev/zero`) from taking the machine's memory. It also
/// bounds what a check command reads before it knows whether a file is a template or a
/// stack file, so it equals the stack file's bound (`tests/integration/tidy.rs` holds the
/// two equal).
pub const MAX_TEMPLATE_BYTES: u64 = 16 << 20;

/// Reads and parses the template file at `path`.
pub fn read_template(path: &Path) -> Result<TemplateFile, ReadError> {
    parse_template_str(&read_text(path)?, path)
}

/// Reads the text of a file a check command was given (a template, or a stack file it has
/// yet to tell apart): a regular file of at most [`MAX_TEMPLATE_BYTES`], UTF-8, located at
/// the first byte that is not.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = stackweave_files::read_bounded(path, MAX_TEMPLATE_BYTES)
        .map_err(|error| io_error(path, error))?;
    String::from_utf8(bytes).map_err(|error| {
        let (location, byte) = not_utf8(error.as_bytes(), error.utf8_error());
        ReadError::new(
            path,
            Some(location),
            ReadErrorKind::NotUtf8,
            format!("the file is not UTF-8 text (byte 0x{byte:02x})"),
            "CloudFormation templates and stack files are UTF-8; save the file as UTF-8 (or \
             check that this is the template and not, say, a zip of it)",
        )
    })
}

fn io_error(path: &Path, error: stackweave_files::ReadError) -> ReadError {
    use stackweave_files::{FileKind, ReadError as Bounded};
    let give = "give the path of a template file (YAML or JSON), such as \
                cdk.out/MyStack.template.yaml, or of a stack file";
    match error {
        Bounded::NotRegular {
            kind: FileKind::Directory,
        } => ReadError::new(
            path,
            None,
            ReadErrorKind::NotAFile,
            "this is a directory, not a template file",
            give,
        ),
        Bounded::NotRegular { kind } => ReadError::new(
            path,
            None,
            ReadErrorKind::NotAFile,
            format!("this is {kind}, not a regular file"),
            give,
        ),
        Bounded::TooLarge { limit, actual } => ReadError::new(
            path,
            None,
            ReadErrorKind::TooLarge,
            format!(
                "the file is {actual} bytes, more than the {limit} a template or stack file may have"
            ),
            "this limit cannot be raised: CloudFormation takes templates of at most 1 MB, so \
             a file this large is not one to check (is it the right file?)",
        ),
        error if error.is_not_found() => ReadError::new(
            path,
            None,
            ReadErrorKind::NotFound,
            "no such file",
            "check the path; synthesise the template first if it is one Stackweave writes",
        ),
        error => ReadError::new(
            path,
            None,
            ReadErrorKind::Unreadable,
            format!("cannot read the file: {error}"),
            "check that the file is readable by this user",
        ),
    }
}

/// Parses template text; `path` is only used in messages and kept in the result.
pub fn parse_template_str(text: &str, path: &Path) -> Result<TemplateFile, ReadError> {
    // A byte order mark is not part of the document.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = Lines::new(text);
    let scan = stackweave_location::scan(text, long_form_key);
    let (value, source_map) = if text.trim_start().starts_with('{') {
        // The index names both lines of a duplicate key; serde_json only the second.
        if let Ok(scan) = &scan {
            check_scan(path, scan)?;
        }
        match serde_json::from_str::<StrictJson>(text) {
            Ok(StrictJson(value)) => match scan {
                Ok(scan) => (value, scan.map),
                // Valid JSON yaml-rust2 cannot read (rare): the value is right, only the
                // lines are unknown.
                Err(_) => (value, SourceMap::default()),
            },
            // A flow-style YAML template (`{Resources: {...}}`) is not JSON but is fine.
            Err(json) => match read_yaml(path, text, &lines, scan) {
                Ok(read) => read,
                Err(_) => return Err(json_error(path, &json)),
            },
        }
    } else {
        read_yaml(path, text, &lines, scan)?
    };
    check_structure(path, &value, &source_map)?;
    Ok(TemplateFile {
        path: path.to_path_buf(),
        value,
        source_map,
    })
}

fn read_yaml(
    path: &Path,
    text: &str,
    lines: &Lines<'_>,
    scan: Result<Scan, yaml_rust2::scanner::ScanError>,
) -> Result<(Value, SourceMap), ReadError> {
    let scan = scan.map_err(|error| {
        ReadError::new(
            path,
            Some(lines.mark_location(*error.marker())),
            ReadErrorKind::Syntax,
            format!("invalid YAML: {}", error.info()),
            "fix the YAML syntax at that position (indentation, a missing `:` or an \
             unclosed quote or bracket are the usual causes)",
        )
    })?;
    check_scan(path, &scan)?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|error| {
        let location = error.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        });
        ReadError::new(
            path,
            location,
            ReadErrorKind::Syntax,
            format!("invalid YAML: {}", strip_position(&error.to_string())),
            "fix the YAML so that the file holds exactly one template document",
        )
    })?;
    let value = yaml_to_json(&yaml, "").map_err(|problem| located(path, &scan.map, problem))?;
    Ok((value, scan.map))
}

/// Refuses what the index found and serde_yaml would misreport: duplicate keys (serde_yaml
/// names the mapping, not the key) and unknown tags (serde_yaml accepts any tag).
fn check_scan(path: &Path, scan: &Scan) -> Result<(), ReadError> {
    if let Some(duplicate) = scan.duplicates.first() {
        return Err(ReadError::new(
            path,
            Some(duplicate.location),
            ReadErrorKind::DuplicateKey,
            format!(
                "duplicate key `{}` (first written at line {})",
                duplicate.key, duplicate.first.line
            ),
            "remove or rename one of them; CloudFormation keeps only one value per key",
        ));
    }
    if let Some(unknown) = scan.unknown_tags.first() {
        let problem = convert::unknown_tag("", &unknown.tag);
        return Err(ReadError::new(
            path,
            Some(unknown.at),
            problem.kind,
            problem.message,
            problem.help,
        ));
    }
    Ok(())
}

fn located(path: &Path, map: &SourceMap, problem: Problem) -> ReadError {
    let location = (!map.is_empty()).then(|| map.locate(&problem.pointer));
    ReadError::new(path, location, problem.kind, problem.message, problem.help)
}

fn json_error(path: &Path, error: &serde_json::Error) -> ReadError {
    ReadError::new(
        path,
        Some(Location {
            line: error.line().max(1),
            column: error.column().max(1),
        }),
        if error.to_string().contains("duplicate key") {
            ReadErrorKind::DuplicateKey
        } else {
            ReadErrorKind::Syntax
        },
        format!("invalid JSON: {}", strip_position(&error.to_string())),
        "fix the JSON at that position (a missing comma or quote, or a trailing comma, are \
         the usual causes)",
    )
}

/// serde's messages end in ` at line L column C`, which the error shows in its own place.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => &message[..at],
        _ => message,
    }
}

/// The top level must be a mapping with a `Resources` mapping.
fn check_structure(path: &Path, value: &Value, map: &SourceMap) -> Result<(), ReadError> {
    let location = |pointer: &str| (!map.is_empty()).then(|| map.locate(pointer));
    let template_help = "a CloudFormation template is a mapping with at least \
                         `Resources:`; if this is a Stackweave stack file (with `constructs:`), \
                         synthesise it first with `stackweave synth`";
    let root = match value {
        Value::Object(root) => root,
        Value::Null => {
            return Err(ReadError::new(
                path,
                None,
                ReadErrorKind::Empty,
                "the file is empty",
                template_help,
            ));
        }
        other => {
            return Err(ReadError::new(
                path,
                location(""),
                ReadErrorKind::NotAMapping,
                format!("the top level is {}, not a mapping", describe(other)),
                template_help,
            ));
        }
    };
    match root.get("Resources") {
        Some(Value::Object(_)) => Ok(()),
        Some(other) => Err(ReadError::new(
            path,
            location("/Resources"),
            ReadErrorKind::NoResources,
            format!("`Resources` is {}, not a mapping", describe(other)),
            "write each resource under `Resources:` as `LogicalId:` with its `Type:` and \
             `Properties:`",
        )),
        None => Err(ReadError::new(
            path,
            location(""),
            ReadErrorKind::NoResources,
            "the file has no top-level `Resources`, so it is not a CloudFormation template",
            template_help,
        )),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
