//! `campus generate --format exports|sessions`: the registrar's AKTU-style exports of the
//! generated university (and, with dirt, the answer key), or its class sessions in the
//! occupancy layout.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use campus_gen::Config;
use campus_gen::exports::{DefectKind, Dirt, ExportId, ExportOptions, Exports};
use campus_jobs::generate::lesson::{AnswerKey, lesson_sessions};
use clap::Args;

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
/// the bytes written. Every file goes to a temporary name first and is renamed once all are
/// complete, so an interrupted run leaves no truncated export under a real name.
pub fn write_exports(
    config: Config,
    lesson: &LessonArgs,
    out: &Path,
    quiet: bool,
) -> anyhow::Result<u64> {
    let started = Instant::now();
    let exports = lesson.exports(config, out, "exports are one file each: give a folder")?;
    fs::create_dir_all(out).with_context(|| format!("cannot create folder {}", out.display()))?;
    let mut bytes = 0u64;
    let mut finished: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| -> anyhow::Result<()> {
        for export in ExportId::ALL {
            let path = out.join(export.file_name());
            let temp = temp_path(&path);
            let mut file = create(&temp)?;
            let mut csv = campus_csv::TableCsv::new(&exports, export.index());
            let mut chunk = Vec::with_capacity(1 << 20);
            loop {
                chunk.clear();
                let more = csv.fill(&mut chunk, 1 << 20);
                file.write_all(&chunk)
                    .with_context(|| format!("cannot write {}", temp.display()))?;
                bytes += chunk.len() as u64;
                if !more {
                    break;
                }
            }
            finish(file, &temp)?;
            finished.push((temp, path));
            if !quiet {
                eprintln!(
                    "  {:<28} {:>12} rows",
                    export.file_name(),
                    exports.count(export)
                );
            }
        }
        if campus_jobs::generate::lesson::has_answer_key(&exports) {
            let path = out.join(ANSWER_KEY);
            let temp = temp_path(&path);
            let mut file = create(&temp)?;
            let n = write_answer_key(&exports, &mut file)
                .with_context(|| format!("cannot write {}", temp.display()))?;
            finish(file, &temp)?;
            finished.push((temp, path));
            if !quiet {
                eprintln!("  {ANSWER_KEY:<28} {n:>12} planted defects");
            }
        }
        Ok(())
    })();
    if let Err(err) = result {
        for (temp, _) in &finished {
            let _ = fs::remove_file(temp);
        }
        return Err(err);
    }
    for (temp, path) in finished {
        fs::rename(&temp, &path)
            .with_context(|| format!("cannot move the finished file to {}", path.display()))?;
    }
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

/// `file,line,kind` for every planted defect, in file and line order; returns their number.
pub fn write_answer_key(exports: &Exports, out: &mut dyn Write) -> std::io::Result<u64> {
    let mut key = AnswerKey::new(exports);
    let mut chunk = Vec::with_capacity(1 << 20);
    loop {
        chunk.clear();
        let more = key.fill(&mut chunk, 1 << 20);
        out.write_all(&chunk)?;
        if !more {
            return Ok(key.defects());
        }
    }
}

/// Writes the sessions CSV to `out`; returns the bytes written.
pub fn write_sessions(
    config: Config,
    lesson: &LessonArgs,
    out: &Path,
    quiet: bool,
) -> anyhow::Result<u64> {
    let exports = lesson.exports(config, out, "give a file name for the sessions")?;
    let sessions = lesson_sessions(&exports);
    let text = campus_occupancy::write_csv(&sessions);
    let temp = temp_path(out);
    let mut file = create(&temp)?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", temp.display()))?;
    finish(file, &temp)?;
    fs::rename(&temp, out)
        .with_context(|| format!("cannot move the finished file to {}", out.display()))?;
    if !quiet {
        eprintln!("  {} sessions", sessions.len());
    }
    Ok(text.len() as u64)
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

fn finish(file: BufWriter<File>, path: &Path) -> anyhow::Result<()> {
    let written = file
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all());
    if let Err(err) = written {
        let _ = fs::remove_file(path);
        return Err(err).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}
