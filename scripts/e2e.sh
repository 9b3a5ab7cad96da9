#!/usr/bin/env bash
# End-to-end tests of the release page in Debian's headless Chromium (playwright-core) and Firefox ESR
# (selenium-webdriver through ~/.cargo/bin/geckodriver; FIREFOX and GECKODRIVER override the paths):
# builds the page (Trunk, offline) and the CLI (to compare Create_FullDB.sql byte for byte), then
# runs tests/e2e with node's test runner. Screenshots and geckodriver's log land in tests/e2e/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
# The npm packages as the lockfile pins them (a checkout made before a package was added lacks it).
if ! (cd tests/e2e && npm ls --silent >/dev/null 2>&1); then
  (cd tests/e2e && npm ci --silent --no-audit --no-fund)
fi
scripts/build-web.sh
scripts/wasm-sizes.sh
cargo build --release -p campus_cli --quiet
export CAMPUS_CLI="${CARGO_TARGET_DIR:-$PWD/target}/release/campus"
cd tests/e2e
node --test --test-concurrency=1 --test-reporter=spec tests/
