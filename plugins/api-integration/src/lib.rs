//! The `api-integration` construct: an API Gateway REST API whose routes each start a Step
//! Functions express workflow with `StartSyncExecution`, with no Lambda in between, and
//! answer with the execution's output.
//!
//! Resources, by local id (see `routes.rs` for how path and method ids are derived):
//! - `Resource`: the `AWS::ApiGateway::RestApi`;
//! - `Path…`: one `AWS::ApiGateway::Resource` per path segment, shared by the routes under it;
//! - `RequestValidator`: when a route has a required parameter, so API Gateway rejects
//!   requests without it;
//! - `Method`, or `Method<Verb><Path>` per route: the AWS integration (`method.rs`, [`vtl`]);
//! - with `cors`, `MethodOptions<Path>` per path and the gateway responses (`cors.rs`);
//! - `Deployment` and 8 hex digits of a hash of everything above, and `Stage` (`stage.rs`).
//!
//! Without `role`, the child construct `Role` (an `iam-role`) may start exactly the routes'
//! state machines. Every input parameter is declared in its method's `RequestParameters`,
//! under the name the mapping template reads; the seed template read `param` but declared
//! `example`.
//!
//! Attributes: `id` (the REST API's id), `url` (the stage's invoke URL) and `stage` (its name).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use stackweave_plugin::{
    Construct, Context, Diagnostic, Fragment, Info, add_child, cfn, check_arn,
};

mod cors;
mod hash;
mod method;
mod props;
mod routes;
mod stage;
pub mod vtl;

pub use props::{
    AccessLog, ApiIntegrationProps, Authorization, Cors, DetailedParameter, EndpointType,
    HttpMethod, Input, Parameter, Route, Throttling,
};
pub use routes::{RequestParameter, Source};
pub use stage::DEFAULT_ACCESS_LOG_FORMAT;

/// The `api-integration` construct.
pub struct ApiIntegration;

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

    fn synth(ctx: &Context, props: ApiIntegrationProps) -> Result<Fragment, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let plan = routes::plan(&props, &mut errors);
        // What to write instead of text that is not an ARN.
        let instead = "a reference to its construct such as `${Workflow.arn}`";
        for route in &plan.routes {
            check_arn(
                route.state_machine,
                &format!("{}/stateMachine", route.at),
                "the state machine",
                instead,
                &mut errors,
            );
        }
        if let Some(role) = &props.role {
            let what = "the role API Gateway assumes";
            check_arn(role, "/role", what, instead, &mut errors);
        }
        props::check_stage(&props.stage, &mut errors);
        props::check_endpoint(&props, &mut errors);
        if let Some(cors) = &props.cors {
            cors::check(cors, &mut errors);
        }
        if let Some(log) = &props.access_log {
            stage::check_access_log(log, &mut errors);
        }
        if let Some(throttling) = &props.throttling {
            stage::check_throttling(throttling, &mut errors);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let role = match &props.role {
            Some(role) => role.clone(),
            None => own_role(&plan.routes, &props.tags)?,
        };

        // Everything the deployment snapshots, in template order.
        let mut api = Map::new();
        api.insert("Resource".into(), rest_api(ctx, &props));
        api.extend(plan.resources);
        let validate = plan
            .routes
            .iter()
            .any(|route| route.parameters.iter().any(|p| p.required));
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
        let cors_headers = props
            .cors
            .as_ref()
            .map(|cors| cors::response_headers(cors, "method.response.header."))
            .unwrap_or_default();
        // The deployment must come after what it deploys but does not reference.
        let mut depends_on = Vec::new();
        for route in &plan.routes {
            let method = method::method(route, &role, validate, &cors_headers);
            api.insert(route.local_id.clone(), method);
            depends_on.push(route.local_id.clone());
        }
        if let Some(cors) = &props.cors {
            for (local_id, resource) in cors::preflight_methods(cors, &plan.routes)
                .into_iter()
                .chain(cors::gateway_responses(cors))
            {
                depends_on.push(local_id.clone());
                api.insert(local_id, resource);
            }
        }

        let deployment = stage::deployment_id(&api);
        let mut fragment = Fragment::new();
        for (local_id, resource) in api {
            fragment = fragment.resource(local_id, resource);
        }
        Ok(fragment
            .resource(deployment.as_str(), stage::deployment(depends_on))
            .resource("Stage", stage::stage(&props, &deployment))
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

/// Creates the API's own role (child `Role`, an `iam-role`): assumed by API Gateway, allowed
/// only `states:StartSyncExecution` on the state machines the routes start, each once, in
/// the order the routes first name them. Returns its ARN.
fn own_role(
    routes: &[routes::Route],
    tags: &BTreeMap<String, Value>,
) -> Result<Value, Vec<Diagnostic>> {
    let mut state_machines: Vec<&Value> = Vec::new();
    for route in routes {
        if !state_machines.contains(&route.state_machine) {
            state_machines.push(route.state_machine);
        }
    }
    let description = if state_machines.len() == 1 {
        "Lets API Gateway start synchronous executions of this one workflow"
    } else {
        "Lets API Gateway start synchronous executions of the workflows of this API's routes"
    };
    let role = add_child(
        "iam-role",
        "Role",
        &json!({
            "assumedBy": ["apigateway.amazonaws.com"],
            "description": description,
            "statements": [{
                "sid": "StartSyncExecution",
                "actions": ["states:StartSyncExecution"],
                "resources": state_machines,
            }],
            "tags": tags,
        }),
    )?;
    Ok(role.attribute("arn").clone())
}

stackweave_plugin::export_construct!(ApiIntegration);

#[cfg(test)]
mod tests;
