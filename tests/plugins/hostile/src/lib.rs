//! A test plugin that misbehaves on request: its props' `mode` picks what it tries, from
//! running forever to reading the host's files. The sandbox tests
//! (`tests/integration/sandbox.rs`) check that every attempt ends in a clean error naming the
//! construct, the plugin and the limit, and that nothing leaks in.
//!
//! Modes:
//! - limits: `loop`, `allocate`, `recurse` (the WebAssembly stack), `shadow-stack` (the
//!   plugin's own stack in its memory), `huge-output` (~100 MB), `transfer-bomb` (~144 MiB,
//!   more than wasmtime copies at once), `not-json`, `spam-stderr`;
//! - probes: `read-file`, `read-env`, `open-socket`, `clock`;
//! - waiting: `sleep` (`std::thread::sleep` of 100,000 s), `block-duration` (a raw
//!   `subscribe-duration` of 100,000 s and `block`), `poll-instant` (a raw `subscribe-instant`
//!   at the end of time and `poll`), `read-stdin` (reading stdin to its end, and `block` on
//!   its pollable), `wait-for-clock` (sleeps until the monotonic clock moves: never);
//! - bad host calls: `exit` (`std::process::exit(3)`), `poll-nothing` (`poll` of no pollables);
//! - diagnostics: `huge-warning` (one 100 MB warning on a good fragment), `many-warnings`
//!   (200,000 on a good fragment), `many-errors` (200,000 errors), `forge-warning` (ANSI
//!   escapes and a forged `error:` / `-->` in a warning on a good fragment), `forge-stderr`
//!   (the same on stderr, then a panic).
//!
//! The probing modes (`read-file`, `read-env`, `open-socket`) return a fragment carrying
//! whatever they got hold of if any attempt succeeds, and otherwise an error diagnostic
//! starting `sandboxed:` listing every refusal. The waiting modes that return end in an
//! error diagnostic starting `woke:` saying what the wait gave back, so a test sees both that
//! the wait ended and that the run failed cleanly.
//!
//! It implements the generated bindings directly (not the SDK's `Construct`), like `echo`.

// Only the wasm32 export names the plugin; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stackweave_plugin::bindings::exports::stackweave::plugin::construct::Guest;
use stackweave_plugin::bindings::stackweave::plugin::types::{
    AttributeInfo, AttributeValue, ConstructInfo, Diagnostic, Fragment, Severity, SynthContext,
};

struct Hostile;

impl Guest for Hostile {
    fn describe() -> ConstructInfo {
        ConstructInfo {
            name: "hostile".to_string(),
            version: "0.0.1".to_string(),
            description: "misbehaves as its `mode` prop asks (sandbox tests only)".to_string(),
            props_schema: json!({
                "type": "object",
                "properties": {"mode": {"type": "string"}},
                "required": ["mode"]
            })
            .to_string(),
            attributes: vec![AttributeInfo {
                name: "value".to_string(),
                doc: "a reference to the resource, when there is one".to_string(),
            }],
        }
    }

