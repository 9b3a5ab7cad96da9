//! The page's worker protocol without the browser: its messages and both sides' bookkeeping as
//! plain state machines, which the page's `shared/worker.rs` drives with `postMessage`, workers
//! and timers.
//!
//! - Requests run one at a time, first in first out; each is answered by a stream of events and
//!   one ending: finished, failed or cancelled.
//! - Backpressure by credit: the worker has at most [`CREDITS`] events of a request that the page
//!   has not yet taken; the client acknowledges an event once its callback has run.
//! - Liveness, one way: a worker that fails to start ([`START_TIMEOUT_MS`]), crashes, or does not
//!   confirm a cancel within [`CANCEL_GRACE_MS`] is terminated and started again; every request it
//!   held ends with [`Reply::Died`] and the section is told [`WorkerStatus::Died`], then `Ready`.
//!
//! [`Server`] is the worker's side (queue and credits), [`Client`] the page's (ids, open
//! requests, messages held until the worker listens, which timer still matters, what a death
//! ends). Neither posts anything: the page posts what [`Client::take_outbox`] hands it.

use std::collections::{HashMap, VecDeque};
use std::future::Future;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{JobError, Service, Step};

mod answer;
pub use answer::{Answering, Unanswered};

/// Events of one request the worker may send before the page has taken any.
pub const CREDITS: u32 = 2;
/// How long a worker may take to confirm a cancel before it is restarted.
pub const CANCEL_GRACE_MS: u32 = 2_000;
/// How long a new worker may take to say it is ready (it compiles its wasm first).
pub const START_TIMEOUT_MS: u32 = 30_000;

/// Ties a request's events to it.
pub type RequestId = u32;

/// What the page sends.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker<R> {
    Request {
        id: RequestId,
        request: R,
    },
    /// The page has taken one event of this request.
    Ack {
        id: RequestId,
    },
    Cancel {
        id: RequestId,
    },
}

/// What a worker sends.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker<E> {
    /// The worker has loaded and listens (sent once, unasked).
    Ready,
    Event {
        id: RequestId,
        event: E,
    },
    Finished {
        id: RequestId,
    },
    Failed {
        id: RequestId,
        message: String,
    },
    Cancelled {
        id: RequestId,
    },
}

/// Encodes a message as the bytes to post (postcard).
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(message).map_err(|e| format!("could not encode a message: {e}"))
}

/// Decodes posted bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("could not decode a message: {e}"))
}

// ---------------------------------------------------------------------------------------------
// The worker's side.

/// What a worker runs: a `campus_jobs::Service` whose start may wait for the browser (opening a
/// file in the private file system, say). Wrap a plain service in [`Core`].
pub trait Handler: 'static {
    type Request: DeserializeOwned + 'static;
    type Event: Serialize + 'static;

    /// Begins a request. An error here is the request's only answer.
    fn start(&mut self, request: Self::Request) -> impl Future<Output = Result<(), JobError>>;

    /// Does the next bounded piece of the current request. An error ends the request.
    fn step(&mut self) -> Result<Step<Self::Event>, JobError>;

    /// Abandons the current request between two steps.
    fn cancel(&mut self);
}

/// A `campus_jobs::Service` as a [`Handler`].
#[derive(Default)]
pub struct Core<S>(pub S);

impl<S> Handler for Core<S>
where
    S: Service + 'static,
    S::Request: 'static,
    S::Event: 'static,
{
    type Request = S::Request;
    type Event = S::Event;

    fn start(&mut self, request: S::Request) -> impl Future<Output = Result<(), JobError>> {
        std::future::ready(self.0.start(request))
    }

    fn step(&mut self) -> Result<Step<S::Event>, JobError> {
        self.0.step()
    }

    fn cancel(&mut self) {
        self.0.cancel();
    }
}

/// The worker's bookkeeping: the queue of requests waiting, and the running request's credits.
#[derive(Debug)]
pub struct Server<R> {
    queue: VecDeque<(RequestId, R)>,
    running: Option<RequestId>,
    credits: u32,
}

impl<R> Default for Server<R> {
    fn default() -> Self {
        Server {
            queue: VecDeque::new(),
            running: None,
            credits: 0,
        }
    }
}

/// What a step sends, in this order.
#[derive(Debug, PartialEq)]
pub struct Stepped<E> {
    pub event: Option<FromWorker<E>>,
    pub ending: Option<FromWorker<E>>,
}

/// What a message means for the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    /// Filed (a request queued, a credit back) or stale: nothing to do.
    Nothing,
    /// Cancel the running request: call the service's `cancel` and end it as cancelled.
    CancelRunning,
    /// A queued request was dropped before it started: tell the page it is cancelled.
    CancelledQueued(RequestId),
}

