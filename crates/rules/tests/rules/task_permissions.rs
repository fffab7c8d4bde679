//! Unit tests of SW-SFN-3: a missing permission is a finding naming the state, the action
//! and the role; a granted one is none; a role or resource the template does not fix is
//! undecided.

use serde_json::{Value, json};

use stackweave_rules::{Finding, check};

fn machine(definition: Value, role_arn: Value) -> Value {
    json!({
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"StateMachineType": "EXPRESS", "RoleArn": role_arn, "Definition": definition,
                       "LoggingConfiguration": {"Level": "ALL", "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": "arn:aws:logs:eu-west-1:1:log-group:x:*"}}]}}
    })
}

fn role(statements: Value) -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {},
            "Policies": [{"PolicyName": "P", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]
        }
    })
}

fn get_item(table: Value) -> Value {
    json!({"StartAt": "Read", "States": {"Read": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
        "Parameters": {"TableName": table, "Key": {"id": {"S.$": "$.id"}}}, "End": true
    }}})
}

fn sfn3(template: Value) -> Vec<Finding> {
    check(&template, &Default::default())
        .into_iter()
        .filter(|f| f.rule_id == "SW-SFN-3")
        .collect()
}

fn getatt_role() -> Value {
    json!({"Fn::GetAtt": ["Role", "Arn"]})
}

const TABLE: &str = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders";

#[test]
fn a_missing_permission_names_the_state_the_action_and_the_role() {
    let template = json!({"Resources": {
        "Role": role(json!([{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": TABLE}])),
        "Workflow": machine(get_item(json!(TABLE)), getatt_role())
    }});
    let findings = sfn3(template);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let finding = &findings[0];
    assert!(!finding.undecided);
    assert_eq!(finding.logical_id, "Workflow");
    assert_eq!(
        finding.pointer,
        "/Resources/Workflow/Properties/Definition/States/Read/Parameters"
    );
    assert_eq!(
        finding.message,
        format!(
            "state `Read` of state machine `Workflow` calls `dynamodb:GetItem` on `{TABLE}`, \
             which role `Role` does not allow; add a statement allowing `dynamodb:GetItem` on it \
             to the role"
        )
    );
}

#[test]
fn a_granted_permission_is_no_finding() {
    for statement in [
        json!({"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": [TABLE]}),
        json!({"Effect": "Allow", "Action": "DynamoDB:Get*", "Resource": "arn:aws:dynamodb:*:*:table/ord*"}),
        json!({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}),
    ] {
        let template = json!({"Resources": {
            "Role": role(json!([statement])),
            "Workflow": machine(get_item(json!(TABLE)), getatt_role())
        }});
        assert_eq!(sfn3(template), [], "{statement}");
    }
}

#[test]
fn substitutions_and_attached_policies_are_followed() {
    // As express-workflow writes it: the table's name by reference, through a placeholder;
    // the grant in a separate AWS::IAM::Policy, on the table's Fn::GetAtt Arn.
    let definition = get_item(json!("${DefinitionSubstitution1}"));
    let mut workflow = machine(definition, getatt_role());
    workflow["Properties"]["DefinitionSubstitutions"] =
        json!({"DefinitionSubstitution1": {"Ref": "Orders"}});
    let template = json!({"Resources": {
        "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "Role": role(json!([])),
        "Extra": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "Extra", "Roles": [{"Ref": "Role"}],
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
                                              "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}}]}
        }},
        "Workflow": workflow.clone()
    }});
    assert_eq!(sfn3(template.clone()), []);

    // Without the attached policy, the placeholder's reference is named in the finding.
    let mut without = template;
    without["Resources"]
        .as_object_mut()
        .map(|r| r.remove("Extra"));
    let findings = sfn3(without);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(!findings[0].undecided);
    assert!(
        findings[0].message.contains(
            "on `arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}`"
        ),
        "{}",
        findings[0].message
    );
}

#[test]
fn a_role_or_resource_the_template_does_not_fix_is_undecided() {
    // An imported role.
    let template = json!({"Resources": {
        "Workflow": machine(get_item(json!(TABLE)), json!({"Fn::ImportValue": "shared-role"}))
    }});
    let findings = sfn3(template);
    assert_eq!(findings.len(), 1);
    assert!(findings[0].undecided);
    assert_eq!(
        findings[0].pointer,
        "/Resources/Workflow/Properties/RoleArn"
    );
    assert!(findings[0].message.contains("RoleArn is `Fn::ImportValue`"));

    // A resource granted as a parameter.
    let template = json!({
        "Parameters": {"TableArn": {"Type": "String"}},
        "Resources": {
            "Role": role(json!([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": {"Ref": "TableArn"}}])),
            "Workflow": machine(get_item(json!(TABLE)), getatt_role())
        }
    });
    let findings = sfn3(template);
    assert_eq!(findings.len(), 1);
    assert!(findings[0].undecided, "{findings:?}");
    assert!(
        findings[0]
            .message
            .starts_with("cannot decide whether role `Role` allows this")
    );

    // A managed policy may hold it.
    let mut template = json!({"Resources": {
        "Role": role(json!([])),
        "Workflow": machine(get_item(json!(TABLE)), getatt_role())
    }});
    template["Resources"]["Role"]["Properties"]["ManagedPolicyArns"] =
        json!(["arn:aws:iam::123456789012:policy/tables"]);
    let findings = sfn3(template);
    assert_eq!(findings.len(), 1);
    assert!(findings[0].undecided);
}

#[test]
fn a_run_time_resource_needs_its_action_on_something() {
    let definition = json!({"StartAt": "Read", "States": {"Read": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
        "Parameters": {"TableName.$": "$.table"}, "End": true
    }}});
    let with = |statements: Value| {
        sfn3(json!({"Resources": {
            "Role": role(statements),
            "Workflow": machine(definition.clone(), getatt_role())
        }}))
    };
    let findings = with(json!([]));
    assert_eq!(findings.len(), 1);
    assert!(!findings[0].undecided);
    assert!(findings[0].message.contains(
        "on a resource chosen at run time, and role `Role` allows `dynamodb:GetItem` on nothing"
    ));
    assert_eq!(
        findings[0].pointer,
        "/Resources/Workflow/Properties/Definition/States/Read/Parameters/TableName.$"
    );
    let findings = with(
        json!([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:*:*:table/orders-*"}]),
    );
    assert_eq!(findings.len(), 1);
    assert!(findings[0].undecided);
    assert_eq!(
        with(json!([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}])),
        []
    );
}

#[test]
fn a_definition_string_is_read_and_findings_point_at_it() {
    let mut workflow = machine(json!(null), getatt_role());
    let properties = workflow["Properties"].as_object_mut().map(|p| {
        p.remove("Definition");
        p.insert(
            "DefinitionString".into(),
            json!(get_item(json!(TABLE)).to_string()),
        );
    });
    assert!(properties.is_some());
    let findings = sfn3(json!({"Resources": {"Role": role(json!([])), "Workflow": workflow}}));
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].pointer,
        "/Resources/Workflow/Properties/DefinitionString"
    );
}
