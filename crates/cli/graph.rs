//! `stackweave graph`: a stack (synthesised first) or a template as a diagram, resources
//! grouped by the construct that made them, arrows for references; an app as the stacks of
//! one environment, each in a frame, with an arrow for each reference between stacks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use stackweave_graph::{Anchor, AppGraph};
use stackweave_synth::{App, Diagnostic, Link, Options};

use crate::app::{self, Selection};
use crate::exit;
use crate::flags::SynthesisArgs;
use crate::input::{self, Input};

#[derive(clap::Args)]
pub struct GraphArgs {
    /// A stack file (synthesised first), a CloudFormation template (YAML or JSON), or an app
    /// file (every stack of one environment); a folder stands for its `app.yaml` or
    /// `stack.yaml`
    #[arg(default_value = ".", value_name = "APP|STACK|TEMPLATE")]
    input: PathBuf,
    /// The environment of the app to draw [default: the app's first]
    #[arg(long = "env", value_name = "NAME")]
    environments: Vec<String>,
    /// Diagram language
    #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
    format: DiagramFormat,
    #[command(flatten)]
    synthesis: SynthesisArgs,
}

/// The diagram languages of `stackweave graph`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    /// Mermaid flowchart (GitHub renders it in Markdown)
    Mermaid,
    /// Graphviz DOT
    Dot,
}

pub fn run(args: GraphArgs) -> ExitCode {
    let options = match args.synthesis.options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    if let Some(app) = app::app_file(&args.input) {
        return run_app(&app, &args.environments, args.format, &options);
    }
    if !args.environments.is_empty() {
        let error = Diagnostic::error(format!(
            "`--env` chooses an environment of an app, but {} is not an app file",
            args.input.display()
        ))
        .help("give the app file (or its folder), or drop `--env`");
        return exit::usage_error(&error);
    }
    let input = match Input::load(&app::stack_file(&args.input), &options) {
        Ok(input) => input,
        Err(errors) => return exit::input_error(&errors),
    };
    let diagram = input.graph();
    let text = match args.format {
        DiagramFormat::Mermaid => diagram.mermaid(),
        DiagramFormat::Dot => diagram.dot(),
    };
    exit::print_or_report(&text, false)
}

/// `graph` of an app: one environment's stacks, in deploy order, each framed.
fn run_app(
    path: &Path,
    environments: &[String],
    format: DiagramFormat,
    options: &Options,
) -> ExitCode {
    if environments.len() > 1 {
        let error = Diagnostic::error(format!(
            "`graph` draws one environment of an app, but {} are given",
            environments.len()
        ))
        .help("give one `--env` (or none, for the app's first environment)");
        return exit::usage_error(&error);
    }
    let app = match stackweave_synth::read_app(path, options) {
        Ok(app) => app,
        Err(failure) => return exit::input_error(&failure.diagnostics),
    };
    let selection = Selection {
        environments: environments.to_vec(),
        stacks: Vec::new(),
    };
    let environment = match selection.environments(&app) {
        Ok(found) => found.into_iter().next(),
        Err(error) => return exit::usage_error(&error),
    };
    let Some(environment) = environment else {
        let error = Diagnostic::error(format!("app `{}` has no environment", app.file.name))
            .at(&app.file.path, None);
        return exit::input_error(&[error]);
    };
    let assembly = match app.synthesize(environment, &[], options) {
        Ok(assembly) => assembly,
        Err(failure) => return exit::input_error(&failure.diagnostics),
    };
    let mut diagram = AppGraph::new();
    // Frame index of each stack of the app, by its index in `app.stacks`.
    let mut frames = vec![None; app.stacks.len()];
    for stack in &assembly.stacks {
        let template = &stack.synthesis.template;
        let graph =
            stackweave_graph::Graph::from_template(template.value(), &input::grouping(template));
        let title = format!("{} ({}, {})", stack.id, stack.stack_name, stack.region);
        let frame = diagram.stack(&stack.id, &title, graph);
        if let Some(index) = app.stack_index(&stack.id) {
            frames[index] = Some(frame);
        }
    }
    for link in &app.links {
        let (Some(reader), Some(giver)) = (frames[link.consumer], frames[link.producer]) else {
            continue;
        };
        let (from, to, label) = link_ends(&app, link);
        diagram.reference((reader, &from), (giver, &to), &label);
    }
    let text = match format {
        DiagramFormat::Mermaid => diagram.mermaid(),
        DiagramFormat::Dot => diagram.dot(),
    };
    exit::print_or_report(&text, false)
}

/// What a reference between stacks joins: the consumer's construct (whose props or
/// overrides hold it), plain resource or output; the producer's construct, resource or
/// output it reads; and the label of its arrow, the attribute read (an output's name when it
/// reads an output).
fn link_ends(app: &App, link: &Link) -> (Anchor, Anchor, String) {
    let consumer = &app.stacks[link.consumer];
    let within = |pointer: &str| link.pointer.starts_with(&format!("{pointer}/"));
    let from = if let Some(construct) = consumer.constructs.iter().find(|c| within(&c.pointer)) {
        Anchor::Construct(vec![construct.id.clone()])
    } else if let Some(resource) = consumer.resources.iter().find(|r| within(&r.pointer)) {
        Anchor::Resource(resource.id.clone())
    } else if let Some(output) = consumer.outputs.iter().find(|o| within(&o.pointer)) {
        Anchor::Output(output.name.clone())
    } else {
        // Every reference a stack file holds is in one of the three; drawn from the
        // stack's frame otherwise.
        Anchor::Construct(Vec::new())
    };
    let producer = &app.stacks[link.producer];
    let to = if producer.output(&link.target).is_some() {
        Anchor::Output(link.target.clone())
    } else if producer.construct(&link.target).is_some() {
        Anchor::Construct(vec![link.target.clone()])
    } else {
        Anchor::Resource(link.target.clone())
    };
    let label = match (&link.attribute, &to) {
        (Some(attribute), _) => attribute.clone(),
        (None, Anchor::Output(name)) => name.clone(),
        (None, _) => "Ref".to_owned(),
    };
    (from, to, label)
}
