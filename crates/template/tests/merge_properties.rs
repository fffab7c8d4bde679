//! Property tests of the merge invariants (ARCHITECTURE.md): determinism, logical-id
//! uniqueness and derivation, no dangling reference in anything accepted, and stability
//! of logical ids when an unrelated construct is added.
//!
//! Stacks are generated as a small model (construct paths, resources with references of
//! every kind, conditions, outputs, pins, parameters), turned into fragment JSON keyed by
//! local ids and fed through the public API exactly as the orchestrator does. The test
//! then predicts, with its own code, what the library should do: which calls are accepted,
//! the exact template (logical ids, rewritten references, order), and which references
//! dangle or form a cycle, and compares. Nothing here calls the library's reference
//! walker; `logical_id` is used only as the documented derivation the ids must follow.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use stackweave_template::{
    Format, Fragment, MergeError, Owner, Quotas, RefKind, Template, TemplateBuilder,
    is_valid_logical_id, logical_id,
};

/// CloudFormation's pseudo parameters, written out again so the checker owes nothing to
/// the library's list.
const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

// ----------------------------------------------------------------------------------
// The model

/// What a reference points at; indices are taken modulo what exists when it is resolved.
#[derive(Clone, Debug)]
enum Target {
    /// A resource of the same fragment listed before this one (acyclic by construction).
    Before(usize),
    /// Any resource of the same fragment, itself included (may make a cycle).
    AnyLocal(usize),
    /// A resource of an earlier construct, by the logical id it should have; passed as an
    /// external id, as the orchestrator passes the ids a construct's props point at.
    Earlier(usize, usize),
    /// A stack-file parameter.
    Param(usize),
    /// A pseudo parameter.
    Pseudo(usize),
    /// A name that may or may not exist (never starting with `Z`; see `unrelated`).
    Random(String),
}

/// How a reference is written.
#[derive(Clone, Debug)]
enum Use {
    Ref,
    GetAtt,
    GetAttDotted,
    Sub,
    SubAttribute,
    /// `Fn::Sub` list form whose variable map defines this name.
    SubList(String),
    DependsOn,
}

/// A condition name: one of the fragment's own conditions, or any name.
#[derive(Clone, Debug)]
enum CondRef {
    Local(usize),
    Random(String),
}

#[derive(Clone, Debug)]
struct ResourceSpec {
    local: String,
    kind: String,
    uses: Vec<(Use, Target)>,
    condition: Option<CondRef>,
}

#[derive(Clone, Debug)]
enum ConditionSpec {
    Equals(Target),
    Not(CondRef),
}

#[derive(Clone, Debug)]
struct ConstructSpec {
    path: Vec<String>,
    resources: Vec<ResourceSpec>,
    conditions: Vec<(String, ConditionSpec)>,
    outputs: Vec<(String, Use, Target, Option<CondRef>)>,
    /// Pins: a local id by index into all local ids (`None`: a local id the fragment does
    /// not have), and the logical id to use.
    pins: Vec<(Option<usize>, String)>,
}

#[derive(Clone, Debug)]
struct StackSpec {
    /// A clean stack has no deliberately broken reference (no `Random` target, nothing
    /// that may form a cycle), so that most clean stacks are accepted and the checks on
    /// accepted templates see large templates; pins, ids and quotas still collide.
    clean: bool,
    parameters: Vec<String>,
    constructs: Vec<ConstructSpec>,
    outputs: Vec<(String, Target)>,
    quotas: Quotas,
}

// ----------------------------------------------------------------------------------
// Strategies

/// Path components: short, so concatenations collide (`A`+`Bc` against `Ab`+`C`).
fn component() -> impl Strategy<Value = String> {
    "[A-Y][a-c1]{0,2}"
}

fn local_id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("Resource".to_owned()),
        1 => Just("Role".to_owned()),
        1 => Just("Q".to_owned()),
        2 => "[A-Ya-c1][a-c1]{0,2}",
    ]
}

fn random_name() -> impl Strategy<Value = String> {
    "[A-Y][a-c1]{0,3}"
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        4 => any::<usize>().prop_map(Target::Before),
        1 => any::<usize>().prop_map(Target::AnyLocal),
        4 => (any::<usize>(), any::<usize>()).prop_map(|(c, r)| Target::Earlier(c, r)),
        2 => any::<usize>().prop_map(Target::Param),
        1 => any::<usize>().prop_map(Target::Pseudo),
        1 => random_name().prop_map(Target::Random),
    ]
}

fn use_kind() -> impl Strategy<Value = Use> {
    prop_oneof![
        Just(Use::Ref),
        Just(Use::GetAtt),
        Just(Use::GetAttDotted),
        Just(Use::Sub),
        Just(Use::SubAttribute),
        "[A-Y][a-c]?".prop_map(Use::SubList),
        Just(Use::DependsOn),
    ]
}

fn cond_ref() -> impl Strategy<Value = CondRef> {
    prop_oneof![
        4 => any::<usize>().prop_map(CondRef::Local),
        1 => random_name().prop_map(CondRef::Random),
    ]
}

fn resource() -> impl Strategy<Value = ResourceSpec> {
    (
        local_id(),
        "AWS::[A-Z][a-z]{1,3}::[A-Z][a-z]{1,3}",
        vec((use_kind(), target()), 0..3),
        option::weighted(0.15, cond_ref()),
    )
        .prop_map(|(local, kind, uses, condition)| ResourceSpec {
            local,
            kind,
            uses,
            condition,
        })
}

fn condition() -> impl Strategy<Value = (String, ConditionSpec)> {
    let spec = prop_oneof![
        3 => target().prop_map(ConditionSpec::Equals),
        1 => cond_ref().prop_map(ConditionSpec::Not),
    ];
    (local_id(), spec)
}

fn pin() -> impl Strategy<Value = (Option<usize>, String)> {
    let logical = prop_oneof![
        9 => "[A-Y][A-Za-z1]{0,3}",
        1 => Just("bad-id".to_owned()),
    ];
    (option::weighted(0.9, any::<usize>()), logical)
}

