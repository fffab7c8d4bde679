//! API Gateway (REST API) rules, on `AWS::ApiGateway::Method`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::intrinsics::{
    Piece, alternatives, as_bool, describe, getatt_parts, intrinsic_name, is_intrinsic,
    literal_text, ref_target, text_of,
};
use crate::vtl::{self, Location};
use crate::{Resource, Sink, Template, child, pattern};

const METHOD: &str = "AWS::ApiGateway::Method";
const API_RESOURCE: &str = "AWS::ApiGateway::Resource";

/// How messages name a method: `GET /start (`ApiMethod`)`, as far as the template says.
fn method_label(template: &Template, resource: &Resource) -> String {
    let verb = resource
        .property("HttpMethod")
        .and_then(|(value, _)| literal_text(value))
        .unwrap_or_else(|| "method".to_owned());
    match resource
        .property("ResourceId")
        .map(|(value, _)| resource_path(template, value))
    {
        Some(Ok(path)) => format!("{verb} {} (`{}`)", path.path, resource.logical_id),
        _ => format!("{verb} `{}`", resource.logical_id),
    }
}

/// SW-APIGW-1: a method with `AuthorizationType` absent or `NONE` and `ApiKeyRequired`
/// not true. OPTIONS methods are left alone: CORS preflight requests carry no
/// credentials, so they must be open.
pub(crate) fn open_method(template: &Template, resource: &Resource, sink: &mut Sink) {
    if resource.resource_type != METHOD {
        return;
    }
    let mut unresolved: Vec<String> = Vec::new();
    if let Some((value, _)) = resource.property("HttpMethod") {
        match literal_text(value) {
            Some(verb) if verb.eq_ignore_ascii_case("OPTIONS") => return,
            Some(_) => {}
            None => unresolved.push(format!("HttpMethod (`{}`) may be OPTIONS", describe(value))),
        }
    }
    let (pointer, how) = match resource.property("AuthorizationType") {
        None => (resource.properties_pointer(), "no AuthorizationType"),
        Some((value, pointer)) => match literal_text(value) {
            Some(kind) if kind.eq_ignore_ascii_case("NONE") => (pointer, "AuthorizationType NONE"),
            Some(_) => return,
            None => {
                unresolved.push(format!(
                    "AuthorizationType (`{}`) may be NONE",
                    describe(value)
                ));
                (pointer, "an unresolved AuthorizationType")
            }
        },
    };
    if let Some((value, _)) = resource.property("ApiKeyRequired") {
        match as_bool(value) {
            Some(true) => return,
            Some(false) => {}
            None => unresolved.push(format!(
                "ApiKeyRequired (`{}`) may be true",
                describe(value)
            )),
        }
    }
    let label = method_label(template, resource);
    if unresolved.is_empty() {
        sink.found(
            pointer,
            format!("{label} has {how} and requires no API key: anyone can call it"),
        );
    } else {
        sink.undecided(
            pointer,
            format!("{label} may be open to anyone: {}", unresolved.join("; ")),
        );
    }
}

/// A resource path: `/orders/{id}` and the path parameters it declares.
struct ResourcePath {
    path: String,
    parameters: Vec<String>,
}

