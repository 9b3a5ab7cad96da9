//! CSV import of sessions in the shared layout, with one error per bad row.
//!
//! The workbench reader in `campus_csv` had no reader yet when this was written, so this is a
//! small pull loop over `csv-core` (the same tokenizer `campus_csv` builds on). Columns are
//! matched by header name, so their order does not matter and extra columns are ignored.

use crate::session::{COLUMNS, Session, SessionInput};

/// At most this many row errors are kept; the rest are only counted, so a wholly wrong file
/// cannot use unbounded memory.
pub const MAX_KEPT_ERRORS: usize = 100;

/// What import found: the rows that parsed and the errors of those that did not.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported<T> {
    pub rows: Vec<T>,
    /// The first [`MAX_KEPT_ERRORS`] errors, in file order.
    pub errors: Vec<ImportError>,
    /// Every bad row, including those whose error was not kept.
    pub n_bad_rows: usize,
}

/// A row read for prediction: the label is known only if the file has the column filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRow {
    pub input: SessionInput,
    pub actual_attendance: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: the file is empty; expected a header line with: {}", COLUMNS.join(","))]
    Empty { file: String },
    #[error("{file}:1: missing column(s) {}; expected a header with: {}", missing.join(", "), COLUMNS.join(","))]
    MissingColumns { file: String, missing: Vec<String> },
    #[error("{file}:{line}: expected {expected} fields like the header, found {found}")]
    FieldCount {
        file: String,
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("{file}:{line}: the row is not valid UTF-8")]
    NotUtf8 { file: String, line: u64 },
    #[error("{file}:{line}: column `{column}`: expected {expected}, found `{found}`")]
    BadValue {
        file: String,
        line: u64,
        column: &'static str,
        expected: &'static str,
        found: String,
    },
}

/// Whether the `actual_attendance` column must be present and filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Required,
    Optional,
}

/// Parses training data: every column of the layout, `actual_attendance` included.
/// `file` names the source in error messages.
pub fn parse_sessions(data: &[u8], file: &str) -> Imported<Session> {
    let parsed = parse(data, file, Label::Required);
    Imported {
        rows: parsed
            .rows
            .into_iter()
            .filter_map(|row| {
                row.actual_attendance.map(|actual_attendance| Session {
                    input: row.input,
                    actual_attendance,
                })
            })
            .collect(),
        errors: parsed.errors,
        n_bad_rows: parsed.n_bad_rows,
    }
}

/// Parses sessions to predict: `actual_attendance` may be missing or empty.
pub fn parse_inputs(data: &[u8], file: &str) -> Imported<InputRow> {
    parse(data, file, Label::Optional)
}

fn parse(data: &[u8], file: &str, label: Label) -> Imported<InputRow> {
    let mut out = Imported {
        rows: Vec::new(),
        errors: Vec::new(),
        n_bad_rows: 0,
    };
    let mut records = Records::new(data);
    let Some((_, header)) = records.next_record() else {
        out.errors.push(ImportError::Empty {
            file: file.to_owned(),
        });
        out.n_bad_rows = 1;
        return out;
    };
    let n_fields = header.len();
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(idx, raw)| {
            let text = String::from_utf8_lossy(raw);
            // Excel and pandas may start the file with a byte-order mark.
            let text = if idx == 0 {
                text.trim_start_matches('\u{feff}')
            } else {
                &text
            };
            text.trim().to_ascii_lowercase()
        })
        .collect();
    let mut positions = [usize::MAX; COLUMNS.len()];
    let mut missing = Vec::new();
    for (col_idx, column) in COLUMNS.iter().enumerate() {
        match names.iter().position(|name| name == column) {
            Some(pos) => positions[col_idx] = pos,
            None if *column == "actual_attendance" && label == Label::Optional => {}
            None => missing.push((*column).to_owned()),
        }
    }
    if !missing.is_empty() {
        out.errors.push(ImportError::MissingColumns {
            file: file.to_owned(),
            missing,
        });
        out.n_bad_rows = 1;
        return out;
    }
    while let Some((line, fields)) = records.next_record() {
        // A blank line reads as one empty field; skip it rather than report it.
        if fields.len() == 1 && fields.first().is_some_and(|f| f.is_empty()) {
            continue;
        }
        match parse_row(&fields, n_fields, &positions, label, file, line) {
            Ok(row) => out.rows.push(row),
            Err(error) => {
                out.n_bad_rows += 1;
                if out.errors.len() < MAX_KEPT_ERRORS {
                    out.errors.push(error);
                }
            }
        }
    }
    out
}