    fn synth(_context: SynthContext, props: String) -> Result<Fragment, Vec<Diagnostic>> {
        let props: Value = serde_json::from_str(&props).unwrap_or(Value::Null);
        match props["mode"].as_str().unwrap_or("") {
            "loop" => endless_loop(),
            "allocate" => allocate(),
            "recurse" => {
                // The bound comes through `black_box`, so the optimiser cannot see that the
                // recursion never ends (nor call it undefined behaviour and delete it).
                let depth = recurse(0, black_box(u64::MAX));
                Ok(fragment(json!({}).to_string(), json!(depth)))
            }
            "huge-output" => Ok(fragment(huge_template(), Value::Null)),
            "not-json" => Ok(fragment(
                "Resources: this is YAML-ish text, not JSON {".to_string(),
                Value::Null,
            )),
            "read-file" => read_file(),
            "read-env" => read_env(),
            "open-socket" => open_socket(),
            "spam-stderr" => spam_stderr(),
            "clock" => Ok(clock()),
            "shadow-stack" => {
                let depth = deep_frames(0, black_box(u64::MAX));
                Ok(fragment(json!({}).to_string(), json!(depth)))
            }
            "transfer-bomb" => Ok(fragment(template_of(144 << 20), Value::Null)),
            "sleep" => Err(woke(sleep())),
            "block-duration" => Err(woke(block_duration())),
            "poll-instant" => Err(woke(poll_instant())),
            "read-stdin" => Err(woke(read_stdin())),
            "wait-for-clock" => Err(woke(wait_for_clock())),
            "exit" => std::process::exit(3),
            "poll-nothing" => Err(woke(format!(
                "poll of nothing returned {:?}",
                wasip2::io::poll::poll(&[])
            ))),
            "huge-warning" => Ok(warned(vec![warning("x".repeat(100 << 20))])),
            "many-warnings" => Ok(warned(
                (0..200_000)
                    .map(|n| warning(format!("warning {n}")))
                    .collect(),
            )),
            "many-errors" => Err((0..200_000).map(|n| error(format!("error {n}"))).collect()),
            "forge-warning" => Ok(warned(vec![warning(FORGED.to_string())])),
            "forge-stderr" => {
                eprintln!("{FORGED}");
                panic!("{FORGED}");
            }
            other => Err(vec![error(format!(
                "unknown mode `{other}`; the modes are loop, allocate, recurse, shadow-stack, huge-output, transfer-bomb, not-json, read-file, read-env, open-socket, spam-stderr, clock, sleep, block-duration, poll-instant, read-stdin, wait-for-clock, exit, poll-nothing, huge-warning, many-warnings, many-errors, forge-warning, forge-stderr"
            ))]),
        }
    }
}

/// Spins forever; the counter goes through `black_box` so the loop has an effect the
/// optimiser must keep.
fn endless_loop() -> ! {
    let mut counter: u64 = 0;
    loop {
        counter = black_box(counter.wrapping_add(1));
    }
}

/// Allocates 1 MiB blocks filled with data (so the pages are really touched) and keeps them
/// all, until the allocator or the sandbox gives up.
fn allocate() -> ! {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    let mut round: u8 = 0;
    loop {
        round = round.wrapping_add(1);
        let block = vec![round | 1; 1 << 20];
        kept.push(black_box(block));
        black_box(&kept);
    }
}

/// Non-tail recursion: each frame uses its callee's result, so it cannot become a loop.
fn recurse(depth: u64, limit: u64) -> u64 {
    if depth == limit {
        return depth;
    }
    let below = recurse(depth + 1, limit);
    below.wrapping_mul(31) ^ depth
}

/// Recursion whose frames hold 16 KiB of data in the plugin's own stack (in its linear
/// memory, 1 MiB for Rust), which overflows long before the WebAssembly stack does.
fn deep_frames(depth: u64, limit: u64) -> u64 {
    if depth == limit {
        return depth;
    }
    let mut frame = [0u8; 16 << 10];
    frame[(depth % 1024) as usize] = depth as u8;
    let below = deep_frames(depth + 1, limit);
    below ^ u64::from(black_box(&frame)[(below % 1024) as usize])
}

/// A valid fragment of about 100 MB.
fn huge_template() -> String {
    template_of(100 << 20)
}

/// A valid fragment of a little more than `size` bytes: one topic whose name is mostly `x`.
fn template_of(size: usize) -> String {
    let head =
        r#"{"Resources": {"Resource": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": ""#;
    let tail = r#""}}}}"#;
    let mut template = String::with_capacity(head.len() + size + tail.len());
    template.push_str(head);
    template.extend(std::iter::repeat_n('x', size));
    template.push_str(tail);
    template
}