/// Follows a method's `ResourceId` up the `ParentId` chain of `AWS::ApiGateway::Resource`s
/// to the API's root (`Fn::GetAtt Api.RootResourceId`). `Err` names the value that stops
/// it (a parameter, an import, a resource of another stack).
fn resource_path(template: &Template, resource_id: &Value) -> Result<ResourcePath, String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = resource_id;
    // A chain longer than the resources in the template has a cycle.
    for _ in 0..=template.resources.len() {
        if getatt_parts(current).is_some_and(|(_, attribute)| attribute == "RootResourceId") {
            parts.reverse();
            let parameters = parts
                .iter()
                .filter_map(|part| {
                    let name = part.strip_prefix('{')?.strip_suffix('}')?;
                    Some(name.strip_suffix('+').unwrap_or(name).to_owned())
                })
                .collect();
            return Ok(ResourcePath {
                path: format!("/{}", parts.join("/")),
                parameters,
            });
        }
        let Some(resource) = ref_target(current)
            .and_then(|id| template.resource(id))
            .filter(|resource| resource.resource_type == API_RESOURCE)
        else {
            return Err(format!("`{}`", describe(current)));
        };
        let Some((path_part, _)) = resource.property("PathPart") else {
            return Err(format!("the PathPart of `{}`", resource.logical_id));
        };
        let Some(path_part) = literal_text(path_part) else {
            return Err(format!(
                "the PathPart of `{}` (`{}`)",
                resource.logical_id,
                describe(path_part)
            ));
        };
        parts.push(path_part);
        let Some((parent, _)) = resource.property("ParentId") else {
            return Err(format!("the ParentId of `{}`", resource.logical_id));
        };
        current = parent;
    }
    Err("a ParentId cycle".to_owned())
}

/// The parameters a method declares in `RequestParameters`, by location.
#[derive(Default)]
struct Declared {
    path: BTreeSet<String>,
    query_string: BTreeSet<String>,
    /// Lowercased: HTTP header names are case-insensitive.
    headers: BTreeSet<String>,
}

fn declared_parameters(parameters: &serde_json::Map<String, Value>) -> Declared {
    let mut declared = Declared::default();
    for key in parameters.keys() {
        let Some((location, name)) = key
            .strip_prefix("method.request.")
            .and_then(|rest| rest.split_once('.'))
        else {
            continue;
        };
        match location {
            "path" => declared.path.insert(name.to_owned()),
            // A multi-value parameter is also in `$input.params()` under its location.
            "querystring" | "multivaluequerystring" => {
                declared.query_string.insert(name.to_owned())
            }
            "header" | "multivalueheader" => declared.headers.insert(name.to_ascii_lowercase()),
            _ => false,
        };
    }
    declared
}

impl Declared {
    fn has(&self, location: Location, name: &str, from_path: &[String]) -> bool {
        let path = || self.path.contains(name) || from_path.iter().any(|p| p == name);
        let query_string = || self.query_string.contains(name);
        let header = || self.headers.contains(&name.to_ascii_lowercase());
        match location {
            Location::Path => path(),
            Location::QueryString => query_string(),
            Location::Header => header(),
            Location::Any => path() || query_string() || header(),
        }
    }

    /// The declared parameters in words, for messages.
    fn describe(&self, from_path: &[String]) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.path.iter().map(|name| format!("path `{name}`")));
        parts.extend(
            from_path
                .iter()
                .filter(|name| !self.path.contains(*name))
                .map(|name| format!("path `{name}` (from the resource path)")),
        );
        parts.extend(
            self.query_string
                .iter()
                .map(|name| format!("query string `{name}`")),
        );
        parts.extend(self.headers.iter().map(|name| format!("header `{name}`")));
        if parts.is_empty() {
            "it declares none".to_owned()
        } else {
            format!("it declares {}", parts.join(", "))
        }
    }
}

/// The method's integration, if it is an object.
fn integration<'a>(
    resource: &Resource<'a>,
) -> Option<(&'a serde_json::Map<String, Value>, String)> {
    let (value, pointer) = resource.property("Integration")?;
    let object = value.as_object().filter(|_| !is_intrinsic(value))?;
    Some((object, pointer))
}

