//! References: finding every place a template value names another template entry.
//!
//! One walker serves both merging (rewrite local ids to logical ids) and checking
//! (collect what is referenced), so the two can never disagree about what counts as a
//! reference.

use serde_json::Value;

use crate::merge::RefKind;

/// One reference found in a template value. The callback may rewrite `id` in place.
pub(crate) struct Site<'a> {
    /// What kind of reference this is.
    pub kind: RefKind,
    /// The referenced id: a logical id, parameter, pseudo parameter or condition name.
    pub id: &'a mut String,
    /// The attribute named: `A` of `Fn::GetAtt` `X.A` or of a `Fn::Sub` variable `${X.A}`
    /// (which requires `X` to be a resource).
    pub attribute: Option<String>,
}

/// A callback receiving each reference.
pub(crate) type Visit<'v> = dyn FnMut(Site<'_>) + 'v;

/// One of the walkers below.
pub(crate) type Walk = fn(&mut Value, &mut Visit<'_>);

/// Walks a resource: its `DependsOn` and `Condition` attributes as well as every
/// expression it contains.
pub(crate) fn walk_resource(resource: &mut Value, visit: &mut Visit<'_>) {
    walk_entry(resource, visit, true);
}

/// Walks an output: its `Condition` attribute and every expression it contains.
pub(crate) fn walk_output(output: &mut Value, visit: &mut Visit<'_>) {
    walk_entry(output, visit, false);
}

/// Walks a condition definition.
pub(crate) fn walk_condition(condition: &mut Value, visit: &mut Visit<'_>) {
    walk_condition_operand(condition, visit);
}

/// Walks a free-standing expression, such as an attribute a construct exports.
pub(crate) fn walk_expr(value: &mut Value, visit: &mut Visit<'_>) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| walk_expr(item, visit)),
        Value::Object(object) if object.len() == 1 => {
            if let Some((key, arg)) = object.iter_mut().next() {
                walk_function(key, arg, visit);
            }
        }
        Value::Object(object) => object.values_mut().for_each(|v| walk_expr(v, visit)),
        _ => {}
    }
}

fn walk_entry(entry: &mut Value, visit: &mut Visit<'_>, is_resource: bool) {
    let Value::Object(fields) = entry else {
        return walk_expr(entry, visit);
    };
    for (key, field) in fields.iter_mut() {
        match (key.as_str(), field) {
            ("Condition", Value::String(name)) => report(visit, RefKind::Condition, name, None),
            ("DependsOn", Value::String(id)) if is_resource => {
                report(visit, RefKind::DependsOn, id, None)
            }
            ("DependsOn", Value::Array(ids)) if is_resource => {
                for item in ids {
                    match item {
                        Value::String(id) => report(visit, RefKind::DependsOn, id, None),
                        other => walk_expr(other, visit),
                    }
                }
            }
            (_, other) => walk_expr(other, visit),
        }
    }
}

/// An operand of `Fn::And` / `Fn::Or` / `Fn::Not`, or a whole condition definition,
/// where `{"Condition": "X"}` names another condition.
fn walk_condition_operand(value: &mut Value, visit: &mut Visit<'_>) {
    if let Value::Object(object) = value
        && object.len() == 1
        && let Some(Value::String(name)) = object.get_mut("Condition")
    {
        return report(visit, RefKind::Condition, name, None);
    }
    walk_expr(value, visit);
}

