//! A whole seed script (header, DDL, routines, data, footer), produced in chunks on demand.
//!
//! [`ScriptWriter::fill`] appends at least the requested number of bytes and returns, so the CLI
//! can stream to a file and the web worker can post chunks to the page; the bytes are the same
//! whatever chunk sizes are asked for, because each row's text depends only on (table, row).

use std::io::{self, Write};

use campus_schema::{Dataset, Table};

use crate::Dialect;
use crate::ddl::{
    Routine, add_foreign_keys, add_keys, add_secondary_keys, create_and_use_database_in,
    create_table_in, create_table_primary_only, create_table_unkeyed, foreign_key_indexes,
    use_database_in,
};
use crate::escape::push_ident_in;
use crate::insert::{BATCHES_PER_TRANSACTION, InsertWriter, batch_rows};

/// Marks the start of the data section in a full script; `--part` outputs are exactly the bytes
/// between this line and [`DATA_END`].
pub const DATA_BEGIN: &str = "-- BEGIN DATA\n";
pub const DATA_END: &str = "-- END DATA\n";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptOptions {
    /// The database to create (if missing) and use.
    pub database: String,
    /// A title for the first comment line, e.g. the file name.
    pub title: String,
    pub schema: bool,
    pub data: bool,
    /// Drop the tables (and routines) first, then create them; needs `schema`.
    pub drop_existing: bool,
    pub routines: Vec<Routine>,
    /// Write only this slice of the data section.
    pub part: Option<Part>,
    /// The database family the script is for.
    pub dialect: Dialect,
    /// The data section loads each table's CSV file (`TABLE.csv` beside the script) with the
    /// dialect's bulk loader ([`crate::bulk`]) instead of holding INSERT statements.
    pub csv_data: bool,
}

impl Default for ScriptOptions {
    fn default() -> ScriptOptions {
        ScriptOptions {
            database: "university_system".into(),
            title: "Create_FullDB.sql".into(),
            schema: true,
            data: true,
            drop_existing: false,
            routines: Vec::new(),
            part: None,
            dialect: Dialect::MySql,
            csv_data: false,
        }
    }
}

/// The `index`-th (1-based) of `count` contiguous, disjoint slices of all data rows, in table
/// order: concatenated in order, the parts are the data section of the single run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    pub index: u64,
    pub count: u64,
}

impl Part {
    /// Parses `K/N`.
    pub fn parse(text: &str) -> Result<Part, SqlError> {
        let bad = || SqlError::BadPart(text.to_owned());
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let part = Part {
            index: k.trim().parse().map_err(|_| bad())?,
            count: n.trim().parse().map_err(|_| bad())?,
        };
        if part.count == 0 || part.index == 0 || part.index > part.count {
            return Err(bad());
        }
        Ok(part)
    }

    /// This part's range of global row numbers in `dataset`.
    ///
    /// Cuts fall on transaction boundaries, so every part is a sequence of whole `START
    /// TRANSACTION … COMMIT` blocks that a separate process or machine can load on its own.
    pub fn range(self, dataset: &dyn Dataset) -> (u64, u64) {
        let total: u64 = (0..dataset.tables().len()).map(|t| dataset.n_rows(t)).sum();
        let at = |k: u64| {
            aligned_cut(
                dataset,
                (u128::from(total) * u128::from(k) / u128::from(self.count.max(1))) as u64,
            )
        };
        (at(self.index - 1), at(self.index))
    }

    /// This part's range of `n_rows` rows of a single table (for per-table files such as CSV).
    pub fn table_range(self, n_rows: u64) -> (u64, u64) {
        let at =
            |k: u64| (u128::from(n_rows) * u128::from(k) / u128::from(self.count.max(1))) as u64;
        (at(self.index - 1), at(self.index))
    }
}

