//! Helpers for a plugin's native unit tests: run a [`Construct`] on JSON props as the host
//! would, and get the fragment, the errors, or the single error (with the children it creates
//! answered for the host: [`ok_with_children`], [`with_children`]); and check the derived
//! props schema against Stackweave's conventions ([`schema_problems`]).
//!
//! ```
//! # use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info};
//! # struct Nothing;
//! # impl Construct for Nothing {
//! #     type Props = serde_json::Value;
//! #     fn info() -> Info { Info { name: "nothing", ..Info::default() } }
//! #     fn synth(_: &Context, _: serde_json::Value) -> Result<Fragment, Vec<Diagnostic>> { Ok(Fragment::new()) }
//! # }
//! use stackweave_plugin::testing;
//! let fragment = testing::ok::<Nothing>("Empty", serde_json::json!({}));
//! assert!(fragment.resources().is_empty());
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;

use crate::{Construct, Context, Diagnostic, Fragment, pointer_token};

/// Answers a plugin's request for a child construct: (plugin, id, props) to attributes.
type ChildAnswer<'a> =
    dyn FnMut(&str, &str, &Value) -> Result<Vec<(&'static str, Value)>, Vec<Diagnostic>> + 'a;

thread_local! {
    static CHILDREN: RefCell<Option<Box<ChildAnswer<'static>>>> = const { RefCell::new(None) };
}

/// Runs `f` with `answer` standing in for the host's `add-child`: a plugin that creates
/// child constructs gets from `answer` the attributes of each child it asks for (or its
/// errors). `answer` also sees every request, so a test can check what children the
/// construct creates.
pub fn with_children<R>(
    answer: impl FnMut(&str, &str, &Value) -> Result<Vec<(&'static str, Value)>, Vec<Diagnostic>>
    + 'static,
    f: impl FnOnce() -> R,
) -> R {
    let previous = CHILDREN.with(|c| c.borrow_mut().replace(Box::new(answer)));
    let result = f();
    CHILDREN.with(|c| *c.borrow_mut() = previous);
    result
}

/// A child construct that a construct asked the host for, as [`ok_with_children`] saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildRequest {
    /// The child's plugin.
    pub plugin: String,
    /// Its id among the construct's children.
    pub id: String,
    /// The logical id the host gives its `Resource`: the construct's id and the child's
    /// (`Jobs` and `Role` make `JobsRole`).
    pub logical_id: String,
    /// Its props as the construct wrote them: its own resources still
    /// [`cfn::local`](crate::cfn::local), as the host receives them.
    pub props: Value,
}

/// Runs `C` like [`ok`], with `attributes` playing the host's part in composition: each
/// child the construct creates gets the attributes `attributes` gives for its request, as
/// CloudFormation expressions (the host's are over the child's logical ids, so write them
/// with [`ChildRequest::logical_id`]). Returns the fragment and every child asked for, in
/// order: a test checks what the construct gives its children and how it uses what they
/// give back. Panics with the diagnostics if synthesis fails.
///
/// ```
/// # use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info, add_child, cfn};
/// # use serde_json::json;
/// # struct Api;
/// # impl Construct for Api {
/// #     type Props = serde_json::Value;
/// #     fn info() -> Info { Info { name: "api", ..Info::default() } }
/// #     fn synth(_: &Context, _: serde_json::Value) -> Result<Fragment, Vec<Diagnostic>> {
/// #         let role = add_child("iam-role", "Role", &json!({"assumedBy": ["apigateway.amazonaws.com"]}))?;
/// #         Ok(Fragment::new().resource("Resource", json!({
/// #             "Type": "AWS::ApiGateway::RestApi",
/// #             "Properties": {"Description": role.attribute("arn")},
/// #         })))
/// #     }
/// # }
/// use stackweave_plugin::testing;
///
/// let (fragment, children) = testing::ok_with_children::<Api>("Orders", json!({}), |child| {
///     vec![("arn", cfn::get_att(&child.logical_id, "Arn"))]
/// });
/// assert_eq!(children[0].plugin, "iam-role");
/// assert_eq!(
///     fragment.resources()["Resource"]["Properties"]["Description"],
///     json!({"Fn::GetAtt": ["OrdersRole", "Arn"]})
/// );
/// ```
#[track_caller]
pub fn ok_with_children<C: Construct>(
    construct_id: &str,
    props: Value,
    mut attributes: impl FnMut(&ChildRequest) -> Vec<(&'static str, Value)> + 'static,
) -> (Fragment, Vec<ChildRequest>) {
    let asked = Rc::new(RefCell::new(Vec::new()));
    let record = Rc::clone(&asked);
    let parent = construct_id.to_owned();
    let fragment = with_children(
        move |plugin, id, props| {
            let child = ChildRequest {
                plugin: plugin.to_owned(),
                id: id.to_owned(),
                logical_id: format!("{parent}{id}"),
                props: props.clone(),
            };
            let answer = attributes(&child);
            record.borrow_mut().push(child);
            Ok(answer)
        },
        || synth::<C>(construct_id, props),
    )
    .unwrap_or_else(|e| panic!("synth failed: {e:?}"));
    let asked = asked.take();
    (fragment, asked)
}

/// What `add_child` answers in native code: `with_children`'s answer, or an error saying
/// to install one. (A component asks the host instead, so wasm32 builds leave it unused.)
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) fn answer_child(
    plugin: &str,
    id: &str,
    props: &str,
) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
    let props: Value = serde_json::from_str(props).unwrap_or(Value::Null);
    CHILDREN.with(|children| match children.borrow_mut().as_mut() {
        Some(answer) => answer(plugin, id, &props).map(|attributes| {
            attributes
                .into_iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        }),
        None => Err(vec![Diagnostic::error(
            "",
            format!(
                "no host to create the child construct `{id}` ({plugin}): in native tests, run the construct inside `testing::with_children`"
            ),
        )]),
    })
}

