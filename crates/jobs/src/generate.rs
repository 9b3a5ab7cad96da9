//! The generator job: the university as an SQL script, CSV files or a zip of them, with chart
//! figures gathered while the script is written.
//!
//! [`GenerateService`] answers a [`Request`] with [`Event::File`] (a file begins), its
//! [`Event::Chunk`]s and a final [`Event::Done`] carrying the [`Summary`]. The CLI writes the
//! chunks to files; the page's worker posts them to the page or writes them to its private file
//! system. The bytes never depend on the chunk size.
//!
//! Interesting modules: [`script`] (the script options, spelled once), [`source`] (the chunk
//! sources: the script and the streaming zip), [`stats`] (chart figures), [`form`] (the page's
//! form, parsed into typed per-field errors), [`page`] (the page's state and reducer).

pub mod form;
pub mod lesson;
pub mod lesson_form;
pub mod page;
pub mod pieces;
pub mod script;
pub mod shell;
pub mod source;
pub mod spread;
pub mod stats;
#[cfg(test)]
mod tests;

use std::rc::Rc;

use campus_csv::TableCsv;
use campus_gen::exports::{ExportOptions, Exports};
use campus_gen::{Config, TableId, Ums};
use campus_sql::Part;
use serde::{Deserialize, Serialize};

use crate::{Bytes, JobError, Service, Step};

pub use lesson::{EXPORTS_ZIP_FILE, SESSIONS_FILE, ZipEntry};
pub use script::{LOAD_FILE, SQL_FILE, ScriptChoices, VERIFY_FILE, ZIP_FILE, load_scripts};
pub use source::{ChunkSource, Listing, SqlSource, ZipSource};
pub use stats::{Stats, Tapped};

/// Bytes per chunk: big enough that messaging costs nothing, small enough to bound memory and
/// the time one step takes.
pub const CHUNK_BYTES: usize = 4 << 20;

/// What the generator can be asked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// `Create_FullDB.sql` (or the slice the choices ask for); chart figures come with it when it
    /// holds the whole data section.
    Sql {
        config: Config,
        script: ScriptChoices,
    },
    /// Every table as `<table>.csv` in one deflated zip, `university_csv.zip`, with the
    /// load and verify scripts ([`load_scripts`]) in the dialect and database `script` names.
    CsvZip {
        config: Config,
        #[serde(default)]
        script: ScriptChoices,
    },
    /// Every table as its own CSV file, `<table>.csv`, or `<table>.partKofN.csv` holding part K
    /// of N of its rows (the parts of a table concatenate to its whole file).
    CsvFiles { config: Config, part: Option<Part> },
    /// Checks every foreign key, unique column and cross-table fact. Holds the whole dataset in
    /// memory and runs in one step: for the CLI, up to a few hundred thousand students.
    Check { config: Config },
    /// The registrar's four exports of this university (and, with dirt, the answer key), stored
    /// in one zip, `university_exports.zip`; [`Summary::entries`] says where each file lies.
    Exports {
        config: Config,
        options: ExportOptions,
    },
    /// This university's lectures as occupancy sessions, `sessions.csv`.
    Sessions {
        config: Config,
        options: ExportOptions,
    },
}

/// What the generator reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// A file begins: the chunks that follow are its bytes, up to the next `File` or the end.
    File { name: String },
    /// The next bytes of the current file.
    Chunk {
        bytes: Bytes,
        rows_done: u64,
        rows_total: u64,
    },
    /// The request's last event: every file is complete.
    Done(Summary),
    /// The answer to [`Request::Check`]: the problems found, none when the dataset is sound.
    Checked { problems: Vec<String> },
}

/// The figures of a finished request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// (table name, rows) in schema order, for the whole dataset.
    pub tables: Vec<(String, u64)>,
    /// Bytes written, over every file.
    pub bytes: u64,
    /// Present for scripts that hold the whole data section.
    pub stats: Option<Stats>,
    /// Exports: where each file's bytes lie in the zip (stored, so a slice is the file).
    #[serde(default)]
    pub entries: Vec<ZipEntry>,
}

/// The generator as a [`Service`]: one request at a time, one chunk a step.
pub struct GenerateService {
    chunk_bytes: usize,
    job: Option<Job>,
}

impl Default for GenerateService {
    fn default() -> GenerateService {
        GenerateService::with_chunk_bytes(CHUNK_BYTES)
    }
}

