//! CSV import of sessions in the shared layout, with one error per bad row.
//!
//! Records come from `campus_csv`'s reader (the one every crate reads CSV with: quoting, CRLF,
//! a byte-order mark, blank lines, located errors); this module only turns fields into a
//! [`SessionInput`]. Columns are matched by header name (trimmed, any case), so their order does
//! not matter and extra columns are ignored. The delimiter is always `,`: the shared layout is
//! comma-separated, and sniffing could misread a file whose header has a `;` in a column name.

use campus_csv::{CsvError, CsvErrorKind, CsvReader, Headers, ReadOptions, Row, RowHandler};

use campus_schema::{Date, Time};

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
    /// The row's line in its file, for messages about it.
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: the file is empty; expected a header line with: {}", COLUMNS.join(","))]
    Empty { file: String },
    #[error("{file}:1: missing column(s) {}; expected a header with: {}{}", missing.join(", "), COLUMNS.join(","), delimiter_hint(*other_delimiter))]
    MissingColumns {
        file: String,
        missing: Vec<String>,
        /// The delimiter the header seems to use instead of `,` (`;` as Excel writes in some
        /// locales, or a tab).
        other_delimiter: Option<char>,
    },
    #[error(
        "{file}:1:{column}: column name `{name}` appears more than once; the first one is used"
    )]
    DuplicateColumn {
        file: String,
        column: usize,
        name: String,
    },
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
    /// The file cannot be read on from here (an unclosed quote, an over-long record).
    #[error("{0}")]
    Unreadable(CsvError),
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
    let mut stream = SessionStream::new(file);
    stream.feed(data);
    stream.finish()
}

/// Training data read in chunks of any size: the sessions are kept (training needs them all),
/// the chunks are not, so memory holds the sessions, one chunk and at most
/// [`MAX_KEPT_ERRORS`] errors. Whatever the chunking, the outcome is [`parse_sessions`]'s.
pub struct SessionStream {
    input: InputStream,
    sessions: Vec<Session>,
}

impl SessionStream {
    /// Starts reading the file called `file` (in error messages).
    pub fn new(file: &str) -> SessionStream {
        SessionStream {
            input: InputStream::with_label(file, Label::Required),
            sessions: Vec::new(),
        }
    }

    /// Reads the next chunk.
    pub fn feed(&mut self, chunk: &[u8]) {
        let rows = self.input.feed(chunk);
        self.sessions.extend(rows.into_iter().filter_map(session));
    }

    /// The sessions read so far.
    pub fn n_sessions(&self) -> usize {
        self.sessions.len()
    }

    /// Ends the input: every session, every kept error in file order and the bad-row count.
    pub fn finish(self) -> Imported<Session> {
        let rest = self.input.finish();
        let mut sessions = self.sessions;
        sessions.extend(rest.rows.into_iter().filter_map(session));
        Imported {
            rows: sessions,
            errors: rest.errors,
            n_bad_rows: rest.n_bad_rows,
        }
    }
}

/// A row read with its label required as a session (the import has checked the label).
fn session(row: InputRow) -> Option<Session> {
    row.actual_attendance.map(|actual_attendance| Session {
        input: row.input,
        actual_attendance,
    })
}

/// Parses sessions to predict: `actual_attendance` may be missing or empty.
pub fn parse_inputs(data: &[u8], file: &str) -> Imported<InputRow> {
    parse(data, file, Label::Optional)
}

fn parse(data: &[u8], file: &str, label: Label) -> Imported<InputRow> {
    let mut stream = InputStream::with_label(file, label);
    let mut rows = stream.feed(data);
    let mut rest = stream.finish();
    rows.append(&mut rest.rows);
    rest.rows = rows;
    rest
}

/// Sessions to predict read in chunks of any size, for input of any length: each chunk gives
/// the rows it completed, so memory holds a chunk's rows and at most [`MAX_KEPT_ERRORS`]
/// errors, whatever the file's size. The rules are [`parse_inputs`]'s.
pub struct InputStream {
    reader: CsvReader,
    handler: Handler,
}

