//! The second pass of one file over several workers: cut where records start, exported apart,
//! appended in order, byte for byte the one-pass export.
//!
//! During the first pass a [`Cutter`] reads the file beside the [`Etl`] and notes, about every
//! `every` bytes, where a record starts and the staging row it starts at (a row of another file
//! makes one staging row per student of its key). After the pass, an [`ExportSeed`] carries
//! what the export reads of the run (the students by key, the reports the layout is inferred
//! from) to workers that never read the file; [`ExportSeed::etl`] makes from it an `Etl` that
//! exports alike. [`export_slice`] then writes one slice: the file's header record, then the
//! slice's bytes, its rows framed from its first staging row, so INSERT batches and
//! transactions fall where one pass puts them.
//!
//! Cuts are where the reader stood between two records, so quoted fields with line breaks, CRLF
//! and rows the reader rejects (ragged, not UTF-8) read the same in a slice as in the file. Where
//! reading stops (an unclosed quote, an over-long record) no cut follows: the rest of the file is
//! the last slice, which stops where the file did.

use campus_csv::{CsvErrorKind, CsvReader, Headers, ReadOptions, Row, RowHandler};
use serde::{Deserialize, Serialize};

use crate::ColumnMap;
use crate::export::{Export, ExportOptions};
use crate::fasthash::FastMap;
use crate::hash::Digest32;
use crate::{Etl, EtlError, EtlOptions, FileKind, FileReport, Student};

/// Where a file may be cut for a spread export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slicing {
    /// Bytes of the file up to the end of its header record: read before every slice.
    pub header_end: u64,
    /// Where each slice starts, in file order: the first at `header_end` and row 0. Slice `i`
    /// runs to the start of slice `i + 1`, the last one to the end of the file.
    pub cuts: Vec<Cut>,
}

/// The start of one slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cut {
    /// Byte offset in the file: the first byte after a record.
    pub offset: u64,
    /// Staging rows the records before it make.
    pub first_row: u64,
}

/// Reads a file as the export will, beside the first pass, and notes where it may be cut.
///
/// It keeps what it needs of the run from when it starts (the column mapping, the keys shared
/// by several students), so it reads apart from the [`Etl`]: a shell with threads to spare
/// runs it beside the first pass rather than after it.
pub struct Cutter {
    reader: CsvReader,
    count: Count,
    every: u64,
    fed: u64,
    /// The offset past which the next cut is sought, once the header is read.
    next_at: Option<u64>,
    slicing: Option<Slicing>,
    /// The header came in one piece with data records (a file without `\n`): no cuts.
    gave_up: bool,
}

/// What the counting handler keeps.
struct Count {
    kind: FileKind,
    columns: ColumnMap,
    /// Per key shared by several students (roll_no, U+001F, dob): the students after its first.
    twins: FastMap<String, u64>,
    roll_col: Option<usize>,
    dob_col: Option<usize>,
    header_ok: bool,
    key: String,
    n_staging: u64,
}

impl Cutter {
    /// A cutter for the file `file_name` of `kind`, now beginning its first pass, cutting about
    /// every `every` bytes. Its rows are counted against the students `etl` holds, so for any
    /// kind but students this comes after the students file.
    pub fn new(etl: &Etl, kind: FileKind, file_name: &str, every: u64) -> Cutter {
        let mut twins = FastMap::<String, u64>::default();
        if kind != FileKind::Students {
            for student in etl.state().students() {
                if student.shares_with.is_some() {
                    let key = format!("{}\u{1f}{}", student.roll_no, student.dob);
                    *twins.entry(key).or_default() += 1;
                }
            }
        }
        Cutter {
            reader: CsvReader::new(read_options(etl, file_name)),
            count: Count {
                kind,
                columns: etl.options().columns.clone(),
                twins,
                roll_col: None,
                dob_col: None,
                header_ok: false,
                key: String::new(),
                n_staging: 0,
            },
            every: every.max(1),
            fed: 0,
            next_at: None,
            slicing: None,
            gave_up: false,
        }
    }

