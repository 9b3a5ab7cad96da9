//! The generator section of the page: a seeded university as `Create_FullDB.sql` or a zip of CSVs,
//! with its figures, produced in a dedicated web worker.
//!
//! [`state`] is the reducer (over `campus_jobs::generate::page`), [`hook`] owns the worker,
//! [`components`] draw the section ([`components::GeneratorSection`]); [`worker`] is the worker
//! side (started by `src/bin/worker.rs`): `campus_jobs::generate::GenerateService` behind the
//! shared worker protocol, writing to the private file system where the browser has one.
//! [`spread`] runs a script over several such workers (one per core, capped), byte-identical.

pub mod components;
pub mod hook;
pub mod spread;
pub mod state;
pub mod worker;

pub use components::GeneratorSection;