impl<R> Server<R> {
    /// Files one message from the page.
    pub fn take(&mut self, message: ToWorker<R>) -> Taken {
        match message {
            ToWorker::Request { id, request } => self.queue.push_back((id, request)),
            ToWorker::Ack { id } if self.running == Some(id) => self.credits += 1,
            // Acks of requests that have ended are stale.
            ToWorker::Ack { .. } => {}
            ToWorker::Cancel { id } if self.running == Some(id) => return Taken::CancelRunning,
            ToWorker::Cancel { id } => {
                let before = self.queue.len();
                self.queue.retain(|(queued, _)| *queued != id);
                if self.queue.len() != before {
                    return Taken::CancelledQueued(id);
                }
            }
        }
        Taken::Nothing
    }

    /// Starts the next queued request, if any, with full credit.
    pub fn next_request(&mut self) -> Option<(RequestId, R)> {
        let (id, request) = self.queue.pop_front()?;
        self.running = Some(id);
        self.credits = CREDITS;
        Some((id, request))
    }

    /// May the running request take another step? Not while the page holds all its credit.
    pub fn may_step(&self) -> bool {
        self.credits > 0
    }

    /// Files the result of one step of the running request `id`: the event to post (spending a
    /// credit, unless it is the last), and the request's ending when it has one.
    pub fn stepped<E>(&mut self, id: RequestId, step: Result<Step<E>, JobError>) -> Stepped<E> {
        let (event, ending) = match step {
            Ok(Step::Working) => (None, None),
            Ok(Step::Event(event)) => {
                debug_assert!(self.credits > 0, "a step was taken without credit");
                self.credits = self.credits.saturating_sub(1);
                (Some(event), None)
            }
            Ok(Step::Finished(event)) => (Some(event), Some(FromWorker::Finished { id })),
            Err(err) => {
                let message = err.message;
                (None, Some(FromWorker::Failed { id, message }))
            }
        };
        Stepped {
            event: event.map(|event| FromWorker::Event { id, event }),
            ending,
        }
    }

    /// The running request has ended (its ending is sent).
    pub fn ended(&mut self) {
        self.running = None;
    }
}

// ---------------------------------------------------------------------------------------------
// The page's side.

/// The worker as a whole.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkerStatus {
    Ready,
    /// Crashed, failed to start, or was restarted after ignoring a cancel; its state is gone. A
    /// restarted worker says `Ready` again.
    Died(String),
}

/// What a request gets back.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply<E> {
    Event(E),
    Finished,
    Failed(String),
    Cancelled,
    /// The worker died while the request was open.
    Died(String),
}

/// A timer the page runs for the client; when it fires, ask [`Client::expired`] whether it still
/// matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watchdog {
    /// The worker it watches; a timer of an earlier worker never matters.
    pub generation: u32,
    pub kind: WatchdogKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchdogKind {
    /// [`START_TIMEOUT_MS`]: the worker must say `Ready`.
    Start,
    /// [`CANCEL_GRACE_MS`]: the request must have ended.
    Cancel(RequestId),
}

impl Watchdog {
    pub fn millis(&self) -> u32 {
        match self.kind {
            WatchdogKind::Start => START_TIMEOUT_MS,
            WatchdogKind::Cancel(_) => CANCEL_GRACE_MS,
        }
    }

    /// Why the worker is restarted when this fires.
    pub fn reason(&self) -> &'static str {
        match self.kind {
            WatchdogKind::Start => "it did not start in time",
            WatchdogKind::Cancel(_) => "it did not stop when asked, so it was restarted",
        }
    }
}

/// What a message from the worker asks of the page.
#[derive(Debug, PartialEq)]
pub enum Received<H, E> {
    /// Stale (an earlier worker's) or about a request no longer open.
    Nothing,
    /// The worker listens: post the outbox, tell the section.
    Ready,
    /// Hand this reply to the request's handler (then post the outbox: an event is acknowledged
    /// once its handler has run).
    Reply(H, Reply<E>),
}

/// What a death leaves to do.
#[derive(Debug, PartialEq)]
pub struct Death<H> {
    /// The handlers of the requests that were open: each gets [`Reply::Died`].
    pub open: Vec<H>,
    /// Start a new worker: one of this client's workers once got going (a worker that never does,
    /// a missing file say, would be restarted forever).
    pub restart: bool,
}

