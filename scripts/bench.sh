#!/usr/bin/env bash
# Benchmarks (not tests): generation throughput, ETL and occupancy against their peers, the load
# into SQLite and its queries, and load times into MariaDB and PostgreSQL by INSERT script and by
# fast load.
# Figures go to stdout; run on a quiet machine, since wall-clock numbers suffer from other load.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# `scripts/bench.sh parallel`: only the thread counts against their peers (scripts/bench_parallel.sh).
if [ "${1:-}" = parallel ]; then
  exec bash scripts/bench_parallel.sh
fi

# The load comparisons: `scripts/bench.sh load` runs only them. Sizes in students, from
# CAMPUS_BENCH_LOAD_STUDENTS (default: the default university and 1,000,000 students; the
# million takes several minutes per database on two cores).
load_students=${CAMPUS_BENCH_LOAD_STUDENTS:-5000 1000000}

# Seconds taken by a command, printed as "LABEL: N.NN s".
timed() {
  local label=$1
  shift
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v l="$label" 'BEGIN { printf "%s: %.2f s\n", l, e - s }'
}

# The faster of two runs of "PREPARE; COMMAND" (PREPARE, untimed, empties the database), printed
# as "LABEL: N.NN s (runs A and B)" and remembered in $best: on a shared machine the minimum is
# the steadier figure.
best_of_two() {
  local label=$1 prepare=$2
  shift 2
  local times=()
  for _ in 1 2; do
    eval "$prepare"
    local start end
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')")
  done
  best=$(awk -v a="${times[0]}" -v b="${times[1]}" 'BEGIN { printf "%.2f", a < b ? a : b }')
  awk -v a="${times[0]}" -v b="${times[1]}" -v m="$best" -v l="$label" \
    'BEGIN { printf "%s: %.2f s (runs %.2f and %.2f)\n", l, m, a, b }'
}

# "INSERT / fast = N.N×" from two times in seconds.
speedup() {
  awk -v i="$1" -v f="$2" -v l="$3" 'BEGIN { printf "  %s: fast load %.1f× faster than INSERT\n", l, (f > 0 ? i / f : 0) }'
}

# Server time by phase of a load whose client echoed each statement and its time (mysql -vvv:
# "(N.NN sec)"; psql -a with \timing: "Time: N ms"): table creation, rows, keys and references
# (ALTER TABLE), indexes, the rest.
phases() {
  awk '
    /^(CREATE TABLE|DROP TABLE)/ { p = "create" }
    /^(LOAD DATA|\\copy|COPY )/ { p = "rows" }
    /^ALTER TABLE/ { p = "keys" }
    /^CREATE INDEX/ { p = "indexes" }
    /^(SELECT|CREATE (DATABASE|SCHEMA)|SET|USE|DELIMITER|CREATE (PROCEDURE|FUNCTION|OR REPLACE))/ { p = "other" }
    # mysql writes the time of a long statement as "(1 hour 2 min 3.45 sec)".
    / sec\)$/ {
      v = $0; sub(/.*\(/, "", v); sub(/ sec\).*/, "", v); n = split(v, a, " "); secs = a[n]
      for (k = 1; k < n; k += 2) secs += a[k] * (a[k + 1] ~ /^hour/ ? 3600 : 60)
      t[p] += secs
    }
    /^Time: [0-9.]+ ms/ { t[p] += $2 / 1000 }
    END { printf "  by phase (s): create %.2f, rows %.2f, keys and references %.2f, indexes %.2f, other %.2f\n",
          t["create"], t["rows"], t["keys"], t["indexes"], t["other"] }'
}

