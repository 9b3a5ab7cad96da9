//! Student-records ETL: the pandas notebook's pipeline as pure, streaming Rust.
//!
//! Read four AKTU-style CSV exports, replace identity with `student_hash`, join it into the
//! dependent tables, check quality, measure how attendance relates to marks, and stage it all
//! for MySQL. Everything is push-based (chunks in, buffers out) so the CLI and the web worker
//! drive it the same way; nothing here touches files, clocks, threads or the DOM, and nothing
//! panics on user data.
//!
//! Interesting modules: `ingest.rs` ([`Etl`]: the streaming pass and its state), [`analysis`] (the
//! notebook's correlation, reproduced exactly), [`hash`] and [`attack`] (pseudonymisation and
//! why the unkeyed hash is not anonymous), [`export`] (transformed CSVs and staging SQL),
//! [`report`] (the quality report as Markdown), [`columns`] (which header plays which role),
//! [`sample`] (a seeded sample set, optionally dirty), [`slices`] (one file's second pass cut
//! into slices that workers export apart).
//!
//! A worker or the CLI drives it like this (progress and cancellation go between chunks):
//!
//! ```
//! use campus_etl::export::{Export, ExportOptions, staging_ddl};
//! use campus_etl::sample::{SampleOptions, generate};
//! use campus_etl::{Etl, EtlOptions, FileKind, analyze, report};
//!
//! let files = generate(&SampleOptions { students_per_program: 3, sessions_per_course: 4, ..SampleOptions::default() });
//! let mut etl = Etl::new(EtlOptions::default());
//! for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL) {
//!     etl.begin_file(kind, name)?; // students first: the others join to them
//!     for chunk in bytes.chunks(64 * 1024) {
//!         etl.feed(chunk)?; // report progress / check for cancel here
//!     }
//!     let file_report = etl.end_file()?;
//!     assert_eq!(file_report.n_errors, 0);
//! }
//! let analysis = analyze(&etl);
//! assert!(analysis.pearson.is_some());
//! let markdown = report::markdown(&etl, &analysis);
//! assert!(markdown.contains("Pearson r = "));
//!
//! // Second pass per file for the outputs; drain the buffers as they fill.
//! let mut sql = staging_ddl(&etl);
//! let (name, bytes) = files.files()[1];
//! let mut export = Export::begin(&etl, FileKind::Attendance, name, ExportOptions::default())?;
//! export.feed(&etl, bytes);
//! export.finish(&etl);
//! sql.append(export.sql_buf());
//! assert!(export.csv_buf().starts_with(b"student_hash,college_code,roll_no"));
//! # Ok::<(), campus_etl::EtlError>(())
//! ```

pub mod analysis;
pub mod attack;
pub mod columns;
pub mod export;
mod fasthash;
pub mod hash;
mod ingest;
pub mod quality;
pub mod report;
pub mod sample;
pub mod slices;
pub mod stats;
pub mod typed;

use campus_schema::Date;
use serde::{Deserialize, Serialize};

pub use analysis::{Analysis, analyze};
pub use columns::{ColumnMap, Role};
pub use hash::{HashMode, student_hash};
pub use ingest::{
    AttendanceAgg, Etl, EtlState, Interner, PieceReader, PieceSeed, ReadPiece, Student,
    pieces_at_least, pieces_of,
};
pub use quality::{FileReport, Finding, FindingKind, Rejected};

/// The four kinds of input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FileKind {
    Students,
    Attendance,
    Exams,
    Placements,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [
        FileKind::Students,
        FileKind::Attendance,
        FileKind::Exams,
        FileKind::Placements,
    ];

    /// Columns that must be present, by name (order in the file may vary).
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            FileKind::Students => &["roll_no", "dob", "college_code", "program_code"],
            FileKind::Attendance => &[
                "college_code",
                "roll_no",
                "dob",
                "course_code",
                "date",
                "status",
            ],
            FileKind::Exams => &[
                "college_code",
                "roll_no",
                "dob",
                "course_code",
                "internal",
                "external",
                "total",
            ],
            FileKind::Placements => &["college_code", "roll_no", "dob"],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileKind::Students => "students",
            FileKind::Attendance => "attendance",
            FileKind::Exams => "exam results",
            FileKind::Placements => "placements",
        }
    }

    /// The staging table and transformed-CSV base name.
    pub fn staging_table(self) -> &'static str {
        match self {
            FileKind::Students => "stg_students",
            FileKind::Attendance => "stg_attendance",
            FileKind::Exams => "stg_exam_results",
            FileKind::Placements => "stg_placements",
        }
    }
}

/// Upper bounds of the marks columns (lower bounds are 0). AKTU: 30 internal, 70 external.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarkBounds {
    pub internal_max: f64,
    pub external_max: f64,
    pub total_max: f64,
}

impl Default for MarkBounds {
    fn default() -> MarkBounds {
        MarkBounds {
            internal_max: 30.0,
            external_max: 70.0,
            total_max: 100.0,
        }
    }
}

/// How the pipeline runs.
#[derive(Clone, Debug)]
pub struct EtlOptions {
    pub hash: HashMode,
    /// Drop roll_no and dob from every output after hashing.
    pub deidentify: bool,
    /// First and last day of the semester; attendance outside it is reported.
    pub semester: Option<(Date, Date)>,
    pub marks: MarkBounds,
    /// Example rows kept per finding.
    pub max_examples: usize,
    /// Read errors kept per file.
    pub max_errors: usize,
    /// Field delimiter for every file; `None` sniffs each file.
    pub delimiter: Option<u8>,
    /// A record longer than this stops its file (see [`campus_csv::ReadOptions`]).
    pub max_record_bytes: usize,
    /// Keys the duplicate check remembers beyond the per-student index (rows of no student,
    /// far-apart dates), per kind of file; later ones are reported as not checked. Memory is
    /// about 40 bytes per key, so the default (2^21) bounds it near 80 MB per kind.
    pub max_tracked_keys: usize,
    /// Which header plays which role; the default reads AKTU's headers (and near names).
    pub columns: ColumnMap,
}

impl Default for EtlOptions {
    fn default() -> EtlOptions {
        EtlOptions {
            hash: HashMode::Sha256,
            deidentify: false,
            semester: None,
            marks: MarkBounds::default(),
            max_examples: 5,
            max_errors: 100,
            delimiter: None,
            max_record_bytes: campus_csv::DEFAULT_MAX_RECORD_BYTES,
            max_tracked_keys: 1 << 21,
            columns: ColumnMap::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EtlError {
    #[error("load the students file first: every other file is joined to it")]
    StudentsFirst,
    #[error("a file is already being read; end it before starting another")]
    FileAlreadyOpen,
    #[error("no file is being read")]
    NoFileOpen,
    #[error("no usable {} file was loaded", .0.label())]
    NotLoaded(FileKind),
}
