//! A stack's change set: whether the stack exists, creating the change set (the template
//! inline, or from S3 when it is over CloudFormation's inline limit), waiting until
//! CloudFormation has judged it, and its resource changes.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Parameter, Tag};
use sha2::{Digest, Sha256};
use stackweave_location::Diagnostic;

use crate::Target;
use crate::connection::Clients;
use crate::error::sdk_error;
use crate::rollout::{self, ResourceChange};

/// The largest template CloudFormation takes inline (TemplateBody), in bytes.
pub const MAX_INLINE_TEMPLATE: usize = 51_200;

/// How long a change set may take to be judged before we stop waiting.
const CHANGE_SET_DEADLINE: Duration = Duration::from_secs(15 * 60);

/// The stack as CloudFormation has it before the deploy.
#[derive(Debug, Clone, PartialEq)]
pub enum Existing {
    /// No stack, or one that was only ever reviewed (REVIEW_IN_PROGRESS): created anew.
    New,
    /// A stack with this status.
    Deployed {
        /// Its status.
        status: String,
    },
}

/// A change set CloudFormation has judged.
#[derive(Debug, Clone)]
pub enum Prepared {
    /// The template and settings are what is deployed; the empty change set was deleted.
    NoChanges,
    /// Ready to execute.
    Ready(ChangeSet),
}

/// A change set ready to execute.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// Its name, unique to the run.
    pub name: String,
    /// Whether executing it creates the stack.
    pub creates: bool,
    /// The id (ARN) of the stack it belongs to: followed by id, since a name can be reused
    /// by a stack made after it.
    pub stack_id: String,
    /// CloudFormation's verdict on each resource.
    pub changes: Vec<ResourceChange>,
}

/// Whether the stack exists, and its status.
pub async fn existing(clients: &Clients, stack_name: &str) -> Result<Existing, Diagnostic> {
    let status = crate::deployed::status(clients, stack_name)
        .await?
        .unwrap_or_default();
    Ok(match status.as_str() {
        "" | "REVIEW_IN_PROGRESS" => Existing::New,
        _ => Existing::Deployed { status },
    })
}

/// Creates the change set of `target` and waits until CloudFormation has judged it.
pub async fn prepare(
    clients: &Clients,
    target: &Target,
    existing: &Existing,
) -> Result<Prepared, Diagnostic> {
    let creates = *existing == Existing::New;
    let name = change_set_name();
    let capabilities: Vec<Capability> = rollout::capabilities(&target.template)
        .into_iter()
        .map(Capability::from)
        .collect();
    let mut request = clients
        .cloudformation
        .create_change_set()
        .stack_name(&target.stack_name)
        .change_set_name(&name)
        .change_set_type(match creates {
            true => ChangeSetType::Create,
            false => ChangeSetType::Update,
        })
        .description("created by stackweave deploy")
        .set_capabilities(Some(capabilities))
        .set_parameters(Some(
            target
                .parameters
                .iter()
                .map(|(key, value)| {
                    Parameter::builder()
                        .parameter_key(key)
                        .parameter_value(value)
                        .build()
                })
                .collect(),
        ));
    for (key, value) in &target.tags {
        let tag = Tag::builder().key(key).value(value).build();
        request = request.tags(tag);
    }
    request = match target.body.len() > MAX_INLINE_TEMPLATE {
        true => request.template_url(upload(clients, target).await?),
        false => request.template_body(&target.body),
    };
    let created = request
        .send()
        .await
        .map_err(|e| sdk_error("cloudformation:CreateChangeSet", &target.stack_name, &e))?;
    let stack_id = created.stack_id().unwrap_or(&target.stack_name).to_owned();
    wait(clients, target, &name, creates, stack_id).await
}

