//! The workbench's state and its pure reducer; the worker driver ([`super::hook`]) dispatches.

use std::rc::Rc;

use web_sys::Blob;
use yew::Reducible;

use campus_etl::attack::AttackProgress;
use campus_etl::quality::Findings;
use campus_etl::{FileKind, FileReport};

use super::worker::{AnalysisView, Preview};

/// A file chosen by the user (or made by the sample generator), read later in slices.
#[derive(Clone, Debug, PartialEq)]
pub struct InputFile {
    pub kind: FileKind,
    pub name: String,
    pub blob: Blob,
    pub size: f64,
}

/// What the first pass made of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileView {
    pub kind: FileKind,
    pub name: String,
    /// `None` when the worker refused the file before reading it (e.g. students missing).
    pub report: Option<FileReport>,
    pub preview: Preview,
    pub elapsed_ms: f64,
    pub compute_ms: f64,
    pub error: Option<String>,
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
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EtlState {
    pub worker_ready: bool,
    pub inputs: Vec<InputFile>,
    pub choices: Choices,
    pub running: Option<Running>,
    /// Increases with every finished run (end-to-end tests wait on it).
    pub run_id: u32,
    pub files: Vec<FileView>,
    pub analysis: Option<Rc<AnalysisView>>,
    pub markdown: Option<Rc<str>>,
    pub cross: Findings,
    pub downloads: Vec<Download>,
    pub attack: Option<AttackView>,
    pub error: Option<String>,
    /// Rows, bytes, milliseconds from first to last byte, and of those the worker's compute time,
    /// of the last first pass.
    pub throughput: Option<(u64, f64, f64, f64)>,
}

pub enum EtlAction {
    WorkerReady,
    /// Replaces the files of one kind (attendance may have several).
    SetInputs(FileKind, Vec<InputFile>),
    /// Adds dropped files, each to the kind its name suggests.
    AddInputs(Vec<InputFile>),
    ClearInputs,
    SetKeyed(bool),
    SetSecret(String),
    SetDeidentify(bool),
    SetDirty(bool),
    Started {
        bytes_total: f64,
    },
    Progress {
        phase: String,
        bytes_done: f64,
    },
    FileDone(FileView),
    Analyzed {
        view: AnalysisView,
        markdown: String,
        cross: Findings,
    },
    Downloads(Vec<Download>),
    Finished,
    Cancelled,
    Failed(String),
    DismissError,
    Attack(AttackView),
}

/// The kind a file name suggests: `students_master.csv`, `attendance_*.csv`, `exam_results_*.csv`,
/// `placements_*.csv`.
pub fn kind_from_name(name: &str) -> Option<FileKind> {
    let name = name.to_ascii_lowercase();
    if name.contains("student") {
        Some(FileKind::Students)
    } else if name.contains("attend") {
        Some(FileKind::Attendance)
    } else if name.contains("exam") || name.contains("result") || name.contains("mark") {
        Some(FileKind::Exams)
    } else if name.contains("placement") || name.contains("placed") {
        Some(FileKind::Placements)
    } else {
        None
    }
}

/// The files in the order the worker needs them: students, attendance, exams, placements.
pub fn load_order(inputs: &[InputFile]) -> Vec<InputFile> {
    let mut ordered = inputs.to_vec();
    ordered.sort_by_key(|f| f.kind);
    ordered
}

impl Reducible for EtlState {
    type Action = EtlAction;

    fn reduce(self: Rc<Self>, action: EtlAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            EtlAction::WorkerReady => s.worker_ready = true,
            EtlAction::SetInputs(kind, files) => {
                s.inputs.retain(|f| f.kind != kind);
                s.inputs.extend(files);
            }
            EtlAction::AddInputs(files) => {
                for file in files {
                    // One students/exams/placements file each; attendance accumulates.
                    if file.kind != FileKind::Attendance {
                        s.inputs.retain(|f| f.kind != file.kind);
                    }
                    s.inputs
                        .retain(|f| !(f.kind == file.kind && f.name == file.name));
                    s.inputs.push(file);
                }
            }
            EtlAction::ClearInputs => s.inputs.clear(),
            EtlAction::SetKeyed(keyed) => s.choices.keyed = keyed,
            EtlAction::SetSecret(secret) => s.choices.secret = secret,
            EtlAction::SetDeidentify(on) => s.choices.deidentify = on,
            EtlAction::SetDirty(on) => s.choices.dirty = on,
            EtlAction::Started { bytes_total } => {
                s.running = Some(Running {
                    phase: "Starting".into(),
                    bytes_done: 0.0,
                    bytes_total,
                });
                s.files.clear();
                s.analysis = None;
                s.markdown = None;
                s.cross = Findings::default();
                s.downloads.clear();
                s.attack = None;
                s.error = None;
                s.throughput = None;
            }
            EtlAction::Progress { phase, bytes_done } => {
                if let Some(running) = s.running.as_mut() {
                    running.phase = phase;
                    running.bytes_done = bytes_done;
                }
            }
            EtlAction::FileDone(file) => {
                if let Some(report) = &file.report {
                    let (rows, bytes, ms, compute) = s.throughput.unwrap_or((0, 0.0, 0.0, 0.0));
                    let (rows, bytes) = (rows + report.n_rows, bytes + report.n_bytes as f64);
                    s.throughput =
                        Some((rows, bytes, ms + file.elapsed_ms, compute + file.compute_ms));
                }
                s.files.push(file);
            }
            EtlAction::Analyzed {
                view,
                markdown,
                cross,
            } => {
                s.analysis = Some(Rc::new(view));
                s.markdown = Some(markdown.into());
                s.cross = cross;
            }
            EtlAction::Downloads(downloads) => s.downloads = downloads,
            EtlAction::Finished => {
                s.running = None;
                s.run_id += 1;
            }
            EtlAction::Cancelled => {
                s.running = None;
                s.error = Some(
                    "Cancelled. What was read before is shown below; run again for the rest."
                        .into(),
                );
                s.run_id += 1;
            }
            EtlAction::Failed(message) => {
                s.running = None;
                s.error = Some(message);
                s.run_id += 1;
            }
            EtlAction::DismissError => s.error = None,
            EtlAction::Attack(view) => s.attack = Some(view),
        }
        Rc::new(s)
    }
}
