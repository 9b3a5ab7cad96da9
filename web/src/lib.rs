//! Campus ETL Studio's web page: a Yew app over the pure core crates.
//!
//! `web/` is the only crate that knows about the DOM, workers and wasm-bindgen. The page thread
//! renders; each section's worker does the work through the jobs layer (`campus_jobs`).
//!
//! The page's three sections have the same inner shape (state and reducer, components, the hook
//! that owns the worker, the worker side): [`generator`], [`etl`] and [`occupancy`]. What they
//! share lives in [`shared`]; no section imports another's files. [`app`] lays them out.

pub mod app;
pub mod database;
pub mod etl;
pub mod generator;
pub mod occupancy;
pub mod shared;

/// The page's entry point.
pub fn start() {
    shared::panic::install();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
