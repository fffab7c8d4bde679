//! The public API: errors with line and column, the response overrides, the limits, and
//! that a parsed template can be shared between threads.

use std::collections::BTreeMap;

use stackweave_vtl::{Input, RenderLimits, Scope, Template, VtlError};

fn render(template: &str, scope: &Scope) -> Result<String, VtlError> {
    Template::parse(template)?.render(scope).map(|r| r.text)
}

#[test]
fn template_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Template>();
}

#[test]
fn parse_errors_point_at_line_and_column() {
    let err = Template::parse("ok\n  #if($x)\nno end").expect_err("unterminated #if");
    assert_eq!((err.line, err.column), (2, 3));
    assert_eq!(err.message, "#if without #end");
    let err = Template::parse("#set($x = )").expect_err("no value");
    assert_eq!((err.line, err.column), (1, 11));
    assert!(
        !err.message.ends_with('.') && err.message.chars().next().is_some_and(|c| c.is_lowercase())
    );
}

#[test]
fn render_errors_point_at_the_call() {
    let err =
        render("#set($l = [1])\n$l.get(5)", &Scope::default()).expect_err("index out of range");
    assert_eq!((err.line, err.column), (2, 7));
    assert!(err.message.starts_with("get() failed"), "{}", err.message);
}

#[test]
fn response_overrides_reach_rendered() {
    let t = Template::parse(
        "#set($context.responseOverride.status = 504)\n#set($context.responseOverride.header.Retry-After = \"5\")done",
    )
    .expect("parses");
    let r = t.render(&Scope::default()).expect("renders");
    assert_eq!(r.text, "done");
    assert_eq!(r.status_override, Some(504));
    assert_eq!(
        r.header_overrides,
        BTreeMap::from([("Retry-After".to_string(), "5".to_string())])
    );
}

#[test]
fn context_and_stage_variables_are_readable() {
    let mut scope = Scope::default();
    scope.context.insert("requestId".into(), "abc".into());
    scope.context.insert(
        "identity".into(),
        serde_json::json!({"sourceIp": "1.2.3.4"}),
    );
    scope.stage_variables.insert("env".into(), "prod".into());
    let text = render(
        "$context.requestId $context.identity.sourceIp $stageVariables.env",
        &scope,
    );
    assert_eq!(text.as_deref(), Ok("abc 1.2.3.4 prod"));
}

#[test]
fn params_search_path_then_querystring_then_header() {
    let scope = Scope {
        input: Input {
            path: BTreeMap::from([("a".into(), "path".into())]),
            querystring: BTreeMap::from([
                ("a".into(), "query".into()),
                ("b".into(), "query".into()),
            ]),
            header: BTreeMap::from([("b".into(), "header".into()), ("c".into(), "header".into())]),
            ..Input::default()
        },
        ..Scope::default()
    };
    let text = render(
        "$input.params('a') $input.params('b') $input.params('c') [$input.params('d')]",
        &scope,
    );
    assert_eq!(text.as_deref(), Ok("path query header []"));
}

/// API Gateway stops a `#foreach` after 1,000 iterations; plain Velocity has no limit.
#[test]
fn foreach_stops_after_api_gateways_thousand_iterations() {
    let text = render(
        "#foreach($i in [1..5000])#set($last = $i)#end$last",
        &Scope::default(),
    );
    assert_eq!(text.as_deref(), Ok("1000"));
    let limits = RenderLimits {
        max_foreach_iterations: 3,
        ..RenderLimits::default()
    };
    let t = Template::parse("#foreach($i in [1..10])$i#end").expect("parses");
    assert_eq!(
        t.render_with(&Scope::default(), &limits)
            .map(|r| r.text)
            .as_deref(),
        Ok("123")
    );
}

#[test]
fn output_size_is_bounded() {
    let limits = RenderLimits {
        max_output_bytes: 1000,
        ..RenderLimits::default()
    };
    let t = Template::parse("#foreach($i in [1..1000])0123456789#end").expect("parses");
    let err = t
        .render_with(&Scope::default(), &limits)
        .expect_err("too much output");
    assert_eq!(err.message, "output larger than 1000 bytes");
}

#[test]
fn recursive_macros_stop_at_the_macro_depth() {
    let err = render("#macro(down $n)#down($n)#end#down(1)", &Scope::default())
        .expect_err("endless recursion");
    assert_eq!(err.message, "macro calls nested deeper than 20 levels");
}

#[test]
fn recursive_define_is_bounded() {
    let err = render("#define($a)x$a#end$a", &Scope::default()).expect_err("endless recursion");
    assert!(err.message.contains("nested deeper"), "{}", err.message);
}

#[test]
fn steps_are_bounded() {
    let t = Template::parse(
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end",
    )
    .expect("parses");
    let limits = RenderLimits {
        max_steps: 100_000,
        ..RenderLimits::default()
    };
    let err = t
        .render_with(&Scope::default(), &limits)
        .expect_err("too many steps");
    assert_eq!(err.message, "rendering took more than 100000 steps");
}

#[test]
fn include_and_parse_are_refused() {
    let err = Template::parse("#parse('x.vm')").expect_err("no resource loader");
    assert_eq!(
        err.message,
        "#parse is not available in API Gateway's mapping templates"
    );
}

/// Wildcards are beyond the oracle's JSONPath, so they are checked here.
#[test]
fn json_path_wildcards_select_lists() {
    let scope = Scope {
        input: Input {
            body: r#"{"items": [{"n": 1}, {"n": 2}], "o": {"a": "x", "b": "y"}}"#.into(),
            ..Input::default()
        },
        ..Scope::default()
    };
    let text = render(
        "$input.json('$.items[*].n') $input.path('$.o.*') $input.json('$.items[-1]')",
        &scope,
    );
    assert_eq!(text.as_deref(), Ok(r#"[1,2] [x, y] {"n":2}"#));
    let err = render("$input.path('$..n')", &scope).expect_err("deep scan is not supported");
    assert_eq!(
        err.message,
        "path() failed: unsupported json path `$..n`: deep scan (..)"
    );
}
