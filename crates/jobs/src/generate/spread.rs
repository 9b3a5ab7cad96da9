//! The script over several workers: the page hands out piece indices
//! ([`super::pieces::ScriptPieces`]) to k generator workers and appends the pieces in index
//! order, so the file is the one worker's (and the CLI's) byte for byte.
//!
//! A worker answers a [`PieceRequest`] with its [`PieceService`]: first the [`Plan`] (how many
//! pieces, the table counts, the figures' labels), then one [`Piece`] per request. The page
//! keeps an [`Assembly`]: which piece goes to which worker (at most [`IN_FLIGHT`] queued per
//! worker, and nothing handed out more than a window past the next piece to append, so memory
//! stays bounded), the pieces that arrived early, and the requests to cancel.

use std::collections::BTreeMap;
use std::rc::Rc;

use campus_gen::{Config, TableId, Ums};
use serde::{Deserialize, Serialize};

use super::pieces::{ROWS_PER_PIECE, ScriptPieces};
use super::stats::{Counts, Labels};
use super::{ScriptChoices, Summary, Tapped};
use crate::wire::RequestId;
use crate::{Bytes, JobError, Service, Step};

/// Piece requests queued per worker: one running, one waiting, so a worker never idles while
/// the page answers.
pub const IN_FLIGHT: usize = 2;

/// Workers the page uses at most when the browser reports more cores.
pub const MAX_WORKERS: usize = 4;

/// Workers a forced count (`?workers=N`) may ask for at most.
pub const MAX_FORCED_WORKERS: usize = 16;

/// How many generator workers the page runs: `workers=N` in the page's query string when it
/// names one (for tests and comparisons), else the browser's core count capped at
/// [`MAX_WORKERS`]; at least one.
pub fn worker_count(query: &str, hardware_concurrency: Option<f64>) -> usize {
    let forced = (query.trim_start_matches('?').split('&'))
        .filter_map(|pair| pair.strip_prefix("workers="))
        .find_map(|n| n.parse::<usize>().ok());
    if let Some(n) = forced {
        return n.clamp(1, MAX_FORCED_WORKERS);
    }
    let cores = hardware_concurrency
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map_or(1, |n| n as usize);
    cores.clamp(1, MAX_WORKERS)
}

/// The script a spread job writes: the same choices a whole request names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PieceJob {
    pub config: Config,
    pub script: ScriptChoices,
}

/// What the page asks a worker for in a spread job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PieceRequest {
    /// How the script cuts into pieces.
    Plan(PieceJob),
    /// Piece `idx` of the script.
    Piece { job: PieceJob, idx: usize },
}

/// A worker's answer to a [`PieceRequest`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PieceEvent {
    Planned(Plan),
    Piece(Piece),
}

/// How a script cuts into pieces, and what its summary needs besides the pieces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub pieces: usize,
    /// Data rows in the script.
    pub rows_total: u64,
    /// (table name, rows) in schema order, for the whole dataset.
    pub tables: Vec<(String, u64)>,
    /// Present when the script holds the whole data section (the figures come with it).
    pub labels: Option<Labels>,
}

/// One piece of the script.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    pub idx: usize,
    pub bytes: Bytes,
    /// Data rows it holds.
    pub rows: u64,
    /// The figures' counts of its rows, when the plan has labels.
    pub counts: Option<Counts>,
}

/// A worker's side of a spread job: the script's pieces, kept between requests of one job.
pub struct PieceService {
    rows_per_piece: u64,
    open: Option<Open>,
    asked: Option<PieceRequest>,
}

impl Default for PieceService {
    fn default() -> PieceService {
        PieceService::with_rows_per_piece(ROWS_PER_PIECE)
    }
}

impl PieceService {
    /// A service cutting scripts into pieces of about `rows_per_piece` rows (the page's are
    /// [`ROWS_PER_PIECE`]; every worker of a job must cut alike).
    pub fn with_rows_per_piece(rows_per_piece: u64) -> PieceService {
        PieceService {
            rows_per_piece: rows_per_piece.max(1),
            open: None,
            asked: None,
        }
    }
}

