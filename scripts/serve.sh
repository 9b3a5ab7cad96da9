#!/usr/bin/env bash
# Builds the release page and serves dist/ at http://127.0.0.1:8080 (PORT to change) until Ctrl-C.
# A plain static server, like any the page will be deployed on; no live reload, no network use.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
exec node tests/e2e/lib/serve-cli.js dist "${PORT:-8080}" /
