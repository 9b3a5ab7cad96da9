//! The outputs: transformed CSVs and MySQL staging SQL, streamed in a second pass per file.
//!
//! Column types come from inference over the whole first pass, so INSERT values can be typed
//! (numbers bare, booleans as 1/0, dates as dates) and the `CREATE TABLE` fits every row. The
//! second pass reads the same bytes again (a file re-read in the CLI, a `File` re-sliced in the
//! browser) and writes into buffers the caller drains as it likes.

use campus_csv::infer::{ColumnStats, InferredType};
use campus_csv::{CsvErrorKind, CsvReader, CsvWriter, Headers, ReadOptions, Row, RowHandler};
use std::sync::{Mutex, PoisonError};

use campus_schema::spread::Spread;
use campus_schema::{Column, ColumnType, RowSink, Table};
use campus_sql::{Dialect, InsertWriter, SqlValue};

use crate::hash::{student_digest, to_hex};
use crate::{Etl, EtlError, FileKind};

/// The exam columns the notebook renames.
const RENAMES: [(&str, &str); 3] = [
    ("internal", "internal_marks"),
    ("external", "external_marks"),
    ("total", "total_marks"),
];

/// Which outputs a pass writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    pub csv: bool,
    /// Whether the CSV starts with a header row; off for the second file of a kind that is
    /// appended to the first one's output.
    pub csv_header: bool,
    pub sql: bool,
    /// The dialect of the staging SQL's INSERTs (MySQL unless asked).
    pub dialect: Dialect,
}

impl Default for ExportOptions {
    fn default() -> ExportOptions {
        ExportOptions {
            csv: true,
            csv_header: true,
            sql: true,
            dialect: Dialect::MySql,
        }
    }
}

/// What one output column is made from.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    StudentHash,
    /// An input column by position, written with this inferred type.
    Input {
        idx: usize,
        ty: ColumnType,
    },
    PresentFlag,
}

/// The output layout of one kind of file.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub table: Table,
    sources: Vec<Source>,
}

/// The inferred columns of every file of `kind`, merged by position (files of one kind share a header).
fn merged_columns(etl: &Etl, kind: FileKind) -> Option<Vec<ColumnStats>> {
    let mut reports = etl
        .state()
        .reports
        .iter()
        .filter(|r| r.kind == kind && !r.unusable);
    let mut columns = reports.next()?.columns.clone();
    for report in reports {
        for (mine, theirs) in columns.iter_mut().zip(&report.columns) {
            if mine.name.eq_ignore_ascii_case(&theirs.name) {
                mine.merge(theirs);
            }
        }
    }
    Some(columns)
}

/// The staging table and CSV layout for `kind`, from the files read so far.
pub fn layout(etl: &Etl, kind: FileKind) -> Option<Layout> {
    let columns = merged_columns(etl, kind)?;
    let mut table_columns = vec![Column::new("student_hash", ColumnType::VarChar(64)).nullable()];
    let mut sources = vec![Source::StudentHash];
    for (idx, stats) in columns.iter().enumerate() {
        let name = stats.name.trim();
        let dropped = etl.options().deidentify
            && (name.eq_ignore_ascii_case("roll_no") || name.eq_ignore_ascii_case("dob"));
        if dropped || name.eq_ignore_ascii_case("student_hash") {
            continue;
        }
        let renamed = match kind {
            FileKind::Exams => RENAMES
                .iter()
                .find(|(from, _)| name.eq_ignore_ascii_case(from))
                .map(|(_, to)| *to),
            _ => None,
        };
        let ty = stats.ty.column_type();
        let mut column = Column::new(renamed.unwrap_or(name).to_owned(), ty);
        if stats.n_nulls > 0 || stats.ty == InferredType::Empty {
            column = column.nullable();
        }
        table_columns.push(column);
        sources.push(Source::Input { idx, ty });
    }
    if kind == FileKind::Attendance {
        table_columns.push(Column::new("present_flag", ColumnType::Bool));
        sources.push(Source::PresentFlag);
    }
    Some(Layout {
        table: Table::new(kind.staging_table(), table_columns),
        sources,
    })
}

