//! The occupancy section's components, one file each; [`OccupancySection`] is the root.

pub mod analytics;
pub mod data;
pub mod field;
pub mod figure;
pub mod performance;
pub mod predict;
pub mod registry;
pub mod section;
pub mod training;

pub use section::OccupancySection;
