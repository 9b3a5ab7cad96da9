//! The ETL section's state and every change to it: a pure reducer over [`Action`]s, generic over
//! the shell's handle on a file (`F`: the page's `Blob`).
//!
//! The page wraps [`State`] in yew's `Reducible` and the run ([`super::run`]) dispatches to it;
//! every decision (what a new run clears, how inputs of a kind replace each other) is here.

use std::rc::Rc;

use campus_etl::attack::AttackProgress;
use campus_etl::quality::Findings;
use campus_etl::{FileKind, FileReport};

use campus_etl::ColumnMap;

use super::columns::ColumnsChoice;
use super::grade::LINE_GRADING_EXAMPLES;
use super::steps::{Glimpse, Read, Steps};
use super::{AnalysisView, Analyzed, Preview, RunOptions};

/// A file chosen by the user (or made by the sample generator), read later in slices.
#[derive(Clone, Debug, PartialEq)]
pub struct InputFile<F> {
    pub kind: FileKind,
    pub name: String,
    pub file: F,
    /// Bytes.
    pub size: f64,
}

/// What the first pass made of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileView {
    pub kind: FileKind,
    pub name: String,
    pub report: FileReport,
    pub preview: Preview,
    /// From asking for the file to its report, waits for the page included.
    pub elapsed_ms: f64,
    /// The part of it the worker spent parsing, hashing and joining.
    pub compute_ms: f64,
}

