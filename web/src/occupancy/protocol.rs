//! Messages between the page and the occupancy worker, encoded with postcard into one
//! `Uint8Array` each (transferred, not copied). The jobs are
//! [`campus_jobs::occupancy::OccupancyService`]'s requests and events; `job_id` ties answers to
//! the request.

use js_sys::Uint8Array;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use campus_jobs::occupancy::{Event, Request as Job};

/// What the page asks of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub job_id: u32,
    pub job: Job,
}

/// What the worker reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has loaded and listens.
    Ready,
    /// One of the service's events.
    Event {
        job_id: u32,
        event: Event,
    },
    Failed {
        job_id: u32,
        message: String,
    },
}

/// Encodes a message as the bytes to post.
pub fn encode<T: Serialize>(message: &T) -> Result<Uint8Array, String> {
    let bytes =
        postcard::to_allocvec(message).map_err(|e| format!("could not encode a message: {e}"))?;
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// Decodes a posted message.
pub fn decode<T: DeserializeOwned>(data: &JsValue) -> Result<T, String> {
    if !data.is_instance_of::<Uint8Array>() {
        return Err("the worker sent a message that is not ours".to_owned());
    }
    let bytes = Uint8Array::new(data).to_vec();
    postcard::from_bytes(&bytes).map_err(|e| format!("could not decode a message: {e}"))
}
