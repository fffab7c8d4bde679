//! What construct plugins and validators share: checking a component's bytes, compiling them
//! (or taking them from the runtime's cache), reading which world its exports speak, and
//! running one call in a fresh sandboxed store on a call thread. Only the bindings and the
//! checks of the answers differ between the two kinds of plugin; the sandbox is this one.

use std::sync::Arc;

use wasmtime::component::{Component, InstancePre};
use wasmtime::{Engine, Store, Trap};
use wasmtime_wasi::I32Exit;

use crate::cache::Compiled;
use crate::contract::{Exports, find_contracts};
use crate::error::{CallError, LoadError};
use crate::plugin::Composer;
use crate::sandbox::{
    CallStore, Limits, MAX_TRANSFER_BYTES, Runtime, Sandbox, on_call_thread, run_on_call_thread,
};
use crate::waiting::BadHostCall;

/// A component compiled and its exports read, not yet instantiated: what every kind of
/// plugin starts from.
pub(crate) struct Prepared {
    pub component: Component,
    pub compiled: Compiled,
    pub exports: Exports,
}

/// Checks the header, compiles (or takes from the cache) and reads the export names, once.
pub(crate) fn prepare(
    runtime: &Runtime,
    bytes: &[u8],
    sha256: &[u8; 32],
) -> Result<Prepared, LoadError> {
    check_header(bytes)?;
    let (component, compiled) = compile_or_reuse(runtime, bytes, sha256)?;
    let names: Vec<String> = component
        .component_type()
        .exports(&runtime.engine)
        .map(|(name, _)| name.to_string())
        .collect();
    let exports = find_contracts(names.iter().map(String::as_str));
    Ok(Prepared {
        component,
        compiled,
        exports,
    })
}

/// Links the component against the runtime's linker (WASI granting nothing, and the
/// construct contract's imports), once per plugin: every call instantiates from this.
pub(crate) fn instantiate_pre(
    runtime: &Runtime,
    component: &Component,
) -> Result<InstancePre<Sandbox>, LoadError> {
    runtime
        .linker
        .instantiate_pre(component)
        .map_err(|e| LoadError::Unlinkable(format!("{e:#}")))
}

/// Runs one call: a fresh store with the limits (fuel, epoch deadline, memory cap, captured
/// output), `instantiate` in it, then `body` on the instance, on a thread whose native stack
/// is far larger than the WebAssembly stack limit (so deep recursion traps instead of
/// aborting the process). Any failure becomes a `CallError` naming the limit it hit.
/// `composer` answers a construct's requests for children; validators pass `None`.
pub(crate) fn call<I, R: Send>(
    engine: &Engine,
    limits: &Limits,
    composer: Option<Arc<dyn Composer>>,
    instantiate: impl FnOnce(&mut Store<Sandbox>) -> wasmtime::Result<I> + Send,
    body: impl FnOnce(&I, &mut Store<Sandbox>) -> wasmtime::Result<R> + Send,
) -> Result<R, CallError> {
    let run = || {
        let mut call = CallStore::new(engine, limits, composer).map_err(|e| CallError::Trap {
            message: format!("{e:#}"),
            stderr: String::new(),
        })?;
        let result =
            instantiate(&mut call.store).and_then(|instance| body(&instance, &mut call.store));
        match result {
            Ok(_) if call.filled_an_output() => Err(CallError::TooMuchOutput {
                limit: limits.stderr_bytes,
                stderr: call.stderr_text(),
            }),
            Ok(answer) => Ok(answer),
            Err(error) => Err(classify(error, &call, limits)),
        }
    };
    if on_call_thread() {
        return run();
    }
    run_on_call_thread(run).unwrap_or_else(|message| {
        Err(CallError::Trap {
            message,
            stderr: String::new(),
        })
    })
}

