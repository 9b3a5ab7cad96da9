//! The bridge to the generator worker: starts jobs, turns chunks into Blobs, reports to the
//! reducer. Which reply belongs to which job, and what each asks for, is
//! `campus_jobs::generate::shell::Jobs`.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{Blob, Url};
use yew::prelude::*;

use campus_gen::Config;
use campus_gen::exports::{ANSWER_KEY, ExportOptions};
use campus_jobs::generate::shell::{Collecting, Jobs, Todo, WorkerEvent, WorkerRequest, mime};
use campus_jobs::generate::{Request, ScriptChoices, Summary, ZipEntry};

use crate::etl::handover::{Handover, slice_file};
use crate::generator::state::{Action, JobKind, State};
use crate::shared::disk::open_file;
use crate::shared::download::{BlobBuilder, revoke};
use crate::shared::now_ms;
use crate::shared::worker::{Reply, WorkerClient, WorkerStatus};

/// The worker's loader, `web/worker_loader.js` (copied by Trunk, see `index.html`); relative, so
/// the page works under any sub-path.
pub const WORKER_LOADER: &str = "worker_loader.js";

pub(super) type Client = WorkerClient<WorkerRequest, WorkerEvent>;

/// What the page can do with the worker.
#[derive(Clone)]
pub struct GeneratorHandle {
    pub(super) inner: Rc<Inner>,
}

impl PartialEq for GeneratorHandle {
    fn eq(&self, other: &GeneratorHandle) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

pub(super) struct Inner {
    client: RefCell<Option<Client>>,
    /// Workers 1, 2, … (worker 0 is `client`): a script is spread over those ready.
    pub(super) helpers: RefCell<Vec<Client>>,
    /// Each helper's state: starting (`None`), ready, or failed.
    pub(super) helper_ready: RefCell<Vec<Option<bool>>>,
    pub(super) main_ready: std::cell::Cell<bool>,
    /// The helpers the running spread job uses, as its workers 1, 2, ….
    pub(super) spread_to: RefCell<Vec<Client>>,
    pub(super) dispatch: UseReducerDispatcher<State>,
    pub(super) jobs: RefCell<Jobs<BlobBuilder>>,
    /// Object URLs of the files on offer, freed when replaced.
    urls: RefCell<Vec<String>>,
    /// The lesson's files, kept to hand to the other sections.
    exports: RefCell<Option<(Blob, Vec<ZipEntry>)>>,
    sessions: RefCell<Option<Blob>>,
    handovers: std::cell::Cell<u32>,
}

impl GeneratorHandle {
    /// Starts `Create_FullDB.sql` for this config; replaces whatever was running.
    pub fn generate(&self, config: Config, sql_choices: ScriptChoices) {
        // The last result's files stay on offer until this one replaces them (a cancel keeps them).
        self.start(JobKind::Sql, config, sql_choices);
    }

    /// Starts the zip of every table as CSV, with load scripts in the dialect of `sql_choices`.
    pub fn build_zip(&self, config: Config, sql_choices: ScriptChoices) {
        self.start(JobKind::CsvZip, config, sql_choices);
    }

    /// Starts the registrar's exports, or the sessions, of this university.
    pub fn lesson(&self, kind: JobKind, config: Config, options: ExportOptions) {
        let Some(client) = self.client() else { return };
        self.stop_all();
        let file = BlobBuilder::new(mime(kind));
        let mut jobs = self.inner.jobs.borrow_mut();
        let (job_id, request, replaced) = jobs.start_with(
            kind,
            config,
            ScriptChoices::default(),
            options,
            file,
            now_ms(),
        );
        drop(jobs);
        self.send(client, job_id, kind, request, replaced);
    }

    /// The exports (or the sessions) as files for another section, if they are ready.
    pub fn handover(&self, kind: JobKind) -> Result<Option<Handover>, String> {
        let id = self.inner.handovers.get() + 1;
        self.inner.handovers.set(id);
        if kind == JobKind::Sessions {
            let Some(blob) = self.inner.sessions.borrow().clone() else {
                return Ok(None);
            };
            let file = slice_file(
                &blob,
                0,
                blob.size() as u64,
                campus_jobs::generate::SESSIONS_FILE,
            )?;
            return Ok(Some(Handover::Sessions { id, file }));
        }
        let exports = self.inner.exports.borrow();
        let Some((blob, entries)) = exports.as_ref() else {
            return Ok(None);
        };
        let mut files = Vec::new();
        let mut answer_key = None;
        for entry in entries {
            let file = slice_file(blob, entry.start, entry.end, &entry.name)?;
            if entry.name == ANSWER_KEY {
                answer_key = Some(file.into());
            } else {
                files.push(file);
            }
        }
        Ok(Some(Handover::Exports {
            id,
            files,
            answer_key,
        }))
    }

    pub(super) fn client(&self) -> Option<Client> {
        self.inner.client.borrow().clone()
    }

