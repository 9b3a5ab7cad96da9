//! The page's third section: classroom occupancy ML over `campus_occupancy`.
//!
//! Data (generated or imported) lives on the page; generation, import and training run in a
//! dedicated worker ([`worker`], messages in [`protocol`]); trained versions are kept in
//! IndexedDB ([`registry`]) and the serving one predicts on the page's thread (about 0.4 ms
//! for a model trained on 5,000 sessions).
//!
//! Interesting modules: [`state`] (the reducer), [`hook`] (worker, registry, files),
//! [`components`], [`predict`] and [`train_form`] (form parsing), [`charts`] (plotters SVG).

pub mod charts;
pub mod components;
pub mod hook;
pub mod predict;
pub mod protocol;
pub mod registry;
pub mod state;
pub mod train_form;
pub mod worker;

pub use components::OccupancySection;
