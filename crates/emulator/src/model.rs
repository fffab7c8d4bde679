//! The API and the state machines as the template declares them, read from its long form:
//! each REST API's resource tree (PathPart / ParentId) with its methods, their request
//! parameters and validator, their integration (request templates, passthrough, integration
//! responses), the stage; and each `AWS::StepFunctions::StateMachine` with its placeholder
//! ARN and its definition (substitutions applied).
//!
//! Reading never fails for a part no request needs: a method whose integration cannot be
//! emulated, or a state machine whose definition cannot be resolved, keeps its
//! [`ModelError`] until a request reaches it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use stackweave_location::join_pointer;

use crate::error::ModelError;
use crate::resolve::{Environment, Place, Resolver, api_id};

/// Every REST API and state machine of a template.
#[derive(Debug, Clone)]
pub struct Model {
    /// The REST APIs, in template order.
    pub apis: Vec<Api>,
    /// The state machines, in template order.
    pub machines: Vec<Machine>,
    /// The environment placeholders came from.
    pub environment: Environment,
}

/// One `AWS::ApiGateway::RestApi`.
#[derive(Debug, Clone)]
pub struct Api {
    /// Its logical id.
    pub logical_id: String,
    /// Its placeholder id (`$context.apiId`).
    pub id: String,
    /// The stage requests go to.
    pub stage: Stage,
    /// Each resource with methods, longest literal paths first as API Gateway prefers them.
    pub routes: Vec<Route>,
}

/// A deployment stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stage {
    /// `StageName` (empty when the template deploys none).
    pub name: String,
    /// `$stageVariables`.
    pub variables: BTreeMap<String, String>,
}

/// One path of the API and its methods.
#[derive(Debug, Clone)]
pub struct Route {
    /// The resource's logical id (`$context.resourceId`); the API's for the root.
    pub resource: String,
    /// The resource path, `/orders/{id}`.
    pub path: String,
    /// The path's segments.
    pub segments: Vec<Segment>,
    /// Its methods.
    pub methods: Vec<Method>,
}

/// One segment of a resource path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// A fixed part, `orders`.
    Literal(String),
    /// `{id}`: one segment, any text.
    Parameter(String),
    /// `{proxy+}`: the rest of the path.
    Greedy(String),
}

/// Where a request parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// `method.request.path.*`.
    Path,
    /// `method.request.querystring.*`.
    QueryString,
    /// `method.request.header.*`.
    Header,
}

/// A request parameter the method declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Where it is.
    pub location: Location,
    /// Its name.
    pub name: String,
    /// Whether the validator requires it.
    pub required: bool,
}

/// One `AWS::ApiGateway::Method`.
#[derive(Debug, Clone)]
pub struct Method {
    /// Its logical id.
    pub logical_id: String,
    /// `HttpMethod`, upper case; `ANY` answers every method.
    pub http_method: String,
    /// `AuthorizationType` (noted, never enforced).
    pub authorization: String,
    /// `ApiKeyRequired` (noted, never enforced).
    pub api_key_required: bool,
    /// `RequestParameters`.
    pub parameters: Vec<Parameter>,
    /// Its request validator: whether parameters and body are validated.
    pub validate_parameters: bool,
    /// Whether the validator checks the body against a model (noted: not emulated).
    pub validate_body: bool,
    /// The integration, or why it cannot be emulated.
    pub integration: Result<Integration, ModelError>,
}

/// What a method's integration calls.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `Type: AWS`, `...:states:action/StartSyncExecution`.
    StartSyncExecution,
    /// `Type: MOCK`: the request template's `statusCode` picks the response.
    Mock,
}

/// `PassthroughBehavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passthrough {
    /// The default: a body of a content type without a template goes through as it is.
    WhenNoMatch,
    /// Goes through only when there are no templates at all; else 415.
    WhenNoTemplates,
    /// Never goes through: 415.
    Never,
}

