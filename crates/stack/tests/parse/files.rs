//! `!file`: reading JSON, YAML and text next to the stack file, and refusing the rest.

use std::path::Path;

use serde_json::json;
use stackweave_stack::{Prop, StackError, StackFile, parse_stack_str};

/// A temporary folder holding `files`, with a stack file whose construct `Flow` has
/// `props_yaml` (indented by six spaces) as its props.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        Fixture { dir }
    }

    fn stack_path(&self) -> std::path::PathBuf {
        self.dir.path().join("stacks/stack.yaml")
    }

    fn parse(&self, props: &str) -> Result<StackFile, StackError> {
        let text = format!(
            "name: A\nconstructs:\n  Flow:\n    plugin: express-workflow\n    props:\n{props}"
        );
        parse_stack_str(&self.stack_path(), &text)
    }

    fn definition(&self, props: &str) -> Prop {
        let stack = self.parse(props).unwrap();
        stack.constructs[0].props.get("definition").unwrap().clone()
    }

    /// The single problem, as `line:col message`.
    fn problem(&self, props: &str) -> String {
        match self.parse(props) {
            Err(StackError::Invalid(problems)) => {
                assert_eq!(problems.len(), 1, "{problems:?}");
                let p = &problems[0];
                assert_eq!(p.construct.as_deref(), Some("Flow"));
                let at = p.location.expect("a problem has a line");
                format!("{}:{} {}", at.line, at.column, p.message)
            }
            other => panic!("expected one problem, got {other:?}"),
        }
    }

    fn shown(&self, relative: &str) -> String {
        self.dir
            .path()
            .join("stacks")
            .join(relative)
            .display()
            .to_string()
    }
}

#[test]
fn json_files_are_parsed_in_order() {
    let f = Fixture::new(&[(
        "stacks/defs/flow.asl.json",
        r#"{"StartAt": "B", "States": {"B": {}, "A": {}}}"#,
    )]);
    let data = f.definition("      definition: !file defs/flow.asl.json\n");
    let Prop::Data(value) = data else {
        panic!("expected data, got {data:?}");
    };
    assert_eq!(value, json!({"StartAt": "B", "States": {"B": {}, "A": {}}}));
    let keys: Vec<&String> = value["States"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["B", "A"]);
}

#[test]
fn yaml_files_are_parsed_and_text_is_kept() {
    let f = Fixture::new(&[
        (
            "stacks/flow.yaml",
            "StartAt: A\nStates:\n  A: { Type: Pass, End: true }\n",
        ),
        ("stacks/flow.YML", "x: 1\n"),
        ("stacks/request.vtl", "#set($x = ${NotARef})\n"),
    ]);
    assert_eq!(
        f.definition("      definition: !file flow.yaml\n"),
        Prop::Data(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}))
    );
    assert_eq!(
        f.definition("      definition: !file flow.YML\n"),
        Prop::Data(json!({"x": 1}))
    );
    let template = f.definition("      definition: !file ./request.vtl\n");
    assert_eq!(template, Prop::Data(json!("#set($x = ${NotARef})\n")));
    // Data is literal: no references are taken from it.
    assert!(template.references().is_empty());
    assert_eq!(template.to_written_json(), json!("#set($x = ${NotARef})\n"));
}

#[test]
fn paths_may_move_around_inside_the_folder() {
    let f = Fixture::new(&[("stacks/a.json", "1")]);
    assert_eq!(
        f.definition("      definition: !file sub/../a.json\n"),
        Prop::Data(json!(1))
    );
}

#[test]
fn missing_file_names_the_resolved_path() {
    let f = Fixture::new(&[]);
    assert_eq!(
        f.problem("      definition: !file nope.json\n"),
        format!(
            "6:19 `!file nope.json`: file `{}` does not exist",
            f.shown("nope.json")
        )
    );
}

#[test]
fn unparseable_files_name_the_path_and_the_parser_error() {
    let f = Fixture::new(&[
        ("stacks/bad.json", "{\"a\": }"),
        ("stacks/bad.yaml", "a: [\n"),
    ]);
    let json = f.problem("      definition: !file bad.json\n");
    assert!(
        json.starts_with(&format!(
            "6:19 `!file bad.json`: `{}` is not valid JSON: expected value at line 1 column 7",
            f.shown("bad.json")
        )),
        "{json}"
    );
    let yaml = f.problem("      definition: !file bad.yaml\n");
    assert!(
        yaml.starts_with(&format!(
            "6:19 `!file bad.yaml`: `{}` is not valid YAML: ",
            f.shown("bad.yaml")
        )),
        "{yaml}"
    );
}

#[test]
fn tags_inside_included_yaml_are_refused() {
    let f = Fixture::new(&[("stacks/t.yaml", "a:\n  b: !Ref X\n")]);
    assert_eq!(
        f.problem("      definition: !file t.yaml\n"),
        format!(
            "6:19 `!file t.yaml`: in `{}` at `/a/b`: tag `!Ref` is not allowed here",
            f.shown("t.yaml")
        )
    );
}

#[test]
fn non_utf8_files_are_refused() {
    let f = Fixture::new(&[]);
    std::fs::create_dir_all(f.dir.path().join("stacks")).unwrap();
    std::fs::write(f.dir.path().join("stacks/bin.txt"), [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(
        f.problem("      definition: !file bin.txt\n"),
        format!(
            "6:19 `!file bin.txt`: file `{}` is not UTF-8 text",
            f.shown("bin.txt")
        )
    );
}

#[test]
fn escaping_and_absolute_paths_are_refused() {
    let f = Fixture::new(&[("secret.json", "{}")]);
    assert_eq!(
        f.problem("      definition: !file ../secret.json\n"),
        "6:19 `!file ../secret.json` leaves the stack file's folder"
    );
    let absolute = f.dir.path().join("secret.json");
    assert!(Path::new(&absolute).is_absolute());
    assert_eq!(
        f.problem(&format!("      definition: !file {}\n", absolute.display())),
        format!("6:19 `!file {}` is an absolute path", absolute.display())
    );
}

#[test]
fn file_tag_needs_a_path() {
    let f = Fixture::new(&[]);
    // With nothing after the tag, the key is the closest place to point at.
    assert_eq!(
        f.problem("      definition: !file\n"),
        "6:7 `!file` needs a path"
    );
    assert_eq!(
        f.problem("      definition: !file { a: 1 }\n"),
        "6:19 `!file` needs a path"
    );
}

#[test]
fn a_directory_cannot_be_read_as_a_file() {
    let f = Fixture::new(&[("stacks/dir/x", "")]);
    let problem = f.problem("      definition: !file dir\n");
    assert!(
        problem.starts_with(&format!(
            "6:19 `!file dir`: cannot read `{}`: ",
            f.shown("dir")
        )),
        "{problem}"
    );
}
