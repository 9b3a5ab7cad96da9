//! The bridge to the ETL worker: slices files, sends them chunk by chunk, collects outputs into
//! Blobs and reports to the reducer. One driver task owns the worker and runs one command at a
//! time; a cancel flag is checked between chunks.

use std::cell::Cell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use js_sys::{Array, Uint8Array};
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;
use yew::prelude::*;
use yew_agent::reactor::{ReactorBridge, ReactorSpawner};

use campus_etl::FileKind;

use super::state::{
    AttackView, Download, EtlAction, EtlState, FileView, InputFile, kind_from_name, load_order,
};
use super::worker::{EtlWorker, Request, Response, RunOptions, SLICE_BYTES};
use crate::shared::download::BlobBuilder;
use campus_jobs::Bytes;

/// The ETL worker's loader, `web/etl_worker_loader.js` (copied by Trunk, see `index.html`).
pub const ETL_WORKER_LOADER: &str = "etl_worker_loader.js";
/// Worker time per attack step; short, so a stop is quick and progress is smooth.
const ATTACK_STEP_MS: f64 = 150.0;

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
        self.cancel.set(false);
        let _ = self
            .commands
            .unbounded_send(Command::Run { inputs, options });
    }

    pub fn sample(&self, dirty: bool, options: RunOptions) {
        self.cancel.set(false);
        let _ = self
            .commands
            .unbounded_send(Command::Sample { dirty, options });
    }

    pub fn attack(&self) {
        self.cancel.set(false);
        let _ = self.commands.unbounded_send(Command::Attack);
    }

    /// Stops the running command between two chunks (or attack steps).
    pub fn cancel(&self) {
        self.cancel.set(true);
    }
}

/// Spawns the ETL worker once and keeps it for the page's lifetime.
#[hook]
pub fn use_etl(dispatch: UseReducerDispatcher<EtlState>) -> EtlHandle {
    let handle = use_memo((), move |_| {
        let (commands, mut incoming) = mpsc::unbounded::<Command>();
        let cancel = Rc::new(Cell::new(false));
        let handle = EtlHandle {
            commands,
            cancel: cancel.clone(),
        };
        let bridge = ReactorSpawner::<EtlWorker>::new()
            .with_loader(true)
            .as_module(false)
            .spawn(ETL_WORKER_LOADER);
        let (to_worker, from_worker) = bridge.split();
        wasm_bindgen_futures::spawn_local(async move {
            let mut driver = Driver {
                to_worker,
                from_worker,
                dispatch,
                cancel,
                urls: Vec::new(),
                unanswered: 0,
            };
            match driver.from_worker.next().await {
                Some(Response::Ready) => driver.dispatch.dispatch(EtlAction::WorkerReady),
                _ => {
                    let message = "The ETL worker did not start; reload the page.".to_owned();
                    return driver.dispatch.dispatch(EtlAction::Failed(message));
                }
            }
            while let Some(command) = incoming.next().await {
                let outcome = match command {
                    Command::Run { inputs, options } => driver.run(inputs, options).await,
                    Command::Sample { dirty, options } => driver.sample(dirty, options).await,
                    Command::Attack => driver.attack().await,
                };
                match outcome {
                    Ok(()) => {}
                    Err(Stop::Cancelled) => driver.dispatch.dispatch(EtlAction::Cancelled),
                    Err(Stop::Failed(message)) => {
                        driver.dispatch.dispatch(EtlAction::Failed(message))
                    }
                }
            }
        });
        handle
    });
    (*handle).clone()
}

enum Stop {
    Cancelled,
    Failed(String),
}

struct Driver {
    to_worker: SplitSink<ReactorBridge<EtlWorker>, Request>,
    from_worker: SplitStream<ReactorBridge<EtlWorker>>,
    dispatch: UseReducerDispatcher<EtlState>,
    cancel: Rc<Cell<bool>>,
    /// Object URLs of the outputs on offer, freed when replaced.
    urls: Vec<String>,
    /// Requests sent whose answers have not been read (a cancel can leave one behind).
    unanswered: usize,
}

impl Driver {
    async fn call(&mut self, request: Request) -> Result<Response, Stop> {
        // Answers left over from an interrupted exchange belong to nobody now.
        while self.unanswered > 0 {
            let _ = self.receive().await;
        }
        self.send(request).await?;
        self.receive().await
    }

    async fn send(&mut self, request: Request) -> Result<(), Stop> {
        match self.to_worker.send(request).await {
            Ok(()) => {
                self.unanswered += 1;
                Ok(())
            }
            Err(_) => Err(Stop::Failed(
                "The ETL worker has stopped; reload the page.".into(),
            )),
        }
    }

