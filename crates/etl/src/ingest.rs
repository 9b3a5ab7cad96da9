//! The streaming pass: students first (building the hash index), then attendance, exams and
//! placements in any order, each fed in chunks of any size.
//!
//! Only what the analysis needs is kept: one entry per student, one aggregate per
//! (student, course) for attendance, the exam totals per (student, course), and 64-bit row
//! fingerprints for duplicate detection. Attendance rows themselves stream through.

use campus_csv::infer::{Inferrer, is_null, parse_bool, trim};
use campus_csv::{CsvErrorKind, CsvReader, Headers, ReadOptions, Row, RowHandler};
use campus_schema::Date;

use crate::fasthash::{FastMap, FastSet, fingerprint, fingerprint_at, fingerprint_more};
use crate::hash::{Digest32, student_digest, to_hex};
use crate::quality::{Example, FileReport, FindingKind, Findings, Rejected};
use crate::{EtlError, EtlOptions, FileKind};

mod spread;

pub use spread::{PieceReader, PieceSeed, ReadPiece, pieces_at_least, pieces_of};

/// One student of the master file.
#[derive(Clone, Debug)]
pub struct Student {
    pub digest: Digest32,
    pub student_hash: String,
    pub college_code: String,
    pub roll_no: String,
    pub dob: String,
    pub program: u32,
    /// Attendance rows and presents over all courses, for attendance bands.
    pub n_attendance: u32,
    pub n_present: u32,
    pub n_placement_rows: u32,
    pub placed: bool,
    /// Attendance per course id, in first-seen order. A handful of courses per student, so a
    /// short vector beside the student beats a global map on locality.
    pub courses: Vec<(u32, AttendanceAgg)>,
    /// For a second student of a (roll_no, dob) key with another college code: the first
    /// student of that key. Rows of the other files name only the key, so, as in pandas'
    /// `merge(how="left")`, each of them joins every student of its key: this one shares the
    /// first one's attendance, exams and placements (which are kept once, on the first).
    pub shares_with: Option<u32>,
}

/// Courses a student may have before their attendance is indexed by a map instead of scanned:
/// a real student has a handful, a hostile file can give one student a hundred thousand.
const COURSE_SCAN_LIMIT: usize = 16;

impl Student {
    /// This student's attendance in a course (a scan: see [`EtlState::attendance`]).
    pub fn attendance(&self, course_id: u32) -> Option<&AttendanceAgg> {
        self.courses
            .iter()
            .find(|(id, _)| *id == course_id)
            .map(|(_, agg)| agg)
    }
}

/// String equality for the short keys of the hot loop, inlined instead of a `memcmp` call.
#[inline]
fn short_eq(a: &str, b: &str) -> bool {
    campus_csv::infer::short_eq(a.as_bytes(), b.as_bytes())
}

/// Maps strings (course codes, programme codes) to small integers, in first-seen order.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    pub names: Vec<String>,
    ids: FastMap<String, u32>,
}

impl Interner {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// The id of `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }
}

/// Attendance of one student in one course.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttendanceAgg {
    pub n_rows: u32,
    pub n_present: u32,
    /// Duplicate detection by date: `tags[day - first_day]` is a nonzero tag of the first row
    /// on that day, 0 if none. A semester is a few hundred bytes here, and the rows of one
    /// student and course land together, which a million-entry hash set could not offer.
    first_day: i64,
    tags: Vec<u16>,
}

/// The widest date range indexed densely per (student, course); farther dates use the map.
const DAY_SPAN: i64 = 1024;

impl AttendanceAgg {
    /// Records a row on `day` whose non-key fields fingerprint to `tag`;
    /// `Some((duplicate key, same tag as the first row))`, or `None` when the day is too far
    /// from the others to index.
    fn see(&mut self, day: i64, tag: u64) -> Option<(bool, bool)> {
        if self.tags.is_empty() {
            self.first_day = day;
        }
        if day < self.first_day {
            let shift = self.first_day - day;
            if shift + self.tags.len() as i64 > DAY_SPAN {
                return None;
            }
            self.tags
                .splice(0..0, std::iter::repeat_n(0, usize::try_from(shift).ok()?));
            self.first_day = day;
        }
        let offset = day - self.first_day;
        if offset >= DAY_SPAN {
            return None;
        }
        let idx = usize::try_from(offset).ok()?;
        // Any nonzero 16 bits of the fingerprint; 0 marks an empty day. Two different rows
        // with the same key share a tag with probability 2^-15, which would count the second
        // as a duplicate row instead of only a duplicate key: acceptable for a quality count,
        // and it halves the memory the hot loop walks.
        let tag = (tag as u16) | 1;
        // Rows sorted by date land past the last day seen: a new day cannot be a duplicate, so
        // the tag is stored without reading the slot first, whose cache line is cold (every
        // other course of every student was visited since this one's previous day).
        if idx >= self.tags.len() {
            if idx > self.tags.len() {
                self.tags.resize(idx, 0);
            }
            self.tags.push(tag);
            return Some((false, false));
        }
        let slot = self.tags.get_mut(idx)?;
        if *slot == 0 {
            *slot = tag;
            Some((false, false))
        } else {
            Some((true, *slot == tag))
        }
    }
}

