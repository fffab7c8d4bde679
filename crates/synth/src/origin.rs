//! Where a plugin's bytes came from (embedded or a file): how every message, table and
//! manifest names a plugin, shared by construct plugins and validators.

use std::path::PathBuf;

/// Where a plugin's bytes came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// Embedded in the stackweave binary, under this name.
    BuiltIn(String),
    /// A file on disk.
    File(PathBuf),
}

impl Origin {
    /// Whether this path has fewer parts than `other`'s (then sorts first): of two copies
    /// of one plugin, `release/x.wasm` is the one to record, not `release/deps/x.wasm`.
    pub(crate) fn is_shorter_than(&self, other: &Origin) -> bool {
        match (self, other) {
            (Origin::File(a), Origin::File(b)) => {
                (a.components().count(), a) < (b.components().count(), b)
            }
            _ => false,
        }
    }

    /// How a sentence names the plugin from this origin.
    pub(crate) fn noun(&self) -> String {
        match self {
            Origin::BuiltIn(name) => format!("the standard plugin `{name}`"),
            Origin::File(path) => format!("plugin {}", path.display()),
        }
    }
}

/// The short form for tables and labels: `built-in`, or the file's path.
impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn(_) => f.write_str("built-in"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}
