//! The occupancy worker: [`OccupancyService`] off the page's thread.
//!
//! Registered by `src/bin/occupancy_worker.rs`. Each request is driven to its end; every event
//! is posted as its step produces it, so progress arrives while the worker computes. Cancelling
//! is `Worker.terminate()` by the page.

use std::cell::RefCell;

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use campus_jobs::drive;
use campus_jobs::occupancy::OccupancyService;

use super::protocol::{Request, Response, decode, encode};
use crate::shared::now_ms;

/// Installs the message handler and tells the page the worker is ready.
pub fn register() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let replies = scope.clone();
    let service = RefCell::new(OccupancyService::with_clock(Box::new(now_ms)));
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match decode::<Request>(&event.data()) {
                Ok(request) => handle(&replies, &mut service.borrow_mut(), request),
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

fn handle(scope: &DedicatedWorkerGlobalScope, service: &mut OccupancyService, request: Request) {
    let job_id = request.job_id;
    let result = drive(service, request.job, |event| {
        post(scope, &Response::Event { job_id, event });
        true
    });
    if let Err(error) = result {
        post(
            scope,
            &Response::Failed {
                job_id,
                message: error.message,
            },
        );
    }
}