bench_load() {
echo "== machine load: $(uptime)"
echo "== MariaDB: INSERT script against fast load (--format load: LOAD DATA LOCAL INFILE, keys built after the rows), same run"
mariadb-install-db --no-defaults --datadir="$tmp/data" --auth-root-authentication-method=normal --skip-test-db \
  $( [ "$(id -u)" = 0 ] && echo --user=root ) >/dev/null
mariadbd --no-defaults --datadir="$tmp/data" --socket="$tmp/sock" --skip-networking \
  $( [ "$(id -u)" = 0 ] && echo --user=root ) --innodb-buffer-pool-size=512M \
  --innodb-log-file-size=256M --log-error="$tmp/error.log" &
server_pid=$!
for _ in $(seq 100); do mysql --no-defaults -uroot -S "$tmp/sock" -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
mysql_in() { mysql --no-defaults -uroot -S "$tmp/sock" --local-infile=1 "$@"; }
# The first load pays the new server's warm-up (tablespace files, buffer pool).
$campus generate --quiet --out "$tmp/warm.sql"
mysql_in < "$tmp/warm.sql"
rm -f "$tmp/warm.sql"
for students in $load_students; do
  $campus generate --quiet --students "$students" --out "$tmp/insert.sql"
  $campus generate --quiet --format load --students "$students" --out "$tmp/load"
  echo "$students students: INSERT script $(du -h "$tmp/insert.sql" | cut -f1), CSV folder $(du -sh "$tmp/load" | cut -f1)"
  drop_db="mysql_in -e 'DROP DATABASE IF EXISTS university_system'"
  best_of_two "$students students, INSERT script" "$drop_db" sh -c "mysql --no-defaults -uroot -S '$tmp/sock' < '$tmp/insert.sql'"
  by_insert=$best
  (cd "$tmp/load" && best_of_two "$students students, fast load" "$drop_db" \
    sh -c "mysql --no-defaults -uroot -S '$tmp/sock' --local-infile=1 -vvv < load.sql > '$tmp/phases.log'") > "$tmp/best"
  cat "$tmp/best"
  by_load=$(sed -n 's/.*fast load: \([0-9.]*\) s.*/\1/p' "$tmp/best")
  phases < "$tmp/phases.log"
  speedup "$by_insert" "$by_load" "MariaDB, $students students"
  (cd "$tmp/load" && mysql_in < verify.sql | tail -n 1)
  rm -rf "$tmp/insert.sql" "$tmp/load" "$tmp/phases.log"
done
mysql_in -e 'DROP DATABASE IF EXISTS university_system'
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true

echo "== PostgreSQL: INSERT script against \\copy (--format load: tables bare, keys after the rows), same run"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$tmp"
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$tmp/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
"${as_pg[@]}" "$pg_bin/postgres" -D "$tmp/pg" -k "$tmp" -c listen_addresses= -c max_wal_size=4GB \
  >"$tmp/pg.log" 2>&1 &
server_pid=$!
psql_in() { psql -X -q -h "$tmp" -U postgres -v ON_ERROR_STOP=1 "$@"; }
for _ in $(seq 100); do psql_in -d postgres -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
for students in $load_students; do
  $campus generate --quiet --dialect postgres --students "$students" --out "$tmp/insert.sql"
  $campus generate --quiet --format load --dialect postgres --students "$students" --out "$tmp/load"
  chmod -R a+rX "$tmp/load" "$tmp/insert.sql"
  for db in by_insert by_copy; do psql_in -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"; done
  start=$(date +%s.%N)
  psql_in -d by_insert -f "$tmp/insert.sql"
  by_insert=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
  echo "$students students, INSERT script: $by_insert s"
  start=$(date +%s.%N)
  (cd "$tmp/load" && psql_in -d by_copy -a -c '\timing on' -f load.sql > "$tmp/phases.log")
  by_copy=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
  echo "$students students, COPY (psql \\copy): $by_copy s"
  phases < "$tmp/phases.log"
  speedup "$by_insert" "$by_copy" "PostgreSQL, $students students"
  (cd "$tmp/load" && psql_in -d by_copy -At -f verify.sql | tail -n 1)
  for db in by_insert by_copy; do psql_in -d postgres -c "DROP DATABASE IF EXISTS $db"; done
  rm -rf "$tmp/insert.sql" "$tmp/load" "$tmp/phases.log"
done
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
}

if [ "${1:-}" = load ]; then
  cargo build -q --release -p campus_cli
  campus=target/release/campus
  tmp=$(mktemp -d)
  trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
  bench_load
  exit 0
fi

echo "== criterion: Create_FullDB.sql generated and serialised (default dataset, 1,000,000 students)"
cargo bench -q -p campus_sql --bench script 2>&1 | grep -E "rows,|time:|thrpt:|^create_full_db"

cargo build -q --release -p campus_cli
campus=target/release/campus
tmp=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

echo "== CLI: 1,000,000 students to /dev/null"
$campus generate --students 1000000 --out - 2>&1 >/dev/null | tail -n 1

echo "== CLI: 1,000,000 students as Parquet (one file per table, typed, Snappy, one table per thread)"
$campus generate --format parquet --students 1000000 --out "$tmp/parquet" 2>&1 | tail -n 1
rm -rf "$tmp/parquet"

echo "== CLI: the registrar's exports of 100,000 students (24,000,000 attendance rows), streamed"
$campus generate --format exports --students 100000 --out "$tmp/exports" 2>&1 | tail -n 1
rm -rf "$tmp/exports"

echo "== ETL: read + hash + join + correlate a set with 1,000,000 attendance rows (pandas: crates/etl/benches/pandas_bench.py)"
cargo run -q --release -p campus_etl --example etl_bench -- "$tmp/etl"

echo "== occupancy: training and prediction at 5,000 sessions (scikit-learn: crates/occupancy/bench/sklearn_bench.py)"
cargo run -q --release -p campus_occupancy --example occupancy_bench -- 5000 "$tmp/sessions.csv"

echo "== SQLite (the page's database, natively): load of the default university, save, the exercises' reference queries"
cargo run -q --release -p campus_db --example load

bench_load

echo "== thread counts against their peers"
bash scripts/bench_parallel.sh