/// Moves global row `cut` back to the start of the transaction it falls in.
fn aligned_cut(dataset: &dyn Dataset, cut: u64) -> u64 {
    let mut offset = 0;
    for (table_idx, table) in dataset.tables().iter().enumerate() {
        let n_rows = dataset.n_rows(table_idx);
        if cut < offset + n_rows {
            let per_transaction = batch_rows(table) * BATCHES_PER_TRANSACTION;
            return offset + (cut - offset) / per_transaction * per_transaction;
        }
        offset += n_rows;
    }
    cut
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    #[error("database name {0:?} must be 1 to 64 letters, digits or underscores")]
    BadDatabaseName(String),
    #[error(
        "database name {0:?} is a system schema of MySQL/MariaDB: loading into it would put the tables among the server's own; choose another name"
    )]
    SystemDatabase(String),
    #[error("part {0:?} must look like K/N with 1 <= K <= N, e.g. 2/8")]
    BadPart(String),
    #[error("drop-and-recreate needs the schema section")]
    DropWithoutSchema,
    #[error("a part holds data only: the schema section cannot be split")]
    PartWithSchema,
    #[error("nothing to write: choose the schema, the data, or both")]
    Empty,
    #[error("a script that loads the CSV files loads all of them: it needs the data, not a part")]
    CsvDataWhole,
    #[error("dialect {0:?} is not one of mysql, postgres, sqlite")]
    BadDialect(String),
}

/// The schemas MySQL and MariaDB keep for themselves (names compare without case, as they do
/// on servers with case-insensitive names).
pub const SYSTEM_DATABASES: [&str; 4] =
    ["mysql", "information_schema", "performance_schema", "sys"];

/// Whether `name` is one of [`SYSTEM_DATABASES`].
pub fn is_system_database(name: &str) -> bool {
    SYSTEM_DATABASES
        .iter()
        .any(|system| system.eq_ignore_ascii_case(name))
}

/// What a `--part` file starts with, so that it loads on its own (`mysql < part.sql`) into
/// `database`, whose tables the schema-only script created: the database to use and the
/// session settings of the full script's header (a part holds only whole transactions).
pub fn part_prelude(dialect: Dialect, database: &str, part: Part) -> Vec<u8> {
    let mut out = format!(
        "-- Part {} of {} of the data of `{database}`: load the schema first (--schema-only), then \
         the parts in order.\n",
        part.index, part.count
    )
    .into_bytes();
    match dialect {
        Dialect::MySql => {
            use_database_in(dialect, &mut out, database);
            out.extend_from_slice(
                b"SET NAMES utf8mb4;\nSET FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0;\n\
                  SET SQL_MODE = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO';\n",
            );
        }
        Dialect::Postgres => {
            out.extend_from_slice(
                b"SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n",
            );
            use_database_in(dialect, &mut out, database);
        }
        Dialect::Sqlite => out.extend_from_slice(b"PRAGMA foreign_keys = OFF;\n"),
    }
    out
}

/// What a `--part` file ends with: for PostgreSQL, [`reset_identities`], so that whichever parts
/// are loaded, in whatever order, the identity columns go on past every id loaded so far (an
/// INSERT without an id then succeeds); nothing for the others, whose keys count on by themselves.
pub fn part_postlude(dialect: Dialect, tables: &[Table]) -> Vec<u8> {
    let mut out = Vec::new();
    if dialect == Dialect::Postgres {
        reset_identities(&mut out, tables);
    }
    out
}

/// PostgreSQL: rows came with their ids, so each table's identity goes on from its largest id.
fn reset_identities(out: &mut Vec<u8>, tables: &[Table]) {
    out.extend_from_slice(b"\nDO $$\nBEGIN\n");
    for table in tables {
        if let Some(pk) = table.primary_key() {
            let mut name = Vec::new();
            push_ident_in(Dialect::Postgres, &mut name, &table.name);
            let name = String::from_utf8_lossy(&name);
            let mut column = Vec::new();
            push_ident_in(Dialect::Postgres, &mut column, &pk.name);
            let column = String::from_utf8_lossy(&column);
            out.extend_from_slice(format!(
                "  PERFORM setval(pg_get_serial_sequence('{}', '{}'), COALESCE(MAX({column}), 0) + 1, false) FROM {name};\n",
                name.replace('\'', "''"),
                pk.name.replace('\'', "''"),
            ).as_bytes());
        }
    }
    out.extend_from_slice(b"END\n$$;\n");
}

