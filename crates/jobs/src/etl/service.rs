//! [`EtlService`]: the ETL core behind requests and events.

use std::sync::Arc;

use campus_etl::attack::{AttackOptions, DictionaryAttack};
use campus_etl::export::{Export, ExportOptions, staging_ddl_in};
use campus_etl::sample::generate;
use campus_etl::slices::ExportSeed;
use campus_etl::slices::{Cutter, Slice, SliceOut, Slicing, export_slice_into};
use campus_etl::{Etl, EtlOptions, FileKind, HashMode, PieceReader, ReadPiece, analyze, report};
use campus_schema::Date;
use campus_schema::spread::{OneByOne, Spread};
use campus_sql::Dialect;

use super::protocol::{
    Ack, AnalysisView, Analyzed, AttackState, Event, Exported, FileDone, FileSlicing, PieceRead,
    PieceSeedOf, Preview, Request, RunOptions, SampleFiles, Seed, SliceJob, preview,
};
use crate::{Bytes, JobError, Service, Step};

/// The ETL pipeline as a [`Service`]: the state of one run (every student, every key, the
/// reports) lives here between requests, so a shell only moves bytes.
///
/// Each request is one bounded step: a chunk is as large as the shell makes it, and an attack
/// step tries as many candidates as the request says.
pub struct EtlService {
    etl: Etl,
    clock: Option<fn() -> f64>,
    /// Milliseconds spent on the open file so far (with a clock).
    file_compute_ms: f64,
    preview: Option<Preview>,
    preview_pending: Option<String>,
    export: Option<Export>,
    attack: Option<DictionaryAttack>,
    pending: Option<Request>,
    /// The dialect of the staging SQL, set by [`Request::StagingDdl`].
    dialect: Dialect,
    /// Where the second pass writes its batches of rows (one by one unless a shell passes a pool).
    spread: Arc<dyn Spread>,
    /// Where the first pass reads its pieces of attendance (one by one unless a shell passes a
    /// pool): nothing else runs then, so a shell may give it every thread.
    read_spread: Arc<dyn Spread>,
    /// Emptied output buffers a shell gave back, the next chunk's outputs.
    spare: Vec<Vec<u8>>,
    /// The kind and name of the file pass one is reading.
    reading: Option<(FileKind, String)>,
    /// Notes where the file being read may be cut, when [`Request::CutFile`] asked.
    cutter: Option<Cutter>,
    /// Where the file last read may be cut, until [`Request::Cuts`] takes it.
    slicing: Option<Slicing>,
    /// A helper's reader of pieces of the run's attendance file ([`Request::TakePieceSeed`]).
    pieces: Option<PieceReader>,
}

impl Default for EtlService {
    fn default() -> EtlService {
        EtlService {
            etl: Etl::new(EtlOptions::default()),
            clock: None,
            file_compute_ms: 0.0,
            preview: None,
            preview_pending: None,
            export: None,
            attack: None,
            dialect: Dialect::MySql,
            pending: None,
            spread: Arc::new(OneByOne),
            read_spread: Arc::new(OneByOne),
            spare: Vec::new(),
            reading: None,
            cutter: None,
            slicing: None,
            pieces: None,
        }
    }
}

impl std::fmt::Debug for EtlService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtlService")
            .field("exporting", &self.export.is_some())
            .field("attacking", &self.attack.is_some())
            .finish_non_exhaustive()
    }
}

/// `FIRST:LAST` as two ISO dates.
pub fn parse_semester(text: &str) -> Option<(Date, Date)> {
    let (first, last) = text.split_once(':')?;
    let (first, last) = (Date::parse_iso(first)?, Date::parse_iso(last)?);
    // A reversed range would put every date outside the semester.
    (first <= last).then_some((first, last))
}

