//! [`Plan`]: which file a shell reads next, and how, in the two passes of an ETL run.
//!
//! Both shells (the CLI's `etl` and the page's ETL hook) follow this plan, so they read files
//! in the same order, stop for the same reasons and export the same files.
//!
//! The decisions, where the CLI and the page used to differ:
//! - **Order**: students first (every other file joins to them), then attendance, exams and
//!   placements; files of one kind keep the order the user gave them.
//! - **An unusable students file stops the run** (the CLI's behaviour, now the page's too):
//!   with no students nothing can be joined, so every later file would fail and the outputs
//!   would be empty. The students file's own report (why it is unusable) is still shown before
//!   the run stops with [`PlanError::StudentsUnusable`].
//! - **Any other unusable file is skipped in pass two, by its identity** (its index in the list
//!   given to [`Plan::new`]), not by its name: two attendance files named alike in different
//!   folders are two files, and one being unusable does not drop the other.
//! - **A run needs a students file**: without one, [`Plan::new`] says so instead of every file
//!   failing in turn.
//! - The first usable file of a kind opens that kind's staging CSV with a header row; the next
//!   ones of that kind append to it without one. A kind with no usable file has no CSV.

use serde::{Deserialize, Serialize};

use campus_etl::{FileKind, FileReport};

use super::protocol::Request;

/// One input file as a shell knows it: its kind and the name reports use. Its identity is its
/// index in the list given to [`Plan::new`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub kind: FileKind,
    pub name: String,
}

/// What a shell does next.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Pass one over input `file`: send `begin` ([`Request::BeginFile`]), the file's chunks as
    /// [`Request::Chunk`], then [`Request::EndFile`]; hand the report to [`Plan::read`].
    Read { file: usize, begin: Request },
    /// Send [`Request::Analyze`]: figures, report and cross-file findings.
    Analyze,
    /// Send [`Request::StagingDdl`]: the start of `staging.sql`.
    Ddl,
    /// Pass two over one file.
    Export(Export),
    /// The run is complete.
    Done,
}

/// Pass two over input `file`: send `begin` ([`Request::ExportBegin`]), the file's chunks as
/// [`Request::ExportChunk`], then [`Request::ExportEnd`]. The CSV bytes go to the staging CSV of
/// `kind` (a new output when `new_csv`), the SQL bytes to `staging.sql`.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub file: usize,
    pub kind: FileKind,
    pub new_csv: bool,
    pub begin: Request,
}

/// Why a run cannot go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("give a students file: every other file is joined to it")]
    NoStudents,
    #[error("the students file could not be used, so nothing can be joined")]
    StudentsUnusable { file: usize },
    #[error("file {file} was reported out of turn")]
    OutOfTurn { file: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Reading the file at this position of the load order.
    Reading(usize),
    Ddl,
    /// Exporting from this position of the load order.
    Exporting(usize),
    Done,
}

/// The two passes of one run over a list of input files.
#[derive(Clone, Debug)]
pub struct Plan {
    inputs: Vec<Input>,
    /// Indices into `inputs`, in the order files are read.
    order: Vec<usize>,
    /// Whether pass one found each input usable (false until reported).
    usable: Vec<bool>,
    /// The input whose report [`Plan::read`] expects.
    awaiting: Option<usize>,
    /// Kinds whose staging CSV has been opened, in the order they were.
    csv_kinds: Vec<FileKind>,
    stage: Stage,
}

impl Plan {
    /// Plans a run over `inputs`, given in the user's order.
    pub fn new(inputs: Vec<Input>) -> Result<Plan, PlanError> {
        if !inputs.iter().any(|input| input.kind == FileKind::Students) {
            return Err(PlanError::NoStudents);
        }
        let order = load_order(&inputs, |input| input.kind);
        Ok(Plan {
            usable: vec![false; inputs.len()],
            inputs,
            order,
            awaiting: None,
            csv_kinds: Vec::new(),
            stage: Stage::Reading(0),
        })
    }

    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    pub fn input(&self, file: usize) -> Option<&Input> {
        self.inputs.get(file)
    }

    /// Indices of the inputs in the order pass one reads them.
    pub fn load_order(&self) -> &[usize] {
        &self.order
    }

