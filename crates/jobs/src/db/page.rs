//! The database section's state and every change to it: a pure reducer over [`Action`]s, and
//! what the section shows (the result grid's page, the error's place in the editor, the example
//! queries, the downloads' names and bytes).
//!
//! The page wraps [`State`] in yew's `Reducible` and its hook dispatches the worker's answers;
//! every decision (which statement runs, where an error points, what a stopped query leaves) is
//! here.

use campus_db::exercises::{self, Exercise, Verdict};
use campus_db::{LoadProgress, Position, QueryError, QueryOptions, ResultSet};
use campus_gen::Config;

use super::{DbRequest, TableRows, diagram};
use crate::Notice;
use crate::format::group;
use crate::generate::form::{Field, FormInput, parse_count};

/// Rows of a result the worker sends (the grid pages through them; a CSV has every row).
pub const FETCH_ROWS: u64 = 1_000;
/// Rows per page of the grid.
pub const PAGE_ROWS: usize = 50;
/// What a stopped query says.
const STOPPED: &str = "Stopped.";
/// Statements kept in the history.
pub const HISTORY: usize = 30;
/// The `.sqlite` file's name.
pub const SQLITE_FILE: &str = "university.sqlite";

/// What the worker is doing for the section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Busy {
    Loading,
    /// Adding tables from other sections (the ETL's staging tables, the occupancy sessions).
    Adding,
    Running,
    Checking,
    Saving,
    Opening,
    /// Re-running the last statement for every row, for a CSV.
    Exporting,
}

/// SQL sent to the worker: the text and where it starts in the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub sql: String,
    /// Byte offset of `sql` in the editor, so an error points into the editor.
    pub base: usize,
    /// The editor's text when it ran.
    pub editor: String,
}

impl Run {
    /// The request for the console (a page of rows, the default step budget).
    pub fn request(&self) -> DbRequest {
        DbRequest::Run {
            sql: self.sql.clone(),
            options: console_options(),
        }
    }
}

/// The console's query options: the first [`FETCH_ROWS`] rows, the default step budget.
pub fn console_options() -> QueryOptions {
    QueryOptions {
        limit: FETCH_ROWS,
        ..QueryOptions::default()
    }
}

/// What to run: the statement under `cursor` (a byte offset in `editor`), or everything when
/// `cursor` is `None`. `None` when there is nothing to run.
pub fn run_for(editor: &str, cursor: Option<usize>) -> Option<Run> {
    let (sql, base) = match cursor {
        Some(cursor) => {
            let range = super::statement_at(editor, cursor.min(editor.len()))?;
            (editor.get(range.clone())?.to_owned(), range.start)
        }
        None => {
            if super::split_statements(editor).is_empty() {
                return None;
            }
            (editor.to_owned(), 0)
        }
    };
    Some(Run {
        sql,
        base,
        editor: editor.to_owned(),
    })
}

/// The byte offset of a cursor the browser gives in UTF-16 code units (a textarea's
/// `selectionStart`).
pub fn utf16_to_byte(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (idx, c) in text.char_indices() {
        if seen >= units {
            return idx;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// A failed statement as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    /// Line and column in the editor.
    pub position: Option<Position>,
    /// The query was stopped (its step budget, or the Stop button).
    pub stopped: bool,
}

impl Failure {
    fn from_query(error: &QueryError, run: &Run) -> Failure {
        let position = error
            .offset
            .map(|offset| super::position_of(&run.editor, run.base + offset));
        Failure {
            message: error.message.clone(),
            position,
            stopped: matches!(error.kind, campus_db::ErrorKind::Stopped { .. }),
        }
    }

    /// "line 2, column 8: near "FORM": syntax error".
    pub fn text(&self) -> String {
        match self.position {
            Some(p) => format!("Line {}, column {}: {}", p.line, p.column, self.message),
            None => self.message.clone(),
        }
    }
}

/// The last run's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Results {
        results: Vec<ResultSet>,
        elapsed_ms: f64,
        run: Run,
    },
    Failed(Failure),
}

