//! Hostile input: random and adversarial templates never panic; they parse and render, or
//! fail with an error, within the limits (nesting, macro depth, steps, output size).

use stackweave_vtl::{Input, Scope, Template};

/// A small deterministic generator (xorshift64*), so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "$",
    "$!",
    "${",
    "}",
    "$x",
    "$x.y",
    "$x.y(",
    ")",
    "(",
    "[",
    "]",
    "{",
    "#",
    "##",
    "#*",
    "*#",
    "#[[",
    "]]#",
    "#set(",
    "#set($x = ",
    "#if(",
    "#elseif(",
    "#else",
    "#{else}",
    "#end",
    "#foreach($i in ",
    "#break",
    "#stop",
    "#macro(m $a)",
    "#m(",
    "#define($d)",
    "$d",
    "\\",
    "\\\\",
    "'",
    "\"",
    "''",
    "\"\"",
    " ",
    "\n",
    "\r\n",
    "\t",
    "1",
    "-1",
    "1.5",
    "..",
    ",",
    ":",
    "==",
    "!=",
    "<",
    "&&",
    "||",
    "!",
    "not",
    "+",
    "-",
    "*",
    "/",
    "%",
    "é",
    "😀",
    "true",
    "false",
    "$input.path('$')",
    "$input.json('$.a')",
    "$util.escapeJavaScript(",
    "$input.params()",
    "$context",
    ".",
    "[1..3]",
    "{'k': 1}",
    "$x.replaceAll('(a)', '$1')",
    "$x.substring(",
    "#foreach($i in [1..2000])",
];

fn scope() -> Scope {
    Scope {
        input: Input {
            body: "{\"a\": [1, {\"b\": \"é'\\\"\"}]}".into(),
            ..Input::default()
        },
        ..Scope::default()
    }
}

#[test]
fn random_templates_never_panic() {
    let mut rng = Rng(0x0005_eed0_f7e5);
    let scope = scope();
    for _ in 0..3000 {
        let len = rng.below(40);
        let mut template = String::new();
        for _ in 0..len {
            template.push_str(PIECES[rng.below(PIECES.len())]);
        }
        if let Ok(t) = Template::parse(&template) {
            let _ = t.render(&scope);
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0xdead_beef);
    let alphabet: Vec<char> = "$#!{}[]()'\"\\.,:=<>&|*/%+-_ \n\tabcxyz019é😀"
        .chars()
        .collect();
    for _ in 0..3000 {
        let len = rng.below(60);
        let template: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        if let Ok(t) = Template::parse(&template) {
            let _ = t.render(&Scope::default());
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = [
        "#if(true)".repeat(10_000),
        "#foreach($i in [1])".repeat(10_000),
        format!("#set($x = {}1{})", "(".repeat(10_000), ")".repeat(10_000)),
        format!("#set($x = {}1{})", "[".repeat(10_000), "]".repeat(10_000)),
        format!("#set($x = {}true)", "!".repeat(10_000)),
        format!("#set($x = {})", "{'a':".repeat(10_000)),
        format!("$x{}", "[$x".repeat(10_000)),
        format!("$x.m({})", "$x.m(".repeat(10_000)),
        "\"#set($x = \"".repeat(1000),
    ];
    for template in deep {
        if let Ok(t) = Template::parse(&template) {
            let _ = t.render(&Scope::default());
        }
    }
}

#[test]
fn unterminated_constructs_are_errors() {
    for template in [
        "#if(true)",
        "#if(",
        "#foreach($i in [1])",
        "#macro(m)",
        "#define($d)",
        "#*",
        "#[[",
        "#set($x = 'a)",
        "#set($x = \"a)",
        "#set(",
        "${x",
        "$x.m(",
        "#{else",
        "#end",
        "#else",
        "#elseif(true)",
    ] {
        match Template::parse(template) {
            Ok(t) => {
                let _ = t.render(&Scope::default());
            }
            Err(e) => {
                assert!(e.line >= 1 && e.column >= 1);
                assert!(!e.message.ends_with('.'), "{template}: {}", e.message);
            }
        }
    }
}

#[test]
fn mutual_recursion_and_self_reference_stop() {
    for template in [
        "#macro(a)#b()#end#macro(b)#a()#end#a()",
        "#define($a)$b#end#define($b)$a#end$a",
        "#set($l = [])#set($ok = $l.add($l))$l",
        "#set($m = {})#set($m.self = $m)$m",
        "#foreach($i in [1..1000])#foreach($j in [1..1000])0123456789#end#end",
    ] {
        let t = Template::parse(template).expect("parses");
        let _ = t.render(&Scope::default());
    }
}
