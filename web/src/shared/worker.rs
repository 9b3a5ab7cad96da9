//! The one protocol between the page and its workers, used by every section.
//!
//! A worker runs a [`Handler`] (any `campus_jobs::Service`, through [`Core`]) behind [`serve`]; the
//! page talks to it through a [`WorkerClient`]. Messages are small serde types encoded with
//! postcard into one `Uint8Array` each, transferred rather than copied.
//!
//! - Requests run one at a time, first in first out; each is answered by a stream of events and
//!   one ending: finished, failed or cancelled.
//! - Backpressure by credit: the worker has at most [`CREDITS`] events of a request that the page
//!   has not yet taken; the client acknowledges an event once its callback has run.
//! - Between two steps the worker yields to its event loop, so a cancel, an acknowledgement or a
//!   new request is seen within one step.
//! - Liveness, one way: a worker that fails to start ([`START_TIMEOUT_MS`]), crashes (an error
//!   event, e.g. a wasm panic), or does not confirm a cancel within [`CANCEL_GRACE_MS`] (it is
//!   stuck in a long step) is terminated and started again; every request it held ends with
//!   [`Reply::Died`] and the section is told [`WorkerStatus::Died`], then `Ready` again.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::marker::PhantomData;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use js_sys::{Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Worker};
use yew::Callback;

use campus_jobs::{JobError, Service, Step};

/// Events of one request the worker may send before the page has taken any.
pub const CREDITS: u32 = 2;
/// How long a worker may take to confirm a cancel before it is restarted.
pub const CANCEL_GRACE_MS: u32 = 2_000;
/// How long a new worker may take to say it is ready (it compiles its wasm first).
pub const START_TIMEOUT_MS: u32 = 30_000;

/// Ties a request's events to it.
pub type RequestId = u32;

/// What the page sends.
#[derive(Debug, Serialize, Deserialize)]
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
#[derive(Debug, Serialize, Deserialize)]
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

