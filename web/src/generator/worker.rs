//! The generator's worker: `campus_jobs::generate::GenerateService` behind the shared worker
//! protocol ([`crate::shared::worker`]), started by `src/bin/worker.rs`.
//!
//! Where the browser has an origin private file system the worker writes the file there itself
//! and sends only progress; otherwise it sends the chunks for the page to keep
//! (`campus_jobs::generate::shell::Delivery` decides). Either way the protocol's credits pace the
//! work, so a cancel is seen between two chunks.

use campus_jobs::generate::shell::{
    Delivery, Disk, DiskNames, SQL_DISK_FILES, WorkerEvent, WorkerRequest,
};
use campus_jobs::generate::spread::PieceService;
use campus_jobs::generate::{EXPORTS_ZIP_FILE, GenerateService, Request, SESSIONS_FILE, ZIP_FILE};
use campus_jobs::{JobError, Service, Step};

use crate::shared::disk::{self, DiskFile};
use crate::shared::now_ms;
use crate::shared::worker::{Handler, serve};

impl Disk for DiskFile {
    fn write(&mut self, bytes: &[u8]) -> Result<(), JobError> {
        DiskFile::write(self, bytes).map_err(JobError::new)
    }

    fn finish(self) -> Result<(), JobError> {
        DiskFile::finish(self).map_err(JobError::new)
    }
}

/// The worker's handler: the service, and where its output goes.
#[derive(Default)]
pub struct Generator {
    service: GenerateService,
    delivery: Delivery<DiskFile>,
    names: DiskNames,
    /// The file being written, recorded as offered once complete.
    writing: Option<&'static str>,
    cleaned: bool,
    /// The pieces of a script spread over several workers, and whether the request running is
    /// one of them.
    pieces: PieceService,
    piece: bool,
}

/// The worker binary's `main`: compiles the hot code, then serves.
pub fn run() {
    let mut generator = Generator::default();
    generator.service.warm_up();
    serve(generator);
}

impl Handler for Generator {
    type Request = WorkerRequest;
    type Event = WorkerEvent;

    async fn start(&mut self, request: WorkerRequest) -> Result<(), JobError> {
        self.piece = false;
        match request {
            WorkerRequest::Job(request) => self.start_job(request).await,
            WorkerRequest::Piece(request) => {
                self.piece = true;
                self.pieces.start(request)
            }
        }
    }

    fn step(&mut self) -> Result<Step<WorkerEvent>, JobError> {
        if self.piece {
            return Ok(match self.pieces.step()? {
                Step::Event(event) => Step::Event(WorkerEvent::Piece(event)),
                Step::Finished(event) => Step::Finished(WorkerEvent::Piece(event)),
                Step::Working => Step::Working,
            });
        }
        let step = self.service.step()?;
        let step = self.delivery.step(step, now_ms())?;
        if let (Step::Finished(_), Some(name)) = (&step, self.writing.take()) {
            self.names.completed(name);
        }
        Ok(step)
    }

    fn cancel(&mut self) {
        self.pieces.cancel();
        self.service.cancel();
        self.delivery = Delivery::new(None, 0.0);
    }
}

impl Generator {
    /// Starts a whole file: to the private file system when the browser lets it, else in chunks
    /// to the page.
    async fn start_job(&mut self, request: Request) -> Result<(), JobError> {
        if !self.cleaned {
            // A new page forgets the big files of earlier visits.
            let [sql, next] = SQL_DISK_FILES;
            disk::remove_files(&[sql, next, ZIP_FILE, EXPORTS_ZIP_FILE, SESSIONS_FILE]).await;
            self.cleaned = true;
        }
        let started_ms = now_ms();
        self.delivery = Delivery::new(None, started_ms);
        let name = self.names.for_request(&request);
        self.writing = None;
        self.service.start(request)?;
        // Another tab may hold the file; chunks to the page still work.
        if let Some(Ok(file)) = DiskFile::create(name).await {
            self.delivery = Delivery::new(Some((file, name)), started_ms);
            self.writing = Some(name);
        }
        Ok(())
    }
}
