//! The generator section's components, one file each; [`GeneratorSection`] is its root.

pub mod charts;
pub mod form;
pub mod lesson;
pub mod preview;
pub mod progress;
pub mod results;
pub mod schema_view;
pub mod section;

pub use section::GeneratorSection;
