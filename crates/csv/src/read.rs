//! A push-based CSV reader on csv-core: feed byte chunks of any size, get validated rows back.
//!
//! The reader owns no file handle, so the CLI (files, stdin) and the web worker (browser `File`
//! slices) drive it the same way, and memory stays bounded by the longest record, not the file.
//! Bad rows are reported and skipped (report and go on); only an unterminated quote or an
//! over-long record stops the file, because after those nothing that follows can be trusted.
//!
//! Lines without a quote (nearly all of an export) are split where they lie, eight bytes at a
//! time and without copying (`read/plain.rs`); csv-core reads every other line, from its start,
//! so quoting, line ends, line numbers and errors are csv-core's whichever road a line takes.

use std::cell::RefCell;
use std::fmt;

use csv_core::{ReadRecordResult, ReaderBuilder};

use self::plain::{scan_plain_line, valid_utf8_prefix};

mod plain;

/// How a file is read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The name shown in errors, e.g. `students_master.csv`.
    pub file_name: String,
    /// The field delimiter; `None` sniffs `,`, `;` or tab from the header line.
    pub delimiter: Option<u8>,
    /// How many errors are kept in full; later ones are only counted.
    pub max_errors: usize,
    /// A record longer than this many bytes stops the file: past it, a record is almost always
    /// an unterminated quote swallowing the rest of the file, and buffering it all would defeat
    /// streaming. Memory is bounded by about twice this. The default,
    /// [`DEFAULT_MAX_RECORD_BYTES`], reads fields of tens of megabytes.
    pub max_record_bytes: usize,
}

impl ReadOptions {
    pub fn new(file_name: impl Into<String>) -> ReadOptions {
        ReadOptions {
            file_name: file_name.into(),
            delimiter: None,
            max_errors: 100,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// Where an error is, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind}", where_(file, *line, *column))]
pub struct CsvError {
    pub file: String,
    /// 1-based line where the record starts (0 when the file as a whole is wrong).
    pub line: u64,
    /// 1-based field number, when one field is to blame.
    pub column: Option<usize>,
    pub kind: CsvErrorKind,
}

/// `file:line:column`, `file:line`, or just `file` when the file as a whole is wrong (lines
/// count from 1: there is no line 0 to show).
fn where_(file: &str, line: u64, column: Option<usize>) -> String {
    match (line, column) {
        (0, _) => file.to_owned(),
        (line, Some(column)) => format!("{file}:{line}:{column}"),
        (line, None) => format!("{file}:{line}"),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsvErrorKind {
    #[error("the file is empty: expected a header line with column names")]
    Empty,
    #[error("expected {expected} fields like the header, found {found}; the row was skipped")]
    Ragged { expected: usize, found: usize },
    #[error("field is not valid UTF-8 (save the file as UTF-8); the row was skipped")]
    InvalidUtf8,
    #[error(
        "the header line is not UTF-8 text: is this a CSV file? (save it as UTF-8); nothing was read"
    )]
    HeaderNotUtf8,
    #[error("a quoted field opened here is never closed; the rest of the file was not read")]
    UnterminatedQuote,
    #[error(
        "a quoted field opened here is still open after {limit} bytes (the record limit), over several lines: probably an unclosed quote; the rest of the file was not read"
    )]
    QuoteOpenAtLimit { limit: usize },
    #[error(
        "record is longer than the record limit of {limit} bytes (raise the limit to read it); the rest of the file was not read"
    )]
    RecordTooLong { limit: usize },
    #[error(
        "the file is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8; nothing was read"
    )]
    Utf16,
    #[error(
        "the header line is mostly NUL bytes, as UTF-16 text without a byte-order mark is: save it as UTF-8; nothing was read"
    )]
    NulInHeader,
    #[error("record has more than {limit} fields; the rest of the file was not read")]
    TooManyFields { limit: usize },
    #[error("missing required column(s): {}; the header has: {}", missing.join(", "), found.join(", "))]
    MissingColumns {
        missing: Vec<String>,
        found: Vec<String>,
    },
    #[error("column name {name:?} appears more than once; the first one is used")]
    DuplicateColumn { name: String },
}

/// The header row: column names in file order, looked up by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers {
    pub names: Vec<String>,
}

impl Headers {
    /// The position of a column, matching names trimmed and case-insensitively.
    pub fn position(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.names
            .iter()
            .position(|n| n.trim().eq_ignore_ascii_case(name))
    }

    /// Positions of every required column, or one error naming all that are missing.
    pub fn require(&self, required: &[&str]) -> Result<Vec<usize>, CsvErrorKind> {
        let mut positions = Vec::with_capacity(required.len());
        let mut missing = Vec::new();
        for name in required {
            match self.position(name) {
                Some(idx) => positions.push(idx),
                None => missing.push((*name).to_owned()),
            }
        }
        if missing.is_empty() {
            Ok(positions)
        } else {
            Err(CsvErrorKind::MissingColumns {
                missing,
                found: self.names.clone(),
            })
        }
    }
}

/// One data row, borrowed from the reader's buffer until the callback returns.
pub struct Row<'a> {
    /// 1-based line where the record starts.
    pub line: u64,
    /// 0-based index among data rows (header excluded, skipped rows excluded).
    pub row_idx: u64,
    fields: &'a [&'a str],
}

impl<'a> Row<'a> {
    /// A row made from fields kept elsewhere (a batch of rows handed to another thread).
    pub fn new(line: u64, row_idx: u64, fields: &'a [&'a str]) -> Row<'a> {
        Row {
            line,
            row_idx,
            fields,
        }
    }

    /// The same record with other field values (a handler that recodes a field before reading
    /// the row).
    pub fn with_fields(&self, fields: &'a [&'a str]) -> Row<'a> {
        Row {
            line: self.line,
            row_idx: self.row_idx,
            fields,
        }
    }

    pub fn get(&self, idx: usize) -> Option<&'a str> {
        self.fields.get(idx).copied()
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn fields(&self) -> &'a [&'a str] {
        self.fields
    }
}

impl fmt::Debug for Row<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Row")
            .field("line", &self.line)
            .field("fields", &self.fields)
            .finish()
    }
}

/// Receives the header and the rows of one file.
pub trait RowHandler {
    /// Checks the header; an error (e.g. missing columns) is recorded and stops the file.
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        let _ = headers;
        Ok(())
    }

    fn on_row(&mut self, row: &Row<'_>);
}

/// Adapts a closure that only wants rows.
pub struct OnRow<F>(pub F);

