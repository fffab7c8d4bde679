//! What can go wrong loading or calling a plugin. Messages name the cause and what to do;
//! the caller adds which file and which construct.

use crate::contract::{CONTRACT_VERSION, ContractVersion, VALIDATOR_CONTRACT_VERSION};

/// A file could not be used as a construct plugin (or as a validator).
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
    /// The file is larger than any plugin needs to be.
    #[error("the file is {actual} bytes, more than the {limit} a plugin may have")]
    TooLarge {
        /// The limit.
        limit: usize,
        /// The file's size.
        actual: usize,
    },
    /// Compiling took longer than allowed.
    #[error("compiling the component took longer than {} s; a plugin this slow to compile is refused", .limit.as_secs())]
    CompileTimeout {
        /// The limit.
        limit: std::time::Duration,
    },
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
    /// A component, but not one exporting the validator interface.
    #[error(
        "not a Stackweave validator: it does not export `stackweave:validator/validator`{}; build it against the WIT package `stackweave:validator@{VALIDATOR_CONTRACT_VERSION}`",
        exports_hint(.exports)
    )]
    NotAValidator {
        /// What it does export.
        exports: Vec<String>,
    },
    /// A component exporting neither a construct nor a validator (from [`crate::load_any`]).
    #[error(
        "not a Stackweave construct plugin or validator: it exports neither `stackweave:plugin/construct` nor `stackweave:validator/validator`{}; build it against the WIT package `stackweave:plugin@{CONTRACT_VERSION}` (a construct) or `stackweave:validator@{VALIDATOR_CONTRACT_VERSION}` (a validator)",
        exports_hint(.exports)
    )]
    NotAnyPlugin {
        /// What it does export.
        exports: Vec<String>,
    },
    /// A validator where a construct plugin was wanted.
    #[error(
        "this is a validator plugin (it exports `stackweave:validator/validator`): it checks templates (`stackweave validate`) and cannot be a construct"
    )]
    IsAValidator,
    /// A construct plugin where a validator was wanted.
    #[error(
        "this is a construct plugin (it exports `stackweave:plugin/construct`): it makes resources for a stack's constructs and cannot check templates; a validator exports `stackweave:validator/validator` (WIT package `stackweave:validator@{VALIDATOR_CONTRACT_VERSION}`)"
    )]
    IsAConstruct,
    /// A component exporting both worlds, which [`crate::load_any`] cannot tell apart.
    #[error(
        "the component exports both `stackweave:plugin/construct` and `stackweave:validator/validator`; a plugin is either a construct or a validator: build them as two components"
    )]
    BothWorlds,
    /// A validator built against a validator contract this host does not speak.
    #[error("{}", incompatible_validator_message(*.found))]
    IncompatibleValidatorContract {
        /// The validator contract version it was built against.
        found: ContractVersion,
    },
    /// It needs an import the sandbox does not provide.
    #[error("the plugin needs an import Stackweave does not provide to plugins: {0}")]
    Unlinkable(String),
    /// Its exports do not have the contract's types.
    #[error("the plugin's exports do not have the types of the contract they name: {0}")]
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

fn incompatible_validator_message(found: ContractVersion) -> String {
    let host = VALIDATOR_CONTRACT_VERSION;
    if found > host {
        format!(
            "the validator was built against `stackweave:validator@{found}`, newer than the {host} this stackweave speaks; upgrade stackweave, or rebuild the validator against {host}"
        )
    } else {
        format!(
            "the validator was built against `stackweave:validator@{found}`, which this stackweave (validator contract {host}) no longer loads; rebuild the validator against {host}"
        )
    }
}

