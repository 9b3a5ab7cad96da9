#!/usr/bin/env bash
# Builds the release web page into dist/ with Trunk, offline: wasm-bindgen from ~/.cargo/bin (the
# version in Cargo.lock) and wasm-opt from binaryen's npm package in tests/e2e (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if ! command -v wasm-opt >/dev/null 2>&1; then
  echo "wasm-opt missing: run scripts/setup.sh (it installs tests/e2e's npm packages)" >&2
  exit 1
fi
trunk build --release --offline --skip-version-check "$@"
