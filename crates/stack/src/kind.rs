//! Is this text a stack file or a CloudFormation template? The check commands (`validate`,
//! `diff`, `graph`) take either, and must send a file to the reader that can explain it
//! before they know which it is. It lives with the stack file, which owns the one key that
//! tells the two apart (`constructs`); the template's keys are the other half of the same
//! question.

use stackweave_location::top_level_keys;

/// What a file holds, told from its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A CloudFormation template (top-level `Resources` or `AWSTemplateFormatVersion`).
    Template,
    /// A Stackweave stack file (top-level `constructs`).
    StackFile,
}

/// Tells a stack file (top-level `constructs`) from a template (top-level `Resources` or
/// `AWSTemplateFormatVersion`); `None` when neither.
///
/// A file with both keys counts as a template: CloudFormation would refuse `constructs`,
/// and its reader gives the better message. Text that does not parse is still classified
/// from its unindented `key:` lines (or quoted keys, for JSON), so that a broken file goes
/// to the reader that can say where it is broken.
pub fn kind_of(text: &str) -> Option<FileKind> {
    let keys = top_level_keys(text);
    let has = |wanted: &str| keys.iter().any(|key| key == wanted);
    if has("Resources") || has("AWSTemplateFormatVersion") {
        Some(FileKind::Template)
    } else if has("constructs") {
        Some(FileKind::StackFile)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str =
        include_str!("../../../examples/api-to-express/expected/ApiToExpress.template.yaml");
    const SEED: &str = include_str!("../../../tests/fixtures/seed-template.yaml");

    #[test]
    fn kind_of_tells_templates_from_stack_files() {
        assert_eq!(kind_of(EXAMPLE), Some(FileKind::Template));
        assert_eq!(kind_of(SEED), Some(FileKind::Template));
        assert_eq!(kind_of("{\"Resources\": {}}"), Some(FileKind::Template));
        assert_eq!(
            kind_of("AWSTemplateFormatVersion: '2010-09-09'\n"),
            Some(FileKind::Template)
        );
        assert_eq!(
            kind_of("name: MyStack\nconstructs:\n  Logs:\n    use: logging\n"),
            Some(FileKind::StackFile)
        );
        // Broken YAML is still told apart, so its reader can say where it is broken.
        assert_eq!(
            kind_of("name: MyStack\nconstructs:\n  Logs: [\n"),
            Some(FileKind::StackFile)
        );
        assert_eq!(
            kind_of("Resources:\n  A: !Ref [\n"),
            Some(FileKind::Template)
        );
        assert_eq!(kind_of("other: 1\n"), None);
        assert_eq!(kind_of(""), None);
    }
}
