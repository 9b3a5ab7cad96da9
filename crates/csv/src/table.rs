//! One table of a [`Dataset`] as a CSV file, produced in chunks on demand.

use campus_schema::Dataset;

use crate::CsvWriter;

/// Streams `header + rows` of one table; the bytes do not depend on the chunk sizes asked for.
pub struct TableCsv<D> {
    dataset: D,
    table_idx: usize,
    row_idx: u64,
    end: u64,
    writer: CsvWriter,
}

impl<D: Dataset> TableCsv<D> {
    /// The whole table, header first.
    pub fn new(dataset: D, table_idx: usize) -> TableCsv<D> {
        let end = dataset.n_rows(table_idx);
        TableCsv::rows(dataset, table_idx, 0, end)
    }

    /// Rows `start..end`; the header comes with row 0 only, so consecutive non-empty ranges
    /// concatenate to the whole file.
    pub fn rows(dataset: D, table_idx: usize, start: u64, end: u64) -> TableCsv<D> {
        TableCsv::part(dataset, table_idx, start, end, start == 0)
    }

    /// Rows `start..end`, after the header when `header` is set. Slices that may be empty (a
    /// table of fewer rows than parts) say which one carries the header, so that exactly one
    /// does and the parts still concatenate to the whole file.
    pub fn part(dataset: D, table_idx: usize, start: u64, end: u64, header: bool) -> TableCsv<D> {
        let mut writer = CsvWriter::new();
        if let (true, Some(table)) = (header, dataset.tables().get(table_idx)) {
            writer.header(table);
        }
        let end = end.min(dataset.n_rows(table_idx));
        TableCsv {
            dataset,
            table_idx,
            row_idx: start,
            end,
            writer,
        }
    }

    pub fn rows_done(&self) -> u64 {
        self.row_idx
    }

    /// Appends to `out` until it holds at least `min_len` bytes or the table ends; returns
    /// whether more remains.
    pub fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> bool {
        loop {
            out.append(&mut self.writer.buf);
            if out.len() >= min_len || self.row_idx >= self.end {
                return self.row_idx < self.end;
            }
            let batch_end = (self.row_idx + 256).min(self.end);
            while self.row_idx < batch_end {
                self.dataset
                    .write_row(self.table_idx, self.row_idx, &mut self.writer);
                self.row_idx += 1;
            }
        }
    }
}
