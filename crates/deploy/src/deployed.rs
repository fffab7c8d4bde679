//! What is deployed: a stack's template as it was submitted, its outputs, who imports its
//! exports, and deleting it.
//!
//! Imports: ListExports names the stack's exports, and ListImports each importer. A server
//! that does not implement ListImports (moto answers 500) is not taken as "nobody imports
//! it": the stacks of the region are read instead, and a stack whose template has an
//! `Fn::ImportValue` of one of the names counts as an importer.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use stackweave_location::Diagnostic;
use stackweave_template_file::parse_template_str;

use crate::connection::Clients;
use crate::error::{is_missing_stack, is_unsupported, sdk_error};
use crate::follow::{self, Finished};
use crate::rollout::StackEvent;
use aws_sdk_cloudformation::types::Stack;

/// The template the stack was last deployed with (TemplateStage Original), as JSON;
/// `None` when there is no such stack.
pub async fn template(clients: &Clients, stack_name: &str) -> Result<Option<Value>, Diagnostic> {
    let answer = clients
        .cloudformation
        .get_template()
        .stack_name(stack_name)
        .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
        .send()
        .await;
    let body = match answer {
        Ok(output) => output.template_body().unwrap_or_default().to_owned(),
        Err(error) if is_missing_stack(&error) => return Ok(None),
        Err(error) => return Err(sdk_error("cloudformation:GetTemplate", stack_name, &error)),
    };
    // Stackweave deploys JSON; a stack deployed from YAML by something else is read with
    // the template reader every check uses, short forms and all.
    if let Ok(value) = serde_json::from_str(&body) {
        return Ok(Some(value));
    }
    parse_template_str(&body, Path::new(stack_name))
        .map(|file| Some(file.value))
        .map_err(|e| {
            Diagnostic::error(format!("the deployed template of {stack_name} cannot be read: {e}"))
                .help("compare it by hand (`aws cloudformation get-template`), or deploy once with stackweave")
        })
}

/// The stack's outputs, by key.
pub async fn outputs(
    clients: &Clients,
    stack_name: &str,
) -> Result<BTreeMap<String, String>, Diagnostic> {
    Ok(stack(clients, stack_name)
        .await?
        .iter()
        .flat_map(|s| s.outputs())
        .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
        .collect())
}

/// Sets termination protection on the stack.
pub async fn protect(clients: &Clients, stack_name: &str) -> Result<(), Diagnostic> {
    clients
        .cloudformation
        .update_termination_protection()
        .stack_name(stack_name)
        .enable_termination_protection(true)
        .send()
        .await
        .map_err(|e| sdk_error("cloudformation:UpdateTerminationProtection", stack_name, &e))?;
    Ok(())
}

/// Each export of the stack and the stacks that import it (only exports someone imports).
pub async fn importers(
    clients: &Clients,
    stack_name: &str,
) -> Result<Vec<(String, Vec<String>)>, Diagnostic> {
    let Some(stack_id) = stack(clients, stack_name)
        .await?
        .and_then(|s| s.stack_id().map(str::to_owned))
    else {
        return Ok(Vec::new());
    };
    let mut exports = Vec::new();
    let mut token = None;
    loop {
        let page = clients
            .cloudformation
            .list_exports()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| sdk_error("cloudformation:ListExports", stack_name, &e))?;
        for export in page.exports() {
            if export.exporting_stack_id() == Some(stack_id.as_str()) {
                exports.extend(export.name().map(str::to_owned));
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut found = Vec::new();
    for export in exports {
        match clients
            .cloudformation
            .list_imports()
            .export_name(&export)
            .send()
            .await
        {
            Ok(page) => {
                let stacks = page.imports().to_vec();
                if !stacks.is_empty() {
                    found.push((export, stacks));
                }
            }
            // ListImports also fails when nothing imports the export.
            Err(error)
                if error
                    .message()
                    .is_some_and(|m| m.contains("is not imported")) => {}
            Err(error) if is_unsupported(&error) => {
                let stacks = importers_by_template(clients, stack_name, &export).await?;
                if !stacks.is_empty() {
                    found.push((export, stacks));
                }
            }
            Err(error) => return Err(sdk_error("cloudformation:ListImports", stack_name, &error)),
        }
    }
    Ok(found)
}

use aws_sdk_cloudformation::error::ProvideErrorMetadata as _;

/// The stacks of the region (other than `stack_name`) whose template imports `export`.
async fn importers_by_template(
    clients: &Clients,
    stack_name: &str,
    export: &str,
) -> Result<Vec<String>, Diagnostic> {
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = clients
            .cloudformation
            .describe_stacks()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| sdk_error("cloudformation:DescribeStacks", stack_name, &e))?;
        for stack in page.stacks() {
            let deleted = stack
                .stack_status()
                .is_some_and(|s| s.as_str() == "DELETE_COMPLETE");
            if let Some(name) = stack.stack_name().filter(|n| *n != stack_name && !deleted) {
                names.push(name.to_owned());
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut importing = Vec::new();
    for name in names {
        if let Some(template) = template(clients, &name).await?
            && imports(&template, export)
        {
            importing.push(name);
        }
    }
    Ok(importing)
}

/// Whether `Fn::ImportValue` of exactly `export` appears anywhere in `value`.
pub fn imports(value: &Value, export: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, inner)| {
            (key == "Fn::ImportValue" && inner.as_str() == Some(export)) || imports(inner, export)
        }),
        Value::Array(items) => items.iter().any(|item| imports(item, export)),
        _ => false,
    }
}

/// The stack as DescribeStacks gives it; `None` when there is no stack of that name (a
/// deleted stack is not listed by name).
pub async fn stack(clients: &Clients, stack_name: &str) -> Result<Option<Stack>, Diagnostic> {
    match clients
        .cloudformation
        .describe_stacks()
        .stack_name(stack_name)
        .send()
        .await
    {
        Ok(output) => Ok(output.stacks().first().cloned()),
        Err(error) if is_missing_stack(&error) => Ok(None),
        Err(error) => Err(sdk_error(
            "cloudformation:DescribeStacks",
            stack_name,
            &error,
        )),
    }
}

/// The stack's status; `None` once it is gone.
pub async fn status(clients: &Clients, stack_name: &str) -> Result<Option<String>, Diagnostic> {
    Ok(stack(clients, stack_name)
        .await?
        .and_then(|s| s.stack_status().map(|status| status.as_str().to_owned())))
}

/// Deletes the stack and follows it until it is gone; `None` when there was no stack.
pub async fn delete(
    clients: &Clients,
    stack_name: &str,
    on_event: &mut dyn FnMut(&StackEvent),
) -> Result<Option<Finished>, Diagnostic> {
    if status(clients, stack_name).await?.is_none() {
        return Ok(None);
    }
    let mut seen = follow::newest_event(clients, stack_name).await?;
    clients
        .cloudformation
        .delete_stack()
        .stack_name(stack_name)
        .send()
        .await
        .map_err(|e| sdk_error("cloudformation:DeleteStack", stack_name, &e))?;
    let mut finished = follow::follow(clients, stack_name, &mut seen, false, on_event).await?;
    finished.succeeded = finished.status == "DELETE_COMPLETE";
    Ok(Some(finished))
}

#[cfg(test)]
mod tests {
    use super::imports;

    #[test]
    fn imports_finds_an_import_value_of_the_export_anywhere() {
        let template = serde_json::json!({"Resources": {"A": {"Properties": {"X": [{"Fn::ImportValue": "Shared-Arn"}]}}}});
        assert!(imports(&template, "Shared-Arn"));
        assert!(!imports(&template, "Shared"));
    }
}