/// The page's bookkeeping for one worker: request ids, the open requests and their handlers
/// (`H`, a callback), messages held until the worker listens, which worker is current.
#[derive(Debug)]
pub struct Client<R, H> {
    /// Counts workers started, so a late message or timer of a dead one is ignored.
    generation: u32,
    ready: bool,
    ever_ready: bool,
    next_id: RequestId,
    open: HashMap<RequestId, Open<H>>,
    /// Messages to post now.
    outbox: Vec<ToWorker<R>>,
    /// Messages sent before the worker listens (it would drop them).
    held: Vec<ToWorker<R>>,
}

#[derive(Debug)]
struct Open<H> {
    handler: H,
    cancelled: bool,
}

impl<R, H> Default for Client<R, H> {
    fn default() -> Self {
        Client {
            generation: 0,
            ready: false,
            ever_ready: false,
            next_id: 1,
            open: HashMap::new(),
            outbox: Vec::new(),
            held: Vec::new(),
        }
    }
}

impl<R, H: Clone> Client<R, H> {
    /// A new worker is being started: returns its generation and the start-up watchdog to run.
    pub fn starting(&mut self) -> Watchdog {
        self.generation = self.generation.wrapping_add(1);
        self.ready = false;
        Watchdog {
            generation: self.generation,
            kind: WatchdogKind::Start,
        }
    }

    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Has the worker said it is ready (and not died since)?
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// The messages to post now.
    pub fn take_outbox(&mut self) -> Vec<ToWorker<R>> {
        std::mem::take(&mut self.outbox)
    }

    fn send(&mut self, message: ToWorker<R>) {
        if self.ready {
            self.outbox.push(message);
        } else {
            self.held.push(message);
        }
    }

    /// Opens a request whose replies go to `handler`.
    pub fn request(&mut self, request: R, handler: H) -> RequestId {
        let id = self.next_id;
        self.next_id = id.wrapping_add(1);
        let open = Open {
            handler,
            cancelled: false,
        };
        self.open.insert(id, open);
        self.send(ToWorker::Request { id, request });
        id
    }

    /// Asks the worker to stop a request; its later events are dropped. Returns the grace
    /// watchdog to run, or `None` when the request is not open or already cancelled.
    pub fn cancel(&mut self, id: RequestId) -> Option<Watchdog> {
        let open = self.open.get_mut(&id).filter(|open| !open.cancelled)?;
        open.cancelled = true;
        self.send(ToWorker::Cancel { id });
        Some(Watchdog {
            generation: self.generation,
            kind: WatchdogKind::Cancel(id),
        })
    }

    /// Does a watchdog that fired still matter (then the worker dies of it)?
    pub fn expired(&self, watchdog: Watchdog) -> bool {
        watchdog.generation == self.generation
            && match watchdog.kind {
                WatchdogKind::Start => !self.ready,
                WatchdogKind::Cancel(id) => self.open.contains_key(&id),
            }
    }

    /// Files one message from the worker of `generation`.
    pub fn receive<E>(&mut self, generation: u32, message: FromWorker<E>) -> Received<H, E> {
        if generation != self.generation {
            return Received::Nothing;
        }
        let (id, reply) = match message {
            FromWorker::Ready => {
                self.ready = true;
                self.ever_ready = true;
                let held = std::mem::take(&mut self.held);
                self.outbox.extend(held);
                return Received::Ready;
            }
            FromWorker::Event { id, event } => {
                self.send(ToWorker::Ack { id });
                let open = self.open.get(&id).filter(|open| !open.cancelled);
                return match open {
                    Some(open) => Received::Reply(open.handler.clone(), Reply::Event(event)),
                    None => Received::Nothing,
                };
            }
            FromWorker::Finished { id } => (id, Reply::Finished),
            FromWorker::Failed { id, message } => (id, Reply::Failed(message)),
            FromWorker::Cancelled { id } => (id, Reply::Cancelled),
        };
        match self.open.remove(&id) {
            Some(open) => Received::Reply(open.handler, reply),
            None => Received::Nothing,
        }
    }

    /// The worker of `generation` died (crashed, or a watchdog expired): every open request ends,
    /// nothing held is sent. `None` when that worker is already gone.
    pub fn died(&mut self, generation: u32) -> Option<Death<H>> {
        if generation != self.generation {
            return None;
        }
        self.ready = false;
        self.held.clear();
        self.outbox.clear();
        let mut open: Vec<_> = self.open.drain().collect();
        open.sort_by_key(|(id, _)| *id);
        let open = open.into_iter().map(|(_, open)| open.handler).collect();
        if !self.ever_ready {
            // Stop this worker's start-up watchdog from firing again.
            self.generation = generation.wrapping_add(1);
        }
        Some(Death {
            open,
            restart: self.ever_ready,
        })
    }
}

#[cfg(test)]
mod tests;
