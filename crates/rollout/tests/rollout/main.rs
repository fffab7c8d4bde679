//! The rollout crate's one test binary: every path runs on responses recorded in the shape
//! the CloudFormation API documents (`tests/fixtures/`), because the local CloudFormation
//! the deploy crate's tests use (moto) emits no per-resource events and never rolls back.

mod approval;
mod capabilities;
mod events;
mod failure;
mod plan;
mod progress;

use serde_json::Value;
use stackweave_rollout::{StackEvent, events_from_json};

/// A recorded response from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The events of a recorded DescribeStackEvents response, newest first as the API returns
/// them.
pub fn recorded_events(name: &str) -> Vec<StackEvent> {
    events_from_json(&fixture(name))
}

/// `events` in an order neither newest nor oldest first, the same every run: what several
/// pages fetched out of order could look like.
pub fn shuffled(events: &[StackEvent]) -> Vec<StackEvent> {
    let mut out = events.to_vec();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..out.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.swap(i, (state % (i as u64 + 1)) as usize);
    }
    out
}
