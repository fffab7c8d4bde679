//! The differential test: every corpus case rendered by Apache Velocity 1.7 (through
//! `tests/oracle/VelocityHarness.java`, compiled here with `javac`, all cases in one JVM)
//! and by this crate, which must agree on the text, the status override and the header
//! overrides, or both refuse the template.
//!
//! Without Java or Velocity the test is skipped with a notice; under CI (`CI` set) it
//! fails instead, naming what to install.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use stackweave_vtl::Template;

use crate::corpus::{self, Case};

const JARS: [&str; 3] = [
    "/usr/share/java/velocity.jar",
    "/usr/share/java/commons-collections3.jar",
    "/usr/share/java/commons-lang.jar",
];

/// What an engine made of a case.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Rendered {
        text: String,
        status: Option<String>,
        headers: BTreeMap<String, String>,
    },
    Refused(String),
}

fn hex(s: &str) -> String {
    let mut out = String::from("x");
    for b in s.bytes() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn unhex(s: &str) -> String {
    let digits = s.strip_prefix('x').expect("hex field starts with x");
    let bytes: Vec<u8> = (0..digits.len() / 2)
        .map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).expect("hex digits"))
        .collect();
    String::from_utf8(bytes).expect("oracle writes UTF-8")
}

/// The harness compiled, or why it cannot be.
fn harness() -> Result<PathBuf, String> {
    let missing: Vec<_> = JARS.iter().filter(|j| !Path::new(j).exists()).collect();
    if !missing.is_empty() {
        return Err(format!("{missing:?} missing"));
    }
    for tool in ["java", "javac"] {
        let ok = Command::new(tool)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            return Err(format!("`{tool}` not found"));
        }
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("velocity-harness");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/VelocityHarness.java");
    let status = Command::new("javac")
        .args([
            "-nowarn",
            "-encoding",
            "UTF-8",
            "-cp",
            &JARS.join(":"),
            "-d",
        ])
        .arg(&out)
        .arg(&source)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        panic!("javac could not compile {}", source.display());
    }
    Ok(out)
}

fn run_velocity(classes: &Path, cases: &[&Case]) -> BTreeMap<String, Outcome> {
    let mut input = String::new();
    for case in cases {
        let _ = writeln!(input, "case {}", hex(&case.name));
        let _ = writeln!(input, "template {}", hex(&case.template));
        let _ = writeln!(input, "body {}", hex(&case.scope.input.body));
        for (section, map) in [
            ("path", &case.scope.input.path),
            ("querystring", &case.scope.input.querystring),
            ("header", &case.scope.input.header),
            ("stage", &case.scope.stage_variables),
        ] {
            for (k, v) in map {
                let _ = writeln!(input, "{section} {} {}", hex(k), hex(v));
            }
        }
        let _ = writeln!(input, "context {}", hex(&case.context_json));
        input.push_str("end\n");
    }
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("velocity-cases.txt");
    std::fs::write(&file, input).expect("write the oracle's input");
    let classpath = format!("{}:{}", classes.display(), JARS.join(":"));
    let output = Command::new("java")
        .args([
            "-Xshare:auto",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            &classpath,
            "VelocityHarness",
        ])
        .arg(&file)
        .output()
        .expect("run java");
    assert!(
        output.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("oracle writes UTF-8");
    let mut results = BTreeMap::new();
    let mut current: Option<(String, Outcome)> = None;
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields[0] {
            "result" if fields[2] == "ok" => {
                let status = (fields[4] != "-").then(|| unhex(fields[4]));
                current = Some((
                    unhex(fields[1]),
                    Outcome::Rendered {
                        text: unhex(fields[3]),
                        status,
                        headers: BTreeMap::new(),
                    },
                ));
            }
            "result" => current = Some((unhex(fields[1]), Outcome::Refused(unhex(fields[3])))),
            "header" => {
                if let Some((_, Outcome::Rendered { headers, .. })) = &mut current {
                    headers.insert(unhex(fields[1]), unhex(fields[2]));
                }
            }
            "done" => {
                let (name, outcome) = current.take().expect("a result before done");
                results.insert(name, outcome);
            }
            other => panic!("unexpected oracle line {other}"),
        }
    }
    results
}

fn run_crate(case: &Case) -> Outcome {
    let rendered = Template::parse(&case.template).and_then(|t| t.render(&case.scope));
    match rendered {
        Ok(r) => Outcome::Rendered {
            text: r.text,
            status: r.status_override.map(|s| s.to_string()),
            headers: r.header_overrides,
        },
        Err(e) => Outcome::Refused(e.to_string()),
    }
}

#[test]
fn corpus_agrees_with_velocity() {
    let cases = corpus::load();
    // Cases where API Gateway documents a behaviour of its own are checked against that.
    let mut failures = Vec::new();
    for case in cases.iter().filter(|c| c.apigw_expected.is_some()) {
        let expected = case.apigw_expected.clone().unwrap_or_default();
        match run_crate(case) {
            Outcome::Rendered { text, .. } if text == expected => {}
            other => failures.push(format!(
                "{}: API Gateway gives {expected:?}, the crate {other:?}",
                case.name
            )),
        }
    }
    let differential: Vec<&Case> = cases
        .iter()
        .filter(|c| c.apigw_expected.is_none())
        .collect();
    let classes = match harness() {
        Ok(classes) => classes,
        Err(why) => {
            let help = "install Apache Velocity 1.7 and a JDK: apt-get install velocity default-jdk-headless";
            if std::env::var_os("CI").is_some() {
                panic!("the Velocity oracle is unavailable ({why}); {help}");
            }
            eprintln!("skipping the Velocity differential test ({why}); {help}");
            assert!(failures.is_empty(), "{}", failures.join("\n"));
            return;
        }
    };
    let velocity = run_velocity(&classes, &differential);
    let mut agree = 0;
    for case in &differential {
        let theirs = velocity
            .get(&case.name)
            .cloned()
            .unwrap_or(Outcome::Refused("no result".into()));
        let ours = run_crate(case);
        let same = match (&theirs, &ours) {
            (Outcome::Refused(_), Outcome::Refused(_)) => case.expect_error,
            _ => theirs == ours && !case.expect_error,
        };
        if same {
            agree += 1;
        } else {
            failures.push(format!(
                "{}{}:\n  velocity: {theirs:?}\n  crate:    {ours:?}",
                case.name,
                if case.expect_error {
                    " (expects both to refuse it)"
                } else {
                    ""
                }
            ));
        }
    }
    eprintln!(
        "{agree} of {} corpus cases agree with Velocity 1.7; {} checked against API Gateway's documented behaviour",
        differential.len(),
        cases.len() - differential.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
