//! Pass one of an attendance file over several threads: [`Etl::feed_on`].
//!
//! A chunk is cut at line breaks into pieces. Each piece is read on a thread by a reader of
//! its own, fed a header of the file's shape and then the piece, which keeps what each row says
//! on its own ([`Said`]): its student, its course when the run knows it, its day and the checks
//! that need no other row. The calling thread then applies the pieces in file order ([`Apply`]):
//! aggregates, duplicate checks and findings come out as one reader makes them, examples and
//! line numbers included. A row that turns out to be evidence, or whose duplicate check needs
//! its fingerprints, is read again from its piece.
//!
//! A cut is a guess: a line break may be inside a quoted field. A piece is kept only when its
//! reader read it whole, with no error. The first piece starts where the file's reader stood
//! between records; each next piece starts where the one before ended between records, since
//! that one started on a record too. Anything else (a quote open at a cut, a ragged row, a byte
//! that is not UTF-8, an over-long record) has the file's own reader read the chunk, so errors
//! and their lines are the ones a single reader reports.
//!
//! A worker that shares no memory with the run (a page's helper worker) reads pieces the same
//! way: the run hands it a [`PieceSeed`], it reads pieces with a [`PieceReader`] and sends back
//! [`ReadPiece`]s, which the run applies with [`Etl::feed_apart`] under the same checks.
//!
//! Natively, from an attendance file's second chunk on, `feed_on` reads a chunk ahead the same
//! way: a [`PieceReader`] of the file's seed reads the pieces of a chunk on the threads while
//! the calling thread applies the chunk before, so applying, the part that runs alone, no
//! longer leaves the threads idle. The last chunk is applied by [`Etl::feed_done`].

use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use campus_csv::{CsvReader, OnRow, ReadOptions, Row, RowHandler};
use campus_schema::spread::Spread;

use super::{
    Apply, COURSE_SCAN_LIMIT, Etl, EtlOptions, EtlState, Facts, FileKind, Inferrer, LastDate,
    Layout, RowSource, Said, example, fingerprint, fingerprint_at, recoded, short_eq,
};
use crate::EtlError;
use crate::quality::Example;
use crate::slices::{Cutter, ExportSeed};

/// The smallest piece worth a thread of its own: a few thousand rows.
pub(super) const MIN_PIECE: usize = 64 << 10;

/// Chunks in a row whose pieces had to be read again (a file with quoted line breaks on every
/// few lines), after which [`PAUSE`] chunks are read on one thread without trying pieces: the
/// pieces of such a file are work thrown away.
const MISSES_BEFORE_PAUSE: u32 = 2;
const PAUSE: u32 = 16;

/// Pieces per thread, so a thread that also runs the cutter, or got a slow piece, is not the
/// one all wait for.
const PIECES_PER_THREAD: usize = 2;

/// What a thread kept of one piece.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Piece {
    #[serde(with = "kept_bytes")]
    rows: Vec<Kept>,
    /// Courses the run did not know when the piece was read, in the order the piece names them.
    new_courses: Vec<String>,
    inferrer: Inferrer,
    /// The key and row fingerprints of the rows sure to need them (rows of no student or of no
    /// date, which the duplicate checks place by fingerprint), by position in `rows`. Other
    /// rows seldom need them, and read them again then.
    prints: Vec<(usize, u64, u64)>,
    /// Line breaks in the piece.
    newlines: u64,
    /// The staging rows its rows make: one per student of a row's key, one for a row of none.
    n_staging: u64,
    /// Whether the piece's reader read every byte as rows, with no error.
    clean: bool,
    /// The piece's length: a piece read apart must be the one the run cut.
    n_bytes: u64,
}

/// One row of a piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Kept {
    /// The line the row starts on, counted in the piece's reader (its header is line 1).
    line: u64,
    student: Option<u32>,
    /// The course's id, or (with [`NEW_COURSE`] set) its position in [`Piece::new_courses`].
    course: u32,
    /// The course's position among the student's courses when the piece was read, or
    /// [`NO_SLOT`]. Courses are only ever added after a student's others, so it stays true.
    slot: u32,
    facts: Facts,
}

const NO_SLOT: u32 = u32::MAX;

/// A piece's rows crossing to the run as one byte string of fixed-width records: they are the
/// bulk of a piece read apart, and a field-by-field encoding took as long as reading the rows.
mod kept_bytes {
    use serde::{Deserializer, Serializer, de};

    use super::{Facts, Kept};

    /// Bytes per row: line, student, course, slot, day, tag, flags and which options are set.
    const KEPT_BYTES: usize = 38;
    const HAS_STUDENT: u8 = 1;
    const HAS_DAY: u8 = 2;
    const PRESENT: u8 = 4;

