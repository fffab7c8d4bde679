//! CloudFormation's intrinsic functions, resolved with local placeholders: what a value of
//! the template would be once deployed, in a made-up but fixed account and region, so that
//! the same template always emulates the same way.
//!
//! Only values the emulator needs are resolved (a mapping template, a state machine's
//! definition and name), so a template whose other resources use what cannot be resolved
//! locally (`Fn::GetStackOutput`, conditions) still runs. What cannot be resolved is a
//! [`ModelError`] naming the resource and property.

use serde_json::{Map, Value};

use crate::error::ModelError;

/// The account, region and stack a template is emulated in.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::AccountId`.
    pub account: String,
    /// `AWS::Partition`.
    pub partition: String,
    /// `AWS::URLSuffix`.
    pub url_suffix: String,
    /// `AWS::StackName`.
    pub stack_name: String,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            region: "us-east-1".to_owned(),
            account: "123456789012".to_owned(),
            partition: "aws".to_owned(),
            url_suffix: "amazonaws.com".to_owned(),
            stack_name: "stack".to_owned(),
        }
    }
}

/// Resolves values of one template.
pub struct Resolver<'t> {
    resources: &'t Map<String, Value>,
    parameters: Option<&'t Map<String, Value>>,
    env: &'t Environment,
}

/// Where a value sits, for errors: the resource and the pointer of the value.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    /// The resource's logical id.
    pub resource: &'a str,
    /// The JSON Pointer of the value in the template.
    pub pointer: &'a str,
}

impl<'t> Resolver<'t> {
    /// A resolver over `template`'s resources and parameters.
    pub fn new(
        template: &'t Value,
        resources: &'t Map<String, Value>,
        env: &'t Environment,
    ) -> Self {
        Resolver {
            resources,
            parameters: template.get("Parameters").and_then(Value::as_object),
            env,
        }
    }

