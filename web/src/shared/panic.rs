//! Turns a panic into a visible banner (and a console message) instead of a silently dead page.

use std::panic::PanicHookInfo;

/// The element in `index.html` that shows the message; it lives outside the app's root so it
/// survives whatever state the app was in.
pub const BANNER_ID: &str = "panic-banner";

pub fn install() {
    std::panic::set_hook(Box::new(on_panic));
}

fn on_panic(info: &PanicHookInfo<'_>) {
    let message = format!(
        "Something went wrong and the page stopped: {info}. Reload the page to start again."
    );
    web_sys::console::error_1(&message.clone().into());
    show_banner(&message);
}

/// Shows `message` in the banner; returns whether there was a banner to show it in.
pub fn show_banner(message: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Some(banner) = document.get_element_by_id(BANNER_ID) else {
        return false;
    };
    banner.set_text_content(Some(message));
    banner.remove_attribute("hidden").is_ok()
}