    /// Reads the next chunk of the file (the bytes the first pass reads next).
    pub fn feed(&mut self, chunk: &[u8]) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let seeking = match self.next_at {
                None => !self.gave_up,
                Some(at) => self.fed >= at,
            };
            if self.reader.stopped() || self.gave_up || !seeking {
                // Up to where the next cut is sought, in one piece.
                let room = match self.next_at {
                    Some(at) if !self.reader.stopped() && !self.gave_up => at - self.fed,
                    _ => rest.len() as u64,
                };
                let n = usize::try_from(room).map_or(rest.len(), |room| room.min(rest.len()));
                let (piece, tail) = rest.split_at(n);
                self.read(piece);
                rest = tail;
                continue;
            }
            // Line by line: a record can only end at a line break, so a record ended by this
            // piece ends at its last byte, and the next one starts right after.
            let n = rest
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map_or(rest.len(), |at| at + 1);
            let (piece, tail) = rest.split_at(n);
            let records = self.records();
            let had_header = self.reader.headers().is_some();
            self.read(piece);
            rest = tail;
            let ended = self.records() > records;
            match self.next_at {
                None if self.reader.headers().is_some() && !had_header => {
                    if ended || !self.count.header_ok {
                        self.gave_up = true;
                        continue;
                    }
                    self.slicing = Some(Slicing {
                        header_end: self.fed,
                        cuts: vec![Cut {
                            offset: self.fed,
                            first_row: 0,
                        }],
                    });
                    self.next_at = Some(self.fed + self.every);
                }
                Some(_) if ended => {
                    if let Some(slicing) = self.slicing.as_mut() {
                        slicing.cuts.push(Cut {
                            offset: self.fed,
                            first_row: self.count.n_staging,
                        });
                    }
                    self.next_at = Some(self.fed + self.every);
                }
                _ => {}
            }
        }
    }

    /// Whether the cutter stands between records of a file it may cut, so that the next bytes
    /// may be counted by [`Cutter::skip`] instead of read.
    pub(crate) fn between_records(&self) -> bool {
        self.next_at.is_some()
            && !self.gave_up
            && self.count.header_ok
            && self.reader.between_records()
    }

    /// Counts instead of reading `n_bytes` of whole records that another reader read from
    /// where this one stands ([`Cutter::between_records`]): `n_rows` rows, none rejected, that
    /// make `n_staging` staging rows, with `n_newlines` line breaks. Their end is where a
    /// record starts: the next cut, when one is due.
    pub(crate) fn skip(&mut self, n_bytes: u64, n_rows: u64, n_staging: u64, n_newlines: u64) {
        self.reader.skip_read(n_bytes, n_rows, n_newlines);
        self.fed += n_bytes;
        self.count.n_staging += n_staging;
        if let Some(at) = self.next_at
            && self.fed >= at
        {
            if let Some(slicing) = self.slicing.as_mut() {
                slicing.cuts.push(Cut {
                    offset: self.fed,
                    first_row: self.count.n_staging,
                });
            }
            self.next_at = Some(self.fed + self.every);
        }
    }

    /// Where the file may be cut; `None` when it has no usable header (nothing to export).
    pub fn finish(self) -> Option<Slicing> {
        if self.gave_up || !self.count.header_ok {
            return None;
        }
        self.slicing
    }

    fn read(&mut self, piece: &[u8]) {
        let mut handler = Counting {
            count: &mut self.count,
        };
        self.reader.feed(piece, &mut handler);
        self.fed += piece.len() as u64;
    }

    /// Records read so far, rows and rejected rows alike.
    fn records(&self) -> u64 {
        let stats = self.reader.stats();
        stats.n_rows + stats.n_skipped_rows
    }
}

/// How the export reads a file (see `Export::begin`): the cuts must be its record boundaries.
fn read_options(etl: &Etl, file_name: &str) -> ReadOptions {
    let mut read = ReadOptions::new(file_name);
    read.delimiter = etl.options().delimiter;
    read.max_errors = etl.options().max_errors;
    read
}

struct Counting<'a> {
    count: &'a mut Count,
}

impl RowHandler for Counting<'_> {
    /// The export's header check: a file it refuses has no rows to count.
    fn on_header(&mut self, headers: &Headers) -> Result<(), CsvErrorKind> {
        let headers = &self.count.columns.canonical(self.count.kind, headers)?;
        headers.require(self.count.kind.required_columns())?;
        self.count.roll_col = headers.position("roll_no");
        self.count.dob_col = headers.position("dob");
        self.count.header_ok = true;
        Ok(())
    }

    /// One staging row, or one per student of the row's key (as the export joins it).
    fn on_row(&mut self, row: &Row<'_>) {
        let count = &mut *self.count;
        if !count.header_ok {
            return;
        }
        count.n_staging += 1;
        if count.twins.is_empty() {
            return;
        }
        let roll_no = count.roll_col.and_then(|c| row.get(c)).unwrap_or("");
        let dob = count.dob_col.and_then(|c| row.get(c)).unwrap_or("");
        count.key.clear();
        count.key.push_str(roll_no);
        count.key.push('\u{1f}');
        count.key.push_str(dob);
        count.n_staging += count.twins.get(&count.key).copied().unwrap_or(0);
    }
}

