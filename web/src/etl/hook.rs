//! The bridge to the ETL worker: follows `campus_jobs::etl::Plan` (the CLI follows the same
//! one), slices files with `Blob.slice`, sends them through the shared worker client with two
//! slices in flight, collects outputs into Blobs and reports to the reducer. One driver task
//! runs one command at a time; a cancel flag is checked between slices.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use js_sys::{Array, Uint8Array};
use web_sys::Blob;
use yew::prelude::*;

use campus_etl::FileKind;
use campus_etl::sample::SampleOptions;
use campus_jobs::etl::{
    Ack, Analyzed, AttackState, Event, Exported, FileDone, Input, Next, Plan, Request, RunOptions,
    SampleFiles, kind_from_name, next_attack_step,
};
use campus_jobs::{Bytes, JobError};

use super::state::{AttackView, Download, EtlAction, EtlState, FileView, InputFile};
use crate::shared::download::BlobBuilder;
use crate::shared::now_ms;
use crate::shared::worker::{Reply, WorkerClient, WorkerStatus};

/// The ETL worker's loader, `web/etl_worker_loader.js` (copied by Trunk, see `index.html`).
pub const ETL_WORKER_LOADER: &str = "etl_worker_loader.js";
/// Bytes per slice of a file: big enough that messaging costs little, small enough to bound memory.
pub const SLICE_BYTES: usize = 4 << 20;
/// Time per attack step; short, so a stop is quick and progress is smooth.
const ATTACK_STEP_MS: f64 = 150.0;
/// Candidates in the first attack step; later steps adapt to [`ATTACK_STEP_MS`].
const FIRST_ATTACK_STEP: u64 = 1 << 16;

type Client = WorkerClient<Request, Event>;

enum Command {
    Run {
        inputs: Vec<InputFile>,
        options: RunOptions,
    },
    Sample {
        dirty: bool,
        options: RunOptions,
    },
    Attack,
}

/// What the page can do with the ETL worker.
#[derive(Clone)]
pub struct EtlHandle {
    commands: mpsc::UnboundedSender<Command>,
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

    fn send(&self, command: Command) {
        self.cancel.set(false);
        let _ = self.commands.unbounded_send(command);
    }
}

/// Spawns the ETL worker once and keeps it for the page's lifetime.
#[hook]
pub fn use_etl(dispatch: UseReducerDispatcher<EtlState>) -> EtlHandle {
    let handle = use_memo((), move |_| {
        let (commands, incoming) = mpsc::unbounded::<Command>();
        let cancel = Rc::new(Cell::new(false));
        let on_status = {
            let dispatch = dispatch.clone();
            Callback::from(move |status| match status {
                WorkerStatus::Ready => dispatch.dispatch(EtlAction::WorkerReady),
                WorkerStatus::Died(message) => dispatch.dispatch(EtlAction::WorkerDied(message)),
            })
        };
        let driver = Driver {
            client: Client::spawn(ETL_WORKER_LOADER, on_status),
            dispatch,
            cancel: cancel.clone(),
            urls: Vec::new(),
        };
        wasm_bindgen_futures::spawn_local(driver.serve(incoming));
        EtlHandle { commands, cancel }
    });
    (*handle).clone()
}

enum Stop {
    Cancelled,
    Failed(String),
}

impl From<JobError> for Stop {
    fn from(err: JobError) -> Stop {
        Stop::Failed(err.message)
    }
}

/// The answer to a request already sent.
struct Answer(oneshot::Receiver<Result<Event, Stop>>);

impl Answer {
    /// Waits for the answer and takes it as the payload the request must give; every other
    /// answer is an error (the one place the page handles replies).
    async fn take<T: TryFrom<Event, Error = JobError>>(self) -> Result<T, Stop> {
        match self.0.await {
            Ok(Ok(event)) => Ok(T::try_from(event)?),
            Ok(Err(stop)) => Err(stop),
            Err(_) => Err(Stop::Failed(
                "The ETL worker has stopped; reload the page.".into(),
            )),
        }
    }
}

