//! The generator's worker: `campus_jobs::generate::GenerateService` behind the shared worker
//! protocol ([`crate::shared::worker`]), started by `src/bin/worker.rs`.
//!
//! Where the browser has an origin private file system the worker writes the file there itself
//! and sends only [`WorkerEvent::Progress`]; otherwise it sends the chunks for the page to keep
//! ([`WorkerEvent::Chunk`]). Either way the protocol's credits pace the work, so a cancel is
//! seen between two chunks.

use serde::{Deserialize, Serialize};

use campus_jobs::generate::{Event, GenerateService, Request, SQL_FILE, Summary, ZIP_FILE};
use campus_jobs::{Bytes, JobError, Service, Step};

use crate::shared::disk::{self, DiskFile};
use crate::shared::now_ms;
use crate::shared::worker::{Handler, serve};

/// What the worker reports about a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerEvent {
    /// The next chunk of the file, for the page to keep.
    Chunk {
        bytes: Bytes,
        rows_done: u64,
        rows_total: u64,
    },
    /// The worker has written more of the file to disk itself (`bytes` so far).
    Progress {
        bytes: u64,
        rows_done: u64,
        rows_total: u64,
    },
    /// The file is complete: in the chunks sent, or on disk under `disk_file` in the origin
    /// private file system.
    Done {
        summary: Summary,
        /// Time spent producing the output in the worker, in milliseconds.
        elapsed_ms: f64,
        disk_file: Option<String>,
    },
}

/// The file a request produces, by the name it is offered under.
pub fn file_name(request: &Request) -> &'static str {
    match request {
        Request::CsvZip { .. } => ZIP_FILE,
        _ => SQL_FILE,
    }
}

/// The worker's handler: the service, and the file on disk it is writing, if any.
#[derive(Default)]
pub struct Generator {
    service: GenerateService,
    disk: Option<(DiskFile, &'static str)>,
    bytes: u64,
    started_ms: f64,
    cleaned: bool,
}

/// The worker binary's `main`: compiles the hot code, then serves.
pub fn run() {
    let mut generator = Generator::default();
    generator.service.warm_up();
    serve(generator);
}

impl Handler for Generator {
    type Request = Request;
    type Event = WorkerEvent;

    async fn start(&mut self, request: Request) -> Result<(), JobError> {
        if !self.cleaned {
            // A new page forgets the big files of earlier visits.
            disk::remove_files(&[SQL_FILE, ZIP_FILE]).await;
            self.cleaned = true;
        }
        self.disk = None;
        self.bytes = 0;
        self.started_ms = now_ms();
        let name = file_name(&request);
        self.service.start(request)?;
        // Another tab may hold the file; chunks to the page still work.
        self.disk = match DiskFile::create(name).await {
            Some(Ok(file)) => Some((file, name)),
            Some(Err(_)) | None => None,
        };
        Ok(())
    }

    fn step(&mut self) -> Result<Step<WorkerEvent>, JobError> {
        Ok(match self.service.step()? {
            Step::Event(Event::Chunk {
                bytes,
                rows_done,
                rows_total,
            }) => Step::Event(self.chunk(bytes, rows_done, rows_total)?),
            Step::Finished(Event::Done(summary)) => Step::Finished(self.done(summary)?),
            Step::Finished(_) => return Err(JobError::new("the generator ended unexpectedly")),
            // The file's name is known from the request.
            Step::Event(_) | Step::Working => Step::Working,
        })
    }

    fn cancel(&mut self) {
        self.service.cancel();
        self.disk = None;
    }
}

impl Generator {
    fn chunk(
        &mut self,
        bytes: Bytes,
        rows_done: u64,
        rows_total: u64,
    ) -> Result<WorkerEvent, JobError> {
        self.bytes += bytes.0.len() as u64;
        let Some((file, _)) = self.disk.as_mut() else {
            return Ok(WorkerEvent::Chunk {
                bytes,
                rows_done,
                rows_total,
            });
        };
        file.write(&bytes.0).map_err(JobError::new)?;
        Ok(WorkerEvent::Progress {
            bytes: self.bytes,
            rows_done,
            rows_total,
        })
    }

    fn done(&mut self, summary: Summary) -> Result<WorkerEvent, JobError> {
        let disk_file = match self.disk.take() {
            Some((file, name)) => {
                file.finish().map_err(JobError::new)?;
                Some(name.to_owned())
            }
            None => None,
        };
        Ok(WorkerEvent::Done {
            summary,
            elapsed_ms: now_ms() - self.started_ms,
            disk_file,
        })
    }
}
