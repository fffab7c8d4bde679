//! The construct's props, as the stack file writes them: their types (from which the props
//! schema is derived), defaults and examples, and the checks of the props that belong to
//! the API as a whole rather than to one route.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stackweave_plugin::{Diagnostic, JsonSchema, schemars};

/// An API Gateway REST API whose methods each start a Step Functions express workflow
/// synchronously (StartSyncExecution, no Lambda in between) and answer with the execution's
/// output, or with 500 when it failed and 504 when it timed out. Give one route with path,
/// method, stateMachine and input, or several as routes.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(example = example_props(), example = private_example_props())]
#[schemars(example = routes_example_props())]
pub struct ApiIntegrationProps {
    /// The ARN of the express state machine to start, usually the arn attribute of an
    /// express-workflow construct. For an API of one route; with routes, each route names
    /// its own.
    #[schemars(with = "Option<String>", example = "${Workflow.arn}")]
    pub state_machine: Option<Value>,
    /// The ARN of the role API Gateway assumes to start the executions: an iam-role construct
    /// assumed by apigateway.amazonaws.com whose only statement allows
    /// states:StartSyncExecution on the routes' state machines. Omitted, the API creates
    /// exactly that role itself (child construct Role, an iam-role).
    #[schemars(with = "Option<String>", example = "${ApiRole.arn}")]
    pub role: Option<Value>,
    /// The method's path, for an API of one route: / or segments of letters, digits, '.', '_'
    /// and '-', where a segment {name} is a path parameter, always passed to the execution
    /// input under its name. With routes, each route has its own.
    #[schemars(length(min = 1), example = "/start", example = "/orders/{orderId}")]
    pub path: Option<String>,
    /// The HTTP method, for an API of one route.
    #[schemars(extend("default" = "GET"))]
    pub method: Option<HttpMethod>,
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
    /// Who may call the methods; with routes, the default of each route's own authorization.
    #[serde(default)]
    pub authorization: Authorization,
    /// What goes into the execution input, for an API of one route: one flat JSON object,
    /// each path parameter, query-string parameter and header under its own name, and the
    /// request's JSON body as body. Every parameter is declared on the method; a missing
    /// optional one is null.
    pub input: Option<Input>,
    /// The API's routes, each a path, a method, the state machine it starts and its input.
    /// Routes sharing leading path segments share their API Gateway resources. Instead of
    /// path, method, stateMachine and input.
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub routes: Vec<Route>,
    /// Cross-origin requests from browsers: an OPTIONS method on each route's path answering
    /// preflight requests, and the Access-Control-Allow-Origin header on every response.
    /// Omitted, none.
    pub cors: Option<Cors>,
    /// Access logging of the stage: one line per request to a CloudWatch Logs log group,
    /// such as a logging construct's arn. Omitted, none.
    pub access_log: Option<AccessLog>,
    /// Throttling of every method of the stage, beyond which API Gateway answers 429.
    /// Omitted, the account's limits apply.
    pub throttling: Option<Throttling>,
    /// Tags for the REST API and its stage, and for the role it creates when `role` is omitted: keys and values (a value may reference a parameter or another
    /// construct), written in key order. Omitted, none.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>", example = json!({"team": "platform"}))]
    pub tags: BTreeMap<String, Value>,
}

/// One route: a method on a path that starts a state machine.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Route {
    /// The route's path: / or segments of letters, digits, '.', '_' and '-', where a segment
    /// {name} is a path parameter, always passed to the execution input under its name.
    #[schemars(length(min = 1), example = "/orders/{orderId}")]
    pub path: String,
    /// The HTTP method.
    #[serde(default)]
    pub method: HttpMethod,
    /// The ARN of the express state machine this route starts, usually the arn attribute of
    /// an express-workflow construct.
    #[schemars(with = "String", example = "${Workflow.arn}")]
    pub state_machine: Value,
    /// What goes into the execution input besides the path parameters.
    #[serde(default)]
    pub input: Input,
    /// Who may call this route. Omitted, the API's authorization.
    pub authorization: Option<Authorization>,
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
    pub(crate) fn as_str(self) -> &'static str {
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
    pub(crate) fn has_body(self) -> bool {
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
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Regional => "REGIONAL",
            Self::Edge => "EDGE",
            Self::Private => "PRIVATE",
        }
    }
}

