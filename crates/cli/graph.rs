//! `stackweave graph`: a stack (synthesised first) or a template as a diagram, resources
//! grouped by the construct that made them, arrows for references.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use crate::exit;
use crate::flags::SynthesisArgs;
use crate::input::Input;

#[derive(clap::Args)]
pub struct GraphArgs {
    /// A stack file (synthesised first) or a CloudFormation template (YAML or JSON)
    #[arg(default_value = "stack.yaml")]
    input: PathBuf,
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
    let input = match Input::load(&args.input, &options) {
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
