//! The adapters between the WIT interface and [`Construct`]: what [`export_construct!`]
//! calls. They are plain functions so that plugins can test them natively.
//!
//! [`export_construct!`]: crate::export_construct

use crate::bindings::stackweave::plugin::types as wit;
use crate::{Construct, Context, Diagnostic, Fragment, Info, Severity, pointer_token};
use serde_json::Value;

/// The `describe` export: [`Construct::info`] in the WIT shape, with the props schema derived
/// from [`Construct::Props`] ([`props_schema`](crate::props_schema)).
pub fn describe<C: Construct>() -> wit::ConstructInfo {
    let info = C::info();
    let schema = crate::schema::schema_of::<C>(&info).to_string();
    describe_with_schema(info, schema)
}

/// [`describe`] with a props schema derived when the plugin was built:
/// [`export_construct!`](crate::export_construct) passes the JSON a build script left in
/// `STACKWEAVE_PROPS_SCHEMA_<package>`, if there is one. The schema is then a constant in
/// the component and the code deriving it never reaches the component, which makes it
/// smaller and faster to compile; Stackweave's own build does this for the standard
/// plugins, deriving the schema from the same props type.
pub fn describe_prebuilt<C: Construct>(schema: &str) -> wit::ConstructInfo {
    describe_with_schema(C::info(), schema.to_owned())
}

fn describe_with_schema(info: Info, props_schema: String) -> wit::ConstructInfo {
    let Info {
        name,
        version,
        description,
        attributes,
    } = info;
    wit::ConstructInfo {
        name: name.to_owned(),
        version: version.to_owned(),
        description: description.to_owned(),
        props_schema,
        attributes: attributes
            .into_iter()
            .map(|(name, doc)| wit::AttributeInfo {
                name: name.to_owned(),
                doc: doc.to_owned(),
            })
            .collect(),
    }
}

/// The `synth` export: [`run`] with WIT values in and out.
pub fn synth<C: Construct>(
    context: wit::SynthContext,
    props: &str,
) -> Result<wit::Fragment, Vec<wit::Diagnostic>> {
    let ctx = Context {
        stack_name: context.stack_name,
        construct_id: context.construct_id,
        construct_path: context.construct_path,
    };
    match run::<C>(&ctx, props) {
        Ok(fragment) => Ok(wit::Fragment {
            template: fragment.template().to_string(),
            attributes: fragment
                .attributes()
                .iter()
                .map(|(name, value)| wit::AttributeValue {
                    name: name.clone(),
                    value: value.to_string(),
                })
                .collect(),
            warnings: fragment.warnings().iter().map(to_wit).collect(),
        }),
        Err(diagnostics) => Err(diagnostics.iter().map(to_wit).collect()),
    }
}

/// Parses `props_json` into `C::Props`, runs [`Construct::synth`] and checks the fragment.
///
/// Fails with error diagnostics when the props do not deserialise, when `synth` fails, when
/// the fragment holds error diagnostics or builder mistakes, or when its attributes are not
/// exactly those [`Info::attributes`] names. On success the attributes are in `Info` order.
pub fn run<C: Construct>(ctx: &Context, props_json: &str) -> Result<Fragment, Vec<Diagnostic>> {
    let info = C::info();
    let not_json = |error: serde_json::Error| {
        vec![Diagnostic::error(
            None,
            format!(
                "the props are not JSON ({error}); this is a bug in the host, report it to \
                 Stackweave's authors"
            ),
        )]
    };
    let value: Value = serde_json::from_str(props_json).map_err(not_json)?;
    // The host validated the props against the schema already, so a failure here means the
    // schema and the props type disagree. Deserialising from a `Value` keeps line and column
    // of the host's JSON text, which mean nothing to the user, out of the message.
    let props: C::Props = serde_json::from_value(value.clone()).map_err(|error| {
        let message = error.to_string();
        vec![Diagnostic::error(
            unknown_field_path(&message, &value),
            format!(
                "the props do not fit the `{}` construct: {message}; write them as its schema \
                 describes",
                info.name
            ),
        )]
    })?;
    match C::synth(ctx, props) {
        Ok(fragment) => check(&info, fragment),
        Err(diagnostics) if diagnostics.is_empty() => Err(vec![Diagnostic::error(
            None,
            format!(
                "the `{}` plugin failed without saying why; this is a bug in the plugin, report \
                 it to its authors",
                info.name
            ),
        )]),
        Err(diagnostics) => Err(diagnostics),
    }
}

