//! Prediction from a file: the file is read in slices of [`PREDICT_CHUNK`] bytes and predicted
//! in the worker as it is read ([`campus_jobs::occupancy::predict_stream`], the CLI's
//! streaming predict); each slice's CSV lines go into a Blob part at once, so neither the file
//! nor the predictions are ever whole in memory.

use std::cell::RefCell;

use futures::channel::oneshot;
use wasm_bindgen_futures::spawn_local;
use web_sys::File;
use yew::Callback;

use campus_jobs::Bytes;
use campus_jobs::occupancy::predict_stream::{FilePrediction, PREDICT_CHUNK, PredictSummary};
use campus_jobs::occupancy::{Event, Request};

use super::hook::OccupancyHandle;
use super::registry::load_active;
use crate::shared::download::BlobBuilder;
use crate::shared::worker::Reply;

impl OccupancyHandle {
    /// Predicts every session of `file` with the serving version; `report` hears that it
    /// started, then its outcome.
    pub fn predict_file(&self, file: File, report: Callback<FilePrediction>) {
        let handle = self.clone();
        spawn_local(async move {
            let name = file.name();
            report.emit(FilePrediction::started(&name));
            let outcome = match handle.stream_prediction(&file).await {
                Ok((summary, url)) => FilePrediction::done(&name, &summary, url),
                Err(message) => FilePrediction::failed(&name, &message),
            };
            report.emit(outcome);
        });
    }

    async fn stream_prediction(&self, file: &File) -> Result<(PredictSummary, String), String> {
        let id = load_active().ok_or("no version serves predictions")?;
        let model = self.registry().await?.bytes(id).await?;
        let mut out = BlobBuilder::new("text/csv");
        let begin = Request::PredictBegin {
            model_name: format!("version {id}"),
            model,
            file_name: file.name(),
        };
        self.ask(begin).await.and_then(|e| rows(e, &mut out))?;
        let blob = gloo_file::Blob::from(file.clone());
        let size = blob.size();
        let mut offset = 0;
        while offset < size {
            let end = (offset + PREDICT_CHUNK as u64).min(size);
            let bytes = gloo_file::futures::read_as_bytes(&blob.slice(offset, end))
                .await
                .map_err(|err| format!("could not read {}: {err}", file.name()))?;
            let request = Request::PredictChunk {
                bytes: Bytes(bytes),
            };
            self.ask(request).await.and_then(|e| rows(e, &mut out))?;
            offset = end;
        }
        match self.ask(Request::PredictEnd).await? {
            Event::PredictDone { csv, summary } => {
                out.push(&csv.0)?;
                Ok((summary, out.finish()?))
            }
            _ => Err("the worker gave another answer than the predictions".into()),
        }
    }

    /// Sends one request to the worker and waits for its one answer.
    async fn ask(&self, request: Request) -> Result<Event, String> {
        let client = self
            .inner
            .client
            .borrow()
            .clone()
            .ok_or("the occupancy worker is not running")?;
        let (tx, rx) = oneshot::channel();
        let slot = RefCell::new((Some(tx), None));
        let on_reply = Callback::from(move |reply: Reply<Event>| {
            let mut slot = slot.borrow_mut();
            let answer = match reply {
                Reply::Event(event) => {
                    slot.1 = Some(event);
                    return;
                }
                Reply::Finished => slot.1.take().ok_or("the worker gave no answer".to_owned()),
                Reply::Failed(message) => Err(message),
                Reply::Cancelled => Err("cancelled".to_owned()),
                Reply::Died(message) => Err(format!("the worker stopped ({message})")),
            };
            if let Some(tx) = slot.0.take() {
                let _ = tx.send(answer);
            }
        });
        client.request(request, on_reply);
        rx.await
            .unwrap_or_else(|_| Err("the occupancy worker has stopped".into()))
    }
}

/// Adds an answer's CSV lines to the output.
fn rows(event: Event, out: &mut BlobBuilder) -> Result<(), String> {
    match event {
        Event::PredictedRows { csv } => out.push(&csv.0),
        _ => Err("the worker gave another answer than predicted rows".into()),
    }
}
