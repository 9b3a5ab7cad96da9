//! The generator section of the page: a seeded university as `Create_FullDB.sql` or a zip of CSVs,
//! with its figures, produced in a dedicated web worker.
//!
//! [`state`] is the reducer, [`hook`] owns the worker, [`components`] draw the section
//! ([`components::GeneratorSection`]); [`worker`] is the worker side (started by
//! `src/bin/worker.rs`), over [`jobs`] (the chunk sources) and [`stats`] (chart figures gathered
//! while the SQL is written); [`form`] parses and validates the form.

pub mod components;
pub mod form;
pub mod hook;
pub mod jobs;
pub mod state;
pub mod stats;
pub mod worker;

pub use components::GeneratorSection;
