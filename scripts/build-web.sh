#!/usr/bin/env bash
# Builds the release web page into dist/ with Trunk, offline: wasm-bindgen from ~/.cargo/bin (the
# version in Cargo.lock) and wasm-opt from binaryen's npm package in tests/e2e (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ ! -x tests/e2e/node_modules/.bin/wasm-opt ]; then
  # binaryen (wasm-opt) and the end-to-end tests' packages, pinned by tests/e2e/package-lock.json.
  (cd tests/e2e && npm ci --silent --no-audit --no-fund)
fi
trunk build --release --offline --skip-version-check "$@"
