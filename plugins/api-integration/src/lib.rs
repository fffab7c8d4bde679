//! The `api-integration` construct: an API Gateway REST API whose one method starts a Step
//! Functions express workflow with `StartSyncExecution`, with no Lambda in between, and
//! answers with the execution's output.
//!
//! Resources, by local id:
//! - `Resource`: the `AWS::ApiGateway::RestApi`;
//! - `Path…`: one `AWS::ApiGateway::Resource` per path segment, named `Path` plus the
//!   PascalCase of each segment so far (`/orders/{orderId}` gives `PathOrders` and
//!   `PathOrdersOrderId`);
//! - `RequestValidator`: when a parameter is required, so API Gateway rejects requests
//!   without it;
//! - `Method`: the AWS integration (see [`vtl`] for its mapping templates);
//! - `Deployment` and 8 hex digits of a hash of everything above, so any change to the API
//!   gets a new deployment: CloudFormation never redeploys a stage by itself;
//! - `Stage`.
//!
//! Every input parameter is declared in the method's `RequestParameters`, under the name the
//! mapping template reads; the seed template read `param` but declared `example`.
//!
//! Attributes: `id` (the REST API's id), `url` (the stage's invoke URL) and `stage` (its name).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stackweave_plugin::{
    Construct, Context, Diagnostic, Fragment, Info, JsonSchema, add_child, cfn, schemars,
};

mod hash;
pub mod vtl;

/// The `api-integration` construct.
pub struct ApiIntegration;

/// An API Gateway REST API whose one method starts a Step Functions express workflow
/// synchronously (StartSyncExecution, no Lambda in between) and answers with the execution's
/// output, or with 500 when it failed and 504 when it timed out.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(example = example_props(), example = private_example_props())]
pub struct ApiIntegrationProps {
    /// The ARN of the express state machine to start, usually the arn attribute of an
    /// express-workflow construct.
    #[schemars(with = "String", example = "${Workflow.arn}")]
    pub state_machine: Value,
    /// The ARN of the role API Gateway assumes to start the execution: an iam-role construct
    /// assumed by apigateway.amazonaws.com whose only statement allows
    /// states:StartSyncExecution on this state machine. Omitted, the API creates exactly
    /// that role itself (child construct Role, an iam-role).
    #[schemars(with = "Option<String>", example = "${ApiRole.arn}")]
    pub role: Option<Value>,
    /// The method's path: / or segments of letters, digits, '.', '_' and '-', where a segment
    /// {name} is a path parameter, always passed to the execution input under its name.
    #[schemars(length(min = 1), example = "/start", example = "/orders/{orderId}")]
    pub path: String,
    /// The HTTP method.
    #[serde(default)]
    pub method: HttpMethod,
    /// The REST API's name. Omitted, it is the stack's name, '-' and the construct's id.
    #[schemars(with = "Option<String>", length(min = 1), example = "orders-api")]
    pub name: Option<Value>,
    /// What the REST API is for.
    #[schemars(with = "Option<String>", example = "starts the orders workflow")]
    pub description: Option<Value>,
    /// The stage's name, the first segment of the URL's path: letters, digits, '_' and '-', at
    /// most 128.
    #[serde(default = "default_stage")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-]{1,128}$"), example = &"v1")]
    pub stage: String,
    /// Where the API is reachable; PRIVATE requires vpcEndpointIds.
    #[serde(default)]
    pub endpoint_type: EndpointType,
    /// For a PRIVATE API: the ids of the execute-api interface VPC endpoints it may be called
    /// through. The API's resource policy allows execute-api:Invoke from these endpoints
    /// only.
    // Skipped when empty: the schema then shows no default, which `minItems` would refuse.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<String>", length(min = 1), extend("uniqueItems" = true))]
    #[schemars(example = ["vpce-0123456789abcdef0"])]
    pub vpc_endpoint_ids: Vec<Value>,
    /// Who may call the method.
    #[serde(default)]
    pub authorization: Authorization,
    /// What goes into the execution input, one flat JSON object: each path parameter,
    /// query-string parameter and header under its own name, and the request's JSON body as
    /// body. Every parameter is declared on the method; a missing optional one is null.
    #[serde(default)]
    pub input: Input,
    /// Tags for the REST API and its stage, and for the role it creates when `role` is omitted: keys and values (a value may reference a parameter or another
    /// construct), written in key order. Omitted, none.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>", example = json!({"team": "platform"}))]
    pub tags: BTreeMap<String, Value>,
}

