//! Classroom occupancy ML, pure Rust for the CLI and the browser worker alike.
//!
//! The pipeline, in module order:
//! - [`mod@generate`]: a seeded generator of class sessions (byte-identical on every target);
//! - [`import`]: CSV import of the shared layout ([`session::COLUMNS`]) with per-row errors;
//! - [`features`]: one-hot and standardised encoding learned from the training rows;
//! - [`linear`], [`forest`], [`svm`]: the three models; [`svm`] is our own SMO solver;
//! - [`metrics`]: regression and classification metrics;
//! - [`mod@train`]: split, fit, evaluate, cross-validate, predict;
//! - [`mod@analytics`]: the dashboard's aggregates (by weekday, slot, school, exam week, venue);
//! - [`bundle`]: the versioned, checksummed binary format of a trained version.
//!
//! Core code never panics on user data, spawns no threads and reads no clock: timings and
//! timestamps come from the caller, progress and cancellation go through [`progress::Hooks`].

pub mod analytics;
pub mod bundle;
pub mod features;
pub mod forest;
pub mod generate;
pub mod import;
pub mod linear;
pub mod metrics;
pub mod progress;
pub use campus_schema::rng;
pub mod session;
pub mod split;
pub mod sql;
pub mod svm;
pub mod timetable;
pub mod train;

pub use analytics::{Analytics, analytics};
pub use bundle::BundleError;
pub use generate::{GenerateConfig, generate};
pub use import::{ImportError, Imported, InputRow, SessionStream, parse_inputs, parse_sessions};
pub use progress::{Hooks, Progress, Stage};
pub use session::{Session, SessionInput, write_csv};
pub use train::{ModelBundle, Prediction, TrainConfig, TrainError, cross_validate, train};