/// A method's integration.
#[derive(Debug, Clone)]
pub struct Integration {
    /// What it calls.
    pub target: Target,
    /// The role API Gateway assumes (noted).
    pub credentials: Option<String>,
    /// Request templates by content type, resolved.
    pub request_templates: Vec<(String, String)>,
    /// Its passthrough behaviour.
    pub passthrough: Passthrough,
    /// Its integration responses, in template order.
    pub responses: Vec<IntegrationResponse>,
}

/// One integration response.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrationResponse {
    /// `StatusCode`.
    pub status: String,
    /// `SelectionPattern`; `None` (or empty) for the default response.
    pub pattern: Option<String>,
    /// Response templates by content type, resolved.
    pub templates: Vec<(String, String)>,
    /// `ResponseParameters`: `method.response.header.X` → its source.
    pub parameters: Vec<(String, String)>,
}

/// One `AWS::StepFunctions::StateMachine`.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Its logical id.
    pub logical_id: String,
    /// Its name (`StateMachineName`, else the logical id).
    pub name: String,
    /// Its placeholder ARN, what `Ref` gives.
    pub arn: String,
    /// `StateMachineType` is `EXPRESS` (the default is `STANDARD`).
    pub express: bool,
    /// The definition as JSON, substitutions applied, or why it cannot be had.
    pub definition: Result<Value, ModelError>,
}

impl Model {
    /// Reads every REST API and state machine of `template` (long form).
    pub fn read(template: &Value, environment: Environment) -> Result<Model, ModelError> {
        let empty = Map::new();
        let resources = match template.get("Resources") {
            Some(Value::Object(resources)) => resources,
            Some(_) => {
                return Err(ModelError::template(
                    "`Resources` is not a mapping".into(),
                    "a template's `Resources` maps logical ids to resources",
                ));
            }
            None => &empty,
        };
        let resolver = Resolver::new(template, resources, &environment);
        let mut apis = Vec::new();
        let mut machines = Vec::new();
        for (id, resource) in resources {
            match type_of(resource) {
                "AWS::ApiGateway::RestApi" => apis.push(read_api(id, resources, &resolver)?),
                "AWS::StepFunctions::StateMachine" => {
                    machines.push(read_machine(id, resource, &resolver));
                }
                _ => {}
            }
        }
        Ok(Model {
            apis,
            machines,
            environment: environment.clone(),
        })
    }
}

fn type_of(resource: &Value) -> &str {
    resource.get("Type").and_then(Value::as_str).unwrap_or("")
}

fn property<'v>(resource: &'v Value, name: &str) -> Option<&'v Value> {
    resource.get("Properties")?.get(name)
}

fn pointer_of(id: &str, path: &[&str]) -> String {
    let mut pointer = join_pointer(&join_pointer("/Resources", id), "Properties");
    for token in path {
        pointer = join_pointer(&pointer, token);
    }
    pointer
}

/// Whether `value` is `Ref: api` (how a resource names its REST API).
fn refers_to(value: Option<&Value>, id: &str) -> bool {
    value.and_then(|v| v.get("Ref")).and_then(Value::as_str) == Some(id)
}

/// What a `ParentId` or `ResourceId` names: the API's root, or a resource.
fn node_of(value: Option<&Value>, api: &str) -> Option<String> {
    let value = value?;
    if let Some(target) = value.get("Ref").and_then(Value::as_str) {
        return Some(target.to_owned());
    }
    let get_att = value.get("Fn::GetAtt")?;
    let (target, attribute) = match get_att {
        Value::Array(items) => (items.first()?.as_str()?, items.get(1)?.as_str()?),
        Value::String(text) => text.split_once('.')?,
        _ => return None,
    };
    (target == api && attribute == "RootResourceId").then(|| api.to_owned())
}

