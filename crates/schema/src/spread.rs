//! Independent tasks that may run at once: the core has no threads of its own, so a native
//! shell passes a thread pool and the page runs the tasks one after another.
//!
//! The occupancy forest fits batches of trees through it, the ETL formats batches of rows.
//! Whatever the width, callers put the results together in task order, so their output is the
//! one-thread output.

/// Runs a number of independent tasks, possibly at once.
pub trait Spread: Send + Sync {
    /// Tasks worth handing over at once (the pool's threads); 1 runs them one by one.
    fn width(&self) -> usize;
    /// Runs `task(0)` … `task(n_tasks - 1)`, in any order, each once, and returns when all
    /// have run.
    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync));
}

/// Every task on the calling thread, in order.
pub struct OneByOne;

impl Spread for OneByOne {
    fn width(&self) -> usize {
        1
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        (0..n_tasks).for_each(task);
    }
}