    pub(super) fn serialize<S: Serializer>(
        rows: &[Kept],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(rows.len() * KEPT_BYTES);
        for row in rows {
            out.extend_from_slice(&row.line.to_le_bytes());
            out.extend_from_slice(&row.student.unwrap_or(0).to_le_bytes());
            out.extend_from_slice(&row.course.to_le_bytes());
            out.extend_from_slice(&row.slot.to_le_bytes());
            out.extend_from_slice(&row.facts.day.unwrap_or(0).to_le_bytes());
            out.extend_from_slice(&row.facts.tag.to_le_bytes());
            out.push(row.facts.flags);
            let set = (u8::from(row.student.is_some()) * HAS_STUDENT)
                | (u8::from(row.facts.day.is_some()) * HAS_DAY)
                | (u8::from(row.facts.present) * PRESENT);
            out.push(set);
        }
        serializer.serialize_bytes(&out)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Kept>, D::Error> {
        deserializer.deserialize_bytes(Rows)
    }

    /// The next `N` bytes of `rest`.
    fn take<const N: usize>(rest: &mut &[u8]) -> [u8; N] {
        match rest.split_first_chunk::<N>() {
            Some((head, tail)) => {
                *rest = tail;
                *head
            }
            None => [0; N],
        }
    }

    fn decode<E: de::Error>(bytes: &[u8]) -> Result<Vec<Kept>, E> {
        if !bytes.len().is_multiple_of(KEPT_BYTES) {
            return Err(E::invalid_length(bytes.len(), &"whole rows of a piece"));
        }
        let rows = bytes.chunks_exact(KEPT_BYTES).map(|mut rest| {
            let line = u64::from_le_bytes(take(&mut rest));
            let student = u32::from_le_bytes(take(&mut rest));
            let course = u32::from_le_bytes(take(&mut rest));
            let slot = u32::from_le_bytes(take(&mut rest));
            let day = i64::from_le_bytes(take(&mut rest));
            let tag = u64::from_le_bytes(take(&mut rest));
            let [flags, set] = take(&mut rest);
            Kept {
                line,
                student: (set & HAS_STUDENT != 0).then_some(student),
                course,
                slot,
                facts: Facts {
                    day: (set & HAS_DAY != 0).then_some(day),
                    present: set & PRESENT != 0,
                    flags,
                    tag,
                },
            }
        });
        Ok(rows.collect())
    }

    struct Rows;

    impl<'de> de::Visitor<'de> for Rows {
        type Value = Vec<Kept>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a piece's rows as bytes")
        }

        fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Vec<Kept>, E> {
            decode(bytes)
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Kept>, A::Error> {
            let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(b) = seq.next_element()? {
                bytes.push(b);
            }
            decode(&bytes)
        }
    }
}

/// [`Kept::course`]: the course is new to the run.
const NEW_COURSE: u32 = 1 << 31;

/// Emptied row lists of earlier pieces, kept for their allocations: a piece's rows take a few
/// hundred kilobytes, which the allocator would otherwise map and fault in afresh each time.
#[derive(Debug, Default)]
pub(super) struct Spare(Vec<Vec<Kept>>);

/// What every piece's reader is given.
struct Frame {
    read: ReadOptions,
    /// A header line with the file's delimiter and number of columns.
    header: Vec<u8>,
    n_columns: usize,
}

/// How the pieces of a file are read.
struct Shape<'a> {
    frame: &'a Frame,
    layout: &'a Layout,
    options: &'a EtlOptions,
    state: &'a EtlState,
    names: &'a [String],
}

impl Shape<'_> {
    fn read_piece(&self, bytes: &[u8], mut rows: Vec<Kept>) -> Piece {
        rows.clear();
        rows.reserve(bytes.len() / 48);
        let frame = self.frame;
        let mut reader = CsvReader::new(frame.read.clone());
        let mut handler = PieceHandler {
            shape: self,
            last_hit: None,
            key: String::new(),
            last_date: LastDate::default(),
            new_courses: Vec::new(),
            inferrer: Inferrer::new(self.names),
            rows,
            prints: Vec::new(),
            n_staging: 0,
        };
        reader.feed(&frame.header, &mut handler);
        reader.feed(bytes, &mut handler);
        reader.finish(&mut handler);
        let stats = reader.stats();
        let clean = !reader.stopped() && stats.n_errors == 0 && stats.n_skipped_rows == 0;
        Piece {
            rows: handler.rows,
            new_courses: handler.new_courses,
            inferrer: handler.inferrer,
            prints: handler.prints,
            // Less the header's.
            newlines: reader.lines_read().saturating_sub(1),
            n_staging: handler.n_staging,
            clean,
            n_bytes: bytes.len() as u64,
        }
    }
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame")
            .field("n_columns", &self.n_columns)
            .finish_non_exhaustive()
    }
}

