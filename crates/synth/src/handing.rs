//! What a parent may put in a child construct's props, and how its own resources get there.
//!
//! A child's props are read in the child's namespace: a `{"Ref": "Resource"}` there names
//! the *child's* `Resource`. So a parent that meant one of its own resources would wire the
//! child to the wrong thing, silently (a REST API's id where a state machine's ARN belongs).
//! Two rules close that:
//!
//! - a parent names one of its own resources with `{"Stackweave::Local": "Resource"}`
//!   (a `Ref`) or `{"Stackweave::Local": ["Resource", "Arn"]}` (a `Fn::GetAtt`), the SDK's
//!   `cfn::local` and `cfn::local_att`; the host replaces each with the logical id that
//!   local id gets in the parent (its pin, if the stack file pins it);
//! - any other id the child's props name must be one the parent was handed itself (through
//!   its own props, or its children's attributes), a parameter handed the same way, or a
//!   pseudo parameter: anything else is refused, naming the parent, the child and the prop.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use stackweave_template::{is_pseudo_parameter, logical_id, referenced_ids, shortened};

/// The key of a parent's reference to one of its own resources.
pub(crate) const LOCAL: &str = "Stackweave::Local";

/// The parent, as far as its children's props are concerned.
pub(crate) struct Parent<'a> {
    /// Its construct path.
    pub path: &'a [String],
    /// The stack file's pins of its local ids (a construct of the stack file only).
    pub pins: &'a [(String, String)],
    /// The template ids it was handed: its props' and its children's attributes'.
    pub handed: &'a BTreeSet<String>,
}