/// The HTTP methods the construct serves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// `input.body` defaults to false.
    #[default]
    Get,
    /// `input.body` defaults to true.
    Post,
    /// `input.body` defaults to true.
    Put,
    /// `input.body` defaults to true.
    Patch,
    /// `input.body` defaults to false.
    Delete,
}

impl HttpMethod {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// Whether requests of this method usually carry a body, which decides `input.body`'s
    /// default.
    fn has_body(self) -> bool {
        matches!(self, Self::Post | Self::Put | Self::Patch)
    }
}

/// Where the API is reachable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum EndpointType {
    /// In the API's region.
    #[default]
    Regional,
    /// Through CloudFront's edge locations.
    Edge,
    /// From interface VPC endpoints only.
    Private,
}

impl EndpointType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Regional => "REGIONAL",
            Self::Edge => "EDGE",
            Self::Private => "PRIVATE",
        }
    }
}

/// Who may call the method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Authorization {
    /// Anyone who can reach the API.
    #[default]
    #[serde(rename = "NONE")]
    None,
    /// Callers signing with SigV4 whose IAM policies allow execute-api:Invoke.
    #[serde(rename = "AWS_IAM")]
    AwsIam,
}

impl Authorization {
    fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::AwsIam => "AWS_IAM",
        }
    }
}

/// What goes into the execution input besides the path parameters.
// Not `Serialize`, so the schema shows the defaults of its fields rather than one of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// Query-string parameters, each a name or {name, required}; required defaults to true,
    /// and API Gateway rejects requests without a required parameter.
    #[serde(default)]
    #[schemars(example = json!(["page", {"name": "sort", "required": false}]))]
    pub query_string: Vec<Parameter>,
    /// Request headers, each a name or {name, required}; required defaults to true. Names
    /// match headers whatever their case.
    #[serde(default)]
    #[schemars(example = json!([{"name": "X-Request-Id", "required": false}]))]
    pub headers: Vec<Parameter>,
    /// Whether the JSON request body goes into the input as body. Defaults to true for POST,
    /// PUT and PATCH, false otherwise.
    pub body: Option<bool>,
}

/// A query-string parameter or header: a bare name (required), or a name with `required`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Parameter {
    /// The parameter's name (letters, digits, '.', '_' and '-'); the parameter is required.
    Name(#[schemars(length(min = 1))] String),
    /// A parameter that says whether it is required.
    Detailed(DetailedParameter),
}

/// The long form of a parameter: its name, and whether it is required.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailedParameter {
    /// The parameter's name (letters, digits, '.', '_' and '-'), also its key in the
    /// execution input.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Whether requests without the parameter are rejected with 400.
    #[serde(default = "required_by_default")]
    pub required: bool,
}

impl Parameter {
    fn name(&self) -> &str {
        match self {
            Self::Name(name) | Self::Detailed(DetailedParameter { name, .. }) => name,
        }
    }

    fn required(&self) -> bool {
        match self {
            Self::Name(_) => true,
            Self::Detailed(detailed) => detailed.required,
        }
    }

    /// Where the name sits in the props, for diagnostics.
    fn name_path(&self, list: &str, index: usize) -> String {
        match self {
            Self::Name(_) => format!("/input/{list}/{index}"),
            Self::Detailed(_) => format!("/input/{list}/{index}/name"),
        }
    }
}

// Naming a parameter is usually because the workflow cannot do without it.
fn required_by_default() -> bool {
    true
}

fn default_stage() -> String {
    "prod".to_owned()
}

