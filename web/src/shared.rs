//! What every section of the page uses: the worker protocol, charts, downloads, the private file
//! system, notices, the header and the panic banner. No section imports another section's files; what two need lives
//! here.

pub mod chart;
pub mod disk;
pub mod download;
pub mod handoff;
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

/// Puts `text` on the clipboard, or, where the page may not (an insecure origin, an old browser,
/// a refused permission), selects it in `shown` for the user to copy; says which.
pub async fn copy_text(text: &str, shown: &yew::NodeRef) -> &'static str {
    use wasm_bindgen::JsValue;
    let Some(window) = web_sys::window() else {
        return "Select the text to copy it.";
    };
    let navigator = window.navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if has_clipboard {
        let written = navigator.clipboard().write_text(text);
        if wasm_bindgen_futures::JsFuture::from(written).await.is_ok() {
            return "Copied.";
        }
    }
    if let (Some(node), Ok(Some(selection))) = (shown.get(), window.get_selection())
        && selection.select_all_children(&node).is_ok()
    {
        return "Selected: press Ctrl+C to copy.";
    }
    "Select the text to copy it."
}
