//! The fixed vocabulary of the app file format: its keys, name patterns and sizes, and the
//! one rule for stack names.
//!
//! These lists are the single source for the parser's unknown-key checks and its help
//! texts; a test holds `docs/app.schema.json` to them so the editor schema and the parser
//! cannot drift apart.

/// The file name commands look for when given a folder or nothing.
pub const APP_FILE_NAME: &str = "app.yaml";

/// The largest app file read, in bytes. An app file names stacks and environments, never
/// their contents, so it is small; the bound only stops a mistake (or `/dev/zero`) from
/// taking the machine's memory.
pub const MAX_APP_FILE_BYTES: u64 = 1 << 20;

/// Keys allowed at the top level of an app file.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "description",
    "stacks",
    "references",
    "environments",
];

/// Top-level keys an app file must have.
pub const REQUIRED_TOP_LEVEL_KEYS: &[&str] = &["name", "stacks", "environments"];

/// Keys allowed in an environment.
pub const ENVIRONMENT_KEYS: &[&str] = &[
    "region",
    "account",
    "bucket",
    "tags",
    "parameters",
    "values",
    "stacks",
];

/// Keys an environment must have.
pub const REQUIRED_ENVIRONMENT_KEYS: &[&str] = &["region"];

/// Keys allowed in a stack's placement (`environments.<env>.stacks.<stack>`).
pub const PLACEMENT_KEYS: &[&str] = &["region", "account", "outputsRole"];

/// The words `references` accepts, the default first.
pub const REFERENCE_MODES: &[&str] = &["weak", "strong"];

/// App names: the first part of every stack name.
pub const APP_NAME_PATTERN: &str = "[A-Za-z][A-Za-z0-9-]*";

/// The longest app name.
pub const MAX_APP_NAME: usize = 64;

/// Environment names: the middle part of every stack name.
pub const ENVIRONMENT_NAME_PATTERN: &str = "[A-Za-z][A-Za-z0-9-]*";

/// The longest environment name.
pub const MAX_ENVIRONMENT_NAME: usize = 32;

/// Stack names, parameter names and value names: they are written inside `${...}` and
/// become parts of logical ids, so they have no hyphens.
pub const IDENTIFIER_PATTERN: &str = "[A-Za-z][A-Za-z0-9]*";

/// The longest parameter or value name (CloudFormation's longest logical id).
pub const MAX_IDENTIFIER: usize = 255;

/// An AWS region's shape (`us-east-1`, `us-gov-west-1`, `cn-north-1`); which regions exist
/// is AWS's business.
pub const REGION_PATTERN: &str = "[a-z]{2}(-[a-z]+)+-[0-9]+";

/// An AWS account id.
pub const ACCOUNT_PATTERN: &str = "[0-9]{12}";

/// The longest app description, in characters.
pub const MAX_DESCRIPTION: usize = 1024;

/// The most tags CloudFormation puts on a stack.
pub const MAX_TAGS: usize = 50;

/// The longest tag key, in characters.
pub const MAX_TAG_KEY: usize = 128;

/// The longest tag value, in characters.
pub const MAX_TAG_VALUE: usize = 256;

/// The tag key prefix AWS keeps for itself (in any case).
pub const RESERVED_TAG_PREFIX: &str = "aws:";

/// The longest CloudFormation stack name.
pub const MAX_STACK_NAME: usize = 128;

// The app and environment names alone never make a stack name too long (the longest
// prefix leaves room for a stack name of 30 characters), so only synthesis, which knows
// the stack names, can check the whole; the parser checks the stack names it sees.
const _: () = assert!(MAX_APP_NAME + 1 + MAX_ENVIRONMENT_NAME + 1 + 30 <= MAX_STACK_NAME);

/// The CloudFormation stack name of `stack` (the stack file's name) deployed by `app` to
/// `environment`: `{app}-{environment}-{stack}`, as in `RefArch-prod-Api`.
///
/// This is the one rule: every command that names a deployed stack (synthesis, its
/// manifest, the parameters and outputs of other stacks) goes through it, so two stacks of
/// one app never disagree on a name. App and environment names are letters, digits and
/// hyphens starting with a letter, so the name is a valid stack name whenever it is at most
/// [`MAX_STACK_NAME`] characters, which the caller checks.
pub fn stack_name(app: &str, environment: &str, stack: &str) -> String {
    format!("{app}-{environment}-{stack}")
}

