//! Running SQL text: result sets of typed cells with paging, errors with SQLite's message and
//! position, and a budget of virtual-machine steps that stops a runaway query.
//!
//! The page's database worker cannot receive a message while SQLite runs, so a query is stopped
//! from inside: a progress handler counts the VM steps and interrupts past the budget.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use campus_csv::CsvWriter;
use campus_schema::RowSink;
use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};

use crate::Database;
use crate::script::{Position, position_of, split_statements};

/// One value of a result set, as SQLite typed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    fn from_ref(value: ValueRef<'_>) -> Cell {
        match value {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Int(v),
            ValueRef::Real(v) => Cell::Real(v),
            ValueRef::Text(v) => Cell::Text(String::from_utf8_lossy(v).into_owned()),
            ValueRef::Blob(v) => Cell::Blob(v.to_vec()),
        }
    }

    /// The value as a number, for comparing results (integers and reals alike).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(v) => Some(*v as f64),
            Cell::Real(v) => Some(*v),
            _ => None,
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => f.write_str("NULL"),
            Cell::Int(v) => write!(f, "{v}"),
            Cell::Real(v) => write!(f, "{v}"),
            Cell::Text(v) => f.write_str(v),
            Cell::Blob(v) => {
                f.write_str("x'")?;
                for b in v {
                    write!(f, "{b:02x}")?;
                }
                f.write_str("'")
            }
        }
    }
}

/// Which rows of a result to keep, and how long a query may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryOptions {
    /// Rows skipped before the page (all rows are still counted).
    pub offset: u64,
    /// Rows kept from `offset` on.
    pub limit: u64,
    /// Virtual-machine steps (about one per simple row operation) before the query is stopped.
    pub step_budget: u64,
}

impl Default for QueryOptions {
    fn default() -> QueryOptions {
        QueryOptions {
            offset: 0,
            limit: 100,
            // About a second or two of work natively: a runaway recursive CTE is stopped, any
            // sensible query over the default university is not.
            step_budget: 200_000_000,
        }
    }
}

impl QueryOptions {
    /// Every row, with the default budget.
    pub fn all_rows() -> QueryOptions {
        QueryOptions {
            limit: u64::MAX,
            ..QueryOptions::default()
        }
    }
}

/// The answer of one statement: its columns, a page of rows and how many rows there were.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultSet {
    /// The statement's byte range in the text that was run.
    pub statement: Range<usize>,
    pub columns: Vec<String>,
    /// Rows `offset..offset + rows.len()` of the result.
    pub rows: Vec<Vec<Cell>>,
    pub offset: u64,
    /// All rows the statement returned.
    pub total_rows: u64,
    /// Rows inserted, updated or deleted (for statements that change data).
    pub changes: u64,
    /// Virtual-machine steps used, counted in whole periods of the progress handler (1,000
    /// steps), so 0 for a quick statement.
    pub steps: u64,
}

impl ResultSet {
    /// The page as CSV (RFC 4180, header row, CRLF), through the project's one CSV writer.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut csv = CsvWriter::new();
        for name in &self.columns {
            csv.text(name);
        }
        csv.end_row();
        for row in &self.rows {
            for cell in row {
                match cell {
                    Cell::Null => csv.null(),
                    Cell::Int(v) => csv.int(*v),
                    Cell::Real(v) => csv.float(*v),
                    Cell::Text(v) => csv.text(v),
                    blob @ Cell::Blob(_) => csv.text(&blob.to_string()),
                }
            }
            csv.end_row();
        }
        csv.buf
    }
}

/// What kind of failure a [`QueryError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// SQLite rejected the statement or failed running it.
    Sqlite,
    /// The step budget ran out and the query was interrupted.
    Stopped { steps: u64 },
    /// The text holds no statement.
    Empty,
}

/// A query's failure, with SQLite's own message and, when SQLite knows it, where in the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct QueryError {
    pub kind: ErrorKind,
    pub message: String,
    /// Byte offset of the offending token in the text that was run.
    pub offset: Option<usize>,
    pub position: Option<Position>,
}

impl QueryError {
    fn new(kind: ErrorKind, message: String) -> QueryError {
        QueryError {
            kind,
            message,
            offset: None,
            position: None,
        }
    }

    fn at(mut self, text: &str, offset: usize) -> QueryError {
        self.offset = Some(offset);
        self.position = Some(position_of(text, offset));
        self
    }
}

/// VM instructions between two calls of the progress handler.
const PROGRESS_PERIOD: u64 = 1_000;