fn construct() -> impl Strategy<Value = ConstructSpec> {
    let output = (
        local_id(),
        use_kind(),
        target(),
        option::weighted(0.1, cond_ref()),
    );
    (
        vec(component(), 1..=2),
        vec(resource(), 0..4),
        vec(condition(), 0..2),
        vec(output, 0..2),
        prop_oneof![4 => Just(Vec::new()), 1 => vec(pin(), 1..=2)],
    )
        .prop_map(
            |(path, resources, conditions, outputs, pins)| ConstructSpec {
                path,
                resources,
                conditions,
                outputs,
                pins,
            },
        )
}

fn quotas() -> impl Strategy<Value = Quotas> {
    prop_oneof![
        4 => Just(Quotas::default()),
        1 => (1..12usize, 1..6usize, 1..4usize).prop_map(|(resources, outputs, parameters)| {
            Quotas {
                resources,
                outputs,
                parameters,
                ..Quotas::default()
            }
        }),
    ]
}

fn stack() -> impl Strategy<Value = StackSpec> {
    (
        any::<bool>(),
        vec("[A-Y][a-c]{0,2}", 0..3),
        vec(construct(), 0..6),
        vec(("[A-Y][a-c1]{0,2}", target()), 0..2),
        quotas(),
    )
        .prop_map(
            |(clean, parameters, constructs, outputs, quotas)| StackSpec {
                clean,
                parameters,
                constructs,
                outputs,
                quotas,
            },
        )
}

// ----------------------------------------------------------------------------------
// Turning the model into fragments, and predicting the template

/// One construct, resolved: local ids deduplicated (the first wins, as in a JSON object
/// written by a plugin), and each local id's expected logical id.
struct Resolved {
    path: Vec<String>,
    resources: Vec<ResourceSpec>,
    conditions: Vec<(String, ConditionSpec)>,
    outputs: Vec<(String, Use, Target, Option<CondRef>)>,
    pins: Vec<(String, String)>,
    /// Local id to logical id, per section.
    resource_ids: BTreeMap<String, String>,
    condition_ids: BTreeMap<String, String>,
    output_ids: BTreeMap<String, String>,
}

fn dedup<T: Clone>(items: &[T], key: impl Fn(&T) -> &String) -> Vec<T> {
    let mut seen = BTreeSet::new();
    items
        .iter()
        .filter(|item| seen.insert(key(item).clone()))
        .cloned()
        .collect()
}

fn resolve_construct(spec: &ConstructSpec) -> Resolved {
    let resources = dedup(&spec.resources, |r| &r.local);
    let conditions = dedup(&spec.conditions, |c| &c.0);
    let outputs = dedup(&spec.outputs, |o| &o.0);
    let all_locals: Vec<&String> = resources
        .iter()
        .map(|r| &r.local)
        .chain(conditions.iter().map(|c| &c.0))
        .chain(outputs.iter().map(|o| &o.0))
        .collect();
    let pins: Vec<(String, String)> = spec
        .pins
        .iter()
        .map(|(local, logical)| {
            let local = match local {
                Some(i) if !all_locals.is_empty() => all_locals[i % all_locals.len()].clone(),
                _ => "NotALocal".to_owned(),
            };
            (local, logical.clone())
        })
        .collect();
    // The documented rule: a pin (the last one for a local id) or the derived id.
    let expected = |local: &String| {
        pins.iter()
            .rev()
            .find(|(l, _)| l == local)
            .map(|(_, logical)| logical.clone())
            .unwrap_or_else(|| logical_id(&spec.path, local))
    };
    let ids = |locals: Vec<&String>| {
        locals
            .into_iter()
            .map(|l| (l.clone(), expected(l)))
            .collect::<BTreeMap<_, _>>()
    };
    Resolved {
        path: spec.path.clone(),
        resource_ids: ids(resources.iter().map(|r| &r.local).collect()),
        condition_ids: ids(conditions.iter().map(|c| &c.0).collect()),
        output_ids: ids(outputs.iter().map(|o| &o.0).collect()),
        resources,
        conditions,
        outputs,
        pins,
    }
}

/// The name a target resolves to, for construct `index`'s resource at `position` (the
/// number of resources before it; all of them for outputs), and whether it is an external
/// id (one the orchestrator would pass because the construct's props point at it).
///
/// Targets that cannot name anything where they are used fall back to something that
/// can. In a clean stack, `Random` and `AnyLocal` targets become `Before`, and a reference
/// that must name a resource when none exists yet resolves to `None` and is left out.
fn target_name(
    target: &Target,
    needs_resource: bool,
    stack: &StackSpec,
    resolved: &[Resolved],
    index: usize,
    position: usize,
) -> Option<(String, bool)> {
    let own: &[ResourceSpec] = resolved.get(index).map_or(&[], |c| &c.resources);
    let before = &own[..position.min(own.len())];
    // Other resources of this construct, for when nothing earlier exists (may cycle).
    let others: Vec<&ResourceSpec> = own
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != position && !stack.clean)
        .map(|(_, r)| r)
        .collect();
    let earlier = |k: usize, r: usize| {
        let candidates: Vec<&Resolved> = resolved[..index.min(resolved.len())]
            .iter()
            .filter(|c| !c.resources.is_empty())
            .collect();
        if let Some(earlier) = candidates.get(k % candidates.len().max(1)) {
            let resource = &earlier.resources[r % earlier.resources.len()];
            return Some((earlier.resource_ids[&resource.local].clone(), true));
        }
        if let Some(resource) = before.get(k % before.len().max(1)) {
            return Some((resource.local.clone(), false));
        }
        match others.get(k % others.len().max(1)) {
            Some(resource) => Some((resource.local.clone(), false)),
            None if stack.clean && needs_resource => None,
            None => Some(("AWS::StackName".to_owned(), true)),
        }
    };
    let cleaned;
    let target = match target {
        Target::Random(name) if stack.clean => {
            cleaned = Target::Before(name.len());
            &cleaned
        }
        Target::AnyLocal(k) if stack.clean => {
            cleaned = Target::Before(*k);
            &cleaned
        }
        other => other,
    };
    match target {
        Target::Before(k) if !before.is_empty() => {
            Some((before[k % before.len()].local.clone(), false))
        }
        Target::AnyLocal(k) if !own.is_empty() => Some((own[k % own.len()].local.clone(), false)),
        Target::Before(k) | Target::AnyLocal(k) => earlier(*k, *k),
        Target::Earlier(k, r) => earlier(*k, *r),
        Target::Param(p) | Target::Pseudo(p) if needs_resource => earlier(*p, *p),
        Target::Param(p) => match stack.parameters.get(p % stack.parameters.len().max(1)) {
            Some(name) => Some((name.clone(), true)),
            None => Some(("AWS::Region".to_owned(), true)),
        },
        Target::Pseudo(p) => {
            let name = ["AWS::Region", "AWS::StackName", "AWS::NoValue"][p % 3];
            Some((name.to_owned(), true))
        }
        Target::Random(name) => Some((name.clone(), false)),
    }
}