/// The core's options for a run; an error names the option that is wrong.
pub fn etl_options(options: &RunOptions) -> Result<EtlOptions, JobError> {
    let hash = match &options.keyed_secret {
        Some(secret) if secret.is_empty() => {
            return Err(JobError::new("a keyed hash needs a secret"));
        }
        Some(secret) => HashMode::Keyed {
            secret: secret.as_bytes().to_vec(),
        },
        None => HashMode::Sha256,
    };
    let semester = match &options.semester {
        None => None,
        Some(text) => Some(parse_semester(text).ok_or_else(|| {
            JobError::new("the semester wants FIRST:LAST as ISO dates, e.g. 2024-08-01:2024-12-15")
        })?),
    };
    let defaults = EtlOptions::default();
    let max_record_bytes = match options.max_record_bytes {
        None => defaults.max_record_bytes,
        Some(0) => return Err(JobError::new("the record limit must be at least one byte")),
        Some(limit) => usize::try_from(limit).unwrap_or(usize::MAX),
    };
    Ok(EtlOptions {
        hash,
        deidentify: options.deidentify,
        semester,
        delimiter: options.delimiter,
        max_record_bytes,
        columns: options.columns.clone(),
        max_examples: options.max_examples.map_or(defaults.max_examples, |n| {
            usize::try_from(n).unwrap_or(usize::MAX)
        }),
        ..defaults
    })
}

impl EtlService {
    /// A service that measures its compute time with `clock` (milliseconds, any origin), for a
    /// shell that shows it; the core itself never reads a clock.
    pub fn with_clock(clock: fn() -> f64) -> EtlService {
        EtlService {
            clock: Some(clock),
            ..EtlService::default()
        }
    }

    /// Writes the second pass's rows as batches run by `spread` (a native shell's thread pool):
    /// the same bytes as one by one.
    pub fn set_spread(&mut self, spread: Arc<dyn Spread>) {
        self.spread = spread;
    }

    /// Reads the first pass's attendance a piece per task run by `spread`, with the cutter
    /// beside them ([`campus_etl::Etl::feed_on`]): the same state as one by one.
    pub fn set_read_spread(&mut self, spread: Arc<dyn Spread>) {
        self.read_spread = spread;
    }

