//! The ETL service's requests and events, and the views it builds for the page.

use serde::{Deserialize, Serialize};

use campus_csv::ReadOptions;
use campus_csv::read_all;
use campus_etl::attack::AttackProgress;
use campus_etl::quality::Findings;
use campus_etl::sample::SampleOptions;
use campus_etl::slices::{ExportSeed, Slicing};
use campus_etl::{Analysis, Etl, FileKind, FileReport, PieceSeed};
use campus_sql::Dialect;

use crate::{Bytes, JobError};

/// Rows shown in a file's preview.
pub const PREVIEW_ROWS: usize = 8;
/// Points drawn in the scatter plot at most (every pair still counts in the figures).
pub const SCATTER_POINTS: usize = 4000;
/// Bytes of a file's first chunk the preview looks at.
const PREVIEW_BYTES: usize = 64 << 10;

/// How a run hashes, what it checks and what it writes.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunOptions {
    /// HMAC-SHA-256 with this secret instead of plain SHA-256. Lives only in the service's
    /// memory, and never in a `Debug` text.
    pub keyed_secret: Option<String>,
    /// Drop roll_no and dob from every output after hashing.
    pub deidentify: bool,
    /// First and last day of the semester as `FIRST:LAST` ISO dates; attendance outside it is
    /// reported.
    pub semester: Option<String>,
    /// Field delimiter for every file; `None` sniffs each file.
    pub delimiter: Option<u8>,
    /// A record longer than this many bytes stops its file; `None` is the reader's default.
    pub max_record_bytes: Option<u64>,
    /// Which header plays which role; the default reads AKTU's headers.
    pub columns: campus_etl::ColumnMap,
    /// Flagged lines kept per finding and file; `None` is the core's default (a few examples).
    /// Grading against an answer key keeps [`super::grade::LINE_GRADING_EXAMPLES`].
    pub max_examples: Option<u64>,
}

// The secret must never reach a log or a panic message.
impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("keyed", &self.keyed_secret.is_some())
            .field("deidentify", &self.deidentify)
            .field("semester", &self.semester)
            .field("delimiter", &self.delimiter)
            .field("max_record_bytes", &self.max_record_bytes)
            .field("columns", &self.columns)
            .field("max_examples", &self.max_examples)
            .finish()
    }
}

/// What a shell can ask of the ETL service. Every request is answered by exactly one event
/// (its [`crate::Step::Finished`] event), or fails.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Forget everything and start a new run. Answered by [`Event::Ack`].
    Reset { options: RunOptions },
    /// The four sample files (a dirty set plants duplicates, orphans, a BOM, CRLF…).
    /// Answered by [`Event::Sample`].
    Sample { options: SampleOptions },
    /// Pass one: starts reading a file. Answered by [`Event::Ack`].
    BeginFile { kind: FileKind, name: String },
    /// The next chunk of the file being read. Answered by [`Event::Ack`].
    Chunk { bytes: Bytes },
    /// Ends the file being read. Answered by [`Event::FileDone`].
    EndFile,
    /// The figures, the Markdown report and the cross-file findings. Answered by
    /// [`Event::Analyzed`].
    Analyze,
    /// `DROP`/`CREATE TABLE` for every kind loaded, after `CREATE DATABASE` and `USE` (or the
    /// dialect's equivalent) when a database is named. The dialect holds for the exports that
    /// follow too. Answered by [`Event::Sql`].
    StagingDdl {
        database: Option<String>,
        #[serde(default)]
        dialect: Dialect,
    },
    /// Pass two: starts the export of a file read in pass one (its transformed CSV and
    /// INSERTs). Answered by [`Event::Ack`].
    ExportBegin {
        kind: FileKind,
        name: String,
        csv_header: bool,
    },
    /// The next chunk of the file being exported. Answered by [`Event::Exported`].
    ExportChunk { bytes: Bytes },
    /// Ends the export. Answered by [`Event::Exported`] with the last bytes.
    ExportEnd,
    /// Pass one: also note where the file just begun may be cut for a spread export, about
    /// every `every` bytes (`campus_etl::slices::Cutter`). Answered by [`Event::Ack`].
    CutFile { every: u64 },
    /// Where the file last ended may be cut, if [`Request::CutFile`] asked. Answered by
    /// [`Event::Slicing`].
    Cuts,
    /// What a helper worker needs to export slices of files of `kind`. Answered by
    /// [`Event::Seed`].
    ExportSeed { kind: FileKind },
    /// Makes this worker a helper of a run: it exports slices of files of the seed's kind as
    /// the run would, with the run's options and the staging SQL's dialect. Answered by
    /// [`Event::Ack`].
    TakeSeed {
        options: RunOptions,
        dialect: Dialect,
        seed: ExportSeed,
    },
    /// Pass two over one slice of a file. Answered by [`Event::Exported`].
    ExportSlice(SliceJob),
    /// Pass one: what a helper needs to read pieces of the attendance file being read, once its
    /// header has been read. Answered by [`Event::PieceSeed`].
    PieceSeed,
    /// Makes this worker a reader of pieces of the run's attendance file, with the run's
    /// options. Answered by [`Event::Ack`].
    TakePieceSeed {
        options: RunOptions,
        seed: Box<PieceSeed>,
    },
    /// Reads one piece of the run's attendance file apart (`campus_etl::pieces_of`). Answered by
    /// [`Event::Piece`].
    ReadPiece { bytes: Bytes },
    /// The next chunk of the file being read, with its pieces read by helpers ([`PieceRead`]),
    /// in order. Answered by [`Event::Ack`].
    ChunkApart { bytes: Bytes, pieces: Vec<Bytes> },
    /// Plans the dictionary attack on the unkeyed hashes. Answered by [`Event::Attack`].
    AttackBegin,
    /// Tries up to this many candidates. The count, not a clock, bounds the step: a shell
    /// that wants steps of a given duration measures and adapts it. Answered by
    /// [`Event::Attack`].
    AttackStep { candidates: u64 },
}