/// Whether a reference written this way must name a resource.
fn needs_resource(kind: &Use) -> bool {
    matches!(
        kind,
        Use::GetAtt | Use::GetAttDotted | Use::SubAttribute | Use::DependsOn
    )
}

/// A condition name, or `None` for a local condition in a fragment that has none.
fn cond_name(cond: &CondRef, resolved: &Resolved, clean: bool) -> Option<String> {
    match cond {
        CondRef::Random(name) if !clean => Some(name.clone()),
        CondRef::Local(_) | CondRef::Random(_) if !resolved.conditions.is_empty() => {
            let k = match cond {
                CondRef::Local(k) => *k,
                CondRef::Random(name) => name.len(),
            };
            Some(resolved.conditions[k % resolved.conditions.len()].0.clone())
        }
        _ => None,
    }
}

/// A reference as an expression; `rename` maps a resource name to what it should read in
/// the template (identity for the fragment's own JSON).
fn use_expr(kind: &Use, name: &str, rename: &dyn Fn(&str) -> String) -> Value {
    let n = rename(name);
    match kind {
        Use::Ref | Use::DependsOn => json!({"Ref": n}),
        Use::GetAtt => json!({"Fn::GetAtt": [n, "Arn"]}),
        Use::GetAttDotted => json!({"Fn::GetAtt": format!("{n}.Arn")}),
        Use::Sub => json!({"Fn::Sub": format!("x-${{{n}}}-${{!Lit}}")}),
        Use::SubAttribute => json!({"Fn::Sub": format!("${{{n}.Arn}}/y")}),
        // A name the variable map defines is the map's, never a template id.
        Use::SubList(var) => {
            let n = if name == var { name.to_owned() } else { n };
            json!({"Fn::Sub": [format!("${{{var}}}:${{{n}}}"), {var.clone(): "v"}]})
        }
    }
}

/// One construct as the plugin writes it (`local`) and as the template should hold it.
struct Built {
    fragment: Value,
    external: BTreeSet<String>,
    attributes: Vec<(String, Value)>,
    /// Expected entries, per section, as (logical id, value), in fragment order.
    resources: Vec<(String, Value)>,
    conditions: Vec<(String, Value)>,
    outputs: Vec<(String, Value)>,
    expected_attributes: Vec<(String, Value)>,
}

