//! What the check commands (`validate`, `diff`, `graph`) read: a stack file, synthesised on
//! the fly (alone, or as a stack of an app for one environment), or a CloudFormation
//! template file. Either way they get the template in long
//! form, and for each resource where it came from: its construct path and the line that
//! declared it (for `validate`, through `stackweave_validate::Source`).

use std::path::Path;

use serde_json::Value;
use stackweave_stack::FileKind;
use stackweave_stack::Location;
use stackweave_synth::{Diagnostic, Options, Synthesis};
use stackweave_template::Owner;
use stackweave_template_file::{ReadErrorKind, TemplateFile};
use stackweave_validate::{RuleChoice, Settings, Suppression};

/// A stack file's synthesis or a template file, read and checked.
pub enum Input {
    /// A stack file, synthesised.
    Stack(Box<Synthesis>),
    /// A template file, as written.
    Template(TemplateFile),
}

impl Input {
    /// Reads `path`: a stack file (it has `constructs`) is synthesised with `options`; a
    /// template (it has `Resources`) is read as it is.
    pub fn load(path: &Path, options: &Options) -> Result<Input, Vec<Diagnostic>> {
        // Bounded, and only a regular file: a check command may be handed any path.
        let text = stackweave_template_file::read_text(path).map_err(|error| {
            vec![match error.kind {
                ReadErrorKind::NotUtf8 => error.into(),
                _ => {
                    Diagnostic::error(format!("cannot read {}: {}", path.display(), error.message))
                        .help(error.help)
                }
            }]
        })?;
        match stackweave_stack::kind_of(&text) {
            Some(FileKind::StackFile) => stackweave_synth::synthesize(path, options)
                .map(|synthesis| Input::Stack(Box::new(synthesis)))
                .map_err(|failure| failure.diagnostics),
            Some(FileKind::Template) => stackweave_template_file::parse_template_str(&text, path)
                .map(Input::Template)
                .map_err(|error| vec![error.into()]),
            // An app holds several stacks: a command that reads one stack says which.
            None if stackweave_app::is_app_file(&text) => Err(vec![
                Diagnostic::error(format!(
                    "{} is an app file, which holds several stacks; this command reads one",
                    path.display()
                ))
                .at(path, None)
                .help("give one of the app's stack files, or a template `synth --out` wrote"),
            ]),
            // Text too broken to tell (JSON with a syntax error, say): its syntax error is
            // what to fix first.
            None => match stackweave_template_file::parse_template_str(&text, path) {
                Err(error) if error.kind == ReadErrorKind::Syntax => Err(vec![error.into()]),
                _ => Err(vec![
                    Diagnostic::error(format!(
                        "{} is neither a stack file nor a CloudFormation template",
                        path.display()
                    ))
                    .at(path, None)
                    .help("a stack file has `constructs:`; a template has `Resources:`"),
                ]),
            },
        }
    }

    /// The template, with long-form intrinsics (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`).
    pub fn template(&self) -> &Value {
        match self {
            Input::Stack(synthesis) => synthesis.template.value(),
            Input::Template(file) => &file.value,
        }
    }

    /// The file findings point into: the stack file, or the template file.
    pub fn path(&self) -> &Path {
        match self {
            Input::Stack(synthesis) => &synthesis.stack.path,
            Input::Template(file) => &file.path,
        }
    }

    /// The construct path of a resource (`Api/Role`); none for a template file.
    pub fn construct(&self, logical_id: &str) -> Option<String> {
        match self {
            Input::Stack(synthesis) => match synthesis.template.owner(logical_id)? {
                Owner::Construct(path) => Some(path.join("/")),
                Owner::StackFile => None,
            },
            Input::Template(_) => None,
        }
    }

