//! The occupancy section's side effects: the worker, the IndexedDB registry, file reading and
//! downloads. [`use_occupancy`] returns an [`OccupancyHandle`] whose methods start them and
//! report through the reducer.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{Blob, BlobPropertyBag, File, MessageEvent, Url, Worker};
use yew::prelude::*;

use campus_jobs::occupancy::registry::choose_active;
use campus_jobs::occupancy::{Event, Request as Ask, Timings, VersionMeta};
use campus_occupancy::{GenerateConfig, ModelBundle, Session, TrainConfig};

use super::protocol::{Request, Response, decode, encode};
use super::registry::{Registry, load_active, save_active};
use super::state::{Action, ActiveModel, JobKind, State};

/// The worker's loader, `web/occupancy_worker_loader.js` (copied by Trunk, see `index.html`).
pub const WORKER_LOADER: &str = "occupancy_worker_loader.js";

#[derive(Clone)]
pub struct OccupancyHandle {
    inner: Rc<Inner>,
}

impl PartialEq for OccupancyHandle {
    fn eq(&self, other: &OccupancyHandle) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

struct Inner {
    dispatch: UseReducerDispatcher<State>,
    worker: RefCell<Option<LiveWorker>>,
    current: RefCell<Option<Job>>,
    /// The current worker has said `Ready` (a worker that fails before that is not restarted,
    /// or a missing file would restart it forever).
    worker_ready: Cell<bool>,
    next_job_id: Cell<u32>,
    registry: RefCell<Option<Registry>>,
    /// The last export's object URL, freed at the next export.
    export_url: RefCell<Option<String>>,
}

/// The worker and the handlers it calls, which must live as long as it does.
struct LiveWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

struct Job {
    job_id: u32,
    kind: JobKind,
    source: String,
    /// Sessions the model was trained on, kept for nothing but the count in messages.
    n_rows: usize,
}

impl OccupancyHandle {
    fn new(dispatch: UseReducerDispatcher<State>) -> OccupancyHandle {
        let handle = OccupancyHandle {
            inner: Rc::new(Inner {
                dispatch,
                worker: RefCell::new(None),
                current: RefCell::new(None),
                worker_ready: Cell::new(false),
                next_job_id: Cell::new(0),
                registry: RefCell::new(None),
                export_url: RefCell::new(None),
            }),
        };
        handle.spawn_worker();
        let loader = handle.clone();
        spawn_local(async move { loader.load_registry().await });
        handle
    }

    fn dispatch(&self, action: Action) {
        self.inner.dispatch.dispatch(action);
    }

