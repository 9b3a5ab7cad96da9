#!/usr/bin/env bash
# Browser tests of the web crate (form parsing, reducer, worker outputs, codec, charts, panic
# banner): wasm-bindgen-test in Debian's headless Chromium via chromedriver.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
cargo test --target wasm32-unknown-unknown -p campus_web
