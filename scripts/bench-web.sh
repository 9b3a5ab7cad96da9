#!/usr/bin/env bash
# Figures for the page (not a test): wasm sizes, load to interactive, default-dataset generation
# time and SQL MB/s in headless Chromium versus the native CLI, and peak tab memory while a
# 1,000,000-student SQL file is made and downloaded, then SQL MB/s with 1 and N generator workers
# (tests/e2e/bench-workers.js). Extra arguments go to tests/e2e/bench.js,
# e.g. `scripts/bench-web.sh --memory-students 0` to skip the big run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
cargo build --release -p campus_cli --quiet
export CAMPUS_CLI="${CARGO_TARGET_DIR:-$PWD/target}/release/campus"
cd tests/e2e
node bench.js "$@"
node bench-workers.js
