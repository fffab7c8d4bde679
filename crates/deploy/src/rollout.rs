//! The pure half of deploying (stack events and statuses, capabilities, approval, the plan,
//! progress and the failure report) lives in `stackweave-rollout`, which needs no AWS SDK;
//! this crate and the CLI reach it through this one path.

pub use stackweave_rollout::*;
