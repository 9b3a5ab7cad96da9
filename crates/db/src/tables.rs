//! Tables from CSV files next to the university: the ETL's staging tables (`stg_*`, column types
//! inferred from the file, as the ETL inferred them for its MySQL staging script) and the
//! occupancy sessions (the shared 14-column layout, with fixed types).
//!
//! The [`TableLoader`] is steppable like the university's [`crate::Loader`]: a first pass over
//! each file infers its types and counts its rows, a second binds every field, typed, to one
//! prepared `INSERT` per table, all in one transaction. Tables of the same names are replaced;
//! everything else in the database stays. A cancelled or failed load rolls back to the database
//! as it was.

use campus_csv::infer::{Inferrer, is_null, parse_bool};
use campus_csv::{CsvErrorKind, CsvReader, Headers, ReadOptions, Row, RowHandler};
use campus_schema::{Column, ColumnType, Date, Table};
use serde::{Deserialize, Serialize};

/// The table the occupancy sessions load into.
pub const SESSIONS_TABLE: &str = "occupancy_sessions";

/// How a file's columns get their types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// Inferred from the file, every column of the header in order (the ETL's staging CSVs).
    Inferred,
    /// The occupancy sessions' layout ([`sessions_table`]); columns matched by name.
    Sessions,
}

/// A CSV file to load as a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvTable {
    pub name: String,
    pub layout: Layout,
    pub bytes: Vec<u8>,
}

impl CsvTable {
    /// A staging CSV of the ETL (`stg_students.csv` becomes `stg_students`).
    pub fn inferred(name: impl Into<String>, bytes: Vec<u8>) -> CsvTable {
        CsvTable {
            name: name.into(),
            layout: Layout::Inferred,
            bytes,
        }
    }

    /// Sessions in the occupancy section's CSV layout, as [`SESSIONS_TABLE`].
    pub fn sessions(bytes: Vec<u8>) -> CsvTable {
        CsvTable {
            name: SESSIONS_TABLE.to_owned(),
            layout: Layout::Sessions,
            bytes,
        }
    }
}

/// The occupancy sessions' table: the 14 columns of the shared CSV layout with their real types
/// (dates and times as ISO text, `exam_week` as 0/1, the rolling averages as REAL).
pub fn sessions_table() -> Table {
    let text = |name: &str, n: u16| Column::new(name.to_owned(), ColumnType::VarChar(n));
    let int = |name: &str| Column::new(name.to_owned(), ColumnType::Int);
    let real = |name: &str| Column::new(name.to_owned(), ColumnType::Double);
    Table::new(
        SESSIONS_TABLE,
        vec![
            Column::new("date", ColumnType::Date),
            Column::new("time", ColumnType::Time),
            text("school", 64),
            text("venue", 64),
            int("venue_capacity"),
            text("weekday", 16),
            int("semester_day"),
            Column::new("exam_week", ColumnType::Bool),
            int("enrolled_students"),
            real("prev_attendance"),
            real("rolling_avg_3"),
            real("rolling_avg_5"),
            real("trend_delta"),
            int("actual_attendance").nullable(),
        ],
    )
}

/// One field as the value it is stored as.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
}

/// `field` as a value of `ty`, the way the ETL types its staging INSERTs: nulls by pandas'
/// rules, numbers, booleans (as 0/1) and ISO dates parsed, anything that does not parse kept as
/// its text so no value is lost.
pub fn typed(field: &str, ty: ColumnType) -> Typed<'_> {
    match ty {
        ColumnType::Decimal { .. } | ColumnType::Double if !is_null(field) => {
            match field.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Typed::Real(v),
                _ => Typed::Text(field),
            }
        }
        _ => bound(field, ty),
    }
}

/// [`typed`] as the loader binds it: numbers for REAL columns go as their text, which SQLite's
/// REAL affinity turns into the same double (and keeps as text when it is not a number),
/// so the page's database worker needs no second float parser.
fn bound(field: &str, ty: ColumnType) -> Typed<'_> {
    if is_null(field) {
        return Typed::Null;
    }
    let trimmed = field.trim();
    let parsed = match ty {
        ColumnType::Int | ColumnType::BigInt => trimmed.parse::<i64>().ok().map(Typed::Int),
        ColumnType::Decimal { .. } | ColumnType::Double => Some(Typed::Text(trimmed)),
        ColumnType::Bool => match trimmed {
            "1" => Some(Typed::Int(1)),
            "0" => Some(Typed::Int(0)),
            _ => parse_bool(trimmed).map(|b| Typed::Int(i64::from(b))),
        },
        ColumnType::Date => Date::parse_iso(trimmed).map(|_| Typed::Text(trimmed)),
        ColumnType::Time | ColumnType::VarChar(_) | ColumnType::Text => None,
    };
    parsed.unwrap_or(Typed::Text(field))
}

