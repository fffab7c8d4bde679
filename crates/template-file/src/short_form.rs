//! CloudFormation's YAML short forms (`!Ref`, `!GetAtt`, `!Sub`, ...) and the long form
//! each one stands for.
//!
//! The value converter and the location index both use this one table, so a node's JSON
//! Pointer in the index always matches where its value sits in the long form
//! (`!Ref X` at `/A` puts `X` at `/A/Ref`).

/// Every short-form tag CloudFormation accepts in YAML templates, without its `!`, with the
/// key of the long form it becomes. The condition functions (`!And`, `!Equals`, `!If`,
/// `!Not`, `!Or`) and `!Condition` belong here too: CloudFormation treats them alike.
pub const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("FindInMap", "Fn::FindInMap"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("ImportValue", "Fn::ImportValue"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
];

/// The long-form key for a short-form tag name written without its `!` (`"GetAtt"` gives
/// `"Fn::GetAtt"`), or `None` when CloudFormation has no such short form.
pub fn long_form_key(tag: &str) -> Option<&'static str> {
    SHORT_FORMS
        .iter()
        .find(|(short, _)| *short == tag)
        .map(|(_, long)| *long)
}

/// The tag names as a sentence fragment, for the help of an unknown-tag error.
pub(crate) fn known_tags() -> String {
    SHORT_FORMS
        .iter()
        .map(|(short, _)| format!("!{short}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_but_ref_and_condition_gets_the_fn_prefix() {
        for (short, long) in SHORT_FORMS {
            match *short {
                "Ref" | "Condition" => assert_eq!(long, short),
                _ => assert_eq!(*long, format!("Fn::{short}")),
            }
        }
        assert_eq!(long_form_key("GetAZs"), Some("Fn::GetAZs"));
        assert_eq!(long_form_key("Reference"), None);
    }
}
