//! The database section's side effects: the database worker (through [`WorkerClient`]), reading
//! an opened file and handing downloads to the browser. What each answer means is
//! `campus_jobs::db::page::answer`.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_file::futures::read_as_bytes;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::File;
use yew::prelude::*;

use campus_jobs::Notice;
use campus_jobs::db::page::{Job, Next, answer, run_for};
use campus_jobs::db::{DbEvent, DbRequest, sessions_table, staging_table};

use super::state::{Action, DbState};
use crate::shared::download::{BlobBuilder, revoke};
use crate::shared::now_ms;
use crate::shared::worker::{Reply, RequestId, WorkerClient, WorkerStatus};

/// The worker's loader, `web/db_worker_loader.js` (copied by Trunk, see `index.html`).
pub const WORKER_LOADER: &str = "db_worker_loader.js";

/// The page's handle on the database worker. Clones share it.
#[derive(Clone)]
pub struct DbHandle {
    inner: Rc<Inner>,
}

impl PartialEq for DbHandle {
    fn eq(&self, other: &DbHandle) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

struct Inner {
    dispatch: UseReducerDispatcher<DbState>,
    client: RefCell<Option<WorkerClient<DbRequest, DbEvent>>>,
    /// The request in flight, to stop it.
    running: Cell<Option<RequestId>>,
}

impl DbHandle {
    fn new(dispatch: UseReducerDispatcher<DbState>) -> DbHandle {
        let handle = DbHandle {
            inner: Rc::new(Inner {
                dispatch,
                client: RefCell::new(None),
                running: Cell::new(None),
            }),
        };
        let weak = Rc::downgrade(&handle.inner);
        let on_status = Callback::from(move |status| {
            let Some(handle) = upgrade(&weak) else { return };
            match status {
                WorkerStatus::Ready => {
                    handle.dispatch(Action::WorkerReady);
                    // A new worker (a reload, or the restart that stopped a query) reopens the
                    // kept copy: ask what it holds.
                    handle.send(Job::Status, DbRequest::Status);
                }
                WorkerStatus::Died(_) => {
                    handle.inner.running.set(None);
                    handle.dispatch(Action::WorkerDied);
                }
            }
        });
        *handle.inner.client.borrow_mut() = Some(WorkerClient::spawn(WORKER_LOADER, on_status));
        handle
    }

    fn dispatch(&self, action: Action) {
        self.inner.dispatch.dispatch(action);
    }

    fn send(&self, job: Job, request: DbRequest) {
        let Some(client) = self.inner.client.borrow().clone() else {
            return self.dispatch(Action::Failed("the database worker is not running".into()));
        };
        let weak = Rc::downgrade(&self.inner);
        let on_reply = Callback::from(move |reply| {
            if let Some(handle) = upgrade(&weak) {
                handle.on_reply(job, reply);
            }
        });
        let id = client.request(request, on_reply);
        if job != Job::Status {
            self.inner.running.set(Some(id));
        }
    }

    fn on_reply(&self, job: Job, reply: Reply<DbEvent>) {
        match reply {
            Reply::Event(event) => match answer(job, event, now_ms()) {
                Next::Dispatch(action) => self.dispatch(action),
                Next::Download {
                    name,
                    mime,
                    bytes,
                    notice,
                } => self.dispatch(match offer(name, mime, &bytes) {
                    Ok(()) => Action::Done(notice),
                    Err(message) => Action::Done(Notice::error(message)),
                }),
            },
            Reply::Finished if job != Job::Status => {
                self.inner.running.set(None);
                self.dispatch(Action::Ended);
            }
            Reply::Finished => {}
            Reply::Failed(message) => self.dispatch(Action::Failed(message)),
            Reply::Cancelled => self.dispatch(Action::Cancelled),
            // The worker's status says it died; the reducer hears it once, from there.
            Reply::Died(_) => {}
        }
    }

    /// Loads the university the form describes.
    pub fn load(&self, state: &DbState) {
        let request = state.load_request();
        self.dispatch(Action::LoadStarted);
        if let Ok(request) = request {
            self.send(Job::Load, request);
        }
    }

    /// Adds the staging tables of the ETL section's last run next to what the database holds.
    pub fn add_staging(&self) {
        let files = crate::shared::handoff::staging();
        self.dispatch(Action::AddStarted);
        let handle = self.clone();
        spawn_local(async move {
            let mut tables = Vec::new();
            for (name, blob) in files {
                match read_as_bytes(&gloo_file::Blob::from(blob)).await {
                    Ok(bytes) => tables.extend(staging_table(&name, bytes)),
                    Err(err) => {
                        let message = format!("could not read {name}: {err}");
                        return handle.dispatch(Action::Failed(message));
                    }
                }
            }
            handle.send(Job::Load, DbRequest::LoadTables(tables));
        });
    }

    /// Adds the occupancy section's sessions as the table `occupancy_sessions`.
    pub fn add_sessions(&self) {
        let table = sessions_table(&crate::shared::handoff::sessions());
        self.dispatch(Action::AddStarted);
        self.send(Job::Load, DbRequest::LoadTables(vec![table]));
    }

    /// Runs the statement under `cursor`, or everything.
    pub fn run(&self, editor: &str, cursor: Option<usize>) {
        if let Some(run) = run_for(editor, cursor) {
            let request = run.request();
            self.dispatch(Action::RunStarted(run));
            self.send(
                Job::Run {
                    started_ms: now_ms(),
                },
                request,
            );
        }
    }

    /// Stops what runs: between two steps (a load), or by restarting the worker (a query).
    pub fn stop(&self) {
        if let (Some(id), Some(client)) = (
            self.inner.running.get(),
            self.inner.client.borrow().as_ref(),
        ) {
            client.cancel(id);
        }
    }

    pub fn check(&self, state: &DbState) {
        if let Some(request) = state.check_request() {
            self.dispatch(Action::CheckStarted);
            self.send(Job::Check, request);
        }
    }

    pub fn save(&self) {
        self.dispatch(Action::SaveStarted);
        self.send(Job::Save, DbRequest::Save);
    }

    pub fn export(&self, state: &DbState) {
        if let Some(request) = state.export_request() {
            self.dispatch(Action::ExportStarted);
            self.send(Job::Export, request);
        }
    }

    /// Reads a `.sqlite` file and opens it in the worker, replacing the database.
    pub fn open(&self, file: File) {
        self.dispatch(Action::OpenStarted);
        let handle = self.clone();
        spawn_local(async move {
            match read_as_bytes(&gloo_file::Blob::from(file.clone())).await {
                Ok(bytes) => handle.send(Job::Open, DbRequest::Open(bytes)),
                Err(err) => handle.dispatch(Action::Failed(format!(
                    "could not read {}: {err}",
                    file.name()
                ))),
            }
        });
    }
}

fn upgrade(weak: &Weak<Inner>) -> Option<DbHandle> {
    weak.upgrade().map(|inner| DbHandle { inner })
}

/// Hands `bytes` to the browser as the download `name`.
pub fn offer(name: &str, mime: &'static str, bytes: &[u8]) -> Result<(), String> {
    let mut blob = BlobBuilder::new(mime);
    blob.push(bytes)?;
    let url = blob.finish()?;
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or("the browser could not offer the file")?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The download has its own reference to the Blob once started.
    gloo_timers::callback::Timeout::new(60_000, move || revoke(&url)).forget();
    Ok(())
}

/// Starts the database worker once per component.
#[hook]
pub fn use_database(dispatch: UseReducerDispatcher<DbState>) -> DbHandle {
    let handle = use_memo((), move |_| DbHandle::new(dispatch));
    (*handle).clone()
}
