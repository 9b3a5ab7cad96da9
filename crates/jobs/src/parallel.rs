//! Native only: numbered pieces of work produced on a pool of threads and consumed in order.
//!
//! The pieces themselves are pure functions of their index ([`crate::generate::pieces`], the
//! ETL's hashing, the forest's batches of trees); this module only decides where they run. At
//! most a few pieces per thread are in flight, so memory stays bounded however long the output,
//! and the consumer sees them in index order, so the output is the one-thread output.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use campus_schema::spread::Spread;
use rayon::iter::{IntoParallelIterator, ParallelIterator};

/// Threads to use when the user names none: every core this process may run on.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A rayon pool as a [`Spread`]: the occupancy forest fits as many chunks of trees as the pool
/// has threads at once, the ETL writes as many batches of rows.
pub struct Pool(rayon::ThreadPool);

impl Pool {
    /// A pool of `threads` threads; `None` when the system cannot start them.
    pub fn new(threads: usize) -> Option<Pool> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("campus-{i}"))
            .build()
            .ok()
            .map(Pool)
    }
}

impl Spread for Pool {
    fn width(&self) -> usize {
        self.0.current_num_threads()
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        self.0
            .install(|| (0..n_tasks).into_par_iter().for_each(task));
    }
}

/// Pieces in flight per thread: enough that a thread never waits for the consumer to take a
/// piece another thread finished earlier, few enough to bound memory.
const IN_FLIGHT_PER_THREAD: usize = 3;

/// Produces items `0..n_items` with `produce` on `threads` threads and hands each to `consume`
/// in index order; stops at the first error `consume` returns. One thread (or a pool that
/// cannot start) runs everything on the calling thread.
pub fn in_order<T, E>(
    threads: usize,
    n_items: usize,
    produce: impl Fn(usize) -> T + Sync,
    mut consume: impl FnMut(usize, T) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
{
    let pool = match threads {
        0 | 1 => None,
        _ => rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("campus-{i}"))
            .build()
            .ok(),
    };
    let Some(pool) = pool.filter(|_| n_items > 1) else {
        for idx in 0..n_items {
            consume(idx, produce(idx))?;
        }
        return Ok(());
    };
    let window = threads.saturating_mul(IN_FLIGHT_PER_THREAD).max(1);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel();
    pool.in_place_scope(|scope| {
        let produce = &produce;
        let stop = &stop;
        let spawn = |idx: usize| {
            let sender = sender.clone();
            scope.spawn(move |_| {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                // Every spawned piece answers exactly once, so the consumer never waits in vain.
                let item = catch_unwind(AssertUnwindSafe(|| produce(idx)));
                let _ = sender.send((idx, item));
            });
        };
        let mut spawned = 0;
        while spawned < n_items.min(window) {
            spawn(spawned);
            spawned += 1;
        }
        let mut waiting = BTreeMap::new();
        for next in 0..n_items {
            let item = loop {
                if let Some(item) = waiting.remove(&next) {
                    break item;
                }
                let Ok((idx, item)) = receiver.recv() else {
                    // Unreachable: the spawned pieces hold senders until they answer.
                    stop.store(true, Ordering::Relaxed);
                    return Ok(());
                };
                waiting.insert(idx, item);
            };
            let item = match item {
                Ok(item) => item,
                Err(panic) => {
                    stop.store(true, Ordering::Relaxed);
                    resume_unwind(panic);
                }
            };
            if let Err(err) = consume(next, item) {
                stop.store(true, Ordering::Relaxed);
                return Err(err);
            }
            if spawned < n_items {
                spawn(spawned);
                spawned += 1;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn collect(threads: usize, n: usize) -> Vec<usize> {
        let mut seen = Vec::new();
        let done: Result<(), ()> = in_order(
            threads,
            n,
            |i| {
                // Later pieces finish first, so order must come from the consumer's side.
                std::thread::sleep(std::time::Duration::from_micros(((n - i) % 7) as u64 * 50));
                i * i
            },
            |i, v| {
                assert_eq!(v, i * i);
                seen.push(i);
                Ok(())
            },
        );
        assert!(done.is_ok());
        seen
    }

    #[test]
    fn items_arrive_in_order_at_every_thread_count() {
        for threads in [0, 1, 2, 3, 8] {
            for n in [0, 1, 2, 5, 100] {
                assert_eq!(collect(threads, n), (0..n).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn in_flight_items_are_bounded() {
        let produced = AtomicUsize::new(0);
        let threads = 4;
        let done: Result<(), ()> = in_order(
            threads,
            200,
            |_| produced.fetch_add(1, Ordering::SeqCst),
            |i, _| {
                // When item i is consumed, at most the window past it has been produced.
                assert!(produced.load(Ordering::SeqCst) <= i + 1 + threads * IN_FLIGHT_PER_THREAD);
                Ok(())
            },
        );
        assert!(done.is_ok());
    }

    #[test]
    fn the_first_consumer_error_stops_the_run() {
        let produced = AtomicUsize::new(0);
        let mut consumed = 0;
        let done = in_order(
            2,
            1000,
            |i| {
                produced.fetch_add(1, Ordering::SeqCst);
                i
            },
            |i, _| {
                consumed += 1;
                if i == 10 { Err("disk full") } else { Ok(()) }
            },
        );
        assert_eq!(done, Err("disk full"));
        assert_eq!(consumed, 11);
        assert!(produced.load(Ordering::SeqCst) < 100);
    }

    /// The trained version, as saved, of 800 sessions with the forest on `spread`.
    fn trained_bundle(spread: Option<Pool>) -> Vec<u8> {
        use crate::occupancy::{Event, OccupancyService, Request};
        use campus_occupancy::generate::{GenerateConfig, generate};
        use campus_occupancy::train::TrainConfig;
        let sessions = generate(&GenerateConfig {
            n_sessions: 800,
            ..GenerateConfig::default()
        });
        let mut config = TrainConfig::default();
        config.forest.n_trees = 23;
        let mut service = OccupancyService::default();
        if let Some(pool) = spread {
            service.set_spread(std::sync::Arc::new(pool));
        }
        let request = Request::Train {
            sessions,
            config,
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        let mut bundle = Vec::new();
        let driven = crate::drive(&mut service, request, |event| {
            if let Event::Trained { bundle: bytes, .. } = event {
                bundle = bytes;
            }
            true
        });
        assert!(driven.is_ok());
        bundle
    }

    #[test]
    fn the_forest_is_bit_identical_on_a_pool() {
        let one = trained_bundle(None);
        assert!(!one.is_empty());
        for threads in [1, 2, 3, 4] {
            let Some(pool) = Pool::new(threads) else {
                panic!("no pool of {threads} threads")
            };
            assert!(trained_bundle(Some(pool)) == one, "at {threads} threads");
        }
    }
}
