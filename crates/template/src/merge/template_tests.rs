//! Tests of quotas and of the finished [`Template`]: layout, owners and rendering.

#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::tests::{add, construct};
use super::*;

#[test]
fn count_quotas_are_enforced() {
    let mut builder = TemplateBuilder::new(None);
    for name in ["P1", "P2"] {
        builder
            .add_parameter(name, json!({"Type": "String"}))
            .unwrap();
        builder
            .add_output(name, json!({"Value": {"Ref": name}}))
            .unwrap();
    }
    add(
        &mut builder,
        &["A"],
        json!({"Resources": {"X": {"Type": "T"}, "Y": {"Type": "T"}}}),
    )
    .unwrap();
    let quotas = Quotas {
        resources: 1,
        outputs: 1,
        parameters: 1,
        ..Quotas::default()
    };
    let exceeded = |quota, limit, actual| MergeError::QuotaExceeded {
        quota,
        limit,
        actual,
    };
    assert_eq!(
        builder.clone().finish(&quotas).unwrap_err(),
        [
            exceeded("resources", 1, 2),
            exceeded("outputs", 1, 2),
            exceeded("parameters", 1, 2)
        ]
    );
    let at_limit = Quotas {
        resources: 2,
        outputs: 2,
        parameters: 2,
        ..Quotas::default()
    };
    assert!(builder.finish(&at_limit).is_ok());
}

#[test]
fn default_quotas_are_cloudformations() {
    assert_eq!(
        Quotas::default(),
        Quotas {
            resources: 500,
            outputs: 200,
            parameters: 200,
            template_bytes: 1_000_000
        }
    );
}

#[test]
fn quota_messages_say_what_is_over_in_cloudformations_terms() {
    let resources = MergeError::QuotaExceeded {
        quota: "resources",
        limit: 500,
        actual: 612,
    };
    assert_eq!(
        resources.to_string(),
        "the template has 612 resources; CloudFormation allows 500 per stack"
    );
    let raised = MergeError::QuotaExceeded {
        quota: "outputs",
        limit: 300,
        actual: 301,
    };
    assert_eq!(
        raised.to_string(),
        "the template has 301 outputs; the quota in force allows 300"
    );
    assert_eq!(
        raised.quota_excess(),
        Some(("the template has 301 outputs".into(), None))
    );
    let bytes = MergeError::QuotaExceeded {
        quota: "templateBytes",
        limit: 1_000_000,
        actual: 1_000_001,
    };
    assert_eq!(
        bytes.to_string(),
        "the rendered template is 1000001 bytes; CloudFormation allows 1000000 bytes for a \
         template body uploaded through S3"
    );
    assert_eq!(MergeError::NoResources.quota_excess(), None);
}

#[test]
fn template_layout_and_owners() {
    let mut builder = TemplateBuilder::new(Some("demo".to_owned()));
    builder
        .add_output("Out", json!({"Value": {"Ref": "Logs"}}))
        .unwrap();
    add(
        &mut builder,
        &["Logs"],
        json!({"Resources": {"Resource": {"Type": "T"}}}),
    )
    .unwrap();
    add(
        &mut builder,
        &["Api"],
        json!({"Resources": {"Resource": {"Type": "T"}}}),
    )
    .unwrap();
    builder
        .add_parameter("Env", json!({"Type": "String"}))
        .unwrap();
    let template = builder.finish(&Quotas::default()).unwrap();
    let keys: Vec<&String> = template.value().as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "AWSTemplateFormatVersion",
            "Description",
            "Parameters",
            "Resources",
            "Outputs"
        ]
    );
    assert_eq!(template.value()["AWSTemplateFormatVersion"], "2010-09-09");
    let resources: Vec<&String> = template.value()["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(resources, ["Logs", "Api"]);
    assert_eq!(template.resource_count(), 2);
    assert_eq!(template.owner("Api"), Some(&construct(&["Api"])));
    assert_eq!(template.owner("Env"), Some(&Owner::StackFile));
    assert_eq!(template.owner("Out"), Some(&Owner::StackFile));
    assert_eq!(template.owner("Nope"), None);
}

#[test]
fn a_template_without_resources_is_refused() {
    let errors = TemplateBuilder::new(None)
        .finish(&Quotas::default())
        .unwrap_err();
    assert!(matches!(errors[..], [MergeError::NoResources]));
    assert!(errors[0].to_string().contains("no resources"));
}

#[test]
fn render_checks_the_size_quota() {
    let mut builder = TemplateBuilder::new(None);
    add(
        &mut builder,
        &["Logs"],
        json!({"Resources": {"Resource": {"Type": "AWS::Logs::LogGroup"}}}),
    )
    .unwrap();
    let template = builder.finish(&Quotas::default()).unwrap();
    let yaml = template.render(Format::Yaml, &Quotas::default()).unwrap();
    assert_eq!(
        yaml,
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
    );
    let json = template.render(Format::Json, &Quotas::default()).unwrap();
    assert!(
        json.starts_with("{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",")
            && json.ends_with("}\n")
    );
    let tight = Quotas {
        template_bytes: yaml.len(),
        ..Quotas::default()
    };
    assert!(template.render(Format::Yaml, &tight).is_ok());
    let tighter = Quotas {
        template_bytes: yaml.len() - 1,
        ..Quotas::default()
    };
    assert_eq!(
        template.render(Format::Yaml, &tighter).unwrap_err(),
        MergeError::QuotaExceeded {
            quota: "templateBytes",
            limit: yaml.len() - 1,
            actual: yaml.len()
        }
    );
}
