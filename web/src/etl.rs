//! The CSV ETL workbench section of the page (issue 4): four AKTU-style exports in, pseudonymised,
//! joined, checked, correlated and staged for MySQL, all in a dedicated web worker.
//!
//! [`worker`] runs `campus_jobs::etl::EtlService` in a web worker (started by
//! `src/bin/etl_worker.rs`, loaded by `web/etl_worker_loader.js`) behind the shared worker
//! protocol; [`hook`] drives it from the page along `campus_jobs::etl::Plan`, the plan the CLI
//! follows too, slicing files with `Blob.slice` so memory stays bounded, and spreads the second
//! pass of large files over helper ETL workers (`campus_jobs::etl::spread`); [`state`] is the
//! reducer; [`components`] renders the [`components::Workbench`]; [`charts`] draws SVG with
//! plotters.

pub mod charts;
pub mod components;
pub mod grading;
pub mod handover;
pub mod hook;
pub mod state;
pub mod worker;

pub use components::Workbench;
