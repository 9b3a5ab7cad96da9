//! The generator page's state and every change to it: a pure reducer over [`Action`]s.
//!
//! The page wraps [`State`] in yew's `Reducible` and only records what its worker and its
//! downloads report; every decision (which news is stale, what a cancel leaves behind) is here.

use campus_gen::Config;

use crate::Notice;
use crate::generate::form::{Field, FormInput};
use crate::generate::lesson_form::{LessonField, LessonInput};
use crate::generate::{ScriptChoices, Summary};

/// Said when the worker could not start.
pub const START_FAILED: &str = "The generator could not start: this browser could not load its \
    WebAssembly worker. Reload the page, or try a current Chromium, Chrome, Edge or Firefox.";

/// Rows per preview page.
pub const PAGE_ROWS: u64 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Sql,
    CsvZip,
    /// The registrar's exports (and the answer key) in one zip.
    Exports,
    /// The lectures as occupancy sessions.
    Sessions,
}

/// A job the worker is running.
#[derive(Clone, Debug, PartialEq)]
pub struct Running {
    pub job_id: u32,
    pub kind: JobKind,
    pub rows_done: u64,
    pub rows_total: u64,
    pub bytes: u64,
    /// Workers producing it (a script is spread over several).
    pub workers: usize,
}

/// A finished file, ready to download.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// An object URL for the Blob holding the file.
    pub url: String,
    pub file_name: String,
    pub summary: Summary,
    /// Time spent producing the output in the worker, in milliseconds.
    pub worker_ms: f64,
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
    pub sql_choices: ScriptChoices,
    pub sql: Output,
    pub zip: Option<Output>,
    /// The lesson's files, each made from the settings shown with it.
    pub exports: Option<LessonOutput>,
    pub sessions: Option<LessonOutput>,
    /// The table picked for preview and its page.
    pub table_idx: usize,
    pub page: u64,
}

/// A lesson file and the settings it was made with.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonOutput {
    pub output: Output,
    pub options: campus_gen::exports::ExportOptions,
    /// The answer key alone, as an object URL (exports with dirt).
    pub answer_key_url: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    pub form: FormInput,
    /// The lesson's settings (exports and sessions of the generated university).
    pub lesson: LessonInput,
    pub worker_ready: bool,
    pub running: Option<Running>,
    pub generated: Option<Generated>,
    /// The last message for the user: an error from the worker or a note ("Cancelled.").
    pub notice: Option<Notice>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Edit(Field, String),
    EditDatabase(String),
    SetSchema(bool),
    SetData(bool),
    SetDropExisting(bool),
    SetDialect(campus_sql::Dialect),
    ScaleToStudents,
    ResetForm,
    /// The whole form replaced, as a shared link gives it.
    LoadForm(FormInput),
    /// The lesson's settings replaced, as a shared link gives them.
    LoadLesson(LessonInput),
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
        sql_choices: ScriptChoices,
        output: Output,
    },
    ZipDone {
        job_id: u32,
        output: Output,
    },
    /// The exports or the sessions are ready, made with `options`.
    LessonDone {
        job_id: u32,
        kind: JobKind,
        output: Output,
        options: campus_gen::exports::ExportOptions,
        answer_key_url: Option<String>,
    },
    EditLesson(LessonField, String),
    CancelRequested,
    /// Job `job_id` runs on `workers` workers.
    Workers {
        job_id: u32,
        workers: usize,
    },
    /// The worker crashed, did not start, or was restarted after ignoring a cancel.
    WorkerDied(String),
    Failed {
        job_id: Option<u32>,
        message: String,
    },
    PickTable(usize),
    Page(u64),
    DismissNotice,
}

