#!/usr/bin/env bash
# End-to-end tests of the release page in Debian's headless Chromium and Firefox: builds the page (Trunk,
# offline) and the CLI (to compare Create_FullDB.sql byte for byte), then runs tests/e2e with
# node's test runner. Screenshots land in tests/e2e/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
cargo build --release -p campus_cli --quiet
export CAMPUS_CLI="${CARGO_TARGET_DIR:-$PWD/target}/release/campus"
cd tests/e2e
node --test --test-concurrency=1 --test-reporter=spec tests/
