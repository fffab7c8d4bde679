//! Stackweave synthesis: from a stack file to one CloudFormation template.
//!
//! This crate wires the others together. It reads the stack file (`stackweave-stack`), finds
//! and loads the plugins (`stackweave-host`, `stackweave-builtin`), checks every reference and
//! every construct's props against its plugin's schema, runs the constructs in dependency
//! order, and merges their fragments (`stackweave-template`). Every failure comes back as a
//! [`Diagnostic`] naming the file, line, construct and plugin. It writes nothing: output files
//! are the CLI's job.

mod answer;
mod budget;
mod compose;
mod diagnostic;
mod handing;
mod load;
mod lock;
mod options;
mod overrides;
mod parallel;
mod problem;
mod props_doc;
mod references;
mod registry;
mod run;

pub use budget::Budget;
pub use diagnostic::{Diagnostic, Failure, PluginLabel, Severity};
pub use load::{PluginUse, load_plugins, new_registry, plugins_of, read_stack, registry_for};
pub use lock::{LOCKFILE_NAME, lockfile_path, render as render_lockfile};
pub use options::Options;
pub use props_doc::{PropDoc, props_of};
pub use registry::LoadedValidator;
pub use registry::{LoadedPlugin, Origin, Registry};
pub use run::{Synthesis, synthesize, synthesize_stack};
pub use stackweave_host::Severity as RuleSeverity;
pub use stackweave_host::{CacheUnusable, CompileCache, Compiled, Limits, is_construct_name};
pub use stackweave_host::{
    CallError, Finding, RESERVED_RULE_PREFIX, RuleInfo, Validator, ValidatorInfo, is_rule_id,
};