    /// Where the entry `logical_id` of `section` was declared: for a stack file, the line
    /// of the top-level construct it belongs to (a child construct is written inside its
    /// parent) or of the output/parameter; for a template, its own line.
    pub fn location(&self, section: &str, logical_id: &str) -> Option<Location> {
        match self {
            Input::Stack(synthesis) => {
                let stack = &synthesis.stack;
                let pointer = match synthesis.template.owner(logical_id)? {
                    Owner::Construct(path) => stack.construct(path.first()?)?.pointer.clone(),
                    // An output an app adds for other stacks to read is located at
                    // what it carries (its pointer is that construct's or resource's).
                    Owner::StackFile if section == "Outputs" => stack
                        .output(logical_id)
                        .map(|output| output.pointer.clone())
                        .unwrap_or_else(|| format!("/outputs/{logical_id}")),
                    Owner::StackFile if section == "Resources" => {
                        stack.resource(logical_id)?.pointer.clone()
                    }
                    Owner::StackFile => format!("/parameters/{logical_id}"),
                };
                Some(stack.source_map.locate_key(&pointer))
            }
            Input::Template(file) => file.location_of(section, logical_id),
        }
    }

    /// Where the value at `pointer` (a JSON Pointer into the template) was written: in a
    /// template file, that value's own line; in a stack file, the value's own line for a
    /// plain resource (written there as it is in the template), otherwise the line of the
    /// construct that made the resource `logical_id` (see [`Input::location`]).
    pub fn location_of_value(&self, logical_id: &str, pointer: &str) -> Option<Location> {
        match self {
            Input::Stack(synthesis) => {
                let within = pointer
                    .strip_prefix("/Resources/")
                    .and_then(|rest| rest.split_once('/'))
                    .map(|(_, within)| within);
                match (synthesis.stack.resource(logical_id), within) {
                    (Some(resource), Some(within)) => {
                        let pointer = format!("{}/{within}", resource.pointer);
                        Some(synthesis.stack.source_map.locate_key(&pointer))
                    }
                    _ => self.location("Resources", logical_id),
                }
            }
            Input::Template(file) => Some(file.source_map.locate_key(pointer)),
        }
    }
}

/// What `stackweave validate` ties findings back to, and the stack file's `validation:`.
impl stackweave_validate::Source for Input {
    fn template(&self) -> &Value {
        Input::template(self)
    }

    fn path(&self) -> &Path {
        Input::path(self)
    }

    fn construct(&self, logical_id: &str) -> Option<String> {
        Input::construct(self, logical_id)
    }

    fn location_of_value(&self, logical_id: &str, pointer: &str) -> Option<Location> {
        Input::location_of_value(self, logical_id, pointer)
    }

    fn settings(&self) -> Settings {
        let Input::Stack(synthesis) = self else {
            return Settings::default();
        };
        let stack = &synthesis.stack;
        let validation = &stack.validation;
        Settings {
            enable: validation
                .enable
                .iter()
                .map(|choice| RuleChoice {
                    rule: choice.rule.clone(),
                    location: stack.source_map.locate(&choice.pointer),
                })
                .collect(),
            suppress: validation
                .suppress
                .iter()
                .map(|suppression| Suppression {
                    rule: suppression.rule.clone(),
                    resource: suppression.resource.clone(),
                    reason: suppression.reason.clone(),
                    location: stack.source_map.locate(&suppression.pointer),
                })
                .collect(),
        }
    }
}

impl Input {
    /// The template as a diagram, resources grouped by the construct that made them (for a
    /// template file: by CDK's `aws:cdk:path` metadata, when it has any).
    pub fn graph(&self) -> stackweave_graph::Graph {
        let grouping = match self {
            Input::Stack(synthesis) => grouping(&synthesis.template),
            Input::Template(_) => stackweave_graph::Grouping::new(),
        };
        stackweave_graph::Graph::from_template(self.template(), &grouping)
    }
}

/// The construct path of every resource of a synthesised template.
pub fn grouping(template: &stackweave_template::Template) -> stackweave_graph::Grouping {
    let resources = template.value()["Resources"].as_object();
    resources
        .into_iter()
        .flatten()
        .filter_map(|(id, _)| match template.owner(id)? {
            Owner::Construct(path) => Some((id.clone(), path.clone())),
            Owner::StackFile => None,
        })
        .collect()
}
