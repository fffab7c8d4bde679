//! The sandbox every plugin call runs in: one engine per process, a fresh store per call,
//! WASI with nothing granted, and a budget on fuel, memory and output.

use std::time::Duration;

use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Config, Engine, ResourceLimiter, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::random::Deterministic;
use wasmtime_wasi::{
    HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};

use crate::error::LoadError;

/// What one plugin call may use. Every store gets all of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel for one call (roughly one unit per WebAssembly instruction). Deterministic: a
    /// plugin that fits on a laptop fits on a slow CI machine.
    pub fuel: u64,
    /// Bytes of linear memory, across all memories of the instance.
    pub memory_bytes: usize,
    /// Bytes of the fragment a `synth` call may return.
    pub output_bytes: usize,
    /// Bytes of stderr kept to show when the plugin fails.
    pub stderr_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 10_000_000_000,
            memory_bytes: 256 << 20,
            output_bytes: 16 << 20,
            stderr_bytes: 64 << 10,
        }
    }
}

/// One wasmtime engine and linker, shared by every plugin of a run.
pub struct Runtime {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<Sandbox>,
    pub(crate) limits: Limits,
}

impl Runtime {
    /// Builds the engine with fuel metering and links WASI (capabilities come per store).
    pub fn new(limits: Limits) -> Result<Self, LoadError> {
        let mut config = Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        Ok(Runtime {
            engine,
            linker,
            limits,
        })
    }

    /// The limits every call gets.
    pub fn limits(&self) -> Limits {
        self.limits
    }
}

/// Per-store state: the WASI context (granting nothing) and the memory cap.
pub(crate) struct Sandbox {
    wasi: WasiCtx,
    table: ResourceTable,
    memory: MemoryCap,
}

impl WasiView for Sandbox {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A fresh store with its own stderr capture; `hit_memory_cap` tells afterwards whether a
/// trap came from the memory cap.
pub(crate) struct CallStore {
    pub store: Store<Sandbox>,
    pub stderr: MemoryOutputPipe,
}

impl CallStore {
    pub(crate) fn new(engine: &Engine, limits: &Limits) -> Result<Self, wasmtime::Error> {
        let stderr = MemoryOutputPipe::new(limits.stderr_bytes);
        let wasi = WasiCtxBuilder::new()
            // Output the user never sees would only hide what a plugin meant to say; stdout
            // is kept like stderr but only stderr is shown.
            .stdout(MemoryOutputPipe::new(limits.stderr_bytes))
            .stderr(stderr.clone())
            .wall_clock(FixedClock)
            .monotonic_clock(FixedClock)
            .secure_random(Deterministic::new(vec![0x5a, 0x17, 0xc3, 0x8e]))
            .insecure_random(Deterministic::new(vec![0x2b, 0x90, 0x64, 0xd1]))
            .insecure_random_seed(0x5eed)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let sandbox = Sandbox {
            wasi,
            table: ResourceTable::new(),
            memory: MemoryCap {
                limit: limits.memory_bytes,
                hit: false,
            },
        };
        let mut store = Store::new(engine, sandbox);
        store.limiter(|sandbox| &mut sandbox.memory);
        store.set_fuel(limits.fuel)?;
        Ok(CallStore { store, stderr })
    }

    pub(crate) fn hit_memory_cap(&self) -> bool {
        self.store.data().memory.hit
    }

    pub(crate) fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents())
            .trim_end()
            .to_string()
    }
}

/// The memory cap. Records that it was hit so the error can say so instead of showing a
/// generic trap.
struct MemoryCap {
    limit: usize,
    hit: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.hit = true;
            wasmtime::bail!("memory limit of {} bytes reached", self.limit);
        }
        Ok(maximum.is_none_or(|max| desired <= max))
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000 && maximum.is_none_or(|max| desired <= max))
    }

    fn instances(&self) -> usize {
        100
    }

    fn tables(&self) -> usize {
        100
    }

    fn memories(&self) -> usize {
        100
    }
}

/// Clocks that always read the same time, so nothing a plugin does depends on when it runs.
struct FixedClock;

impl HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        // 2000-01-01T00:00:00Z: obviously not "now", and stable.
        Duration::from_secs(946_684_800)
    }
}

impl HostMonotonicClock for FixedClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        0
    }
}
