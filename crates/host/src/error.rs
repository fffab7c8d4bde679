//! What can go wrong loading or calling a plugin. Messages name the cause and what to do;
//! the caller adds which file and which construct.

use crate::contract::{CONTRACT_VERSION, ContractVersion};

/// A file could not be used as a construct plugin.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The engine itself could not be set up (not the plugin's fault).
    #[error("cannot set up the WebAssembly engine: {0}")]
    Engine(String),
    /// No `\0asm` header.
    #[error(
        "not a WebAssembly file (it does not start with the `\\0asm` header); a plugin is a component built for wasm32-wasip2"
    )]
    NotWasm,
    /// A core module, not a component.
    #[error(
        "this is a core WebAssembly module, not a component; build the plugin for the `wasm32-wasip2` target (or wrap the module with `wasm-tools component new`)"
    )]
    CoreModule,
    /// wasmtime rejected the bytes.
    #[error("not a valid WebAssembly component: {0}")]
    Invalid(String),
    /// A component, but not one exporting our interface.
    #[error(
        "not a Stackweave construct plugin: it does not export `stackweave:plugin/construct`{}; build it against the WIT package `stackweave:plugin@{CONTRACT_VERSION}`",
        exports_hint(.exports)
    )]
    NotAPlugin {
        /// What it does export.
        exports: Vec<String>,
    },
    /// Built against a contract this host does not speak.
    #[error("{}", incompatible_message(*.found))]
    IncompatibleContract {
        /// The contract version the plugin was built against.
        found: ContractVersion,
    },
    /// It needs an import the sandbox does not provide.
    #[error("the plugin needs an import Stackweave does not provide to plugins: {0}")]
    Unlinkable(String),
    /// Its exports do not have the contract's types.
    #[error("the plugin's exports do not match contract {CONTRACT_VERSION}: {0}")]
    WrongShape(String),
    /// `describe` failed.
    #[error("`describe` failed: {0}")]
    Describe(Box<CallError>),
    /// `describe` answered nonsense.
    #[error("`describe` returned an unusable answer: {0}")]
    BadDescription(String),
}

fn exports_hint(exports: &[String]) -> String {
    if exports.is_empty() {
        " (it exports nothing)".to_string()
    } else {
        format!(" (it exports {})", exports.join(", "))
    }
}

fn incompatible_message(found: ContractVersion) -> String {
    if found > CONTRACT_VERSION {
        format!(
            "the plugin was built against contract {found}, newer than the {CONTRACT_VERSION} this stackweave speaks; upgrade stackweave, or rebuild the plugin against {CONTRACT_VERSION}"
        )
    } else {
        format!(
            "the plugin was built against contract {found}, which this stackweave (contract {CONTRACT_VERSION}) no longer loads; rebuild the plugin against {CONTRACT_VERSION}"
        )
    }
}

/// A call into a plugin failed: it trapped, ran out of a budget, or answered too much.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The fuel budget ran out (an endless loop, or far more work than a construct needs).
    #[error("ran out of fuel after {limit} units (an endless loop, or much more work than synthesis needs); raise the budget with `--plugin-fuel` if the plugin is legitimate{}", stderr_suffix(.stderr))]
    OutOfFuel {
        /// The budget.
        limit: u64,
        /// What the plugin wrote to stderr.
        stderr: String,
    },
    /// The memory cap was reached.
    #[error("tried to use more than {limit} bytes of memory{}", stderr_suffix(.stderr))]
    OutOfMemory {
        /// The cap.
        limit: usize,
        /// What the plugin wrote to stderr.
        stderr: String,
    },
    /// The answer was larger than allowed.
    #[error("returned {actual} bytes of output, more than the {limit} allowed")]
    OutputTooLarge {
        /// The cap.
        limit: usize,
        /// What it returned.
        actual: usize,
    },
    /// Any other trap: a panic, an `unreachable`, a stack overflow.
    #[error("crashed: {message}{}", stderr_suffix(.stderr))]
    Trap {
        /// wasmtime's description of the trap.
        message: String,
        /// What the plugin wrote to stderr (a Rust plugin's panic message lands here).
        stderr: String,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!("\nplugin stderr:\n{}", indent(stderr))
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  | {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
