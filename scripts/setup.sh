#!/usr/bin/env bash
# Sets up a fresh Debian machine for building, serving and testing Campus ETL Studio.
# Idempotent: every step checks first and skips what is already there at the right version.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
GECKODRIVER_VERSION=0.37.1
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: a real MariaDB for the SQL tests, Chromium and its driver and Firefox for
# browser tests, clang and sqlite3 for the SQLite database.
apt_pkgs=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || apt_pkgs+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || apt_pkgs+=(mariadb-client)
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
[ -x /usr/bin/chromedriver ] || apt_pkgs+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || apt_pkgs+=(firefox-esr)
command -v node >/dev/null 2>&1 || apt_pkgs+=(nodejs npm)
# SQLite: clang compiles the bundled SQLite for wasm32; the stock sqlite3 shell checks the CLI's files.
command -v clang >/dev/null 2>&1 || apt_pkgs+=(clang)
command -v sqlite3 >/dev/null 2>&1 || apt_pkgs+=(sqlite3)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  log "apt-get install ${apt_pkgs[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi
# The MariaDB package may start a system service; the tests start their own throwaway server instead.

# Rust: the wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Trunk: 0.22 needs a newer rustc than this toolchain, so pin the last version that builds.
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  log "cargo install trunk@$TRUNK_VERSION (about 12 minutes on 2 cores)"
  cargo install "trunk@$TRUNK_VERSION" --locked --quiet
fi

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly, or Trunk would try to download one.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -n "$WB_VERSION" ] && [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WB_VERSION"
  # Not --locked: its lockfile pins a webpki-roots version the registry here does not serve.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --quiet
fi

# geckodriver drives Firefox for the browser tests; Debian does not package it, crates.io does.
if [ "$(geckodriver --version 2>/dev/null | head -n1 | cut -d' ' -f1-2 || true)" != "geckodriver $GECKODRIVER_VERSION" ]; then
  log "cargo install geckodriver@$GECKODRIVER_VERSION (about 3 minutes)"
  cargo install "geckodriver@$GECKODRIVER_VERSION" --locked --quiet
fi

# Node tools for the end-to-end tests (playwright-core drives Debian's Chromium) and wasm-opt (binaryen).
if [ -f tests/e2e/package-lock.json ]; then
  if ! (cd tests/e2e && npm ls --silent >/dev/null 2>&1); then
    log "npm ci in tests/e2e"
    (cd tests/e2e && npm ci --silent --no-audit --no-fund)
  fi
fi
log "ready"
