//! Reading an app file: bytes to text, YAML syntax, then the top level (name, stacks,
//! references). Environments, which hold most of the structure, are in
//! [`crate::environment`].
//!
//! As for stack files, values come from serde_yaml and locations from the [`SourceMap`];
//! problems are collected by JSON Pointer and located at the end, so one run reports every
//! problem in the file.

use std::path::{Path, PathBuf};

use serde_yaml::Value as Yaml;
use stackweave_location::{
    At, Dialect, DuplicateKey, Problems, ReadFields, SourceMap, closest, first_non_printable, get,
    join_pointer, join_tidy, not_utf8, read_document, shortened, written,
};

use crate::error::AppError;
use crate::format::{
    APP_NAME_PATTERN, MAX_APP_FILE_BYTES, MAX_APP_NAME, MAX_DESCRIPTION, REFERENCE_MODES,
    REQUIRED_TOP_LEVEL_KEYS, TOP_LEVEL_KEYS, is_app_name,
};
use crate::model::{AppFile, ReferenceMode, StackEntry};

/// Reads and parses the app file at `path`.
///
/// The file must be a regular file of at most [`MAX_APP_FILE_BYTES`]; text that is not
/// UTF-8 is a syntax error at the first byte that is not.
pub fn parse_app_file(path: &Path) -> Result<AppFile, AppError> {
    let bytes = stackweave_files::read_bounded(path, MAX_APP_FILE_BYTES).map_err(|source| {
        AppError::Read {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        let (location, byte) = not_utf8(error.as_bytes(), error.utf8_error());
        AppError::Syntax {
            path: path.to_path_buf(),
            location: Some(location),
            message: format!(
                "byte 0x{byte:02x} is not UTF-8; an app file is UTF-8 text, so save it as UTF-8"
            ),
        }
    })?;
    parse_app_str(path, &text)
}

/// Parses app file text; `path` is used in messages and as the base of the stack files'
/// paths (nothing is read from disk).
pub fn parse_app_str(path: &Path, text: &str) -> Result<AppFile, AppError> {
    // A byte order mark is no part of the document, and editors do not count it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = |location, message| AppError::Syntax {
        path: path.to_path_buf(),
        location,
        message,
    };
    if let Some((location, found)) = first_non_printable(text) {
        let code = u32::from(found);
        let message = format!(
            "character U+{code:04X} is a control character, which YAML does not allow; remove \
             it, or write it as an escape such as `\\u{code:04X}` inside double quotes"
        );
        return Err(syntax(Some(location), message));
    }
    let (map, duplicates, root) =
        read_document(text).map_err(|(location, message)| syntax(location, message))?;
    let mut problems = Problems::new(path, &map);
    problems.duplicate_keys(&duplicates);
    // serde_yaml refuses duplicate keys, which are already reported with locations.
    let Some(root) = root else {
        return Err(AppError::Invalid(problems.finish()));
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut analyser = Analyser {
        problems,
        text,
        duplicates: &duplicates,
    };
    let app = analyser.app(&root, &dir);
    let found = analyser.problems.finish();
    match app {
        Some(app) if found.is_empty() => Ok(AppFile {
            path: path.to_path_buf(),
            dir,
            source_map: map,
            ..app
        }),
        _ => Err(AppError::Invalid(found)),
    }
}

/// How an app file words the problems the shared reader finds: it allows no tag.
pub(crate) const DIALECT: Dialect = Dialect {
    tag_refused: "in an app file",
    tag_help: "remove the tag",
    same_key_names_owner: true,
};

/// Walks the YAML value, building the model and reporting problems.
pub(crate) struct Analyser<'a> {
    pub problems: Problems<'a>,
    /// The app file's text, to quote a value as it was written.
    pub text: &'a str,
    /// Keys written twice, already reported.
    pub duplicates: &'a [DuplicateKey],
}

impl<'a> ReadFields<'a> for Analyser<'a> {
    const DIALECT: Dialect = DIALECT;

    fn problems(&mut self) -> &mut Problems<'a> {
        &mut self.problems
    }

    fn reported_duplicates(&self) -> &[DuplicateKey] {
        self.duplicates
    }
}