    /// `value` with every intrinsic function replaced by its placeholder value.
    pub fn resolve(&self, value: &Value, at: Place<'_>) -> Result<Value, ModelError> {
        match value {
            Value::Array(items) => items
                .iter()
                .map(|item| self.resolve(item, at))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(object) => {
                if object.len() == 1
                    && let Some((key, argument)) = object.iter().next()
                    && (key == "Ref" || key.starts_with("Fn::"))
                {
                    return self.function(key, argument, at);
                }
                let mut out = Map::new();
                for (key, item) in object {
                    out.insert(key.clone(), self.resolve(item, at)?);
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// `value` resolved, which must be text.
    pub fn string(&self, value: &Value, at: Place<'_>) -> Result<String, ModelError> {
        match self.resolve(value, at)? {
            Value::String(text) => Ok(text),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(self.error(
                at,
                format!("expected text, found {}", kind(&other)),
                "write the property as a string (or an intrinsic function giving one)",
            )),
        }
    }

    fn error(&self, at: Place<'_>, message: String, help: &str) -> ModelError {
        ModelError::at(at.resource, at.pointer, message, help)
    }

    fn function(&self, name: &str, argument: &Value, at: Place<'_>) -> Result<Value, ModelError> {
        match name {
            "Ref" => {
                let Some(target) = argument.as_str() else {
                    return Err(self.error(
                        at,
                        "`Ref` takes a name".into(),
                        "write `Ref: LogicalId`",
                    ));
                };
                self.reference(target, at).map(Value::String)
            }
            "Fn::GetAtt" => {
                let (target, attribute) = match argument {
                    Value::String(text) => match text.split_once('.') {
                        Some((t, a)) => (t.to_owned(), a.to_owned()),
                        None => (text.clone(), String::new()),
                    },
                    Value::Array(items) if items.len() == 2 => {
                        (self.string(&items[0], at)?, self.string(&items[1], at)?)
                    }
                    _ => {
                        return Err(self.error(
                            at,
                            "`Fn::GetAtt` takes [LogicalId, Attribute]".into(),
                            "write `Fn::GetAtt: [LogicalId, Attribute]`",
                        ));
                    }
                };
                self.attribute(&target, &attribute, at).map(Value::String)
            }
            "Fn::Sub" => {
                let (text, variables) = match argument {
                    Value::String(text) => (text.as_str(), None),
                    Value::Array(items) if items.len() == 2 => match (&items[0], &items[1]) {
                        (Value::String(text), Value::Object(vars)) => (text.as_str(), Some(vars)),
                        _ => {
                            return Err(self.error(
                                at,
                                "`Fn::Sub` takes a string, or [string, variables]".into(),
                                "write `Fn::Sub: [text, {Name: value}]`",
                            ));
                        }
                    },
                    _ => {
                        return Err(self.error(
                            at,
                            "`Fn::Sub` takes a string, or [string, variables]".into(),
                            "write `Fn::Sub: text`",
                        ));
                    }
                };
                self.sub(text, variables, at).map(Value::String)
            }
            "Fn::Join" => {
                let Some([delimiter, Value::Array(items)]) = argument.as_array().map(Vec::as_slice)
                else {
                    return Err(self.error(
                        at,
                        "`Fn::Join` takes [delimiter, [values]]".into(),
                        "write `Fn::Join: ['', [a, b]]`",
                    ));
                };
                let delimiter = self.string(delimiter, at)?;
                let parts = items
                    .iter()
                    .map(|item| self.string(item, at))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::String(parts.join(&delimiter)))
            }
            "Fn::Select" => {
                let Some([index, list]) = argument.as_array().map(Vec::as_slice) else {
                    return Err(self.error(
                        at,
                        "`Fn::Select` takes [index, list]".into(),
                        "write `Fn::Select: [0, list]`",
                    ));
                };
                let index = self.string(index, at)?;
                let list = self.resolve(list, at)?;
                index
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| list.as_array()?.get(i).cloned())
                    .ok_or_else(|| {
                        self.error(
                            at,
                            format!("`Fn::Select` index {index} is outside the list"),
                            "select an index the list has",
                        )
                    })
            }
            "Fn::Split" => {
                let Some([delimiter, text]) = argument.as_array().map(Vec::as_slice) else {
                    return Err(self.error(
                        at,
                        "`Fn::Split` takes [delimiter, text]".into(),
                        "write `Fn::Split: [',', text]`",
                    ));
                };
                let delimiter = self.string(delimiter, at)?;
                let text = self.string(text, at)?;
                Ok(Value::Array(
                    text.split(delimiter.as_str())
                        .map(|part| Value::String(part.to_owned()))
                        .collect(),
                ))
            }
            other => Err(self.error(
                at,
                format!("`{other}` cannot be resolved locally"),
                "the emulator resolves Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select and \
                 Fn::Split; write this value without the others, or emulate a template \
                 where it is resolved",
            )),
        }
    }

    /// `Fn::Sub`'s text with each `${Name}` replaced (`${!Name}` is the literal `${Name}`).
    fn sub(
        &self,
        text: &str,
        variables: Option<&Map<String, Value>>,
        at: Place<'_>,
    ) -> Result<String, ModelError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(value) = variables.and_then(|vars| vars.get(name)) {
                out.push_str(&self.string(value, at)?);
            } else if let Some((target, attribute)) = name.split_once('.') {
                out.push_str(&self.attribute(target, attribute, at)?);
            } else {
                out.push_str(&self.reference(name, at)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// What `Ref` of `target` gives: a pseudo parameter, a parameter's default, or a
    /// resource's physical id.
    pub fn reference(&self, target: &str, at: Place<'_>) -> Result<String, ModelError> {
        let env = self.env;
        let pseudo = match target {
            "AWS::Region" => Some(env.region.clone()),
            "AWS::AccountId" => Some(env.account.clone()),
            "AWS::Partition" => Some(env.partition.clone()),
            "AWS::URLSuffix" => Some(env.url_suffix.clone()),
            "AWS::StackName" => Some(env.stack_name.clone()),
            "AWS::StackId" => Some(format!(
                "arn:{}:cloudformation:{}:{}:stack/{}/00000000-0000-4000-8000-000000000000",
                env.partition, env.region, env.account, env.stack_name
            )),
            _ => None,
        };
        if let Some(value) = pseudo {
            return Ok(value);
        }
        if let Some(parameter) = self.parameters.and_then(|p| p.get(target)) {
            return match parameter.get("Default") {
                Some(Value::String(text)) => Ok(text.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                Some(Value::Array(items)) => Ok(items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(",")),
                _ => Err(self.error(
                    at,
                    format!("parameter `{target}` has no default to emulate with"),
                    "give the parameter a `Default`",
                )),
            };
        }
        let Some(resource) = self.resources.get(target) else {
            return Err(self.error(
                at,
                format!("`{target}` is neither a resource, a parameter nor a pseudo parameter"),
                "reference something the template declares",
            ));
        };
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "AWS::StepFunctions::StateMachine" => self.attribute(target, "Arn", at),
            "AWS::ApiGateway::RestApi" => Ok(api_id(target)),
            _ => self.name_of(target, resource, kind, at),
        }
    }

    /// A resource's name: its name property when it has one, else its logical id (what
    /// CloudFormation would generate is random; the logical id keeps traces readable).
    fn name_of(
        &self,
        target: &str,
        resource: &Value,
        kind: &str,
        at: Place<'_>,
    ) -> Result<String, ModelError> {
        let property = match kind {
            "AWS::StepFunctions::StateMachine" => "StateMachineName",
            "AWS::IAM::Role" => "RoleName",
            "AWS::Logs::LogGroup" => "LogGroupName",
            "AWS::DynamoDB::Table" => "TableName",
            "AWS::SQS::Queue" => "QueueName",
            "AWS::SNS::Topic" => "TopicName",
            "AWS::S3::Bucket" => "BucketName",
            "AWS::Lambda::Function" => "FunctionName",
            _ => "",
        };
        match resource.pointer(&format!("/Properties/{property}")) {
            Some(name) if !property.is_empty() => self.string(name, at),
            _ => Ok(target.to_owned()),
        }
    }

    /// What `Fn::GetAtt` of `target.attribute` gives.
    pub fn attribute(
        &self,
        target: &str,
        attribute: &str,
        at: Place<'_>,
    ) -> Result<String, ModelError> {
        let Some(resource) = self.resources.get(target) else {
            return Err(self.error(
                at,
                format!("`Fn::GetAtt` names `{target}`, which is no resource of the template"),
                "name a resource the template declares",
            ));
        };
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        let env = self.env;
        let (p, r, a) = (&env.partition, &env.region, &env.account);
        let name = || self.name_of(target, resource, kind, at);
        match (kind, attribute) {
            ("AWS::StepFunctions::StateMachine", "Arn") => {
                Ok(format!("arn:{p}:states:{r}:{a}:stateMachine:{}", name()?))
            }
            ("AWS::StepFunctions::StateMachine", "Name") => name(),
            ("AWS::IAM::Role", "Arn") => Ok(format!("arn:{p}:iam::{a}:role/{}", name()?)),
            ("AWS::IAM::Role", "RoleId") => Ok(format!("AROA{}", target.to_uppercase())),
            ("AWS::Logs::LogGroup", "Arn") => {
                Ok(format!("arn:{p}:logs:{r}:{a}:log-group:{}:*", name()?))
            }
            ("AWS::ApiGateway::RestApi", "RootResourceId") => Ok(format!("{}root", api_id(target))),
            (_, "Arn") if kind.starts_with("AWS::") => {
                let service = kind.split("::").nth(1).unwrap_or("").to_lowercase();
                Ok(format!("arn:{p}:{service}:{r}:{a}:{}", name()?))
            }
            (_, "Name") => name(),
            _ => Err(self.error(
                at,
                format!("`Fn::GetAtt` of `{target}.{attribute}` ({kind}) has no local placeholder"),
                "the emulator knows `Arn` and `Name` of any resource, `RootResourceId` of a \
                 RestApi and `RoleId` of a role; use one of those here",
            )),
        }
    }
}

/// A REST API's placeholder id: ten lowercase characters made from its logical id, as
/// API Gateway's ids are ten characters.
pub fn api_id(logical_id: &str) -> String {
    let mut id: String = logical_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(10)
        .collect();
    while id.len() < 10 {
        id.push('0');
    }
    id
}

/// A JSON value's kind, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn resolve(template: &Value, value: Value) -> Result<Value, ModelError> {
        let env = Environment::default();
        let resources = template["Resources"].as_object().unwrap();
        let resolver = Resolver::new(template, resources, &env);
        resolver.resolve(
            &value,
            Place {
                resource: "X",
                pointer: "/Resources/X",
            },
        )
    }

    #[test]
    fn a_state_machine_ref_is_its_arn_in_the_placeholder_account() {
        let template = json!({"Resources": {
            "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}},
            "Named": {"Type": "AWS::StepFunctions::StateMachine",
                      "Properties": {"StateMachineName": {"Fn::Sub": "${AWS::StackName}-m"}}},
        }});
        assert_eq!(
            resolve(&template, json!({"Ref": "Flow"})).unwrap(),
            json!("arn:aws:states:us-east-1:123456789012:stateMachine:Flow")
        );
        assert_eq!(
            resolve(&template, json!({"Fn::GetAtt": ["Named", "Arn"]})).unwrap(),
            json!("arn:aws:states:us-east-1:123456789012:stateMachine:stack-m")
        );
    }

    #[test]
    fn sub_join_and_parameters_resolve() {
        let template = json!({
            "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
            "Resources": {"Role": {"Type": "AWS::IAM::Role"}},
        });
        assert_eq!(
            resolve(&template, json!({"Fn::Sub": ["${Stage}/${Role.Arn}/${!Literal}/${X}", {"X": {"Fn::Join": ["-", ["a", {"Ref": "AWS::Region"}]]}}]})).unwrap(),
            json!("dev/arn:aws:iam::123456789012:role/Role/${Literal}/a-us-east-1")
        );
    }

    #[test]
    fn what_cannot_be_resolved_names_the_function() {
        let template = json!({"Resources": {}});
        let error = resolve(&template, json!({"Fn::ImportValue": "x"})).unwrap_err();
        assert_eq!(
            error.message,
            "`Fn::ImportValue` cannot be resolved locally"
        );
        assert_eq!(error.resource.as_deref(), Some("X"));
        let error = resolve(&template, json!({"Ref": "Missing"})).unwrap_err();
        assert!(error.message.contains("`Missing`"), "{error:?}");
    }
}
