//! The lesson's outputs of the generated university: its registrar exports (with the answer key
//! when dirt is planted) in one zip, and its lectures as occupancy sessions. The CLI writes the
//! same bytes file by file (`campus generate --format exports|sessions`).
//!
//! The zip stores its files uncompressed and says where each one's bytes lie ([`ZipEntry`]), so
//! the page can hand any export to the ETL workbench as a slice of the zip's Blob, without
//! unpacking anything.

use std::io::Write;
use std::rc::Rc;

use campus_csv::TableCsv;
use campus_gen::exports::{ANSWER_KEY, ANSWER_KEY_HEADER, ExportId, Exports};
use campus_gen::sessions;
use campus_occupancy::session::{Session, SessionInput};
use campus_schema::Dataset;
use campus_schema::date::WEEKDAYS;
use campus_schema::spread::{OneByOne, Spread};
use serde::{Deserialize, Serialize};

use crate::JobError;
use crate::generate::source::{ChunkSource, Listing, SharedBuf};

/// The zip of the exports, as the page offers it.
pub const EXPORTS_ZIP_FILE: &str = "university_exports.zip";
/// The sessions file, as the page offers it.
pub const SESSIONS_FILE: &str = "sessions.csv";

/// Where one file's bytes lie in the exports zip: `start..end`, stored as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZipEntry {
    pub name: String,
    pub start: u64,
    pub end: u64,
}

/// The answer key, a chunk at a time: `file,line,kind` for every planted defect, in file and
/// line order.
pub struct AnswerKey<E> {
    exports: E,
    export: usize,
    row: u64,
    header: bool,
    defects: u64,
}

impl<E: std::ops::Deref<Target = Exports>> AnswerKey<E> {
    pub fn new(exports: E) -> AnswerKey<E> {
        AnswerKey {
            exports,
            export: 0,
            row: 0,
            header: true,
            defects: 0,
        }
    }

    /// Appends at least `min_len` bytes to `out` unless the key ends first; returns whether more
    /// remains.
    pub fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> bool {
        let start = out.len();
        if std::mem::take(&mut self.header) {
            out.extend_from_slice(ANSWER_KEY_HEADER.as_bytes());
        }
        while out.len() - start < min_len {
            let Some(export) = ExportId::from_index(self.export) else {
                return false;
            };
            let n_rows = self.exports.n_rows(export.index());
            // Rows with no defect write nothing: bound the rows per call too.
            let end = n_rows.min(self.row + 65_536);
            for row in self.row..end {
                self.defects += self.exports.answer_key_lines(export, row, out);
            }
            self.row = end;
            if end == n_rows {
                self.export += 1;
                self.row = 0;
            }
        }
        ExportId::from_index(self.export).is_some()
    }

    /// Defects written so far.
    pub fn defects(&self) -> u64 {
        self.defects
    }
}

/// Whether the exports plant any defect (and so come with an answer key).
pub fn has_answer_key(exports: &Exports) -> bool {
    exports.options().dirt != campus_gen::exports::Dirt::default()
}

type Zip = zip::ZipWriter<zip::write::StreamWriter<SharedBuf>>;

enum Current {
    Export(TableCsv<Rc<Exports>>),
    Key(AnswerKey<Rc<Exports>>),
}

/// The four exports and, with dirt, the answer key, stored in one zip, streamed.
pub struct ExportsZipSource {
    exports: Rc<Exports>,
    out: SharedBuf,
    zip: Option<Zip>,
    /// Bytes drained from `out` so far.
    drained: u64,
    file_idx: usize,
    current: Option<Current>,
    entries: Vec<ZipEntry>,
    /// Defects in the finished answer key.
    defects: Option<u64>,
    rows_before: u64,
    rows_total: u64,
    scratch: Vec<u8>,
}

fn zip_error(what: &str, err: impl std::fmt::Display) -> JobError {
    JobError::new(format!("could not {what}: {err}"))
}

impl ExportsZipSource {
    pub fn new(exports: Rc<Exports>) -> ExportsZipSource {
        let out = SharedBuf::default();
        let rows_total = ExportId::ALL.iter().map(|&e| exports.count(e)).sum();
        ExportsZipSource {
            exports,
            zip: Some(zip::ZipWriter::new_stream(out.clone())),
            out,
            drained: 0,
            file_idx: 0,
            current: None,
            entries: Vec::new(),
            defects: None,
            rows_before: 0,
            rows_total,
            scratch: Vec::with_capacity(1 << 20),
        }
    }

    /// Where each file's bytes lie; complete once the zip is.
    pub fn entries(&self) -> &[ZipEntry] {
        &self.entries
    }

    /// The zip's length so far.
    fn position(&self) -> u64 {
        self.drained + self.out.len() as u64
    }

    /// The file after the last one begun, if any.
    fn next_file(&self) -> Option<(String, Current)> {
        match ExportId::from_index(self.file_idx) {
            Some(export) => Some((
                export.file_name().to_owned(),
                Current::Export(TableCsv::new(self.exports.clone(), export.index())),
            )),
            None if self.file_idx == ExportId::ALL.len() && has_answer_key(&self.exports) => {
                Some((
                    ANSWER_KEY.to_owned(),
                    Current::Key(AnswerKey::new(self.exports.clone())),
                ))
            }
            None => None,
        }
    }

