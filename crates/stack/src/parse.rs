//! Reading a stack file: YAML syntax, then the top-level structure.
//!
//! Values come from serde_yaml and locations from the [`SourceMap`]; problems are
//! collected by JSON Pointer and located at the end, so one run reports every structural
//! problem in the file rather than stopping at the first. The sections with more structure
//! (constructs, outputs, parameters, limits) live in [`crate::sections`].

use std::path::{Path, PathBuf};

use serde_yaml::Value as Yaml;

use crate::error::{ReadFailure, StackError, construct_of};
use stackweave_template::shortened;

use crate::format::{
    MAX_DESCRIPTION, MAX_STACK_FILE_BYTES, REQUIRED_TOP_LEVEL_KEYS, STACK_NAME_PATTERN,
    TOP_LEVEL_KEYS, is_stack_name,
};
use crate::model::{Limits, StackFile, Validation};
use stackweave_location::{
    At, Dialect, Entries, Lines, Problems, ReadFields, SourceMap, first_non_printable, get,
    join_pointer, join_tidy, not_utf8, yaml_value,
};

/// The commonest YAML mistake in a stack file: `[${Role.arn}]`, where YAML reads the `{` as
/// the start of a flow mapping. Says so when the failing line has a reference in a flow
/// collection.
fn flow_reference_hint(text: &str, line: usize) -> &'static str {
    let failing = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let in_flow = failing.find('[').or_else(|| failing.find(": {"));
    match (in_flow, failing.find("${")) {
        (Some(open), Some(reference)) if open < reference => {
            "; a `${...}` reference inside `[...]` or `{...}` must be quoted, as in [\"${Role.arn}\"]"
        }
        _ => "",
    }
}

/// Reads and parses the stack file at `path`, reading any `!file` it names.
///
/// The file must be a regular file of at most [`MAX_STACK_FILE_BYTES`]; text that is not
/// UTF-8 is a syntax error at the first byte that is not.
pub fn parse_stack_file(path: &Path) -> Result<StackFile, StackError> {
    let bytes = stackweave_files::read_bounded(path, MAX_STACK_FILE_BYTES).map_err(|error| {
        StackError::Read {
            path: path.to_path_buf(),
            source: ReadFailure(error),
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        let (location, byte) = not_utf8(error.as_bytes(), error.utf8_error());
        StackError::Syntax {
            path: path.to_path_buf(),
            location: Some(location),
            message: format!(
                "byte 0x{byte:02x} is not UTF-8; a stack file is UTF-8 text, so save it as UTF-8"
            ),
        }
    })?;
    parse_stack_str(path, &text)
}

/// Parses stack file text; `path` is used in messages and as the base for relative paths
/// (plugin folders, `.wasm` plugins and `!file`, which is read from disk).
pub fn parse_stack_str(path: &Path, text: &str) -> Result<StackFile, StackError> {
    // A byte order mark may open a YAML stream and is no part of the document; editors do
    // not show it, so columns on the first line are counted without it too.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = |location, message| StackError::Syntax {
        path: path.to_path_buf(),
        location,
        message,
    };
    if let Some((location, found)) = first_non_printable(text) {
        let message = format!(
            "character U+{:04X} is a control character, which YAML does not allow; remove it, \
             or write it as an escape such as `\\u{:04X}` inside double quotes",
            u32::from(found),
            u32::from(found)
        );
        return Err(syntax(Some(location), message));
    }
    let (map, duplicates) = SourceMap::scan(text).map_err(|error| {
        let location = Lines::new(text).mark_location(*error.marker());
        let message = format!(
            "{}{}",
            error.info(),
            flow_reference_hint(text, location.line)
        );
        syntax(Some(location), message)
    })?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut problems = Problems::new(path, &map).naming_constructs(construct_of);
    problems.duplicate_keys(&duplicates);
    let root = match yaml_value(text, !duplicates.is_empty()) {
        Ok(Some(root)) => root,
        // serde_yaml refuses duplicate keys, which are already reported with locations.
        Ok(None) => return Err(StackError::Invalid(problems.finish())),
        Err((location, message)) => return Err(syntax(location, message)),
    };
    let mut stack = Analyser {
        problems: &mut problems,
        dir: &dir,
        file_data: 0,
    }
    .stack(&root);
    let found = problems.finish();
    if !found.is_empty() {
        return Err(StackError::Invalid(found));
    }
    stack.path = path.to_path_buf();
    stack.dir = dir;
    stack.source_map = map;
    Ok(stack)
}

