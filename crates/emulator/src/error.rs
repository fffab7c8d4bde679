//! What can stop the emulator, as typed errors: the template cannot be emulated
//! ([`ModelError`], naming the resource and property), or one request could not be carried
//! through faithfully ([`EmulationError`]: an unmocked Task, a template that does not
//! render). A request API Gateway itself would refuse is no error: it is a [`crate::Response`].

/// A part of the template the emulator cannot read: which resource, which property (a JSON
/// Pointer into the template), what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ModelError {
    /// The logical id of the resource, when the problem is inside one.
    pub resource: Option<String>,
    /// JSON Pointer into the template, e.g. `/Resources/ApiMethod/Properties/Integration`.
    pub pointer: String,
    /// What is wrong, lowercase, no trailing full stop.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl ModelError {
    /// A problem at `pointer` inside resource `resource`.
    pub fn at(resource: &str, pointer: &str, message: String, help: impl Into<String>) -> Self {
        ModelError {
            resource: Some(resource.to_owned()),
            pointer: pointer.to_owned(),
            message,
            help: help.into(),
        }
    }

    /// A problem with the template as a whole.
    pub fn template(message: String, help: impl Into<String>) -> Self {
        ModelError {
            resource: None,
            pointer: String::new(),
            message,
            help: help.into(),
        }
    }
}

/// A request the emulator could not carry through as AWS would.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmulationError {
    /// The template holds something the emulator cannot run (found when the request
    /// reached it).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A mapping template failed to parse or render.
    #[error("the {which} of method `{method}` ({content_type}) fails at {error}")]
    Template {
        /// `request template` or `response template`.
        which: &'static str,
        /// The method's logical id.
        method: String,
        /// The template's content type.
        content_type: String,
        /// The VTL error, with its line and column in the template.
        error: stackweave_vtl::VtlError,
    },
    /// A state machine's definition is not a valid state machine.
    #[error("the definition of state machine `{machine}` is invalid: {error}")]
    Definition {
        /// The state machine's logical id.
        machine: String,
        /// What is wrong, with its JSON Pointer into the definition.
        error: stackweave_asl::DefinitionError,
    },
    /// The execution could not be run faithfully: a Task state with no mock answer left,
    /// a runaway loop, a feature local runs do not support.
    #[error("state machine `{machine}`: {error}")]
    Run {
        /// The state machine's logical id.
        machine: String,
        /// Which state and call.
        error: stackweave_asl::RunError,
    },
}

impl EmulationError {
    /// What to do about it.
    pub fn help(&self) -> String {
        match self {
            EmulationError::Model(error) => error.help.clone(),
            EmulationError::Template { .. } => {
                "fix the mapping template at that line and column (lines count from the \
                 template's first line)"
                    .to_owned()
            }
            EmulationError::Definition { .. } => {
                "fix the state machine's definition at that JSON Pointer".to_owned()
            }
            EmulationError::Run { error, .. } => match error {
                stackweave_asl::RunError::Unmocked { state, .. } => format!(
                    "declare what `{state}` answers under `mocks:` (one entry per call, \
                     `return: <result>` or `error: <name>` with `cause:`); docs/local.md shows how"
                ),
                _ => "change the definition or the mocks so the execution can run locally \
                      (docs/local.md lists what is emulated)"
                    .to_owned(),
            },
        }
    }

    /// The resource the error is about, when it is one.
    pub fn resource(&self) -> Option<&str> {
        match self {
            EmulationError::Model(error) => error.resource.as_deref(),
            EmulationError::Template { method, .. } => Some(method),
            EmulationError::Definition { machine, .. } | EmulationError::Run { machine, .. } => {
                Some(machine)
            }
        }
    }
}
