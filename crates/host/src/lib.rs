//! Runs Stackweave construct plugins and validators: WebAssembly components, loaded from bytes
//! at run time through wasmtime, each call in a fresh sandboxed store.
//!
//! This crate is the only one that knows wasmtime. It checks that a file really is a construct
//! plugin (or a validator, the world of team policy rules) of a contract version this host
//! speaks, asks it to describe itself, and calls its `synth` with props and fragments (or its
//! `validate` with a template) as opaque JSON text. It knows nothing of CloudFormation, of
//! stack files, or of where plugin bytes come from: callers name the file in their messages.
//!
//! The sandbox grants nothing: no preopened directories, no environment, no network, no
//! inherited stdio, fixed clocks and seeded randomness (so a plugin cannot make output differ
//! between machines), and every store has a fuel budget and a memory cap. A plugin cannot
//! wait: the clock's subscriptions are ready at once and every wait ends at the call's
//! deadline (`waiting`). What a plugin says to people (diagnostics, `describe`, findings,
//! stderr) is capped and has its control characters escaped where it enters this crate's
//! types (`text`), so no caller can show it raw.

mod bindings;
mod cache;
mod component;
mod contract;
mod error;
mod plugin;
mod sandbox;
mod text;
mod validator;
mod waiting;

pub use cache::{CacheUnusable, CompileCache, Compiled};
pub use contract::{
    CONTRACT_VERSION, ContractVersion, SUPPORTED_CONTRACTS, SUPPORTED_VALIDATOR_CONTRACTS,
    VALIDATOR_CONTRACT_VERSION,
};
pub use error::{CallError, LoadError};
pub use plugin::{
    AttributeInfo, Composer, Diagnostic, Plugin, PluginInfo, Severity, SynthContext, SynthOutcome,
    is_construct_name,
};
pub use sandbox::{CALL_THREAD_STACK, EPOCH_TICK, Limits, Runtime, spawn_call_thread};
pub use validator::{
    Component, Finding, RESERVED_RULE_PREFIX, RuleInfo, Validator, ValidatorInfo, is_rule_id,
    load_any,
};
