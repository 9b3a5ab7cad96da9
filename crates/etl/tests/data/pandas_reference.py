"""The notebook's pipeline in pandas: the reference our Rust must match to 1e-9.

Usage: python3 pandas_reference.py [DIR]   (DIR defaults to ./aktu beside this script)
A file DIR lacks is read from ./aktu (`aktu_dup/` holds only its students file).
Writes DIR/pandas_reference.json and DIR/expected_hashes.csv. `benches/pandas_bench.py` times
`load` and `measure` from here.

`generated/pandas_reference.json` is this script, unchanged, run once (pandas 3.1.1) on the
generator's registrar exports:
    campus generate --format exports --seed 12 --students 200 --out /tmp/generated
    python3 pandas_reference.py /tmp/generated
and only its JSON is kept: the test (`tests/it/pandas.rs`) makes the same exports in memory.
"""
import hashlib
import json
import os
import sys

import pandas as pd

ids = {"college_code": str, "roll_no": str, "dob": str, "course_code": str, "status": str, "program_code": str}


def path(d, name):
    """DIR/name, or the aktu fixture's file of that name when DIR has none."""
    own = os.path.join(d, name)
    return own if os.path.exists(own) else os.path.join(os.path.dirname(os.path.abspath(__file__)), "aktu", name)


def load(d):
    """Reads the students, attendance and exam files of DIR, hashed and joined on (roll_no, dob).

    Duplicate keys are kept, as the Rust pass does: a left merge joins a row to every student
    of its key (many-to-many). Repeats of one student share its hash, so the groupby in
    `measure` folds them; a key with two college codes is two students, each joined.
    """
    students = pd.read_csv(path(d, "students_master.csv"), dtype=ids)
    students["student_hash"] = [
        hashlib.sha256(f"{c}-{r}-{b}".encode()).hexdigest()
        for c, r, b in zip(students["college_code"], students["roll_no"], students["dob"])
    ]
    key = students[["roll_no", "dob", "student_hash"]]

    att = pd.read_csv(path(d, "attendance_2024_odd.csv"), dtype=ids)
    att = att.merge(key, on=["roll_no", "dob"], how="left")
    att["present_flag"] = (att["status"] == "P").astype(int)

    ex = pd.read_csv(path(d, "exam_results_2024_odd.csv"), dtype=ids)
    ex = ex.rename(columns={"internal": "internal_marks", "external": "external_marks", "total": "total_marks"})
    ex = ex.merge(key, on=["roll_no", "dob"], how="left")
    return students, att, ex


def measure(att, ex):
    """The notebook's measure: per (student, course), attendance share and mean total marks."""
    merged = ex.merge(att[["student_hash", "course_code", "present_flag"]], on=["student_hash", "course_code"], how="left")
    g = merged.groupby(["student_hash", "course_code"])
    return (
        g["present_flag"].mean().rename("attendance_pct").reset_index()
        .merge(g["total_marks"].mean().reset_index(), on=["student_hash", "course_code"])
    )


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "aktu")
    students, att, ex = load(d)
    final = measure(att, ex)
    x, y = final["attendance_pct"], final["total_marks"]
    pearson = x.corr(y)
    both = x.notna() & y.notna()
    spearman = x[both].rank().corr(y[both].rank())
    per_course = {c: grp["attendance_pct"].corr(grp["total_marks"]) for c, grp in final.groupby("course_code")}

    out = {
        "n_pairs": int(len(final)),
        "n_complete_pairs": int(both.sum()),
        "pearson": float(pearson),
        "spearman": float(spearman),
        "per_course": {k: (None if pd.isna(v) else float(v)) for k, v in per_course.items()},
        "n_attendance_orphans": int(att["student_hash"].isna().sum()),
        "n_exam_orphans": int(ex["student_hash"].isna().sum()),
        # Distinct students: repeats of one student are one, a key's other college codes are others.
        "n_students": int(students["student_hash"].nunique()),
    }
    with open(f"{d}/pandas_reference.json", "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    students[["college_code", "roll_no", "dob", "student_hash"]].drop_duplicates().to_csv(f"{d}/expected_hashes.csv", index=False)
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
