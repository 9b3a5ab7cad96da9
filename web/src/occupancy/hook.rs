//! The occupancy section's side effects: the worker (through [`WorkerClient`]), the IndexedDB
//! registry ([`super::versions`]), file reading and downloads. [`use_occupancy`] returns an
//! [`OccupancyHandle`] whose methods start them and report through the reducer.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::Uint8Array;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::File;
use yew::prelude::*;

use campus_jobs::occupancy::{Event, Request};
use campus_occupancy::{GenerateConfig, Session, TrainConfig};

use campus_jobs::occupancy::guard::content_hash;

use super::registry::Registry;
use super::state::{Action, ActiveModel, JobKind, State};
use super::versions::Origin;
use crate::shared::worker::{Reply, RequestId, WorkerClient, WorkerStatus};

/// The worker's loader, `web/occupancy_worker_loader.js` (copied by Trunk, see `index.html`).
pub const WORKER_LOADER: &str = "occupancy_worker_loader.js";

/// The page's handle on the occupancy worker and registry. Clones share them.
#[derive(Clone)]
pub struct OccupancyHandle {
    pub(super) inner: Rc<Inner>,
}

impl PartialEq for OccupancyHandle {
    fn eq(&self, other: &OccupancyHandle) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

pub(super) struct Inner {
    dispatch: UseReducerDispatcher<State>,
    client: RefCell<Option<WorkerClient<Request, Event>>>,
    current: RefCell<Option<Job>>,
    /// Has a worker said `Ready` yet? One that dies before that is not coming back.
    ever_ready: Cell<bool>,
    pub(super) registry: RefCell<Option<Registry>>,
    /// The last export's object URL, freed at the next export.
    pub(super) export_url: RefCell<Option<String>>,
}

/// The request the worker is busy with.
struct Job {
    id: RequestId,
    kind: JobKind,
    /// The file name of an import, else what makes the sessions.
    source: String,
    /// An imported file's content hash.
    content_hash: Option<String>,
    /// What a training run is judged against when it ends.
    training: Option<(Rc<Vec<Session>>, Option<ActiveModel>)>,
    cancelling: bool,
}

impl OccupancyHandle {
    fn new(dispatch: UseReducerDispatcher<State>) -> OccupancyHandle {
        let handle = OccupancyHandle {
            inner: Rc::new(Inner {
                dispatch,
                client: RefCell::new(None),
                current: RefCell::new(None),
                ever_ready: Cell::new(false),
                registry: RefCell::new(None),
                export_url: RefCell::new(None),
            }),
        };
        let weak = Rc::downgrade(&handle.inner);
        let on_status = Callback::from(move |status| {
            if let Some(handle) = upgrade(&weak) {
                handle.on_status(status);
            }
        });
        let client = WorkerClient::spawn(WORKER_LOADER, on_status);
        *handle.inner.client.borrow_mut() = Some(client);
        let loader = handle.clone();
        spawn_local(async move { loader.load_registry().await });
        handle
    }

    pub(super) fn dispatch(&self, action: Action) {
        self.inner.dispatch.dispatch(action);
    }

    fn client(&self) -> Option<WorkerClient<Request, Event>> {
        self.inner.client.borrow().clone()
    }

    fn on_status(&self, status: WorkerStatus) {
        match status {
            WorkerStatus::Ready => {
                self.inner.ever_ready.set(true);
                self.dispatch(Action::WorkerReady);
            }
            // A request it held has been told already; a worker that never started is not
            // restarted.
            WorkerStatus::Died(_) if !self.inner.ever_ready.get() => {
                self.dispatch(Action::Failed {
                    message: "The occupancy worker could not load. Reload the page to try again."
                        .to_owned(),
                });
            }
            WorkerStatus::Died(_) => {}
        }
    }

    fn start(&self, mut job: Job, request: Request) {
        let Some(client) = self.client() else {
            return self.dispatch(Action::Failed {
                message: "the occupancy worker is not running".to_owned(),
            });
        };
        let this_id = Rc::new(Cell::new(0));
        let weak = Rc::downgrade(&self.inner);
        let on_reply = Callback::from({
            let this_id = this_id.clone();
            move |reply| {
                if let Some(handle) = upgrade(&weak) {
                    handle.on_reply(this_id.get(), reply);
                }
            }
        });
        job.id = client.request(request, on_reply);
        this_id.set(job.id);
        let (job_id, kind) = (job.id, job.kind);
        *self.inner.current.borrow_mut() = Some(job);
        self.dispatch(Action::Started { job_id, kind });
    }

