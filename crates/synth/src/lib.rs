//! Stackweave synthesis: from a stack file to one CloudFormation template.
//!
//! This crate wires the others together. It reads the stack file (`stackweave-stack`), finds
//! and loads the plugins (`stackweave-host`, `stackweave-builtin`), checks every reference and
//! every construct's props against its plugin's schema, runs the constructs in dependency
//! order, and merges their fragments (`stackweave-template`). Every failure comes back as a
//! [`Diagnostic`] naming the file, line, construct and plugin. It writes nothing: output files
//! are the CLI's job.

mod answer;
mod app;
mod budget;
mod compose;
mod diagnostic;
mod handing;
mod load;
mod lock;
mod options;
mod origin;
mod overrides;
mod parallel;
mod problem;
mod props_doc;
mod references;
mod registry;
mod run;
mod validator;

pub use app::{App, AssembledStack, Assembly, Link, output_name, read_app};
pub use budget::Budget;
pub use diagnostic::{Diagnostic, Failure, PluginLabel, Severity, merge_error};
pub use load::{PluginUse, load_plugins, new_registry, plugins_of, read_stack, registry_for};
pub use lock::{LOCKFILE_NAME, lockfile_path, render as render_lockfile};
pub use options::Options;
pub use origin::Origin;
pub use props_doc::{PropDoc, props_of};
pub use references::Imports;
pub use registry::{LoadedPlugin, Registry};
pub use run::{Synthesis, synthesize, synthesize_stack};
pub use stackweave_host::{CacheUnusable, CompileCache, Limits, is_construct_name};
pub use validator::{LoadedValidator, ValidatorInfo, ValidatorRule};
