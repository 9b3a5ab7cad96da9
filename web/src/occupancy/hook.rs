//! The occupancy section's side effects: the worker (through [`WorkerClient`]), the IndexedDB
//! registry ([`super::versions`]), file reading and downloads. [`use_occupancy`] returns an
//! [`OccupancyHandle`] whose methods start them and report through the reducer; what the
//! worker's answers mean is decided by [`Tracker`].

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_file::futures::read_as_bytes;
use wasm_bindgen_futures::spawn_local;
use web_sys::File;
use yew::prelude::*;

use campus_jobs::occupancy::tracker::{Ending, Job, Next, Tracker};
use campus_jobs::occupancy::{Event, Request};
use campus_occupancy::{GenerateConfig, Session, TrainConfig};

use super::registry::Registry;
use super::state::{Action, ActiveModel, State};
use crate::shared::worker::{Reply, RequestId, Unanswered, WorkerClient, WorkerStatus};

/// The worker's loader, `web/occupancy_worker_loader.js` (copied by Trunk, see `index.html`).
pub const WORKER_LOADER: &str = "occupancy_worker_loader.js";

/// The page's handle on the occupancy worker and registry. Clones share them.
#[derive(Clone)]
pub struct OccupancyHandle {
    pub(super) inner: Rc<Inner>,
}

impl PartialEq for OccupancyHandle {
    fn eq(&self, other: &OccupancyHandle) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

pub(super) struct Inner {
    dispatch: UseReducerDispatcher<State>,
    pub(super) client: RefCell<Option<WorkerClient<Request, Event>>>,
    pub(super) tracker: RefCell<Tracker>,
    pub(super) registry: RefCell<Option<Registry>>,
    /// The last export's object URL, freed at the next export.
    pub(super) export_url: RefCell<Option<String>>,
    /// Helper workers that fit chunks of the forest's trees ([`super::spread`]).
    pub(super) helpers: RefCell<Vec<super::spread::Helper>>,
    /// The training whose forest is spread over the workers, if one runs.
    pub(super) forest: RefCell<Option<super::spread::ForestSpread>>,
    /// The section's worker is ready, and waits for the helpers to start (or fail to).
    pub(super) ready_waiting: std::cell::Cell<bool>,
}

impl OccupancyHandle {
    fn new(dispatch: UseReducerDispatcher<State>) -> OccupancyHandle {
        let handle = OccupancyHandle {
            inner: Rc::new(Inner {
                dispatch,
                client: RefCell::new(None),
                tracker: RefCell::new(Tracker::default()),
                registry: RefCell::new(None),
                export_url: RefCell::new(None),
                helpers: RefCell::new(Vec::new()),
                forest: RefCell::new(None),
                ready_waiting: std::cell::Cell::new(false),
            }),
        };
        let weak = Rc::downgrade(&handle.inner);
        let on_status = Callback::from(move |status| {
            let Some(handle) = upgrade(&weak) else { return };
            let action = match status {
                WorkerStatus::Ready if !handle.helpers_settled() => {
                    handle.inner.ready_waiting.set(true);
                    None
                }
                WorkerStatus::Ready => Some(handle.inner.tracker.borrow_mut().worker_ready()),
                WorkerStatus::Died(_) => handle.inner.tracker.borrow().worker_died(),
            };
            action.into_iter().for_each(|a| handle.dispatch(a));
        });
        *handle.inner.client.borrow_mut() = Some(WorkerClient::spawn(WORKER_LOADER, on_status));
        handle.spawn_helpers();
        let loader = handle.clone();
        spawn_local(async move { loader.load_registry().await });
        handle
    }

    pub(super) fn dispatch(&self, action: Action) {
        self.inner.dispatch.dispatch(action);
    }

