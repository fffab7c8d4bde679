//! Running one task per stack on the command's runtime, several at once (at most
//! `concurrency`), each only once every stack it waits for has succeeded. After a failure
//! no further stack starts; those already running finish.

use std::future::Future;

use tokio::task::JoinSet;

/// What became of one stack's task.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// It succeeded with this.
    Done(T),
    /// It failed (and said why itself).
    Failed,
    /// Not started: a stack it waits for failed, or another stack's failure stopped the run.
    Skipped,
}

/// Runs `start(i)` for every `i` of `waits` (stack `i` waits for the stacks in `waits[i]`),
/// in index order where nothing else decides, at most `concurrency` at once. Must be
/// called inside a `tokio::task::LocalSet`.
pub async fn run<T, F, Fut>(
    waits: &[Vec<usize>],
    concurrency: usize,
    mut start: F,
) -> Vec<Outcome<T>>
where
    T: 'static,
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<T, ()>> + 'static,
{
    let mut outcomes: Vec<Option<Outcome<T>>> = waits.iter().map(|_| None).collect();
    let mut started = vec![false; waits.len()];
    let mut running = JoinSet::new();
    let mut failed = false;
    loop {
        while !failed && running.len() < concurrency.max(1) {
            let ready = (0..waits.len()).find(|&i| {
                !started[i]
                    && waits[i]
                        .iter()
                        .all(|&w| matches!(outcomes[w], Some(Outcome::Done(_))))
            });
            let Some(i) = ready else { break };
            started[i] = true;
            let task = start(i);
            running.spawn_local(async move { (i, task.await) });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((i, Ok(value))) => outcomes[i] = Some(Outcome::Done(value)),
            Ok((i, Err(()))) => {
                outcomes[i] = Some(Outcome::Failed);
                failed = true;
            }
            // A task that panicked: its stack is unknown here, so stop starting others.
            Err(_) => failed = true,
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::Skipped))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::{Outcome, run};

    fn on_runtime<T>(future: impl Future<Output = T>) -> T {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        tokio::task::LocalSet::new().block_on(&runtime, future)
    }

    #[test]
    fn a_stack_starts_after_the_stacks_it_waits_for() {
        let order = Rc::new(RefCell::new(Vec::new()));
        let waits = vec![vec![1], vec![], vec![0]];
        let outcomes = on_runtime(run(&waits, 4, |i| {
            let order = order.clone();
            async move {
                order.borrow_mut().push(i);
                Ok(i)
            }
        }));
        assert_eq!(*order.borrow(), [1, 0, 2]);
        assert_eq!(
            outcomes,
            [Outcome::Done(0), Outcome::Done(1), Outcome::Done(2)]
        );
    }

    #[test]
    fn a_failure_skips_what_waits_for_it() {
        let waits = vec![vec![], vec![0]];
        let outcomes = on_runtime(run(&waits, 1, |i| async move {
            match i {
                0 => Err(()),
                _ => Ok(()),
            }
        }));
        assert_eq!(outcomes, [Outcome::Failed, Outcome::Skipped]);
    }
}
