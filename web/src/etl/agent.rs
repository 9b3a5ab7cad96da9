//! The ETL worker: every byte of the four CSV files is parsed, hashed and joined here, and the
//! outputs are written here, so the page only slices files and renders.
//!
//! The protocol is strict request/response: the page sends one [`Request`] and waits for its one
//! [`Response`] before the next, so flow control is free (one chunk in flight) and a cancel is
//! seen between two chunks. [`Worker::handle`] is the whole worker apart from the message loop,
//! which keeps it testable in the browser without a worker.

use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use yew_agent::prelude::*;

use campus_csv::ReadOptions;
use campus_csv::read::read_all;
use campus_etl::analysis::{GroupCorrelation, Rate};
use campus_etl::attack::{AttackOptions, AttackProgress, DictionaryAttack};
use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::quality::Findings;
use campus_etl::sample::{SampleOptions, generate};
use campus_etl::stats::{Histogram, LinearFit};
use campus_etl::{Etl, EtlOptions, FileKind, FileReport, HashMode, analyze, report};

use crate::agent::{Bytes, now_ms};

/// Bytes per slice of a file: big enough that messaging costs little, small enough to bound memory.
pub const SLICE_BYTES: usize = 4 << 20;
/// Rows shown in a file's preview.
pub const PREVIEW_ROWS: usize = 8;
/// Points drawn in the scatter plot at most (every pair still counts in the figures).
pub const SCATTER_POINTS: usize = 4000;

/// How a run hashes and what it writes.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunOptions {
    /// HMAC-SHA-256 with this secret instead of plain SHA-256. Lives only in the worker's memory.
    pub keyed_secret: Option<String>,
    /// Drop roll_no and dob from every output after hashing.
    pub deidentify: bool,
}

// The secret must never reach a log or a panic message.
impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("keyed", &self.keyed_secret.is_some())
            .field("deidentify", &self.deidentify)
            .finish()
    }
}

/// What the page can ask for; each request gets exactly one response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Forget everything and start a new run.
    Reset {
        options: RunOptions,
    },
    /// The four sample files (a dirty set plants duplicates, orphans, a BOM, CRLF…).
    Sample {
        dirty: bool,
    },
    BeginFile {
        kind: FileKind,
        name: String,
    },
    Chunk {
        bytes: Bytes,
    },
    EndFile,
    Analyze,
    /// `DROP`/`CREATE TABLE` for every kind loaded.
    StagingDdl,
    /// The second pass over a file, for its transformed CSV and INSERTs.
    ExportBegin {
        kind: FileKind,
        name: String,
        csv_header: bool,
    },
    ExportChunk {
        bytes: Bytes,
    },
    ExportEnd,
    AttackBegin,
    /// Try candidates for about this many milliseconds.
    AttackStep {
        budget_ms: f64,
    },
}

/// The worker's answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has loaded and is listening (sent once, unasked).
    Ready,
    Ack,
    Failed {
        message: String,
    },
    Sample {
        files: Vec<(String, Bytes)>,
    },
    /// `elapsed_ms` runs from `BeginFile` to `EndFile` (waits for the page included);
    /// `compute_ms` is the part spent parsing, hashing and joining.
    FileDone {
        report: FileReport,
        preview: Preview,
        elapsed_ms: f64,
        compute_ms: f64,
    },
    Analyzed {
        view: AnalysisView,
        markdown: String,
        cross: Findings,
    },
    Exported {
        csv: Bytes,
        sql: Bytes,
    },
    Ddl {
        sql: Bytes,
    },
    Attack {
        progress: AttackProgress,
        elapsed_ms: f64,
        examples: Vec<String>,
    },
}

/// The first rows of a file as read, for the page to show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub headers: Vec<String>,
    /// (line, fields).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// What the page shows of the analysis: the figures in full, the pairs thinned for the scatter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisView {
    pub n_students: usize,
    pub n_pairs: usize,
    pub n_complete_pairs: usize,
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    pub fit: Option<LinearFit>,
    pub per_course: Vec<GroupCorrelation>,
    pub per_program: Vec<GroupCorrelation>,
    pub attendance_histogram: Histogram,
    pub marks_histogram: Histogram,
    pub placement_by_program: Vec<Rate>,
    pub placement_by_band: Vec<Rate>,
    pub marks_max: f64,
    /// (attendance_pct, total_marks) of at most [`SCATTER_POINTS`] complete pairs, evenly spread.
    pub scatter: Vec<(f64, f64)>,
}

