//! Waiting in the sandbox: the host calls through which a plugin can block (`wasi:io/poll`,
//! and the monotonic clock's subscriptions that feed it), replaced so that no wait outlives
//! the call's wall-clock deadline.
//!
//! Why: wasmtime-wasi's `subscribe-duration` and `subscribe-instant` arm real timers, whatever
//! clock the `WasiCtx` has, and a plugin blocked in `poll` runs no WebAssembly, so it spends
//! no fuel and never reaches an epoch check: one `std::thread::sleep` held a build for as
//! long as it asked. Under the sandbox's fixed monotonic clock (always 0) time never
//! passes, so a subscription's moment is, from the plugin's point of view, never reached by
//! waiting either: it is ready at once, a sleep returns at once, and a loop waiting for the
//! clock to advance burns fuel (each subscription is charged some) and is stopped by the
//! fuel limit. `poll` and `block` are
//! replaced too, so that a pollable that is not ready (none is, today: stdin is closed,
//! stdout and stderr are memory pipes, sockets are refused before they exist, and no file
//! is open) is given up at the deadline instead of waited on, and an empty `poll` list,
//! which would wait forever, is a clear error instead of wasmtime's.

use std::time::Instant;

use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime::{StoreContextMut, Trap};
use wasmtime_wasi::p2::bindings::io::poll::{Host as _, HostPollable as _};
use wasmtime_wasi::p2::{DynPollable, Pollable, subscribe};
use wasmtime_wasi::runtime::in_tokio;

use crate::sandbox::Sandbox;

/// The WASI version whose interfaces wasmtime-wasi links (its `wit/deps`): shadowing a
/// function needs the instance name it was linked under. Components importing any 0.2.x
/// reach these by semver, like every other WASI import.
const WASI: &str = "0.2.12";

/// Fuel one clock subscription costs. A wait spends no fuel of its own, so a loop of waits
/// for a clock that never moves would otherwise run until the wall-clock deadline, at a
/// machine's speed; charged like 100,000 instructions, it runs out of fuel within a few
/// thousand rounds on every machine, while a plugin that sleeps a few times pays nothing it
/// would notice.
const WAIT_FUEL: u64 = 100_000;

/// A host call the plugin made that the host refuses to carry out: a bug in the plugin.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct BadHostCall(pub &'static str);