/// One page of the result grid, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Cells that hold numbers (drawn right-aligned), per column of the first row.
    pub numeric: Vec<bool>,
    pub page: usize,
    pub pages: usize,
    /// "1,234 rows · 12 ms", "3 rows changed · 4 ms".
    pub summary: String,
    /// "Rows 51–100 of 1,000 fetched" when there is more than a page.
    pub range: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    WorkerReady,
    /// The worker died (or was restarted to stop a query): what it was doing is over.
    WorkerDied,
    SetSeed(String),
    SetStudents(String),
    /// The generator section's settings: the form follows them, and a load uses every size.
    FromGenerator(Config),
    LoadStarted,
    /// Tables from another section are being added.
    AddStarted,
    Progress(LoadProgress),
    /// What the database holds (after a load, an open or a status request).
    Ready {
        tables: Vec<TableRows>,
        rows: u64,
    },
    /// A load, save, open or check ended without its answer.
    Failed(String),
    Cancelled,
    Editor(String),
    RunStarted(Run),
    Results {
        results: Vec<ResultSet>,
        elapsed_ms: f64,
    },
    QueryFailed(QueryError),
    GridPage(usize),
    /// The history entry (newest first) into the editor.
    FromHistory(usize),
    /// An example query into the editor.
    Example(String),
    SaveStarted,
    OpenStarted,
    ExportStarted,
    /// A download was handed to the browser.
    Done(Notice),
    SelectExercise(usize),
    Answer(String),
    CheckStarted,
    Verdict(Verdict),
    DismissNotice,
    /// The request in flight ended. If no answer came (a cancelled request's answer is dropped),
    /// what was running is over: a run counts as stopped.
    Ended,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub worker_ready: bool,
    pub seed: String,
    pub students: String,
    /// The generator section's settings last taken over; a load uses every size of them while
    /// the students field still says theirs.
    pub sizes: Option<Config>,
    pub form_error: Option<String>,
    pub busy: Option<Busy>,
    pub progress: Option<LoadProgress>,
    pub tables: Vec<TableRows>,
    pub rows: u64,
    /// Increases with every `Ready` (end-to-end tests wait on it).
    pub ready_id: u32,
    pub editor: String,
    pub running: Option<Run>,
    pub outcome: Option<Outcome>,
    /// Increases with every finished run (end-to-end tests wait on it).
    pub run_id: u32,
    pub grid_page: usize,
    /// Statements run, newest first, without repeats.
    pub history: Vec<String>,
    pub exercise: usize,
    pub answer: String,
    pub verdict: Option<Verdict>,
    pub notice: Option<Notice>,
}

impl Default for State {
    fn default() -> State {
        let form = FormInput::default();
        State {
            worker_ready: false,
            seed: form.value(Field::Seed).to_owned(),
            students: form.value(Field::Students).to_owned(),
            sizes: None,
            form_error: None,
            busy: None,
            progress: None,
            tables: Vec::new(),
            rows: 0,
            ready_id: 0,
            editor: EXAMPLES[0].1.to_owned(),
            running: None,
            outcome: None,
            run_id: 0,
            grid_page: 0,
            history: Vec::new(),
            exercise: 0,
            answer: String::new(),
            verdict: None,
            notice: None,
        }
    }
}

