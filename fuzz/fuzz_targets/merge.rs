//! Fuzzes the merge: arbitrary fragments, pins, parameters and outputs through
//! `Fragment::from_json`, `TemplateBuilder` and `finish`, then rendered as YAML and JSON.
//!
//! The input is decoded with `arbitrary` into a small model whose names come mostly from a
//! shared pool, so that references often hit (or just miss) real ids and logical ids often
//! collide; every fragment is turned into JSON text, or is taken as raw text, and parsed by
//! `Fragment::from_json` exactly as a plugin's output would be.
//!
//! Nothing may panic. Whenever `finish` accepts a template:
//!
//! - an independent checker (written here, sharing no code with the library's reference
//!   walker) finds no dangling `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `DependsOn` or
//!   condition name;
//! - every logical id is valid, and no parameter shares its id with a resource;
//! - rendering succeeds; the JSON parses back to exactly `Template::value`, and the YAML
//!   parses back to the same template once short-form tags are read as functions;
//! - building the same input again renders byte-identical YAML and JSON.

#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value, json};
use stackweave_template::{
    Format, Fragment, Piece, Quotas, Template, TemplateBuilder, interpolate, is_valid_logical_id,
    referenced_ids,
};

/// Names the model draws from: valid and invalid ids, the main-resource local id, pseudo
/// parameters, dotted and prefixed forms that concatenate into each other.
const NAMES: &[&str] = &[
    "Resource",
    "Role",
    "Api",
    "ApiRole",
    "Logs",
    "LogsResource",
    "A",
    "B",
    "AB",
    "Ab",
    "Env",
    "IsProd",
    "Arn",
    "Url",
    "1",
    "AWS::Region",
    "AWS::StackName",
    "AWS::NoValue",
    "AWS::Nope",
    "",
    "a-b",
    "Api.Arn",
    "!Api",
    "V",
];

/// Keys for single-key objects: every function the walker or the YAML emitter treats
/// specially, and ordinary property names.
const KEYS: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::If",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::Equals",
    "Fn::Join",
    "Fn::Select",
    "Fn::Base64",
    "Fn::FindInMap",
    "Fn::ImportValue",
    "Condition",
    "Name",
    "Value",
    "Statement",
    "yes",
    "2010-09-09",
];

const RESOURCE_TYPES: &[&str] = &["AWS::Logs::LogGroup", "AWS::IAM::Role", "Custom::X", ""];

/// Deep values add nothing the walker has not seen at depth 6, and keep runs fast.
const MAX_DEPTH: usize = 6;

#[derive(Arbitrary, Debug)]
struct Input {
    description: Option<String>,
    quotas: Option<(u8, u8, u8)>,
    parameters: Vec<Name>,
    constructs: Vec<ConstructSpec>,
    outputs: Vec<(Name, Expr)>,
}

#[derive(Arbitrary, Debug)]
struct ConstructSpec {
    path: Vec<Name>,
    body: Body,
    pins: Vec<(Name, Name)>,
    external: Vec<Name>,
    attributes: Vec<Expr>,
}

