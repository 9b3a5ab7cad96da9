//! The two things the worker can produce, behind one chunked interface.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use campus_schema::Dataset;
use campus_sql::{ScriptOptions, ScriptWriter, SqlError, enroll_student};
use serde::{Deserialize, Serialize};

/// Output produced a chunk at a time; the bytes never depend on the chunk sizes asked for.
pub trait ChunkSource {
    /// Appends at least `min_len` bytes to `out` unless the output ends first; returns whether
    /// more remains.
    fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> Result<bool, String>;
    /// (rows written, rows in all).
    fn progress(&self) -> (u64, u64);
}

/// The SQL options the page offers; the CLI's defaults are [`SqlChoices::default`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlChoices {
    pub database: String,
    pub schema: bool,
    pub data: bool,
    pub drop_existing: bool,
}

impl Default for SqlChoices {
    fn default() -> SqlChoices {
        let options = ScriptOptions::default();
        SqlChoices {
            database: options.database,
            schema: options.schema,
            data: options.data,
            drop_existing: options.drop_existing,
        }
    }
}

impl SqlChoices {
    /// The options `campus generate` uses, so the page's file is byte-identical to the CLI's.
    pub fn script_options(&self) -> ScriptOptions {
        ScriptOptions {
            database: self.database.clone(),
            title: "Create_FullDB.sql".into(),
            schema: self.schema,
            data: self.data,
            drop_existing: self.drop_existing,
            routines: vec![enroll_student()],
            part: None,
        }
    }

    pub fn validate(&self) -> Result<(), SqlError> {
        self.script_options().validate()
    }
}

/// `Create_FullDB.sql`.
pub struct SqlSource<'a> {
    writer: ScriptWriter<'a>,
}

impl<'a> SqlSource<'a> {
    pub fn new(dataset: &'a dyn Dataset, choices: &SqlChoices) -> Result<SqlSource<'a>, SqlError> {
        Ok(SqlSource {
            writer: ScriptWriter::new(dataset, choices.script_options())?,
        })
    }
}

impl ChunkSource for SqlSource<'_> {
    fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> Result<bool, String> {
        Ok(self.writer.fill(out, min_len))
    }

    fn progress(&self) -> (u64, u64) {
        (self.writer.rows_done(), self.writer.rows_total())
    }
}

/// A `Write` whose bytes the zip writer appends and [`ZipSource`] drains chunk by chunk.
#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

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
pub struct ZipSource<'a> {
    dataset: &'a dyn Dataset,
    out: SharedBuf,
    zip: Option<Zip>,
    table_idx: usize,
    csv: Option<campus_csv::TableCsv<'a>>,
    rows_before: u64,
    rows_total: u64,
    scratch: Vec<u8>,
}

impl<'a> ZipSource<'a> {
    pub fn new(dataset: &'a dyn Dataset) -> ZipSource<'a> {
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
        }
    }

    /// Writes a little more into the zip; returns false once the zip is complete.
    fn step(&mut self) -> Result<bool, String> {
        let Some(zip) = self.zip.as_mut() else {
            return Ok(false);
        };
        let tables = self.dataset.tables();
        if self.csv.is_none() {
            let Some(table) = tables.get(self.table_idx) else {
                // Every table written: the central directory ends the file.
                if let Some(zip) = self.zip.take() {
                    zip.finish()
                        .map_err(|err| format!("could not finish the zip: {err}"))?;
                }
                return Ok(false);
            };
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .compression_level(Some(6))
                .large_file(false);
            zip.start_file(format!("{}.csv", table.name), options)
                .map_err(|err| format!("could not start {}.csv in the zip: {err}", table.name))?;
            self.csv = Some(campus_csv::TableCsv::new(self.dataset, self.table_idx));
        }
        if let Some(csv) = self.csv.as_mut() {
            self.scratch.clear();
            let more = csv.fill(&mut self.scratch, 256 << 10);
            zip.write_all(&self.scratch)
                .map_err(|err| format!("could not write to the zip: {err}"))?;
            if !more {
                self.rows_before += self.dataset.n_rows(self.table_idx);
                self.csv = None;
                self.table_idx += 1;
            }
        }
        Ok(true)
    }
}

impl ChunkSource for ZipSource<'_> {
    fn fill(&mut self, out: &mut Vec<u8>, min_len: usize) -> Result<bool, String> {
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
