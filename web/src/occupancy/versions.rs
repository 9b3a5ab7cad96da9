//! The occupancy section's model registry, as the page uses it: loading the versions, adding a
//! trained or imported one, restoring, deleting and exporting. The records are computed by
//! [`campus_jobs::occupancy::registry`]; [`super::registry`] stores them.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::File;

use campus_jobs::occupancy::registry::choose_active;
use campus_jobs::occupancy::{Timings, VersionMeta};
use campus_occupancy::ModelBundle;

use super::hook::{OccupancyHandle, read_file};
use super::registry::{Registry, load_active, save_active};
use super::state::{Action, ActiveModel};
use crate::shared::download::{BlobBuilder, revoke};

impl OccupancyHandle {
    pub(super) async fn registry(&self) -> Result<Registry, String> {
        if let Some(registry) = self.inner.registry.borrow().as_ref() {
            return Ok(registry.clone());
        }
        let registry = Registry::open().await?;
        *self.inner.registry.borrow_mut() = Some(registry.clone());
        Ok(registry)
    }

    pub(super) async fn load_registry(&self) {
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
    pub(super) async fn add_version(
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
                let mut file = BlobBuilder::new("application/octet-stream");
                file.push(&bytes)?;
                let url = file.finish()?;
                click_download(&url, &format!("occupancy-model-v{id}.bin"))?;
                Ok(url)
            });
            match offered {
                Ok(url) => {
                    if let Some(old) = handle.inner.export_url.borrow_mut().replace(url) {
                        revoke(&old);
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
