//! The API's routes: from either form of the props to one list, each route's path parsed
//! into segments and its request parameters collected, and the tree of
//! `AWS::ApiGateway::Resource`s the routes' paths share.
//!
//! Local ids are derived from paths and methods alone, so adding or removing a route never
//! renames another route's resources (and so never replaces them):
//! - a path resource is `Path` plus the PascalCase of each segment so far (`/orders/{orderId}`
//!   gives `PathOrders` and `PathOrdersOrderId`), shared by every route under it;
//! - a route's method is `Method` plus its verb and its path in PascalCase (`MethodGetOrdersOrderId`),
//!   except in the single-route form, where it is `Method` as it always was.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use stackweave_plugin::{Diagnostic, cfn};

use crate::props::{ApiIntegrationProps, Authorization, HttpMethod, Input};

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

/// One segment of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    /// `PathPart` as API Gateway wants it, braces included.
    part: String,
    /// The path parameter's name, for a `{name}` segment.
    parameter: Option<String>,
}

/// One route, ready to become a method.
#[derive(Debug, Clone)]
pub(crate) struct Route<'a> {
    /// The route's JSON Pointer in the props: `""` in the single-route form, `/routes/<i>`.
    pub at: String,
    pub method: HttpMethod,
    pub state_machine: &'a Value,
    pub authorization: Authorization,
    /// The method's local id.
    pub local_id: String,
    /// What the method's `ResourceId` is: the root resource or a path resource.
    pub resource_id: Value,
    /// The local id of the path resource, `None` for `/`.
    pub path_id: Option<String>,
    pub parameters: Vec<RequestParameter>,
    /// Whether the request body goes into the execution input.
    pub body: bool,
}

/// The routes and the path resources they sit on.
#[derive(Debug, Default)]
pub(crate) struct Plan<'a> {
    /// The path resources by local id, each after its parent.
    pub resources: Vec<(String, Value)>,
    pub routes: Vec<Route<'a>>,
}

/// A route as the props write it, before its path is parsed.
struct Written<'a> {
    at: String,
    path: &'a str,
    method: HttpMethod,
    state_machine: &'a Value,
    input: &'a Input,
    authorization: Authorization,
}

/// The routes of `props`, in either form, with their path resources; reports what is wrong
/// with each route, and routes that API Gateway or the local ids cannot tell apart.
pub(crate) fn plan<'a>(props: &'a ApiIntegrationProps, errors: &mut Vec<Diagnostic>) -> Plan<'a> {
    let single = props.routes.is_empty();
    let mut plan = Plan::default();
    // Which prefix (`orders/{id}`) each path resource stands for, to find two prefixes that
    // would get the same local id; and the parameter segment under each parent, since API
    // Gateway allows one per level.
    let mut prefixes: HashMap<String, String> = HashMap::new();
    let mut parameter_children: HashMap<String, (String, String)> = HashMap::new();
    let mut methods: BTreeMap<(String, &'static str), String> = BTreeMap::new();
    for written in written(props, errors) {
        let at = &written.at;
        let mut route_errors = Vec::new();
        let segments = parse_path(written.path, &format!("{at}/path"), &mut route_errors);
        let body = written.input.body.unwrap_or(written.method.has_body());
        let parameters = collect_parameters(&segments, written.input, body, at, &mut route_errors);
        let ok = route_errors.is_empty();
        errors.append(&mut route_errors);
        if !ok {
            continue;
        }

        let mut parent = cfn::get_att("Resource", "RootResourceId");
        let mut local_id = String::from("Path");
        let mut prefix = String::new();
        let mut clash = false;
        for segment in &segments {
            let parent_prefix = prefix.clone();
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(&segment.part);
            local_id.push_str(&pascal_case(&segment.part));
            if let Some(name) = &segment.parameter {
                let (other, other_at) = parameter_children
                    .entry(parent_prefix.clone())
                    .or_insert_with(|| (name.clone(), at.clone()));
                if other != name {
                    errors.push(Diagnostic::error(
                        format!("{at}/path"),
                        format!(
                            "the path parameter `{{{name}}}` sits where the route at `{other_at}` \
                             has `{{{other}}}`, and API Gateway allows one parameter per level \
                             under `/{parent_prefix}`; use one name in both paths"
                        ),
                    ));
                    clash = true;
                    break;
                }
            }
            match prefixes.get(&local_id) {
                Some(known) if *known == prefix => {}
                Some(known) => {
                    errors.push(Diagnostic::error(
                        format!("{at}/path"),
                        format!(
                            "the paths `/{prefix}` and `/{known}` both give the resource id \
                             `{local_id}`, since ids keep only letters and digits; rename one \
                             of the segments"
                        ),
                    ));
                    clash = true;
                    break;
                }
                None => {
                    prefixes.insert(local_id.clone(), prefix.clone());
                    plan.resources.push((
                        local_id.clone(),
                        json!({
                            "Type": "AWS::ApiGateway::Resource",
                            "Properties": {
                                "RestApiId": cfn::reference("Resource"),
                                "ParentId": parent,
                                "PathPart": segment.part
                            }
                        }),
                    ));
                }
            }
            parent = cfn::reference(&local_id);
        }
        if clash {
            continue;
        }
        let path_id = (!segments.is_empty()).then(|| local_id.clone());
        let verb = written.method.as_str();
        if let Some(first) = methods.insert((prefix.clone(), verb), at.clone()) {
            errors.push(Diagnostic::error(
                format!("{at}/method"),
                format!(
                    "the route at `{first}` is already `{verb} /{prefix}`, and a path has one \
                     method per verb; merge the two routes or change one"
                ),
            ));
            continue;
        }
        let method_id = if single {
            "Method".to_owned()
        } else {
            method_local_id(verb, path_id.as_deref())
        };
        plan.routes.push(Route {
            at: written.at.clone(),
            method: written.method,
            state_machine: written.state_machine,
            authorization: written.authorization,
            local_id: method_id,
            resource_id: parent,
            path_id,
            parameters,
            body,
        });
    }
    plan
}