struct Job {
    ums: Rc<Ums>,
    work: Work,
    bytes: u64,
    stats: Option<Rc<Tapped<Rc<Ums>>>>,
}

enum Work {
    /// One file from one source; `name` is announced first, and `more` turns false at its end.
    One {
        name: Option<&'static str>,
        source: Box<dyn ChunkSource>,
        more: bool,
    },
    Tables(Tables),
    Check,
}

/// The CSV files, one table after the other.
struct Tables {
    part: Option<Part>,
    table_idx: usize,
    /// The current table's writer and the first row it writes.
    csv: Option<(TableCsv<Rc<Ums>>, u64)>,
    rows_before: u64,
    rows_total: u64,
}

impl GenerateService {
    /// A service whose chunks hold at least `chunk_bytes` bytes (the last one excepted).
    pub fn with_chunk_bytes(chunk_bytes: usize) -> GenerateService {
        GenerateService {
            chunk_bytes: chunk_bytes.max(1),
            job: None,
        }
    }

    /// Writes a tiny script and throws it away, so that a browser has compiled the hot code
    /// before the first real request (which then takes about half as long).
    pub fn warm_up(&mut self) {
        let request = Request::Sql {
            config: Config::scaled(200),
            script: ScriptChoices::default(),
        };
        let _ = crate::drive(self, request, |_| true);
    }
}

impl Service for GenerateService {
    type Request = Request;
    type Event = Event;

    fn start(&mut self, request: Request) -> Result<(), JobError> {
        self.job = None;
        self.job = Some(Job::new(request)?);
        Ok(())
    }

    fn step(&mut self) -> Result<Step<Event>, JobError> {
        let Some(job) = self.job.as_mut() else {
            return Err(JobError::new("no generation is running"));
        };
        let step = job.step(self.chunk_bytes);
        if !matches!(step, Ok(Step::Event(_) | Step::Working)) {
            self.job = None;
        }
        step
    }

    fn cancel(&mut self) {
        self.job = None;
    }
}

impl Job {
    fn new(request: Request) -> Result<Job, JobError> {
        let config = match &request {
            Request::Sql { config, .. }
            | Request::CsvZip { config, .. }
            | Request::CsvFiles { config, .. }
            | Request::Check { config } => config.clone(),
            Request::Exports { config, options } | Request::Sessions { config, options } => {
                return Job::lesson(request.clone(), config.clone(), options.clone());
            }
        };
        let ums = Rc::new(Ums::new(config).map_err(|err| JobError::new(err.to_string()))?);
        let mut stats = None;
        let work = match request {
            Request::Sql { script, .. } => {
                let source: Box<dyn ChunkSource> = if script.data && script.part.is_none() {
                    let tapped = Rc::new(Tapped::new(ums.clone()));
                    stats = Some(tapped.clone());
                    Box::new(SqlSource::new(tapped, &script).map_err(sql_error)?)
                } else {
                    Box::new(SqlSource::new(ums.clone(), &script).map_err(sql_error)?)
                };
                Work::one(SQL_FILE, source)
            }
            Request::CsvZip { script, .. } => {
                let scripts = load_scripts(&ums, &script).map_err(sql_error)?;
                let extra = scripts.map(|(name, bytes)| (name.to_owned(), bytes));
                Work::one(
                    ZIP_FILE,
                    Box::new(ZipSource::with_files(ums.clone(), extra.into())),
                )
            }
            Request::CsvFiles { part, .. } => Work::Tables(Tables::new(&ums, part)),
            Request::Check { .. } => Work::Check,
            Request::Exports { .. } | Request::Sessions { .. } => {
                return Err(JobError::new("not a database request"));
            }
        };
        Ok(Job {
            ums,
            work,
            bytes: 0,
            stats,
        })
    }

    /// The exports or the sessions of the university `config` describes.
    fn lesson(request: Request, config: Config, options: ExportOptions) -> Result<Job, JobError> {
        let exports =
            Rc::new(Exports::new(config, options).map_err(|err| JobError::new(err.to_string()))?);
        let ums = Rc::new(exports.ums().clone());
        let work = match request {
            Request::Sessions { .. } => Work::one(
                SESSIONS_FILE,
                Box::new(lesson::SessionsSource::new(exports)),
            ),
            _ => Work::one(
                EXPORTS_ZIP_FILE,
                Box::new(lesson::ExportsZipSource::new(exports)),
            ),
        };
        Ok(Job {
            ums,
            work,
            bytes: 0,
            stats: None,
        })
    }

