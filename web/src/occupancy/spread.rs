//! The forest's chunks of trees over several occupancy workers: spawns the helpers, relays the
//! chunk requests `campus_jobs::occupancy::forest_relay::ForestRelay` hands out and their
//! answers, and sends the fitted chunks back to the training's worker. Which chunk goes where,
//! and what an answer means, is decided (and tested) in `campus_jobs::occupancy`.

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;

use campus_jobs::occupancy::forest_relay::{ForestRelay, worker_count};
use campus_jobs::occupancy::tracker::{Ending, Job};
use campus_jobs::occupancy::{Event, Request};
use campus_occupancy::forest::ForestJob;
use campus_occupancy::{Session, TrainConfig};

use super::hook::{OccupancyHandle, WORKER_LOADER};
use super::state::{Action, ActiveModel};
use crate::shared::worker::{Reply, RequestId, WorkerClient, WorkerStatus};

type Client = WorkerClient<Request, Event>;

/// A helper worker and whether it is ready (`None` while it starts).
pub(super) struct Helper {
    client: Client,
    ready: Rc<Cell<Option<bool>>>,
}

/// A training whose forest is spread over workers: worker 0 is the section's own, which runs
/// the training; the others are the helpers it uses.
pub(super) struct ForestSpread {
    train_id: RequestId,
    workers: Vec<Client>,
    relay: Option<ForestRelay>,
    /// The request that finishes the training in worker 0, once sent.
    resume: Option<RequestId>,
}

/// Workers to run: the page's `?workers=N`, else the browser's cores (capped).
fn workers() -> usize {
    let Some(window) = web_sys::window() else {
        return 1;
    };
    let query = window.location().search().unwrap_or_default();
    worker_count(&query, Some(window.navigator().hardware_concurrency()))
}

impl OccupancyHandle {
    /// Starts the helper workers (none when one worker is all). The section is ready once its
    /// own worker is and every helper has started or failed to.
    pub(super) fn spawn_helpers(&self) {
        let helpers = (1..workers())
            .map(|_| {
                let ready = Rc::new(Cell::new(None));
                let weak = Rc::downgrade(&self.inner);
                let on_status = Callback::from({
                    let ready = ready.clone();
                    move |status| {
                        ready.set(Some(matches!(status, WorkerStatus::Ready)));
                        let Some(inner) = weak.upgrade() else { return };
                        let handle = OccupancyHandle { inner };
                        if handle.helpers_settled() && handle.inner.ready_waiting.replace(false) {
                            let ready = handle.inner.tracker.borrow_mut().worker_ready();
                            handle.dispatch(ready);
                        }
                    }
                });
                Helper {
                    client: WorkerClient::spawn(WORKER_LOADER, on_status),
                    ready,
                }
            })
            .collect();
        *self.inner.helpers.borrow_mut() = helpers;
    }

    /// Has every helper started, or failed to?
    pub(super) fn helpers_settled(&self) -> bool {
        (self.inner.helpers.borrow().iter()).all(|helper| helper.ready.get().is_some())
    }

    /// Trains all three models; the forest's chunks of trees go over the section's worker and
    /// the helpers ready now, or the section's worker alone.
    pub(super) fn train_over_workers(
        &self,
        sessions: Rc<Vec<Session>>,
        serving: Option<ActiveModel>,
        config: TrainConfig,
        created_at: String,
    ) {
        let helpers: Vec<Client> = (self.inner.helpers.borrow().iter())
            .filter(|helper| helper.ready.get() == Some(true))
            .map(|helper| helper.client.clone())
            .collect();
        let Some(own) = self.inner.client.borrow().clone() else {
            self.start(Job::train(sessions, serving, config, created_at));
            return;
        };
        if helpers.is_empty() {
            self.start(Job::train(sessions, serving, config, created_at));
            return;
        }
        *self.inner.forest.borrow_mut() = None;
        let job = Job::train_spread(sessions, serving, config, created_at);
        if let Some(train_id) = self.start(job) {
            *self.inner.forest.borrow_mut() = Some(ForestSpread {
                train_id,
                workers: std::iter::once(own).chain(helpers).collect(),
                relay: None,
                resume: None,
            });
        }
    }

    /// The training `train_id` stopped at its forest: its chunks go round.
    pub(super) fn spread_forest(&self, train_id: RequestId, job: ForestJob, chunks: usize) {
        let started = match self.inner.forest.borrow_mut().as_mut() {
            Some(spread) if spread.train_id == train_id => {
                let relay = ForestRelay::new(job, chunks, spread.workers.len());
                spread.relay = Some(relay);
                true
            }
            _ => false,
        };
        if !started {
            let message = "the forest's workers are gone".to_owned();
            return self.end_spread(train_id, Ending::Failed(message));
        }
        self.hand_out(train_id);
    }

    /// Sends the requests the relay hands out now.
    fn hand_out(&self, train_id: RequestId) {
        let handouts = match self.inner.forest.borrow_mut().as_mut() {
            Some(ForestSpread {
                relay: Some(relay),
                workers,
                ..
            }) => (relay.hand_out().into_iter())
                .filter_map(|h| workers.get(h.worker).map(|client| (client.clone(), h)))
                .collect(),
            _ => Vec::new(),
        };
        for (client, handout) in handouts {
            let this_id = Rc::new(Cell::new(0));
            let on_reply = self.on_chunk_reply(train_id, handout.worker, this_id.clone());
            let id = client.request(handout.request, on_reply);
            this_id.set(id);
            if let Some(ForestSpread {
                relay: Some(relay), ..
            }) = self.inner.forest.borrow_mut().as_mut()
            {
                relay.sent(handout.worker, handout.ask, id);
            }
        }
    }

