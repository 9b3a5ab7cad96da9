//! The page's third section: classroom occupancy ML over `campus_occupancy`.
//!
//! Data (generated or imported) lives on the page; generation, import and training run in a
//! worker that serves [`campus_jobs::occupancy::OccupancyService`] over the page's one worker
//! protocol (`src/bin/occupancy_worker.rs`, [`crate::shared::worker`]); trained versions are kept in
//! IndexedDB ([`registry`]) and the serving one predicts on the page's thread (about 0.4 ms
//! for a model trained on 5,000 sessions).
//!
//! Interesting modules: [`state`] (the reducer), [`hook`] (the worker, files), [`spread`] (the
//! forest's trees over several workers), [`versions`]
//! (the registry as the page uses it),
//! [`components`], [`charts`] (plotters SVG). Form parsing, the reducer's decisions and the
//! registry's records live in [`campus_jobs::occupancy`], tested natively.

pub mod charts;
pub mod components;
pub mod hook;
pub mod import_file;
pub mod predict_file;
pub mod registry;
pub mod spread;
pub mod state;
pub mod versions;

pub use components::OccupancySection;