/// One file's schema once its first pass is done: the table and, per table column, the
/// position of its field in the file's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Shaped {
    pub table: Table,
    pub positions: Vec<usize>,
    pub n_rows: u64,
}

/// The first pass over one file: its header, types and rows.
struct Survey {
    layout: Layout,
    inferrer: Option<Inferrer>,
    positions: Vec<usize>,
    n_rows: u64,
}

impl RowHandler for Survey {
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        match self.layout {
            Layout::Inferred => {
                self.positions = (0..headers.names.len()).collect();
                self.inferrer = Some(Inferrer::new(&headers.names));
            }
            Layout::Sessions => {
                let table = sessions_table();
                let names: Vec<&str> = table.column_names().collect();
                self.positions = headers.require(&names)?;
            }
        }
        Ok(())
    }

    fn on_row(&mut self, row: &Row<'_>) {
        self.n_rows += 1;
        if let Some(inferrer) = &mut self.inferrer {
            inferrer.observe(row.fields());
        }
    }
}

impl Survey {
    fn shaped(self, name: &str) -> Shaped {
        let table = match (self.layout, self.inferrer) {
            (Layout::Sessions, _) => sessions_table(),
            (Layout::Inferred, inferrer) => {
                let columns = inferrer
                    .map(|i| i.columns)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|stats| {
                        let column =
                            Column::new(stats.name.trim().to_owned(), stats.ty.column_type());
                        // The ETL declares the hash nullable whatever the file holds (an
                        // orphan row has none).
                        let hash = stats.name.trim() == "student_hash";
                        if stats.n_nulls > 0 || stats.n_values == 0 || hash {
                            column.nullable()
                        } else {
                            column
                        }
                    })
                    .collect();
                Table::new(name.to_owned(), columns)
            }
        };
        Shaped {
            table,
            positions: self.positions,
            n_rows: self.n_rows,
        }
    }
}

/// Reads a whole file's first pass: its table, field positions and rows, or the first problem
/// (a missing header or column, a malformed row).
pub fn survey(file: &CsvTable) -> Result<Shaped, String> {
    let mut reader = reader(&file.name);
    let mut survey = Survey {
        layout: file.layout,
        inferrer: None,
        positions: Vec::new(),
        n_rows: 0,
    };
    reader.feed(&file.bytes, &mut survey);
    reader.finish(&mut survey);
    if let Some(error) = reader.errors().first() {
        return Err(error.to_string());
    }
    if reader.headers().is_none() {
        return Err(format!("{}: the file is empty", file.name));
    }
    Ok(survey.shaped(&file.name))
}

fn reader(name: &str) -> CsvReader {
    let mut options = ReadOptions::new(format!("{name}.csv"));
    options.delimiter = Some(b',');
    CsvReader::new(options)
}

/// FNV-1a over every value of a table, row by row: two sources agree only if every value does.
/// Values are hashed as their canonical text (integers in decimal, reals in Rust's shortest
/// round-trip form, text as is, NULL as a marker no text can be).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checksum {
    pub rows: u64,
    pub hash: u64,
}

