//! The reference grammar: `${Name}`, `${Name.attr}`, pseudo parameters and `${!` escapes.

use stackweave_stack::{Part, Reference, Text, TextError};

fn lit(s: &str) -> Part {
    Part::Literal(s.to_owned())
}

fn r(target: &str, attribute: Option<&str>) -> Part {
    Part::Ref(Reference {
        stack: None,
        target: target.to_owned(),
        attribute: attribute.map(str::to_owned),
    })
}

fn parts(s: &str) -> Vec<Part> {
    Text::parse(s).unwrap().parts
}

fn error(s: &str) -> String {
    Text::parse(s).unwrap_err().to_string()
}

#[test]
fn plain_strings_are_one_literal_and_empty_has_no_parts() {
    assert_eq!(parts("hello world"), vec![lit("hello world")]);
    assert_eq!(parts(""), Vec::<Part>::new());
    assert_eq!(Text::parse("x").unwrap().as_literal().as_deref(), Some("x"));
}

#[test]
fn multiple_references_split_the_string() {
    assert_eq!(
        parts("arn:${AWS::Partition}:states:${AWS::Region}:${Flow.name}/x"),
        vec![
            lit("arn:"),
            r("AWS::Partition", None),
            lit(":states:"),
            r("AWS::Region", None),
            lit(":"),
            r("Flow", Some("name")),
            lit("/x"),
        ]
    );
    assert_eq!(parts("${A}${B.c}"), vec![r("A", None), r("B", Some("c"))]);
    assert_eq!(Text::parse("${A}").unwrap().as_literal(), None);
}

#[test]
fn attributes_may_be_dotted() {
    assert_eq!(
        parts("${Db.Endpoint.Address}"),
        vec![r("Db", Some("Endpoint.Address"))]
    );
}

#[test]
fn escapes_and_lone_dollars_are_literal() {
    assert_eq!(parts("${!Literal}"), vec![lit("${Literal}")]);
    assert_eq!(parts("cost $5, $ {x}, $"), vec![lit("cost $5, $ {x}, $")]);
    assert_eq!(parts("$${A}"), vec![lit("$"), r("A", None)]);
    assert_eq!(
        parts("${!a}-${B}-${!}"),
        vec![lit("${a}-"), r("B", None), lit("-${}")]
    );
    // An escape is only `${!`; what follows is scanned as usual.
    assert_eq!(parts("${!a${B}"), vec![lit("${a"), r("B", None)]);
}

#[test]
fn written_form_round_trips() {
    for s in [
        "${!Literal}",
        "$${A}",
        "$${!x}",
        "${!a${B}",
        "a ${B.c} $ ${!d} ${AWS::Region}",
        "",
    ] {
        assert_eq!(Text::parse(s).unwrap().written(), s);
    }
}

#[test]
fn reference_display_and_pseudo() {
    let Part::Ref(reference) = &parts("${Api.url}")[0] else {
        panic!("expected a reference");
    };
    assert_eq!(reference.to_string(), "${Api.url}");
    assert!(!reference.is_pseudo());
    let Part::Ref(reference) = &parts("${AWS::NoValue}")[0] else {
        panic!("expected a reference");
    };
    assert_eq!(reference.to_string(), "${AWS::NoValue}");
    assert!(reference.is_pseudo());
}

#[test]
fn every_pseudo_parameter_is_accepted() {
    for name in stackweave_stack::PSEUDO_PARAMETERS {
        assert_eq!(parts(&format!("${{{name}}}")), vec![r(name, None)]);
    }
}

#[test]
fn unterminated_reference_is_an_error() {
    assert_eq!(
        Text::parse("a ${Api.url"),
        Err(TextError::Unterminated {
            text: "${Api.url".into()
        })
    );
    assert_eq!(
        error("${"),
        "unterminated reference `${`; close it with `}`, or write `${!` for a literal `${`"
    );
}

#[test]
fn empty_reference_is_an_error() {
    assert_eq!(Text::parse("x${}"), Err(TextError::Empty));
}

#[test]
fn malformed_references_are_errors() {
    for inner in [
        " Api", "Api ", "1Api", "Api-x", "Api.", "Api..x", ".x", "Api.x-y", "A{b", "my_api",
    ] {
        assert_eq!(
            Text::parse(&format!("${{{inner}}}")),
            Err(TextError::Malformed {
                inner: inner.to_owned()
            }),
            "{inner}"
        );
    }
    assert_eq!(
        error("${a b}"),
        "malformed reference `${a b}`; write `${Name}` or `${Name.attribute}` where Name is letters and digits starting with a letter, `${Stack::Name.attribute}` for another stack of the app, `${value:name}` for a value of the environment, or `${!a b}` for literal text"
    );
    for inner in [
        "Stack::",
        "::Api",
        "2x::Api",
        "A::B::C",
        "value:",
        "value:a-b",
        "value:x.y",
    ] {
        assert!(
            matches!(
                Text::parse(&format!("${{{inner}}}")),
                Err(TextError::Malformed { .. })
            ),
            "{inner}"
        );
    }
}

#[test]
fn another_stacks_references_and_values_parse_and_write_back() {
    let text = Text::parse("${Data-1::Table.Arn}/${value:stage}/${Logs::Group}").unwrap();
    assert_eq!(
        text.parts,
        [
            Part::Ref(Reference {
                stack: Some("Data-1".into()),
                target: "Table".into(),
                attribute: Some("Arn".into()),
            }),
            lit("/"),
            Part::Value("stage".into()),
            lit("/"),
            Part::Ref(Reference {
                stack: Some("Logs".into()),
                target: "Group".into(),
                attribute: None,
            }),
        ]
    );
    assert_eq!(
        text.written(),
        "${Data-1::Table.Arn}/${value:stage}/${Logs::Group}"
    );
    assert_eq!(text.values().collect::<Vec<_>>(), ["stage"]);
    assert_eq!(text.references().count(), 2);
    assert_eq!(text.as_literal(), None);
}

#[test]
fn unknown_pseudo_parameter_suggests_the_closest() {
    assert_eq!(
        Text::parse("${AWS::Regoin}"),
        Err(TextError::UnknownPseudo {
            name: "AWS::Regoin".into(),
            suggestion: Some("AWS::Region".into()),
        })
    );
    assert!(
        error("${AWS::Bogus}")
            .starts_with("unknown pseudo parameter `AWS::Bogus`; use one of AWS::AccountId, ")
    );
}

#[test]
fn pseudo_parameters_take_no_attribute() {
    assert_eq!(
        error("${AWS::Region.name}"),
        "pseudo parameter `AWS::Region` has no attributes; write `${AWS::Region}`"
    );
}