struct Open {
    job: PieceJob,
    ums: Rc<Ums>,
    tapped: Rc<Tapped<Rc<Ums>>>,
    pieces: ScriptPieces<Rc<Tapped<Rc<Ums>>>>,
    with_stats: bool,
}

impl Open {
    fn new(job: &PieceJob, rows_per_piece: u64) -> Result<Open, JobError> {
        let ums = Ums::new(job.config.clone()).map_err(|err| JobError::new(err.to_string()))?;
        let ums = Rc::new(ums);
        let tapped = Rc::new(Tapped::new(ums.clone()));
        let pieces = ScriptPieces::new(tapped.clone(), &job.script, rows_per_piece)
            .map_err(|err| JobError::new(err.to_string()))?;
        Ok(Open {
            with_stats: job.script.data && job.script.part.is_none(),
            job: job.clone(),
            ums,
            tapped,
            pieces,
        })
    }

    fn plan(&self) -> Plan {
        let total = |(start, end): (u64, u64)| end - start;
        let rows_total = match (self.job.script.data, self.job.script.part) {
            (false, _) => 0,
            (true, Some(part)) => total(part.range(&*self.ums)),
            (true, None) => TableId::ALL.iter().map(|&t| self.ums.count(t)).sum(),
        };
        Plan {
            pieces: self.pieces.len(),
            rows_total,
            tables: TableId::ALL
                .iter()
                .map(|&t| (self.ums.table(t).name.to_string(), self.ums.count(t)))
                .collect(),
            labels: self.with_stats.then(|| Labels::of(&self.ums)),
        }
    }

    fn piece(&self, idx: usize) -> Result<Piece, JobError> {
        let mut bytes = Vec::with_capacity(2 << 20);
        // Counts of earlier pieces, or of a cancelled one, are not this piece's.
        self.tapped.take_counts();
        let rows =
            (self.pieces.piece(idx, &mut bytes)).map_err(|err| JobError::new(err.to_string()))?;
        Ok(Piece {
            idx,
            bytes: Bytes(bytes),
            rows,
            counts: self.with_stats.then(|| self.tapped.take_counts()),
        })
    }
}

impl Service for PieceService {
    type Request = PieceRequest;
    type Event = PieceEvent;

    fn start(&mut self, request: PieceRequest) -> Result<(), JobError> {
        self.asked = None;
        let job = match &request {
            PieceRequest::Plan(job) | PieceRequest::Piece { job, .. } => job,
        };
        if self.open.as_ref().is_none_or(|open| open.job != *job) {
            self.open = None;
            self.open = Some(Open::new(job, self.rows_per_piece)?);
        }
        self.asked = Some(request);
        Ok(())
    }

    fn step(&mut self) -> Result<Step<PieceEvent>, JobError> {
        let (Some(open), Some(asked)) = (self.open.as_ref(), self.asked.take()) else {
            return Err(JobError::new("no piece was asked for"));
        };
        Ok(Step::Finished(match asked {
            PieceRequest::Plan(_) => PieceEvent::Planned(open.plan()),
            PieceRequest::Piece { idx, .. } => PieceEvent::Piece(open.piece(idx)?),
        }))
    }

    fn cancel(&mut self) {
        self.asked = None;
    }
}

/// A piece handed to a worker: send `request` to worker `worker`, then record its id with
/// [`Assembly::sent`].
#[derive(Clone, Debug, PartialEq)]
pub struct Handout {
    pub worker: usize,
    pub idx: usize,
    pub request: PieceRequest,
}

/// A piece asked for and not yet arrived.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Asked {
    worker: usize,
    idx: usize,
    id: Option<RequestId>,
}