    /// Writes a little more into the zip; returns false once the zip is complete.
    fn step(&mut self) -> Result<bool, JobError> {
        if self.zip.is_none() {
            return Ok(false);
        }
        if self.current.is_none() {
            let Some((name, current)) = self.next_file() else {
                if let Some(zip) = self.zip.take() {
                    zip.finish()
                        .map_err(|err| zip_error("finish the zip", err))?;
                }
                return Ok(false);
            };
            // Zip64 only where a file may pass 4 GB (at most about 100 bytes a row), so every
            // reader opens the usual sizes.
            let rows = match ExportId::from_index(self.file_idx) {
                Some(export) => self.exports.count(export),
                None => self.rows_total,
            };
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .large_file(rows > 40_000_000);
            if let Some(zip) = self.zip.as_mut() {
                zip.start_file(name.as_str(), options)
                    .map_err(|err| zip_error(&format!("start {name} in the zip"), err))?;
            }
            let start = self.position();
            self.entries.push(ZipEntry {
                name,
                start,
                end: start,
            });
            self.current = Some(current);
        }
        self.scratch.clear();
        let more = match self.current.as_mut() {
            Some(Current::Export(csv)) => csv.fill(&mut self.scratch, 256 << 10),
            Some(Current::Key(key)) => key.fill(&mut self.scratch, 256 << 10),
            None => false,
        };
        if let Some(zip) = self.zip.as_mut() {
            zip.write_all(&self.scratch)
                .map_err(|err| zip_error("write to the zip", err))?;
            zip.flush()
                .map_err(|err| zip_error("write to the zip", err))?;
        }
        let position = self.position();
        if let Some(entry) = self.entries.last_mut() {
            entry.end = position;
        }
        if !more {
            if let Some(export) = ExportId::from_index(self.file_idx) {
                self.rows_before += self.exports.count(export);
            }
            if let Some(Current::Key(key)) = &self.current {
                self.defects = Some(key.defects());
            }
            self.current = None;
            self.file_idx += 1;
        }
        Ok(true)
    }
}

impl ChunkSource for ExportsZipSource {
    fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> Result<bool, JobError> {
        let mut more = true;
        while more && out.len() + self.out.len() < min_len {
            more = self.step()?;
        }
        let before = out.len();
        self.out.drain_into(out);
        self.drained += (out.len() - before) as u64;
        Ok(more)
    }

    fn progress(&self) -> (u64, u64) {
        let in_file = match &self.current {
            Some(Current::Export(csv)) => csv.rows_done(),
            _ => 0,
        };
        (self.rows_before + in_file, self.rows_total)
    }

    fn listing(&self) -> Option<Listing> {
        let mut files: Vec<(String, u64)> = ExportId::ALL
            .iter()
            .map(|&e| (e.file_name().to_owned(), self.exports.count(e)))
            .collect();
        if let Some(Current::Key(key)) = &self.current {
            files.push((ANSWER_KEY.to_owned(), key.defects()));
        } else if let Some(defects) = self.defects {
            files.push((ANSWER_KEY.to_owned(), defects));
        }
        Some(Listing {
            files,
            entries: self.entries.clone(),
        })
    }
}

/// The university's lectures as occupancy sessions, lag features included.
pub fn lesson_sessions(exports: &Exports) -> Vec<Session> {
    lesson_sessions_on(exports, &OneByOne)
}

/// [`lesson_sessions`], the enrollments counted on `spread` (a native shell's threads).
pub fn lesson_sessions_on(exports: &Exports, spread: &dyn Spread) -> Vec<Session> {
    let rows = sessions::lectures_on(exports, spread)
        .into_iter()
        .map(|l| {
            let input = SessionInput {
                date: l.date.to_string(),
                time_minutes: l.time_minutes,
                school: l.school.to_owned(),
                venue: l.venue,
                venue_capacity: l.venue_capacity,
                weekday: WEEKDAYS
                    .get(usize::from(l.weekday))
                    .copied()
                    .unwrap_or("Monday")
                    .to_owned(),
                semester_day: l.semester_day,
                exam_week: l.exam_week,
                enrolled_students: l.enrolled_students,
                prev_attendance: 0.0,
                rolling_avg_3: 0.0,
                rolling_avg_5: 0.0,
                trend_delta: 0.0,
            };
            (
                l.module_idx,
                Session {
                    input,
                    actual_attendance: l.actual_attendance,
                },
            )
        })
        .collect();
    campus_occupancy::timetable::with_lag_features(rows)
}

/// The sessions file of the university: one chunk, the whole CSV (a few MB at most: one row per
/// lecture, whatever the number of students).
pub struct SessionsSource {
    exports: Option<Rc<Exports>>,
    rows: u64,
}

impl SessionsSource {
    pub fn new(exports: Rc<Exports>) -> SessionsSource {
        SessionsSource {
            exports: Some(exports),
            rows: 0,
        }
    }
}

impl ChunkSource for SessionsSource {
    fn fill(&mut self, out: &mut Vec<u8>, _min_len: usize) -> Result<bool, JobError> {
        if let Some(exports) = self.exports.take() {
            let sessions = lesson_sessions(&exports);
            self.rows = sessions.len() as u64;
            out.extend_from_slice(campus_occupancy::write_csv(&sessions).as_bytes());
        }
        Ok(false)
    }

    fn progress(&self) -> (u64, u64) {
        (self.rows, self.rows)
    }

    fn listing(&self) -> Option<Listing> {
        Some(Listing {
            files: vec![(SESSIONS_FILE.to_owned(), self.rows)],
            entries: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests;
