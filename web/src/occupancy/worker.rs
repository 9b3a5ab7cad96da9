//! The occupancy worker: generation, CSV import and training, off the page's thread.
//!
//! Registered by `src/bin/occupancy_worker.rs`. Each request runs to its end; progress is posted
//! from inside training as it happens (at most every [`PROGRESS_EVERY_MS`] or on a new stage).

use std::cell::Cell;

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use campus_occupancy::{Hooks, Progress, Stage, generate, parse_sessions, train};

use super::protocol::{Request, Response, Timings, decode, encode};
use crate::shared::now_ms;

/// The shortest gap between two progress messages of one stage.
pub const PROGRESS_EVERY_MS: f64 = 50.0;

/// Installs the message handler and tells the page the worker is ready.
pub fn register() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let replies = scope.clone();
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match decode::<Request>(&event.data()) {
                Ok(request) => handle(&replies, request),
                Err(message) => post(&replies, &Response::Failed { job_id: 0, message }),
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &Response::Ready);
}

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    let Ok(bytes) = encode(response) else { return };
    let transfer = Array::of1(&bytes.buffer());
    let _ = scope.post_message_with_transfer(&bytes, &transfer);
}

fn handle(scope: &DedicatedWorkerGlobalScope, request: Request) {
    let started = now_ms();
    match request {
        Request::Generate { job_id, config } => {
            let sessions = generate(&config);
            post(
                scope,
                &Response::Sessions {
                    job_id,
                    sessions,
                    errors: Vec::new(),
                    n_bad_rows: 0,
                    elapsed_ms: now_ms() - started,
                },
            );
        }
        Request::Import {
            job_id,
            file_name,
            bytes,
        } => {
            let imported = parse_sessions(&bytes, &file_name);
            post(
                scope,
                &Response::Sessions {
                    job_id,
                    sessions: imported.rows,
                    errors: imported.errors.iter().map(ToString::to_string).collect(),
                    n_bad_rows: imported.n_bad_rows,
                    elapsed_ms: now_ms() - started,
                },
            );
        }
        Request::Train {
            job_id,
            sessions,
            config,
            created_at,
        } => {
            let response = run_training(scope, job_id, &sessions, &config, &created_at);
            post(scope, &response);
        }
    }
}

fn run_training(
    scope: &DedicatedWorkerGlobalScope,
    job_id: u32,
    sessions: &[campus_occupancy::Session],
    config: &campus_occupancy::TrainConfig,
    created_at: &str,
) -> Response {
    let started = now_ms();
    // (stage, when it started) of the stage in progress, and the time of the last message.
    let current: Cell<(Stage, f64)> = Cell::new((Stage::Encoding, started));
    let last_post = Cell::new(f64::NEG_INFINITY);
    let mut timings = Timings::default();
    let record = |stage: Stage, ms: f64, timings: &mut Timings| match stage {
        Stage::Encoding => timings.encoding_ms += ms,
        Stage::Linear => timings.linear_ms += ms,
        Stage::Forest => timings.forest_ms += ms,
        Stage::Svm => timings.svm_ms += ms,
        Stage::Evaluating => timings.evaluating_ms += ms,
    };
    let result = {
        let mut on_progress = |progress: Progress| {
            let now = now_ms();
            let (stage, since) = current.get();
            let new_stage = stage != progress.stage;
            if new_stage {
                record(stage, now - since, &mut timings);
                current.set((progress.stage, now));
            }
            if new_stage || now - last_post.get() >= PROGRESS_EVERY_MS {
                last_post.set(now);
                post(scope, &Response::Progress { job_id, progress });
            }
        };
        // Cancelling terminates the worker, so training itself never needs to stop early.
        let never = || false;
        let mut hooks = Hooks {
            on_progress: &mut on_progress,
            is_cancelled: &never,
        };
        train(sessions, config, created_at, &mut hooks)
    };
    let end = now_ms();
    let (stage, since) = current.get();
    record(stage, end - since, &mut timings);
    timings.total_ms = end - started;
    match result
        .map_err(|e| e.to_string())
        .and_then(|bundle| bundle.to_bytes().map_err(|e| e.to_string()))
    {
        Ok(bundle) => Response::Trained {
            job_id,
            bundle,
            timings,
        },
        Err(message) => Response::Failed { job_id, message },
    }
}