fn parse_row(
    fields: &[&[u8]],
    n_fields: usize,
    positions: &[usize; COLUMNS.len()],
    label: Label,
    file: &str,
    line: u64,
) -> Result<InputRow, ImportError> {
    if fields.len() != n_fields {
        return Err(ImportError::FieldCount {
            file: file.to_owned(),
            line,
            expected: n_fields,
            found: fields.len(),
        });
    }
    let mut text: [&str; COLUMNS.len()] = [""; COLUMNS.len()];
    for (col_idx, pos) in positions.iter().enumerate() {
        let Some(raw) = fields.get(*pos) else {
            continue;
        };
        let Ok(value) = std::str::from_utf8(raw) else {
            return Err(ImportError::NotUtf8 {
                file: file.to_owned(),
                line,
            });
        };
        if let Some(slot) = text.get_mut(col_idx) {
            *slot = value.trim();
        }
    }
    let field = |column: &'static str| -> Field<'_> {
        let idx = COLUMNS.iter().position(|c| *c == column).unwrap_or(0);
        Field {
            column,
            value: text.get(idx).copied().unwrap_or(""),
            file,
            line,
        }
    };
    let actual_attendance = {
        let f = field("actual_attendance");
        if label == Label::Optional && f.value.is_empty() {
            None
        } else {
            Some(f.count()?)
        }
    };
    let input = SessionInput {
        date: field("date").date()?,
        time_minutes: field("time").time()?,
        school: field("school").name()?,
        venue: field("venue").name()?,
        venue_capacity: field("venue_capacity").count()?,
        weekday: field("weekday").name()?,
        semester_day: field("semester_day").count()?,
        exam_week: field("exam_week").boolean()?,
        enrolled_students: field("enrolled_students").count()?,
        prev_attendance: field("prev_attendance").number()?,
        rolling_avg_3: field("rolling_avg_3").number()?,
        rolling_avg_5: field("rolling_avg_5").number()?,
        trend_delta: field("trend_delta").signed_number()?,
    };
    Ok(InputRow {
        input,
        actual_attendance,
    })
}

/// One cell being converted, with what it takes to report it.
struct Field<'a> {
    column: &'static str,
    value: &'a str,
    file: &'a str,
    line: u64,
}

/// Counts above this are surely typos; refusing them keeps `u32` maths far from overflow.
const MAX_COUNT: f64 = 1_000_000.0;

impl Field<'_> {
    fn bad(&self, expected: &'static str) -> ImportError {
        ImportError::BadValue {
            file: self.file.to_owned(),
            line: self.line,
            column: self.column,
            expected,
            found: self.value.chars().take(40).collect(),
        }
    }

    fn name(&self) -> Result<String, ImportError> {
        if self.value.is_empty() {
            Err(self.bad("a non-empty name"))
        } else {
            Ok(self.value.to_owned())
        }
    }

    fn date(&self) -> Result<String, ImportError> {
        let bytes = self.value.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        let month = self
            .value
            .get(5..7)
            .and_then(|m| m.parse::<u8>().ok())
            .unwrap_or(0);
        let day = self
            .value
            .get(8..10)
            .and_then(|d| d.parse::<u8>().ok())
            .unwrap_or(0);
        if shape_ok && (1..=12).contains(&month) && (1..=31).contains(&day) {
            Ok(self.value.to_owned())
        } else {
            Err(self.bad("a date as YYYY-MM-DD"))
        }
    }

    /// `HH:MM`, also `H:MM` and `HH:MM:SS` (pandas writes seconds for time columns).
    fn time(&self) -> Result<u16, ImportError> {
        let mut parts = self.value.split(':');
        let hours = parts.next().and_then(|h| h.parse::<u16>().ok());
        let minutes = parts
            .next()
            .filter(|m| m.len() == 2)
            .and_then(|m| m.parse::<u16>().ok());
        let seconds_ok = parts
            .next()
            .is_none_or(|s| s.len() == 2 && s.parse::<u16>().is_ok_and(|s| s < 60));
        match (hours, minutes, parts.next()) {
            (Some(h), Some(m), None) if h < 24 && m < 60 && seconds_ok => Ok(h * 60 + m),
            _ => Err(self.bad("a time as HH:MM")),
        }
    }

    fn boolean(&self) -> Result<bool, ImportError> {
        match self.value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(self.bad("True or False")),
        }
    }

    fn signed_number(&self) -> Result<f64, ImportError> {
        match self.value.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.bad("a number")),
        }
    }

    fn number(&self) -> Result<f64, ImportError> {
        match self.value.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(self.bad("a non-negative number")),
        }
    }

    /// A whole non-negative number; `12.0` is accepted because pandas writes integer columns
    /// that once held a missing value as floats.
    fn count(&self) -> Result<u32, ImportError> {
        match self.value.parse::<f64>() {
            Ok(v) if (0.0..=MAX_COUNT).contains(&v) && v.fract() == 0.0 => Ok(v as u32),
            _ => Err(self.bad("a whole number from 0 to 1000000")),
        }
    }
}

