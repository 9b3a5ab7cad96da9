//! An RFC 4180 writer: header row, CRLF line ends, fields quoted only when they must be.

use campus_schema::{Date, RowSink, Table, Time, sink};

/// Formats rows into an in-memory buffer that the caller drains whenever it likes.
///
/// Draining never changes the bytes produced, so output is identical whatever the chunking.
#[derive(Debug, Default)]
pub struct CsvWriter {
    pub buf: Vec<u8>,
    delimiter: u8,
    at_row_start: bool,
}

impl CsvWriter {
    pub fn new() -> CsvWriter {
        CsvWriter {
            buf: Vec::with_capacity(64 * 1024),
            delimiter: b',',
            at_row_start: true,
        }
    }

    /// Writes the header row: the table's column names.
    pub fn header(&mut self, table: &Table) {
        for name in table.column_names() {
            self.text(name);
        }
        self.end_row();
    }

    fn separator(&mut self) {
        if !self.at_row_start {
            self.buf.push(self.delimiter);
        }
        self.at_row_start = false;
    }
}

/// Whether a field must be quoted: it holds the delimiter, a quote, a line break, or would
/// otherwise lose leading or trailing spaces in tools that trim.
fn needs_quotes(value: &str, delimiter: u8) -> bool {
    value
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
        || value.starts_with(' ')
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
        if needs_quotes(value, self.delimiter) {
            self.buf.push(b'"');
            for &b in value.as_bytes() {
                if b == b'"' {
                    self.buf.push(b'"');
                }
                self.buf.push(b);
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(value.as_bytes());
        }
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
        self.buf.extend_from_slice(b"\r\n");
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
}