impl<F: FnMut(&Row<'_>)> RowHandler for OnRow<F> {
    fn on_row(&mut self, row: &Row<'_>) {
        (self.0)(row);
    }
}

/// What the reader saw, for the data-quality report.
///
/// Every line of a file is accounted for: a row handed on (`n_rows`), a row skipped with a
/// reason (`n_ragged_rows`, `n_invalid_utf8_rows`, summing to `n_skipped_rows`), a line not read
/// because reading stopped (`n_unread_lines`, from the line named by `stopped_at_line`), or a
/// blank line or the header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub n_bytes: u64,
    pub n_rows: u64,
    pub n_skipped_rows: u64,
    /// Rows skipped for a field count other than the header's.
    pub n_ragged_rows: u64,
    /// Rows skipped for a field that is not UTF-8.
    pub n_invalid_utf8_rows: u64,
    /// Lines from `stopped_at_line` to the end of the file, never read because reading stopped
    /// (an unclosed quote, the record limit, too many fields); set by [`CsvReader::finish`].
    pub n_unread_lines: u64,
    /// The line where reading stopped, if it did after the header.
    pub stopped_at_line: Option<u64>,
    pub n_errors: u64,
    pub delimiter: u8,
}

impl ReadStats {
    /// Rows skipped plus lines not read: what the file lost.
    pub fn n_rejected(&self) -> u64 {
        self.n_skipped_rows + self.n_unread_lines
    }
}

/// The default record limit: 64 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;

/// More fields than this in one record stops the file (no export has that many columns).
pub const MAX_FIELDS: usize = 1 << 14;

/// The longest prefix we buffer while waiting for the end of the header line.
const SNIFF_LIMIT: usize = 64 * 1024;

/// The streaming reader. Call [`CsvReader::feed`] per chunk, then [`CsvReader::finish`].
pub struct CsvReader {
    options: ReadOptions,
    /// Bytes held back until the header line is complete, so BOM stripping and delimiter
    /// sniffing see the same bytes whatever the chunk sizes.
    prefix: Vec<u8>,
    core: Option<csv_core::Reader>,
    /// Whether csv-core stands between records (nothing of the next one consumed), so whole
    /// lines may be split here without it; see [`CsvReader::split_plain_lines`].
    core_between_records: bool,
    /// Whether plain lines may be split without csv-core: always, except in the tests that
    /// check both ways agree.
    split_plain: bool,
    /// Consecutive tries that split no line, and records left to csv-core before the next try.
    plain_misses: u32,
    plain_pause: u32,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// Field ends of the plain line being split, kept apart from csv-core's `ends` whose
    /// capacity doubles as the field-count limit.
    line_ends: Vec<usize>,
    /// The field list handed to the handler, emptied after each row and kept for its allocation.
    fields: Vec<&'static str>,
    /// Newlines consumed so far and the last byte consumed, to compute line numbers.
    newlines: u64,
    last_byte: u8,
    headers: Option<Headers>,
    errors: Vec<CsvError>,
    stats: ReadStats,
    stopped: bool,
    /// Where reading stopped (the first line not read), the newlines consumed by then, the
    /// newlines fed after it, and the last byte fed: enough to count the lines not read.
    stop_line: Option<u64>,
    newlines_at_stop: u64,
    unread_newlines: u64,
    last_fed_byte: u8,
}

/// An emptied field list, kept for its allocation: collecting an empty vector into one of the
/// same layout reuses the allocation, so rows do not allocate; only the borrow's lifetime changes.
fn recycle(mut fields: Vec<&str>) -> Vec<&'static str> {
    fields.clear();
    fields.into_iter().map(|_| "").collect()
}

impl CsvReader {
    pub fn new(options: ReadOptions) -> CsvReader {
        CsvReader {
            options,
            prefix: Vec::new(),
            core: None,
            core_between_records: false,
            split_plain: true,
            plain_misses: 0,
            plain_pause: 0,
            out: vec![0; 4096],
            out_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            line_ends: Vec::with_capacity(64),
            fields: Vec::new(),
            newlines: 0,
            last_byte: 0,
            headers: None,
            errors: Vec::new(),
            stats: ReadStats::default(),
            stopped: false,
            stop_line: None,
            newlines_at_stop: 0,
            unread_newlines: 0,
            last_fed_byte: b'\n',
        }
    }

    /// The header, once the first line has been read.
    pub fn headers(&self) -> Option<&Headers> {
        self.headers.as_ref()
    }

    /// Errors kept so far (at most `max_errors`; `stats().n_errors` counts them all).
    pub fn errors(&self) -> &[CsvError] {
        &self.errors
    }

    pub fn take_errors(&mut self) -> Vec<CsvError> {
        std::mem::take(&mut self.errors)
    }

    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    /// Whether reading stopped early (an unterminated quote or over-long record).
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    pub fn file_name(&self) -> &str {
        &self.options.file_name
    }

    /// Whether the reader stands between two records, with the header read and nothing of the
    /// next record consumed: the next byte fed starts a record, as it would for a reader of its
    /// own fed the header and then that byte.
    pub fn between_records(&self) -> bool {
        self.core.is_some()
            && self.headers.is_some()
            && self.core_between_records
            && !self.stopped
            && self.out_len == 0
            && self.ends_len == 0
            && self.last_byte == b'\n'
    }

    /// Line breaks read so far: the next record starts on the line after them.
    pub fn lines_read(&self) -> u64 {
        self.newlines
    }

    /// Counts, as if they had been fed and handed on, `n_bytes` that another reader read from
    /// where this one stands ([`CsvReader::between_records`]) to the end of a line: `n_rows`
    /// rows, `n_newlines` line breaks, no error. This reader then goes on after them.
    pub fn skip_read(&mut self, n_bytes: u64, n_rows: u64, n_newlines: u64) {
        self.stats.n_bytes += n_bytes;
        self.stats.n_rows += n_rows;
        self.newlines += n_newlines;
        self.last_byte = b'\n';
        self.last_fed_byte = b'\n';
    }

    /// Records an error found by the caller (e.g. missing columns), with the same cap.
    pub fn push_error(&mut self, line: u64, column: Option<usize>, kind: CsvErrorKind) {
        self.stats.n_errors += 1;
        if self.errors.len() < self.options.max_errors {
            self.errors.push(CsvError {
                file: self.options.file_name.clone(),
                line,
                column,
                kind,
            });
        }
    }

