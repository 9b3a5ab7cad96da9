#!/usr/bin/env bash
# Benchmarks (not tests): generation throughput and the MariaDB load time of the default script.
# Figures go to stdout; run on a quiet machine, since wall-clock numbers suffer from other load.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

echo "== criterion: Create_FullDB.sql generated and serialised (default dataset, 1,000,000 students)"
cargo bench -q -p campus_sql --bench script 2>&1 | grep -E "rows,|time:|thrpt:|^create_full_db"

cargo build -q --release -p campus_cli
campus=target/release/campus
tmp=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

echo "== CLI: 1,000,000 students to /dev/null"
$campus generate --students 1000000 --out - 2>&1 >/dev/null | tail -n 1

echo "== CLI: the registrar's exports of 100,000 students (24,000,000 attendance rows), streamed"
$campus generate --format exports --students 100000 --out "$tmp/exports" 2>&1 | tail -n 1
rm -rf "$tmp/exports"

echo "== ETL: read + hash + join + correlate a set with 1,000,000 attendance rows (pandas: crates/etl/benches/pandas_bench.py)"
cargo run -q --release -p campus_etl --example etl_bench -- "$tmp/etl"

echo "== occupancy: training and prediction at 5,000 sessions (scikit-learn: crates/occupancy/bench/sklearn_bench.py)"
cargo run -q --release -p campus_occupancy --example occupancy_bench -- 5000 "$tmp/sessions.csv"

echo "== MariaDB: load time of the default Create_FullDB.sql"
$campus generate --quiet --out "$tmp/Create_FullDB.sql"
mariadb-install-db --no-defaults --datadir="$tmp/data" --auth-root-authentication-method=normal --skip-test-db \
  $( [ "$(id -u)" = 0 ] && echo --user=root ) >/dev/null
mariadbd --no-defaults --datadir="$tmp/data" --socket="$tmp/sock" --skip-networking \
  $( [ "$(id -u)" = 0 ] && echo --user=root ) --innodb-buffer-pool-size=512M \
  --innodb-log-file-size=256M --log-error="$tmp/error.log" &
server_pid=$!
for _ in $(seq 100); do mysql --no-defaults -uroot -S "$tmp/sock" -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
# The first load pays the new server's warm-up (tablespace files, buffer pool); the second is steady state.
for run in cold warm; do
  mysql --no-defaults -uroot -S "$tmp/sock" -e 'DROP DATABASE IF EXISTS university_system'
  start=$(date +%s.%N)
  mysql --no-defaults -uroot -S "$tmp/sock" < "$tmp/Create_FullDB.sql"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v run="$run" -v size="$(du -h "$tmp/Create_FullDB.sql" | cut -f1)" \
    'BEGIN { printf "%s load of %s: %.2f s\n", run, size, e - s }'
done