    async fn receive(&mut self) -> Result<Response, Stop> {
        self.unanswered = self.unanswered.saturating_sub(1);
        match self.from_worker.next().await {
            Some(Response::Failed { message }) => Err(Stop::Failed(message)),
            Some(response) => Ok(response),
            None => Err(Stop::Failed(
                "The ETL worker has stopped (it may have run out of memory); reload the page."
                    .into(),
            )),
        }
    }

    fn check_cancel(&self) -> Result<(), Stop> {
        if self.cancel.get() {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }

    async fn sample(&mut self, dirty: bool, options: RunOptions) -> Result<(), Stop> {
        let Response::Sample { files } = self.call(Request::Sample { dirty }).await? else {
            return Err(Stop::Failed("unexpected answer from the ETL worker".into()));
        };
        let mut inputs = Vec::new();
        for (name, bytes) in files {
            let Some(kind) = kind_from_name(&name) else {
                continue;
            };
            let blob = Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(
                bytes.0.as_slice(),
            )))
            .map_err(|err| Stop::Failed(format!("the browser refused the sample file: {err:?}")))?;
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

    async fn run(&mut self, inputs: Vec<InputFile>, options: RunOptions) -> Result<(), Stop> {
        let inputs = load_order(&inputs);
        let bytes_total: f64 = inputs.iter().map(|f| f.size).sum::<f64>() * 2.0;
        self.dispatch.dispatch(EtlAction::Started { bytes_total });
        for url in self.urls.drain(..) {
            crate::shared::download::revoke(&url);
        }
        self.call(Request::Reset { options }).await?;
        // Pass 1: read, hash, join, check.
        let mut bytes_done = 0.0;
        let mut usable: Vec<&InputFile> = Vec::new();
        for input in &inputs {
            let begin = self
                .call(Request::BeginFile {
                    kind: input.kind,
                    name: input.name.clone(),
                })
                .await;
            if let Err(Stop::Failed(message)) = begin {
                self.dispatch.dispatch(EtlAction::FileDone(FileView {
                    kind: input.kind,
                    name: input.name.clone(),
                    report: None,
                    preview: Default::default(),
                    elapsed_ms: 0.0,
                    compute_ms: 0.0,
                    error: Some(message),
                }));
                bytes_done += input.size;
                continue;
            }
            begin?;
            let phase = format!("Reading {}", input.name);
            bytes_done = self
                .send_slices(
                    input,
                    &phase,
                    bytes_done,
                    |bytes| Request::Chunk { bytes },
                    |_ack| Ok(()),
                )
                .await?;
            let Response::FileDone {
                report,
                preview,
                elapsed_ms,
                compute_ms,
            } = self.call(Request::EndFile).await?
            else {
                return Err(Stop::Failed("unexpected answer from the ETL worker".into()));
            };
            if !report.unusable {
                usable.push(input);
            }
            self.dispatch.dispatch(EtlAction::FileDone(FileView {
                kind: input.kind,
                name: input.name.clone(),
                report: Some(report),
                preview,
                elapsed_ms,
                compute_ms,
                error: None,
            }));
        }
        self.dispatch.dispatch(EtlAction::Progress {
            phase: "Correlating".into(),
            bytes_done,
        });
        let Response::Analyzed {
            view,
            markdown,
            cross,
        } = self.call(Request::Analyze).await?
        else {
            return Err(Stop::Failed("unexpected answer from the ETL worker".into()));
        };
        let report_bytes = markdown.clone().into_bytes();
        self.dispatch.dispatch(EtlAction::Analyzed {
            view,
            markdown,
            cross,
        });
        // Pass 2: transformed CSVs and staging SQL, straight into Blobs.
        let Response::Ddl { sql } = self.call(Request::StagingDdl).await? else {
            return Err(Stop::Failed("unexpected answer from the ETL worker".into()));
        };
        let mut sql_file = BlobBuilder::new("application/sql");
        sql_file.push(&sql.0).map_err(Stop::Failed)?;
        let mut downloads = Vec::new();
        for kind in FileKind::ALL {
            let mut csv_file = BlobBuilder::new("text/csv");
            let mut first = true;
            for input in usable.iter().filter(|f| f.kind == kind) {
                let request = Request::ExportBegin {
                    kind,
                    name: input.name.clone(),
                    csv_header: first,
                };
                self.call(request).await?;
                first = false;
                let phase = format!("Writing outputs from {}", input.name);
                // Each answer leaves wasm memory for a Blob part at once, so the page holds
                // at most two slices' worth of output whatever the file size.
                let mut keep = |response: Response| match response {
                    Response::Exported { csv, sql } => {
                        csv_file.push(&csv.0).map_err(Stop::Failed)?;
                        sql_file.push(&sql.0).map_err(Stop::Failed)
                    }
                    _ => Err(Stop::Failed("unexpected answer from the ETL worker".into())),
                };
                bytes_done = self
                    .send_slices(
                        input,
                        &phase,
                        bytes_done,
                        |bytes| Request::ExportChunk { bytes },
                        &mut keep,
                    )
                    .await?;
                keep(self.call(Request::ExportEnd).await?)?;
            }
            if !first {
                let bytes = csv_file.bytes();
                let url = csv_file.finish().map_err(Stop::Failed)?;
                downloads.push(Download {
                    file_name: format!("{}.csv", kind.staging_table()),
                    url,
                    bytes,
                    test_id: csv_test_id(kind),
                });
            }
        }
        let bytes = sql_file.bytes();
        let url = sql_file.finish().map_err(Stop::Failed)?;
        downloads.insert(
            0,
            Download {
                file_name: "staging.sql".into(),
                url,
                bytes,
                test_id: "etl-download-sql",
            },
        );
        let mut report_file = BlobBuilder::new("text/markdown");
        report_file.push(&report_bytes).map_err(Stop::Failed)?;
        let bytes = report_file.bytes();
        let url = report_file.finish().map_err(Stop::Failed)?;
        downloads.push(Download {
            file_name: "report.md".into(),
            url,
            bytes,
            test_id: "etl-download-report",
        });
        self.urls = downloads.iter().map(|d| d.url.clone()).collect();
        self.dispatch.dispatch(EtlAction::Downloads(downloads));
        self.dispatch.dispatch(EtlAction::Finished);
        Ok(())
    }

    /// Sends a file slice by slice, handing each answer to `on_answer` as it arrives; returns the
    /// new bytes done.
    ///
    /// Two slices are in flight: the page reads and posts the next one while the worker works on
    /// the current one, so neither side waits for the other. Answers come back in order.
    async fn send_slices(
        &mut self,
        input: &InputFile,
        phase: &str,
        bytes_done: f64,
        request: impl Fn(Bytes) -> Request,
        mut on_answer: impl FnMut(Response) -> Result<(), Stop>,
    ) -> Result<f64, Stop> {
        let mut offset = 0.0;
        let mut in_flight = 0;
        while offset < input.size {
            self.check_cancel()?;
            let bytes = read_slice(&input.blob, offset, input.size).await?;
            if bytes.is_empty() {
                // The file shrank since it was chosen; what was read is all there is.
                break;
            }
            offset += bytes.len() as f64;
            self.send(request(Bytes(bytes))).await?;
            in_flight += 1;
            if in_flight == 2 {
                on_answer(self.receive().await?)?;
                in_flight -= 1;
            }
            self.dispatch.dispatch(EtlAction::Progress {
                phase: phase.to_owned(),
                bytes_done: bytes_done + offset,
            });
        }
        for _ in 0..in_flight {
            on_answer(self.receive().await?)?;
        }
        Ok(bytes_done + input.size)
    }

    async fn attack(&mut self) -> Result<(), Stop> {
        let Response::Attack {
            progress,
            elapsed_ms,
            examples,
        } = self.call(Request::AttackBegin).await?
        else {
            return Err(Stop::Failed("unexpected answer from the ETL worker".into()));
        };
        let mut view = AttackView {
            progress,
            elapsed_ms,
            examples,
            running: true,
        };
        self.dispatch.dispatch(EtlAction::Attack(view.clone()));
        while !view.progress.done() && !self.cancel.get() {
            let Response::Attack {
                progress,
                elapsed_ms,
                examples,
            } = self
                .call(Request::AttackStep {
                    budget_ms: ATTACK_STEP_MS,
                })
                .await?
            else {
                return Err(Stop::Failed("unexpected answer from the ETL worker".into()));
            };
            let stalled = progress.n_tried == view.progress.n_tried;
            view = AttackView {
                progress,
                elapsed_ms,
                examples,
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
    let slice = blob
        .slice_with_f64_and_f64(offset, end)
        .map_err(|err| Stop::Failed(format!("the browser could not slice the file: {err:?}")))?;
    let buffer = JsFuture::from(slice.array_buffer())
        .await
        .map_err(|err| Stop::Failed(format!("the browser could not read the file: {err:?}")))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
