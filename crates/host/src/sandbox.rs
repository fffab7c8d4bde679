//! The sandbox every plugin call runs in: one engine per process, a fresh store per call,
//! WASI with nothing granted, and a budget on fuel, memory and output.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, OptLevel, ResourceLimiter, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::random::Deterministic;
use wasmtime_wasi::{
    HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};

use crate::bindings::v0_1::stackweave::plugin::types as wit;
use crate::bindings::v0_2;
use crate::cache::CompileCache;
use crate::error::LoadError;
use crate::plugin::{Composer, Diagnostic, Severity};
use crate::text;

/// What one plugin call may use. Every store gets all of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel for one call (roughly one unit per WebAssembly instruction). Deterministic: a
    /// plugin that fits on a laptop fits on a slow CI machine.
    pub fuel: u64,
    /// Wall-clock backstop for one call, for time fuel does not count (host calls, a
    /// pathological slow path). Checked every [`EPOCH_TICK`].
    pub timeout: Duration,
    /// Bytes of linear memory, all the memories of one call's store together.
    pub memory_bytes: usize,
    /// Bytes of the fragment a `synth` call may return.
    pub output_bytes: usize,
    /// Bytes of stderr (and, separately, stdout) kept; a plugin that writes more fails.
    pub stderr_bytes: usize,
    /// Diagnostics (errors and warnings) of one `synth` call that are kept; the rest are
    /// counted in a last one saying how many were left out.
    pub diagnostics: usize,
    /// Bytes of one piece of text a plugin gives people to read: a diagnostic's message, a
    /// validator finding's message, a `describe` field. Longer text is cut, with a note.
    pub text_bytes: usize,
    /// Findings one `validate` call may report; a validator reporting more fails, since
    /// leaving findings out would show a template cleaner than it is.
    pub findings: usize,
    /// Bytes of WebAssembly stack one call may use. Calls run on a thread whose native stack
    /// is [`CALL_THREAD_STACK`], far larger, so running out is a trap, never an abort.
    pub wasm_stack_bytes: usize,
    /// Bytes of a component file; larger files are refused before compiling.
    pub component_bytes: usize,
    /// How long compiling one component may take.
    pub compile_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 10_000_000_000,
            timeout: Duration::from_secs(10),
            memory_bytes: 256 << 20,
            output_bytes: 16 << 20,
            stderr_bytes: 64 << 10,
            diagnostics: 100,
            text_bytes: 4 << 10,
            findings: 1000,
            wasm_stack_bytes: 1 << 20,
            component_bytes: 128 << 20,
            compile_timeout: Duration::from_secs(60),
        }
    }
}

/// How often the epoch advances: the granularity of [`Limits::timeout`].
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Native stack of the thread every plugin call runs on.
pub const CALL_THREAD_STACK: usize = 16 << 20;

/// How many instances, tables and memories one store may create. A Rust component needs a
/// handful (its own module plus WASI adapter shims); a Python one a few more.
const MAX_INSTANCES: usize = 32;
const MAX_TABLES: usize = 32;
const MAX_MEMORIES: usize = 8;
/// Elements of one table.
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// Bytes wasmtime copies out of a plugin in one transfer (an answer, or the arguments of
/// one host call): its default hostcall fuel, set here so that the message naming it
/// cannot drift from it. Far above every output limit, so those limits, which measure what
/// came back, are what a plugin normally meets.
pub(crate) const MAX_TRANSFER_BYTES: usize = 128 << 20;

/// One wasmtime engine and linker, shared by every plugin of a run, the thread that
/// advances the engine's epoch for wall-clock deadlines, and the compiled-plugin cache.
pub struct Runtime {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<Sandbox>,
    pub(crate) limits: Limits,
    pub(crate) cache: Option<CompileCache>,
    ticker: Ticker,
}