/// What the pass has accumulated; read by the analysis and the exports.
///
/// Students are private: `by_key` indexes them, and only the pass may add one to both.
#[derive(Debug, Default)]
pub struct EtlState {
    students: Vec<Student>,
    by_key: FastMap<String, u32>,
    pub courses: Interner,
    pub programs: Interner,
    /// Exam totals per (student, course) in file order; NaN where missing.
    pub exam_totals: FastMap<(u32, u32), Vec<f64>>,
    pub reports: Vec<FileReport>,
    duplicates: FastMap<FileKind, Duplicates>,
    key_scratch: String,
    last_hit: Option<u32>,
    /// (student, course id) → position in that student's `courses`, for the students with more
    /// than [`COURSE_SCAN_LIMIT`] courses only, so per-row work stays O(1) for any of them.
    course_slots: FastMap<(u32, u32), u32>,
    /// First student of a key → the other students of that key (other college codes), in
    /// file order. One entry per such student row: bounded by the master file.
    twins: FastMap<u32, Vec<u32>>,
}

impl EtlState {
    /// The student with this (roll_no, dob), if any.
    pub fn lookup(&mut self, roll_no: &str, dob: &str) -> Option<u32> {
        let mut last_hit = self.last_hit;
        let mut key = std::mem::take(&mut self.key_scratch);
        let found = self.find(roll_no, dob, &mut last_hit, &mut key);
        self.last_hit = last_hit;
        self.key_scratch = key;
        found
    }

    /// [`EtlState::lookup`] through a shared reference, with the caller's memory of the last
    /// student found (`last_hit`) and a buffer for the key, which holds it when no student
    /// was found.
    fn find(
        &self,
        roll_no: &str,
        dob: &str,
        last_hit: &mut Option<u32>,
        key: &mut String,
    ) -> Option<u32> {
        // Exact values, as pandas' merge compares them: padded keys are reported, not trimmed.
        // Exports list a student's rows together, so the previous student is often the answer.
        if let Some(idx) = *last_hit
            && let Some(student) = self.students.get(idx as usize)
            && student.shares_with.is_none()
            && short_eq(&student.roll_no, roll_no)
            && short_eq(&student.dob, dob)
        {
            return Some(idx);
        }
        // Exports sorted by date or course list the students of each day in the master's
        // order, so the next student is the likeliest answer after the previous one.
        let next = last_hit.map_or(0, |idx| idx.saturating_add(1));
        if let Some(student) = self.students.get(next as usize)
            && student.shares_with.is_none()
            && short_eq(&student.roll_no, roll_no)
            && short_eq(&student.dob, dob)
        {
            *last_hit = Some(next);
            return Some(next);
        }
        key.clear();
        key.push_str(roll_no);
        key.push('\u{1f}');
        key.push_str(dob);
        let idx = self.by_key.get(key.as_str()).copied();
        if idx.is_some() {
            *last_hit = idx;
        }
        idx
    }

    /// The student whose key (`roll_no`, U+001F, `dob`, exactly as read) is `key`.
    pub fn student_by_key(&self, key: &str) -> Option<&Student> {
        self.by_key
            .get(key)
            .and_then(|&idx| self.students.get(idx as usize))
    }

    /// The index of the first student whose key is `key` (see [`EtlState::student_by_key`]).
    pub fn student_index_by_key(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    pub fn student(&self, idx: u32) -> Option<&Student> {
        self.students.get(idx as usize)
    }

    /// A student's attendance in a course, in O(1) however many courses the student has.
    pub fn attendance(&self, student_idx: u32, course_id: u32) -> Option<&AttendanceAgg> {
        let student = self.students.get(student_idx as usize)?;
        if student.courses.len() <= COURSE_SCAN_LIMIT {
            return student.attendance(course_id);
        }
        let slot = *self.course_slots.get(&(student_idx, course_id))?;
        student.courses.get(slot as usize).map(|(_, agg)| agg)
    }

    /// The position of `course` among the courses of student `student_idx`, added if new.
    fn course_slot(&mut self, student_idx: u32, course: &str) -> Option<usize> {
        let student = self.students.get(student_idx as usize)?;
        if student.courses.len() <= COURSE_SCAN_LIMIT {
            // A student has a handful of courses: comparing their names beats hashing.
            let courses = &self.courses;
            if let Some(pos) = student
                .courses
                .iter()
                .position(|(id, _)| short_eq(courses.name(*id), course))
            {
                return Some(pos);
            }
        }
        let course_id = self.courses.intern(course);
        self.course_slot_of(student_idx, course_id)
    }

    /// The position of course `course_id` among the courses of student `student_idx`, added if
    /// new: [`EtlState::course_slot`] for a course already interned.
    fn course_slot_of(&mut self, student_idx: u32, course_id: u32) -> Option<usize> {
        let student = self.students.get_mut(student_idx as usize)?;
        if student.courses.len() <= COURSE_SCAN_LIMIT
            && let Some(pos) = student.courses.iter().position(|(id, _)| *id == course_id)
        {
            return Some(pos);
        }
        if student.courses.len() > COURSE_SCAN_LIMIT
            && let Some(&slot) = self.course_slots.get(&(student_idx, course_id))
        {
            return Some(slot as usize);
        }
        let slot = student.courses.len();
        student.courses.push((course_id, AttendanceAgg::default()));
        if student.courses.len() == COURSE_SCAN_LIMIT + 1 {
            // Past the limit: index every course the student has so far.
            for (pos, (id, _)) in student.courses.iter().enumerate() {
                self.course_slots
                    .insert((student_idx, *id), u32::try_from(pos).unwrap_or(u32::MAX));
            }
        } else if student.courses.len() > COURSE_SCAN_LIMIT {
            self.course_slots.insert(
                (student_idx, course_id),
                u32::try_from(slot).unwrap_or(u32::MAX),
            );
        }
        Some(slot)
    }

    /// Every student of the master file, in file order (a student's index is its position).
    /// A key with several college codes gives one student per code (see
    /// [`Student::shares_with`]); an exact repeat of a student adds none.
    pub fn students(&self) -> &[Student] {
        &self.students
    }

    /// The other students of the key whose first student is `idx` (none for most keys): a
    /// row of another file that joins `idx` joins each of them too, as pandas' merge does.
    pub fn twins(&self, idx: u32) -> &[u32] {
        self.twins.get(&idx).map_or(&[], Vec::as_slice)
    }

    /// The student whose joined rows `student` shares: itself, or the first of its key.
    pub fn joined<'a>(&'a self, student: &'a Student) -> Option<&'a Student> {
        match student.shares_with {
            Some(first) => self.students.get(first as usize),
            None => Some(student),
        }
    }
}

/// The ETL pass: begin a file, feed its chunks, end it; repeat; then analyse and export.
///
/// Options and state are read through [`Etl::options`] and [`Etl::state`]: the state is only
/// consistent as the pass builds it, and changing the options halfway (the hash mode, the
/// semester) would leave the files already read judged by other rules.
#[derive(Debug)]
pub struct Etl {
    options: EtlOptions,
    state: EtlState,
    current: Option<Scan>,
    /// Pieces of attendance read on other threads and applied (see [`Etl::feed_on`]).
    pieces_read_apart: u64,
    spare: spread::Spare,
    /// The smallest piece `feed_on` cuts.
    min_piece: usize,
    /// The chunk `feed_on` read ahead, not applied yet.
    ahead: spread::Ahead,
}

/// The file being read now.
struct Scan {
    reader: CsvReader,
    ctx: ScanCtx,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan")
            .field("file", &self.reader.file_name())
            .finish()
    }
}