/// Turns builder mistakes, error diagnostics and attribute mismatches into errors.
fn check(info: &Info, mut fragment: Fragment) -> Result<Fragment, Vec<Diagnostic>> {
    let bug = |what: &str| {
        Diagnostic::error(
            None,
            format!(
                "{what}; this is a bug in the `{}` plugin, report it to its authors",
                info.name
            ),
        )
    };
    let mut errors: Vec<Diagnostic> = fragment.mistakes().iter().map(|m| bug(m)).collect();
    for (name, _) in &info.attributes {
        if fragment.attribute_value(name).is_none() {
            errors.push(bug(&format!(
                "the plugin set no value for attribute `{name}`"
            )));
        }
    }
    for (name, _) in fragment.attributes() {
        if !info.attributes.iter().any(|(known, _)| known == name) {
            errors.push(bug(&format!(
                "the plugin set attribute `{name}`, which its description does not declare"
            )));
        }
    }
    errors.extend(fragment.warnings().iter().filter(|d| d.is_error()).cloned());
    if !errors.is_empty() {
        return Err(errors);
    }
    let order: Vec<&str> = info.attributes.iter().map(|(name, _)| *name).collect();
    fragment.sort_attributes(&order);
    Ok(fragment)
}

/// Where an `unknown field` error points, when the field's name occurs as exactly one key
/// in the props: serde names the field but not its place, and this finds it cheaply.
fn unknown_field_path(message: &str, props: &Value) -> Option<String> {
    let field = message.strip_prefix("unknown field `")?.split('`').next()?;
    let mut found = Vec::new();
    find_key(props, field, String::new(), &mut found);
    match found.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

fn find_key(value: &Value, key: &str, at: String, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (name, child) in object {
                let path = format!("{at}/{}", pointer_token(name));
                if name == key {
                    found.push(path.clone());
                }
                find_key(child, key, path, found);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_key(item, key, format!("{at}/{index}"), found);
            }
        }
        _ => {}
    }
}

