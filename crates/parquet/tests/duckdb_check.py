"""Reads campus's Parquet files with DuckDB, an independent reader, and compares them with the CSV
files of the same rows. For each table: the row counts, the column types DuckDB reads, every row
(EXCEPT ALL both ways), a checksum of each side, and the table's parts read as one dataset.

Usage: duckdb_check.py DIR. DIR holds TABLE.csv, TABLE.parquet, TABLE.partKofN.parquet and
expected.json ({"table": [["column", "DUCKDB TYPE"], ...], ...}). Prints one JSON object a table.
"""
import json
import os
import sys

import duckdb

folder = sys.argv[1]
with open(os.path.join(folder, "expected.json"), encoding="utf-8") as f:
    expected = json.load(f)
con = duckdb.connect()
report = {}
for table, columns in expected.items():
    parquet = f"read_parquet('{os.path.join(folder, table + '.parquet')}')"
    parts = f"read_parquet('{os.path.join(folder, table + '.part*of*.parquet')}')"
    types = ", ".join(f"'{name}': '{ty}'" for name, ty in columns)
    csv = (
        f"read_csv('{os.path.join(folder, table + '.csv')}', header = true, "
        f"columns = {{{types}}}, nullstr = '', quote = '\"', escape = '\"')"
    )

    def one(sql):
        return con.execute(sql).fetchone()[0]

    def differ(a, b):
        return one(f"SELECT COUNT(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})")

    report[table] = {
        "parquet_rows": one(f"SELECT COUNT(*) FROM {parquet}"),
        "csv_rows": one(f"SELECT COUNT(*) FROM {csv}"),
        "types": [[row[0], row[1]] for row in con.execute(f"DESCRIBE SELECT * FROM {parquet}").fetchall()],
        "parquet_checksum": str(one(f"SELECT SUM(hash(t)) FROM {parquet} t")),
        "csv_checksum": str(one(f"SELECT SUM(hash(t)) FROM {csv} t")),
        "only_in_parquet": differ(parquet, csv),
        "only_in_csv": differ(csv, parquet),
        "parts_rows": one(f"SELECT COUNT(*) FROM {parts}"),
        "only_in_parts": differ(parts, parquet),
        "missing_from_parts": differ(parquet, parts),
    }
print(json.dumps(report))