impl InputStream {
    /// Starts reading the file called `file` (in error messages).
    pub fn new(file: &str) -> InputStream {
        InputStream::with_label(file, Label::Optional)
    }

    fn with_label(file: &str, label: Label) -> InputStream {
        let mut options = ReadOptions::new(file);
        options.delimiter = Some(b',');
        options.max_errors = MAX_KEPT_ERRORS;
        InputStream {
            reader: CsvReader::new(options),
            handler: Handler {
                label,
                file: file.to_owned(),
                positions: [usize::MAX; COLUMNS.len()],
                missing: Vec::new(),
                rows: Vec::new(),
                errors: Vec::new(),
                n_bad_rows: 0,
            },
        }
    }

    /// Reads the next chunk; gives the rows it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<InputRow> {
        self.reader.feed(chunk, &mut self.handler);
        std::mem::take(&mut self.handler.rows)
    }

    /// Ends the input: the last rows, every kept error in file order and the bad-row count.
    pub fn finish(self) -> Imported<InputRow> {
        let file = self.handler.file.clone();
        let file = file.as_str();
        let mut reader = self.reader;
        let mut handler = self.handler;
        reader.finish(&mut handler);

        let mut n_bad_rows = handler.n_bad_rows;
        let mut errors = std::mem::take(&mut handler.errors);
        for error in reader.take_errors() {
            let converted = match error.kind {
                CsvErrorKind::Empty => ImportError::Empty {
                    file: file.to_owned(),
                },
                CsvErrorKind::MissingColumns { found, .. } => ImportError::MissingColumns {
                    file: file.to_owned(),
                    missing: std::mem::take(&mut handler.missing),
                    other_delimiter: other_delimiter(&found),
                },
                CsvErrorKind::Ragged { expected, found } => ImportError::FieldCount {
                    file: file.to_owned(),
                    line: error.line,
                    expected,
                    found,
                },
                CsvErrorKind::InvalidUtf8 => ImportError::NotUtf8 {
                    file: file.to_owned(),
                    line: error.line,
                },
                // The first of two same-named columns is used, and the user is told.
                CsvErrorKind::DuplicateColumn { name } => ImportError::DuplicateColumn {
                    file: file.to_owned(),
                    column: error.column.unwrap_or(0),
                    name,
                },
                CsvErrorKind::UnterminatedQuote
                | CsvErrorKind::QuoteOpenAtLimit { .. }
                | CsvErrorKind::HeaderNotUtf8
                | CsvErrorKind::Utf16
                | CsvErrorKind::NulInHeader
                | CsvErrorKind::RecordTooLong { .. }
                | CsvErrorKind::TooManyFields { .. } => ImportError::Unreadable(error),
            };
            // Skipped rows and the lines not read after a stop are counted by the reader
            // below; a whole-file error that left no line unread (an empty file) counts as one.
            let whole_file = !matches!(
                converted,
                ImportError::FieldCount { .. } | ImportError::NotUtf8 { .. }
            );
            if whole_file && reader.stats().n_unread_lines == 0 {
                n_bad_rows += 1;
            }
            errors.push(converted);
        }
        n_bad_rows += reader.stats().n_rejected() as usize;
        // Both lists are in file order; a stable sort by line interleaves them.
        errors.sort_by_key(ImportError::line);
        errors.truncate(MAX_KEPT_ERRORS);
        Imported {
            rows: handler.rows,
            errors,
            n_bad_rows,
        }
    }
}

/// Receives the header and rows from the CSV reader and converts each row.
struct Handler {
    label: Label,
    file: String,
    /// Where each of [`COLUMNS`] is in the file (`usize::MAX`: absent, and allowed to be).
    positions: [usize; COLUMNS.len()],
    missing: Vec<String>,
    rows: Vec<InputRow>,
    /// Conversion errors, the first [`MAX_KEPT_ERRORS`] of them.
    errors: Vec<ImportError>,
    n_bad_rows: usize,
}

