//! The bridge to the generator worker: starts jobs, turns chunks into Blobs, reports to the reducer.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::future::{Either, select};
use futures::{SinkExt, StreamExt};
use web_sys::Url;
use yew::prelude::*;
use yew_agent::reactor::ReactorSpawner;

use campus_gen::Config;

use crate::generator::state::{Action, JobKind, Output, State};
use crate::generator::worker::{Generator, Job, Request, Response, SqlChoices, Summary};
use crate::shared::disk::open_file;
use crate::shared::download::{BlobBuilder, revoke};
use crate::shared::now_ms;

/// The worker's loader, `web/worker_loader.js` (copied by Trunk, see `index.html`); relative, so
/// the page works under any sub-path.
pub const WORKER_LOADER: &str = "worker_loader.js";

/// With no message from the worker for this long during a job, the worker is presumed dead
/// (a panic or running out of memory in a worker is otherwise silent).
const WATCHDOG_MS: f64 = 30_000.0;

/// A worker not ready this long after the page started has failed to load (its wasm could not be
/// fetched or compiled); there is no other sign of it.
const STARTUP_MS: f64 = 15_000.0;

/// What the page can do with the worker.
#[derive(Clone)]
pub struct GeneratorHandle {
    inner: Rc<Inner>,
}

impl PartialEq for GeneratorHandle {
    fn eq(&self, other: &GeneratorHandle) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

struct Inner {
    requests: mpsc::UnboundedSender<Request>,
    dispatch: UseReducerDispatcher<State>,
    current: RefCell<Option<Collecting>>,
    next_job_id: std::cell::Cell<u32>,
    /// Object URLs of the files on offer, freed when replaced.
    urls: RefCell<Vec<String>>,
}

/// The job whose chunks are being collected.
struct Collecting {
    job_id: u32,
    kind: JobKind,
    config: Config,
    sql_choices: SqlChoices,
    file_name: &'static str,
    file: BlobBuilder,
    started_ms: f64,
}

impl GeneratorHandle {
    /// Starts `Create_FullDB.sql` for this config; replaces whatever was running.
    pub fn generate(&self, config: Config, sql_choices: SqlChoices) {
        for url in self.inner.urls.borrow_mut().drain(..) {
            revoke(&url);
        }
        let job = Job::Sql {
            config: config.clone(),
            sql: sql_choices.clone(),
        };
        self.start(JobKind::Sql, job, config, sql_choices, "application/sql");
    }

    /// Starts the zip of every table as CSV.
    pub fn build_zip(&self, config: Config) {
        let job = Job::CsvZip {
            config: config.clone(),
        };
        self.start(
            JobKind::CsvZip,
            job,
            config,
            SqlChoices::default(),
            "application/zip",
        );
    }

    fn start(
        &self,
        kind: JobKind,
        job: Job,
        config: Config,
        sql_choices: SqlChoices,
        mime: &'static str,
    ) {
        let job_id = self.inner.next_job_id.get() + 1;
        let file_name = job.file_name();
        self.inner.next_job_id.set(job_id);
        *self.inner.current.borrow_mut() = Some(Collecting {
            job_id,
            kind,
            config,
            sql_choices,
            file_name,
            file: BlobBuilder::new(mime),
            started_ms: now_ms(),
        });
        self.inner
            .dispatch
            .dispatch(Action::Started { job_id, kind });
        let _ = self
            .inner
            .requests
            .unbounded_send(Request::Start { job_id, job });
    }

    pub fn cancel(&self) {
        if let Some(job) = self.inner.current.borrow_mut().take() {
            let _ = self
                .inner
                .requests
                .unbounded_send(Request::Cancel { job_id: job.job_id });
        }
        self.inner.dispatch.dispatch(Action::CancelRequested);
    }

