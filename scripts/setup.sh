#!/usr/bin/env bash
# Sets up a fresh Debian machine for building, serving and testing Campus ETL Studio.
# Idempotent: every step checks first and skips what is already there at the right version.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
GECKODRIVER_VERSION=0.37.1
DUCKDB_VERSION=2.0.1
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: a real MariaDB for the SQL tests, Chromium and its driver and Firefox ESR for
# browser tests (Firefox's driver, geckodriver, comes from crates.io below), clang and sqlite3 for
# the SQLite database, PostgreSQL for the PostgreSQL dialect.
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
# PostgreSQL: the tests make a throwaway cluster with its initdb and load --dialect postgres
# scripts with psql (the package also makes the `postgres` user the cluster runs as under root).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_pkgs+=(postgresql)
command -v psql >/dev/null 2>&1 || apt_pkgs+=(postgresql-client)
# Debian's python3 makes virtual environments only with python3-venv (for DuckDB, below).
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || apt_pkgs+=(python3-venv)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  log "apt-get install ${apt_pkgs[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi
# The MariaDB and PostgreSQL packages may start system services; the tests start their own
# throwaway servers instead.

# Rust: the wasm target, and rustfmt and clippy for scripts/test.sh (a minimal rustup profile lacks them).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
installed_components=$(rustup component list --installed)
for component in rustfmt clippy; do
  if ! grep -q "^$component-" <<<"$installed_components"; then
    log "rustup component add $component"
    rustup component add "$component"
  fi
done

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

# Node packages, exactly as tests/e2e/package-lock.json pins them: wasm-opt (binaryen) for the build,
# playwright-core (drives Debian's Chromium) and selenium-webdriver (drives Firefox ESR through the
# geckodriver above) for the end-to-end tests. Neither downloads a browser or a driver.
# Both test drivers need Node 20 or newer; Debian 12's own nodejs is 18.
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
  log "warning: node $(node --version 2>/dev/null || echo '(none)') is older than 20: the build works, the end-to-end tests need Node 20 or newer"
fi
if [ -f tests/e2e/package-lock.json ]; then
  if ! (cd tests/e2e && npm ls --silent >/dev/null 2>&1); then
    log "npm ci in tests/e2e"
    (cd tests/e2e && npm ci --silent --no-audit --no-fund)
  fi
fi
# DuckDB from PyPI in the project's own venv (.venv): the independent reader the Parquet tests
# check our files with.
if [ "$(.venv/bin/python -c 'import duckdb; print(duckdb.__version__)' 2>/dev/null || true)" != "$DUCKDB_VERSION" ]; then
  log "pip install duckdb==$DUCKDB_VERSION into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
fi
log "ready"