fn build_construct(stack: &StackSpec, resolved: &[Resolved], index: usize) -> Built {
    let c = &resolved[index];
    let mut external = BTreeSet::new();
    let mut name_of = |kind: &Use, target: &Target, position: usize| {
        let (name, is_external) = target_name(
            target,
            needs_resource(kind),
            stack,
            resolved,
            index,
            position,
        )?;
        if is_external {
            external.insert(name.clone());
        }
        Some(name)
    };
    let identity = |n: &str| n.to_owned();
    let to_logical = |n: &str| {
        c.resource_ids
            .get(n)
            .cloned()
            .unwrap_or_else(|| n.to_owned())
    };
    let cond_logical = |n: &str| {
        c.condition_ids
            .get(n)
            .cloned()
            .unwrap_or_else(|| n.to_owned())
    };

    // Each entry is built twice: as written (local ids) and as expected (logical ids).
    let mut local_resources = Map::new();
    let mut resources = Vec::new();
    for (position, r) in c.resources.iter().enumerate() {
        let uses: Vec<(Use, String)> = r
            .uses
            .iter()
            .filter_map(|(u, t)| Some((u.clone(), name_of(u, t, position)?)))
            .collect();
        let cond = r
            .condition
            .as_ref()
            .and_then(|cr| cond_name(cr, c, stack.clean));
        let entry = |rename: &dyn Fn(&str) -> String, cond_rename: &dyn Fn(&str) -> String| {
            let mut fields = Map::new();
            fields.insert("Type".into(), json!(r.kind));
            let mut properties = Map::new();
            let mut depends = Vec::new();
            for (i, (u, name)) in uses.iter().enumerate() {
                match u {
                    Use::DependsOn => depends.push(Value::String(rename(name))),
                    _ => {
                        properties.insert(format!("P{i}"), use_expr(u, name, rename));
                    }
                }
            }
            if !properties.is_empty() {
                fields.insert("Properties".into(), Value::Object(properties));
            }
            if !depends.is_empty() {
                fields.insert("DependsOn".into(), Value::Array(depends));
            }
            if let Some(cond) = &cond {
                fields.insert("Condition".into(), json!(cond_rename(cond)));
            }
            Value::Object(fields)
        };
        local_resources.insert(r.local.clone(), entry(&identity, &identity));
        resources.push((
            c.resource_ids[&r.local].clone(),
            entry(&to_logical, &cond_logical),
        ));
    }

    let mut local_conditions = Map::new();
    let mut conditions = Vec::new();
    let all = c.resources.len();
    for (local, spec) in &c.conditions {
        let (written, expected) = match spec {
            ConditionSpec::Equals(t) => {
                // `Ref` needs no resource, so some name always exists.
                let name = name_of(&Use::Ref, t, all).unwrap();
                (
                    json!({"Fn::Equals": [{"Ref": name}, "prod"]}),
                    json!({"Fn::Equals": [{"Ref": to_logical(&name)}, "prod"]}),
                )
            }
            ConditionSpec::Not(cr) => {
                // The fragment has at least this condition, so a local one always exists.
                let name = cond_name(cr, c, stack.clean).unwrap_or_else(|| local.clone());
                (
                    json!({"Fn::Not": [{"Condition": name}]}),
                    json!({"Fn::Not": [{"Condition": cond_logical(&name)}]}),
                )
            }
        };
        local_conditions.insert(local.clone(), written);
        conditions.push((c.condition_ids[local].clone(), expected));
    }

    let mut local_outputs = Map::new();
    let mut outputs = Vec::new();
    for (local, u, t, cr) in &c.outputs {
        let (u, name) = match name_of(u, t, all) {
            Some(name) => (u.clone(), name),
            None => (Use::Ref, "AWS::Region".to_owned()),
        };
        let u = &u;
        let cond = cr.as_ref().and_then(|cr| cond_name(cr, c, stack.clean));
        let entry = |rename: &dyn Fn(&str) -> String, cond_rename: &dyn Fn(&str) -> String| {
            let mut fields = Map::new();
            fields.insert("Value".into(), use_expr(u, &name, rename));
            if let Some(cond) = &cond {
                fields.insert("Condition".into(), json!(cond_rename(cond)));
            }
            Value::Object(fields)
        };
        local_outputs.insert(local.clone(), entry(&identity, &identity));
        outputs.push((
            c.output_ids[local].clone(),
            entry(&to_logical, &cond_logical),
        ));
    }

    // What the construct exports: its first resource, by `Ref` and `Fn::GetAtt`.
    let main = c
        .resources
        .first()
        .map_or("Resource".to_owned(), |r| r.local.clone());
    let attributes = vec![
        ("ref".to_owned(), json!({"Ref": main})),
        ("arn".to_owned(), json!({"Fn::GetAtt": [main, "Arn"]})),
    ];
    let expected_attributes = vec![
        ("ref".to_owned(), json!({"Ref": to_logical(&main)})),
        (
            "arn".to_owned(),
            json!({"Fn::GetAtt": [to_logical(&main), "Arn"]}),
        ),
    ];

    let mut fragment = Map::new();
    fragment.insert("Resources".into(), Value::Object(local_resources));
    if !local_conditions.is_empty() {
        fragment.insert("Conditions".into(), Value::Object(local_conditions));
    }
    if !local_outputs.is_empty() {
        fragment.insert("Outputs".into(), Value::Object(local_outputs));
    }
    Built {
        fragment: Value::Object(fragment),
        external,
        attributes,
        resources,
        conditions,
        outputs,
        expected_attributes,
    }
}

/// An expected template entry: section, logical id, value.
type Entry = (&'static str, &'static str, Value);

/// The construct the stability property adds: it references nothing but itself and a
/// pseudo parameter, nothing references it, and its ids start with `Z`, which no other
/// generated name does. Returns its path, fragment, and expected entries as (section,
/// logical id, value).
fn unrelated() -> (Vec<String>, Value, Vec<Entry>) {
    let fragment = json!({
        "Resources": {
            "Resource": {"Type": "Custom::Unrelated", "Properties": {"Region": {"Ref": "AWS::Region"}}},
            "Q": {"Type": "Custom::Q", "DependsOn": "Resource"}
        },
        "Outputs": {"Out": {"Value": {"Ref": "Resource"}}}
    });
    let entries = vec![
        (
            "Resources",
            "Zz",
            json!({"Type": "Custom::Unrelated", "Properties": {"Region": {"Ref": "AWS::Region"}}}),
        ),
        (
            "Resources",
            "ZzQ",
            json!({"Type": "Custom::Q", "DependsOn": "Zz"}),
        ),
        ("Outputs", "ZzOut", json!({"Value": {"Ref": "Zz"}})),
    ];
    (vec!["Zz".to_owned()], fragment, entries)
}

// ----------------------------------------------------------------------------------
// Running a stack through the library

/// Everything observable from one run, for determinism and stability comparisons.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// Per call, the library's answer (rewritten attributes or the error), keyed so that
    /// an inserted unrelated construct can be left out.
    steps: Vec<(String, String)>,
    /// `Ok((yaml, json))`, or the finish errors.
    result: Result<(String, String), Vec<MergeError>>,
}

struct Run {
    outcome: Outcome,
    template: Option<Template>,
    /// The template the test expects, assembled from its own predictions.
    expected: Value,
    /// Which constructs the test predicted accepted, with what their entries should be.
    accepted: Vec<Option<Built>>,
}

