//! `campus generate --format sqlite`: the university as one SQLite database file, loaded by the
//! same stepped loader the page's database worker runs.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;
use campus_db::{Database, Loader};
use campus_gen::Ums;
use indicatif::{ProgressBar, ProgressStyle};

/// Rows per loader step: small enough for a smooth progress bar, large enough to cost nothing.
const STEP_ROWS: u64 = 50_000;

/// Loads every table into an in-memory database (keys enforced and checked) and writes its
/// bytes to `out` (`-` for standard output) through a temporary file, so an interrupted run
/// never leaves a truncated database under the real name. Returns the bytes written.
pub fn write(ums: &Ums, out: &Path, quiet: bool) -> anyhow::Result<u64> {
    let mut db = Database::open_in_memory().context("cannot open an in-memory SQLite database")?;
    let mut loader = Loader::new(ums.clone());
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(loader.rows_total());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} rows into SQLite ({per_sec})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    };
    loop {
        let progress = loader
            .step(&mut db, STEP_ROWS)
            .context("cannot load the university into SQLite")?;
        bar.set_position(progress.rows_done);
        if progress.finished {
            break;
        }
    }
    bar.finish_and_clear();
    let bytes = db.to_bytes().context("cannot serialise the database")?;
    if out.as_os_str() == "-" {
        let mut stdout = io::stdout().lock();
        stdout
            .write_all(&bytes)
            .and_then(|()| stdout.flush())
            .context("cannot write to standard output")?;
    } else {
        write_atomically(out, &bytes)?;
    }
    Ok(bytes.len() as u64)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
    temp_name.push(".partial");
    let temp = path.with_file_name(temp_name);
    let written = File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(err) = written {
        let _ = fs::remove_file(&temp);
        return Err(err).with_context(|| format!("cannot write {}", path.display()));
    }
    fs::rename(&temp, path)
        .with_context(|| format!("cannot move the finished file to {}", path.display()))
}
