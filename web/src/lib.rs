//! Campus ETL Studio's web page: a Yew app over the pure core crates.
//!
//! `web/` is the only crate that knows about the DOM, workers and wasm-bindgen. The page thread
//! renders and validates; the worker ([`agent`], started by `src/bin/worker.rs`) produces every
//! byte of SQL and CSV and streams it back in chunks that [`download`] assembles into Blobs.
//!
//! The page's three sections: the generator ([`state`], [`hooks::use_generator`], [`form`],
//! [`agent`]), the ETL workbench ([`etl`], with its own worker) and classroom occupancy ML
//! ([`occupancy`], with its own worker and an IndexedDB model registry). Charts go through
//! [`chart`] (plotters' SVG backend).

pub mod agent;
pub mod chart;
pub mod components;
pub mod download;
pub mod etl;
pub mod form;
pub mod hooks;
pub mod occupancy;
pub mod panic;
pub mod state;

/// The page's entry point.
pub fn start() {
    panic::install();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<components::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<components::App>::new().render();
        }
    }
}
