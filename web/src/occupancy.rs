//! The page's third section: classroom occupancy ML over `campus_occupancy`.
//!
//! Data (generated or imported) lives on the page; generation, import and training run in a
//! dedicated worker ([`worker`], messages in [`protocol`]); trained versions are kept in
//! IndexedDB ([`registry`]) and the active one predicts on the page's thread (well under 1 ms).

pub mod protocol;
pub mod worker;