impl Frame {
    /// The frame of a file named `file_name` of `n_columns` columns split by `delimiter`;
    /// `None` for a shape no header line can give.
    fn new(
        file_name: &str,
        delimiter: u8,
        n_columns: usize,
        options: &EtlOptions,
    ) -> Option<Frame> {
        // A delimiter that is part of a line break or a quote cannot frame a header line.
        if n_columns == 0 || !delimiter.is_ascii() || matches!(delimiter, b'"' | b'\r' | b'\n') {
            return None;
        }
        let mut header = Vec::new();
        for idx in 0..n_columns {
            if idx > 0 {
                header.push(delimiter);
            }
            header.extend_from_slice(format!("c{idx}").as_bytes());
        }
        header.push(b'\n');
        let mut read = ReadOptions::new(file_name);
        read.delimiter = Some(delimiter);
        read.max_errors = options.max_errors;
        read.max_record_bytes = options.max_record_bytes;
        Some(Frame {
            read,
            header,
            n_columns,
        })
    }

    /// The fields of the record that starts on `line` of a piece, read again; `cursor` is a
    /// byte offset in the piece and the line it starts, moved forward to `line`.
    fn fields_at(&self, bytes: &[u8], cursor: &mut (usize, u64), line: u64) -> Vec<String> {
        let (at, at_line) = cursor;
        while *at_line < line {
            let Some(n) = bytes
                .get(*at..)
                .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            else {
                break;
            };
            *at += n + 1;
            *at_line += 1;
        }
        let mut fields = Vec::new();
        let mut got = false;
        let mut reader = CsvReader::new(self.read.clone());
        let mut first = OnRow(|row: &Row<'_>| {
            if !got {
                fields = row.fields().iter().map(|f| (*f).to_owned()).collect();
                got = true;
            }
        });
        reader.feed(&self.header, &mut first);
        let mut rest = bytes.get(*at..).unwrap_or_default();
        while !rest.is_empty() {
            let n = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |n| n + 1);
            let (line_bytes, tail) = rest.split_at(n);
            reader.feed(line_bytes, &mut first);
            rest = tail;
            if rest.is_empty() {
                reader.finish(&mut first);
            }
            if reader.stats().n_rows > 0 {
                break;
            }
        }
        fields
    }
}

/// Reads a piece's rows as the file's handler reads attendance, keeping what needs no order.
struct PieceHandler<'s, 'a> {
    shape: &'s Shape<'a>,
    last_hit: Option<u32>,
    key: String,
    last_date: LastDate,
    new_courses: Vec<String>,
    inferrer: Inferrer,
    rows: Vec<Kept>,
    prints: Vec<(usize, u64, u64)>,
    n_staging: u64,
}

impl RowHandler for PieceHandler<'_, '_> {
    fn on_row(&mut self, row: &Row<'_>) {
        let shape = self.shape;
        let status = shape.layout.recoded_status;
        recoded(status, shape.options, row, |row| self.read_row(row));
    }
}

impl PieceHandler<'_, '_> {
    fn read_row(&mut self, row: &Row<'_>) {
        let shape = self.shape;
        let fields = row.fields();
        self.inferrer.observe(fields);
        let tag = match &shape.layout.tag_positions {
            Some(positions) => fingerprint_at(fields, positions),
            None => fingerprint(fields),
        };
        let said = Said::of(shape.layout, shape.options, &mut self.last_date, row);
        let student = shape
            .state
            .find(said.roll_no, said.dob, &mut self.last_hit, &mut self.key);
        let (course, slot) = match student {
            None => (0, NO_SLOT),
            Some(idx) => self.course(idx, said.course),
        };
        // As the export joins the row: once per student of its key.
        self.n_staging += 1 + student.map_or(0, |idx| shape.state.twins(idx).len() as u64);
        if student.is_none() || said.day.is_none() {
            let prints = (shape.layout.key_fingerprint(row), fingerprint(fields));
            self.prints.push((self.rows.len(), prints.0, prints.1));
        }
        self.rows.push(Kept {
            line: row.line,
            student,
            course,
            slot,
            facts: said.facts(tag),
        });
    }

    /// The course `name` of student `idx`: its id (or new course) and its position among the
    /// student's courses, found as [`EtlState::course_slot`] finds it.
    fn course(&mut self, idx: u32, name: &str) -> (u32, u32) {
        let state = self.shape.state;
        if let Some(student) = state.students.get(idx as usize)
            && student.courses.len() <= COURSE_SCAN_LIMIT
            && let Some((pos, (id, _))) = (student.courses.iter().enumerate())
                .find(|(_, (id, _))| short_eq(state.courses.name(*id), name))
        {
            return (*id, u32::try_from(pos).unwrap_or(NO_SLOT));
        }
        match state.courses.get(name) {
            Some(id) => (id, NO_SLOT),
            None => (self.new_course(name), NO_SLOT),
        }
    }

    fn new_course(&mut self, name: &str) -> u32 {
        let pos = match self.new_courses.iter().position(|c| c == name) {
            Some(pos) => pos,
            None => {
                self.new_courses.push(name.to_owned());
                self.new_courses.len() - 1
            }
        };
        u32::try_from(pos).unwrap_or(0) | NEW_COURSE
    }
}

