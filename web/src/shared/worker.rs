//! The browser's half of the one worker protocol (its rules and bookkeeping: `campus_jobs::wire`):
//! posts messages (postcard, one transferred `Uint8Array` each), starts and terminates workers,
//! runs the watchdogs' timers. A worker serves a [`Handler`] with [`serve`]; the page holds a
//! [`WorkerClient`].

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use js_sys::{Array, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Worker};
use yew::Callback;

use campus_jobs::wire::{self, Answering, Client, Received, Server, Taken, Watchdog};

pub use campus_jobs::wire::{
    Core, FromWorker, Handler, Reply, RequestId, ToWorker, Unanswered, WorkerStatus,
};

/// Encodes a message as the bytes to post.
pub fn encode<T: Serialize>(message: &T) -> Result<Uint8Array, String> {
    Ok(Uint8Array::from(wire::encode(message)?.as_slice()))
}

/// Decodes a posted message.
pub fn decode<T: DeserializeOwned>(data: &JsValue) -> Result<T, String> {
    if !data.is_instance_of::<Uint8Array>() {
        return Err("a message that is not ours arrived".to_owned());
    }
    wire::decode(&Uint8Array::new(data).to_vec())
}

// ---------------------------------------------------------------------------------------------
// The worker's side.

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

type Inbox<R> = mpsc::UnboundedReceiver<ToWorker<R>>;

async fn run_worker<H: Handler>(
    scope: DedicatedWorkerGlobalScope,
    mut handler: H,
    mut inbox: Inbox<H::Request>,
) {
    post::<H::Event>(&scope, &FromWorker::Ready);
    let mut server = Server::default();
    loop {
        let Some((id, request)) = server.next_request() else {
            match inbox.next().await {
                Some(message) => file(&scope, &mut server, message),
                None => return,
            };
            continue;
        };
        let ending = run(&scope, &mut server, &mut handler, id, request, &mut inbox).await;
        server.ended();
        post(&scope, &ending);
    }
}

/// Files a message; true when it cancels the running request.
fn file<R>(
    scope: &DedicatedWorkerGlobalScope,
    server: &mut Server<R>,
    message: ToWorker<R>,
) -> bool {
    let taken = server.take(message);
    if let Taken::CancelledQueued(id) = taken {
        post::<()>(scope, &FromWorker::Cancelled { id });
    }
    taken == Taken::CancelRunning
}

