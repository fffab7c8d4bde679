//! Which property changes make CloudFormation replace a resource.
//!
//! Only the resource types Stackweave's standard constructs emit are listed. Each fact is
//! the property's "Update requires: Replacement" line in the AWS CloudFormation Template
//! Reference (pages under
//! `https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/`), which AWS
//! generates from the type's registry schema (its `createOnlyProperties`); both were
//! checked. A type missing here is not a type without replacements: other types' changes
//! are simply not marked.

/// `(resource type, top-level property)` pairs whose change replaces the resource.
/// A change anywhere under the property (`DeploymentCanarySettings.PercentTraffic`), and
/// adding or removing it, counts.
pub const REPLACEMENT_PROPERTIES: &[(&str, &str)] = &[
    // aws-resource-logs-loggroup.html
    ("AWS::Logs::LogGroup", "LogGroupName"),
    // aws-resource-iam-role.html
    ("AWS::IAM::Role", "Path"),
    ("AWS::IAM::Role", "RoleName"),
    // aws-resource-stepfunctions-statemachine.html
    ("AWS::StepFunctions::StateMachine", "StateMachineName"),
    ("AWS::StepFunctions::StateMachine", "StateMachineType"),
    // aws-resource-apigateway-resource.html
    ("AWS::ApiGateway::Resource", "ParentId"),
    ("AWS::ApiGateway::Resource", "PathPart"),
    ("AWS::ApiGateway::Resource", "RestApiId"),
    // aws-resource-apigateway-method.html
    ("AWS::ApiGateway::Method", "HttpMethod"),
    ("AWS::ApiGateway::Method", "ResourceId"),
    ("AWS::ApiGateway::Method", "RestApiId"),
    // aws-resource-apigateway-requestvalidator.html
    ("AWS::ApiGateway::RequestValidator", "Name"),
    ("AWS::ApiGateway::RequestValidator", "RestApiId"),
    // aws-resource-apigateway-deployment.html
    ("AWS::ApiGateway::Deployment", "DeploymentCanarySettings"),
    ("AWS::ApiGateway::Deployment", "RestApiId"),
    // aws-resource-apigateway-stage.html
    ("AWS::ApiGateway::Stage", "RestApiId"),
    ("AWS::ApiGateway::Stage", "StageName"),
    // aws-resource-sns-topic.html
    ("AWS::SNS::Topic", "FifoTopic"),
    ("AWS::SNS::Topic", "TopicName"),
    // Checked and found to have none: every property of AWS::ApiGateway::RestApi
    // (aws-resource-apigateway-restapi.html) and of AWS::IAM::Policy
    // (aws-resource-iam-policy.html) updates without replacement.
];

/// Whether AWS documents changing `property` of `resource_type` as replacing the resource.
pub fn requires_replacement(resource_type: &str, property: &str) -> bool {
    REPLACEMENT_PROPERTIES
        .iter()
        .any(|(ty, name)| *ty == resource_type && *name == property)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_answers_per_type() {
        assert!(requires_replacement("AWS::ApiGateway::Stage", "StageName"));
        assert!(!requires_replacement(
            "AWS::ApiGateway::Deployment",
            "StageName"
        ));
        assert!(!requires_replacement(
            "AWS::Logs::LogGroup",
            "RetentionInDays"
        ));
        assert!(!requires_replacement("AWS::ApiGateway::RestApi", "Name"));
    }

    #[test]
    fn the_table_has_no_duplicates() {
        for (i, entry) in REPLACEMENT_PROPERTIES.iter().enumerate() {
            assert!(
                !REPLACEMENT_PROPERTIES[i + 1..].contains(entry),
                "{entry:?}"
            );
        }
    }
}
