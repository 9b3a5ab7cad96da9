//! Running SQL text against the database: statements one by one, a page of each result, errors
//! placed in the text, and a budget of virtual-machine steps that stops a runaway query.
//!
//! The page's database worker cannot receive a message while SQLite runs, so a query is stopped
//! from inside: a progress handler counts the VM steps and interrupts past the budget.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::types::ValueRef;

use crate::script::split_statements;
use crate::{Cell, Database, ErrorKind, QueryError, QueryOptions, ResultSet};

impl Cell {
    pub(crate) fn from_ref(value: ValueRef<'_>) -> Cell {
        match value {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Int(v),
            ValueRef::Real(v) => Cell::Real(v),
            ValueRef::Text(v) => Cell::Text(String::from_utf8_lossy(v).into_owned()),
            ValueRef::Blob(v) => Cell::Blob(v.to_vec()),
        }
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
