//! Interpolation: the smallest flat CloudFormation expression for a string that has
//! references in it, such as an ARN or URL built from a construct's attributes.
//!
//! `Fn::Sub` is preferred over `Fn::Join` because it reads like the string it builds;
//! `Fn::Join` is used only when some part cannot be written as a `${...}` variable.

use serde_json::{Map, Value, json};

/// One part of an interpolated string.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// Literal text, taken as is (escaped where `Fn::Sub` needs it).
    Text(String),
    /// A CloudFormation expression whose value is a string.
    Expr(Value),
}

/// Builds the minimal, flat expression for the concatenation of `pieces`:
///
/// - only text: a plain JSON string;
/// - exactly one expression and no non-empty text: that expression itself;
/// - every expression usable as a `Fn::Sub` variable (`Ref`, `Fn::GetAtt`, the string
///   form of `Fn::Sub`, or a plain string): one `Fn::Sub`, with literal `${` escaped;
/// - otherwise `{"Fn::Join": ["", [...]]}` with adjacent text merged.
///
/// Nested `{"Fn::Join": ["", [...]]}` expressions are flattened into the result.
pub fn interpolate(pieces: Vec<Piece>) -> Value {
    let parts = flatten(pieces);
    let expr_count = parts.iter().filter(|p| matches!(p, Piece::Expr(_))).count();
    match parts.as_slice() {
        [] => return Value::String(String::new()),
        [Piece::Text(text)] => return Value::String(text.clone()),
        [Piece::Expr(expr)] => return expr.clone(),
        _ => {}
    }
    debug_assert!(expr_count > 0, "adjacent text is merged by flatten");
    if let Some(template) = sub_template(&parts) {
        return json!({ "Fn::Sub": template });
    }
    let items: Vec<Value> = parts
        .into_iter()
        .map(|part| match part {
            Piece::Text(text) => Value::String(text),
            Piece::Expr(expr) => expr,
        })
        .collect();
    json!({ "Fn::Join": ["", items] })
}

/// Normalises pieces: plain-string expressions become text, empty-delimiter joins are
/// spliced in, empty text is dropped and adjacent text is merged.
fn flatten(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Expr(Value::String(text)) | Piece::Text(text) => {
                if text.is_empty() {
                    continue;
                }
                if let Some(Piece::Text(last)) = out.last_mut() {
                    last.push_str(&text);
                } else {
                    out.push(Piece::Text(text));
                }
            }
            Piece::Expr(expr) => match empty_join_items(&expr) {
                Some(items) => {
                    let nested = items.iter().cloned().map(Piece::Expr).collect();
                    for inner in flatten(nested) {
                        match (inner, out.last_mut()) {
                            (Piece::Text(text), Some(Piece::Text(last))) => last.push_str(&text),
                            (inner, _) => out.push(inner),
                        }
                    }
                }
                None => out.push(Piece::Expr(expr)),
            },
        }
    }
    out
}

/// The literal item list of `{"Fn::Join": ["", [...]]}`, if `expr` is one.
fn empty_join_items(expr: &Value) -> Option<&Vec<Value>> {
    let args = single_key(expr, "Fn::Join")?.as_array()?;
    match args.as_slice() {
        [Value::String(delimiter), Value::Array(items)] if delimiter.is_empty() => Some(items),
        _ => None,
    }
}

/// The `Fn::Sub` template for `parts`, or `None` if some expression has no `${...}` form.
fn sub_template(parts: &[Piece]) -> Option<String> {
    let mut template = String::new();
    for part in parts {
        match part {
            Piece::Text(text) => template.push_str(&text.replace("${", "${!")),
            Piece::Expr(expr) => template.push_str(&sub_form(expr)?),
        }
    }
    Some(template)
}

/// How `expr` is written inside a `Fn::Sub` template, if it can be.
fn sub_form(expr: &Value) -> Option<String> {
    if let Some(Value::String(id)) = single_key(expr, "Ref") {
        return Some(format!("${{{id}}}"));
    }
    if let Some(args) = single_key(expr, "Fn::GetAtt") {
        return match args {
            Value::String(dotted) if dotted.contains('.') => Some(format!("${{{dotted}}}")),
            Value::Array(list) => match list.as_slice() {
                [Value::String(id), Value::String(attribute)] => {
                    Some(format!("${{{id}.{attribute}}}"))
                }
                _ => None,
            },
            _ => None,
        };
    }
    if let Some(Value::String(template)) = single_key(expr, "Fn::Sub") {
        return Some(template.clone());
    }
    None
}

