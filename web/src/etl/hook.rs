//! The bridge to the ETL worker: runs `campus_jobs::etl::run`'s commands (the plan, the slicing
//! with two slices in flight, the attack's steps; the CLI follows the same plan) over the
//! browser: requests through the shared worker client, slices with `Blob.slice`, outputs into
//! Blobs. One driver task runs one command at a time; a cancel flag is checked between slices.
//!
//! Besides the section's own worker, which holds the run, it starts helper ETL workers (one per
//! core, capped, as the generator: `?workers=N` forces N); `campus_jobs::etl::spread` decides
//! which slices of a large file's second pass each exports, and the run appends them in order.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc;
use js_sys::{Array, Uint8Array};
use web_sys::Blob;
use yew::prelude::*;

use campus_etl::FileKind;
use campus_jobs::etl::page::csv_test_id;
use campus_jobs::etl::run::{Command, Output, Shell, Stop, perform};
use campus_jobs::etl::spread::worker_count;
use campus_jobs::etl::{Event, Request, RunOptions};

use super::state::{Download, EtlAction, EtlState, InputFile};
use crate::shared::download::{BlobBuilder, revoke};
use crate::shared::now_ms;
use crate::shared::worker::{WorkerClient, WorkerStatus};

/// The ETL worker's loader, `web/etl_worker_loader.js` (copied by Trunk, see `index.html`).
pub const ETL_WORKER_LOADER: &str = "etl_worker_loader.js";

type Client = WorkerClient<Request, Event>;

/// What the page can do with the ETL worker.
#[derive(Clone)]
pub struct EtlHandle {
    commands: mpsc::UnboundedSender<Command<Blob>>,
    cancel: Rc<Cell<bool>>,
}

impl PartialEq for EtlHandle {
    fn eq(&self, other: &EtlHandle) -> bool {
        Rc::ptr_eq(&self.cancel, &other.cancel)
    }
}

impl EtlHandle {
    pub fn run(&self, inputs: Vec<InputFile>, options: RunOptions) {
        self.send(Command::Run { inputs, options });
    }

    pub fn sample(&self, dirty: bool, options: RunOptions) {
        self.send(Command::Sample { dirty, options });
    }

    pub fn attack(&self) {
        self.send(Command::Attack);
    }

    /// Stops the running command between two slices (or attack steps).
    pub fn cancel(&self) {
        self.cancel.set(true);
    }

    fn send(&self, command: Command<Blob>) {
        self.cancel.set(false);
        let _ = self.commands.unbounded_send(command);
    }
}

/// Spawns the ETL worker once and keeps it for the page's lifetime.
#[hook]
pub fn use_etl(dispatch: UseReducerDispatcher<EtlState>) -> EtlHandle {
    let handle = use_memo((), move |_| {
        let (commands, mut incoming) = mpsc::unbounded::<Command<Blob>>();
        let cancel = Rc::new(Cell::new(false));
        let on_status = {
            let dispatch = dispatch.clone();
            Callback::from(move |status| match status {
                WorkerStatus::Ready => dispatch.dispatch(EtlAction::WorkerReady),
                WorkerStatus::Died(message) => dispatch.dispatch(EtlAction::WorkerDied(message)),
            })
        };
        // A helper's death reaches the run through its requests' answers.
        let helpers = (1..workers())
            .map(|_| Client::spawn(ETL_WORKER_LOADER, Callback::from(|_| {})))
            .collect();
        let mut driver = Driver {
            client: Client::spawn(ETL_WORKER_LOADER, on_status),
            helpers,
            dispatch,
            cancel: cancel.clone(),
            outputs: None,
            urls: Vec::new(),
        };
        wasm_bindgen_futures::spawn_local(async move {
            while let Some(command) = incoming.next().await {
                perform(&mut driver, command).await;
            }
        });
        EtlHandle { commands, cancel }
    });
    (*handle).clone()
}

/// The outputs of pass two as they fill.
struct Outputs {
    sql: BlobBuilder,
    csv: Vec<(FileKind, BlobBuilder)>,
    report: Vec<u8>,
}

/// ETL workers to run: the page's `?workers=N`, else one fewer than the browser's cores (see
/// `worker_count`).
fn workers() -> usize {
    let Some(window) = web_sys::window() else {
        return 1;
    };
    let query = window.location().search().unwrap_or_default();
    worker_count(&query, Some(window.navigator().hardware_concurrency()))
}

/// The browser's side of a command.
struct Driver {
    client: Client,
    /// Helper workers: they export slices of a large file's second pass.
    helpers: Vec<Client>,
    dispatch: UseReducerDispatcher<EtlState>,
    cancel: Rc<Cell<bool>>,
    outputs: Option<Outputs>,
    /// Object URLs of the outputs on offer, freed when replaced.
    urls: Vec<String>,
}