impl Default for Checksum {
    fn default() -> Checksum {
        Checksum {
            rows: 0,
            hash: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl Checksum {
    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Adds one value.
    pub fn value(&mut self, value: &Typed<'_>) {
        match value {
            Typed::Null => self.add(b"\xffNULL"),
            Typed::Int(v) => self.add(v.to_string().as_bytes()),
            Typed::Real(v) => self.add(format!("{v:?}").as_bytes()),
            Typed::Text(v) => self.add(v.as_bytes()),
        }
        self.add(&[0x1f]);
    }

    /// Ends a row.
    pub fn end_row(&mut self) {
        self.rows += 1;
        self.add(&[0x1e]);
    }
}

/// The checksum of a CSV file's rows as they load: each field typed as its column.
pub fn csv_checksum(file: &CsvTable) -> Result<Checksum, String> {
    let shaped = survey(file)?;
    let mut reader = reader(&file.name);
    let mut sum = Checksum::default();
    let mut handler = campus_csv::OnRow(|row: &Row<'_>| {
        for (column, &pos) in shaped.table.columns.iter().zip(&shaped.positions) {
            sum.value(&typed(row.get(pos).unwrap_or(""), column.ty));
        }
        sum.end_row();
    });
    reader.feed(&file.bytes, &mut handler);
    reader.finish(&mut handler);
    Ok(sum)
}

#[cfg(feature = "sqlite")]
pub use loader::TableLoader;

#[cfg(feature = "sqlite")]
mod loader {
    use rusqlite::Statement;

    use super::*;
    use crate::{Database, DbError, LoadProgress, ddl};

    /// Bytes of CSV per step: a few milliseconds of work.
    const STEP_BYTES: usize = 1 << 20;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum State {
        NotStarted,
        Loading,
        Done,
    }

    /// Loads CSV files as tables into a [`Database`], step by step, in one transaction.
    pub struct TableLoader {
        files: Vec<CsvTable>,
        shaped: Vec<Shaped>,
        state: State,
        file_idx: usize,
        offset: usize,
        reader: Option<CsvReader>,
        rows_done: u64,
        rows_total: u64,
    }

    impl std::fmt::Debug for TableLoader {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("TableLoader")
                .field("tables", &self.tables())
                .field("rows_done", &self.rows_done)
                .field("rows_total", &self.rows_total)
                .finish_non_exhaustive()
        }
    }

    impl TableLoader {
        /// Surveys every file (its types and rows); fails on the first file that is not a
        /// well-formed CSV of its layout.
        pub fn new(files: Vec<CsvTable>) -> Result<TableLoader, DbError> {
            let shaped = files
                .iter()
                .map(survey)
                .collect::<Result<Vec<_>, _>>()
                .map_err(DbError::Csv)?;
            let rows_total = shaped.iter().map(|s| s.n_rows).sum();
            Ok(TableLoader {
                files,
                shaped,
                state: State::NotStarted,
                file_idx: 0,
                offset: 0,
                reader: None,
                rows_done: 0,
                rows_total,
            })
        }

        pub fn rows_total(&self) -> u64 {
            self.rows_total
        }

        /// The tables as they will be created.
        pub fn tables(&self) -> Vec<&Table> {
            self.shaped.iter().map(|s| &s.table).collect()
        }

        /// Loads about `max_bytes` of CSV (the first step replaces the tables, the last indexes
        /// `student_hash` columns, commits and checks every foreign key).
        pub fn step(
            &mut self,
            db: &mut Database,
            max_bytes: usize,
        ) -> Result<LoadProgress, DbError> {
            let result = self.step_inner(db, max_bytes.max(1));
            if result.is_err() && self.state == State::Loading {
                self.state = State::Done;
                let _ = db.conn().execute_batch("ROLLBACK");
            }
            result
        }

        fn step_inner(
            &mut self,
            db: &mut Database,
            max_bytes: usize,
        ) -> Result<LoadProgress, DbError> {
            match self.state {
                State::Done => return Err(DbError::LoaderDone),
                State::NotStarted => {
                    db.conn().execute_batch("BEGIN")?;
                    self.state = State::Loading;
                    for shaped in &self.shaped {
                        let name = ddl::quote(&shaped.table.name);
                        db.conn()
                            .execute(&format!("DROP TABLE IF EXISTS {name}"), [])?;
                        db.conn().execute(&ddl::create_table(&shaped.table), [])?;
                    }
                }
                State::Loading => {}
            }
            let mut budget = max_bytes;
            while budget > 0 {
                let (Some(file), Some(shaped)) = (
                    self.files.get(self.file_idx),
                    self.shaped.get(self.file_idx),
                ) else {
                    break;
                };
                let reader = self.reader.get_or_insert_with(|| reader(&file.name));
                let end = file.bytes.len().min(self.offset.saturating_add(budget));
                let mut stmt = db.conn().prepare_cached(&ddl::insert(&shaped.table))?;
                let mut sink = Insert {
                    stmt: &mut stmt,
                    shaped,
                    n_rows: 0,
                    error: None,
                };
                if let Some(chunk) = file.bytes.get(self.offset..end) {
                    reader.feed(chunk, &mut sink);
                }
                budget -= end - self.offset;
                self.offset = end;
                if end >= file.bytes.len() {
                    reader.finish(&mut sink);
                }
                self.rows_done += sink.n_rows;
                if let Some(err) = sink.error.take() {
                    return Err(err.into());
                }
                drop(stmt);
                if end >= file.bytes.len() {
                    self.file_idx += 1;
                    self.offset = 0;
                    self.reader = None;
                    // An empty file still counts as read.
                    budget = budget.saturating_sub(1);
                }
            }
            let finished = self.file_idx >= self.files.len();
            if finished {
                self.finish(db)?;
            }
            let shown = self.file_idx.min(self.shaped.len().saturating_sub(1));
            Ok(LoadProgress {
                table: self
                    .shaped
                    .get(shown)
                    .map(|s| s.table.name.to_string())
                    .unwrap_or_default(),
                rows_done: self.rows_done,
                rows_total: self.rows_total,
                finished,
            })
        }

        fn finish(&mut self, db: &mut Database) -> Result<(), DbError> {
            for shaped in &self.shaped {
                let table = &shaped.table;
                if table.column_names().any(|c| c == "student_hash") {
                    let index = ddl::quote(&format!("{}_student_hash_idx", table.name));
                    let sql = format!(
                        "CREATE INDEX {index} ON {}(\"student_hash\")",
                        ddl::quote(&table.name)
                    );
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
            Ok(())
        }

        /// Abandons the load between two steps: the database is as it was before.
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
        /// The [`Checksum`] of a table's rows in rowid order (the order they were loaded in).
        pub fn table_checksum(&self, table: &str) -> Result<Checksum, DbError> {
            let sql = format!("SELECT * FROM {} ORDER BY rowid", ddl::quote(table));
            let mut stmt = self.conn().prepare(&sql)?;
            let n_columns = stmt.column_count();
            let mut rows = stmt.query([])?;
            let mut sum = Checksum::default();
            while let Some(row) = rows.next()? {
                for idx in 0..n_columns {
                    use rusqlite::types::ValueRef;
                    let value = match row.get_ref(idx)? {
                        ValueRef::Null => Typed::Null,
                        ValueRef::Integer(v) => Typed::Int(v),
                        ValueRef::Real(v) => Typed::Real(v),
                        ValueRef::Text(v) | ValueRef::Blob(v) => {
                            Typed::Text(std::str::from_utf8(v).unwrap_or("\u{fffd}"))
                        }
                    };
                    sum.value(&value);
                }
                sum.end_row();
            }
            Ok(sum)
        }

        /// Loads CSV files as tables in one go (the CLI's path; the page steps a
        /// [`TableLoader`]). Returns the rows loaded.
        pub fn load_tables(&mut self, files: Vec<CsvTable>) -> Result<u64, DbError> {
            let mut loader = TableLoader::new(files)?;
            loop {
                let progress = loader.step(self, 8 * STEP_BYTES)?;
                if progress.finished {
                    return Ok(progress.rows_done);
                }
            }
        }
    }

    /// The second pass's rows into the prepared `INSERT`.
    struct Insert<'a, 'conn> {
        stmt: &'a mut Statement<'conn>,
        shaped: &'a Shaped,
        n_rows: u64,
        error: Option<rusqlite::Error>,
    }

    impl Insert<'_, '_> {
        fn insert(&mut self, row: &Row<'_>) -> Result<(), rusqlite::Error> {
            let columns = self.shaped.table.columns.iter();
            for (param, (column, &pos)) in columns.zip(&self.shaped.positions).enumerate() {
                let field = row.get(pos).unwrap_or("");
                let param = param + 1;
                let value = bound(field, column.ty);
                match value {
                    Typed::Null => self.stmt.raw_bind_parameter(param, rusqlite::types::Null)?,
                    Typed::Int(v) => self.stmt.raw_bind_parameter(param, v)?,
                    Typed::Real(v) => self.stmt.raw_bind_parameter(param, v)?,
                    Typed::Text(v) => self.stmt.raw_bind_parameter(param, v)?,
                }
            }
            self.stmt.raw_execute()?;
            Ok(())
        }
    }

    impl RowHandler for Insert<'_, '_> {
        fn on_row(&mut self, row: &Row<'_>) {
            if self.error.is_some() {
                return;
            }
            match self.insert(row) {
                Ok(()) => self.n_rows += 1,
                Err(err) => self.error = Some(err),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_typed_like_the_staging_inserts() {
        assert_eq!(typed("", ColumnType::Int), Typed::Null);
        assert_eq!(typed(" 42 ", ColumnType::Int), Typed::Int(42));
        assert_eq!(typed("4x", ColumnType::Int), Typed::Text("4x"));
        assert_eq!(
            typed(
                "75.50",
                ColumnType::Decimal {
                    precision: 5,
                    scale: 2
                }
            ),
            Typed::Real(75.5)
        );
        assert_eq!(typed("True", ColumnType::Bool), Typed::Int(1));
        assert_eq!(typed("0", ColumnType::Bool), Typed::Int(0));
        assert_eq!(
            typed("2024-08-01", ColumnType::Date),
            Typed::Text("2024-08-01")
        );
        assert_eq!(
            typed("01/08/2024", ColumnType::Date),
            Typed::Text("01/08/2024")
        );
        assert_eq!(typed("inf", ColumnType::Double), Typed::Text("inf"));
    }

    #[test]
    fn a_survey_infers_types_and_checks_the_sessions_header() {
        let file = CsvTable::inferred(
            "stg_x",
            b"student_hash,n,score,when\nab,1,2.5,2024-01-02\n,2,,2024-01-03\n".to_vec(),
        );
        let shaped = survey(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shaped.n_rows, 2);
        let types: Vec<ColumnType> = shaped.table.columns.iter().map(|c| c.ty).collect();
        assert_eq!(types[1], ColumnType::Int);
        assert!(matches!(types[2], ColumnType::Decimal { scale: 1, .. }));
        assert_eq!(types[3], ColumnType::Date);
        assert!(shaped.table.columns[0].nullable && !shaped.table.columns[1].nullable);
        let bad = CsvTable::sessions(b"date,time\n2024-01-01,09:00\n".to_vec());
        assert!(survey(&bad).is_err_and(|e| e.contains("venue")));
    }

    #[cfg(feature = "sqlite")]
    mod loading {
        use super::*;
        use crate::{Database, TableLoader};

        const STUDENTS: &[u8] = b"student_hash,college_code,marks\nh1,C1,10.5\nh2,C2,\nh3,C1,7\n";
        const ATTENDANCE: &[u8] =
            b"student_hash,date,present_flag\nh1,2024-08-01,1\nh1,2024-08-02,0\n,2024-08-02,1\n";

        fn files() -> Vec<CsvTable> {
            vec![
                CsvTable::inferred("stg_students", STUDENTS.to_vec()),
                CsvTable::inferred("stg_attendance", ATTENDANCE.to_vec()),
            ]
        }

        fn count(db: &Database, table: &str) -> u64 {
            db.count_rows(table).unwrap_or_else(|e| panic!("{e}"))
        }

        #[test]
        fn tables_load_next_to_others_typed_and_checksummed() {
            let mut db = Database::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
            db.conn()
                .execute_batch("CREATE TABLE keep (x INTEGER); INSERT INTO keep VALUES (1);")
                .unwrap_or_else(|e| panic!("{e}"));
            // One byte per step: every row boundary and the header cross a step.
            let mut loader = TableLoader::new(files()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(loader.rows_total(), 6);
            let mut steps = 0;
            while !loader
                .step(&mut db, 1)
                .unwrap_or_else(|e| panic!("{e}"))
                .finished
            {
                steps += 1;
            }
            assert!(steps > 50);
            assert_eq!(count(&db, "keep"), 1);
            assert_eq!(count(&db, "stg_students"), 3);
            assert_eq!(count(&db, "stg_attendance"), 3);
            for file in files() {
                let expected = csv_checksum(&file).unwrap_or_else(|e| panic!("{e}"));
                let actual = db
                    .table_checksum(&file.name)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(actual, expected, "{}", file.name);
            }
            let (sum, nulls): (f64, i64) = db
                .conn()
                .query_row(
                    "SELECT sum(marks), sum(marks IS NULL) FROM stg_students WHERE typeof(marks) IN ('real', 'null')",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((sum, nulls), (17.5, 1));
            // Loading again replaces the tables instead of adding rows.
            assert_eq!(db.load_tables(files()).ok(), Some(6));
            assert_eq!(count(&db, "stg_students"), 3);
            let indexes: i64 = db
                .conn()
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'stg_%student_hash_idx'",
                    [],
                    |r| r.get(0),
                )
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(indexes, 2);
            assert_eq!(db.integrity_check().ok(), Some(vec!["ok".to_owned()]));
        }

        #[test]
        fn a_cancelled_or_failed_load_leaves_the_database_as_it_was() {
            let mut db = Database::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(db.load_tables(files()).ok(), Some(6));
            let changed = vec![CsvTable::inferred(
                "stg_students",
                b"student_hash\nx\n".repeat(1000),
            )];
            let mut loader = TableLoader::new(changed).unwrap_or_else(|e| panic!("{e}"));
            let progress = loader.step(&mut db, 10).unwrap_or_else(|e| panic!("{e}"));
            assert!(!progress.finished);
            loader.cancel(&mut db).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(count(&db, "stg_students"), 3);
            assert!(
                loader.step(&mut db, 10).is_err(),
                "a cancelled loader is done"
            );
            // A malformed file fails before anything changes.
            let bad = vec![CsvTable::inferred("stg_students", b"a,b\n1,2,3\n".to_vec())];
            assert!(TableLoader::new(bad).is_err());
            assert_eq!(count(&db, "stg_students"), 3);
        }
    }
}
