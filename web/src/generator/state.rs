//! The page's state and every change to it: a pure reducer over [`Action`]s.
//!
//! Side effects (the worker, Blobs, object URLs) live in [`super::hook`]; the reducer only
//! records what they report.

use std::rc::Rc;

use campus_gen::Config;
use yew::Reducible;

use crate::generator::form::{Field, FormInput};
use crate::generator::worker::{SqlChoices, Summary};

/// Rows per preview page.
pub const PAGE_ROWS: u64 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Sql,
    CsvZip,
}

/// A job the worker is running.
#[derive(Clone, Debug, PartialEq)]
pub struct Running {
    pub job_id: u32,
    pub kind: JobKind,
    pub rows_done: u64,
    pub rows_total: u64,
    pub bytes: u64,
}

/// A finished file, ready to download.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// An object URL for the Blob holding the file.
    pub url: String,
    pub file_name: String,
    pub summary: Summary,
    /// From the click to the file being ready, in milliseconds, as the page saw it.
    pub page_ms: f64,
    /// The file is on disk (the origin private file system) rather than in a Blob in memory.
    pub on_disk: bool,
}

/// The result of the last finished generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    /// The job that made it; the page shows it so tests can tell one result from the next.
    pub job_id: u32,
    pub config: Config,
    pub sql_choices: SqlChoices,
    pub sql: Output,
    pub zip: Option<Output>,
    /// The table picked for preview and its page.
    pub table_idx: usize,
    pub page: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    pub form: FormInput,
    pub worker_ready: bool,
    pub running: Option<Running>,
    pub generated: Option<Generated>,
    /// The last message for the user: an error from the worker or a note ("Cancelled").
    pub notice: Option<Notice>,
}

pub use campus_jobs::Notice;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Edit(Field, String),
    EditDatabase(String),
    SetSchema(bool),
    SetData(bool),
    SetDropExisting(bool),
    ScaleToStudents,
    ResetForm,
    WorkerReady,
    Started {
        job_id: u32,
        kind: JobKind,
    },
    Progress {
        job_id: u32,
        rows_done: u64,
        rows_total: u64,
        bytes: u64,
    },
    /// A generation finished; the config and options are those it was started with.
    SqlDone {
        job_id: u32,
        config: Config,
        sql_choices: SqlChoices,
        output: Output,
    },
    ZipDone {
        job_id: u32,
        output: Output,
    },
    CancelRequested,
    Failed {
        job_id: Option<u32>,
        message: String,
    },
    PickTable(usize),
    Page(u64),
    DismissNotice,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<State>, action: Action) -> Rc<State> {
        let mut next = (*self).clone();
        let is_current = |job_id: u32| self.running.as_ref().is_some_and(|r| r.job_id == job_id);
        match action {
            Action::Edit(field, text) => next.form.set_value(field, text),
            Action::EditDatabase(text) => next.form.database = text,
            Action::SetSchema(on) => {
                next.form.schema = on;
                // Dropping tables without recreating them is not an option the writer offers.
                if !on {
                    next.form.drop_existing = false;
                }
            }
            Action::SetData(on) => next.form.data = on,
            Action::SetDropExisting(on) => next.form.drop_existing = on,
            Action::ScaleToStudents => next.form = next.form.scaled_to_students(),
            Action::ResetForm => next.form = FormInput::default(),
            Action::WorkerReady => next.worker_ready = true,
            Action::Started { job_id, kind } => {
                next.running = Some(Running {
                    job_id,
                    kind,
                    rows_done: 0,
                    rows_total: 0,
                    bytes: 0,
                });
                next.notice = None;
                if kind == JobKind::Sql {
                    next.generated = None;
                }
            }
            Action::Progress {
                job_id,
                rows_done,
                rows_total,
                bytes,
            } => {
                if let Some(running) = next.running.as_mut().filter(|r| r.job_id == job_id) {
                    running.rows_done = rows_done;
                    running.rows_total = rows_total;
                    running.bytes = bytes;
                }
            }
            Action::SqlDone {
                job_id,
                config,
                sql_choices,
                output,
            } => {
                if is_current(job_id) {
                    next.running = None;
                    next.generated = Some(Generated {
                        job_id,
                        config,
                        sql_choices,
                        sql: output,
                        zip: None,
                        table_idx: 0,
                        page: 0,
                    });
                }
            }
            Action::ZipDone { job_id, output } => {
                if is_current(job_id) {
                    next.running = None;
                    if let Some(generated) = next.generated.as_mut() {
                        generated.zip = Some(output);
                    }
                }
            }
            Action::CancelRequested => {
                if next.running.take().is_some() {
                    next.notice = Some(Notice::info("Cancelled."));
                }
            }
            Action::Failed { job_id, message } => {
                if job_id.is_none_or(is_current) {
                    next.running = None;
                    next.notice = Some(Notice::error(message));
                }
            }
            Action::PickTable(table_idx) => {
                if let Some(generated) = next.generated.as_mut() {
                    generated.table_idx = table_idx;
                    generated.page = 0;
                }
            }
            Action::Page(page) => {
                if let Some(generated) = next.generated.as_mut() {
                    generated.page = page;
                }
            }
            Action::DismissNotice => next.notice = None,
        }
        Rc::new(next)
    }
}
