//! The generator's outputs as numbered pieces: a pure function from a piece's index to its
//! bytes, so that any number of threads (or, on the page, workers) can produce pieces in any
//! order and a writer that appends them in index order writes the bytes of one run.
//!
//! The cut points are the generator's own `--part` slices, taken finer: part `K/N` cut into
//! `M` pieces is parts `(K-1)·M+1 … K·M` of `N·M`, whose boundaries (on transaction
//! boundaries for SQL) are exactly part `K/N`'s at both ends, so every piece is whole
//! transactions and the pieces concatenate to the part (or to the whole data section).

use campus_csv::TableCsv;
use campus_schema::Dataset;
use campus_sql::{Part, ScriptOptions, ScriptWriter, SqlError};

use crate::generate::ScriptChoices;

/// Rows per piece: about a megabyte or two of SQL or CSV, so a few pieces per thread in flight
/// bound memory and the pieces are many more than the threads.
pub const ROWS_PER_PIECE: u64 = 16_384;

/// Sub-part `j` (1-based) of `m` of `part` (the whole data when `None`).
fn sub_part(part: Option<Part>, m: u64, j: u64) -> Part {
    let (k, n) = part.map_or((1, 1), |p| (p.index, p.count));
    Part {
        index: (k - 1) * m + j,
        count: n * m,
    }
}

/// The SQL script (or the part of it the choices ask for) as pieces: the prologue (header,
/// schema, the line opening the data section), the data in whole transactions, and the
/// epilogue. A part has an empty prologue and epilogue: it is data only.
pub struct ScriptPieces<D> {
    dataset: D,
    options: ScriptOptions,
    n_data: u64,
}

impl<D: Dataset> ScriptPieces<D> {
    /// The pieces of the script `choices` describe, each holding about `rows_per_piece` rows.
    pub fn new(
        dataset: D,
        choices: &ScriptChoices,
        rows_per_piece: u64,
    ) -> Result<ScriptPieces<D>, SqlError> {
        let options = choices.script_options();
        options.validate()?;
        let n_data = if options.data {
            let (start, end) = match options.part {
                Some(part) => part.range(&dataset),
                None => (
                    0,
                    (0..dataset.tables().len()).map(|t| dataset.n_rows(t)).sum(),
                ),
            };
            (end - start).div_ceil(rows_per_piece.max(1)).max(1)
        } else {
            0
        };
        Ok(ScriptPieces {
            dataset,
            options,
            n_data,
        })
    }

    /// Pieces in all (the prologue and the epilogue included).
    pub fn len(&self) -> usize {
        (self.n_data + 2) as usize
    }

    /// Never: there is always a prologue and an epilogue, even when empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends piece `idx` to `out`; returns the data rows it holds. An index past the end
    /// appends nothing.
    pub fn piece(&self, idx: usize, out: &mut Vec<u8>) -> Result<u64, SqlError> {
        let idx = idx as u64;
        let whole = self.options.part.is_none();
        if idx == 0 || idx == self.n_data + 1 {
            if whole {
                let mut writer = ScriptWriter::new(&self.dataset, self.options.clone())?;
                if idx == 0 {
                    writer.fill_prologue(out);
                } else {
                    writer.skip_rows();
                    writer.fill_prologue(&mut Vec::new());
                    writer.fill(out, usize::MAX);
                }
            }
            return Ok(0);
        }
        if idx > self.n_data {
            return Ok(0);
        }
        let options = ScriptOptions {
            schema: false,
            drop_existing: false,
            data: true,
            part: Some(sub_part(self.options.part, self.n_data, idx)),
            ..self.options.clone()
        };
        let mut writer = ScriptWriter::new(&self.dataset, options)?;
        writer.fill(out, usize::MAX);
        Ok(writer.rows_total())
    }
}

/// One table's CSV file (or its part) as pieces of about `rows_per_piece` rows; the first
/// piece carries the header when the file does.
pub struct CsvPieces<D> {
    dataset: D,
    table_idx: usize,
    part: Option<Part>,
    n_pieces: u64,
}