impl Runtime {
    /// Builds the engine with fuel and epoch interruption, and links WASI (capabilities come
    /// per store).
    pub fn new(limits: Limits) -> Result<Self, LoadError> {
        let mut config = Config::new();
        config.consume_fuel(true);
        config.epoch_interruption(true);
        config.max_wasm_stack(limits.wasm_stack_bytes);
        // A plugin call takes microseconds to milliseconds, while compiling the plugins is
        // most of a run without a warm cache: Cranelift's optimisations cost a quarter of
        // compile time and saved nothing measurable on a 1,000-construct stack
        // (docs/performance.md).
        config.cranelift_opt_level(OptLevel::None);
        // Address maps serve WebAssembly backtraces, which no message shows; without them
        // compiled plugins are a tenth smaller, so cache entries load faster.
        config.generate_address_map(false);
        // Nor does any message show a backtrace: a failed host call (`exit`, an invalid
        // `poll`) would otherwise carry one, and its text would reach the user.
        config.wasm_backtrace_max_frames(None);
        let engine = Engine::new(&config).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        crate::waiting::link(&mut linker).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        // Contract 0.2's imports; plugins built against 0.1 import none of them.
        v0_2::ConstructPlugin::add_to_linker::<Sandbox, HasSelf<Sandbox>>(&mut linker, |s| s)
            .map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let ticker = Ticker::start(engine.clone());
        Ok(Runtime {
            engine,
            linker,
            limits,
            cache: None,
            ticker,
        })
    }