    /// Stops reading: later chunks are ignored. The caller uses this after a fatal header error.
    pub fn stop(&mut self) {
        self.stopped = true;
    }

    /// Records a stopping error at `line` (the first line not read) and stops.
    fn stop_at(&mut self, line: u64, column: Option<usize>, kind: CsvErrorKind) {
        self.push_error(line, column, kind);
        self.stopped = true;
        self.stop_line = Some(line);
        self.newlines_at_stop = self.newlines;
    }

    /// Stops after a header that cannot be used: every line after it is not read.
    fn stop_after_header(&mut self, header_line: u64) {
        self.stopped = true;
        self.stop_line = Some(header_line + 1);
        self.newlines_at_stop = self.newlines;
    }

    /// Counts the lines not read once the input has ended.
    fn count_unread_lines(&mut self) {
        let Some(stop_line) = self.stop_line else {
            return;
        };
        // UTF-16LE ends a line break with a NUL byte.
        let unterminated_last_line =
            u64::from(self.stats.n_bytes > 0 && !matches!(self.last_fed_byte, b'\n' | 0));
        let n_lines = self.newlines_at_stop + self.unread_newlines + unterminated_last_line;
        self.stats.n_unread_lines = n_lines.saturating_sub(stop_line.saturating_sub(1));
        if self.headers.is_some() {
            self.stats.stopped_at_line = Some(stop_line);
        }
    }

    /// Feeds the next chunk; the handler sees the header once, then each complete, valid row.
    pub fn feed(&mut self, chunk: &[u8], handler: &mut dyn RowHandler) {
        // csv-core takes an empty input for the end of the file, which would cut the pending
        // record short; an empty chunk carries nothing, so it changes nothing.
        let Some(&last) = chunk.last() else {
            return;
        };
        if self.stopped {
            self.stats.n_bytes += chunk.len() as u64;
            self.unread_newlines += count_newlines(chunk);
            self.last_fed_byte = last;
            return;
        }
        self.stats.n_bytes += chunk.len() as u64;
        self.last_fed_byte = last;
        if self.core.is_none() {
            self.prefix.extend_from_slice(chunk);
            let has_line_end = self.prefix.contains(&b'\n');
            // A byte-order mark is not part of what is sniffed: wait for a whole sniff window.
            if !has_line_end && self.prefix.len() < SNIFF_LIMIT + 3 {
                return;
            }
            let prefix = std::mem::take(&mut self.prefix);
            self.start(&prefix, handler);
            return;
        }
        self.parse(chunk, false, handler);
    }

    /// Ends the input: flushes the last record and reports an empty file.
    pub fn finish(&mut self, handler: &mut dyn RowHandler) {
        self.finish_records(handler);
        self.count_unread_lines();
    }

    fn finish_records(&mut self, handler: &mut dyn RowHandler) {
        if self.stopped {
            return;
        }
        if self.core.is_none() {
            let prefix = std::mem::take(&mut self.prefix);
            self.start(&prefix, handler);
        }
        // A pending record is ended with a sentinel line break. Outside quotes that completes
        // it exactly as the end of input would; inside an open quote the break is just more
        // field text and the record stays pending, which is how an unclosed quote shows.
        if self.out_len > 0 || self.ends_len > 0 {
            let newlines = self.newlines;
            self.parse(b"\n", false, handler);
            if self.out_len > 0 || self.ends_len > 0 {
                let line = self.record_start_line(true);
                self.stop_at(line, None, CsvErrorKind::UnterminatedQuote);
                // The sentinel line break is not the file's.
                self.newlines_at_stop = newlines;
                return;
            }
        }
        self.parse(&[], true, handler);
        if self.headers.is_none() && !self.stopped {
            self.push_error(0, None, CsvErrorKind::Empty);
        }
    }

    fn start(&mut self, prefix: &[u8], handler: &mut dyn RowHandler) {
        let body = prefix.strip_prefix(b"\xef\xbb\xbf").unwrap_or(prefix);
        // What is judged of the header is its first line, at most the sniff window: bytes every
        // chunking has delivered by now, so the judgement never depends on where chunks fall.
        let window = body.get(..SNIFF_LIMIT).unwrap_or(body);
        let first_line = window.split(|&b| b == b'\n').next().unwrap_or_default();
        // UTF-16 would read as one invalid field per line, or as nothing at all: name it.
        let encoding_error = if body.starts_with(b"\xff\xfe") || body.starts_with(b"\xfe\xff") {
            Some(CsvErrorKind::Utf16)
        } else if looks_utf16(first_line) {
            Some(CsvErrorKind::NulInHeader)
        } else {
            None
        };
        if let Some(kind) = encoding_error {
            // The header line is not a row: the rows not read are the lines after it.
            self.push_error(1, None, kind);
            self.stop_after_header(1);
            self.unread_newlines += count_newlines(body);
            return;
        }
        let delimiter = self
            .options
            .delimiter
            .unwrap_or_else(|| sniff_delimiter(first_line));
        self.stats.delimiter = delimiter;
        self.core = Some(core_reader(delimiter));
        self.parse(body, false, handler);
    }

    fn parse(&mut self, input: &[u8], at_end: bool, handler: &mut dyn RowHandler) {
        let was_stopped = self.stopped;
        let rest = self.parse_records(input, at_end, handler);
        if self.stopped && !was_stopped {
            self.unread_newlines += count_newlines(rest);
        }
    }