#[derive(Arbitrary, Debug)]
enum Body {
    Model {
        resources: Vec<ResourceSpec>,
        conditions: Vec<(Name, Expr)>,
        outputs: Vec<(Name, Expr, Option<Name>)>,
    },
    /// Raw text exercises `Fragment::from_json` on arbitrary JSON and non-JSON.
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct ResourceSpec {
    local: Name,
    kind: u8,
    properties: Vec<(Key, Expr)>,
    depends_on: Option<Vec<Name>>,
    depends_on_one: Option<Name>,
    condition: Option<Name>,
}

#[derive(Arbitrary, Debug)]
enum Name {
    Pool(u8),
    Free(String),
}

#[derive(Arbitrary, Debug)]
enum Key {
    Pool(u8),
    Free(String),
}

#[derive(Arbitrary, Debug)]
enum Expr {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Name(Name),
    Ref(Name),
    GetAtt(Name, Name),
    GetAttDotted(Name, Name),
    Sub(Vec<SubPiece>),
    SubList(Vec<SubPiece>, Vec<(Name, Expr)>),
    If(Name, Box<Expr>, Box<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Condition(Name),
    Join(Vec<Expr>),
    List(Vec<Expr>),
    Object(Vec<(Key, Expr)>),
    Call(Key, Box<Expr>),
}

#[derive(Arbitrary, Debug)]
enum SubPiece {
    Text(String),
    Var(Name),
    VarAttr(Name, Name),
    Escaped(Name),
    Unterminated,
}

impl Name {
    fn text(&self) -> String {
        match self {
            Name::Pool(i) => NAMES[usize::from(*i) % NAMES.len()].to_owned(),
            Name::Free(s) => s.clone(),
        }
    }
}

impl Key {
    fn text(&self) -> String {
        match self {
            Key::Pool(i) => KEYS[usize::from(*i) % KEYS.len()].to_owned(),
            Key::Free(s) => s.clone(),
        }
    }
}

impl Expr {
    fn json(&self, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let d = depth + 1;
        let list = |items: &[Expr]| Value::Array(items.iter().map(|e| e.json(d)).collect());
        match self {
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(i) => Value::Number((*i).into()),
            Expr::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Expr::Str(s) => Value::String(s.clone()),
            Expr::Name(n) => Value::String(n.text()),
            Expr::Ref(n) => json!({"Ref": n.text()}),
            Expr::GetAtt(n, a) => json!({"Fn::GetAtt": [n.text(), a.text()]}),
            Expr::GetAttDotted(n, a) => json!({"Fn::GetAtt": format!("{}.{}", n.text(), a.text())}),
            Expr::Sub(pieces) => json!({"Fn::Sub": sub_text(pieces)}),
            Expr::SubList(pieces, vars) => {
                let vars: Map<String, Value> =
                    vars.iter().map(|(n, e)| (n.text(), e.json(d))).collect();
                json!({"Fn::Sub": [sub_text(pieces), vars]})
            }
            Expr::If(c, a, b) => json!({"Fn::If": [c.text(), a.json(d), b.json(d)]}),
            Expr::And(items) => json!({"Fn::And": list(items)}),
            Expr::Not(item) => json!({"Fn::Not": [item.json(d)]}),
            Expr::Condition(c) => json!({"Condition": c.text()}),
            Expr::Join(items) => json!({"Fn::Join": ["", list(items)]}),
            Expr::List(items) => list(items),
            Expr::Object(entries) => {
                Value::Object(entries.iter().map(|(k, e)| (k.text(), e.json(d))).collect())
            }
            Expr::Call(k, arg) => {
                let mut object = Map::new();
                object.insert(k.text(), arg.json(d));
                Value::Object(object)
            }
        }
    }
}

fn sub_text(pieces: &[SubPiece]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            SubPiece::Text(s) => s.clone(),
            SubPiece::Var(n) => format!("${{{}}}", n.text()),
            SubPiece::VarAttr(n, a) => format!("${{{}.{}}}", n.text(), a.text()),
            SubPiece::Escaped(n) => format!("${{!{}}}", n.text()),
            SubPiece::Unterminated => "${".to_owned(),
        })
        .collect()
}

impl Body {
    fn text(&self) -> String {
        let (resources, conditions, outputs) = match self {
            Body::Raw(text) => return text.clone(),
            Body::Model {
                resources,
                conditions,
                outputs,
            } => (resources, conditions, outputs),
        };
        let mut top = Map::new();
        let resources: Map<String, Value> = resources
            .iter()
            .map(|r| {
                let mut fields = Map::new();
                let kind = RESOURCE_TYPES[usize::from(r.kind) % RESOURCE_TYPES.len()];
                fields.insert("Type".into(), Value::String(kind.into()));
                if !r.properties.is_empty() {
                    let properties: Map<String, Value> = r
                        .properties
                        .iter()
                        .map(|(k, e)| (k.text(), e.json(0)))
                        .collect();
                    fields.insert("Properties".into(), Value::Object(properties));
                }
                if let Some(names) = &r.depends_on {
                    let names = names.iter().map(|n| Value::String(n.text())).collect();
                    fields.insert("DependsOn".into(), Value::Array(names));
                } else if let Some(name) = &r.depends_on_one {
                    fields.insert("DependsOn".into(), Value::String(name.text()));
                }
                if let Some(condition) = &r.condition {
                    fields.insert("Condition".into(), Value::String(condition.text()));
                }
                (r.local.text(), Value::Object(fields))
            })
            .collect();
        top.insert("Resources".into(), Value::Object(resources));
        if !conditions.is_empty() {
            let conditions = conditions
                .iter()
                .map(|(n, e)| (n.text(), e.json(0)))
                .collect();
            top.insert("Conditions".into(), Value::Object(conditions));
        }
        if !outputs.is_empty() {
            let outputs = outputs
                .iter()
                .map(|(n, e, c)| {
                    let mut fields = Map::new();
                    fields.insert("Value".into(), e.json(0));
                    if let Some(c) = c {
                        fields.insert("Condition".into(), Value::String(c.text()));
                    }
                    (n.text(), Value::Object(fields))
                })
                .collect();
            top.insert("Outputs".into(), Value::Object(outputs));
        }
        Value::Object(top).to_string()
    }
}

/// What one build produced: the template's renderings, or the error messages.
#[derive(Debug, PartialEq)]
struct Outcome {
    steps: Vec<String>,
    result: Result<(String, String), Vec<String>>,
}