fn walk_function(key: &str, arg: &mut Value, visit: &mut Visit<'_>) {
    match (key, arg) {
        ("Ref", Value::String(id)) => report(visit, RefKind::Ref, id, None),
        ("Fn::GetAtt", Value::String(dotted)) => {
            // CloudFormation splits `X.A.B` at the first dot: the rest is the attribute.
            let (mut id, attribute) = match dotted.split_once('.') {
                Some((id, attribute)) => (id.to_owned(), Some(attribute.to_owned())),
                None => (dotted.clone(), None),
            };
            report(visit, RefKind::GetAtt, &mut id, attribute.clone());
            if let Some(attribute) = attribute {
                id.push('.');
                id.push_str(&attribute);
            }
            *dotted = id;
        }
        ("Fn::GetAtt", Value::Array(args)) => {
            let attribute = match args.get(1) {
                Some(Value::String(attribute)) => Some(attribute.clone()),
                _ => None,
            };
            let mut args = args.iter_mut();
            match args.next() {
                Some(Value::String(id)) => report(visit, RefKind::GetAtt, id, attribute),
                Some(other) => walk_expr(other, visit),
                None => {}
            }
            args.for_each(|arg| walk_expr(arg, visit));
        }
        ("Fn::Sub", Value::String(template)) => walk_sub(template, &[], visit),
        ("Fn::Sub", Value::Array(args)) => {
            let (template, vars) = match args.as_mut_slice() {
                [Value::String(template), vars @ ..] => (Some(template), vars),
                all => (None, all),
            };
            let defined: Vec<String> = match vars.first() {
                Some(Value::Object(map)) => map.keys().cloned().collect(),
                _ => Vec::new(),
            };
            if let Some(template) = template {
                walk_sub(template, &defined, visit);
            }
            vars.iter_mut().for_each(|v| walk_expr(v, visit));
        }
        ("Fn::If", Value::Array(args)) => {
            let mut args = args.iter_mut();
            match args.next() {
                Some(Value::String(name)) => report(visit, RefKind::Condition, name, None),
                Some(other) => walk_expr(other, visit),
                None => {}
            }
            args.for_each(|arg| walk_expr(arg, visit));
        }
        ("Fn::And" | "Fn::Or" | "Fn::Not", Value::Array(operands)) => operands
            .iter_mut()
            .for_each(|operand| walk_condition_operand(operand, visit)),
        (_, other) => walk_expr(other, visit),
    }
}

fn report(visit: &mut Visit<'_>, kind: RefKind, id: &mut String, attribute: Option<String>) {
    visit(Site {
        kind,
        id,
        attribute,
    });
}

/// Visits the variables of a `Fn::Sub` template, skipping `${!literal}` and the names
/// `defined` by the list form's variable map, and rewrites the template if ids changed.
fn walk_sub(template: &mut String, defined: &[String], visit: &mut Visit<'_>) {
    let mut out = String::with_capacity(template.len());
    let mut rest = template.as_str();
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start + 2]);
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            out.push('!');
            rest = literal;
            continue;
        }
        let Some(end) = after.find('}') else {
            rest = after;
            break;
        };
        let variable = &after[..end];
        let (name, attribute) = match variable.split_once('.') {
            Some((name, attribute)) => (name, Some(attribute)),
            None => (variable, None),
        };
        if defined.iter().any(|d| d == name) {
            out.push_str(variable);
        } else {
            let mut id = name.to_owned();
            report(visit, RefKind::Sub, &mut id, attribute.map(str::to_owned));
            out.push_str(&id);
            if let Some(attribute) = attribute {
                out.push('.');
                out.push_str(attribute);
            }
        }
        out.push('}');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    *template = out;
}

/// The first malformed intrinsic function in `value`, as its JSON Pointer under `value` and
/// what is wrong: a `Ref` of anything but a string, or a `Fn::Sub` string with a `${` that
/// is never closed (a `${` that swallows the text after it, once the string is joined into
/// a longer `Fn::Sub`, and turns up as someone else's error).
pub fn malformed_intrinsic(value: &Value) -> Option<(String, String)> {
    malformed_at(value).map(|(at, problem)| {
        let at = if at.is_empty() { "/".to_string() } else { at };
        (at, problem)
    })
}