/// A kept row for [`Apply`]: its fingerprints, and its text read again when it is evidence.
struct Again<'a> {
    frame: &'a Frame,
    layout: &'a Layout,
    options: &'a EtlOptions,
    bytes: &'a [u8],
    cursor: &'a mut (usize, u64),
    row: &'a Kept,
    /// The row's key and row fingerprints, when the piece kept them.
    prints: Option<(u64, u64)>,
    /// The row's fields (status recoded), once read again.
    fields: Option<Vec<String>>,
    /// The line of the file the piece's first line is.
    first_line: u64,
}

impl Again<'_> {
    /// The row as [`Handler::read_row`] saw it, read again: its fields and its line.
    fn with_row<T>(&mut self, then: impl FnOnce(&Row<'_>, &Layout) -> T) -> T {
        let fields = match self.fields.take() {
            Some(fields) => fields,
            None => {
                let fields = self.frame.fields_at(self.bytes, self.cursor, self.row.line);
                match self.layout.recoded_status {
                    Some(col) => {
                        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
                        let recoded = self.options.columns.recode_status_field(&fields, col);
                        recoded.iter().map(|f| (*f).to_owned()).collect()
                    }
                    None => fields,
                }
            }
        };
        let borrowed: Vec<&str> = fields.iter().map(String::as_str).collect();
        // The piece's header is its line 1; its first row is the file's `first_line`.
        let line = self
            .first_line
            .saturating_add(self.row.line.saturating_sub(2));
        let out = then(&Row::new(line, 0, &borrowed), self.layout);
        self.fields = Some(fields);
        out
    }
}

impl RowSource for Again<'_> {
    fn example(&mut self) -> Example {
        self.with_row(|row, layout| example(row, &layout.masked))
    }

    fn key_fingerprint(&mut self) -> u64 {
        match self.prints {
            Some((key, _)) => key,
            None => self.with_row(|row, layout| layout.key_fingerprint(row)),
        }
    }

    fn row_fingerprint(&mut self) -> u64 {
        match self.prints {
            Some((_, row)) => row,
            None => self.with_row(|row, _| fingerprint(row.fields())),
        }
    }
}

/// Where a chunk may be cut into pieces: after each of the `n` line breaks nearest to equal
/// shares of `bytes`, none past the last line break. Ends of pieces, ascending.
fn cuts(bytes: &[u8], n: usize) -> Vec<usize> {
    let mut ends = Vec::with_capacity(n);
    let mut from = 0;
    for share in 1..=n {
        let target = (bytes.len() * share / n).max(from);
        let end = match bytes
            .get(target..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        {
            Some(at) => target + at + 1,
            None => match bytes
                .get(from..)
                .and_then(|rest| rest.iter().rposition(|&b| b == b'\n'))
            {
                Some(at) => from + at + 1,
                None => break,
            },
        };
        if end > from {
            ends.push(end);
            from = end;
        }
    }
    ends
}

/// The pieces `chunk` is cut into for `threads` readers, as byte ranges of it: none when it is
/// too small to share. They start after the chunk's first line break (the line before may
/// continue the last chunk's record) and end at its last line break at most; the run reads the
/// bytes around them itself. A shell whose helpers read the pieces ([`PieceReader`]) cuts them
/// here and hands them back in this order ([`Etl::feed_apart`]).
pub fn pieces_of(chunk: &[u8], threads: usize) -> Vec<Range<usize>> {
    pieces_at_least(chunk, threads, MIN_PIECE)
}

/// [`pieces_of`] with pieces of at least `min_piece` bytes: tests and fuzzing cut small files
/// into many pieces.
#[doc(hidden)]
pub fn pieces_at_least(chunk: &[u8], threads: usize, min_piece: usize) -> Vec<Range<usize>> {
    let Some(head) = chunk.iter().position(|&b| b == b'\n').map(|at| at + 1) else {
        return Vec::new();
    };
    if threads == 0 || chunk.len() < 2 * min_piece {
        return Vec::new();
    }
    let rest = chunk.len() - head;
    let n = (threads * PIECES_PER_THREAD)
        .min(rest / min_piece.max(1))
        .max(1);
    cut_in(chunk, head, n)
}

/// `chunk` after `head` cut into `n` pieces (fewer when it has too few line breaks).
fn cut_in(chunk: &[u8], head: usize, n: usize) -> Vec<Range<usize>> {
    let rest = chunk.get(head..).unwrap_or_default();
    let mut from = head;
    cuts(rest, n)
        .into_iter()
        .map(|end| {
            let range = from..head + end;
            from = head + end;
            range
        })
        .collect()
}

/// What a worker that shares no memory with the run needs to read pieces of the attendance
/// file the run has open ([`Etl::piece_seed`]): its students as the pass indexed them, the
/// file's shape, and the courses known when the seed was taken, with each student's. A course
/// met later is named in the piece, and the run interns it in file order as it applies the
/// piece; a course the seed did not place among a student's is placed by the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PieceSeed {
    students: ExportSeed,
    file_name: String,
    delimiter: u8,
    names: Vec<String>,
    layout: Layout,
    /// Course names by id.
    courses: Vec<String>,
    /// Each student's course ids in their order, for students with at most
    /// [`COURSE_SCAN_LIMIT`] courses (none for the others).
    taken: Vec<Vec<u32>>,
}