/// `DROP`/`CREATE TABLE` for every kind loaded, to put before the INSERTs.
pub fn staging_ddl(etl: &Etl) -> Vec<u8> {
    staging_ddl_in(Dialect::MySql, etl)
}

/// [`staging_ddl`] in `dialect`: the session settings its literals need (MySQL's `SET NAMES`,
/// PostgreSQL's standard strings), then each staging table dropped and created.
pub fn staging_ddl_in(dialect: Dialect, etl: &Etl) -> Vec<u8> {
    let mut out =
        b"-- Staging tables for the campus ETL, types inferred from the input files.\n".to_vec();
    out.extend_from_slice(match dialect {
        Dialect::MySql => b"SET NAMES utf8mb4;\n",
        Dialect::Postgres => {
            b"SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
        }
        Dialect::Sqlite => b"",
    });
    for kind in FileKind::ALL {
        let Some(layout) = layout(etl, kind) else {
            continue;
        };
        out.extend_from_slice(b"DROP TABLE IF EXISTS ");
        campus_sql::escape::push_ident_in(dialect, &mut out, &layout.table.name);
        out.extend_from_slice(b";\n");
        campus_sql::create_table_in(dialect, &mut out, &layout.table, false);
    }
    out
}

/// The second pass over one file: feed chunks, drain `csv` and `sql` whenever convenient.
pub struct Export {
    reader: CsvReader,
    shape: Shape,
    out: Out,
    batch: Batch,
}

/// What a pass knows of its file: the layout and where the key columns are.
#[derive(Clone, Debug)]
struct Shape {
    kind: FileKind,
    layout: Layout,
    options: ExportOptions,
    roll_col: Option<usize>,
    dob_col: Option<usize>,
    college_col: Option<usize>,
    status_col: Option<usize>,
    /// The status column, when the column mapping recodes its values.
    recoded_status: Option<usize>,
    header_ok: bool,
}

/// What a pass writes: the whole file's, or one batch's on another thread.
struct Out {
    csv: CsvWriter,
    sql: InsertWriter,
    /// The key of the current row, kept for its allocation.
    key: String,
    /// The key of the row before and its first student: a student's rows come together, so
    /// most rows look up the student the row before looked up.
    last_key: Option<(String, Option<u32>)>,
    /// Per output column, its last value.
    memos: Vec<Memo>,
    n_rows: u64,
    n_orphans: u64,
}

/// The last value of one output column and its formatted bytes in the staging CSV and SQL. A
/// student's rows come together and a day's rows share their date, so most values repeat the
/// row before and are copied rather than parsed and formatted again; the bytes are the same.
#[derive(Default)]
struct Memo {
    input: Option<String>,
    csv: Vec<u8>,
    sql: Vec<u8>,
}

impl Memo {
    /// Writes `value` to the outputs `options` asks for: as text in the CSV, and in the SQL as
    /// `format` writes it (a function of the value alone).
    fn write(
        &mut self,
        out: (&mut CsvWriter, &mut InsertWriter),
        options: &ExportOptions,
        value: &str,
        format: impl FnOnce(&mut SqlValue<'_>, &str),
    ) {
        let (csv, sql) = out;
        if self.input.as_deref() != Some(value) {
            let input = self.input.get_or_insert_default();
            input.clear();
            input.push_str(value);
            self.csv.clear();
            self.sql.clear();
            if options.csv {
                campus_csv::push_text(&mut self.csv, value, csv.delimiter());
            }
            if options.sql {
                let mut sql_value = SqlValue {
                    buf: &mut self.sql,
                    dialect: options.dialect,
                };
                format(&mut sql_value, value);
            }
        }
        if options.csv {
            csv.formatted(&self.csv);
        }
        if options.sql {
            sql.formatted(&self.sql);
        }
    }
}

impl Out {
    /// A writer whose first row is staging row `row_idx` of the table.
    fn starting_at(shape: &Shape, row_idx: u64) -> Out {
        Out {
            csv: CsvWriter::new(),
            sql: InsertWriter::starting_at_in(
                shape.options.dialect,
                &shape.layout.table,
                row_idx,
                None,
            ),
            key: String::new(),
            last_key: None,
            memos: shape
                .layout
                .sources
                .iter()
                .map(|_| Memo::default())
                .collect(),
            n_rows: 0,
            n_orphans: 0,
        }
    }