    fn spawn_worker(&self) {
        self.inner.worker_ready.set(false);
        let worker = match Worker::new(WORKER_LOADER) {
            Ok(worker) => worker,
            Err(err) => {
                return self.dispatch(Action::Failed {
                    message: format!("the occupancy worker could not start: {err:?}"),
                });
            }
        };
        let receiver = Rc::downgrade(&self.inner);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(inner) = receiver.upgrade() else {
                return;
            };
            let handle = OccupancyHandle { inner };
            match decode::<Response>(&event.data()) {
                Ok(response) => handle.on_response(response),
                Err(message) => handle.dispatch(Action::Failed { message }),
            }
        });
        let receiver = Rc::downgrade(&self.inner);
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
            let Some(inner) = receiver.upgrade() else {
                return;
            };
            let handle = OccupancyHandle { inner };
            handle.inner.current.borrow_mut().take();
            if !handle.inner.worker_ready.get() {
                return handle.dispatch(Action::Failed {
                    message: "The occupancy worker could not load. Reload the page to try again."
                        .to_owned(),
                });
            }
            // A panic or running out of memory: start afresh so the next run can work.
            handle.restart_worker();
            handle.dispatch(Action::Failed {
                message: "The occupancy worker stopped (it may have run out of memory); it has been restarted."
                    .to_owned(),
            });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *self.inner.worker.borrow_mut() = Some(LiveWorker {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        });
    }

    fn restart_worker(&self) {
        if let Some(live) = self.inner.worker.borrow_mut().take() {
            live.worker.terminate();
        }
        self.spawn_worker();
    }

    fn post(&self, request: &Request) -> Result<(), String> {
        let bytes = encode(request)?;
        let worker = self.inner.worker.borrow();
        let Some(live) = worker.as_ref() else {
            return Err("the occupancy worker is not running".to_owned());
        };
        live.worker
            .post_message_with_transfer(&bytes, &Array::of1(&bytes.buffer()))
            .map_err(|err| format!("could not reach the occupancy worker: {err:?}"))
    }

    fn start(&self, kind: JobKind, source: String, n_rows: usize, job: Ask) {
        let job_id = self.inner.next_job_id.get() + 1;
        self.inner.next_job_id.set(job_id);
        *self.inner.current.borrow_mut() = Some(Job {
            job_id,
            kind,
            source,
            n_rows,
        });
        self.dispatch(Action::Started { job_id, kind });
        if let Err(message) = self.post(&Request { job_id, job }) {
            self.inner.current.borrow_mut().take();
            self.dispatch(Action::Failed { message });
        }
    }

    /// Generates sessions in the worker; they replace the dataset.
    pub fn generate(&self, config: GenerateConfig) {
        let source = format!("Generated (seed {})", config.seed);
        self.start(JobKind::Generate, source, 0, Ask::Generate { config });
    }

    /// Reads a CSV file and parses it in the worker; its sessions are appended.
    pub fn import_csv(&self, file: File) {
        let handle = self.clone();
        spawn_local(async move {
            let file_name = file.name();
            let bytes = match read_file(&file).await {
                Ok(bytes) => bytes,
                Err(message) => return handle.dispatch(Action::Failed { message }),
            };
            let source = format!("Imported {file_name}");
            handle.start(JobKind::Import, source, 0, Ask::Import { file_name, bytes });
        });
    }

    /// Trains all three models on `sessions` in the worker; the result becomes a new version.
    pub fn train(&self, sessions: &[Session], config: TrainConfig) {
        let created_at = String::from(js_sys::Date::new_0().to_iso_string());
        let n_rows = sessions.len();
        let sessions = sessions.to_vec();
        let job = Ask::Train {
            sessions,
            config,
            created_at,
        };
        self.start(JobKind::Train, String::new(), n_rows, job);
    }

    /// Stops the running job at once by replacing the worker.
    pub fn cancel(&self) {
        if self.inner.current.borrow_mut().take().is_some() {
            self.restart_worker();
            self.dispatch(Action::Cancelled);
        }
    }

    fn on_response(&self, response: Response) {
        match response {
            Response::Ready => {
                self.inner.worker_ready.set(true);
                self.dispatch(Action::WorkerReady);
            }
            Response::Event { job_id, event } => self.on_event(job_id, event),
            Response::Failed { job_id, message } => {
                if job_id == 0 || self.take_job(job_id).is_some() {
                    self.dispatch(Action::Failed { message });
                }
            }
        }
    }

    fn on_event(&self, job_id: u32, event: Event) {
        match event {
            Event::Progress(progress) => self.dispatch(Action::Progress { job_id, progress }),
            Event::Sessions {
                sessions,
                errors,
                n_bad_rows,
            } => {
                let Some(job) = self.take_job(job_id) else {
                    return;
                };
                self.dispatch(Action::SessionsLoaded {
                    job_id,
                    sessions,
                    append: job.kind == JobKind::Import,
                    errors,
                    n_bad_rows,
                    source: job.source,
                });
            }
            Event::Trained { bundle, timings } => {
                let Some(job) = self.take_job(job_id) else {
                    return;
                };
                let handle = self.clone();
                spawn_local(async move {
                    let origin = "trained here".to_owned();
                    let message = format!("Trained on {} sessions", job.n_rows);
                    if let Err(message) = handle
                        .add_version(bundle, origin, Some(timings), message)
                        .await
                    {
                        handle.dispatch(Action::Failed { message });
                    }
                });
            }
            Event::CrossValidated { .. } | Event::Predicted { .. } => {}
        }
    }

    fn take_job(&self, job_id: u32) -> Option<Job> {
        self.inner
            .current
            .borrow_mut()
            .take_if(|j| j.job_id == job_id)
    }

    async fn registry(&self) -> Result<Registry, String> {
        if let Some(registry) = self.inner.registry.borrow().as_ref() {
            return Ok(registry.clone());
        }
        let registry = Registry::open().await?;
        *self.inner.registry.borrow_mut() = Some(registry.clone());
        Ok(registry)
    }

    async fn load_registry(&self) {
        let registry = match self.registry().await {
            Ok(registry) => registry,
            Err(message) => {
                return self.dispatch(Action::RegistryLoaded {
                    versions: Vec::new(),
                    active: None,
                    message: Some(message),
                });
            }
        };
        let versions = match registry.list().await {
            Ok(versions) => versions,
            Err(message) => {
                return self.dispatch(Action::RegistryLoaded {
                    versions: Vec::new(),
                    active: None,
                    message: Some(message),
                });
            }
        };
        // The chosen version if it still exists, else the latest.
        let chosen = choose_active(load_active(), &versions);
        let (active, message) = match chosen {
            Some(id) => match self.load_bundle(&registry, id).await {
                Ok(active) => (Some(active), None),
                Err(message) => (None, Some(message)),
            },
            None => (None, None),
        };
        self.dispatch(Action::RegistryLoaded {
            versions,
            active,
            message,
        });
    }

    async fn load_bundle(&self, registry: &Registry, id: u32) -> Result<ActiveModel, String> {
        let bytes = registry.bytes(id).await?;
        let bundle = load_model(&bytes).map_err(|e| format!("version {id}: {e}"))?;
        Ok(ActiveModel {
            id,
            bundle: Rc::new(bundle),
        })
    }

    /// Checks the bytes, stores them as the next version and makes it serve predictions.
    /// Nothing is stored when the bytes are not a valid model.
    async fn add_version(
        &self,
        bytes: Vec<u8>,
        origin: String,
        timings: Option<Timings>,
        message: String,
    ) -> Result<(), String> {
        let bundle = load_model(&bytes).map_err(|e| e.to_string())?;
        let registry = self.registry().await?;
        let id = registry.next_id().await?;
        let meta = VersionMeta::new(id, &bundle, origin, bytes.len(), timings);
        registry.put(&meta, &bytes).await?;
        save_active(Some(id));
        self.dispatch(Action::VersionAdded {
            meta: Box::new(meta),
            active: ActiveModel {
                id,
                bundle: Rc::new(bundle),
            },
            timings,
            message: format!("{message}: saved as version {id}, which now serves predictions."),
        });
        Ok(())
    }

    /// Makes an earlier version serve predictions.
    pub fn restore(&self, id: u32) {
        let handle = self.clone();
        spawn_local(async move {
            let result = match handle.registry().await {
                Ok(registry) => handle.load_bundle(&registry, id).await,
                Err(message) => Err(message),
            };
            match result {
                Ok(active) => {
                    save_active(Some(id));
                    handle.dispatch(Action::Activated(active));
                }
                Err(message) => handle.dispatch(Action::Failed { message }),
            }
        });
    }

    pub fn delete(&self, id: u32) {
        let handle = self.clone();
        spawn_local(async move {
            let result = match handle.registry().await {
                Ok(registry) => registry.delete(id).await,
                Err(message) => Err(message),
            };
            match result {
                Ok(()) => {
                    let was_active = load_active() == Some(id);
                    if was_active {
                        save_active(None);
                    }
                    handle.dispatch(Action::Deleted { id });
                    // The latest remaining version takes over serving.
                    if was_active {
                        handle.serve_latest().await;
                    }
                }
                Err(message) => handle.dispatch(Action::Failed { message }),
            }
        });
    }

    async fn serve_latest(&self) {
        let Ok(registry) = self.registry().await else {
            return;
        };
        let Some(latest) = registry
            .list()
            .await
            .ok()
            .and_then(|v| v.first().map(|v| v.id))
        else {
            return;
        };
        match self.load_bundle(&registry, latest).await {
            Ok(active) => {
                save_active(Some(latest));
                self.dispatch(Action::Activated(active));
            }
            Err(message) => self.dispatch(Action::Failed { message }),
        }
    }

    /// Downloads a version as a file in the saved-model format (the CLI reads it too).
    pub fn export(&self, id: u32) {
        let handle = self.clone();
        spawn_local(async move {
            let result = match handle.registry().await {
                Ok(registry) => registry.bytes(id).await,
                Err(message) => Err(message),
            };
            let offered = result.and_then(|bytes| {
                let url = object_url(&bytes, "application/octet-stream")?;
                click_download(&url, &format!("occupancy-model-v{id}.bin"))?;
                Ok(url)
            });
            match offered {
                Ok(url) => {
                    if let Some(old) = handle.inner.export_url.borrow_mut().replace(url) {
                        let _ = Url::revoke_object_url(&old);
                    }
                }
                Err(message) => handle.dispatch(Action::Failed { message }),
            }
        });
    }

    /// Imports a saved model file as a new version; a corrupt or foreign file changes nothing.
    pub fn import_model(&self, file: File) {
        let handle = self.clone();
        spawn_local(async move {
            let name = file.name();
            let result = match read_file(&file).await {
                Ok(bytes) => {
                    let origin = format!("imported from {name}");
                    let message = format!("Imported {name}");
                    handle.add_version(bytes, origin, None, message).await
                }
                Err(message) => Err(message),
            };
            if let Err(message) = result {
                handle.dispatch(Action::Notify {
                    is_error: true,
                    text: format!("{name} was not imported: {message}"),
                });
            }
        });
    }
}