/// Per-file bookkeeping that the row handler mutates.
struct ScanCtx {
    kind: FileKind,
    file_name: String,
    layout: Layout,
    /// The last date text read, its date and that date's day number.
    last_date: LastDate,
    inferrer: Inferrer,
    findings: Findings,
    /// Chunks in a row whose pieces had to be read again, and chunks left to read on one
    /// thread before trying pieces again (see [`Etl::feed_on`]).
    spread_misses: u32,
    spread_pause: u32,
}

/// Where a file's columns are, set by its header.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Layout {
    columns: Vec<usize>,
    /// Optional columns: placements' `placed`.
    placed_col: Option<usize>,
    /// The status column, when the column mapping recodes its values to `P`/`A`.
    recoded_status: Option<usize>,
    /// File positions of the columns that identify a row (duplicate keys).
    key_positions: Vec<usize>,
    /// File positions of the fields an attendance row's tag covers; `None` for all of them.
    tag_positions: Option<Vec<usize>>,
    /// Positions of roll_no and dob when outputs are de-identified.
    masked: Vec<usize>,
}

impl Layout {
    /// The field of required column `idx`, or `""`.
    fn col<'r>(&self, row: &Row<'r>, idx: usize) -> &'r str {
        self.columns
            .get(idx)
            .and_then(|&c| row.get(c))
            .unwrap_or("")
    }

    /// The fingerprint of the fields that identify a row.
    fn key_fingerprint(&self, row: &Row<'_>) -> u64 {
        let mut key_fields: [&str; 5] = [""; 5];
        for (slot, &pos) in key_fields.iter_mut().zip(&self.key_positions) {
            *slot = row.get(pos).unwrap_or("");
        }
        let n_key = self.key_positions.len().min(key_fields.len());
        fingerprint(key_fields.get(..n_key).unwrap_or_default())
    }
}

/// The last date text read, its date and that date's day number: attendance repeats a date for
/// a whole day of rows, so each run is parsed once.
type LastDate = (String, Option<(Date, i64)>);

impl Etl {
    pub fn new(options: EtlOptions) -> Etl {
        Etl {
            options,
            state: EtlState::default(),
            current: None,
            pieces_read_apart: 0,
            spare: spread::Spare::default(),
            min_piece: spread::MIN_PIECE,
            ahead: spread::Ahead::default(),
        }
    }

    /// The options the pass was started with.
    pub fn options(&self) -> &EtlOptions {
        &self.options
    }

    /// Pieces of attendance that [`Etl::feed_on`] had read on other threads: a shell's
    /// diagnostics, and the tests' proof that the spread path ran.
    pub fn pieces_read_apart(&self) -> u64 {
        self.pieces_read_apart
    }

    /// What the pass has accumulated so far.
    pub fn state(&self) -> &EtlState {
        &self.state
    }

