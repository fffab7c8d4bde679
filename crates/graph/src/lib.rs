//! Draws a CloudFormation template as a diagram: Mermaid (the default; GitHub renders it
//! in Markdown) or Graphviz DOT.
//!
//! [`Graph::from_template`] reads a long form JSON template into a model: one node per
//! resource, per output, and per parameter something refers to; resources grouped by the
//! construct that made them (nested for composed constructs); one edge per distinct
//! reference (`Ref`, `Fn::GetAtt`, `Fn::Sub` variables, `DependsOn`), pointing from the
//! resource or output that refers to what it refers to, labelled with the attribute used.
//! An IAM role's box names the services allowed to assume it, and a resource that passes
//! the role's ARN as its own role (`RoleArn`, `Credentials`...) gets an "assumes" edge.
//! [`Graph::mermaid`], [`Graph::dot`] and [`markdown`] write it out.
//!
//! [`AppGraph`] draws the stacks of an app together: each stack's graph in a frame of its
//! own, and an arrow for each reference from one stack to another.
//!
//! Everything is in template order, so the same template always gives the same text.

mod app;
mod dot;
mod mermaid;
mod refs;
pub mod style;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};
use stackweave_iam::{Content, Slot, Source, as_written, entries};

pub use crate::app::{Anchor, AppGraph, Frame};

/// Construct path of each logical id (e.g. "WorkflowRole" -> ["Workflow","Role"]);
/// resources absent from the map are drawn at top level.
pub type Grouping = BTreeMap<String, Vec<String>>;

/// What a node stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A resource, with its CloudFormation type (empty if the template gives none).
    Resource {
        /// `AWS::StepFunctions::StateMachine`...
        resource_type: String,
        /// For an `AWS::IAM::Role`: the service principals its trust policy names
        /// (`states.amazonaws.com`), in template order.
        assumed_by: Vec<String>,
    },
    /// A template parameter some resource or output refers to.
    Parameter {
        /// Its `Type` (`String`, `Number`...), empty if none is given.
        parameter_type: String,
    },
    /// A stack output.
    Output,
}

/// One box of the diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Identifier in the diagram text: safe in both syntaxes and unique among nodes and
    /// groups (`r_` resources, `p_` parameters, `out_` outputs, since an output may share
    /// its name with a resource).
    pub id: String,
    /// The logical id, parameter name or output name.
    pub name: String,
    /// What it is.
    pub kind: NodeKind,
    /// Index in [`Graph::groups`] of the innermost construct holding it, if any.
    pub group: Option<usize>,
}

impl Node {
    /// The type without its `AWS::` prefix (`StepFunctions::StateMachine`); other types
    /// (`Custom::...`) are kept whole, since their prefix is what says what they are.
    pub fn short_type(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Resource { resource_type, .. } => Some(
                resource_type
                    .strip_prefix("AWS::")
                    .unwrap_or(resource_type.as_str()),
            ),
            _ => None,
        }
    }

    /// The palette it is drawn with.
    pub fn palette(&self) -> style::Palette {
        match &self.kind {
            NodeKind::Resource { resource_type, .. } => style::for_type(resource_type),
            NodeKind::Parameter { .. } => style::PARAMETER,
            NodeKind::Output => style::OUTPUT,
        }
    }

    /// The lines of its label: name, then what it is, then (for a role) who assumes it.
    pub fn label_lines(&self) -> Vec<String> {
        let mut lines = vec![self.name.clone()];
        match &self.kind {
            NodeKind::Resource { assumed_by, .. } => {
                if let Some(short) = self.short_type().filter(|short| !short.is_empty()) {
                    lines.push(short.to_owned());
                }
                if !assumed_by.is_empty() {
                    lines.push(format!("assumed by {}", assumed_by.join(", ")));
                }
            }
            NodeKind::Parameter { parameter_type } if parameter_type.is_empty() => {
                lines.push("parameter".to_owned());
            }
            NodeKind::Parameter { parameter_type } => {
                lines.push(format!("parameter: {parameter_type}"));
            }
            NodeKind::Output => lines.push("output".to_owned()),
        }
        lines
    }
}

