//! Cross-origin resource sharing: the `OPTIONS` method that answers browsers' preflight
//! requests on each path a route uses (a `MOCK` integration: nothing is started), the
//! headers on every real answer, and the same headers on API Gateway's own error answers
//! (gateway responses), without which a browser cannot read why a request was refused.
//!
//! Every header value is static, so it is written as API Gateway's single-quoted literal;
//! the checks keep quotes and anything else out of them.

use serde_json::{Map, Value, json};
use stackweave_plugin::{Diagnostic, cfn};

use crate::props::Cors;
use crate::routes::{Route, Source, method_local_id};

/// Reports CORS settings a browser or API Gateway would not take.
pub(crate) fn check(cors: &Cors, errors: &mut Vec<Diagnostic>) {
    let origin = &cors.allow_origin;
    if origin != "*" && !is_origin(origin) {
        errors.push(Diagnostic::error(
            "/cors/allowOrigin",
            format!(
                "`{origin}` is not an origin; write a scheme, a host and an optional port and \
                 nothing else, such as `https://app.example.com`, or `*` for any origin"
            ),
        ));
    }
    for (index, header) in cors.allow_headers.iter().enumerate() {
        let at = format!("/cors/allowHeaders/{index}");
        let valid = !header.is_empty()
            && (header == "*"
                || header
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        if !valid {
            errors.push(Diagnostic::error(
                at,
                format!(
                    "the header name `{header}` may hold only letters, digits, `-`, `_` and \
                     `.`, or be `*`; rename it"
                ),
            ));
        } else if let Some(first) = cors.allow_headers[..index]
            .iter()
            .position(|earlier| earlier.eq_ignore_ascii_case(header))
        {
            errors.push(Diagnostic::error(
                at,
                format!(
                    "the header `{header}` is already allowed as item {first}, header names \
                     being case-insensitive; remove one of them"
                ),
            ));
        }
    }
    if cors.allow_credentials && origin == "*" {
        errors.push(Diagnostic::error(
            "/cors/allowCredentials",
            "browsers refuse credentials from an API that allows any origin; set \
             `allowOrigin` to the one origin that sends them, or remove `allowCredentials`",
        ));
    }
    if let Some(age) = cors.max_age
        && age > 86_400
    {
        errors.push(Diagnostic::error(
            "/cors/maxAge",
            format!(
                "a preflight answer may be cached for at most 86400 seconds (a day), and \
                 browsers keep it less; write at most 86400 instead of {age}"
            ),
        ));
    }
}

/// `scheme://host[:port]`, scheme `http` or `https`.
fn is_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = rest.split_once(':').unwrap_or((rest, "1"));
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b));
    let port_ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    host_ok && port_ok
}

/// The headers every answer of a route carries, under `prefix` (`method.response.header.`
/// or `gatewayresponse.header.`): the allowed origin, and whether credentials are.
pub(crate) fn response_headers(cors: &Cors, prefix: &str) -> Map<String, Value> {
    let mut headers = Map::new();
    headers.insert(
        format!("{prefix}Access-Control-Allow-Origin"),
        quoted(&cors.allow_origin),
    );
    if cors.allow_credentials {
        headers.insert(
            format!("{prefix}Access-Control-Allow-Credentials"),
            quoted("true"),
        );
    }
    headers
}

/// API Gateway's static header value: the text in single quotes.
fn quoted(text: &str) -> Value {
    json!(format!("'{text}'"))
}

/// One `OPTIONS` method per path the routes use, in the order the routes first use them,
/// by local id (`MethodOptions` plus the path in PascalCase).
pub(crate) fn preflight_methods(cors: &Cors, routes: &[Route]) -> Vec<(String, Value)> {
    let mut paths: Vec<(&Option<String>, &Value)> = Vec::new();
    for route in routes {
        if !paths.iter().any(|(path, _)| **path == route.path_id) {
            paths.push((&route.path_id, &route.resource_id));
        }
    }
    paths
        .into_iter()
        .map(|(path_id, resource_id)| {
            let here: Vec<&Route> = routes.iter().filter(|r| r.path_id == *path_id).collect();
            let local_id = method_local_id("OPTIONS", path_id.as_deref());
            (local_id, preflight_method(cors, resource_id, &here))
        })
        .collect()
}

/// The `OPTIONS` method on one path, where `routes` are the routes on it.
fn preflight_method(cors: &Cors, resource_id: &Value, routes: &[&Route]) -> Value {
    let mut methods: Vec<&str> = routes.iter().map(|r| r.method.as_str()).collect();
    methods.push("OPTIONS");
    // A header a route passes to its workflow is one the browser must be allowed to send.
    let mut allowed = cors.allow_headers.clone();
    for parameter in routes.iter().flat_map(|r| &r.parameters) {
        if parameter.source == Source::Header
            && !allowed
                .iter()
                .any(|h| h == "*" || h.eq_ignore_ascii_case(&parameter.name))
        {
            allowed.push(parameter.name.clone());
        }
    }
    let prefix = "method.response.header.";
    let mut headers = response_headers(cors, prefix);
    headers.insert(
        format!("{prefix}Access-Control-Allow-Methods"),
        quoted(&methods.join(",")),
    );
    headers.insert(
        format!("{prefix}Access-Control-Allow-Headers"),
        quoted(&allowed.join(",")),
    );
    if let Some(age) = cors.max_age {
        headers.insert(
            format!("{prefix}Access-Control-Max-Age"),
            quoted(&age.to_string()),
        );
    }
    let declared: Map<String, Value> = headers
        .keys()
        .map(|name| (name.clone(), json!(true)))
        .collect();
    json!({
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": cfn::reference("Resource"),
            "ResourceId": resource_id,
            "HttpMethod": "OPTIONS",
            // Preflight requests carry no credentials: the answer must be open.
            "AuthorizationType": "NONE",
            "Integration": {
                "Type": "MOCK",
                "RequestTemplates": {"application/json": "{\"statusCode\": 204}"},
                "IntegrationResponses": [{
                    "StatusCode": "204",
                    "ResponseParameters": headers
                }]
            },
            "MethodResponses": [{
                "StatusCode": "204",
                "ResponseParameters": declared
            }]
        }
    })
}

/// API Gateway's own 4xx and 5xx answers (a missing parameter, a refused signature,
/// throttling) with the CORS headers, by local id.
pub(crate) fn gateway_responses(cors: &Cors) -> Vec<(String, Value)> {
    [("4xx", "DEFAULT_4XX"), ("5xx", "DEFAULT_5XX")]
        .map(|(suffix, response_type)| {
            (
                format!("GatewayResponseDefault{suffix}"),
                json!({
                    "Type": "AWS::ApiGateway::GatewayResponse",
                    "Properties": {
                        "RestApiId": cfn::reference("Resource"),
                        "ResponseType": response_type,
                        "ResponseParameters": response_headers(cors, "gatewayresponse.header.")
                    }
                }),
            )
        })
        .to_vec()
}
