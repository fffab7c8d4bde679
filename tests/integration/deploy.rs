//! `deploy`, `destroy` and `diff --deployed` against a local moto server (each test its
//! own): creating, "no changes", updating, `--no-execute`, approval, order between stacks,
//! templates over the inline limit through S3, and destroying in reverse order. Skipped
//! when moto is missing (fails under CI, where `.ci/run` installs it).
//!
//! What moto does not do, and so is not checked here: it resolves no `Fn::GetStackOutput`
//! (it accepts the Api stack and leaves the value unresolved), it computes no Outputs for
//! stacks made through change sets (so the outputs file's values are checked on a stack
//! moto created itself), it emits only the stack's own events (no resource events), and
//! ListImports answers 500 (the fallback that reads other stacks' templates is what runs).

use std::process::Command;

use crate::support::{Moto, Project, Run, stackweave_command, stackweave_in};

fn deploy(moto: &Moto, project: &Project, extra: &[&str]) -> Run {
    let mut args = vec!["deploy", ".", "--env", "dev"];
    args.extend_from_slice(extra);
    moto.stackweave(project.dir.path(), &args)
}

/// Runs a few lines of Python with boto3 (installed with moto) against the server; its stdout.
fn boto(moto: &Moto, code: &str) -> String {
    let script = format!(
        "import boto3\ncf = boto3.client('cloudformation', endpoint_url='{url}', region_name='eu-west-1', aws_access_key_id='testing', aws_secret_access_key='testing')\ns3 = boto3.client('s3', endpoint_url='{url}', region_name='eu-west-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n{code}",
        url = moto.url()
    );
    let output = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stack_statuses(moto: &Moto) -> String {
    boto(
        moto,
        "print(sorted((s['StackName'], s['StackStatus']) for s in cf.describe_stacks()['Stacks']))",
    )
}

/// Makes the dev stacks `stacks` (by their names in the app) with moto's own CreateStack,
/// from the templates synth writes: moto computes Outputs and exports, and resolves
/// `Fn::ImportValue`, only in stacks made that way, never in those made through a change set.
fn create_with_moto(moto: &Moto, project: &Project, stacks: &[&str]) {
    stackweave_in(
        project.dir.path(),
        &["synth", ".", "--env", "dev", "--out", "out"],
    )
    .success();
    for stack in stacks {
        let template = project.path(&format!("out/dev/{stack}.template.yaml"));
        boto(
            moto,
            &format!(
                "cf.create_stack(StackName='RefArch-dev-{stack}', TemplateBody=open({:?}).read(), Capabilities=['CAPABILITY_IAM'])",
                template.display().to_string()
            ),
        );
    }
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("expected {needle:?} in:\n{text}"))
}

#[test]
fn deploy_creates_in_order_then_finds_no_changes_then_updates() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::copy_of("examples/multi-stack");
    let run = deploy(
        &moto,
        &project,
        &[
            "--require-approval",
            "never",
            "--outputs-file",
            "outputs.json",
        ],
    );
    let out = run.success();
    // Observability first: Api reads its output.
    assert!(
        position(out, "Plan for RefArch-dev-Observability")
            < position(out, "Plan for RefArch-dev-Api")
    );
    assert!(
        position(out, "RefArch-dev-Observability: CREATE_COMPLETE")
            < position(out, "Plan for RefArch-dev-Api")
    );
    assert_contains!(
        out,
        "Add     WorkflowLogs  AWS::Logs::LogGroup",
        "RefArch-dev-Api: CREATE_COMPLETE"
    );
    let outputs: serde_json::Value =
        serde_json::from_str(&project.read("outputs.json")).expect("outputs are JSON");
    assert!(
        outputs.get("RefArch-dev-Observability").is_some(),
        "{outputs}"
    );
    assert!(outputs.get("RefArch-dev-Api").is_some(), "{outputs}");

    let again = deploy(&moto, &project, &["--require-approval", "never"]);
    assert_contains!(
        again.success(),
        "RefArch-dev-Observability: no changes",
        "RefArch-dev-Api: no changes"
    );

    project.edit("app.yaml", "logRetentionDays: 7", "logRetentionDays: 14");
    let update = deploy(&moto, &project, &["--require-approval", "never"]);
    let out = update.success();
    assert_contains!(
        out,
        "RetentionInDays",
        "Modify  WorkflowLogs  AWS::Logs::LogGroup",
        "RefArch-dev-Observability: UPDATE_COMPLETE"
    );
    assert_contains!(
        stack_statuses(&moto),
        "('RefArch-dev-Observability', 'UPDATE_COMPLETE')"
    );
}