/// Pulls records out of a byte slice with `csv-core`, growing its buffers as needed.
struct Records<'a> {
    reader: csv_core::Reader,
    data: &'a [u8],
    /// Bytes of `data` consumed by the reader.
    pos: usize,
    /// Newlines before `counted_upto`, for line numbers in errors. csv-core's own count lags
    /// by one after a CRLF record end, so we count ourselves.
    newlines: u64,
    counted_upto: usize,
    out: Vec<u8>,
    ends: Vec<usize>,
    finished: bool,
}

impl<'a> Records<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            reader: csv_core::Reader::new(),
            data,
            pos: 0,
            newlines: 0,
            counted_upto: 0,
            out: vec![0; 4096],
            ends: vec![0; 32],
            finished: false,
        }
    }

    /// The next record as its 1-based starting line and fields, or `None` at the end.
    fn next_record(&mut self) -> Option<(u64, Vec<&[u8]>)> {
        if self.finished {
            return None;
        }
        // The record starts after any line ends left over from the previous one.
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let start = self.pos
            + rest
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        let newly_seen = self.data.get(self.counted_upto..start).unwrap_or_default();
        self.newlines += newly_seen.iter().filter(|b| **b == b'\n').count() as u64;
        self.counted_upto = start.max(self.counted_upto);
        let line = self.newlines + 1;
        let (mut n_out, mut n_ends) = (0, 0);
        loop {
            let input = self.data.get(self.pos..).unwrap_or_default();
            let (result, n_in, n_out_step, n_ends_step) = self.reader.read_record(
                input,
                self.out.get_mut(n_out..).unwrap_or_default(),
                self.ends.get_mut(n_ends..).unwrap_or_default(),
            );
            self.pos += n_in;
            n_out += n_out_step;
            n_ends += n_ends_step;
            match result {
                // The whole file is one slice: "input empty" is the end; the next call with an
                // empty slice tells csv-core so and flushes the last record.
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => {
                    self.ends.resize(self.ends.len() * 2, 0)
                }
                csv_core::ReadRecordResult::Record => break,
                csv_core::ReadRecordResult::End => {
                    self.finished = true;
                    return None;
                }
            }
        }
        let mut fields = Vec::with_capacity(n_ends);
        let mut start = 0;
        for end in self.ends.get(..n_ends).unwrap_or_default() {
            fields.push(self.out.get(start..*end).unwrap_or_default());
            start = *end;
        }
        Some((line, fields))
    }
}

#[cfg(test)]
// A failing unwrap is a failing test.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_fields_and_crlf() {
        let mut records = Records::new(b"a,\"b,c\"\r\n1,2\r\n");
        let (line, fields) = records.next_record().unwrap();
        assert_eq!((line, fields), (1, vec![&b"a"[..], &b"b,c"[..]]));
        let (line, fields) = records.next_record().unwrap();
        assert_eq!((line, fields), (2, vec![&b"1"[..], &b"2"[..]]));
        assert!(records.next_record().is_none());
    }

    #[test]
    fn grows_buffers_for_long_records() {
        let long = "x".repeat(10_000);
        let text = format!("{long},{}\n", "y,".repeat(100));
        let mut records = Records::new(text.as_bytes());
        let (_, fields) = records.next_record().unwrap();
        assert_eq!(fields.len(), 102);
        assert_eq!(fields[0].len(), 10_000);
    }
}
