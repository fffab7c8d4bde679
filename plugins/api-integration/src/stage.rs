//! The deployment and the stage: what makes the API reachable, and the stage's settings
//! (access logging, throttling) with their checks.
//!
//! CloudFormation deploys an API to a stage only when an `AWS::ApiGateway::Deployment` is
//! created, so the deployment is named after a hash of everything it snapshots: any change
//! to a route, a path resource, the validator or the CORS answers gives a new logical id,
//! and CloudFormation creates a new deployment and points the stage at it. The stage's own
//! settings are not in the snapshot: changing them updates the stage in place.

use serde_json::{Map, Value, json};
use stackweave_plugin::{Diagnostic, cfn};

use crate::hash;
use crate::props::{AccessLog, ApiIntegrationProps, Throttling};

/// The access log line when `accessLog.format` is omitted: one JSON object per request.
/// Each variable is an id, a number, a time or a name that needs no escaping, and each sits
/// in quotes, because API Gateway logs a missing value as a bare `-`; so the error is its
/// response type (`MISSING_AUTHENTICATION_TOKEN`, `THROTTLED`), not its free-text message.
pub const DEFAULT_ACCESS_LOG_FORMAT: &str = concat!(
    r#"{"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId","#,
    r#""ip":"$context.identity.sourceIp","caller":"$context.identity.caller","#,
    r#""userArn":"$context.identity.userArn","requestTime":"$context.requestTime","#,
    r#""httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","#,
    r#""status":"$context.status","protocol":"$context.protocol","#,
    r#""responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","#,
    r#""integrationStatus":"$context.integration.status","#,
    r#""integrationLatency":"$context.integration.latency","#,
    r#""errorType":"$context.error.responseType"}"#
);

/// Reports an access log destination or format API Gateway would refuse.
pub(crate) fn check_access_log(log: &AccessLog, errors: &mut Vec<Diagnostic>) {
    if let Value::String(arn) = &log.destination {
        let log_group = arn.contains(":logs:") && arn.contains(":log-group:");
        let firehose =
            arn.contains(":firehose:") && arn.contains(":deliverystream/amazon-apigateway-");
        if !arn.starts_with("arn:") || !(log_group || firehose) {
            errors.push(Diagnostic::error(
                "/accessLog/destination",
                format!(
                    "`{arn}` is not the ARN of a log group (nor of a Firehose stream named \
                     amazon-apigateway-…); write a reference to a logging construct, such as \
                     `${{ApiLogs.arn}}`, or the log group's ARN"
                ),
            ));
        }
    }
    if let Some(format) = &log.format
        && !format.contains("$context.requestId")
        && !format.contains("$context.extendedRequestId")
    {
        errors.push(Diagnostic::error(
            "/accessLog/format",
            "API Gateway refuses an access log format without `$context.requestId` or \
             `$context.extendedRequestId`; add one of them",
        ));
    }
}

/// Reports throttling settings that say nothing or cannot be met.
pub(crate) fn check_throttling(throttling: &Throttling, errors: &mut Vec<Diagnostic>) {
    match throttling.rate_limit {
        None if throttling.burst_limit.is_none() => errors.push(Diagnostic::error(
            "/throttling",
            "throttling without `rateLimit` or `burstLimit` changes nothing; give one or both, \
             such as `{rateLimit: 100, burstLimit: 200}`, or remove `throttling`",
        )),
        Some(rate) if !(rate.is_finite() && rate > 0.0) => errors.push(Diagnostic::error(
            "/throttling/rateLimit",
            format!(
                "a rate limit of {rate} requests per second admits no request; write a \
                 positive number such as 100"
            ),
        )),
        _ => {}
    }
}

/// The deployment's local id: `Deployment` and 8 hex digits of a hash of `snapshot`, the
/// resources it deploys.
pub(crate) fn deployment_id(snapshot: &Map<String, Value>) -> String {
    format!(
        "Deployment{}",
        hash::short_hash(&Value::Object(snapshot.clone()))
    )
}

/// The deployment, created after `depends_on`: the methods and gateway responses it
/// deploys but does not reference.
pub(crate) fn deployment(depends_on: Vec<String>) -> Value {
    json!({
        "Type": "AWS::ApiGateway::Deployment",
        "DependsOn": depends_on,
        "Properties": {"RestApiId": cfn::reference("Resource")}
    })
}

/// The stage of `deployment`, with its access logging and throttling.
pub(crate) fn stage(props: &ApiIntegrationProps, deployment: &str) -> Value {
    let mut properties = Map::new();
    properties.insert("RestApiId".into(), cfn::reference("Resource"));
    properties.insert("DeploymentId".into(), cfn::reference(deployment));
    properties.insert("StageName".into(), json!(props.stage));
    if let Some(log) = &props.access_log {
        properties.insert(
            "AccessLogSetting".into(),
            json!({
                "DestinationArn": log.destination,
                "Format": log.format.as_deref().unwrap_or(DEFAULT_ACCESS_LOG_FORMAT)
            }),
        );
    }
    if let Some(throttling) = &props.throttling {
        let mut settings = Map::new();
        // Every resource and method of the stage.
        settings.insert("ResourcePath".into(), json!("/*"));
        settings.insert("HttpMethod".into(), json!("*"));
        if let Some(rate) = throttling.rate_limit {
            settings.insert("ThrottlingRateLimit".into(), number(rate));
        }
        if let Some(burst) = throttling.burst_limit {
            settings.insert("ThrottlingBurstLimit".into(), json!(burst));
        }
        properties.insert("MethodSettings".into(), json!([settings]));
    }
    if !props.tags.is_empty() {
        properties.insert("Tags".into(), cfn::tags(&props.tags));
    }
    json!({"Type": "AWS::ApiGateway::Stage", "Properties": properties})
}

/// A whole rate as an integer (`100`, not `100.0`), as the user most likely wrote it.
fn number(rate: f64) -> Value {
    if rate.fract() == 0.0 && rate < 1e15 {
        // Whole and well inside u64: the conversion is exact.
        json!(rate as u64)
    } else {
        json!(rate)
    }
}
