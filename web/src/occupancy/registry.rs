//! The model registry: trained versions kept in IndexedDB, so they survive a reload.
//!
//! Two object stores keyed by the version id: `meta` holds a small summary per version
//! ([`VersionMeta`], all the list and the comparison need) and `bundles` the saved-model bytes
//! (a few megabytes each, too big for localStorage). Listing reads only `meta`. Writes go
//! through one transaction over both stores and count as done when it completes. Which version
//! serves predictions is remembered in localStorage ([`ACTIVE_KEY`], through `gloo-storage`).
//!
//! A summary is stored as a JavaScript object (`serde-wasm-bindgen`). Earlier pages stored it as
//! JSON text, which is still read; so is a summary that a JavaScript number cannot hold (a seed
//! above 2^53), which is stored as JSON text too.

use gloo_storage::{LocalStorage, Storage};
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

use campus_jobs::occupancy::VersionMeta;
use campus_jobs::occupancy::registry::{newest_first, next_id};

/// The page's database.
pub const DB_NAME: &str = "campus-occupancy";
const DB_VERSION: u32 = 1;
const META: &str = "meta";
const BUNDLES: &str = "bundles";
/// localStorage key of the id of the version that serves predictions.
pub const ACTIVE_KEY: &str = "campus-occupancy-active";

/// An open registry.
#[derive(Clone, Debug)]
pub struct Registry {
    db: IdbDatabase,
}

