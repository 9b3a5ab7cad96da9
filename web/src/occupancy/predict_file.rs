//! Prediction from a file: the file is read in slices of [`PREDICT_CHUNK`] bytes and predicted
//! in the worker as it is read ([`campus_jobs::occupancy::predict_stream`], the CLI's
//! streaming predict); each slice's CSV lines go into a Blob part at once, so neither the file
//! nor the predictions are ever whole in memory.

use wasm_bindgen_futures::spawn_local;
use web_sys::File;
use yew::Callback;

use campus_jobs::Bytes;
use campus_jobs::occupancy::predict_stream::{FilePrediction, PREDICT_CHUNK, PredictSummary};
use campus_jobs::occupancy::{Event, Request};

use super::hook::OccupancyHandle;
use super::registry::load_active;
use crate::shared::download::BlobBuilder;

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
        rows(self.ask(begin).await?, &mut out)?;
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
            rows(self.ask(request).await?, &mut out)?;
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
}

/// Adds an answer's CSV lines to the output.
fn rows(event: Event, out: &mut BlobBuilder) -> Result<(), String> {
    match event {
        Event::PredictedRows { csv } => out.push(&csv.0),
        _ => Err("the worker gave another answer than predicted rows".into()),
    }
}
