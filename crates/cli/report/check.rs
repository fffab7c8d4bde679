//! `stackweave synth --check`'s report: each output file that is not current, with its
//! diff, and how to bring them up to date.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::{Paint, Report, SarifResult, SarifRule, Verdict, display_path};
use crate::check::{Compared, State, stale};

/// The id under which SARIF reports an out-of-date file.
const STALE_RULE: &str = "SW-CHECK-1";

/// How the files in `dir` compare with what `stack` synthesises to.
pub struct CheckReport<'a> {
    /// Every output file, compared.
    pub compared: &'a [Compared],
    /// The stack file (for the hint on how to update, and where a missing file points).
    pub stack: &'a Path,
    /// The folder `--out` named.
    pub dir: &'a Path,
}

impl CheckReport<'_> {
    fn how_to_update(&self) -> String {
        format!(
            "run `stackweave synth {} --out {}` and commit the result",
            display_path(self.stack),
            display_path(self.dir)
        )
    }
}

impl Report for CheckReport<'_> {
    const COMMAND: &'static str = "synth --check";

    fn text(&self, paint: Paint) -> String {
        let mut out = String::new();
        for c in self.compared {
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
        let dir = display_path(self.dir);
        let total = self.compared.len();
        let stale_count = self
            .compared
            .iter()
            .filter(|c| !matches!(c.state, State::Current))
            .count();
        if stale_count == 0 {
            let summary = format!("{total} files in {dir} are current");
            let _ = writeln!(out, "{}", paint.verdict(Verdict::Clear, &summary));
        } else {
            let summary = format!("{stale_count} of {total} files in {dir} are out of date");
            let _ = writeln!(
                out,
                "{}\n{}",
                paint.verdict(Verdict::Fails, &summary),
                self.how_to_update()
            );
        }
        out
    }

    fn json(&self) -> Value {
        let files: Vec<Value> = self
            .compared
            .iter()
            .map(|c| match &c.state {
                State::Current => json!({"file": c.file, "status": "current"}),
                State::Missing => json!({"file": c.file, "status": "missing"}),
                State::Changed { diff, first_line } => json!({
                    "file": c.file, "status": "changed", "line": first_line, "diff": diff,
                }),
            })
            .collect();
        json!({
            "input": display_path(self.stack),
            "current": !stale(self.compared),
            "files": files,
        })
    }

    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>) {
        let rule = SarifRule {
            id: STALE_RULE.to_owned(),
            title: "Committed template is out of date".to_owned(),
            rationale: "What is reviewed and deployed must be what the stack file synthesises to."
                .to_owned(),
            fix: self.how_to_update(),
            level: "error",
        };
        let results = self
            .compared
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
                // A missing file cannot be annotated; point at the stack file.
                let file = if line.is_some() {
                    c.file.clone()
                } else {
                    display_path(self.stack)
                };
                Some(SarifResult {
                    region: line.map(|l| (l, 1)),
                    ..SarifResult::new(STALE_RULE, "error", message, file)
                })
            })
            .collect();
        (vec![rule], results)
    }
}
