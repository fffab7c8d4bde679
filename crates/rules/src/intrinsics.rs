//! Reading values that may be CloudFormation intrinsic functions.
//!
//! The rules run on the merged template before CloudFormation resolves anything, so a value
//! may be a literal, or an intrinsic whose result is only known at deploy time. These
//! helpers recover as much literal text as the template itself fixes (a `Fn::Sub` without
//! variables, the literal parts of a `Fn::Join`) and say precisely what is left unknown, so
//! a rule can either decide or report what stopped it.

use serde_json::Value;

/// Stands for the value of a `Fn::Sub` variable or a non-literal `Fn::Join` part in
/// rendered text: a character no template writes, so it can never be mistaken for part of
/// an action, an ARN or a VTL parameter name.
pub(crate) const PLACEHOLDER: char = '\u{FFFC}';

/// Whether `value` is an intrinsic function: an object with exactly one key that is `Ref`,
/// `Condition` or `Fn::...`. (A one-key object with any other key is plain data.)
pub(crate) fn is_intrinsic(value: &Value) -> bool {
    intrinsic_name(value).is_some()
}

/// The function name of an intrinsic (`Ref`, `Fn::Sub`...), or `None` for plain data.
pub(crate) fn intrinsic_name(value: &Value) -> Option<&str> {
    stackweave_template::intrinsic_function(value.as_object()?)
}

/// The name a `Ref` points at, when `value` is exactly `{"Ref": "Name"}`.
pub(crate) fn ref_target(value: &Value) -> Option<&str> {
    match intrinsic_name(value) {
        Some("Ref") => value.get("Ref")?.as_str(),
        _ => None,
    }
}

/// A short description of an intrinsic for messages: `Ref Name`, `Fn::GetAtt Res.Attr`,
/// or the function name.
pub(crate) fn describe(value: &Value) -> String {
    match intrinsic_name(value) {
        Some("Ref") => match ref_target(value) {
            Some(target) => format!("Ref {target}"),
            None => "Ref".to_owned(),
        },
        Some("Fn::GetAtt") => match getatt_parts(value) {
            Some((resource, attribute)) => format!("Fn::GetAtt {resource}.{attribute}"),
            None => "Fn::GetAtt".to_owned(),
        },
        Some(name) => name.to_owned(),
        None => match value {
            Value::Null => "null".to_owned(),
            Value::Bool(_) => "a boolean".to_owned(),
            Value::Number(_) => "a number".to_owned(),
            Value::String(_) => "a string".to_owned(),
            Value::Array(_) => "a list".to_owned(),
            Value::Object(_) => "an object".to_owned(),
        },
    }
}

/// The resource and attribute of a `Fn::GetAtt`, in either long form (`[Res, Attr]`) or
/// the dotted string form some writers emit (`"Res.Attr"`).
pub(crate) fn getatt_parts(value: &Value) -> Option<(&str, &str)> {
    let args = value.as_object()?.get("Fn::GetAtt")?;
    match args {
        Value::Array(parts) if parts.len() == 2 => Some((parts[0].as_str()?, parts[1].as_str()?)),
        Value::String(dotted) => dotted.split_once('.'),
        _ => None,
    }
}

/// The values a property may take, each with its JSON Pointer: both branches of a
/// `Fn::If` (nested ones too), nothing for `Ref AWS::NoValue`, otherwise the value itself.
/// A branch is as literal as any other value, so a rule checks each branch and a finding
/// in either is a finding whenever that condition holds.
pub(crate) fn alternatives<'a>(value: &'a Value, pointer: &str) -> Vec<(&'a Value, String)> {
    let mut out = Vec::new();
    collect_alternatives(value, pointer.to_owned(), &mut out);
    out
}

