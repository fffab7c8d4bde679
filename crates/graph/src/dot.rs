//! Graphviz DOT text.

use std::fmt::Write as _;

use crate::{AppGraph, Edge, EdgeKind, Graph, Item, NodeKind, style};

const INDENT: &str = "    ";
const FONT: &str = "Helvetica";

pub(crate) fn render(graph: &Graph) -> String {
    let mut text = String::from("digraph stack {\n");
    header(&mut text, "");
    for item in graph.top() {
        item_lines(graph, *item, 1, &mut text);
    }
    for edge in graph.edges() {
        edge_line(graph, edge, &mut text);
    }
    text.push_str("}\n");
    text
}

/// Several stacks, each in a frame (a cluster) of its own, and the references between
/// them: see [`crate::AppGraph`]. An arrow to or from a construct or a stack is drawn
/// between a box inside it and clipped at its frame (`compound`, `lhead`, `ltail`).
pub(crate) fn render_app(app: &AppGraph) -> String {
    let mut text = String::from("digraph app {\n");
    header(&mut text, ", compound=true");
    for frame in app.frames() {
        let _ = writeln!(text, "{INDENT}subgraph cluster_{} {{", frame.id);
        let _ = writeln!(
            text,
            "{INDENT}{INDENT}label=\"{}\"; labeljust=l; margin=14; style=\"rounded,bold\"; \
             color=\"{}\"; fontcolor=\"{}\"; fontsize=14;",
            quoted(&frame.title),
            style::STACK,
            style::STACK
        );
        for item in frame.graph.top() {
            item_lines(&frame.graph, *item, 2, &mut text);
        }
        let _ = writeln!(text, "{INDENT}}}");
    }
    for frame in app.frames() {
        for edge in frame.graph.edges() {
            edge_line(&frame.graph, edge, &mut text);
        }
    }
    for edge in app.edges() {
        let (Some((from, tail)), Some((to, head))) = (app.dot_end(edge.from), app.dot_end(edge.to))
        else {
            continue;
        };
        let mut clipping = String::new();
        if let Some(cluster) = tail {
            let _ = write!(clipping, ", ltail=cluster_{cluster}");
        }
        if let Some(cluster) = head {
            let _ = write!(clipping, ", lhead=cluster_{cluster}");
        }
        let _ = writeln!(
            text,
            "{INDENT}{from} -> {to} [label=\"{}\", penwidth=2, color=\"{1}\", fontcolor=\"{1}\"{clipping}];",
            quoted(&edge.label),
            style::ACROSS_STACKS,
        );
    }
    text.push_str("}\n");
    text
}

/// The graph, node and edge defaults; `more` is appended to the graph's.
fn header(text: &mut String, more: &str) {
    // Top-down, as in Mermaid: entry points above what they use.
    let _ = writeln!(
        text,
        "{INDENT}graph [rankdir=TB, fontname=\"{FONT}\", fontsize=12, nodesep=0.35, ranksep=0.7{more}];"
    );
    let _ = writeln!(
        text,
        "{INDENT}node [fontname=\"{FONT}\", fontsize=11, shape=box, style=\"rounded,filled\", \
         fontcolor=\"{}\", margin=\"0.15,0.06\"];",
        style::TEXT
    );
    let _ = writeln!(
        text,
        "{INDENT}edge [fontname=\"{FONT}\", fontsize=9, color=\"#616161\", fontcolor=\"#424242\"];"
    );
}

/// One arrow between two boxes of `graph`.
fn edge_line(graph: &Graph, edge: &Edge, text: &mut String) {
    let attributes = match edge.kind {
        EdgeKind::Reference => String::new(),
        EdgeKind::DependsOn => ", style=dashed".to_owned(),
        EdgeKind::Assumes => format!(
            ", style=bold, penwidth=2, color=\"{0}\", fontcolor=\"{0}\"",
            style::ASSUMES
        ),
    };
    let _ = writeln!(
        text,
        "{INDENT}{} -> {} [label=\"{}\"{attributes}];",
        graph.nodes()[edge.from].id,
        graph.nodes()[edge.to].id,
        quoted(&edge.label()),
    );
}

fn item_lines(graph: &Graph, item: Item, depth: usize, text: &mut String) {
    let indent = INDENT.repeat(depth);
    match item {
        Item::Node(index) => {
            let node = &graph.nodes()[index];
            let palette = node.palette();
            let shape = match node.kind {
                NodeKind::Resource { .. } => "",
                NodeKind::Parameter { .. } => ", shape=parallelogram, style=filled",
                NodeKind::Output => ", shape=oval, style=filled",
            };
            let _ = writeln!(
                text,
                "{indent}{} [label=<{}>, fillcolor=\"{}\", color=\"{}\"{shape}];",
                node.id,
                html_label(&node.label_lines()),
                palette.fill,
                palette.stroke,
            );
        }
        Item::Group(index) => {
            let group = &graph.groups()[index];
            // Graphviz draws a subgraph as a box only when its name starts with `cluster`.
            let _ = writeln!(text, "{indent}subgraph cluster_{} {{", group.id);
            let _ = writeln!(
                text,
                "{indent}{INDENT}label=\"{}\"; labeljust=l; margin=10; style=\"rounded,dashed\"; \
                 color=\"{}\"; fontcolor=\"#424242\";",
                quoted(group.title()),
                style::CONSTRUCT
            );
            for member in graph.members(index) {
                item_lines(graph, *member, depth + 1, text);
            }
            let _ = writeln!(text, "{indent}}}");
        }
    }
}

/// A node label as Graphviz HTML: the name in bold, the rest smaller below it.
fn html_label(lines: &[String]) -> String {
    let mut label = String::new();
    for (index, line) in lines.iter().enumerate() {
        if index == 0 {
            let _ = write!(label, "<B>{}</B>", html(line));
        } else {
            let _ = write!(label, "<BR/><FONT POINT-SIZE=\"9\">{}</FONT>", html(line));
        }
    }
    label
}

/// Text for inside a DOT `"..."` string: `"` and `\` escaped (a backslash would
/// otherwise start an escape such as `\N`, the node's name), line breaks as `\n`.
pub(crate) fn quoted(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Text for inside a Graphviz HTML label: the XML escapes.
pub(crate) fn html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\n' | '\r' => escaped.push(' '),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings() {
        assert_eq!(quoted(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(quoted("a\nb"), "a\\nb");
    }

    #[test]
    fn html_text() {
        assert_eq!(html("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
