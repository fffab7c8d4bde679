//! Stackweave's built-in policy rules, run by `stackweave validate` on the final merged
//! template (in the spirit of cdk-nag): least-privilege IAM, log retention, Express
//! workflow logging, workflow roles that lack what their tasks call, and API Gateway methods
//! that silently misbehave.
//!
//! Rules read a long-form template (`{"Ref": ...}`, `{"Fn::Sub": ...}`, never YAML short
//! tags) as JSON. A rule that meets a value only CloudFormation can resolve (a parameter,
//! a condition, an import) does not guess: it reports a finding marked `undecided` that
//! names the value and why it matters, so a pipeline can choose how strict to be.
//!
//! Rule ids (`SW-IAM-1`...) are stable public identifiers: stack files and `--enable`
//! name them, so an id is never reused for a different check.

mod api_gateway;
mod iam;
mod intrinsics;
mod logs;
mod pattern;
mod step_functions;
mod task_permissions;
mod vtl;

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

/// How bad a finding of a rule is.
#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The template should not be deployed as it is.
    Error,
    /// Worth a look; may be intended.
    Warning,
}

/// A policy rule: its stable id and what a person needs to act on its findings.
#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Rule {
    /// Stable public identifier, e.g. `SW-IAM-1`.
    pub id: &'static str,
    /// Short name.
    pub title: &'static str,
    /// How bad a finding is.
    pub severity: Severity,
    /// One line: why it matters.
    pub rationale: &'static str,
    /// One line: what to do.
    pub fix: &'static str,
    /// Off unless the stack or `--enable` asks for it.
    pub opt_in: bool,
}

impl Rule {
    /// Whether [`check`] runs this rule given the opted-in rule ids.
    pub fn is_enabled(&self, opted_in: &BTreeSet<String>) -> bool {
        !self.opt_in || opted_in.contains(self.id)
    }
}

/// Every built-in rule, in id order.
pub const RULES: &[Rule] = &[
    Rule {
        id: "SW-APIGW-1",
        title: "API method open to anyone",
        severity: Severity::Warning,
        rationale: "A method with no authorization and no API key can be called by anyone on the internet, running and billing the integration behind it.",
        fix: "Set AuthorizationType (AWS_IAM, COGNITO_USER_POOLS or CUSTOM) or ApiKeyRequired: true; keep NONE only for endpoints meant to be public.",
        opt_in: false,
    },
    Rule {
        id: "SW-APIGW-2",
        title: "Mapping template reads an undeclared request parameter",
        severity: Severity::Error,
        rationale: "A parameter the template reads but the method does not declare is a name mismatch: clients send the declared name and the integration silently gets an empty value.",
        fix: "Declare the parameter in the method's RequestParameters (method.request.querystring|path|header.NAME) or read the name the method declares.",
        opt_in: false,
    },
    Rule {
        id: "SW-APIGW-3",
        title: "Failed StartSyncExecution returned as HTTP 200",
        severity: Severity::Error,
        rationale: "StartSyncExecution answers HTTP 200 even when the execution FAILED or TIMED_OUT, so a response that passes its status through tells clients a failure succeeded.",
        fix: "In the integration response that handles 200, read $input.path('$.status') and set $context.responseOverride.status (e.g. 500 for FAILED, 504 for TIMED_OUT).",
        opt_in: false,
    },
    Rule {
        id: "SW-IAM-1",
        title: "Wildcard action",
        severity: Severity::Error,
        rationale: "A wildcard action (or NotAction) grants every matching action, including ones AWS adds later, far beyond what the code uses.",
        fix: "List the exact actions the principal needs instead of *, service:* or Verb*, and write Action instead of NotAction in Allow statements.",
        opt_in: false,
    },
    Rule {
        id: "SW-IAM-2",
        title: "AWS-managed full-access policy",
        severity: Severity::Error,
        rationale: "AWS-managed *FullAccess, AdministratorAccess and PowerUserAccess policies grant whole services or the whole account, and AWS may widen them at any time.",
        fix: "Remove the managed policy and grant only the actions and resources the principal uses in an inline policy.",
        opt_in: false,
    },
    Rule {
        id: "SW-IAM-3",
        title: "Write actions on every resource",
        severity: Severity::Error,
        rationale: "Write actions on Resource \"*\" let the principal change every resource of that kind in the account, not only the stack's own.",
        fix: "Name the resources (e.g. a Fn::GetAtt of the log group's Arn); keep \"*\" only for actions AWS documents without resource-level permissions.",
        opt_in: false,
    },
    Rule {
        id: "SW-LOGS-1",
        title: "Log group without retention",
        severity: Severity::Error,
        rationale: "Without RetentionInDays a log group keeps every event forever: storage is billed forever and data outlives any reason to keep it.",
        fix: "Set RetentionInDays on the log group to the number of days the logs are needed (e.g. 7, 30 or 365).",
        opt_in: false,
    },
    Rule {
        id: "SW-SFN-1",
        title: "Express workflow without logs",
        severity: Severity::Error,
        rationale: "Express workflows keep no execution history in Step Functions: without logging, a failed execution leaves no record anywhere.",
        fix: "Set LoggingConfiguration with Level ALL, ERROR or FATAL and a CloudWatch Logs log group in Destinations.",
        opt_in: false,
    },
    Rule {
        id: "SW-SFN-2",
        title: "Express workflow logs without execution data",
        severity: Severity::Warning,
        rationale: "Without IncludeExecutionData the logs hold no inputs or outputs, so an execution cannot be audited or reproduced from them.",
        fix: "Set LoggingConfiguration.IncludeExecutionData to true (inputs and outputs then land in the log group: mind what they contain).",
        opt_in: true,
    },
    Rule {
        id: "SW-SFN-3",
        title: "State machine role lacks a permission its tasks need",
        severity: Severity::Error,
        rationale: "A Task state whose call the execution role does not allow deploys cleanly and fails every execution that reaches it with AccessDenied.",
        fix: "Add a statement allowing the action on the resource the state names to the role (express-workflow's own role derives them; policyStatements adds more).",
        opt_in: false,
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.id == id)
}

