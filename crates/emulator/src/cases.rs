//! The files a person writes for the emulator: a stack's test cases
//! (`<stack file stem>.tests.yaml`, docs/local.md) and the Task mocks `invoke` and `serve`
//! take with `--mocks`. Both are read with the YAML-structure reader the stack and app files
//! share (`stackweave-location`), so a mistake is reported at its file:line:col with what to
//! do, every mistake of a file at once.
//!
//! ```yaml
//! cases:
//!   - name: start answers the workflow's output
//!     request: {method: GET, path: /start, query: {param: x}}
//!     mocks:
//!       SaveOrder:
//!         - return: {}
//!         - error: States.TaskFailed
//!           cause: the table is gone
//!     expect:
//!       status: 200
//!       json: {message: Hello from Step Functions!}
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_yaml::Value as Yaml;
use stackweave_asl::{MockResponse, Mocks};
use stackweave_location::{
    At, Diagnostic, Dialect, DuplicateKey, Entries, Location, Problems, ReadFields, get,
    join_pointer, read_document, yaml_to_json,
};

use crate::exchange::Request;

/// A test case file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFile {
    /// The file.
    pub path: PathBuf,
    /// Its cases, in file order.
    pub cases: Vec<Case>,
}

/// One request and what it must answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Its name, unique in the file.
    pub name: String,
    /// Where the case was written.
    pub location: Location,
    /// The request.
    pub request: Request,
    /// What its Task states answer.
    pub mocks: Mocks,
    /// What it must answer.
    pub expect: Expect,
}

/// What a case expects of the response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expect {
    /// The HTTP status.
    pub status: u16,
    /// The body, exactly.
    pub body: Option<String>,
    /// The body as JSON, containing at least this (objects may have more keys).
    pub json: Option<Value>,
    /// Headers (names in any case) with these exact values.
    pub headers: Vec<(String, String)>,
}

const DIALECT: Dialect = Dialect {
    tag_refused: "in a test case file",
    tag_help: "remove the tag; values here are plain YAML",
    same_key_names_owner: false,
};

struct Reader<'a> {
    problems: Problems<'a>,
    duplicates: &'a [DuplicateKey],
}

impl<'a> ReadFields<'a> for Reader<'a> {
    const DIALECT: Dialect = DIALECT;

    fn problems(&mut self) -> &mut Problems<'a> {
        &mut self.problems
    }

    fn reported_duplicates(&self) -> &[DuplicateKey] {
        self.duplicates
    }
}

/// Reads a test case file's text; `path` names it in messages.
pub fn parse_cases(path: &Path, text: &str) -> Result<CaseFile, Vec<Diagnostic>> {
    let cases = with_document(path, text, "test case file", |reader, root| {
        reader.case_file(root)
    })?;
    Ok(CaseFile {
        path: path.to_path_buf(),
        cases,
    })
}

/// Reads a mocks file's text (state name → its answers), as `--mocks` takes it.
pub fn parse_mocks(path: &Path, text: &str) -> Result<Mocks, Vec<Diagnostic>> {
    with_document(path, text, "mocks file", |reader, root| {
        Some(reader.mocks(root, ""))
    })
}

fn with_document<T>(
    path: &Path,
    text: &str,
    what: &str,
    read: impl FnOnce(&mut Reader<'_>, &Yaml) -> Option<T>,
) -> Result<T, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = |location: Option<Location>, message: String| {
        vec![
            Diagnostic::error(format!("the {what} is not valid YAML: {message}"))
                .at(path, location)
                .help("fix the YAML syntax at that position"),
        ]
    };
    let (map, duplicates, root) =
        read_document(text).map_err(|(location, message)| syntax(location, message))?;
    let mut problems = Problems::new(path, &map);
    problems.duplicate_keys(&duplicates);
    // serde_yaml refuses duplicate keys, which are already reported with locations.
    let Some(root) = root else {
        return Err(problems.finish());
    };
    let mut reader = Reader {
        problems,
        duplicates: &duplicates,
    };
    let value = read(&mut reader, &root);
    let found = reader.problems.finish();
    match value {
        Some(value) if found.is_empty() => Ok(value),
        _ => Err(found),
    }
}

