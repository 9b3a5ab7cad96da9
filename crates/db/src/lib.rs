//! The university as a real SQLite database: created from the one schema model, loaded row by row
//! through prepared statements, queried with a step budget, saved to and opened from bytes.
//!
//! `campus_db` knows nothing about the browser, files or threads: the same code runs natively
//! (the `campus` CLI) and in the page's database worker (SQLite compiled to wasm32). Bytes in,
//! bytes and plain serialisable values out.
//!
//! Interesting modules: `ddl.rs` (SQLite DDL from [`campus_schema::Table`]), `load.rs` (the
//! steppable [`Loader`]), `query.rs` (result sets, error positions, the step budget), `script.rs`
//! (splitting a script into statements, the statement under the cursor), [`exercises`] (questions
//! with reference queries and a result-set checker), [`diagram`] (ER diagrams as Mermaid, DOT and
//! SVG).

//!
//! Everything that touches SQLite is behind the `sqlite` feature (on by default): without it the
//! crate is its pure half (result types, the statement splitter, the DDL text, the exercise pack,
//! the diagrams), which the page's main thread uses without linking SQLite's C.

mod ddl;
pub mod diagram;
pub mod exercises;
#[cfg(feature = "sqlite")]
mod load;
mod query;
#[cfg(feature = "sqlite")]
mod run;
mod script;
pub mod tables;

#[cfg(feature = "sqlite")]
use rusqlite::{Connection, MAIN_DB};

pub use ddl::schema_script;
#[cfg(feature = "sqlite")]
pub use load::Loader;
pub use query::{Cell, ErrorKind, LoadProgress, QueryError, QueryOptions, ResultSet};
pub use script::{Position, position_of, split_statements, statement_at};
#[cfg(feature = "sqlite")]
pub use tables::TableLoader;
pub use tables::{CsvTable, SESSIONS_TABLE};

#[cfg(feature = "sqlite")]
pub use sqlite::{Database, DbError};

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;

    /// What went wrong outside a user's query: opening, loading, saving.
    #[derive(Debug, thiserror::Error)]
    pub enum DbError {
        #[error("SQLite: {0}")]
        Sqlite(#[from] rusqlite::Error),
        #[error("the loaded data breaks {count} foreign keys (first: {first})")]
        ForeignKeys { count: usize, first: String },
        #[error("{0}")]
        Csv(String),
        #[error("the loader was used after it finished or was cancelled")]
        LoaderDone,
    }

    /// One connection to an in-memory database, with foreign keys enforced.
    ///
    /// SQLite in the page is single-threaded, so one worker owns one `Database`.
    #[derive(Debug)]
    pub struct Database {
        conn: Connection,
    }

    impl Database {
        /// An empty in-memory database.
        pub fn open_in_memory() -> Result<Database, DbError> {
            let conn = Connection::open_in_memory()?;
            let db = Database { conn };
            db.configure()?;
            Ok(db)
        }

        /// Opens a database from the bytes of a `.sqlite` file (as written by [`Database::to_bytes`]
        /// or the stock `sqlite3` tool). The bytes are copied; the database lives in memory.
        pub fn from_bytes(bytes: &[u8]) -> Result<Database, DbError> {
            let mut conn = Connection::open_in_memory()?;
            conn.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), false)?;
            let db = Database { conn };
            db.configure()?;
            // A file that is not a database only fails when first read.
            db.conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
            Ok(db)
        }

        fn configure(&self) -> Result<(), DbError> {
            // Foreign keys are off by default in SQLite, per connection.
            self.conn.pragma_update(None, "foreign_keys", true)?;
            Ok(())
        }

        /// The whole database as the bytes of a `.sqlite` file.
        pub fn to_bytes(&mut self) -> Result<Vec<u8>, DbError> {
            Ok(self.conn.serialize(MAIN_DB)?.to_vec())
        }

        /// Creates the tables (in the given order, which must be dependency order).
        pub fn create_tables(&self, tables: &[campus_schema::Table]) -> Result<(), DbError> {
            for table in tables {
                self.conn.execute(&ddl::create_table(table), [])?;
            }
            Ok(())
        }

        /// Every row that breaks a foreign key, as `table(rowid) -> parent`; empty when all hold.
        pub fn foreign_key_check(&self) -> Result<Vec<String>, DbError> {
            let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
            let rows = stmt.query_map([], |row| {
                let table: String = row.get(0)?;
                let rowid: Option<i64> = row.get(1)?;
                let parent: String = row.get(2)?;
                Ok(format!("{table}({}) -> {parent}", rowid.unwrap_or(-1)))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        }

        /// SQLite's own consistency check: `["ok"]` for a sound database.
        pub fn integrity_check(&self) -> Result<Vec<String>, DbError> {
            let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
            let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        }

        /// The user tables, in creation order.
        pub fn table_names(&self) -> Result<Vec<String>, DbError> {
            let mut stmt = self.conn.prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
        )?;
            let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        }

        /// Rows in `table` (quoted, so any name is safe).
        pub fn count_rows(&self, table: &str) -> Result<u64, DbError> {
            let sql = format!("SELECT count(*) FROM {}", ddl::quote(table));
            let n: i64 = self.conn.query_row(&sql, [], |row| row.get(0))?;
            debug_assert!(n >= 0, "count(*) of {table} is {n}");
            Ok(u64::try_from(n).unwrap_or(0))
        }

        /// Changes when the data or the schema changes: rows written on this connection and the
        /// schema's version. Two equal markers around a statement mean it changed nothing.
        pub fn change_marker(&self) -> Result<(u64, i64), DbError> {
            let version: i64 = self
                .conn
                .query_row("PRAGMA schema_version", [], |row| row.get(0))?;
            Ok((self.conn.total_changes(), version))
        }

        /// The SQLite library's version, e.g. "3.50.2".
        pub fn sqlite_version() -> &'static str {
            rusqlite::version()
        }

        pub(crate) fn conn(&self) -> &Connection {
            &self.conn
        }

        pub(crate) fn conn_mut(&mut self) -> &mut Connection {
            &mut self.conn
        }
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests;
