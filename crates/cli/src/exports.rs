//! `campus generate --format exports|sessions`: the registrar's AKTU-style exports of the
//! generated university (and, with dirt, the answer key), or its class sessions in the
//! occupancy layout.

use std::fs;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use anyhow::{Context, bail};
use campus_gen::Config;
use campus_gen::exports::{DefectKind, Dirt, ExportId, ExportOptions, Exports};
use campus_jobs::generate::lesson::{AnswerKey, lesson_sessions, lesson_sessions_on};
use campus_jobs::generate::pieces::CsvPieces;
use campus_jobs::parallel::in_order;
use clap::Args;

use crate::output::{Inputs, StagedFile, check_folder, commit, write_whole};

/// Settings of the exports and sessions (`--format exports` or `--format sessions`).
#[derive(Args, Debug)]
pub struct LessonArgs {
    /// Exports and sessions: the planted Pearson correlation between an enrollment's attendance
    /// rate and its final score, which the ETL workbench recovers from clean exports.
    #[arg(long, default_value_t = 0.6, allow_hyphen_values = true)]
    attendance_marks_r: f64,
    /// Exports and sessions: teaching weeks of the academic year.
    #[arg(long, default_value_t = 30)]
    teaching_weeks: u32,
    /// Exports and sessions: lectures of every module each week.
    #[arg(long, default_value_t = 2)]
    lectures_per_week: u32,
    /// Exports: plant every kind of defect (duplicate rows, orphan keys, impossible dates, mixed
    /// date formats, blank and non-numeric marks, padded keys) at this rate per row (0 to 0.2),
    /// and write answer_key.csv (file, line, kind) listing each.
    #[arg(long, default_value_t = 0.0)]
    dirt: f64,
    /// Exports: plant only these kinds of defect at the --dirt rate (comma-separated, as the
    /// answer key names them: duplicate_row, orphan_key, impossible_date, mixed_date_format,
    /// blank_mark, non_numeric_mark, padded_key).
    #[arg(long, value_delimiter = ',', value_parser = parse_defect_kind)]
    dirt_kinds: Vec<DefectKind>,
    /// Sessions: the share of lectures that overflow their room (0 to 1), planted by sizing
    /// each module's room from its lectures' attendance. Without it, rooms are sized for the
    /// expected attendance and only unusually full lectures overflow.
    #[arg(long)]
    overcrowding_rate: Option<f64>,
}

fn parse_defect_kind(name: &str) -> Result<DefectKind, String> {
    DefectKind::from_name(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = DefectKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "unknown kind of defect {name:?}: one of {}",
            names.join(", ")
        )
    })
}

impl LessonArgs {
    fn options(&self) -> ExportOptions {
        ExportOptions {
            teaching_weeks: self.teaching_weeks,
            lectures_per_week: self.lectures_per_week,
            attendance_marks_r: self.attendance_marks_r,
            dirt: if self.dirt_kinds.is_empty() {
                Dirt::uniform(self.dirt)
            } else {
                Dirt::only(self.dirt, &self.dirt_kinds)
            },
            overcrowding_rate: self.overcrowding_rate,
        }
    }

    /// The exports of the university `config` describes, to be written to `out`, which must be
    /// a path (`ask_for_path` says what kind, before "with --out").
    fn exports(&self, config: Config, out: &Path, ask_for_path: &str) -> anyhow::Result<Exports> {
        if out.as_os_str() == "-" {
            bail!("{ask_for_path} with --out");
        }
        Exports::new(config, self.options()).context("invalid export settings")
    }
}

pub use campus_gen::exports::ANSWER_KEY;

