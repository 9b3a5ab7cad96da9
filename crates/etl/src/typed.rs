//! The staging CSVs read back as typed rows, for writers that want values rather than text
//! (the CLI's Parquet of the staging tables).
//!
//! A staging CSV holds each input field as it was read, `student_hash` and, for attendance,
//! `present_flag` as 0 or 1; its [`Table`] (from [`crate::export::layout`]) holds the types the
//! first pass inferred. Each field is handed to a [`RowSink`] as its column's type, by the same
//! rules as the staging SQL's INSERT values: missing values (pandas' markers) as NULL, numbers
//! bare, decimals exact, booleans spelled as words (or 0/1), dates as dates. A field that does
//! not parse as its column's type goes as text, so no value is ever lost and a typed writer
//! reports it.

use campus_csv::infer::{is_null, parse_bool};
use campus_csv::{CsvError, CsvErrorKind, CsvReader, Headers, ReadOptions, Row, RowHandler};
use campus_schema::{ColumnType, Date, RowSink, Table};

/// A staging CSV fed in chunks, each row handed to a [`RowSink`] typed by its table.
pub struct TypedCsv {
    reader: CsvReader,
    table: Table,
    n_rows: u64,
}

impl TypedCsv {
    /// Reads a CSV whose header is `table`'s column names, as [`crate::export`] writes it.
    pub fn new(table: Table) -> TypedCsv {
        let mut options = ReadOptions::new(format!("{}.csv", table.name));
        options.delimiter = Some(b',');
        TypedCsv {
            reader: CsvReader::new(options),
            table,
            n_rows: 0,
        }
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Hands the complete rows of `chunk` (and of what came before) to `sink`.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut dyn RowSink) {
        let mut handler = Typed {
            table: &self.table,
            n_rows: &mut self.n_rows,
            sink,
        };
        self.reader.feed(chunk, &mut handler);
    }

    /// Ends the input: hands the last row to `sink` and gives the rows handed over, or the
    /// first error of the file (a header that is not the table's, a ragged row…).
    pub fn finish(&mut self, sink: &mut dyn RowSink) -> Result<u64, CsvError> {
        let mut handler = Typed {
            table: &self.table,
            n_rows: &mut self.n_rows,
            sink,
        };
        self.reader.finish(&mut handler);
        match self.reader.errors().first() {
            Some(error) => Err(error.clone()),
            None => Ok(self.n_rows),
        }
    }
}

struct Typed<'a> {
    table: &'a Table,
    n_rows: &'a mut u64,
    sink: &'a mut dyn RowSink,
}

impl RowHandler for Typed<'_> {
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        if headers
            .names
            .iter()
            .map(String::as_str)
            .eq(self.table.column_names())
        {
            return Ok(());
        }
        Err(CsvErrorKind::MissingColumns {
            missing: self.table.column_names().map(str::to_owned).collect(),
            found: headers.names.clone(),
        })
    }

    fn on_row(&mut self, row: &Row<'_>) {
        for (idx, column) in self.table.columns.iter().enumerate() {
            write_as(self.sink, row.get(idx).unwrap_or(""), column.ty);
        }
        self.sink.end_row();
        *self.n_rows += 1;
    }
}

/// Writes `field` as a value of type `ty`; as text when it does not parse as one.
pub fn write_as(sink: &mut dyn RowSink, field: &str, ty: ColumnType) {
    if is_null(field) {
        sink.null();
        return;
    }
    let trimmed = field.trim();
    match ty {
        ColumnType::Int | ColumnType::BigInt => match trimmed.parse::<i64>() {
            Ok(v) => sink.int(v),
            Err(_) => sink.text(field),
        },
        ColumnType::Decimal { scale, .. } => match decimal_units(trimmed, scale) {
            Some(units) => sink.decimal(units, scale),
            None => sink.text(field),
        },
        ColumnType::Double => match trimmed.parse::<f64>() {
            Ok(v) => sink.float(v),
            Err(_) => sink.text(field),
        },
        ColumnType::Bool => match (parse_bool(trimmed), trimmed) {
            (Some(v), _) => sink.bool(v),
            (None, "1") => sink.bool(true),
            (None, "0") => sink.bool(false),
            (None, _) => sink.text(field),
        },
        ColumnType::Date => match Date::parse_iso(trimmed) {
            Some(d) => sink.date(d),
            None => sink.text(field),
        },
        ColumnType::Time | ColumnType::VarChar(_) | ColumnType::Text => sink.text(field),
    }
}

