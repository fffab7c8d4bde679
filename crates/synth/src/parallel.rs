//! Spreading independent plugin work (loading, `synth` calls) over the machine's cores.
//!
//! Workers are plugin-call threads (see `stackweave_host::spawn_call_thread`), so the calls
//! they make run directly on them instead of starting a thread each.

use std::collections::BinaryHeap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// How many workers to use when the caller does not say: one per core.
pub(crate) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// `f` applied to every item, on up to [`default_jobs`] workers; results in item order.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(default_jobs(), items, f)
}

/// `f` applied to every item, on up to `jobs` workers; results in item order, whatever
/// order the work finished in.
pub(crate) fn map_with<T: Sync, R: Send>(
    jobs: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = jobs.min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, f(item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .filter_map(|_| stackweave_host::spawn_call_thread(scope, work).ok())
            .collect();
        // If no worker could start, this thread does the work itself.
        let mut results = if handles.is_empty() {
            work()
        } else {
            Vec::new()
        };
        for handle in handles {
            // Plugin failures are values, so a panic here is a bug: pass it on as is.
            match handle.join() {
                Ok(done) => results.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// The single-threaded half of a [`pipeline`]: it owns the merged state.
pub(crate) trait Merge {
    /// What a worker needs to run a task.
    type Input: Send;
    /// What a worker's run of a task gives.
    type Output: Send;
    /// The input of `task`, made once every task it needs has been merged.
    fn prepare(&mut self, task: usize) -> Self::Input;
    /// Merges the output of `task`; answers whether the task succeeded.
    fn merge(&mut self, task: usize, output: Self::Output) -> bool;
}

/// Runs a chain of dependent tasks: task `t` needs the merged outputs of the earlier tasks
/// `needs[t]`. Once those are merged, `state.prepare(t)` (on this thread, where the merged
/// state lives) makes its input and one of `jobs` workers runs `work` on it; this thread
/// merges the outputs strictly in task order, so the outcome is exactly that of running
/// everything in order on one thread. Tasks that need a failed (or skipped) task are
/// skipped. Among ready tasks, workers take the earliest first, so the task the merge
/// waits for is never stuck behind later ones.
pub(crate) fn pipeline<M: Merge>(
    jobs: usize,
    needs: &[Vec<usize>],
    state: &mut M,
    work: impl Fn(M::Input) -> M::Output + Sync,
) {
    let count = needs.len();
    let mut succeeded = vec![false; count];
    let runnable = |task: usize, succeeded: &[bool]| needs[task].iter().all(|&n| succeeded[n]);
    if jobs <= 1 || count <= 1 {
        for task in 0..count {
            if runnable(task, &succeeded) {
                let output = work(state.prepare(task));
                succeeded[task] = state.merge(task, output);
            }
        }
        return;
    }

    let mut waiting_on: Vec<usize> = needs.iter().map(Vec::len).collect();
    let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (task, task_needs) in needs.iter().enumerate() {
        for &need in task_needs {
            needed_by[need].push(task);
        }
    }
    let board = Board {
        state: Mutex::new(BoardState {
            ready: BinaryHeap::new(),
            done: (0..count).map(|_| None).collect(),
            closed: false,
        }),
        work_posted: Condvar::new(),
        result_posted: Condvar::new(),
    };
    std::thread::scope(|scope| {
        let worker = || board.serve(&work);
        let started = (0..jobs.min(count))
            .filter(|_| stackweave_host::spawn_call_thread(scope, worker).is_ok())
            .count();
        let post = |task: usize, state: &mut M| {
            let input = state.prepare(task);
            if started == 0 {
                // No worker could start: do the work here.
                let output = work(input);
                board.lock().done[task] = Some(output);
            } else {
                board.lock().ready.push(Ready { task, input });
                board.work_posted.notify_one();
            }
        };
        for task in (0..count).filter(|&t| waiting_on[t] == 0) {
            post(task, state);
        }
        for task in 0..count {
            if !runnable(task, &succeeded) {
                continue;
            }
            let output = board.take(task);
            succeeded[task] = state.merge(task, output);
            for &later in &needed_by[task] {
                waiting_on[later] -= 1;
                if waiting_on[later] == 0 && runnable(later, &succeeded) {
                    post(later, state);
                }
            }
        }
        board.lock().closed = true;
        board.work_posted.notify_all();
    });
}

/// Where the merging thread posts ready tasks and workers post outputs.
struct Board<I, O> {
    state: Mutex<BoardState<I, O>>,
    work_posted: Condvar,
    result_posted: Condvar,
}

struct BoardState<I, O> {
    ready: BinaryHeap<Ready<I>>,
    done: Vec<Option<O>>,
    closed: bool,
}

/// A task ready to run; the heap yields the earliest task first.
struct Ready<I> {
    task: usize,
    input: I,
}

impl<I> PartialEq for Ready<I> {
    fn eq(&self, other: &Self) -> bool {
        self.task == other.task
    }
}

impl<I> Eq for Ready<I> {}

impl<I> PartialOrd for Ready<I> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<I> Ord for Ready<I> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Reversed: `BinaryHeap` pops the greatest.
        other.task.cmp(&self.task)
    }
}

impl<I, O> Board<I, O> {
    fn lock(&self) -> MutexGuard<'_, BoardState<I, O>> {
        // The lock is never held across user code, so it cannot be poisoned by a panic in it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A worker: runs ready tasks, earliest first, until the board is closed.
    fn serve(&self, work: &impl Fn(I) -> O) {
        let mut state = self.lock();
        loop {
            if let Some(Ready { task, input }) = state.ready.pop() {
                drop(state);
                let output = work(input);
                state = self.lock();
                state.done[task] = Some(output);
                self.result_posted.notify_all();
            } else if state.closed {
                return;
            } else {
                state = self
                    .work_posted
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
    }

    /// Waits for the output of `task`, which has been posted.
    fn take(&self, task: usize) -> O {
        let mut state = self.lock();
        loop {
            if let Some(output) = state.done[task].take() {
                return output;
            }
            state = self
                .result_posted
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_item_order() {
        let items: Vec<u64> = (0..500).collect();
        for jobs in [1, 2, 7] {
            let squares = map_with(jobs, &items, |n| {
                // Uneven work, so workers finish out of order.
                std::thread::sleep(std::time::Duration::from_micros(n % 7));
                n * n
            });
            assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
        }
    }

    /// Each task's value is the sum of its needs' merged values plus its own number, so a
    /// task prepared before its needs were merged would panic or give a wrong sum.
    struct Sums<'n> {
        needs: &'n [Vec<usize>],
        merged: Vec<Option<u64>>,
        merge_order: Vec<usize>,
        fail: Option<usize>,
    }

    impl Merge for Sums<'_> {
        type Input = (usize, u64);
        type Output = u64;

        fn prepare(&mut self, task: usize) -> (usize, u64) {
            let sum = self.needs[task]
                .iter()
                .map(|&n| self.merged[n].expect("needs are merged first"))
                .sum();
            (task, sum)
        }

        fn merge(&mut self, task: usize, value: u64) -> bool {
            self.merged[task] = Some(value);
            self.merge_order.push(task);
            self.fail != Some(task)
        }
    }

    fn run_sums(jobs: usize, needs: &[Vec<usize>], fail: Option<usize>) -> Sums<'_> {
        let mut sums = Sums {
            needs,
            merged: vec![None; needs.len()],
            merge_order: Vec::new(),
            fail,
        };
        pipeline(jobs, needs, &mut sums, |(task, sum)| {
            // Uneven work, so workers finish out of order.
            std::thread::sleep(std::time::Duration::from_micros((task % 5) as u64 * 20));
            sum + task as u64
        });
        sums
    }

    #[test]
    fn pipeline_merges_in_order_after_needs() {
        let needs: Vec<Vec<usize>> = (0..200)
            .map(|t| match t % 4 {
                0 => vec![],
                1 => vec![t - 1],
                2 => vec![t - 2, t - 1],
                _ => vec![t - 3],
            })
            .collect();
        let mut expected = vec![0u64; needs.len()];
        for t in 0..needs.len() {
            expected[t] = needs[t].iter().map(|&n| expected[n]).sum::<u64>() + t as u64;
        }
        for jobs in [1, 2, 5] {
            let sums = run_sums(jobs, &needs, None);
            assert_eq!(
                sums.merge_order,
                (0..needs.len()).collect::<Vec<_>>(),
                "jobs {jobs}"
            );
            let values: Vec<u64> = sums
                .merged
                .iter()
                .map(|v| v.expect("every task ran"))
                .collect();
            assert_eq!(values, expected, "jobs {jobs}");
        }
    }

    #[test]
    fn pipeline_skips_tasks_that_need_a_failed_one() {
        // 0 fails; 1 needs 0; 2 needs 1 (skipped, so skipped too); 3 is independent.
        let needs = vec![vec![], vec![0], vec![1], vec![]];
        for jobs in [1, 2] {
            assert_eq!(
                run_sums(jobs, &needs, Some(0)).merge_order,
                vec![0, 3],
                "jobs {jobs}"
            );
        }
    }

    #[test]
    fn no_items_no_work() {
        let none: Vec<u8> = Vec::new();
        assert!(map_with(4, &none, |_| unreachable!()).is_empty());
    }
}