    /// The callback for the replies of a request the relay handed to `worker`.
    fn on_chunk_reply(
        &self,
        train_id: RequestId,
        worker: usize,
        this_id: Rc<Cell<RequestId>>,
    ) -> Callback<Reply<Event>> {
        let handle = self.clone();
        Callback::from(move |reply| {
            let event = match reply {
                Reply::Event(event) => event,
                Reply::Finished => return handle.finished(train_id),
                Reply::Failed(message) => {
                    let message = format!("A worker fitting the random forest failed: {message}");
                    return handle.end_spread(train_id, Ending::Failed(message));
                }
                Reply::Cancelled => return handle.end_spread(train_id, Ending::Cancelled),
                Reply::Died(reason) => return handle.end_spread(train_id, Ending::Died(reason)),
            };
            handle.chunk_arrived(train_id, worker, this_id.get(), event);
        })
    }

    fn chunk_arrived(&self, train_id: RequestId, worker: usize, id: RequestId, event: Event) {
        let arrived = match self.inner.forest.borrow_mut().as_mut() {
            Some(ForestSpread {
                train_id: current,
                relay: Some(relay),
                ..
            }) if *current == train_id => {
                (relay.arrived(worker, id, event)).map(|()| (relay.progress(), relay.resume()))
            }
            // A late answer of a training that is over.
            _ => return,
        };
        let (progress, resume) = match arrived {
            Ok(arrived) => arrived,
            Err(message) => return self.end_spread(train_id, Ending::Failed(message)),
        };
        let job_id = train_id;
        self.dispatch(Action::Progress { job_id, progress });
        if let Err(actions) = self.inner.tracker.borrow_mut().next_slice(train_id) {
            self.stop_spread(train_id);
            actions.into_iter().for_each(|a| self.dispatch(a));
            return;
        }
        match resume {
            Some(request) => self.resume(train_id, request),
            None => self.hand_out(train_id),
        }
    }

    /// Sends the fitted chunks to worker 0, which finishes the training.
    fn resume(&self, train_id: RequestId, request: Request) {
        let own = self.inner.client.borrow().clone();
        let Some(own) = own else {
            let message = "the occupancy worker is not running".to_owned();
            return self.end_spread(train_id, Ending::Failed(message));
        };
        let handle = self.clone();
        let on_reply = Callback::from(move |reply| match reply {
            Reply::Event(event) => handle.on_event(train_id, event),
            Reply::Finished => {
                handle.finished(train_id);
                let mut forest = handle.inner.forest.borrow_mut();
                forest.take_if(|spread| spread.train_id == train_id);
            }
            Reply::Failed(message) => handle.end_spread(train_id, Ending::Failed(message)),
            Reply::Cancelled => handle.end_spread(train_id, Ending::Cancelled),
            Reply::Died(reason) => handle.end_spread(train_id, Ending::Died(reason)),
        });
        let id = own.request(request, on_reply);
        if let Some(spread) = self.inner.forest.borrow_mut().as_mut() {
            spread.resume = Some(id);
        }
    }

    /// A request of the spread training `train_id` finished. A worker finishes a request of
    /// one step (a chunk of trees) before it reads a cancel, and its answer is then dropped: the
    /// training ends cancelled.
    fn finished(&self, train_id: RequestId) {
        let actions = self.inner.tracker.borrow_mut().finished(train_id);
        if !actions.is_empty() {
            self.stop_spread(train_id);
        }
        actions.into_iter().for_each(|a| self.dispatch(a));
    }

    /// Cancels the requests of the spread training `train_id` still open: their replies end it.
    pub(super) fn cancel_spread(&self, train_id: RequestId) {
        let open = match self.inner.forest.borrow().as_ref() {
            Some(spread) if spread.train_id == train_id => {
                let mut open: Vec<(Client, RequestId)> = (spread.relay.iter())
                    .flat_map(ForestRelay::open_requests)
                    .filter_map(|(w, id)| spread.workers.get(w).map(|c| (c.clone(), id)))
                    .collect();
                let own = spread.workers.first().cloned();
                open.extend(own.zip(spread.resume));
                open
            }
            _ => Vec::new(),
        };
        for (client, id) in open {
            client.cancel(id);
        }
    }

    /// Forgets the spread training `train_id`, cancelling what it has open.
    fn stop_spread(&self, train_id: RequestId) {
        self.cancel_spread(train_id);
        let mut forest = self.inner.forest.borrow_mut();
        forest.take_if(|spread| spread.train_id == train_id);
    }

    /// Ends the spread training `train_id` as `ending` says (once: later endings of its other
    /// requests find it over).
    fn end_spread(&self, train_id: RequestId, ending: Ending) {
        self.stop_spread(train_id);
        let actions = self.inner.tracker.borrow_mut().end(train_id, ending);
        actions.into_iter().for_each(|a| self.dispatch(a));
    }
}
