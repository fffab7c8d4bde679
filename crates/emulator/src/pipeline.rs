//! One request through the API as API Gateway would carry it: the route, the method
//! request (authorization noted, required parameters validated), the integration request
//! (the mapping template picked by content type, or passthrough), StartSyncExecution, the
//! integration response picked by its selection pattern, and the response template with
//! `$context.responseOverride`. Each step is recorded in a [`Trace`].

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use stackweave_asl::{Mocks, StateMachine};
use stackweave_vtl::{Input, Scope, Template, VtlError};

use crate::error::{EmulationError, ModelError};
use crate::exchange::{Request, Response};
use crate::model::{Api, Location, Method, Model, Passthrough, Route, Segment, Target};
use crate::pattern::Pattern;
use crate::sync::{self, Runnable, START_EPOCH_SECONDS};
use crate::trace::Trace;

/// Every request's id (`$context.requestId`, `x-amzn-RequestId`): fixed, so that runs are
/// byte-stable.
pub const REQUEST_ID: &str = "c0ffee00-0000-4000-8000-000000000001";

/// Which template of a method: the request template or that of integration response `n`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Which {
    Request,
    Response(usize),
}

type TemplateKey = (String, Which, String);

/// An API of a template, ready to answer requests: its mapping templates and state machines
/// parsed once.
pub struct Emulator {
    api: Api,
    machines: Vec<Runnable>,
    templates: BTreeMap<TemplateKey, Result<Template, VtlError>>,
    region: String,
    account: String,
}

/// What one request did.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// What the client gets.
    pub response: Response,
    /// Each step on the way.
    pub trace: Trace,
}