impl ScriptOptions {
    pub fn validate(&self) -> Result<(), SqlError> {
        let name_ok = (1..=64).contains(&self.database.len())
            && self
                .database
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !name_ok {
            return Err(SqlError::BadDatabaseName(self.database.clone()));
        }
        if is_system_database(&self.database) {
            return Err(SqlError::SystemDatabase(self.database.clone()));
        }
        if self.drop_existing && !self.schema {
            return Err(SqlError::DropWithoutSchema);
        }
        if self.part.is_some() && self.schema {
            return Err(SqlError::PartWithSchema);
        }
        if !self.schema && !self.data {
            return Err(SqlError::Empty);
        }
        if self.csv_data && (!self.data || self.part.is_some()) {
            return Err(SqlError::CsvDataWhole);
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Header,
    Schema,
    DataBegin,
    Rows,
    DataEnd,
    Footer,
    Done,
}

/// Streams the script for one dataset. Cheap to create; holds one table's writer at a time.
pub struct ScriptWriter<D> {
    dataset: D,
    options: ScriptOptions,
    phase: Phase,
    /// The next data row, as (table, row), and the last global row to write (exclusive).
    table_idx: usize,
    row_idx: u64,
    rows_left: u64,
    rows_total: u64,
    insert: Option<InsertWriter>,
}

impl<D: Dataset> ScriptWriter<D> {
    pub fn new(dataset: D, options: ScriptOptions) -> Result<ScriptWriter<D>, SqlError> {
        options.validate()?;
        let n_tables = dataset.tables().len();
        let all_rows: u64 = (0..n_tables).map(|t| dataset.n_rows(t)).sum();
        let (start, end) = match (options.data, options.part) {
            (false, _) => (0, 0),
            (true, None) => (0, all_rows),
            (true, Some(part)) => part.range(&dataset),
        };
        // Find the table and row of global row `start`.
        let (mut table_idx, mut row_idx) = (0, start);
        while table_idx < n_tables && row_idx >= dataset.n_rows(table_idx) {
            row_idx -= dataset.n_rows(table_idx);
            table_idx += 1;
        }
        let phase = if options.part.is_some() {
            Phase::Rows
        } else {
            Phase::Header
        };
        Ok(ScriptWriter {
            dataset,
            options,
            phase,
            table_idx,
            row_idx,
            rows_left: end - start,
            rows_total: end - start,
            insert: None,
        })
    }

    /// Data rows this script holds.
    pub fn rows_total(&self) -> u64 {
        self.rows_total
    }

    pub fn rows_done(&self) -> u64 {
        self.rows_total - self.rows_left
    }

    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Appends to `out` until it holds at least `min_len` bytes or the script ends; returns
    /// whether more remains.
    pub fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> bool {
        while out.len() < min_len && self.phase != Phase::Done {
            self.step(out);
        }
        self.phase != Phase::Done
    }

    /// Appends everything before the first data row: the header, the schema and the line that
    /// opens the data section. With [`ScriptWriter::skip_rows`] and the data written elsewhere
    /// as parts, a caller can produce a script's data in pieces (on several threads, say) and
    /// still write the very bytes of one run.
    pub fn fill_prologue(&mut self, out: &mut Vec<u8>) {
        while matches!(self.phase, Phase::Header | Phase::Schema | Phase::DataBegin) {
            self.step(out);
        }
    }

    /// Leaves out the data rows not yet written: what [`ScriptWriter::fill`] appends next is
    /// what follows the data section (its closing line and the footer).
    pub fn skip_rows(&mut self) {
        self.rows_left = 0;
        self.insert = None;
    }

    /// Writes the whole (remaining) script.
    pub fn write_all(&mut self, writer: &mut impl Write) -> io::Result<()> {
        let mut buf = Vec::with_capacity(1 << 20);
        loop {
            buf.clear();
            let more = self.fill(&mut buf, 1 << 20);
            writer.write_all(&buf)?;
            if !more {
                return Ok(());
            }
        }
    }

    fn step(&mut self, out: &mut Vec<u8>) {
        match self.phase {
            Phase::Header => {
                self.header(out);
                self.phase = if self.options.schema {
                    Phase::Schema
                } else {
                    Phase::DataBegin
                };
            }
            Phase::Schema => {
                self.schema(out);
                self.phase = if self.options.data {
                    Phase::DataBegin
                } else {
                    Phase::Footer
                };
            }
            Phase::DataBegin => {
                out.extend_from_slice(DATA_BEGIN.as_bytes());
                self.phase = Phase::Rows;
            }
            Phase::Rows => self.rows(out),
            Phase::DataEnd => {
                out.extend_from_slice(DATA_END.as_bytes());
                self.phase = Phase::Footer;
            }
            Phase::Footer => {
                self.footer(out);
                self.phase = Phase::Done;
            }
            Phase::Done => {}
        }
    }

    fn header(&self, out: &mut Vec<u8>) {
        let db = &self.options.database;
        let title = &self.options.title;
        let dialect = self.options.dialect;
        let mut text = match dialect {
            Dialect::MySql => format!("-- {title}: seed script for the `{db}` database\n"),
            Dialect::Postgres => {
                format!("-- {title}: seed script for the \"{db}\" schema (PostgreSQL)\n")
            }
            Dialect::Sqlite => format!("-- {title}: seed script for an SQLite database\n"),
        };
        let csv = self.options.csv_data;
        let mut load = match (dialect, csv) {
            (Dialect::MySql, false) => format!("mysql -u root -p < {title}"),
            (Dialect::MySql, true) => format!("mysql --local-infile=1 -u root -p < {title}"),
            (Dialect::Postgres, _) => format!("psql -v ON_ERROR_STOP=1 -d DATABASE -f {title}"),
            (Dialect::Sqlite, _) => format!("sqlite3 university.db < {title}"),
        };
        if csv {
            load += ",\n--   from the folder that holds it and the tables' CSV files";
        }
        text += &format!(
            "-- Generated by Campus ETL Studio {}. Load it with: {load}\n",
            env!("CARGO_PKG_VERSION"),
        );
        for line in self.dataset.provenance() {
            text += &format!("-- {line}\n");
        }
        if !self.options.drop_existing {
            text += &match dialect {
                Dialect::MySql => format!(
                    "-- Into a database that already holds these tables, the inserts fail with duplicate keys:\n\
                     -- drop the `{db}` database first, or generate with \"drop and recreate\" (campus generate --drop).\n"
                ),
                Dialect::Postgres => format!(
                    "-- Into a schema that already holds these tables, the inserts fail with duplicate keys:\n\
                     -- drop the \"{db}\" schema first, or generate with \"drop and recreate\" (campus generate --drop).\n"
                ),
                Dialect::Sqlite => "-- Into a database that already holds these tables, the inserts fail with duplicate keys:\n\
                     -- start from a new file, or generate with \"drop and recreate\" (campus generate --drop).\n"
                    .to_owned(),
            };
        }
        match dialect {
            Dialect::MySql => {
                text += "\nSET NAMES utf8mb4;\n";
                text +=
                    "SET @OLD_FOREIGN_KEY_CHECKS = @@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS = 0;\n";
                text += "SET @OLD_UNIQUE_CHECKS = @@UNIQUE_CHECKS, UNIQUE_CHECKS = 0;\n";
                // An explicit mode: strict, and without NO_BACKSLASH_ESCAPES, which our literals rely on.
                text += "SET @OLD_SQL_MODE = @@SQL_MODE, SQL_MODE = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO';\n\n";
            }
            Dialect::Postgres => {
                // Our literals are standard strings: a backslash is an ordinary character.
                text += "\nSET client_encoding = 'UTF8';\n";
                text += "SET standard_conforming_strings = on;\n";
            }
            Dialect::Sqlite => {
                // References are declared and checked after the load (PRAGMA foreign_key_check),
                // not row by row.
                text += "\nPRAGMA foreign_keys = OFF;\n";
            }
        }
        out.extend_from_slice(text.as_bytes());
        create_and_use_database_in(dialect, out, db);
        out.push(b'\n');
    }

    /// The data section of a script that loads CSV files: one load per table with rows.
    ///
    /// In MySQL each load is a transaction of its own: InnoDB then takes it as a bulk insert into
    /// an empty table (one undo record, not one a row), which it does not for a second table in
    /// the same transaction, measured a third slower on MariaDB 10.11.
    fn bulk_loads(&mut self, out: &mut Vec<u8>) {
        let tables = self.dataset.tables();
        for (idx, table) in tables.iter().enumerate() {
            let n_rows = self.dataset.n_rows(idx);
            if n_rows > 0 {
                out.extend_from_slice(format!("\n-- {}: {n_rows} rows\n", table.name).as_bytes());
                crate::bulk::load_table(self.options.dialect, out, table);
            }
        }
        self.rows_left = 0;
        self.phase = Phase::DataEnd;
    }

    fn footer(&self, out: &mut Vec<u8>) {
        let tables = self.dataset.tables();
        if self.mysql_bulk() {
            out.extend_from_slice(
                b"\n-- The unique keys, the references and their indexes, each index built once from the loaded rows.\n",
            );
            for table in tables {
                add_secondary_keys(out, table);
            }
        }
        match self.options.dialect {
            Dialect::MySql => out.extend_from_slice(
                b"\nSET FOREIGN_KEY_CHECKS = @OLD_FOREIGN_KEY_CHECKS;\nSET UNIQUE_CHECKS = @OLD_UNIQUE_CHECKS;\nSET SQL_MODE = @OLD_SQL_MODE;\n",
            ),
            Dialect::Postgres => {
                if self.bulk(Dialect::Postgres) {
                    out.extend_from_slice(
                        b"\n-- The primary and unique keys, each index built once from the loaded rows.\n",
                    );
                    for table in tables {
                        add_keys(out, table);
                    }
                }
                if self.options.data {
                    reset_identities(out, tables);
                }
                if self.options.schema {
                    out.push(b'\n');
                    for table in tables {
                        add_foreign_keys(out, table);
                    }
                    for table in tables {
                        foreign_key_indexes(Dialect::Postgres, out, table);
                    }
                }
            }
            Dialect::Sqlite => {
                if self.options.schema {
                    out.push(b'\n');
                    for table in tables {
                        foreign_key_indexes(Dialect::Sqlite, out, table);
                    }
                }
                out.extend_from_slice(
                    b"-- Every reference holds: with PRAGMA foreign_keys = ON, PRAGMA foreign_key_check lists no row.\n",
                );
            }
        }
        out.extend_from_slice(b"-- End of script\n");
    }

    /// A MySQL script that creates the tables and bulk-loads their CSV files: its tables get
    /// their secondary keys after the rows.
    fn mysql_bulk(&self) -> bool {
        self.bulk(Dialect::MySql)
    }

    /// A script in `dialect` that creates the tables and bulk-loads their CSV files: its tables
    /// get their keys after the rows.
    fn bulk(&self, dialect: Dialect) -> bool {
        self.options.dialect == dialect && self.options.csv_data && self.options.schema
    }

    fn schema(&self, out: &mut Vec<u8>) {
        let tables = self.dataset.tables();
        if self.options.drop_existing {
            for table in tables.iter().rev() {
                out.extend_from_slice(b"DROP TABLE IF EXISTS ");
                push_ident_in(self.options.dialect, out, &table.name);
                out.extend_from_slice(if self.options.dialect == Dialect::Postgres {
                    b" CASCADE;\n"
                } else {
                    b";\n"
                });
            }
            out.push(b'\n');
        }
        for table in tables {
            if self.mysql_bulk() {
                create_table_primary_only(out, table, !self.options.drop_existing);
            } else if self.bulk(Dialect::Postgres) {
                create_table_unkeyed(out, table, !self.options.drop_existing);
            } else {
                create_table_in(
                    self.options.dialect,
                    out,
                    table,
                    !self.options.drop_existing,
                );
            }
            out.push(b'\n');
        }
        for routine in &self.options.routines {
            routine.write_in(self.options.dialect, out);
            out.push(b'\n');
        }
    }

    /// Writes rows of the current table until the chunk is big enough or the table ends.
    fn rows(&mut self, out: &mut Vec<u8>) {
        if self.options.csv_data {
            return self.bulk_loads(out);
        }
        let tables = self.dataset.tables();
        let (Some(table), true) = (tables.get(self.table_idx), self.rows_left > 0) else {
            self.phase = if self.options.part.is_some() {
                Phase::Done
            } else {
                Phase::DataEnd
            };
            return;
        };
        let n_rows = self.dataset.n_rows(self.table_idx);
        if self.insert.is_none() && self.row_idx == 0 {
            out.extend_from_slice(format!("\n-- {}: {n_rows} rows\n", table.name).as_bytes());
        }
        let insert = self.insert.get_or_insert_with(|| {
            InsertWriter::starting_at_in(self.options.dialect, table, self.row_idx, Some(n_rows))
        });
        // The writer formats straight into `out`: the buffers swap, no bytes are copied.
        std::mem::swap(&mut insert.buf, out);
        // A few hundred rows at a time, so `fill` overshoots its target by little.
        let batch_end = (self.row_idx + 256)
            .min(n_rows)
            .min(self.row_idx + self.rows_left);
        while self.row_idx < batch_end {
            self.dataset.write_row(self.table_idx, self.row_idx, insert);
            self.row_idx += 1;
            self.rows_left -= 1;
        }
        std::mem::swap(&mut insert.buf, out);
        if self.row_idx >= n_rows {
            self.insert = None;
            self.table_idx += 1;
            self.row_idx = 0;
            // Empty tables hold no global rows, so no part could own a comment for them: skip them.
            while self.table_idx < tables.len() && self.dataset.n_rows(self.table_idx) == 0 {
                self.table_idx += 1;
            }
        }
    }
}