impl Reader<'_> {
    fn case_file(&mut self, root: &Yaml) -> Option<Vec<Case>> {
        let entries = self.entries(
            root,
            "",
            "the test case file",
            "write `cases:` with a list of cases",
        )?;
        self.check_keys(&entries, "", &["cases"], "the test case file");
        self.require(&entries, "", &["cases"], "the test case file");
        let list = get(&entries, "cases")?;
        let Yaml::Sequence(items) = list else {
            self.wrong_type(
                list,
                "/cases",
                "`cases` must be a list",
                "write each case as `- name: ...`",
            );
            return None;
        };
        let mut cases: Vec<Case> = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let pointer = join_pointer("/cases", &index.to_string());
            if let Some(Yaml::String(name)) = item.get("name") {
                if names.contains(&name.as_str()) {
                    self.problems.push(
                        &join_pointer(&pointer, "name"),
                        At::Value,
                        format!("two cases are named `{name}`"),
                        "give each case its own name, so a failure says which",
                    );
                }
                names.push(name);
            }
            if let Some(case) = self.case(item, &pointer) {
                cases.push(case);
            }
        }
        Some(cases)
    }

    fn case(&mut self, value: &Yaml, pointer: &str) -> Option<Case> {
        let entries = self.entries(
            value,
            pointer,
            "a case",
            "write `name:`, `request:`, `expect:` (and `mocks:`)",
        )?;
        self.check_keys(
            &entries,
            pointer,
            &["name", "request", "mocks", "expect"],
            "a case",
        );
        self.require(&entries, pointer, &["name", "request", "expect"], "a case");
        let name = self.field_string(&entries, pointer, "name");
        let request = get(&entries, "request")
            .and_then(|v| self.request(v, &join_pointer(pointer, "request")));
        let mocks = get(&entries, "mocks")
            .map(|v| self.mocks(v, &join_pointer(pointer, "mocks")))
            .unwrap_or_default();
        let expect =
            get(&entries, "expect").and_then(|v| self.expect(v, &join_pointer(pointer, "expect")));
        Some(Case {
            name: name?,
            location: self.problems.map().locate_key(pointer),
            request: request?,
            mocks,
            expect: expect?,
        })
    }

    fn request(&mut self, value: &Yaml, pointer: &str) -> Option<Request> {
        let entries = self.entries(
            value,
            pointer,
            "`request`",
            "write `path:` (and `method:`, `query:`, `headers:`, `body:`)",
        )?;
        self.check_keys(
            &entries,
            pointer,
            &["method", "path", "query", "headers", "body"],
            "`request`",
        );
        self.require(&entries, pointer, &["path"], "`request`");
        let method = self
            .field_string(&entries, pointer, "method")
            .unwrap_or_else(|| "GET".to_owned());
        let path = self.field_string(&entries, pointer, "path")?;
        if !path.starts_with('/') {
            self.problems.push(
                &join_pointer(pointer, "path"),
                At::Value,
                format!("path `{path}` does not start with `/`"),
                "write the resource path, e.g. `/start` (without the stage and the query string)",
            );
        }
        let query = self.pairs(&entries, pointer, "query");
        let headers = self.pairs(&entries, pointer, "headers");
        let body = match get(&entries, "body") {
            None => String::new(),
            Some(Yaml::String(text)) => text.clone(),
            // A mapping or list is sent as its JSON text.
            Some(other) => self
                .json(other, &join_pointer(pointer, "body"))?
                .to_string(),
        };
        Some(Request {
            method: method.to_uppercase(),
            path,
            query,
            headers,
            body,
        })
    }

    /// A mapping of names to scalar values, as text.
    fn pairs(&mut self, entries: &Entries<'_>, parent: &str, key: &str) -> Vec<(String, String)> {
        let Some(value) = get(entries, key) else {
            return Vec::new();
        };
        let pointer = join_pointer(parent, key);
        let Some(items) = self.entries(
            value,
            &pointer,
            &format!("`{key}`"),
            "map each name to its value",
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, item) in items {
            let text = match item {
                Yaml::String(s) => s.clone(),
                Yaml::Number(n) => n.to_string(),
                Yaml::Bool(b) => b.to_string(),
                other => {
                    self.wrong_type(
                        other,
                        &join_pointer(&pointer, &name),
                        &format!("`{name}` must be text"),
                        "write the value as text",
                    );
                    continue;
                }
            };
            out.push((name, text));
        }
        out
    }

    fn json(&mut self, value: &Yaml, pointer: &str) -> Option<Value> {
        match yaml_to_json(value, pointer, &DIALECT) {
            Ok(json) => Some(json),
            Err((at, message, help)) => {
                self.problems.push(&at, At::Value, message, help);
                None
            }
        }
    }

    fn mocks(&mut self, value: &Yaml, pointer: &str) -> Mocks {
        let mut mocks = Mocks::default();
        let Some(states) = self.entries(
            value,
            pointer,
            "`mocks`",
            "map each Task state's name to its answers",
        ) else {
            return mocks;
        };
        for (state, answers) in states {
            let state_pointer = join_pointer(pointer, &state);
            // One answer may be written without the list.
            let list: Vec<(String, &Yaml)> = match answers {
                Yaml::Sequence(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (join_pointer(&state_pointer, &i.to_string()), item))
                    .collect(),
                single => vec![(state_pointer.clone(), single)],
            };
            let mut responses = Vec::new();
            for (at, answer) in list {
                if let Some(response) = self.mock(answer, &at) {
                    responses.push(response);
                }
            }
            mocks.responses.insert(state, responses);
        }
        mocks
    }

    fn mock(&mut self, value: &Yaml, pointer: &str) -> Option<MockResponse> {
        let help = "write `return: <the task's result>`, or `error: <name>` with `cause: <text>`";
        let entries = self.entries(value, pointer, "a mock answer", help)?;
        self.check_keys(
            &entries,
            pointer,
            &["return", "error", "cause"],
            "a mock answer",
        );
        match (get(&entries, "return"), get(&entries, "error")) {
            (Some(result), None) => {
                if get(&entries, "cause").is_some() {
                    self.problems.push(
                        &join_pointer(pointer, "cause"),
                        At::Key,
                        "`cause` goes with `error`, not `return`".into(),
                        help,
                    );
                }
                Some(MockResponse::Return(
                    self.json(result, &join_pointer(pointer, "return"))?,
                ))
            }
            (None, Some(_)) => {
                let error = self.field_string(&entries, pointer, "error")?;
                let cause = self
                    .field_string(&entries, pointer, "cause")
                    .unwrap_or_default();
                Some(MockResponse::Throw { error, cause })
            }
            (Some(_), Some(_)) => {
                self.problems.push(
                    pointer,
                    At::Key,
                    "a mock answer has both `return` and `error`".into(),
                    "keep one: a call either returns or fails",
                );
                None
            }
            (None, None) => {
                self.problems.push(
                    pointer,
                    At::Key,
                    "a mock answer has neither `return` nor `error`".into(),
                    help,
                );
                None
            }
        }
    }

    fn expect(&mut self, value: &Yaml, pointer: &str) -> Option<Expect> {
        let entries = self.entries(
            value,
            pointer,
            "`expect`",
            "write `status:` (and `body:`, `json:`, `headers:`)",
        )?;
        self.check_keys(
            &entries,
            pointer,
            &["status", "body", "json", "headers"],
            "`expect`",
        );
        self.require(&entries, pointer, &["status"], "`expect`");
        let status_value = get(&entries, "status")?;
        let status = match status_value {
            Yaml::Number(n) => n
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..=599).contains(n)),
            Yaml::String(s) => s.parse::<u16>().ok().filter(|n| (100..=599).contains(n)),
            _ => None,
        };
        let Some(status) = status else {
            self.wrong_type(
                status_value,
                &join_pointer(pointer, "status"),
                "`status` must be an HTTP status code (100 to 599)",
                "write the code, e.g. `status: 200`",
            );
            return None;
        };
        let body = self.field_string(&entries, pointer, "body");
        let json = match get(&entries, "json") {
            Some(value) => Some(self.json(value, &join_pointer(pointer, "json"))?),
            None => None,
        };
        if body.is_some() && json.is_some() {
            self.problems.push(
                &join_pointer(pointer, "json"),
                At::Key,
                "`expect` has both `body` and `json`".into(),
                "keep one: `body` compares the text exactly, `json` the parts of the JSON you name",
            );
        }
        let headers = self.pairs(&entries, pointer, "headers");
        Some(Expect {
            status,
            body,
            json,
            headers,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_cases_with_requests_mocks_and_expectations() {
        let text = "cases:\n  - name: one\n    request:\n      path: /orders/1\n      query: {a: 1}\n      headers: {X-A: b}\n      body: {x: [1]}\n    mocks:\n      Save:\n        - return: {ok: true}\n        - error: E\n          cause: C\n      Read: {return: 1}\n    expect:\n      status: 200\n      json: {ok: true}\n      headers: {Content-Type: application/json}\n";
        let file = parse_cases(Path::new("t.tests.yaml"), text).unwrap();
        let case = &file.cases[0];
        assert_eq!(case.name, "one");
        assert_eq!(case.location, Location { line: 2, column: 5 });
        assert_eq!(case.request.method, "GET");
        assert_eq!(case.request.query, [("a".to_owned(), "1".to_owned())]);
        assert_eq!(case.request.body, "{\"x\":[1]}");
        assert_eq!(
            case.mocks.responses["Save"],
            [
                MockResponse::Return(json!({"ok": true})),
                MockResponse::Throw {
                    error: "E".into(),
                    cause: "C".into()
                }
            ]
        );
        assert_eq!(
            case.mocks.responses["Read"],
            [MockResponse::Return(json!(1))]
        );
        assert_eq!(case.expect.status, 200);
        assert_eq!(case.expect.json, Some(json!({"ok": true})));
    }

    #[test]
    fn every_mistake_is_located_with_help() {
        let text = "cases:\n  - name: a\n    request: {path: start, methd: GET}\n    expect: {status: 999}\n  - name: a\n    request: {path: /x}\n    mocks: {S: [{return: 1, error: E}]}\n    expect: {status: 200, body: x, json: {}}\n";
        let problems = parse_cases(Path::new("t.tests.yaml"), text).unwrap_err();
        let shown: Vec<String> = problems
            .iter()
            .map(|p| {
                format!(
                    "{}: {}",
                    p.location.map(|l| l.to_string()).unwrap_or_default(),
                    p.message
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "3:21: path `start` does not start with `/`",
                "3:28: unknown key `methd` in `request`",
                "4:22: `status` must be an HTTP status code (100 to 599)",
                "5:11: two cases are named `a`",
                "7:17: a mock answer has both `return` and `error`",
                "8:36: `expect` has both `body` and `json`",
            ]
        );
        assert!(
            problems
                .iter()
                .all(|p| p.help.is_some() && p.file.is_some())
        );
    }
}
