//! Generated stacks of any size, made of the reference architecture repeated: each unit is
//! a log group, a workflow role, an Express workflow, an API role and five APIs calling
//! the workflow (9 constructs, 29 resources), with references between them as in the
//! example. A size that is not a multiple of 9 ends with log groups.

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
        write_unit(&mut text, unit);
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

fn write_unit(text: &mut String, unit: usize) {
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
             \x20 destination: ${{{logs}.arn}}\n\
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
                 stage: prod"
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
}