/// A running attack and the worker time spent on it.
struct Attack {
    attack: DictionaryAttack,
    elapsed_ms: f64,
}

/// The worker's state between messages.
pub struct Worker {
    etl: Etl,
    file_started_ms: f64,
    file_compute_ms: f64,
    preview: Option<Preview>,
    preview_pending: Option<String>,
    export: Option<Export>,
    attack: Option<Attack>,
}

impl Default for Worker {
    fn default() -> Worker {
        Worker::new(&RunOptions::default())
    }
}

impl Worker {
    pub fn new(options: &RunOptions) -> Worker {
        let hash = match &options.keyed_secret {
            Some(secret) => HashMode::Keyed {
                secret: secret.as_bytes().to_vec(),
            },
            None => HashMode::Sha256,
        };
        let options = EtlOptions {
            hash,
            deidentify: options.deidentify,
            ..EtlOptions::default()
        };
        Worker {
            etl: Etl::new(options),
            file_started_ms: 0.0,
            file_compute_ms: 0.0,
            preview: None,
            preview_pending: None,
            export: None,
            attack: None,
        }
    }

    /// Answers one request.
    pub fn handle(&mut self, request: Request) -> Response {
        let failed = |err: &dyn std::fmt::Display| Response::Failed {
            message: err.to_string(),
        };
        match request {
            Request::Reset { options } => {
                *self = Worker::new(&options);
                Response::Ack
            }
            Request::Sample { dirty } => {
                let files = generate(&SampleOptions {
                    dirty,
                    ..SampleOptions::default()
                });
                let files = files
                    .files()
                    .iter()
                    .map(|(name, bytes)| ((*name).to_owned(), Bytes(bytes.to_vec())))
                    .collect();
                Response::Sample { files }
            }
            Request::BeginFile { kind, name } => match self.etl.begin_file(kind, &name) {
                Ok(()) => {
                    self.file_started_ms = now_ms();
                    self.file_compute_ms = 0.0;
                    self.preview = None;
                    self.preview_pending = Some(name);
                    Response::Ack
                }
                Err(err) => failed(&err),
            },
            Request::Chunk { bytes } => {
                if let Some(name) = self.preview_pending.take() {
                    self.preview = Some(preview(&name, &bytes.0));
                }
                let started = now_ms();
                let fed = self.etl.feed(&bytes.0);
                self.file_compute_ms += now_ms() - started;
                match fed {
                    Ok(()) => Response::Ack,
                    Err(err) => failed(&err),
                }
            }
            Request::EndFile => {
                let preview = self.preview.take().unwrap_or_default();
                self.preview_pending = None;
                let started = now_ms();
                let ended = self.etl.end_file();
                let compute_ms = self.file_compute_ms + (now_ms() - started);
                let elapsed_ms = now_ms() - self.file_started_ms;
                match ended {
                    Ok(report) => Response::FileDone {
                        report: report.clone(),
                        preview,
                        elapsed_ms,
                        compute_ms,
                    },
                    Err(err) => failed(&err),
                }
            }
            Request::Analyze => {
                let analysis = analyze(&self.etl);
                let markdown = report::markdown(&self.etl, &analysis);
                let cross = self.etl.cross_file_findings();
                let view = AnalysisView::new(&self.etl, analysis);
                Response::Analyzed {
                    view,
                    markdown,
                    cross,
                }
            }
            Request::StagingDdl => Response::Ddl {
                sql: Bytes(staging_ddl(&self.etl)),
            },
            Request::ExportBegin {
                kind,
                name,
                csv_header,
            } => {
                let options = ExportOptions {
                    csv_header,
                    ..ExportOptions::default()
                };
                match Export::begin(&self.etl, kind, &name, options) {
                    Ok(export) => {
                        self.export = Some(export);
                        Response::Ack
                    }
                    Err(err) => failed(&err),
                }
            }
            Request::ExportChunk { bytes } => {
                let Some(export) = self.export.as_mut() else {
                    return failed(&"no export is running");
                };
                export.feed(&self.etl, &bytes.0);
                drain(export)
            }
            Request::ExportEnd => {
                let Some(mut export) = self.export.take() else {
                    return failed(&"no export is running");
                };
                export.finish(&self.etl);
                drain(&mut export)
            }
            Request::AttackBegin => {
                let mut attack = DictionaryAttack::new(&self.etl, &AttackOptions::default());
                let progress = attack.step(0);
                self.attack = Some(Attack {
                    attack,
                    elapsed_ms: 0.0,
                });
                Response::Attack {
                    progress,
                    elapsed_ms: 0.0,
                    examples: Vec::new(),
                }
            }
            Request::AttackStep { budget_ms } => {
                let Some(state) = self.attack.as_mut() else {
                    return failed(&"no attack is running");
                };
                let started = now_ms();
                let mut progress = state.attack.step(0);
                // Small steps, so the budget holds on slow machines; the clock costs little beside 1024 hashes.
                while !progress.done() && now_ms() - started < budget_ms {
                    let before = progress.n_tried;
                    progress = state.attack.step(1024);
                    if progress.n_tried == before {
                        break;
                    }
                }
                state.elapsed_ms += now_ms() - started;
                let examples = state.attack.recovered_examples().to_vec();
                Response::Attack {
                    progress,
                    elapsed_ms: state.elapsed_ms,
                    examples,
                }
            }
        }
    }
}