/// The argument of a single-key object whose key is `key`.
fn single_key<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    let object: &Map<String, Value> = value.as_object()?;
    if object.len() == 1 {
        object.get(key)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.to_owned())
    }

    fn expr(v: Value) -> Piece {
        Piece::Expr(v)
    }

    #[test]
    fn only_text_is_a_plain_string() {
        assert_eq!(interpolate(vec![text("a"), text("b")]), json!("ab"));
        assert_eq!(interpolate(vec![]), json!(""));
    }

    #[test]
    fn text_is_not_escaped_when_no_sub_is_built() {
        assert_eq!(interpolate(vec![text("${x}")]), json!("${x}"));
    }

    #[test]
    fn single_expression_is_returned_as_is() {
        let arn = json!({"Fn::GetAtt": ["Role", "Arn"]});
        assert_eq!(interpolate(vec![expr(arn.clone())]), arn);
        assert_eq!(
            interpolate(vec![text(""), expr(arn.clone()), text("")]),
            arn
        );
        let select = json!({"Fn::Select": [0, ["a"]]});
        assert_eq!(interpolate(vec![expr(select.clone())]), select);
    }

    #[test]
    fn subable_pieces_become_one_sub() {
        let value = interpolate(vec![
            text("https://"),
            expr(json!({"Ref": "Api"})),
            text(".execute-api."),
            expr(json!({"Ref": "AWS::Region"})),
            text(".amazonaws.com/"),
            expr(json!({"Fn::GetAtt": ["Api", "RootResourceId"]})),
            expr(json!({"Fn::GetAtt": "Stage.Name"})),
        ]);
        assert_eq!(
            value,
            json!({"Fn::Sub":
                "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/${Api.RootResourceId}${Stage.Name}"})
        );
    }

    #[test]
    fn sub_text_escapes_dollar_brace() {
        let value = interpolate(vec![text("${literal}-"), expr(json!({"Ref": "A"}))]);
        assert_eq!(value, json!({"Fn::Sub": "${!literal}-${A}"}));
    }

    #[test]
    fn sub_strings_are_inlined_unescaped() {
        let value = interpolate(vec![
            expr(json!({"Fn::Sub": "arn:${AWS::Partition}:x"})),
            text("/"),
            expr(json!({"Ref": "Name"})),
        ]);
        assert_eq!(value, json!({"Fn::Sub": "arn:${AWS::Partition}:x/${Name}"}));
    }

    #[test]
    fn string_expressions_are_text() {
        let value = interpolate(vec![text("a"), expr(json!("${b}")), text("c")]);
        assert_eq!(value, json!("a${b}c"));
        let value = interpolate(vec![expr(json!("p-")), expr(json!({"Ref": "X"}))]);
        assert_eq!(value, json!({"Fn::Sub": "p-${X}"}));
    }

    #[test]
    fn non_subable_expression_forces_join_with_merged_text() {
        let select = json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]});
        let value = interpolate(vec![
            text("a"),
            text("b"),
            expr(select.clone()),
            text("-"),
            expr(json!({"Ref": "X"})),
            expr(json!("c")),
        ]);
        assert_eq!(
            value,
            json!({"Fn::Join": ["", ["ab", select, "-", {"Ref": "X"}, "c"]]})
        );
    }

    #[test]
    fn join_text_is_not_escaped() {
        let select = json!({"Fn::Select": [0, ["x"]]});
        let value = interpolate(vec![text("${a}"), expr(select.clone())]);
        assert_eq!(value, json!({"Fn::Join": ["", ["${a}", select]]}));
    }

    #[test]
    fn sub_list_form_and_odd_getatt_are_not_subable() {
        let sub = json!({"Fn::Sub": ["${A}", {"A": "x"}]});
        let value = interpolate(vec![text("p"), expr(sub.clone())]);
        assert_eq!(value, json!({"Fn::Join": ["", ["p", sub]]}));
        let getatt = json!({"Fn::GetAtt": ["R", {"Ref": "Attr"}]});
        let value = interpolate(vec![text("p"), expr(getatt.clone())]);
        assert_eq!(value, json!({"Fn::Join": ["", ["p", getatt]]}));
    }

    #[test]
    fn nested_empty_joins_are_flattened() {
        let select = json!({"Fn::Select": [0, ["x"]]});
        let inner = json!({"Fn::Join": ["", ["b", select.clone()]]});
        let value = interpolate(vec![text("a"), expr(inner)]);
        assert_eq!(value, json!({"Fn::Join": ["", ["ab", select]]}));
        let subable = json!({"Fn::Join": ["", ["b", {"Ref": "X"}]]});
        let value = interpolate(vec![text("a"), expr(subable)]);
        assert_eq!(value, json!({"Fn::Sub": "ab${X}"}));
    }

    #[test]
    fn joins_with_a_delimiter_are_kept() {
        let join = json!({"Fn::Join": [",", ["a", "b"]]});
        let value = interpolate(vec![text("x"), expr(join.clone())]);
        assert_eq!(value, json!({"Fn::Join": ["", ["x", join]]}));
    }
}