/// SW-APIGW-2: a request mapping template reads a query-string, path or header
/// parameter the method does not declare in `RequestParameters` nor in its resource path.
pub(crate) fn undeclared_parameters(template: &Template, resource: &Resource, sink: &mut Sink) {
    if resource.resource_type != METHOD {
        return;
    }
    let Some((integration, integration_pointer)) = integration(resource) else {
        return;
    };
    // Proxy integrations pass the request through: mapping templates are not used.
    if integration
        .get("Type")
        .and_then(literal_text)
        .is_some_and(|kind| kind.to_ascii_uppercase().ends_with("_PROXY"))
    {
        return;
    }
    let Some(templates) = integration.get("RequestTemplates") else {
        return;
    };
    let templates_pointer = child(&integration_pointer, "RequestTemplates");
    let label = method_label(template, resource);
    let Some(templates) = templates.as_object().filter(|_| !is_intrinsic(templates)) else {
        sink.undecided(
            templates_pointer,
            format!(
                "cannot check the request templates of {label}: RequestTemplates is an unresolved `{}`",
                describe(templates)
            ),
        );
        return;
    };

    let declared = match resource.property("RequestParameters") {
        None => Ok(Declared::default()),
        Some((value, pointer)) => match value.as_object().filter(|_| !is_intrinsic(value)) {
            Some(parameters) => Ok(declared_parameters(parameters)),
            None => Err((pointer, describe(value))),
        },
    };
    let from_path = match resource.property("ResourceId") {
        Some((value, pointer)) => resource_path(template, value)
            .map(|path| path.parameters)
            .map_err(|why| (pointer, why)),
        None => Err((
            resource.properties_pointer(),
            "a missing ResourceId".to_owned(),
        )),
    };

    for (content_type, body) in templates {
        let pointer = child(&templates_pointer, content_type);
        for (body, pointer) in alternatives(body, &pointer) {
            let Some(rendered) = template_text(body) else {
                sink.undecided(
                    pointer,
                    format!(
                        "cannot check the `{content_type}` request template of {label}: it is an unresolved `{}`",
                        describe(body)
                    ),
                );
                continue;
            };
            for read in vtl::parameter_reads(&rendered) {
                check_read(
                    sink,
                    &read,
                    content_type,
                    &label,
                    &declared,
                    &from_path,
                    &pointer,
                );
            }
        }
    }
}

/// The text of a mapping template, with `Fn::Sub` variables and non-literal `Fn::Join`
/// parts as placeholders (a `Fn::Sub`'s `${...}` are CloudFormation's, not VTL's); `None`
/// when the template writes none of it (a `Ref`, a `Fn::GetAtt`, a `Fn::Sub` of one
/// variable...).
fn template_text(body: &Value) -> Option<String> {
    let text = match (body, intrinsic_name(body)) {
        (Value::String(_), _) | (_, Some("Fn::Sub" | "Fn::Join")) => text_of(body)?,
        _ => return None,
    };
    let has_literal = text
        .pieces
        .iter()
        .any(|piece| matches!(piece, Piece::Literal(_)));
    has_literal.then(|| text.render())
}

/// Where a value could not be resolved, and what it is.
type Unresolved = (String, String);

fn check_read(
    sink: &mut Sink,
    read: &vtl::Read,
    content_type: &str,
    label: &str,
    declared: &Result<Declared, Unresolved>,
    from_path: &Result<Vec<String>, Unresolved>,
    template_pointer: &str,
) {
    let name = &read.name;
    let what = read.location.describe();
    let expression = &read.expression;
    let searches = if read.location == Location::Any {
        ", which searches the path, the query string and the headers"
    } else {
        ""
    };
    let declared = match declared {
        Ok(declared) => declared,
        Err((pointer, intrinsic)) => {
            sink.undecided(
                pointer.clone(),
                format!(
                    "cannot tell whether {label} declares the {what} `{name}` its `{content_type}` request template reads (`{expression}`{searches}): RequestParameters is an unresolved `{intrinsic}`"
                ),
            );
            return;
        }
    };
    let path_parameters: &[String] = match from_path {
        Ok(parameters) => parameters,
        Err(_) => &[],
    };
    if declared.has(read.location, name, path_parameters) {
        return;
    }
    let path_matters = matches!(read.location, Location::Path | Location::Any);
    if path_matters && let Err((pointer, why)) = from_path {
        sink.undecided(
            pointer.clone(),
            format!(
                "cannot tell whether {label} declares the {what} `{name}` its `{content_type}` request template reads (`{expression}`{searches}): RequestParameters does not, and the resource path cannot be followed past {why}"
            ),
        );
        return;
    }
    sink.found(
        template_pointer.to_owned(),
        format!(
            "the `{content_type}` request template of {label} reads the {what} `{name}` (`{expression}`{searches}), which the method does not declare; {}",
            declared.describe(path_parameters)
        ),
    );
}

