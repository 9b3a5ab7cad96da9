//! An RFC 4180 writer: header row, CRLF line ends (or `\n` on request), fields quoted only when
//! they must be.

use campus_schema::{Date, RowSink, Table, Time, sink};

/// How a row ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LineEnd {
    /// `\r\n`, as RFC 4180 says.
    #[default]
    CrLf,
    /// `\n`, as pandas writes (the occupancy layout shared with the Python project).
    Lf,
}

/// Formats rows into an in-memory buffer that the caller drains whenever it likes.
///
/// Draining never changes the bytes produced, so output is identical whatever the chunking.
#[derive(Debug)]
pub struct CsvWriter {
    pub buf: Vec<u8>,
    delimiter: u8,
    line_end: LineEnd,
    at_row_start: bool,
}

/// An empty writer that has not allocated yet (for a row or two; [`CsvWriter::new`] reserves
/// room for streaming).
impl Default for CsvWriter {
    fn default() -> CsvWriter {
        CsvWriter {
            buf: Vec::new(),
            delimiter: b',',
            line_end: LineEnd::CrLf,
            at_row_start: true,
        }
    }
}

impl CsvWriter {
    pub fn new() -> CsvWriter {
        CsvWriter {
            buf: Vec::with_capacity(64 * 1024),
            ..CsvWriter::default()
        }
    }

    /// The same writer, ending rows with `line_end`.
    pub fn with_line_end(self, line_end: LineEnd) -> CsvWriter {
        CsvWriter { line_end, ..self }
    }

    /// Writes the header row: the table's column names.
    pub fn header(&mut self, table: &Table) {
        for name in table.column_names() {
            self.text(name);
        }
        self.end_row();
    }

    /// The field delimiter.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The next field: text [`push_text`] formatted with this writer's delimiter.
    pub fn formatted(&mut self, field: &[u8]) {
        self.separator();
        self.buf.extend_from_slice(field);
    }

    fn separator(&mut self) {
        if !self.at_row_start {
            self.buf.push(self.delimiter);
        }
        self.at_row_start = false;
    }
}

/// Appends `value` as a field, quoted only when it must be, as [`CsvWriter`] writes text
/// between delimiters: for callers that keep a field's formatted text and write it again with
/// [`CsvWriter::formatted`].
pub fn push_text(out: &mut Vec<u8>, value: &str, delimiter: u8) {
    if needs_quotes(value, delimiter) {
        sink::push_quoted(out, value.as_bytes(), b'"');
    } else {
        out.extend_from_slice(value.as_bytes());
    }
}

/// Whether a field must be quoted: it holds the delimiter, a quote, a line break, or would
/// otherwise lose leading or trailing spaces in tools that trim.
fn needs_quotes(value: &str, delimiter: u8) -> bool {
    sink::any_byte(
        value.as_bytes(),
        |word| {
            sink::word_has_byte(word, delimiter)
                | sink::word_has_byte(word, b'"')
                | sink::word_has_less(word, b'\r' + 1)
        },
        |b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r',
    ) || value.starts_with(' ')
        || value.ends_with(' ')
}

impl RowSink for CsvWriter {
    fn int(&mut self, value: i64) {
        self.separator();
        if value < 0 {
            self.buf.push(b'-');
        }
        sink::push_u64(&mut self.buf, value.unsigned_abs(), 1);
    }

    fn text(&mut self, value: &str) {
        self.separator();
        push_text(&mut self.buf, value, self.delimiter);
    }

    fn decimal(&mut self, units: i64, scale: u8) {
        self.separator();
        sink::write_decimal(&mut self.buf, units, scale);
    }

    fn float(&mut self, value: f64) {
        self.separator();
        // Rust's shortest round-trip formatting is the same on every target.
        if value.is_finite() {
            self.buf.extend_from_slice(value.to_string().as_bytes());
        }
    }

    fn bool(&mut self, value: bool) {
        self.separator();
        self.buf.push(if value { b'1' } else { b'0' });
    }

    fn date(&mut self, value: Date) {
        self.separator();
        value.write_iso(&mut self.buf);
    }

    fn time(&mut self, value: Time) {
        self.separator();
        value.write_iso(&mut self.buf);
    }

    fn null(&mut self) {
        self.separator();
    }

    fn end_row(&mut self) {
        self.buf.extend_from_slice(match self.line_end {
            LineEnd::CrLf => b"\r\n",
            LineEnd::Lf => b"\n",
        });
        self.at_row_start = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campus_schema::{Column, ColumnType};

    #[test]
    fn quotes_only_what_needs_it() {
        let table = Table::new(
            "t",
            vec![Column::id("id"), Column::new("name", ColumnType::Text)],
        );
        let mut w = CsvWriter::new();
        w.header(&table);
        w.int(1);
        w.text("O'Brien, \"Bob\"");
        w.end_row();
        w.int(-2);
        w.null();
        w.end_row();
        w.decimal(7525, 2);
        w.text("line\nbreak");
        w.end_row();
        let text = String::from_utf8(w.buf).unwrap_or_default();
        assert_eq!(
            text,
            "id,name\r\n1,\"O'Brien, \"\"Bob\"\"\"\r\n-2,\r\n75.25,\"line\nbreak\"\r\n"
        );
    }

    #[test]
    fn default_writes_like_new_and_line_ends_are_chosen() {
        // A derived Default once gave a NUL delimiter; the default writer must be the real one.
        let row = |w: &mut CsvWriter| {
            w.text("a");
            w.int(1);
            w.end_row();
        };
        let mut default = CsvWriter::default();
        row(&mut default);
        assert_eq!(default.buf, b"a,1\r\n");
        let mut lf = CsvWriter::new().with_line_end(LineEnd::Lf);
        row(&mut lf);
        row(&mut lf);
        assert_eq!(lf.buf, b"a,1\na,1\n");
    }
}