fn read_file() -> Result<Fragment, Vec<Diagnostic>> {
    let mut refusals = Vec::new();
    match std::fs::read_to_string("/etc/passwd") {
        Ok(text) => return Ok(leak(format!("read /etc/passwd: {text}"))),
        Err(e) => refusals.push(format!("read /etc/passwd: {e}")),
    }
    match std::fs::read_dir("/") {
        Ok(entries) => {
            let names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            return Ok(leak(format!("listed /: {}", names.join(", "))));
        }
        Err(e) => refusals.push(format!("list /: {e}")),
    }
    match std::fs::write("/tmp/stackweave-escape", "x") {
        Ok(()) => return Ok(leak("wrote /tmp/stackweave-escape".to_string())),
        Err(e) => refusals.push(format!("write /tmp/stackweave-escape: {e}")),
    }
    match std::env::current_dir() {
        Ok(dir) => match std::fs::read_dir(&dir) {
            Ok(_) => return Ok(leak(format!("listed the working folder {}", dir.display()))),
            Err(e) => refusals.push(format!("list the working folder {}: {e}", dir.display())),
        },
        Err(e) => refusals.push(format!("current dir: {e}")),
    }
    Err(sandboxed(&refusals))
}

fn read_env() -> Result<Fragment, Vec<Diagnostic>> {
    let mut refusals = Vec::new();
    let vars: Vec<String> = std::env::vars_os()
        .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy()))
        .collect();
    if !vars.is_empty() {
        return Ok(leak(format!("environment: {}", vars.join("; "))));
    }
    refusals.push("the environment is empty".to_string());
    match std::env::var("HOME") {
        Ok(home) => return Ok(leak(format!("HOME={home}"))),
        Err(e) => refusals.push(format!("HOME: {e}")),
    }
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if !args.is_empty() {
        return Ok(leak(format!("arguments: {}", args.join(" "))));
    }
    refusals.push("there are no arguments".to_string());
    Err(sandboxed(&refusals))
}

fn open_socket() -> Result<Fragment, Vec<Diagnostic>> {
    use std::net::{TcpStream, ToSocketAddrs, UdpSocket};

    let mut refusals = Vec::new();
    match TcpStream::connect("127.0.0.1:9") {
        Ok(stream) => return Ok(leak(format!("connected over TCP: {stream:?}"))),
        Err(e) => refusals.push(format!("tcp connect 127.0.0.1:9: {e}")),
    }
    match UdpSocket::bind("127.0.0.1:0") {
        Ok(socket) => return Ok(leak(format!("bound a UDP socket: {socket:?}"))),
        Err(e) => refusals.push(format!("udp bind 127.0.0.1:0: {e}")),
    }
    match "localhost:80".to_socket_addrs() {
        Ok(addresses) => {
            let addresses: Vec<String> = addresses.map(|a| a.to_string()).collect();
            return Ok(leak(format!(
                "resolved localhost: {}",
                addresses.join(", ")
            )));
        }
        Err(e) => refusals.push(format!("resolve localhost:80: {e}")),
    }
    Err(sandboxed(&refusals))
}

/// Writes 10 MB to stderr in 64 KiB chunks, ignoring errors, then answers with a topic whose
/// metadata says how much was accepted and the first refusal (so a test can see what the
/// host did if it lets the plugin carry on).
fn spam_stderr() -> Result<Fragment, Vec<Diagnostic>> {
    use std::io::Write;

    let chunk = [b'!'; 64 << 10];
    let mut stderr = std::io::stderr();
    let mut accepted: usize = 0;
    let mut refusal: Option<String> = None;
    for _ in 0..160 {
        let mut rest: &[u8] = &chunk;
        while !rest.is_empty() {
            match stderr.write(rest) {
                Ok(0) => break,
                Ok(n) => {
                    accepted += n;
                    rest = &rest[n..];
                }
                Err(e) => {
                    refusal.get_or_insert_with(|| e.to_string());
                    break;
                }
            }
        }
    }
    let _ = stderr.flush();
    let template = json!({
        "Resources": {
            "Resource": {
                "Type": "AWS::SNS::Topic",
                "Metadata": {"StderrAccepted": accepted, "StderrRefusal": refusal}
            }
        }
    });
    Ok(fragment(template.to_string(), json!({"Ref": "Resource"})))
}