    /// Kinds that have a staging CSV so far, in the order they were opened.
    pub fn csv_kinds(&self) -> &[FileKind] {
        &self.csv_kinds
    }

    /// Whether pass one found input `file` usable.
    pub fn is_usable(&self, file: usize) -> bool {
        self.usable.get(file).copied().unwrap_or(false)
    }

    /// What to do next. A file handed out for reading is taken as unusable until
    /// [`Plan::read`] says otherwise.
    pub fn next_step(&mut self) -> Next {
        match self.stage {
            Stage::Reading(pos) => match self.order.get(pos).copied() {
                Some(file) => {
                    self.stage = Stage::Reading(pos + 1);
                    self.awaiting = Some(file);
                    let name = self.name(file);
                    Next::Read {
                        file,
                        begin: Request::BeginFile {
                            kind: self.kind(file),
                            name,
                        },
                    }
                }
                None => {
                    self.stage = Stage::Ddl;
                    self.awaiting = None;
                    Next::Analyze
                }
            },
            Stage::Ddl => {
                self.stage = Stage::Exporting(0);
                Next::Ddl
            }
            Stage::Exporting(pos) => self.next_export(pos),
            Stage::Done => Next::Done,
        }
    }

    fn next_export(&mut self, from: usize) -> Next {
        let found = self
            .order
            .iter()
            .enumerate()
            .skip(from)
            .find(|&(_, &file)| self.is_usable(file))
            .map(|(pos, &file)| (pos, file));
        let Some((pos, file)) = found else {
            self.stage = Stage::Done;
            return Next::Done;
        };
        self.stage = Stage::Exporting(pos + 1);
        let kind = self.kind(file);
        let new_csv = !self.csv_kinds.contains(&kind);
        if new_csv {
            self.csv_kinds.push(kind);
        }
        Next::Export(Export {
            file,
            kind,
            new_csv,
            begin: Request::ExportBegin {
                kind,
                name: self.name(file),
                csv_header: new_csv,
            },
        })
    }

    /// Takes the report of the file last handed out by [`Plan::next_step`]. An unusable students
    /// file ends the run with [`PlanError::StudentsUnusable`] (after the shell has shown its
    /// report); any other unusable file is left out of pass two.
    pub fn read(&mut self, file: usize, report: &FileReport) -> Result<(), PlanError> {
        if self.awaiting != Some(file) {
            return Err(PlanError::OutOfTurn { file });
        }
        self.awaiting = None;
        if let Some(usable) = self.usable.get_mut(file) {
            *usable = !report.unusable;
        }
        if report.unusable && self.kind(file) == FileKind::Students {
            self.stage = Stage::Done;
            return Err(PlanError::StudentsUnusable { file });
        }
        Ok(())
    }

    fn kind(&self, file: usize) -> FileKind {
        self.inputs
            .get(file)
            .map_or(FileKind::Students, |input| input.kind)
    }

    fn name(&self, file: usize) -> String {
        self.inputs
            .get(file)
            .map(|input| input.name.clone())
            .unwrap_or_default()
    }
}

/// Indices of `items` in the order pass one reads them: by kind (students first), and in the
/// given order within a kind.
pub fn load_order<T>(items: &[T], kind: impl Fn(&T) -> FileKind) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&idx| items.get(idx).map(&kind));
    order
}

/// The kind a file name suggests: `students_master.csv`, `attendance_*.csv`,
/// `exam_results_*.csv`, `placements_*.csv`.
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

/// The candidate count for the next attack step, from the last one and how long it took, so
/// that a step lasts about `target_ms` on this machine: scaled by the ratio, at most doubled or
/// quartered at once (one slow step from a busy machine does not collapse it), and between
/// 1,024 and 16,777,216 candidates. Without a measure (NaN) it stays.
pub fn next_attack_step(candidates: u64, took_ms: f64, target_ms: f64) -> u64 {
    const MIN: u64 = 1 << 10;
    const MAX: u64 = 1 << 24;
    let ratio = if took_ms.is_nan() {
        1.0
    } else if took_ms > 0.0 {
        (target_ms / took_ms).clamp(0.25, 2.0)
    } else {
        2.0
    };
    ((candidates as f64 * ratio).round() as u64).clamp(MIN, MAX)
}
