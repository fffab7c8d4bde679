//! Generated stacks of any size, made of the reference architecture repeated: each unit is
//! a log group, a workflow role, an Express workflow, an API role and five APIs calling
//! the workflow (9 constructs, 29 resources), with references between them as in the
//! example. A size that is not a multiple of 9 ends with log groups.
//!
//! Generated apps of any number of stacks, each stack one unit plus a log group that the
//! next stack's workflow logs to (a reference across stacks), deployed to three
//! environments that differ in region, retention and stage.

use std::fmt::Write as _;

/// Constructs in one unit.
const UNIT: usize = 9;

/// A stack file of `constructs` constructs using only the standard plugins.
pub fn stack(constructs: usize) -> String {
    let mut text = format!(
        "name: Generated{constructs}\n\
         description: {constructs} constructs of the reference architecture, for benchmarks\n\
         # Far beyond one CloudFormation stack's quotas: this stack measures synthesis only.\n\
         limits:\n  resources: 1000000\n  templateBytes: 1000000000\n\
         constructs:\n"
    );
    for unit in 0..constructs / UNIT {
        write_unit(&mut text, unit, &format!("${{Logs{unit}.arn}}"), "prod");
    }
    for extra in 0..constructs % UNIT {
        write_construct(
            &mut text,
            &format!("ExtraLogs{extra}"),
            "logging",
            "retentionDays: 30",
        );
    }
    text
}

/// The environments of a generated app: name, region, log retention in days.
pub const ENVIRONMENTS: &[(&str, &str, u32)] = &[
    ("dev", "eu-west-1", 7),
    ("staging", "eu-central-1", 30),
    ("prod", "us-east-1", 90),
];

/// Constructs in each stack of a generated app.
pub const APP_STACK_CONSTRUCTS: usize = UNIT + 1;

/// The files of an app of `stacks` stacks (file name, text): `app.yaml` and
/// `stack<i>.yaml`. Stack `i` holds a log group `Logs` (retention from the environment) and
/// one unit whose workflow logs to the log group of stack `i - 1`
/// (`${Stack<i-1>::Logs.arn}`; the first stack's to its own), so every stack but the last
/// is read by the next one and each needs an output added.
pub fn app(stacks: usize) -> Vec<(String, String)> {
    let mut app = format!(
        "name: Generated\n\
         description: {stacks} stacks of {APP_STACK_CONSTRUCTS} constructs, for benchmarks\n\
         stacks:\n"
    );
    let mut files = Vec::new();
    for index in 0..stacks {
        let file = format!("stack{index}.yaml");
        let _ = writeln!(app, "  - {file}");
        let mut text = format!(
            "name: Stack{index}\n\
             description: Stack {index} of a generated app\n\
             constructs:\n"
        );
        write_construct(
            &mut text,
            "Logs",
            "logging",
            "retentionDays: ${value:retentionDays}",
        );
        let destination = match index {
            0 => "${Logs.arn}".to_owned(),
            _ => format!("${{Stack{}::Logs.arn}}", index - 1),
        };
        write_unit(&mut text, 0, &destination, "${value:stage}");
        files.push((file, text));
    }
    app.push_str("environments:\n");
    for (name, region, retention) in ENVIRONMENTS {
        let _ = write!(
            app,
            "  {name}:\n    region: {region}\n    tags:\n      environment: {name}\n    \
             values:\n      retentionDays: {retention}\n      stage: {name}\n"
        );
    }
    files.insert(0, ("app.yaml".to_owned(), app));
    files
}

/// One unit; its workflow logs to `logs_destination`, its APIs deploy to `stage`.
fn write_unit(text: &mut String, unit: usize, logs_destination: &str, stage: &str) {
    let logs = format!("Logs{unit}");
    let role = format!("WorkflowRole{unit}");
    let workflow = format!("Workflow{unit}");
    let api_role = format!("ApiRole{unit}");
    write_construct(text, &logs, "logging", "retentionDays: 14");
    write_construct(
        text,
        &role,
        "iam-role",
        "assumedBy: [states.amazonaws.com]\n\
         statements:\n\
         \x20 - actions: [logs:CreateLogDelivery, logs:GetLogDelivery, logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DescribeLogGroups]\n\
         \x20   resources: [\"*\"]",
    );
    write_construct(
        text,
        &workflow,
        "express-workflow",
        &format!(
            "role: ${{{role}.arn}}\n\
             logging:\n\
             \x20 destination: {logs_destination}\n\
             \x20 level: ERROR\n\
             definition:\n\
             \x20 StartAt: Step\n\
             \x20 States:\n\
             \x20   Step:\n\
             \x20     Type: Pass\n\
             \x20     Result: {{unit: {unit}}}\n\
             \x20     End: true"
        ),
    );
    write_construct(
        text,
        &api_role,
        "iam-role",
        &format!(
            "assumedBy: [apigateway.amazonaws.com]\n\
             statements:\n\
             \x20 - actions: [states:StartSyncExecution]\n\
             \x20   resources: [\"${{{workflow}.arn}}\"]"
        ),
    );
    for api in ["A", "B", "C", "D", "E"] {
        write_construct(
            text,
            &format!("Api{unit}{api}"),
            "api-integration",
            &format!(
                "name: Api{unit}{api}\n\
                 path: /run\n\
                 method: POST\n\
                 stateMachine: ${{{workflow}.arn}}\n\
                 role: ${{{api_role}.arn}}\n\
                 stage: {stage}"
            ),
        );
    }
}

/// Appends one construct; `props` is YAML at its own indentation, indented here.
fn write_construct(text: &mut String, id: &str, plugin: &str, props: &str) {
    let _ = writeln!(text, "  {id}:\n    plugin: {plugin}\n    props:");
    for line in props.lines() {
        let _ = writeln!(text, "      {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_exact() {
        for size in [1, 9, 10, 100] {
            let text = stack(size);
            let plugins = text
                .lines()
                .filter(|l| l.trim_start().starts_with("plugin: "));
            assert_eq!(plugins.count(), size, "{text}");
        }
    }

    #[test]
    fn each_stack_of_an_app_has_ten_constructs_and_reads_the_one_before() {
        let files = app(3);
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            ["app.yaml", "stack0.yaml", "stack1.yaml", "stack2.yaml"]
        );
        for (_, text) in &files[1..] {
            let plugins = text
                .lines()
                .filter(|l| l.trim_start().starts_with("plugin: "));
            assert_eq!(plugins.count(), APP_STACK_CONSTRUCTS, "{text}");
        }
        assert!(files[1].1.contains("destination: ${Logs.arn}"));
        assert!(files[3].1.contains("destination: ${Stack1::Logs.arn}"));
        assert!(files[0].1.contains("  - stack2.yaml\n"));
        assert!(files[0].1.contains("  prod:\n    region: us-east-1\n"));
    }
}
