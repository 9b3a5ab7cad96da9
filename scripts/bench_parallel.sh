#!/usr/bin/env bash
# Benchmarks (not tests) of the thread counts: generation, ETL and forest training at 1 thread and
# at every core, each beside its peer in the same run (tpchgen-cli, DuckDB and pandas,
# scikit-learn). `scripts/bench.sh parallel` runs this alone.
#
# The peers are installed by this script into a throwaway place (CAMPUS_BENCH_PEERS, default a
# folder under the system's temp dir; delete it when done): tpchgen-cli with `cargo install
# --root`, and duckdb, pandas and scikit-learn in a venv from PyPI. Timings are the best of
# BENCH_RUNS runs (default 3); wall-clock figures suffer from other load, so the script prints
# the core count and the load average first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

runs=${BENCH_RUNS:-3}
all=$(nproc)
peers=${CAMPUS_BENCH_PEERS:-${TMPDIR:-/tmp}/campus-bench-peers}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== machine: $all cores; load average $(cut -d' ' -f1-3 /proc/loadavg); best of $runs runs"

echo "== peers into $peers (throwaway)"
mkdir -p "$peers"
if [ ! -x "$peers/cargo/bin/tpchgen-cli" ]; then
  cargo install -q --locked --root "$peers/cargo" tpchgen-cli
fi
if [ ! -x "$peers/venv/bin/python" ]; then
  python3 -m venv "$peers/venv"
fi
py="$peers/venv/bin/python"
if ! "$py" -c 'import duckdb, pandas, sklearn' 2>/dev/null; then
  "$py" -m pip install -q duckdb pandas scikit-learn
fi
"$py" -c 'import duckdb, pandas, sklearn; print(f"duckdb {duckdb.__version__}, pandas {pandas.__version__}, scikit-learn {sklearn.__version__}")'
tpch="$peers/cargo/bin/tpchgen-cli"
"$tpch" --version

cargo build -q --release -p campus_cli
cargo build -q --release -p campus_jobs --example forest_bench
campus=target/release/campus
forest_bench=target/release/examples/forest_bench

# The best wall-clock seconds of `runs` runs of a command (its output discarded).
best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    best=$(awk -v s="$start" -v e="$end" -v b="$best" 'BEGIN { t = e - s; if (b == "" || t < b) b = t; printf "%.3f", b }')
  done
  echo "$best"
}

# "label: S s, MB/s, rows/s" from seconds, bytes and rows.
rate() {
  awk -v l="$1" -v s="$2" -v b="$3" -v r="$4" \
    'BEGIN { printf "%-52s %7.3f s %8.1f MB/s %12.0f rows/s\n", l, s, b / s / 1e6, r / s }'
}

echo "== generation: campus (1,000,000 students, SQL and CSV) against tpchgen-cli (TPC-H SF1 CSV, --stdout and to files)"
sql_bytes=$($campus generate --quiet --students 1000000 --out - | wc -c)
sql_rows=$($campus generate --students 1000000 --out /dev/null --threads "$all" 2>&1 | awk '/total rows/ { print $3 }')
tpch_bytes=$("$tpch" csv -s 1 --stdout -n "$all" | wc -c)
tpch_rows=8661245 # SF1: lineitem, orders, partsupp, part, customer, supplier, nation, region
for threads in 1 "$all"; do
  s=$(best_of "$campus" generate --quiet --students 1000000 --out /dev/null --threads "$threads")
  rate "campus SQL (mysql), $threads thread(s), to /dev/null" "$s" "$sql_bytes" "$sql_rows"
  s=$(best_of "$campus" generate --quiet --students 1000000 --dialect postgres --out /dev/null --threads "$threads")
  rate "campus SQL (postgres), $threads thread(s), to /dev/null" "$s" "$sql_bytes" "$sql_rows"
  s=$(best_of "$campus" generate --quiet --format csv --students 1000000 --out "$tmp/csv" --threads "$threads")
  csv_bytes=$(du -sb "$tmp/csv" | cut -f1)
  rate "campus CSV, $threads thread(s), to files" "$s" "$csv_bytes" "$sql_rows"
  rm -rf "$tmp/csv"
  s=$(best_of sh -c "\"$tpch\" csv -s 1 --stdout -n $threads >/dev/null")
  rate "tpchgen-cli CSV SF1, $threads thread(s), --stdout" "$s" "$tpch_bytes" "$tpch_rows"
  # The same CSV into files, as campus writes them: where the page cache is dear, this is the
  # like-for-like row. Each run gets a new folder: tpchgen-cli keeps files that exist.
  s=$(best_of sh -c "\"$tpch\" csv -s 1 -n $threads --output-dir \"\$(mktemp -d -p '$tmp' tpch.XXXXXX)\"")
  rate "tpchgen-cli CSV SF1, $threads thread(s), to files" "$s" "$tpch_bytes" "$tpch_rows"
  rm -rf "$tmp"/tpch.*
done