    /// Starts reading a file. Students must come first: every other file joins against them.
    pub fn begin_file(&mut self, kind: FileKind, file_name: &str) -> Result<(), EtlError> {
        if self.current.is_some() {
            return Err(EtlError::FileAlreadyOpen);
        }
        let has_students = self
            .state
            .reports
            .iter()
            .any(|r| r.kind == FileKind::Students && !r.unusable);
        if kind != FileKind::Students && !has_students {
            return Err(EtlError::StudentsFirst);
        }
        let mut read = ReadOptions::new(file_name);
        read.delimiter = self.options.delimiter;
        read.max_errors = self.options.max_errors;
        read.max_record_bytes = self.options.max_record_bytes;
        let ctx = ScanCtx {
            kind,
            file_name: file_name.to_owned(),
            layout: Layout::default(),
            last_date: (String::new(), None),
            inferrer: Inferrer::default(),
            findings: Findings::default(),
            spread_misses: 0,
            spread_pause: 0,
        };
        self.current = Some(Scan {
            reader: CsvReader::new(read),
            ctx,
        });
        self.ahead.restart();
        Ok(())
    }

    /// Feeds the next chunk of the open file.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), EtlError> {
        let Some(scan) = self.current.as_mut() else {
            return Err(EtlError::NoFileOpen);
        };
        let mut handler = Handler {
            ctx: &mut scan.ctx,
            state: &mut self.state,
            options: &self.options,
        };
        scan.reader.feed(chunk, &mut handler);
        Ok(())
    }

    /// Ends the open file and returns its report (also kept in `state.reports`). A chunk
    /// [`Etl::feed_on`] read ahead is applied first; a caller with a cutter applies it with
    /// [`Etl::feed_done`] before, so the cutter sees it too.
    pub fn end_file(&mut self) -> Result<&FileReport, EtlError> {
        self.feed_done(None)?;
        self.ahead.restart();
        let Some(mut scan) = self.current.take() else {
            return Err(EtlError::NoFileOpen);
        };
        let mut handler = Handler {
            ctx: &mut scan.ctx,
            state: &mut self.state,
            options: &self.options,
        };
        scan.reader.finish(&mut handler);
        let stats = scan.reader.stats().clone();
        let unusable = scan.reader.headers().is_none() || scan.ctx.layout.columns.is_empty();
        let report = FileReport {
            kind: scan.ctx.kind,
            file_name: scan.ctx.file_name,
            n_bytes: stats.n_bytes,
            n_rows: stats.n_rows,
            n_skipped_rows: stats.n_skipped_rows,
            delimiter: stats.delimiter,
            columns: scan.ctx.inferrer.columns,
            errors: FileReport::errors_from(scan.reader.take_errors()),
            n_errors: stats.n_errors,
            unusable,
            findings: scan.ctx.findings,
            rejected: Rejected::from_stats(&stats),
        };
        self.state.reports.push(report);
        self.state.reports.last().ok_or(EtlError::NoFileOpen)
    }

    /// An `Etl` holding only what the second pass reads (see `slices::ExportSeed`): these
    /// students, indexed by key and twinned exactly as the pass indexed them (a student that
    /// shares another's joins is that one's twin, any other is its key's first student), and
    /// these reports; no file open, nothing aggregated.
    pub(crate) fn for_export(
        options: EtlOptions,
        students: Vec<Student>,
        reports: Vec<FileReport>,
    ) -> Etl {
        let mut state = EtlState {
            students,
            reports,
            ..EtlState::default()
        };
        for (idx, student) in state.students.iter().enumerate() {
            let Ok(idx) = u32::try_from(idx) else {
                break;
            };
            match student.shares_with {
                Some(first) => state.twins.entry(first).or_default().push(idx),
                None => {
                    let key = format!("{}\u{1f}{}", student.roll_no, student.dob);
                    state.by_key.entry(key).or_insert(idx);
                }
            }
        }
        Etl {
            options,
            state,
            current: None,
            pieces_read_apart: 0,
            spare: spread::Spare::default(),
            min_piece: spread::MIN_PIECE,
            ahead: spread::Ahead::default(),
        }
    }

    /// Reads a whole in-memory file (tests, samples, small inputs).
    pub fn load(
        &mut self,
        kind: FileKind,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<&FileReport, EtlError> {
        self.begin_file(kind, file_name)?;
        self.feed(bytes)?;
        self.end_file()
    }

    /// Cross-file findings that need every file: students without attendance.
    pub fn cross_file_findings(&self) -> Findings {
        let mut findings = Findings::default();
        let has_attendance = self
            .state
            .reports
            .iter()
            .any(|r| r.kind == FileKind::Attendance);
        if has_attendance {
            for student in &self.state.students {
                if student.n_attendance == 0 {
                    let text = if self.options.deidentify {
                        format!("{} ({})", student.student_hash, student.college_code)
                    } else {
                        format!(
                            "{} {} ({})",
                            student.roll_no, student.dob, student.college_code
                        )
                    };
                    findings.add(
                        FindingKind::StudentsWithoutAttendance,
                        self.options.max_examples,
                        || Example { line: 0, text },
                    );
                }
            }
        }
        findings
    }
}

struct Handler<'a> {
    ctx: &'a mut ScanCtx,
    state: &'a mut EtlState,
    options: &'a EtlOptions,
}