/// Encodes a message as the bytes to post.
pub fn encode<T: Serialize>(message: &T) -> Result<Uint8Array, String> {
    let bytes =
        postcard::to_allocvec(message).map_err(|e| format!("could not encode a message: {e}"))?;
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// Decodes a posted message.
pub fn decode<T: DeserializeOwned>(data: &JsValue) -> Result<T, String> {
    if !data.is_instance_of::<Uint8Array>() {
        return Err("a message that is not ours arrived".to_owned());
    }
    let bytes = Uint8Array::new(data).to_vec();
    postcard::from_bytes(&bytes).map_err(|e| format!("could not decode a message: {e}"))
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

/// Runs `handler` as this worker's service: call it from the worker binary's `main`.
pub fn serve<H: Handler>(handler: H) {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let (inbox_tx, inbox) = mpsc::unbounded::<ToWorker<H::Request>>();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        // A message that does not decode cannot be answered (its id is unknown); the page's
        // cancel watchdog notices a request that never ends.
        if let Ok(message) = decode(&event.data()) {
            let _ = inbox_tx.unbounded_send(message);
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    spawn_local(run_worker(scope, handler, inbox));
}

fn post<E: Serialize>(scope: &DedicatedWorkerGlobalScope, message: &FromWorker<E>) {
    let Ok(bytes) = encode(message) else { return };
    let transfer = Array::of1(&bytes.buffer());
    let _ = scope.post_message_with_transfer(&bytes, &transfer);
}

async fn run_worker<H: Handler>(
    scope: DedicatedWorkerGlobalScope,
    mut handler: H,
    mut inbox: mpsc::UnboundedReceiver<ToWorker<H::Request>>,
) {
    post::<H::Event>(&scope, &FromWorker::Ready);
    let mut queue = VecDeque::new();
    loop {
        let (id, request) = match queue.pop_front() {
            Some(next) => next,
            None => match inbox.next().await {
                Some(ToWorker::Request { id, request }) => (id, request),
                // Acks and cancels of requests that have ended are stale.
                Some(_) => continue,
                None => return,
            },
        };
        let mut running = Running {
            scope: &scope,
            id,
            credits: CREDITS,
            queue: &mut queue,
        };
        let ending = running.run(&mut handler, request, &mut inbox).await;
        post(&scope, &ending);
    }
}

/// One request being run, with what arrives meanwhile.
struct Running<'a, R> {
    scope: &'a DedicatedWorkerGlobalScope,
    id: RequestId,
    credits: u32,
    queue: &'a mut VecDeque<(RequestId, R)>,
}

impl<R> Running<'_, R> {
    async fn run<H: Handler<Request = R>>(
        &mut self,
        handler: &mut H,
        request: R,
        inbox: &mut mpsc::UnboundedReceiver<ToWorker<R>>,
    ) -> FromWorker<H::Event> {
        let id = self.id;
        if let Err(err) = handler.start(request).await {
            return FromWorker::Failed {
                id,
                message: err.message,
            };
        }
        loop {
            // Everything that has arrived, then wait while out of credit.
            while let Ok(message) = inbox.try_recv() {
                if self.take(message) {
                    handler.cancel();
                    return FromWorker::Cancelled { id };
                }
            }
            if self.credits == 0 {
                match inbox.next().await {
                    Some(message) => {
                        if self.take(message) {
                            handler.cancel();
                            return FromWorker::Cancelled { id };
                        }
                        continue;
                    }
                    None => return FromWorker::Cancelled { id },
                }
            }
            match handler.step() {
                Ok(Step::Working) => {}
                Ok(Step::Event(event)) => {
                    post(self.scope, &FromWorker::Event { id, event });
                    self.credits -= 1;
                }
                Ok(Step::Finished(event)) => {
                    post(self.scope, &FromWorker::Event { id, event });
                    return FromWorker::Finished { id };
                }
                Err(err) => {
                    return FromWorker::Failed {
                        id,
                        message: err.message,
                    };
                }
            }
            yield_to_event_loop().await;
        }
    }

    /// Files one message; true when it cancels the running request.
    fn take(&mut self, message: ToWorker<R>) -> bool {
        match message {
            ToWorker::Ack { id } if id == self.id => self.credits += 1,
            ToWorker::Cancel { id } if id == self.id => return true,
            ToWorker::Cancel { id } => {
                let before = self.queue.len();
                self.queue.retain(|(queued, _)| *queued != id);
                if self.queue.len() != before {
                    post::<()>(self.scope, &FromWorker::Cancelled { id });
                }
            }
            ToWorker::Request { id, request } => self.queue.push_back((id, request)),
            ToWorker::Ack { .. } => {}
        }
        false
    }
}

thread_local! {
    /// A message channel to this thread itself: a message on it is a task of the event loop
    /// (unlike a resolved promise), without `setTimeout`'s clamping of nested calls.
    static YIELDER: Option<Yielder> = Yielder::new();
}

struct Yielder {
    channel: web_sys::MessageChannel,
    waiting: Rc<RefCell<VecDeque<js_sys::Function>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Yielder {
    fn new() -> Option<Yielder> {
        let channel = web_sys::MessageChannel::new().ok()?;
        let waiting = Rc::new(RefCell::new(VecDeque::<js_sys::Function>::new()));
        let wake = waiting.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
            let next = wake.borrow_mut().pop_front();
            if let Some(resolve) = next {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        channel
            .port1()
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Yielder {
            channel,
            waiting,
            _on_message: on_message,
        })
    }
}

/// Lets the event loop deliver what has arrived (a cancel, an ack) before the next step.
async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let queued = YIELDER.with(|yielder| match yielder {
            Some(yielder) => {
                yielder.waiting.borrow_mut().push_back(resolve.clone());
                yielder.channel.port2().post_message(&JsValue::NULL).is_ok()
            }
            None => false,
        });
        if !queued {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
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

/// Why [`WorkerClient::call`] has no answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("{0}")]
    Failed(String),
    #[error("cancelled")]
    Cancelled,
    #[error("the worker stopped: {0}")]
    Died(String),
}

/// The page's handle on one worker. Clones share the worker.
pub struct WorkerClient<R, E> {
    inner: Rc<Client<R, E>>,
}

impl<R, E> Clone for WorkerClient<R, E> {
    fn clone(&self) -> Self {
        WorkerClient {
            inner: self.inner.clone(),
        }
    }
}

impl<R, E> PartialEq for WorkerClient<R, E> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

struct Client<R, E> {
    loader: &'static str,
    on_status: Callback<WorkerStatus>,
    live: RefCell<Option<Live>>,
    /// Counts workers started, so a late message or timer of a dead one is ignored.
    generation: Cell<u32>,
    ready: Cell<bool>,
    /// Has any worker of this client said `Ready`? A worker that never does is not restarted
    /// (a missing file would restart it forever).
    ever_ready: Cell<bool>,
    next_id: Cell<RequestId>,
    open: RefCell<HashMap<RequestId, Open<E>>>,
    /// Messages posted before the worker listens are held here (it would drop them).
    held: RefCell<Vec<Uint8Array>>,
    _request: PhantomData<R>,
}

struct Open<E> {
    on_reply: Callback<Reply<E>>,
    cancelled: bool,
}

/// A running worker and the handlers that must live as long as it does.
struct Live {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

impl<R, E> WorkerClient<R, E>
where
    R: Serialize + 'static,
    E: DeserializeOwned + 'static,
{
    /// Starts the worker whose loader script is `loader` (relative to the page).
    pub fn spawn(loader: &'static str, on_status: Callback<WorkerStatus>) -> Self {
        let inner = Rc::new(Client {
            loader,
            on_status,
            live: RefCell::new(None),
            generation: Cell::new(0),
            ready: Cell::new(false),
            ever_ready: Cell::new(false),
            next_id: Cell::new(1),
            open: RefCell::new(HashMap::new()),
            held: RefCell::new(Vec::new()),
            _request: PhantomData,
        });
        Client::start(&inner);
        WorkerClient { inner }
    }

    /// Has the worker said it is ready (and not died since)?
    pub fn is_ready(&self) -> bool {
        self.inner.ready.get()
    }

    /// Sends a request; every reply goes to `on_reply`, ending with exactly one of `Finished`,
    /// `Failed`, `Cancelled` or `Died`.
    pub fn request(&self, request: R, on_reply: Callback<Reply<E>>) -> RequestId {
        let id = self.inner.next_id.get();
        self.inner.next_id.set(id.wrapping_add(1));
        self.inner.open.borrow_mut().insert(
            id,
            Open {
                on_reply,
                cancelled: false,
            },
        );
        self.inner.send(&ToWorker::<R>::Request { id, request });
        id
    }

    /// Sends a request and collects its events until it finishes.
    pub async fn call(&self, request: R) -> Result<Vec<E>, CallError> {
        let (done_tx, done_rx) = oneshot::channel();
        let done_tx = RefCell::new(Some(done_tx));
        let events = RefCell::new(Vec::new());
        let on_reply = Callback::from(move |reply: Reply<E>| {
            let ending = match reply {
                Reply::Event(event) => {
                    events.borrow_mut().push(event);
                    return;
                }
                Reply::Finished => Ok(std::mem::take(&mut *events.borrow_mut())),
                Reply::Failed(message) => Err(CallError::Failed(message)),
                Reply::Cancelled => Err(CallError::Cancelled),
                Reply::Died(reason) => Err(CallError::Died(reason)),
            };
            if let Some(done_tx) = done_tx.borrow_mut().take() {
                let _ = done_tx.send(ending);
            }
        });
        self.request(request, on_reply);
        done_rx
            .await
            .unwrap_or_else(|_| Err(CallError::Died("the page dropped the request".to_owned())))
    }

    /// Asks the worker to stop a request between two steps. Its later events are dropped; it ends
    /// with `Cancelled` (or `Died`, if the worker has to be restarted to stop it).
    pub fn cancel(&self, id: RequestId) {
        let open = match self.inner.open.borrow_mut().get_mut(&id) {
            Some(open) if !open.cancelled => {
                open.cancelled = true;
                true
            }
            _ => false,
        };
        if !open {
            return;
        }
        self.inner.send(&ToWorker::<R>::Cancel { id });
        let generation = self.inner.generation.get();
        let weak = Rc::downgrade(&self.inner);
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(CANCEL_GRACE_MS).await;
            if let Some(inner) = weak.upgrade()
                && inner.generation.get() == generation
                && inner.open.borrow().contains_key(&id)
            {
                Client::died(
                    &inner,
                    generation,
                    "it did not stop when asked, so it was restarted",
                );
            }
        });
    }
}

impl<R, E> Client<R, E>
where
    R: Serialize + 'static,
    E: DeserializeOwned + 'static,
{
    fn start(inner: &Rc<Self>) {
        let generation = inner.generation.get().wrapping_add(1);
        inner.generation.set(generation);
        inner.ready.set(false);
        let worker = match Worker::new(inner.loader) {
            Ok(worker) => worker,
            Err(err) => {
                let reason = format!("the worker could not be started ({err:?})");
                inner.on_status.emit(WorkerStatus::Died(reason));
                return;
            }
        };
        let weak = Rc::downgrade(inner);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                Client::receive(&inner, generation, &event.data());
            }
        });
        let weak = Rc::downgrade(inner);
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let detail = event
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "it crashed".to_owned());
            if let Some(inner) = weak.upgrade() {
                Client::died(&inner, generation, &detail);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *inner.live.borrow_mut() = Some(Live {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        });
        let weak = Rc::downgrade(inner);
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(START_TIMEOUT_MS).await;
            if let Some(inner) = weak.upgrade()
                && inner.generation.get() == generation
                && !inner.ready.get()
            {
                Client::died(&inner, generation, "it did not start in time");
            }
        });
    }

    fn send(&self, message: &ToWorker<R>) {
        let Ok(bytes) = encode(message) else { return };
        if !self.ready.get() {
            self.held.borrow_mut().push(bytes);
            return;
        }
        self.post(&bytes);
    }

    fn post(&self, bytes: &Uint8Array) {
        if let Some(live) = self.live.borrow().as_ref() {
            let transfer = Array::of1(&bytes.buffer());
            let _ = live.worker.post_message_with_transfer(bytes, &transfer);
        }
    }

    fn receive(inner: &Rc<Self>, generation: u32, data: &JsValue) {
        if inner.generation.get() != generation {
            return;
        }
        let message = match decode::<FromWorker<E>>(data) {
            Ok(message) => message,
            Err(reason) => return Client::died(inner, generation, &reason),
        };
        match message {
            FromWorker::Ready => {
                inner.ready.set(true);
                inner.ever_ready.set(true);
                let held = std::mem::take(&mut *inner.held.borrow_mut());
                for bytes in &held {
                    inner.post(bytes);
                }
                inner.on_status.emit(WorkerStatus::Ready);
            }
            FromWorker::Event { id, event } => {
                let target = inner
                    .open
                    .borrow()
                    .get(&id)
                    .filter(|open| !open.cancelled)
                    .map(|open| open.on_reply.clone());
                if let Some(on_reply) = target {
                    on_reply.emit(Reply::Event(event));
                }
                inner.send(&ToWorker::Ack { id });
            }
            FromWorker::Finished { id } => inner.end(id, Reply::Finished),
            FromWorker::Failed { id, message } => inner.end(id, Reply::Failed(message)),
            FromWorker::Cancelled { id } => inner.end(id, Reply::Cancelled),
        }
    }

    fn end(&self, id: RequestId, reply: Reply<E>) {
        let open = self.open.borrow_mut().remove(&id);
        if let Some(open) = open {
            open.on_reply.emit(reply);
        }
    }

    /// Terminates the worker, ends every open request with `Died`, and starts a new worker if
    /// one of this client's workers ever got going.
    fn died(inner: &Rc<Self>, generation: u32, reason: &str) {
        if inner.generation.get() != generation {
            return;
        }
        if let Some(live) = inner.live.borrow_mut().take() {
            live.worker.terminate();
        }
        inner.ready.set(false);
        inner.held.borrow_mut().clear();
        let open: Vec<_> = inner.open.borrow_mut().drain().collect();
        for (_, open) in open {
            open.on_reply.emit(Reply::Died(reason.to_owned()));
        }
        inner.on_status.emit(WorkerStatus::Died(reason.to_owned()));
        if inner.ever_ready.get() {
            Client::start(inner);
        } else {
            // Stop the start-up watchdog of this generation from firing again.
            inner.generation.set(generation.wrapping_add(1));
        }
    }
}