    /// Keeps compiled plugins in `cache`, and takes them from there.
    pub fn with_cache(mut self, cache: CompileCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The limits every call gets.
    pub fn limits(&self) -> Limits {
        self.limits
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker.stop();
    }
}

thread_local! {
    /// Whether this thread's native stack is [`CALL_THREAD_STACK`].
    static ON_CALL_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Spawns a scoped thread with a [`CALL_THREAD_STACK`] native stack that runs `work`.
/// Plugin calls made on it run directly instead of starting a thread each, which is what
/// a caller making many calls (one worker per core) wants.
pub fn spawn_call_thread<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .name("stackweave-plugin".into())
        .stack_size(CALL_THREAD_STACK)
        .spawn_scoped(scope, move || {
            ON_CALL_THREAD.with(|on| on.set(true));
            work()
        })
}

pub(crate) fn on_call_thread() -> bool {
    ON_CALL_THREAD.with(Cell::get)
}

/// Runs `work` on a new call thread and waits for it; the error says why it could not.
pub(crate) fn run_on_call_thread<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        spawn_call_thread(scope, work)
            .map_err(|e| format!("cannot start a thread for the plugin call: {e}"))?
            .join()
            .map_err(|_| "the plugin call's thread panicked (a bug in stackweave)".to_string())
    })
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until stopped.
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Ticker {
    fn start(engine: Engine) -> Ticker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        // If the thread cannot be spawned, deadlines never fire; fuel still bounds every call.
        let _ = std::thread::Builder::new()
            .name("stackweave-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            });
        Ticker { stop }
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Per-store state: the WASI context (granting nothing), the memory cap, the call's
/// wall-clock deadline, and who answers requests for child constructs.
pub(crate) struct Sandbox {
    wasi: WasiCtx,
    table: ResourceTable,
    memory: MemoryCap,
    /// When the call's wall-clock limit runs out; the epoch deadline says the same to
    /// running WebAssembly, this says it to host calls that wait (`waiting`).
    deadline: Instant,
    /// [`Limits::text_bytes`], for what the plugin passes to `add-child`.
    text_bytes: usize,
    composer: Option<Arc<dyn Composer>>,
}

impl Sandbox {
    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl v0_2::stackweave::plugin::composition::Host for Sandbox {
    fn add_child(
        &mut self,
        plugin: String,
        id: String,
        props: String,
    ) -> Result<Vec<wit::AttributeValue>, Vec<wit::Diagnostic>> {
        let Some(composer) = &self.composer else {
            return Err(vec![
                Diagnostic {
                    severity: Severity::Error,
                    message: "child constructs can only be added during `synth`".into(),
                    path: None,
                }
                .into(),
            ]);
        };
        // The plugin's names reach messages about the child (an unknown plugin, a bad id);
        // props are JSON, checked against the child's schema.
        let plugin = text::line(&plugin, self.text_bytes);
        let id = text::line(&id, self.text_bytes);
        match composer.add_child(&plugin, &id, &props) {
            Ok(attributes) => Ok(attributes
                .into_iter()
                .map(|(name, value)| wit::AttributeValue { name, value })
                .collect()),
            Err(diagnostics) => Err(diagnostics.into_iter().map(Into::into).collect()),
        }
    }
}

impl wit::Host for Sandbox {}

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
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    output_cap: usize,
}

impl CallStore {
    pub(crate) fn new(
        engine: &Engine,
        limits: &Limits,
        composer: Option<Arc<dyn Composer>>,
    ) -> Result<Self, wasmtime::Error> {
        // Both are captured, never inherited: the user's stdout carries the template. Only
        // stderr is shown, when the plugin fails.
        let stdout = MemoryOutputPipe::new(limits.stderr_bytes);
        let stderr = MemoryOutputPipe::new(limits.stderr_bytes);
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
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
                used: 0,
                hit: false,
            },
            deadline: Instant::now() + limits.timeout,
            text_bytes: limits.text_bytes,
            composer,
        };
        let mut store = Store::new(engine, sandbox);
        store.limiter(|sandbox| &mut sandbox.memory);
        store.set_fuel(limits.fuel)?;
        store.set_hostcall_fuel(MAX_TRANSFER_BYTES);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(ticks(limits.timeout));
        Ok(CallStore {
            store,
            stdout,
            stderr,
            output_cap: limits.stderr_bytes,
        })
    }

    /// Whether the plugin filled stdout or stderr. A full pipe reports "closed" to the
    /// plugin, which Rust's standard library then ignores, so the call can succeed even
    /// though the plugin tried to write more than the cap.
    pub(crate) fn filled_an_output(&self) -> bool {
        self.stdout.contents().len() >= self.output_cap
            || self.stderr.contents().len() >= self.output_cap
    }

    pub(crate) fn hit_memory_cap(&self) -> bool {
        self.store.data().memory.hit
    }

    /// The end of what the plugin wrote to stderr, for error messages: a panic message is
    /// the last thing written, and a screenful is all a person reads. Control characters
    /// are escaped (`text::lines`).
    pub(crate) fn stderr_text(&self) -> String {
        const SHOWN: usize = 4 << 10;
        let contents = self.stderr.contents();
        // At most `stderr_bytes` to escape; escaping first keeps what is shown a screenful.
        let text = text::lines(String::from_utf8_lossy(&contents).trim_end());
        match text.char_indices().rev().nth(SHOWN) {
            Some((cut, _)) => format!("[... {cut} earlier bytes not shown]\n{}", &text[cut..]),
            None => text,
        }
    }
}

/// The memory cap, over all the memories of the store together. Records that it was hit so
/// the error can say so instead of showing a generic trap.
struct MemoryCap {
    limit: usize,
    /// Bytes of all memories so far; memories only grow.
    used: usize,
    hit: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let used = self.used.saturating_add(desired.saturating_sub(current));
        if used > self.limit {
            self.hit = true;
            wasmtime::bail!("memory limit of {} bytes reached", self.limit);
        }
        let allowed = maximum.is_none_or(|max| desired <= max);
        if allowed {
            self.used = used;
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS && maximum.is_none_or(|max| desired <= max))
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

/// Epoch ticks in `timeout`, at least one.
fn ticks(timeout: Duration) -> u64 {
    u64::try_from(timeout.as_millis() / EPOCH_TICK.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
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
