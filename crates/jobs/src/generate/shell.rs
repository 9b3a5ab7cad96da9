//! What the page's generator does around the service, without the browser: the worker's events
//! (chunks for the page, or progress when the worker writes the file to disk itself) and the
//! page's bookkeeping of the job whose file it collects.
//!
//! The worker runs [`Delivery`] over the service's steps; the page keeps a [`Jobs`] and does what
//! [`Jobs::reply`] says with each reply.

use serde::{Deserialize, Serialize};

use campus_gen::Config;

use super::page::{Action, JobKind, Output};
use super::spread::{Assembly, Handout, PieceEvent, PieceJob, PieceRequest};
use super::{
    EXPORTS_ZIP_FILE, Event, Request, SESSIONS_FILE, SQL_FILE, ScriptChoices, Summary, ZIP_FILE,
};
use crate::wire::{Reply, RequestId};
use crate::{Bytes, JobError, Step};
use campus_gen::exports::ExportOptions;

/// What the page asks the generator worker for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// A whole file, made by this worker alone.
    Job(Request),
    /// The plan or a piece of a script spread over several workers
    /// ([`super::spread`]).
    Piece(PieceRequest),
}

/// What the worker reports about a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerEvent {
    /// The answer to a [`WorkerRequest::Piece`].
    Piece(PieceEvent),
    /// The next chunk of the file, for the page to keep.
    Chunk {
        bytes: Bytes,
        rows_done: u64,
        rows_total: u64,
    },
    /// The worker has written more of the file to disk itself (`bytes` so far).
    Progress {
        bytes: u64,
        rows_done: u64,
        rows_total: u64,
    },
    /// The file is complete: in the chunks sent, or on disk under `disk_file` in the origin
    /// private file system.
    Done {
        summary: Summary,
        /// Time spent producing the output in the worker, in milliseconds.
        elapsed_ms: f64,
        disk_file: Option<String>,
    },
}

/// The file a request produces, by the name it is offered under.
pub fn file_name(request: &Request) -> &'static str {
    match request {
        Request::CsvZip { .. } => ZIP_FILE,
        Request::Exports { .. } => EXPORTS_ZIP_FILE,
        Request::Sessions { .. } => SESSIONS_FILE,
        _ => SQL_FILE,
    }
}

/// The names the script takes on disk, in turn: a new script never overwrites the file the page
/// still offers, since the last result stays on offer until a new one is complete.
pub const SQL_DISK_FILES: [&str; 2] = [SQL_FILE, "Create_FullDB.next.sql"];

/// Which on-disk name a request writes to, given the script the page offers now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskNames {
    offered: Option<&'static str>,
}

impl DiskNames {
    /// The name to write `request`'s file under.
    pub fn for_request(&self, request: &Request) -> &'static str {
        match request {
            Request::CsvZip { .. } | Request::Exports { .. } | Request::Sessions { .. } => {
                file_name(request)
            }
            _ => {
                let [first, second] = SQL_DISK_FILES;
                if self.offered == Some(first) {
                    second
                } else {
                    first
                }
            }
        }
    }

    /// A file was completed under `name`: if it is a script, the page offers it from now on.
    pub fn completed(&mut self, name: &'static str) {
        if SQL_DISK_FILES.contains(&name) {
            self.offered = Some(name);
        }
    }
}

/// The media type of a job's file.
pub fn mime(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Sql => "application/sql",
        JobKind::CsvZip | JobKind::Exports => "application/zip",
        JobKind::Sessions => "text/csv",
    }
}

/// Where the worker puts the file's bytes when it writes them itself.
pub trait Disk {
    fn write(&mut self, bytes: &[u8]) -> Result<(), JobError>;
    /// The file is complete: flush and close it.
    fn finish(self) -> Result<(), JobError>;
}