/// Whether `name` matches `[A-Za-z]` then `allowed` characters, within `max` characters.
fn is_name(name: &str, max: usize, allowed: impl Fn(char) -> bool) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(allowed) && name.len() <= max
}

/// Whether `name` is a valid app name ([`APP_NAME_PATTERN`], [`MAX_APP_NAME`]).
pub fn is_app_name(name: &str) -> bool {
    is_name(name, MAX_APP_NAME, |c| {
        c.is_ascii_alphanumeric() || c == '-'
    })
}

/// Whether `name` is a valid environment name ([`ENVIRONMENT_NAME_PATTERN`],
/// [`MAX_ENVIRONMENT_NAME`]).
pub fn is_environment_name(name: &str) -> bool {
    is_name(name, MAX_ENVIRONMENT_NAME, |c| {
        c.is_ascii_alphanumeric() || c == '-'
    })
}

/// Stack names as a stack file's `name:` writes them, the keys of an environment's
/// `parameters` and `stacks`.
pub const STACK_NAME_PATTERN: &str = "[A-Za-z][A-Za-z0-9-]*";

/// Whether `name` matches [`STACK_NAME_PATTERN`] (any length: the whole stack name is
/// bounded).
pub fn is_stack_name(name: &str) -> bool {
    is_name(name, usize::MAX, |c| c.is_ascii_alphanumeric() || c == '-')
}

/// Whether `name` matches [`IDENTIFIER_PATTERN`] (any length: callers bound it).
pub fn is_identifier(name: &str) -> bool {
    is_name(name, usize::MAX, |c| c.is_ascii_alphanumeric())
}

/// An S3 bucket name's shape (general purpose buckets; dots allowed, no uppercase).
pub const BUCKET_PATTERN: &str = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";

/// Whether `bucket` has an S3 bucket name's shape ([`BUCKET_PATTERN`]).
pub fn is_bucket(bucket: &str) -> bool {
    let bytes = bucket.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes.iter().all(|b| edge(b) || *b == b'.' || *b == b'-')
}

/// Whether `region` has a region's shape ([`REGION_PATTERN`]).
pub fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let lower = |part: &&str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase());
    match parts.as_slice() {
        [country, middle @ .., number] => {
            country.len() == 2
                && lower(country)
                && !middle.is_empty()
                && middle.iter().all(lower)
                && !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// Whether `account` is an account id ([`ACCOUNT_PATTERN`]).
pub fn is_account(account: &str) -> bool {
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_have_the_shape_of_s3_bucket_names() {
        for good in ["my-artifacts-bucket", "abc", "a.b-c.123"] {
            assert!(is_bucket(good), "{good}");
        }
        for bad in ["ab", "My-Bucket", "-abc", "abc-", "a_b_c", &"a".repeat(64)] {
            assert!(!is_bucket(bad), "{bad}");
        }
    }

    #[test]
    fn regions_have_the_shape_of_aws_regions() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "cn-north-1",
            "eu-central-2",
            "ap-southeast-10",
        ] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "",
            "us-east",
            "useast-1",
            "US-EAST-1",
            "us--1",
            "u-east-1",
            "us-east-1a",
            "us-1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    #[test]
    fn names_follow_their_patterns() {
        assert!(is_app_name("RefArch-2"));
        assert!(!is_app_name("2RefArch"));
        assert!(!is_app_name(&"a".repeat(MAX_APP_NAME + 1)));
        assert!(is_environment_name("prod-eu"));
        assert!(!is_environment_name("prod_eu"));
        assert!(!is_environment_name(&"a".repeat(MAX_ENVIRONMENT_NAME + 1)));
        assert!(is_identifier("Api2"));
        assert!(!is_identifier("Api-2"));
        assert!(!is_identifier(""));
        assert!(is_account("012345678901"));
        assert!(!is_account("12345678901"));
        assert!(!is_account("１２３４５６７８９０１２"));
    }
}