/// Runs `stack` through the library, inserting the unrelated construct before construct
/// `insert_at` if given, and checks each call's acceptance against the prediction.
fn run(stack: &StackSpec, insert_at: Option<usize>) -> Run {
    let resolved: Vec<Resolved> = stack.constructs.iter().map(resolve_construct).collect();
    let mut builder = TemplateBuilder::new(None);
    let mut steps = Vec::new();
    // The test's own view of taken ids: resources and parameters share a namespace.
    let mut taken_resource_ns: BTreeSet<String> = BTreeSet::new();
    let mut taken_conditions: BTreeSet<String> = BTreeSet::new();
    let mut taken_outputs: BTreeSet<String> = BTreeSet::new();
    let mut parameters = Map::new();
    let mut sections: [Vec<(String, Value)>; 3] = Default::default();
    let mut stack_outputs = Vec::new();
    let mut quotas = stack.quotas;

    for name in &stack.parameters {
        let predicted = is_valid_logical_id(name) && !taken_resource_ns.contains(name);
        let result = builder.add_parameter(name, json!({"Type": "String"}));
        assert_eq!(
            result.is_ok(),
            predicted,
            "add_parameter({name}): {result:?}"
        );
        if result.is_ok() {
            taken_resource_ns.insert(name.clone());
            parameters.insert(name.clone(), json!({"Type": "String"}));
        }
        steps.push((format!("parameter {name}"), format!("{result:?}")));
    }

    let mut accepted = Vec::new();
    for index in 0..=stack.constructs.len() {
        if insert_at == Some(index) {
            let (path, fragment, entries) = unrelated();
            let fragment = Fragment::from_json(&fragment.to_string()).unwrap();
            let result = builder.add_fragment(&path, fragment, &[], &BTreeSet::new(), vec![]);
            assert!(
                result.is_ok(),
                "the unrelated construct was refused: {result:?}"
            );
            for (section, id, value) in entries {
                if section == "Resources" {
                    taken_resource_ns.insert(id.to_owned());
                    sections[1].push((id.to_owned(), value));
                } else {
                    taken_outputs.insert(id.to_owned());
                    sections[2].push((id.to_owned(), value));
                }
            }
            quotas.resources += 2;
            quotas.outputs += 1;
        }
        if index == stack.constructs.len() {
            break;
        }
        let c = &resolved[index];
        let built = build_construct(stack, &resolved, index);
        let fragment = Fragment::from_json(&built.fragment.to_string()).unwrap();

        let predicted = predict_add(
            c,
            &built,
            &taken_resource_ns,
            &taken_conditions,
            &taken_outputs,
        );
        let before = builder.clone();
        let result = builder.add_fragment(
            &c.path,
            fragment,
            &c.pins,
            &built.external,
            built.attributes.clone(),
        );
        assert_eq!(
            result.is_ok(),
            predicted,
            "add_fragment of construct {index} ({:?}): {result:?}\nfragment {}",
            c.path,
            built.fragment
        );
        steps.push((format!("construct {index}"), format!("{result:?}")));
        match result {
            Ok(attributes) => {
                assert_eq!(
                    attributes, built.expected_attributes,
                    "attributes of construct {index}"
                );
                taken_resource_ns.extend(built.resources.iter().map(|(id, _)| id.clone()));
                taken_conditions.extend(built.conditions.iter().map(|(id, _)| id.clone()));
                taken_outputs.extend(built.outputs.iter().map(|(id, _)| id.clone()));
                sections[0].extend(built.conditions.iter().cloned());
                sections[1].extend(built.resources.iter().cloned());
                sections[2].extend(built.outputs.iter().cloned());
                accepted.push(Some(built));
            }
            Err(_) => {
                // "On error the builder is left unchanged."
                assert_eq!(
                    finish_outcome(before, &quotas),
                    finish_outcome(builder.clone(), &quotas),
                    "a refused add_fragment changed the builder"
                );
                accepted.push(None);
            }
        }
    }

    for (name, target) in &stack.outputs {
        let (target_name, _) =
            target_name(target, false, stack, &resolved, resolved.len(), 0).unwrap();
        let value = json!({"Value": {"Ref": target_name}});
        let predicted = is_valid_logical_id(name) && !taken_outputs.contains(name);
        let result = builder.add_output(name, value.clone());
        assert_eq!(result.is_ok(), predicted, "add_output({name}): {result:?}");
        if result.is_ok() {
            taken_outputs.insert(name.clone());
            stack_outputs.push((name.clone(), value));
        }
        steps.push((format!("output {name}"), format!("{result:?}")));
    }

    let expected = assemble(parameters, sections, stack_outputs);
    let (result, template) = match builder.finish(&quotas) {
        Ok(template) => {
            let yaml = template.render(Format::Yaml, &Quotas::default()).unwrap();
            let json = template.render(Format::Json, &Quotas::default()).unwrap();
            (Ok((yaml, json)), Some(template))
        }
        Err(errors) => (Err(errors), None),
    };
    check_finish(&expected, &result, &quotas);
    Run {
        outcome: Outcome { steps, result },
        template,
        expected,
        accepted,
    }
}

fn finish_outcome(builder: TemplateBuilder, quotas: &Quotas) -> Result<String, Vec<MergeError>> {
    builder
        .finish(quotas)
        .map(|t| t.render(Format::Json, &Quotas::default()).unwrap())
}

/// Whether `add_fragment` should accept this construct, by the documented rules.
fn predict_add(
    c: &Resolved,
    built: &Built,
    taken_resource_ns: &BTreeSet<String>,
    taken_conditions: &BTreeSet<String>,
    taken_outputs: &BTreeSet<String>,
) -> bool {
    let has_local = |l: &String| {
        c.resource_ids.contains_key(l)
            || c.condition_ids.contains_key(l)
            || c.output_ids.contains_key(l)
    };
    let pins_ok = c
        .pins
        .iter()
        .all(|(local, logical)| has_local(local) && is_valid_logical_id(logical));
    let ambiguous = built
        .external
        .iter()
        .any(|id| c.resource_ids.contains_key(id) || c.condition_ids.contains_key(id));
    let free = |ids: &BTreeMap<String, String>, taken: &BTreeSet<String>| {
        let mut seen = BTreeSet::new();
        ids.values()
            .all(|id| is_valid_logical_id(id) && !taken.contains(id) && seen.insert(id))
    };
    pins_ok
        && !ambiguous
        && free(&c.resource_ids, taken_resource_ns)
        && free(&c.condition_ids, taken_conditions)
        && free(&c.output_ids, taken_outputs)
}

/// The template the test expects: the customary section order, empty sections other
/// than `Resources` left out, entries in the order they were added.
fn assemble(
    parameters: Map<String, Value>,
    [conditions, resources, outputs]: [Vec<(String, Value)>; 3],
    stack_outputs: Vec<(String, Value)>,
) -> Value {
    let mut top = Map::new();
    top.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    if !parameters.is_empty() {
        top.insert("Parameters".into(), Value::Object(parameters));
    }
    if !conditions.is_empty() {
        top.insert(
            "Conditions".into(),
            Value::Object(conditions.into_iter().collect()),
        );
    }
    top.insert(
        "Resources".into(),
        Value::Object(resources.into_iter().collect()),
    );
    let outputs: Map<String, Value> = outputs.into_iter().chain(stack_outputs).collect();
    if !outputs.is_empty() {
        top.insert("Outputs".into(), Value::Object(outputs));
    }
    Value::Object(top)
}