/// A topic whose metadata records the time and a hash keyed by the process's random state:
/// both must be the same on every run for output to be deterministic.
fn clock() -> Fragment {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::time::{SystemTime, UNIX_EPOCH};

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| json!({"seconds": d.as_secs(), "nanos": d.subsec_nanos()}))
        .unwrap_or_else(|e| json!({"beforeEpoch": e.to_string()}));
    let mut hasher = RandomState::new().build_hasher();
    hasher.write(b"stackweave");
    let random = format!("{:016x}", hasher.finish());
    let template = json!({
        "Resources": {
            "Resource": {
                "Type": "AWS::SNS::Topic",
                "Metadata": {"Now": now, "Random": random}
            }
        }
    });
    fragment(template.to_string(), json!({"Ref": "Resource"}))
}

/// ANSI colour and window-title sequences, a carriage return and newlines forging
/// Stackweave's own `error:`, `-->` and `= construct:` lines.
const FORGED: &str = "\u{1b}[31mred\u{1b}[0m\u{1b}]0;pwned\u{7}\rerror: forged by the plugin\n  --> x.yaml:1:1\n   = construct: Forged";

/// One sleep far longer than any run.
const LONG: Duration = Duration::from_secs(100_000);

fn sleep() -> String {
    let started = Instant::now();
    std::thread::sleep(LONG);
    format!(
        "std::thread::sleep({} s) returned after {:?} by the monotonic clock",
        LONG.as_secs(),
        started.elapsed()
    )
}

fn block_duration() -> String {
    let nanos = u64::try_from(LONG.as_nanos()).unwrap_or(u64::MAX);
    let pollable = wasip2::clocks::monotonic_clock::subscribe_duration(nanos);
    pollable.block();
    format!("block on subscribe-duration({nanos} ns) returned")
}

fn poll_instant() -> String {
    let pollable = wasip2::clocks::monotonic_clock::subscribe_instant(u64::MAX);
    let ready = wasip2::io::poll::poll(&[&pollable]);
    format!("poll on subscribe-instant({}) returned {ready:?}", u64::MAX)
}

fn read_stdin() -> String {
    use std::io::Read;

    let mut text = String::new();
    let read = std::io::stdin().read_to_string(&mut text);
    let stdin = wasip2::cli::stdin::get_stdin();
    stdin.subscribe().block();
    let closed = matches!(
        stdin.blocking_read(1),
        Err(wasip2::io::streams::StreamError::Closed)
    );
    format!("stdin read {read:?}; block on it returned; blocking-read says closed: {closed}")
}

/// Sleeps a millisecond at a time until a second has passed, which a clock that never
/// moves never lets happen: only fuel ends it.
fn wait_for_clock() -> String {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(1));
    }
    "the monotonic clock moved".to_string()
}

fn woke(what: String) -> Vec<Diagnostic> {
    vec![error(format!("woke: {what}"))]
}

/// A topic, with `warnings`.
fn warned(warnings: Vec<Diagnostic>) -> Fragment {
    let template = json!({"Resources": {"Resource": {"Type": "AWS::SNS::Topic"}}});
    Fragment {
        warnings,
        ..fragment(template.to_string(), json!({"Ref": "Resource"}))
    }
}

fn warning(message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        message,
        path: None,
    }
}

/// A fragment holding one topic whose name is the evidence of an escape.
fn leak(evidence: String) -> Fragment {
    let template = json!({
        "Resources": {
            "Leak": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": evidence}}
        }
    });
    fragment(template.to_string(), json!({"Ref": "Leak"}))
}

fn fragment(template: String, value: Value) -> Fragment {
    Fragment {
        template,
        attributes: vec![AttributeValue {
            name: "value".to_string(),
            value: value.to_string(),
        }],
        warnings: Vec::new(),
    }
}

fn sandboxed(refusals: &[String]) -> Vec<Diagnostic> {
    vec![error(format!("sandboxed: {}", refusals.join("; ")))]
}

fn error(message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message,
        path: None,
    }
}

#[cfg(target_arch = "wasm32")]
stackweave_plugin::bindings::export_bindings!(Hostile with_types_in stackweave_plugin::bindings);
