//! The file system at Stackweave's edges: reading an input file (stack file, `!file` data,
//! plugin, lockfile, template, cache entry) only when it is a regular file within a size
//! bound, and replacing a set of output files so that a reader sees the old set or the new
//! one, never a mix.
//!
//! Not here: what the files mean. Callers turn [`ReadError`] into their own diagnostics,
//! naming the file's role and the flag that raises its bound.

mod folder;
mod read;

pub use folder::{LOCK_WAIT, WriteError, replace_files, write_file_atomically};
pub use read::{FileKind, ReadError, open_bounded, read_bounded};