#[test]
fn no_execute_leaves_the_change_sets_and_deploys_nothing() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::copy_of("examples/multi-stack");
    let out = deploy(
        &moto,
        &project,
        &["--no-execute", "--stack", "Observability"],
    );
    assert_contains!(
        out.success(),
        "Plan for RefArch-dev-Observability",
        "left for review"
    );
    let sets = boto(
        &moto,
        "print([(c['ChangeSetName'], c['ExecutionStatus']) for c in cf.list_change_sets(StackName='RefArch-dev-Observability')['Summaries']])",
    );
    assert_contains!(sets, "'AVAILABLE'");
    assert_contains!(
        stack_statuses(&moto),
        "('RefArch-dev-Observability', 'REVIEW_IN_PROGRESS')"
    );
}

#[test]
fn a_broadening_plan_is_refused_without_a_terminal_and_accepted_with_the_flag() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::copy_of("examples/multi-stack");
    // The Api stack adds IAM roles: the default policy (broadening) asks, and no one can answer.
    let refused = deploy(&moto, &project, &[]);
    assert_contains!(
        refused.failure(),
        "the plan of RefArch-dev-Api needs approval",
        "`--require-approval never`"
    );
    assert_contains!(refused.stdout, "Approval needed:", "AWS::IAM::Role");
    let statuses = stack_statuses(&moto);
    assert_contains!(statuses, "('RefArch-dev-Observability', 'CREATE_COMPLETE')");
    assert!(
        !statuses.contains("('RefArch-dev-Api', 'CREATE_COMPLETE')"),
        "{statuses}"
    );

    let accepted = deploy(&moto, &project, &["--require-approval", "never"]);
    assert_contains!(accepted.success(), "RefArch-dev-Api: CREATE_COMPLETE");
}

#[test]
fn destroy_deletes_the_stacks_in_reverse_order() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::copy_of("examples/multi-stack");
    deploy(&moto, &project, &["--require-approval", "never"]).success();

    let refused = moto.stackweave(project.dir.path(), &["destroy", ".", "--env", "dev"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_contains!(refused.stderr, "--yes");

    let run = moto.stackweave(
        project.dir.path(),
        &["destroy", ".", "--env", "dev", "--yes"],
    );
    let out = run.success();
    assert!(
        position(out, "RefArch-dev-Api: deleted")
            < position(out, "RefArch-dev-Observability: deleted")
    );
    let statuses = stack_statuses(&moto);
    assert!(!statuses.contains("CREATE_COMPLETE"), "{statuses}");
}

#[test]
fn a_template_over_the_inline_limit_is_deployed_from_the_bucket() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::new("");
    let value = "x".repeat(900);
    let mut stack =
        String::from("name: Big\nconstructs:\n  Logs:\n    plugin: logging\nresources:\n");
    for i in 0..60 {
        stack.push_str(&format!(
            "  Setting{i}:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: {value}\n"
        ));
    }
    project.write("stack.yaml", "");
    project.write("big.yaml", &stack);
    project.write(
        "app.yaml",
        "name: Large\nstacks: [big.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n    bucket: sw-templates\n",
    );
    boto(
        &moto,
        "s3.create_bucket(Bucket='sw-templates', CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})",
    );
    let run = deploy(&moto, &project, &["--require-approval", "never"]);
    assert_contains!(run.success(), "Large-dev-Big: CREATE_COMPLETE");
    let keys = boto(
        &moto,
        "print([o['Key'] for o in s3.list_objects_v2(Bucket='sw-templates')['Contents']])",
    );
    assert_contains!(keys, "stackweave/");

    // Without a bucket, the error says where to name one.
    project.write(
        "app.yaml",
        "name: Large\nstacks: [big.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n",
    );
    project.edit("big.yaml", "Setting0:", "Setting00:");
    let refused = deploy(&moto, &project, &["--require-approval", "never"]);
    assert_contains!(refused.failure(), "over the 51200 bytes", "bucket: NAME");
}