/// Duplicate detection with one map insert per row.
///
/// A duplicate row always has a duplicate key, so full-row fingerprints are only compared (and
/// only stored beyond the first) for keys seen more than once. Fingerprints are 64-bit: a
/// collision among a million rows has a probability near 3e-8, acceptable for a quality count.
///
/// Only rows the per-student index cannot place come here (rows of no student, dates far from
/// the others), so a file of garbage keys could grow it without bound: past
/// [`EtlOptions::max_tracked_keys`] entries, new keys are no longer checked, and each such row
/// is reported as a finding instead.
#[derive(Debug, Default)]
struct Duplicates {
    /// Key fingerprint → row fingerprint of its first row.
    first_row: FastMap<u64, u64>,
    /// Row fingerprints of the later rows of repeated keys.
    repeated_rows: FastSet<u64>,
}

impl Duplicates {
    /// Returns (duplicate key, duplicate row), or `None` when the key is new and the map is
    /// full: the row was not checked.
    fn check(&mut self, key: u64, row: u64, max_keys: usize) -> Option<(bool, bool)> {
        let full = self.first_row.len() >= max_keys;
        match self.first_row.entry(key) {
            std::collections::hash_map::Entry::Vacant(_) if full => None,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(row);
                Some((false, false))
            }
            std::collections::hash_map::Entry::Occupied(first) => {
                let same_as_first = *first.get() == row;
                Some((true, same_as_first || self.seen_repeat(row, max_keys)))
            }
        }
    }

    /// Whether a later row of a repeated key was seen before; remembered while there is room.
    fn seen_repeat(&mut self, row: u64, max_keys: usize) -> bool {
        if self.repeated_rows.len() >= max_keys {
            return self.repeated_rows.contains(&row);
        }
        !self.repeated_rows.insert(row)
    }
}

/// A row as evidence; with de-identification, roll_no and dob (`masked`) show as `***`.
fn example(row: &Row<'_>, masked: &[usize]) -> Example {
    let fields: Vec<&str> = row
        .fields()
        .iter()
        .enumerate()
        .map(|(idx, f)| if masked.contains(&idx) { "***" } else { f })
        .collect();
    Example {
        line: row.line,
        text: fields.join(","),
    }
}

/// Whether a key field has leading or trailing whitespace.
fn padded(keys: &[&str]) -> bool {
    keys.iter().any(|field| {
        let bytes = field.as_bytes();
        bytes.first().is_some_and(u8::is_ascii_whitespace)
            || bytes.last().is_some_and(u8::is_ascii_whitespace)
    })
}

/// What the checks that need file order ask of a row: its text as evidence, its fingerprints.
/// The row itself while it is read ([`Live`]); in a spread pass, what a worker kept of it.
trait RowSource {
    fn example(&mut self) -> Example;
    /// The fingerprint of the fields that identify the row.
    fn key_fingerprint(&mut self) -> u64;
    /// The fingerprint of the whole row.
    fn row_fingerprint(&mut self) -> u64;
}

/// The row being read.
struct Live<'a, 'r> {
    row: &'a Row<'r>,
    layout: &'a Layout,
}

impl RowSource for Live<'_, '_> {
    fn example(&mut self) -> Example {
        example(self.row, &self.layout.masked)
    }

    fn key_fingerprint(&mut self) -> u64 {
        self.layout.key_fingerprint(self.row)
    }

    fn row_fingerprint(&mut self) -> u64 {
        fingerprint(self.row.fields())
    }
}

/// The outcome of a duplicate check; a row that could not be checked is reported.
fn unchecked(
    findings: &mut Findings,
    options: &EtlOptions,
    source: &mut dyn RowSource,
    checked: Option<(bool, bool)>,
) -> (bool, bool) {
    checked.unwrap_or_else(|| {
        findings.add(
            FindingKind::NotCheckedForDuplicates,
            options.max_examples,
            || source.example(),
        );
        (false, false)
    })
}

fn report_duplicates(
    findings: &mut Findings,
    options: &EtlOptions,
    source: &mut dyn RowSource,
    duplicate_key: bool,
    duplicate_row: bool,
) {
    if duplicate_row {
        findings.add(FindingKind::DuplicateRows, options.max_examples, || {
            source.example()
        });
    }
    if duplicate_key {
        findings.add(FindingKind::DuplicateKeys, options.max_examples, || {
            source.example()
        });
    }
}

/// What an attendance row says on its own, before it meets its student's other rows: its key,
/// its day, and the findings that need no other row.
struct Said<'r> {
    roll_no: &'r str,
    dob: &'r str,
    course: &'r str,
    day: Option<i64>,
    present: bool,
    flags: u8,
}

/// [`Said::flags`]: a key field is padded, the status is neither `P` nor `A`, the date is not
/// one, the date is outside the semester.
const PADDED: u8 = 1;
const STATUS_NOT_PA: u8 = 2;
const INVALID_DATE: u8 = 4;
const OUTSIDE_SEMESTER: u8 = 8;

