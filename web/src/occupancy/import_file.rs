//! Training data from a file: the file is read in slices of [`IMPORT_CHUNK`] bytes, each parsed
//! in the worker as it is read ([`campus_jobs::occupancy::import_stream`]), so the file is never
//! whole in memory: only the sessions parsed from it. One import is one job of the tracker,
//! which says between two slices whether to go on (a cancel is honoured there).

use wasm_bindgen_futures::spawn_local;
use web_sys::File;

use campus_jobs::Bytes;
use campus_jobs::occupancy::import_stream::IMPORT_CHUNK;
use campus_jobs::occupancy::tracker::{Ending, Job};
use campus_jobs::occupancy::{Event, Request};

use super::hook::OccupancyHandle;
use crate::shared::worker::RequestId;

impl OccupancyHandle {
    /// Imports the sessions of a CSV file, slice by slice; the new ones are appended.
    pub fn import_csv(&self, file: File) {
        let handle = self.clone();
        spawn_local(async move {
            let Some(id) = handle.start(Job::import_file(file.name())) else {
                return;
            };
            match handle.stream_import(id, &file).await {
                Ok(Some(imported)) => handle.on_event(id, imported),
                Ok(None) => {}
                Err(ending) => {
                    let actions = handle.inner.tracker.borrow_mut().end(id, ending);
                    actions.into_iter().for_each(|a| handle.dispatch(a));
                }
            }
        });
    }

    /// Sends the file's slices, then asks for its sessions; `None` when the import ended
    /// between two slices (cancelled, or failed and reported).
    async fn stream_import(&self, id: RequestId, file: &File) -> Result<Option<Event>, Ending> {
        let blob = gloo_file::Blob::from(file.clone());
        let size = blob.size();
        let mut offset = 0;
        loop {
            let next = self.inner.tracker.borrow_mut().next_slice(id);
            if let Err(actions) = next {
                actions.into_iter().for_each(|a| self.dispatch(a));
                return Ok(None);
            }
            if offset >= size {
                break;
            }
            let end = (offset + IMPORT_CHUNK as u64).min(size);
            let bytes = gloo_file::futures::read_as_bytes(&blob.slice(offset, end))
                .await
                .map_err(|err| Ending::Failed(format!("could not read {}: {err}", file.name())))?;
            let request = Request::ImportChunk {
                bytes: Bytes(bytes),
            };
            match self.ask(request).await? {
                Event::ImportRead { .. } => offset = end,
                _ => return Err(Ending::Failed(UNEXPECTED.into())),
            }
        }
        match self.ask(Request::ImportEnd).await? {
            imported @ Event::Imported { .. } => Ok(Some(imported)),
            _ => Err(Ending::Failed(UNEXPECTED.into())),
        }
    }
}

const UNEXPECTED: &str = "the worker gave another answer than the import's";
