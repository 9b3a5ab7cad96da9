//! The saved-model format shared by the browser registry and the CLI.
//!
//! Layout (all integers little-endian):
//! `MAGIC (8 bytes) | format version (u32) | payload length (u64) | postcard payload |
//! SHA-256 of everything before it (32 bytes)`.
//! The magic tells our files from foreign ones, the version lets later formats refuse or
//! migrate older ones explicitly, and the checksum turns any corruption into a clear error
//! before a single model byte is trusted.

use sha2::{Digest, Sha256};

use crate::train::ModelBundle;

/// SHA-256 of `bytes`, fed in slices of 64 KiB.
///
/// The digest is the same as in one call, but one call hashes a whole model in a single
/// invocation of the block function, and V8 only swaps a wasm function for its optimised build
/// between calls: hashing 15 MB ran entirely in the baseline tier, about 20 times slower (0.9 s
/// to load a 50,000-session model). Slices let the optimised code take over after the first.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for slice in bytes.chunks(64 << 10) {
        hasher.update(slice);
    }
    hasher.finalize().into()
}

/// SHA-256 of `bytes` as 64 lowercase hex digits: the data fingerprint of a training run and
/// the content hash by which the page tells a CSV it has already imported.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha256(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

pub const MAGIC: [u8; 8] = *b"CAMPOCC\0";
pub const FORMAT_VERSION: u32 = 1;
/// Bytes at the start of a file that [`expected_len`] needs: magic, version, payload length.
pub const HEADER_LEN: usize = 8 + 4 + 8;
/// The largest model file read: a file declaring more is refused from its header alone,
/// before its payload is read. An unbounded forest of 50,000 sessions is about 100 MB.
pub const MAX_BUNDLE_BYTES: u64 = 256 << 20;
const CHECKSUM_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BundleError {
    #[error("not a Campus ETL Studio occupancy model (unrecognised file header)")]
    NotABundle,
    #[error("the model file is truncated: expected {expected} bytes, found {found}")]
    Truncated { expected: u64, found: u64 },
    #[error("the model file uses format version {found}; this build reads version {supported}")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("the model file is corrupt: its checksum does not match its contents")]
    ChecksumMismatch,
    #[error("the model file is corrupt: {0}")]
    Corrupt(String),
    #[error("the model could not be encoded: {0}")]
    Encode(String),
    #[error("the model file declares {size} bytes, more than the {limit} bytes a model may have")]
    TooLarge { size: u64, limit: u64 },
}

/// The length a model file must have, read from its first [`HEADER_LEN`] bytes (more may
/// follow), so a shell can check a file's size before reading it whole.
pub fn expected_len(bytes: &[u8]) -> Result<u64, BundleError> {
    let found = bytes.len() as u64;
    let Some(magic) = bytes.get(..MAGIC.len()) else {
        return Err(if MAGIC.starts_with(bytes) && !bytes.is_empty() {
            BundleError::Truncated {
                expected: HEADER_LEN as u64,
                found,
            }
        } else {
            BundleError::NotABundle
        });
    };
    if magic != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let truncated_header = BundleError::Truncated {
        expected: HEADER_LEN as u64,
        found,
    };
    let version = bytes
        .get(8..12)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or(truncated_header.clone())?;
    if version != FORMAT_VERSION {
        return Err(BundleError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let payload_len = bytes
        .get(12..20)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or(truncated_header)?;
    let expected = (HEADER_LEN as u64)
        .saturating_add(payload_len)
        .saturating_add(CHECKSUM_LEN as u64);
    if expected > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge {
            size: expected,
            limit: MAX_BUNDLE_BYTES,
        });
    }
    Ok(expected)
}

impl ModelBundle {
    pub fn to_bytes(&self) -> Result<Vec<u8>, BundleError> {
        let payload =
            postcard::to_allocvec(self).map_err(|e| BundleError::Encode(e.to_string()))?;
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + CHECKSUM_LEN);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        let checksum = sha256(&out);
        out.extend_from_slice(&checksum);
        Ok(out)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BundleError> {
        let found = bytes.len() as u64;
        let expected = expected_len(bytes)?;
        let payload_len = expected - (HEADER_LEN + CHECKSUM_LEN) as u64;
        if found < expected {
            return Err(BundleError::Truncated { expected, found });
        }
        if found > expected {
            return Err(BundleError::Corrupt(format!(
                "{} unexpected bytes after the end",
                found - expected
            )));
        }
        // `expected == found` fits in usize, so these conversions and slices are in range.
        let body_len = HEADER_LEN + payload_len as usize;
        let (body, checksum) = bytes.split_at(body_len);
        if sha256(body).as_slice() != checksum {
            return Err(BundleError::ChecksumMismatch);
        }
        let payload = body.get(HEADER_LEN..).unwrap_or_default();
        let bundle: ModelBundle =
            postcard::from_bytes(payload).map_err(|e| BundleError::Corrupt(e.to_string()))?;
        bundle.check_consistent()?;
        bundle.models.svm.prepare();
        Ok(bundle)
    }

    /// The models must agree with the encoder on the number of features, or prediction
    /// would read past rows.
    fn check_consistent(&self) -> Result<(), BundleError> {
        let models = &self.models;
        let n_features = models.encoder.n_features();
        let encoder_ok = models.encoder.means.len() == crate::features::NUMERIC_FEATURES.len()
            && models.encoder.std_devs.len() == crate::features::NUMERIC_FEATURES.len();
        let svm_ok = models.svm.n_features == n_features
            && models.svm.support_vectors.len() == models.svm.coefficients.len() * n_features
            && models.svm.sv_sq_norms.len() == models.svm.coefficients.len();
        // A number that is not finite would turn every prediction into NaN or infinity.
        let finite = |values: &[f64]| values.iter().all(|v| v.is_finite());
        let gamma_ok = match models.svm.kernel {
            crate::svm::Kernel::Rbf { gamma } => gamma.is_finite(),
            crate::svm::Kernel::Linear => true,
        };
        let numbers_ok = finite(&models.encoder.means)
            && finite(&models.encoder.std_devs)
            && finite(&models.linear.weights)
            && models.linear.intercept.is_finite()
            && finite(&models.svm.support_vectors)
            && finite(&models.svm.coefficients)
            && finite(&models.svm.sv_sq_norms)
            && models.svm.rho.is_finite()
            && gamma_ok;
        if !numbers_ok {
            return Err(BundleError::Corrupt(
                "a model holds a number that is not finite".to_owned(),
            ));
        }
        if encoder_ok
            && models.linear.weights.len() == n_features
            && models.forest.n_features == n_features
            && svm_ok
        {
            models.forest.check().map_err(BundleError::Corrupt)
        } else {
            Err(BundleError::Corrupt(
                "the models disagree with the feature encoding".to_owned(),
            ))
        }
    }
}
