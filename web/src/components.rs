//! The page's components, one file each; [`App`] is the root.

pub mod app;
pub mod charts;
pub mod form;
pub mod header;
pub mod notice;
pub mod preview;
pub mod progress;
pub mod results;
pub mod schema_view;

pub use app::App;