/// Runs `C` for a top-level construct `construct_id` of a stack named `test`.
pub fn synth<C: Construct>(construct_id: &str, props: Value) -> Result<Fragment, Vec<Diagnostic>> {
    crate::run::<C>(&Context::new("test", construct_id), &props.to_string())
}

/// The fragment; panics with the diagnostics if synthesis fails.
#[track_caller]
pub fn ok<C: Construct>(construct_id: &str, props: Value) -> Fragment {
    synth::<C>(construct_id, props).unwrap_or_else(|e| panic!("synth failed: {e:?}"))
}

/// The error diagnostics; panics if synthesis succeeds.
#[track_caller]
pub fn errors<C: Construct>(construct_id: &str, props: Value) -> Vec<Diagnostic> {
    match synth::<C>(construct_id, props) {
        Ok(fragment) => panic!("synth succeeded: {fragment:?}"),
        Err(errors) => errors,
    }
}

/// The one error diagnostic, as (JSON Pointer path or "", message); panics unless there is
/// exactly one.
#[track_caller]
pub fn single_error<C: Construct>(construct_id: &str, props: Value) -> (String, String) {
    let mut errors = errors::<C>(construct_id, props);
    assert_eq!(errors.len(), 1, "expected one error: {errors:?}");
    let error = errors.remove(0);
    (error.path.unwrap_or_default(), error.message)
}