fn build(input: &Input) -> (Outcome, Option<Template>) {
    let mut steps = Vec::new();
    let quotas = match input.quotas {
        Some((r, o, p)) => Quotas {
            resources: usize::from(r),
            outputs: usize::from(o),
            parameters: usize::from(p),
            ..Quotas::default()
        },
        None => Quotas::default(),
    };
    let mut builder = TemplateBuilder::new(input.description.clone());
    for name in &input.parameters {
        let result = builder.add_parameter(&name.text(), json!({"Type": "String"}));
        steps.push(format!("{result:?}"));
    }
    for (index, spec) in input.constructs.iter().enumerate() {
        // Deeper paths add nothing: `logical_id` just concatenates.
        let path: Vec<String> = spec.path.iter().take(3).map(Name::text).collect();
        let fragment = match Fragment::from_json(&spec.body.text()) {
            Ok(fragment) => fragment,
            Err(error) => {
                assert!(!error.to_string().is_empty());
                steps.push(format!("fragment {index}: {error}"));
                continue;
            }
        };
        let pins: Vec<(String, String)> = spec
            .pins
            .iter()
            .map(|(l, p)| (l.text(), p.text()))
            .collect();
        let external: BTreeSet<String> = spec.external.iter().map(Name::text).collect();
        let attributes: Vec<(String, Value)> = spec
            .attributes
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("a{i}"), e.json(0)))
            .collect();
        match builder.add_fragment(&path, fragment, &pins, &external, attributes) {
            Ok(attributes) => {
                for (_, value) in &attributes {
                    // The orchestrator feeds rewritten attributes to these two.
                    let _ = referenced_ids(value);
                    let _ = interpolate(vec![
                        Piece::Text("arn:${x}:".into()),
                        Piece::Expr(value.clone()),
                        Piece::Text("/".into()),
                    ]);
                }
                steps.push(format!("{attributes:?}"));
            }
            Err(error) => {
                assert!(!error.to_string().is_empty());
                steps.push(format!("construct {index}: {error}"));
            }
        }
    }
    for (name, value) in &input.outputs {
        let result = builder.add_output(&name.text(), json!({"Value": value.json(0)}));
        steps.push(format!("{result:?}"));
    }
    match builder.finish(&quotas) {
        Ok(template) => {
            let yaml = template.render(Format::Yaml, &Quotas::default());
            let json = template.render(Format::Json, &Quotas::default());
            let (yaml, json) = match (yaml, json) {
                (Ok(yaml), Ok(json)) => (yaml, json),
                // Only the size quota may refuse an accepted template.
                (yaml, json) => {
                    for error in [yaml.err(), json.err()].into_iter().flatten() {
                        let message = error.to_string();
                        assert!(message.contains("bytes"), "render failed: {message}");
                    }
                    let outcome = Outcome {
                        steps,
                        result: Err(vec!["too large".into()]),
                    };
                    return (outcome, None);
                }
            };
            let outcome = Outcome {
                steps,
                result: Ok((yaml, json)),
            };
            (outcome, Some(template))
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "finish failed without an error");
            let messages = errors.iter().map(ToString::to_string).collect();
            let outcome = Outcome {
                steps,
                result: Err(messages),
            };
            (outcome, None)
        }
    }
}

fuzz_target!(|input: Input| {
    let (outcome, template) = build(&input);
    let (Some(template), Ok((yaml, json))) = (template, &outcome.result) else {
        return;
    };
    let value = template.value();

    let dangling = Checker::new(value).run();
    assert!(
        dangling.is_empty(),
        "accepted template has dangling references {dangling:?}"
    );
    check_ids(value);

    let from_json: Value = serde_json::from_str(json).expect("rendered JSON does not parse");
    assert_eq!(&from_json, value, "rendered JSON is not the template");
    let from_yaml: serde_yaml::Value =
        serde_yaml::from_str(yaml).expect("rendered YAML does not parse");
    let from_yaml = yaml_to_json(&from_yaml).unwrap_or_else(|e| panic!("{e} in:\n{yaml}"));
    assert_eq!(
        normalise(&from_yaml),
        normalise(value),
        "rendered YAML is not the template:\n{yaml}"
    );

    let (again, _) = build(&input);
    assert_eq!(again, outcome, "the same input built twice differs");
});

/// Every id is a valid logical id, and resources and parameters share one namespace.
fn check_ids(template: &Value) {
    for section in ["Parameters", "Conditions", "Resources", "Outputs"] {
        for id in keys(template, section) {
            assert!(
                is_valid_logical_id(id),
                "{section} has invalid logical id {id:?}"
            );
        }
    }
    let resources = keys(template, "Resources");
    for id in keys(template, "Parameters") {
        assert!(
            !resources.contains(id),
            "{id:?} is both a parameter and a resource"
        );
    }
}

