//! Retry and Catch: which retrier or catcher handles an error, and how long a retry waits on
//! the virtual clock.
//!
//! Per the spec, the first retrier whose `ErrorEquals` matches decides alone: when its
//! attempts are used up the error goes to the catchers, never to a later retrier. The wait
//! before retry n (0-based) is `IntervalSeconds * BackoffRate^n`, capped by
//! `MaxDelaySeconds`, and with `JitterStrategy: FULL` a deterministic random fraction of that.

use crate::definition::{Catcher, Retrier};
use crate::errors::Failure;
use crate::random::Rng;
use crate::time::NANOS_PER_SECOND;

/// What to do about a failure.
pub(crate) enum Decision<'a> {
    /// Wait this long (nanoseconds), then run the state again.
    Retry { delay: i128 },
    /// Hand the error to this catcher.
    Catch(&'a Catcher),
    /// Nothing handles it: the state fails.
    Propagate,
}

/// Attempt counters of one state entry, one per retrier.
pub(crate) struct Attempts {
    counts: Vec<u64>,
}

impl Attempts {
    pub(crate) fn new(retriers: &[Retrier]) -> Attempts {
        Attempts {
            counts: vec![0; retriers.len()],
        }
    }

    /// How many retries have happened, for `$$.State.RetryCount`.
    pub(crate) fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub(crate) fn decide<'a>(
        &mut self,
        failure: &Failure,
        retriers: &[Retrier],
        catchers: &'a [Catcher],
        rng: &mut Rng,
    ) -> Decision<'a> {
        let matched = retriers
            .iter()
            .position(|r| r.error_equals.iter().any(|e| failure.matches(e)));
        if let Some(i) = matched {
            let retrier = &retriers[i];
            let count = self.counts[i];
            if count < retrier.max_attempts {
                self.counts[i] += 1;
                let exponent = i32::try_from(count).unwrap_or(i32::MAX);
                let mut seconds = retrier.interval_seconds * retrier.backoff_rate.powi(exponent);
                if let Some(max) = retrier.max_delay_seconds {
                    seconds = seconds.min(max);
                }
                if retrier.full_jitter {
                    seconds *= rng.next_f64();
                }
                // Bounded: a huge backoff only pushes the clock past the timeout.
                let seconds = seconds.clamp(0.0, 1.0e12);
                let delay = (seconds * NANOS_PER_SECOND as f64) as i128;
                return Decision::Retry { delay };
            }
        }
        match catchers
            .iter()
            .find(|c| c.error_equals.iter().any(|e| failure.matches(e)))
        {
            Some(c) => Decision::Catch(c),
            None => Decision::Propagate,
        }
    }
}