impl PieceSeed {
    /// A reader of pieces as the run reads them, given the run's `options`.
    pub fn reader(&self, options: EtlOptions) -> Option<PieceReader> {
        let mut etl = self.students.etl(options);
        for name in &self.courses {
            etl.state.courses.intern(name);
        }
        for (student, taken) in etl.state.students.iter_mut().zip(&self.taken) {
            student.courses = (taken.iter())
                .map(|&id| (id, super::AttendanceAgg::default()))
                .collect();
        }
        let frame = Frame::new(
            &self.file_name,
            self.delimiter,
            self.names.len(),
            etl.options(),
        )?;
        Some(PieceReader {
            etl,
            frame,
            layout: self.layout.clone(),
            names: self.names.clone(),
        })
    }
}

/// Reads pieces of the run's attendance file apart from the run ([`PieceSeed::reader`]).
#[derive(Debug)]
pub struct PieceReader {
    /// The run's students and options; nothing aggregated.
    etl: Etl,
    frame: Frame,
    layout: Layout,
    names: Vec<String>,
}

impl PieceReader {
    /// What the run needs of the piece `bytes` ([`pieces_of`]) to apply it in file order.
    pub fn read(&self, bytes: &[u8]) -> ReadPiece {
        let shape = Shape {
            frame: &self.frame,
            layout: &self.layout,
            options: self.etl.options(),
            state: self.etl.state(),
            names: &self.names,
        };
        ReadPiece(shape.read_piece(bytes, Vec::new()))
    }
}

/// A chunk of attendance read ahead by [`Etl::feed_on`]: a reader of the file's seed reads
/// the next chunk's pieces on the threads while the run applies this one.
#[derive(Debug, Default)]
pub(super) struct Ahead {
    /// Boxed: a reader holds an `Etl` of its own (one that never reads ahead).
    reader: Option<Box<PieceReader>>,
    /// The chunk fed last and its pieces, applied when the next chunk comes or the file ends.
    pending: Option<(Vec<u8>, Vec<ReadPiece>)>,
    /// Set once the file stopped reading ahead.
    off: bool,
    /// An applied chunk's buffer, for the next.
    spare: Vec<u8>,
}

impl Ahead {
    /// For the next file: nothing read ahead yet, the buffer kept.
    pub(super) fn restart(&mut self) {
        self.reader = None;
        self.pending = None;
        self.off = false;
    }
}

/// One piece read by a [`PieceReader`], for [`Etl::feed_apart`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadPiece(Piece);