impl RowHandler for Handler {
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        for (col_idx, column) in COLUMNS.iter().enumerate() {
            match headers.position(column) {
                Some(pos) => {
                    if let Some(slot) = self.positions.get_mut(col_idx) {
                        *slot = pos;
                    }
                }
                None if *column == "actual_attendance" && self.label == Label::Optional => {}
                None => self.missing.push((*column).to_owned()),
            }
        }
        if self.missing.is_empty() {
            Ok(())
        } else {
            Err(CsvErrorKind::MissingColumns {
                missing: self.missing.clone(),
                found: headers.names.clone(),
            })
        }
    }

    fn on_row(&mut self, row: &Row<'_>) {
        match parse_row(row, &self.positions, self.label, &self.file) {
            Ok(parsed) => self.rows.push(parsed),
            Err(error) => {
                self.n_bad_rows += 1;
                if self.errors.len() < MAX_KEPT_ERRORS {
                    self.errors.push(error);
                }
            }
        }
    }
}

impl ImportError {
    /// The line the error is on (0 for the file as a whole, 1 for its header).
    pub fn line(&self) -> u64 {
        match self {
            ImportError::Empty { .. } => 0,
            ImportError::MissingColumns { .. } | ImportError::DuplicateColumn { .. } => 1,
            ImportError::FieldCount { line, .. }
            | ImportError::NotUtf8 { line, .. }
            | ImportError::BadValue { line, .. } => *line,
            ImportError::Unreadable(error) => error.line,
        }
    }
}

/// The delimiter a one-column header seems to use instead of `,`.
fn other_delimiter(header: &[String]) -> Option<char> {
    let [only] = header else {
        return None;
    };
    [';', '\t'].into_iter().find(|&d| only.contains(d))
}

fn delimiter_hint(delimiter: Option<char>) -> String {
    match delimiter {
        Some('\t') => "; the header is separated by tabs: save the file comma-separated".to_owned(),
        Some(d) => format!("; the header is separated by `{d}`: save the file comma-separated"),
        None => String::new(),
    }
}