/// `Event` and, for each payload, `TryFrom<Event>`: the one place an answer that does not fit
/// is turned into an error.
macro_rules! events {
    ($($(#[$doc:meta])* $variant:ident($payload:ty)),* $(,)?) => {
        /// The service's answers; each payload is its own type, so a shell takes the one it
        /// expects with `try_into()` (or [`super::ask_for`]) and every other answer is one typed
        /// error.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub enum Event {
            $($(#[$doc])* $variant($payload),)*
        }

        impl Event {
            /// The event's name, for messages about an answer that does not fit its request.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Event::$variant(_) => stringify!($variant),)*
                }
            }
        }

        $(impl TryFrom<Event> for $payload {
            type Error = JobError;
            fn try_from(event: Event) -> Result<$payload, JobError> {
                match event {
                    Event::$variant(payload) => Ok(payload),
                    other => Err(JobError::new(format!(
                        "the ETL service answered {} where {} was expected",
                        other.name(),
                        stringify!($variant)
                    ))),
                }
            }
        })*
    };
}

events!(
    Ack(Ack),
    Sample(SampleFiles),
    FileDone(FileDone),
    Analyzed(Analyzed),
    /// SQL text: the start of `staging.sql`.
    Sql(Bytes),
    Exported(Exported),
    Attack(AttackState),
    Slicing(FileSlicing),
    Seed(Seed),
    PieceSeed(PieceSeedOf),
    Piece(PieceRead),
);

/// A piece read by a helper: a `campus_etl::ReadPiece` in postcard, which the page hands to the
/// section's own worker as it came, without decoding it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PieceRead {
    pub piece: Bytes,
}

/// What a helper needs to read pieces of the file being read: `None` before its header has been
/// read, and for a file that is not read in pieces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PieceSeedOf {
    pub seed: Option<PieceSeed>,
}

/// Where a file may be cut for a spread export: `None` when it may not (no usable header, or
/// no cutter was asked for).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSlicing {
    pub slicing: Option<Slicing>,
}

/// What a helper needs to export slices of one kind's files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Seed {
    pub seed: ExportSeed,
}

/// One slice of a file to export (see `campus_etl::slices::Slice`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SliceJob {
    pub kind: FileKind,
    pub name: String,
    /// Whether the slice starts the kind's staging CSV with its header row.
    pub csv_header: bool,
    /// The file's header record.
    pub header: Bytes,
    pub bytes: Bytes,
    pub first_row: u64,
    pub last: bool,
}

/// A request was carried out and has nothing to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack;

/// The sample files, named as `campus etl sample` writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleFiles {
    pub files: Vec<(String, Bytes)>,
}

/// Pass one over a file is complete.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileDone {
    pub report: FileReport,
    pub preview: Preview,
    /// The time the service spent parsing, hashing and joining this file, when its shell gave
    /// it a clock ([`super::EtlService::with_clock`]); 0 otherwise.
    pub compute_ms: f64,
}

