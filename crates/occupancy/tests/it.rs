//! Integration tests of campus_occupancy, one module per topic (files in `tests/it/`, one
//! test binary so the crate links once).

// Tests fail by panicking; unwrap and expect are how they say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// Shared fixtures: small generated datasets and one trained bundle.
#[path = "it/common.rs"]
mod common;

/// Seeded generation: determinism, layout, class balance, lag features.
#[path = "it/generate.rs"]
mod generate;

/// CSV import: good files in other shapes, and each bad fixture with its error.
#[path = "it/import.rs"]
mod import;

/// Metrics against hand-computed values.
#[path = "it/metrics.rs"]
mod metrics;

/// Model quality thresholds, the SVM solver's optimality, unseen categories, hooks.
#[path = "it/models.rs"]
mod models;

/// The saved format: identical predictions after a round trip, and every corruption refused.
#[path = "it/bundle.rs"]
mod bundle;

/// The forest's chunks of trees fitted elsewhere, out of order, give the same model bytes.
#[path = "it/chunks.rs"]
mod chunks;