/// Who may call a method.
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
    pub(crate) fn as_str(self) -> &'static str {
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
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Name(name) | Self::Detailed(DetailedParameter { name, .. }) => name,
        }
    }

    pub(crate) fn required(&self) -> bool {
        match self {
            Self::Name(_) => true,
            Self::Detailed(detailed) => detailed.required,
        }
    }

    /// Where the name sits in the props, for diagnostics: `at` is the route's pointer.
    pub(crate) fn name_path(&self, at: &str, list: &str, index: usize) -> String {
        match self {
            Self::Name(_) => format!("{at}/input/{list}/{index}"),
            Self::Detailed(_) => format!("{at}/input/{list}/{index}/name"),
        }
    }
}

/// Cross-origin resource sharing: what browsers on other origins may do.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cors {
    /// The one origin allowed to call the API, such as `https://app.example.com` (scheme,
    /// host and optional port, no path), or * for any.
    #[schemars(length(min = 1), example = &"https://app.example.com")]
    pub allow_origin: String,
    /// The request headers a browser may send (Access-Control-Allow-Headers); the headers the
    /// routes pass to their workflows are added. Omitted, the headers API Gateway's own
    /// clients send: Content-Type, X-Amz-Date, Authorization, X-Api-Key and
    /// X-Amz-Security-Token.
    #[serde(default = "default_allow_headers")]
    pub allow_headers: Vec<String>,
    /// How many seconds a browser may cache a preflight answer (Access-Control-Max-Age).
    /// Omitted, the browser's default.
    #[schemars(range(max = 86400))]
    pub max_age: Option<u32>,
    /// Whether browsers may send credentials such as cookies
    /// (Access-Control-Allow-Credentials); not with allowOrigin *.
    #[serde(default)]
    pub allow_credentials: bool,
}

/// Where and how the stage logs each request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessLog {
    /// The ARN of the CloudWatch Logs log group, usually the arn attribute of a logging
    /// construct (or of a Firehose stream whose name starts with amazon-apigateway-).
    #[schemars(with = "String", example = "${ApiLogs.arn}")]
    pub destination: Value,
    /// The line logged for each request, of $context variables; it must hold
    /// $context.requestId or $context.extendedRequestId. Omitted, one JSON object of the
    /// request id, caller, method, path, status, latencies, integration status and error type.
    #[schemars(length(min = 1), example = &"$context.requestId $context.httpMethod $context.resourcePath $context.status")]
    pub format: Option<String>,
}

/// The stage's throttling, for every method.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Throttling {
    /// The steady number of requests per second the stage accepts.
    #[schemars(extend("exclusiveMinimum" = 0), example = 100.0)]
    pub rate_limit: Option<f64>,
    /// How many requests may arrive at once above the steady rate.
    #[schemars(example = 200)]
    pub burst_limit: Option<u32>,
}

// Naming a parameter is usually because the workflow cannot do without it.
pub(crate) fn required_by_default() -> bool {
    true
}

pub(crate) fn default_stage() -> String {
    "prod".to_owned()
}

/// The headers the AWS SDKs and SigV4 signing send, which a browser client therefore needs
/// allowed.
pub(crate) fn default_allow_headers() -> Vec<String> {
    [
        "Content-Type",
        "X-Amz-Date",
        "Authorization",
        "X-Api-Key",
        "X-Amz-Security-Token",
    ]
    .map(String::from)
    .to_vec()
}

/// The props' first example in the schema, which a unit test runs: every single-route prop
/// but the private API's.
pub(crate) fn example_props() -> Value {
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
pub(crate) fn private_example_props() -> Value {
    json!({
        "stateMachine": "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
        "role": "arn:aws:iam::123456789012:role/orders-api",
        "path": "/start",
        "endpointType": "PRIVATE",
        "vpcEndpointIds": ["vpce-0123456789abcdef0"]
    })
}

/// The props' third example in the schema: two routes, with CORS, access logging and
/// throttling.
pub(crate) fn routes_example_props() -> Value {
    json!({
        "routes": [
            {
                "path": "/orders/{orderId}",
                "stateMachine": "arn:aws:states:eu-west-1:123456789012:stateMachine:get-order"
            },
            {
                "path": "/orders",
                "method": "POST",
                "stateMachine": "arn:aws:states:eu-west-1:123456789012:stateMachine:put-order",
                "input": {"headers": [{"name": "X-Request-Id", "required": false}]}
            }
        ],
        "authorization": "AWS_IAM",
        "cors": {"allowOrigin": "https://app.example.com", "maxAge": 600},
        "accessLog": {"destination": "arn:aws:logs:eu-west-1:123456789012:log-group:orders-api"},
        "throttling": {"rateLimit": 100.0, "burstLimit": 200}
    })
}

pub(crate) fn check_stage(stage: &str, errors: &mut Vec<Diagnostic>) {
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

pub(crate) fn check_endpoint(props: &ApiIntegrationProps, errors: &mut Vec<Diagnostic>) {
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