/// The props' first example in the schema, which a unit test runs: every prop but the
/// private API's.
fn example_props() -> Value {
    json!({
        "stateMachine": "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
        "role": "arn:aws:iam::123456789012:role/orders-api",
        "path": "/orders/{orderId}",
        "method": "POST",
        "name": "orders-api",
        "description": "starts the orders workflow",
        "stage": "v1",
        "endpointType": "REGIONAL",
        "authorization": "AWS_IAM",
        "input": {
            "queryString": ["page", {"name": "sort", "required": false}],
            "headers": [{"name": "X-Request-Id", "required": false}],
            "body": true
        }
    })
}

/// The props' second example in the schema: a private API.
fn private_example_props() -> Value {
    json!({
        "stateMachine": "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
        "role": "arn:aws:iam::123456789012:role/orders-api",
        "path": "/start",
        "endpointType": "PRIVATE",
        "vpcEndpointIds": ["vpce-0123456789abcdef0"]
    })
}

/// Where a request parameter comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    QueryString,
    /// A header.
    Header,
}

impl Source {
    /// The word API Gateway uses in `method.request.<source>.<name>`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::QueryString => "querystring",
            Self::Header => "header",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Path => "path parameter",
            Self::QueryString => "query-string parameter",
            Self::Header => "header",
        }
    }
}

/// One value of the execution input taken from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParameter {
    /// Its name in the request and its key in the input.
    pub name: String,
    /// Where it comes from.
    pub source: Source,
    /// Whether API Gateway rejects requests without it.
    pub required: bool,
}

/// One segment of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    /// `PathPart` as API Gateway wants it, braces included.
    part: String,
    /// The path parameter's name, for a `{name}` segment.
    parameter: Option<String>,
}

impl Construct for ApiIntegration {
    type Props = ApiIntegrationProps;

    fn info() -> Info {
        Info {
            name: "api-integration",
            version: env!("CARGO_PKG_VERSION"),
            description: "an API Gateway REST API that runs an express workflow synchronously",
            attributes: vec![
                ("id", "the REST API's id"),
                (
                    "url",
                    "the stage's invoke URL, such as https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
                ),
                ("stage", "the stage's name"),
            ],
        }
    }

    fn synth(ctx: &Context, mut props: ApiIntegrationProps) -> Result<Fragment, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let segments = parse_path(&props.path, &mut errors);
        let body = props.input.body.unwrap_or(props.method.has_body());
        let parameters = collect_parameters(&segments, &props.input, body, &mut errors);
        check_arn(
            &props.state_machine,
            "/stateMachine",
            "the state machine",
            &mut errors,
        );
        if let Some(role) = &props.role {
            check_arn(role, "/role", "the role API Gateway assumes", &mut errors);
        }
        check_stage(&props.stage, &mut errors);
        check_endpoint(&props, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        if props.role.is_none() {
            props.role = Some(own_role(&props.state_machine, &props.tags)?);
        }

        let mut api = Map::new();
        api.insert("Resource".into(), rest_api(ctx, &props));
        let mut parent = cfn::get_att("Resource", "RootResourceId");
        let mut local_id = String::from("Path");
        for segment in &segments {
            local_id.push_str(&pascal_case(&segment.part));
            api.insert(
                local_id.clone(),
                json!({
                    "Type": "AWS::ApiGateway::Resource",
                    "Properties": {
                        "RestApiId": cfn::reference("Resource"),
                        "ParentId": parent,
                        "PathPart": segment.part
                    }
                }),
            );
            parent = cfn::reference(&local_id);
        }
        let validate = parameters.iter().any(|p| p.required);
        if validate {
            api.insert(
                "RequestValidator".into(),
                json!({
                    "Type": "AWS::ApiGateway::RequestValidator",
                    "Properties": {
                        "RestApiId": cfn::reference("Resource"),
                        "ValidateRequestParameters": true,
                        "ValidateRequestBody": false
                    }
                }),
            );
        }
        api.insert(
            "Method".into(),
            method(&props, parent, &parameters, body, validate),
        );

        // Named after everything the deployment snapshots, so that any change to them
        // replaces it, and the stage then points at the new one.
        let deployment = format!(
            "Deployment{}",
            hash::short_hash(&Value::Object(api.clone()))
        );
        let mut fragment = Fragment::new();
        for (local_id, resource) in api {
            fragment = fragment.resource(local_id, resource);
        }
        Ok(fragment
            .resource(
                deployment.as_str(),
                json!({
                    "Type": "AWS::ApiGateway::Deployment",
                    // The deployment must come after the method, which it does not reference.
                    "DependsOn": ["Method"],
                    "Properties": {"RestApiId": cfn::reference("Resource")}
                }),
            )
            .resource(
                "Stage",
                json!({
                    "Type": "AWS::ApiGateway::Stage",
                    "Properties": stage_properties(&props, &deployment)
                }),
            )
            .attribute("id", cfn::reference("Resource"))
            .attribute(
                "url",
                cfn::sub(
                    "https://${Resource}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}",
                ),
            )
            .attribute("stage", cfn::reference("Stage")))
    }
}

