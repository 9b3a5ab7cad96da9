"""The same steps as examples/etl_bench.rs in pandas: read + hash + join + correlate.

Usage: cargo run --release -p campus_etl --example etl_bench -- /tmp/etl1m
       python3 crates/etl/benches/pandas_bench.py /tmp/etl1m
"""
import os
import sys
import time

import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data"))
from pandas_reference import load, measure  # noqa: E402  (the reference pipeline, timed here)

d = sys.argv[1]


def run():
    students, att, ex = load(d)
    final = measure(att, ex)
    return final["attendance_pct"].corr(final["total_marks"]), len(students) + len(att) + len(ex)


n_bytes = sum(os.path.getsize(f"{d}/{f}") for f in ["students_master.csv", "attendance_2024_odd.csv", "exam_results_2024_odd.csv"])
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    r, n_rows = run()
    best = min(best, time.perf_counter() - start)
print(f"pandas {pd.__version__}: rows {n_rows}, bytes {n_bytes}")
print(f"best of 3: {best:.3f} s = {n_rows / best:.0f} rows/s, {n_bytes / best / 1e6:.1f} MB/s")
print(f"pearson: {r!r}")
