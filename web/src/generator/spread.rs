//! The script over several generator workers: spawns the helpers, hands each the pieces
//! `campus_jobs::generate::shell::Jobs` picks for it, and appends the pieces it puts back in
//! order to the page's Blob. Which piece goes where, and when the file is complete, is decided
//! (and tested) in `campus_jobs::generate::spread`.

use yew::prelude::*;

use campus_gen::Config;
use campus_jobs::generate::ScriptChoices;
use campus_jobs::generate::page::{Action, JobKind};
use campus_jobs::generate::shell::{WorkerEvent, WorkerRequest, mime};
use campus_jobs::generate::spread::{Handout, worker_count};
use campus_jobs::wire::RequestId;

use crate::generator::hook::{Client, GeneratorHandle, WORKER_LOADER};
use crate::shared::download::BlobBuilder;
use crate::shared::now_ms;
use crate::shared::worker::{Reply, WorkerStatus};

/// Workers to run: the page's `?workers=N`, else the browser's cores (capped).
fn workers() -> usize {
    let Some(window) = web_sys::window() else {
        return 1;
    };
    let query = window.location().search().unwrap_or_default();
    worker_count(&query, Some(window.navigator().hardware_concurrency()))
}

impl GeneratorHandle {
    /// Starts the helper workers (worker 0 is the section's own); none when one worker is all.
    /// The section is ready once its own worker is and every helper has started or failed to.
    pub(super) fn spawn_helpers(&self) {
        let n = workers().saturating_sub(1);
        *self.inner.helper_ready.borrow_mut() = vec![None; n];
        let helpers = (0..n)
            .map(|helper| {
                let handle = self.clone();
                let on_status = move |status| handle.on_helper_status(helper, status);
                Client::spawn(WORKER_LOADER, Callback::from(on_status))
            })
            .collect();
        *self.inner.helpers.borrow_mut() = helpers;
    }

    /// A helper is ready, or died (a running job hears of that through its requests' replies).
    fn on_helper_status(&self, helper: usize, status: WorkerStatus) {
        let ready = matches!(status, WorkerStatus::Ready);
        if let Some(slot) = self.inner.helper_ready.borrow_mut().get_mut(helper) {
            *slot = Some(ready);
        }
        self.maybe_ready();
    }

    /// Tells the section it is ready when its own worker is and no helper is still starting.
    pub(super) fn maybe_ready(&self) {
        let settled = self.inner.helper_ready.borrow().iter().all(Option::is_some);
        if self.inner.main_ready.get() && settled {
            self.inner.dispatch.dispatch(Action::WorkerReady);
        }
    }

    /// The helpers that are ready now: a job is spread over them and worker 0.
    pub(super) fn ready_helpers(&self) -> Vec<Client> {
        let ready = self.inner.helper_ready.borrow();
        (self.inner.helpers.borrow().iter())
            .zip(ready.iter())
            .filter(|(_, ready)| **ready == Some(true))
            .map(|(client, _)| client.clone())
            .collect()
    }

    /// Worker `worker` of the running job: 0 is the section's own, then the helpers it uses.
    fn worker(&self, worker: usize) -> Option<Client> {
        match worker.checked_sub(1) {
            None => self.client(),
            Some(helper) => self.inner.spread_to.borrow().get(helper).cloned(),
        }
    }

    /// Stops the running job, whichever workers it runs on.
    pub(super) fn stop_all(&self) {
        let open = self.inner.jobs.borrow_mut().stop_all();
        self.cancel_requests(open);
    }

    /// Cancels these requests, by worker.
    pub(super) fn cancel_requests(&self, open: Vec<(usize, RequestId)>) {
        for (worker, id) in open {
            if let Some(client) = self.worker(worker) {
                client.cancel(id);
            }
        }
    }

    /// Starts the script over worker 0 and `helpers`: worker 0 plans it, then the pieces go
    /// round.
    pub(super) fn start_spread(
        &self,
        config: Config,
        sql_choices: ScriptChoices,
        helpers: Vec<Client>,
    ) {
        let Some(client) = self.client() else { return };
        self.stop_all();
        let workers = helpers.len() + 1;
        *self.inner.spread_to.borrow_mut() = helpers;
        let file = BlobBuilder::new(mime(JobKind::Sql));
        let started = (self.inner.jobs.borrow_mut()).start_spread(
            config,
            sql_choices,
            workers,
            file,
            now_ms(),
        );
        let (job_id, plan) = started;
        let kind = JobKind::Sql;
        let dispatch = &self.inner.dispatch;
        dispatch.dispatch(Action::Started { job_id, kind });
        dispatch.dispatch(Action::Workers { job_id, workers });
        let request_id = client.request(plan, self.on_spread_reply(job_id));
        self.inner.jobs.borrow_mut().sent(job_id, request_id);
    }

    /// Sends each piece to its worker.
    pub(super) fn send_pieces(&self, job_id: u32, handouts: Vec<Handout>) {
        for handout in handouts {
            let Some(client) = self.worker(handout.worker) else {
                continue;
            };
            let request = WorkerRequest::Piece(handout.request);
            let id = client.request(request, self.on_spread_reply(job_id));
            (self.inner.jobs.borrow_mut()).piece_sent(job_id, handout.idx, id);
        }
    }

    /// The callback for the replies to a spread job's requests.
    fn on_spread_reply(&self, job_id: u32) -> Callback<Reply<WorkerEvent>> {
        let handle = self.clone();
        Callback::from(move |reply| {
            let push = |file: &mut BlobBuilder, bytes: &[u8]| file.push(bytes);
            let todo = (handle.inner.jobs.borrow_mut()).spread_reply(job_id, reply, push, now_ms());
            handle.todo(job_id, todo);
        })
    }
}