fn rest_api(ctx: &Context, props: &ApiIntegrationProps) -> Value {
    let mut properties = Map::new();
    let name = props
        .name
        .clone()
        .unwrap_or_else(|| cfn::sub(&format!("${{AWS::StackName}}-{}", ctx.construct_id)));
    properties.insert("Name".into(), name);
    if let Some(description) = &props.description {
        properties.insert("Description".into(), description.clone());
    }
    let mut endpoint = Map::new();
    endpoint.insert("Types".into(), json!([props.endpoint_type.as_str()]));
    if props.endpoint_type == EndpointType::Private {
        endpoint.insert("VpcEndpointIds".into(), json!(props.vpc_endpoint_ids));
        // A private API cannot be deployed without a resource policy; this one lets only
        // the listed endpoints invoke it.
        properties.insert(
            "Policy".into(),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "Resource": "execute-api:/*",
                    "Condition": {"StringEquals": {"aws:SourceVpce": props.vpc_endpoint_ids}}
                }]
            }),
        );
    }
    properties.insert("EndpointConfiguration".into(), Value::Object(endpoint));
    if !props.tags.is_empty() {
        properties.insert("Tags".into(), cfn::tags(&props.tags));
    }
    json!({"Type": "AWS::ApiGateway::RestApi", "Properties": properties})
}

fn stage_properties(props: &ApiIntegrationProps, deployment: &str) -> Value {
    let mut properties = json!({
        "RestApiId": cfn::reference("Resource"),
        "DeploymentId": cfn::reference(deployment),
        "StageName": props.stage
    });
    if !props.tags.is_empty() {
        properties["Tags"] = cfn::tags(&props.tags);
    }
    properties
}

fn method(
    props: &ApiIntegrationProps,
    resource_id: Value,
    parameters: &[RequestParameter],
    body: bool,
    validate: bool,
) -> Value {
    let mut properties = Map::new();
    properties.insert("RestApiId".into(), cfn::reference("Resource"));
    properties.insert("ResourceId".into(), resource_id);
    properties.insert("HttpMethod".into(), json!(props.method.as_str()));
    properties.insert(
        "AuthorizationType".into(),
        json!(props.authorization.as_str()),
    );
    if !parameters.is_empty() {
        let declared: Map<String, Value> = parameters
            .iter()
            .map(|p| {
                (
                    format!("method.request.{}.{}", p.source.key(), p.name),
                    json!(p.required),
                )
            })
            .collect();
        properties.insert("RequestParameters".into(), Value::Object(declared));
    }
    if validate {
        properties.insert(
            "RequestValidatorId".into(),
            cfn::reference("RequestValidator"),
        );
    }
    let mut variables = Map::new();
    variables.insert("StateMachineArn".into(), props.state_machine.clone());
    properties.insert(
        "Integration".into(),
        json!({
            "Type": "AWS",
            "IntegrationHttpMethod": "POST",
            "Uri": cfn::sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartSyncExecution"
            ),
            "Credentials": props.role,
            "PassthroughBehavior": "NEVER",
            "RequestTemplates": {
                "application/json": cfn::sub_with(&vtl::request_template(parameters, body), variables)
            },
            "IntegrationResponses": [
                {
                    "StatusCode": "200",
                    "ResponseTemplates": {"application/json": vtl::RESULT_TEMPLATE}
                },
                {
                    "StatusCode": "400",
                    "SelectionPattern": "4\\d{2}",
                    "ResponseTemplates": {"application/json": vtl::SERVICE_ERROR_TEMPLATE}
                },
                {
                    "StatusCode": "500",
                    "SelectionPattern": "5\\d{2}",
                    "ResponseTemplates": {"application/json": vtl::SERVICE_ERROR_TEMPLATE}
                }
            ]
        }),
    );
    properties.insert(
        "MethodResponses".into(),
        json!(["200", "400", "500", "504"].map(|code| json!({"StatusCode": code}))),
    );
    json!({"Type": "AWS::ApiGateway::Method", "Properties": properties})
}

