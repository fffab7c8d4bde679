//! Mermaid `flowchart` text.

use std::fmt::Write as _;

use crate::{AppGraph, Edge, EdgeKind, Graph, Item, Node, NodeKind, style};

const INDENT: &str = "    ";

pub(crate) fn render(graph: &Graph) -> String {
    // Top-down: references run from the entry points (outputs, the API) down to what they
    // use, and a tall diagram keeps its size in a Markdown page where a wide one shrinks.
    let mut text = String::from("flowchart TD\n");
    // Every box is declared, inside its construct, before any arrow: Mermaid puts a node
    // in the subgraph where it is first mentioned, so an arrow mentioned first could pull
    // a box out of its construct.
    for item in graph.top() {
        item_lines(graph, *item, 1, &mut text);
    }
    for edge in graph.edges() {
        edge_line(graph, edge, &mut text);
    }
    let groups: Vec<&str> = graph.groups().iter().map(|g| g.id.as_str()).collect();
    class_lines(graph.nodes(), &groups, &mut text);
    // Arrows are styled by their position among all arrows, which is how Mermaid numbers them.
    let assumes: Vec<usize> = assumes_positions(graph).collect();
    assumes_style(&assumes, &mut text);
    text
}

/// Several stacks, each in a frame of its own, and the references between them: see
/// [`crate::AppGraph`]. Each stack's part is written as [`render`] writes it, with its
/// boxes one level deeper; the frames' classes and the arrows between stacks come last.
pub(crate) fn render_app(app: &AppGraph) -> String {
    let mut text = String::from("flowchart TD\n");
    for frame in app.frames() {
        let _ = writeln!(
            text,
            "{INDENT}subgraph {}[\"{}\"]",
            frame.id,
            escape(&frame.title)
        );
        for item in frame.graph.top() {
            item_lines(&frame.graph, *item, 2, &mut text);
        }
        let _ = writeln!(text, "{INDENT}end");
    }
    let mut assumes = Vec::new();
    let mut count = 0;
    for frame in app.frames() {
        for edge in frame.graph.edges() {
            edge_line(&frame.graph, edge, &mut text);
        }
        assumes.extend(assumes_positions(&frame.graph).map(|index| count + index));
        count += frame.graph.edges().len();
    }
    let mut across = Vec::new();
    for (index, edge) in app.edges().iter().enumerate() {
        let _ = writeln!(
            text,
            "{INDENT}{} -->|{}| {}",
            app.end_id(edge.from),
            edge_label(&edge.label),
            app.end_id(edge.to),
        );
        across.push(count + index);
    }
    let nodes: Vec<Node> = app
        .frames()
        .iter()
        .flat_map(|frame| frame.graph.nodes().iter().cloned())
        .collect();
    let groups: Vec<&str> = app
        .frames()
        .iter()
        .flat_map(|frame| frame.graph.groups().iter().map(|g| g.id.as_str()))
        .collect();
    class_lines(&nodes, &groups, &mut text);
    if !app.frames().is_empty() {
        let _ = writeln!(
            text,
            "{INDENT}classDef stack fill:transparent,stroke:{},stroke-width:2px",
            style::STACK
        );
        let ids: Vec<&str> = app.frames().iter().map(|f| f.id.as_str()).collect();
        let _ = writeln!(text, "{INDENT}class {} stack", ids.join(","));
    }
    assumes_style(&assumes, &mut text);
    if !across.is_empty() {
        let _ = writeln!(
            text,
            "{INDENT}linkStyle {} stroke:{},stroke-width:2px",
            positions(&across),
            style::ACROSS_STACKS
        );
    }
    text
}

/// One arrow between two boxes of `graph`.
fn edge_line(graph: &Graph, edge: &Edge, text: &mut String) {
    let arrow = match edge.kind {
        EdgeKind::Reference => "-->",
        EdgeKind::DependsOn => "-.->",
        EdgeKind::Assumes => "==>",
    };
    let _ = writeln!(
        text,
        "{INDENT}{} {arrow}|{}| {}",
        graph.nodes()[edge.from].id,
        edge_label(&edge.label()),
        graph.nodes()[edge.to].id,
    );
}