impl Parent<'_> {
    /// `props` with every [`LOCAL`] reference replaced by the parent's logical id, after
    /// checking that every other id they name was handed to the parent. The error is the
    /// message for the parent's plugin.
    pub(crate) fn hand(&self, child: &str, props: Value) -> Result<Value, String> {
        let mut given = BTreeSet::new();
        let props = self.resolve(props, child, &mut given)?;
        if let Value::Object(entries) = &props {
            for (prop, value) in entries {
                for id in referenced_ids(value) {
                    if !self.handed.contains(&id)
                        && !given.contains(&id)
                        && !is_pseudo_parameter(&id)
                    {
                        return Err(self.foreign(child, prop, &id));
                    }
                }
            }
        }
        Ok(props)
    }

    /// The logical id the parent's local id `local` gets.
    fn logical(&self, local: &str) -> String {
        self.pins
            .iter()
            .find(|(pinned, _)| pinned == local)
            .map(|(_, logical)| logical.clone())
            .unwrap_or_else(|| logical_id(self.path, local))
    }

    /// `value` with every [`LOCAL`] reference replaced; the logical ids written go into
    /// `given`.
    fn resolve(
        &self,
        value: Value,
        child: &str,
        given: &mut BTreeSet<String>,
    ) -> Result<Value, String> {
        match value {
            Value::Object(map) if map.len() == 1 && map.contains_key(LOCAL) => {
                let (local, attribute) = match &map[LOCAL] {
                    Value::String(local) => (local, None),
                    Value::Array(pair) => match pair.as_slice() {
                        [Value::String(local), Value::String(attribute)] => {
                            (local, Some(attribute))
                        }
                        _ => return Err(self.malformed(child, &map[LOCAL])),
                    },
                    other => return Err(self.malformed(child, other)),
                };
                let logical = self.logical(local);
                given.insert(logical.clone());
                Ok(match attribute {
                    None => json!({"Ref": logical}),
                    Some(attribute) => json!({"Fn::GetAtt": [logical, attribute]}),
                })
            }
            Value::Object(map) => {
                let mut resolved = Map::new();
                for (key, child_value) in map {
                    resolved.insert(key, self.resolve(child_value, child, given)?);
                }
                Ok(Value::Object(resolved))
            }
            Value::Array(items) => items
                .into_iter()
                .map(|item| self.resolve(item, child, given))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            other => Ok(other),
        }
    }

    fn malformed(&self, child: &str, value: &Value) -> String {
        format!(
            "`{}` names one of its own resources for its child `{child}` as `{{\"{LOCAL}\": {}}}`; write `{{\"{LOCAL}\": \"LocalId\"}}` for a Ref, or `{{\"{LOCAL}\": [\"LocalId\", \"Attribute\"]}}` for a Fn::GetAtt (the SDK's `cfn::local` and `cfn::local_att`)",
            self.path.join("/"),
            shortened(&value.to_string())
        )
    }

    fn foreign(&self, child: &str, prop: &str, id: &str) -> String {
        let parent = self.path.join("/");
        format!(
            "`{parent}` gives its child `{parent}/{child}` a reference to `{id}` in the prop `{}`, but `{id}` is no id `{parent}` was given (through its props or its children's attributes); the child would read it as one of its *own* ids and wire itself to the wrong resource. To name one of `{parent}`'s own resources, write `{{\"{LOCAL}\": \"{id}\"}}` (the SDK's `cfn::local(\"{id}\")`)",
            shortened(prop),
            id = shortened(id),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parent<'a>(
        path: &'a [String],
        pins: &'a [(String, String)],
        handed: &'a BTreeSet<String>,
    ) -> Parent<'a> {
        Parent { path, pins, handed }
    }

    #[test]
    fn own_resources_become_the_parents_logical_ids_pins_included() {
        let path = vec!["Orders".to_string()];
        let pins = vec![("Table".to_string(), "OrdersTablePinned".to_string())];
        let handed = BTreeSet::new();
        let props = json!({
            "stateMachine": {LOCAL: "Resource"},
            "table": {LOCAL: ["Table", "Arn"]},
            "list": [{"Fn::Join": ["", [{LOCAL: "Queue"}]]}]
        });
        let handed_props = parent(&path, &pins, &handed)
            .hand("Api", props)
            .expect("handed");
        assert_eq!(
            handed_props,
            json!({
                "stateMachine": {"Ref": "Orders"},
                "table": {"Fn::GetAtt": ["OrdersTablePinned", "Arn"]},
                "list": [{"Fn::Join": ["", [{"Ref": "OrdersQueue"}]]}]
            })
        );
    }

    #[test]
    fn a_bare_local_id_is_refused_naming_parent_child_and_prop() {
        let path = vec!["Orders".to_string()];
        let handed: BTreeSet<String> = ["Workflow".to_string()].into();
        let error = parent(&path, &[], &handed)
            .hand("Api", json!({"stateMachine": {"Ref": "Resource"}}))
            .expect_err("refused");
        assert!(
            error.contains("`Orders` gives its child `Orders/Api` a reference to `Resource` in the prop `stateMachine`"),
            "{error}"
        );
        assert!(
            error.contains("{\"Stackweave::Local\": \"Resource\"}"),
            "{error}"
        );
        let error = parent(&path, &[], &handed)
            .hand(
                "Role",
                json!({"statements": [{"resources": [{"Fn::Sub": "${Table.Arn}/index/*"}]}]}),
            )
            .expect_err("a Sub variable too");
        assert!(
            error.contains("`Table` in the prop `statements`"),
            "{error}"
        );
    }

    #[test]
    fn handed_ids_and_pseudo_parameters_pass() {
        let path = vec!["Orders".to_string()];
        let handed: BTreeSet<String> = ["Workflow".to_string(), "StageName".to_string()].into();
        let props = json!({
            "stateMachine": {"Ref": "Workflow"},
            "stage": {"Ref": "StageName"},
            "region": {"Ref": "AWS::Region"}
        });
        assert_eq!(
            parent(&path, &[], &handed).hand("Api", props.clone()),
            Ok(props)
        );
    }

    #[test]
    fn a_malformed_local_reference_says_how_to_write_one() {
        let path = vec!["Orders".to_string()];
        let handed = BTreeSet::new();
        let error = parent(&path, &[], &handed)
            .hand("Api", json!({"stateMachine": {LOCAL: 7}}))
            .expect_err("refused");
        assert!(error.contains("cfn::local"), "{error}");
    }
}
