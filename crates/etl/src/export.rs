//! The outputs: transformed CSVs and MySQL staging SQL, streamed in a second pass per file.
//!
//! Column types come from inference over the whole first pass, so INSERT values can be typed
//! (numbers bare, booleans as 1/0, dates as dates) and the `CREATE TABLE` fits every row. The
//! second pass reads the same bytes again (a file re-read in the CLI, a `File` re-sliced in the
//! browser) and writes into buffers the caller drains as it likes.

use campus_csv::infer::{ColumnStats, InferredType, is_null, parse_bool};
use campus_csv::{CsvErrorKind, CsvReader, CsvWriter, Headers, ReadOptions, Row, RowHandler};
use campus_schema::{Column, ColumnType, Date, RowSink, Table};
use campus_sql::{Dialect, InsertWriter};

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
        ty: InferredType,
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
        let mut column = Column::new(renamed.unwrap_or(name).to_owned(), stats.ty.column_type());
        if stats.n_nulls > 0 || stats.ty == InferredType::Empty {
            column = column.nullable();
        }
        table_columns.push(column);
        sources.push(Source::Input { idx, ty: stats.ty });
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
    inner: ExportRows,
}

struct ExportRows {
    kind: FileKind,
    layout: Layout,
    options: ExportOptions,
    roll_col: Option<usize>,
    dob_col: Option<usize>,
    college_col: Option<usize>,
    status_col: Option<usize>,
    /// The status column, when the column mapping recodes its values.
    recoded_status: Option<usize>,
    /// The hash of the current row, looked up once for both outputs.
    header_ok: bool,
    pub csv: CsvWriter,
    pub sql: InsertWriter,
    key: String,
    n_rows: u64,
    n_orphans: u64,
}

impl Export {
    /// Starts the export of a file already read by the first pass.
    pub fn begin(
        etl: &Etl,
        kind: FileKind,
        file_name: &str,
        options: ExportOptions,
    ) -> Result<Export, EtlError> {
        let Some(layout) = layout(etl, kind) else {
            return Err(EtlError::NotLoaded(kind));
        };
        let mut read = ReadOptions::new(file_name);
        read.delimiter = etl.options().delimiter;
        read.max_errors = etl.options().max_errors;
        let mut csv = CsvWriter::new();
        if options.csv && options.csv_header {
            csv.header(&layout.table);
        }
        let sql = InsertWriter::starting_at_in(options.dialect, &layout.table, 0, None);
        Ok(Export {
            reader: CsvReader::new(read),
            inner: ExportRows {
                kind,
                layout,
                options,
                roll_col: None,
                dob_col: None,
                college_col: None,
                status_col: None,
                recoded_status: None,
                header_ok: false,
                csv,
                sql,
                key: String::new(),
                n_rows: 0,
                n_orphans: 0,
            },
        })
    }

    pub fn table(&self) -> &Table {
        &self.inner.layout.table
    }

    pub fn feed(&mut self, etl: &Etl, chunk: &[u8]) {
        let mut handler = Rows {
            etl,
            rows: &mut self.inner,
        };
        self.reader.feed(chunk, &mut handler);
    }

    /// Ends the input and closes the last INSERT statement.
    pub fn finish(&mut self, etl: &Etl) {
        let mut handler = Rows {
            etl,
            rows: &mut self.inner,
        };
        self.reader.finish(&mut handler);
        if self.inner.options.sql {
            self.inner.sql.finish();
        }
    }

    /// Transformed CSV written so far; drain it (e.g. `std::mem::take`) between chunks.
    pub fn csv_buf(&mut self) -> &mut Vec<u8> {
        &mut self.inner.csv.buf
    }

    /// INSERT statements written so far; drain like [`Export::csv_buf`].
    pub fn sql_buf(&mut self) -> &mut Vec<u8> {
        &mut self.inner.sql.buf
    }

    pub fn n_rows(&self) -> u64 {
        self.inner.n_rows
    }

    pub fn n_orphans(&self) -> u64 {
        self.inner.n_orphans
    }
}

struct Rows<'a> {
    etl: &'a Etl,
    rows: &'a mut ExportRows,
}

impl RowHandler for Rows<'_> {
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        let columns = &self.etl.options().columns;
        let headers = &columns.canonical(self.rows.kind, headers)?;
        headers.require(self.rows.kind.required_columns())?;
        self.rows.roll_col = headers.position("roll_no");
        self.rows.dob_col = headers.position("dob");
        self.rows.college_col = headers.position("college_code");
        self.rows.status_col = headers.position("status");
        self.rows.recoded_status = (self.rows.kind == FileKind::Attendance
            && columns.recodes_status())
        .then_some(self.rows.status_col)
        .flatten();
        self.rows.header_ok = true;
        Ok(())
    }

    fn on_row(&mut self, row: &Row<'_>) {
        match self.rows.recoded_status {
            // The outputs hold `P`/`A`, as for AKTU's files (see `ColumnMap::recode_status`).
            Some(col) => {
                let columns = &self.etl.options().columns;
                let fields: Vec<&str> = (row.fields().iter().enumerate())
                    .map(|(idx, &f)| {
                        if idx == col {
                            columns.recode_status(f)
                        } else {
                            f
                        }
                    })
                    .collect();
                self.write_row(&row.with_fields(&fields));
            }
            None => self.write_row(row),
        }
    }
}

