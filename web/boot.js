// Starts the page's wasm. An external module (not Trunk's inline script) so the
// Content-Security-Policy can forbid inline scripts; relative paths so dist/ works under any sub-path.
import init from './campus_web.js';

init({ module_or_path: new URL('./campus_web_bg.wasm', import.meta.url) }).catch((err) => {
    const banner = document.getElementById('panic-banner');
    if (banner) {
        banner.textContent = `The page could not start: ${err}`;
        banner.hidden = false;
    }
});