    fn step(&mut self, chunk_bytes: usize) -> Result<Step<Event>, JobError> {
        let event = match &mut self.work {
            Work::One { name, source, more } => {
                if let Some(name) = name.take() {
                    return Ok(Step::Event(Event::File { name: name.into() }));
                }
                if !*more {
                    return Ok(Step::Finished(Event::Done(self.summary())));
                }
                let mut chunk = Vec::with_capacity(chunk_bytes + (64 << 10));
                *more = source.fill(&mut chunk, chunk_bytes)?;
                chunk_event(chunk, source.progress())
            }
            Work::Tables(tables) => match tables.step(&self.ums, chunk_bytes) {
                Some(event) => event,
                None => return Ok(Step::Finished(Event::Done(self.summary()))),
            },
            Work::Check => {
                let problems = campus_gen::check::check(&self.ums);
                return Ok(Step::Finished(Event::Checked { problems }));
            }
        };
        Ok(match event {
            Some(event) => {
                if let Event::Chunk { bytes, .. } = &event {
                    self.bytes += bytes.0.len() as u64;
                }
                Step::Event(event)
            }
            None => Step::Working,
        })
    }

    fn summary(&self) -> Summary {
        if let Work::One { source, .. } = &self.work
            && let Some(listing) = source.listing()
        {
            return Summary {
                tables: listing.files,
                bytes: self.bytes,
                stats: None,
                entries: listing.entries,
            };
        }
        Summary {
            tables: TableId::ALL
                .iter()
                .map(|&t| (self.ums.table(t).name.to_string(), self.ums.count(t)))
                .collect(),
            bytes: self.bytes,
            stats: self.stats.as_ref().map(|tapped| tapped.stats()),
            entries: Vec::new(),
        }
    }
}

impl Work {
    fn one(name: &'static str, source: Box<dyn ChunkSource>) -> Work {
        Work::One {
            name: Some(name),
            source,
            more: true,
        }
    }
}

/// A chunk as an event; nothing when it is empty.
fn chunk_event(chunk: Vec<u8>, (rows_done, rows_total): (u64, u64)) -> Option<Event> {
    if chunk.is_empty() {
        return None;
    }
    Some(Event::Chunk {
        bytes: Bytes(chunk),
        rows_done,
        rows_total,
    })
}

fn sql_error(err: campus_sql::SqlError) -> JobError {
    JobError::new(err.to_string())
}

impl Tables {
    fn new(ums: &Ums, part: Option<Part>) -> Tables {
        let rows_total = TableId::ALL
            .iter()
            .map(|&t| Tables::range(part, ums.count(t)))
            .map(|(start, end)| end - start)
            .sum();
        Tables {
            part,
            table_idx: 0,
            csv: None,
            rows_before: 0,
            rows_total,
        }
    }

    fn range(part: Option<Part>, n_rows: u64) -> (u64, u64) {
        part.map_or((0, n_rows), |p| p.table_range(n_rows))
    }

    /// The file name of table `table` in this request.
    fn file_name(&self, table: &str) -> String {
        match self.part {
            Some(p) => format!("{table}.part{}of{}.csv", p.index, p.count),
            None => format!("{table}.csv"),
        }
    }

    /// The next event (`Some(None)`: nothing to report this step), or `None` after the last table.
    fn step(&mut self, ums: &Rc<Ums>, chunk_bytes: usize) -> Option<Option<Event>> {
        let Some((csv, start)) = self.csv.as_mut() else {
            let table = TableId::from_index(self.table_idx)?;
            let (start, end) = Tables::range(self.part, ums.count(table));
            let name = self.file_name(&ums.table(table).name);
            // The first part carries the header even when it holds no row, and only it.
            let header = self.part.is_none_or(|p| p.index == 1);
            let csv = TableCsv::part(ums.clone(), self.table_idx, start, end, header);
            self.csv = Some((csv, start));
            return Some(Some(Event::File { name }));
        };
        let mut chunk = Vec::with_capacity(chunk_bytes + (64 << 10));
        let more = csv.fill(&mut chunk, chunk_bytes);
        let rows_done = self.rows_before + (csv.rows_done() - *start);
        if !more {
            self.rows_before = rows_done;
            self.csv = None;
            self.table_idx += 1;
        }
        Some(chunk_event(chunk, (rows_done, self.rows_total)))
    }
}