/// One thing a rule found in a template.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule's id, e.g. `SW-IAM-1`.
    pub rule_id: String,
    /// The logical id of the resource.
    pub logical_id: String,
    /// JSON Pointer into the template of the offending value, e.g.
    /// `/Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action/0`.
    pub pointer: String,
    /// What is wrong, specifically: names the action, policy or parameter.
    pub message: String,
    /// The rule could not decide because a value is an unresolved intrinsic; the message
    /// says which value and why it matters.
    pub undecided: bool,
}

/// Runs every rule that is not opt-in, plus the opt-in rules whose ids are in `opted_in`,
/// over a long-form template; findings in template resource order, then rule id, then
/// pointer. Ids in `opted_in` that name no rule are ignored (the caller checks them with
/// [`rule`], where it can say which file named them).
pub fn check(template: &Value, opted_in: &BTreeSet<String>) -> Vec<Finding> {
    let template = Template::new(template);
    let mut findings = Vec::new();
    for (index, resource) in template.resources.iter().enumerate() {
        for (rule, check_resource) in CHECKS {
            if !rule.is_enabled(opted_in) {
                continue;
            }
            let mut sink = Sink {
                rule: rule.id,
                resource,
                findings: Vec::new(),
            };
            check_resource(&template, resource, &mut sink);
            findings.extend(sink.findings.into_iter().map(|finding| (index, finding)));
        }
    }
    // A stable sort: findings of one rule at one pointer keep the order the rule made them.
    findings.sort_by(|(a_index, a), (b_index, b)| {
        a_index
            .cmp(b_index)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| compare_pointers(&a.pointer, &b.pointer))
    });
    findings.into_iter().map(|(_, finding)| finding).collect()
}

type CheckFn = fn(&Template, &Resource, &mut Sink);

/// Which function checks which rule; [`check`] runs them in this order before sorting.
const CHECKS: &[(&Rule, CheckFn)] = &[
    (&RULES[0], api_gateway::open_method),
    (&RULES[1], api_gateway::undeclared_parameters),
    (&RULES[2], api_gateway::failed_execution_as_success),
    (&RULES[3], iam::wildcard_actions),
    (&RULES[4], iam::full_access_managed_policies),
    (&RULES[5], iam::writes_on_every_resource),
    (&RULES[6], logs::missing_retention),
    (&RULES[7], step_functions::express_without_logging),
    (&RULES[8], step_functions::express_without_execution_data),
    (&RULES[9], task_permissions::missing_task_permissions),
];

