//! Checks of props values that several constructs make the same way, so that users meet
//! one wording for one mistake.

use serde_json::Value;

use crate::Diagnostic;

/// Reports `value`, at `path`, when it is plain text that is not an ARN:
/// "`{text}` is not an ARN; write {what}'s ARN, or {instead}", where `instead` names a
/// reference that would do, such as ``a reference such as `${Role.arn}` ``.
///
/// Anything but text (a reference to another construct arrives as a CloudFormation
/// expression) is left to CloudFormation.
///
/// ```
/// use serde_json::json;
/// use stackweave_plugin::check_arn;
///
/// let mut errors = Vec::new();
/// let instead = "a reference such as `${Role.arn}`";
/// check_arn(&json!("arn:aws:iam::123456789012:role/r"), "/role", "the role", instead, &mut errors);
/// check_arn(&json!({"Fn::GetAtt": ["Role", "Arn"]}), "/role", "the role", instead, &mut errors);
/// assert!(errors.is_empty());
/// check_arn(&json!("my-role"), "/role", "the role", instead, &mut errors);
/// assert_eq!(
///     errors[0].message,
///     "`my-role` is not an ARN; write the role's ARN, or a reference such as `${Role.arn}`"
/// );
/// assert_eq!(errors[0].path.as_deref(), Some("/role"));
/// ```
pub fn check_arn(
    value: &Value,
    path: &str,
    what: &str,
    instead: &str,
    errors: &mut Vec<Diagnostic>,
) {
    if let Value::String(text) = value
        && !text.starts_with("arn:")
    {
        errors.push(Diagnostic::error(
            path,
            format!("`{text}` is not an ARN; write {what}'s ARN, or {instead}"),
        ));
    }
}