fn read_api(
    id: &str,
    resources: &Map<String, Value>,
    resolver: &Resolver<'_>,
) -> Result<Api, ModelError> {
    // Each resource of this API: its parent and its path part.
    let mut nodes: BTreeMap<&str, (String, String)> = BTreeMap::new();
    for (rid, resource) in resources {
        if type_of(resource) == "AWS::ApiGateway::Resource"
            && refers_to(property(resource, "RestApiId"), id)
        {
            let at = Place {
                resource: rid,
                pointer: &pointer_of(rid, &["ParentId"]),
            };
            let parent = node_of(property(resource, "ParentId"), id).ok_or_else(|| {
                ModelError::at(
                    rid,
                    at.pointer,
                    "`ParentId` is neither `Fn::GetAtt` of the API's `RootResourceId` nor `Ref` of a resource".into(),
                    "write `ParentId: !GetAtt Api.RootResourceId` or `!Ref ParentResource`",
                )
            })?;
            let part_pointer = pointer_of(rid, &["PathPart"]);
            let part = match property(resource, "PathPart") {
                Some(value) => resolver.string(
                    value,
                    Place {
                        resource: rid,
                        pointer: &part_pointer,
                    },
                )?,
                None => {
                    return Err(ModelError::at(
                        rid,
                        &part_pointer,
                        "the resource has no `PathPart`".into(),
                        "add `PathPart:`",
                    ));
                }
            };
            nodes.insert(rid, (parent, part));
        }
    }
    let mut routes: BTreeMap<String, Route> = BTreeMap::new();
    for (mid, resource) in resources {
        if type_of(resource) != "AWS::ApiGateway::Method"
            || !refers_to(property(resource, "RestApiId"), id)
        {
            continue;
        }
        let node = node_of(property(resource, "ResourceId"), id).ok_or_else(|| {
            ModelError::at(
                mid,
                &pointer_of(mid, &["ResourceId"]),
                "`ResourceId` is neither `Fn::GetAtt` of the API's `RootResourceId` nor `Ref` of a resource".into(),
                "write `ResourceId: !Ref Resource`",
            )
        })?;
        if !routes.contains_key(&node) {
            let (path, segments) = path_of(&node, id, &nodes, mid)?;
            routes.insert(
                node.clone(),
                Route {
                    resource: node.clone(),
                    path,
                    segments,
                    methods: Vec::new(),
                },
            );
        }
        let method = read_method(mid, resource, resources, resolver)?;
        if let Some(route) = routes.get_mut(&node) {
            route.methods.push(method);
        }
    }
    let mut routes: Vec<Route> = routes.into_values().collect();
    // Literal segments beat parameters, which beat greedy ones, segment by segment.
    routes.sort_by(|a, b| {
        rank(&a.segments)
            .cmp(&rank(&b.segments))
            .then(a.path.cmp(&b.path))
    });
    Ok(Api {
        logical_id: id.to_owned(),
        id: api_id(id),
        stage: read_stage(id, resources, resolver)?,
        routes,
    })
}

fn rank(segments: &[Segment]) -> Vec<u8> {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(_) => 0,
            Segment::Parameter(_) => 1,
            Segment::Greedy(_) => 2,
        })
        .collect()
}

fn path_of(
    node: &str,
    api: &str,
    nodes: &BTreeMap<&str, (String, String)>,
    method: &str,
) -> Result<(String, Vec<Segment>), ModelError> {
    let mut parts = Vec::new();
    let mut current = node.to_owned();
    while current != api {
        let Some((parent, part)) = nodes.get(current.as_str()) else {
            return Err(ModelError::at(
                method,
                &pointer_of(method, &["ResourceId"]),
                format!("`{current}` is not a resource of API `{api}`"),
                "point `ResourceId` (and each `ParentId`) at resources of this API",
            ));
        };
        parts.push(part.clone());
        if parts.len() > nodes.len() {
            return Err(ModelError::at(
                &current,
                &pointer_of(&current, &["ParentId"]),
                "the resources' `ParentId`s form a cycle".into(),
                "make each resource's parent lead back to the API's root",
            ));
        }
        current = parent.clone();
    }
    parts.reverse();
    let segments = parts
        .iter()
        .map(
            |part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => match name.strip_suffix('+') {
                    Some(greedy) => Segment::Greedy(greedy.to_owned()),
                    None => Segment::Parameter(name.to_owned()),
                },
                None => Segment::Literal(part.clone()),
            },
        )
        .collect();
    Ok((format!("/{}", parts.join("/")), segments))
}