/// `Method`, the verb and the path in PascalCase: `MethodGetOrdersOrderId`, `MethodPost` on `/`.
pub(crate) fn method_local_id(verb: &str, path_id: Option<&str>) -> String {
    let path = path_id.and_then(|id| id.strip_prefix("Path")).unwrap_or("");
    format!("Method{}{path}", pascal_case(&verb.to_ascii_lowercase()))
}

/// The routes as written: the single-route form's props, or each of `routes`, with what
/// the two forms must not mix reported.
fn written<'a>(props: &'a ApiIntegrationProps, errors: &mut Vec<Diagnostic>) -> Vec<Written<'a>> {
    if props.routes.is_empty() {
        let (Some(path), Some(state_machine)) = (&props.path, &props.state_machine) else {
            let missing = match (&props.path, &props.state_machine) {
                (None, None) => "`path` and `stateMachine`",
                (None, Some(_)) => "`path`",
                _ => "`stateMachine`",
            };
            errors.push(Diagnostic::error(
                None,
                format!(
                    "the API has no route: add {missing} for one route, or `routes` for several, \
                     such as `routes: [{{path: /orders, stateMachine: ${{Workflow.arn}}}}]`"
                ),
            ));
            return Vec::new();
        };
        static NO_INPUT: Input = Input {
            query_string: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        return vec![Written {
            at: String::new(),
            path,
            method: props.method.unwrap_or_default(),
            state_machine,
            input: props.input.as_ref().unwrap_or(&NO_INPUT),
            authorization: props.authorization,
        }];
    }
    for (prop, given) in [
        ("path", props.path.is_some()),
        ("method", props.method.is_some()),
        ("stateMachine", props.state_machine.is_some()),
        ("input", props.input.is_some()),
    ] {
        if given {
            errors.push(Diagnostic::error(
                format!("/{prop}"),
                format!(
                    "`{prop}` is for an API of one route, and this one has `routes`; give it on \
                     each route instead"
                ),
            ));
        }
    }
    props
        .routes
        .iter()
        .enumerate()
        .map(|(index, route)| Written {
            at: format!("/routes/{index}"),
            path: &route.path,
            method: route.method,
            state_machine: &route.state_machine,
            input: &route.input,
            authorization: route.authorization.unwrap_or(props.authorization),
        })
        .collect()
}

/// Splits `path` into segments, reporting at `at` what API Gateway or the local ids cannot
/// take.
fn parse_path(path: &str, at: &str, errors: &mut Vec<Diagnostic>) -> Vec<Segment> {
    let mut error = |message: String| errors.push(Diagnostic::error(at, message));
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

/// The local id part of a segment: each run of letters and digits with its first letter in
/// upper case, everything else dropped (`{order-id}` gives `OrderId`).
pub(crate) fn pascal_case(part: &str) -> String {
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
/// parameters, query-string parameters, headers. Reports names that collide in the input,
/// at the route's pointer `at`.
fn collect_parameters(
    segments: &[Segment],
    input: &Input,
    body: bool,
    at: &str,
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
                format!("{at}/path"),
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
            let path = parameter.name_path(at, list, index);
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