fn keys<'v>(template: &'v Value, section: &str) -> BTreeSet<&'v str> {
    template
        .get(section)
        .and_then(Value::as_object)
        .map(|entries| entries.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The reference checker: CloudFormation's rules, read off its documentation, over the
/// finished template only.
struct Checker<'v> {
    template: &'v Value,
    resources: BTreeSet<&'v str>,
    parameters: BTreeSet<&'v str>,
    conditions: BTreeSet<&'v str>,
    dangling: Vec<String>,
}

/// CloudFormation's pseudo parameters, written out again (as in the property tests) so the
/// checker owes nothing to the library's list it is checking.
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

impl<'v> Checker<'v> {
    fn new(template: &'v Value) -> Self {
        Checker {
            template,
            resources: keys(template, "Resources"),
            parameters: keys(template, "Parameters"),
            conditions: keys(template, "Conditions"),
            dangling: Vec::new(),
        }
    }

    fn run(mut self) -> Vec<String> {
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
        self.dangling
    }

    fn resource(&mut self, id: &str) {
        if !self.resources.contains(id) {
            self.dangling.push(format!("resource {id}"));
        }
    }

    fn named(&mut self, id: &str) {
        let known = self.resources.contains(id) || self.parameters.contains(id);
        if !known && !PSEUDO.contains(&id) {
            self.dangling.push(format!("name {id}"));
        }
    }

    fn condition_name(&mut self, id: &str) {
        if !self.conditions.contains(id) {
            self.dangling.push(format!("condition {id}"));
        }
    }

    /// A resource or output: its `Condition` and (for resources) `DependsOn` attributes
    /// name entries directly; everything else is an expression.
    fn entry(&mut self, entry: &Value, is_resource: bool) {
        let Value::Object(fields) = entry else {
            return self.expr(entry);
        };
        for (key, field) in fields {
            match (key.as_str(), field) {
                ("Condition", Value::String(name)) => self.condition_name(name),
                ("DependsOn", Value::String(id)) if is_resource => self.resource(id),
                ("DependsOn", Value::Array(ids)) if is_resource => {
                    for id in ids {
                        match id {
                            Value::String(id) => self.resource(id),
                            other => self.expr(other),
                        }
                    }
                }
                _ => self.expr(field),
            }
        }
    }

    /// A condition definition or an operand of `Fn::And` / `Fn::Or` / `Fn::Not`.
    fn condition(&mut self, value: &Value) {
        if let Some(object) = value.as_object()
            && object.len() == 1
            && let Some(Value::String(name)) = object.get("Condition")
        {
            return self.condition_name(name);
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
            ("Ref", Value::String(id)) => self.named(id),
            ("Fn::GetAtt", Value::String(dotted)) => {
                let id = dotted.split('.').next().unwrap_or_default();
                self.resource(id);
            }
            ("Fn::GetAtt", Value::Array(args)) => {
                for (position, arg) in args.iter().enumerate() {
                    match arg {
                        Value::String(id) if position == 0 => self.resource(id),
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
                        Value::String(name) if position == 0 => self.condition_name(name),
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

    /// `${Name}` and `${Name.Attribute}` variables; `${!...}` is literal text and names
    /// in the variable map are local to this `Fn::Sub`.
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
            let (name, attribute) = match variable.split_once('.') {
                Some((name, _)) => (name, true),
                None => (variable, false),
            };
            if variables.is_some_and(|v| v.contains_key(name)) {
                continue;
            }
            if attribute {
                self.resource(name);
            } else {
                self.named(name);
            }
        }
    }
}

/// Reads rendered YAML back as JSON: a short-form tag `!X` is the function `Fn::X`
/// (`!Ref` is `Ref`).
fn yaml_to_json(yaml: &serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else {
                let f = n.as_f64().ok_or("a number that is no f64")?;
                Value::Number(Number::from_f64(f).ok_or(format!("non-finite number {f}"))?)
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => {
            Value::Array(items.iter().map(yaml_to_json).collect::<Result<_, _>>()?)
        }
        Y::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let Y::String(key) = key else {
                    return Err(format!("non-string key {key:?}"));
                };
                object.insert(key.clone(), yaml_to_json(value)?);
            }
            Value::Object(object)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let function = if name == "Ref" {
                name.to_owned()
            } else {
                format!("Fn::{name}")
            };
            let mut object = Map::new();
            object.insert(function, yaml_to_json(&tagged.value)?);
            Value::Object(object)
        }
    })
}

/// The YAML short form writes `{"Fn::GetAtt": ["X", "A"]}` as `!GetAtt X.A`; both mean
/// the same, so compare them in the dotted form.
fn normalise(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
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
                    .map(|(k, v)| (k.clone(), normalise(v)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}
