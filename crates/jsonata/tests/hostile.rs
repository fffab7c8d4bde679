//! Hostile and random input never panics: deep nesting and runaway recursion are errors
//! (`U1001`), and random byte soup either parses or is a syntax error.

use serde_json::json;
use stackweave_jsonata::{Environment, Expression};

fn run(source: &str) {
    let input = json!({"a": [1, {"b": "x"}], "c": {"d": [[1, 2], 3]}, "s": "text"});
    if let Ok(e) = Expression::parse(source) {
        let _ = e.evaluate(Some(&input), &Environment::default());
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for open in ["(", "[", "{'a':", "-", "$f(", "a.", "a[", "function($x){"] {
        let source = open.repeat(10_000);
        let err = Expression::parse(&source).expect_err("too deep");
        assert!(
            err.code == "U1001" || err.code.starts_with('S'),
            "{open}: {err:?}"
        );
    }
}

#[test]
fn runaway_recursion_is_an_error_not_a_crash() {
    let e = Expression::parse("($f := function($n){$n + $f($n + 1)}; $f(0))").expect("parses");
    let err = e
        .evaluate(None, &Environment::default())
        .expect_err("too deep");
    assert_eq!(err.code, "U1001");
    let e = Expression::parse("($f := function($n){$n > 0 ? $f($n - 1) : 'done'}; $f(50))")
        .expect("parses");
    assert_eq!(
        e.evaluate(None, &Environment::default()),
        Ok(Some(json!("done")))
    );
}

#[test]
fn huge_ranges_are_refused() {
    let err =
        Expression::parse("[1..100000000]").and_then(|e| e.evaluate(None, &Environment::default()));
    assert_eq!(err.expect_err("too big").code, "D2014");
}

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn random_expressions_never_panic() {
    const PIECES: &[&str] = &[
        "a",
        "b",
        "c",
        "d",
        "s",
        "$",
        "$$",
        "$x",
        "$f",
        "*",
        "**",
        ".",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        ",",
        ";",
        ":",
        "?",
        "+",
        "-",
        "/",
        "%",
        "=",
        "!=",
        "<",
        ">=",
        "&",
        "and",
        "or",
        "in",
        "~>",
        ":=",
        "..",
        "^(",
        "1",
        "0",
        "-1",
        "2.5",
        "'x'",
        "\"\"",
        "true",
        "null",
        "/a+/i",
        "function($x){",
        "}",
        "$map(",
        "$sum(",
        "$string(",
        "$substring(",
        "$replace(",
        "$split(",
        "$sort(",
        "$reduce(",
        "$formatNumber(",
        "$fromMillis(",
        "$eval(",
        "`q`",
        "#",
        "@",
        "|",
        "λ",
        "😀",
        "@$p",
        "#$i",
        "%",
        "%.",
        "|a|{'z': 1}|",
        "$toMillis(",
        "'[Y0001]'",
        "\\",
        "\"",
        "'",
    ];
    let mut rng = Lcg(0x5eed);
    for _ in 0..20_000 {
        let len = 1 + rng.next() % 12;
        let mut source = String::new();
        for _ in 0..len {
            source.push_str(PIECES[(rng.next() as usize) % PIECES.len()]);
            if rng.next().is_multiple_of(3) {
                source.push(' ');
            }
        }
        run(&source);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Lcg(42);
    for _ in 0..5_000 {
        let len = rng.next() % 24;
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() % 128) as u8).collect();
        run(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn string_amplifiers_are_bounded() {
    for source in [
        "$pad('', 1e12)",
        "$pad('x', -1e9, 'ab')",
        "$reduce([1..40], function($a, $b){$a & $a}, 'xy')",
        "$join($map([1..100], function(){$pad('', 1000000, 'z')}))",
    ] {
        let err = Expression::parse(source).and_then(|e| e.evaluate(None, &Environment::default()));
        assert_eq!(err.expect_err(source).code, "U1005", "{source}");
    }
}