/// The palettes `nodes` use and the construct boxes `groups`, as classes.
fn class_lines(nodes: &[Node], groups: &[&str], text: &mut String) {
    // Only the classes in use are declared, so small diagrams stay small.
    for palette in style::ALL {
        if nodes.iter().any(|node| node.palette() == palette) {
            let _ = writeln!(
                text,
                "{INDENT}classDef {} fill:{},stroke:{},color:{}",
                palette.class,
                palette.fill,
                palette.stroke,
                style::TEXT
            );
        }
    }
    // Construct boxes: a dashed outline with no fill, which reads the same on light and
    // dark themes (Mermaid's default fill is a strong yellow).
    if !groups.is_empty() {
        let _ = writeln!(
            text,
            "{INDENT}classDef construct fill:transparent,stroke:{},stroke-dasharray:5 4",
            style::CONSTRUCT
        );
        let _ = writeln!(text, "{INDENT}class {} construct", groups.join(","));
    }
}

/// The positions of `graph`'s "assumes" arrows among its arrows.
fn assumes_positions(graph: &Graph) -> impl Iterator<Item = usize> + '_ {
    graph
        .edges()
        .iter()
        .enumerate()
        .filter(|(_, edge)| edge.kind == EdgeKind::Assumes)
        .map(|(index, _)| index)
}

/// The style of the "assumes" arrows at these positions, if any.
fn assumes_style(assumes: &[usize], text: &mut String) {
    if !assumes.is_empty() {
        // The label keeps the theme's text colour: red text on a dark theme's grey label
        // background cannot be read.
        let _ = writeln!(
            text,
            "{INDENT}linkStyle {} stroke:{},stroke-width:2.5px",
            positions(assumes),
            style::ASSUMES
        );
    }
}

fn positions(indexes: &[usize]) -> String {
    let texts: Vec<String> = indexes.iter().map(usize::to_string).collect();
    texts.join(",")
}

fn item_lines(graph: &Graph, item: Item, depth: usize, text: &mut String) {
    let indent = INDENT.repeat(depth);
    match item {
        Item::Node(index) => {
            let node = &graph.nodes()[index];
            let label = node
                .label_lines()
                .iter()
                .map(|line| escape(line))
                .collect::<Vec<_>>()
                .join("<br/>");
            // Shapes: rounded boxes for resources, a slanted input box for parameters,
            // a stadium for outputs.
            let (open, close) = match node.kind {
                NodeKind::Resource { .. } => ("(", ")"),
                NodeKind::Parameter { .. } => ("[/", "/]"),
                NodeKind::Output => ("([", "])"),
            };
            let _ = writeln!(
                text,
                "{indent}{}{open}\"{label}\"{close}:::{}",
                node.id,
                node.palette().class
            );
        }
        Item::Group(index) => {
            let group = &graph.groups()[index];
            let _ = writeln!(
                text,
                "{indent}subgraph {}[\"{}\"]",
                group.id,
                escape(group.title())
            );
            for member in graph.members(index) {
                item_lines(graph, *member, depth + 1, text);
            }
            let _ = writeln!(text, "{indent}end");
        }
    }
}

/// An edge label: bare when it is a plain word (`Arn`, as people write them), quoted
/// otherwise.
fn edge_label(label: &str) -> String {
    if !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric()) {
        label.to_owned()
    } else {
        format!("\"{}\"", escape(label))
    }
}

/// Text for inside a Mermaid `"..."` string.
///
/// Mermaid has no backslash escapes: characters are written as `#name;` or `#code;`
/// entities, which it decodes when drawing. `"` would end the string; `#` could start an
/// entity; `<`, `>` and `&` would be read as HTML; a leading backtick would start a
/// Markdown string; line breaks end the statement.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => escaped.push_str("#quot;"),
            '#' => escaped.push_str("#35;"),
            '&' => escaped.push_str("#amp;"),
            '<' => escaped.push_str("#lt;"),
            '>' => escaped.push_str("#gt;"),
            '`' => escaped.push_str("#96;"),
            '\n' | '\r' | '\t' => escaped.push(' '),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_mermaid_would_read() {
        assert_eq!(
            escape("a\"b#c&<d>`e\nf"),
            "a#quot;b#35;c#amp;#lt;d#gt;#96;e f"
        );
        assert_eq!(escape("plain-text_1.2"), "plain-text_1.2");
    }

    #[test]
    fn edge_labels_are_bare_only_when_plain() {
        assert_eq!(edge_label("Arn"), "Arn");
        assert_eq!(edge_label("Endpoint.Address"), "\"Endpoint.Address\"");
        assert_eq!(edge_label("assumes (Arn)"), "\"assumes (Arn)\"");
        assert_eq!(edge_label(""), "\"\"");
    }
}