    fn on_response(&self, response: Response) {
        let dispatch = &self.inner.dispatch;
        match response {
            Response::Ready => dispatch.dispatch(Action::WorkerReady),
            Response::Chunk {
                job_id,
                bytes,
                rows_done,
                rows_total,
            } => {
                let mut current = self.inner.current.borrow_mut();
                let Some(job) = current.as_mut().filter(|j| j.job_id == job_id) else {
                    return;
                };
                if let Err(message) = job.file.push(&bytes.0) {
                    *current = None;
                    drop(current);
                    let _ = self
                        .inner
                        .requests
                        .unbounded_send(Request::Cancel { job_id });
                    dispatch.dispatch(Action::Failed {
                        job_id: Some(job_id),
                        message,
                    });
                    return;
                }
                let bytes = job.file.bytes();
                drop(current);
                let _ = self.inner.requests.unbounded_send(Request::More { job_id });
                dispatch.dispatch(Action::Progress {
                    job_id,
                    rows_done,
                    rows_total,
                    bytes,
                });
            }
            Response::Progress {
                job_id,
                bytes,
                rows_done,
                rows_total,
            } => {
                let is_current = self
                    .inner
                    .current
                    .borrow()
                    .as_ref()
                    .is_some_and(|j| j.job_id == job_id);
                if is_current {
                    let _ = self.inner.requests.unbounded_send(Request::More { job_id });
                    dispatch.dispatch(Action::Progress {
                        job_id,
                        rows_done,
                        rows_total,
                        bytes,
                    });
                }
            }
            Response::Done {
                job_id,
                summary,
                disk_file,
            } => {
                let mut current = self.inner.current.borrow_mut();
                let Some(job) = current.take_if(|j| j.job_id == job_id) else {
                    return;
                };
                drop(current);
                let handle = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    handle.finish(job, summary, disk_file).await
                });
            }
            Response::Cancelled { .. } => {}
            Response::Failed { job_id, message } => {
                let taken = self
                    .inner
                    .current
                    .borrow_mut()
                    .take_if(|j| j.job_id == job_id);
                if taken.is_some() {
                    dispatch.dispatch(Action::Failed {
                        job_id: Some(job_id),
                        message,
                    });
                }
            }
        }
    }

    /// Offers the finished file: the worker's file on disk, or the Blob of the chunks received.
    async fn finish(&self, job: Collecting, summary: Summary, disk_file: Option<String>) {
        let job_id = job.job_id;
        let on_disk = disk_file.is_some();
        let url = match disk_file {
            Some(name) => match open_file(&name).await {
                Ok(file) => Url::create_object_url_with_blob(&file)
                    .map_err(|err| format!("the browser could not offer the file: {err:?}")),
                Err(message) => Err(message),
            },
            None => job.file.finish(),
        };
        let url = match url {
            Ok(url) => url,
            Err(message) => {
                return self.inner.dispatch.dispatch(Action::Failed {
                    job_id: Some(job_id),
                    message,
                });
            }
        };
        self.inner.urls.borrow_mut().push(url.clone());
        let page_ms = now_ms() - job.started_ms;
        let output = Output {
            url,
            file_name: job.file_name.into(),
            summary,
            page_ms,
            on_disk,
        };
        self.inner.dispatch.dispatch(match job.kind {
            JobKind::Sql => Action::SqlDone {
                job_id,
                config: job.config,
                sql_choices: job.sql_choices,
                output,
            },
            JobKind::CsvZip => Action::ZipDone { job_id, output },
        });
    }

    /// True when a job is being collected and the worker has been silent too long.
    fn is_stalled(&self, last_message_ms: f64) -> bool {
        self.inner.current.borrow().is_some() && now_ms() - last_message_ms > WATCHDOG_MS
    }
}

/// Spawns the worker once per component and keeps it for the page's lifetime.
#[hook]
pub fn use_generator(dispatch: UseReducerDispatcher<State>) -> GeneratorHandle {
    let handle = use_memo((), move |_| {
        let (requests, mut outgoing) = mpsc::unbounded::<Request>();
        let handle = GeneratorHandle {
            inner: Rc::new(Inner {
                requests,
                dispatch,
                current: RefCell::new(None),
                next_job_id: std::cell::Cell::new(0),
                urls: RefCell::new(Vec::new()),
            }),
        };
        let bridge = ReactorSpawner::<Generator>::new()
            .with_loader(true)
            .as_module(false)
            .spawn(WORKER_LOADER);
        let (mut to_worker, mut from_worker) = bridge.split();
        wasm_bindgen_futures::spawn_local(async move {
            while let Some(request) = outgoing.next().await {
                if to_worker.send(request).await.is_err() {
                    return;
                }
            }
        });
        let receiver = handle.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let started_ms = now_ms();
            let mut last_message_ms = started_ms;
            let mut is_ready = false;
            let mut startup_reported = false;
            loop {
                match select(from_worker.next(), Box::pin(sleep(5_000))).await {
                    Either::Left((Some(response), _)) => {
                        last_message_ms = now_ms();
                        is_ready |= response == Response::Ready;
                        receiver.on_response(response);
                    }
                    Either::Left((None, _)) => return,
                    Either::Right(_) => {
                        let message = if !is_ready
                            && !startup_reported
                            && now_ms() - started_ms > STARTUP_MS
                        {
                            startup_reported = true;
                            "The generator could not start: this browser could not load its WebAssembly worker. \
                             Reload the page, or try a current Chromium, Chrome, Edge or Firefox."
                        } else if receiver.is_stalled(last_message_ms) {
                            receiver.inner.current.borrow_mut().take();
                            "The generator stopped responding (it may have run out of memory). \
                             Reload the page to try again."
                        } else {
                            continue;
                        };
                        let message = message.to_owned();
                        receiver.inner.dispatch.dispatch(Action::Failed {
                            job_id: None,
                            message,
                        });
                    }
                }
            }
        });
        handle
    });
    (*handle).clone()
}

/// Resolves after `ms` milliseconds (never, if the page has no window).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