fn malformed_at(value: &Value) -> Option<(String, String)> {
    let problem = match value {
        Value::Array(items) => {
            return items.iter().enumerate().find_map(|(index, item)| {
                malformed_at(item).map(|(at, problem)| (format!("/{index}{at}"), problem))
            });
        }
        Value::Object(object) => match (intrinsic_function(object), object.values().next()) {
            (Some("Ref"), Some(Value::String(_))) => None,
            (Some("Ref"), Some(other)) => Some(format!(
                "`Ref` takes the name of a resource or parameter, not {}",
                crate::fragment::kind_of(other)
            )),
            (Some("Fn::Sub"), Some(Value::String(template))) => unclosed_sub(template),
            (Some("Fn::Sub"), Some(Value::Array(args))) => match args.first() {
                Some(Value::String(template)) => unclosed_sub(template),
                _ => None,
            },
            _ => None,
        },
        _ => return None,
    };
    if let Some(problem) = problem {
        return Some((String::new(), problem));
    }
    let Value::Object(object) = value else {
        return None;
    };
    object.iter().find_map(|(key, item)| {
        malformed_at(item).map(|(at, problem)| {
            let key = key.replace('~', "~0").replace('/', "~1");
            (
                format!("/{}{at}", stackweave_location::shortened(&key)),
                problem,
            )
        })
    })
}

/// Says what is wrong with a `Fn::Sub` template whose `${` (other than a literal `${!`) is
/// never closed or names nothing.
fn unclosed_sub(template: &str) -> Option<String> {
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            rest = literal;
            continue;
        }
        match after.find('}') {
            Some(0) => {
                return Some(format!(
                    "the `Fn::Sub` string `{}` has an empty `${{}}`; write `${{!}}` for the literal text",
                    stackweave_location::shortened(template)
                ));
            }
            Some(end) => rest = &after[end + 1..],
            None => {
                return Some(format!(
                    "the `Fn::Sub` string `{}` has a `${{` that is never closed; close it with `}}`, or write `${{!` for a literal `${{`",
                    stackweave_location::shortened(template)
                ));
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "refs_tests.rs"]
mod tests;

/// The function an object calls, if it is an intrinsic function: exactly one key, `Ref`,
/// `Condition` (inside `Fn::And`/`Fn::Or`/`Fn::Not`) or `Fn::...`. Any other object is
/// plain data, even with one key.
pub fn intrinsic_function(object: &serde_json::Map<String, Value>) -> Option<&str> {
    let mut keys = object.keys();
    match (keys.next(), keys.next()) {
        (Some(key), None) if key == "Ref" || key == "Condition" || key.starts_with("Fn::") => {
            Some(key)
        }
        _ => None,
    }
}

/// One reference an expression makes, for readers of a finished template (the checks,
/// the diagram).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// How it refers.
    pub kind: RefKind,
    /// The id named: a logical id, parameter, pseudo parameter or condition name.
    pub id: String,
    /// The attribute named by `Fn::GetAtt` or a `${X.A}` variable of `Fn::Sub`.
    pub attribute: Option<String>,
}

/// Every reference an expression makes (`Ref`, `Fn::GetAtt`, `Fn::Sub` variables other
/// than its own and `${!literal}`s, condition names), in document order, repeats kept.
pub fn references(value: &Value) -> Vec<Reference> {
    let mut found = Vec::new();
    // The walker can rewrite ids, so it needs a value of its own.
    let mut copy = value.clone();
    walk_expr(&mut copy, &mut |site: Site<'_>| {
        found.push(Reference {
            kind: site.kind,
            id: site.id.clone(),
            attribute: site.attribute,
        });
    });
    found
}

/// Every template-level id an expression names (`Ref`, `Fn::GetAtt`, `Fn::Sub` variables,
/// condition names), pseudo parameters included. The orchestrator uses it to learn which
/// logical ids a construct's props point at before merging that construct's fragment.
pub fn referenced_ids(value: &Value) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    let mut copy = value.clone();
    walk_expr(&mut copy, &mut |site: Site<'_>| {
        ids.insert(site.id.clone());
    });
    ids
}
