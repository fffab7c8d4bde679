//! Child constructs: a construct creating others through the host (contract 0.2's
//! `composition`), as a CDK construct creates others in its constructor.
//!
//! ```
//! use serde_json::json;
//! use stackweave_plugin::{add_child, Diagnostic};
//!
//! fn role_for(service: &str) -> Result<serde_json::Value, Vec<Diagnostic>> {
//!     let role = add_child("iam-role", "Role", &json!({ "assumedBy": [service] }))?;
//!     Ok(role.attribute("arn").clone())
//! }
//!
//! // In native tests, `testing::with_children` answers for the host.
//! let arn = stackweave_plugin::testing::with_children(
//!     |_plugin, id, _props| Ok(vec![("arn", json!({"Fn::GetAtt": [format!("Api{id}"), "Arn"]}))]),
//!     || role_for("apigateway.amazonaws.com"),
//! );
//! assert_eq!(arn.unwrap(), json!({"Fn::GetAtt": ["ApiRole", "Arn"]}));
//! ```

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::Diagnostic;

/// A child construct, once created: its attributes, as CloudFormation expressions over the
/// template's logical ids, ready to use as they are in this construct's fragment.
#[derive(Clone, Debug, PartialEq)]
pub struct Child {
    id: String,
    attributes: BTreeMap<String, Value>,
}

impl Child {
    /// The child's id among this construct's children.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The attribute `name`. The child's plugin documents its attributes; asking for one
    /// it does not have is a bug in this plugin, so it yields JSON `null`, which the host
    /// then refuses in the fragment.
    pub fn attribute(&self, name: &str) -> &Value {
        self.attributes.get(name).unwrap_or(&Value::Null)
    }

    /// Every attribute, by name.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.attributes
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }
}

/// Creates the child construct `id` (letters and digits, unique among this construct's
/// children) with the plugin named `plugin` and `props`, and returns its attributes.
///
/// The host synthesises the child at once, under the same sandbox limits, checks its props
/// against its plugin's schema, and adds its resources to the template under this
/// construct's path (child `Role` of construct `Api` gets logical ids starting `ApiRole`).
/// If the child fails, the host reports its problems under its path (`Api/Role`), and the
/// error returned here is for this construct to return in turn: `add_child(...)?`.
///
/// The child reads `props` in its own namespace, so references in them must be ones this
/// construct was given (its props' references, other children's attributes), or this
/// construct's own resources written with [`crate::cfn::local`] / [`crate::cfn::local_att`];
/// a bare `{"Ref": "Resource"}` would name the *child's* `Resource`, and is refused.
pub fn add_child(plugin: &str, id: &str, props: &impl Serialize) -> Result<Child, Vec<Diagnostic>> {
    let props = serde_json::to_string(props).map_err(|e| {
        vec![Diagnostic::error(
            "",
            format!("the props of child construct `{id}` cannot be written as JSON: {e}"),
        )]
    })?;
    let attributes = host::add_child(plugin, id, &props)?
        .into_iter()
        .map(|(name, text)| {
            let value = serde_json::from_str(&text).unwrap_or(Value::Null);
            (name, value)
        })
        .collect();
    Ok(Child {
        id: id.to_string(),
        attributes,
    })
}

#[cfg(target_arch = "wasm32")]
mod host {
    use crate::bindings::stackweave::plugin::{composition, types};
    use crate::{Diagnostic, Severity};

    pub(super) fn add_child(
        plugin: &str,
        id: &str,
        props: &str,
    ) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
        composition::add_child(plugin, id, props)
            .map(|attributes| attributes.into_iter().map(|a| (a.name, a.value)).collect())
            .map_err(|diagnostics| {
                diagnostics
                    .into_iter()
                    .map(|d| Diagnostic {
                        severity: match d.severity {
                            types::Severity::Error => Severity::Error,
                            types::Severity::Warning => Severity::Warning,
                        },
                        message: d.message,
                        path: d.path,
                    })
                    .collect()
            })
    }
}

/// Natively (a plugin's unit tests) there is no host: `testing::with_children` answers.
#[cfg(not(target_arch = "wasm32"))]
mod host {
    use crate::Diagnostic;

    pub(super) fn add_child(
        plugin: &str,
        id: &str,
        props: &str,
    ) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
        crate::testing::answer_child(plugin, id, props)
    }
}