/// Runs one request to its ending, filing what arrives meanwhile.
async fn run<H: Handler>(
    scope: &DedicatedWorkerGlobalScope,
    server: &mut Server<H::Request>,
    handler: &mut H,
    id: RequestId,
    request: H::Request,
    inbox: &mut Inbox<H::Request>,
) -> FromWorker<H::Event> {
    if let Err(err) = handler.start(request).await {
        let message = err.message;
        return FromWorker::Failed { id, message };
    }
    loop {
        // Everything that has arrived, then wait while out of credit.
        let mut cancel = false;
        while let Ok(message) = inbox.try_recv() {
            cancel |= file(scope, server, message);
        }
        while !cancel && !server.may_step() {
            match inbox.next().await {
                Some(message) => cancel = file(scope, server, message),
                None => return FromWorker::Cancelled { id },
            }
        }
        if cancel {
            handler.cancel();
            return FromWorker::Cancelled { id };
        }
        let stepped = server.stepped(id, handler.step());
        if let Some(event) = stepped.event {
            post(scope, &event);
        }
        if let Some(ending) = stepped.ending {
            return ending;
        }
        yield_to_event_loop().await;
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

/// The page's handle on one worker. Clones share the worker.
pub struct WorkerClient<R, E> {
    inner: Rc<Inner<R, E>>,
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

struct Inner<R, E> {
    loader: &'static str,
    on_status: Callback<WorkerStatus>,
    live: RefCell<Option<Live>>,
    state: RefCell<Client<R, Callback<Reply<E>>>>,
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
        let inner = Rc::new(Inner {
            loader,
            on_status,
            live: RefCell::new(None),
            state: RefCell::new(Client::default()),
        });
        Inner::start(&inner);
        WorkerClient { inner }
    }

    /// Has the worker said it is ready (and not died since)?
    pub fn is_ready(&self) -> bool {
        self.inner.state.borrow().is_ready()
    }

    /// Sends a request; every reply goes to `on_reply`, ending with exactly one of `Finished`,
    /// `Failed`, `Cancelled` or `Died`.
    pub fn request(&self, request: R, on_reply: Callback<Reply<E>>) -> RequestId {
        let id = self.inner.state.borrow_mut().request(request, on_reply);
        self.inner.flush();
        id
    }

    /// Sends `request` at once and gives its one answer: its last event once it has finished,
    /// or why there is none. The request is sent before the future is awaited, so several may
    /// be in flight.
    pub fn ask(&self, request: R) -> impl Future<Output = Result<E, Unanswered>> + 'static {
        let (tx, rx) = oneshot::channel();
        let slot = RefCell::new((Some(tx), Answering::default()));
        let on_reply = Callback::from(move |reply: Reply<E>| {
            let mut slot = slot.borrow_mut();
            if let Some(answer) = slot.1.reply(reply)
                && let Some(tx) = slot.0.take()
            {
                let _ = tx.send(answer);
            }
        });
        self.request(request, on_reply);
        async move { rx.await.unwrap_or(Err(Unanswered::Gone)) }
    }

    /// Asks the worker to stop a request between two steps. Its later events are dropped; it ends
    /// with `Cancelled` (or `Died`, if the worker has to be restarted to stop it).
    pub fn cancel(&self, id: RequestId) {
        let watchdog = self.inner.state.borrow_mut().cancel(id);
        self.inner.flush();
        if let Some(watchdog) = watchdog {
            Inner::watch(&self.inner, watchdog);
        }
    }
}

impl<R, E> Inner<R, E>
where
    R: Serialize + 'static,
    E: DeserializeOwned + 'static,
{
    fn start(inner: &Rc<Self>) {
        let watchdog = inner.state.borrow_mut().starting();
        let generation = watchdog.generation;
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
                Inner::receive(&inner, generation, &event.data());
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
                Inner::died(&inner, generation, &detail);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *inner.live.borrow_mut() = Some(Live {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        });
        Inner::watch(inner, watchdog);
    }

    /// Runs a watchdog's timer; the worker dies of it if it still matters when it fires.
    fn watch(inner: &Rc<Self>, watchdog: Watchdog) {
        let weak = Rc::downgrade(inner);
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(watchdog.millis()).await;
            if let Some(inner) = weak.upgrade()
                && inner.state.borrow().expired(watchdog)
            {
                Inner::died(&inner, watchdog.generation, watchdog.reason());
            }
        });
    }

    /// Posts what the bookkeeping says to post now.
    fn flush(&self) {
        let outbox = self.state.borrow_mut().take_outbox();
        let live = self.live.borrow();
        let Some(live) = live.as_ref() else { return };
        for message in &outbox {
            let Ok(bytes) = encode(message) else { continue };
            let transfer = Array::of1(&bytes.buffer());
            let _ = live.worker.post_message_with_transfer(&bytes, &transfer);
        }
    }

    fn receive(inner: &Rc<Self>, generation: u32, data: &JsValue) {
        if inner.state.borrow().generation() != generation {
            return;
        }
        let message = match decode::<FromWorker<E>>(data) {
            Ok(message) => message,
            Err(reason) => return Inner::died(inner, generation, &reason),
        };
        let received = inner.state.borrow_mut().receive(generation, message);
        match received {
            Received::Nothing => {}
            Received::Ready => {
                inner.flush();
                inner.on_status.emit(WorkerStatus::Ready);
            }
            // An event is acknowledged once its callback has run.
            Received::Reply(on_reply, reply) => on_reply.emit(reply),
        }
        inner.flush();
    }

    /// Terminates the worker, ends every open request with `Died`, and starts a new worker if
    /// one of this client's workers ever got going.
    fn died(inner: &Rc<Self>, generation: u32, reason: &str) {
        let Some(death) = inner.state.borrow_mut().died(generation) else {
            return;
        };
        if let Some(live) = inner.live.borrow_mut().take() {
            live.worker.terminate();
        }
        for on_reply in death.open {
            on_reply.emit(Reply::Died(reason.to_owned()));
        }
        inner.on_status.emit(WorkerStatus::Died(reason.to_owned()));
        if death.restart {
            Inner::start(inner);
        }
    }
}
