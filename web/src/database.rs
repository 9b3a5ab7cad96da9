//! The database section of the page (issue 11): the generated university in a real SQLite
//! database (compiled to wasm, in its own worker), a SQL console, the ER diagram, exercises,
//! save and open `.sqlite` files, and a copy kept across reloads.
//!
//! [`worker`] runs `campus_jobs::db::DbService` in the database worker (the only wasm file that
//! links SQLite, built with the `db` feature); [`hook`] owns the worker from the page; [`state`]
//! is the reducer (`campus_jobs::db::page`); [`components`] draws the section.

pub mod components;
pub mod hook;
pub mod state;
#[cfg(feature = "db")]
pub mod worker;

pub use components::DatabaseSection;