/// Splits `path` into segments, reporting what API Gateway or the local ids cannot take.
fn parse_path(path: &str, errors: &mut Vec<Diagnostic>) -> Vec<Segment> {
    let mut error = |message: String| errors.push(Diagnostic::error("/path", message));
    if path == "/" {
        return Vec::new();
    }
    let Some(rest) = path.strip_prefix('/') else {
        error(format!(
            "the path `{path}` must start with `/`; write `/{path}`"
        ));
        return Vec::new();
    };
    let mut segments = Vec::new();
    for part in rest.split('/') {
        let literal = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        let has_alphanumeric = part.bytes().any(|b| b.is_ascii_alphanumeric());
        if part.is_empty() {
            error(format!(
                "the path `{path}` has an empty segment; write it without `//` or a trailing `/`"
            ));
        } else if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if name.ends_with('+') {
                error(format!(
                    "the greedy path parameter `{part}` is not supported; name each segment, \
                     such as `/files/{{folder}}/{{file}}`"
                ));
            } else if name.is_empty()
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                || !has_alphanumeric
            {
                error(format!(
                    "the path parameter `{part}` needs a name of letters, digits and `_`, such \
                     as `{{orderId}}`"
                ));
            } else {
                segments.push(Segment {
                    part: part.to_owned(),
                    parameter: Some(name.to_owned()),
                });
            }
        } else if !literal(part) || !has_alphanumeric {
            error(format!(
                "the path segment `{part}` may hold letters, digits, `.`, `_` and `-`, with at \
                 least one letter or digit, or be a parameter such as `{{orderId}}`; rename it"
            ));
        } else {
            segments.push(Segment {
                part: part.to_owned(),
                parameter: None,
            });
        }
    }
    segments
}

