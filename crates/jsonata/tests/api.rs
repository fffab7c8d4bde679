//! The public API as the ASL interpreter uses it: undefined as `None`, integers as JSON
//! integers, host variables and functions, and a fixed clock.

use serde_json::{Value, json};
use stackweave_jsonata::{Environment, Expression, JsonataError, NativeFunction};

fn eval(
    expr: &str,
    input: Option<&Value>,
    environment: &Environment,
) -> Result<Option<Value>, JsonataError> {
    Expression::parse(expr)?.evaluate(input, environment)
}

#[test]
fn integral_results_are_json_integers() {
    let v = eval("1 + 1", None, &Environment::default()).expect("evaluates");
    assert_eq!(v, Some(json!(2)));
    assert_eq!(v.map(|v| v.to_string()), Some("2".to_string()));
    let v = eval("$sum([0.5, 1.5])", None, &Environment::default()).expect("evaluates");
    assert_eq!(v.map(|v| v.to_string()), Some("2".to_string()));
    let v = eval("7 / 2", None, &Environment::default()).expect("evaluates");
    assert_eq!(v, Some(json!(3.5)));
}

#[test]
fn undefined_is_none() {
    let input = json!({"a": 1});
    assert_eq!(eval("b", Some(&input), &Environment::default()), Ok(None));
    assert_eq!(eval("a", None, &Environment::default()), Ok(None));
}

#[test]
fn states_variable_and_host_functions() {
    let mut environment = Environment::default();
    environment
        .variables
        .insert("states".into(), json!({"input": {"n": 20}}));
    let partition: NativeFunction = Box::new(|_| Ok(Some(json!("aws"))));
    environment.functions.insert("partition".into(), partition);
    let double: NativeFunction = Box::new(|args| {
        let n = args
            .first()
            .cloned()
            .flatten()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        Ok(Some(json!(n * 2.0)))
    });
    environment.functions.insert("double".into(), double);
    let v = eval(
        "$partition() & ':' & $string($double($states.input.n))",
        None,
        &environment,
    );
    assert_eq!(v, Ok(Some(json!("aws:40"))));
    let v = eval("$map([1, 2], $double)", None, &environment);
    assert_eq!(v, Ok(Some(json!([2, 4]))));
}

#[test]
fn host_function_errors_reach_the_caller() {
    let mut environment = Environment::default();
    let failing: NativeFunction =
        Box::new(|_| Err(JsonataError::new("States.Runtime", None, "no")));
    environment.functions.insert("fail".into(), failing);
    let err = eval("$fail()", None, &environment).expect_err("fails");
    assert_eq!(err.code, "States.Runtime");
}

#[test]
fn the_clock_is_fixed_by_evaluate_at() {
    let e = Expression::parse("[$millis(), $now()]").expect("parses");
    let v = e
        .evaluate_at(None, &Environment::default(), 86_400_000)
        .expect("evaluates");
    assert_eq!(v, Some(json!([86_400_000, "1970-01-02T00:00:00.000Z"])));
}

#[test]
fn host_functions_can_fix_the_clock_too() {
    let mut environment = Environment::default();
    let now: NativeFunction = Box::new(|_| Ok(Some(json!("2000-01-01T00:00:00.000Z"))));
    environment.functions.insert("now".into(), now);
    assert_eq!(
        eval("$now()", None, &environment),
        Ok(Some(json!("2000-01-01T00:00:00.000Z")))
    );
}

#[test]
fn the_clock_is_read_once_per_evaluation() {
    let v = eval(
        "$now() = $now() and $millis() = $millis()",
        None,
        &Environment::default(),
    );
    assert_eq!(v, Ok(Some(json!(true))));
}

#[test]
fn errors_carry_codes_and_positions() {
    let err = Expression::parse("1 +").expect_err("syntax error");
    assert_eq!(err.code, "S0207");
    let err = eval("1 + 'a'", None, &Environment::default()).expect_err("type error");
    assert_eq!(err.code, "T2002");
    assert_eq!(err.position, Some(2));
    assert_eq!(err.to_string(), format!("T2002: {}", err.message));
}

#[test]
fn an_expression_is_reusable_and_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Expression>();
    let e = Expression::parse("$ * 2").expect("parses");
    for n in 0..3 {
        assert_eq!(
            e.evaluate(Some(&json!(n)), &Environment::default()),
            Ok(Some(json!(n * 2)))
        );
    }
}