/// One request's output on its way out of the worker: to the page in chunks, or to a file on
/// disk (`D`) with progress for the page.
#[derive(Debug)]
pub struct Delivery<D> {
    disk: Option<(D, &'static str)>,
    bytes: u64,
    started_ms: f64,
}

impl<D> Default for Delivery<D> {
    fn default() -> Self {
        Delivery {
            disk: None,
            bytes: 0,
            started_ms: 0.0,
        }
    }
}

impl<D: Disk> Delivery<D> {
    /// A request's delivery, begun at `now_ms`; to `disk` (named `name`) when there is one.
    pub fn new(disk: Option<(D, &'static str)>, now_ms: f64) -> Delivery<D> {
        Delivery {
            disk,
            bytes: 0,
            started_ms: now_ms,
        }
    }

    /// The worker's event for one step of the service, at `now_ms`.
    pub fn step(&mut self, step: Step<Event>, now_ms: f64) -> Result<Step<WorkerEvent>, JobError> {
        Ok(match step {
            Step::Event(Event::Chunk {
                bytes,
                rows_done,
                rows_total,
            }) => Step::Event(self.chunk(bytes, rows_done, rows_total)?),
            Step::Finished(Event::Done(summary)) => {
                let disk_file = match self.disk.take() {
                    Some((file, name)) => {
                        file.finish()?;
                        Some(name.to_owned())
                    }
                    None => None,
                };
                let elapsed_ms = now_ms - self.started_ms;
                Step::Finished(WorkerEvent::Done {
                    summary,
                    elapsed_ms,
                    disk_file,
                })
            }
            Step::Finished(_) => return Err(JobError::new("the generator ended unexpectedly")),
            // The file's name is known from the request.
            Step::Event(_) | Step::Working => Step::Working,
        })
    }

    fn chunk(
        &mut self,
        bytes: Bytes,
        rows_done: u64,
        rows_total: u64,
    ) -> Result<WorkerEvent, JobError> {
        self.bytes += bytes.0.len() as u64;
        let Some((file, _)) = self.disk.as_mut() else {
            return Ok(WorkerEvent::Chunk {
                bytes,
                rows_done,
                rows_total,
            });
        };
        file.write(&bytes.0)?;
        Ok(WorkerEvent::Progress {
            bytes: self.bytes,
            rows_done,
            rows_total,
        })
    }
}

/// The job whose file the page collects (in `F`, the page's Blob builder).
#[derive(Debug, PartialEq)]
pub struct Collecting<F> {
    pub job_id: u32,
    /// Once sent.
    pub request_id: Option<RequestId>,
    pub kind: JobKind,
    pub config: Config,
    pub sql_choices: ScriptChoices,
    /// The lesson's settings, for exports and sessions.
    pub options: ExportOptions,
    pub file_name: &'static str,
    pub file: F,
    pub started_ms: f64,
}

impl<F> Collecting<F> {
    /// The action that offers the finished file at `url` (on disk, or a Blob of the chunks),
    /// with the page's time at `now_ms`.
    pub fn done(
        self,
        url: String,
        summary: Summary,
        worker_ms: f64,
        on_disk: bool,
        now_ms: f64,
    ) -> Action {
        let output = Output {
            url,
            file_name: self.file_name.into(),
            summary,
            worker_ms,
            page_ms: now_ms - self.started_ms,
            on_disk,
        };
        let job_id = self.job_id;
        match self.kind {
            JobKind::Sql => Action::SqlDone {
                job_id,
                config: self.config,
                sql_choices: self.sql_choices,
                output,
            },
            JobKind::CsvZip => Action::ZipDone { job_id, output },
            kind @ (JobKind::Exports | JobKind::Sessions) => Action::LessonDone {
                job_id,
                kind,
                output,
                options: self.options,
                answer_key_url: None,
            },
        }
    }
}

/// What the page does with a reply.
#[derive(Debug, PartialEq)]
pub enum Todo<F> {
    Nothing,
    /// Keep this chunk of the current job's file, then report progress.
    Keep {
        bytes: Bytes,
        rows_done: u64,
        rows_total: u64,
    },
    Dispatch(Action),
    /// Offer the finished file: the job's collected chunks, or `disk_file` from the private
    /// file system.
    Finish {
        job: Collecting<F>,
        summary: Summary,
        worker_ms: f64,
        disk_file: Option<String>,
    },
    /// The job failed: cancel its request, and dispatch the failure.
    Fail(Option<RequestId>, Action),
    /// A spread job goes on: dispatch the progress, if any, and send each handout to its
    /// worker (then record it with [`Jobs::piece_sent`]).
    Spread {
        progress: Option<Action>,
        handouts: Vec<Handout>,
    },
    /// A spread job failed: cancel these requests (by worker), and dispatch the failure.
    Abandon(Vec<(usize, RequestId)>, Action),
}

/// A script spread over several workers: its plan is awaited, then its pieces.
#[derive(Debug)]
enum Spread {
    Planning { job: PieceJob, workers: usize },
    Assembling(Box<Assembly>),
}

/// The page's generator jobs: ids, and the one whose file is being collected.
#[derive(Debug)]
pub struct Jobs<F> {
    last_job_id: u32,
    current: Option<Collecting<F>>,
    /// The current job's pieces, when it is spread over several workers.
    spread: Option<Spread>,
}

impl<F> Default for Jobs<F> {
    fn default() -> Self {
        Jobs {
            last_job_id: 0,
            current: None,
            spread: None,
        }
    }
}

impl<F> Jobs<F> {
    /// A new job of `kind`, collected into `file` from now on: returns its id, the request to
    /// send and the request of the job it replaces (to cancel).
    pub fn start(
        &mut self,
        kind: JobKind,
        config: Config,
        sql_choices: ScriptChoices,
        file: F,
        now_ms: f64,
    ) -> (u32, Request, Option<RequestId>) {
        self.start_with(
            kind,
            config,
            sql_choices,
            ExportOptions::default(),
            file,
            now_ms,
        )
    }