impl<'r> Said<'r> {
    fn of(
        layout: &Layout,
        options: &EtlOptions,
        last_date: &mut LastDate,
        row: &Row<'r>,
    ) -> Said<'r> {
        let college_code = layout.col(row, 0);
        let roll_no = layout.col(row, 1);
        let dob = layout.col(row, 2);
        let course = layout.col(row, 3);
        let date = trim(layout.col(row, 4));
        let status = layout.col(row, 5);
        let mut flags = 0;
        if padded(&[college_code, roll_no, dob, course]) {
            flags |= PADDED;
        }
        // pandas' `(status == "P").astype(int)`: exactly "P" is present, anything else absent.
        let present = status == "P";
        if status != "P" && status != "A" {
            flags |= STATUS_NOT_PA;
        }
        let day = if short_eq(&last_date.0, date) {
            last_date.1
        } else {
            let day = Date::parse_iso(date).map(|d| (d, d.to_days()));
            last_date.0.clear();
            last_date.0.push_str(date);
            last_date.1 = day;
            day
        };
        match day {
            None => flags |= INVALID_DATE,
            Some((day, _)) => {
                if let Some((first, last)) = options.semester
                    && (day < first || day > last)
                {
                    flags |= OUTSIDE_SEMESTER;
                }
            }
        }
        Said {
            roll_no,
            dob,
            course,
            day: day.map(|(_, days)| days),
            present,
            flags,
        }
    }

    fn facts(&self, tag: u64) -> Facts {
        Facts {
            day: self.day,
            present: self.present,
            flags: self.flags,
            tag,
        }
    }
}

/// What [`Apply::attendance`] needs of a row besides its student and course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Facts {
    day: Option<i64>,
    present: bool,
    flags: u8,
    /// The fingerprint of the fields outside the key.
    tag: u64,
}

/// The part of pass one that needs file order: findings, aggregates and duplicate checks.
struct Apply<'a> {
    findings: &'a mut Findings,
    state: &'a mut EtlState,
    options: &'a EtlOptions,
}

impl Apply<'_> {
    /// Adds an attendance row to its student's course (`slot`: the student and the position
    /// of the course among theirs) and reports what it found, in the order the checks read the
    /// row; an `orphan` row names no student.
    fn attendance(
        &mut self,
        facts: &Facts,
        slot: Option<(u32, usize)>,
        orphan: bool,
        source: &mut dyn RowSource,
    ) {
        let max_examples = self.options.max_examples;
        let mut report = |findings: &mut Findings, flag: u8, kind: FindingKind| {
            if facts.flags & flag != 0 {
                findings.add(kind, max_examples, || source.example());
            }
        };
        report(self.findings, PADDED, FindingKind::PaddedKeys);
        report(self.findings, STATUS_NOT_PA, FindingKind::StatusNotPA);
        report(self.findings, INVALID_DATE, FindingKind::InvalidDate);
        report(
            self.findings,
            OUTSIDE_SEMESTER,
            FindingKind::DateOutsideSemester,
        );
        let mut dense = None;
        if let Some((idx, slot)) = slot
            && let Some(student) = self.state.students.get_mut(idx as usize)
        {
            student.n_attendance += 1;
            student.n_present += u32::from(facts.present);
            if let Some((_, agg)) = student.courses.get_mut(slot) {
                agg.n_rows += 1;
                agg.n_present += u32::from(facts.present);
                dense = facts.day.and_then(|days| agg.see(days, facts.tag));
            }
        }
        let (duplicate_key, duplicate_row) = match dense {
            // A repeated day whose tag differs from the first row may still repeat a later row.
            Some((true, false)) => {
                let row_fp = source.row_fingerprint();
                let duplicates = self
                    .state
                    .duplicates
                    .entry(FileKind::Attendance)
                    .or_default();
                (
                    true,
                    duplicates.seen_repeat(row_fp, self.options.max_tracked_keys),
                )
            }
            Some(found) => found,
            None => {
                let (key_fp, row_fp) = (source.key_fingerprint(), source.row_fingerprint());
                let checked = self
                    .state
                    .duplicates
                    .entry(FileKind::Attendance)
                    .or_default()
                    .check(key_fp, row_fp, self.options.max_tracked_keys);
                unchecked(self.findings, self.options, source, checked)
            }
        };
        report_duplicates(
            self.findings,
            self.options,
            source,
            duplicate_key,
            duplicate_row,
        );
        if orphan {
            self.findings
                .add(FindingKind::Orphans, max_examples, || source.example());
        }
    }
}

/// A number as pandas reads it: missing markers are NaN; `None` when it is not a number.
/// A mark: a blank is missing (NaN, as pandas reads it); a number is itself; anything else,
/// including `inf`, `-inf` and `infinity` (which pandas reads as infinite, turning every mean and
/// correlation they touch into inf or NaN), is `None`: counted as
/// [`FindingKind::InvalidNumber`] and treated as missing, never taken silently.
fn parse_number(field: &str) -> Option<f64> {
    if is_null(field) {
        return Some(f64::NAN);
    }
    field.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

impl RowHandler for Handler<'_> {
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        // The pass reads the file as if it had AKTU's headers (see `ColumnMap::canonical`).
        let headers = &self.options.columns.canonical(self.ctx.kind, headers)?;
        self.ctx.layout.columns = headers.require(self.ctx.kind.required_columns())?;
        if self.ctx.kind == FileKind::Attendance && self.options.columns.recodes_status() {
            self.ctx.layout.recoded_status = self.ctx.layout.columns.get(5).copied();
        }
        self.ctx.inferrer = Inferrer::new(&headers.names);
        // Key columns, as indices into the required list: roll_no and dob, then the rest.
        let key_order: &[usize] = match self.ctx.kind {
            FileKind::Students => &[0, 1],
            FileKind::Attendance => &[1, 2, 3, 4],
            FileKind::Exams => &[1, 2, 3],
            FileKind::Placements => &[1, 2],
        };
        self.ctx.layout.key_positions = key_order
            .iter()
            .filter_map(|&idx| self.ctx.layout.columns.get(idx).copied())
            .collect();
        // An attendance row's tag covers its non-key fields; with none, or more than a
        // handful of them, it covers the whole row.
        let others: Vec<usize> = (0..headers.names.len())
            .filter(|idx| !self.ctx.layout.key_positions.contains(idx))
            .collect();
        self.ctx.layout.tag_positions = (1..=8).contains(&others.len()).then_some(others);
        if self.options.deidentify {
            self.ctx.layout.masked = ["roll_no", "dob"]
                .iter()
                .filter_map(|name| headers.position(name))
                .collect();
        }
        if self.ctx.kind == FileKind::Placements {
            self.ctx.layout.placed_col = headers.position("placed");
            // A student may have several offers: the company is part of the key.
            self.ctx
                .layout
                .key_positions
                .extend(headers.position("company"));
        }
        Ok(())
    }

    fn on_row(&mut self, row: &Row<'_>) {
        let (status, options) = (self.ctx.layout.recoded_status, self.options);
        recoded(status, options, row, |row| self.read_row(row));
    }
}