fn to_wit(diagnostic: &Diagnostic) -> wit::Diagnostic {
    wit::Diagnostic {
        severity: match diagnostic.severity {
            Severity::Error => wit::Severity::Error,
            Severity::Warning => wit::Severity::Warning,
        },
        message: diagnostic.message.clone(),
        path: diagnostic.path.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn;
    use schemars::JsonSchema;
    use serde::Deserialize;
    use serde_json::json;

    /// A construct whose behaviour the props choose, to drive every branch of the adapters.
    struct Probe;

    #[derive(Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct ProbeProps {
        mode: String,
        #[serde(default)]
        count: u32,
        #[serde(default)]
        #[allow(dead_code)]
        nested: Vec<Nested>,
    }

    #[derive(Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Nested {
        #[allow(dead_code)]
        name: String,
    }

    impl Construct for Probe {
        type Props = ProbeProps;

        fn info() -> Info {
            Info {
                name: "probe",
                version: "1.2.3",
                description: "a construct for tests",
                attributes: vec![("arn", "the ARN"), ("name", "the name")],
            }
        }

        fn synth(ctx: &Context, props: ProbeProps) -> Result<Fragment, Vec<Diagnostic>> {
            let base = Fragment::new()
                .resource("Resource", json!({"Type": "AWS::SNS::Topic"}))
                .warning(Diagnostic::warning(
                    "/count",
                    format!("{} topics", props.count),
                ));
            match props.mode.as_str() {
                // Attributes set out of order, to check they come back in `Info` order.
                "ok" => Ok(base
                    .attribute("name", json!(ctx.construct_id))
                    .attribute("arn", cfn::reference("Resource"))),
                "fail" => Err(vec![Diagnostic::error("/mode", "no")]),
                "silent" => Err(vec![]),
                "missing" => Ok(base.attribute("arn", cfn::reference("Resource"))),
                "extra" => Ok(base
                    .attribute("arn", json!(1))
                    .attribute("name", json!(2))
                    .attribute("url", json!(3))),
                "bad-id" => Ok(base
                    .resource("Bad_Id", json!({}))
                    .attribute("arn", json!(1))
                    .attribute("name", json!(2))),
                _ => Ok(base
                    .warning(Diagnostic::error("/mode", "deferred"))
                    .attribute("arn", json!(1))
                    .attribute("name", json!(2))),
            }
        }
    }

    fn ctx() -> wit::SynthContext {
        wit::SynthContext {
            stack_name: "shop".into(),
            construct_id: "Topic".into(),
            construct_path: vec!["Topic".into()],
        }
    }

    #[test]
    fn describe_serialises_info() {
        let info = describe::<Probe>();
        assert_eq!(info.name, "probe");
        assert_eq!(info.version, "1.2.3");
        let schema: Value = serde_json::from_str(&info.props_schema).unwrap_or_default();
        assert_eq!(schema, crate::props_schema::<Probe>());
        assert_eq!(schema["title"], "probe");
        assert_eq!(schema["required"], json!(["mode"]));
        let names: Vec<_> = info.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["arn", "name"]);
        assert_eq!(info.attributes[1].doc, "the name");
    }

    #[test]
    fn synth_returns_the_wit_fragment_with_attributes_in_info_order() {
        let fragment = match synth::<Probe>(ctx(), r#"{"mode": "ok", "count": 2}"#) {
            Ok(fragment) => fragment,
            Err(e) => panic!("synth failed: {e:?}"),
        };
        let template: Value = serde_json::from_str(&fragment.template).unwrap_or_default();
        assert_eq!(
            template,
            json!({"Resources": {"Resource": {"Type": "AWS::SNS::Topic"}}})
        );
        let attributes: Vec<_> = fragment
            .attributes
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(
            attributes,
            [("arn", r#"{"Ref":"Resource"}"#), ("name", r#""Topic""#)]
        );
        assert_eq!(fragment.warnings.len(), 1);
        assert_eq!(fragment.warnings[0].severity, wit::Severity::Warning);
        assert_eq!(fragment.warnings[0].message, "2 topics");
        assert_eq!(fragment.warnings[0].path.as_deref(), Some("/count"));
    }

    fn errors(props: &str) -> Vec<wit::Diagnostic> {
        match synth::<Probe>(ctx(), props) {
            Ok(_) => panic!("synth of {props} succeeded"),
            Err(errors) => errors,
        }
    }

    #[test]
    fn props_that_do_not_deserialise_are_an_error_naming_the_field() {
        let e = errors(r#"{"mode": "ok", "colour": "red"}"#);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].severity, wit::Severity::Error);
        assert!(
            e[0].message
                .starts_with("the props do not fit the `probe` construct: ")
        );
        assert!(
            e[0].message.contains("unknown field `colour`"),
            "{}",
            e[0].message
        );
        assert!(!e[0].message.contains("line 1"), "{}", e[0].message);
        let e = errors(r#"{"count": 1}"#);
        assert!(
            e[0].message.contains("missing field `mode`"),
            "{}",
            e[0].message
        );
        assert_eq!(e[0].path, None);
    }

    #[test]
    fn an_unknown_field_is_located_when_its_name_is_unique() {
        let e = errors(r#"{"mode": "ok", "colour": "red"}"#);
        assert_eq!(e[0].path.as_deref(), Some("/colour"));
        let e = errors(r#"{"mode": "ok", "nested": [{"name": "a"}, {"name": "b", "na/me": 1}]}"#);
        assert_eq!(e[0].path.as_deref(), Some("/nested/1/na~1me"));
        // Two keys of that name: no guess.
        let e =
            errors(r#"{"mode": "ok", "nested": [{"name": "a", "x": 1}, {"name": "b", "x": 2}]}"#);
        assert!(e[0].message.contains("unknown field `x`"));
        assert_eq!(e[0].path, None);
    }

    #[test]
    fn text_that_is_not_json_is_blamed_on_the_host() {
        let e = errors("{");
        assert!(e[0].message.starts_with("the props are not JSON"));
    }

    #[test]
    fn synth_errors_pass_through() {
        let e = errors(r#"{"mode": "fail"}"#);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message, "no");
        assert_eq!(e[0].path.as_deref(), Some("/mode"));
    }

    #[test]
    fn a_failure_without_diagnostics_still_explains_itself() {
        let e = errors(r#"{"mode": "silent"}"#);
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("bug in the plugin"));
    }

    #[test]
    fn attribute_mismatches_are_plugin_bugs() {
        let e = errors(r#"{"mode": "missing"}"#);
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("no value for attribute `name`"));
        let e = errors(r#"{"mode": "extra"}"#);
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("attribute `url`"));
    }

    #[test]
    fn builder_mistakes_are_plugin_bugs() {
        let e = errors(r#"{"mode": "bad-id"}"#);
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("`Bad_Id`"));
        assert!(e[0].message.ends_with("report it to its authors"));
    }

    #[test]
    fn error_diagnostics_in_a_fragment_fail_synthesis() {
        let e = errors(r#"{"mode": "deferred"}"#);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message, "deferred");
    }

    #[test]
    fn run_gives_the_fragment_itself() {
        let ctx = Context::new("shop", "Topic");
        let fragment = run::<Probe>(&ctx, r#"{"mode": "ok"}"#).unwrap_or_default();
        assert_eq!(fragment.attribute_value("name"), Some(&json!("Topic")));
    }
}