fn collect_alternatives<'a>(value: &'a Value, pointer: String, out: &mut Vec<(&'a Value, String)>) {
    if ref_target(value) == Some("AWS::NoValue") {
        return;
    }
    if intrinsic_name(value) == Some("Fn::If")
        && let Some(Value::Array(args)) = value.get("Fn::If")
        && args.len() == 3
    {
        let base = crate::child(&pointer, "Fn::If");
        collect_alternatives(&args[1], crate::child(&base, "1"), out);
        collect_alternatives(&args[2], crate::child(&base, "2"), out);
        return;
    }
    out.push((value, pointer));
}

/// One part of a text value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Text the template fixes.
    Literal(String),
    /// A value only known at deploy time, named as written: a `Fn::Sub` variable name
    /// (`AWS::Partition`, `MyBucket.Arn`) or a description of a `Fn::Join` part.
    Variable(String),
}

/// A text value as far as the template fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Text {
    pub(crate) pieces: Vec<Piece>,
}

impl Text {
    fn push_literal(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Piece::Literal(last)) = self.pieces.last_mut() {
            last.push_str(text);
        } else {
            self.pieces.push(Piece::Literal(text.to_owned()));
        }
    }

    fn push_variable(&mut self, name: String) {
        self.pieces.push(Piece::Variable(name));
    }

    fn extend(&mut self, other: Text) {
        for piece in other.pieces {
            match piece {
                Piece::Literal(text) => self.push_literal(&text),
                Piece::Variable(name) => self.push_variable(name),
            }
        }
    }

    /// The whole text when nothing in it is left to deploy time.
    pub(crate) fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Variable(_) => return None,
            }
        }
        Some(out)
    }

    /// The text with each unknown part replaced by [`PLACEHOLDER`], for scanning what the
    /// template does fix.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Variable(_) => out.push(PLACEHOLDER),
            }
        }
        out
    }

    /// The text as written, each unknown part as `${name}`, for messages.
    pub(crate) fn display(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Variable(name) => {
                    out.push_str("${");
                    out.push_str(name);
                    out.push('}');
                }
            }
        }
        out
    }

    /// The names of the unknown parts, for messages.
    pub(crate) fn variables(&self) -> Vec<&str> {
        self.pieces
            .iter()
            .filter_map(|piece| match piece {
                Piece::Variable(name) => Some(name.as_str()),
                Piece::Literal(_) => None,
            })
            .collect()
    }
}

/// The text of a value that is a string, a number or boolean (CloudFormation turns them
/// into strings), a `Fn::Sub` (string or `[string, variables]` form), a `Fn::Join`, or a
/// `Ref` (wholly unknown text). `None` for any other value: it is not text the template
/// writes.
pub(crate) fn text_of(value: &Value) -> Option<Text> {
    let mut text = Text::default();
    match value {
        Value::String(s) => text.push_literal(s),
        Value::Number(n) => text.push_literal(&n.to_string()),
        Value::Bool(b) => text.push_literal(if *b { "true" } else { "false" }),
        Value::Object(_) => match intrinsic_name(value)? {
            "Ref" => text.push_variable(ref_target(value)?.to_owned()),
            "Fn::Sub" => return sub_text(value.get("Fn::Sub")?),
            "Fn::Join" => return join_text(value.get("Fn::Join")?),
            _ => return None,
        },
        _ => return None,
    }
    Some(text)
}

/// The text of a value when the template fixes all of it: a string, or a `Fn::Sub` /
/// `Fn::Join` without anything left to deploy time.
pub(crate) fn literal_text(value: &Value) -> Option<String> {
    text_of(value)?.literal()
}

fn sub_text(args: &Value) -> Option<Text> {
    match args {
        Value::String(source) => Some(parse_sub(source, None)),
        Value::Array(parts) if parts.len() == 2 => {
            let source = parts[0].as_str()?;
            Some(parse_sub(source, parts[1].as_object()))
        }
        _ => None,
    }
}