/// `finish` must accept exactly when the expected template has a resource, no dangling
/// reference, no dependency cycle and fits the quotas, and must report precisely those
/// problems.
fn check_finish(
    expected: &Value,
    result: &Result<(String, String), Vec<MergeError>>,
    quotas: &Quotas,
) {
    let dangling: BTreeSet<(RefKind, String)> = Checker::new(expected).run().into_iter().collect();
    let edges = dependency_edges(expected);
    let has_cycle = has_cycle(&edges);
    let condition_edges = condition_edges(expected);
    let has_condition_cycle = self::has_cycle(&condition_edges);
    let empty = keys(expected, "Resources").is_empty();
    let mut over = Vec::new();
    for (quota, section, limit) in [
        ("resources", "Resources", quotas.resources),
        ("outputs", "Outputs", quotas.outputs),
        ("parameters", "Parameters", quotas.parameters),
    ] {
        let actual = keys(expected, section).len();
        if actual > limit {
            over.push((quota, limit, actual));
        }
    }
    match result {
        Ok(_) => {
            assert!(
                dangling.is_empty(),
                "accepted with dangling references {dangling:?}"
            );
            assert!(!has_cycle, "accepted with a dependency cycle");
            assert!(!has_condition_cycle, "accepted with a cycle of conditions");
            assert!(!empty, "accepted without resources");
            assert!(over.is_empty(), "accepted over quota {over:?}");
        }
        Err(errors) => {
            let mut reported_dangling = BTreeSet::new();
            let mut reported_over = Vec::new();
            let mut cycles = 0;
            let mut condition_cycles = 0;
            let mut reported_empty = false;
            for error in errors {
                match error {
                    MergeError::NoResources => reported_empty = true,
                    MergeError::DanglingReference { kind, target, .. } => {
                        reported_dangling.insert((*kind, target.clone()));
                    }
                    MergeError::DependencyCycle { cycle } => {
                        cycles += 1;
                        let ids: Vec<&str> = cycle.iter().map(|(id, _)| id.as_str()).collect();
                        assert!(!ids.is_empty(), "an empty cycle");
                        // Each resource on the reported cycle depends on the next, and
                        // the last on the first.
                        for (i, id) in ids.iter().enumerate() {
                            let next = ids[(i + 1) % ids.len()];
                            let deps = edges
                                .get(*id)
                                .unwrap_or_else(|| panic!("{id} is no resource"));
                            assert!(
                                deps.contains(next),
                                "cycle {ids:?}: {id} does not depend on {next}"
                            );
                        }
                    }
                    MergeError::ConditionCycle { cycle } => {
                        condition_cycles += 1;
                        let ids: Vec<&str> = cycle.iter().map(|(id, _)| id.as_str()).collect();
                        for (i, id) in ids.iter().enumerate() {
                            let next = ids[(i + 1) % ids.len()];
                            assert!(
                                condition_edges.get(*id).is_some_and(|d| d.contains(next)),
                                "condition cycle {ids:?}: {id} does not name {next}"
                            );
                        }
                    }
                    MergeError::QuotaExceeded {
                        quota,
                        limit,
                        actual,
                    } => reported_over.push((*quota, *limit, *actual)),
                    other => panic!("finish reported {other:?}"),
                }
            }
            assert_eq!(reported_dangling, dangling, "dangling references");
            assert_eq!(
                cycles,
                usize::from(has_cycle),
                "cycles reported: {errors:?}"
            );
            assert_eq!(
                condition_cycles,
                usize::from(has_condition_cycle),
                "condition cycles reported: {errors:?}"
            );
            assert_eq!(reported_over, over, "quota errors");
            assert_eq!(reported_empty, empty, "no-resources error");
        }
    }
}

// ----------------------------------------------------------------------------------
// The independent reference checker

fn keys<'v>(template: &'v Value, section: &str) -> BTreeSet<&'v str> {
    template
        .get(section)
        .and_then(Value::as_object)
        .map(|entries| entries.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Finds references that name nothing, reading CloudFormation's rules off its
/// documentation: `Ref` and `${X}` name a resource, parameter or pseudo parameter;
/// `Fn::GetAtt`, `${X.A}` and `DependsOn` a resource; `Condition` attributes, the first
/// argument of `Fn::If` and `{"Condition": X}` operands a condition.
struct Checker<'v> {
    template: &'v Value,
    resources: BTreeSet<&'v str>,
    parameters: BTreeSet<&'v str>,
    conditions: BTreeSet<&'v str>,
    found: Vec<(RefKind, String)>,
    /// Collect every resource referenced instead (for dependency edges).
    edges_only: bool,
    targets: BTreeSet<String>,
}

impl<'v> Checker<'v> {
    fn new(template: &'v Value) -> Self {
        Checker {
            template,
            resources: keys(template, "Resources"),
            parameters: keys(template, "Parameters"),
            conditions: keys(template, "Conditions"),
            found: Vec::new(),
            edges_only: false,
            targets: BTreeSet::new(),
        }
    }

    fn run(mut self) -> Vec<(RefKind, String)> {
        let template = self.template;
        let section = |name: &str| template.get(name).and_then(Value::as_object);
        for condition in section("Conditions").into_iter().flat_map(Map::values) {
            self.condition(condition);
        }
        for resource in section("Resources").into_iter().flat_map(Map::values) {
            self.entry(resource, true);
        }
        for output in section("Outputs").into_iter().flat_map(Map::values) {
            self.entry(output, false);
        }
        self.found
    }

