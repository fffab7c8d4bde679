//! The `{{name}}` construct: an S3 bucket with a team's defaults (encrypted, private,
//! versioned, old versions expired). Replace it with your own construct; the shape stays:
//! a props type whose doc comments become the props schema, `info` saying what the
//! construct is, and `synth` turning props into CloudFormation resources.
//!
//! Local id `Resource`, so the bucket gets the construct's own logical id. Attributes: `arn`
//! (the first, so a bare `${Id}` is the ARN) and `name`.

use serde::{Deserialize, Serialize};
use serde_json::json;
use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info, JsonSchema, cfn, schemars};

/// The `{{name}}` construct.
pub struct {{Type}};

/// An S3 bucket that blocks public access, encrypts at rest and keeps versions.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Props {
    /// Keep every version of every object, so a deleted or overwritten object can be
    /// restored.
    #[serde(default = "keep_versions")]
    pub versioned: bool,
    /// Days after which an object's old versions are deleted (when `versioned`).
    #[serde(default = "expire_days")]
    #[schemars(range(min = 1, max = 3650))]
    pub expire_old_versions_after_days: u32,
}

fn keep_versions() -> bool {
    true
}

fn expire_days() -> u32 {
    90
}

impl Construct for {{Type}} {
    type Props = Props;

    fn info() -> Info {
        Info {
            name: "{{name}}",
            version: env!("CARGO_PKG_VERSION"),
            description: "an encrypted, private, versioned S3 bucket",
            attributes: vec![("arn", "the bucket's ARN"), ("name", "the bucket's name")],
        }
    }

    fn synth(_context: &Context, props: Props) -> Result<Fragment, Vec<Diagnostic>> {
        if !props.versioned && props.expire_old_versions_after_days != expire_days() {
            return Err(vec![Diagnostic::error(
                "/expireOldVersionsAfterDays",
                "old versions exist only when `versioned` is true; remove this prop or set `versioned: true`",
            )]);
        }
        let mut properties = json!({
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
            ]},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": true,
                "BlockPublicPolicy": true,
                "IgnorePublicAcls": true,
                "RestrictPublicBuckets": true
            }
        });
        if props.versioned {
            properties["VersioningConfiguration"] = json!({"Status": "Enabled"});
            properties["LifecycleConfiguration"] = json!({"Rules": [{
                "Id": "ExpireOldVersions",
                "Status": "Enabled",
                "NoncurrentVersionExpiration": {"NoncurrentDays": props.expire_old_versions_after_days}
            }]});
        }
        Ok(Fragment::new()
            .resource(
                "Resource",
                json!({"Type": "AWS::S3::Bucket", "Properties": properties}),
            )
            .attribute("arn", cfn::get_att("Resource", "Arn"))
            .attribute("name", cfn::reference("Resource")))
    }
}

stackweave_plugin::export_construct!({{Type}});

#[cfg(test)]
mod tests {
    use serde_json::json;
    use stackweave_plugin::testing;

    use super::*;

    #[test]
    fn a_bucket_is_private_and_versioned_by_default() {
        let fragment = testing::ok::<{{Type}}>("Data", json!({}));
        let bucket = &fragment.resources()["Resource"];
        assert_eq!(bucket["Type"], "AWS::S3::Bucket");
        assert_eq!(bucket["Properties"]["VersioningConfiguration"]["Status"], "Enabled");
        assert_eq!(
            bucket["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"],
            true
        );
    }

    #[test]
    fn expiring_versions_of_an_unversioned_bucket_is_an_error() {
        let (path, message) = testing::single_error::<{{Type}}>(
            "Data",
            json!({"versioned": false, "expireOldVersionsAfterDays": 30}),
        );
        assert_eq!(path, "/expireOldVersionsAfterDays");
        assert!(message.contains("versioned"), "{message}");
    }
}