#[test]
fn deploy_without_credentials_says_how_to_give_them() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::copy_of("examples/multi-stack");
    let mut command = stackweave_command(
        project.dir.path(),
        &["deploy", ".", "--env", "dev", "--stack", "Observability"],
    );
    command
        .env("AWS_ENDPOINT_URL", moto.url())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", project.path("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", project.path("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let run = Run::of(command);
    assert_contains!(
        run.failure(),
        "no AWS credentials",
        "AWS_ACCESS_KEY_ID",
        "--profile"
    );
}

#[test]
fn diff_deployed_compares_with_what_is_deployed() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::copy_of("examples/multi-stack");
    let before = moto.stackweave(
        project.dir.path(),
        &["diff", ".", "--env", "dev", "--deployed", "--fail"],
    );
    assert_eq!(before.code, 1, "{}", before.stderr);
    assert_contains!(
        before.stdout,
        "RefArch-dev-Api (eu-west-1):\n  not deployed"
    );
    deploy(&moto, &project, &["--require-approval", "never"]).success();
    let same = moto.stackweave(
        project.dir.path(),
        &["diff", ".", "--env", "dev", "--deployed", "--fail"],
    );
    assert_contains!(same.success(), "no differences");
    project.edit("app.yaml", "logRetentionDays: 7", "logRetentionDays: 14");
    let changed = moto.stackweave(
        project.dir.path(),
        &["diff", ".", "--env", "dev", "--deployed"],
    );
    assert_contains!(changed.success(), "RetentionInDays");
}

#[test]
fn the_outputs_file_holds_each_stacks_outputs() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::copy_of("examples/multi-stack");
    // Deploy finds no changes and reads the outputs as it would after any deploy.
    create_with_moto(&moto, &project, &["Observability"]);
    let run = deploy(
        &moto,
        &project,
        &["--stack", "Observability", "--outputs-file", "outputs.json"],
    );
    assert_contains!(run.success(), "RefArch-dev-Observability: no changes");
    let outputs: serde_json::Value =
        serde_json::from_str(&project.read("outputs.json")).expect("outputs are JSON");
    let arn = outputs["RefArch-dev-Observability"]["WorkflowLogsArn"]
        .as_str()
        .unwrap_or_else(|| panic!("the log group's ARN is an output: {outputs}"));
    assert!(arn.starts_with("arn:aws:logs:eu-west-1:"), "{arn}");
}

#[test]
fn destroy_refuses_a_stack_whose_export_another_stack_imports() {
    let Some(moto) = Moto::start() else { return };
    let project = Project::copy_of("examples/multi-stack");
    project.edit("app.yaml", "\nstacks:", "\nreferences: strong\nstacks:");
    create_with_moto(&moto, &project, &["Observability", "Api"]);
    let refused = moto.stackweave(
        project.dir.path(),
        &[
            "destroy",
            ".",
            "--env",
            "dev",
            "--stack",
            "Observability",
            "--yes",
        ],
    );
    assert_contains!(
        refused.failure(),
        "RefArch-dev-Observability cannot be deleted: its exports are imported",
        "by RefArch-dev-Api"
    );
    assert_contains!(
        stack_statuses(&moto),
        "('RefArch-dev-Observability', 'CREATE_COMPLETE')"
    );
}
