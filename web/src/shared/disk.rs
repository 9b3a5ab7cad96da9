//! Output files on disk, in the origin private file system (OPFS), written by the worker.
//!
//! A Blob assembled from chunks lives in the browser's blob store, which Chromium caps at a
//! fraction of RAM (about 500 MB here, less on small laptops) before the Blob silently breaks.
//! A file in OPFS is limited only by the disk quota, and `getFile()` hands the page a disk-backed
//! File to download. Where OPFS is missing (e.g. Firefox private windows) the worker falls back to
//! posting chunks for the page to keep in a Blob.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    File, FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetFileOptions,
    FileSystemReadWriteOptions, FileSystemSyncAccessHandle,
};

fn js_error(what: &str, err: JsValue) -> String {
    let detail = err
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| format!("{err:?}"));
    format!("{what}: {detail}")
}

/// The origin's private directory, from a page or a worker; `None` where there is none.
async fn root() -> Option<FileSystemDirectoryHandle> {
    let global = js_sys::global();
    let storage = if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        worker.navigator().storage()
    } else {
        global.dyn_ref::<web_sys::Window>()?.navigator().storage()
    };
    // Older browsers have `navigator.storage` but no `getDirectory`.
    let has_directory =
        js_sys::Reflect::has(&storage, &JsValue::from_str("getDirectory")).unwrap_or(false);
    if !has_directory {
        return None;
    }
    JsFuture::from(storage.get_directory())
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// A file being written from the start; closed (and so unlocked) when dropped.
pub struct DiskFile {
    handle: FileSystemSyncAccessHandle,
    at: f64,
}

impl DiskFile {
    /// Creates or empties `name`; `None` when this browser offers no private file system.
    pub async fn create(name: &str) -> Option<Result<DiskFile, String>> {
        let dir = root().await?;
        Some(DiskFile::open(&dir, name).await)
    }

    async fn open(dir: &FileSystemDirectoryHandle, name: &str) -> Result<DiskFile, String> {
        let options = FileSystemGetFileOptions::new();
        options.set_create(true);
        let file: FileSystemFileHandle =
            JsFuture::from(dir.get_file_handle_with_options(name, &options))
                .await
                .map_err(|e| js_error("could not create the output file", e))?
                .unchecked_into();
        // Sync access handles exist only in dedicated workers, and not in every browser.
        if !js_sys::Reflect::has(&file, &JsValue::from_str("createSyncAccessHandle"))
            .unwrap_or(false)
        {
            return Err("this browser cannot write files from a worker".into());
        }
        let handle: FileSystemSyncAccessHandle = JsFuture::from(file.create_sync_access_handle())
            .await
            .map_err(|e| js_error("could not open the output file", e))?
            .unchecked_into();
        handle
            .truncate_with_f64(0.0)
            .map_err(|e| js_error("could not empty the output file", e))?;
        Ok(DiskFile { handle, at: 0.0 })
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        let options = FileSystemReadWriteOptions::new();
        options.set_at(self.at);
        let written = self
            .handle
            .write_with_u8_array_and_options(bytes, &options)
            .map_err(|e| js_error("could not write the output file (is the disk full?)", e))?;
        if written as usize != bytes.len() {
            return Err("could not write the whole output file (is the disk full?)".into());
        }
        self.at += written;
        Ok(())
    }

    /// Replaces the whole file with `bytes` and flushes it (a copy kept up to date).
    pub fn replace(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.handle
            .truncate_with_f64(0.0)
            .map_err(|e| js_error("could not empty the file", e))?;
        self.at = 0.0;
        self.write(bytes)?;
        self.handle
            .flush()
            .map_err(|e| js_error("could not save the file", e))
    }

    pub fn finish(self) -> Result<(), String> {
        self.handle
            .flush()
            .map_err(|e| js_error("could not save the output file", e))
    }
}

impl Drop for DiskFile {
    fn drop(&mut self) {
        self.handle.close();
    }
}

/// The finished file `name`, for the page to offer as a download.
pub async fn open_file(name: &str) -> Result<File, String> {
    let dir = root()
        .await
        .ok_or("this browser has no private file system")?;
    let handle: FileSystemFileHandle = JsFuture::from(dir.get_file_handle(name))
        .await
        .map_err(|e| js_error("could not find the output file", e))?
        .unchecked_into();
    let file = JsFuture::from(handle.get_file())
        .await
        .map_err(|e| js_error("could not read the output file", e))?;
    Ok(file.unchecked_into())
}

/// Deletes these files if they exist and nobody is writing them: a new page forgets the big
/// files of earlier visits instead of leaving them on the user's disk.
pub async fn remove_files(names: &[&str]) {
    let Some(dir) = root().await else { return };
    for name in names {
        let _ = JsFuture::from(dir.remove_entry(name)).await;
    }
}
