//! The steppable loader: the generated rows into SQLite through one prepared statement per table,
//! in one transaction, a bounded number of rows per step, with cancel between steps.
//!
//! The whole load is a single transaction, so a cancelled (or failed) load rolls back to an empty
//! database instead of leaving half a university behind. Foreign keys are checked as rows go in
//! (tables come in dependency order) and once more, over the whole database, at the end.

use std::fmt::Write as _;

use crate::{Database, DbError, LoadProgress, ddl};
use campus_schema::{Dataset, Date, RowSink, Time};
use rusqlite::Statement;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    NotStarted,
    Loading,
    Done,
}

/// Loads every table of a [`Dataset`] into a [`Database`], step by step.
///
/// ```text
/// let mut loader = Loader::new(ums);
/// while !loader.step(&mut db, 10_000)?.finished {}
/// ```
#[derive(Debug)]
pub struct Loader<D: Dataset> {
    dataset: D,
    state: State,
    table_idx: usize,
    row_idx: u64,
    rows_done: u64,
    rows_total: u64,
}

impl<D: Dataset> Loader<D> {
    pub fn new(dataset: D) -> Loader<D> {
        let rows_total = (0..dataset.tables().len()).map(|t| dataset.n_rows(t)).sum();
        Loader {
            dataset,
            state: State::NotStarted,
            table_idx: 0,
            row_idx: 0,
            rows_done: 0,
            rows_total,
        }
    }

    pub fn dataset(&self) -> &D {
        &self.dataset
    }

    pub fn rows_total(&self) -> u64 {
        self.rows_total
    }

    /// Inserts up to `max_rows` rows (the first step also creates the tables; the last builds
    /// the indexes, commits and checks every foreign key). `db` must be the same database on
    /// every step, and empty before the first.
    pub fn step(&mut self, db: &mut Database, max_rows: u64) -> Result<LoadProgress, DbError> {
        let result = self.step_inner(db, max_rows.max(1));
        if result.is_err() && self.state == State::Loading {
            self.state = State::Done;
            let _ = db.conn().execute_batch("ROLLBACK");
        }
        result
    }

    fn step_inner(&mut self, db: &mut Database, max_rows: u64) -> Result<LoadProgress, DbError> {
        match self.state {
            State::Done => return Err(DbError::LoaderDone),
            State::NotStarted => {
                db.conn().execute_batch("BEGIN")?;
                self.state = State::Loading;
                db.create_tables(self.dataset.tables())?;
            }
            State::Loading => {}
        }
        let tables = self.dataset.tables();
        let mut budget = max_rows;
        while budget > 0 {
            let Some(table) = tables.get(self.table_idx) else {
                break;
            };
            let n_rows = self.dataset.n_rows(self.table_idx);
            let end = n_rows.min(self.row_idx.saturating_add(budget));
            if self.row_idx < end {
                let mut stmt = db.conn().prepare_cached(&ddl::insert(table))?;
                let mut sink = BindSink::new(&mut stmt);
                for row_idx in self.row_idx..end {
                    self.dataset.write_row(self.table_idx, row_idx, &mut sink);
                    if let Some(err) = sink.error.take() {
                        return Err(err.into());
                    }
                }
                budget -= end - self.row_idx;
                self.rows_done += end - self.row_idx;
                self.row_idx = end;
            }
            if self.row_idx >= n_rows {
                self.table_idx += 1;
                self.row_idx = 0;
            }
        }
        let finished = self.table_idx >= tables.len();
        if finished {
            for table in tables {
                for sql in ddl::foreign_key_indexes(table) {
                    db.conn().execute(&sql, [])?;
                }
            }
            db.conn().execute_batch("COMMIT")?;
            self.state = State::Done;
            let broken = db.foreign_key_check()?;
            if let Some(first) = broken.first() {
                return Err(DbError::ForeignKeys {
                    count: broken.len(),
                    first: first.clone(),
                });
            }
        }
        let table_idx = self.table_idx.min(tables.len().saturating_sub(1));
        Ok(LoadProgress {
            table: tables
                .get(table_idx)
                .map(|t| t.name.to_string())
                .unwrap_or_default(),
            rows_done: self.rows_done,
            rows_total: self.rows_total,
            finished,
        })
    }

    /// Abandons the load between two steps: everything loaded so far is rolled back.
    pub fn cancel(&mut self, db: &mut Database) -> Result<(), DbError> {
        let was_loading = self.state == State::Loading;
        self.state = State::Done;
        if was_loading {
            db.conn().execute_batch("ROLLBACK")?;
        }
        Ok(())
    }
}

impl Database {
    /// Loads a whole dataset in one go (the CLI's path; the page steps a [`Loader`]).
    pub fn load<D: Dataset>(&mut self, dataset: D) -> Result<u64, DbError> {
        let mut loader = Loader::new(dataset);
        loop {
            let progress = loader.step(self, 1 << 16)?;
            if progress.finished {
                return Ok(progress.rows_done);
            }
        }
    }
}

/// Binds each field of a row to the next `?` and runs the statement at the end of the row.
struct BindSink<'a, 'conn> {
    stmt: &'a mut Statement<'conn>,
    param: usize,
    scratch: String,
    error: Option<rusqlite::Error>,
}

impl<'a, 'conn> BindSink<'a, 'conn> {
    fn new(stmt: &'a mut Statement<'conn>) -> BindSink<'a, 'conn> {
        BindSink {
            stmt,
            param: 0,
            scratch: String::with_capacity(32),
            error: None,
        }
    }

    fn bind<T: rusqlite::ToSql>(&mut self, value: T) {
        self.param += 1;
        if self.error.is_none()
            && let Err(err) = self.stmt.raw_bind_parameter(self.param, value)
        {
            self.error = Some(err);
        }
    }

    fn bind_scratch(&mut self) {
        let text = std::mem::take(&mut self.scratch);
        self.bind(text.as_str());
        self.scratch = text;
    }
}

impl RowSink for BindSink<'_, '_> {
    fn int(&mut self, value: i64) {
        self.bind(value);
    }

    fn text(&mut self, value: &str) {
        self.bind(value);
    }

    fn decimal(&mut self, units: i64, scale: u8) {
        // Division by an exact power of ten gives the double nearest the decimal, so the value
        // prints back as the same decimal.
        self.bind(units as f64 / 10f64.powi(i32::from(scale)));
    }

    fn float(&mut self, value: f64) {
        self.bind(value);
    }

    fn bool(&mut self, value: bool) {
        self.bind(i64::from(value));
    }

    fn date(&mut self, value: Date) {
        self.scratch.clear();
        let _ = write!(self.scratch, "{value}");
        self.bind_scratch();
    }

    fn time(&mut self, value: Time) {
        self.scratch.clear();
        let _ = write!(self.scratch, "{value}");
        self.bind_scratch();
    }

    fn null(&mut self) {
        self.bind(rusqlite::types::Null);
    }

    fn end_row(&mut self) {
        self.param = 0;
        if self.error.is_none()
            && let Err(err) = self.stmt.raw_execute()
        {
            self.error = Some(err);
        }
    }
}