    fn need(&mut self, kind: RefKind, id: &str, shown: String) {
        if self.edges_only {
            if kind != RefKind::Condition {
                self.targets.insert(id.to_owned());
            }
            return;
        }
        let is_resource = self.resources.contains(id);
        let ok = match kind {
            RefKind::GetAtt | RefKind::DependsOn => is_resource,
            RefKind::Sub if shown.contains('.') => is_resource,
            RefKind::Ref | RefKind::Sub => {
                is_resource || self.parameters.contains(id) || PSEUDO.contains(&id)
            }
            RefKind::Condition => self.conditions.contains(id),
        };
        if !ok {
            self.found.push((kind, shown));
        }
    }

    fn entry(&mut self, entry: &Value, is_resource: bool) {
        let Value::Object(fields) = entry else {
            return self.expr(entry);
        };
        for (key, field) in fields {
            match (key.as_str(), field) {
                ("Condition", Value::String(name)) => {
                    self.need(RefKind::Condition, name, name.clone())
                }
                ("DependsOn", Value::String(id)) if is_resource => {
                    self.need(RefKind::DependsOn, id, id.clone())
                }
                ("DependsOn", Value::Array(ids)) if is_resource => {
                    for id in ids {
                        match id {
                            Value::String(id) => self.need(RefKind::DependsOn, id, id.clone()),
                            other => self.expr(other),
                        }
                    }
                }
                _ => self.expr(field),
            }
        }
    }

    fn condition(&mut self, value: &Value) {
        if let Some(object) = value.as_object()
            && object.len() == 1
            && let Some(Value::String(name)) = object.get("Condition")
        {
            return self.need(RefKind::Condition, name, name.clone());
        }
        self.expr(value);
    }

    fn expr(&mut self, value: &Value) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| self.expr(item)),
            Value::Object(object) if object.len() == 1 => {
                for (function, argument) in object {
                    self.function(function, argument);
                }
            }
            Value::Object(object) => object.values().for_each(|v| self.expr(v)),
            _ => {}
        }
    }

    fn function(&mut self, function: &str, argument: &Value) {
        match (function, argument) {
            ("Ref", Value::String(id)) => self.need(RefKind::Ref, id, id.clone()),
            ("Fn::GetAtt", Value::String(dotted)) => {
                let id = dotted.split('.').next().unwrap_or_default();
                self.need(RefKind::GetAtt, id, id.to_owned());
            }
            ("Fn::GetAtt", Value::Array(args)) => {
                for (position, arg) in args.iter().enumerate() {
                    match arg {
                        Value::String(id) if position == 0 => {
                            self.need(RefKind::GetAtt, id, id.clone())
                        }
                        other => self.expr(other),
                    }
                }
            }
            ("Fn::Sub", Value::String(template)) => self.sub(template, None),
            ("Fn::Sub", Value::Array(args)) => match args.split_first() {
                Some((Value::String(template), rest)) => {
                    self.sub(template, rest.first().and_then(Value::as_object));
                    rest.iter().for_each(|v| self.expr(v));
                }
                _ => args.iter().for_each(|v| self.expr(v)),
            },
            ("Fn::If", Value::Array(args)) => {
                for (position, arg) in args.iter().enumerate() {
                    match arg {
                        Value::String(name) if position == 0 => {
                            self.need(RefKind::Condition, name, name.clone())
                        }
                        other => self.expr(other),
                    }
                }
            }
            ("Fn::And" | "Fn::Or" | "Fn::Not", Value::Array(operands)) => {
                operands.iter().for_each(|operand| self.condition(operand));
            }
            _ => self.expr(argument),
        }
    }

    fn sub(&mut self, template: &str, variables: Option<&Map<String, Value>>) {
        let mut rest = template;
        while let Some(open) = rest.find("${") {
            rest = &rest[open + 2..];
            if let Some(after) = rest.strip_prefix('!') {
                rest = after;
                continue;
            }
            let Some(close) = rest.find('}') else {
                return;
            };
            let variable = &rest[..close];
            rest = &rest[close + 1..];
            let name = variable.split('.').next().unwrap_or_default();
            if variables.is_some_and(|v| v.contains_key(name)) {
                continue;
            }
            self.need(RefKind::Sub, name, variable.to_owned());
        }
    }
}

/// For each resource, the resources it references (every kind but conditions).
fn dependency_edges(template: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let resources = template.get("Resources").and_then(Value::as_object);
    let ids = keys(template, "Resources");
    let mut edges = BTreeMap::new();
    for (id, resource) in resources.into_iter().flatten() {
        let mut checker = Checker::new(template);
        checker.edges_only = true;
        checker.entry(resource, true);
        let targets = checker
            .targets
            .into_iter()
            .filter(|t| ids.contains(t.as_str()))
            .collect();
        edges.insert(id.clone(), targets);
    }
    edges
}

/// For each condition, the conditions its definition names: in the generated fragments, the
/// operand of `{"Fn::Not": [{"Condition": X}]}`, CloudFormation's way of defining one
/// condition through another.
fn condition_edges(template: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let conditions = template.get("Conditions").and_then(Value::as_object);
    let ids = keys(template, "Conditions");
    conditions
        .into_iter()
        .flatten()
        .map(|(id, definition)| {
            let named = definition
                .pointer("/Fn::Not/0/Condition")
                .and_then(Value::as_str)
                .filter(|name| ids.contains(name))
                .map(str::to_owned);
            (id.clone(), named.into_iter().collect())
        })
        .collect()
}

fn has_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> bool {
    // Repeatedly remove resources that depend on nothing left; a cycle is what remains.
    let mut left: BTreeMap<&str, BTreeSet<&str>> = edges
        .iter()
        .map(|(id, deps)| (id.as_str(), deps.iter().map(String::as_str).collect()))
        .collect();
    loop {
        let free: Vec<&str> = left
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(id, _)| *id)
            .collect();
        if free.is_empty() {
            return !left.is_empty();
        }
        for id in free {
            left.remove(id);
            for deps in left.values_mut() {
                deps.remove(id);
            }
        }
    }
}

// ----------------------------------------------------------------------------------
// Reading rendered YAML back

