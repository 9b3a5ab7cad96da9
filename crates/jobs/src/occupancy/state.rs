//! The occupancy section's state and its pure reducer, browser-free.
//!
//! Side effects (the worker, IndexedDB, downloads) live in the page's hook; they report here
//! through [`Action`]s.

use std::rc::Rc;

use campus_occupancy::import::MAX_KEPT_ERRORS;
use campus_occupancy::{Analytics, ModelBundle, Progress, Session, analytics};

use super::Timings;
use super::registry::VersionMeta;

/// What the worker is busy with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Generate,
    Import,
    Train,
}

/// Where on the section a notice shows: beside the panel whose action caused it, so the user
/// sees it where they are (a cancel in the training panel, a delete in the registry).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Place {
    /// The class-sessions panel: generating, importing, clearing.
    #[default]
    Data,
    /// The training panel: a run, its cancel, the version it made.
    Training,
    /// The model versions: restoring, importing, activating, deleting.
    Registry,
}

impl JobKind {
    /// The panel a job of this kind is started from.
    pub fn place(self) -> Place {
        match self {
            JobKind::Generate | JobKind::Import => Place::Data,
            JobKind::Train => Place::Training,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Running {
    pub job_id: u32,
    pub kind: JobKind,
    pub progress: Option<Progress>,
}

/// The dataset on the page: generated, imported, or both.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    pub sessions: Rc<Vec<Session>>,
    pub analytics: Option<Rc<Analytics>>,
    /// Bumped whenever the sessions change, so views can memoise on it.
    pub revision: u32,
    /// Content hashes of the CSV files imported into this dataset.
    pub imported: Vec<String>,
}

/// A step that waits for a second click before it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirm {
    Delete(u32),
    Clear,
}

/// The version that serves predictions.
#[derive(Clone, Debug)]
pub struct ActiveModel {
    pub id: u32,
    pub bundle: Rc<ModelBundle>,
}

impl PartialEq for ActiveModel {
    fn eq(&self, other: &ActiveModel) -> bool {
        self.id == other.id && Rc::ptr_eq(&self.bundle, &other.bundle)
    }
}

pub use crate::Notice;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    pub worker_ready: bool,
    pub running: Option<Running>,
    pub dataset: Dataset,
    pub registry_loaded: bool,
    /// Newest first.
    pub versions: Vec<VersionMeta>,
    pub active: Option<ActiveModel>,
    /// Versions ticked for comparison, in the order ticked.
    pub compare: Vec<u32>,
    pub notice: Option<Notice>,
    /// Where the notice shows.
    pub notice_at: Place,
    /// The destructive step the page asks the user to confirm.
    pub confirm: Option<Confirm>,
    /// Worker timings of the last training run on this page.
    pub last_timings: Option<Timings>,
}

pub enum Action {
    WorkerReady,
    Started {
        job_id: u32,
        kind: JobKind,
    },
    Progress {
        job_id: u32,
        progress: Progress,
    },
    /// Generated sessions replace the dataset; imported ones are appended to it.
    SessionsLoaded {
        job_id: u32,
        sessions: Vec<Session>,
        append: bool,
        errors: Vec<String>,
        n_bad_rows: usize,
        /// The file name of an import, else what made the sessions.
        source: String,
        /// The SHA-256 of an imported file ([`super::guard::content_hash`]).
        content_hash: Option<String>,
    },
    ClearData,
    Cancelled,
    /// The worker died (it is restarted) or a job failed.
    Failed {
        message: String,
    },
    RegistryLoaded {
        versions: Vec<VersionMeta>,
        active: Option<ActiveModel>,
        message: Option<String>,
    },
    /// A new version is stored and now serves predictions.
    VersionAdded {
        meta: Box<VersionMeta>,
        active: ActiveModel,
        timings: Option<Timings>,
        message: String,
    },
    /// A new version is stored but the serving one goes on serving.
    VersionKept {
        meta: Box<VersionMeta>,
        timings: Option<Timings>,
        message: String,
    },
    Activated(ActiveModel),
    /// Asks for a second click before a delete or a clear.
    Ask(Confirm),
    /// The user kept what they were asked about.
    KeepIt,
    Deleted {
        id: u32,
    },
    ToggleCompare(u32),
    Notify {
        is_error: bool,
        text: String,
    },
    DismissNotice,
}

fn info(text: String) -> Option<Notice> {
    Some(Notice::info(text))
}

fn error(text: String) -> Option<Notice> {
    Some(Notice::error(text))
}

impl State {
    fn is_running(&self, job_id: u32) -> bool {
        self.running.as_ref().is_some_and(|r| r.job_id == job_id)
    }