impl Database {
    /// Runs every statement of `sql` in order and returns each one's result; stops at the first
    /// error, whose offset and position are in `sql` (not in the statement).
    pub fn run_script(
        &mut self,
        sql: &str,
        options: &QueryOptions,
    ) -> Result<Vec<ResultSet>, QueryError> {
        let statements = split_statements(sql);
        if statements.is_empty() {
            return Err(QueryError::new(
                ErrorKind::Empty,
                "there is no SQL statement to run".to_owned(),
            ));
        }
        let mut results = Vec::with_capacity(statements.len());
        for range in statements {
            results.push(self.run_statement(sql, range, options)?);
        }
        Ok(results)
    }

    /// Runs the one statement of `sql` (a trailing `;`, blanks and comments are fine).
    pub fn query(&mut self, sql: &str, options: &QueryOptions) -> Result<ResultSet, QueryError> {
        let statements = split_statements(sql);
        match statements.as_slice() {
            [] => Err(QueryError::new(
                ErrorKind::Empty,
                "there is no SQL statement to run".to_owned(),
            )),
            [range] => self.run_statement(sql, range.clone(), options),
            [_, second, ..] => Err(QueryError::new(
                ErrorKind::Sqlite,
                "only one statement can be run here; remove what follows the first `;`".to_owned(),
            )
            .at(sql, second.start)),
        }
    }

    /// Runs `sql[range]`, one statement, under the step budget.
    fn run_statement(
        &mut self,
        sql: &str,
        range: Range<usize>,
        options: &QueryOptions,
    ) -> Result<ResultSet, QueryError> {
        // Statement ranges come from splitting `sql` at character boundaries.
        debug_assert!(
            sql.get(range.clone()).is_some(),
            "statement {range:?} outside the script"
        );
        let text = sql.get(range.clone()).unwrap_or_default();
        let calls = Arc::new(AtomicU64::new(0));
        let max_calls = options.step_budget.div_ceil(PROGRESS_PERIOD).max(1);
        let counter = Arc::clone(&calls);
        let conn = self.conn_mut();
        conn.progress_handler(
            PROGRESS_PERIOD as i32,
            Some(move || counter.fetch_add(1, Ordering::Relaxed) + 1 > max_calls),
        )
        .map_err(|err| sqlite_error(err, sql, range.start))?;
        let result = collect(conn, text, options, &range);
        let _ = conn.progress_handler(0, None::<fn() -> bool>);
        let steps = calls
            .load(Ordering::Relaxed)
            .saturating_mul(PROGRESS_PERIOD);
        match result {
            Ok(mut set) => {
                set.steps = steps;
                Ok(set)
            }
            Err(err) if is_interrupt(&err) => Err(QueryError::new(
                ErrorKind::Stopped { steps },
                format!(
                    "stopped after {steps} steps: the query ran past its budget of {} steps (a runaway join or recursive query?)",
                    options.step_budget
                ),
            )
            .at(sql, range.start)),
            Err(err) => Err(sqlite_error(err, sql, range.start)),
        }
    }
}

fn collect(
    conn: &rusqlite::Connection,
    text: &str,
    options: &QueryOptions,
    range: &Range<usize>,
) -> rusqlite::Result<ResultSet> {
    let mut stmt = conn.prepare(text)?;
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let n_columns = columns.len();
    let changes_before = conn.total_changes();
    let mut rows = stmt.raw_query();
    let mut page = Vec::new();
    let mut total_rows = 0u64;
    let page_end = options.offset.saturating_add(options.limit);
    while let Some(row) = rows.next()? {
        if total_rows >= options.offset && total_rows < page_end {
            let mut cells = Vec::with_capacity(n_columns);
            for idx in 0..n_columns {
                cells.push(Cell::from_ref(row.get_ref(idx)?));
            }
            page.push(cells);
        }
        total_rows += 1;
    }
    drop(rows);
    let changes = conn.total_changes().saturating_sub(changes_before);
    Ok(ResultSet {
        statement: range.clone(),
        columns,
        rows: page,
        offset: options.offset,
        total_rows,
        changes,
        steps: 0,
    })
}

fn is_interrupt(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::OperationInterrupted)
}

/// SQLite's message, and the error's place in the whole text when SQLite reports one.
fn sqlite_error(err: rusqlite::Error, sql: &str, statement_start: usize) -> QueryError {
    match err {
        rusqlite::Error::SqlInputError { msg, offset, .. } => {
            let error = QueryError::new(ErrorKind::Sqlite, msg);
            match usize::try_from(offset) {
                Ok(offset) => error.at(sql, statement_start + offset),
                Err(_) => error,
            }
        }
        rusqlite::Error::SqliteFailure(_, Some(msg)) => QueryError::new(ErrorKind::Sqlite, msg),
        other => QueryError::new(ErrorKind::Sqlite, other.to_string()),
    }
}
