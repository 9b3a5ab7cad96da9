//! The page's side of the occupancy worker, browser-free: the job in flight, what each answer
//! means for the section ([`Action`]s), and how a new version is recorded and admitted.

use std::rc::Rc;

use campus_occupancy::forest::ForestJob;
use campus_occupancy::{GenerateConfig, ModelBundle, Session, TrainConfig};

use super::guard::{Admission, admit, content_hash};
use super::registry::VersionMeta;
use super::state::{Action, ActiveModel, JobKind};
use super::{Event, Request, Timings};
use crate::wire::Unanswered;

/// Where a new version comes from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// Trained on this page on `sessions`, while `serving` served.
    Trained {
        sessions: Rc<Vec<Session>>,
        serving: Option<ActiveModel>,
        timings: Timings,
    },
    /// Imported from the named file.
    File(String),
}

/// A job before the worker has it: what the answer will be taken with.
#[derive(Clone, Debug)]
pub struct Job {
    kind: JobKind,
    /// The file name of an import, else what makes the sessions.
    source: String,
    content_hash: Option<String>,
    training: Option<(Rc<Vec<Session>>, Option<ActiveModel>)>,
}

impl Job {
    fn new(kind: JobKind, source: String) -> Job {
        Job {
            kind,
            source,
            content_hash: None,
            training: None,
        }
    }

    /// Seeded sessions that replace the dataset.
    pub fn generate(config: GenerateConfig) -> (Job, Request) {
        let source = format!("Generated (seed {})", config.seed);
        (
            Job::new(JobKind::Generate, source),
            Request::Generate { config },
        )
    }

    /// A CSV file's sessions, appended to the dataset unless the file was imported before.
    pub fn import(file_name: String, bytes: Vec<u8>) -> (Job, Request) {
        let job = Job {
            content_hash: Some(content_hash(&bytes)),
            ..Job::new(JobKind::Import, file_name.clone())
        };
        (job, Request::Import { file_name, bytes })
    }

    /// A CSV file's sessions imported in slices: the request that starts it, under whose id
    /// the tracker follows the whole import ([`Tracker::next_slice`]); the answer to
    /// [`Request::ImportEnd`] carries the content hash.
    pub fn import_file(file_name: String) -> (Job, Request) {
        let job = Job::new(JobKind::Import, file_name.clone());
        (job, Request::ImportBegin { file_name })
    }

    /// A training run on `sessions`, judged against `serving` when it ends.
    pub fn train(
        sessions: Rc<Vec<Session>>,
        serving: Option<ActiveModel>,
        config: TrainConfig,
        created_at: String,
    ) -> (Job, Request) {
        let request = Request::Train {
            sessions: sessions.to_vec(),
            config,
            created_at,
        };
        let job = Job {
            training: Some((sessions, serving)),
            ..Job::new(JobKind::Train, String::new())
        };
        (job, request)
    }

    /// A training run as [`Job::train`], with the forest's chunks of trees fitted by several
    /// workers ([`super::forest_relay`]): the tracker follows it under the id of its first
    /// request, which stops at the forest ([`Next::SpreadForest`]).
    pub fn train_spread(
        sessions: Rc<Vec<Session>>,
        serving: Option<ActiveModel>,
        config: TrainConfig,
        created_at: String,
    ) -> (Job, Request) {
        let (job, request) = Job::train(sessions, serving, config, created_at);
        let Request::Train {
            sessions,
            config,
            created_at,
        } = request
        else {
            return (job, request);
        };
        let request = Request::TrainSpread {
            sessions,
            config,
            created_at,
        };
        (job, request)
    }
}

/// How a request ended without its answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    Failed(String),
    Cancelled,
    /// The worker died (and is restarted).
    Died(String),
}

impl From<Unanswered> for Ending {
    fn from(unanswered: Unanswered) -> Ending {
        match unanswered {
            Unanswered::Cancelled => Ending::Cancelled,
            Unanswered::Died(reason) => Ending::Died(reason),
            other => Ending::Failed(other.to_string()),
        }
    }
}

/// What the page does with an event.
pub enum Next {
    Dispatch(Action),
    /// Store the trained bytes as a new version.
    Store {
        bytes: Vec<u8>,
        origin: Origin,
    },
    /// The training stopped at its forest: fit its chunks of trees over the workers
    /// ([`super::forest_relay::ForestRelay`]).
    SpreadForest {
        job: ForestJob,
        chunks: usize,
    },
    /// The job is over (cancelled while it stopped at its forest): these report it.
    Ended(Vec<Action>),
}

/// The job in flight and the worker's liveness, as the page sees them.
#[derive(Debug, Default)]
pub struct Tracker {
    current: Option<(u32, Job)>,
    cancelling: bool,
    ever_ready: bool,
}

impl Tracker {
    /// The worker gave `job` the id `id`.
    pub fn started(&mut self, id: u32, job: Job) -> Action {
        let kind = job.kind;
        self.current = Some((id, job));
        self.cancelling = false;
        Action::Started { job_id: id, kind }
    }

    /// The job to cancel, unless none runs or it is being cancelled already.
    pub fn cancel(&mut self) -> Option<u32> {
        let (id, _) = self.current.as_ref().filter(|_| !self.cancelling)?;
        self.cancelling = true;
        Some(*id)
    }

    pub fn worker_ready(&mut self) -> Action {
        self.ever_ready = true;
        Action::WorkerReady
    }