/// Ready-made queries: a label and the SQL.
pub const EXAMPLES: [(&str, &str); 5] = [
    (
        "Students per department (join)",
        "SELECT d.department_name, COUNT(*) AS students\nFROM students s\nJOIN departments d ON d.department_id = s.department_id\nGROUP BY d.department_id\nORDER BY students DESC;",
    ),
    (
        "Average final score per module level",
        "SELECT l.level_name, ROUND(AVG(m.final_score), 2) AS average, COUNT(*) AS marks\nFROM student_marks m\nJOIN modules mo ON mo.module_id = m.module_id\nJOIN levels l ON l.level_id = mo.level_id\nGROUP BY l.level_id\nORDER BY l.level_id;",
    ),
    (
        "Rows per table",
        "SELECT name, (SELECT COUNT(*) FROM pragma_table_info(name)) AS columns\nFROM sqlite_schema\nWHERE type = 'table'\nORDER BY name;",
    ),
    ("Foreign keys hold (no rows)", "PRAGMA foreign_key_check;"),
    (
        "A runaway query (use Stop)",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)\nSELECT COUNT(*) FROM n;",
    ),
];

/// A first look at a table.
pub fn table_example(table: &str) -> String {
    format!(
        "SELECT *\nFROM \"{}\"\nLIMIT 20;",
        table.replace('"', "\"\"")
    )
}

impl State {
    /// The load request for the form's seed and students, or what is wrong with them. Every
    /// other size is the generator section's when its settings were taken over and the students
    /// are still theirs; else scaled to the students, as `campus generate --students` does.
    pub fn load_request(&self) -> Result<DbRequest, String> {
        let seed = parse_count(Field::Seed, &self.seed).map_err(|e| e.to_string())?;
        let students = parse_count(Field::Students, &self.students).map_err(|e| e.to_string())?;
        let base = match &self.sizes {
            Some(sizes) if sizes.students == students => sizes.clone(),
            _ => Config::scaled(students),
        };
        let config = Config { seed, ..base };
        config.validate().map_err(|e| e.to_string())?;
        Ok(DbRequest::Load(config))
    }

    pub fn exercises(&self) -> Vec<Exercise> {
        exercises::pack()
    }

    /// The exercise on screen.
    pub fn current_exercise(&self) -> Option<Exercise> {
        exercises::pack().into_iter().nth(self.exercise)
    }

    /// The request checking the answer typed, if there is an exercise and an answer.
    pub fn check_request(&self) -> Option<DbRequest> {
        let exercise = self.current_exercise()?;
        (!self.answer.trim().is_empty()).then(|| DbRequest::Check {
            exercise: exercise.id.to_owned(),
            answer: self.answer.clone(),
        })
    }

    /// The last statement that produced rows and changed nothing, run again for every row (the
    /// CSV download); `None` when there is none.
    pub fn export_request(&self) -> Option<DbRequest> {
        let Some(Outcome::Results { results, run, .. }) = &self.outcome else {
            return None;
        };
        let last = results.last()?;
        if last.columns.is_empty() || last.changes > 0 {
            return None;
        }
        let sql = run.sql.get(last.statement.clone())?.to_owned();
        Some(DbRequest::Run {
            sql,
            options: QueryOptions::all_rows(),
        })
    }

    /// Where the sizes of a load come from, in one line.
    pub fn sizes_text(&self) -> String {
        let students = parse_count(Field::Students, &self.students).ok();
        match &self.sizes {
            Some(c) if Some(c.students) == students => format!(
                "Every other size as in the Generator section: {} staff, {} enrollments per student, {} residential students, {} applicants, {} buses, {} bus allocations, academic year {}.",
                group(c.staff),
                c.enrollments_per_student,
                group(c.residential_students),
                group(c.applicants),
                c.buses,
                group(c.bus_allocations),
                c.academic_year
            ),
            _ => "Every other size scaled to the students, as campus generate --students does."
                .to_owned(),
        }
    }

    /// Whether a new request may start (one at a time).
    pub fn idle(&self) -> bool {
        self.worker_ready && self.busy.is_none()
    }

    pub fn loaded(&self) -> bool {
        !self.tables.is_empty()
    }

    /// "Loading students: 12,000 of 50,500 rows".
    pub fn progress_text(&self) -> Option<String> {
        let p = self.progress.as_ref()?;
        Some(format!(
            "Loading {}: {} of {} rows",
            p.table,
            group(p.rows_done),
            group(p.rows_total)
        ))
    }