/// The part of a Step Functions `StartSyncExecution` integration URI that names the
/// action (`arn:aws:apigateway:<region>:states:action/StartSyncExecution`).
const START_SYNC_EXECUTION: &str = "states:action/startsyncexecution";

/// The verdict on one integration response that may answer a successful call.
enum Verdict {
    Handles,
    Passes(String),
    Unresolved(String),
}

/// SW-APIGW-3: an AWS integration calling `StartSyncExecution` whose response for HTTP
/// 200 passes the status through. Step Functions answers StartSyncExecution with 200
/// whatever the execution's `status` (SUCCEEDED, FAILED or TIMED_OUT): only a response
/// template that reads `status` and sets `$context.responseOverride.status`, or a non-2xx
/// `StatusCode`, keeps a failed execution from reaching the client as a success.
///
/// The response that handles a 200 is each one whose `SelectionPattern` (a regular
/// expression matched against the whole status code for AWS integrations) matches `200`,
/// or, when none does, the default one (no `SelectionPattern`, or an empty one). With no
/// such response API Gateway answers 500 itself, which is another problem, not this one.
pub(crate) fn failed_execution_as_success(
    template: &Template,
    resource: &Resource,
    sink: &mut Sink,
) {
    if resource.resource_type != METHOD {
        return;
    }
    let Some((integration, integration_pointer)) = integration(resource) else {
        return;
    };
    match integration
        .get("Type")
        .map(|kind| (kind, literal_text(kind)))
    {
        Some((_, Some(kind))) if kind.eq_ignore_ascii_case("AWS") => {}
        // An unresolved Type may be AWS: the URI below still has to be StartSyncExecution.
        Some((kind, None)) if is_intrinsic(kind) => {}
        _ => return,
    }
    let calls_start_sync = integration.get("Uri").and_then(text_of).is_some_and(|uri| {
        uri.render()
            .to_ascii_lowercase()
            .contains(START_SYNC_EXECUTION)
    });
    if !calls_start_sync {
        return;
    }
    let label = method_label(template, resource);
    let Some(responses) = integration.get("IntegrationResponses") else {
        return;
    };
    let responses_pointer = child(&integration_pointer, "IntegrationResponses");
    let mut list: Vec<(&Value, String)> = Vec::new();
    for (value, pointer) in alternatives(responses, &responses_pointer) {
        match value {
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    list.extend(alternatives(item, &child(&pointer, &index.to_string())));
                }
            }
            _ => sink.undecided(
                pointer,
                format!(
                    "cannot tell how {label} answers a FAILED StartSyncExecution: IntegrationResponses is an unresolved `{}`",
                    describe(value)
                ),
            ),
        }
    }

    // Which responses may handle the 200 StartSyncExecution answers with.
    let mut matching: Vec<(&Value, String)> = Vec::new();
    let mut maybe: Vec<(&Value, String, String)> = Vec::new();
    let mut defaults: Vec<(&Value, String)> = Vec::new();
    for (response, pointer) in list {
        if is_intrinsic(response) || !response.is_object() {
            maybe.push((
                response,
                pointer,
                format!("it is an unresolved `{}`", describe(response)),
            ));
            continue;
        }
        match response.get("SelectionPattern") {
            None => defaults.push((response, pointer)),
            Some(value) => match literal_text(value) {
                Some(selection) if selection.is_empty() => defaults.push((response, pointer)),
                Some(selection) => match pattern::full_match(&selection, "200") {
                    Some(true) => matching.push((response, pointer)),
                    Some(false) => {}
                    None => maybe.push((
                        response,
                        pointer,
                        format!(
                            "its SelectionPattern `{selection}` is beyond what this rule reads"
                        ),
                    )),
                },
                None => maybe.push((
                    response,
                    pointer,
                    format!(
                        "its SelectionPattern is an unresolved `{}`",
                        describe(value)
                    ),
                )),
            },
        }
    }
    // The default answers 200 only when no pattern does: when one surely matches, the
    // default never sees a 200.
    let mut candidates: Vec<(&Value, String, Option<String>)> = Vec::new();
    candidates.extend(matching.iter().map(|(r, p)| (*r, p.clone(), None)));
    if matching.is_empty() {
        let uncertain = (!maybe.is_empty())
            .then(|| "another response's pattern may match 200 instead".to_owned());
        candidates.extend(
            defaults
                .iter()
                .map(|(r, p)| (*r, p.clone(), uncertain.clone())),
        );
    }
    candidates.extend(
        maybe
            .iter()
            .map(|(r, p, why)| (*r, p.clone(), Some(why.clone()))),
    );

    for (response, pointer, uncertain) in candidates {
        let verdict = if is_intrinsic(response) {
            Verdict::Unresolved(format!("it is an unresolved `{}`", describe(response)))
        } else {
            judge(response)
        };
        let index = pointer.rsplit('/').next().unwrap_or_default().to_owned();
        match (verdict, uncertain) {
            (Verdict::Handles, _) => {}
            (Verdict::Passes(why), None) => sink.found(
                pointer,
                format!(
                    "integration response {index} of {label} answers StartSyncExecution, which returns HTTP 200 even for a FAILED or TIMED_OUT execution, and {why}: clients see failures as successes"
                ),
            ),
            (Verdict::Passes(why), Some(uncertain)) => sink.undecided(
                pointer,
                format!(
                    "integration response {index} of {label} would pass a FAILED StartSyncExecution on as a success ({why}), if it handles the HTTP 200: {uncertain}"
                ),
            ),
            (Verdict::Unresolved(what), _) => sink.undecided(
                pointer,
                format!(
                    "cannot tell whether integration response {index} of {label} turns a FAILED StartSyncExecution into an error: {what}"
                ),
            ),
        }
    }
}

