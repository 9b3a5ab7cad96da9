//! Messages between the page and the occupancy worker, encoded with postcard into one
//! `Uint8Array` each (transferred, not copied).
//!
//! The worker is a plain dedicated worker rather than a yew-agent reactor: training is one long
//! synchronous call, and a reactor's outputs wait in a queue until that call returns, so its
//! progress would arrive all at once at the end. Posting directly delivers progress while the
//! worker computes, and cancelling is `Worker.terminate()` (a reactor cannot hear a cancel
//! message until training returns).

use js_sys::Uint8Array;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use campus_occupancy::{GenerateConfig, Progress, Session, TrainConfig};

/// What the page asks of the worker; `job_id` ties answers to the request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    Generate {
        job_id: u32,
        config: GenerateConfig,
    },
    /// Parse a CSV file in the shared session layout.
    Import {
        job_id: u32,
        file_name: String,
        bytes: Vec<u8>,
    },
    Train {
        job_id: u32,
        sessions: Vec<Session>,
        config: TrainConfig,
        created_at: String,
    },
}

/// What the worker reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has loaded and listens.
    Ready,
    /// Sessions generated or imported, with the import's located errors (first 100) and the
    /// number of bad rows.
    Sessions {
        job_id: u32,
        sessions: Vec<Session>,
        errors: Vec<String>,
        n_bad_rows: usize,
        elapsed_ms: f64,
    },
    Progress {
        job_id: u32,
        progress: Progress,
    },
    /// A trained version in the saved-model format, with how long each model took.
    Trained {
        job_id: u32,
        bundle: Vec<u8>,
        timings: Timings,
    },
    Failed {
        job_id: u32,
        message: String,
    },
}

/// Training time per step, in milliseconds, measured in the worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub encoding_ms: f64,
    pub linear_ms: f64,
    pub forest_ms: f64,
    pub svm_ms: f64,
    pub evaluating_ms: f64,
    pub total_ms: f64,
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
