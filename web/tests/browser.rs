//! Browser tests of what only a browser can run (charts drawn to SVG, the panic banner), in headless
//! Chromium by wasm-bindgen-test:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p campus_web`.
//! The generator's logic (form, sources, figures, reducer) is tested natively in `campus_jobs`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn charts_render_as_svg() {
    let labels: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    let chart = campus_web::shared::chart::BarChart {
        caption: "Test",
        x_desc: "x",
        y_desc: "Rows",
        labels: &labels,
        values: &[3, 0, 7],
        size: (400, 300),
    };
    let svg = campus_web::shared::chart::bar_chart_svg(&chart).unwrap_or_else(|e| panic!("{e}"));
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.contains("Test"), "caption");
    // The background, the plot area and one bar per non-zero value at least.
    assert!(svg.matches("<rect").count() >= 4, "{svg}");
}

#[wasm_bindgen_test]
fn panic_banner_shows_the_message() {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .unwrap_or_else(|| panic!("no document"));
    let body = document.body().unwrap_or_else(|| panic!("no body"));
    assert!(!campus_web::shared::panic::show_banner(
        "nothing to show it in"
    ));
    let banner = document
        .create_element("div")
        .unwrap_or_else(|e| panic!("{e:?}"));
    banner.set_id(campus_web::shared::panic::BANNER_ID);
    banner
        .set_attribute("hidden", "")
        .unwrap_or_else(|e| panic!("{e:?}"));
    body.append_child(&banner)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(campus_web::shared::panic::show_banner(
        "Something went wrong"
    ));
    assert_eq!(
        banner.text_content().as_deref(),
        Some("Something went wrong")
    );
    assert!(!banner.has_attribute("hidden"));
    banner.remove();
}