/// Replaces wasmtime-wasi's monotonic-clock subscriptions, `poll` and `block` in `linker`,
/// which already links WASI.
pub(crate) fn link(linker: &mut Linker<Sandbox>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut clock = linker.instance(&format!("wasi:clocks/monotonic-clock@{WASI}"))?;
    clock.func_wrap(
        "subscribe-duration",
        |store: StoreContextMut<Sandbox>, (_duration,): (u64,)| Ok((subscribe_now(store)?,)),
    )?;
    clock.func_wrap(
        "subscribe-instant",
        |store: StoreContextMut<Sandbox>, (_instant,): (u64,)| Ok((subscribe_now(store)?,)),
    )?;
    let mut poll = linker.instance(&format!("wasi:io/poll@{WASI}"))?;
    poll.func_wrap(
        "poll",
        |mut store: StoreContextMut<Sandbox>, (pollables,): (Vec<Resource<DynPollable>>,)| {
            let deadline = store.data().deadline();
            Ok((poll_until(store.data_mut().table(), pollables, deadline)?,))
        },
    )?;
    poll.func_wrap(
        "[method]pollable.block",
        |mut store: StoreContextMut<Sandbox>, (pollable,): (Resource<DynPollable>,)| {
            let deadline = store.data().deadline();
            block_until(store.data_mut().table(), pollable, deadline)
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// A pollable that is always ready: what a clock subscription is under a clock that never
/// moves.
struct Ready;

#[wasmtime_wasi::async_trait]
impl Pollable for Ready {
    async fn ready(&mut self) {}
}

/// A clock subscription: ready at once, for [`WAIT_FUEL`]. Fuel left at 0 stops the plugin
/// at its next instruction, with the usual out-of-fuel error.
fn subscribe_now(mut store: StoreContextMut<Sandbox>) -> wasmtime::Result<Resource<DynPollable>> {
    let fuel = store.get_fuel()?;
    store.set_fuel(fuel.saturating_sub(WAIT_FUEL))?;
    ready_at_once(store.data_mut().table())
}

fn ready_at_once(table: &mut ResourceTable) -> wasmtime::Result<Resource<DynPollable>> {
    let ready = table.push(Ready)?;
    subscribe(table, ready)
}

/// `poll`, given up at `deadline` with the trap the epoch deadline raises, so the call fails
/// as any call running past its wall-clock limit does.
fn poll_until(
    table: &mut ResourceTable,
    pollables: Vec<Resource<DynPollable>>,
    deadline: Instant,
) -> wasmtime::Result<Vec<u32>> {
    if pollables.is_empty() {
        return Err(BadHostCall(
            "called `poll` with an empty list of pollables, which would wait forever",
        )
        .into());
    }
    in_tokio(async {
        tokio::time::timeout_at(deadline.into(), table.poll(pollables))
            .await
            .unwrap_or_else(|_| Err(Trap::Interrupt.into()))
    })
}

/// `block`, given up at `deadline` like [`poll_until`].
fn block_until(
    table: &mut ResourceTable,
    pollable: Resource<DynPollable>,
    deadline: Instant,
) -> wasmtime::Result<()> {
    in_tokio(async {
        tokio::time::timeout_at(deadline.into(), table.block(pollable))
            .await
            .unwrap_or_else(|_| Err(Trap::Interrupt.into()))
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A pollable that never becomes ready, as a socket with no data would be.
    struct Never;

    #[wasmtime_wasi::async_trait]
    impl Pollable for Never {
        async fn ready(&mut self) {
            std::future::pending::<()>().await;
        }
    }

    fn never(table: &mut ResourceTable) -> Resource<DynPollable> {
        let never = table.push(Never).expect("push");
        subscribe(table, never).expect("subscribe")
    }

    fn borrow(pollable: &Resource<DynPollable>) -> Resource<DynPollable> {
        Resource::new_borrow(pollable.rep())
    }

    fn is_deadline(error: &wasmtime::Error) -> bool {
        matches!(error.downcast_ref::<Trap>(), Some(Trap::Interrupt))
    }

    #[test]
    fn a_wait_that_is_never_satisfied_ends_at_the_deadline() {
        let mut table = ResourceTable::new();
        let waiting = never(&mut table);
        let started = Instant::now();
        let deadline = started + Duration::from_millis(50);
        let polled = poll_until(&mut table, vec![borrow(&waiting)], deadline);
        assert!(is_deadline(&polled.expect_err("cut off")));
        let blocked = block_until(
            &mut table,
            borrow(&waiting),
            deadline + Duration::from_millis(50),
        );
        assert!(is_deadline(&blocked.expect_err("cut off")));
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(100) && waited < Duration::from_secs(5),
            "{waited:?}"
        );
    }

    #[test]
    fn clock_subscriptions_are_ready_at_once_even_past_the_deadline() {
        let mut table = ResourceTable::new();
        let ready = ready_at_once(&mut table).expect("subscribe");
        let waiting = never(&mut table);
        let past = Instant::now();
        let polled = poll_until(&mut table, vec![borrow(&waiting), borrow(&ready)], past);
        assert_eq!(polled.expect("ready"), vec![1]);
        block_until(&mut table, borrow(&ready), past).expect("ready");
    }

    #[test]
    fn polling_nothing_is_refused() {
        let mut table = ResourceTable::new();
        let error = poll_until(&mut table, Vec::new(), Instant::now()).expect_err("refused");
        assert!(error.downcast_ref::<BadHostCall>().is_some(), "{error:#}");
    }
}