    /// Gives back a buffer an [`Event::Exported`] carried, once its bytes are written: the next
    /// chunk's output goes into it, so a native shell that writes and gives back does not map
    /// fresh memory for every chunk (a page's buffers cross to another thread and stay there).
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        if self.spare.len() < MAX_SPARE {
            buf.clear();
            self.spare.push(buf);
        }
    }

    /// The run's state, for a shell that reads it directly (tests).
    pub fn etl(&self) -> &Etl {
        &self.etl
    }

    fn now(&self) -> f64 {
        self.clock.map_or(0.0, |clock| clock())
    }

    fn answer(&mut self, request: Request) -> Result<Event, JobError> {
        match request {
            Request::Reset { options } => {
                let etl = Etl::new(etl_options(&options)?);
                // A new run keeps what the shell set up: its clock, its pools and the buffers
                // it gave back.
                *self = EtlService {
                    etl,
                    clock: self.clock,
                    spread: Arc::clone(&self.spread),
                    read_spread: Arc::clone(&self.read_spread),
                    spare: std::mem::take(&mut self.spare),
                    ..EtlService::default()
                };
                Ok(Event::Ack(Ack))
            }
            Request::Sample { options } => {
                let files = generate(&options)
                    .files()
                    .iter()
                    .map(|(name, bytes)| ((*name).to_owned(), Bytes(bytes.to_vec())))
                    .collect();
                Ok(Event::Sample(SampleFiles { files }))
            }
            Request::BeginFile { kind, name } => {
                self.etl.begin_file(kind, &name).map_err(failed)?;
                self.file_compute_ms = 0.0;
                self.preview = None;
                self.preview_pending = Some(name.clone());
                self.reading = Some((kind, name));
                self.cutter = None;
                self.slicing = None;
                Ok(Event::Ack(Ack))
            }
            Request::CutFile { every } => {
                let (kind, name) = self
                    .reading
                    .as_ref()
                    .ok_or_else(|| JobError::new("no file is being read"))?;
                self.cutter = Some(Cutter::new(&self.etl, *kind, name, every));
                Ok(Event::Ack(Ack))
            }
            Request::Cuts => Ok(Event::Slicing(FileSlicing {
                slicing: self.slicing.take(),
            })),
            Request::ExportSeed { kind } => Ok(Event::Seed(Seed {
                seed: ExportSeed::of(&self.etl, kind),
            })),
            Request::TakeSeed {
                options,
                dialect,
                seed,
            } => {
                let etl = seed.etl(etl_options(&options)?);
                *self = EtlService {
                    etl,
                    clock: self.clock,
                    dialect,
                    ..EtlService::default()
                };
                Ok(Event::Ack(Ack))
            }
            Request::ExportSlice(job) => self.export_slice(job),
            Request::PieceSeed => Ok(Event::PieceSeed(PieceSeedOf {
                seed: self.etl.piece_seed(),
            })),
            Request::TakePieceSeed { options, seed } => {
                let reader = seed
                    .reader(etl_options(&options)?)
                    .ok_or_else(|| JobError::new("the piece seed names no file shape"))?;
                self.pieces = Some(reader);
                Ok(Event::Ack(Ack))
            }
            Request::ReadPiece { bytes } => {
                let reader = (self.pieces.as_ref())
                    .ok_or_else(|| JobError::new("this worker has no piece seed"))?;
                let piece = postcard::to_allocvec(&reader.read(&bytes.0))
                    .map_err(|err| JobError::new(format!("could not encode a piece: {err}")))?;
                Ok(Event::Piece(PieceRead {
                    piece: Bytes(piece),
                }))
            }
            Request::Chunk { bytes } => self.chunk(&bytes.0, Vec::new()),
            Request::ChunkApart { bytes, pieces } => self.chunk(&bytes.0, pieces),
            Request::EndFile => self.end_file(),
            Request::Analyze => {
                let analysis = analyze(&self.etl);
                let markdown = report::markdown(&self.etl, &analysis);
                let cross = self.etl.cross_file_findings();
                let view = AnalysisView::new(&self.etl, analysis);
                Ok(Event::Analyzed(Analyzed {
                    view,
                    markdown,
                    cross,
                }))
            }
            Request::StagingDdl { database, dialect } => {
                self.dialect = dialect;
                Ok(Event::Sql(Bytes(self.ddl(database.as_deref()))))
            }
            Request::ExportBegin {
                kind,
                name,
                csv_header,
            } => {
                let options = ExportOptions {
                    csv_header,
                    dialect: self.dialect,
                    ..ExportOptions::default()
                };
                self.export = Some(Export::begin(&self.etl, kind, &name, options).map_err(failed)?);
                Ok(Event::Ack(Ack))
            }
            Request::ExportChunk { bytes } => {
                let export = self.export.as_mut().ok_or_else(no_export)?;
                export.feed_on(&self.etl, &bytes.0, self.spread.as_ref());
                Ok(drain(export, &mut self.spare))
            }
            Request::ExportEnd => {
                let mut export = self.export.take().ok_or_else(no_export)?;
                export.finish(&self.etl);
                Ok(drain(&mut export, &mut self.spare))
            }
            Request::AttackBegin => {
                let mut attack = DictionaryAttack::new(&self.etl, &AttackOptions::default());
                let progress = attack.step(0);
                self.attack = Some(attack);
                Ok(Event::Attack(AttackState {
                    progress,
                    examples: Vec::new(),
                }))
            }
            Request::AttackStep { candidates } => {
                let attack = self
                    .attack
                    .as_mut()
                    .ok_or_else(|| JobError::new("no attack is running"))?;
                let progress = attack.step(candidates);
                Ok(Event::Attack(AttackState {
                    progress,
                    examples: attack.recovered_examples().to_vec(),
                }))
            }
        }
    }

    /// Pass one over the next chunk; `pieces` of it read by helpers, if any.
    fn chunk(&mut self, bytes: &[u8], pieces: Vec<Bytes>) -> Result<Event, JobError> {
        if let Some(name) = self.preview_pending.take() {
            self.preview = Some(preview(&name, bytes));
        }
        let started = self.now();
        let pieces = (pieces.iter())
            .map(|piece| postcard::from_bytes::<ReadPiece>(&piece.0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| JobError::new(format!("a helper's piece could not be read: {err}")))?;
        // With a pool, the first pass reads attendance a piece per thread, and the cutter
        // counts the pieces (or reads beside the pass, for other files); a page's helpers
        // read the pieces in workers of their own.
        let fed = match pieces.is_empty() {
            true => (self.etl).feed_on(bytes, &*self.read_spread, self.cutter.as_mut()),
            false => (self.etl.feed_done(self.cutter.as_mut()))
                .and_then(|()| self.etl.feed_apart(bytes, pieces, self.cutter.as_mut())),
        };
        self.file_compute_ms += self.now() - started;
        fed.map_err(failed)?;
        Ok(Event::Ack(Ack))
    }

    fn end_file(&mut self) -> Result<Event, JobError> {
        let preview = self.preview.take().unwrap_or_default();
        self.preview_pending = None;
        let started = self.now();
        // The chunk pass one read ahead, with the cutter beside it.
        self.etl.feed_done(self.cutter.as_mut()).map_err(failed)?;
        let report = self.etl.end_file().map_err(failed)?.clone();
        self.reading = None;
        self.slicing = self.cutter.take().and_then(Cutter::finish);
        let compute_ms = self.file_compute_ms + (self.now() - started);
        Ok(Event::FileDone(FileDone {
            report,
            preview,
            compute_ms,
        }))
    }

    /// One slice of a file, exported as the whole file's export writes it there.
    fn export_slice(&self, job: SliceJob) -> Result<Event, JobError> {
        self.slice(&job, SliceOut::default()).map(Event::Exported)
    }

    /// Exports one slice of a file pass one has read, as [`Request::ExportSlice`] does, through
    /// a shared reference: a native shell exports several at once on its threads and appends
    /// them in order ([`super::spread`]), into the buffers of an earlier answer (`reuse`).
    pub fn slice(&self, job: &SliceJob, reuse: SliceOut) -> Result<Exported, JobError> {
        let options = ExportOptions {
            csv_header: job.csv_header,
            dialect: self.dialect,
            ..ExportOptions::default()
        };
        let slice = Slice {
            header: &job.header.0,
            bytes: &job.bytes.0,
            first_row: job.first_row,
            last: job.last,
        };
        let out = export_slice_into(&self.etl, job.kind, &job.name, options, &slice, reuse)
            .map_err(failed)?;
        Ok(Exported {
            csv: Bytes(out.csv),
            sql: Bytes(out.sql),
        })
    }

    fn ddl(&self, database: Option<&str>) -> Vec<u8> {
        let mut sql = Vec::new();
        if let Some(database) = database {
            campus_sql::create_and_use_database_in(self.dialect, &mut sql, database);
        }
        sql.extend_from_slice(&staging_ddl_in(self.dialect, &self.etl));
        sql
    }
}