/// What a worker that never read the files needs to export slices of files of one kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportSeed {
    kind: FileKind,
    students: Vec<SeedStudent>,
    /// The usable reports of the kind: the staging layout is inferred from their columns.
    reports: Vec<FileReport>,
}

/// A student as the export reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct SeedStudent {
    digest: Digest32,
    student_hash: String,
    college_code: String,
    roll_no: String,
    dob: String,
    program: u32,
    shares_with: Option<u32>,
}

impl ExportSeed {
    /// The seed of `kind`'s export, after the first pass over every file.
    pub fn of(etl: &Etl, kind: FileKind) -> ExportSeed {
        let students = (etl.state().students().iter())
            .map(|s| SeedStudent {
                digest: s.digest,
                student_hash: s.student_hash.clone(),
                college_code: s.college_code.clone(),
                roll_no: s.roll_no.clone(),
                dob: s.dob.clone(),
                program: s.program,
                shares_with: s.shares_with,
            })
            .collect();
        let reports = (etl.state().reports.iter())
            .filter(|r| r.kind == kind && !r.unusable)
            .cloned()
            .collect();
        ExportSeed {
            kind,
            students,
            reports,
        }
    }

    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// An `Etl` whose export of this kind writes the bytes the seeded one's does, given the
    /// run's `options` (the hash, the column mapping, the delimiter, de-identification).
    pub fn etl(&self, options: EtlOptions) -> Etl {
        let students = (self.students.iter())
            .map(|s| Student {
                digest: s.digest,
                student_hash: s.student_hash.clone(),
                college_code: s.college_code.clone(),
                roll_no: s.roll_no.clone(),
                dob: s.dob.clone(),
                program: s.program,
                n_attendance: 0,
                n_present: 0,
                n_placement_rows: 0,
                placed: false,
                courses: Vec::new(),
                shares_with: s.shares_with,
            })
            .collect();
        Etl::for_export(options, students, self.reports.clone())
    }
}

/// One slice's outputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SliceOut {
    pub csv: Vec<u8>,
    pub sql: Vec<u8>,
}

/// One slice of a file to export.
#[derive(Clone, Copy, Debug)]
pub struct Slice<'a> {
    /// The file's first [`Slicing::header_end`] bytes: its header record.
    pub header: &'a [u8],
    /// The slice's bytes, from its [`Cut`] to the next one (or the end of the file).
    pub bytes: &'a [u8],
    /// The staging row its first record starts at ([`Cut::first_row`]).
    pub first_row: u64,
    /// Whether it ends the file: then the export ends, closing its last INSERT.
    pub last: bool,
}

/// Exports one slice of a file of `kind` as the whole file's export would write it there: its
/// rows framed from the slice's first staging row; the CSV header row only when
/// `options.csv_header` says so (the first slice of a kind's first file).
pub fn export_slice(
    etl: &Etl,
    kind: FileKind,
    file_name: &str,
    options: ExportOptions,
    slice: &Slice<'_>,
) -> Result<SliceOut, EtlError> {
    export_slice_into(etl, kind, file_name, options, slice, SliceOut::default())
}

/// [`export_slice`] into the buffers of an earlier slice's output (cleared first), so a shell
/// that exports many slices does not map fresh memory for each.
pub fn export_slice_into(
    etl: &Etl,
    kind: FileKind,
    file_name: &str,
    options: ExportOptions,
    slice: &Slice<'_>,
    reuse: SliceOut,
) -> Result<SliceOut, EtlError> {
    let mut export = Export::begin_at(etl, kind, file_name, options, slice.first_row)?;
    let SliceOut { mut csv, mut sql } = reuse;
    csv.clear();
    sql.clear();
    // What beginning wrote (the CSV header row) goes first.
    csv.append(export.csv_buf());
    sql.append(export.sql_buf());
    std::mem::swap(export.csv_buf(), &mut csv);
    std::mem::swap(export.sql_buf(), &mut sql);
    // Sized at once: grown step by step, the buffers would be copied again and again.
    export.csv_buf().reserve(slice.bytes.len() * 3);
    export.sql_buf().reserve(slice.bytes.len() * 4);
    export.feed(etl, slice.header);
    export.feed(etl, slice.bytes);
    if slice.last {
        export.finish(etl);
    }
    Ok(SliceOut {
        csv: std::mem::take(export.csv_buf()),
        sql: std::mem::take(export.sql_buf()),
    })
}

#[cfg(test)]
pub(crate) mod tests;