    /// Generates sessions in the worker; they replace the dataset.
    pub fn generate(&self, config: GenerateConfig) {
        let source = format!("Generated (seed {})", config.seed);
        self.start(job(JobKind::Generate, source), Request::Generate { config });
    }

    /// Reads a CSV file and parses it in the worker; its sessions are appended.
    pub fn import_csv(&self, file: File) {
        let handle = self.clone();
        spawn_local(async move {
            let file_name = file.name();
            let bytes = match read_file(&file).await {
                Ok(bytes) => bytes,
                Err(message) => return handle.dispatch(Action::Failed { message }),
            };
            let job = Job {
                content_hash: Some(content_hash(&bytes)),
                ..job(JobKind::Import, file_name.clone())
            };
            handle.start(job, Request::Import { file_name, bytes });
        });
    }

    /// Trains all three models on `sessions` in the worker; the result becomes a new version,
    /// which replaces `serving` only if it is at least as good.
    pub fn train(
        &self,
        sessions: Rc<Vec<Session>>,
        serving: Option<ActiveModel>,
        config: TrainConfig,
    ) {
        let request = Request::Train {
            sessions: sessions.to_vec(),
            config,
            created_at: String::from(js_sys::Date::new_0().to_iso_string()),
        };
        let job = Job {
            training: Some((sessions, serving)),
            ..job(JobKind::Train, String::new())
        };
        self.start(job, request);
    }

    /// Asks the worker to stop the running job between two steps (the client restarts a
    /// worker that does not stop within its grace period).
    pub fn cancel(&self) {
        let id = match self.inner.current.borrow_mut().as_mut() {
            Some(job) if !job.cancelling => {
                job.cancelling = true;
                job.id
            }
            _ => return,
        };
        if let Some(client) = self.client() {
            client.cancel(id);
        }
    }

    fn on_reply(&self, id: RequestId, reply: Reply<Event>) {
        match reply {
            Reply::Event(event) => self.on_event(id, event),
            Reply::Finished => {}
            Reply::Failed(message) => {
                if self.take_job(id).is_some() {
                    self.dispatch(Action::Failed { message });
                }
            }
            Reply::Cancelled => {
                if self.take_job(id).is_some() {
                    self.dispatch(Action::Cancelled);
                    // The same worker goes on.
                    self.dispatch(Action::WorkerReady);
                }
            }
            Reply::Died(reason) => match self.take_job(id) {
                Some(job) if job.cancelling => self.dispatch(Action::Cancelled),
                Some(_) => self.dispatch(Action::Failed {
                    message: format!(
                        "The occupancy worker stopped ({reason}); it has been restarted."
                    ),
                }),
                None => {}
            },
        }
    }

    fn on_event(&self, id: RequestId, event: Event) {
        match event {
            Event::Progress(progress) => self.dispatch(Action::Progress {
                job_id: id,
                progress,
            }),
            Event::Sessions {
                sessions,
                errors,
                n_bad_rows,
            } => {
                let Some(job) = self.take_job(id) else { return };
                self.dispatch(Action::SessionsLoaded {
                    job_id: id,
                    sessions,
                    append: job.kind == JobKind::Import,
                    errors,
                    n_bad_rows,
                    source: job.source,
                    content_hash: job.content_hash,
                });
            }
            Event::Trained { bundle, timings } => {
                let Some((sessions, serving)) = self.take_job(id).and_then(|j| j.training) else {
                    return;
                };
                let handle = self.clone();
                spawn_local(async move {
                    let origin = Origin::Trained {
                        sessions,
                        serving,
                        timings,
                    };
                    if let Err(message) = handle.add_version(bundle, origin).await {
                        handle.dispatch(Action::Failed { message });
                    }
                });
            }
            Event::CrossValidated { .. } | Event::Predicted { .. } => {}
        }
    }

    fn take_job(&self, id: RequestId) -> Option<Job> {
        self.inner.current.borrow_mut().take_if(|j| j.id == id)
    }
}

/// A job of `kind` before the worker gave it an id.
fn job(kind: JobKind, source: String) -> Job {
    Job {
        id: 0,
        kind,
        source,
        content_hash: None,
        training: None,
        cancelling: false,
    }
}

fn upgrade(weak: &Weak<Inner>) -> Option<OccupancyHandle> {
    weak.upgrade().map(|inner| OccupancyHandle { inner })
}

/// The whole file's bytes.
pub async fn read_file(file: &File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|err| format!("could not read {}: {err:?}", file.name()))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Starts the worker and opens the registry once per component.
#[hook]
pub fn use_occupancy(dispatch: UseReducerDispatcher<State>) -> OccupancyHandle {
    let handle = use_memo((), move |_| OccupancyHandle::new(dispatch));
    (*handle).clone()
}