fn failed(err: campus_etl::EtlError) -> JobError {
    JobError::new(err.to_string())
}

fn no_export() -> JobError {
    JobError::new("no export is running")
}

/// Buffers kept for the next chunks at most: the two outputs of the chunks in flight.
const MAX_SPARE: usize = 8;

/// Hands over what the export wrote, leaving buffers at least as large as these were (a given
/// back one when there is one): the next chunk writes about as much, without growing them step
/// by step (a copy of everything each time).
fn drain(export: &mut Export, spare: &mut Vec<Vec<u8>>) -> Event {
    let mut take = |buf: &mut Vec<u8>| {
        let room = buf.len();
        let mut next = spare.pop().unwrap_or_default();
        next.clear();
        // A little more than the last chunk's, so a slightly larger chunk does not double it.
        next.reserve(room + room / 8);
        Bytes(std::mem::replace(buf, next))
    };
    Event::Exported(Exported {
        csv: take(export.csv_buf()),
        sql: take(export.sql_buf()),
    })
}

impl Service for EtlService {
    type Request = Request;
    type Event = Event;

    fn start(&mut self, request: Request) -> Result<(), JobError> {
        self.pending = Some(request);
        Ok(())
    }

    /// Answers the pending request in one step.
    fn step(&mut self) -> Result<Step<Event>, JobError> {
        let request = self
            .pending
            .take()
            .ok_or_else(|| JobError::new("no request is running"))?;
        self.answer(request).map(Step::Finished)
    }

    /// A request is one step, so there is nothing to abandon between steps but a request not
    /// yet begun; the run's state stays, and a shell that gives up on a run sends `Reset`.
    fn cancel(&mut self) {
        self.pending = None;
    }
}

/// Runs one request to its answer: the request/response use of the service.
pub fn ask(service: &mut EtlService, request: Request) -> Result<Event, JobError> {
    let mut answer = None;
    crate::drive(service, request, |event| {
        answer = Some(event);
        true
    })?;
    answer.ok_or_else(|| JobError::new("the ETL service gave no answer"))
}

/// Runs one request and takes the answer it must give: `ask_for::<FileDone>(service, EndFile)`.
pub fn ask_for<T: TryFrom<Event, Error = JobError>>(
    service: &mut EtlService,
    request: Request,
) -> Result<T, JobError> {
    ask(service, request)?.try_into()
}
