//! What every section of the page uses: the worker protocol, charts, downloads, the private file
//! system, notices, the header and the panic banner. No section imports another section's files; what two need lives
//! here.

pub mod chart;
pub mod disk;
pub mod download;
pub mod header;
pub mod markdown;
pub mod notice;
pub mod panic;
pub mod worker;

/// Milliseconds from a monotonic clock where there is one (page or worker), else the wall clock.
pub fn now_ms() -> f64 {
    use wasm_bindgen::JsCast;
    let global = js_sys::global();
    if let Some(window) = global.dyn_ref::<web_sys::Window>()
        && let Some(performance) = window.performance()
    {
        return performance.now();
    }
    if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>()
        && let Some(performance) = worker.performance()
    {
        return performance.now();
    }
    js_sys::Date::now()
}

/// Brings the element with `test_id` into view (results that landed below the fold), smoothly and
/// under the sticky header.
pub fn reveal(test_id: &str) {
    let selector = format!("[data-testid=\"{test_id}\"]");
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&selector).ok().flatten())
    {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_behavior(web_sys::ScrollBehavior::Smooth);
        options.set_block(web_sys::ScrollLogicalPosition::Start);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}