    /// What the database holds, in one line.
    pub fn summary(&self) -> String {
        if self.tables.is_empty() {
            "The database is empty: load the university or open a .sqlite file.".to_owned()
        } else {
            format!("{} tables, {} rows.", self.tables.len(), group(self.rows))
        }
    }

    /// The grid of the last result that has columns (a script's last query), one page of it.
    pub fn grid(&self) -> Option<Grid> {
        let Some(Outcome::Results {
            results,
            elapsed_ms,
            ..
        }) = &self.outcome
        else {
            return None;
        };
        let shown = results
            .iter()
            .rev()
            .find(|r| !r.columns.is_empty())
            .or(results.last())?;
        let pages = shown.rows.len().div_ceil(PAGE_ROWS).max(1);
        let page = self.grid_page.min(pages - 1);
        let start = page * PAGE_ROWS;
        let rows: Vec<Vec<String>> = shown
            .rows
            .iter()
            .skip(start)
            .take(PAGE_ROWS)
            .map(|row| row.iter().map(ToString::to_string).collect())
            .collect();
        let numeric = shown
            .rows
            .first()
            .map(|row| row.iter().map(|c| c.as_f64().is_some()).collect())
            .unwrap_or_default();
        let changes: u64 = results.iter().map(|r| r.changes).sum();
        let mut summary = if shown.columns.is_empty() {
            format!("{} rows changed", group(changes))
        } else {
            format!(
                "{} {}",
                group(shown.total_rows),
                if shown.total_rows == 1 { "row" } else { "rows" }
            )
        };
        if results.len() > 1 {
            summary = format!("{} statements; {summary}", results.len());
        }
        summary += &format!(" · {}", elapsed(*elapsed_ms));
        let fetched = shown.rows.len();
        let range = (fetched > PAGE_ROWS || (shown.total_rows as usize) > fetched).then(|| {
            let end = (start + rows.len()).max(start);
            let of = if (shown.total_rows as usize) > fetched {
                format!(
                    "the first {} of {} (download the CSV for all)",
                    group(fetched as u64),
                    group(shown.total_rows)
                )
            } else {
                group(fetched as u64)
            };
            format!(
                "Rows {}–{} of {of}",
                group(start as u64 + 1),
                group(end as u64)
            )
        });
        Some(Grid {
            columns: shown.columns.clone(),
            rows,
            numeric,
            page,
            pages,
            summary,
            range,
        })
    }

