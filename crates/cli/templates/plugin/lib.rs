//! The `{{name}}` construct: an SQS queue that receives a message on a schedule, for periodic
//! jobs whose workers read the queue. Replace it with your own construct; the shape stays:
//! a props type whose doc comments become the props schema, `info` saying what the
//! construct is, and `synth` turning props into CloudFormation resources.
//!
//! It composes: the schedule's role is a child construct, the standard `iam-role`, allowed
//! to send to this construct's own queue. Local ids `Resource` (the queue, so it gets the
//! construct's own logical id) and `Schedule`; the child `Role`. Attributes: `arn` (the
//! first, so a bare `${Id}` is the queue's ARN) and `url`.

use serde::{Deserialize, Serialize};
use serde_json::json;
use stackweave_plugin::{
    Construct, Context, Diagnostic, Fragment, Info, JsonSchema, add_child, cfn, schemars,
};

/// The `{{name}}` construct.
pub struct {{Type}};

/// An encrypted SQS queue that receives a message on a schedule (EventBridge Scheduler).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Props {
    /// When to send the message: `rate(...)`, `cron(...)` or `at(...)`, as EventBridge
    /// Scheduler writes them.
    #[serde(default = "every_hour")]
    #[schemars(regex(pattern = r"^(rate|cron|at)\(.+\)$"))]
    #[schemars(example = "cron(0 6 * * ? *)")]
    pub schedule: String,
    /// The time zone of a `cron(...)` or `at(...)` schedule, such as `Europe/Paris`; UTC
    /// when omitted.
    pub timezone: Option<String>,
    /// The body of each message, at most 256 KiB.
    #[serde(default = "empty_object")]
    #[schemars(length(min = 1, max = 262144))]
    pub message: String,
}

fn every_hour() -> String {
    "rate(1 hour)".into()
}

fn empty_object() -> String {
    "{}".into()
}

impl Construct for {{Type}} {
    type Props = Props;

    fn info() -> Info {
        Info {
            name: "{{name}}",
            version: env!("CARGO_PKG_VERSION"),
            description: "an encrypted SQS queue that receives a message on a schedule",
            attributes: vec![("arn", "the queue's ARN"), ("url", "the queue's URL")],
        }
    }

    fn synth(_context: &Context, props: Props) -> Result<Fragment, Vec<Diagnostic>> {
        if props.timezone.is_some() && props.schedule.starts_with("rate(") {
            return Err(vec![Diagnostic::error(
                "/timezone",
                "a `rate(...)` schedule has no time zone; remove `timezone` or write a `cron(...)` schedule",
            )]);
        }
        // A child construct: the host creates it at once and answers with its attributes.
        // It reads its props in its own namespace, so this construct's own queue is named
        // with `cfn::local_att` (the host writes the queue's logical id), never a bare
        // `Fn::GetAtt` (which would name the role's own resource).
        let role = add_child(
            "iam-role",
            "Role",
            &json!({
                "assumedBy": ["scheduler.amazonaws.com"],
                "statements": [{
                    "actions": ["sqs:SendMessage"],
                    "resources": [cfn::local_att("Resource", "Arn")],
                }],
            }),
        )?;
        let mut schedule = json!({
            "ScheduleExpression": props.schedule,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": cfn::get_att("Resource", "Arn"),
                // The child's attribute, already over its logical id: used as it is.
                "RoleArn": role.attribute("arn"),
                "Input": props.message,
            },
        });
        if let Some(timezone) = props.timezone {
            schedule["ScheduleExpressionTimezone"] = json!(timezone);
        }
        Ok(Fragment::new()
            .resource(
                "Resource",
                json!({"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": true}}),
            )
            .resource(
                "Schedule",
                json!({"Type": "AWS::Scheduler::Schedule", "Properties": schedule}),
            )
            .attribute("arn", cfn::get_att("Resource", "Arn"))
            .attribute("url", cfn::reference("Resource")))
    }
}

stackweave_plugin::export_construct!({{Type}});

#[cfg(test)]
mod tests {
    use serde_json::json;
    use stackweave_plugin::{cfn, testing};

    use super::*;

    /// Runs the construct `Jobs`, answering for the host: the child role's `arn` is a
    /// `Fn::GetAtt` of its logical id, as the host's would be.
    fn jobs(props: serde_json::Value) -> (Fragment, Vec<testing::ChildRequest>) {
        testing::ok_with_children::<{{Type}}>("Jobs", props, |child| {
            vec![("arn", cfn::get_att(&child.logical_id, "Arn"))]
        })
    }

    #[test]
    fn the_schedule_sends_to_the_queue_through_a_child_role() {
        let (fragment, children) = jobs(json!({}));
        // One child, a role that may send to this construct's own queue.
        assert_eq!(children.len(), 1);
        assert_eq!(children[0].plugin, "iam-role");
        assert_eq!(children[0].id, "Role");
        assert_eq!(
            children[0].props["statements"][0]["resources"][0],
            cfn::local_att("Resource", "Arn")
        );
        // The schedule uses the role's attribute as the host answered it.
        let target = &fragment.resources()["Schedule"]["Properties"]["Target"];
        assert_eq!(
            target["RoleArn"],
            json!({"Fn::GetAtt": ["JobsRole", "Arn"]})
        );
        assert_eq!(target["Arn"], cfn::get_att("Resource", "Arn"));
        assert_eq!(
            fragment.resources()["Schedule"]["Properties"]["ScheduleExpression"],
            "rate(1 hour)"
        );
    }

    #[test]
    fn a_rate_schedule_with_a_time_zone_is_an_error() {
        let (path, message) =
            testing::single_error::<{{Type}}>("Jobs", json!({"timezone": "Europe/Paris"}));
        assert_eq!(path, "/timezone");
        assert!(message.contains("cron"), "{message}");
    }
}
