//! The typed app file: what synthesis works from once parsing has succeeded.
//!
//! Plain data. Paths are joined onto the app file's folder; every entry keeps the JSON
//! Pointer it was written at, so a later problem (a value a stack file reads that this
//! environment lacks, a stack with no file) is reported at its line.

use std::path::PathBuf;

use stackweave_location::SourceMap;

/// A parsed, structurally valid app file.
#[derive(Debug, Clone)]
pub struct AppFile {
    /// The app file's path as given.
    pub path: PathBuf,
    /// The folder holding the app file (`.` when the path has none).
    pub dir: PathBuf,
    /// The app's name: the first part of every stack name it deploys.
    pub name: String,
    /// What the app is, for people.
    pub description: Option<String>,
    /// The stack files, in file order.
    pub stacks: Vec<StackEntry>,
    /// How a stack reads another stack's values.
    pub references: ReferenceMode,
    /// The environments, in file order (at least one).
    pub environments: Vec<Environment>,
    /// Where every node was written.
    pub source_map: SourceMap,
}

impl AppFile {
    /// The environment with this name.
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }
}

/// One stack of the app: a stack file beside the app file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEntry {
    /// The stack file, joined onto the app file's folder.
    pub file: PathBuf,
    /// JSON Pointer of the entry: `/stacks/<index>`.
    pub pointer: String,
}

/// How a reference to another stack's value reaches the consuming template.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReferenceMode {
    /// `Fn::GetStackOutput`: no export, so the producer stays free to change; works across
    /// regions and accounts.
    #[default]
    Weak,
    /// `Fn::ImportValue` of an automatic export: CloudFormation refuses to delete or change
    /// an output another stack imports. Same region and account only.
    Strong,
}

/// One environment: where the app's stacks go and the settings they read.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// Its name (`dev`, `prod`): the middle part of every stack name.
    pub name: String,
    /// The AWS region of its stacks (unless a placement says otherwise).
    pub region: String,
    /// The AWS account id (12 digits), when the environment pins one.
    pub account: Option<String>,
    /// The S3 bucket `deploy` uploads templates too large to send inline into (over
    /// CloudFormation's 51,200 bytes), when the environment names one.
    pub bucket: Option<String>,
    /// Tags for every stack of the environment, in file order.
    pub tags: Vec<(String, String)>,
    /// CloudFormation parameter values, per stack name, in file order: stack name to
    /// parameter name to value (CloudFormation passes every parameter value as a string).
    pub parameters: Vec<(String, Vec<(String, String)>)>,
    /// The values stack files read with `${value:name}`, in file order.
    pub values: Vec<Value>,
    /// Stacks placed in another region or account than the environment's, by stack name.
    pub placements: Vec<(String, Placement)>,
    /// JSON Pointer of the environment: `/environments/<name>`.
    pub pointer: String,
}

impl Environment {
    /// The value with this name.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|v| v.name == name)
    }

    /// The placement of the stack with this name, when the environment gives one.
    pub fn placement(&self, stack: &str) -> Option<&Placement> {
        self.placements
            .iter()
            .find(|(name, _)| name == stack)
            .map(|(_, placement)| placement)
    }
}

/// A setting of one environment that stack files read at synthesis.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// Its name (`[A-Za-z][A-Za-z0-9]*`).
    pub name: String,
    /// The value, as YAML typed it (never null).
    pub value: serde_json::Value,
    /// JSON Pointer of the value: `/environments/<env>/values/<name>`.
    pub pointer: String,
}

/// Where one stack of an environment goes when not in the environment's region or account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Its region; the environment's when `None`.
    pub region: Option<String>,
    /// Its account; the environment's when `None`.
    pub account: Option<String>,
    /// A role in this stack's account that stacks in other accounts assume to read its
    /// outputs (`Fn::GetStackOutput`'s `RoleArn`).
    pub outputs_role: Option<String>,
    /// JSON Pointer of the placement: `/environments/<env>/stacks/<stack>`.
    pub pointer: String,
}