impl Emulator {
    /// The emulator of `model`'s REST API (`api` names it when the template has several).
    pub fn new(model: Model, api: Option<&str>) -> Result<Emulator, ModelError> {
        let Model {
            apis,
            machines,
            environment,
        } = model;
        let names = || {
            apis.iter()
                .map(|a| format!("`{}`", a.logical_id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let api = match api {
            Some(name) => match apis.iter().find(|a| a.logical_id == name) {
                Some(found) => found.clone(),
                None => {
                    return Err(ModelError::template(
                        format!("the template has no REST API `{name}`"),
                        format!(
                            "its REST APIs: {}",
                            if apis.is_empty() {
                                "none".to_owned()
                            } else {
                                names()
                            }
                        ),
                    ));
                }
            },
            None => match apis.as_slice() {
                [only] => only.clone(),
                [] => {
                    return Err(ModelError::template(
                        "the template has no `AWS::ApiGateway::RestApi`".into(),
                        "the emulator runs a REST API; give a stack or template that has one",
                    ));
                }
                _ => {
                    return Err(ModelError::template(
                        format!("the template has several REST APIs ({})", names()),
                        "say which with `--api <logical id>`",
                    ));
                }
            },
        };
        let mut templates = BTreeMap::new();
        for route in &api.routes {
            for method in &route.methods {
                let Ok(integration) = &method.integration else {
                    continue;
                };
                let responses = integration.responses.iter().enumerate();
                let sources = std::iter::once((Which::Request, &integration.request_templates))
                    .chain(responses.map(|(index, r)| (Which::Response(index), &r.templates)));
                for (which, texts) in sources {
                    for (content_type, text) in texts {
                        let key = (
                            method.logical_id.clone(),
                            which.clone(),
                            content_type.clone(),
                        );
                        templates.insert(key, Template::parse(text));
                    }
                }
            }
        }
        let machines = machines
            .into_iter()
            .map(|machine| {
                let parsed = match &machine.definition {
                    Ok(definition) => StateMachine::parse(definition).map_err(|error| {
                        EmulationError::Definition {
                            machine: machine.logical_id.clone(),
                            error,
                        }
                    }),
                    Err(error) => Err(EmulationError::Model(error.clone())),
                };
                Runnable { machine, parsed }
            })
            .collect();
        Ok(Emulator {
            api,
            machines,
            templates,
            region: environment.region,
            account: environment.account,
        })
    }

    /// The API being emulated.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Answers `request`, Task states answered from `mocks`.
    pub fn invoke(&self, request: &Request, mocks: &Mocks) -> Result<Invocation, EmulationError> {
        let mut trace = Trace::default();
        let response = self.answer(request, mocks, &mut trace)?;
        trace.push("response", response.to_text());
        Ok(Invocation { response, trace })
    }

    fn answer(
        &self,
        request: &Request,
        mocks: &Mocks,
        trace: &mut Trace,
    ) -> Result<Response, EmulationError> {
        let method_name = request.method.to_uppercase();
        let Some((route, method, path_parameters)) = self.route(&method_name, &request.path) else {
            trace.push(
                "route",
                format!(
                    "no resource and method of API `{}` match {method_name} {}",
                    self.api.logical_id, request.path
                ),
            );
            // API Gateway answers an unknown resource or method of a REST API this way.
            return Ok(gateway_error(
                403,
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            ));
        };
        trace.push(
            "route",
            format!(
                "{} {} (method `{}`, path parameters {})",
                method.http_method,
                route.path,
                method.logical_id,
                json!(path_parameters)
            ),
        );
        trace.push(
            "authorization",
            format!(
                "{}{}: noted, not enforced (the request is treated as authorised)",
                method.authorization,
                if method.api_key_required {
                    ", API key required"
                } else {
                    ""
                }
            ),
        );
        if let Some(response) = validate(method, request, &path_parameters, trace) {
            return Ok(response);
        }
        let integration = method
            .integration
            .as_ref()
            .map_err(|error| EmulationError::Model(error.clone()))?;
        let scope = self.scope(request, route, &path_parameters, request.body.clone());

        // Integration request.
        let content_type = media_type(request.header("Content-Type"))
            .unwrap_or_else(|| "application/json".to_owned());
        let chosen = integration
            .request_templates
            .iter()
            .find(|(ct, _)| ct.eq_ignore_ascii_case(&content_type));
        let integration_body = match chosen {
            Some((ct, _)) => {
                let rendered =
                    self.render(method, Which::Request, ct, "request template", &scope)?;
                trace.push(&format!("request template ({ct})"), rendered.text.clone());
                rendered.text
            }
            None => {
                let passes = match integration.passthrough {
                    Passthrough::WhenNoMatch => true,
                    Passthrough::WhenNoTemplates => integration.request_templates.is_empty(),
                    Passthrough::Never => false,
                };
                if !passes {
                    trace.push(
                        "request template",
                        format!("none for content type `{content_type}`, and the passthrough behaviour refuses the body"),
                    );
                    return Ok(gateway_error(
                        415,
                        "UnsupportedMediaTypeException",
                        "Unsupported Media Type",
                    ));
                }
                trace.push(
                    "request template",
                    format!(
                        "none for content type `{content_type}`: the body passes through as it is"
                    ),
                );
                request.body.clone()
            }
        };
        if let Some(role) = &integration.credentials {
            trace.push("credentials", format!("{role}: noted, not checked"));
        }

        // The integration.
        let (status, backend_body, backend_headers) = match integration.target {
            Target::StartSyncExecution => {
                trace.push("StartSyncExecution request", integration_body.clone());
                let answer = sync::start_sync_execution(&integration_body, &self.machines, mocks)?;
                if let Some((machine, execution)) = &answer.execution {
                    for step in &execution.steps {
                        let output = match &step.output {
                            Some(output) => output.to_string(),
                            None => "(failed)".to_owned(),
                        };
                        trace.push(
                            &format!("state `{}` of `{machine}`", step.state),
                            format!("input:  {}\noutput: {output}", step.input),
                        );
                    }
                }
                let text = answer.body.to_string();
                trace.push(
                    &format!("StartSyncExecution response ({})", answer.status),
                    text.clone(),
                );
                let headers = vec![
                    (
                        "Content-Type".to_owned(),
                        "application/x-amz-json-1.0".to_owned(),
                    ),
                    ("x-amzn-RequestId".to_owned(), REQUEST_ID.to_owned()),
                ];
                (answer.status.to_string(), text, headers)
            }
            Target::Mock => {
                let status = serde_json::from_str::<Value>(&integration_body)
                    .ok()
                    .and_then(|v| {
                        v.get("statusCode").and_then(|s| {
                            s.as_u64()
                                .map(|n| n.to_string())
                                .or_else(|| s.as_str().map(str::to_owned))
                        })
                    });
                let Some(status) = status else {
                    trace.push(
                        "MOCK integration",
                        "the request template gives no `statusCode`".to_owned(),
                    );
                    return Ok(gateway_error(500, "", "Internal server error"));
                };
                trace.push("MOCK integration", format!("status {status}"));
                (status, String::new(), Vec::new())
            }
        };

        // Integration response.
        let mut default = None;
        let mut selected = None;
        for (index, response) in integration.responses.iter().enumerate() {
            match &response.pattern {
                None => {
                    if default.is_none() {
                        default = Some(index);
                    }
                }
                Some(source) => {
                    let pattern = Pattern::parse(source).map_err(|problem| {
                        response_error(
                            method,
                            index,
                            "SelectionPattern",
                            format!("selection pattern `{source}` cannot be read: {problem}"),
                            "write a Java regular expression over the status code, such as `4\\d{2}`",
                        )
                    })?;
                    if selected.is_none() && pattern.matches(&status) {
                        selected = Some(index);
                    }
                }
            }
        }
        let Some(index) = selected.or(default) else {
            trace.push(
                "integration response",
                format!("no selection pattern matches status {status} and no response is the default: API Gateway reports a configuration error"),
            );
            return Ok(gateway_error(500, "", "Internal server error"));
        };
        let chosen = &integration.responses[index];
        trace.push(
            "integration response",
            match &chosen.pattern {
                Some(pattern) => format!(
                    "#{index}: status {}, its pattern `{pattern}` matches {status}",
                    chosen.status
                ),
                None => format!(
                    "#{index}: status {}, the default (no pattern matches {status})",
                    chosen.status
                ),
            },
        );
        let mut response = Response {
            status: chosen.status.parse().unwrap_or(500),
            headers: Vec::new(),
            body: backend_body.clone(),
        };
        let accept = media_type(request.header("Accept"));
        let template = accept
            .as_deref()
            .and_then(|a| {
                chosen
                    .templates
                    .iter()
                    .find(|(ct, _)| ct.eq_ignore_ascii_case(a))
            })
            .or_else(|| {
                chosen
                    .templates
                    .iter()
                    .find(|(ct, _)| ct == "application/json")
            })
            .or_else(|| chosen.templates.first());
        let mut header_overrides = BTreeMap::new();
        match template {
            Some((ct, _)) => {
                let scope = self.scope(request, route, &path_parameters, backend_body.clone());
                let rendered = self.render(
                    method,
                    Which::Response(index),
                    ct,
                    "response template",
                    &scope,
                )?;
                trace.push(&format!("response template ({ct})"), rendered.text.clone());
                response.body = rendered.text;
                response.set_header("Content-Type", ct.clone());
                if let Some(status) = rendered.status_override {
                    trace.push("response override", format!("status {status}"));
                    response.status = status;
                }
                header_overrides = rendered.header_overrides;
            }
            None => {
                trace.push(
                    "response template",
                    "none: the integration's body passes through".to_owned(),
                );
                response.set_header("Content-Type", "application/json".to_owned());
            }
        }
        for (target, source) in &chosen.parameters {
            let Some(name) = target.strip_prefix("method.response.header.") else {
                continue;
            };
            let value = parameter_value(source, &backend_body, &backend_headers, request).ok_or_else(|| {
                response_error(
                    method,
                    index,
                    "ResponseParameters",
                    format!("response parameter source `{source}` is not emulated"),
                    "map a quoted literal ('text'), integration.response.header.<name>, integration.response.body[.<field>] or method.request.<place>.<name>",
                )
            })?;
            response.set_header(name, value);
        }
        for (name, value) in header_overrides {
            response.set_header(&name, value);
        }
        response.set_header("x-amzn-RequestId", REQUEST_ID.to_owned());
        Ok(response)
    }

    /// The route and method answering `method` on `path`, with the path parameters.
    fn route(
        &self,
        method: &str,
        path: &str,
    ) -> Option<(&Route, &Method, BTreeMap<String, String>)> {
        let parts: Vec<&str> = path
            .trim_matches('/')
            .split('/')
            .filter(|p| !p.is_empty())
            .collect();
        for route in &self.api.routes {
            let Some(parameters) = match_segments(&route.segments, &parts) else {
                continue;
            };
            let found = route
                .methods
                .iter()
                .find(|m| m.http_method == method)
                .or_else(|| route.methods.iter().find(|m| m.http_method == "ANY"));
            if let Some(found) = found {
                return Some((route, found, parameters));
            }
        }
        None
    }

    fn render(
        &self,
        method: &Method,
        which: Which,
        content_type: &str,
        label: &'static str,
        scope: &Scope,
    ) -> Result<stackweave_vtl::Rendered, EmulationError> {
        let error = |error: VtlError| EmulationError::Template {
            which: label,
            method: method.logical_id.clone(),
            content_type: content_type.to_owned(),
            error,
        };
        let key = (method.logical_id.clone(), which, content_type.to_owned());
        match self.templates.get(&key) {
            Some(Ok(template)) => template.render(scope).map_err(error),
            Some(Err(problem)) => Err(error(problem.clone())),
            None => Err(error(VtlError {
                line: 1,
                column: 1,
                message: "template missing".into(),
            })),
        }
    }

    fn scope(
        &self,
        request: &Request,
        route: &Route,
        path: &BTreeMap<String, String>,
        body: String,
    ) -> Scope {
        let querystring = request.query.iter().cloned().collect();
        let header = request.headers.iter().cloned().collect();
        let stage = &self.api.stage.name;
        let domain = format!("{}.execute-api.{}.amazonaws.com", self.api.id, self.region);
        let mut context = Map::new();
        context.insert("accountId".into(), json!(self.account));
        context.insert("apiId".into(), json!(self.api.id));
        context.insert("domainName".into(), json!(domain));
        context.insert("domainPrefix".into(), json!(self.api.id));
        context.insert("extendedRequestId".into(), json!("EMULATED0000000="));
        context.insert("httpMethod".into(), json!(request.method.to_uppercase()));
        context.insert(
            "identity".into(),
            json!({"sourceIp": "127.0.0.1", "userAgent": request.header("User-Agent").unwrap_or("")}),
        );
        context.insert("path".into(), json!(format!("/{stage}{}", request.path)));
        context.insert("protocol".into(), json!("HTTP/1.1"));
        context.insert("requestId".into(), json!(REQUEST_ID));
        context.insert("requestTime".into(), json!("01/Jan/2026:00:00:00 +0000"));
        context.insert("requestTimeEpoch".into(), json!(START_EPOCH_SECONDS * 1000));
        context.insert("resourceId".into(), json!(route.resource));
        context.insert("resourcePath".into(), json!(route.path));
        context.insert("stage".into(), json!(stage));
        Scope {
            input: Input {
                body,
                path: path.clone(),
                querystring,
                header,
            },
            context,
            stage_variables: self.api.stage.variables.clone(),
        }
    }
}

/// Matches path `parts` against a route's segments, giving the path parameters.
fn match_segments(segments: &[Segment], parts: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut parameters = BTreeMap::new();
    for (index, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Literal(literal) => {
                if parts.get(index) != Some(&literal.as_str()) {
                    return None;
                }
            }
            Segment::Parameter(name) => {
                parameters.insert(name.clone(), (*parts.get(index)?).to_owned());
            }
            Segment::Greedy(name) => {
                let rest = parts.get(index..).filter(|rest| !rest.is_empty())?;
                parameters.insert(name.clone(), rest.join("/"));
                return Some(parameters);
            }
        }
    }
    (segments.len() == parts.len()).then_some(parameters)
}

/// The request validator's parameter check: every required parameter present and not blank.
fn validate(
    method: &Method,
    request: &Request,
    path: &BTreeMap<String, String>,
    trace: &mut Trace,
) -> Option<Response> {
    if method.validate_body {
        trace.push(
            "request validator",
            "body validation against a model is not emulated".to_owned(),
        );
    }
    if !method.validate_parameters {
        return None;
    }
    let missing: Vec<String> = method
        .parameters
        .iter()
        .filter(|p| p.required)
        .filter(|p| {
            let value = match p.location {
                Location::Path => path.get(&p.name).map(String::as_str),
                Location::QueryString => request.query_value(&p.name),
                Location::Header => request.header(&p.name),
            };
            value.is_none_or(|v| v.trim().is_empty())
        })
        .map(|p| p.name.clone())
        .collect();
    if missing.is_empty() {
        trace.push(
            "request validator",
            "required parameters present".to_owned(),
        );
        return None;
    }
    let message = format!(
        "Missing required request parameters: [{}]",
        missing.join(", ")
    );
    trace.push("request validator", message.clone());
    Some(gateway_error(400, "BadRequestException", &message))
}

/// A problem of `method`'s integration response `index`, at its property `property`.
fn response_error(
    method: &Method,
    index: usize,
    property: &str,
    message: String,
    help: &str,
) -> EmulationError {
    let id = &method.logical_id;
    let pointer =
        format!("/Resources/{id}/Properties/Integration/IntegrationResponses/{index}/{property}");
    EmulationError::Model(ModelError::at(id, &pointer, message, help))
}

/// A response API Gateway itself gives (`{"message": ...}`).
fn gateway_error(status: u16, error_type: &str, message: &str) -> Response {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if !error_type.is_empty() {
        headers.push(("x-amzn-ErrorType".to_owned(), error_type.to_owned()));
    }
    headers.push(("x-amzn-RequestId".to_owned(), REQUEST_ID.to_owned()));
    Response {
        status,
        headers,
        body: json!({"message": message}).to_string(),
    }
}

/// The media type of a `Content-Type` or `Accept` value, lower case, without parameters.
fn media_type(value: Option<&str>) -> Option<String> {
    let first = value?
        .split(',')
        .next()?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    (!first.is_empty() && first != "*/*").then_some(first)
}

/// The value of a response parameter's source.
fn parameter_value(
    source: &str,
    body: &str,
    headers: &[(String, String)],
    request: &Request,
) -> Option<String> {
    if let Some(literal) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(literal.to_owned());
    }
    if let Some(name) = source.strip_prefix("integration.response.header.") {
        return Some(
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        );
    }
    if source == "integration.response.body" {
        return Some(body.to_owned());
    }
    if let Some(path) = source.strip_prefix("integration.response.body.") {
        let value: Value = serde_json::from_str(body).ok()?;
        let found = path.split('.').try_fold(&value, |v, key| v.get(key));
        return Some(match found {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        });
    }
    if let Some(name) = source.strip_prefix("method.request.header.") {
        return Some(request.header(name).unwrap_or("").to_owned());
    }
    if let Some(name) = source.strip_prefix("method.request.querystring.") {
        return Some(request.query_value(name).unwrap_or("").to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::resolve::Environment;

    use super::*;

    /// An API of one route whose integration is written by the test.
    fn emulator_of(integration: Value, machine_type: &str) -> Emulator {
        let template = json!({"Resources": {
            "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "StateMachineType": machine_type,
                "Definition": {"StartAt": "Save", "States": {"Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "End": true}}}}},
            "Api": {"Type": "AWS::ApiGateway::RestApi"},
            "Items": {"Type": "AWS::ApiGateway::Resource", "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "items"}},
            "Post": {"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Items"}, "HttpMethod": "POST",
                "AuthorizationType": "NONE", "Integration": integration}},
        }});
        Emulator::new(
            Model::read(&template, Environment::default()).unwrap(),
            None,
        )
        .unwrap()
    }

    fn sync_integration(request_template: &str, passthrough: &str) -> Value {
        json!({
            "Type": "AWS",
            "Uri": "arn:aws:apigateway:us-east-1:states:action/StartSyncExecution",
            "PassthroughBehavior": passthrough,
            "RequestTemplates": {"application/json": request_template},
            "IntegrationResponses": [
                {"StatusCode": "200", "ResponseTemplates": {"application/json": "#set($s = $input.path('$.status'))#if($s != 'SUCCEEDED')#set($context.responseOverride.status = 502)#end$s"}},
                {"StatusCode": "400", "SelectionPattern": "4\\d{2}", "ResponseParameters": {"method.response.header.X-Error": "integration.response.body.__type"}}
            ]
        })
    }

    fn post(body: &str, content_type: &str) -> Request {
        Request {
            method: "POST".into(),
            path: "/items".into(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            ..Request::default()
        }
    }

    const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:Flow";

    #[test]
    fn a_task_answers_from_its_mocks_and_a_failure_overrides_the_status() {
        let template = format!(
            "{{\"stateMachineArn\": \"{ARN}\", \"input\": \"$util.escapeJavaScript($input.body)\"}}"
        );
        let emulator = emulator_of(sync_integration(&template, "NEVER"), "EXPRESS");
        let mut mocks = Mocks::default();
        mocks.responses.insert(
            "Save".into(),
            vec![stackweave_asl::MockResponse::Throw {
                error: "E".into(),
                cause: "C".into(),
            }],
        );
        let invocation = emulator
            .invoke(&post("{}", "application/json"), &mocks)
            .unwrap();
        assert_eq!(invocation.response.status, 502);
        assert_eq!(invocation.response.body, "FAILED");
        let unmocked = emulator
            .invoke(&post("{}", "application/json"), &Mocks::default())
            .unwrap_err();
        assert!(
            matches!(unmocked, EmulationError::Run { .. }),
            "{unmocked:?}"
        );
    }

    #[test]
    fn the_services_refusals_go_through_the_selection_pattern() {
        // A template whose output is not JSON, and a STANDARD machine: both 400 from the
        // service, picked by the `4\d{2}` response, its header mapped from the body.
        let emulator = emulator_of(
            sync_integration("{\"input\": \"$input.body\"", "NEVER"),
            "EXPRESS",
        );
        let response = emulator
            .invoke(&post("{}", "application/json"), &Mocks::default())
            .unwrap()
            .response;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.header("X-Error"),
            Some("com.amazon.coral.service#SerializationException")
        );
        let template = format!("{{\"stateMachineArn\": \"{ARN}\"}}");
        let standard = emulator_of(sync_integration(&template, "NEVER"), "STANDARD");
        let response = standard
            .invoke(&post("{}", "application/json"), &Mocks::default())
            .unwrap()
            .response;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.header("X-Error"),
            Some("com.amazonaws.swf.service.v2.model#StateMachineTypeNotSupported")
        );
    }

    #[test]
    fn passthrough_behaviour_decides_unmapped_content_types() {
        let template = format!("{{\"stateMachineArn\": \"{ARN}\"}}");
        let never = emulator_of(sync_integration(&template, "NEVER"), "EXPRESS");
        let response = never
            .invoke(&post("x", "text/plain"), &Mocks::default())
            .unwrap()
            .response;
        assert_eq!(
            (response.status, response.body.as_str()),
            (415, "{\"message\":\"Unsupported Media Type\"}")
        );
        // WHEN_NO_MATCH sends the body as it is: here not JSON, so the service refuses it.
        let passes = emulator_of(sync_integration(&template, "WHEN_NO_MATCH"), "EXPRESS");
        let invocation = passes
            .invoke(&post("x", "text/plain"), &Mocks::default())
            .unwrap();
        assert_eq!(
            invocation.trace.step("StartSyncExecution request"),
            Some("x")
        );
        assert_eq!(invocation.response.status, 400);
    }

    #[test]
    fn a_mock_integration_answers_by_its_status_code() {
        let emulator = emulator_of(
            json!({"Type": "MOCK", "RequestTemplates": {"application/json": "{\"statusCode\": 404}"},
                   "IntegrationResponses": [{"StatusCode": "200"}, {"StatusCode": "404", "SelectionPattern": "404",
                       "ResponseTemplates": {"application/json": "{\"missing\": \"$context.resourcePath\"}"}}]}),
            "EXPRESS",
        );
        let response = emulator
            .invoke(&post("", "application/json"), &Mocks::default())
            .unwrap()
            .response;
        assert_eq!(
            (response.status, response.body.as_str()),
            (404, "{\"missing\": \"/items\"}")
        );
    }

    #[test]
    fn literal_segments_parameters_and_greedy_paths_match() {
        let segments = [
            Segment::Literal("orders".into()),
            Segment::Parameter("id".into()),
        ];
        assert_eq!(
            match_segments(&segments, &["orders", "42"]).map(|p| p["id"].clone()),
            Some("42".into())
        );
        assert!(match_segments(&segments, &["orders"]).is_none());
        assert!(match_segments(&segments, &["orders", "42", "x"]).is_none());
        let greedy = [
            Segment::Literal("files".into()),
            Segment::Greedy("proxy".into()),
        ];
        assert_eq!(
            match_segments(&greedy, &["files", "a", "b"]).map(|p| p["proxy"].clone()),
            Some("a/b".into())
        );
        assert!(match_segments(&greedy, &["files"]).is_none());
        assert!(match_segments(&[], &[]).is_some());
    }

    #[test]
    fn media_types_drop_their_parameters() {
        assert_eq!(
            media_type(Some("Application/JSON; charset=utf-8")).as_deref(),
            Some("application/json")
        );
        assert_eq!(media_type(Some("*/*")), None);
    }
}
