//! `stackweave synth --check --out DIR`: are the committed outputs current? Synthesises in
//! memory, compares every file `synth --out DIR` would write with what `DIR` holds, and
//! touches nothing on disk.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value, json};
use similar::TextDiff;

use crate::input::display_path;
use crate::report::{self, Paint, ReportFormat, SarifResult, SarifRule};

/// The id under which SARIF reports an out-of-date file.
const STALE_RULE: &str = "SW-CHECK-1";

/// How one output file compares.
pub struct Compared {
    /// The file's path as reports show it.
    pub file: String,
    pub state: State,
}

/// What `DIR` holds compared with the synthesis.
pub enum State {
    /// Byte for byte what synthesis gives.
    Current,
    /// Different: the unified diff from what is there to what synthesis gives, and the
    /// first line that differs (in the committed file).
    Changed { diff: String, first_line: usize },
    /// Not there (or unreadable) at all.
    Missing,
}

/// Compares each `(name, contents)` with `dir/name`.
pub fn compare(dir: &Path, files: &[(String, String)]) -> Vec<Compared> {
    files
        .iter()
        .map(|(name, synthesised)| {
            let path = dir.join(name);
            let file = display_path(&path);
            // What is there is only read if it could be what synthesis writes: a regular
            // UTF-8 file within the template bound; anything else is as good as missing.
            let committed = stackweave_template_file::read_text(&path);
            let state = match committed {
                Err(_) => State::Missing,
                Ok(committed) if committed == *synthesised => State::Current,
                Ok(committed) => {
                    let diff = TextDiff::from_lines(&committed, synthesised);
                    let first_line = committed
                        .lines()
                        .zip(synthesised.lines())
                        .position(|(a, b)| a != b)
                        .unwrap_or_else(|| {
                            committed.lines().count().min(synthesised.lines().count())
                        })
                        + 1;
                    let diff = diff
                        .unified_diff()
                        .context_radius(3)
                        .header(
                            &format!("{file} (committed)"),
                            &format!("{file} (synthesised)"),
                        )
                        .to_string();
                    State::Changed { diff, first_line }
                }
            };
            Compared { file, state }
        })
        .collect()
}

/// Whether any file is out of date.
pub fn stale(compared: &[Compared]) -> bool {
    compared.iter().any(|c| !matches!(c.state, State::Current))
}

/// Renders the comparison; `stack` and `dir` go into the hint on how to update.
pub fn render(
    format: ReportFormat,
    compared: &[Compared],
    stack: &Path,
    dir: &Path,
    paint: Paint,
) -> String {
    match format {
        ReportFormat::Text => text(compared, stack, dir, paint),
        ReportFormat::Json => {
            let files: Vec<Value> = compared
                .iter()
                .map(|c| match &c.state {
                    State::Current => json!({"file": c.file, "status": "current"}),
                    State::Missing => json!({"file": c.file, "status": "missing"}),
                    State::Changed { diff, first_line } => json!({
                        "file": c.file, "status": "changed", "line": first_line, "diff": diff,
                    }),
                })
                .collect();
            report::to_json_text(&json!({
                "stackweave": env!("CARGO_PKG_VERSION"),
                "command": "synth --check",
                "input": display_path(stack),
                "current": !stale(compared),
                "files": files,
            }))
        }
        ReportFormat::Sarif => {
            let rule = SarifRule {
                id: STALE_RULE.to_owned(),
                title: "Committed template is out of date".to_owned(),
                rationale:
                    "What is reviewed and deployed must be what the stack file synthesises to."
                        .to_owned(),
                fix: format!(
                    "run `stackweave synth {} --out {}` and commit the result",
                    display_path(stack),
                    display_path(dir)
                ),
                level: "error",
            };
            let results: Vec<SarifResult> = compared
                .iter()
                .filter_map(|c| {
                    let (message, line) = match &c.state {
                        State::Current => return None,
                        State::Missing => (format!("{} is missing", c.file), None),
                        State::Changed { first_line, .. } => (
                            format!("{} differs from what the stack file synthesises to", c.file),
                            Some(*first_line),
                        ),
                    };
                    Some(SarifResult {
                        rule_id: STALE_RULE.to_owned(),
                        level: "error",
                        message,
                        // A missing file cannot be annotated; point at the stack file.
                        file: if line.is_some() {
                            c.file.clone()
                        } else {
                            display_path(stack)
                        },
                        region: line.map(|l| (l, 1)),
                        logical_id: None,
                        construct: None,
                        suppressed_because: None,
                        properties: Map::new(),
                    })
                })
                .collect();
            report::to_json_text(&report::sarif_log(&[rule], &results))
        }
    }
}

fn text(compared: &[Compared], stack: &Path, dir: &Path, paint: Paint) -> String {
    let mut out = String::new();
    for c in compared {
        match &c.state {
            State::Current => {}
            State::Missing => {
                let _ = writeln!(out, "{}", paint.red(&format!("missing: {}", c.file)));
            }
            State::Changed { diff, .. } => {
                for line in diff.lines() {
                    let painted = if line.starts_with("+++") || line.starts_with("---") {
                        paint.bold(line)
                    } else if line.starts_with('+') {
                        paint.green(line)
                    } else if line.starts_with('-') {
                        paint.red(line)
                    } else if line.starts_with("@@") {
                        paint.dim(line)
                    } else {
                        line.to_owned()
                    };
                    let _ = writeln!(out, "{painted}");
                }
            }
        }
    }
    let stale_count = compared
        .iter()
        .filter(|c| !matches!(c.state, State::Current))
        .count();
    if stale_count == 0 {
        let _ = writeln!(
            out,
            "{}",
            paint.green(&format!(
                "{} files in {} are current",
                compared.len(),
                display_path(dir)
            ))
        );
    } else {
        let _ = writeln!(
            out,
            "{}\nrun `stackweave synth {} --out {}` and commit the result",
            paint.red(&format!(
                "{stale_count} of {} files in {} are out of date",
                compared.len(),
                display_path(dir)
            )),
            display_path(stack),
            display_path(dir)
        );
    }
    out
}