/// Splits a `Fn::Sub` string into literal text and variables. `${!Name}` is the literal
/// `${Name}`; a variable given a value in the variables map is that value's text when the
/// template fixes it.
fn parse_sub(source: &str, variables: Option<&serde_json::Map<String, Value>>) -> Text {
    let mut text = Text::default();
    let mut rest = source;
    while let Some(start) = rest.find("${") {
        text.push_literal(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(escaped) = after.strip_prefix('!') {
            // `${!Literal}` writes `${Literal}`: keep scanning after the `${`.
            text.push_literal("${");
            rest = escaped;
            continue;
        }
        match after.find('}') {
            Some(end) => {
                let name = after[..end].trim();
                match variables.and_then(|map| map.get(name)).map(text_of) {
                    Some(Some(value)) => text.extend(value),
                    _ => text.push_variable(name.to_owned()),
                }
                rest = &after[end + 1..];
            }
            None => {
                // CloudFormation rejects an unclosed `${`; read it as text.
                text.push_literal(&rest[start..]);
                rest = "";
            }
        }
    }
    text.push_literal(rest);
    text
}

fn join_text(args: &Value) -> Option<Text> {
    let args = args.as_array()?;
    if args.len() != 2 {
        return None;
    }
    let delimiter = args[0].as_str()?;
    let parts = args[1].as_array()?;
    let mut text = Text::default();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            text.push_literal(delimiter);
        }
        match text_of(part) {
            Some(part_text) => text.extend(part_text),
            None => text.push_variable(describe(part)),
        }
    }
    Some(text)
}

/// A boolean property as CloudFormation reads it: `true`/`false` or the strings
/// `"true"`/`"false"` (any case). `None` for anything else, intrinsics included.
pub(crate) fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn intrinsics_are_one_key_objects_with_function_keys() {
        assert!(is_intrinsic(&json!({"Ref": "X"})));
        assert!(is_intrinsic(&json!({"Fn::Sub": "x"})));
        assert!(is_intrinsic(&json!({"Condition": "IsProd"})));
        assert!(!is_intrinsic(&json!({"Ref": "X", "Other": 1})));
        assert!(!is_intrinsic(&json!({"Service": "x"})));
        assert!(!is_intrinsic(&json!("Ref")));
    }

    #[test]
    fn sub_without_variables_is_literal() {
        assert_eq!(
            literal_text(&json!({"Fn::Sub": "logs:*"})).as_deref(),
            Some("logs:*")
        );
        assert_eq!(
            literal_text(&json!({"Fn::Sub": "a${!B}c"})).as_deref(),
            Some("a${B}c")
        );
        assert_eq!(literal_text(&json!({"Fn::Sub": "a${B}c"})), None);
        assert_eq!(
            literal_text(&json!({"Fn::Sub": ["a${B}c", {"B": "b"}]})).as_deref(),
            Some("abc")
        );
    }

    #[test]
    fn sub_and_join_keep_their_variables() {
        let sub = text_of(&json!({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/X"}));
        let join = text_of(
            &json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/X"]]}),
        );
        assert_eq!(sub, join);
        let sub = sub.unwrap_or_default();
        assert_eq!(sub.variables(), vec!["AWS::Partition"]);
        assert_eq!(sub.render(), format!("arn:{PLACEHOLDER}:iam::aws:policy/X"));
        assert_eq!(text_of(&json!({"Fn::GetAtt": ["A", "Arn"]})), None);
    }

    #[test]
    fn alternatives_follow_if_and_drop_no_value() {
        let value = json!({"Fn::If": ["C", "a", {"Fn::If": ["D", {"Ref": "AWS::NoValue"}, "b"]}]});
        let found: Vec<_> = alternatives(&value, "/P")
            .into_iter()
            .map(|(v, p)| (v.clone(), p))
            .collect();
        assert_eq!(
            found,
            vec![
                (json!("a"), "/P/Fn::If/1".to_owned()),
                (json!("b"), "/P/Fn::If/2/Fn::If/2".to_owned()),
            ]
        );
    }
}