/// Rendered YAML read back as JSON: a short-form tag `!X` is the function `Fn::X` (`!Ref`
/// is `Ref`), and `!GetAtt X.A` is compared with `{"Fn::GetAtt": ["X", "A"]}` dotted.
fn yaml_to_json(yaml: &serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => json!(u),
            (_, Some(i)) => json!(i),
            _ => json!(n.as_f64().unwrap()),
        },
        Y::String(s) => json!(s),
        Y::Sequence(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Y::Mapping(mapping) => Value::Object(
            mapping
                .iter()
                .map(|(k, v)| (k.as_str().unwrap().to_owned(), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let function = if name == "Ref" {
                name.to_owned()
            } else {
                format!("Fn::{name}")
            };
            json!({function: yaml_to_json(&tagged.value)})
        }
    }
}

fn dotted_getatt(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(dotted_getatt).collect()),
        Value::Object(object) => {
            if object.len() == 1
                && let Some(Value::Array(args)) = object.get("Fn::GetAtt")
                && let [Value::String(id), Value::String(attribute)] = args.as_slice()
            {
                return json!({"Fn::GetAtt": format!("{id}.{attribute}")});
            }
            Value::Object(
                object
                    .iter()
                    .map(|(k, v)| (k.clone(), dotted_getatt(v)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

// ----------------------------------------------------------------------------------
// The properties

fn config() -> ProptestConfig {
    // The default 256 cases; a failure is shrunk to a small stack and printed.
    ProptestConfig::default()
}

proptest! {
    #![proptest_config(config())]

    /// (a) The same calls render byte-identical YAML and JSON (and identical answers to
    /// every call), and both renderings read back as the template.
    #[test]
    fn merging_is_deterministic(stack in stack()) {
        let first = run(&stack, None);
        let second = run(&stack, None);
        prop_assert_eq!(&first.outcome, &second.outcome);
        if let (Some(template), Ok((yaml, json))) = (&first.template, &first.outcome.result) {
            let from_json: Value = serde_json::from_str(json).unwrap();
            prop_assert_eq!(&from_json, template.value());
            let from_yaml: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
            prop_assert_eq!(
                dotted_getatt(&yaml_to_json(&from_yaml)),
                dotted_getatt(template.value())
            );
        }
    }

    /// (b) Every accepted template holds exactly the predicted entries: each logical id
    /// is the pin or `logical_id(path, local)`, valid, unique in its namespace, owned by
    /// its construct, with references rewritten to logical ids, in insertion order.
    #[test]
    fn logical_ids_are_derived_valid_and_unique(stack in stack()) {
        let run = run(&stack, None);
        let Some(template) = &run.template else { return Ok(()); };
        prop_assert_eq!(template.value(), &run.expected);
        for section in ["Parameters", "Conditions", "Resources", "Outputs"] {
            for id in keys(template.value(), section) {
                prop_assert!(is_valid_logical_id(id), "{} {:?}", section, id);
            }
        }
        let resources = keys(template.value(), "Resources");
        let parameters = keys(template.value(), "Parameters");
        prop_assert!(resources.is_disjoint(&parameters));
        for (spec, built) in stack.constructs.iter().zip(&run.accepted) {
            let Some(built) = built else { continue };
            for (id, _) in &built.resources {
                prop_assert_eq!(template.owner(id), Some(&Owner::Construct(spec.path.clone())));
            }
        }
        for id in &parameters {
            prop_assert_eq!(template.owner(id), Some(&Owner::StackFile));
        }
        prop_assert_eq!(template.resource_count(), resources.len());
    }

    /// (c) Nothing `finish` accepts has a dangling reference, by the independent checker
    /// run on the template itself (`run` also checks that `finish` refuses exactly the
    /// predicted dangling references, cycles and quota overruns).
    #[test]
    fn accepted_templates_have_no_dangling_reference(stack in stack()) {
        let run = run(&stack, None);
        if let Some(template) = &run.template {
            let dangling = Checker::new(template.value()).run();
            prop_assert!(dangling.is_empty(), "{:?}", dangling);
        }
    }

    /// (d) Adding an unrelated construct anywhere changes no other construct's logical
    /// ids, rewritten attributes or errors, and the template is the old one plus the new
    /// construct's entries.
    #[test]
    fn an_unrelated_construct_changes_nothing_else(stack in stack(), at in any::<usize>()) {
        let base = run(&stack, None);
        let at = at % (stack.constructs.len() + 1);
        let with = run(&stack, Some(at));
        prop_assert_eq!(&with.outcome.steps, &base.outcome.steps);
        match (&base.template, &with.template) {
            (Some(base), Some(with)) => {
                let mut value = with.value().clone();
                let (_, _, entries) = unrelated();
                for (section, id, _) in entries {
                    let section_entries =
                        value.get_mut(section).and_then(Value::as_object_mut).unwrap();
                    prop_assert!(section_entries.shift_remove(id).is_some());
                    if section_entries.is_empty() && section != "Resources" {
                        value.as_object_mut().unwrap().shift_remove(section);
                    }
                }
                prop_assert_eq!(&value, base.value());
            }
            (None, None) => {
                // Same errors, except quota counts, which include the new construct.
                let strip = |errors: &[MergeError]| -> Vec<MergeError> {
                    errors
                        .iter()
                        .map(|e| match e {
                            MergeError::QuotaExceeded { quota, .. } => MergeError::QuotaExceeded {
                                quota,
                                limit: 0,
                                actual: 0,
                            },
                            other => other.clone(),
                        })
                        // The unrelated construct brings a resource, so only the base
                        // can lack one.
                        .filter(|e| !matches!(e, MergeError::NoResources))
                        .collect()
                };
                let base_errors = base.outcome.result.as_ref().err().unwrap();
                let with_errors = with.outcome.result.as_ref().err().unwrap();
                prop_assert_eq!(strip(base_errors), strip(with_errors));
            }
            (None, Some(_))
                if matches!(base.outcome.result.as_ref().err().map(Vec::as_slice), Some([MergeError::NoResources])) => {}
            (base, with) => prop_assert!(
                false,
                "finish accepted {} without the unrelated construct and {} with it",
                base.is_some(),
                with.is_some()
            ),
        }
    }
}
