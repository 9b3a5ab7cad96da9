//! The database job: loads the generated university into SQLite step by step, runs SQL, checks
//! exercise answers, saves the database as `.sqlite` bytes and opens such bytes back. The page's
//! database worker runs it; the core is `campus_db`.
//!
//! The requests and events, and [`page`] (the database section's state and reducer), need no
//! SQLite: the page's main thread uses them. [`DbService`] itself is behind the `db` feature,
//! which only the database worker and the CLI enable, since it links SQLite's C.

use campus_gen::Config;
use serde::{Deserialize, Serialize};

pub mod page;
#[cfg(feature = "db")]
mod service;

#[cfg(feature = "db")]
pub use service::DbService;

/// The pure half of the core: what the service sends, the statement splitter, the diagrams and
/// the exercise pack.
pub use campus_db::exercises::Verdict;
pub use campus_db::tables::{CsvTable, Layout, SESSIONS_TABLE};
pub use campus_db::{
    Cell, ErrorKind, LoadProgress, Position, QueryError, QueryOptions, ResultSet, diagram,
    exercises, position_of, split_statements, statement_at,
};

/// The staging CSV of the ETL named `file_name` (`stg_students.csv`, …) as a table to load
/// (`stg_students`, types inferred as the ETL inferred them); `None` for any other file.
pub fn staging_table(file_name: &str, bytes: Vec<u8>) -> Option<CsvTable> {
    let name = file_name.strip_suffix(".csv")?;
    campus_etl::FileKind::ALL
        .iter()
        .any(|kind| kind.staging_table() == name)
        .then(|| CsvTable::inferred(name, bytes))
}

/// The occupancy sessions as the table `occupancy_sessions`, through their shared CSV layout.
pub fn sessions_table(sessions: &[campus_occupancy::Session]) -> CsvTable {
    CsvTable::sessions(campus_occupancy::session::write_csv(sessions).into_bytes())
}

/// A table of the database and its rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRows {
    pub name: String,
    pub rows: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DbRequest {
    /// Replace the database with a fresh load of the university `Config` describes.
    Load(Config),
    /// Run every statement of a script (the console's "run all", or the one statement under the
    /// cursor).
    Run { sql: String, options: QueryOptions },
    /// Check an answer to the exercise with this id.
    Check { exercise: String, answer: String },
    /// The database as the bytes of a `.sqlite` file.
    Save,
    /// Replace the database with the one in these `.sqlite` bytes.
    Open(Vec<u8>),
    /// What the database holds now (answered with `Ready`).
    Status,
    /// Add tables from CSV files (the ETL's staging tables, the occupancy sessions) next to
    /// what the database holds, replacing tables of the same names.
    LoadTables(Vec<CsvTable>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DbEvent {
    Progress(LoadProgress),
    /// A load or open finished (or the answer to `Status`): the tables now in the database.
    Ready {
        tables: Vec<TableRows>,
        rows: u64,
    },
    /// Each statement's result, in order.
    Results(Vec<ResultSet>),
    /// SQL that failed: SQLite's message and position, or the step budget's stop.
    QueryFailed(QueryError),
    Verdict(Verdict),
    Saved(Vec<u8>),
}
