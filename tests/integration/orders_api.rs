//! The orders API example: one REST API with two routes starting two workflows that read and
//! write a DynamoDB table written as a plain resource, each workflow's role derived from its
//! definition. Its committed outputs, the shape a platform team relies on, and `validate`
//! catching a role that lost a permission a Task needs.

use serde_json::{Value, json};

use crate::support::{Project, assert_golden, repo_root, stackweave};

const EXAMPLE: &str = "examples/orders-api/stack.yaml";
const GOLDEN: &str = "examples/orders-api/expected/OrdersApi.template.yaml";

fn example_json() -> Value {
    let run = stackweave(&["synth", EXAMPLE, "--format", "json"]);
    serde_json::from_str(run.success()).expect("--format json prints JSON")
}

#[test]
fn orders_api_matches_its_committed_outputs() {
    assert_golden(GOLDEN, stackweave(&["synth", EXAMPLE]).success());
    let expected = repo_root().join("examples/orders-api/expected");
    let check = stackweave(&[
        "synth",
        EXAMPLE,
        "--locked",
        "--check",
        "--out",
        expected.to_str().expect("a UTF-8 path"),
    ]);
    check.success();
}

#[test]
fn one_api_shares_the_orders_path_and_may_start_exactly_its_two_workflows() {
    let template = example_json();
    let resources = &template["Resources"];
    let of_type = |kind: &str| -> Vec<&String> {
        let all = resources.as_object().expect("resources");
        all.iter()
            .filter(|(_, r)| r["Type"] == kind)
            .map(|(id, _)| id)
            .collect()
    };
    assert_eq!(of_type("AWS::ApiGateway::RestApi"), ["Api"]);
    assert_eq!(of_type("AWS::ApiGateway::Stage"), ["ApiStage"]);
    assert_eq!(
        of_type("AWS::ApiGateway::Method"),
        ["ApiMethodGetOrdersId", "ApiMethodPostOrders"]
    );
    // `/orders/{id}` hangs under the `/orders` the POST route uses.
    assert_eq!(
        of_type("AWS::ApiGateway::Resource"),
        ["ApiPathOrders", "ApiPathOrdersId"]
    );
    assert_eq!(
        resources["ApiPathOrdersId"]["Properties"]["ParentId"],
        json!({"Ref": "ApiPathOrders"})
    );
    assert_eq!(
        resources["ApiMethodPostOrders"]["Properties"]["ResourceId"],
        json!({"Ref": "ApiPathOrders"})
    );
    let api_policy = &resources["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"];
    assert_eq!(
        api_policy["Statement"],
        json!([{
            "Sid": "StartSyncExecution",
            "Effect": "Allow",
            "Action": ["states:StartSyncExecution"],
            "Resource": [{"Ref": "GetOrder"}, {"Ref": "CreateOrder"}]
        }])
    );
    // The table is the stack file's own resource, kept on delete and replacement.
    let table = &resources["Orders"];
    assert_eq!(table["Type"], "AWS::DynamoDB::Table");
    assert_eq!(table["DeletionPolicy"], "Retain");
    assert_eq!(table["UpdateReplacePolicy"], "Retain");
}

#[test]
fn each_workflow_role_may_do_on_the_table_exactly_what_its_tasks_do() {
    let template = example_json();
    let table_arn = json!([{"Fn::Sub": [
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}",
        {"Name": {"Ref": "Orders"}}
    ]}]);
    for (role, action) in [
        ("GetOrderRole", "dynamodb:GetItem"),
        ("CreateOrderRole", "dynamodb:PutItem"),
    ] {
        let statements = &template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]
            ["Statement"];
        let sids: Vec<&str> = statements
            .as_array()
            .expect("statements")
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert_eq!(sids, ["LogDelivery", "CallDynamodb"], "{role}");
        assert_eq!(statements[1]["Action"], json!([action]), "{role}");
        assert_eq!(statements[1]["Resource"], table_arn, "{role}");
    }
    let validate = stackweave(&["validate", EXAMPLE]);
    assert_contains!(
        validate.success(),
        "0 errors, 0 warnings, 0 undecided, 0 suppressed"
    );
}

#[test]
fn a_role_that_lost_a_permission_a_task_needs_fails_validate() {
    // The template edited by hand: the writer's role may read instead of write.
    let golden = std::fs::read_to_string(repo_root().join(GOLDEN)).expect("the golden template");
    let edited = golden.replacen("- dynamodb:PutItem", "- dynamodb:GetItem", 1);
    assert_ne!(edited, golden);
    let project = Project::new("");
    project.write("edited.yaml", &edited);
    let run = crate::support::stackweave_in(project.dir.path(), &["validate", "edited.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_contains!(
        run.stdout,
        "error[SW-SFN-3]: state `SaveOrder` of state machine `CreateOrder` calls `dynamodb:PutItem` on `arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}`, which role `CreateOrderRole` does not allow"
    );

    // The stack file with an explicit role for the writer, copied from the reader's.
    let stack = std::fs::read_to_string(repo_root().join(EXAMPLE)).expect("the example");
    let with_role = stack
        .replacen(
            "  CreateOrder:\n    plugin: express-workflow\n    props:\n",
            "  WriterRole:\n    plugin: iam-role\n    props:\n      assumedBy: [states.amazonaws.com]\n      statements:\n        - actions: [dynamodb:GetItem]\n          resources: [\"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}\"]\n\n  CreateOrder:\n    plugin: express-workflow\n    props:\n      role: ${WriterRole.arn}\n",
            1,
        )
        .replace("../../docs", "docs");
    project.write("stack.yaml", &with_role);
    let line = with_role
        .lines()
        .position(|l| l == "  CreateOrder:")
        .expect("the construct")
        + 1;
    let run = crate::support::stackweave_in(project.dir.path(), &["validate", "stack.yaml"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_contains!(
        run.stdout,
        "error[SW-SFN-3]: state `SaveOrder` of state machine `CreateOrder` calls `dynamodb:PutItem`",
        "which role `WriterRole` does not allow",
        &format!("--> stack.yaml:{line}:3: resource `CreateOrder` of construct `CreateOrder`")
    );
}
