#!/usr/bin/env bash
# Browser tests of the web crate (form parsing, reducer, worker outputs, codec, charts, panic
# banner): wasm-bindgen-test in headless Chromium (chromedriver), then in headless Firefox
# (geckodriver).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
echo "== wasm-bindgen-test in Chromium"
env -u GECKODRIVER CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" cargo test --target wasm32-unknown-unknown -p campus_web
echo "== wasm-bindgen-test in Firefox"
env -u CHROMEDRIVER GECKODRIVER="${GECKODRIVER:-$HOME/.cargo/bin/geckodriver}" cargo test --target wasm32-unknown-unknown -p campus_web
