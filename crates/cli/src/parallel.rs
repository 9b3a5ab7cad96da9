//! `campus generate --threads N`: the script or the CSV files produced as pieces on N threads
//! ([`campus_jobs::generate::pieces`]) and written in order, so the bytes are those of one
//! thread. A few pieces per thread are in flight at most. Also the pool a command's `--threads`
//! gives the core's services ([`spread`]).

use std::io;

use anyhow::Context;
use campus_gen::{TableId, Ums};
use campus_jobs::generate::pieces::{CsvPieces, ScriptPieces, csv_file_name};
use campus_jobs::generate::{Request, Summary};
use campus_jobs::parallel::in_order;
use campus_schema::Dataset;

use crate::generate::{AtomicFile, GenerateArgs, Output, progress_bar};
use crate::output::{Inputs, StagedFile, commit};

/// The pool of `--threads N` (every core when not given) as a core service's `Spread`; `None`
/// for one thread, or when the threads cannot start (the service then works one by one).
pub fn spread(threads: Option<u16>) -> Option<std::sync::Arc<dyn campus_schema::spread::Spread>> {
    let threads = threads.map_or_else(campus_jobs::parallel::default_threads, usize::from);
    if threads < 2 {
        return None;
    }
    let pool = campus_jobs::parallel::Pool::new(threads)?;
    Some(std::sync::Arc::new(pool))
}

/// Writes what `request` asks for on `args.threads()` threads, each file starting with
/// `prelude` and the script ending with `postlude` (a part's); `None` when the request is not one this path serves (one thread, a zip, a check),
/// which the caller then runs as before.
pub fn generate(
    args: &GenerateArgs,
    request: &Request,
    (prelude, postlude): (&[u8], &[u8]),
) -> anyhow::Result<Option<Summary>> {
    let threads = args.threads();
    if threads < 2 {
        return Ok(None);
    }
    let summary = match request {
        Request::Sql { config, script } => {
            let ums = Ums::new(config.clone()).context("invalid sizes")?;
            let pieces = ScriptPieces::new(&ums, script, args.piece_rows())?;
            let rows_total = if script.data {
                match script.part {
                    Some(part) => {
                        let (start, end) = part.range(&ums);
                        end - start
                    }
                    None => total_rows(&ums),
                }
            } else {
                0
            };
            let bar = progress_bar(args.quiet());
            bar.set_length(rows_total);
            let mut output = if args.is_stdout() {
                Output::Stdout(io::stdout().lock())
            } else {
                Output::File(AtomicFile::create(args.out())?)
            };
            output.write(prelude)?;
            let mut bytes = 0;
            in_order(
                threads,
                pieces.len(),
                |idx| {
                    let mut out = Vec::with_capacity(2 << 20);
                    pieces.piece(idx, &mut out).map(|rows| (out, rows))
                },
                |_, piece| -> anyhow::Result<()> {
                    let (piece, rows) = piece?;
                    output.write(&piece)?;
                    bytes += piece.len() as u64;
                    bar.inc(rows);
                    Ok(())
                },
            )?;
            output.write(postlude)?;
            output.finish(&mut Vec::new())?;
            bar.finish_and_clear();
            summary(&ums, bytes)
        }
        Request::CsvFiles { config, part } => {
            let ums = Ums::new(config.clone()).context("invalid sizes")?;
            let bar = progress_bar(args.quiet());
            let rows_total: u64 = (0..ums.tables().len())
                .map(|t| {
                    let n = ums.n_rows(t);
                    let (start, end) = part.map_or((0, n), |p| p.table_range(n));
                    end - start
                })
                .sum();
            bar.set_length(rows_total);
            let mut staged: Vec<StagedFile> = Vec::new();
            let mut bytes = 0;
            for (table_idx, table) in ums.tables().iter().enumerate() {
                let path = args.out().join(csv_file_name(&table.name, *part));
                let mut output = Output::Staged(StagedFile::create(&path, &Inputs::default())?);
                output.write(prelude)?;
                let pieces = CsvPieces::new(&ums, table_idx, *part, args.piece_rows());
                in_order(
                    threads,
                    pieces.len(),
                    |idx| {
                        let mut out = Vec::with_capacity(2 << 20);
                        let rows = pieces.piece(idx, &mut out);
                        (out, rows)
                    },
                    |_, (piece, rows)| -> anyhow::Result<()> {
                        output.write(&piece)?;
                        bytes += piece.len() as u64;
                        bar.inc(rows);
                        Ok(())
                    },
                )?;
                output.finish(&mut staged)?;
            }
            // Every file complete: they move into place together.
            commit(staged, &[])?;
            bar.finish_and_clear();
            summary(&ums, bytes)
        }
        _ => return Ok(None),
    };
    Ok(Some(summary))
}

fn total_rows(ums: &Ums) -> u64 {
    (0..ums.tables().len()).map(|t| ums.n_rows(t)).sum()
}

/// The summary the one-thread service gives: every table's rows in the whole dataset.
fn summary(ums: &Ums, bytes: u64) -> Summary {
    Summary {
        tables: TableId::ALL
            .iter()
            .map(|&t| (ums.table(t).name.to_string(), ums.count(t)))
            .collect(),
        bytes,
        stats: None,
        entries: Vec::new(),
    }
}