/// Writes the four exports (and the answer key when dirt is planted) into folder `out`; returns
/// the bytes written. The files are staged ([`crate::output`]): each is written to a temporary
/// name and all of them are moved into place together once complete, so a failed or interrupted
/// run leaves the folder as it was; a device or FIFO already under an export's name is written
/// directly, never replaced.
///
/// Each export is cut into pieces of `piece_rows` rows made on `threads` threads and written in
/// order ([`campus_jobs::generate::pieces::CsvPieces`]), so the bytes are one thread's.
pub fn write_exports(
    config: Config,
    lesson: &LessonArgs,
    out: &Path,
    quiet: bool,
    (threads, piece_rows): (usize, u64),
) -> anyhow::Result<u64> {
    let started = Instant::now();
    let exports = lesson.exports(config, out, "exports are one file each: give a folder")?;
    check_folder(out)?;
    fs::create_dir_all(out).with_context(|| format!("cannot create folder {}", out.display()))?;
    let inputs = Inputs::default();
    let mut bytes = 0u64;
    let mut staged: Vec<StagedFile> = Vec::new();
    let mut chunk = Vec::with_capacity(1 << 20);
    for export in ExportId::ALL {
        let mut file = StagedFile::create(&out.join(export.file_name()), &inputs)?;
        let n_pieces = CsvPieces::new(&exports, export.index(), None, piece_rows).len();
        // The exports keep a one-row cache (not shared between threads): each piece is made
        // from its own copy.
        let shared = Mutex::new(exports.clone());
        in_order(
            threads,
            n_pieces,
            |idx| {
                let mut piece = Vec::with_capacity(2 << 20);
                let copy = shared
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                CsvPieces::new(copy, export.index(), None, piece_rows).piece(idx, &mut piece);
                piece
            },
            |_, piece| -> anyhow::Result<()> {
                bytes += piece.len() as u64;
                file.write(&piece)
            },
        )?;
        staged.push(file);
        if !quiet {
            eprintln!(
                "  {:<28} {:>12} rows",
                export.file_name(),
                exports.count(export)
            );
        }
    }
    // Without dirt there is no answer key: one left by an earlier dirty run is stale.
    let answer_key = out.join(ANSWER_KEY);
    let mut stale = Vec::new();
    if campus_jobs::generate::lesson::has_answer_key(&exports) {
        let mut file = StagedFile::create(&answer_key, &inputs)?;
        let mut key = AnswerKey::new(&exports);
        bytes += write_chunks(&mut file, &mut chunk, |out| key.fill(out, 1 << 20))?;
        staged.push(file);
        if !quiet {
            eprintln!("  {ANSWER_KEY:<28} {:>12} planted defects", key.defects());
        }
    } else {
        stale.push(answer_key);
    }
    commit(staged, &stale)?;
    if !quiet {
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "wrote {:.1} MB in {seconds:.2} s ({:.1} MB/s)",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / seconds
        );
    }
    Ok(bytes)
}

/// Writes the sessions CSV to `out` (`-` for standard output) the safe way
/// ([`crate::output::write_whole`]); returns the bytes written.
pub fn write_sessions(
    config: Config,
    lesson: &LessonArgs,
    out: &Path,
    quiet: bool,
    threads: Option<u16>,
) -> anyhow::Result<u64> {
    let exports = Exports::new(config, lesson.options()).context("invalid export settings")?;
    // The enrollments are counted on the threads; the sessions are the same at any count.
    let sessions = match crate::parallel::spread(threads) {
        Some(spread) => lesson_sessions_on(&exports, spread.as_ref()),
        None => lesson_sessions(&exports),
    };
    let text = campus_occupancy::write_csv(&sessions);
    write_whole(out, text.as_bytes(), &Inputs::default())?;
    if !quiet {
        eprintln!("  {} sessions", sessions.len());
    }
    Ok(text.len() as u64)
}

/// Writes what `fill` produces into `file`, a chunk at a time through `chunk`, until `fill` says
/// nothing more remains; returns the bytes written.
fn write_chunks(
    file: &mut StagedFile,
    chunk: &mut Vec<u8>,
    mut fill: impl FnMut(&mut Vec<u8>) -> bool,
) -> anyhow::Result<u64> {
    let mut bytes = 0;
    loop {
        chunk.clear();
        let more = fill(chunk);
        file.write(chunk)?;
        bytes += chunk.len() as u64;
        if !more {
            return Ok(bytes);
        }
    }
}