    pub fn reduce_action(mut self, action: Action) -> State {
        // A notice shows by the panel of the action that caused it: the running job's, else the
        // action's own.
        let running = self.running.as_ref().map(|r| r.kind.place());
        let place = match &action {
            Action::Started { kind, .. } => Some(kind.place()),
            Action::SessionsLoaded { .. } | Action::ClearData => Some(Place::Data),
            Action::Cancelled | Action::Failed { .. } => running,
            Action::VersionAdded { .. } | Action::VersionKept { .. } => {
                Some(running.unwrap_or(Place::Registry))
            }
            Action::RegistryLoaded { .. }
            | Action::Activated(_)
            | Action::Deleted { .. }
            | Action::Notify { .. } => Some(Place::Registry),
            _ => None,
        };
        if let Some(place) = place {
            self.notice_at = place;
        }
        match action {
            Action::WorkerReady => self.worker_ready = true,
            Action::Started { job_id, kind } => {
                self.running = Some(Running {
                    job_id,
                    kind,
                    progress: None,
                });
                self.notice = None;
            }
            Action::Progress { job_id, progress } => {
                if let Some(running) = self.running.as_mut().filter(|r| r.job_id == job_id) {
                    running.progress = Some(progress);
                }
            }
            loaded @ Action::SessionsLoaded { job_id, .. } => {
                if !self.is_running(job_id) {
                    return self;
                }
                self.running = None;
                self.notice = self.load(loaded);
            }
            Action::ClearData => {
                self.confirm = None;
                self.dataset = Dataset {
                    revision: self.dataset.revision + 1,
                    ..Dataset::default()
                };
            }
            Action::Cancelled => {
                self.running = None;
                self.worker_ready = false;
                self.notice = info("Cancelled; nothing was changed.".to_owned());
            }
            Action::Failed { message } => {
                self.running = None;
                self.notice = error(message);
            }
            Action::RegistryLoaded {
                versions,
                active,
                message,
            } => {
                self.registry_loaded = true;
                self.versions = versions;
                self.active = active;
                if let Some(message) = message {
                    self.notice = error(message);
                }
            }
            Action::VersionAdded {
                meta,
                active,
                timings,
                message,
            } => {
                self.running = None;
                self.versions.retain(|v| v.id != meta.id);
                self.versions.insert(0, *meta);
                self.versions.sort_by_key(|v| std::cmp::Reverse(v.id));
                self.active = Some(active);
                if timings.is_some() {
                    self.last_timings = timings;
                }
                self.notice = info(message);
            }
            Action::VersionKept {
                meta,
                timings,
                message,
            } => {
                self.running = None;
                self.versions.retain(|v| v.id != meta.id);
                self.versions.push(*meta);
                self.versions.sort_by_key(|v| std::cmp::Reverse(v.id));
                if timings.is_some() {
                    self.last_timings = timings;
                }
                self.notice = info(message);
            }
            Action::Ask(confirm) => self.confirm = Some(confirm),
            Action::KeepIt => self.confirm = None,
            Action::Activated(active) => {
                self.notice = info(format!("Version {} now serves predictions.", active.id));
                self.active = Some(active);
            }
            Action::Deleted { id } => {
                self.confirm = None;
                self.versions.retain(|v| v.id != id);
                self.compare.retain(|c| *c != id);
                if self.active.as_ref().is_some_and(|a| a.id == id) {
                    self.active = None;
                }
                self.notice = info(format!("Version {id} deleted."));
            }
            Action::ToggleCompare(id) => {
                if self.compare.contains(&id) {
                    self.compare.retain(|c| *c != id);
                } else {
                    self.compare.push(id);
                }
            }
            Action::Notify { is_error, text } => {
                self.notice = if is_error { error(text) } else { info(text) };
            }
            Action::DismissNotice => self.notice = None,
        }
        self
    }
}

impl State {
    /// Takes in generated or imported sessions and says what happened. A file imported before
    /// (same content hash) is refused, and imported rows the dataset already holds are dropped.
    fn load(&mut self, loaded: Action) -> Option<Notice> {
        let Action::SessionsLoaded {
            sessions,
            append,
            errors,
            n_bad_rows,
            source,
            content_hash,
            ..
        } = loaded
        else {
            debug_assert!(false, "load takes sessions");
            return None;
        };
        if !append {
            let n_new = sessions.len();
            self.replace_sessions(sessions, Vec::new());
            return Some(Notice::info(format!("{source}: {n_new} sessions")));
        }
        if let Some(hash) = content_hash
            .as_ref()
            .filter(|h| self.dataset.imported.contains(h))
        {
            return Some(Notice::error(format!(
                "{source} was not imported again: a file with the same content (SHA-256 {}…) \
                 is already in the dataset, and importing it twice would count every session \
                 twice. Clear the data first to start over.",
                hash.get(..12).unwrap_or(hash)
            )));
        }
        let (new, n_known) = super::guard::without_known_rows(&self.dataset.sessions, sessions);
        let n_new = new.len();
        if n_new > 0 {
            let mut all = self.dataset.sessions.as_ref().clone();
            all.extend(new);
            let mut imported = self.dataset.imported.clone();
            imported.extend(content_hash);
            self.replace_sessions(all, imported);
        }
        let n_total = self.dataset.sessions.len();
        Some(import_notice(
            &source, n_new, n_known, n_total, errors, n_bad_rows,
        ))
    }