/// The analysis: figures for the page, the Markdown report, the cross-file findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analyzed {
    pub view: AnalysisView,
    pub markdown: String,
    pub cross: Findings,
}

/// Output of pass two since the last answer: transformed CSV and INSERTs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exported {
    pub csv: Bytes,
    pub sql: Bytes,
}

/// Where the dictionary attack stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttackState {
    pub progress: AttackProgress,
    /// A few recovered `college-roll-dob` strings.
    pub examples: Vec<String>,
}

/// The first rows of a file as read, for the page to show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub headers: Vec<String>,
    /// (line, fields).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// The headers and first rows of a file's first chunk (a row cut by the chunk end is never
/// among the first few unless the chunk holds the whole file).
pub fn preview(name: &str, bytes: &[u8]) -> Preview {
    let head = bytes.get(..bytes.len().min(PREVIEW_BYTES)).unwrap_or(bytes);
    let all = read_all(head, ReadOptions::new(name));
    Preview {
        headers: all.headers.map(|h| h.names).unwrap_or_default(),
        rows: all.rows.into_iter().take(PREVIEW_ROWS).collect(),
    }
}

/// What the page shows of the analysis: the figures in full (read through `Deref`, as
/// `view.pearson`), the pairs thinned for the scatter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisView {
    pub n_students: usize,
    pub n_pairs: usize,
    pub marks_max: f64,
    /// (attendance_pct, total_marks) of at most [`SCATTER_POINTS`] complete pairs, evenly spread.
    pub scatter: Vec<(f64, f64)>,
    /// The analysis without its pairs (they are counted in `n_pairs` and thinned into
    /// `scatter`): a page need not hold one row per student and course.
    figures: Analysis,
}

impl std::ops::Deref for AnalysisView {
    type Target = Analysis;

    fn deref(&self) -> &Analysis {
        &self.figures
    }
}

impl AnalysisView {
    pub fn new(etl: &Etl, mut analysis: Analysis) -> AnalysisView {
        let pairs = std::mem::take(&mut analysis.pairs);
        let complete: Vec<(f64, f64)> = pairs
            .iter()
            .filter(|p| !p.attendance_pct.is_nan() && !p.total_marks.is_nan())
            .map(|p| (p.attendance_pct, p.total_marks))
            .collect();
        let stride = complete.len().div_ceil(SCATTER_POINTS).max(1);
        AnalysisView {
            n_students: etl.state().students().len(),
            n_pairs: pairs.len(),
            marks_max: etl.options().marks.total_max,
            scatter: complete.into_iter().step_by(stride).collect(),
            figures: analysis,
        }
    }

    /// The bar charts of the analysis, in the order the page shows them: attendance and marks
    /// distributions, placement rate by programme and by attendance band.
    pub fn bars(&self) -> [Bars; 4] {
        let hist = |h: &campus_etl::stats::Histogram, scale: f64, unit: &str| {
            let labels = (0..h.counts.len())
                .map(|i| format!("{:.0}{unit}", h.edge(i) * scale))
                .collect();
            (labels, h.counts.clone())
        };
        let rate = |rates: &[campus_etl::analysis::Rate]| {
            let labels = rates.iter().map(|r| r.name.clone()).collect();
            let values = rates
                .iter()
                .map(|r| r.rate().map_or(0, |v| (v * 100.0).round() as u64));
            (labels, values.collect())
        };
        let bars = |caption, x_desc, y_desc, (labels, values)| Bars {
            caption,
            x_desc,
            y_desc,
            labels,
            values,
        };
        [
            bars(
                "Attendance per (student, course)",
                "attendance from",
                "pairs",
                hist(&self.attendance_histogram, 100.0, "%"),
            ),
            bars(
                "Mean total marks per (student, course)",
                "marks from",
                "pairs",
                hist(&self.marks_histogram, 1.0, ""),
            ),
            bars(
                "Placement rate by programme",
                "programme",
                "placed (%)",
                rate(&self.placement_by_program),
            ),
            bars(
                "Placement rate by attendance band",
                "attendance band",
                "placed (%)",
                rate(&self.placement_by_band),
            ),
        ]
    }
}

/// One bar chart's figures: a label and a count (or whole percentage) per bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bars {
    pub caption: &'static str,
    pub x_desc: &'static str,
    pub y_desc: &'static str,
    pub labels: Vec<String>,
    pub values: Vec<u64>,
}
