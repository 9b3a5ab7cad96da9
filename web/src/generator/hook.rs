//! The bridge to the generator worker: starts jobs, turns chunks into Blobs, reports to the reducer.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use web_sys::Url;
use yew::prelude::*;

use campus_gen::Config;
use campus_jobs::generate::{Request, ScriptChoices, Summary};

use crate::generator::state::{Action, JobKind, Output, State};
use crate::generator::worker::{WorkerEvent, file_name};
use crate::shared::disk::open_file;
use crate::shared::download::{BlobBuilder, revoke};
use crate::shared::now_ms;
use crate::shared::worker::{Reply, RequestId, WorkerClient, WorkerStatus};

/// The worker's loader, `web/worker_loader.js` (copied by Trunk, see `index.html`); relative, so
/// the page works under any sub-path.
pub const WORKER_LOADER: &str = "worker_loader.js";

type Client = WorkerClient<Request, WorkerEvent>;

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
    client: RefCell<Option<Client>>,
    dispatch: UseReducerDispatcher<State>,
    current: RefCell<Option<Collecting>>,
    next_job_id: Cell<u32>,
    /// Object URLs of the files on offer, freed when replaced.
    urls: RefCell<Vec<String>>,
}

/// The job whose chunks are being collected.
struct Collecting {
    job_id: u32,
    request_id: RequestId,
    kind: JobKind,
    config: Config,
    sql_choices: ScriptChoices,
    file_name: &'static str,
    file: BlobBuilder,
    started_ms: f64,
}

impl GeneratorHandle {
    /// Starts `Create_FullDB.sql` for this config; replaces whatever was running.
    pub fn generate(&self, config: Config, sql_choices: ScriptChoices) {
        for url in self.inner.urls.borrow_mut().drain(..) {
            revoke(&url);
        }
        let request = Request::Sql {
            config: config.clone(),
            script: sql_choices.clone(),
        };
        self.start(
            JobKind::Sql,
            request,
            config,
            sql_choices,
            "application/sql",
        );
    }

    /// Starts the zip of every table as CSV.
    pub fn build_zip(&self, config: Config) {
        let request = Request::CsvZip {
            config: config.clone(),
        };
        let choices = ScriptChoices::default();
        self.start(JobKind::CsvZip, request, config, choices, "application/zip");
    }

    fn client(&self) -> Option<Client> {
        self.inner.client.borrow().clone()
    }

    fn start(
        &self,
        kind: JobKind,
        request: Request,
        config: Config,
        sql_choices: ScriptChoices,
        mime: &'static str,
    ) {
        let Some(client) = self.client() else { return };
        self.stop_current(&client);
        let job_id = self.inner.next_job_id.get() + 1;
        self.inner.next_job_id.set(job_id);
        let file_name = file_name(&request);
        self.inner
            .dispatch
            .dispatch(Action::Started { job_id, kind });
        let handle = self.clone();
        let on_reply = Callback::from(move |reply| handle.on_reply(job_id, reply));
        let request_id = client.request(request, on_reply);
        *self.inner.current.borrow_mut() = Some(Collecting {
            job_id,
            request_id,
            kind,
            config,
            sql_choices,
            file_name,
            file: BlobBuilder::new(mime),
            started_ms: now_ms(),
        });
    }

    /// Cancels the job being collected, if any.
    fn stop_current(&self, client: &Client) {
        if let Some(job) = self.inner.current.borrow_mut().take() {
            client.cancel(job.request_id);
        }
    }

    pub fn cancel(&self) {
        if let Some(client) = self.client() {
            self.stop_current(&client);
        }
        self.inner.dispatch.dispatch(Action::CancelRequested);
    }

    fn fail(&self, job_id: u32, message: String) {
        let taken = self
            .inner
            .current
            .borrow_mut()
            .take_if(|j| j.job_id == job_id);
        if let Some(job) = taken {
            if let Some(client) = self.client() {
                client.cancel(job.request_id);
            }
            self.inner.dispatch.dispatch(Action::Failed {
                job_id: Some(job_id),
                message,
            });
        }
    }

    fn on_reply(&self, job_id: u32, reply: Reply<WorkerEvent>) {
        match reply {
            Reply::Event(WorkerEvent::Chunk {
                bytes,
                rows_done,
                rows_total,
            }) => self.on_chunk(job_id, &bytes.0, rows_done, rows_total),
            Reply::Event(WorkerEvent::Progress {
                bytes,
                rows_done,
                rows_total,
            }) => self.inner.dispatch.dispatch(Action::Progress {
                job_id,
                rows_done,
                rows_total,
                bytes,
            }),
            Reply::Event(WorkerEvent::Done {
                summary,
                elapsed_ms,
                disk_file,
            }) => {
                let taken = self
                    .inner
                    .current
                    .borrow_mut()
                    .take_if(|j| j.job_id == job_id);
                if let Some(job) = taken {
                    let handle = self.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        handle.finish(job, summary, elapsed_ms, disk_file).await
                    });
                }
            }
            Reply::Finished | Reply::Cancelled => {}
            Reply::Failed(message) => self.fail(job_id, message),
            // The section hears of the dead worker through its status.
            Reply::Died(_) => {
                self.inner
                    .current
                    .borrow_mut()
                    .take_if(|j| j.job_id == job_id);
            }
        }
    }

    /// Keeps a chunk of the file in the page.
    fn on_chunk(&self, job_id: u32, chunk: &[u8], rows_done: u64, rows_total: u64) {
        let mut current = self.inner.current.borrow_mut();
        let Some(job) = current.as_mut().filter(|j| j.job_id == job_id) else {
            return;
        };
        let pushed = job.file.push(chunk).map(|()| job.file.bytes());
        drop(current);
        match pushed {
            Ok(bytes) => self.inner.dispatch.dispatch(Action::Progress {
                job_id,
                rows_done,
                rows_total,
                bytes,
            }),
            Err(message) => self.fail(job_id, message),
        }
    }

    /// Offers the finished file: the worker's file on disk, or the Blob of the chunks received.
    async fn finish(
        &self,
        job: Collecting,
        summary: Summary,
        worker_ms: f64,
        disk_file: Option<String>,
    ) {
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
        let output = Output {
            url,
            file_name: job.file_name.into(),
            summary,
            worker_ms,
            page_ms: now_ms() - job.started_ms,
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

    fn on_status(&self, status: WorkerStatus) {
        match status {
            WorkerStatus::Ready => self.inner.dispatch.dispatch(Action::WorkerReady),
            WorkerStatus::Died(reason) => {
                self.inner.current.borrow_mut().take();
                self.inner.dispatch.dispatch(Action::WorkerDied(reason));
            }
        }
    }
}

/// Spawns the worker once per component and keeps it for the page's lifetime.
#[hook]
pub fn use_generator(dispatch: UseReducerDispatcher<State>) -> GeneratorHandle {
    let handle = use_memo((), move |_| {
        let handle = GeneratorHandle {
            inner: Rc::new(Inner {
                client: RefCell::new(None),
                dispatch,
                current: RefCell::new(None),
                next_job_id: Cell::new(0),
                urls: RefCell::new(Vec::new()),
            }),
        };
        // The status callback holds the handle, the handle holds the client: both live as long
        // as the page.
        let receiver = handle.clone();
        let client = Client::spawn(
            WORKER_LOADER,
            Callback::from(move |status| receiver.on_status(status)),
        );
        *handle.inner.client.borrow_mut() = Some(client);
        handle
    });
    (*handle).clone()
}
