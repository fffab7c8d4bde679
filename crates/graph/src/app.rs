//! Several stacks drawn as one diagram: each stack's [`Graph`] in a frame of its own, and
//! an arrow for each reference from one stack to another (an app's `${Stack::Name.attr}`).
//!
//! The caller says what each reference joins in terms of the stacks' own names (a
//! construct path, a logical id, an output name: an [`Anchor`]); this module finds the
//! boxes, and gives every box an id prefixed by its stack, so that two stacks with the
//! same construct never share a box.

use std::collections::HashSet;

use crate::{Graph, Item, NodeKind, mermaid};

/// What one end of a reference between stacks is, in its stack's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// A construct: its box (resources it made, nested constructs).
    Construct(Vec<String>),
    /// A resource, by logical id.
    Resource(String),
    /// An output, by name.
    Output(String),
}

/// One stack's part of an [`AppGraph`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Identifier of the frame in the diagram text (`stack_` prefix).
    pub id: String,
    /// The title drawn on the frame.
    pub title: String,
    /// The stack, its ids prefixed with the stack's name.
    pub graph: Graph,
}

/// One end of an arrow between stacks: a box, a construct's box or a whole frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum End {
    /// A node of a frame's graph: (frame, node).
    Node(usize, usize),
    /// A construct of a frame's graph: (frame, group).
    Group(usize, usize),
    /// The frame itself, when the anchor has no box of its own (a construct that made
    /// no resource).
    Frame(usize),
}

/// An arrow from the stack that reads a value to the stack that gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Across {
    pub from: End,
    pub to: End,
    /// The attribute read, or the output.
    pub label: String,
}

/// The stacks of one environment of an app as one diagram: see the module documentation.
/// Stacks are drawn in the order they are added, arrows in the order first added, so the
/// same calls always give the same text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppGraph {
    frames: Vec<Frame>,
    edges: Vec<Across>,
    ids: HashSet<String>,
}

impl AppGraph {
    /// An empty diagram.
    pub fn new() -> AppGraph {
        AppGraph::default()
    }

    /// Adds a stack named `name`, framed and titled `title`; returns its index, for
    /// [`AppGraph::reference`].
    pub fn stack(&mut self, name: &str, title: &str, mut graph: Graph) -> usize {
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let id = self.unique(format!("stack_{safe}"));
        for node in &mut graph.nodes {
            node.id = self.unique(format!("{safe}_{}", node.id));
        }
        for group in &mut graph.groups {
            group.id = self.unique(format!("{safe}_{}", group.id));
        }
        self.frames.push(Frame {
            id,
            title: title.to_owned(),
            graph,
        });
        self.frames.len() - 1
    }

    /// Adds an arrow from `from` in stack `reader` (what reads the value) to `to` in stack
    /// `giver`, labelled `label`, unless the same arrow is there. An anchor with no box
    /// (a construct that made no resource) stands for its whole frame; a stack index
    /// that was never added draws nothing.
    pub fn reference(
        &mut self,
        (reader, from): (usize, &Anchor),
        (giver, to): (usize, &Anchor),
        label: &str,
    ) {
        let (Some(from), Some(to)) = (self.end(reader, from), self.end(giver, to)) else {
            return;
        };
        let edge = Across {
            from,
            to,
            label: label.to_owned(),
        };
        if !self.edges.contains(&edge) {
            self.edges.push(edge);
        }
    }

    /// The frames, in the order added.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// Mermaid `flowchart` text: each stack a subgraph, holding its constructs and
    /// resources as [`Graph::mermaid`] draws them, and a blue arrow per reference between
    /// stacks.
    pub fn mermaid(&self) -> String {
        mermaid::render_app(self)
    }

    /// Graphviz DOT text: each stack a cluster, as [`AppGraph::mermaid`].
    pub fn dot(&self) -> String {
        crate::dot::render_app(self)
    }

    pub(crate) fn edges(&self) -> &[Across] {
        &self.edges
    }

    /// The id an arrow names for `end` in Mermaid, where a subgraph can be an arrow's end.
    pub(crate) fn end_id(&self, end: End) -> &str {
        match end {
            End::Node(frame, node) => &self.frames[frame].graph.nodes[node].id,
            End::Group(frame, group) => &self.frames[frame].graph.groups[group].id,
            End::Frame(frame) => &self.frames[frame].id,
        }
    }

    /// For DOT, where an arrow joins two nodes: the node to draw it to, and the cluster
    /// (without its `cluster_` prefix) to clip it at, when `end` is a construct or a frame;
    /// `None` for a frame without any box.
    pub(crate) fn dot_end(&self, end: End) -> Option<(&str, Option<&str>)> {
        let graph = |frame: usize| &self.frames[frame].graph;
        match end {
            End::Node(frame, node) => Some((&graph(frame).nodes[node].id, None)),
            End::Group(frame, group) => {
                let inside = first_node(graph(frame), graph(frame).members(group))?;
                Some((
                    &graph(frame).nodes[inside].id,
                    Some(&graph(frame).groups[group].id),
                ))
            }
            End::Frame(frame) => {
                let inside = first_node(graph(frame), graph(frame).top())?;
                Some((&graph(frame).nodes[inside].id, Some(&self.frames[frame].id)))
            }
        }
    }

    fn end(&self, frame: usize, anchor: &Anchor) -> Option<End> {
        let graph = &self.frames.get(frame)?.graph;
        let node = |wanted: &dyn Fn(&NodeKind) -> bool, name: &str| {
            graph
                .nodes
                .iter()
                .position(|n| n.name == name && wanted(&n.kind))
        };
        let found = match anchor {
            Anchor::Construct(path) => graph
                .groups
                .iter()
                .position(|g| g.path == *path)
                .map(|group| End::Group(frame, group)),
            Anchor::Resource(id) => node(&|k| matches!(k, NodeKind::Resource { .. }), id)
                .map(|node| End::Node(frame, node)),
            Anchor::Output(name) => {
                node(&|k| matches!(k, NodeKind::Output), name).map(|node| End::Node(frame, node))
            }
        };
        Some(found.unwrap_or(End::Frame(frame)))
    }

    /// `wanted`, or with a number appended if another box has it.
    fn unique(&mut self, wanted: String) -> String {
        let mut id = wanted.clone();
        let mut n = 2;
        while self.ids.contains(&id) {
            id = format!("{wanted}_{n}");
            n += 1;
        }
        self.ids.insert(id.clone());
        id
    }
}

/// The first node in `items`, depth first.
fn first_node(graph: &Graph, items: &[Item]) -> Option<usize> {
    items.iter().find_map(|item| match *item {
        Item::Node(node) => Some(node),
        Item::Group(group) => first_node(graph, graph.members(group)),
    })
}