/// Whether one integration response keeps a FAILED execution from looking like success.
fn judge(response: &Value) -> Verdict {
    match response.get("StatusCode") {
        Some(code) => match literal_text(code) {
            Some(code) if !code.trim().starts_with('2') => return Verdict::Handles,
            Some(_) => {}
            None => {
                return Verdict::Unresolved(format!(
                    "its StatusCode is an unresolved `{}`",
                    describe(code)
                ));
            }
        },
        None => return Verdict::Unresolved("it has no StatusCode".to_owned()),
    }
    let Some(templates) = response.get("ResponseTemplates") else {
        return Verdict::Passes(
            "it has no response template, so the execution's envelope goes out with status 200"
                .to_owned(),
        );
    };
    let Some(templates) = templates.as_object().filter(|_| !is_intrinsic(templates)) else {
        return Verdict::Unresolved(format!(
            "its ResponseTemplates is an unresolved `{}`",
            describe(templates)
        ));
    };
    let mut unresolved: Vec<String> = Vec::new();
    for (content_type, body) in templates {
        for (body, _) in alternatives(body, "") {
            match template_text(body) {
                Some(rendered) => {
                    if vtl::reads_status(&rendered) && vtl::overrides_status(&rendered) {
                        return Verdict::Handles;
                    }
                }
                None => unresolved.push(format!(
                    "its `{content_type}` response template is an unresolved `{}`",
                    describe(body)
                )),
            }
        }
    }
    if let Some(first) = unresolved.into_iter().next() {
        return Verdict::Unresolved(first);
    }
    Verdict::Passes(
        "no response template reads the execution's `status` and sets `$context.responseOverride.status`".to_owned(),
    )
}
