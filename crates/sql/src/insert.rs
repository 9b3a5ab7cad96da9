//! Batched multi-row INSERT statements, written field by field through [`RowSink`].
//!
//! Where statements and transactions start and end depends only on the row's index in its table
//! (and the table's row count when known), so a writer started at any row produces exactly the
//! bytes a writer started at row 0 would produce from there on: this is what makes chunked and
//! partitioned output byte-identical to a single run.

use campus_schema::{Date, RowSink, Table, Time, sink};

use crate::Dialect;
use crate::escape::{push_ident_in, push_literal_in};

/// Statements stay under this many bytes: below MySQL 5.7's 4 MiB default `max_allowed_packet`
/// (MariaDB 10.11 allows 16 MiB and MySQL 8 64 MiB by default). PostgreSQL and SQLite take
/// statements of up to 1 GB; their scripts batch the same rows, so parts cut at the same rows.
pub const MAX_STATEMENT_BYTES: usize = 4_000_000;
/// More rows per statement than this stops paying off in load time.
pub const MAX_BATCH_ROWS: u64 = 1_000;
/// Statements per transaction.
pub const BATCHES_PER_TRANSACTION: u64 = 50;

/// Rows per INSERT for `table`, chosen from its worst-case row width so that no statement can
/// exceed [`MAX_STATEMENT_BYTES`], whatever the values.
pub fn batch_rows(table: &Table) -> u64 {
    // Escaping at most doubles text; quotes, separators and parentheses add a little per column.
    let worst_row = 2 * table.max_row_text_bytes() + 3 * table.columns.len() + 4;
    let prefix = 64
        + table
            .columns
            .iter()
            .map(|c| c.name.len() + 3)
            .sum::<usize>();
    ((MAX_STATEMENT_BYTES.saturating_sub(prefix) / worst_row.max(1)) as u64)
        .clamp(1, MAX_BATCH_ROWS)
}

/// Writes rows of one table as `INSERT INTO … VALUES (…),(…);` statements inside transactions.
#[derive(Debug)]
pub struct InsertWriter {
    pub buf: Vec<u8>,
    prefix: Vec<u8>,
    row_idx: u64,
    n_rows: Option<u64>,
    batch_rows: u64,
    in_row: bool,
    dialect: Dialect,
}

impl InsertWriter {
    /// A writer for a stream of unknown length; call [`InsertWriter::finish`] after the last row.
    pub fn new(table: &Table) -> InsertWriter {
        InsertWriter::starting_at(table, 0, None)
    }

    /// A writer whose next row is row `row_idx` of a table with `n_rows` rows (if known).
    pub fn starting_at(table: &Table, row_idx: u64, n_rows: Option<u64>) -> InsertWriter {
        InsertWriter::starting_at_in(Dialect::MySql, table, row_idx, n_rows)
    }

    /// [`InsertWriter::starting_at`] for a script in `dialect`.
    pub fn starting_at_in(
        dialect: Dialect,
        table: &Table,
        row_idx: u64,
        n_rows: Option<u64>,
    ) -> InsertWriter {
        let mut prefix = b"INSERT INTO ".to_vec();
        push_ident_in(dialect, &mut prefix, &table.name);
        prefix.extend_from_slice(b" (");
        for (idx, name) in table.column_names().enumerate() {
            if idx > 0 {
                prefix.push(b',');
            }
            push_ident_in(dialect, &mut prefix, name);
        }
        prefix.extend_from_slice(b") VALUES\n");
        InsertWriter {
            buf: Vec::with_capacity(256 * 1024),
            prefix,
            row_idx,
            n_rows,
            batch_rows: batch_rows(table),
            in_row: false,
            dialect,
        }
    }

    pub fn rows_written(&self) -> u64 {
        self.row_idx
    }

    /// Moves past `n_rows` rows written elsewhere by a writer started at this one's next row
    /// (rows formatted on another thread), so the rows after them are framed as if this
    /// writer had written them all.
    pub fn advance(&mut self, n_rows: u64) {
        self.row_idx += n_rows;
    }

    fn field(&mut self) {
        if self.in_row {
            self.buf.push(b',');
            return;
        }
        self.in_row = true;
        let rows_per_transaction = self.batch_rows * BATCHES_PER_TRANSACTION;
        if self.row_idx.is_multiple_of(self.batch_rows) {
            if self.row_idx.is_multiple_of(rows_per_transaction) {
                self.buf.extend_from_slice(self.dialect.begin());
            }
            self.buf.extend_from_slice(&self.prefix);
        } else {
            self.buf.extend_from_slice(b",\n");
        }
        self.buf.push(b'(');
    }

    /// Closes the open statement and transaction of a stream whose length was not known.
    pub fn finish(&mut self) {
        if self.n_rows.is_some() || self.row_idx == 0 {
            return;
        }
        if !self.row_idx.is_multiple_of(self.batch_rows) {
            self.buf.extend_from_slice(b";\n");
        }
        if !self
            .row_idx
            .is_multiple_of(self.batch_rows * BATCHES_PER_TRANSACTION)
        {
            self.buf.extend_from_slice(b"COMMIT;\n");
        }
    }
}

/// One SQL value as [`InsertWriter`] writes it, without the separators and statement framing
/// around it: for callers that keep a field's formatted value and write it again with
/// [`InsertWriter::formatted`] (a run of rows with the same value formats it once).
pub struct SqlValue<'a> {
    pub buf: &'a mut Vec<u8>,
    pub dialect: Dialect,
}

