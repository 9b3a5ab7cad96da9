//! The forest's chunks of trees over several occupancy workers: the training runs in worker 0
//! up to its forest ([`Request::TrainSpread`], answered by [`Event::ForestPaused`] with the
//! forest's job), the page hands the chunks out to worker 0 and its helpers, each helper
//! getting the job once ([`Request::ForestBegin`]), and sends the fitted chunks back to
//! worker 0 in chunk order ([`Request::TrainResume`]), which finishes the training. A chunk's
//! trees depend only on the job and its index, so the version is one worker's bit for bit.
//!
//! [`ForestRelay`] is the page's bookkeeping of that: which chunk goes to which worker (at most
//! [`IN_FLIGHT`] queued per worker), what has arrived, the requests to cancel when it stops.

use std::collections::BTreeMap;

use campus_occupancy::forest::ForestJob;
use campus_occupancy::progress::{Progress, Stage};

use super::service::with_progress;
use super::{Event, Request};
use crate::Bytes;
use crate::wire::RequestId;

pub use crate::generate::spread::{IN_FLIGHT, worker_count};

/// What a request of the relay asks a worker for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Keep the forest's job (once per helper and training).
    Begin,
    /// Fit chunk `idx` of trees.
    Chunk(usize),
}

/// A request to send: `request` to worker `worker`, then record its id with
/// [`ForestRelay::sent`].
#[derive(Clone, Debug, PartialEq)]
pub struct Handout {
    pub worker: usize,
    pub ask: Ask,
    pub request: Request,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Asked {
    worker: usize,
    ask: Ask,
    id: Option<RequestId>,
}

/// The page's side of a forest fitted over several workers. Worker 0 is the one whose
/// training waits for the forest (it has the job already); workers 1.. are helpers.
#[derive(Debug)]
pub struct ForestRelay {
    job: ForestJob,
    chunks: usize,
    workers: usize,
    /// Whether each worker has been sent the job.
    begun: Vec<bool>,
    next_hand: usize,
    asked: Vec<Asked>,
    fitted: BTreeMap<usize, Bytes>,
}

impl ForestRelay {
    /// The relay of `job`'s `chunks` chunks of trees over `workers` workers.
    pub fn new(job: ForestJob, chunks: usize, workers: usize) -> ForestRelay {
        let workers = workers.max(1);
        ForestRelay {
            job,
            chunks,
            workers,
            begun: (0..workers).map(|w| w == 0).collect(),
            next_hand: 0,
            asked: Vec::new(),
            fitted: BTreeMap::new(),
        }
    }

    /// How many workers fit chunks.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// The requests to send now: the job to each helper that has not had it, and chunks, each
    /// to the worker with the fewest queued, none to a worker with [`IN_FLIGHT`] queued.
    pub fn hand_out(&mut self) -> Vec<Handout> {
        let mut handouts = Vec::new();
        let queued = |asked: &[Asked], w: usize| {
            (asked.iter())
                .filter(|a| a.worker == w && matches!(a.ask, Ask::Chunk(_)))
                .count()
        };
        while self.next_hand < self.chunks {
            let Some(worker) = (0..self.workers)
                .filter(|&w| queued(&self.asked, w) < IN_FLIGHT)
                .min_by_key(|&w| queued(&self.asked, w))
            else {
                break;
            };
            if let Some(begun) = self.begun.get_mut(worker).filter(|begun| !**begun) {
                *begun = true;
                self.asked.push(Asked {
                    worker,
                    ask: Ask::Begin,
                    id: None,
                });
                handouts.push(Handout {
                    worker,
                    ask: Ask::Begin,
                    request: Request::ForestBegin {
                        job: self.job.clone(),
                    },
                });
            }
            let idx = self.next_hand;
            self.next_hand += 1;
            self.asked.push(Asked {
                worker,
                ask: Ask::Chunk(idx),
                id: None,
            });
            handouts.push(Handout {
                worker,
                ask: Ask::Chunk(idx),
                request: Request::ForestChunk { idx },
            });
        }
        handouts
    }

    /// The handout `ask` to `worker` was sent as request `id`.
    pub fn sent(&mut self, worker: usize, ask: Ask, id: RequestId) {
        if let Some(asked) =
            (self.asked.iter_mut()).find(|a| a.worker == worker && a.ask == ask && a.id.is_none())
        {
            asked.id = Some(id);
        }
    }

    /// The answer of request `id` to `worker` arrived; an error when it is not the answer
    /// asked for (the training then fails).
    pub fn arrived(&mut self, worker: usize, id: RequestId, event: Event) -> Result<(), String> {
        let Some(at) = (self.asked.iter()).position(|a| a.worker == worker && a.id == Some(id))
        else {
            return Err(format!(
                "worker {worker} answered a request it was not asked"
            ));
        };
        let ask = self.asked.get(at).map(|a| a.ask);
        match (ask, event) {
            (Some(Ask::Begin), Event::ForestBegun) => {}
            (Some(Ask::Chunk(asked)), Event::ForestChunk { idx, fitted }) if idx == asked => {
                self.fitted.insert(idx, fitted);
            }
            (ask, _) => {
                return Err(format!(
                    "worker {worker} gave another answer than the one asked for ({ask:?})"
                ));
            }
        }
        self.asked.swap_remove(at);
        Ok(())
    }

    /// Chunks fitted so far.
    pub fn fitted(&self) -> usize {
        self.fitted.len()
    }

    /// The training's progress: the forest's share of chunks fitted.
    pub fn progress(&self) -> Progress {
        let fraction = self.fitted.len() as f64 / self.chunks.max(1) as f64;
        let ((), last) = with_progress(|hooks| hooks.report(Stage::Forest, fraction));
        last.unwrap_or(Progress {
            stage: Stage::Forest,
            stage_fraction: fraction,
            overall: 0.0,
        })
    }

    /// Every chunk fitted?
    pub fn is_complete(&self) -> bool {
        self.fitted.len() >= self.chunks
    }

    /// Once every chunk is fitted: the request that finishes the training in worker 0, the
    /// chunks in chunk order.
    pub fn resume(&mut self) -> Option<Request> {
        if !self.is_complete() {
            return None;
        }
        let chunks = std::mem::take(&mut self.fitted).into_values().collect();
        Some(Request::TrainResume { chunks })
    }

    /// The requests still open, by worker: to cancel when the training stops.
    pub fn open_requests(&self) -> Vec<(usize, RequestId)> {
        (self.asked.iter())
            .filter_map(|a| a.id.map(|id| (a.worker, id)))
            .collect()
    }
}