    fn replace_sessions(&mut self, all: Vec<Session>, imported: Vec<String>) {
        let analytics = (!all.is_empty()).then(|| Rc::new(analytics(&all)));
        self.dataset = Dataset {
            sessions: Rc::new(all),
            analytics,
            revision: self.dataset.revision + 1,
            imported,
        };
    }
}

/// What an import did, and why nothing came in when nothing did.
fn import_notice(
    source: &str,
    n_new: usize,
    n_known: usize,
    n_total: usize,
    mut errors: Vec<String>,
    n_bad_rows: usize,
) -> Notice {
    let known = match n_known {
        0 => String::new(),
        n => format!("; {n} row(s) identical to rows already loaded were not added again"),
    };
    let summary =
        format!("Imported {source}: {n_new} sessions added, {n_total} in the dataset{known}");
    if errors.is_empty() {
        return match (n_new, n_known) {
            (0, 0) => Notice::error(format!(
                "Nothing imported from {source}: the file holds no session rows below its header."
            )),
            (0, _) => Notice::info(format!(
                "Nothing imported from {source}: all {n_known} of its rows are already in the dataset."
            )),
            _ => Notice::info(summary),
        };
    }
    let first = errors.first().map_or(String::new(), |e| located(e, source));
    // Problems are the located messages (the first MAX_KEPT_ERRORS are kept); rows are what
    // they cost: one problem, such as a UTF-16 file or an unclosed quote, can reject many rows.
    let n_problems = match errors.len() {
        n if n >= MAX_KEPT_ERRORS => format!("{n} or more"),
        n => n.to_string(),
    };
    let text = if n_new == 0 {
        format!(
            "Nothing imported from {source}: no row could be read ({n_problems} problem(s)). \
             First problem: {first}. Rows rejected: {n_bad_rows}."
        )
    } else {
        format!("{summary}; {n_bad_rows} bad row(s) skipped")
    };
    if errors.len() >= MAX_KEPT_ERRORS {
        errors.push(format!(
            "… and more problems: {n_bad_rows} bad row(s) in all"
        ));
    }
    Notice {
        is_error: true,
        text,
        details: errors,
    }
}

/// An import error (`file:line: what`) as "line N: what", lines counted from 1 as the file's.
pub fn located(error: &str, file: &str) -> String {
    let rest = error
        .strip_prefix(file)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or(error);
    match rest.split_once(": ") {
        Some((line, what)) if line.parse::<u64>().is_ok() => format!("line {line}: {what}"),
        _ => rest.trim_start().to_owned(),
    }
}

impl State {
    /// The id of the version that serves predictions.
    pub fn active_id(&self) -> Option<u32> {
        self.active.as_ref().map(|a| a.id)
    }

    /// The serving version's training ranges, when it was trained here.
    pub fn active_ranges(&self) -> Option<&super::guard::InputRanges> {
        self.active_id()
            .and_then(|id| self.versions.iter().find(|v| v.id == id))
            .and_then(|v| v.ranges.as_ref())
    }

    /// The version whose delete waits for a second click.
    pub fn confirming_delete(&self) -> Option<u32> {
        match self.confirm {
            Some(Confirm::Delete(id)) => Some(id),
            _ => None,
        }
    }

    /// Timings of the serving version when it was trained here, else of the last run.
    pub fn shown_timings(&self) -> Option<Timings> {
        self.active_id()
            .and_then(|id| self.versions.iter().find(|v| v.id == id))
            .and_then(|v| v.timings)
            .or(self.last_timings)
    }
}

/// Venue → capacity as first seen in `sessions`, by venue name: the prediction form fills in
/// the capacity of a venue the dataset knows.
pub fn venue_capacities(sessions: &[Session]) -> Vec<(String, u32)> {
    let mut map = std::collections::BTreeMap::new();
    for s in sessions {
        map.entry(s.input.venue.clone())
            .or_insert(s.input.venue_capacity);
    }
    map.into_iter().collect()
}