/// The whole file's bytes.
pub async fn read_file(file: &File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|err| format!("could not read {}: {err:?}", file.name()))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn object_url(bytes: &[u8], mime: &str) -> Result<String, String> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let parts = Array::of1(&Uint8Array::from(bytes));
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|err| format!("the browser could not make the file: {err:?}"))?;
    Url::create_object_url_with_blob(&blob)
        .map_err(|err| format!("the browser could not offer the file: {err:?}"))
}

fn click_download(url: &str, file_name: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document to download from")?;
    let anchor = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or("could not make a download link")?;
    anchor.set_href(url);
    anchor.set_download(file_name);
    anchor.click();
    Ok(())
}

/// Starts the worker and opens the registry once per component.
#[hook]
pub fn use_occupancy(dispatch: UseReducerDispatcher<State>) -> OccupancyHandle {
    let handle = use_memo((), move |_| OccupancyHandle::new(dispatch));
    (*handle).clone()
}

/// Decodes a model and predicts once with it, throwing the answer away. V8 runs a wasm
/// function's first calls in its baseline tier and swaps in the optimised build only between
/// calls, so without this the first prediction the user sees took about twice as long as the rest.
fn load_model(bytes: &[u8]) -> Result<ModelBundle, campus_occupancy::BundleError> {
    let bundle = ModelBundle::from_bytes(bytes)?;
    let row = vec![1.0; bundle.models.encoder.n_features()];
    std::hint::black_box(bundle.models.svm.decision_function(&row));
    let _ = std::hint::black_box(bundle.models.forest.predict_row(&row));
    Ok(bundle)
}
