//! The bridge to the generator worker: starts jobs, turns chunks into Blobs, reports to the
//! reducer. Which reply belongs to which job, and what each asks for, is
//! `campus_jobs::generate::shell::Jobs`.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::Url;
use yew::prelude::*;

use campus_gen::Config;
use campus_jobs::generate::shell::{Collecting, Jobs, Todo, WorkerEvent, mime};
use campus_jobs::generate::{Request, ScriptChoices, Summary};

use crate::generator::state::{Action, JobKind, State};
use crate::shared::disk::open_file;
use crate::shared::download::{BlobBuilder, revoke};
use crate::shared::now_ms;
use crate::shared::worker::{Reply, WorkerClient, WorkerStatus};

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
    jobs: RefCell<Jobs<BlobBuilder>>,
    /// Object URLs of the files on offer, freed when replaced.
    urls: RefCell<Vec<String>>,
}

impl GeneratorHandle {
    /// Starts `Create_FullDB.sql` for this config; replaces whatever was running.
    pub fn generate(&self, config: Config, sql_choices: ScriptChoices) {
        // The last result's files stay on offer until this one replaces them (a cancel keeps them).
        self.start(JobKind::Sql, config, sql_choices);
    }

    /// Starts the zip of every table as CSV.
    pub fn build_zip(&self, config: Config) {
        self.start(JobKind::CsvZip, config, ScriptChoices::default());
    }

    fn client(&self) -> Option<Client> {
        self.inner.client.borrow().clone()
    }

    fn start(&self, kind: JobKind, config: Config, sql_choices: ScriptChoices) {
        let Some(client) = self.client() else { return };
        let file = BlobBuilder::new(mime(kind));
        let mut jobs = self.inner.jobs.borrow_mut();
        let (job_id, request, replaced) = jobs.start(kind, config, sql_choices, file, now_ms());
        drop(jobs);
        if let Some(replaced) = replaced {
            client.cancel(replaced);
        }
        self.inner
            .dispatch
            .dispatch(Action::Started { job_id, kind });
        let handle = self.clone();
        let on_reply = Callback::from(move |reply| handle.on_reply(job_id, reply));
        let request_id = client.request(request, on_reply);
        self.inner.jobs.borrow_mut().sent(job_id, request_id);
    }

    pub fn cancel(&self) {
        let stopped = self.inner.jobs.borrow_mut().stop();
        if let (Some(client), Some(id)) = (self.client(), stopped) {
            client.cancel(id);
        }
        self.inner.dispatch.dispatch(Action::CancelRequested);
    }

    fn on_reply(&self, job_id: u32, reply: Reply<WorkerEvent>) {
        let todo = self.inner.jobs.borrow_mut().reply(job_id, reply);
        self.todo(job_id, todo);
    }

    fn todo(&self, job_id: u32, todo: Todo<BlobBuilder>) {
        match todo {
            Todo::Nothing => {}
            Todo::Keep {
                bytes,
                rows_done,
                rows_total,
            } => {
                let push = |file: &mut BlobBuilder| file.push(&bytes.0).map(|()| file.bytes());
                let rows = (rows_done, rows_total);
                let todo = self.inner.jobs.borrow_mut().keep(job_id, rows, push);
                self.todo(job_id, todo);
            }
            Todo::Dispatch(action) => self.inner.dispatch.dispatch(action),
            Todo::Finish {
                job,
                summary,
                worker_ms,
                disk_file,
            } => {
                let handle = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    handle.finish(job, summary, worker_ms, disk_file).await
                });
            }
            Todo::Fail(request_id, failed) => {
                if let (Some(client), Some(id)) = (self.client(), request_id) {
                    client.cancel(id);
                }
                self.inner.dispatch.dispatch(failed);
            }
        }
    }

    /// Offers the finished file: the worker's file on disk, or the Blob of the chunks received.
    async fn finish(
        &self,
        mut job: Collecting<BlobBuilder>,
        summary: Summary,
        worker_ms: f64,
        disk_file: Option<String>,
    ) {
        let on_disk = disk_file.is_some();
        let url = match disk_file {
            Some(name) => match open_file(&name).await {
                Ok(file) => Url::create_object_url_with_blob(&file)
                    .map_err(|err| format!("the browser could not offer the file: {err:?}")),
                Err(message) => Err(message),
            },
            None => std::mem::replace(&mut job.file, BlobBuilder::new("")).finish(),
        };
        let action = match url {
            Ok(url) => {
                let mut urls = self.inner.urls.borrow_mut();
                if job.kind == JobKind::Sql {
                    // A new script replaces the last result and its files.
                    for old in urls.drain(..) {
                        revoke(&old);
                    }
                }
                urls.push(url.clone());
                drop(urls);
                job.done(url, summary, worker_ms, on_disk, now_ms())
            }
            Err(message) => Action::Failed {
                job_id: Some(job.job_id),
                message,
            },
        };
        self.inner.dispatch.dispatch(action);
    }

    fn on_status(&self, status: WorkerStatus) {
        match status {
            WorkerStatus::Ready => self.inner.dispatch.dispatch(Action::WorkerReady),
            WorkerStatus::Died(reason) => {
                self.inner.jobs.borrow_mut().stop();
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
                jobs: RefCell::new(Jobs::default()),
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