/// The compiled component: from the runtime's cache when it holds a sound entry, otherwise
/// compiled now and stored there. Files over the size limit are refused either way.
fn compile_or_reuse(
    runtime: &Runtime,
    bytes: &[u8],
    sha256: &[u8; 32],
) -> Result<(Component, Compiled), LoadError> {
    let limits = runtime.limits;
    if bytes.len() > limits.component_bytes {
        return Err(LoadError::TooLarge {
            limit: limits.component_bytes,
            actual: bytes.len(),
        });
    }
    let Some(cache) = &runtime.cache else {
        return Ok((compile(runtime, bytes)?, Compiled::Fresh));
    };
    if let Some(component) = cache.get(&runtime.engine, sha256) {
        return Ok((component, Compiled::FromCache));
    }
    let component = compile(runtime, bytes)?;
    // A cache that cannot be written costs only speed: the next run compiles again.
    let _ = cache.put(&runtime.engine, sha256, &component);
    Ok((component, Compiled::Fresh))
}

/// Compiles a component, giving up after the compile timeout (a hostile component can be
/// slow to compile; the abandoned compilation finishes in the background and is dropped).
fn compile(runtime: &Runtime, bytes: &[u8]) -> Result<Component, LoadError> {
    let limits = runtime.limits;
    let engine = runtime.engine.clone();
    let owned = bytes.to_vec();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("stackweave-compile".into())
        .spawn(move || {
            // The receiver may have given up; then nobody needs the result.
            let _ = sender.send(Component::new(&engine, &owned));
        })
        .map_err(|e| LoadError::Engine(format!("cannot start a compiler thread: {e}")))?;
    match receiver.recv_timeout(limits.compile_timeout) {
        Ok(compiled) => compiled.map_err(|e| LoadError::Invalid(format!("{e:#}"))),
        Err(_) => Err(LoadError::CompileTimeout {
            limit: limits.compile_timeout,
        }),
    }
}

/// Names the limit a failed call hit, or describes its trap.
fn classify(error: wasmtime::Error, call: &CallStore, limits: &Limits) -> CallError {
    let stderr = call.stderr_text();
    if call.hit_memory_cap() {
        return CallError::OutOfMemory {
            limit: limits.memory_bytes,
            stderr,
        };
    }
    // WASI 0.2's `exit` takes only success or failure, so the status a plugin asked for
    // (`std::process::exit(3)`) does not reach the host, and is not worth showing.
    if error.downcast_ref::<I32Exit>().is_some() {
        return CallError::Exited { stderr };
    }
    if let Some(BadHostCall(message)) = error.downcast_ref::<BadHostCall>() {
        return CallError::BadHostCall {
            message: message.to_string(),
            stderr,
        };
    }
    let message = format!("{error:#}");
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => CallError::OutOfFuel {
            limit: limits.fuel,
            stderr,
        },
        Some(Trap::Interrupt) => CallError::TimedOut {
            limit: limits.timeout,
            stderr,
        },
        Some(Trap::StackOverflow) => CallError::StackOverflow {
            limit: limits.wasm_stack_bytes,
            stderr,
        },
        Some(Trap::MemoryOutOfBounds) => CallError::MemoryOutOfBounds { stderr },
        Some(trap) => CallError::Trap {
            message: trap.to_string(),
            stderr,
        },
        // WASI's pipes trap with an error of their own when a plugin writes past the cap.
        None if message.contains("write beyond capacity") => CallError::TooMuchOutput {
            limit: limits.stderr_bytes,
            stderr,
        },
        // wasmtime's own error when a transfer exceeds the store's hostcall fuel (its type
        // is private, so its text is what can be matched).
        None if message
            .contains("too much data is being copied between the host and the guest") =>
        {
            CallError::TransferTooLarge {
                transfer: MAX_TRANSFER_BYTES,
                output: limits.output_bytes,
            }
        }
        None => CallError::Trap { message, stderr },
    }
}

/// Refuses what is not a WebAssembly component before spending time compiling it.
fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err(LoadError::NotWasm);
    }
    // Bytes 6..8 are the layer: 0 for a core module, 1 for a component.
    if bytes[6..8] == [0, 0] {
        return Err(LoadError::CoreModule);
    }
    Ok(())
}