impl Etl {
    /// [`Etl::feed`] on the threads of `spread`, with `cutter` (noting where the file may be
    /// cut for the second pass) fed the same chunk: the same state, report and slicing as
    /// feeding both one by one, for any width and any cut of the input into chunks.
    ///
    /// Attendance, by far the largest file, is read a piece per thread (see the module's
    /// documentation), and the cutter counts the pieces' rows instead of reading them again;
    /// other files are read on one thread while the cutter reads on another. From an
    /// attendance file's second chunk on, a chunk is read ahead and applied with the next one
    /// or by [`Etl::feed_done`], which a caller with a cutter calls before [`Etl::end_file`].
    pub fn feed_on(
        &mut self,
        chunk: &[u8],
        spread: &dyn Spread,
        mut cutter: Option<&mut Cutter>,
    ) -> Result<(), EtlError> {
        if spread.width() <= 1 {
            return self.feed_and_cut(chunk, cutter);
        }
        if self.reads_ahead() {
            return self.feed_ahead(chunk, spread, cutter);
        }
        // A chunk read ahead before the file stopped reading ahead comes first.
        self.feed_done(cutter.as_deref_mut())?;
        if let Some(scan) = self.current.as_mut()
            && scan.ctx.spread_pause > 0
        {
            scan.ctx.spread_pause -= 1;
            return self.feed_beside(chunk, spread, cutter);
        }
        let ranges = match self.spreadable() {
            true => pieces_at_least(chunk, spread.width(), self.min_piece),
            false => Vec::new(),
        };
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
            return self.feed_beside(chunk, spread, cutter);
        };
        let (head, rest) = chunk.split_at(first.start.min(chunk.len()));
        self.feed_and_cut(head, cutter.as_deref_mut())?;
        let (Some((frame, names)), true) = (self.frame(), self.between_records()) else {
            return self.feed_beside(rest, spread, cutter);
        };
        // A cutter that stands where the pieces start counts them; one that does not reads
        // the middle beside them.
        let counts = cutter.as_deref().is_none_or(Cutter::between_records);
        let middle = chunk.get(first.start..last.end).unwrap_or_default();
        let pieces: Vec<Mutex<Option<Piece>>> = ranges.iter().map(|_| Mutex::new(None)).collect();
        let buffers: Vec<Mutex<Vec<Kept>>> = ranges
            .iter()
            .map(|_| Mutex::new(self.spare.0.pop().unwrap_or_default()))
            .collect();
        let reading = Mutex::new(cutter.as_deref_mut().filter(|_| !counts));
        {
            let Some(scan) = self.current.as_ref() else {
                return Err(EtlError::NoFileOpen);
            };
            let shape = Shape {
                frame: &frame,
                layout: &scan.ctx.layout,
                options: &self.options,
                state: &self.state,
                names: &names,
            };
            spread.run(ranges.len() + 1, &|task| match ranges.get(task) {
                Some(range) => {
                    let rows = buffers.get(task).map_or_else(Vec::new, |buffer| {
                        std::mem::take(&mut *buffer.lock().unwrap_or_else(PoisonError::into_inner))
                    });
                    let piece =
                        shape.read_piece(chunk.get(range.clone()).unwrap_or_default(), rows);
                    if let Some(slot) = pieces.get(task) {
                        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(piece);
                    }
                }
                None => {
                    let mut reading = reading.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(cutter) = reading.as_deref_mut() {
                        cutter.feed(middle);
                    }
                }
            });
        }
        let pieces = pieces
            .into_iter()
            .map(|slot| slot.into_inner().unwrap_or_else(PoisonError::into_inner));
        // The cutter that did not count has read the middle already.
        let counting = cutter.as_deref_mut().filter(|_| counts);
        let spent = self.settle(&frame, chunk, &ranges, pieces.collect(), counting)?;
        self.spare
            .0
            .extend(spent.into_iter().map(|piece| piece.rows));
        let tail = chunk.get(last.end..).unwrap_or_default();
        self.feed_and_cut(tail, cutter)
    }

    /// Whether [`Etl::feed_on`] reads the next chunk ahead: from the second chunk of an
    /// attendance file (once its header gave the seed) until a chunk's pieces do not fit or
    /// the file's reader stops.
    fn reads_ahead(&mut self) -> bool {
        if self.ahead.off || !self.spreadable() {
            return false;
        }
        if self.ahead.reader.is_none() {
            let reader = self
                .piece_seed()
                .and_then(|seed| seed.reader(self.options.clone()))
                .map(Box::new);
            self.ahead.off = reader.is_none();
            self.ahead.reader = reader;
        }
        self.ahead.reader.is_some()
    }

    /// Reads the pieces of `chunk` on the threads of `spread` while this thread applies the
    /// chunk read ahead before, with `cutter` fed it; keeps `chunk` and its pieces to apply
    /// when the next chunk comes ([`Etl::feed_done`]). Applying a chunk is the part of a piece
    /// per thread that runs alone: here the threads read on meanwhile.
    fn feed_ahead(
        &mut self,
        chunk: &[u8],
        spread: &dyn Spread,
        cutter: Option<&mut Cutter>,
    ) -> Result<(), EtlError> {
        let Some(reader) = self.ahead.reader.take() else {
            return self.feed_and_cut(chunk, cutter);
        };
        let mut bytes = std::mem::take(&mut self.ahead.spare);
        bytes.clear();
        bytes.extend_from_slice(chunk);
        let ranges = pieces_at_least(&bytes, spread.width(), self.min_piece);
        let pending = self.ahead.pending.take();
        let with_pieces = pending
            .as_ref()
            .is_some_and(|(_, pieces)| !pieces.is_empty());
        let applied_before = self.pieces_read_apart;
        let read: Vec<Mutex<Option<ReadPiece>>> = ranges.iter().map(|_| Mutex::new(None)).collect();
        let apply = Mutex::new(Some((&mut *self, cutter, pending)));
        let applied = Mutex::new(None);
        spread.run(ranges.len() + 1, &|task| match task.checked_sub(1) {
            None => {
                let job = apply.lock().unwrap_or_else(PoisonError::into_inner).take();
                if let Some((etl, cutter, Some((chunk, pieces)))) = job {
                    let result = etl.feed_apart(&chunk, pieces, cutter);
                    *applied.lock().unwrap_or_else(PoisonError::into_inner) = Some((result, chunk));
                }
            }
            Some(idx) => {
                if let (Some(range), Some(slot)) = (ranges.get(idx), read.get(idx)) {
                    let piece = reader.read(bytes.get(range.clone()).unwrap_or_default());
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(piece);
                }
            }
        });
        // A pool that did not run the applying task leaves the chunk here: applied now.
        let left = apply.into_inner().unwrap_or_else(PoisonError::into_inner);
        let applied = applied
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .or_else(|| match left {
                Some((etl, cutter, Some((chunk, pieces)))) => {
                    Some((etl.feed_apart(&chunk, pieces, cutter), chunk))
                }
                _ => None,
            });
        // A missing piece makes the count differ from the cut: `feed_apart` reads it all here.
        let pieces = read
            .into_iter()
            .filter_map(|slot| slot.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect();
        self.ahead.reader = Some(reader);
        self.ahead.pending = Some((bytes, pieces));
        let Some((result, spent)) = applied else {
            return Ok(());
        };
        self.ahead.spare = spent;
        // Pieces that did not fit were read again on this thread: so will the next ones be,
        // most likely, so the file goes on as before.
        if with_pieces && self.pieces_read_apart == applied_before {
            self.ahead.off = true;
        }
        if result.is_err() {
            self.ahead.pending = None;
        }
        result
    }

    /// Applies the chunk [`Etl::feed_on`] read ahead, if any, with `cutter` fed it: a caller
    /// calls it before [`Etl::end_file`], with the cutter it gave `feed_on`.
    pub fn feed_done(&mut self, cutter: Option<&mut Cutter>) -> Result<(), EtlError> {
        let Some((chunk, pieces)) = self.ahead.pending.take() else {
            return Ok(());
        };
        let result = self.feed_apart(&chunk, pieces, cutter);
        self.ahead.spare = chunk;
        result
    }

    /// What a worker that shares no memory with the run needs to read pieces of the open file
    /// ([`PieceReader`]): once the header of an attendance file is read; `None` before, and for
    /// other files, which are read here whole.
    pub fn piece_seed(&self) -> Option<PieceSeed> {
        if !self.spreadable() {
            return None;
        }
        let scan = self.current.as_ref()?;
        let (frame, names) = self.frame()?;
        let taken = (self.state.students.iter())
            .map(|student| match student.courses.len() <= COURSE_SCAN_LIMIT {
                true => student.courses.iter().map(|(id, _)| *id).collect(),
                false => Vec::new(),
            })
            .collect();
        Some(PieceSeed {
            students: ExportSeed::of(self, FileKind::Attendance),
            file_name: scan.reader.file_name().to_owned(),
            delimiter: frame.read.delimiter?,
            names,
            layout: scan.ctx.layout.clone(),
            courses: self.state.courses.names.clone(),
            taken,
        })
    }

    /// [`Etl::feed`] with the pieces of `chunk` ([`pieces_of`], in order) read apart by
    /// [`PieceReader`]s of this file's [`PieceSeed`], and `cutter` fed the same chunk: the same
    /// state, report and slicing as feeding both here. Pieces that do not fit (another count,
    /// another length, a piece not read whole) are set aside and their bytes read here.
    pub fn feed_apart(
        &mut self,
        chunk: &[u8],
        pieces: Vec<ReadPiece>,
        mut cutter: Option<&mut Cutter>,
    ) -> Result<(), EtlError> {
        let ranges = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) if self.spreadable() && !pieces.is_empty() => {
                cut_in(chunk, at + 1, pieces.len())
            }
            _ => Vec::new(),
        };
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
            return self.feed_and_cut(chunk, cutter);
        };
        let (head, middle) = (
            chunk.get(..first.start).unwrap_or_default(),
            chunk.get(first.start..last.end).unwrap_or_default(),
        );
        self.feed_and_cut(head, cutter.as_deref_mut())?;
        match (self.frame(), self.between_records()) {
            (Some((frame, _)), true) => {
                let pieces = pieces.into_iter().map(|piece| Some(piece.0)).collect();
                self.settle(&frame, chunk, &ranges, pieces, cutter.as_deref_mut())?;
            }
            _ => self.feed_and_cut(middle, cutter.as_deref_mut())?,
        }
        let tail = chunk.get(last.end..).unwrap_or_default();
        self.feed_and_cut(tail, cutter)
    }

    /// Applies the pieces read apart (of `ranges` of `chunk`), in file order, when every one
    /// was read whole and is the piece the run cut; otherwise reads their bytes here. `cutter`
    /// has not seen them: it counts the pieces' rows when it stands where they start, and
    /// reads their bytes otherwise. Gives back the pieces, for their buffers.
    fn settle(
        &mut self,
        frame: &Frame,
        chunk: &[u8],
        ranges: &[Range<usize>],
        pieces: Vec<Option<Piece>>,
        mut cutter: Option<&mut Cutter>,
    ) -> Result<Vec<Piece>, EtlError> {
        let fits = pieces.len() == ranges.len()
            && pieces.iter().zip(ranges).all(|(piece, range)| {
                piece.as_ref().is_some_and(|p| {
                    p.clean
                        && p.n_bytes == range.len() as u64
                        && p.inferrer.columns.len() == frame.n_columns
                })
            });
        if let Some(scan) = self.current.as_mut() {
            let ctx = &mut scan.ctx;
            ctx.spread_misses = if fits { 0 } else { ctx.spread_misses + 1 };
            if ctx.spread_misses >= MISSES_BEFORE_PAUSE {
                ctx.spread_misses = 0;
                ctx.spread_pause = PAUSE;
            }
        }
        let pieces: Vec<Piece> = pieces.into_iter().flatten().collect();
        let counts = cutter.as_deref().is_some_and(Cutter::between_records);
        if fits {
            for (range, piece) in ranges.iter().zip(&pieces) {
                let bytes = chunk.get(range.clone()).unwrap_or_default();
                self.apply_piece(frame, bytes, piece)?;
                self.pieces_read_apart += 1;
                if let Some(cutter) = cutter.as_deref_mut().filter(|_| counts) {
                    let n_rows = piece.rows.len() as u64;
                    cutter.skip(bytes.len() as u64, n_rows, piece.n_staging, piece.newlines);
                }
            }
        }
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
            return Ok(pieces);
        };
        let middle = chunk.get(first.start..last.end).unwrap_or_default();
        if let Some(cutter) = cutter.filter(|_| !fits || !counts) {
            cutter.feed(middle);
        }
        if !fits {
            self.feed(middle)?;
        }
        Ok(pieces)
    }

    /// [`Etl::feed`], with `cutter` fed the same bytes.
    fn feed_and_cut(&mut self, bytes: &[u8], cutter: Option<&mut Cutter>) -> Result<(), EtlError> {
        if let Some(cutter) = cutter {
            cutter.feed(bytes);
        }
        self.feed(bytes)
    }

    /// Cuts pieces of at least `bytes` (64 KiB unless set): tests and fuzzing cut small files
    /// into many pieces.
    #[doc(hidden)]
    pub fn set_min_piece(&mut self, bytes: usize) {
        self.min_piece = bytes.max(1);
    }

    /// Feeds `chunk` on one thread while `cutter` reads it on another.
    fn feed_beside(
        &mut self,
        chunk: &[u8],
        spread: &dyn Spread,
        cutter: Option<&mut Cutter>,
    ) -> Result<(), EtlError> {
        let Some(cutter) = cutter else {
            return self.feed(chunk);
        };
        let me = Mutex::new((&mut *self, None));
        let cutter = Mutex::new(cutter);
        spread.run(2, &|task| {
            if task == 0 {
                let mut me = me.lock().unwrap_or_else(PoisonError::into_inner);
                let (etl, fed) = &mut *me;
                *fed = Some(etl.feed(chunk));
            } else {
                cutter
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .feed(chunk);
            }
        });
        match me.into_inner().unwrap_or_else(PoisonError::into_inner) {
            (_, Some(fed)) => fed,
            // `run` runs every task; were the first one skipped, it runs here.
            (etl, None) => etl.feed(chunk),
        }
    }

    /// Whether the open file may be read in pieces: an attendance file whose header was read
    /// and whose reader has not stopped.
    fn spreadable(&self) -> bool {
        self.current.as_ref().is_some_and(|scan| {
            scan.ctx.kind == FileKind::Attendance
                && !scan.ctx.layout.columns.is_empty()
                && scan.reader.headers().is_some()
                && !scan.reader.stopped()
        })
    }

    /// Whether the open file's reader stands between records.
    fn between_records(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|scan| scan.reader.between_records())
    }

    /// What the pieces of the open file are read with, and its columns' names.
    fn frame(&self) -> Option<(Frame, Vec<String>)> {
        let scan = self.current.as_ref()?;
        let n_columns = scan.reader.headers()?.names.len();
        let delimiter = scan.reader.stats().delimiter;
        let frame = Frame::new(scan.reader.file_name(), delimiter, n_columns, &self.options)?;
        let names = scan
            .ctx
            .inferrer
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect();
        Some((frame, names))
    }

    /// Applies a piece read apart, in file order, and counts its bytes as read.
    fn apply_piece(&mut self, frame: &Frame, bytes: &[u8], piece: &Piece) -> Result<(), EtlError> {
        let Some(scan) = self.current.as_mut() else {
            return Err(EtlError::NoFileOpen);
        };
        let first_line = scan.reader.lines_read() + 1;
        scan.ctx.inferrer.merge(&piece.inferrer);
        // Only rows of a student name a new course, so the first row naming one is where one
        // reader would intern it: in the order the piece lists them.
        let new_ids: Vec<u32> = piece
            .new_courses
            .iter()
            .map(|name| self.state.courses.intern(name))
            .collect();
        let ctx = &mut scan.ctx;
        // The piece's first byte starts its line 2: its reader's header is line 1.
        let mut cursor = (0, 2);
        let mut prints = piece.prints.iter().peekable();
        for (idx, row) in piece.rows.iter().enumerate() {
            let course = if row.course & NEW_COURSE == 0 {
                Some(row.course)
            } else {
                new_ids.get((row.course & !NEW_COURSE) as usize).copied()
            };
            let slot = row.student.and_then(|idx| match row.slot {
                NO_SLOT => Some((idx, self.state.course_slot_of(idx, course?)?)),
                slot => Some((idx, slot as usize)),
            });
            let mut source = Again {
                frame,
                layout: &ctx.layout,
                options: &self.options,
                bytes,
                cursor: &mut cursor,
                row,
                prints: prints
                    .next_if(|(at, ..)| *at == idx)
                    .map(|&(_, key, row)| (key, row)),
                fields: None,
                first_line,
            };
            let mut apply = Apply {
                findings: &mut ctx.findings,
                state: &mut self.state,
                options: &self.options,
            };
            apply.attendance(&row.facts, slot, row.student.is_none(), &mut source);
        }
        scan.reader
            .skip_read(bytes.len() as u64, piece.rows.len() as u64, piece.newlines);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