echo "== ETL: 1,000,000 attendance rows, campus etl (all outputs) against DuckDB and pandas (the four staging CSVs)"
$campus etl sample --seed 1 --colleges 5 --students-per-program 100 --sessions 100 --out "$tmp/etl" 2>/dev/null
in_bytes=$(cat "$tmp"/etl/*.csv | wc -c)
in_rows=$(cat "$tmp"/etl/*.csv | wc -l)
etl_args=(etl --students "$tmp/etl/students_master.csv" --attendance "$tmp/etl/attendance_2024_odd.csv"
  --exams "$tmp/etl/exam_results_2024_odd.csv" --placements "$tmp/etl/placements_2024.csv")
cat > "$tmp/peers_etl.py" <<'PY'
"""The ETL's staging CSVs in DuckDB or pandas: hash (SHA-256 of college-roll-dob), join, write."""
import hashlib, sys, time
engine, d, out, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
files = {"students": "students_master.csv", "attendance": "attendance_2024_odd.csv",
         "exams": "exam_results_2024_odd.csv", "placements": "placements_2024.csv"}
staging = {"attendance": "stg_attendance.csv", "exams": "stg_exam_results.csv", "placements": "stg_placements.csv"}
start = time.perf_counter()
if engine == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(f"""CREATE TEMP TABLE students AS SELECT sha256(college_code || '-' || roll_no || '-' || dob) AS student_hash, *
        FROM read_csv('{d}/{files["students"]}', all_varchar = true)""")
    con.execute(f"COPY students TO '{out}/stg_students.csv' (HEADER)")
    for name in ["attendance", "exams", "placements"]:
        flag = ", (f.status = 'P')::INT AS present_flag" if name == "attendance" else ""
        con.execute(f"""COPY (SELECT s.student_hash, f.*{flag} FROM read_csv('{d}/{files[name]}', all_varchar = true) f
            LEFT JOIN (SELECT roll_no, dob, student_hash FROM students) s USING (roll_no, dob))
            TO '{out}/{staging[name]}' (HEADER)""")
else:
    import pandas as pd
    s = pd.read_csv(f"{d}/{files['students']}", dtype=str)
    s["student_hash"] = [hashlib.sha256(f"{c}-{r}-{b}".encode()).hexdigest()
                         for c, r, b in zip(s["college_code"], s["roll_no"], s["dob"])]
    s.to_csv(f"{out}/stg_students.csv", index=False)
    key = s[["roll_no", "dob", "student_hash"]]
    for name in ["attendance", "exams", "placements"]:
        f = pd.read_csv(f"{d}/{files[name]}", dtype=str).merge(key, on=["roll_no", "dob"], how="left")
        if name == "attendance":
            f["present_flag"] = (f["status"] == "P").astype(int)
        f.to_csv(f"{out}/{staging[name]}", index=False)
print(f"{time.perf_counter() - start:.3f}")
PY
# campus etl reads attendance a piece per thread, then writes batches of rows on --threads.
for threads in 1 "$all"; do
  s=$(best_of "$campus" "${etl_args[@]}" --threads "$threads" --out "$tmp/etl-out")
  out_bytes=$(du -sb "$tmp/etl-out" | cut -f1)
  rate "campus etl (CSVs, staging.sql, report: $((out_bytes / 1000000)) MB out), $threads thread(s)" "$s" "$in_bytes" "$in_rows"
done
for threads in 1 "$all"; do
  mkdir -p "$tmp/duck"
  s=$(best_of "$py" "$tmp/peers_etl.py" duckdb "$tmp/etl" "$tmp/duck" "$threads")
  rate "DuckDB (four staging CSVs), $threads thread(s)" "$s" "$in_bytes" "$in_rows"
done
mkdir -p "$tmp/pandas"
s=$(best_of "$py" "$tmp/peers_etl.py" pandas "$tmp/etl" "$tmp/pandas" 1)
rate "pandas (four staging CSVs), 1 thread" "$s" "$in_bytes" "$in_rows"

echo "== forest: 100 trees, max depth 14, min leaf 3, min split 6, a third of the features per split"
cat > "$tmp/peers_forest.py" <<'PY'
"""scikit-learn's RandomForestRegressor on the sessions CSV, settings as ours; best of 3."""
import sys, time
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
path, threads = sys.argv[1], int(sys.argv[2])
NUMERIC = ["time_minutes", "venue_capacity", "semester_day", "exam_week", "enrolled_students",
           "prev_attendance", "rolling_avg_3", "rolling_avg_5", "trend_delta"]
df = pd.read_csv(path)
hours, minutes = df["time"].str.split(":", expand=True).astype(int).T.values
df["time_minutes"] = hours * 60 + minutes
df["exam_week"] = df["exam_week"].astype(str).eq("True").astype(int)
x = pd.concat([df[NUMERIC], pd.get_dummies(df[["school", "venue", "weekday"]], dtype=float)], axis=1).values
y = df["actual_attendance"].astype(float).values
x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=42)
best = float("inf")
for _ in range(3):
    model = RandomForestRegressor(n_estimators=100, max_depth=14, min_samples_leaf=3, min_samples_split=6,
                                  max_features=1 / 3, n_jobs=threads, random_state=42)
    start = time.perf_counter()
    model.fit(x_tr, y_tr)
    best = min(best, time.perf_counter() - start)
print(f"scikit-learn forest: {len(df)} sessions, 100 trees, {threads} thread(s): fit {best:.3f} s (best of 3), R² {r2_score(y_te, model.predict(x_te)):.4f}")
PY
for sessions in 5000 50000; do
  $campus occupancy generate --sessions "$sessions" --out "$tmp/sessions.csv"
  for threads in 1 "$all"; do
    "$forest_bench" "$tmp/sessions.csv" "$threads" 100
    "$py" "$tmp/peers_forest.py" "$tmp/sessions.csv" "$threads"
  done
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