/// How a stack file words the problems the shared reader finds: a tag is only allowed in
/// props, and only `!file`.
pub(crate) const DIALECT: Dialect = Dialect {
    tag_refused: "here",
    tag_help: "remove the tag; `!file` is only allowed inside construct props",
    same_key_names_owner: false,
};

/// Walks the YAML value, building the model and reporting problems.
pub(crate) struct Analyser<'c, 'p> {
    pub problems: &'c mut Problems<'p>,
    /// The stack file's folder.
    pub dir: &'c Path,
    /// Bytes of `!file` data read so far, against [`crate::format::MAX_FILE_DATA_BYTES`].
    pub file_data: u64,
}

impl<'p> ReadFields<'p> for Analyser<'_, 'p> {
    const DIALECT: Dialect = DIALECT;

    fn problems(&mut self) -> &mut Problems<'p> {
        self.problems
    }
}

impl Analyser<'_, '_> {
    fn stack(&mut self, root: &Yaml) -> StackFile {
        let mut stack = StackFile {
            path: PathBuf::new(),
            dir: PathBuf::new(),
            name: String::new(),
            description: None,
            plugin_dirs: Vec::new(),
            parameters: Vec::new(),
            limits: Limits::default(),
            constructs: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
            validation: Validation::default(),
            source_map: SourceMap::default(),
        };
        let example = "start with `name: MyStack` and a `constructs:` mapping, as in docs/stack-file.schema.json";
        let entries = match root {
            Yaml::Null => {
                self.problems
                    .push("", At::Value, "the stack file is empty".to_owned(), example);
                return stack;
            }
            _ => match self.entries(root, "", "the stack file", example) {
                Some(entries) => entries,
                None => return stack,
            },
        };
        self.check_keys(&entries, "", TOP_LEVEL_KEYS, "the stack file");
        self.require(&entries, "", REQUIRED_TOP_LEVEL_KEYS, "the stack file");

        if let Some(name) = self.field_string(&entries, "", "name") {
            if is_stack_name(&name) {
                stack.name = name;
            } else {
                self.problems.push(
                    "/name",
                    At::Value,
                    format!("stack name `{}` is not valid", shortened(&name)),
                    format!("CloudFormation stack names match `{STACK_NAME_PATTERN}`: a letter, then letters, digits and hyphens, 128 characters at most"),
                );
            }
        }
        stack.description = self.description(&entries, "");
        if let Some(value) = get(&entries, "plugins") {
            stack.plugin_dirs = self.plugin_dirs(value);
        }
        let parameters = get(&entries, "parameters");
        if let Some(value) = parameters {
            stack.parameters = self.parameters(value);
        }
        if let Some(value) = get(&entries, "limits") {
            stack.limits = self.limits(value);
        }
        if let Some(value) = get(&entries, "constructs") {
            stack.constructs = self.constructs(value, &stack.parameters);
        }
        if let Some(value) = get(&entries, "resources") {
            stack.resources = self.resources(value, &stack.parameters, &stack.constructs);
        }
        if let Some(value) = get(&entries, "outputs") {
            stack.outputs = self.outputs(value);
        }
        if let Some(value) = get(&entries, "validation") {
            stack.validation = self.validation(value);
        }
        stack
    }

    fn plugin_dirs(&mut self, value: &Yaml) -> Vec<PathBuf> {
        let help =
            "list folders of team plugins relative to the stack file, e.g. `plugins: [./plugins]`";
        let items = match value {
            Yaml::Null => return Vec::new(),
            Yaml::Sequence(items) => items,
            _ => {
                let message = "`plugins` must be a list of folders".to_owned();
                self.problems.push("/plugins", At::Value, message, help);
                return Vec::new();
            }
        };
        let mut dirs = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let pointer = join_pointer("/plugins", &index.to_string());
            if let Some(folder) = self.string(item, &pointer, "a plugin folder") {
                if folder.trim().is_empty() {
                    let message = "plugin folder is empty".to_owned();
                    self.problems.push(&pointer, At::Value, message, help);
                } else {
                    dirs.push(join_tidy(self.dir, &folder));
                }
            }
        }
        dirs
    }

    /// An optional `description` string of at most [`MAX_DESCRIPTION`] bytes.
    pub(crate) fn description(&mut self, entries: &Entries<'_>, parent: &str) -> Option<String> {
        let description = self.field_string(entries, parent, "description")?;
        if description.len() > MAX_DESCRIPTION {
            self.problems.push(
                &join_pointer(parent, "description"),
                At::Value,
                format!(
                    "description is {} bytes long; CloudFormation allows {MAX_DESCRIPTION}",
                    description.len()
                ),
                "shorten the description",
            );
        }
        Some(description)
    }
}
