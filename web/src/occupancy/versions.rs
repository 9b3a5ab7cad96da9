//! The occupancy section's model registry, as the page uses it: loading the versions, adding a
//! trained or imported one, promoting, deleting and exporting. The records and the decisions
//! (which version serves) come from [`campus_jobs::occupancy`]; [`super::registry`] stores them.

use std::future::Future;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::File;

use campus_jobs::occupancy::registry::choose_active;
use campus_jobs::occupancy::sql;
use campus_jobs::occupancy::tracker::{Origin, added, record};
use campus_jobs::occupancy::{Event, Request};
use campus_occupancy::{ModelBundle, Session};
use campus_sql::Dialect;

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

    /// Runs `job` in the background; its error becomes the section's notice.
    fn spawn(&self, job: impl Future<Output = Result<(), String>> + 'static) {
        let handle = self.clone();
        spawn_local(async move {
            if let Err(message) = job.await {
                handle.dispatch(Action::Failed { message });
            }
        });
    }

    pub(super) async fn load_registry(&self) {
        let loaded = async {
            let registry = self.registry().await?;
            let versions = registry.list().await?;
            // The chosen version if it still exists, else the latest.
            let active = match choose_active(load_active(), &versions) {
                Some(id) => Some(self.load_bundle(&registry, id).await),
                None => None,
            };
            Ok::<_, String>((versions, active))
        };
        let action = match loaded.await {
            Ok((versions, active)) => Action::RegistryLoaded {
                versions,
                message: active.as_ref().and_then(|a| a.as_ref().err().cloned()),
                active: active.and_then(Result::ok),
            },
            Err(message) => Action::RegistryLoaded {
                versions: Vec::new(),
                active: None,
                message: Some(message),
            },
        };
        self.dispatch(action);
    }

    async fn load_bundle(&self, registry: &Registry, id: u32) -> Result<ActiveModel, String> {
        let bytes = registry.bytes(id).await?;
        let bundle = load_model(&bytes).map_err(|e| format!("version {id}: {e}"))?;
        Ok(ActiveModel {
            id,
            bundle: Rc::new(bundle),
        })
    }

    /// Checks the bytes and stores them as the next version, which serves predictions if the
    /// jobs layer says so. Nothing is stored when the bytes are not a valid model.
    pub(super) async fn add_version(&self, bytes: Vec<u8>, origin: Origin) -> Result<(), String> {
        let bundle = load_model(&bytes).map_err(|e| e.to_string())?;
        let registry = self.registry().await?;
        let (meta, admission) = record(registry.next_id().await?, &bundle, &origin, bytes.len());
        registry.put(&meta, &bytes).await?;
        if admission.serve {
            save_active(Some(meta.id));
        }
        self.dispatch(added(meta, admission, bundle));
        Ok(())
    }

    /// Makes another version serve predictions.
    pub fn restore(&self, id: u32) {
        let handle = self.clone();
        self.spawn(async move {
            let active = handle.load_bundle(&handle.registry().await?, id).await?;
            save_active(Some(id));
            handle.dispatch(Action::Activated(active));
            Ok(())
        });
    }

    /// Deletes a version; when it served, the latest one left takes over.
    pub fn delete(&self, id: u32) {
        let handle = self.clone();
        self.spawn(async move {
            let registry = handle.registry().await?;
            registry.delete(id).await?;
            let was_active = load_active() == Some(id);
            if was_active {
                save_active(None);
            }
            handle.dispatch(Action::Deleted { id });
            let latest = registry.list().await?.first().map(|v| v.id);
            if let Some(latest) = latest.filter(|_| was_active) {
                handle.restore(latest);
            }
            Ok(())
        });
    }

    /// Downloads a version as a file in the saved-model format (the CLI reads it too).
    pub fn export(&self, id: u32) {
        let handle = self.clone();
        self.spawn(async move {
            let bytes = handle.registry().await?.bytes(id).await?;
            let mut file = BlobBuilder::new("application/octet-stream");
            file.push(&bytes)?;
            let url = file.finish()?;
            click_download(&url, &format!("occupancy-model-v{id}.bin"))?;
            if let Some(old) = handle.inner.export_url.borrow_mut().replace(url) {
                revoke(&old);
            }
            Ok(())
        });
    }

    /// Downloads the sessions as an SQL script in `dialect`, with the serving version and its
    /// predictions when it was trained on these sessions; the worker writes it, the CLI's bytes
    /// for `occupancy.sql` ([`campus_jobs::occupancy::sql`]).
    pub fn download_sql(
        &self,
        (sessions, serving, dialect): (Rc<Vec<Session>>, Option<ActiveModel>, Dialect),
    ) {
        let handle = self.clone();
        self.spawn(async move {
            let model = match &serving {
                Some(active) => Some(active.bundle.to_bytes().map_err(|e| e.to_string())?),
                None => None,
            };
            let request = Request::Sql {
                sessions: sessions.to_vec(),
                model,
                dialect,
                database: sql::DEFAULT_DATABASE.to_owned(),
            };
            let answer = handle.ask(request).await.map_err(|e| e.to_string())?;
            let Event::Sql {
                script,
                with_version,
            } = answer
            else {
                return Err("the worker gave another answer than the SQL script".to_owned());
            };
            let mut file = BlobBuilder::new("application/sql");
            file.push(&script.0)?;
            let url = file.finish()?;
            click_download(&url, sql::SQL_FILE)?;
            if let Some(old) = handle.inner.export_url.borrow_mut().replace(url) {
                revoke(&old);
            }
            let serving = serving.map(|active| active.id);
            handle.dispatch(Action::Notify {
                is_error: false,
                text: sql::downloaded(dialect, sessions.len(), serving, with_version),
            });
            Ok(())
        });
    }

    /// Imports a saved model file as a new version; a corrupt or foreign file changes nothing.
    pub fn import_model(&self, file: File) {
        let handle = self.clone();
        spawn_local(async move {
            let name = file.name();
            let result = match read_file(&file).await {
                Ok(bytes) => handle.add_version(bytes, Origin::File(name.clone())).await,
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