fn drain(export: &mut Export) -> Response {
    Response::Exported {
        csv: Bytes(std::mem::take(export.csv_buf())),
        sql: Bytes(std::mem::take(export.sql_buf())),
    }
}

/// The headers and first rows of a file's first chunk (a row cut by the chunk end is never
/// among the first few unless the chunk holds the whole file).
pub fn preview(name: &str, bytes: &[u8]) -> Preview {
    let head = bytes.get(..bytes.len().min(64 << 10)).unwrap_or(bytes);
    let all = read_all(head, ReadOptions::new(name));
    Preview {
        headers: all.headers.map(|h| h.names).unwrap_or_default(),
        rows: all.rows.into_iter().take(PREVIEW_ROWS).collect(),
    }
}

impl AnalysisView {
    fn new(etl: &Etl, analysis: campus_etl::Analysis) -> AnalysisView {
        let complete: Vec<(f64, f64)> = analysis
            .pairs
            .iter()
            .filter(|p| !p.attendance_pct.is_nan() && !p.total_marks.is_nan())
            .map(|p| (p.attendance_pct, p.total_marks))
            .collect();
        let stride = complete.len().div_ceil(SCATTER_POINTS).max(1);
        AnalysisView {
            n_students: etl.state().students().len(),
            n_pairs: analysis.pairs.len(),
            n_complete_pairs: analysis.n_complete_pairs,
            pearson: analysis.pearson,
            spearman: analysis.spearman,
            fit: analysis.fit,
            per_course: analysis.per_course,
            per_program: analysis.per_program,
            attendance_histogram: analysis.attendance_histogram,
            marks_histogram: analysis.marks_histogram,
            placement_by_program: analysis.placement_by_program,
            placement_by_band: analysis.placement_by_band,
            marks_max: etl.options().marks.total_max,
            scatter: complete.into_iter().step_by(stride).collect(),
        }
    }
}

/// The worker's main loop: one response per request, in order.
#[reactor(EtlWorker)]
pub async fn etl_worker(mut scope: ReactorScope<Request, Response>) {
    if scope.send(Response::Ready).await.is_err() {
        return;
    }
    let mut worker = Worker::default();
    while let Some(request) = scope.next().await {
        let response = worker.handle(request);
        if scope.send(response).await.is_err() {
            return;
        }
    }
}

/// Registers the reactor; called by `src/bin/etl_worker.rs`.
pub fn register() {
    EtlWorker::registrar().register();
}