/// A call into a plugin failed: it trapped, ran out of a budget, or answered too much (or,
/// for a validator, answered something the host refuses).
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
    /// The wall-clock backstop fired.
    #[error("ran longer than {} s of wall-clock time; raise the limit with `--plugin-timeout` if the plugin is legitimate{}", .limit.as_secs_f64(), stderr_suffix(.stderr))]
    TimedOut {
        /// The limit.
        limit: std::time::Duration,
        /// What the plugin wrote to stderr.
        stderr: String,
    },
    /// The WebAssembly stack limit was reached (deep or endless recursion).
    #[error("overflowed its {limit}-byte WebAssembly stack (endless or very deep recursion); this limit cannot be raised: the plugin must recurse less deeply (a loop, or a list of pending work on the heap){}", stderr_suffix(.stderr))]
    StackOverflow {
        /// The limit.
        limit: usize,
        /// What the plugin wrote to stderr.
        stderr: String,
    },
    /// It wrote more to stdout or stderr than is kept.
    #[error("wrote more than {limit} bytes to stdout or stderr; a plugin should print little or nothing{}", stderr_suffix(.stderr))]
    TooMuchOutput {
        /// The limit.
        limit: usize,
        /// What the plugin wrote to stderr, up to the limit.
        stderr: String,
    },
    /// The memory cap was reached.
    #[error("tried to use more than {} MiB of memory; raise the limit with `--plugin-memory` (in MiB) if the plugin is legitimate{}", .limit >> 20, stderr_suffix(.stderr))]
    OutOfMemory {
        /// The cap.
        limit: usize,
        /// What the plugin wrote to stderr.
        stderr: String,
    },
    /// A load or store outside the plugin's memory: most often its own stack, which Rust and
    /// C keep in linear memory below their data, running past its end.
    #[error("crashed: wasm trap: out of bounds memory access; most often this is the plugin's own stack overflowing (Rust and C keep their stack in the plugin's memory, its size fixed when the plugin is linked: 1 MiB for Rust), after deep or endless recursion or a large local array, otherwise a bug in the plugin; its author can recurse less deeply, keep large data on the heap, or link with a larger stack (Rust: `-C link-arg=-zstack-size=BYTES`){}", stderr_suffix(.stderr))]
    MemoryOutOfBounds {
        /// What the plugin wrote to stderr.
        stderr: String,
    },
    /// More data in one transfer from the plugin to the host (its answer, or the arguments
    /// of one host call) than wasmtime copies: far past what the host keeps of an answer.
    #[error(
        "tried to pass more than {transfer} bytes to the host at once (its answer, or one host call), far beyond the {output} bytes of output a plugin may return (a CloudFormation template is at most 1 MB); this limit cannot be raised"
    )]
    TransferTooLarge {
        /// What one transfer may hold.
        transfer: usize,
        /// The output limit ([`crate::Limits::output_bytes`]).
        output: usize,
    },
    /// The plugin called WASI's `exit` (`std::process::exit` in Rust).
    #[error("called `exit` (`std::process::exit`); a plugin returns its answer, or error diagnostics saying what is wrong, and never exits{}", stderr_suffix(.stderr))]
    Exited {
        /// What the plugin wrote to stderr.
        stderr: String,
    },
    /// A host call the sandbox refuses to carry out (such as `poll` of nothing).
    #[error("made a host call the sandbox refuses: {message} (a bug in the plugin){}", stderr_suffix(.stderr))]
    BadHostCall {
        /// What was wrong with the call.
        message: String,
        /// What the plugin wrote to stderr.
        stderr: String,
    },
    /// The answer was larger than allowed.
    #[error(
        "returned {actual} bytes of output, more than the {limit} allowed (a CloudFormation template is at most 1 MB)"
    )]
    OutputTooLarge {
        /// The cap.
        limit: usize,
        /// What it returned.
        actual: usize,
    },
    /// A validator's `validate` returned an error: it could not check the template.
    #[error("could not check the template: {message}")]
    ValidatorFailed {
        /// The validator's own message.
        message: String,
    },
    /// A validator reported more findings than one call may.
    #[error(
        "reported {actual} findings, more than the {limit} one call may report (leaving some out would show the template cleaner than it is); report each problem once, on the resource at fault; this limit cannot be raised"
    )]
    TooManyFindings {
        /// The limit ([`crate::Limits::findings`]).
        limit: usize,
        /// How many it reported.
        actual: usize,
    },
    /// A validator reported a finding of a rule its `describe` does not list.
    #[error(
        "reported a finding of the rule `{rule_id}`, which its `describe` does not declare; a validator may report only the rules it lists (this is a bug in the validator)"
    )]
    UndeclaredRule {
        /// The rule id of the finding.
        rule_id: String,
    },
    /// A validator reported a finding the host cannot show.
    #[error(
        "reported an unusable finding of the rule `{rule_id}`: {reason} (this is a bug in the validator)"
    )]
    BadFinding {
        /// The rule id of the finding.
        rule_id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Any other trap: a panic, an `unreachable`, a failed host call.
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