/// One construct: a box around the resources it made and the constructs it composed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Identifier in the diagram text (`g_` prefix), unique among nodes and groups.
    pub id: String,
    /// The construct path (`["Workflow", "Role"]`).
    pub path: Vec<String>,
    /// Index in [`Graph::groups`] of the enclosing construct, if any.
    pub parent: Option<usize>,
}

impl Group {
    /// The title drawn on its box: the last segment of the path, since the enclosing
    /// boxes already show the rest.
    pub fn title(&self) -> &str {
        self.path.last().map_or("", String::as_str)
    }
}

/// What an edge means, which decides how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// A `Ref`, `Fn::GetAtt` or `Fn::Sub` variable.
    Reference,
    /// A `DependsOn` entry.
    DependsOn,
    /// A reference to an IAM role passed as the referring resource's own role
    /// (`RoleArn`, `Credentials`, `Role`...): the resource acts as that role.
    Assumes,
}

/// One arrow, from the node that refers to the node referred to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Index in [`Graph::nodes`] of the node that refers.
    pub from: usize,
    /// Index in [`Graph::nodes`] of the node referred to.
    pub to: usize,
    /// `Ref`, the attribute (`Arn`, `RootResourceId`), or `DependsOn`.
    pub attribute: String,
    /// What it means.
    pub kind: EdgeKind,
}

impl Edge {
    /// The text drawn on the arrow.
    pub fn label(&self) -> String {
        match self.kind {
            EdgeKind::Assumes => format!("assumes ({})", self.attribute),
            EdgeKind::Reference | EdgeKind::DependsOn => self.attribute.clone(),
        }
    }
}

/// An item inside a group or at top level, in drawing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    Node(usize),
    Group(usize),
}

/// A template as boxes and arrows: see the crate documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    nodes: Vec<Node>,
    groups: Vec<Group>,
    edges: Vec<Edge>,
    /// What sits at top level, in drawing order: parameters, then resources and groups
    /// by first appearance in the template, then outputs.
    top: Vec<Item>,
    /// What sits in each group, in the same order.
    members: Vec<Vec<Item>>,
}

impl Graph {
    /// Reads `template` (long form JSON). A resource whose logical id is in `grouping`
    /// is drawn inside its construct's box; if `grouping` is empty, resources are
    /// grouped by their `aws:cdk:path` metadata instead, when they have one (see
    /// [`grouping_from_metadata`]). References to things the template does not declare
    /// (pseudo parameters such as `AWS::Region`, or dangling ids) draw nothing.
    pub fn from_template(template: &Value, grouping: &Grouping) -> Graph {
        let from_metadata;
        let grouping = if grouping.is_empty() {
            from_metadata = grouping_from_metadata(template);
            &from_metadata
        } else {
            grouping
        };
        let empty = Map::new();
        let section = |name: &str| template.get(name).and_then(Value::as_object);
        let resources = section("Resources").unwrap_or(&empty);
        let parameters = section("Parameters").unwrap_or(&empty);
        let outputs = section("Outputs").unwrap_or(&empty);

        let mut builder = Builder::default();
        for (logical_id, resource) in resources {
            let resource_type = resource
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let assumed_by = if resource_type == "AWS::IAM::Role" {
                assuming_services(logical_id, resource)
            } else {
                Vec::new()
            };
            let path = grouping.get(logical_id).map_or(&[][..], Vec::as_slice);
            let group = builder.group(path);
            let index = builder.node(
                "r_",
                logical_id,
                NodeKind::Resource {
                    resource_type,
                    assumed_by,
                },
                group,
            );
            builder.resources.insert(logical_id.as_str(), index);
        }

        // References are gathered before parameter nodes exist, since only referenced
        // parameters are drawn, and they are drawn first, in template order.
        let mut pending: Vec<(Pending, usize)> = Vec::new();
        for (logical_id, resource) in resources {
            let from = builder.resources[logical_id.as_str()];
            for (key, value) in resource.as_object().into_iter().flatten() {
                match key.as_str() {
                    "DependsOn" => {
                        for target in depends_on(value) {
                            pending.push((Pending::DependsOn(target.to_owned()), from));
                        }
                    }
                    // Plain names (of a condition, a policy): never references. Metadata
                    // is walked, since `AWS::CloudFormation::Init` holds real ones.
                    "Type" | "Condition" | "DeletionPolicy" | "UpdateReplacePolicy" => {}
                    _ => {
                        for found in refs::references(value) {
                            pending.push((Pending::Found(found), from));
                        }
                    }
                }
            }
        }
        let mut output_refs = Vec::new();
        for (name, output) in outputs {
            let found: Vec<_> = output
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(key, _)| key.as_str() != "Condition")
                .flat_map(|(_, value)| refs::references(value))
                .collect();
            output_refs.push((name, found));
        }