/// Reads `row` with its status (field `status`, see [`Layout::recoded_status`]) recoded to
/// `P`/`A` when the column mapping asks for it.
fn recoded(
    status: Option<usize>,
    options: &EtlOptions,
    row: &Row<'_>,
    read: impl FnOnce(&Row<'_>),
) {
    match status {
        Some(col) => {
            let fields = options.columns.recode_status_field(row.fields(), col);
            read(&row.with_fields(&fields));
        }
        None => read(row),
    }
}

impl Handler<'_> {
    fn read_row(&mut self, row: &Row<'_>) {
        let fields = row.fields();
        self.ctx.inferrer.observe(fields);
        let kind = self.ctx.kind;
        if kind == FileKind::Attendance {
            // Attendance checks duplicates per (student, course) by date (see AttendanceAgg):
            // rows with the same key differ only in the other fields, so their fingerprint
            // is the tag, and whole-row fingerprints are only needed for rare repeats.
            let tag = match &self.ctx.layout.tag_positions {
                Some(positions) => fingerprint_at(fields, positions),
                None => fingerprint(fields),
            };
            self.attendance_row(row, tag);
            return;
        }
        // The row fingerprint continues the key's with the other fields, so key fields are
        // hashed once.
        let key_fp = self.key_fingerprint(row);
        let mut row_fp = key_fp;
        for (idx, field) in fields.iter().enumerate() {
            if !self.ctx.layout.key_positions.contains(&idx) {
                row_fp = fingerprint_more(row_fp, &[field]);
            }
        }
        let duplicates = self.state.duplicates.entry(kind).or_default();
        let checked = duplicates.check(key_fp, row_fp, self.options.max_tracked_keys);
        let (duplicate_key, duplicate_row) = self.unchecked(row, checked);
        self.report_duplicates(row, duplicate_key, duplicate_row);
        match kind {
            FileKind::Students => self.student_row(row),
            FileKind::Attendance => {}
            FileKind::Exams => self.exam_row(row),
            FileKind::Placements => self.placement_row(row),
        }
    }

    fn col<'r>(&self, row: &Row<'r>, idx: usize) -> &'r str {
        self.ctx.layout.col(row, idx)
    }

    fn student_row(&mut self, row: &Row<'_>) {
        let roll_no = self.col(row, 0);
        let dob = self.col(row, 1);
        let college_code = self.col(row, 2);
        let program_code = self.col(row, 3);
        self.check_padding(row, &[roll_no, dob, college_code, program_code]);
        // The date's validity is a question about its value; the key keeps the spaces.
        if Date::parse_iso(dob.trim()).is_none() {
            self.ctx
                .findings
                .add(FindingKind::InvalidDate, self.options.max_examples, || {
                    example(row, &self.ctx.layout.masked)
                });
        }
        let mut shares_with = None;
        if let Some(first) = self.state.lookup(roll_no, dob) {
            // A repeat of a student (same college code) is the same person: its joins are the
            // first row's. A row that names another college is another person, reported,
            // hashed from its own fields, and joined like pandas' `merge(how="left")` does
            // without de-duplication: every row of the other files with this key joins each
            // of the key's students.
            let same_college = |idx: u32| {
                self.state
                    .students
                    .get(idx as usize)
                    .is_some_and(|s| s.college_code == college_code)
            };
            if !same_college(first) {
                self.ctx.findings.add(
                    FindingKind::ConflictingDuplicateKeys,
                    self.options.max_examples,
                    || example(row, &self.ctx.layout.masked),
                );
            }
            if same_college(first) || self.state.twins(first).iter().any(|&t| same_college(t)) {
                return;
            }
            shares_with = Some(first);
        }
        let Ok(idx) = u32::try_from(self.state.students.len()) else {
            return;
        };
        let digest = student_digest(&self.options.hash, college_code, roll_no, dob);
        let program = self.state.programs.intern(program_code);
        self.state.students.push(Student {
            digest,
            student_hash: to_hex(&digest),
            college_code: college_code.to_owned(),
            roll_no: roll_no.to_owned(),
            dob: dob.to_owned(),
            program,
            n_attendance: 0,
            n_present: 0,
            n_placement_rows: 0,
            placed: false,
            courses: Vec::new(),
            shares_with,
        });
        if let Some(first) = shares_with {
            self.state.twins.entry(first).or_default().push(idx);
            return;
        }
        let key = std::mem::take(&mut self.state.key_scratch);
        self.state.by_key.insert(key, idx);
    }

    /// Reports key fields with leading or trailing whitespace. They stay as they are: pandas
    /// hashes and joins the exact strings, so `" 1001"` and `"1001"` are different students.
    fn check_padding(&mut self, row: &Row<'_>, keys: &[&str]) {
        if padded(keys) {
            self.ctx
                .findings
                .add(FindingKind::PaddedKeys, self.options.max_examples, || {
                    example(row, &self.ctx.layout.masked)
                });
        }
    }

    fn key_fingerprint(&self, row: &Row<'_>) -> u64 {
        self.ctx.layout.key_fingerprint(row)
    }

    /// The outcome of a duplicate check; a row that could not be checked is reported.
    fn unchecked(&mut self, row: &Row<'_>, checked: Option<(bool, bool)>) -> (bool, bool) {
        let mut source = Live {
            row,
            layout: &self.ctx.layout,
        };
        unchecked(&mut self.ctx.findings, self.options, &mut source, checked)
    }

    fn report_duplicates(&mut self, row: &Row<'_>, duplicate_key: bool, duplicate_row: bool) {
        let mut source = Live {
            row,
            layout: &self.ctx.layout,
        };
        report_duplicates(
            &mut self.ctx.findings,
            self.options,
            &mut source,
            duplicate_key,
            duplicate_row,
        );
    }

    /// An attendance row: what it says on its own, then what it adds to its student's course.
    /// The spread first pass ([`Etl::feed_on`]) splits the same two steps over threads.
    fn attendance_row(&mut self, row: &Row<'_>, tag: u64) {
        let ScanCtx {
            layout,
            last_date,
            findings,
            ..
        } = &mut *self.ctx;
        let said = Said::of(layout, self.options, last_date, row);
        let student = self.state.lookup(said.roll_no, said.dob);
        let slot = student.and_then(|idx| Some((idx, self.state.course_slot(idx, said.course)?)));
        let mut apply = Apply {
            findings,
            state: self.state,
            options: self.options,
        };
        let orphan = student.is_none();
        apply.attendance(&said.facts(tag), slot, orphan, &mut Live { row, layout });
    }

    fn exam_row(&mut self, row: &Row<'_>) {
        let max_examples = self.options.max_examples;
        let bounds = self.options.marks;
        let mut marks = [0.0f64; 3];
        let limits = [bounds.internal_max, bounds.external_max, bounds.total_max];
        for (slot, idx) in marks.iter_mut().zip(4..7) {
            match parse_number(self.col(row, idx)) {
                Some(value) => *slot = value,
                None => {
                    *slot = f64::NAN;
                    self.ctx
                        .findings
                        .add(FindingKind::InvalidNumber, max_examples, || {
                            example(row, &self.ctx.layout.masked)
                        });
                }
            }
        }
        let [internal, external, total] = marks;
        if is_null(self.col(row, 6)) {
            self.ctx
                .findings
                .add(FindingKind::BlankTotal, max_examples, || {
                    example(row, &self.ctx.layout.masked)
                });
        }
        let out_of_range = marks
            .iter()
            .zip(limits)
            .any(|(&v, max)| !v.is_nan() && (v < 0.0 || v > max));
        if out_of_range {
            self.ctx
                .findings
                .add(FindingKind::MarksOutOfRange, max_examples, || {
                    example(row, &self.ctx.layout.masked)
                });
        }
        if !(internal.is_nan() || external.is_nan() || total.is_nan())
            && (internal + external - total).abs() > 1e-9
        {
            self.ctx
                .findings
                .add(FindingKind::TotalMismatch, max_examples, || {
                    example(row, &self.ctx.layout.masked)
                });
        }
        self.check_padding(
            row,
            &[
                self.col(row, 0),
                self.col(row, 1),
                self.col(row, 2),
                self.col(row, 3),
            ],
        );
        let Some(student_idx) = self.state.lookup(self.col(row, 1), self.col(row, 2)) else {
            self.ctx
                .findings
                .add(FindingKind::Orphans, max_examples, || {
                    example(row, &self.ctx.layout.masked)
                });
            return;
        };
        let course_id = self.state.courses.intern(self.col(row, 3));
        self.state
            .exam_totals
            .entry((student_idx, course_id))
            .or_default()
            .push(total);
    }

    fn placement_row(&mut self, row: &Row<'_>) {
        self.check_padding(row, &[self.col(row, 0), self.col(row, 1), self.col(row, 2)]);
        let Some(student_idx) = self.state.lookup(self.col(row, 1), self.col(row, 2)) else {
            self.ctx
                .findings
                .add(FindingKind::Orphans, self.options.max_examples, || {
                    example(row, &self.ctx.layout.masked)
                });
            return;
        };
        // Without a `placed` column, a row in the placements file means an offer.
        let placed = match self.ctx.layout.placed_col.and_then(|c| row.get(c)) {
            None => true,
            Some(field) => parse_bool(field).unwrap_or_else(|| field.trim() == "1"),
        };
        if let Some(student) = self.state.students.get_mut(student_idx as usize) {
            student.n_placement_rows += 1;
            student.placed |= placed;
        }
    }
}
