//! Logical ids: the documented, pure function from a construct path to CloudFormation
//! logical ids, and CloudFormation's own rule for what a logical id may look like.
//!
//! The function only ever looks at the construct's own path and local id, so editing
//! one construct can never rename another construct's resources.

/// The local id that names a construct's main resource; it is elided from logical ids
/// (as in the AWS CDK), so construct `Logs` owns the resource `Logs`, not `LogsResource`.
pub const MAIN_RESOURCE: &str = "Resource";

/// The longest logical id CloudFormation accepts.
pub const MAX_LOGICAL_ID_LEN: usize = 255;

/// CloudFormation's pseudo parameters: names a template may `Ref` without declaring them.
pub const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Logical id of a construct's local id: path components concatenated, then the local
/// id, except that the local id `Resource` (a construct's main resource) is elided.
///
/// With an empty path there is nothing to stand for the main resource, so `Resource` is
/// kept. The result is not validated; see [`is_valid_logical_id`].
///
/// ```
/// use stackweave_template::logical_id;
/// let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
/// assert_eq!(logical_id(&path(&["Api"]), "Stage"), "ApiStage");
/// assert_eq!(logical_id(&path(&["Logs"]), "Resource"), "Logs");
/// assert_eq!(logical_id(&path(&["Team", "Api"]), "Stage"), "TeamApiStage");
/// ```
pub fn logical_id(path: &[String], local_id: &str) -> String {
    let mut id = path.concat();
    if local_id != MAIN_RESOURCE || path.is_empty() {
        id.push_str(local_id);
    }
    id
}

/// Whether CloudFormation accepts `id` as a logical id: 1 to 255 ASCII letters and digits.
pub fn is_valid_logical_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LOGICAL_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether `name` is one of CloudFormation's [`PSEUDO_PARAMETERS`].
pub fn is_pseudo_parameter(name: &str) -> bool {
    PSEUDO_PARAMETERS.contains(&name)
}

/// Why `id` is not a valid logical id, phrased to follow "logical id `X` ...", or `None`
/// if it is valid.
pub(crate) fn invalid_reason(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("is empty".to_owned());
    }
    if let Some(c) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Some(format!(
            "contains {c:?}; only ASCII letters and digits are allowed"
        ));
    }
    if id.len() > MAX_LOGICAL_ID_LEN {
        return Some(format!(
            "is {} characters long; the limit is {MAX_LOGICAL_ID_LEN}",
            id.len()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn concatenates_path_and_local_id() {
        assert_eq!(logical_id(&path(&["Api"]), "Stage"), "ApiStage");
        assert_eq!(logical_id(&path(&["Team", "Api"]), "Stage"), "TeamApiStage");
    }

    #[test]
    fn elides_main_resource() {
        assert_eq!(logical_id(&path(&["Logs"]), "Resource"), "Logs");
        assert_eq!(logical_id(&path(&["Team", "Logs"]), "Resource"), "TeamLogs");
    }

    #[test]
    fn elision_is_exact_match_only() {
        assert_eq!(logical_id(&path(&["Api"]), "Resources"), "ApiResources");
        assert_eq!(logical_id(&path(&["Api"]), "resource"), "Apiresource");
    }

    #[test]
    fn keeps_main_resource_without_a_path() {
        assert_eq!(logical_id(&[], "Resource"), "Resource");
        assert_eq!(logical_id(&[], "Stage"), "Stage");
    }

    #[test]
    fn validity_follows_cloudformation() {
        assert!(is_valid_logical_id("A"));
        assert!(is_valid_logical_id("Api2Stage"));
        assert!(is_valid_logical_id(&"a".repeat(255)));
        assert!(!is_valid_logical_id(""));
        assert!(!is_valid_logical_id(&"a".repeat(256)));
        assert!(!is_valid_logical_id("my-api"));
        assert!(!is_valid_logical_id("Api_Stage"));
        assert!(!is_valid_logical_id("Ápi"));
    }

    #[test]
    fn invalid_reason_agrees_with_validity() {
        for id in ["", "a-b", "ok", &"x".repeat(256), "Ápi"] {
            assert_eq!(
                invalid_reason(id).is_none(),
                is_valid_logical_id(id),
                "{id}"
            );
        }
        assert!(invalid_reason("a-b").is_some_and(|r| r.contains("'-'")));
    }

    #[test]
    fn pseudo_parameters_are_recognised() {
        assert!(is_pseudo_parameter("AWS::Region"));
        assert!(is_pseudo_parameter("AWS::NoValue"));
        assert!(!is_pseudo_parameter("AWS::Nope"));
        assert_eq!(PSEUDO_PARAMETERS.len(), 8);
    }
}