    /// A worker died. An open request has been told already; one that never started is not
    /// restarted, so the user is told to reload.
    pub fn worker_died(&self) -> Option<Action> {
        (!self.ever_ready).then(|| Action::Failed {
            message: "The occupancy worker could not load. Reload the page to try again."
                .to_owned(),
        })
    }

    /// Between two slices of a file import, or two chunks of trees of a training, followed
    /// under `id`: `Ok` to send the next one;
    /// else the import is over (failed or cancelled and reported already, or cancelled now),
    /// with the actions that report it.
    pub fn next_slice(&mut self, id: u32) -> Result<(), Vec<Action>> {
        match &self.current {
            Some((current, _)) if *current == id && !self.cancelling => Ok(()),
            Some((current, _)) if *current == id => Err(self.end(id, Ending::Cancelled)),
            _ => Err(Vec::new()),
        }
    }

    fn take(&mut self, id: u32) -> Option<Job> {
        self.current.take_if(|(j, _)| *j == id).map(|(_, job)| job)
    }

    /// What an event of request `id` means; nothing for a request no longer followed.
    pub fn event(&mut self, id: u32, event: Event) -> Option<Next> {
        match event {
            Event::Progress(progress) => Some(Next::Dispatch(Action::Progress {
                job_id: id,
                progress,
            })),
            Event::Sessions {
                sessions,
                errors,
                n_bad_rows,
            } => {
                let job = self.take(id)?;
                Some(Next::Dispatch(Action::SessionsLoaded {
                    job_id: id,
                    sessions,
                    append: job.kind == JobKind::Import,
                    errors,
                    n_bad_rows,
                    source: job.source,
                    content_hash: job.content_hash,
                }))
            }
            Event::Imported {
                sessions,
                errors,
                n_bad_rows,
                content_hash,
            } => {
                let job = self.take(id)?;
                Some(Next::Dispatch(Action::SessionsLoaded {
                    job_id: id,
                    sessions,
                    append: true,
                    errors,
                    n_bad_rows,
                    source: job.source,
                    content_hash: Some(content_hash),
                }))
            }
            Event::Trained { bundle, timings } => {
                let (sessions, serving) = self.take(id)?.training?;
                Some(Next::Store {
                    bytes: bundle,
                    origin: Origin::Trained {
                        sessions,
                        serving,
                        timings,
                    },
                })
            }
            Event::ForestPaused { job, chunks } => Some(match self.next_slice(id) {
                Ok(()) => Next::SpreadForest { job, chunks },
                Err(actions) => Next::Ended(actions),
            }),
            Event::ImportRead { .. }
            | Event::ForestBegun
            | Event::ForestChunk { .. }
            | Event::CrossValidated { .. }
            | Event::Predicted { .. }
            | Event::PredictedRows { .. }
            | Event::PredictDone { .. }
            | Event::Sql { .. } => None,
        }
    }

    /// Request `id` finished. Its answer is dropped when it was being cancelled (the worker
    /// finished it before the cancel arrived), so it ends as cancelled; else nothing (its answer
    /// came, or a training goes on with its forest under this id).
    pub fn finished(&mut self, id: u32) -> Vec<Action> {
        if self.cancelling {
            self.end(id, Ending::Cancelled)
        } else {
            Vec::new()
        }
    }

    /// What the end of request `id` without an answer means.
    pub fn end(&mut self, id: u32, ending: Ending) -> Vec<Action> {
        let cancelling = self.cancelling;
        if self.take(id).is_none() {
            return Vec::new();
        }
        match ending {
            Ending::Failed(message) => vec![Action::Failed { message }],
            // The same worker goes on.
            Ending::Cancelled => vec![Action::Cancelled, Action::WorkerReady],
            Ending::Died(_) if cancelling => vec![Action::Cancelled],
            Ending::Died(reason) => vec![Action::Failed {
                message: format!("The occupancy worker stopped ({reason}); it has been restarted."),
            }],
        }
    }
}

/// The record of version `id` (`n_bytes` long) and whether it serves at once ([`admit`]).
pub fn record(
    id: u32,
    bundle: &ModelBundle,
    origin: &Origin,
    n_bytes: usize,
) -> (VersionMeta, Admission) {
    let (label, timings, admission) = match origin {
        Origin::Trained {
            sessions,
            serving,
            timings,
        } => {
            let serving = serving.as_ref().map(|a| (a.id, a.bundle.as_ref()));
            let what = format!("Trained on {} sessions", sessions.len());
            let admission = admit(id, bundle, Some(sessions), serving, &what);
            ("trained here".to_owned(), Some(*timings), admission)
        }
        Origin::File(name) => {
            let admission = admit(id, bundle, None, None, &format!("Imported {name}"));
            (format!("imported from {name}"), None, admission)
        }
    };
    let mut meta = VersionMeta::new(id, bundle, label, n_bytes, timings);
    meta.ranges = admission.ranges.clone();
    (meta, admission)
}

/// The action that adds a stored version: serving ([`Action::VersionAdded`]) or waiting for a
/// promotion ([`Action::VersionKept`]).
pub fn added(meta: VersionMeta, admission: Admission, bundle: ModelBundle) -> Action {
    let (id, timings, message) = (meta.id, meta.timings, admission.message);
    let meta = Box::new(meta);
    if !admission.serve {
        return Action::VersionKept {
            meta,
            timings,
            message,
        };
    }
    let active = ActiveModel {
        id,
        bundle: Rc::new(bundle),
    };
    Action::VersionAdded {
        meta,
        active,
        timings,
        message,
    }
}