/// Converts one row (the reader has checked its width and UTF-8).
fn parse_row(
    row: &Row<'_>,
    positions: &[usize; COLUMNS.len()],
    label: Label,
    file: &str,
) -> Result<InputRow, ImportError> {
    let line = row.line;
    // One field per column of the layout, in its order; an absent optional column reads empty.
    let [
        date,
        time,
        school,
        venue,
        venue_capacity,
        weekday,
        semester_day,
        exam_week,
        enrolled_students,
        prev_attendance,
        rolling_avg_3,
        rolling_avg_5,
        trend_delta,
        actual_attendance,
    ] = std::array::from_fn(|col_idx| Field {
        // `from_fn` counts to the length the arrays share: the indexing cannot fail.
        column: COLUMNS[col_idx],
        value: row.get(positions[col_idx]).map_or("", str::trim),
        file,
        line,
    });
    let actual_attendance = if label == Label::Optional && actual_attendance.value.is_empty() {
        None
    } else {
        Some(actual_attendance.count()?)
    };
    let input = SessionInput {
        date: date.date()?,
        time_minutes: time.time()?,
        school: school.name()?,
        venue: venue.name()?,
        venue_capacity: venue_capacity.count()?,
        weekday: weekday.name()?,
        semester_day: semester_day.count()?,
        exam_week: exam_week.boolean()?,
        enrolled_students: enrolled_students.count()?,
        prev_attendance: prev_attendance.number()?,
        rolling_avg_3: rolling_avg_3.number()?,
        rolling_avg_5: rolling_avg_5.number()?,
        trend_delta: trend_delta.signed_number()?,
    };
    Ok(InputRow {
        input,
        actual_attendance,
        line,
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

    /// `YYYY-MM-DD`, a day that exists ([`Date::parse_iso`]).
    fn date(&self) -> Result<String, ImportError> {
        match Date::parse_iso(self.value) {
            Some(_) => Ok(self.value.to_owned()),
            None => Err(self.bad("a date as YYYY-MM-DD")),
        }
    }

    /// `HH:MM`, also `H:MM` and `HH:MM:SS` ([`Time::parse`]); seconds are dropped.
    fn time(&self) -> Result<u16, ImportError> {
        match Time::parse(self.value).and_then(|t| u16::try_from(t.minute_of_day()).ok()) {
            Some(minutes) => Ok(minutes),
            None => Err(self.bad("a time as HH:MM")),
        }
    }

    fn boolean(&self) -> Result<bool, ImportError> {
        match self.value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(self.bad("True or False")),
        }
    }

    /// A finite number; beyond ±[`MAX_COUNT`] (an attendance figure no class has, e.g. 1e308,
    /// which the models turned into ±1e307 attendance) it is refused like a wrong count.
    fn signed_number(&self) -> Result<f64, ImportError> {
        match self.value.parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() <= MAX_COUNT => Ok(v),
            Ok(v) if v.is_finite() => Err(self.bad("a number from -1000000 to 1000000")),
            _ => Err(self.bad("a number")),
        }
    }

    fn number(&self) -> Result<f64, ImportError> {
        match self.value.parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=MAX_COUNT).contains(&v) => Ok(v),
            Ok(v) if v.is_finite() && v >= 0.0 => Err(self.bad("a number from 0 to 1000000")),
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

#[cfg(test)]
// A failing unwrap is a failing test.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HEADER: &str = "date,time,school,venue,venue_capacity,weekday,semester_day,exam_week,\
enrolled_students,prev_attendance,rolling_avg_3,rolling_avg_5,trend_delta,actual_attendance";

    fn row(school: &str, actual: &str) -> String {
        format!("2024-09-02,08:00,{school},LT-2,150,Monday,1,False,133,0,0,0,0,{actual}")
    }

    fn messages(imported: &Imported<Session>) -> Vec<String> {
        imported.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_quoted_fields_and_crlf() {
        let text = format!(
            "{HEADER}\r\n{}\r\n{}\r\n",
            row("\"Law, Politics\"", "85"),
            row("Law", "9")
        );
        let imported = parse_sessions(text.as_bytes(), "t.csv");
        assert_eq!(messages(&imported), Vec::<String>::new());
        assert_eq!(imported.rows[0].input.school, "Law, Politics");
        assert_eq!(imported.rows[1].actual_attendance, 9);
    }

    #[test]
    fn reads_long_records() {
        let long = "x".repeat(10_000);
        let text = format!("{HEADER}\n{}\n", row(&long, "85"));
        let imported = parse_sessions(text.as_bytes(), "t.csv");
        assert_eq!(imported.rows.len(), 1);
        assert_eq!(imported.rows[0].input.school.len(), 10_000);
    }

    #[test]
    fn errors_of_the_reader_and_of_the_fields_come_in_file_order() {
        let text = format!(
            "{HEADER}\n{}\n1,2\n{}\n\n{}\n",
            row("Law", "x"),
            row("Law", "85"),
            row("Law", "-1")
        );
        let imported = parse_sessions(text.as_bytes(), "t.csv");
        assert_eq!(imported.rows.len(), 1);
        assert_eq!(imported.n_bad_rows, 3);
        assert_eq!(
            messages(&imported),
            [
                "t.csv:2: column `actual_attendance`: expected a whole number from 0 to 1000000, found `x`",
                "t.csv:3: expected 14 fields like the header, found 2",
                "t.csv:6: column `actual_attendance`: expected a whole number from 0 to 1000000, found `-1`",
            ]
        );
    }

    #[test]
    fn an_unclosed_quote_stops_the_file_with_its_line() {
        let text = format!("{HEADER}\n{}\n{}\n", row("Law", "85"), row("\"Law", "85"));
        let imported = parse_sessions(text.as_bytes(), "t.csv");
        assert_eq!(imported.rows.len(), 1);
        assert_eq!(imported.n_bad_rows, 1);
        assert!(matches!(
            &imported.errors[..],
            [ImportError::Unreadable(error)] if error.line == 3
        ));
        assert_eq!(
            messages(&imported),
            [
                "t.csv:3: a quoted field opened here is never closed; the rest of the file was not read"
            ]
        );
    }

    /// Regression: an unclosed quote at line 201 of 316 lost 116 rows and counted one.
    #[test]
    fn every_line_after_an_unclosed_quote_counts_as_bad() {
        let mut text = format!("{HEADER}\n");
        for line in 2..=316 {
            let school = if line == 201 { "\"Law" } else { "Law" };
            text.push_str(&row(school, "85"));
            text.push('\n');
        }
        let imported = parse_sessions(text.as_bytes(), "t.csv");
        assert_eq!(imported.rows.len(), 199);
        assert_eq!(imported.n_bad_rows, 116);
        assert_eq!(
            messages(&imported),
            [
                "t.csv:201: a quoted field opened here is never closed; the rest of the file was not read"
            ]
        );
    }

    #[test]
    fn semicolons_utf16_and_duplicate_headers_are_named() {
        let semicolons = format!("{}\n", HEADER.replace(',', ";"));
        let messages_of = |bytes: &[u8]| messages(&parse_sessions(bytes, "t.csv"));
        let text = messages_of(semicolons.as_bytes());
        assert!(
            text.iter()
                .all(|m| m
                    .ends_with("the header is separated by `;`: save the file comma-separated")),
            "{text:?}"
        );
        let mut utf16 = vec![0xff, 0xfe];
        for unit in format!("{HEADER}\n{}\n", row("Law", "85")).encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let text = messages_of(&utf16);
        assert!(text.iter().all(|m| m.contains("UTF-16")), "{text:?}");
        let duplicated = format!("{HEADER},school\n{},Arts\n", row("Law", "85"));
        let imported = parse_sessions(duplicated.as_bytes(), "t.csv");
        assert_eq!(imported.rows.len(), 1);
        assert_eq!(
            messages(&imported),
            ["t.csv:1:15: column name `school` appears more than once; the first one is used"]
        );
        // Impossible dates are rejected like any bad value.
        let text = format!(
            "{HEADER}\n{}\n",
            row("Law", "85").replacen("2024-09-02", "2026-02-30", 1)
        );
        let bad_date = messages_of(text.as_bytes());
        assert!(
            bad_date.iter().any(|m| m.contains("2026-02-30")),
            "{bad_date:?}"
        );
    }

    /// Imports `bytes` fed in pieces of `size` bytes.
    fn sliced(bytes: &[u8], size: usize) -> Imported<Session> {
        let mut stream = SessionStream::new("t.csv");
        for piece in bytes.chunks(size) {
            stream.feed(piece);
        }
        stream.finish()
    }

    /// A file with every kind of row: quoted fields holding commas, a quote and a line break,
    /// CRLF line ends, blank lines, a ragged row, bad values, and an unclosed quote at the end.
    fn awkward_file(n_rows: usize) -> Vec<u8> {
        let mut text = format!("\u{feff}{HEADER}\r\n");
        for idx in 0..n_rows {
            let line = match idx % 9 {
                0 => row("\"Law, \"\"Politics\"\"\r\nand More\"", "85"),
                1 => row("Law", "x"),
                2 => "1,2".to_owned(),
                3 => String::new(),
                4 => row("Arts", "-1"),
                _ => row(&format!("School {idx}"), &format!("{}", idx % 150)),
            };
            text.push_str(&line);
            text.push_str("\r\n");
        }
        text.push_str(&row("\"Open", "9"));
        text.push_str("\r\n");
        text.push_str(&row("Law", "9"));
        text.into_bytes()
    }

    #[test]
    fn any_slicing_gives_the_whole_file_import() {
        let bytes = awkward_file(9 * 1200);
        assert!(bytes.len() > 2 * (256 << 10), "{}", bytes.len());
        let whole = parse_sessions(&bytes, "t.csv");
        // Five sessions of every nine lines; three bad rows; the last two lines never read.
        assert_eq!(whole.rows.len(), 1200 * 5);
        assert_eq!(whole.n_bad_rows, 1200 * 3 + 2);
        assert_eq!(whole.errors.len(), MAX_KEPT_ERRORS);
        assert_eq!(whole.rows[0].input.school, "Law, \"Politics\"\r\nand More");
        for size in [1, 2, 3, 7, 64, 4096, 256 << 10, bytes.len()] {
            assert_eq!(sliced(&bytes, size), whole, "slices of {size} bytes");
        }
    }

    #[test]
    fn a_split_anywhere_gives_the_whole_file_import() {
        // Every cut: inside a quoted field, between the quotes of an escaped quote, between a
        // CR and its LF, inside the byte-order mark and the header.
        let bytes = awkward_file(12);
        let whole = parse_sessions(&bytes, "t.csv");
        assert_eq!(
            messages(&whole).last().map(String::as_str),
            Some(
                "t.csv:16: a quoted field opened here is never closed; the rest of the file was not read"
            )
        );
        for cut in 0..=bytes.len() {
            let (head, tail) = bytes.split_at(cut);
            let mut stream = SessionStream::new("t.csv");
            stream.feed(head);
            let n_sessions = stream.n_sessions();
            stream.feed(tail);
            assert!(stream.n_sessions() >= n_sessions);
            assert_eq!(stream.finish(), whole, "cut at byte {cut}");
        }
        // Files read whole by the import's own rules, sliced byte by byte.
        let mut utf16 = vec![0xff, 0xfe];
        for unit in format!("{HEADER}\n{}\n", row("Law", "85")).encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let semicolons = format!("{}\n{}\n", HEADER.replace(',', ";"), row("Law", "85"));
        let lone_cr = format!("{HEADER}\r{}\r{}", row("Law", "85"), row("Arts", "9"));
        for bytes in [
            utf16,
            semicolons.into_bytes(),
            lone_cr.into_bytes(),
            Vec::new(),
        ] {
            assert_eq!(sliced(&bytes, 1), parse_sessions(&bytes, "t.csv"));
        }
    }

    #[test]
    fn the_delimiter_is_always_a_comma() {
        // Sniffing would take this header for a semicolon-separated one.
        let text = format!("{HEADER},a;b;c\n{},\n", row("Law", "85"));
        let imported = parse_sessions(text.as_bytes(), "t.csv");
        assert_eq!(messages(&imported), Vec::<String>::new());
        assert_eq!(imported.rows.len(), 1);
    }

    #[test]
    fn dates_and_times_follow_the_shared_rules() {
        let with = |date: &str, time: &str| {
            let text =
                format!("{HEADER}\n{date},{time},Law,LT-2,150,Monday,1,False,133,0,0,0,0,85\n");
            messages(&parse_sessions(text.as_bytes(), "t.csv"))
        };
        assert_eq!(with("2024-02-29", "9:30"), Vec::<String>::new());
        assert_eq!(with("2024-02-29", "09:30:00"), Vec::<String>::new());
        assert_eq!(
            with("2023-02-31", "09:30"),
            ["t.csv:2: column `date`: expected a date as YYYY-MM-DD, found `2023-02-31`"]
        );
        assert_eq!(
            with("2024-02-29", "9:5"),
            ["t.csv:2: column `time`: expected a time as HH:MM, found `9:5`"]
        );
    }
}