/// `12.5` at scale 2 is 1250 units; exact, no floats. `None` if it does not fit.
fn decimal_units(text: &str, scale: u8) -> Option<i64> {
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
    use campus_schema::{Column, Value, ValueRow};

    use super::*;

    #[test]
    fn decimals_scale_exactly() {
        assert_eq!(decimal_units("12.5", 2), Some(1250));
        assert_eq!(decimal_units("-0.05", 2), Some(-5));
        assert_eq!(decimal_units("7", 1), Some(70));
        assert_eq!(decimal_units("1.234", 2), None);
        assert_eq!(decimal_units("1.x", 1), None);
    }

    fn table() -> Table {
        Table::new(
            "stg_attendance",
            vec![
                Column::new("student_hash", ColumnType::VarChar(64)).nullable(),
                Column::new("course_code", ColumnType::VarChar(8)),
                Column::new("date", ColumnType::Date),
                Column::new(
                    "marks",
                    ColumnType::Decimal {
                        precision: 5,
                        scale: 1,
                    },
                )
                .nullable(),
                Column::new("n", ColumnType::Int),
                Column::new("present_flag", ColumnType::Bool),
            ],
        )
    }

    /// Every row of `csv` fed in chunks of `step` bytes, collected as values.
    fn rows(csv: &str, step: usize) -> Result<Vec<Vec<Value>>, CsvError> {
        struct Collect(Vec<Vec<Value>>, ValueRow);
        impl RowSink for Collect {
            fn int(&mut self, v: i64) {
                self.1.int(v)
            }
            fn text(&mut self, v: &str) {
                self.1.text(v)
            }
            fn decimal(&mut self, u: i64, s: u8) {
                self.1.decimal(u, s)
            }
            fn float(&mut self, v: f64) {
                self.1.float(v)
            }
            fn bool(&mut self, v: bool) {
                self.1.bool(v)
            }
            fn date(&mut self, v: Date) {
                self.1.date(v)
            }
            fn time(&mut self, v: campus_schema::Time) {
                self.1.time(v)
            }
            fn null(&mut self) {
                self.1.null()
            }
            fn end_row(&mut self) {
                self.0.push(std::mem::take(&mut self.1).values);
            }
        }
        let mut typed = TypedCsv::new(table());
        let mut sink = Collect(Vec::new(), ValueRow::default());
        for chunk in csv.as_bytes().chunks(step) {
            typed.feed(chunk, &mut sink);
        }
        let n = typed.finish(&mut sink)?;
        assert_eq!(n as usize, sink.0.len());
        Ok(sink.0)
    }

    fn day(iso: &str) -> Value {
        Date::parse_iso(iso).map_or(Value::Null, Value::Date)
    }

    #[test]
    fn fields_come_out_as_their_column_types_in_any_chunking() {
        let csv = "student_hash,course_code,date,marks,n,present_flag\n\
                   ab12,\"CS,101\",2024-08-05,12.5,7,1\n\
                   ,NA,2024-08-06,,-3,0\n";
        let want = vec![
            vec![
                Value::Text("ab12".into()),
                Value::Text("CS,101".into()),
                day("2024-08-05"),
                Value::Decimal(125, 1),
                Value::Int(7),
                Value::Bool(true),
            ],
            vec![
                Value::Null,
                Value::Null,
                day("2024-08-06"),
                Value::Null,
                Value::Int(-3),
                Value::Bool(false),
            ],
        ];
        for step in [1, 3, 1 << 20] {
            assert_eq!(rows(csv, step).ok(), Some(want.clone()), "chunks of {step}");
        }
    }

    #[test]
    fn a_header_that_is_not_the_tables_is_an_error() {
        let csv = "student_hash,date\nab,2024-01-01\n";
        assert!(matches!(
            rows(csv, 64).map_err(|e| e.kind),
            Err(CsvErrorKind::MissingColumns { .. })
        ));
    }
}