    /// Appends the rows another `Out`, started at this one's next row, wrote.
    fn append(&mut self, other: &Out) {
        self.csv.buf.extend_from_slice(&other.csv.buf);
        self.sql.buf.extend_from_slice(&other.sql.buf);
        let written = other.sql.rows_written();
        self.sql
            .advance(written.saturating_sub(self.sql.rows_written()));
        self.n_rows += other.n_rows;
        self.n_orphans += other.n_orphans;
    }
}

/// Rows of one chunk, kept to be written on several threads: their fields' text, where each
/// field ends, and how many staging rows the rows before each one make (a row of another file
/// joins once per student of its key).
#[derive(Default)]
struct Batch {
    text: String,
    field_ends: Vec<usize>,
    /// Per row: its first field in `field_ends`.
    row_starts: Vec<usize>,
    /// Per row: the staging rows written before it in this batch.
    out_before: Vec<u64>,
    n_out: u64,
}

impl Batch {
    fn clear(&mut self) {
        self.text.clear();
        self.field_ends.clear();
        self.row_starts.clear();
        self.out_before.clear();
        self.n_out = 0;
    }

    fn n_rows(&self) -> usize {
        self.row_starts.len()
    }

    fn push(&mut self, fields: &[&str], n_out: u64) {
        self.row_starts.push(self.field_ends.len());
        self.out_before.push(self.n_out);
        self.n_out += n_out;
        for field in fields {
            self.text.push_str(field);
            self.field_ends.push(self.text.len());
        }
    }

    /// The fields of row `idx`, into `fields` (cleared first).
    fn fields<'a>(&'a self, idx: usize, fields: &mut Vec<&'a str>) {
        fields.clear();
        let first = self.row_starts.get(idx).copied().unwrap_or(0);
        let end = match self.row_starts.get(idx + 1) {
            Some(&next) => next,
            None => self.field_ends.len(),
        };
        let mut start = match first.checked_sub(1) {
            Some(prev) => self.field_ends.get(prev).copied().unwrap_or(0),
            None => 0,
        };
        for &field_end in self.field_ends.get(first..end).unwrap_or_default() {
            fields.push(self.text.get(start..field_end).unwrap_or_default());
            start = field_end;
        }
    }
}

/// Batches smaller than this many rows per task are written on the calling thread.
const MIN_ROWS_PER_TASK: usize = 512;

impl Export {
    /// Starts the export of a file already read by the first pass.
    pub fn begin(
        etl: &Etl,
        kind: FileKind,
        file_name: &str,
        options: ExportOptions,
    ) -> Result<Export, EtlError> {
        Export::begin_at(etl, kind, file_name, options, 0)
    }

    /// [`Export::begin`] for a slice of the file whose first row is staging row `first_row`:
    /// slices exported apart and appended in order make the file's bytes (see `slices.rs`).
    pub fn begin_at(
        etl: &Etl,
        kind: FileKind,
        file_name: &str,
        options: ExportOptions,
        first_row: u64,
    ) -> Result<Export, EtlError> {
        let Some(layout) = layout(etl, kind) else {
            return Err(EtlError::NotLoaded(kind));
        };
        let mut read = ReadOptions::new(file_name);
        read.delimiter = etl.options().delimiter;
        read.max_errors = etl.options().max_errors;
        let shape = Shape {
            kind,
            layout,
            options,
            roll_col: None,
            dob_col: None,
            college_col: None,
            status_col: None,
            recoded_status: None,
            header_ok: false,
        };
        let mut out = Out::starting_at(&shape, first_row);
        if options.csv && options.csv_header {
            out.csv.header(&shape.layout.table);
        }
        Ok(Export {
            reader: CsvReader::new(read),
            shape,
            out,
            batch: Batch::default(),
        })
    }

