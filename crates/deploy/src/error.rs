//! SDK errors as the project's one diagnostic shape, each with what to do about it:
//! credentials missing, access denied (naming the action), the endpoint unreachable.
//! Throttling is not here: the SDK's standard retry policy retries it with backoff.

use aws_sdk_cloudformation::error::SdkError;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata};
use stackweave_location::Diagnostic;

/// A failed call of `action` (`cloudformation:CreateChangeSet`) on `stack`.
pub fn sdk_error<E, R>(action: &str, stack: &str, error: &SdkError<E, R>) -> Diagnostic
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = error.code().unwrap_or_default();
    let detail = error
        .message()
        .map(str::to_owned)
        .unwrap_or_else(|| DisplayErrorContext(error).to_string());
    let message = format!("{action} on {stack} failed: {}", detail.trim());
    let lower = DisplayErrorContext(error).to_string().to_lowercase();
    let help = if code.contains("AccessDenied") || code == "UnauthorizedOperation" {
        format!(
            "the credentials in use may not call `{action}`: allow it in their IAM policy (or use a profile or role that may)"
        )
    } else if code == "ExpiredToken" || code == "ExpiredTokenException" {
        "the credentials have expired: sign in again (`aws sso login`) or refresh them".to_owned()
    } else if code.contains("InvalidClientTokenId") || code.contains("SignatureDoesNotMatch") {
        "the access key is not valid here: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile".to_owned()
    } else if lower.contains("no credentials")
        || lower.contains("credentials") && lower.contains("not loaded")
        || lower.contains("failed to load credentials")
    {
        "no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, give `--profile NAME` (a profile in ~/.aws/config, SSO included: `aws sso login --profile NAME` first), or run where a role is attached".to_owned()
    } else if lower.contains("dispatch failure")
        || lower.contains("connection refused")
        || lower.contains("dns error")
        || lower.contains("timed out")
    {
        "the endpoint could not be reached: check the network, the region, and `--endpoint-url` / AWS_ENDPOINT_URL if set".to_owned()
    } else if code == "Throttling" {
        "CloudFormation throttled the requests past the SDK's retries: lower `--concurrency` or run again later".to_owned()
    } else {
        "see the message from AWS above; run again once it is fixed".to_owned()
    };
    let message = match (
        code.is_empty(),
        lower.contains("no credentials") || lower.contains("failed to load credentials"),
    ) {
        (_, true) => format!("{action} on {stack} failed: no AWS credentials"),
        (true, false) => message,
        (false, false) => format!("{message} ({code})"),
    };
    Diagnostic::error(message).help(help)
}

/// Whether the error says the stack does not exist (DescribeStacks' ValidationError).
pub fn is_missing_stack<E, R>(error: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    error.code() == Some("ValidationError")
        && error
            .message()
            .is_some_and(|m| m.contains("does not exist"))
}

/// Whether the service does not implement the operation (some local servers).
pub fn is_unsupported<E, R>(error: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = error.code().unwrap_or_default();
    if matches!(
        code,
        "NotImplemented" | "InvalidAction" | "UnknownOperationException" | "UnsupportedOperation"
    ) {
        return true;
    }
    // A server that does not know the action often answers 500 or 501 with no error
    // document at all.
    match error {
        SdkError::ResponseError(_) => true,
        SdkError::ServiceError(service) => {
            code.is_empty() && format!("{:?}", service.raw()).contains("50")
        }
        _ => false,
    }
}