    /// Reads records from `input`; returns what was not consumed when reading stopped.
    fn parse_records<'i>(
        &mut self,
        mut input: &'i [u8],
        at_end: bool,
        handler: &mut dyn RowHandler,
    ) -> &'i [u8] {
        loop {
            if self.stopped {
                return input;
            }
            // The header always goes through csv-core: it alone strips a second BOM.
            if self.core_between_records && self.split_plain && self.headers.is_some() {
                if self.plain_pause > 0 {
                    self.plain_pause -= 1;
                } else {
                    let n_used = self.split_plain_lines(input, handler);
                    input = tail(input, n_used);
                    if self.stopped || (input.is_empty() && !at_end) {
                        return input;
                    }
                    // A file that quotes every line would pay for a failed scan per line: after
                    // a few in a row, csv-core alone reads the next records before a new try.
                    self.plain_misses = if n_used == 0 {
                        self.plain_misses + 1
                    } else {
                        0
                    };
                    if self.plain_misses >= 4 {
                        self.plain_misses = 0;
                        self.plain_pause = 32;
                    }
                }
            }
            let Some(core) = self.core.as_mut() else {
                return input;
            };
            let line_before = core.line();
            let (result, n_in, n_out, n_ends) = core.read_record(
                input,
                tail_mut(&mut self.out, self.out_len),
                tail_mut(&mut self.ends, self.ends_len),
            );
            // csv-core counts every `\n` it consumes, quoted ones included; lines split without
            // it are counted in `split_plain_lines`.
            self.newlines += core.line().saturating_sub(line_before);
            if let Some(&last) = input.get(..n_in).and_then(<[u8]>::last) {
                self.last_byte = last;
                self.core_between_records = false;
            }
            input = tail(input, n_in);
            self.out_len += n_out;
            self.ends_len += n_ends;
            match result {
                ReadRecordResult::InputEmpty => {
                    self.stop_if_too_long();
                    // At the end csv-core answers an empty input with Record or End, so
                    // returning here cannot lose the final record.
                    return input;
                }
                ReadRecordResult::OutputFull => {
                    if self.stop_if_too_long() {
                        return input;
                    }
                    let new_len = self.out.len() * 2;
                    self.out.resize(new_len, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    // Empty fields take no output bytes, so a line of delimiters needs its own cap.
                    if self.ends.len() >= MAX_FIELDS {
                        let line = self.pending_record_line();
                        let kind = CsvErrorKind::TooManyFields { limit: MAX_FIELDS };
                        self.stop_at(line, None, kind);
                        return input;
                    }
                    let new_len = self.ends.len() * 2;
                    self.ends.resize(new_len, 0);
                }
                ReadRecordResult::Record => {
                    let line = self.record_start_line(at_end);
                    // A record that came whole in one chunk is held to the limit like one that
                    // spanned chunks, so where the chunks fall never changes what is read.
                    if self.out_len > self.options.max_record_bytes {
                        let kind = self.too_long();
                        self.stop_at(line, None, kind);
                        return input;
                    }
                    self.emit(line, handler);
                    self.out_len = 0;
                    self.ends_len = 0;
                    // After a record csv-core is in its end-of-record state, which treats what
                    // follows exactly as a fresh start would (a `\n` after `\r` is a blank line).
                    self.core_between_records = true;
                }
                ReadRecordResult::End => return input,
            }
        }
    }

    /// Reports a record longer than `max_record_bytes` and stops; returns whether it did.
    ///
    /// A line break inside the record can only be quoted: the record is a quoted field still
    /// open, which is named as such at the line where it opened.
    fn stop_if_too_long(&mut self) -> bool {
        if self.out_len <= self.options.max_record_bytes {
            return false;
        }
        let line = self.pending_record_line();
        let kind = self.too_long();
        self.stop_at(line, None, kind);
        true
    }

    /// What a record over the limit is: judged on its first `limit + 1` bytes, which are the
    /// same however much of it has arrived.
    fn too_long(&self) -> CsvErrorKind {
        let limit = self.options.max_record_bytes;
        let first = head(&self.out, self.out_len.min(limit.saturating_add(1)));
        if first.contains(&b'\n') {
            CsvErrorKind::QuoteOpenAtLimit { limit }
        } else {
            CsvErrorKind::RecordTooLong { limit }
        }
    }

    /// The line a record not yet complete starts on: the current line, minus the line breaks
    /// inside it.
    fn pending_record_line(&self) -> u64 {
        let out = head(&self.out, self.out_len);
        let inner = count_newlines(out);
        (self.newlines + 1).saturating_sub(inner).max(1)
    }

    /// The line the current record starts on: the line it ends on, minus newlines inside it.
    ///
    /// A record flushed at the end of input had no terminator, so a final `\n` was inside it.
    fn record_start_line(&self, at_end: bool) -> u64 {
        let end_line = if self.last_byte == b'\n' && !at_end {
            self.newlines
        } else {
            self.newlines + 1
        };
        let out = head(&self.out, self.out_len);
        // `contains` is a memchr; most records have no line break inside to count.
        let inner = if out.contains(&b'\n') {
            out.iter().filter(|&&b| b == b'\n').count() as u64
        } else {
            0
        };
        end_line.saturating_sub(inner).max(1)
    }

    fn emit(&mut self, line: u64, handler: &mut dyn RowHandler) {
        // The buffers are moved out so the fields can borrow them while errors are recorded.
        let out = std::mem::take(&mut self.out);
        let ends = std::mem::take(&mut self.ends);
        let data = head(&out, self.out_len);
        self.emit_record(data, head(&ends, self.ends_len), 0, line, handler);
        self.out = out;
        self.ends = ends;
    }

    /// Splits whole lines that csv-core would read as plain fields (no `"`, no `\r` other than
    /// before `\n`) straight from `input`, without copying them; returns the bytes used.
    ///
    /// It stops at the first line it cannot vouch for (a quote, a lone `\r`, one too long or with
    /// too many fields, or a line not yet complete) and leaves it to csv-core, which then reads
    /// that line from its start exactly as it would have, errors included. Rows it hands on are
    /// the rows csv-core would have produced, with the same line numbers.
    fn split_plain_lines(&mut self, input: &[u8], handler: &mut dyn RowHandler) -> usize {
        let Some(n_columns) = self.headers.as_ref().map(|h| h.names.len()) else {
            return 0;
        };
        let delimiter = self.stats.delimiter;
        // Other delimiters change what a plain line is (or split characters); csv-core alone
        // reads such files.
        if !delimiter.is_ascii() || matches!(delimiter, b'"' | b'\r' | b'\n') {
            return 0;
        }
        let max_len = self.options.max_record_bytes;
        let mut ends = std::mem::take(&mut self.line_ends);
        let mut fields: Vec<&str> = std::mem::take(&mut self.fields);
        // UTF-8 is validated a window at a time: far cheaper per byte than line by line, while
        // a call that only reaches the next quoted line validates little beyond it. The window
        // doubles each time a line runs past it.
        let mut window = 256;
        let mut text_start = 0;
        let mut text = "";
        let mut n_used = 0;
        while !self.stopped {
            let rest = tail(input, n_used);
            let Some((len, used)) = scan_plain_line(rest, delimiter, max_len, &mut ends) else {
                break;
            };
            let line = self.newlines + 1;
            self.newlines += 1;
            self.last_byte = b'\n';
            let line_start = n_used;
            n_used += used;
            if line_start + len > text_start + text.len() {
                window = (window * 2).max(len).min(1 << 20);
                text_start = line_start;
                text = valid_utf8_prefix(rest.get(..window.max(len)).unwrap_or(rest));
            }
            let from = line_start - text_start;
            let line_text = text.get(from..from + len);
            // Rows of the expected width take the short road; anything else (blank lines,
            // ragged rows, invalid UTF-8, one-column files) goes through the checks in
            // `emit_record`, which report it exactly as for any record.
            let mut plain = false;
            if let Some(line_text) = line_text
                && ends.len() == n_columns
                && n_columns > 1
            {
                fields.clear();
                let mut field_start = 0;
                for &end in &ends {
                    // Every end is at an ASCII delimiter or the line's end: a char boundary.
                    if let Some(field) = line_text.get(field_start..end) {
                        fields.push(field);
                    }
                    field_start = end + 1;
                }
                plain = fields.len() == n_columns;
            }
            if plain {
                let row = Row {
                    line,
                    row_idx: self.stats.n_rows,
                    fields: &fields,
                };
                self.stats.n_rows += 1;
                handler.on_row(&row);
            } else {
                self.emit_record(head(rest, len), &ends, 1, line, handler);
            }
        }
        self.fields = recycle(fields);
        self.line_ends = ends;
        n_used
    }

    /// Checks one record (`data` with field `ends`) and hands it on as the header or a row.
    ///
    /// `gap` is the number of bytes between fields: 0 in csv-core's output, 1 (the delimiter)
    /// in a line split in place.
    fn emit_record(
        &mut self,
        data: &[u8],
        ends: &[usize],
        gap: usize,
        line: u64,
        handler: &mut dyn RowHandler,
    ) {
        // A line of only spaces is blank, not a one-field row.
        if ends.len() == 1 && data.iter().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        let mut fields: Vec<&str> = std::mem::take(&mut self.fields);
        self.emit_fields(data, ends, gap, &mut fields, line, handler);
        self.fields = recycle(fields);
    }

    fn emit_fields<'d>(
        &mut self,
        data: &'d [u8],
        ends: &[usize],
        gap: usize,
        fields: &mut Vec<&'d str>,
        line: u64,
        handler: &mut dyn RowHandler,
    ) {
        let mut bad_column = None;
        let mut start = 0;
        // One validation per record; `get` then fails only where a delimiter had split a
        // multi-byte character, which was invalid UTF-8 in the file too.
        let text = std::str::from_utf8(data).ok();
        for (idx, &end) in ends.iter().enumerate() {
            let field = match text {
                Some(text) => text.get(start..end),
                None => data
                    .get(start..end)
                    .and_then(|bytes| std::str::from_utf8(bytes).ok()),
            };
            start = end + gap;
            let Some(field) = field else {
                bad_column = Some(idx + 1);
                break;
            };
            fields.push(field);
        }
        let Some(expected) = self.headers.as_ref().map(|h| h.names.len()) else {
            if bad_column.is_some() {
                // A header we cannot read leaves nothing to match columns against.
                let file = self.options.file_name.clone();
                self.stats.n_errors += 1;
                self.errors.push(CsvError {
                    file,
                    line,
                    column: bad_column,
                    kind: CsvErrorKind::HeaderNotUtf8,
                });
                self.stop_after_header(line);
                return;
            }
            let names: Vec<String> = fields.iter().map(|f| f.trim().to_owned()).collect();
            let mut duplicates = Vec::new();
            for (idx, name) in names.iter().enumerate() {
                if names.iter().take(idx).any(|n| n.eq_ignore_ascii_case(name)) {
                    duplicates.push((idx + 1, name.clone()));
                }
            }
            let headers = Headers { names };
            for (column, name) in duplicates {
                self.push_error(line, Some(column), CsvErrorKind::DuplicateColumn { name });
            }
            if let Err(kind) = handler.on_header(&headers) {
                self.push_error(line, None, kind);
                self.stop_after_header(line);
            }
            self.headers = Some(headers);
            return;
        };
        if let Some(column) = bad_column {
            self.stats.n_skipped_rows += 1;
            self.stats.n_invalid_utf8_rows += 1;
            self.push_error(line, Some(column), CsvErrorKind::InvalidUtf8);
            return;
        }
        if fields.len() != expected {
            let found = fields.len();
            self.stats.n_skipped_rows += 1;
            self.stats.n_ragged_rows += 1;
            self.push_error(
                line,
                Some(expected.min(found) + 1),
                CsvErrorKind::Ragged { expected, found },
            );
            return;
        }
        let row = Row {
            line,
            row_idx: self.stats.n_rows,
            fields,
        };
        self.stats.n_rows += 1;
        handler.on_row(&row);
    }
}