    pub fn table(&self) -> &Table {
        &self.shape.layout.table
    }

    pub fn feed(&mut self, etl: &Etl, chunk: &[u8]) {
        let mut handler = Rows {
            etl,
            shape: &mut self.shape,
            out: &mut self.out,
        };
        self.reader.feed(chunk, &mut handler);
    }

    /// [`Export::feed`] with the chunk's rows written as batches run by `spread`: the same
    /// bytes, whatever its width and the order its tasks run in.
    pub fn feed_on(&mut self, etl: &Etl, chunk: &[u8], spread: &dyn Spread) {
        if spread.width() <= 1 {
            self.feed(etl, chunk);
            return;
        }
        let mut batch = std::mem::take(&mut self.batch);
        batch.clear();
        let mut handler = Collect {
            etl,
            shape: &mut self.shape,
            batch: &mut batch,
            key: std::mem::take(&mut self.out.key),
        };
        self.reader.feed(chunk, &mut handler);
        self.out.key = handler.key;
        self.write_batch(etl, &batch, spread);
        self.batch = batch;
    }

    /// Writes the rows of `batch` as `spread.width()` tasks at most, each into its own buffers
    /// started at its first staging row, then appends the buffers in order.
    fn write_batch(&mut self, etl: &Etl, batch: &Batch, spread: &dyn Spread) {
        let n_rows = batch.n_rows();
        let n_tasks = spread.width().min(n_rows / MIN_ROWS_PER_TASK).max(1);
        let first_row = |task: usize| task * n_rows / n_tasks;
        let start_idx = self.out.sql.rows_written();
        let shape = &self.shape;
        let write_rows = |out: &mut Out, rows: std::ops::Range<usize>| {
            let mut fields = Vec::new();
            for idx in rows {
                batch.fields(idx, &mut fields);
                write_row(etl, shape, out, &Row::new(0, 0, &fields));
            }
        };
        if n_tasks == 1 {
            write_rows(&mut self.out, 0..n_rows);
            return;
        }
        let parts: Vec<Mutex<Option<Out>>> = (0..n_tasks).map(|_| Mutex::new(None)).collect();
        spread.run(n_tasks, &|task| {
            let rows = first_row(task)..first_row(task + 1);
            let before = batch.out_before.get(rows.start).copied().unwrap_or(0);
            let mut out = Out::starting_at(shape, start_idx + before);
            write_rows(&mut out, rows);
            if let Some(slot) = parts.get(task) {
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(out);
            }
        });
        for part in parts {
            if let Some(out) = part.into_inner().unwrap_or_else(PoisonError::into_inner) {
                self.out.append(&out);
            }
        }
    }

    /// Ends the input and closes the last INSERT statement.
    pub fn finish(&mut self, etl: &Etl) {
        let mut handler = Rows {
            etl,
            shape: &mut self.shape,
            out: &mut self.out,
        };
        self.reader.finish(&mut handler);
        if self.shape.options.sql {
            self.out.sql.finish();
        }
    }

    /// Transformed CSV written so far; drain it (e.g. `std::mem::take`) between chunks.
    pub fn csv_buf(&mut self) -> &mut Vec<u8> {
        &mut self.out.csv.buf
    }

    /// INSERT statements written so far; drain like [`Export::csv_buf`].
    pub fn sql_buf(&mut self) -> &mut Vec<u8> {
        &mut self.out.sql.buf
    }

    pub fn n_rows(&self) -> u64 {
        self.out.n_rows
    }

    pub fn n_orphans(&self) -> u64 {
        self.out.n_orphans
    }
}

/// Reads the header: where the key columns are, and whether the file can be exported.
fn read_header(etl: &Etl, shape: &mut Shape, headers: &Headers) -> Result<(), CsvErrorKind> {
    let columns = &etl.options().columns;
    let headers = &columns.canonical(shape.kind, headers)?;
    headers.require(shape.kind.required_columns())?;
    shape.roll_col = headers.position("roll_no");
    shape.dob_col = headers.position("dob");
    shape.college_col = headers.position("college_code");
    shape.status_col = headers.position("status");
    shape.recoded_status = (shape.kind == FileKind::Attendance && columns.recodes_status())
        .then_some(shape.status_col)
        .flatten();
    shape.header_ok = true;
    Ok(())
}