/// What the derived props schema of `C` lacks by Stackweave's conventions, one line each:
/// the props type without a doc comment, each prop at any depth without a description (a doc
/// comment on its field), and each object of props that accepts props it does not name (no
/// `#[serde(deny_unknown_fields)]`). Props are named by path, `*` standing for any item or
/// key, such as `/statements/*/sid`. Empty when all is well.
///
/// ```
/// # use stackweave_plugin::{Construct, Context, Diagnostic, Fragment, Info, JsonSchema, schemars};
/// /// A topic.
/// #[derive(serde::Deserialize, JsonSchema)]
/// #[serde(deny_unknown_fields)]
/// struct TopicProps {
///     /// The topic's display name.
///     display_name: Option<String>,
///     fifo: Option<bool>,
/// }
/// # struct Topic;
/// # impl Construct for Topic {
/// #     type Props = TopicProps;
/// #     fn info() -> Info { Info { name: "topic", ..Info::default() } }
/// #     fn synth(_: &Context, _: TopicProps) -> Result<Fragment, Vec<Diagnostic>> { Ok(Fragment::new()) }
/// # }
/// assert_eq!(
///     stackweave_plugin::testing::schema_problems::<Topic>(),
///     ["/fifo has no description; give its field a doc comment"]
/// );
/// ```
pub fn schema_problems<C: Construct>() -> Vec<String> {
    let schema = crate::props_schema::<C>();
    let mut problems = Vec::new();
    if !has_description(&schema) {
        problems.push("the props have no description; give their type a doc comment".to_owned());
    }
    conventions(&schema, "", &mut problems);
    problems
}

fn has_description(schema: &Value) -> bool {
    schema["description"]
        .as_str()
        .is_some_and(|text| !text.trim().is_empty())
}

fn conventions(schema: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(properties) = schema["properties"].as_object() {
        if schema["additionalProperties"] != Value::Bool(false) {
            let which = if at.is_empty() { "the props" } else { at };
            problems.push(format!(
                "{which} accept props they do not name; give their type \
                 `#[serde(deny_unknown_fields)]`"
            ));
        }
        for (name, property) in properties {
            let path = format!("{at}/{}", pointer_token(name));
            if !has_description(property) {
                problems.push(format!(
                    "{path} has no description; give its field a doc comment"
                ));
            }
            conventions(property, &path, problems);
        }
    }
    for each in ["items", "additionalProperties"] {
        if schema[each].is_object() {
            conventions(&schema[each], &format!("{at}/*"), problems);
        }
    }
    for branches in ["anyOf", "oneOf", "allOf"] {
        for branch in schema[branches].as_array().into_iter().flatten() {
            conventions(branch, at, problems);
        }
    }
}

/// Every example in the derived props schema of `C`, with where it stands and the schema it
/// illustrates: (path of the prop, `""` for the props as a whole; the prop's schema; the
/// example). Each prop's schema stands alone (subschemas are inlined), so a test can check
/// each example against it with the validator the host uses, and the props' own examples by
/// running them.
pub fn schema_examples<C: Construct>() -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    examples(&crate::props_schema::<C>(), "", &mut found);
    found
}

fn examples(schema: &Value, at: &str, found: &mut Vec<(String, Value, Value)>) {
    for example in schema["examples"].as_array().into_iter().flatten() {
        found.push((at.to_owned(), schema.clone(), example.clone()));
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        examples(property, &format!("{at}/{}", pointer_token(name)), found);
    }
    for each in ["items", "additionalProperties"] {
        if schema[each].is_object() {
            examples(&schema[each], &format!("{at}/*"), found);
        }
    }
    for branches in ["anyOf", "oneOf", "allOf"] {
        for branch in schema[branches].as_array().into_iter().flatten() {
            examples(branch, at, found);
        }
    }
}

/// The host's messages for `props` checked against `schema` with the validator the host
/// uses, as the host prints them: `props/<path>: <message>`. Native tests only.
#[cfg(not(target_arch = "wasm32"))]
pub fn schema_errors(schema: &Value, props: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");
    validator
        .iter_errors(props)
        .map(|e| format!("props{}: {e}", e.instance_path().as_str()))
        .collect()
}

/// Asserts that `C`'s schema has at least `at_least` examples and that each fits the schema
/// it is an example of; returns them (see [`schema_examples`]). Native tests only.
#[cfg(not(target_arch = "wasm32"))]
#[track_caller]
pub fn assert_schema_examples_fit<C: Construct>(at_least: usize) -> Vec<(String, Value, Value)> {
    let examples = schema_examples::<C>();
    assert!(examples.len() >= at_least, "too few examples: {examples:?}");
    for (at, schema, example) in &examples {
        assert_eq!(schema_errors(schema, example), Vec::<String>::new(), "{at}");
    }
    examples
}
