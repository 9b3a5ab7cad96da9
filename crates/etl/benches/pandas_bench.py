"""The same steps as examples/etl_bench.rs in pandas: read + hash + join + correlate.

Usage: cargo run --release -p campus_etl --example etl_bench -- /tmp/etl1m
       python3 crates/etl/benches/pandas_bench.py /tmp/etl1m
"""
import hashlib
import os
import sys
import time

import pandas as pd

d = sys.argv[1]
ids = {"college_code": str, "roll_no": str, "dob": str, "course_code": str, "status": str, "program_code": str}


def run():
    students = pd.read_csv(f"{d}/students_master.csv", dtype=ids).drop_duplicates(subset=["roll_no", "dob"])
    students["student_hash"] = [
        hashlib.sha256(f"{c}-{r}-{b}".encode()).hexdigest()
        for c, r, b in zip(students["college_code"], students["roll_no"], students["dob"])
    ]
    key = students[["roll_no", "dob", "student_hash"]]
    att = pd.read_csv(f"{d}/attendance_2024_odd.csv", dtype=ids).merge(key, on=["roll_no", "dob"], how="left")
    att["present_flag"] = (att["status"] == "P").astype(int)
    ex = pd.read_csv(f"{d}/exam_results_2024_odd.csv", dtype=ids)
    ex = ex.rename(columns={"internal": "internal_marks", "external": "external_marks", "total": "total_marks"})
    ex = ex.merge(key, on=["roll_no", "dob"], how="left")
    merged = ex.merge(att[["student_hash", "course_code", "present_flag"]], on=["student_hash", "course_code"], how="left")
    g = merged.groupby(["student_hash", "course_code"])
    final = (
        g["present_flag"].mean().rename("attendance_pct").reset_index()
        .merge(g["total_marks"].mean().reset_index(), on=["student_hash", "course_code"])
    )
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
