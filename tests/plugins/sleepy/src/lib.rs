//! A test plugin whose `describe` sleeps 100,000 s three ways (`std::thread::sleep`, a raw
//! `subscribe-duration` and `block`, a raw `subscribe-instant` at the end of time and `poll`)
//! and then describes itself with terminal escapes and forged Stackweave lines. `describe`
//! takes no props, so the `hostile` plugin's modes cannot reach it, yet every command that
//! loads plugins calls it, `stackweave plugins` and `stackweave lock` included, which have
//! no timeout flag: the sandbox tests (`tests/integration/sandbox.rs`) check that they
//! return at once and show the description escaped.
//!
//! It implements the generated bindings directly (not the SDK's `Construct`), like `echo`.

// Only the wasm32 export names the plugin; native builds (clippy) see it all unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::time::{Duration, Instant};

use serde_json::json;
use stackweave_plugin::bindings::exports::stackweave::plugin::construct::Guest;
use stackweave_plugin::bindings::stackweave::plugin::types::{
    ConstructInfo, Diagnostic, Fragment, SynthContext,
};

/// ANSI colour and window-title sequences, a carriage return and newlines forging
/// Stackweave's own `error:` and `-->` lines, and a tab forging a column of
/// `stackweave plugins`.
const FORGED: &str = "\u{1b}[31mred\u{1b}[0m\u{1b}]0;pwned\u{7}\rerror: forged by the plugin\n  --> x.yaml:1:1\tforged-column";

struct Sleepy;

impl Guest for Sleepy {
    fn describe() -> ConstructInfo {
        let started = Instant::now();
        let long = Duration::from_secs(100_000);
        std::thread::sleep(long);
        let nanos = u64::try_from(long.as_nanos()).unwrap_or(u64::MAX);
        wasip2::clocks::monotonic_clock::subscribe_duration(nanos).block();
        let far = wasip2::clocks::monotonic_clock::subscribe_instant(u64::MAX);
        let ready = wasip2::io::poll::poll(&[&far]);
        ConstructInfo {
            name: "sleepy".to_string(),
            version: "0.0.1".to_string(),
            description: format!(
                "slept 100000 s three ways in {:?} (poll: {ready:?}); {FORGED}",
                started.elapsed()
            ),
            props_schema: json!({"type": "object"}).to_string(),
            attributes: Vec::new(),
        }
    }

    fn synth(_context: SynthContext, _props: String) -> Result<Fragment, Vec<Diagnostic>> {
        Ok(Fragment {
            template: json!({}).to_string(),
            attributes: Vec::new(),
            warnings: Vec::new(),
        })
    }
}

#[cfg(target_arch = "wasm32")]
stackweave_plugin::bindings::export_bindings!(Sleepy with_types_in stackweave_plugin::bindings);