/// The outputs of pass two as they fill.
struct Outputs {
    sql: BlobBuilder,
    csv: Vec<(FileKind, BlobBuilder)>,
    report: Vec<u8>,
}

struct Driver {
    client: Client,
    dispatch: UseReducerDispatcher<EtlState>,
    cancel: Rc<Cell<bool>>,
    /// Object URLs of the outputs on offer, freed when replaced.
    urls: Vec<String>,
}

impl Driver {
    async fn serve(mut self, mut incoming: mpsc::UnboundedReceiver<Command>) {
        while let Some(command) = incoming.next().await {
            let outcome = match command {
                Command::Run { inputs, options } => self.run(inputs, options).await,
                Command::Sample { dirty, options } => self.sample(dirty, options).await,
                Command::Attack => self.attack().await,
            };
            match outcome {
                Ok(()) => {}
                Err(Stop::Cancelled) => self.dispatch.dispatch(EtlAction::Cancelled),
                Err(Stop::Failed(message)) => self.dispatch.dispatch(EtlAction::Failed(message)),
            }
        }
    }

    /// Sends a request now; its answer is awaited later, so several can be in flight (the
    /// worker answers them in order).
    fn post(&self, request: Request) -> Answer {
        let (tx, rx) = oneshot::channel();
        let slot = RefCell::new((Some(tx), None::<Event>));
        let on_reply = Callback::from(move |reply: Reply<Event>| {
            let mut slot = slot.borrow_mut();
            let answer = match reply {
                Reply::Event(event) => {
                    slot.1 = Some(event);
                    return;
                }
                Reply::Finished => slot
                    .1
                    .take()
                    .ok_or_else(|| Stop::Failed("The ETL worker gave no answer.".into())),
                Reply::Failed(message) => Err(Stop::Failed(message)),
                Reply::Cancelled => Err(Stop::Cancelled),
                Reply::Died(message) => Err(Stop::Failed(format!(
                    "The ETL worker stopped ({message}); it has been restarted, so run again."
                ))),
            };
            if let Some(tx) = slot.0.take() {
                let _ = tx.send(answer);
            }
        });
        self.client.request(request, on_reply);
        Answer(rx)
    }

    async fn ask<T: TryFrom<Event, Error = JobError>>(&self, request: Request) -> Result<T, Stop> {
        self.post(request).take().await
    }