impl RowSink for SqlValue<'_> {
    fn int(&mut self, value: i64) {
        if value < 0 {
            self.buf.push(b'-');
        }
        sink::push_u64(self.buf, value.unsigned_abs(), 1);
    }

    fn text(&mut self, value: &str) {
        push_literal_in(self.dialect, self.buf, value);
    }

    fn decimal(&mut self, units: i64, scale: u8) {
        sink::write_decimal(self.buf, units, scale);
    }

    fn float(&mut self, value: f64) {
        if value.is_finite() {
            // Shortest round-trip formatting: identical on every target.
            self.buf.extend_from_slice(value.to_string().as_bytes());
        } else {
            self.buf.extend_from_slice(b"NULL");
        }
    }

    fn bool(&mut self, value: bool) {
        self.buf.extend_from_slice(self.dialect.bool_literal(value));
    }

    fn date(&mut self, value: Date) {
        self.buf.push(b'\'');
        value.write_iso(self.buf);
        self.buf.push(b'\'');
    }

    fn time(&mut self, value: Time) {
        self.buf.push(b'\'');
        value.write_iso(self.buf);
        self.buf.push(b'\'');
    }

    fn null(&mut self) {
        self.buf.extend_from_slice(b"NULL");
    }

    fn end_row(&mut self) {}
}

impl InsertWriter {
    /// The next field: a value [`SqlValue`] formatted, as it formatted it.
    pub fn formatted(&mut self, value: &[u8]) {
        self.field();
        self.buf.extend_from_slice(value);
    }

    /// Starts the next field and gives a writer for its value.
    fn value(&mut self) -> SqlValue<'_> {
        self.field();
        SqlValue {
            buf: &mut self.buf,
            dialect: self.dialect,
        }
    }
}

impl RowSink for InsertWriter {
    fn int(&mut self, value: i64) {
        self.value().int(value);
    }

    fn text(&mut self, value: &str) {
        self.value().text(value);
    }

    fn decimal(&mut self, units: i64, scale: u8) {
        self.value().decimal(units, scale);
    }

    fn float(&mut self, value: f64) {
        self.value().float(value);
    }

    fn bool(&mut self, value: bool) {
        self.value().bool(value);
    }

    fn date(&mut self, value: Date) {
        self.value().date(value);
    }

    fn time(&mut self, value: Time) {
        self.value().time(value);
    }

    fn null(&mut self) {
        self.value().null();
    }

    fn end_row(&mut self) {
        if !self.in_row {
            // A row with no columns cannot be inserted; nothing was written for it.
            return;
        }
        self.buf.push(b')');
        self.in_row = false;
        self.row_idx += 1;
        let is_last = self.n_rows == Some(self.row_idx);
        if self.row_idx.is_multiple_of(self.batch_rows) || is_last {
            self.buf.extend_from_slice(b";\n");
            if self
                .row_idx
                .is_multiple_of(self.batch_rows * BATCHES_PER_TRANSACTION)
                || is_last
            {
                self.buf.extend_from_slice(b"COMMIT;\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campus_schema::{Column, ColumnType};

    fn table() -> Table {
        Table::new(
            "t",
            vec![
                Column::id("id"),
                Column::new("name", ColumnType::VarChar(10)).nullable(),
            ],
        )
    }

    fn rows(writer: &mut InsertWriter, range: std::ops::Range<i64>) {
        for i in range {
            writer.int(i);
            if i % 2 == 0 {
                writer.text("a'b")
            } else {
                writer.null()
            }
            writer.end_row();
        }
    }

    #[test]
    fn statements_close_at_the_last_row() {
        let mut w = InsertWriter::starting_at(&table(), 0, Some(3));
        rows(&mut w, 0..3);
        let text = String::from_utf8_lossy(&w.buf).into_owned();
        assert_eq!(
            text,
            "START TRANSACTION;\nINSERT INTO `t` (`id`,`name`) VALUES\n(0,'a\\'b'),\n(1,NULL),\n(2,'a\\'b');\nCOMMIT;\n"
        );
    }

    #[test]
    fn unknown_length_streams_close_on_finish() {
        let mut w = InsertWriter::new(&table());
        rows(&mut w, 0..2);
        w.finish();
        assert!(String::from_utf8_lossy(&w.buf).ends_with("(1,NULL);\nCOMMIT;\n"));
        let mut empty = InsertWriter::new(&table());
        empty.finish();
        assert!(empty.buf.is_empty());
    }

    #[test]
    fn a_writer_started_mid_table_continues_the_same_bytes() {
        let n = 2_500;
        let mut whole = InsertWriter::starting_at(&table(), 0, Some(n as u64));
        rows(&mut whole, 0..n);
        for split in [1, 999, 1_000, 1_001, 2_499] {
            let mut first = InsertWriter::starting_at(&table(), 0, Some(n as u64));
            rows(&mut first, 0..split);
            let mut second = InsertWriter::starting_at(&table(), split as u64, Some(n as u64));
            rows(&mut second, split..n);
            first.buf.extend_from_slice(&second.buf);
            assert!(first.buf == whole.buf, "split at {split}");
        }
    }

    #[test]
    fn batches_fit_the_packet_limit_for_wide_rows() {
        let wide = Table::new(
            "w",
            (0..40)
                .map(|i| Column::new(format!("c{i}"), ColumnType::VarChar(255)))
                .collect(),
        );
        let worst = 2 * wide.max_row_text_bytes() as u64;
        assert!(batch_rows(&wide) * worst < MAX_STATEMENT_BYTES as u64);
        assert_eq!(batch_rows(&table()), MAX_BATCH_ROWS);
    }
}