    fn start(&self, kind: JobKind, config: Config, sql_choices: ScriptChoices) {
        let helpers = self.ready_helpers();
        if kind == JobKind::Sql && !helpers.is_empty() {
            return self.start_spread(config, sql_choices, helpers);
        }
        let Some(client) = self.client() else { return };
        self.stop_all();
        let file = BlobBuilder::new(mime(kind));
        let mut jobs = self.inner.jobs.borrow_mut();
        let (job_id, request, replaced) = jobs.start(kind, config, sql_choices, file, now_ms());
        drop(jobs);
        self.send(client, job_id, kind, request, replaced);
    }

    fn send(
        &self,
        client: Client,
        job_id: u32,
        kind: JobKind,
        request: Request,
        replaced: Option<campus_jobs::wire::RequestId>,
    ) {
        if let Some(replaced) = replaced {
            client.cancel(replaced);
        }
        self.inner
            .dispatch
            .dispatch(Action::Started { job_id, kind });
        let handle = self.clone();
        let on_reply = Callback::from(move |reply| handle.on_reply(job_id, reply));
        let request_id = client.request(WorkerRequest::Job(request), on_reply);
        self.inner.jobs.borrow_mut().sent(job_id, request_id);
    }

    pub fn cancel(&self) {
        self.stop_all();
        self.inner.dispatch.dispatch(Action::CancelRequested);
    }

    fn on_reply(&self, job_id: u32, reply: Reply<WorkerEvent>) {
        let todo = self.inner.jobs.borrow_mut().reply(job_id, reply);
        self.todo(job_id, todo);
    }

    pub(super) fn todo(&self, job_id: u32, todo: Todo<BlobBuilder>) {
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
            Todo::Spread { progress, handouts } => {
                if let Some(progress) = progress {
                    self.inner.dispatch.dispatch(progress);
                }
                self.send_pieces(job_id, handouts);
            }
            Todo::Abandon(open, failed) => {
                self.cancel_requests(open);
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
        let blob = match disk_file {
            Some(name) => open_file(&name).await.map(Blob::from),
            None => std::mem::replace(&mut job.file, BlobBuilder::new("")).finish_blob(),
        };
        let url = blob.and_then(|blob| {
            let url = Url::create_object_url_with_blob(&blob)
                .map_err(|err| format!("the browser could not offer the file: {err:?}"))?;
            Ok((blob, url))
        });
        let action = match url {
            Ok((blob, url)) => {
                let answer_key_url = self.keep_lesson_file(job.kind, blob, &summary.entries);
                let mut urls = self.inner.urls.borrow_mut();
                if job.kind == JobKind::Sql {
                    // A new script replaces the last result and its files.
                    for old in urls.drain(..) {
                        revoke(&old);
                    }
                }
                urls.push(url.clone());
                urls.extend(answer_key_url.clone());
                drop(urls);
                match job.done(url, summary, worker_ms, on_disk, now_ms()) {
                    Action::LessonDone {
                        job_id,
                        kind,
                        output,
                        options,
                        ..
                    } => Action::LessonDone {
                        job_id,
                        kind,
                        output,
                        options,
                        answer_key_url,
                    },
                    action => action,
                }
            }
            Err(message) => Action::Failed {
                job_id: Some(job.job_id),
                message,
            },
        };
        self.inner.dispatch.dispatch(action);
    }

    /// Keeps a lesson file to hand over; returns the answer key's own URL when the exports have one.
    fn keep_lesson_file(&self, kind: JobKind, blob: Blob, entries: &[ZipEntry]) -> Option<String> {
        match kind {
            JobKind::Exports => {
                let key = entries.iter().find(|e| e.name == ANSWER_KEY);
                let url = key
                    .and_then(|e| slice_file(&blob, e.start, e.end, ANSWER_KEY).ok())
                    .and_then(|file| Url::create_object_url_with_blob(&file).ok());
                *self.inner.exports.borrow_mut() = Some((blob, entries.to_vec()));
                url
            }
            JobKind::Sessions => {
                *self.inner.sessions.borrow_mut() = Some(blob);
                None
            }
            JobKind::Sql | JobKind::CsvZip => None,
        }
    }

    fn on_status(&self, status: WorkerStatus) {
        match status {
            WorkerStatus::Ready => {
                self.inner.main_ready.set(true);
                self.maybe_ready();
            }
            WorkerStatus::Died(reason) => {
                self.inner.main_ready.set(false);
                self.stop_all();
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
                helpers: RefCell::new(Vec::new()),
                helper_ready: RefCell::new(Vec::new()),
                main_ready: std::cell::Cell::new(false),
                spread_to: RefCell::new(Vec::new()),
                dispatch,
                jobs: RefCell::new(Jobs::default()),
                urls: RefCell::new(Vec::new()),
                exports: RefCell::new(None),
                sessions: RefCell::new(None),
                handovers: std::cell::Cell::new(0),
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
        handle.spawn_helpers();
        handle
    });
    (*handle).clone()
}