    /// As [`Jobs::start`], with the lesson's settings for exports and sessions.
    pub fn start_with(
        &mut self,
        kind: JobKind,
        config: Config,
        sql_choices: ScriptChoices,
        options: ExportOptions,
        file: F,
        now_ms: f64,
    ) -> (u32, Request, Option<RequestId>) {
        let replaced = self.stop();
        self.last_job_id += 1;
        let job_id = self.last_job_id;
        let request = match kind {
            JobKind::Sql => Request::Sql {
                config: config.clone(),
                script: sql_choices.clone(),
            },
            JobKind::CsvZip => Request::CsvZip {
                config: config.clone(),
                script: sql_choices.clone(),
            },
            JobKind::Exports => Request::Exports {
                config: config.clone(),
                options: options.clone(),
            },
            JobKind::Sessions => Request::Sessions {
                config: config.clone(),
                options: options.clone(),
            },
        };
        self.current = Some(Collecting {
            job_id,
            request_id: None,
            kind,
            config,
            sql_choices,
            options,
            file_name: file_name(&request),
            file,
            started_ms: now_ms,
        });
        (job_id, request, replaced)
    }

    /// Job `job_id` was sent as `request_id`.
    pub fn sent(&mut self, job_id: u32, request_id: RequestId) {
        if let Some(job) = self.current(job_id) {
            job.request_id = Some(request_id);
        }
    }

    /// Stops collecting; returns the request to cancel.
    pub fn stop(&mut self) -> Option<RequestId> {
        self.spread = None;
        self.current.take().and_then(|job| job.request_id)
    }

    /// Stops collecting; returns every request to cancel, by worker (0: the one a whole job
    /// and a spread job's plan go to).
    pub fn stop_all(&mut self) -> Vec<(usize, RequestId)> {
        let mut open = match self.spread.take() {
            Some(Spread::Assembling(assembly)) => assembly.open_requests(),
            _ => Vec::new(),
        };
        open.extend(self.stop().map(|id| (0, id)));
        open
    }

    /// A new script job spread over `workers` workers, collected into `file`: returns its id
    /// and the plan request for worker 0. Stop the current job first ([`Jobs::stop_all`]).
    pub fn start_spread(
        &mut self,
        config: Config,
        sql_choices: ScriptChoices,
        workers: usize,
        file: F,
        now_ms: f64,
    ) -> (u32, WorkerRequest) {
        let (job_id, _, _) = self.start(
            JobKind::Sql,
            config.clone(),
            sql_choices.clone(),
            file,
            now_ms,
        );
        let job = PieceJob {
            config,
            script: sql_choices,
        };
        self.spread = Some(Spread::Planning {
            job: job.clone(),
            workers,
        });
        (job_id, WorkerRequest::Piece(PieceRequest::Plan(job)))
    }

    /// Pieces of the spread job that arrived before an earlier one and wait to be appended.
    pub fn early_pieces(&self) -> usize {
        match &self.spread {
            Some(Spread::Assembling(assembly)) => assembly.early(),
            _ => 0,
        }
    }

    /// Piece `idx` of job `job_id` was sent as `request_id`.
    pub fn piece_sent(&mut self, job_id: u32, idx: usize, request_id: RequestId) {
        if self.current(job_id).is_some()
            && let Some(Spread::Assembling(assembly)) = self.spread.as_mut()
        {
            assembly.sent(idx, request_id);
        }
    }

    /// What to do with a reply to spread job `job_id` (its plan or a piece), at `now_ms`;
    /// `push` appends bytes to the file.
    pub fn spread_reply(
        &mut self,
        job_id: u32,
        reply: Reply<WorkerEvent>,
        push: impl FnMut(&mut F, &[u8]) -> Result<(), String>,
        now_ms: f64,
    ) -> Todo<F> {
        if self.current(job_id).is_none() {
            return Todo::Nothing;
        }
        match reply {
            Reply::Event(WorkerEvent::Piece(PieceEvent::Planned(plan))) => {
                let Some(Spread::Planning { job, workers }) = self.spread.take() else {
                    return Todo::Nothing;
                };
                // The plan request is over: only the pieces' requests are left to cancel.
                if let Some(current) = self.current(job_id) {
                    current.request_id = None;
                }
                let mut assembly = Assembly::new(job, plan, workers);
                let handouts = assembly.hand_out();
                self.spread = Some(Spread::Assembling(Box::new(assembly)));
                Todo::Spread {
                    progress: None,
                    handouts,
                }
            }
            Reply::Event(WorkerEvent::Piece(PieceEvent::Piece(piece))) => {
                match self.append(job_id, piece, push, now_ms) {
                    Ok(todo) => todo,
                    Err(message) => self.abandon(job_id, message),
                }
            }
            Reply::Event(_) | Reply::Finished | Reply::Cancelled => Todo::Nothing,
            Reply::Failed(message) => self.abandon(job_id, message),
            Reply::Died(reason) => {
                self.abandon(job_id, format!("a generator worker stopped: {reason}"))
            }
        }
    }