/// Orders JSON Pointers segment by segment, list indices as numbers, so `/Action/2`
/// comes before `/Action/10`.
fn compare_pointers(a: &str, b: &str) -> Ordering {
    let mut a_segments = a.split('/');
    let mut b_segments = b.split('/');
    loop {
        match (a_segments.next(), b_segments.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// `pointer` extended by one reference token, escaped as RFC 6901 says (`~` → `~0`,
/// `/` → `~1`): content types such as `application/json` are map keys.
pub(crate) fn child(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            _ => out.push(c),
        }
    }
    out
}

/// The template as the rules see it.
pub(crate) struct Template<'a> {
    resources: Vec<Resource<'a>>,
    parameters: BTreeSet<&'a str>,
}

/// One resource of the template.
pub(crate) struct Resource<'a> {
    pub(crate) logical_id: &'a str,
    pub(crate) resource_type: &'a str,
    pub(crate) properties: Option<&'a Value>,
    /// The whole resource, as written.
    pub(crate) value: &'a Value,
    /// `/Resources/<logical id>`.
    pub(crate) pointer: String,
}

impl<'a> Template<'a> {
    fn new(template: &'a Value) -> Self {
        let resources = template
            .get("Resources")
            .and_then(Value::as_object)
            .map(|resources| {
                resources
                    .iter()
                    .filter_map(|(logical_id, resource)| {
                        Some(Resource {
                            logical_id,
                            resource_type: resource.get("Type")?.as_str()?,
                            properties: resource.get("Properties"),
                            value: resource,
                            pointer: child("/Resources", logical_id),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let parameters = template
            .get("Parameters")
            .and_then(Value::as_object)
            .map(|parameters| parameters.keys().map(String::as_str).collect())
            .unwrap_or_default();
        Template {
            resources,
            parameters,
        }
    }

    /// The resource with this logical id.
    pub(crate) fn resource(&self, logical_id: &str) -> Option<&Resource<'a>> {
        self.resources
            .iter()
            .find(|resource| resource.logical_id == logical_id)
    }

    /// Whether `name` is a parameter of the template (a `Ref` to it is only known at
    /// deploy time).
    pub(crate) fn is_parameter(&self, name: &str) -> bool {
        self.parameters.contains(name)
    }
}

impl<'a> Resource<'a> {
    /// A property, with its pointer.
    pub(crate) fn property(&self, name: &str) -> Option<(&'a Value, String)> {
        let value = self.properties?.get(name)?;
        Some((value, child(&self.properties_pointer(), name)))
    }

    /// `/Resources/<logical id>/Properties`, where a finding about a missing property
    /// points.
    pub(crate) fn properties_pointer(&self) -> String {
        child(&self.pointer, "Properties")
    }
}

/// Collects one rule's findings on one resource.
pub(crate) struct Sink<'r> {
    rule: &'static str,
    resource: &'r Resource<'r>,
    findings: Vec<Finding>,
}

impl Sink<'_> {
    /// Reports a decided finding.
    pub(crate) fn found(&mut self, pointer: String, message: String) {
        self.push(pointer, message, false);
    }

    /// Reports that the rule could not decide; `message` names the unresolved value.
    pub(crate) fn undecided(&mut self, pointer: String, message: String) {
        self.push(pointer, message, true);
    }

    /// Reports a finding, decided or not.
    pub(crate) fn push(&mut self, pointer: String, message: String, undecided: bool) {
        self.findings.push(Finding {
            rule_id: self.rule.to_owned(),
            logical_id: self.resource.logical_id.to_owned(),
            pointer,
            message,
            undecided,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_cover_every_rule_once_in_order() {
        let ids: Vec<_> = CHECKS.iter().map(|(rule, _)| rule.id).collect();
        let rule_ids: Vec<_> = RULES.iter().map(|rule| rule.id).collect();
        assert_eq!(ids, rule_ids);
        let mut sorted = rule_ids.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, rule_ids, "RULES is kept in id order");
    }

    #[test]
    fn pointers_compare_indices_as_numbers() {
        assert_eq!(compare_pointers("/A/2", "/A/10"), Ordering::Less);
        assert_eq!(compare_pointers("/A/b", "/A/a"), Ordering::Greater);
        assert_eq!(compare_pointers("/A", "/A/0"), Ordering::Less);
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(child("/R", "application/json"), "/R/application~1json");
        assert_eq!(child("/R", "a~b"), "/R/a~0b");
    }
}