/// Hands `row` to `then` with its status recoded to `P`/`A` when the column mapping asks, as
/// AKTU's files have it (see `ColumnMap::recode_status`).
fn recoded(etl: &Etl, shape: &Shape, row: &Row<'_>, then: impl FnOnce(&Row<'_>)) {
    match shape.recoded_status {
        Some(col) => {
            let fields = etl.options().columns.recode_status_field(row.fields(), col);
            then(&row.with_fields(&fields));
        }
        None => then(row),
    }
}

/// Writes each row as it is read.
struct Rows<'a> {
    etl: &'a Etl,
    shape: &'a mut Shape,
    out: &'a mut Out,
}

impl RowHandler for Rows<'_> {
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        read_header(self.etl, self.shape, headers)
    }

    fn on_row(&mut self, row: &Row<'_>) {
        if !self.shape.header_ok {
            return;
        }
        let (etl, shape, out) = (self.etl, &*self.shape, &mut *self.out);
        recoded(etl, shape, row, |row| write_row(etl, shape, out, row));
    }
}

/// Keeps each row read in a batch, with the number of staging rows it makes.
struct Collect<'a> {
    etl: &'a Etl,
    shape: &'a mut Shape,
    batch: &'a mut Batch,
    key: String,
}

impl RowHandler for Collect<'_> {
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        read_header(self.etl, self.shape, headers)
    }

    fn on_row(&mut self, row: &Row<'_>) {
        if !self.shape.header_ok {
            return;
        }
        let (etl, shape) = (self.etl, &*self.shape);
        let (batch, key) = (&mut *self.batch, &mut self.key);
        recoded(etl, shape, row, |row| {
            let twins = match shape.kind {
                FileKind::Students => 0,
                _ => {
                    set_key(shape, row, key);
                    etl.state()
                        .student_index_by_key(key)
                        .map_or(0, |idx| etl.state().twins(idx).len() as u64)
                }
            };
            batch.push(row.fields(), 1 + twins);
        });
    }
}

/// `roll_no` and `dob` exactly as the first pass keyed them (and as pandas' merge compares them).
fn set_key(shape: &Shape, row: &Row<'_>, key: &mut String) {
    let roll_no = shape.roll_col.and_then(|c| row.get(c)).unwrap_or("");
    let dob = shape.dob_col.and_then(|c| row.get(c)).unwrap_or("");
    key.clear();
    key.push_str(roll_no);
    key.push('\u{1f}');
    key.push_str(dob);
}

/// Writes the staging rows of one input row: one, or one per student of its key.
fn write_row(etl: &Etl, shape: &Shape, out: &mut Out, row: &Row<'_>) {
    let mut key = std::mem::take(&mut out.key);
    set_key(shape, row, &mut key);
    let index = match &mut out.last_key {
        Some((last, index)) if *last == key => *index,
        slot => {
            let index = etl.state().student_index_by_key(&key);
            let (last, last_index) = slot.get_or_insert_default();
            last.clone_from(&key);
            *last_index = index;
            index
        }
    };
    let student = index.and_then(|idx| etl.state().student(idx));
    if student.is_none() {
        out.n_orphans += 1;
    }
    // A students row is hashed from its own fields: a second row with the same key and
    // another college code is another person, not the first one's alias.
    let own_hash = match (shape.kind, student) {
        (FileKind::Students, Some(s)) => {
            let college = shape.college_col.and_then(|c| row.get(c)).unwrap_or("");
            (college != s.college_code).then(|| {
                let roll_no = shape.roll_col.and_then(|c| row.get(c)).unwrap_or("");
                let dob = shape.dob_col.and_then(|c| row.get(c)).unwrap_or("");
                let digest = student_digest(&etl.options().hash, college, roll_no, dob);
                to_hex(&digest)
            })
        }
        _ => None,
    };
    let student_hash = own_hash
        .as_deref()
        .or(student.map(|s| s.student_hash.as_str()));
    let present = shape.status_col.and_then(|c| row.get(c)) == Some("P");
    write_fields(shape, out, row, student_hash, present);
    // pandas' `merge(how="left")`: a row of another file whose key has several students
    // (other college codes) is joined once per student.
    if shape.kind != FileKind::Students
        && let Some(idx) = index
    {
        for &twin in etl.state().twins(idx) {
            let hash = etl.state().student(twin).map(|s| s.student_hash.as_str());
            write_fields(shape, out, row, hash, present);
        }
    }
    out.key = key;
}