impl Shell for Driver {
    type File = Blob;
    type Answer = Pin<Box<dyn Future<Output = Result<Event, Stop>>>>;

    fn post(&self, request: Request) -> Self::Answer {
        self.post_to(0, request)
    }

    fn workers(&self) -> usize {
        1 + self.helpers.len()
    }

    fn post_to(&self, worker: usize, request: Request) -> Self::Answer {
        let client = match worker.checked_sub(1) {
            None => Some(&self.client),
            Some(helper) => self.helpers.get(helper),
        };
        let Some(client) = client else {
            let missing = Stop::Failed(format!("the page has no ETL worker {worker}"));
            return Box::pin(std::future::ready(Err(missing)));
        };
        let answer = client.ask(request);
        Box::pin(async move { answer.await.map_err(Stop::from) })
    }

    async fn read(&self, blob: &Blob, begin: u64, end: u64) -> Result<Vec<u8>, Stop> {
        let slice = gloo_file::Blob::from(blob.clone()).slice(begin, end);
        gloo_file::futures::read_as_bytes(&slice)
            .await
            .map_err(|err| Stop::Failed(format!("the browser could not read the file: {err}")))
    }

    fn keep(&self, bytes: Vec<u8>) -> Result<(Blob, f64), Stop> {
        let parts = Array::of1(&Uint8Array::from(bytes.as_slice()));
        let blob = Blob::new_with_u8_array_sequence(&parts)
            .map_err(|err| Stop::Failed(format!("the browser refused the sample file: {err:?}")))?;
        let size = blob.size();
        Ok((blob, size))
    }

    fn output(&mut self, output: Output<'_>) -> Result<(), Stop> {
        if let Output::Begin = output {
            for url in self.urls.drain(..) {
                revoke(&url);
            }
            crate::shared::handoff::set_staging(Vec::new());
            self.outputs = Some(Outputs {
                sql: BlobBuilder::new("application/sql"),
                csv: Vec::new(),
                report: Vec::new(),
            });
            return Ok(());
        }
        let Some(outputs) = self.outputs.as_mut() else {
            return Err(Stop::Failed("an output arrived before its run".into()));
        };
        match output {
            Output::Begin => {}
            Output::Sql(bytes) => outputs.sql.push(bytes).map_err(Stop::Failed)?,
            Output::NewCsv(kind) => outputs.csv.push((kind, BlobBuilder::new("text/csv"))),
            Output::Csv(kind, bytes) => {
                let Some((_, csv)) = outputs.csv.iter_mut().find(|(k, _)| *k == kind) else {
                    return Err(Stop::Failed(format!("no CSV is open for {}", kind.label())));
                };
                csv.push(bytes).map_err(Stop::Failed)?;
            }
            Output::Report(bytes) => outputs.report = bytes.to_vec(),
            Output::Done => {
                if let Some(outputs) = self.outputs.take() {
                    self.offer(outputs)?;
                }
            }
        }
        Ok(())
    }

    fn dispatch(&self, action: EtlAction) {
        self.dispatch.dispatch(action);
    }

    fn cancelled(&self) -> bool {
        self.cancel.get()
    }

    fn now_ms(&self) -> f64 {
        now_ms()
    }
}

impl Driver {
    /// Offers the outputs for download: staging.sql, the CSVs by kind, the report.
    fn offer(&mut self, outputs: Outputs) -> Result<(), Stop> {
        let mut downloads = Vec::new();
        let mut staging = Vec::new();
        let mut add = |blob: BlobBuilder, file_name: String, test_id| -> Result<(), Stop> {
            let bytes = blob.bytes();
            let (blob, url) = blob.finish_with_blob().map_err(Stop::Failed)?;
            if file_name.ends_with(".csv") {
                staging.push((file_name.clone(), blob));
            }
            downloads.push(Download {
                file_name,
                url,
                bytes,
                test_id,
            });
            Ok(())
        };
        add(outputs.sql, "staging.sql".into(), "etl-download-sql")?;
        let mut csv = outputs.csv;
        csv.sort_by_key(|(kind, _)| *kind);
        for (kind, blob) in csv {
            let name = format!("{}.csv", kind.staging_table());
            add(blob, name, csv_test_id(kind))?;
        }
        let mut report = BlobBuilder::new("text/markdown");
        report.push(&outputs.report).map_err(Stop::Failed)?;
        add(report, "report.md".into(), "etl-download-report")?;
        self.urls = downloads.iter().map(|d| d.url.clone()).collect();
        crate::shared::handoff::set_staging(staging);
        self.dispatch.dispatch(EtlAction::Downloads(downloads));
        Ok(())
    }
}
