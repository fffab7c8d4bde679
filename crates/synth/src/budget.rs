//! The budget of one synthesis as a whole. Every plugin call has limits of its own (the
//! host's), but a construct can create children, each a call with limits of its own, so a
//! tree of constructs could multiply them without end: a parent fanning out to children of
//! 16 MB fragments once drove the host to 5.5 GB and far past its deadline. These bounds
//! hold for all calls of a run together, children included, and each is checked before the
//! work it bounds: the time left before a call starts (and a call never gets more), the
//! children before a child starts, the fragment bytes before a fragment is parsed, the
//! resources while it is parsed.
//!
//! Constructs run on several threads at once and draw on one budget, so when independent
//! constructs exceed it together, which of them is named can depend on timing; `--jobs 1`
//! names the same one every time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use stackweave_host::{CallError, Limits, SynthContext, SynthOutcome};

use crate::problem::Problem;
use crate::registry::LoadedPlugin;

/// The budget of one synthesis: every plugin call together, child constructs included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Bytes of fragments (template text, attribute names and values) all calls together
    /// may return.
    pub fragment_bytes: usize,
    /// Child constructs all constructs together may create.
    pub children: usize,
    /// Wall-clock time from the first plugin call of the synthesis to the last.
    pub timeout: Duration,
    /// Warnings shown, all constructs together; the rest are counted, not kept.
    pub warnings: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            fragment_bytes: 64 << 20,
            children: 1_000,
            timeout: Duration::from_secs(120),
            warnings: 1_000,
        }
    }
}

/// Which part of the budget ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exceeded {
    FragmentBytes,
    Children,
    Time,
    /// The template quota `limits.resources` (the stack file's, or CloudFormation's).
    Resources {
        limit: usize,
        default: usize,
    },
}

impl Exceeded {
    /// What ran out, and the flag (or setting) that raises it.
    pub(crate) fn message(self, budget: &Budget) -> String {
        match self {
            Exceeded::FragmentBytes => format!(
                "the plugin calls of this synthesis returned more than {} MiB of fragments together (child constructs included); raise the budget with `--total-output MIB` if the stack is legitimate",
                budget.fragment_bytes >> 20
            ),
            Exceeded::Children => format!(
                "the constructs of this synthesis created more than {} child constructs together; raise the budget with `--total-children N` if the stack is legitimate",
                budget.children
            ),
            Exceeded::Time => format!(
                "the synthesis ran longer than its {} s of wall-clock time (all plugin calls together, child constructs included); raise the budget with `--total-timeout SECONDS` if the stack is legitimate",
                budget.timeout.as_secs_f64()
            ),
            Exceeded::Resources { limit, default } => {
                let allowed = if limit == default {
                    format!("CloudFormation allows {limit} per stack")
                } else {
                    format!("the stack file's `limits.resources` allows {limit}")
                };
                format!(
                    "the template has at least {} resources; {allowed} — split the stack, or raise `limits.resources` in the stack file if your account's quota is higher",
                    limit.saturating_add(1)
                )
            }
        }
    }
}

/// What a synthesis has spent so far, shared by every call of the run.
pub(crate) struct Spending {
    pub budget: Budget,
    /// Every call's own limits; a call gets these, its timeout cut to the time left.
    limits: Limits,
    max_resources: usize,
    default_resources: usize,
    deadline: Option<Instant>,
    fragment_bytes: AtomicUsize,
    resources: AtomicUsize,
    children: AtomicUsize,
}

impl Spending {
    /// Starts the clock.
    pub(crate) fn start(budget: Budget, limits: Limits, max_resources: usize) -> Spending {
        Spending {
            budget,
            limits,
            max_resources,
            default_resources: stackweave_template::Quotas::default().resources,
            deadline: Instant::now().checked_add(budget.timeout),
            fragment_bytes: AtomicUsize::new(0),
            resources: AtomicUsize::new(0),
            children: AtomicUsize::new(0),
        }
    }

    /// Runs one plugin call (a construct's or a child's) with the time left, at most the
    /// call's own timeout; a call cut short by the synthesis' deadline says so.
    pub(crate) fn synth(
        &self,
        plugin: &LoadedPlugin,
        context: &SynthContext,
        props: &str,
        composer: std::sync::Arc<dyn stackweave_host::Composer>,
    ) -> Result<SynthOutcome, Problem> {
        let left = self.time_left().map_err(|e| self.problem(e))?;
        let cut = left < self.limits.timeout;
        let limits = Limits {
            timeout: left.min(self.limits.timeout),
            ..self.limits
        };
        plugin
            .plugin
            .synth_with(context, props, Some(composer), &limits)
            .map_err(|error| match error {
                CallError::TimedOut { .. } if cut => self.problem(Exceeded::Time),
                other => Problem::Call(format!("plugin {other}")),
            })
    }