// The reader's own counts (bytes consumed, bytes and field ends written) keep every offset below
// in range; one past the end is a bug here, not bad input. Debug builds and the tests stop on it;
// a release build reads nothing more of that slice rather than panic on a user's file.

/// `items[from..]`.
#[inline]
fn tail<T>(items: &[T], from: usize) -> &[T] {
    debug_assert!(from <= items.len(), "offset {from} past {}", items.len());
    items.get(from..).unwrap_or_default()
}

/// `items[from..]`, mutable.
#[inline]
fn tail_mut<T>(items: &mut [T], from: usize) -> &mut [T] {
    debug_assert!(from <= items.len(), "offset {from} past {}", items.len());
    items.get_mut(from..).unwrap_or_default()
}

/// `items[..to]`.
#[inline]
fn head<T>(items: &[T], to: usize) -> &[T] {
    debug_assert!(to <= items.len(), "length {to} past {}", items.len());
    items.get(..to).unwrap_or_default()
}

/// Whether a line is UTF-16 without a byte-order mark: every other byte of ASCII text is NUL.
fn looks_utf16(line: &[u8]) -> bool {
    let n_nul = line.iter().filter(|&&b| b == 0).count();
    n_nul > 0 && n_nul * 3 >= line.len()
}

/// The line breaks in `bytes`.
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

thread_local! {
    /// The csv-core readers of dropped `CsvReader`s, reset, with their delimiters. Building one
    /// compiles its DFA, which costs more than reading a small file: a run over many small files
    /// (a lesson's exports, a test, a fuzzer) reuses them instead. Cloning a built reader is no way
    /// around the cost: csv-core's `Clone` of its DFA copies the transition table alone, and a
    /// clone never ends a record.
    static SPARE_CORES: RefCell<Vec<(u8, csv_core::Reader)>> = const { RefCell::new(Vec::new()) };
}