fn read_stage(
    api: &str,
    resources: &Map<String, Value>,
    resolver: &Resolver<'_>,
) -> Result<Stage, ModelError> {
    // A Stage of the API first, then a Deployment's `StageName`; each keeps its stage
    // variables at its own path below `Properties`.
    let kinds: [(&str, &[&str]); 2] = [
        ("AWS::ApiGateway::Stage", &["Variables"]),
        (
            "AWS::ApiGateway::Deployment",
            &["StageDescription", "Variables"],
        ),
    ];
    for (kind, variables_path) in kinds {
        for (rid, resource) in resources {
            if type_of(resource) == kind
                && refers_to(property(resource, "RestApiId"), api)
                && let Some(name) = property(resource, "StageName")
            {
                let string = |value: &Value, path: &[&str]| {
                    let pointer = pointer_of(rid, path);
                    resolver.string(
                        value,
                        Place {
                            resource: rid,
                            pointer: &pointer,
                        },
                    )
                };
                let name = string(name, &["StageName"])?;
                let mut variables = BTreeMap::new();
                let found = resource
                    .get("Properties")
                    .and_then(|p| variables_path.iter().try_fold(p, |v, key| v.get(*key)));
                if let Some(Value::Object(entries)) = found {
                    for (key, item) in entries {
                        let path = [variables_path, &[key.as_str()]].concat();
                        variables.insert(key.clone(), string(item, &path)?);
                    }
                }
                return Ok(Stage { name, variables });
            }
        }
    }
    Ok(Stage::default())
}

fn read_method(
    id: &str,
    resource: &Value,
    resources: &Map<String, Value>,
    resolver: &Resolver<'_>,
) -> Result<Method, ModelError> {
    let text = |name: &str| -> Result<Option<String>, ModelError> {
        property(resource, name)
            .map(|value| {
                resolver.string(
                    value,
                    Place {
                        resource: id,
                        pointer: &pointer_of(id, &[name]),
                    },
                )
            })
            .transpose()
    };
    let http_method = text("HttpMethod")?.unwrap_or_default().to_uppercase();
    let authorization = text("AuthorizationType")?.unwrap_or_else(|| "NONE".to_owned());
    let api_key_required =
        property(resource, "ApiKeyRequired").and_then(Value::as_bool) == Some(true);
    let mut parameters = Vec::new();
    if let Some(Value::Object(declared)) = property(resource, "RequestParameters") {
        for (key, required) in declared {
            let rest = key.strip_prefix("method.request.").unwrap_or(key);
            let (location, name) = match rest.split_once('.') {
                Some(("path", name)) => (Location::Path, name),
                Some(("querystring", name)) => (Location::QueryString, name),
                Some(("header", name)) => (Location::Header, name),
                _ => {
                    return Err(ModelError::at(
                        id,
                        &pointer_of(id, &["RequestParameters", key]),
                        format!(
                            "request parameter `{key}` is not `method.request.{{path|querystring|header}}.<name>`"
                        ),
                        "name the parameter as API Gateway does, e.g. `method.request.querystring.param`",
                    ));
                }
            };
            let required = match required {
                Value::Bool(b) => *b,
                Value::String(s) => s == "true",
                _ => false,
            };
            parameters.push(Parameter {
                location,
                name: name.to_owned(),
                required,
            });
        }
    }
    let (mut validate_parameters, mut validate_body) = (false, false);
    if let Some(validator) = property(resource, "RequestValidatorId")
        .and_then(|v| v.get("Ref"))
        .and_then(Value::as_str)
        .and_then(|vid| resources.get(vid))
    {
        validate_parameters =
            property(validator, "ValidateRequestParameters").and_then(Value::as_bool) == Some(true);
        validate_body =
            property(validator, "ValidateRequestBody").and_then(Value::as_bool) == Some(true);
    }
    Ok(Method {
        logical_id: id.to_owned(),
        http_method,
        authorization,
        api_key_required,
        parameters,
        validate_parameters,
        validate_body,
        integration: read_integration(id, resource, resolver),
    })
}

