//! SQLite database files: `campus generate --format sqlite` (the university, loaded by the same
//! stepped loader the page's database worker runs), `campus etl --sqlite` (the staging tables)
//! and `campus occupancy generate --format sqlite` (the sessions). Every file is written whole
//! through the staged outputs of [`crate::output`], so an interrupted run never leaves a
//! truncated database under the real name.

use std::path::Path;

use anyhow::Context;
use campus_db::{CsvTable, Database, Loader};
use campus_gen::Ums;
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::{Inputs, StagedFile, write_whole};

/// Rows per loader step: small enough for a smooth progress bar, large enough to cost nothing.
const STEP_ROWS: u64 = 50_000;

/// Loads every table into an in-memory database (keys enforced and checked) and writes its
/// bytes to `out` (`-` for standard output). Returns the bytes written.
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
    write_whole(out, &bytes, &Inputs::default())?;
    Ok(bytes.len() as u64)
}

/// A database of CSV files loaded as tables (typed, in one transaction, checked), as the bytes
/// of a `.sqlite` file, and the rows loaded.
pub fn tables_database(files: Vec<CsvTable>) -> anyhow::Result<(Vec<u8>, u64)> {
    let mut db = Database::open_in_memory().context("cannot open an in-memory SQLite database")?;
    let rows = db
        .load_tables(files)
        .context("cannot load the tables into SQLite")?;
    let bytes = db.to_bytes().context("cannot serialise the database")?;
    Ok((bytes, rows))
}

/// The staged file of a database of `files`, to commit with a run's other outputs.
pub fn stage_tables(
    files: Vec<CsvTable>,
    out: &Path,
    inputs: &Inputs,
) -> anyhow::Result<(StagedFile, u64)> {
    let (bytes, rows) = tables_database(files)?;
    let mut file = StagedFile::create(out, inputs)?;
    file.write(&bytes)?;
    Ok((file, rows))
}
