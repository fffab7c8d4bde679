//! The diff for people, laid out like `cdk diff`; the layout is documented on
//! `TemplateDiff::render_text`.
//!
//! Lines are built plain, trimmed, and only then coloured, so that escape codes never count
//! towards a table's column widths or hide trailing whitespace.

use serde_json::Value;

use crate::compare::align;
use crate::iam::render_value;
use crate::model::{
    EntryDiff, IamChange, IamChangeKind, IamItem, IamStatement, PropertyChange, Replacement,
    ResourceDiff, TemplateDiff, ValueChange,
};

/// A value longer than this (as compact JSON) is shown line by line.
const SHORT_VALUE: usize = 60;
/// Unchanged lines shown around each change in a line-by-line value.
const CONTEXT: usize = 2;
const INDENT: &str = "    ";

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn green(&self, text: &str) -> String {
        self.wrap("32", text)
    }

    fn red(&self, text: &str) -> String {
        self.wrap("31", text)
    }

    fn yellow(&self, text: &str) -> String {
        self.wrap("33", text)
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn replacement(&self, text: &str) -> String {
        self.wrap("1;31", text)
    }

    /// Colours a line by what happened to it.
    fn sign(&self, sign: Sign, text: &str) -> String {
        match sign {
            Sign::Added => self.green(text),
            Sign::Removed => self.red(text),
            Sign::Modified => self.yellow(text),
            Sign::Same => text.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    Added,
    Removed,
    Modified,
    Same,
}

impl Sign {
    fn marker(self) -> &'static str {
        match self {
            Sign::Added => "[+]",
            Sign::Removed => "[-]",
            Sign::Modified => "[~]",
            Sign::Same => "   ",
        }
    }

    fn of(old: Option<&Value>, new: Option<&Value>) -> Sign {
        match (old, new) {
            (None, Some(_)) => Sign::Added,
            (Some(_), None) => Sign::Removed,
            _ => Sign::Modified,
        }
    }
}

pub(crate) fn render(diff: &TemplateDiff, color: bool) -> String {
    if diff.is_empty() {
        return "No differences\n".to_owned();
    }
    let paint = Paint { color };
    let mut blocks: Vec<Vec<String>> = Vec::new();
    if !diff.iam.is_empty() {
        blocks.push(iam_block(&diff.iam, &paint));
    }
    if !diff.resources.is_empty() {
        blocks.push(resources_block(&diff.resources, &paint));
    }
    if !diff.outputs.is_empty() {
        blocks.push(entries_block("Outputs", &diff.outputs, &paint));
    }
    if !diff.parameters.is_empty() {
        blocks.push(entries_block("Parameters", &diff.parameters, &paint));
    }
    if !diff.sections.is_empty() {
        let mut lines = vec![paint.bold("Other sections")];
        for section in &diff.sections {
            for change in &section.changes {
                lines.extend(value_change_lines("", change, &paint));
            }
        }
        blocks.push(lines);
    }
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for line in block {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// IAM

fn iam_block(changes: &[IamChange], paint: &Paint) -> Vec<String> {
    const STATEMENT_COLUMNS: [&str; 6] = [
        "Sid",
        "Effect",
        "Action",
        "Resource",
        "Principal",
        "Condition",
    ];
    // One table per kind of item: its title, headers, the columns always shown (others only
    // when some row fills them), and each change's cells when it is of that kind.
    type Cells = fn(&IamChange) -> Option<Vec<String>>;
    let statement = |owner: &[&'static str; 2]| {
        let mut headers = owner.to_vec();
        headers.extend(STATEMENT_COLUMNS);
        headers
    };
    let tables: [(&str, Vec<&str>, &[usize], Cells); 4] = [
        (
            "Permission statements",
            statement(&["Identity", "Policy"]),
            &[0, 3, 4],
            |c| match &c.item {
                IamItem::Statement { policy, statement } => Some(
                    [
                        vec![c.logical_id.clone(), policy.clone()],
                        statement_cells(statement),
                    ]
                    .concat(),
                ),
                _ => None,
            },
        ),
        (
            "Trust policy statements (who may assume the role)",
            statement(&["Role", ""]),
            &[0, 3, 6],
            |c| match &c.item {
                IamItem::TrustStatement { statement } => Some(
                    [
                        vec![c.logical_id.clone(), String::new()],
                        statement_cells(statement),
                    ]
                    .concat(),
                ),
                _ => None,
            },
        ),
        (
            "Managed policies",
            vec!["Identity", "Managed policy ARN"],
            &[0, 1],
            |c| match &c.item {
                IamItem::ManagedPolicy { arn } => Some(vec![c.logical_id.clone(), arn.clone()]),
                _ => None,
            },
        ),
        (
            "Policy attachments",
            vec!["Policy", "Attached to"],
            &[0, 1],
            |c| match &c.item {
                IamItem::Attachment {
                    target_type,
                    target,
                } => Some(vec![
                    c.logical_id.clone(),
                    format!("{target_type} {target}"),
                ]),
                _ => None,
            },
        ),
    ];
    let mut lines = vec![paint.bold("IAM changes")];
    for (title, headers, keep, cells) in tables {
        let rows: Vec<(Sign, Vec<String>)> = changes
            .iter()
            .filter_map(|change| {
                let sign = match change.change {
                    IamChangeKind::Added => Sign::Added,
                    IamChangeKind::Removed => Sign::Removed,
                };
                cells(change).map(|cells| (sign, cells))
            })
            .collect();
        if !rows.is_empty() {
            lines.push(title.to_owned());
            lines.extend(table(&headers, keep, &rows, paint));
        }
    }
    lines
}

/// The Sid, Effect, Action, Resource, Principal and Condition cells of a statement.
fn statement_cells(statement: &IamStatement) -> Vec<String> {
    if let Some(unresolved) = &statement.unresolved {
        return vec![
            String::new(),
            "(resolved at deployment)".to_owned(),
            unresolved.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ];
    }
    let both = |plain: &[String], not: &[String]| {
        plain
            .iter()
            .cloned()
            .chain(not.iter().map(|item| format!("NOT {item}")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let condition = match &statement.condition {
        Some(Value::Object(operators)) => operators
            .iter()
            .map(|(operator, test)| format!("{operator}: {test}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    vec![
        statement.sid.clone().unwrap_or_default(),
        statement.effect.clone(),
        both(&statement.actions, &statement.not_actions),
        both(&statement.resources, &statement.not_resources),
        both(&statement.principals, &statement.not_principals),
        condition,
    ]
}

/// An ASCII table: a sign column, then `headers`. Columns other than those in `keep` are
/// left out when no row has anything in them. Cells may hold several lines.
fn table(
    headers: &[&str],
    keep: &[usize],
    rows: &[(Sign, Vec<String>)],
    paint: &Paint,
) -> Vec<String> {
    let columns: Vec<usize> = (0..headers.len())
        .filter(|&c| keep.contains(&c) || rows.iter().any(|(_, cells)| !cells[c].is_empty()))
        .collect();
    let cell_lines = |text: &str| -> Vec<String> { text.lines().map(str::to_owned).collect() };
    let width = |c: usize| {
        rows.iter()
            .flat_map(|(_, cells)| cell_lines(&cells[c]))
            .chain([headers[c].to_owned()])
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = columns.iter().map(|&c| width(c)).collect();
    let border = {
        let mut line = "+---+".to_owned();
        for w in &widths {
            line.push_str(&"-".repeat(w + 2));
            line.push('+');
        }
        line
    };
    let row_line = |sign: &str, texts: &[String]| {
        let mut line = format!("| {sign} |");
        for (text, w) in texts.iter().zip(&widths) {
            let pad = w - text.chars().count();
            line.push_str(&format!(" {text}{} |", " ".repeat(pad)));
        }
        line
    };
    let mut out = vec![border.clone()];
    let header_texts: Vec<String> = columns.iter().map(|&c| headers[c].to_owned()).collect();
    out.push(row_line(" ", &header_texts));
    out.push(border.clone());
    for (sign, cells) in rows {
        let split: Vec<Vec<String>> = columns.iter().map(|&c| cell_lines(&cells[c])).collect();
        let height = split.iter().map(Vec::len).max().unwrap_or(1).max(1);
        for k in 0..height {
            let texts: Vec<String> = split
                .iter()
                .map(|lines| lines.get(k).cloned().unwrap_or_default())
                .collect();
            let marker = match (k, sign) {
                (0, Sign::Added) => "+",
                (0, Sign::Removed) => "-",
                _ => " ",
            };
            out.push(paint.sign(*sign, &row_line(marker, &texts)));
        }
        out.push(border.clone());
    }
    out
}

// ---------------------------------------------------------------------------------------
// Resources, outputs, parameters

fn replacement_note(replacement: Replacement, reason: Option<&str>, paint: &Paint) -> String {
    match replacement {
        Replacement::Never => String::new(),
        Replacement::Always => format!(" {}", paint.replacement("(requires replacement)")),
        Replacement::Conditional => {
            let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
            format!(
                " {}",
                paint.replacement(&format!("(may require replacement{why})"))
            )
        }
    }
}

fn resources_block(resources: &ResourceDiff, paint: &Paint) -> Vec<String> {
    let mut lines = vec![paint.bold("Resources")];
    for removed in &resources.removed {
        let text = format!("[-] {} {}", removed.resource_type, removed.logical_id);
        lines.push(paint.red(text.trim_end()));
    }
    for added in &resources.added {
        let text = format!("[+] {} {}", added.resource_type, added.logical_id);
        lines.push(paint.green(text.trim_end()));
    }
    for renamed in &resources.renamed {
        let text = format!(
            "[~] {} renamed {} -> {}",
            renamed.resource_type, renamed.old_logical_id, renamed.new_logical_id
        );
        lines.push(format!(
            "{} {}",
            paint.yellow(&text),
            paint.replacement("(replacement)")
        ));
        lines.push(format!("{INDENT}{}", renamed.reason));
        for change in &renamed.changes {
            lines.extend(property_change_lines(change, paint));
        }
    }
    for modified in &resources.modified {
        let text = format!("[~] {} {}", modified.resource_type, modified.logical_id);
        let note = match modified.replacement {
            Replacement::Never => String::new(),
            Replacement::Always => format!(" {}", paint.replacement("(replacement)")),
            Replacement::Conditional => format!(" {}", paint.replacement("(may be replaced)")),
        };
        lines.push(format!("{}{note}", paint.yellow(&text)));
        for change in &modified.changes {
            lines.extend(property_change_lines(change, paint));
        }
    }
    lines
}

fn property_change_lines(change: &PropertyChange, paint: &Paint) -> Vec<String> {
    let note = replacement_note(change.replacement, change.reason.as_deref(), paint);
    change_lines(
        INDENT,
        &change.path,
        change.old.as_ref(),
        change.new.as_ref(),
        &note,
        paint,
    )
}

fn value_change_lines(indent: &str, change: &ValueChange, paint: &Paint) -> Vec<String> {
    change_lines(
        indent,
        &change.path,
        change.old.as_ref(),
        change.new.as_ref(),
        "",
        paint,
    )
}

pub(crate) fn value_changes_block(title: &str, changes: &[ValueChange], color: bool) -> String {
    let paint = Paint { color };
    let mut out = paint.bold(title);
    out.push('\n');
    for change in changes {
        for line in value_change_lines("", change, &paint) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn entries_block(title: &str, entries: &EntryDiff, paint: &Paint) -> Vec<String> {
    let mut lines = vec![paint.bold(title)];
    for removed in &entries.removed {
        lines.extend(change_lines(
            "",
            &removed.id,
            Some(&removed.value),
            None,
            "",
            paint,
        ));
    }
    for added in &entries.added {
        lines.extend(change_lines(
            "",
            &added.id,
            None,
            Some(&added.value),
            "",
            paint,
        ));
    }
    for modified in &entries.modified {
        lines.push(paint.yellow(&format!("[~] {}", modified.id)));
        for change in &modified.changes {
            lines.extend(value_change_lines(INDENT, change, paint));
        }
    }
    lines
}

/// Whether a value fits on the change's own line.
fn is_short(value: &Value) -> bool {
    fn has_line_break(value: &Value) -> bool {
        match value {
            Value::String(text) => text.contains('\n'),
            Value::Array(items) => items.iter().any(has_line_break),
            Value::Object(object) => object.values().any(has_line_break),
            _ => false,
        }
    }
    !has_line_break(value) && value.to_string().chars().count() <= SHORT_VALUE
}

/// One change: `[~] path: old -> new`, or the path then the value line by line.
fn change_lines(
    indent: &str,
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    note: &str,
    paint: &Paint,
) -> Vec<String> {
    let sign = Sign::of(old, new);
    let marker = paint.sign(sign, sign.marker());
    if old.into_iter().chain(new).all(is_short) {
        let body = match (old, new) {
            (Some(old), Some(new)) if old == new => old.to_string(),
            (Some(old), Some(new)) => format!("{old} -> {new}"),
            (Some(only), None) | (None, Some(only)) => only.to_string(),
            (None, None) => String::new(),
        };
        return vec![format!("{indent}{marker} {path}: {body}{note}")];
    }
    let mut lines = vec![format!("{indent}{marker} {path}:{note}")];
    let inner = format!("{indent}{INDENT}");
    let old_lines = old.map(display_lines).unwrap_or_default();
    let new_lines = new.map(display_lines).unwrap_or_default();
    for (sign, text) in line_diff(&old_lines, &new_lines) {
        let prefix = match sign {
            Sign::Added => "+ ",
            Sign::Removed => "- ",
            _ => "  ",
        };
        let line = format!("{inner}{prefix}{text}");
        lines.push(paint.sign(sign, line.trim_end()));
    }
    lines
}

/// A value as lines for reading: text as is, anything else as YAML (whose block scalars
/// keep multi-line text such as mapping templates readable).
fn display_lines(value: &Value) -> Vec<String> {
    let text = match value {
        Value::String(text) => text.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_else(|_| serde_json::to_string_pretty(other).unwrap_or_default()),
    };
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        vec![render_value(value)]
    } else {
        lines
    }
}

/// Old and new lines aligned, each marked; unchanged lines far from any change are folded
/// into one `...`.
fn line_diff(old: &[String], new: &[String]) -> Vec<(Sign, String)> {
    let mut marked = Vec::new();
    let mut anchors = align(old, new, |a, b| a == b);
    anchors.push((old.len(), new.len()));
    let (mut i, mut j) = (0, 0);
    for (next_i, next_j) in anchors {
        marked.extend(old[i..next_i].iter().map(|l| (Sign::Removed, l.clone())));
        marked.extend(new[j..next_j].iter().map(|l| (Sign::Added, l.clone())));
        if let Some(line) = old.get(next_i) {
            marked.push((Sign::Same, line.clone()));
        }
        (i, j) = (next_i + 1, next_j + 1);
    }
    let changed: Vec<usize> = (0..marked.len())
        .filter(|&k| marked[k].0 != Sign::Same)
        .collect();
    if changed.is_empty() {
        // Nothing changed in the text (a replacement knocked on from another resource).
        return marked;
    }
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= CONTEXT);
    let mut out = Vec::new();
    let mut folded = false;
    for (k, line) in marked.into_iter().enumerate() {
        if line.0 != Sign::Same || near(k) {
            out.push(line);
            folded = false;
        } else if !folded {
            out.push((Sign::Same, "...".to_owned()));
            folded = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn line_diffs_keep_context_and_fold_the_rest() {
        let old = lines("a\nb\nc\nd\ne\nf\ng\nh");
        let new = lines("a\nb\nc\nd\nE\nf\ng\nh");
        let shown: Vec<String> = line_diff(&old, &new)
            .into_iter()
            .map(|(sign, text)| format!("{sign:?} {text}"))
            .collect();
        assert_eq!(
            shown,
            [
                "Same ...",
                "Same c",
                "Same d",
                "Removed e",
                "Added E",
                "Same f",
                "Same g",
                "Same ...",
            ]
        );
    }

    #[test]
    fn tables_drop_empty_columns_and_align() {
        let rows = vec![
            (
                Sign::Removed,
                vec!["Role".to_owned(), String::new(), "a\nbb".to_owned()],
            ),
            (
                Sign::Added,
                vec!["LongerRole".to_owned(), String::new(), "c".to_owned()],
            ),
        ];
        let out = table(
            &["Id", "Empty", "Action"],
            &[0],
            &rows,
            &Paint { color: false },
        );
        assert_eq!(
            out,
            [
                "+---+------------+--------+",
                "|   | Id         | Action |",
                "+---+------------+--------+",
                "| - | Role       | a      |",
                "|   |            | bb     |",
                "+---+------------+--------+",
                "| + | LongerRole | c      |",
                "+---+------------+--------+",
            ]
        );
    }
}