        let referenced: HashSet<&str> = pending
            .iter()
            .filter_map(|(pending, _)| match pending {
                Pending::Found(found) => Some(found.target.as_str()),
                Pending::DependsOn(_) => None,
            })
            .chain(
                output_refs
                    .iter()
                    .flat_map(|(_, found)| found.iter().map(|found| found.target.as_str())),
            )
            .collect();
        let mut parameter_nodes = HashMap::new();
        let mut top = Vec::new();
        for (name, parameter) in parameters {
            // A parameter named like a resource is invalid CloudFormation; the resource wins.
            if referenced.contains(name.as_str()) && !builder.resources.contains_key(name.as_str())
            {
                let parameter_type = parameter
                    .get("Type")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let index = builder.node("p_", name, NodeKind::Parameter { parameter_type }, None);
                parameter_nodes.insert(name.clone(), index);
                top.push(Item::Node(index));
            }
        }
        top.append(&mut builder.top);

        let target = |builder: &Builder, name: &str| {
            builder
                .resources
                .get(name)
                .or_else(|| parameter_nodes.get(name))
                .copied()
        };
        for (pending, from) in pending {
            match pending {
                Pending::DependsOn(name) => {
                    if let Some(to) = builder.resources.get(name.as_str()).copied() {
                        builder.edge(from, to, "DependsOn".to_owned(), EdgeKind::DependsOn);
                    }
                }
                Pending::Found(found) => {
                    if let Some(to) = target(&builder, &found.target) {
                        let kind = if builder.is_assumed(from, to, found.key.as_deref()) {
                            EdgeKind::Assumes
                        } else {
                            EdgeKind::Reference
                        };
                        builder.edge(from, to, found.attribute, kind);
                    }
                }
            }
        }
        for (name, found) in output_refs {
            let from = builder.node("out_", name, NodeKind::Output, None);
            top.push(Item::Node(from));
            for found in found {
                if let Some(to) = target(&builder, &found.target) {
                    builder.edge(from, to, found.attribute, EdgeKind::Reference);
                }
            }
        }

        Graph {
            nodes: builder.nodes,
            groups: builder.groups,
            edges: builder.edges,
            top,
            members: builder.members,
        }
    }

    /// The boxes: resources, then referenced parameters, then outputs, each in template
    /// order. (Indices into this are what [`Edge`] hold.)
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The constructs, parents before children.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The arrows, each distinct (from, to, attribute) once, in the order first found.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The node with diagram id `id` (`r_Workflow`, `out_ApiEndpoint`...).
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.id == id)
    }

    /// Mermaid `flowchart` text (no Markdown fence around it).
    ///
    /// Mermaid's defaults, which GitHub keeps, refuse a diagram of more than 500 arrows
    /// or 50,000 characters (a stack of a few hundred resources): DOT has no such limit.
    pub fn mermaid(&self) -> String {
        mermaid::render(self)
    }

    /// Graphviz DOT text.
    pub fn dot(&self) -> String {
        dot::render(self)
    }

    pub(crate) fn top(&self) -> &[Item] {
        &self.top
    }

    pub(crate) fn members(&self, group: usize) -> &[Item] {
        self.members.get(group).map_or(&[], Vec::as_slice)
    }
}