impl<D: Dataset> CsvPieces<D> {
    pub fn new(
        dataset: D,
        table_idx: usize,
        part: Option<Part>,
        rows_per_piece: u64,
    ) -> CsvPieces<D> {
        let n_rows = dataset.n_rows(table_idx);
        let (start, end) = part.map_or((0, n_rows), |p| p.table_range(n_rows));
        CsvPieces {
            dataset,
            table_idx,
            part,
            n_pieces: (end - start).div_ceil(rows_per_piece.max(1)).max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.n_pieces as usize
    }

    /// Never: a file has at least one piece (its header, when it holds no row).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends piece `idx` to `out`; returns the rows it holds. An index past the end appends
    /// nothing.
    pub fn piece(&self, idx: usize, out: &mut Vec<u8>) -> u64 {
        let idx = idx as u64;
        if idx >= self.n_pieces {
            return 0;
        }
        let n_rows = self.dataset.n_rows(self.table_idx);
        let (start, end) = sub_part(self.part, self.n_pieces, idx + 1).table_range(n_rows);
        // The file's first part carries the header, even when it holds no row, and only it.
        let header = idx == 0 && self.part.is_none_or(|p| p.index == 1);
        let mut csv = TableCsv::part(&self.dataset, self.table_idx, start, end, header);
        csv.fill(out, usize::MAX);
        end - start
    }
}

/// The file name of table `table` in a CSV request for `part` (as [`super::Request::CsvFiles`]
/// names it).
pub fn csv_file_name(table: &str, part: Option<Part>) -> String {
    match part {
        Some(p) => format!("{table}.part{}of{}.csv", p.index, p.count),
        None => format!("{table}.csv"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Event, GenerateService, Request};
    use campus_gen::{Config, Ums};
    use campus_sql::Dialect;

    /// Every file of a request as the service writes it: (name, bytes).
    fn service_files(request: Request) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut service = GenerateService::with_chunk_bytes(1 << 16);
        let driven = crate::drive(&mut service, request, |event| {
            match event {
                Event::File { name } => files.push((name, Vec::new())),
                Event::Chunk { bytes, .. } => {
                    if let Some((_, file)) = files.last_mut() {
                        file.extend_from_slice(&bytes.0);
                    }
                }
                _ => {}
            }
            true
        });
        assert!(driven.is_ok());
        files
    }

    fn config() -> Config {
        Config::scaled(300)
    }

    #[test]
    fn script_pieces_concatenate_to_the_script_in_every_dialect_and_part() {
        let Ok(ums) = Ums::new(config()) else {
            panic!("invalid sizes")
        };
        for dialect in [Dialect::MySql, Dialect::Postgres, Dialect::Sqlite] {
            for part in [None, Some(Part { index: 2, count: 3 })] {
                for (schema, data) in [(true, true), (true, false), (false, true)] {
                    if part.is_some() && schema {
                        continue;
                    }
                    let choices = ScriptChoices {
                        schema,
                        data,
                        part,
                        dialect,
                        drop_existing: schema,
                        ..ScriptChoices::default()
                    };
                    let expected = service_files(Request::Sql {
                        config: config(),
                        script: choices.clone(),
                    });
                    // Small pieces, so that many fall inside one transaction and are empty.
                    for rows_per_piece in [7, 500, 1 << 40] {
                        let Ok(pieces) = ScriptPieces::new(&ums, &choices, rows_per_piece) else {
                            panic!("valid choices refused")
                        };
                        let mut bytes = Vec::new();
                        for idx in 0..pieces.len() {
                            assert!(pieces.piece(idx, &mut bytes).is_ok());
                        }
                        assert_eq!(
                            bytes, expected[0].1,
                            "{dialect:?} {part:?} schema {schema} data {data}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn csv_pieces_concatenate_to_each_file_and_name_it_alike() {
        let Ok(ums) = Ums::new(config()) else {
            panic!("invalid sizes")
        };
        for part in [
            None,
            Some(Part { index: 1, count: 4 }),
            Some(Part { index: 4, count: 4 }),
        ] {
            let expected = service_files(Request::CsvFiles {
                config: config(),
                part,
            });
            assert_eq!(expected.len(), ums.tables().len());
            for (table_idx, (name, file)) in expected.iter().enumerate() {
                let table = &ums.tables()[table_idx];
                assert_eq!(&csv_file_name(&table.name, part), name);
                for rows_per_piece in [1, 13, 1 << 40] {
                    let pieces = CsvPieces::new(&ums, table_idx, part, rows_per_piece);
                    let mut bytes = Vec::new();
                    for idx in 0..pieces.len() {
                        pieces.piece(idx, &mut bytes);
                    }
                    assert_eq!(&bytes, file, "{name} at {rows_per_piece} rows a piece");
                }
            }
        }
    }

    #[test]
    fn export_pieces_concatenate_to_each_export_with_its_planted_defects() {
        use campus_gen::exports::{Dirt, ExportId, ExportOptions, Exports};
        let options = ExportOptions {
            dirt: Dirt::uniform(0.05),
            ..ExportOptions::default()
        };
        let Ok(exports) = Exports::new(config(), options) else {
            panic!("invalid export settings")
        };
        for export in ExportId::ALL {
            let mut whole = Vec::new();
            TableCsv::new(&exports, export.index()).fill(&mut whole, usize::MAX);
            assert!(whole.len() > 1000, "{} is not empty", export.file_name());
            for rows_per_piece in [1, 97, 1 << 40] {
                let pieces = CsvPieces::new(&exports, export.index(), None, rows_per_piece);
                let mut bytes = Vec::new();
                for idx in 0..pieces.len() {
                    pieces.piece(idx, &mut bytes);
                }
                assert!(
                    bytes == whole,
                    "{} at {rows_per_piece} rows a piece",
                    export.file_name()
                );
            }
        }
    }
}