/// A finished output on offer.
#[derive(Clone, Debug, PartialEq)]
pub struct Download {
    pub file_name: String,
    pub url: String,
    pub bytes: u64,
    pub test_id: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Running {
    pub phase: String,
    pub bytes_done: f64,
    pub bytes_total: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttackView {
    pub progress: AttackProgress,
    pub elapsed_ms: f64,
    pub examples: Vec<String>,
    pub running: bool,
}

/// The user's choices; the secret lives only here (never in storage, never sent anywhere but
/// the worker).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Choices {
    pub keyed: bool,
    pub secret: String,
    pub deidentify: bool,
    pub dirty: bool,
    /// Which header plays which role (remembered by the page).
    pub columns: ColumnsChoice,
    /// Keep every flagged line (up to [`LINE_GRADING_EXAMPLES`] per finding) so the report can
    /// be graded line by line: on while the generator's answer key is at hand.
    pub line_grading: bool,
    /// Rejected rows the run allows, as typed (`10` or `0.5%`; empty is 0), like the CLI's
    /// `--max-bad-rows`.
    pub max_bad_rows: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State<F> {
    pub worker_ready: bool,
    pub inputs: Vec<InputFile<F>>,
    pub choices: Choices,
    pub running: Option<Running>,
    /// Increases with every finished run (end-to-end tests wait on it).
    pub run_id: u32,
    pub files: Vec<FileView>,
    pub analysis: Option<Rc<AnalysisView>>,
    pub markdown: Option<Rc<str>>,
    /// What the run did to the first rows, once its outputs are written.
    pub steps: Option<Rc<Steps>>,
    pub cross: Findings,
    pub downloads: Vec<Download>,
    pub attack: Option<AttackView>,
    pub error: Option<String>,
    /// Rows, bytes, milliseconds from first to last byte, and of those the worker's compute time,
    /// of the last first pass.
    pub throughput: Option<(u64, f64, f64, f64)>,
    /// The header line of each input read so far, by file name, for the column mapping.
    pub headers: Vec<(String, FileKind, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action<F> {
    WorkerReady,
    /// The worker crashed or hung and is being restarted: what it held is gone.
    WorkerDied(String),
    /// Replaces the files of one kind (attendance may have several).
    SetInputs(FileKind, Vec<InputFile<F>>),
    /// Adds dropped files, each to the kind its name suggests.
    AddInputs(Vec<InputFile<F>>),
    ClearInputs,
    SetKeyed(bool),
    SetSecret(String),
    SetDeidentify(bool),
    SetDirty(bool),
    /// The column mapping's text as typed.
    SetColumns(String),
    SetLineGrading(bool),
    /// The header line of an input, read for the column mapping.
    InputHeaders {
        name: String,
        kind: FileKind,
        names: Vec<String>,
    },
    SetMaxBadRows(String),
    Started {
        bytes_total: f64,
    },
    Progress {
        phase: String,
        bytes_done: f64,
    },
    FileDone(FileView),
    Analyzed(Analyzed),
    /// The outputs are written; they began as the glimpse holds.
    Transformed(Glimpse),
    Downloads(Vec<Download>),
    Finished,
    Cancelled,
    Failed(String),
    DismissError,
    Attack(AttackView),
}

/// The files in the order the worker reads them (students, attendance, exams, placements), as
/// `campus_jobs::etl::Plan` orders them.
pub fn load_order<F: Clone>(inputs: &[InputFile<F>]) -> Vec<InputFile<F>> {
    super::load_order(inputs, |f| f.kind)
        .into_iter()
        .filter_map(|idx| inputs.get(idx).cloned())
        .collect()
}

impl<F> Default for State<F> {
    fn default() -> Self {
        State {
            worker_ready: false,
            inputs: Vec::new(),
            choices: Choices::default(),
            running: None,
            run_id: 0,
            files: Vec::new(),
            analysis: None,
            markdown: None,
            steps: None,
            cross: Findings::default(),
            downloads: Vec::new(),
            attack: None,
            error: None,
            throughput: None,
            headers: Vec::new(),
        }
    }
}

impl Choices {
    /// The run's options as the user chose them.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            keyed_secret: self.keyed.then(|| self.secret.clone()),
            deidentify: self.deidentify,
            columns: self.columns.map().clone(),
            max_examples: self.line_grading.then_some(LINE_GRADING_EXAMPLES),
            ..RunOptions::default()
        }
    }

    /// The options of a run over the sample files, which have AKTU's headers whatever the
    /// mapping says.
    pub fn sample_options(&self) -> RunOptions {
        RunOptions {
            columns: ColumnMap::default(),
            ..self.run_options()
        }
    }
}

impl<F> State<F> {
    /// The header lines of the current inputs that have been read, in input order.
    pub fn input_headers(&self) -> Vec<(String, FileKind, Vec<String>)> {
        self.inputs
            .iter()
            .filter_map(|input| {
                self.headers
                    .iter()
                    .find(|(name, kind, _)| *name == input.name && *kind == input.kind)
                    .cloned()
            })
            .collect()
    }

    fn add_inputs(&mut self, files: Vec<InputFile<F>>) {
        for file in files {
            // One students/exams/placements file each; attendance accumulates.
            if file.kind != FileKind::Attendance {
                self.inputs.retain(|f| f.kind != file.kind);
            }
            self.inputs
                .retain(|f| !(f.kind == file.kind && f.name == file.name));
            self.inputs.push(file);
        }
    }

    /// A new run: the last one's results go.
    fn start(&mut self, bytes_total: f64) {
        self.running = Some(Running {
            phase: "Starting".into(),
            bytes_done: 0.0,
            bytes_total,
        });
        self.files.clear();
        self.analysis = None;
        self.markdown = None;
        self.steps = None;
        self.cross = Findings::default();
        self.downloads.clear();
        self.attack = None;
        self.error = None;
        self.throughput = None;
    }

    /// Records one action.
    pub fn apply(&mut self, action: Action<F>) {
        let s = self;
        match action {
            Action::WorkerReady => s.worker_ready = true,
            Action::WorkerDied(message) => {
                s.worker_ready = false;
                s.error = Some(format!(
                    "The ETL worker stopped ({message}); it is being restarted. Run again when it is ready."
                ));
            }
            Action::SetInputs(kind, files) => {
                s.inputs.retain(|f| f.kind != kind);
                s.inputs.extend(files);
            }
            Action::AddInputs(files) => s.add_inputs(files),
            Action::ClearInputs => s.inputs.clear(),
            Action::SetKeyed(keyed) => s.choices.keyed = keyed,
            Action::SetSecret(secret) => s.choices.secret = secret,
            Action::SetDeidentify(on) => s.choices.deidentify = on,
            Action::SetDirty(on) => s.choices.dirty = on,
            Action::SetColumns(text) => s.choices.columns = s.choices.columns.edited(text),
            Action::SetLineGrading(on) => s.choices.line_grading = on,
            Action::InputHeaders { name, kind, names } => {
                s.headers.retain(|(n, k, _)| !(*n == name && *k == kind));
                s.headers.push((name, kind, names));
            }
            Action::SetMaxBadRows(text) => s.choices.max_bad_rows = text,
            Action::Started { bytes_total } => s.start(bytes_total),
            Action::Progress { phase, bytes_done } => {
                if let Some(running) = s.running.as_mut() {
                    running.phase = phase;
                    running.bytes_done = bytes_done;
                }
            }
            Action::FileDone(file) => {
                let (rows, bytes, ms, compute) = s.throughput.unwrap_or((0, 0.0, 0.0, 0.0));
                let (rows, bytes) = (
                    rows + file.report.n_rows,
                    bytes + file.report.n_bytes as f64,
                );
                s.throughput = Some((rows, bytes, ms + file.elapsed_ms, compute + file.compute_ms));
                s.files.push(file);
            }
            Action::Analyzed(Analyzed {
                view,
                markdown,
                cross,
            }) => {
                s.analysis = Some(Rc::new(view));
                s.markdown = Some(markdown.into());
                s.cross = cross;
            }
            Action::Transformed(glimpse) => {
                let read = s.files.iter().map(|f| Read {
                    kind: f.kind,
                    name: &f.name,
                    preview: &f.preview,
                });
                s.steps = Some(Rc::new(Steps::new(read, &glimpse)));
            }
            Action::Downloads(downloads) => s.downloads = downloads,
            Action::Finished => {
                s.running = None;
                s.run_id += 1;
            }
            Action::Cancelled => {
                s.running = None;
                s.error = Some(
                    "Cancelled. What was read before is shown below; run again for the rest."
                        .into(),
                );
                s.run_id += 1;
            }
            Action::Failed(message) => {
                s.running = None;
                s.error = Some(message);
                s.run_id += 1;
            }
            Action::DismissError => s.error = None,
            Action::Attack(view) => s.attack = Some(view),
        }
    }
}

impl<F> State<F> {
    /// The finished run's verdict on its rejected rows under the allowance chosen (as the CLI
    /// judges with `--max-bad-rows`): `Ok` with the account, `Err` when the run counts as
    /// failed or the allowance cannot be read; `None` before a run has finished.
    pub fn bad_rows_verdict(&self) -> Option<Result<String, String>> {
        if self.running.is_some() || self.files.is_empty() {
            return None;
        }
        let text = self.choices.max_bad_rows.trim();
        let max = if text.is_empty() {
            Ok(crate::bad_rows::MaxBadRows::default())
        } else {
            text.parse::<crate::bad_rows::MaxBadRows>()
        };
        let reports: Vec<FileReport> = self.files.iter().map(|f| f.report.clone()).collect();
        Some(max.and_then(|max| {
            crate::bad_rows::verdict(&reports, max)
                .map_err(|failed| format!("The run counts as failed: {failed}."))
        }))
    }
}

/// The `data-testid` of a staging CSV's download.
pub fn csv_test_id(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Students => "etl-download-students",
        FileKind::Attendance => "etl-download-attendance",
        FileKind::Exams => "etl-download-exams",
        FileKind::Placements => "etl-download-placements",
    }
}
