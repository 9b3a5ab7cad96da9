//! Parquet files of the university: `campus generate --format parquet --out DIR` writes one file
//! per table, `TABLE.parquet`, or with `--part K/N` that part's rows of each table as
//! `TABLE.partKofN.parquet` (the CSV parts' cuts and names), so parts made on several machines
//! read as one dataset (`read_parquet('DIR/students.part*.parquet')` in DuckDB, a folder of them
//! in Spark or Trino). Tables are written in parallel, one per task (`--threads`). Every file is
//! staged: all of them appear, or none.

use std::io;
use std::path::Path;

use anyhow::Context;
use campus_gen::Ums;
use campus_jobs::parallel::in_order;
use campus_parquet::{ParquetOptions, write_table};
use campus_schema::Dataset;
use campus_sql::Part;
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::{Inputs, StagedFile, commit};

/// What a run wrote.
pub struct Written {
    pub files: usize,
    pub rows: u64,
    pub bytes: u64,
}

/// Writes every table of `ums` (or `part` of each) into `dir` as Parquet, one table per task on
/// `threads` threads (largest tables first). Each file is one table's, written by one task, so
/// its bytes do not depend on the number of threads.
pub fn write(
    ums: &Ums,
    part: Option<Part>,
    dir: &Path,
    quiet: bool,
    threads: usize,
) -> anyhow::Result<Written> {
    let ranges: Vec<(u64, u64)> = (0..ums.tables().len())
        .map(|t| {
            let n_rows = ums.n_rows(t);
            part.map_or((0, n_rows), |p| p.table_range(n_rows))
        })
        .collect();
    let bar = progress_bar(quiet, ranges.iter().map(|(a, b)| b - a).sum());
    let options = ParquetOptions::default();
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&t| std::cmp::Reverse(ranges.get(t).map_or(0, |(a, b)| b - a)));
    let inputs = Inputs::default();
    let produce = |idx: usize| -> anyhow::Result<(StagedFile, u64, u64)> {
        let table_idx = order.get(idx).copied().unwrap_or_default();
        let (Some(table), Some(&rows)) = (ums.tables().get(table_idx), ranges.get(table_idx))
        else {
            anyhow::bail!("no table {table_idx}");
        };
        let name = match part {
            Some(p) => format!("{}.part{}of{}.parquet", table.name, p.index, p.count),
            None => format!("{}.parquet", table.name),
        };
        let path = dir.join(&name);
        let file = StagedFile::create(&path, &inputs)?;
        let out = Counted { file, bytes: 0 };
        let mut progress = |n: u64| bar.inc(n);
        let out = write_table(ums, table_idx, rows, out, &options, &mut progress)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok((out.file, rows.1 - rows.0, out.bytes))
    };
    let mut staged = Vec::new();
    let mut written = Written {
        files: 0,
        rows: 0,
        bytes: 0,
    };
    in_order(threads, order.len(), produce, |_, made| {
        let (file, rows, bytes) = made?;
        written.files += 1;
        written.rows += rows;
        written.bytes += bytes;
        staged.push(file);
        anyhow::Ok(())
    })?;
    commit(staged, &[])?;
    bar.finish_and_clear();
    Ok(written)
}

fn progress_bar(quiet: bool, rows: u64) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(rows);
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} rows to Parquet ({per_sec})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// A staged file as the `io::Write` the Parquet writer takes, counting its bytes.
pub struct Counted {
    pub file: StagedFile,
    pub bytes: u64,
}

impl io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf).map_err(io::Error::other)?;
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