fn templates(
    id: &str,
    value: Option<&Value>,
    path: &[&str],
    resolver: &Resolver<'_>,
) -> Result<Vec<(String, String)>, ModelError> {
    let mut out = Vec::new();
    if let Some(Value::Object(entries)) = value {
        for (content_type, template) in entries {
            let pointer = pointer_of(id, &[path, &[content_type.as_str()]].concat());
            out.push((
                content_type.clone(),
                resolver.string(
                    template,
                    Place {
                        resource: id,
                        pointer: &pointer,
                    },
                )?,
            ));
        }
    }
    Ok(out)
}

fn read_integration(
    id: &str,
    resource: &Value,
    resolver: &Resolver<'_>,
) -> Result<Integration, ModelError> {
    let pointer = pointer_of(id, &["Integration"]);
    let Some(integration) = property(resource, "Integration") else {
        return Err(ModelError::at(
            id,
            &pointer_of(id, &[]),
            "the method has no `Integration`".into(),
            "add an integration",
        ));
    };
    let field = |name: &str| -> Result<Option<String>, ModelError> {
        integration
            .get(name)
            .map(|value| {
                resolver.string(
                    value,
                    Place {
                        resource: id,
                        pointer: &pointer_of(id, &["Integration", name]),
                    },
                )
            })
            .transpose()
    };
    let kind = field("Type")?.unwrap_or_default();
    let target = match kind.as_str() {
        "AWS" => {
            let uri = field("Uri")?.unwrap_or_default();
            if !uri.ends_with(":states:action/StartSyncExecution") {
                return Err(ModelError::at(
                    id,
                    &pointer_of(id, &["Integration", "Uri"]),
                    format!(
                        "the integration calls `{uri}`; the emulator runs `states:action/StartSyncExecution` only"
                    ),
                    "emulate methods that start Express workflows synchronously (docs/local.md lists what is emulated)",
                ));
            }
            Target::StartSyncExecution
        }
        "MOCK" => Target::Mock,
        other => {
            return Err(ModelError::at(
                id,
                &pointer_of(id, &["Integration", "Type"]),
                format!("integration type `{other}` is not emulated"),
                "the emulator runs `AWS` integrations calling StartSyncExecution, and `MOCK` ones",
            ));
        }
    };
    let passthrough = match field("PassthroughBehavior")?.as_deref() {
        None | Some("WHEN_NO_MATCH") => Passthrough::WhenNoMatch,
        Some("WHEN_NO_TEMPLATES") => Passthrough::WhenNoTemplates,
        Some("NEVER") => Passthrough::Never,
        Some(other) => {
            return Err(ModelError::at(
                id,
                &pointer_of(id, &["Integration", "PassthroughBehavior"]),
                format!("unknown passthrough behaviour `{other}`"),
                "use WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER",
            ));
        }
    };
    let mut responses = Vec::new();
    if let Some(Value::Array(items)) = integration.get("IntegrationResponses") {
        for (index, item) in items.iter().enumerate() {
            let index = index.to_string();
            let at =
                |name: &str| pointer_of(id, &["Integration", "IntegrationResponses", &index, name]);
            let text = |name: &str| -> Result<Option<String>, ModelError> {
                item.get(name)
                    .map(|value| {
                        resolver.string(
                            value,
                            Place {
                                resource: id,
                                pointer: &at(name),
                            },
                        )
                    })
                    .transpose()
            };
            let status = text("StatusCode")?.ok_or_else(|| {
                ModelError::at(
                    id,
                    &pointer,
                    "an integration response has no `StatusCode`".into(),
                    "add `StatusCode:`",
                )
            })?;
            let pattern = text("SelectionPattern")?.filter(|p| !p.is_empty());
            let templates = templates(
                id,
                item.get("ResponseTemplates"),
                &[
                    "Integration",
                    "IntegrationResponses",
                    &index,
                    "ResponseTemplates",
                ],
                resolver,
            )?;
            let mut parameters = Vec::new();
            if let Some(Value::Object(entries)) = item.get("ResponseParameters") {
                for (key, source) in entries {
                    let pointer = pointer_of(
                        id,
                        &[
                            "Integration",
                            "IntegrationResponses",
                            &index,
                            "ResponseParameters",
                            key,
                        ],
                    );
                    parameters.push((
                        key.clone(),
                        resolver.string(
                            source,
                            Place {
                                resource: id,
                                pointer: &pointer,
                            },
                        )?,
                    ));
                }
            }
            responses.push(IntegrationResponse {
                status,
                pattern,
                templates,
                parameters,
            });
        }
    }
    Ok(Integration {
        target,
        credentials: field("Credentials")?,
        request_templates: templates(
            id,
            integration.get("RequestTemplates"),
            &["Integration", "RequestTemplates"],
            resolver,
        )?,
        passthrough,
        responses,
    })
}

