//! How the check commands (`synth --check`, `diff`, `validate`, `test`) report: text for people,
//! JSON for scripts, SARIF 2.1.0 for code-scanning services. The shapes are documented in
//! docs/ci.md. Every command's report is a [`Report`], rendered by [`render`] in one way:
//! this file holds what they share (colour, the JSON document's head, the SARIF log), and
//! one file per command says what its report holds.

mod cases;
mod check;
mod diff;
mod validate;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::{Map, Value, json};

pub use cases::TestReport;
pub use check::CheckReport;
pub use diff::{AppDiffReport, AppStackDiff, DiffReport};
pub use validate::{
    AppValidateReport, EnvironmentFinding, StackFindings, ValidateReport, rule_list,
};

/// The report format of a check command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people; coloured when stdout is a terminal and `NO_COLOR` is not set.
    Text,
    /// One JSON document (docs/ci.md describes it).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// What a check command found, in every format.
pub trait Report {
    /// The command, as the JSON report's `command` names it.
    const COMMAND: &'static str;

    /// The report for people.
    fn text(&self, paint: Paint) -> String;

    /// The JSON report's own fields (an object), after `stackweave` and `command`.
    fn json(&self) -> Value;

    /// The SARIF rules and the results that refer to them.
    fn sarif(&self) -> (Vec<SarifRule>, Vec<SarifResult>);
}

/// Renders `report` in `format`; text is coloured when [`use_color`] says so.
pub fn render<R: Report>(report: &R, format: ReportFormat) -> String {
    match format {
        ReportFormat::Text => report.text(Paint(use_color())),
        ReportFormat::Json => {
            let mut document = Map::new();
            document.insert("stackweave".into(), json!(env!("CARGO_PKG_VERSION")));
            document.insert("command".into(), json!(R::COMMAND));
            if let Value::Object(fields) = report.json() {
                document.extend(fields);
            }
            to_json_text(&Value::Object(document))
        }
        ReportFormat::Sarif => {
            let (rules, results) = report.sarif();
            to_json_text(&sarif_log(&rules, &results))
        }
    }
}

/// Whether text output should be coloured: only on a terminal, and never when `NO_COLOR`
/// is set to anything (<https://no-color.org>).
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// ANSI styling that is a no-op when colour is off.
#[derive(Clone, Copy)]
pub struct Paint(pub bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Red: errors, removals.
    pub fn red(self, text: &str) -> String {
        self.wrap("31", text)
    }

    /// Yellow: warnings.
    pub fn yellow(self, text: &str) -> String {
        self.wrap("33", text)
    }

    /// Green: all clear.
    pub fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }

    /// Dim: suppressed and secondary text.
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }

    /// Bold: headings.
    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// A report's last line, coloured by what it says.
    pub fn verdict(self, verdict: Verdict, text: &str) -> String {
        match verdict {
            Verdict::Fails => self.red(text),
            Verdict::Warns => self.yellow(text),
            Verdict::Clear => self.green(text),
        }
    }
}

/// What a report's summary says of the check.
#[derive(Clone, Copy)]
pub enum Verdict {
    /// Something fails it.
    Fails,
    /// Nothing fails, but something is worth a look.
    Warns,
    /// All clear.
    Clear,
}

/// The `s` of a count's noun.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A path as reports show it: relative to the working folder when it is inside it, with
/// `/` separators (SARIF and GitHub want URIs relative to the repository's root).
pub fn display_path(path: &Path) -> String {
    let relative: PathBuf = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let absolute = std::path::absolute(path).ok()?;
            absolute.strip_prefix(cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// Pretty JSON with a final newline.
pub fn to_json_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// A rule as SARIF's `tool.driver.rules` lists it.
pub struct SarifRule {
    /// The stable id.
    pub id: String,
    /// A short name.
    pub title: String,
    /// Why it matters.
    pub rationale: String,
    /// What to do.
    pub fix: String,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
}

/// One SARIF result.
pub struct SarifResult {
    /// The rule it belongs to (must be among the log's rules).
    pub rule_id: String,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// What was found.
    pub message: String,
    /// The file, relative to the repository root, `/`-separated.
    pub file: String,
    /// Line and column in `file`, when known.
    pub region: Option<(usize, usize)>,
    /// The resource (logical id) and construct path, as logical locations.
    pub logical_id: Option<String>,
    /// The construct path, `Api/Role`.
    pub construct: Option<String>,
    /// The reason a suppression gives, when the finding is suppressed.
    pub suppressed_because: Option<String>,
    /// Extra facts for tools (`properties` bag).
    pub properties: Map<String, Value>,
}

impl SarifResult {
    /// A result at `file` with nothing more: no region, logical location, suppression or
    /// properties.
    pub fn new(rule_id: &str, level: &'static str, message: String, file: String) -> Self {
        SarifResult {
            rule_id: rule_id.to_owned(),
            level,
            message,
            file,
            region: None,
            logical_id: None,
            construct: None,
            suppressed_because: None,
            properties: Map::new(),
        }
    }
}

/// A SARIF 2.1.0 log of one run of stackweave: the schema GitHub code scanning validates
/// uploads against. Rules are listed once each; results refer to them by id and index.
fn sarif_log(rules: &[SarifRule], results: &[SarifResult]) -> Value {
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.title,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.rationale},
                "help": {"text": rule.fix},
                "defaultConfiguration": {"level": rule.level},
            })
        })
        .collect();
    let results: Vec<Value> = results
        .iter()
        .map(|result| {
            let mut physical = json!({"artifactLocation": {"uri": result.file}});
            if let Some((line, column)) = result.region {
                physical["region"] = json!({"startLine": line, "startColumn": column});
            }
            let mut location = json!({"physicalLocation": physical});
            let mut logical = Vec::new();
            if let Some(id) = &result.logical_id {
                logical.push(json!({"name": id, "kind": "resource"}));
            }
            if let Some(construct) = &result.construct {
                logical.push(json!({"fullyQualifiedName": construct, "kind": "module"}));
            }
            if !logical.is_empty() {
                location["logicalLocations"] = Value::Array(logical);
            }
            let mut entry = json!({
                "ruleId": result.rule_id,
                "level": result.level,
                "message": {"text": result.message},
                "locations": [location],
            });
            if let Some(index) = rules.iter().position(|r| r.id == result.rule_id) {
                entry["ruleIndex"] = json!(index);
            }
            if let Some(reason) = &result.suppressed_because {
                entry["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            }
            if !result.properties.is_empty() {
                entry["properties"] = Value::Object(result.properties.clone());
            }
            entry
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stackweave",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": driver_rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}
