//! The jobs layer: the middle between the pure core crates and the two shells (the `campus` CLI
//! and the web page), in the role rust-analyzer's `ide` crate plays.
//!
//! Every job is a [`Service`]: a state machine that takes serde requests and answers each with a
//! stream of serde events, one bounded [`Service::step`] at a time. Progress is an event; cancel
//! is [`Service::cancel`] between two steps. The page's workers run a service behind one
//! message protocol (`web/src/shared/worker.rs`); the CLI runs the same service in a loop
//! ([`drive`]) and writes what it produces to files. Form parsing and validation, with typed
//! per-field errors, live here too, so both shells accept and reject the same input.
//!
//! Nothing here knows about files, clocks, threads or the DOM: bytes in, bytes and events out.
//!
//! Interesting modules: [`generate`] (the university script, CSVs, zip and chart figures),
//! [`etl`] (the two-pass ETL pipeline), [`occupancy`] (import, train, predict, registry metadata),
//! [`db`] (the SQLite database: load, query, check exercises, save, open), [`wire`] (the page's
//! worker protocol: its messages and both sides' bookkeeping), [`route`] (the page's addresses).

pub mod bad_rows;
mod bytes;
pub mod db;
pub mod etl;
pub mod format;
pub mod generate;
pub mod markdown;
mod notice;
pub mod occupancy;
#[cfg(not(target_arch = "wasm32"))]
pub mod parallel;
pub mod route;
pub mod wire;

pub use notice::Notice;

use serde::{Deserialize, Serialize};

pub use bytes::Bytes;

/// What one step of a service produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Step<E> {
    /// An event; the request goes on.
    Event(E),
    /// The request's last event: the request is finished.
    Finished(E),
    /// Nothing to report this step (the work went on); the request goes on.
    Working,
}

/// A job the shells drive: requests in, a stream of events out, one bounded step at a time.
///
/// A service handles one request at a time and keeps whatever state ties requests together (the
/// ETL keeps its per-student state across the chunks of a file). A step does a bounded amount of
/// work (a chunk, a batch of trees) so that a shell can interleave steps with cancels, credits
/// and drawing.
pub trait Service {
    type Request: Serialize + for<'de> Deserialize<'de>;
    type Event: Serialize + for<'de> Deserialize<'de>;

    /// Begins a request. An error here is the request's only answer.
    fn start(&mut self, request: Self::Request) -> Result<(), JobError>;

    /// Does the next bounded piece of the current request. An error ends the request.
    fn step(&mut self) -> Result<Step<Self::Event>, JobError>;

    /// Abandons the current request between two steps; the service stays usable.
    fn cancel(&mut self);
}

/// Why a request failed: a message for a person, already saying what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct JobError {
    pub message: String,
}

impl JobError {
    pub fn new(message: impl Into<String>) -> JobError {
        JobError {
            message: message.into(),
        }
    }
}

/// Runs one request to its end, handing every event to `on_event`; the CLI's loop, and the way
/// tests run a service natively. `on_event` returns `false` to cancel.
pub fn drive<S: Service>(
    service: &mut S,
    request: S::Request,
    mut on_event: impl FnMut(S::Event) -> bool,
) -> Result<Outcome, JobError> {
    service.start(request)?;
    loop {
        match service.step()? {
            Step::Working => {}
            Step::Event(event) => {
                if !on_event(event) {
                    service.cancel();
                    return Ok(Outcome::Cancelled);
                }
            }
            Step::Finished(event) => {
                on_event(event);
                return Ok(Outcome::Finished);
            }
        }
    }
}

/// How [`drive`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Finished,
    Cancelled,
}