/// The most arrows Mermaid draws (its default `maxEdges`); beyond it, it refuses the whole
/// diagram.
pub const MERMAID_MAX_EDGES: usize = 500;

/// A Markdown document with a heading naming the stack and the Mermaid diagram in a
/// ```` ```mermaid ```` block; for a diagram of more than [`MERMAID_MAX_EDGES`] arrows,
/// which Mermaid would refuse, a note saying how to draw it with Graphviz instead.
pub fn markdown(stack_name: &str, graph: &Graph) -> String {
    let mut text = String::new();
    text.push_str(&format!("# {}\n\n", markdown_text(stack_name)));
    if graph.edges().len() > MERMAID_MAX_EDGES {
        // Mermaid refuses such a diagram outright: say what to do instead of leaving a
        // block GitHub shows as an error.
        text.push_str(&format!(
            "This stack has {} references, more than the {MERMAID_MAX_EDGES} arrows Mermaid \
             draws. Draw it with Graphviz instead: \
             `stackweave graph STACK_FILE --format dot | dot -Tsvg -o {}.svg`.\n",
            graph.edges().len(),
            stack_name
        ));
        return text;
    }
    text.push_str(
        "Resources grouped by construct. Arrows point from a resource or output to what it \
         references, labelled with the attribute used; a thick red arrow marks a resource \
         acting as an IAM role, a dotted one a `DependsOn`.\n\n",
    );
    text.push_str("```mermaid\n");
    text.push_str(&graph.mermaid());
    text.push_str("```\n");
    text
}

/// Markdown-escapes a stack name for a heading (names are usually plain, but `*` or `_`
/// would otherwise start emphasis).
fn markdown_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|'
        ) {
            escaped.push('\\');
        }
        escaped.push(if c == '\n' { ' ' } else { c });
    }
    escaped
}

/// Groups resources by their `aws:cdk:path` metadata (`Stack/Api/Handler/Resource` →
/// `["Api", "Handler"]`): the first segment is the stack and the last the resource, so
/// what lies between is the construct path. Resources without it are left out.
pub fn grouping_from_metadata(template: &Value) -> Grouping {
    let mut grouping = Grouping::new();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return grouping;
    };
    for (logical_id, resource) in resources {
        let path = resource
            .get("Metadata")
            .and_then(|metadata| metadata.get("aws:cdk:path"))
            .and_then(Value::as_str);
        if let Some(path) = path {
            let segments: Vec<&str> = path.split('/').collect();
            if segments.len() > 2 {
                let construct = &segments[1..segments.len() - 1];
                grouping.insert(
                    logical_id.clone(),
                    construct.iter().map(|s| (*s).to_owned()).collect(),
                );
            }
        }
    }
    grouping
}

enum Pending {
    Found(refs::Found),
    DependsOn(String),
}

#[derive(Default)]
struct Builder<'t> {
    nodes: Vec<Node>,
    groups: Vec<Group>,
    edges: Vec<Edge>,
    top: Vec<Item>,
    members: Vec<Vec<Item>>,
    resources: HashMap<&'t str, usize>,
    group_index: HashMap<Vec<String>, usize>,
    edge_index: HashMap<(usize, usize, String, bool), usize>,
    ids: HashSet<String>,
}

