//! The database worker: `campus_jobs::db::DbService` (SQLite, one connection) behind the shared
//! worker protocol, keeping a copy of the database in the origin private file system.
//!
//! The copy is what makes the database outlive the worker: a reload, and the restart that stops a
//! runaway query (the page terminates a worker stuck inside SQLite), find it on the first
//! request and open it. The service says when the database changed; the copy is rewritten then.

use campus_jobs::db::{DbEvent, DbRequest, DbService};
use campus_jobs::{JobError, Service, Step};
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;

use crate::shared::disk::{self, DiskFile};
use crate::shared::worker::{Handler, serve};

/// The kept copy's name in the private file system.
pub const DISK_FILE: &str = "campus-university.sqlite";

/// The worker's handler: the service and the open copy on disk.
pub struct DbWorker {
    service: DbService,
    disk: Option<DiskFile>,
    restored: bool,
}

/// The worker binary's `main`.
pub fn run() {
    match DbService::new() {
        Ok(service) => serve(DbWorker {
            service,
            disk: None,
            restored: false,
        }),
        // Without a database there is nothing to serve; the page's start-up watchdog restarts
        // the worker and reports it.
        Err(err) => web_sys::console::error_1(&err.to_string().into()),
    }
}

/// The bytes of the kept copy, if there is one.
async fn read_copy() -> Option<Vec<u8>> {
    let file = disk::open_file(DISK_FILE).await.ok()?;
    let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    (!bytes.is_empty()).then_some(bytes)
}

impl DbWorker {
    /// Opens the kept copy, then holds the file to rewrite it. A worker that was just terminated
    /// may still hold the file for a moment, so opening is tried a few times.
    async fn restore(&mut self) {
        let copy = read_copy().await;
        if let Some(bytes) = &copy {
            // A damaged copy is dropped; the page then shows an empty database.
            let _ = self.service.restore(bytes);
        }
        for _ in 0..20 {
            match DiskFile::create(DISK_FILE).await {
                None => return,
                Some(Ok(file)) => {
                    self.disk = Some(file);
                    break;
                }
                Some(Err(_)) => gloo_timers::future::TimeoutFuture::new(100).await,
            }
        }
        // Opening emptied the file: write the copy back at once.
        if copy.is_some() {
            self.keep();
        }
    }

    /// Rewrites the kept copy with the database as it is now.
    fn keep(&mut self) {
        let Some(file) = self.disk.as_mut() else {
            return;
        };
        if let Ok(bytes) = self.service.to_bytes() {
            // A full disk leaves the page working, only without a copy.
            if file.replace(&bytes).is_err() {
                self.disk = None;
            }
        }
    }
}

impl Handler for DbWorker {
    type Request = DbRequest;
    type Event = DbEvent;

    async fn start(&mut self, request: DbRequest) -> Result<(), JobError> {
        if !self.restored {
            self.restored = true;
            self.restore().await;
        }
        self.service.start(request)
    }

    fn step(&mut self) -> Result<Step<DbEvent>, JobError> {
        let step = self.service.step();
        if !matches!(step, Ok(Step::Event(_) | Step::Working)) && self.service.take_changed() {
            self.keep();
        }
        step
    }

    fn cancel(&mut self) {
        self.service.cancel();
        if self.service.take_changed() {
            self.keep();
        }
    }
}
