//! What a caller decides about a synthesis: plugin folders, the sandbox's limits and the
//! run's budget, the lockfile, the compile cache and the threads. Shared by loading and
//! running, so it lives apart from both.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use stackweave_host::{CompileCache, Limits};

use crate::budget::Budget;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Folders of team plugins besides those the stack file lists.
    pub plugin_dirs: Vec<PathBuf>,
    /// The sandbox's limits for every plugin call.
    pub limits: Limits,
    /// The budget of the synthesis as a whole, all plugin calls together.
    pub budget: Budget,
    /// Refuse plugins that differ from, or are missing in, the stack's `stackweave.lock`.
    pub locked: bool,
    /// Where compiled plugins are kept between runs; `None` compiles every plugin every run.
    pub cache: Option<CompileCache>,
    /// How many plugin calls may run at once; `None` means one per core. The template is
    /// the same whatever the number.
    pub jobs: Option<NonZeroUsize>,
}
