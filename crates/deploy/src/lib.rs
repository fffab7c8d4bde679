//! Deploying Stackweave's cloud assemblies through CloudFormation: the I/O half of
//! `stackweave deploy`, `destroy` and `diff --deployed`.
//!
//! It is the only crate that talks to AWS (the tidy test checks that no other crate depends
//! on the SDK, and that only the `stackweave` binary depends on this one). It holds the
//! calls and their order, and nothing about what a plan or a report says: that is
//! `rollout` (pure functions over the answers, from `stackweave-rollout`). Its parts:
//! `connection` (credentials, endpoint, clients per region), `change_set` (create, wait,
//! read), `follow` (execute and follow events), `deployed` (what is deployed, who imports
//! it, deleting), `schedule` (several stacks at once in dependency order), `error` (SDK
//! errors as diagnostics with what to do).

pub mod change_set;
pub mod connection;
pub mod deployed;
mod error;
pub mod follow;
pub mod rollout;
pub mod schedule;

pub use change_set::{ChangeSet, Existing, MAX_INLINE_TEMPLATE, Prepared};
pub use connection::{Clients, Connection, Settings};
pub use follow::Finished;
/// The runtime the SDK's calls run on (one thread: the command's).
pub use tokio::runtime::Runtime;

/// One stack to deploy: where, what, with which settings.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its name in the app (the stack file's `name`).
    pub id: String,
    /// Its CloudFormation stack name.
    pub stack_name: String,
    /// Its region.
    pub region: String,
    /// The template as JSON text, as submitted.
    pub body: String,
    /// The same template, parsed.
    pub template: serde_json::Value,
    /// Parameter values.
    pub parameters: Vec<(String, String)>,
    /// Tags on the stack.
    pub tags: Vec<(String, String)>,
    /// The stacks (ids) to deploy first.
    pub depends_on: Vec<String>,
    /// Where to upload a template over [`MAX_INLINE_TEMPLATE`] bytes.
    pub bucket: Option<String>,
}

/// A tokio runtime on the command's own thread, with timers (the SDK's and our polling).
pub fn runtime() -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Runs `future` on `runtime` on the command's thread, where [`schedule::run`] can start
/// the stacks' tasks (they share the command's state without locks).
pub fn block_on<F: std::future::Future>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output {
    tokio::task::LocalSet::new().block_on(runtime, future)
}

/// A lock held across an await (one question on the terminal at a time).
pub type Turn = tokio::sync::Mutex<()>;
