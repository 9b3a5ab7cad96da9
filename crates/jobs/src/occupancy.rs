//! The occupancy job: import or generate sessions, train, cross-validate, predict, and what the
//! model registry records about a version.
//!
//! - [`OccupancyService`] ([`Request`], [`Event`]): the steppable service both shells drive;
//!   training steps through its stages and the forest's batches of trees.
//! - [`generate_form`], [`train_form`] and [`predict_form`]: the page's forms, parsed with typed
//!   per-field errors.
//! - [`state`]: the page section's state and its reducer, browser-free.
//! - [`registry`]: a saved version's record ([`VersionMeta`]) and the registry's choices.
//! - [`guard`]: the model guardrails: when a new version may serve, small test sets, inputs
//!   outside the training range, files and rows imported twice.
//! - [`forest_relay`]: the page's bookkeeping of the forest's chunks of trees fitted by several
//!   workers, bit for bit one worker's forest.
//! - [`tracker`]: the page's side of the worker: the job in flight and what its answers mean.
//! - [`view`]: what the page shows, as text and figure data (it only draws them).

pub mod forest_relay;
pub mod generate_form;
pub mod guard;
pub mod import_stream;
pub mod predict_form;
pub mod predict_stream;
pub mod registry;
mod service;
pub mod sql;
pub mod state;
pub mod tracker;
pub mod train_form;
pub mod view;

use serde::{Deserialize, Serialize};

use campus_occupancy::{Stage, TrainConfig};

pub use registry::VersionMeta;
pub use service::{Clock, Event, OccupancyService, PREDICT_BATCH, Request};

/// The SVM's kernel cache in the browser: the native default (200 MB) is too much for a tab.
pub const BROWSER_CACHE_MEGABYTES: usize = 64;

/// The training configuration the page uses: the core's defaults with a browser-sized cache.
pub fn browser_train_config() -> TrainConfig {
    let mut config = TrainConfig::default();
    config.svm.cache_megabytes = BROWSER_CACHE_MEGABYTES;
    config
}

/// Training time per stage, in milliseconds, by the shell's clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub encoding_ms: f64,
    pub linear_ms: f64,
    pub forest_ms: f64,
    pub svm_ms: f64,
    pub evaluating_ms: f64,
    pub total_ms: f64,
}

impl Timings {
    /// Adds time spent in `stage`.
    pub fn add(&mut self, stage: Stage, ms: f64) {
        *self.stage_mut(stage) += ms;
    }

    /// The time spent in `stage`.
    pub fn of(&self, stage: Stage) -> f64 {
        match stage {
            Stage::Encoding => self.encoding_ms,
            Stage::Linear => self.linear_ms,
            Stage::Forest => self.forest_ms,
            Stage::Svm => self.svm_ms,
            Stage::Evaluating => self.evaluating_ms,
        }
    }

    fn stage_mut(&mut self, stage: Stage) -> &mut f64 {
        match stage {
            Stage::Encoding => &mut self.encoding_ms,
            Stage::Linear => &mut self.linear_ms,
            Stage::Forest => &mut self.forest_ms,
            Stage::Svm => &mut self.svm_ms,
            Stage::Evaluating => &mut self.evaluating_ms,
        }
    }
}
