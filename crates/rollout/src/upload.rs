//! When a template cannot travel inside the API request, and where it goes instead.
//!
//! CreateChangeSet takes a template inline (`TemplateBody`) only up to 51,200 bytes;
//! larger ones must be uploaded to S3 and passed as `TemplateURL`. Naming the object after
//! the template's content makes a repeated upload of the same template a no-op and lets
//! two deployments share a bucket without overwriting each other.

use sha2::{Digest, Sha256};

/// The largest `TemplateBody` CloudFormation accepts, in bytes.
pub const TEMPLATE_BODY_MAX_BYTES: usize = 51_200;

/// Whether a template of `bytes` bytes must be uploaded to S3 rather than sent inline.
pub fn template_body_needs_upload(bytes: usize) -> bool {
    bytes > TEMPLATE_BODY_MAX_BYTES
}

/// The S3 key for `template`: `stackweave/<sha256 of its bytes, lowercase hex>.template`.
pub fn s3_key(template: &str) -> String {
    let digest = Sha256::digest(template.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("stackweave/{hex}.template")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inline_limit_is_inclusive() {
        assert!(!template_body_needs_upload(51_200));
        assert!(template_body_needs_upload(51_201));
    }

    #[test]
    fn keys_name_the_content() {
        // sha256 of the empty string.
        assert_eq!(
            s3_key(""),
            "stackweave/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.template"
        );
        assert_ne!(s3_key("a"), s3_key("b"));
    }
}