impl Analyser<'_> {
    /// The app file, with placeholders for what the caller fills in; `None` when a required
    /// part is missing (and reported).
    fn app(&mut self, root: &Yaml, dir: &Path) -> Option<AppFile> {
        let example = "start with `name: MyApp`, a `stacks:` list and an `environments:` mapping, \
                       as in docs/app.schema.json";
        if root.is_null() {
            self.problems
                .push("", At::Value, "the app file is empty".to_owned(), example);
            return None;
        }
        let entries = self.entries(root, "", "the app file", example)?;
        self.check_keys(&entries, "", TOP_LEVEL_KEYS, "the app file");
        self.require(&entries, "", REQUIRED_TOP_LEVEL_KEYS, "the app file");

        let name = self.field_string(&entries, "", "name").filter(|name| {
            let valid = is_app_name(name);
            if !valid {
                self.problems.push(
                    "/name",
                    At::Value,
                    format!("app name `{}` is not valid", shortened(name)),
                    format!(
                        "an app name starts every stack name: match `{APP_NAME_PATTERN}` (a \
                         letter, then letters, digits and hyphens), {MAX_APP_NAME} characters at most"
                    ),
                );
            }
            valid
        });
        let description = self.field_string(&entries, "", "description");
        if let Some(text) = &description {
            let length = text.chars().count();
            if length > MAX_DESCRIPTION {
                self.problems.push(
                    "/description",
                    At::Value,
                    format!("description is {length} characters long, more than {MAX_DESCRIPTION}"),
                    "shorten the description",
                );
            }
        }
        let stacks = get(&entries, "stacks").map(|value| self.stacks(value, dir));
        let references = match get(&entries, "references") {
            Some(value) => self.references(value),
            None => ReferenceMode::default(),
        };
        let environments = get(&entries, "environments")
            .map(|value| self.environments(value, name.as_deref().unwrap_or_default()));
        Some(AppFile {
            path: PathBuf::new(),
            dir: PathBuf::new(),
            name: name?,
            description,
            stacks: stacks?,
            references,
            environments: environments?,
            source_map: SourceMap::default(),
        })
    }

    /// `stacks:`: stack files relative to the app file's folder, each once.
    fn stacks(&mut self, value: &Yaml, dir: &Path) -> Vec<StackEntry> {
        let help =
            "list the app's stack files, relative to the app file, e.g. `stacks: [api.yaml]`";
        let items = match value {
            Yaml::Null => &Vec::new(),
            Yaml::Sequence(items) => items,
            _ => {
                self.wrong_type(
                    value,
                    "/stacks",
                    "`stacks` must be a list of stack files",
                    help,
                );
                return Vec::new();
            }
        };
        if items.is_empty() {
            let message = "`stacks` is empty".to_owned();
            self.problems.push("/stacks", At::Key, message, help);
        }
        let mut stacks: Vec<StackEntry> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let pointer = join_pointer("/stacks", &index.to_string());
            let Some(file) = self.string(item, &pointer, "a stack file") else {
                continue;
            };
            if file.trim().is_empty() {
                let message = "stack file path is empty".to_owned();
                self.problems.push(&pointer, At::Value, message, help);
                continue;
            }
            let file = join_tidy(dir, &file);
            if let Some(first) = stacks.iter().find(|s| s.file == file) {
                let line = self.problems.map().locate(&first.pointer).line;
                self.problems.push(
                    &pointer,
                    At::Value,
                    format!(
                        "stack file `{}` is listed twice (first at line {line})",
                        shortened(&file.display().to_string())
                    ),
                    "list each stack file once",
                );
                continue;
            }
            stacks.push(StackEntry { file, pointer });
        }
        stacks
    }

    fn references(&mut self, value: &Yaml) -> ReferenceMode {
        let Some(word) = self.string(value, "/references", "`references`") else {
            return ReferenceMode::default();
        };
        match word.as_str() {
            "weak" => ReferenceMode::Weak,
            "strong" => ReferenceMode::Strong,
            _ => {
                let help = match closest(&word, REFERENCE_MODES.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`? "),
                    None => String::new(),
                };
                self.problems.push(
                    "/references",
                    At::Value,
                    format!(
                        "`references` must be `weak` or `strong`, not `{}`",
                        shortened(&word)
                    ),
                    format!(
                        "{help}`weak` (the default) reads other stacks' outputs with \
                         Fn::GetStackOutput; `strong` imports exports, which CloudFormation \
                         then keeps from changing"
                    ),
                );
                ReferenceMode::default()
            }
        }
    }

    /// The scalar at `pointer` as it was written (`0123` rather than the number `123`), to
    /// quote it back in a fix.
    pub(crate) fn written(&self, pointer: &str) -> &str {
        written(self.text, self.problems.map().locate(pointer))
    }
}