/// Polls the change set, first soon and then less often, until it is judged.
async fn wait(
    clients: &Clients,
    target: &Target,
    name: &str,
    creates: bool,
    stack_id: String,
) -> Result<Prepared, Diagnostic> {
    let started = Instant::now();
    let mut interval = Duration::from_millis(50);
    loop {
        let mut changes = Vec::new();
        let mut token = None;
        let (status, reason) = loop {
            let page = clients
                .cloudformation
                .describe_change_set()
                .stack_name(&target.stack_name)
                .change_set_name(name)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| {
                    sdk_error("cloudformation:DescribeChangeSet", &target.stack_name, &e)
                })?;
            for change in page.changes() {
                if let Some(resource) = change.resource_change() {
                    changes.push(ResourceChange {
                        action: resource
                            .action()
                            .map(|a| a.as_str().to_owned())
                            .unwrap_or_default(),
                        logical_id: resource
                            .logical_resource_id()
                            .unwrap_or_default()
                            .to_owned(),
                        resource_type: resource.resource_type().unwrap_or_default().to_owned(),
                        replacement: resource.replacement().map(|r| r.as_str().to_owned()),
                    });
                }
            }
            let status = page.status().cloned();
            let reason = page.status_reason().unwrap_or_default().to_owned();
            token = page.next_token().map(str::to_owned);
            if token.is_none() || status != Some(ChangeSetStatus::CreateComplete) {
                break (status, reason);
            }
        };
        match status {
            Some(ChangeSetStatus::CreateComplete) => {
                return Ok(Prepared::Ready(ChangeSet {
                    name: name.to_owned(),
                    creates,
                    stack_id,
                    changes,
                }));
            }
            Some(ChangeSetStatus::Failed) if rollout::is_empty_change_set_reason(&reason) => {
                delete(clients, &target.stack_name, name).await?;
                return Ok(Prepared::NoChanges);
            }
            Some(ChangeSetStatus::Failed) => {
                return Err(Diagnostic::error(format!(
                    "CloudFormation refused the change set of {}: {reason}",
                    target.stack_name
                ))
                .help(format!(
                    "fix what it names, then deploy again; the failed change set `{name}` is left for inspection"
                )));
            }
            _ => {}
        }
        if started.elapsed() > CHANGE_SET_DEADLINE {
            return Err(Diagnostic::error(format!(
                "the change set `{name}` of {} was still being created after {} minutes",
                target.stack_name,
                CHANGE_SET_DEADLINE.as_secs() / 60
            ))
            .help("look at it in the CloudFormation console; deploy again once it is created or deleted"));
        }
        tokio::time::sleep(interval).await;
        interval = (interval * 2).min(Duration::from_secs(5));
    }
}

/// Deletes a change set (one that changes nothing, or one refused).
pub async fn delete(clients: &Clients, stack_name: &str, name: &str) -> Result<(), Diagnostic> {
    clients
        .cloudformation
        .delete_change_set()
        .stack_name(stack_name)
        .change_set_name(name)
        .send()
        .await
        .map_err(|e| sdk_error("cloudformation:DeleteChangeSet", stack_name, &e))?;
    Ok(())
}

/// Uploads the template to the environment's bucket under its sha256; its URL.
async fn upload(clients: &Clients, target: &Target) -> Result<String, Diagnostic> {
    let Some(bucket) = &target.bucket else {
        return Err(Diagnostic::error(format!(
            "the template of {} is {} bytes, over the {MAX_INLINE_TEMPLATE} bytes CloudFormation takes inline, and no bucket is given to upload it to",
            target.stack_name,
            target.body.len()
        ))
        .help("add `bucket: NAME` (an existing S3 bucket in the stack's region) to the environment in the app file"));
    };
    let key = template_key(&target.body);
    clients
        .s3
        .put_object()
        .bucket(bucket)
        .key(&key)
        .content_type("application/json")
        .body(target.body.clone().into_bytes().into())
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                "s3:PutObject",
                &format!("{} (bucket {bucket})", target.stack_name),
                &e,
            )
        })?;
    Ok(format!(
        "https://{bucket}.s3.{}.amazonaws.com/{key}",
        target.region
    ))
}

/// The object key of a template: its sha256, so a template is uploaded once however often
/// it is deployed.
pub fn template_key(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("stackweave/{hex}.json")
}

/// A change set name unique to this run: CloudFormation allows letters, digits and hyphens.
fn change_set_name() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("stackweave-{millis}")
}