/// The page's side of a spread job: hands pieces out and puts them back in order.
#[derive(Debug)]
pub struct Assembly {
    job: PieceJob,
    plan: Plan,
    workers: usize,
    next_hand: usize,
    next_append: usize,
    asked: Vec<Asked>,
    early: BTreeMap<usize, Piece>,
    rows_done: u64,
    bytes: u64,
    counts: Counts,
}

impl Assembly {
    /// The assembly of `job`, cut as `plan` says, over `workers` workers.
    pub fn new(job: PieceJob, plan: Plan, workers: usize) -> Assembly {
        Assembly {
            job,
            plan,
            workers: workers.max(1),
            next_hand: 0,
            next_append: 0,
            asked: Vec::new(),
            early: BTreeMap::new(),
            rows_done: 0,
            bytes: 0,
            counts: Counts::default(),
        }
    }

    /// Pieces handed out or held, past the next one to append, at most: a piece that arrives
    /// early waits, and no more are handed out than this.
    pub fn window(&self) -> usize {
        self.workers * (IN_FLIGHT + 1)
    }

    /// The pieces to ask for now: each to the worker with the fewest queued, none to a worker
    /// with [`IN_FLIGHT`] queued, none past the window.
    pub fn hand_out(&mut self) -> Vec<Handout> {
        let mut handouts = Vec::new();
        while self.next_hand < self.plan.pieces && self.next_hand < self.next_append + self.window()
        {
            let queued = |w: usize| self.asked.iter().filter(|a| a.worker == w).count();
            let Some(worker) = (0..self.workers)
                .filter(|&w| queued(w) < IN_FLIGHT)
                .min_by_key(|&w| queued(w))
            else {
                break;
            };
            let idx = self.next_hand;
            self.next_hand += 1;
            self.asked.push(Asked {
                worker,
                idx,
                id: None,
            });
            handouts.push(Handout {
                worker,
                idx,
                request: PieceRequest::Piece {
                    job: self.job.clone(),
                    idx,
                },
            });
        }
        handouts
    }

    /// Piece `idx` was sent as request `id`.
    pub fn sent(&mut self, idx: usize, id: RequestId) {
        if let Some(asked) = self.asked.iter_mut().find(|a| a.idx == idx) {
            asked.id = Some(id);
        }
    }

    /// A piece arrived: the bytes now ready to append, in order (none when it came early).
    pub fn arrived(&mut self, piece: Piece) -> Result<Vec<Bytes>, String> {
        let Some(at) = self.asked.iter().position(|a| a.idx == piece.idx) else {
            return Err(format!("piece {} arrived unasked", piece.idx));
        };
        self.asked.swap_remove(at);
        self.early.insert(piece.idx, piece);
        let mut ready = Vec::new();
        while let Some(piece) = self.early.remove(&self.next_append) {
            self.next_append += 1;
            self.rows_done += piece.rows;
            self.bytes += piece.bytes.0.len() as u64;
            if let Some(counts) = &piece.counts {
                self.counts.add(counts);
            }
            if !piece.bytes.0.is_empty() {
                ready.push(piece.bytes);
            }
        }
        Ok(ready)
    }

    /// Every piece appended?
    pub fn is_complete(&self) -> bool {
        self.next_append >= self.plan.pieces
    }

    /// (rows appended, rows in all).
    pub fn rows(&self) -> (u64, u64) {
        (self.rows_done, self.plan.rows_total)
    }

    /// Bytes appended.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Pieces held because they arrived before an earlier one.
    pub fn early(&self) -> usize {
        self.early.len()
    }

    /// The requests still open, by worker: to cancel when the job stops.
    pub fn open_requests(&self) -> Vec<(usize, RequestId)> {
        (self.asked.iter())
            .filter_map(|a| a.id.map(|id| (a.worker, id)))
            .collect()
    }

    /// The summary of the complete script, as one worker would report it.
    pub fn summary(&self) -> Summary {
        Summary {
            tables: self.plan.tables.clone(),
            bytes: self.bytes,
            stats: (self.plan.labels.as_ref()).map(|labels| labels.stats(&self.counts)),
            entries: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