impl Rows<'_> {
    fn write_row(&mut self, row: &Row<'_>) {
        let rows = &mut *self.rows;
        if !rows.header_ok {
            return;
        }
        // Exact values, as the first pass keyed them (and as pandas' merge compares them).
        let roll_no = rows.roll_col.and_then(|c| row.get(c)).unwrap_or("");
        let dob = rows.dob_col.and_then(|c| row.get(c)).unwrap_or("");
        rows.key.clear();
        rows.key.push_str(roll_no);
        rows.key.push('\u{1f}');
        rows.key.push_str(dob);
        let student = self.etl.state().student_by_key(&rows.key);
        if student.is_none() {
            rows.n_orphans += 1;
        }
        // A students row is hashed from its own fields: a second row with the same key and
        // another college code is another person, not the first one's alias.
        let own_hash = match (rows.kind, student) {
            (FileKind::Students, Some(s)) => {
                let college = rows.college_col.and_then(|c| row.get(c)).unwrap_or("");
                (college != s.college_code).then(|| {
                    let digest = student_digest(&self.etl.options().hash, college, roll_no, dob);
                    to_hex(&digest)
                })
            }
            _ => None,
        };
        let student_hash = own_hash
            .as_deref()
            .or(student.map(|s| s.student_hash.as_str()));
        let present = rows.status_col.and_then(|c| row.get(c)) == Some("P");
        write_row(rows, row, student_hash, present);
        // pandas' `merge(how="left")`: a row of another file whose key has several students
        // (other college codes) is joined once per student.
        if rows.kind != FileKind::Students
            && let Some(idx) = self.etl.state().student_index_by_key(&rows.key)
        {
            for &twin in self.etl.state().twins(idx) {
                let hash = self
                    .etl
                    .state()
                    .student(twin)
                    .map(|s| s.student_hash.as_str());
                write_row(rows, row, hash, present);
            }
        }
    }
}

/// Writes one staging row: the input's fields in the layout, with `student_hash`.
fn write_row(rows: &mut ExportRows, row: &Row<'_>, student_hash: Option<&str>, present: bool) {
    rows.n_rows += 1;
    for source in &rows.layout.sources {
        match source {
            Source::StudentHash => match student_hash {
                Some(hash) => {
                    if rows.options.csv {
                        rows.csv.text(hash);
                    }
                    if rows.options.sql {
                        rows.sql.text(hash);
                    }
                }
                None => {
                    if rows.options.csv {
                        rows.csv.null();
                    }
                    if rows.options.sql {
                        rows.sql.null();
                    }
                }
            },
            Source::Input { idx, ty } => {
                let field = row.get(*idx).unwrap_or("");
                if rows.options.csv {
                    rows.csv.text(field);
                }
                if rows.options.sql {
                    write_typed(&mut rows.sql, field, *ty);
                }
            }
            Source::PresentFlag => {
                if rows.options.csv {
                    rows.csv.int(i64::from(present));
                }
                if rows.options.sql {
                    rows.sql.bool(present);
                }
            }
        }
    }
    if rows.options.csv {
        rows.csv.end_row();
    }
    if rows.options.sql {
        rows.sql.end_row();
    }
}

/// Writes a field as its inferred type; anything that does not parse goes as text, so no
/// value is ever lost (MySQL converts or rejects it, visibly).
fn write_typed(sink: &mut dyn RowSink, field: &str, ty: InferredType) {
    if is_null(field) {
        sink.null();
        return;
    }
    let trimmed = field.trim();
    match ty {
        InferredType::Integer { .. } => match trimmed.parse::<i64>() {
            Ok(v) => sink.int(v),
            Err(_) => sink.text(field),
        },
        InferredType::Decimal { scale, .. } => match decimal_units(trimmed, scale) {
            Some(units) => sink.decimal(units, scale),
            None => sink.text(field),
        },
        InferredType::Boolean => match parse_bool(trimmed) {
            Some(v) => sink.bool(v),
            None => sink.text(field),
        },
        InferredType::Date => match Date::parse_iso(trimmed) {
            Some(d) => sink.date(d),
            None => sink.text(field),
        },
        InferredType::Empty | InferredType::Text { .. } => sink.text(field),
    }
}

/// `12.5` at scale 2 is 1250 units; exact, no floats. `None` if it does not fit.
pub(crate) fn decimal_units(text: &str, scale: u8) -> Option<i64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if frac_part.len() > usize::from(scale) {
        return None;
    }
    let mut units: i64 = if int_part.is_empty() {
        0
    } else {
        int_part
            .parse::<u32>()
            .ok()
            .map(i64::from)
            .or_else(|| int_part.parse().ok())?
    };
    for idx in 0..usize::from(scale) {
        let digit = frac_part
            .as_bytes()
            .get(idx)
            .map_or(0, |b| i64::from(b.wrapping_sub(b'0')));
        if digit > 9 {
            return None;
        }
        units = units.checked_mul(10)?.checked_add(digit)?;
    }
    Some(if negative { -units } else { units })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_scale_exactly() {
        assert_eq!(decimal_units("12.5", 2), Some(1250));
        assert_eq!(decimal_units("-0.05", 2), Some(-5));
        assert_eq!(decimal_units("7", 1), Some(70));
        assert_eq!(decimal_units("1.234", 2), None);
        assert_eq!(decimal_units("1.x", 1), None);
    }
}