/// Writes one staging row: the input's fields in the layout, with `student_hash`.
fn write_fields(
    shape: &Shape,
    out: &mut Out,
    row: &Row<'_>,
    student_hash: Option<&str>,
    present: bool,
) {
    out.n_rows += 1;
    let options = &shape.options;
    let Out {
        csv, sql, memos, ..
    } = out;
    for (source, memo) in shape.layout.sources.iter().zip(memos.iter_mut()) {
        match source {
            Source::StudentHash => match student_hash {
                Some(hash) => {
                    memo.write((csv, sql), options, hash, |value, hash| value.text(hash));
                }
                None => {
                    if options.csv {
                        csv.null();
                    }
                    if options.sql {
                        sql.null();
                    }
                }
            },
            Source::Input { idx, ty } => {
                let field = row.get(*idx).unwrap_or("");
                memo.write((csv, sql), options, field, |value, field| {
                    crate::typed::write_as(value, field, *ty);
                });
            }
            Source::PresentFlag => {
                if shape.options.csv {
                    csv.int(i64::from(present));
                }
                if shape.options.sql {
                    sql.bool(present);
                }
            }
        }
    }
    if shape.options.csv {
        out.csv.end_row();
    }
    if shape.options.sql {
        out.sql.end_row();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A column's values through its memo give the bytes the writers give them directly,
    /// whatever repeats: equal neighbours, a value coming back, text that only looks equal.
    #[test]
    fn a_memo_writes_what_the_writers_write() {
        let values = [
            "2024-08-01",
            "2024-08-01",
            "2024-8-1",
            "2024-08-01",
            " 2024-08-01",
            "",
            "",
            "NA",
            "7",
            "7",
            "07",
            " 7",
            "x,y",
            "x,y",
            "O'Brien",
            "O'Brien",
            "back\\slash",
            "a\"b",
            "emoji 🎓",
            "emoji 🎓",
            "12.50",
            "12.5",
        ];
        let table = Table::new("t", vec![Column::new("c", ColumnType::Text)]);
        for dialect in [Dialect::MySql, Dialect::Postgres, Dialect::Sqlite] {
            let options = ExportOptions {
                dialect,
                ..ExportOptions::default()
            };
            for ty in [
                ColumnType::Date,
                ColumnType::Int,
                ColumnType::Decimal {
                    precision: 10,
                    scale: 2,
                },
                ColumnType::Bool,
                ColumnType::Text,
            ] {
                let mut memo = Memo::default();
                let (mut csv, mut sql) = (
                    CsvWriter::new(),
                    InsertWriter::starting_at_in(dialect, &table, 0, None),
                );
                let (mut direct_csv, mut direct_sql) = (
                    CsvWriter::new(),
                    InsertWriter::starting_at_in(dialect, &table, 0, None),
                );
                for value in values {
                    memo.write((&mut csv, &mut sql), &options, value, |sink, field| {
                        crate::typed::write_as(sink, field, ty);
                    });
                    csv.end_row();
                    sql.end_row();
                    direct_csv.text(value);
                    crate::typed::write_as(&mut direct_sql, value, ty);
                    direct_csv.end_row();
                    direct_sql.end_row();
                }
                assert_eq!(csv.buf, direct_csv.buf, "{dialect:?} {ty:?}");
                assert_eq!(sql.buf, direct_sql.buf, "{dialect:?} {ty:?}");
            }
        }
    }
}