/// `Path…` local id part of a segment: each run of letters and digits with its first
/// letter in upper case, everything else dropped (`{order-id}` gives `OrderId`).
fn pascal_case(part: &str) -> String {
    part.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// The request parameters that go into the execution input, in input order: path
/// parameters, query-string parameters, headers. Reports names that collide in the input.
fn collect_parameters(
    segments: &[Segment],
    input: &Input,
    body: bool,
    errors: &mut Vec<Diagnostic>,
) -> Vec<RequestParameter> {
    let mut parameters: Vec<RequestParameter> = Vec::new();
    for name in segments.iter().filter_map(|s| s.parameter.as_ref()) {
        let taken = parameters.iter().any(|p| p.name == *name);
        if taken || (body && name == "body") {
            let why = if taken {
                "appears twice in the path"
            } else {
                "is where the request body goes in the execution input"
            };
            errors.push(Diagnostic::error(
                "/path",
                format!("the path parameter `{{{name}}}` {why}; rename it"),
            ));
            continue;
        }
        parameters.push(RequestParameter {
            name: name.clone(),
            source: Source::Path,
            required: true,
        });
    }
    for (list, source, given) in [
        ("queryString", Source::QueryString, &input.query_string),
        ("headers", Source::Header, &input.headers),
    ] {
        for (index, parameter) in given.iter().enumerate() {
            let name = parameter.name();
            let path = parameter.name_path(list, index);
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            if !valid {
                errors.push(Diagnostic::error(
                    path,
                    format!(
                        "the {} name `{name}` may hold only letters, digits, `.`, `_` and `-`; \
                         rename it",
                        source.describe()
                    ),
                ));
                continue;
            }
            // Header names are case-insensitive in HTTP, so `x-id` and `X-Id` are one header.
            let clash = parameters.iter().find(|p| {
                p.name == name
                    || (p.source == Source::Header
                        && source == Source::Header
                        && p.name.eq_ignore_ascii_case(name))
            });
            if let Some(earlier) = clash {
                errors.push(Diagnostic::error(
                    path,
                    format!(
                        "the {} `{name}` has the same name as the {} `{}`, and the execution \
                         input holds one value per name; remove one of them",
                        source.describe(),
                        earlier.source.describe(),
                        earlier.name
                    ),
                ));
                continue;
            }
            if body && name == "body" {
                errors.push(Diagnostic::error(
                    path,
                    format!(
                        "the {} `body` has the name the request body takes in the execution \
                         input; remove it, or set `input.body: false`",
                        source.describe()
                    ),
                ));
                continue;
            }
            parameters.push(RequestParameter {
                name: name.to_owned(),
                source,
                required: parameter.required(),
            });
        }
    }
    parameters
}

/// Creates the API's own role (child `Role`, an `iam-role`): assumed by API Gateway, allowed
/// only `states:StartSyncExecution` on `state_machine`. Returns its ARN.
fn own_role(
    state_machine: &Value,
    tags: &BTreeMap<String, Value>,
) -> Result<Value, Vec<Diagnostic>> {
    let role = add_child(
        "iam-role",
        "Role",
        &json!({
            "assumedBy": ["apigateway.amazonaws.com"],
            "description": "Lets API Gateway start synchronous executions of this one workflow",
            "statements": [{
                "sid": "StartSyncExecution",
                "actions": ["states:StartSyncExecution"],
                "resources": [state_machine],
            }],
            "tags": tags,
        }),
    )?;
    Ok(role.attribute("arn").clone())
}

fn check_arn(value: &Value, path: &str, what: &str, errors: &mut Vec<Diagnostic>) {
    if let Value::String(text) = value
        && !text.starts_with("arn:")
    {
        errors.push(Diagnostic::error(
            path,
            format!(
                "`{text}` is not an ARN; write {what}'s ARN, or a reference to its construct \
                 such as `${{Workflow.arn}}`"
            ),
        ));
    }
}

fn check_stage(stage: &str, errors: &mut Vec<Diagnostic>) {
    let valid = !stage.is_empty()
        && stage.len() <= 128
        && stage
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        errors.push(Diagnostic::error(
            "/stage",
            format!(
                "the stage name `{stage}` may hold only letters, digits, `_` and `-`, at most \
                 128; write one such as `prod`"
            ),
        ));
    }
}

fn check_endpoint(props: &ApiIntegrationProps, errors: &mut Vec<Diagnostic>) {
    let private = props.endpoint_type == EndpointType::Private;
    if private && props.vpc_endpoint_ids.is_empty() {
        errors.push(Diagnostic::error(
            "/endpointType",
            "a PRIVATE API is reachable only through VPC endpoints, and cannot be deployed \
             without a policy naming them; add `vpcEndpointIds: [vpce-…]`, or use REGIONAL",
        ));
    }
    if !private && !props.vpc_endpoint_ids.is_empty() {
        errors.push(Diagnostic::error(
            "/vpcEndpointIds",
            format!(
                "`vpcEndpointIds` applies to PRIVATE APIs only, and this one is {}; remove it, \
                 or set `endpointType: PRIVATE`",
                props.endpoint_type.as_str()
            ),
        ));
    }
}

stackweave_plugin::export_construct!(ApiIntegration);

#[cfg(test)]
mod tests;