    fn check_cancel(&self) -> Result<(), Stop> {
        if self.cancel.get() {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }

    async fn sample(&mut self, dirty: bool, options: RunOptions) -> Result<(), Stop> {
        let request = Request::Sample {
            options: SampleOptions {
                dirty,
                ..SampleOptions::default()
            },
        };
        let sample: SampleFiles = self.ask(request).await?;
        let mut inputs = Vec::new();
        for (name, bytes) in sample.files {
            let Some(kind) = kind_from_name(&name) else {
                continue;
            };
            let parts = Array::of1(&Uint8Array::from(bytes.0.as_slice()));
            let blob = Blob::new_with_u8_array_sequence(&parts).map_err(|err| {
                Stop::Failed(format!("the browser refused the sample file: {err:?}"))
            })?;
            inputs.push(InputFile {
                kind,
                name,
                size: blob.size(),
                blob,
            });
        }
        self.dispatch.dispatch(EtlAction::ClearInputs);
        self.dispatch.dispatch(EtlAction::AddInputs(inputs.clone()));
        self.run(inputs, options).await
    }

    /// Both passes over `inputs`, as the plan says.
    async fn run(&mut self, inputs: Vec<InputFile>, options: RunOptions) -> Result<(), Stop> {
        let planned = inputs.iter().map(|f| Input {
            kind: f.kind,
            name: f.name.clone(),
        });
        let mut plan = Plan::new(planned.collect()).map_err(|e| Stop::Failed(e.to_string()))?;
        let bytes_total: f64 = inputs.iter().map(|f| f.size).sum::<f64>() * 2.0;
        self.dispatch.dispatch(EtlAction::Started { bytes_total });
        for url in self.urls.drain(..) {
            crate::shared::download::revoke(&url);
        }
        let _: Ack = self.ask(Request::Reset { options }).await?;
        let mut outputs = Outputs {
            sql: BlobBuilder::new("application/sql"),
            csv: Vec::new(),
            report: Vec::new(),
        };
        let mut bytes_done = 0.0;
        loop {
            let step = plan.next_step();
            let input = |file: usize| {
                inputs
                    .get(file)
                    .ok_or_else(|| Stop::Failed(format!("the plan names file {file}, not given")))
            };
            match step {
                Next::Read { file, begin } => {
                    let view = self.read_file(input(file)?, begin, &mut bytes_done).await?;
                    let read = plan.read(file, &view.report);
                    self.dispatch.dispatch(EtlAction::FileDone(view));
                    read.map_err(|e| Stop::Failed(e.to_string()))?;
                }
                Next::Analyze => {
                    let phase = "Correlating".to_owned();
                    self.dispatch
                        .dispatch(EtlAction::Progress { phase, bytes_done });
                    let analyzed: Analyzed = self.ask(Request::Analyze).await?;
                    outputs.report = analyzed.markdown.clone().into_bytes();
                    self.dispatch.dispatch(EtlAction::Analyzed(analyzed));
                }
                Next::Ddl => {
                    let ddl: Bytes = self.ask(Request::StagingDdl { database: None }).await?;
                    outputs.sql.push(&ddl.0).map_err(Stop::Failed)?;
                }
                Next::Export {
                    file,
                    kind,
                    new_csv,
                    begin,
                } => {
                    if new_csv {
                        outputs.csv.push((kind, BlobBuilder::new("text/csv")));
                    }
                    let input = input(file)?;
                    let export = self.export_file(input, kind, begin, &mut outputs, bytes_done);
                    bytes_done = export.await?;
                }
                Next::Done => break,
            }
        }
        self.offer(outputs)?;
        self.dispatch.dispatch(EtlAction::Finished);
        Ok(())
    }

    /// Pass one over a file: begin, slices, end; returns what the page shows of it.
    async fn read_file(
        &self,
        input: &InputFile,
        begin: Request,
        bytes_done: &mut f64,
    ) -> Result<FileView, Stop> {
        let started = now_ms();
        let _: Ack = self.ask(begin).await?;
        let phase = format!("Reading {}", input.name);
        let chunk = |bytes| Request::Chunk { bytes };
        *bytes_done = self
            .send_slices(input, &phase, *bytes_done, chunk, |_: Ack| Ok(()))
            .await?;
        let done: FileDone = self.ask(Request::EndFile).await?;
        Ok(FileView {
            kind: input.kind,
            name: input.name.clone(),
            report: done.report,
            preview: done.preview,
            elapsed_ms: now_ms() - started,
            compute_ms: done.compute_ms,
        })
    }

    /// Pass two over a file: its rows to the CSV of its kind, its INSERTs to the SQL. Each
    /// answer leaves wasm memory for a Blob part at once, so the page holds at most two slices'
    /// worth of output whatever the file size.
    async fn export_file(
        &self,
        input: &InputFile,
        kind: FileKind,
        begin: Request,
        outputs: &mut Outputs,
        bytes_done: f64,
    ) -> Result<f64, Stop> {
        let Some((_, csv)) = outputs.csv.iter_mut().find(|(k, _)| *k == kind) else {
            return Err(Stop::Failed(format!("no CSV is open for {}", kind.label())));
        };
        let sql = &mut outputs.sql;
        let mut keep = |out: Exported| -> Result<(), Stop> {
            csv.push(&out.csv.0).map_err(Stop::Failed)?;
            sql.push(&out.sql.0).map_err(Stop::Failed)
        };
        let _: Ack = self.ask(begin).await?;
        let phase = format!("Writing outputs from {}", input.name);
        let chunk = |bytes| Request::ExportChunk { bytes };
        let bytes_done = self
            .send_slices(input, &phase, bytes_done, chunk, &mut keep)
            .await?;
        keep(self.ask(Request::ExportEnd).await?)?;
        Ok(bytes_done)
    }

    /// Offers the outputs for download: staging.sql, the CSVs by kind, the report.
    fn offer(&mut self, outputs: Outputs) -> Result<(), Stop> {
        let mut downloads = Vec::new();
        let mut add = |blob: BlobBuilder, file_name: String, test_id| -> Result<(), Stop> {
            let bytes = blob.bytes();
            let url = blob.finish().map_err(Stop::Failed)?;
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
        self.dispatch.dispatch(EtlAction::Downloads(downloads));
        Ok(())
    }

    /// Sends a file slice by slice, handing each answer to `on_answer` as it arrives; returns the
    /// new bytes done.
    ///
    /// Two slices are in flight: the page reads and posts the next one while the worker works on
    /// the current one, so neither side waits for the other. Answers come back in order.
    async fn send_slices<T: TryFrom<Event, Error = JobError>>(
        &self,
        input: &InputFile,
        phase: &str,
        bytes_done: f64,
        request: impl Fn(Bytes) -> Request,
        mut on_answer: impl FnMut(T) -> Result<(), Stop>,
    ) -> Result<f64, Stop> {
        let mut offset = 0.0;
        let mut in_flight: VecDeque<Answer> = VecDeque::new();
        while offset < input.size {
            self.check_cancel()?;
            let bytes = read_slice(&input.blob, offset, input.size).await?;
            if bytes.is_empty() {
                // The file shrank since it was chosen; what was read is all there is.
                break;
            }
            offset += bytes.len() as f64;
            in_flight.push_back(self.post(request(Bytes(bytes))));
            if in_flight.len() == 2
                && let Some(answer) = in_flight.pop_front()
            {
                on_answer(answer.take().await?)?;
            }
            self.dispatch.dispatch(EtlAction::Progress {
                phase: phase.to_owned(),
                bytes_done: bytes_done + offset,
            });
        }
        while let Some(answer) = in_flight.pop_front() {
            on_answer(answer.take().await?)?;
        }
        Ok(bytes_done + input.size)
    }

    /// The dictionary attack in steps of about [`ATTACK_STEP_MS`], until done or stopped.
    async fn attack(&mut self) -> Result<(), Stop> {
        let begun: AttackState = self.ask(Request::AttackBegin).await?;
        let mut view = AttackView {
            progress: begun.progress,
            elapsed_ms: 0.0,
            examples: begun.examples,
            running: true,
        };
        self.dispatch.dispatch(EtlAction::Attack(view.clone()));
        let mut candidates = FIRST_ATTACK_STEP;
        while !view.progress.done() && !self.cancel.get() {
            let started = now_ms();
            let step: AttackState = self.ask(Request::AttackStep { candidates }).await?;
            let took_ms = now_ms() - started;
            candidates = next_attack_step(candidates, took_ms, ATTACK_STEP_MS);
            let stalled = step.progress.n_tried == view.progress.n_tried;
            view = AttackView {
                progress: step.progress,
                elapsed_ms: view.elapsed_ms + took_ms,
                examples: step.examples,
                running: true,
            };
            self.dispatch.dispatch(EtlAction::Attack(view.clone()));
            if stalled {
                break;
            }
        }
        view.running = false;
        self.dispatch.dispatch(EtlAction::Attack(view));
        Ok(())
    }
}

fn csv_test_id(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Students => "etl-download-students",
        FileKind::Attendance => "etl-download-attendance",
        FileKind::Exams => "etl-download-exams",
        FileKind::Placements => "etl-download-placements",
    }
}

/// Reads `[offset, offset + SLICE_BYTES)` of a Blob (or File) into wasm memory.
async fn read_slice(blob: &Blob, offset: f64, size: f64) -> Result<Vec<u8>, Stop> {
    let end = (offset + SLICE_BYTES as f64).min(size);
    // Offsets are whole numbers of bytes below the file's size, so the casts are exact.
    let slice = gloo_file::Blob::from(blob.clone()).slice(offset as u64, end as u64);
    gloo_file::futures::read_as_bytes(&slice)
        .await
        .map_err(|err| Stop::Failed(format!("the browser could not read the file: {err}")))
}