/// At most this many spare readers are kept per thread (about 2 KiB each).
const MAX_SPARE_CORES: usize = 8;

/// A csv-core reader for `delimiter`, as new: a spare one if there is one, else built.
fn core_reader(delimiter: u8) -> csv_core::Reader {
    let spare = SPARE_CORES
        .try_with(|spare| {
            let mut spare = spare.try_borrow_mut().ok()?;
            let at = spare.iter().position(|(d, _)| *d == delimiter)?;
            Some(spare.swap_remove(at).1)
        })
        .ok()
        .flatten();
    spare.unwrap_or_else(|| ReaderBuilder::new().delimiter(delimiter).build())
}

impl Drop for CsvReader {
    fn drop(&mut self) {
        let Some(mut core) = self.core.take() else {
            return;
        };
        core.reset();
        let delimiter = self.stats.delimiter;
        // A thread being torn down keeps nothing: the reader is simply dropped.
        let _ = SPARE_CORES.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut()
                && spare.len() < MAX_SPARE_CORES
            {
                spare.push((delimiter, core));
            }
        });
    }
}

/// Picks the delimiter that occurs most often outside quotes on the first line; `,` on a tie.
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let candidates = [b',', b';', b'\t'];
    let mut in_quotes = false;
    // The first line only, even inside quotes: a header never holds a line break, and what
    // follows the first one depends on how much of the file has arrived.
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    for &b in first_line {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            if b == b'\r' {
                break;
            }
            if let Some(count) = candidates
                .iter()
                .position(|&c| c == b)
                .and_then(|idx| counts.get_mut(idx))
            {
                *count += 1;
            }
        }
    }
    let mut best = 0;
    for idx in 1..3 {
        if counts.get(idx) > counts.get(best) {
            best = idx;
        }
    }
    candidates.get(best).copied().unwrap_or(b',')
}

/// A whole file read into memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadAll {
    pub headers: Option<Headers>,
    /// (line, fields) of every valid row.
    pub rows: Vec<(u64, Vec<String>)>,
    pub errors: Vec<CsvError>,
}