    /// The time left before the deadline, if any is.
    fn time_left(&self) -> Result<Duration, Exceeded> {
        let Some(deadline) = self.deadline else {
            return Ok(Duration::MAX);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(Exceeded::Time)
        } else {
            Ok(left)
        }
    }

    /// Whether a child may start: one more child is within the budget (and is counted),
    /// time is left, and the fragments so far have not used up their bytes.
    pub(crate) fn start_child(&self) -> Result<(), Exceeded> {
        if self.children.fetch_add(1, Ordering::Relaxed) >= self.budget.children {
            return Err(Exceeded::Children);
        }
        if self.fragment_bytes.load(Ordering::Relaxed) >= self.budget.fragment_bytes {
            return Err(Exceeded::FragmentBytes);
        }
        self.time_left().map(|_| ())
    }

    /// Counts the bytes of a fragment a call returned, before it is parsed.
    pub(crate) fn spend_fragment_bytes(&self, bytes: usize) -> Result<(), Exceeded> {
        let before = self.fragment_bytes.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.budget.fragment_bytes {
            Err(Exceeded::FragmentBytes)
        } else {
            Ok(())
        }
    }

    /// How many resources a fragment may still have.
    pub(crate) fn resources_left(&self) -> usize {
        self.max_resources
            .saturating_sub(self.resources.load(Ordering::Relaxed))
    }

    /// Counts a parsed fragment's resources.
    pub(crate) fn spend_resources(&self, count: usize) {
        self.resources.fetch_add(count, Ordering::Relaxed);
    }

    /// The resource quota, as an [`Exceeded`].
    pub(crate) fn resources_exceeded(&self) -> Exceeded {
        Exceeded::Resources {
            limit: self.max_resources,
            default: self.default_resources,
        }
    }

    /// The problem of a call that ran out of budget.
    pub(crate) fn problem(&self, exceeded: Exceeded) -> Problem {
        Problem::Call(exceeded.message(&self.budget))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spending(budget: Budget) -> Spending {
        Spending::start(budget, Limits::default(), 500)
    }

    #[test]
    fn each_part_is_checked_before_the_work_it_bounds() {
        let budget = Budget {
            fragment_bytes: 100,
            children: 2,
            ..Budget::default()
        };
        let spent = spending(budget);
        assert_eq!(spent.start_child(), Ok(()));
        assert_eq!(spent.spend_fragment_bytes(60), Ok(()));
        assert_eq!(spent.start_child(), Ok(()));
        assert_eq!(spent.start_child(), Err(Exceeded::Children));
        assert_eq!(spent.spend_fragment_bytes(41), Err(Exceeded::FragmentBytes));

        let spent = spending(budget);
        assert_eq!(spent.spend_fragment_bytes(100), Ok(()));
        assert_eq!(spent.start_child(), Err(Exceeded::FragmentBytes));

        spent.spend_resources(499);
        assert_eq!(spent.resources_left(), 1);
        spent.spend_resources(5);
        assert_eq!(spent.resources_left(), 0);
    }

    #[test]
    fn the_deadline_leaves_no_time_once_passed() {
        let spent = spending(Budget {
            timeout: Duration::ZERO,
            ..Budget::default()
        });
        assert_eq!(spent.start_child(), Err(Exceeded::Time));
        let spent = spending(Budget {
            timeout: Duration::MAX,
            ..Budget::default()
        });
        assert_eq!(spent.time_left(), Ok(Duration::MAX));
    }

    #[test]
    fn messages_name_the_budget_and_how_to_raise_it() {
        let budget = Budget::default();
        for (exceeded, needles) in [
            (Exceeded::FragmentBytes, ["64 MiB", "--total-output"]),
            (
                Exceeded::Children,
                ["1000 child constructs", "--total-children"],
            ),
            (Exceeded::Time, ["120 s", "--total-timeout"]),
            (
                Exceeded::Resources {
                    limit: 500,
                    default: 500,
                },
                ["at least 501 resources", "limits.resources"],
            ),
        ] {
            let message = exceeded.message(&budget);
            for needle in needles {
                assert!(message.contains(needle), "{message}");
            }
            assert!(message.starts_with(char::is_lowercase) && !message.ends_with('.'));
        }
    }
}
