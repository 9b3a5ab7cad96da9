//! Files assembled in the browser from chunks: each chunk becomes a small Blob at once, and the
//! file is a Blob of those Blobs, so the bytes leave wasm and JS memory as soon as they arrive
//! (Chromium keeps large Blobs in its blob store, on disk when needed).

use js_sys::{Array, Uint8Array};
use web_sys::{Blob, BlobPropertyBag, Url};

/// A file being assembled.
pub struct BlobBuilder {
    parts: Array,
    mime: &'static str,
    bytes: u64,
}

impl BlobBuilder {
    pub fn new(mime: &'static str) -> BlobBuilder {
        BlobBuilder {
            parts: Array::new(),
            mime,
            bytes: 0,
        }
    }

    /// Copies `chunk` out of wasm memory into a Blob part.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        let array = Uint8Array::from(chunk);
        let blob = Blob::new_with_u8_array_sequence(&Array::of1(&array))
            .map_err(|err| format!("the browser refused a chunk of the file: {err:?}"))?;
        self.parts.push(&blob);
        self.bytes += chunk.len() as u64;
        Ok(())
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The whole file, as an object URL to download from.
    pub fn finish(self) -> Result<String, String> {
        Ok(self.finish_with_blob()?.1)
    }

    /// The whole file, as a Blob and an object URL to download it from.
    pub fn finish_with_blob(self) -> Result<(Blob, String), String> {
        let blob = self.finish_blob()?;
        let url = Url::create_object_url_with_blob(&blob)
            .map_err(|err| format!("the browser could not offer the file: {err:?}"))?;
        Ok((blob, url))
    }
}

impl BlobBuilder {
    /// The whole file, as a Blob.
    pub fn finish_blob(self) -> Result<Blob, String> {
        let options = BlobPropertyBag::new();
        options.set_type(self.mime);
        Blob::new_with_blob_sequence_and_options(&self.parts, &options)
            .map_err(|err| format!("the browser could not assemble the file: {err:?}"))
    }
}

/// Frees a URL made by [`BlobBuilder::finish`] once nothing links to it any more.
pub fn revoke(url: &str) {
    let _ = Url::revoke_object_url(url);
}
