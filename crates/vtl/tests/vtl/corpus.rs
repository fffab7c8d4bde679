//! Reads `tests/corpus/*.vtlcase`: each case is a template, the request it sees, and what
//! is expected of it. The format is described in `tests/corpus/README.md`.

use std::collections::BTreeMap;
use std::path::Path;

use stackweave_vtl::{Input, Scope};

/// One corpus case.
#[derive(Debug, Clone)]
pub struct Case {
    /// `file:name`, unique.
    pub name: String,
    pub template: String,
    pub scope: Scope,
    /// `### context` as written (JSON), for the oracle.
    pub context_json: String,
    /// `### apigw`: API Gateway documents a behaviour Velocity lacks; this text is what the
    /// crate must produce, and Velocity is not asked.
    pub apigw_expected: Option<String>,
    /// `### error`: both engines must refuse the template.
    pub expect_error: bool,
}

pub fn load() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/corpus is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "vtlcase"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("corpus file is UTF-8");
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        cases.extend(parse_file(&stem, &text));
    }
    let mut names: Vec<_> = cases.iter().map(|c| c.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "corpus case names must be unique");
    cases
}

fn parse_file(stem: &str, text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    // Sections: (header, lines).
    let mut sections: Vec<(String, Vec<&str>)> = Vec::new();
    let flush = |sections: &mut Vec<(String, Vec<&str>)>, cases: &mut Vec<Case>| {
        if sections.is_empty() {
            return;
        }
        cases.push(build(stem, std::mem::take(sections)));
    };
    for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        if let Some(header) = line.strip_prefix("### ") {
            if header.starts_with("case:") {
                flush(&mut sections, &mut cases);
            }
            sections.push((header.to_string(), Vec::new()));
        } else if let Some((_, lines)) = sections.last_mut() {
            lines.push(line);
        }
    }
    flush(&mut sections, &mut cases);
    cases
}

fn pairs(lines: &[&str]) -> BTreeMap<String, String> {
    lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn build(stem: &str, sections: Vec<(String, Vec<&str>)>) -> Case {
    let mut case = Case {
        name: String::new(),
        template: String::new(),
        scope: Scope::default(),
        context_json: "{}".into(),
        apigw_expected: None,
        expect_error: false,
    };
    let mut input = Input::default();
    for (header, lines) in sections {
        // A section's text is its lines joined; a blank last line is a trailing line break.
        let body = lines.join("\n");
        match header
            .split_once(':')
            .map_or(header.as_str(), |(h, _)| h)
            .trim()
        {
            "case" => case.name = format!("{stem}:{}", header["case:".len()..].trim()),
            "note" => {}
            "template" => case.template = body,
            "body" => input.body = body,
            "path" => input.path = pairs(&lines),
            "querystring" => input.querystring = pairs(&lines),
            "header" => input.header = pairs(&lines),
            "stage" => case.scope.stage_variables = pairs(&lines),
            "context" => case.context_json = body,
            "apigw" => case.apigw_expected = Some(body),
            "error" => case.expect_error = true,
            other => panic!("{}: unknown section `### {other}`", case.name),
        }
    }
    let context: serde_json::Value = serde_json::from_str(&case.context_json)
        .unwrap_or_else(|e| panic!("{}: ### context is not JSON: {e}", case.name));
    case.scope.context = context.as_object().cloned().unwrap_or_default();
    case.scope.input = input;
    case
}
