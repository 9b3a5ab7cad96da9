//! What running SQL gives back, as plain serialisable values: result sets of typed cells with
//! paging, errors with SQLite's message and position, the options (page and step budget) and a
//! load's progress. Pure, so the page can hold them without linking SQLite; `run.rs` produces them.

use std::ops::Range;

use campus_csv::CsvWriter;
use campus_schema::RowSink;
use serde::{Deserialize, Serialize};

use crate::script::{Position, position_of};

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

#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
impl QueryError {
    pub(crate) fn new(kind: ErrorKind, message: String) -> QueryError {
        QueryError {
            kind,
            message,
            offset: None,
            position: None,
        }
    }

    pub(crate) fn at(mut self, text: &str, offset: usize) -> QueryError {
        self.offset = Some(offset);
        self.position = Some(position_of(text, offset));
        self
    }
}

/// Where a load stands after a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadProgress {
    /// The table being loaded (the last one once finished).
    pub table: String,
    pub rows_done: u64,
    pub rows_total: u64,
    /// The transaction is committed and the foreign keys checked.
    pub finished: bool,
}
