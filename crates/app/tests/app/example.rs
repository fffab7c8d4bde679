//! A valid app file becomes the expected model, with every entry's pointer and line.

use std::path::{Path, PathBuf};

use serde_json::json;
use stackweave_app::{Placement, ReferenceMode, StackEntry, parse_app_str};

use crate::{SAMPLE, ok, with_env};

#[test]
fn full_file_parses_into_the_model() {
    let app = ok(SAMPLE);
    assert_eq!(app.path, Path::new("apps/refarch/app.yaml"));
    assert_eq!(app.dir, Path::new("apps/refarch"));
    assert_eq!(app.name, "RefArch");
    assert_eq!(
        app.description.as_deref(),
        Some("The reference architecture as two stacks")
    );
    assert_eq!(
        app.stacks,
        [
            StackEntry {
                file: PathBuf::from("apps/refarch/observability.yaml"),
                pointer: "/stacks/0".into(),
            },
            StackEntry {
                file: PathBuf::from("apps/refarch/api.yaml"),
                pointer: "/stacks/1".into(),
            },
        ]
    );
    assert_eq!(app.references, ReferenceMode::Strong);
    let names: Vec<&str> = app.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "prod"]);

    let dev = app.environment("dev").unwrap();
    assert_eq!(dev.pointer, "/environments/dev");
    assert_eq!(dev.region, "eu-west-1");
    assert_eq!(dev.account.as_deref(), Some("011111111111"));
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    };
    assert_eq!(
        dev.tags,
        pairs(&[
            ("team", "payments"),
            ("cost-centre", "4200"),
            ("billable", "true")
        ])
    );
    assert_eq!(
        dev.parameters,
        [(
            "Api".to_owned(),
            pairs(&[
                ("AlarmEmail", "dev@example.com"),
                ("Subnets", "subnet-1,subnet-2"),
                ("Throttle", "2.5"),
            ])
        )]
    );
    let values: Vec<_> = dev
        .values
        .iter()
        .map(|v| (v.name.as_str(), v.value.clone(), v.pointer.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            (
                "logRetentionDays",
                json!(7),
                "/environments/dev/values/logRetentionDays"
            ),
            ("stage", json!("dev"), "/environments/dev/values/stage"),
            ("tracing", json!(false), "/environments/dev/values/tracing"),
            (
                "origins",
                json!(["https://dev.example.com"]),
                "/environments/dev/values/origins"
            ),
            // A YAML number key becomes its text.
            (
                "limits",
                json!({"burst": 10, "2024": "plan"}),
                "/environments/dev/values/limits"
            ),
        ]
    );
    assert_eq!(
        dev.placement("Observability"),
        Some(&Placement {
            region: Some("us-east-1".into()),
            account: Some("222222222222".into()),
            outputs_role: Some("arn:aws:iam::222222222222:role/read-outputs".into()),
            pointer: "/environments/dev/stacks/Observability".into(),
        })
    );
    assert_eq!(dev.placement("Api"), None);

    let prod = app.environment("prod").unwrap();
    assert_eq!(prod.region, "us-gov-west-1");
    assert_eq!(prod.account, None);
    assert!(prod.tags.is_empty() && prod.parameters.is_empty() && prod.placements.is_empty());
    // Integers and floats are both numbers, so `logRetentionDays` keeps its type.
    assert_eq!(prod.value("logRetentionDays").unwrap().value, json!(365.5));
    assert_eq!(app.environment("test"), None);

    // Pointers lead back to the lines they were written at.
    let line = |pointer: &str| app.source_map.locate_key(pointer).line;
    assert_eq!(line("/stacks/1"), 6);
    assert_eq!(line("/environments/dev"), 9);
    assert_eq!(line("/environments/dev/values/stage"), 23);
    assert_eq!(line("/environments/dev/stacks/Observability"), 28);
}

#[test]
fn optional_parts_take_their_defaults() {
    let app = parse_app_str(
        Path::new("app.yaml"),
        "name: Demo\nstacks: [api.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n    tags:\n    values:\n    parameters:\n      Api:\n",
    )
    .unwrap();
    assert_eq!(app.dir, Path::new("."));
    assert_eq!(app.stacks[0].file, Path::new("api.yaml"));
    assert_eq!(app.references, ReferenceMode::Weak);
    assert_eq!(app.description, None);
    let dev = &app.environments[0];
    assert!(dev.tags.is_empty() && dev.values.is_empty());
    assert_eq!(dev.parameters, [("Api".to_owned(), Vec::new())]);
}

#[test]
fn an_environment_may_leave_out_a_value_others_define() {
    let text = format!(
        "{}  prod:\n    region: eu-west-1\n",
        with_env("    values:\n      stage: dev\n")
    );
    let app = ok(&text);
    assert!(app.environment("prod").unwrap().value("stage").is_none());
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_document() {
    let app = ok(&format!("\u{feff}{SAMPLE}"));
    assert_eq!(app.name, "RefArch");
}