    /// The last run's failure.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Some(Outcome::Failed(failure)) => Some(failure),
            _ => None,
        }
    }

    /// The verdict as the page words it: (correct?, text).
    pub fn verdict_text(&self) -> Option<(bool, String)> {
        Some(match self.verdict.as_ref()? {
            Verdict::Correct => (
                true,
                "Correct: your result equals the reference's.".to_owned(),
            ),
            Verdict::Wrong { reason } => (false, format!("Not yet: {reason}")),
            Verdict::Failed(error) => (false, format!("Your query failed: {}", error.message)),
        })
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::WorkerReady => self.worker_ready = true,
            Action::WorkerDied => self.worker_died(),
            Action::SetSeed(text) => {
                self.seed = text;
                self.form_error = None;
            }
            Action::SetStudents(text) => {
                self.students = text;
                self.form_error = None;
            }
            Action::FromGenerator(config) => {
                if self.sizes.as_ref() != Some(&config) {
                    self.seed = config.seed.to_string();
                    self.students = config.students.to_string();
                    self.sizes = Some(config);
                    self.form_error = None;
                }
            }
            Action::AddStarted => {
                self.busy = Some(Busy::Adding);
                self.progress = None;
                self.notice = None;
            }
            Action::LoadStarted => match self.load_request() {
                Ok(_) => {
                    self.busy = Some(Busy::Loading);
                    self.progress = None;
                    self.notice = None;
                    self.form_error = None;
                }
                Err(err) => self.form_error = Some(err),
            },
            Action::Progress(progress) => self.progress = Some(progress),
            Action::Ready { tables, rows } => {
                self.tables = tables;
                self.rows = rows;
                self.ready_id += 1;
                // A status answer may come while another request waits behind it.
                if matches!(
                    self.busy,
                    Some(Busy::Loading | Busy::Adding | Busy::Opening)
                ) {
                    self.busy = None;
                    self.progress = None;
                    self.outcome = None;
                    self.verdict = None;
                    self.notice = Some(Notice::info(format!("Ready: {}", self.summary())));
                }
            }
            Action::Failed(message) => {
                self.busy = None;
                self.progress = None;
                self.running = None;
                self.notice = Some(Notice::error(message));
            }
            Action::Cancelled => {
                let was = self.busy.take();
                self.progress = None;
                if was == Some(Busy::Running) {
                    self.stopped(STOPPED.to_owned());
                }
                self.running = None;
                if was == Some(Busy::Adding) {
                    self.notice = Some(Notice::info(
                        "Cancelled: nothing was added, the database is as it was.",
                    ));
                }
                if was == Some(Busy::Loading) {
                    self.tables.clear();
                    self.rows = 0;
                    self.notice = Some(Notice::info(
                        "Load cancelled: nothing was kept, the database is empty.",
                    ));
                }
            }
            Action::Editor(text) => self.editor = text,
            Action::RunStarted(run) => {
                self.busy = Some(Busy::Running);
                self.notice = None;
                let sql = run.sql.trim().to_owned();
                self.history.retain(|h| *h != sql);
                self.history.insert(0, sql);
                self.history.truncate(HISTORY);
                self.running = Some(run);
            }
            Action::Results {
                results,
                elapsed_ms,
            } => match self.busy.take() {
                Some(Busy::Running) => {
                    if let Some(run) = self.running.take() {
                        self.outcome = Some(Outcome::Results {
                            results,
                            elapsed_ms,
                            run,
                        });
                        self.grid_page = 0;
                        self.run_id += 1;
                    }
                }
                other => self.busy = other,
            },
            Action::QueryFailed(error) => {
                self.busy = None;
                if let Some(run) = self.running.take() {
                    self.outcome = Some(Outcome::Failed(Failure::from_query(&error, &run)));
                    self.run_id += 1;
                } else {
                    self.notice = Some(Notice::error(error.message));
                }
            }
            Action::GridPage(page) => self.grid_page = page,
            Action::FromHistory(idx) => {
                if let Some(sql) = self.history.get(idx) {
                    self.editor = sql.clone();
                }
            }
            Action::Example(sql) => self.editor = sql,
            Action::SaveStarted => self.start(Busy::Saving),
            Action::OpenStarted => self.start(Busy::Opening),
            Action::ExportStarted => self.start(Busy::Exporting),
            Action::Done(notice) => {
                self.busy = None;
                self.notice = Some(notice);
            }
            Action::SelectExercise(idx) => {
                if idx < exercises::pack().len() {
                    self.exercise = idx;
                    self.verdict = None;
                }
            }
            Action::Answer(text) => {
                self.answer = text;
                self.verdict = None;
            }
            Action::CheckStarted => self.start(Busy::Checking),
            Action::Verdict(verdict) => {
                self.busy = None;
                self.verdict = Some(verdict);
            }
            Action::DismissNotice => self.notice = None,
            Action::Ended => {
                if self.busy.take() == Some(Busy::Running) {
                    self.stopped(STOPPED.to_owned());
                }
                self.progress = None;
                self.running = None;
            }
        }
    }

    fn stopped(&mut self, message: String) {
        self.outcome = Some(Outcome::Failed(Failure {
            message,
            position: None,
            stopped: true,
        }));
        self.run_id += 1;
    }

    fn start(&mut self, busy: Busy) {
        self.busy = Some(busy);
        self.notice = None;
    }

    /// A worker that died (a stopped query restarts it) took the database in memory with it; its
    /// successor reopens the kept copy and the page asks it what it holds.
    fn worker_died(&mut self) {
        self.worker_ready = false;
        self.progress = None;
        match self.busy.take() {
            Some(Busy::Running) => {
                self.running = None;
                self.stopped(format!("{STOPPED} The database worker was restarted and reopened the copy of the database kept in this browser."));
            }
            Some(_) => {
                self.running = None;
                self.notice = Some(Notice::error(
                    "The database worker stopped and was restarted; try again.",
                ));
            }
            None => {}
        }
    }
}

