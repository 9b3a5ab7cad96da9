#!/usr/bin/env bash
# Runs every test of the project on this machine, installing what they need first.
#   1. formatting: `cargo fmt --all --check` against the committed rustfmt.toml;
#   2. native unit and integration tests of every core crate and the CLI (a throwaway MariaDB
#      server is started by the CLI's tests), in release mode so the large loads stay quick;
#   3. the core crates (the jobs layer included) build for wasm32-unknown-unknown;
#   4. clippy, with warnings as errors, natively and for the web crate on wasm32;
#   4b. a short coverage-guided fuzzing run of every parser and decoder (fuzz/);
#   5. browser tests of the web crate (wasm-bindgen-test in headless Chromium and Firefox);
#   6. end-to-end tests of the release page in headless Chromium (Playwright) and Firefox
#      (selenium-webdriver through geckodriver).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "setup"
bash scripts/setup.sh

step "formatting (rustfmt.toml)"
cargo fmt --all --check

step "native tests (core crates, CLI, real MariaDB)"
cargo test --release --workspace --exclude campus_web

step "core crates build for wasm32"
cargo build --release --target wasm32-unknown-unknown \
  -p campus_schema -p campus_gen -p campus_sql -p campus_csv -p campus_etl -p campus_occupancy \
  -p campus_jobs -p campus_db -p campus_parquet

step "clippy (native workspace, and the web crate on wasm32)"
cargo clippy --workspace --exclude campus_web --all-targets -- -D warnings
# With the `db` feature too, so the database worker (the only wasm file with SQLite) is checked.
cargo clippy -p campus_web --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy -p campus_web --target wasm32-unknown-unknown --features db --all-targets -- -D warnings

step "fuzzing: a short run of every target (scripts/fuzz.sh; long runs are run by hand)"
bash scripts/fuzz.sh 20

if [ -f scripts/web-test.sh ]; then
  step "web crate in headless Chromium and Firefox (wasm-bindgen-test)"
  bash scripts/web-test.sh
fi

if [ -f scripts/e2e.sh ]; then
  step "end-to-end in headless Chromium and Firefox"
  bash scripts/e2e.sh
fi
