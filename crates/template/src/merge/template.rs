//! The finished template: its JSON value, who owns each logical id, and rendering
//! within CloudFormation's quotas.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{MergeError, Owner, TemplateBuilder};
use crate::emit;

/// Limits a template must stay within. The defaults are CloudFormation's documented
/// per-stack quotas; a caller may raise them where an account's quota is higher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// Maximum number of resources.
    pub resources: usize,
    /// Maximum number of outputs.
    pub outputs: usize,
    /// Maximum number of parameters.
    pub parameters: usize,
    /// Maximum size in bytes of the rendered template.
    pub template_bytes: usize,
}

impl Default for Quotas {
    /// 500 resources, 200 outputs, 200 parameters, and 1,000,000 bytes: the limit for a
    /// template body uploaded through S3.
    fn default() -> Self {
        Quotas {
            resources: 500,
            outputs: 200,
            parameters: 200,
            template_bytes: 1_000_000,
        }
    }
}

/// How a template is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML with CloudFormation's short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...).
    Yaml,
    /// Pretty-printed JSON.
    Json,
}

/// A merged, checked template, and the owner of each logical id.
#[derive(Clone, Debug)]
pub struct Template {
    value: Value,
    owners: [BTreeMap<String, Owner>; 4],
    resource_count: usize,
}

impl Template {
    /// Lays out the template in CloudFormation's customary section order, omitting empty
    /// sections other than `Resources`.
    pub(super) fn assemble(builder: TemplateBuilder) -> Template {
        let TemplateBuilder {
            description,
            parameters,
            conditions,
            resources,
            outputs,
        } = builder;
        let resource_count = resources.entries.len();
        let mut top = Map::new();
        top.insert(
            "AWSTemplateFormatVersion".to_owned(),
            Value::String("2010-09-09".to_owned()),
        );
        if let Some(description) = description {
            top.insert("Description".to_owned(), Value::String(description));
        }
        let sections = [
            ("Parameters", parameters.entries, false),
            ("Conditions", conditions.entries, false),
            ("Resources", resources.entries, true),
            ("Outputs", outputs.entries, false),
        ];
        for (name, entries, always) in sections {
            if always || !entries.is_empty() {
                top.insert(name.to_owned(), Value::Object(entries));
            }
        }
        let owners = [
            resources.owners,
            parameters.owners,
            conditions.owners,
            outputs.owners,
        ];
        Template {
            value: Value::Object(top),
            owners,
            resource_count,
        }
    }

    /// The template as JSON, sections in CloudFormation's customary order and entries in
    /// the order they were added.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Who contributed the entry with this logical id. Resources, parameters, conditions
    /// and outputs are searched in that order, since outputs and conditions have
    /// namespaces of their own and may reuse a resource's id.
    pub fn owner(&self, logical_id: &str) -> Option<&Owner> {
        self.owners.iter().find_map(|map| map.get(logical_id))
    }

    /// How many resources the template has.
    pub fn resource_count(&self) -> usize {
        self.resource_count
    }

    /// Renders the template as YAML (with short-form tags) or JSON, ending in a newline;
    /// fails if the text is larger than `quotas.template_bytes`.
    pub fn render(&self, format: Format, quotas: &Quotas) -> Result<String, MergeError> {
        let text = match format {
            Format::Yaml => emit::to_yaml(&self.value),
            Format::Json => emit::to_json(&self.value),
        }?;
        if text.len() > quotas.template_bytes {
            return Err(MergeError::QuotaExceeded {
                quota: "templateBytes",
                limit: quotas.template_bytes,
                actual: text.len(),
            });
        }
        Ok(text)
    }
}
