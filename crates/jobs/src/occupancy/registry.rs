//! What the model registry records about a saved version, and the choices it makes, computed
//! from the bundle without a browser (the page keeps the records in IndexedDB, the bytes beside
//! them).

use serde::{Deserialize, Serialize};

use campus_occupancy::metrics::{ClassificationMetrics, RegressionMetrics};
use campus_occupancy::{ModelBundle, TrainConfig};

use super::Timings;
use super::guard::InputRanges;

/// What the registry lists about one version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionMeta {
    pub id: u32,
    pub created_at: String,
    /// "trained here" or "imported from <file>".
    pub origin: String,
    pub n_rows: usize,
    pub data_fingerprint: String,
    pub config: TrainConfig,
    pub linear: RegressionMetrics,
    pub forest: RegressionMetrics,
    pub svm: ClassificationMetrics,
    pub n_train: usize,
    pub n_test: usize,
    pub n_bytes: usize,
    /// Present for versions trained in this browser.
    pub timings: Option<Timings>,
    /// The training rows' input ranges, for versions trained in this browser.
    #[serde(default)]
    pub ranges: Option<InputRanges>,
}

impl VersionMeta {
    pub fn new(
        id: u32,
        bundle: &ModelBundle,
        origin: String,
        n_bytes: usize,
        timings: Option<Timings>,
    ) -> VersionMeta {
        let evaluation = &bundle.evaluation;
        VersionMeta {
            id,
            created_at: bundle.created_at.clone(),
            origin,
            n_rows: bundle.n_rows,
            data_fingerprint: bundle.data_fingerprint.clone(),
            config: bundle.config.clone(),
            linear: evaluation.linear,
            forest: evaluation.forest,
            svm: evaluation.svm.clone(),
            n_train: evaluation.n_train,
            n_test: evaluation.n_test,
            n_bytes,
            timings,
            ranges: None,
        }
    }
}

/// Newest (highest id) first, as the registry lists versions.
pub fn newest_first(versions: &mut [VersionMeta]) {
    versions.sort_by_key(|v| std::cmp::Reverse(v.id));
}

/// The id the next version gets: one above the highest, 1 in an empty registry.
pub fn next_id(versions: &[VersionMeta]) -> u32 {
    versions
        .iter()
        .map(|v| v.id)
        .max()
        .map_or(1, |id| id.saturating_add(1))
}

/// The version that serves predictions: the one chosen if it still exists, else the latest.
pub fn choose_active(chosen: Option<u32>, versions: &[VersionMeta]) -> Option<u32> {
    chosen
        .filter(|id| versions.iter().any(|v| v.id == *id))
        .or_else(|| versions.iter().map(|v| v.id).max())
}