impl State {
    /// Whether `job_id` is the job running now (news of any other is stale).
    pub fn is_current(&self, job_id: u32) -> bool {
        self.running.as_ref().is_some_and(|r| r.job_id == job_id)
    }

    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Edit(field, text) => self.form.set_value(field, text),
            Action::EditDatabase(text) => self.form.database = text,
            Action::SetSchema(on) => self.form.set_schema(on),
            Action::SetData(on) => self.form.data = on,
            Action::SetDropExisting(on) => self.form.drop_existing = on,
            Action::SetDialect(dialect) => self.form.dialect = dialect,
            Action::ScaleToStudents => self.form = self.form.scaled_to_students(),
            Action::ResetForm => self.form = FormInput::default(),
            Action::LoadForm(form) => self.form = form,
            Action::LoadLesson(lesson) => self.lesson = lesson,
            Action::WorkerReady => self.worker_ready = true,
            Action::Started { job_id, kind } => self.started(job_id, kind),
            Action::Progress {
                job_id,
                rows_done,
                rows_total,
                bytes,
            } => {
                if let Some(running) = self.running.as_mut().filter(|r| r.job_id == job_id) {
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
            } => self.sql_done(job_id, config, sql_choices, output),
            Action::ZipDone { job_id, output } => self.zip_done(job_id, output),
            Action::LessonDone {
                job_id,
                kind,
                output,
                options,
                answer_key_url,
            } => {
                let output = LessonOutput {
                    output,
                    options,
                    answer_key_url,
                };
                self.lesson_done(job_id, kind, output)
            }
            Action::EditLesson(field, text) => self.lesson.set_value(field, text),
            Action::CancelRequested => self.cancelled(),
            Action::Workers { job_id, workers } => {
                if let Some(running) = self.running.as_mut().filter(|r| r.job_id == job_id) {
                    running.workers = workers;
                }
            }
            Action::WorkerDied(reason) => self.worker_died(&reason),
            Action::Failed { job_id, message } => self.failed(job_id, message),
            Action::PickTable(table_idx) => {
                if let Some(generated) = self.generated.as_mut() {
                    generated.table_idx = table_idx;
                    generated.page = 0;
                }
            }
            Action::Page(page) => {
                if let Some(generated) = self.generated.as_mut() {
                    generated.page = page;
                }
            }
            Action::DismissNotice => self.notice = None,
        }
    }

    fn started(&mut self, job_id: u32, kind: JobKind) {
        self.running = Some(Running {
            job_id,
            kind,
            rows_done: 0,
            rows_total: 0,
            bytes: 0,
            workers: 1,
        });
        self.notice = None;
        // The last result stays on screen until a new script replaces it: a cancel keeps it.
    }

    fn sql_done(&mut self, job_id: u32, config: Config, sql_choices: ScriptChoices, sql: Output) {
        if self.is_current(job_id) {
            self.running = None;
            self.generated = Some(Generated {
                job_id,
                config,
                sql_choices,
                sql,
                zip: None,
                exports: None,
                sessions: None,
                table_idx: 0,
                page: 0,
            });
        }
    }

    fn zip_done(&mut self, job_id: u32, output: Output) {
        if self.is_current(job_id) {
            self.running = None;
            if let Some(generated) = self.generated.as_mut() {
                generated.zip = Some(output);
            }
        }
    }

    fn lesson_done(&mut self, job_id: u32, kind: JobKind, output: LessonOutput) {
        if self.is_current(job_id) {
            self.running = None;
            if let Some(generated) = self.generated.as_mut() {
                match kind {
                    JobKind::Sessions => generated.sessions = Some(output),
                    _ => generated.exports = Some(output),
                }
            }
        }
    }

    fn cancelled(&mut self) {
        if self.running.take().is_some() {
            self.notice = Some(Notice::info("Cancelled."));
        }
    }

    /// Whatever ran is lost; a worker that never got going could not load at all.
    fn worker_died(&mut self, reason: &str) {
        let text = if self.worker_ready {
            format!("The generator stopped ({reason}). It has been restarted: try again.")
        } else {
            START_FAILED.to_owned()
        };
        self.worker_ready = false;
        self.running = None;
        self.notice = Some(Notice::error(text));
    }

    /// A failure of the running job, or of the worker itself (`job_id` is `None`).
    fn failed(&mut self, job_id: Option<u32>, message: String) {
        if job_id.is_none_or(|id| self.is_current(id)) {
            self.running = None;
            self.notice = Some(Notice::error(message));
        }
    }
}