    /// Appends what `piece` completes; finishes the job when it was the last.
    fn append(
        &mut self,
        job_id: u32,
        piece: super::spread::Piece,
        mut push: impl FnMut(&mut F, &[u8]) -> Result<(), String>,
        now_ms: f64,
    ) -> Result<Todo<F>, String> {
        let (Some(job), Some(Spread::Assembling(assembly))) =
            (self.current.as_mut(), self.spread.as_mut())
        else {
            return Ok(Todo::Nothing);
        };
        for chunk in assembly.arrived(piece)? {
            push(&mut job.file, &chunk.0)?;
        }
        if assembly.is_complete() {
            let summary = assembly.summary();
            self.spread = None;
            let Some(job) = self.take(job_id) else {
                return Ok(Todo::Nothing);
            };
            let worker_ms = now_ms - job.started_ms;
            return Ok(Todo::Finish {
                job,
                summary,
                worker_ms,
                disk_file: None,
            });
        }
        let (rows_done, rows_total) = assembly.rows();
        let bytes = assembly.bytes();
        Ok(Todo::Spread {
            progress: Some(Action::Progress {
                job_id,
                rows_done,
                rows_total,
                bytes,
            }),
            handouts: assembly.hand_out(),
        })
    }

    /// Spread job `job_id` failed with `message`: every open request to cancel, and the failure.
    fn abandon(&mut self, job_id: u32, message: String) -> Todo<F> {
        let open = self.stop_all();
        Todo::Abandon(
            open,
            Action::Failed {
                job_id: Some(job_id),
                message,
            },
        )
    }

    /// The current job, if it is `job_id`.
    pub fn current(&mut self, job_id: u32) -> Option<&mut Collecting<F>> {
        self.current.as_mut().filter(|job| job.job_id == job_id)
    }

    /// Takes the current job if it is `job_id`.
    fn take(&mut self, job_id: u32) -> Option<Collecting<F>> {
        self.current.take_if(|job| job.job_id == job_id)
    }

    /// Keeps a chunk of job `job_id`'s file with `push` (which says how many bytes the file
    /// holds now): the progress to report, or the failure.
    pub fn keep(
        &mut self,
        job_id: u32,
        (rows_done, rows_total): (u64, u64),
        push: impl FnOnce(&mut F) -> Result<u64, String>,
    ) -> Todo<F> {
        let Some(job) = self.current(job_id) else {
            return Todo::Nothing;
        };
        match push(&mut job.file) {
            Ok(bytes) => Todo::Dispatch(Action::Progress {
                job_id,
                rows_done,
                rows_total,
                bytes,
            }),
            Err(message) => self.fail(job_id, message),
        }
    }

    /// Job `job_id` failed with `message`: what to do, if it is still current.
    pub fn fail(&mut self, job_id: u32, message: String) -> Todo<F> {
        let Some(job) = self.take(job_id) else {
            return Todo::Nothing;
        };
        let failed = Action::Failed {
            job_id: Some(job_id),
            message,
        };
        Todo::Fail(job.request_id, failed)
    }

    /// What to do with a reply to job `job_id`.
    pub fn reply(&mut self, job_id: u32, reply: Reply<WorkerEvent>) -> Todo<F> {
        match reply {
            Reply::Event(WorkerEvent::Chunk {
                bytes,
                rows_done,
                rows_total,
            }) => Todo::Keep {
                bytes,
                rows_done,
                rows_total,
            },
            Reply::Event(WorkerEvent::Progress {
                bytes,
                rows_done,
                rows_total,
            }) => Todo::Dispatch(Action::Progress {
                job_id,
                rows_done,
                rows_total,
                bytes,
            }),
            Reply::Event(WorkerEvent::Done {
                summary,
                elapsed_ms,
                disk_file,
            }) => match self.take(job_id) {
                Some(job) => Todo::Finish {
                    job,
                    summary,
                    worker_ms: elapsed_ms,
                    disk_file,
                },
                None => Todo::Nothing,
            },
            Reply::Event(WorkerEvent::Piece(_)) | Reply::Finished | Reply::Cancelled => {
                Todo::Nothing
            }
            Reply::Failed(message) => self.fail(job_id, message),
            // The section hears of the dead worker through its status.
            Reply::Died(_) => {
                self.take(job_id);
                Todo::Nothing
            }
        }
    }
}

#[cfg(test)]
mod tests;