fn js_error(context: &str, err: &JsValue) -> String {
    let detail = err
        .dyn_ref::<web_sys::DomException>()
        .map(|e| e.message())
        .or_else(|| {
            err.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .or_else(|| err.as_string())
        .unwrap_or_else(|| format!("{err:?}"));
    format!("{context}: {detail}")
}

/// Resolves with the request's result once it succeeds.
async fn wait(request: &IdbRequest, context: &str) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let on_success = Closure::once_into_js(move |_event: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move |_event: JsValue| {
            let error = failed
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::from_str("unknown error"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map_err(|err| js_error(context, &err))
}

/// Resolves once the transaction has committed.
async fn committed(transaction: &IdbTransaction, context: &str) -> Result<(), String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_event: JsValue| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = transaction.clone();
        let reject_too = reject.clone();
        let on_error = Closure::once_into_js(move |_event: JsValue| {
            let error = failed
                .error()
                .map_or(JsValue::from_str("the transaction failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        let on_abort = Closure::once_into_js(move |_event: JsValue| {
            let _ = reject_too.call1(
                &JsValue::NULL,
                &JsValue::from_str("the transaction was aborted"),
            );
        });
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onerror(Some(on_error.unchecked_ref()));
        transaction.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|err| js_error(context, &err))
}

impl Registry {
    /// Opens (and on first use creates) the page's registry.
    pub async fn open() -> Result<Registry, String> {
        Registry::open_named(DB_NAME).await
    }

    /// Opens a registry under another database name (tests use their own).
    pub async fn open_named(name: &str) -> Result<Registry, String> {
        let context = "the model registry (IndexedDB) could not be opened";
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| format!("{context}: this browser offers no IndexedDB here"))?;
        let request: IdbOpenDbRequest = factory
            .open_with_u32(name, DB_VERSION)
            .map_err(|err| js_error(context, &err))?;
        let upgrading = request.clone();
        let on_upgrade = Closure::once_into_js(move |_event: JsValue| {
            let Ok(result) = upgrading.result() else {
                return;
            };
            let Ok(db) = result.dyn_into::<IdbDatabase>() else {
                return;
            };
            for store in [META, BUNDLES] {
                if !db.object_store_names().contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db = wait(&request, context).await?;
        let db = db
            .dyn_into::<IdbDatabase>()
            .map_err(|_| format!("{context}: not a database"))?;
        Ok(Registry { db })
    }

    fn transaction(&self, mode: IdbTransactionMode) -> Result<IdbTransaction, String> {
        let stores = Array::of2(&JsValue::from_str(META), &JsValue::from_str(BUNDLES));
        self.db
            .transaction_with_str_sequence_and_mode(&stores, mode)
            .map_err(|err| js_error("the model registry is not available", &err))
    }

    /// Every version, newest (highest id) first. Entries that do not parse are skipped.
    pub async fn list(&self) -> Result<Vec<VersionMeta>, String> {
        let transaction = self.transaction(IdbTransactionMode::Readonly)?;
        let store = transaction
            .object_store(META)
            .map_err(|err| js_error("the model registry is damaged", &err))?;
        let request = store
            .get_all()
            .map_err(|err| js_error("could not list the versions", &err))?;
        let all = wait(&request, "could not list the versions").await?;
        let mut versions: Vec<VersionMeta> =
            Array::from(&all).iter().filter_map(read_meta).collect();
        newest_first(&mut versions);
        Ok(versions)
    }

    /// The id the next version gets.
    pub async fn next_id(&self) -> Result<u32, String> {
        Ok(next_id(&self.list().await?))
    }

    /// Stores a version (summary and bytes) under `meta.id`.
    pub async fn put(&self, meta: &VersionMeta, bytes: &[u8]) -> Result<(), String> {
        let context = "could not save the version";
        let record = write_meta(meta).map_err(|e| format!("{context}: {e}"))?;
        let transaction = self.transaction(IdbTransactionMode::Readwrite)?;
        let key = JsValue::from(meta.id);
        let stores = (
            transaction.object_store(META),
            transaction.object_store(BUNDLES),
        );
        let (Ok(meta_store), Ok(bundle_store)) = stores else {
            return Err(format!("{context}: the registry is damaged"));
        };
        meta_store
            .put_with_key(&record, &key)
            .map_err(|err| js_error(context, &err))?;
        bundle_store
            .put_with_key(&Uint8Array::from(bytes), &key)
            .map_err(|err| js_error(context, &err))?;
        committed(&transaction, context).await
    }

    /// The saved-model bytes of a version.
    pub async fn bytes(&self, id: u32) -> Result<Vec<u8>, String> {
        let context = format!("could not read version {id}");
        let transaction = self.transaction(IdbTransactionMode::Readonly)?;
        let store = transaction
            .object_store(BUNDLES)
            .map_err(|err| js_error(&context, &err))?;
        let request = store
            .get(&JsValue::from(id))
            .map_err(|err| js_error(&context, &err))?;
        let value = wait(&request, &context).await?;
        if !value.is_instance_of::<Uint8Array>() {
            return Err(format!("{context}: it is not in the registry"));
        }
        Ok(Uint8Array::new(&value).to_vec())
    }

    pub async fn delete(&self, id: u32) -> Result<(), String> {
        let context = format!("could not delete version {id}");
        let transaction = self.transaction(IdbTransactionMode::Readwrite)?;
        let key = JsValue::from(id);
        for store in [META, BUNDLES] {
            let store = transaction
                .object_store(store)
                .map_err(|err| js_error(&context, &err))?;
            store.delete(&key).map_err(|err| js_error(&context, &err))?;
        }
        committed(&transaction, &context).await
    }

    /// Removes every version (tests start from an empty registry).
    pub async fn clear(&self) -> Result<(), String> {
        let context = "could not clear the registry";
        let transaction = self.transaction(IdbTransactionMode::Readwrite)?;
        for store in [META, BUNDLES] {
            let store = transaction
                .object_store(store)
                .map_err(|err| js_error(context, &err))?;
            store.clear().map_err(|err| js_error(context, &err))?;
        }
        committed(&transaction, context).await
    }
}

/// A stored summary: an object, or JSON text as earlier pages stored it.
fn read_meta(value: JsValue) -> Option<VersionMeta> {
    match value.as_string() {
        Some(text) => serde_json::from_str(&text).ok(),
        None => serde_wasm_bindgen::from_value(value).ok(),
    }
}

/// A summary to store: an object where JavaScript can hold every number, else JSON text.
fn write_meta(meta: &VersionMeta) -> Result<JsValue, serde_json::Error> {
    match serde_wasm_bindgen::to_value(meta) {
        Ok(value) => Ok(value),
        Err(_) => serde_json::to_string(meta).map(|text| JsValue::from_str(&text)),
    }
}

/// The version chosen to serve predictions, if one was chosen.
pub fn load_active() -> Option<u32> {
    // Stored as the id's digits, which read as a JSON number.
    LocalStorage::get(ACTIVE_KEY).ok()
}

pub fn save_active(id: Option<u32>) {
    let _ = match id {
        Some(id) => LocalStorage::set(ACTIVE_KEY, id),
        None => {
            LocalStorage::delete(ACTIVE_KEY);
            Ok(())
        }
    };
}
