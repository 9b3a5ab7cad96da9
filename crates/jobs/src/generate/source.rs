//! The generator's outputs behind one chunked interface: the SQL script and the streaming zip.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use campus_csv::TableCsv;
use campus_schema::Dataset;
use campus_sql::{ScriptWriter, SqlError};

use crate::JobError;
use crate::generate::ScriptChoices;

/// Output produced a chunk at a time; the bytes never depend on the chunk sizes asked for.
pub trait ChunkSource {
    /// Appends at least `min_len` bytes to `out` unless the output ends first; returns whether
    /// more remains.
    fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> Result<bool, JobError>;
    /// (rows written, rows in all).
    fn progress(&self) -> (u64, u64);
    /// For outputs that are not the database's tables: (file, rows) of each, and where each
    /// lies in the output, once complete.
    fn listing(&self) -> Option<Listing> {
        None
    }
}

/// The files of an output other than the database's tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    pub files: Vec<(String, u64)>,
    pub entries: Vec<crate::generate::lesson::ZipEntry>,
}

/// `Create_FullDB.sql`, or the slice of it the choices ask for.
pub struct SqlSource<D> {
    writer: ScriptWriter<D>,
}

impl<D: Dataset> SqlSource<D> {
    pub fn new(dataset: D, choices: &ScriptChoices) -> Result<SqlSource<D>, SqlError> {
        Ok(SqlSource {
            writer: ScriptWriter::new(dataset, choices.script_options())?,
        })
    }
}

impl<D: Dataset> ChunkSource for SqlSource<D> {
    fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> Result<bool, JobError> {
        Ok(self.writer.fill(out, min_len))
    }

    fn progress(&self) -> (u64, u64) {
        (self.writer.rows_done(), self.writer.rows_total())
    }
}

/// A `Write` whose bytes the zip writer appends and [`ZipSource`] drains chunk by chunk.
#[derive(Clone, Default)]
pub(crate) struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl SharedBuf {
    pub(crate) fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// Moves every byte written so far to the end of `out`.
    pub(crate) fn drain_into(&self, out: &mut Vec<u8>) {
        out.append(&mut self.0.borrow_mut());
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type Zip = zip::ZipWriter<zip::write::StreamWriter<SharedBuf>>;

/// Every table as `<table>.csv` in one deflated zip, streamed: only the current chunk and the
/// zip's small central directory are ever in memory.
pub struct ZipSource<D> {
    dataset: D,
    out: SharedBuf,
    zip: Option<Zip>,
    table_idx: usize,
    csv: Option<TableCsv<D>>,
    rows_before: u64,
    rows_total: u64,
    scratch: Vec<u8>,
    /// Whole files stored after the tables, in order.
    files: Vec<(String, Vec<u8>)>,
}

fn zip_error(what: &str, err: impl std::fmt::Display) -> JobError {
    JobError::new(format!("could not {what}: {err}"))
}

impl<D: Dataset + Clone> ZipSource<D> {
    pub fn new(dataset: D) -> ZipSource<D> {
        ZipSource::with_files(dataset, Vec::new())
    }

    /// The tables' CSV files, then `files` (name and bytes) in order.
    pub fn with_files(dataset: D, files: Vec<(String, Vec<u8>)>) -> ZipSource<D> {
        let out = SharedBuf::default();
        let rows_total = (0..dataset.tables().len()).map(|t| dataset.n_rows(t)).sum();
        ZipSource {
            dataset,
            zip: Some(zip::ZipWriter::new_stream(out.clone())),
            out,
            table_idx: 0,
            csv: None,
            rows_before: 0,
            rows_total,
            scratch: Vec::with_capacity(1 << 20),
            files,
        }
    }

    /// Writes a little more into the zip; returns false once the zip is complete.
    fn step(&mut self) -> Result<bool, JobError> {
        let Some(zip) = self.zip.as_mut() else {
            return Ok(false);
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6))
            .large_file(false);
        if self.csv.is_none() {
            let Some(table) = self.dataset.tables().get(self.table_idx) else {
                // Every table written: the scripts, then the central directory ends the file.
                if !self.files.is_empty() {
                    let (name, bytes) = self.files.remove(0);
                    zip.start_file(name.as_str(), options)
                        .map_err(|err| zip_error(&format!("start {name} in the zip"), err))?;
                    zip.write_all(&bytes)
                        .map_err(|err| zip_error("write to the zip", err))?;
                    return Ok(true);
                }
                if let Some(zip) = self.zip.take() {
                    zip.finish()
                        .map_err(|err| zip_error("finish the zip", err))?;
                }
                return Ok(false);
            };
            let name = format!("{}.csv", table.name);
            zip.start_file(name.as_str(), options)
                .map_err(|err| zip_error(&format!("start {name} in the zip"), err))?;
            self.csv = Some(TableCsv::new(self.dataset.clone(), self.table_idx));
        }
        if let Some(csv) = self.csv.as_mut() {
            self.scratch.clear();
            let more = csv.fill(&mut self.scratch, 256 << 10);
            zip.write_all(&self.scratch)
                .map_err(|err| zip_error("write to the zip", err))?;
            if !more {
                self.rows_before += self.dataset.n_rows(self.table_idx);
                self.csv = None;
                self.table_idx += 1;
            }
        }
        Ok(true)
    }
}

impl<D: Dataset + Clone> ChunkSource for ZipSource<D> {
    fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> Result<bool, JobError> {
        let mut more = true;
        while more && out.len() + self.out.0.borrow().len() < min_len {
            more = self.step()?;
        }
        out.append(&mut self.out.0.borrow_mut());
        Ok(more)
    }

    fn progress(&self) -> (u64, u64) {
        let in_table = self.csv.as_ref().map_or(0, |csv| csv.rows_done());
        (self.rows_before + in_table, self.rows_total)
    }
}
