//! Reading an app file from disk: the size bound, UTF-8, and files that cannot be read.

use stackweave_app::{AppError, MAX_APP_FILE_BYTES, parse_app_file};
use stackweave_location::Location;

use crate::SAMPLE;

#[test]
fn an_app_file_on_disk_parses_with_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, SAMPLE).unwrap();
    let app = parse_app_file(&path).unwrap();
    assert_eq!(app.dir, dir.path());
    assert_eq!(app.stacks[0].file, dir.path().join("observability.yaml"));
}

#[test]
fn text_that_is_not_utf8_is_a_syntax_error_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, b"name: Demo\ndescription: caf\xe9\n").unwrap();
    let error = parse_app_file(&path).unwrap_err();
    let AppError::Syntax {
        location, message, ..
    } = &error
    else {
        panic!("expected a syntax error, got {error}");
    };
    assert_eq!(
        *location,
        Some(Location {
            line: 2,
            column: 17
        })
    );
    assert_eq!(
        message,
        "byte 0xe9 is not UTF-8; an app file is UTF-8 text, so save it as UTF-8"
    );
    let shown = error.to_string();
    assert!(shown.ends_with("app.yaml:2:17: invalid YAML: byte 0xe9 is not UTF-8; an app file is UTF-8 text, so save it as UTF-8; fix the YAML syntax at that position"), "{shown}");
}

#[test]
fn a_file_over_the_bound_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.yaml");
    let size = MAX_APP_FILE_BYTES + 1;
    std::fs::File::create(&path).unwrap().set_len(size).unwrap();
    let error = parse_app_file(&path).unwrap_err();
    assert!(matches!(error, AppError::Read { .. }), "{error:?}");
    let shown = error.to_string();
    assert!(
        shown.contains(&format!("app.yaml`: it is {size} bytes, more than the {MAX_APP_FILE_BYTES} allowed; an app file names stacks and environments")),
        "{shown}"
    );
    let diagnostics = error.diagnostics();
    assert_eq!(diagnostics[0].file.as_deref(), Some(path.as_path()));
    assert!(
        diagnostics[0]
            .help
            .as_deref()
            .unwrap()
            .ends_with("check that this is the app file")
    );
}

#[test]
fn a_missing_file_or_a_folder_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = parse_app_file(&dir.path().join("app.yaml")).unwrap_err();
    assert!(
        missing.to_string().starts_with("cannot read app file `"),
        "{missing}"
    );
    assert!(
        missing
            .to_string()
            .ends_with("; check that the path is right and the file is readable"),
        "{missing}"
    );
    let folder = parse_app_file(dir.path()).unwrap_err();
    assert!(
        folder.to_string().ends_with(
            "it is a directory, not a regular file; give the path of an app file (YAML)"
        ),
        "{folder}"
    );
}
