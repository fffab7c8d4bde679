//! A test plugin that misbehaves on request: its props' `mode` picks what it tries, from
//! running forever to reading the host's files. The sandbox tests
//! (`tests/integration/sandbox.rs`) check that every attempt ends in a clean error naming the
//! construct, the plugin and the limit, and that nothing leaks in.
//!
//! Modes: `loop`, `allocate`, `recurse`, `huge-output`, `not-json`, `read-file`, `read-env`,
//! `open-socket`, `spam-stderr`, `clock`. The probing modes (`read-file`, `read-env`,
//! `open-socket`) return a fragment carrying whatever they got hold of if any attempt
//! succeeds, and otherwise an error diagnostic starting `sandboxed:` listing every refusal.
//!
//! It implements the generated bindings directly (not the SDK's `Construct`), like `echo`.

// Only the wasm32 export names the plugin; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::hint::black_box;

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
            other => Err(vec![error(format!(
                "unknown mode `{other}`; the modes are loop, allocate, recurse, huge-output, not-json, read-file, read-env, open-socket, spam-stderr, clock"
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

/// A valid fragment of about 100 MB: one topic whose description is mostly `x`.
fn huge_template() -> String {
    const SIZE: usize = 100 << 20;
    let head =
        r#"{"Resources": {"Resource": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": ""#;
    let tail = r#""}}}}"#;
    let mut template = String::with_capacity(head.len() + SIZE + tail.len());
    template.push_str(head);
    template.extend(std::iter::repeat_n('x', SIZE));
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