fn read_machine(id: &str, resource: &Value, resolver: &Resolver<'_>) -> Machine {
    let at = Place {
        resource: id,
        pointer: &pointer_of(id, &[]),
    };
    let arn = resolver
        .attribute(id, "Arn", at)
        .unwrap_or_else(|_| format!("arn:aws:states:us-east-1:123456789012:stateMachine:{id}"));
    let name = arn.rsplit(':').next().unwrap_or(id).to_owned();
    let express = property(resource, "StateMachineType").and_then(Value::as_str) == Some("EXPRESS");
    Machine {
        logical_id: id.to_owned(),
        name,
        arn,
        express,
        definition: definition(id, resource, resolver),
    }
}

/// The definition as CloudFormation hands it to Step Functions: `Definition` as JSON text or
/// `DefinitionString`, each `${key}` of `DefinitionSubstitutions` replaced, parsed.
fn definition(id: &str, resource: &Value, resolver: &Resolver<'_>) -> Result<Value, ModelError> {
    let (text, pointer) = if let Some(definition) = property(resource, "Definition") {
        let pointer = pointer_of(id, &["Definition"]);
        let value = resolver.resolve(
            definition,
            Place {
                resource: id,
                pointer: &pointer,
            },
        )?;
        (value.to_string(), pointer)
    } else if let Some(definition) = property(resource, "DefinitionString") {
        let pointer = pointer_of(id, &["DefinitionString"]);
        (
            resolver.string(
                definition,
                Place {
                    resource: id,
                    pointer: &pointer,
                },
            )?,
            pointer,
        )
    } else {
        return Err(ModelError::at(
            id,
            &pointer_of(id, &[]),
            "the state machine has neither `Definition` nor `DefinitionString`".into(),
            "write the definition inline (a `DefinitionS3Location` cannot be read locally)",
        ));
    };
    let mut text = text;
    if let Some(Value::Object(substitutions)) = property(resource, "DefinitionSubstitutions") {
        for (key, value) in substitutions {
            let at_pointer = pointer_of(id, &["DefinitionSubstitutions", key]);
            let value = resolver.string(
                value,
                Place {
                    resource: id,
                    pointer: &at_pointer,
                },
            )?;
            // Inside a JSON string the value must stay JSON text.
            let escaped = Value::String(value).to_string();
            let escaped = &escaped[1..escaped.len() - 1];
            text = text.replace(&format!("${{{key}}}"), escaped);
        }
    }
    serde_json::from_str(&text).map_err(|error| {
        ModelError::at(
            id,
            &pointer,
            format!("the definition is not JSON: {error}"),
            "write the definition as JSON",
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn model(template: Value) -> Model {
        Model::read(&template, Environment::default()).unwrap()
    }

    fn api_template() -> Value {
        json!({"Resources": {
            "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "StateMachineType": "EXPRESS",
                "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"t": "${T}"}, "End": true}}},
                "DefinitionSubstitutions": {"T": {"Ref": "Table"}}}},
            "Table": {"Type": "AWS::DynamoDB::Table"},
            "Api": {"Type": "AWS::ApiGateway::RestApi"},
            "Orders": {"Type": "AWS::ApiGateway::Resource", "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "orders"}},
            "Order": {"Type": "AWS::ApiGateway::Resource", "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Ref": "Orders"}, "PathPart": "{id}"}},
            "Validator": {"Type": "AWS::ApiGateway::RequestValidator", "Properties": {"RestApiId": {"Ref": "Api"}, "ValidateRequestParameters": true}},
            "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Order"}, "HttpMethod": "get",
                "AuthorizationType": "AWS_IAM",
                "RequestParameters": {"method.request.path.id": true, "method.request.header.X-Trace": false},
                "RequestValidatorId": {"Ref": "Validator"},
                "Integration": {"Type": "AWS", "Uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartSyncExecution"},
                    "RequestTemplates": {"application/json": {"Fn::Sub": ["{\"stateMachineArn\": \"${Arn}\"}", {"Arn": {"Ref": "Flow"}}]}},
                    "PassthroughBehavior": "NEVER",
                    "IntegrationResponses": [{"StatusCode": 200}, {"StatusCode": "400", "SelectionPattern": "4\\d{2}"}]}}},
            "Lambda": {"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": "Api.RootResourceId"}, "HttpMethod": "ANY",
                "Integration": {"Type": "AWS_PROXY", "Uri": "x"}}},
            "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod", "Variables": {"v": "1"}}},
        }})
    }

    #[test]
    fn reads_the_resource_tree_methods_and_stage() {
        let model = model(api_template());
        let api = &model.apis[0];
        assert_eq!(api.stage.name, "prod");
        assert_eq!(api.stage.variables.get("v").map(String::as_str), Some("1"));
        let paths: Vec<&str> = api.routes.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/", "/orders/{id}"]);
        let get = &api.routes[1].methods[0];
        assert_eq!(get.http_method, "GET");
        assert!(get.validate_parameters);
        assert_eq!(
            get.parameters[0],
            Parameter {
                location: Location::Path,
                name: "id".into(),
                required: true
            }
        );
        let integration = get.integration.as_ref().unwrap();
        assert_eq!(integration.passthrough, Passthrough::Never);
        assert_eq!(
            integration.request_templates[0].1,
            "{\"stateMachineArn\": \"arn:aws:states:us-east-1:123456789012:stateMachine:Flow\"}"
        );
        assert_eq!(integration.responses[0].status, "200");
        assert_eq!(integration.responses[1].pattern.as_deref(), Some("4\\d{2}"));
    }

    #[test]
    fn an_integration_it_cannot_run_is_kept_as_an_error_for_its_method() {
        let model = model(api_template());
        let error = model.apis[0].routes[0].methods[0]
            .integration
            .as_ref()
            .unwrap_err();
        assert_eq!(error.resource.as_deref(), Some("Lambda"));
        assert_eq!(
            error.pointer,
            "/Resources/Lambda/Properties/Integration/Type"
        );
    }

    #[test]
    fn definitions_get_their_substitutions() {
        let model = model(api_template());
        let machine = &model.machines[0];
        assert!(machine.express);
        assert_eq!(
            machine.definition.as_ref().unwrap()["States"]["A"]["Parameters"]["t"],
            json!("Table")
        );
    }
}