/// Reads a whole in-memory file, for tests, previews and small inputs.
pub fn read_all(bytes: &[u8], options: ReadOptions) -> ReadAll {
    let mut reader = CsvReader::new(options);
    let mut rows = Vec::new();
    let mut handler = OnRow(|row: &Row<'_>| {
        rows.push((
            row.line,
            row.fields().iter().map(|f| (*f).to_owned()).collect(),
        ))
    });
    reader.feed(bytes, &mut handler);
    reader.finish(&mut handler);
    ReadAll {
        headers: reader.headers().cloned(),
        rows,
        errors: reader.take_errors(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders what a reader reports as text: the header, then each row with its line (and,
    /// with `row_idx`, its index).
    pub(super) struct Collect {
        text: String,
        row_idx: bool,
    }

    impl Collect {
        pub(super) fn new(row_idx: bool) -> Collect {
            Collect {
                text: String::new(),
                row_idx,
            }
        }

        /// Finishes `reader` into this text and appends its errors.
        pub(super) fn finish(mut self, reader: &mut CsvReader) -> String {
            reader.finish(&mut self);
            for e in reader.errors() {
                self.text.push_str(&format!("error {e}\n"));
            }
            self.text
        }
    }

    impl RowHandler for Collect {
        fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
            self.text.push_str(&format!("header {:?}\n", headers.names));
            Ok(())
        }
        fn on_row(&mut self, row: &Row<'_>) {
            let line = match self.row_idx {
                true => format!("{} #{} {:?}\n", row.line, row.row_idx, row.fields()),
                false => format!("{} {:?}\n", row.line, row.fields()),
            };
            self.text.push_str(&line);
        }
    }

    /// Reads `bytes` in chunks of `chunk` bytes and renders rows and errors as text.
    fn read_chunked(bytes: &[u8], chunk: usize, delimiter: Option<u8>) -> String {
        let mut options = ReadOptions::new("t.csv");
        options.delimiter = delimiter;
        let mut reader = CsvReader::new(options);
        let mut collect = Collect::new(false);
        for piece in bytes.chunks(chunk.max(1)) {
            reader.feed(piece, &mut collect);
        }
        collect.finish(&mut reader)
    }

    fn check(bytes: &[u8], expected: &str) {
        for chunk in [1, 2, 3, 7, 64, bytes.len()] {
            assert_eq!(
                read_chunked(bytes, chunk, None),
                expected,
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn a_reused_csv_core_reader_starts_afresh() {
        let spares = || SPARE_CORES.with(|spare| spare.borrow().len());
        let clean = b"a;b\n1;\"x\ny\"\n2;3\n";
        let expected = read_chunked(clean, clean.len(), None);
        assert_eq!(spares(), 1, "a dropped reader leaves its csv-core reader");
        // A reader dropped inside a quoted field, without finish: its csv-core reader is reset.
        {
            let mut reader = CsvReader::new(ReadOptions::new("t.csv"));
            reader.feed(b"a;b\n1;\"open\n2;", &mut Collect::new(false));
            assert_eq!(spares(), 0, "the new reader took the spare");
        }
        assert_eq!(spares(), 1);
        for chunk in [1, 3, clean.len()] {
            assert_eq!(read_chunked(clean, chunk, None), expected, "chunk {chunk}");
        }
        // Another delimiter builds its own.
        assert_eq!(
            read_chunked(b"a,b\n1,2\n", 4, None),
            "header [\"a\", \"b\"]\n2 [\"1\", \"2\"]\n"
        );
        assert_eq!(spares(), 2);
    }

    #[test]
    fn bom_crlf_quotes_and_blank_lines() {
        check(
            b"\xef\xbb\xbfa,b\r\n1,\"x, \"\"y\"\"\nz\"\r\n\r\n2,3\r\n\r\n\r\n",
            "header [\"a\", \"b\"]\n2 [\"1\", \"x, \\\"y\\\"\\nz\"]\n5 [\"2\", \"3\"]\n",
        );
    }

    #[test]
    fn last_record_without_line_end() {
        check(b"a,b\n1,\"x\"", "header [\"a\", \"b\"]\n2 [\"1\", \"x\"]\n");
        check(b"a,b\r\n1,2\r", "header [\"a\", \"b\"]\n2 [\"1\", \"2\"]\n");
        check(
            b"a,b\n1,\"x\ny\"",
            "header [\"a\", \"b\"]\n2 [\"1\", \"x\\ny\"]\n",
        );
        check(
            "a,b\n\"é\",ü\n".as_bytes(),
            "header [\"a\", \"b\"]\n2 [\"é\", \"ü\"]\n",
        );
    }

    #[test]
    fn sniffs_semicolon_and_tab() {
        check(
            b"a;b;c\n1;2,5;3\n",
            "header [\"a\", \"b\", \"c\"]\n2 [\"1\", \"2,5\", \"3\"]\n",
        );
        check(b"a\tb\n1\t2", "header [\"a\", \"b\"]\n2 [\"1\", \"2\"]\n");
        assert_eq!(
            read_chunked(b"a;b\n1;2\n", 3, Some(b',')),
            "header [\"a;b\"]\n2 [\"1;2\"]\n"
        );
    }

    #[test]
    fn ragged_and_bad_utf8_rows_are_skipped_with_errors() {
        check(
            b"a,b\n1,2\n3\n4,5,6\n\xff,7\n8,9\n",
            "header [\"a\", \"b\"]\n2 [\"1\", \"2\"]\n6 [\"8\", \"9\"]\n\
             error t.csv:3:2: expected 2 fields like the header, found 1; the row was skipped\n\
             error t.csv:4:3: expected 2 fields like the header, found 3; the row was skipped\n\
             error t.csv:5:1: field is not valid UTF-8 (save the file as UTF-8); the row was skipped\n",
        );
    }

    #[test]
    fn unterminated_quote_and_empty_file() {
        check(
            b"a,b\n1,2\n3,\"oops\n4,5\n",
            "header [\"a\", \"b\"]\n2 [\"1\", \"2\"]\n\
             error t.csv:3: a quoted field opened here is never closed; the rest of the file was not read\n",
        );
        check(
            b"",
            "error t.csv: the file is empty: expected a header line with column names\n",
        );
        check(
            b"\n\n",
            "error t.csv: the file is empty: expected a header line with column names\n",
        );
        // Binary junk: no row was read, so none was "skipped".
        check(
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "error t.csv:1:1: the header line is not UTF-8 text: is this a CSV file? (save it as UTF-8); nothing was read\n",
        );
    }

    #[test]
    fn a_line_of_delimiters_cannot_grow_without_bound() {
        let mut bytes = b"a,b\n".to_vec();
        bytes.extend(std::iter::repeat_n(b',', 100_000));
        let out = read_chunked(&bytes, 4096, None);
        assert!(
            out.ends_with("error t.csv:2: record has more than 16384 fields; the rest of the file was not read\n"),
            "{out}"
        );
    }

    /// Regression: an empty chunk in the middle of a record ended it, as if the file had.
    #[test]
    fn an_empty_chunk_changes_nothing() {
        let mut reader = CsvReader::new(ReadOptions::new("t.csv"));
        let mut rows = Vec::new();
        let mut handler = OnRow(|row: &Row<'_>| rows.push(row.fields().join("|")));
        for chunk in [
            &b"a,b\n1,2\n3,\"x"[..],
            b"",
            b"y\"\n4,"[..].as_ref(),
            b"",
            b"5\n",
        ] {
            reader.feed(chunk, &mut handler);
        }
        reader.finish(&mut handler);
        assert_eq!(rows, ["1|2", "3|xy", "4|5"]);
        assert!(reader.errors().is_empty());
    }

    /// Reads `bytes` at several chunkings with `limit` as the record limit; returns the stats
    /// and errors, checked to be the same at every chunking.
    fn account(bytes: &[u8], limit: usize) -> (ReadStats, Vec<String>) {
        let mut seen: Option<(ReadStats, Vec<String>)> = None;
        for chunk in [1, 2, 3, 7, 64, 4096, bytes.len().max(1)] {
            let mut options = ReadOptions::new("t.csv");
            options.max_record_bytes = limit;
            let mut reader = CsvReader::new(options);
            let mut handler = OnRow(|_: &Row<'_>| {});
            for piece in bytes.chunks(chunk) {
                reader.feed(piece, &mut handler);
            }
            reader.finish(&mut handler);
            let errors = reader.errors().iter().map(ToString::to_string).collect();
            let got = (reader.stats().clone(), errors);
            if let Some(seen) = &seen {
                assert_eq!(seen, &got, "chunk size {chunk}");
            }
            seen = Some(got);
        }
        seen.unwrap_or_default()
    }

    #[test]
    fn every_line_is_accounted_for() {
        let (stats, _) = account(b"a,b\n1,2\n3\n\xff,4\n5,6\n", 1 << 20);
        assert_eq!(
            (stats.n_rows, stats.n_ragged_rows, stats.n_invalid_utf8_rows),
            (2, 1, 1)
        );
        assert_eq!((stats.n_skipped_rows, stats.n_rejected()), (2, 2));
        // An unclosed quote: the lines from the one where it opened are not read.
        for bytes in [
            &b"a,b\n1,2\n3,\"oops\n4,5\n6,7\n"[..],
            b"a,b\n1,2\n3,\"oops\n4,5\n6,7",
        ] {
            let (stats, errors) = account(bytes, 1 << 20);
            assert_eq!(stats.n_rows, 1);
            assert_eq!((stats.stopped_at_line, stats.n_unread_lines), (Some(3), 3));
            assert_eq!(
                errors,
                [
                    "t.csv:3: a quoted field opened here is never closed; the rest of the file was not read"
                ]
            );
        }
    }

    /// Regression: a stray quote in a long file was blamed on an over-long record, at a line
    /// far from the quote, and the lines after it were not counted anywhere.
    #[test]
    fn a_stray_quote_is_named_where_it_opened_even_at_the_record_limit() {
        let mut bytes = b"a,b\n".to_vec();
        for idx in 0..200 {
            if idx == 99 {
                bytes.extend_from_slice(b"\"stray,1\n");
            } else {
                bytes.extend_from_slice(format!("{idx},x\n").as_bytes());
            }
        }
        // Line 101 holds the quote; with a small limit reading stops inside it.
        let (stats, errors) = account(&bytes, 256);
        assert_eq!(stats.n_rows, 99);
        assert_eq!(
            (stats.stopped_at_line, stats.n_unread_lines),
            (Some(101), 101)
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors.iter().all(|e| e.starts_with(
                "t.csv:101: a quoted field opened here is still open after 256 bytes"
            )),
            "{errors:?}"
        );
        // With the default limit the whole rest is the open quote.
        let (stats, errors) = account(&bytes, DEFAULT_MAX_RECORD_BYTES);
        assert_eq!(
            (stats.stopped_at_line, stats.n_unread_lines),
            (Some(101), 101)
        );
        assert!(
            errors
                .iter()
                .all(|e| e.starts_with("t.csv:101: a quoted field opened here is never closed"))
        );
    }

    #[test]
    fn a_long_field_without_quotes_is_read_or_named_as_over_the_limit() {
        let mut bytes = b"a,b\n1,".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', 10 << 20));
        bytes.extend_from_slice(b"\n2,y\n");
        let all = read_all(&bytes, ReadOptions::new("t.csv"));
        assert!(all.errors.is_empty(), "{:?}", all.errors);
        assert_eq!(all.rows.len(), 2);
        assert_eq!(
            all.rows
                .first()
                .and_then(|(_, f)| f.get(1))
                .map(String::len),
            Some(10 << 20)
        );
        let mut options = ReadOptions::new("t.csv");
        options.max_record_bytes = 1 << 20;
        let mut reader = CsvReader::new(options);
        let mut handler = OnRow(|_: &Row<'_>| {});
        for piece in bytes.chunks(1 << 16) {
            reader.feed(piece, &mut handler);
        }
        reader.finish(&mut handler);
        let errors: Vec<String> = reader.errors().iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "t.csv:2: record is longer than the record limit of 1048576 bytes (raise the limit to read it); the rest of the file was not read"
            ]
        );
        assert_eq!(reader.stats().n_unread_lines, 2);
    }

    #[test]
    fn utf16_is_named_not_read_as_nothing() {
        let text = "a,b\n1,2\n";
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        let mut bare = Vec::new();
        for unit in text.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
            bare.extend(unit.to_le_bytes());
        }
        for bytes in [&le, &be] {
            let (stats, errors) = account(bytes, 1 << 20);
            assert_eq!(
                errors,
                [
                    "t.csv:1: the file is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8; nothing was read"
                ]
            );
            // The header line is not a row: one row, one line not read.
            assert_eq!((stats.n_rows, stats.n_unread_lines), (0, 1));
        }
        let (stats, errors) = account(&bare, 1 << 20);
        assert_eq!((stats.n_rows, stats.n_unread_lines), (0, 1));
        assert!(
            errors
                .iter()
                .all(|e| e.starts_with("t.csv:1: the header line is mostly NUL bytes")),
            "{errors:?}"
        );
    }

    #[test]
    fn headers_are_found_by_name() {
        let headers = Headers {
            names: vec!["Dob".into(), " roll_no ".into(), "extra".into()],
        };
        assert_eq!(headers.require(&["roll_no", "dob"]), Ok(vec![1, 0]));
        let Err(CsvErrorKind::MissingColumns { missing, .. }) =
            headers.require(&["roll_no", "status", "date"])
        else {
            panic!("expected missing columns");
        };
        assert_eq!(missing, vec!["status".to_owned(), "date".to_owned()]);
    }

    /// Rows (line and fields joined by `|`), error texts, unread lines and delimiter of `bytes`
    /// read in chunks of `chunk` bytes: what the fuzz target compares across chunkings.
    fn read_pieces(
        bytes: &[u8],
        chunk: usize,
        options: &ReadOptions,
    ) -> (Vec<(u64, String)>, Vec<String>, u64, u8) {
        let mut reader = CsvReader::new(options.clone());
        let mut rows = Vec::new();
        let mut handler = OnRow(|row: &Row<'_>| rows.push((row.line, row.fields().join("|"))));
        for piece in bytes.chunks(chunk.max(1)) {
            reader.feed(piece, &mut handler);
        }
        reader.finish(&mut handler);
        let errors = reader.errors().iter().map(|e| e.to_string()).collect();
        let stats = reader.stats();
        (rows, errors, stats.n_unread_lines, stats.delimiter)
    }

    /// Found by the `csv_chunks` fuzz target: a long line of invalid UTF-8 past the record
    /// limit, split across chunks, was reported as too long, read whole as not UTF-8.
    #[test]
    fn fuzz_a_long_invalid_line_is_one_error_at_any_chunking() {
        let mut bytes = b"\x02;\x00\n1;2\n3".to_vec();
        bytes.extend([0xFF; 43]);
        bytes.extend(b";\"4;5\"\n");
        let mut options = ReadOptions::new("t.csv");
        options.max_errors = 2;
        options.max_record_bytes = 16;
        let whole = read_pieces(&bytes, bytes.len(), &options);
        for chunk in [1, 2, 7, 16, 35] {
            assert_eq!(
                read_pieces(&bytes, chunk, &options),
                whole,
                "chunks of {chunk}"
            );
        }
    }

    /// Found by the `csv_chunks` fuzz target: a record over the limit that came whole in one
    /// chunk was read (a ragged row), while split across chunks it stopped the file.
    #[test]
    fn fuzz_the_record_limit_holds_at_any_chunking() {
        let bytes =
            b"a,b\n1,2\n1,2,3456789012345678901234567890\n3,4\n\"5\n6789012345678901234\",7\n";
        let mut options = ReadOptions::new("t.csv");
        options.max_record_bytes = 16;
        let whole = read_pieces(bytes, bytes.len(), &options);
        assert_eq!(whole.0, [(2, "1|2".to_owned())]);
        assert!(
            whole.1[0].starts_with("t.csv:3: record is longer than the record limit of 16 bytes"),
            "{:?}",
            whole.1
        );
        for chunk in [1, 2, 5, 14, 20] {
            assert_eq!(
                read_pieces(bytes, chunk, &options),
                whole,
                "chunks of {chunk}"
            );
        }
    }

    /// Found by the `csv_chunks` fuzz target: a header with an unclosed quote made the sniffer
    /// read past the first line, as far as the first chunk went, so the delimiter depended on
    /// the chunking.
    #[test]
    fn fuzz_the_delimiter_is_sniffed_from_the_first_line_at_any_chunking() {
        let bytes = b"a!\"a!,b\n1\n5;2;3;4;5;6;7\n8,\"9\"\n";
        let options = ReadOptions::new("t.csv");
        let whole = read_pieces(bytes, bytes.len(), &options);
        assert_eq!(whole.3, b',');
        for chunk in [1, 3, 8, 11] {
            assert_eq!(
                read_pieces(bytes, chunk, &options),
                whole,
                "chunks of {chunk}"
            );
        }
    }
}