    /// Sends the request of `job` and follows it; gives its id, unless no worker runs.
    pub(super) fn start(&self, (job, request): (Job, Request)) -> Option<RequestId> {
        let Some(client) = self.inner.client.borrow().clone() else {
            let message = "the occupancy worker is not running".to_owned();
            self.dispatch(Action::Failed { message });
            return None;
        };
        let weak = Rc::downgrade(&self.inner);
        let this_id = Rc::new(std::cell::Cell::new(0));
        let on_reply = Callback::from({
            let this_id = this_id.clone();
            move |reply| {
                if let Some(handle) = upgrade(&weak) {
                    handle.on_reply(this_id.get(), reply);
                }
            }
        });
        this_id.set(client.request(request, on_reply));
        let started = self.inner.tracker.borrow_mut().started(this_id.get(), job);
        self.dispatch(started);
        Some(this_id.get())
    }

    /// Sends one request to the worker and waits for its one answer.
    pub(super) async fn ask(&self, request: Request) -> Result<Event, Unanswered> {
        let client = self.inner.client.borrow().clone();
        client.ok_or(Unanswered::Gone)?.ask(request).await
    }

    /// Generates sessions in the worker; they replace the dataset.
    pub fn generate(&self, config: GenerateConfig) {
        self.start(Job::generate(config));
    }

    /// Trains all three models on `sessions` in the worker (the forest's trees over several
    /// workers, [`super::spread`]); the result becomes a new version, which replaces `serving`
    /// only if it is at least as good.
    pub fn train(
        &self,
        sessions: Rc<Vec<Session>>,
        serving: Option<ActiveModel>,
        config: TrainConfig,
    ) {
        let created_at = String::from(js_sys::Date::new_0().to_iso_string());
        self.train_over_workers(sessions, serving, config, created_at);
    }

    /// Asks the worker to stop the running job between two steps (the client restarts a
    /// worker that does not stop within its grace period).
    pub fn cancel(&self) {
        let id = self.inner.tracker.borrow_mut().cancel();
        if let (Some(id), Some(client)) = (id, self.inner.client.borrow().clone()) {
            client.cancel(id);
            self.cancel_spread(id);
        }
    }

    fn on_reply(&self, id: RequestId, reply: Reply<Event>) {
        let ending = match reply {
            Reply::Event(event) => return self.on_event(id, event),
            Reply::Finished => {
                let actions = self.inner.tracker.borrow_mut().finished(id);
                return actions.into_iter().for_each(|a| self.dispatch(a));
            }
            Reply::Failed(message) => Ending::Failed(message),
            Reply::Cancelled => Ending::Cancelled,
            Reply::Died(reason) => Ending::Died(reason),
        };
        let actions = self.inner.tracker.borrow_mut().end(id, ending);
        actions.into_iter().for_each(|a| self.dispatch(a));
    }

    pub(super) fn on_event(&self, id: RequestId, event: Event) {
        let next = self.inner.tracker.borrow_mut().event(id, event);
        match next {
            Some(Next::Dispatch(action)) => self.dispatch(action),
            Some(Next::Store { bytes, origin }) => {
                let handle = self.clone();
                spawn_local(async move {
                    if let Err(message) = handle.add_version(bytes, origin).await {
                        handle.dispatch(Action::Failed { message });
                    }
                });
            }
            Some(Next::SpreadForest { job, chunks }) => self.spread_forest(id, job, chunks),
            Some(Next::Ended(actions)) => actions.into_iter().for_each(|a| self.dispatch(a)),
            None => {}
        }
    }
}

fn upgrade(weak: &Weak<Inner>) -> Option<OccupancyHandle> {
    weak.upgrade().map(|inner| OccupancyHandle { inner })
}

/// The whole file's bytes.
pub async fn read_file(file: &File) -> Result<Vec<u8>, String> {
    read_as_bytes(&gloo_file::Blob::from(file.clone()))
        .await
        .map_err(|err| format!("could not read {}: {err}", file.name()))
}

/// Starts the worker and opens the registry once per component.
#[hook]
pub fn use_occupancy(dispatch: UseReducerDispatcher<State>) -> OccupancyHandle {
    let handle = use_memo((), move |_| OccupancyHandle::new(dispatch));
    (*handle).clone()
}