impl Builder<'_> {
    /// A diagram id for `name`: letters and digits kept, anything else `_`, then a
    /// number appended if that is taken, so ids stay readable and never collide.
    fn id(&mut self, prefix: &str, name: &str) -> String {
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let base = format!("{prefix}{safe}");
        let mut id = base.clone();
        let mut n = 2;
        while self.ids.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.ids.insert(id.clone());
        id
    }

    /// The group for `path`, created with its ancestors if new; `None` at top level.
    fn group(&mut self, path: &[String]) -> Option<usize> {
        let mut parent = None;
        for depth in 1..=path.len() {
            let prefix = &path[..depth];
            parent = Some(match self.group_index.get(prefix) {
                Some(index) => *index,
                None => {
                    let id = self.id("g_", &prefix.join("_"));
                    let index = self.groups.len();
                    self.groups.push(Group {
                        id,
                        path: prefix.to_vec(),
                        parent,
                    });
                    self.members.push(Vec::new());
                    self.group_index.insert(prefix.to_vec(), index);
                    self.place(parent, Item::Group(index));
                    index
                }
            });
        }
        parent
    }

    fn place(&mut self, group: Option<usize>, item: Item) {
        match group {
            Some(group) => self.members[group].push(item),
            None => self.top.push(item),
        }
    }

    fn node(&mut self, prefix: &str, name: &str, kind: NodeKind, group: Option<usize>) -> usize {
        let id = self.id(prefix, name);
        let index = self.nodes.len();
        let resource = matches!(kind, NodeKind::Resource { .. });
        self.nodes.push(Node {
            id,
            name: name.to_owned(),
            kind,
            group,
        });
        // Parameters and outputs are placed by the caller, around the resources.
        if resource {
            self.place(group, Item::Node(index));
        }
        index
    }

    /// Whether a reference from `from` to `to` under property `key` hands `to`, an IAM
    /// role, to `from` as its own role. Judged by the property name, which is how every
    /// AWS type names it (`RoleArn`, `Role`, `ExecutionRoleArn`, `ServiceRole`, and API
    /// Gateway's `Credentials`); `Roles` lists (policies, instance profiles) attach to a
    /// role rather than act as it, and IAM's own resources never assume roles.
    fn is_assumed(&self, from: usize, to: usize, key: Option<&str>) -> bool {
        let is_type = |index: usize, wanted: &dyn Fn(&str) -> bool| matches!(&self.nodes[index].kind, NodeKind::Resource { resource_type, .. } if wanted(resource_type));
        let role_key = key.is_some_and(|key| {
            key.ends_with("Role") || key.ends_with("RoleArn") || key == "Credentials"
        });
        role_key
            && is_type(to, &|t| t == "AWS::IAM::Role")
            && is_type(from, &|t| !t.starts_with("AWS::IAM::"))
    }

    /// Adds an edge unless the same one is there; an "assumes" use of a role and a plain
    /// reference to the same attribute are one arrow, drawn as "assumes".
    fn edge(&mut self, from: usize, to: usize, attribute: String, kind: EdgeKind) {
        let key = (from, to, attribute.clone(), kind == EdgeKind::DependsOn);
        match self.edge_index.get(&key) {
            Some(&index) => {
                if kind == EdgeKind::Assumes {
                    self.edges[index].kind = EdgeKind::Assumes;
                }
            }
            None => {
                self.edge_index.insert(key, self.edges.len());
                self.edges.push(Edge {
                    from,
                    to,
                    attribute,
                    kind,
                });
            }
        }
    }
}

/// The names in a `DependsOn` (one string or a list).
fn depends_on(value: &Value) -> Vec<&str> {
    match value {
        Value::String(name) => vec![name.as_str()],
        Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The service principals an IAM role's trust policy allows, in order, each once.
fn assuming_services(logical_id: &str, role: &Value) -> Vec<String> {
    let Some(read) = stackweave_iam::read_resource(logical_id, role, as_written) else {
        return Vec::new();
    };
    let mut services = Vec::new();
    for document in read.documents() {
        let (Source::Trust, Content::Statements(slots)) = (document.source, document.content())
        else {
            continue;
        };
        for slot in slots {
            let Slot::Statement(statement) = slot else {
                continue;
            };
            if statement.body.get("Effect").and_then(Value::as_str) == Some("Deny") {
                continue;
            }
            let named = statement
                .body
                .get("Principal")
                .and_then(|principal| principal.get("Service"));
            let names = named.map_or_else(Vec::new, |named| entries(named, "", as_written));
            for name in names.into_iter().filter_map(|(name, _)| name.as_str()) {
                if !services.iter().any(|known| known == name) {
                    services.push(name.to_owned());
                }
            }
        }
    }
    services
}