fn elapsed(ms: f64) -> String {
    if ms < 1_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1_000.0)
    }
}

/// A request the page has in flight, so its answers can be told apart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Job {
    /// What the database holds (after the worker starts).
    Status,
    Load,
    /// A console run, started at this time (ms of the page's clock).
    Run {
        started_ms: f64,
    },
    Check,
    Save,
    Open,
    Export,
}

/// What the page does with an event of a job.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    Dispatch(Action),
    /// Hand these bytes to the browser as a download, then dispatch `Done(notice)`.
    Download {
        name: &'static str,
        mime: &'static str,
        bytes: Vec<u8>,
        notice: Notice,
    },
}

/// What an event of `job` means, at `now_ms`.
pub fn answer(job: Job, event: super::DbEvent, now_ms: f64) -> Next {
    use super::DbEvent;
    match (job, event) {
        (_, DbEvent::Progress(progress)) => Next::Dispatch(Action::Progress(progress)),
        (_, DbEvent::Ready { tables, rows }) => Next::Dispatch(Action::Ready { tables, rows }),
        (Job::Export, DbEvent::Results(results)) => {
            let Some(last) = results.last() else {
                return Next::Dispatch(Action::Done(Notice::error("the query returned nothing")));
            };
            Next::Download {
                name: "query-result.csv",
                mime: "text/csv",
                bytes: last.to_csv(),
                notice: Notice::info(format!(
                    "CSV with {} rows downloaded.",
                    group(last.total_rows)
                )),
            }
        }
        (Job::Export, DbEvent::QueryFailed(error)) => Next::Dispatch(Action::Done(Notice::error(
            format!("The CSV could not be made: {}", error.message),
        ))),
        (job, DbEvent::Results(results)) => {
            let elapsed_ms = match job {
                Job::Run { started_ms } => (now_ms - started_ms).max(0.0),
                _ => 0.0,
            };
            Next::Dispatch(Action::Results {
                results,
                elapsed_ms,
            })
        }
        (_, DbEvent::QueryFailed(error)) => Next::Dispatch(Action::QueryFailed(error)),
        (_, DbEvent::Verdict(verdict)) => Next::Dispatch(Action::Verdict(verdict)),
        (_, DbEvent::Saved(bytes)) => {
            let notice = Notice::info(format!(
                "{SQLITE_FILE} downloaded ({} bytes); it opens in the sqlite3 tool, or here with Open.",
                group(bytes.len() as u64)
            ));
            Next::Download {
                name: SQLITE_FILE,
                mime: "application/vnd.sqlite3",
                bytes,
                notice,
            }
        }
    }
}

/// The ER diagram of the generated university's schema (the one the DDL comes from), as SVG.
pub fn diagram_svg() -> String {
    diagram::svg(&campus_gen::schema::tables())
}

/// The ER diagram as Mermaid text.
pub fn diagram_mermaid() -> String {
    diagram::mermaid(&campus_gen::schema::tables())
}

/// The ER diagram as Graphviz DOT text.
pub fn diagram_dot() -> String {
    diagram::dot(&campus_gen::schema::tables())
}

/// The exercise pack as Markdown, with or without the reference answers.
pub fn pack_markdown(with_answers: bool) -> String {
    exercises::to_markdown(&exercises::pack(), with_answers)
}

#[cfg(test)]
mod tests;
