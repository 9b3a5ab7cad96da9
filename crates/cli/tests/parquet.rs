//! `campus generate --format parquet`: one file per table, parts named and cut as the CSV's and
//! read by DuckDB (from the venv scripts/setup.sh makes) as one dataset equal to the whole run,
//! and the outputs it refuses. What each file holds is tested in campus_parquet.

use std::path::PathBuf;
use std::process::Command;

use campus_gen::{Config, Ums};
use campus_schema::Dataset;

use crate::support::{TempDir, campus, campus_ok};

/// The answer of DuckDB to `sql` (one value per line).
fn duckdb(sql: &str) -> String {
    let python = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.venv/bin/python"
    ));
    let script = format!(
        "import duckdb\nfor row in duckdb.connect().execute({sql:?}).fetchall():\n    print(*row)"
    );
    let output = Command::new(&python)
        .args(["-c", &script])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/setup.sh", python.display()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn tables_and_parts_read_as_one_dataset() {
    let dir = TempDir::new("parquet");
    let out = dir.path("out");
    let out_text = out.to_str().unwrap_or_default();
    let base = [
        "generate",
        "--format",
        "parquet",
        "--quiet",
        "--students",
        "800",
    ];
    campus_ok(&[&base[..], &["--out", out_text]].concat());
    for k in 1..=3 {
        let part = format!("{k}/3");
        campus_ok(&[&base[..], &["--part", &part, "--out", out_text]].concat());
    }
    let ums = Ums::new(Config::scaled(800)).unwrap_or_else(|e| panic!("{e}"));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut expected: Vec<String> = ums
        .tables()
        .iter()
        .flat_map(|t| {
            let mut files = vec![format!("{}.parquet", t.name)];
            files.extend((1..=3).map(|k| format!("{}.part{k}of3.parquet", t.name)));
            files
        })
        .collect();
    expected.sort();
    assert_eq!(names, expected, "nothing else, no temporary file left");
    for (table_idx, table) in ums.tables().iter().enumerate() {
        let whole = format!("read_parquet('{out_text}/{}.parquet')", table.name);
        let parts = format!("read_parquet('{out_text}/{}.part*of3.parquet')", table.name);
        let n = ums.n_rows(table_idx);
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM {whole}), (SELECT COUNT(*) FROM {parts}), \
             (SELECT COUNT(*) FROM (SELECT * FROM {whole} EXCEPT ALL SELECT * FROM {parts})), \
             (SELECT COUNT(*) FROM (SELECT * FROM {parts} EXCEPT ALL SELECT * FROM {whole}))"
        );
        assert_eq!(duckdb(&sql), format!("{n} {n} 0 0"), "{}", table.name);
    }
}

#[test]
fn outputs_it_refuses() {
    let dir = TempDir::new("parquet-refused");
    let file = dir.path("a-file");
    let fresh = dir.path("x");
    std::fs::write(&file, b"keep").unwrap_or_else(|e| panic!("{e}"));
    let cases: [(&[&str], &str); 3] = [
        (&["--out", "-"], "give a folder"),
        (
            &["--out", file.to_str().unwrap_or_default()],
            "is not a folder",
        ),
        (
            &["--schema-only", "--out", fresh.to_str().unwrap_or_default()],
            "do not apply",
        ),
    ];
    for (more, message) in cases {
        let output = campus(&[&["generate", "--format", "parquet", "--quiet"][..], more].concat());
        assert!(!output.status.success(), "{more:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{more:?}: {stderr}");
    }
    assert_eq!(std::fs::read(&file).unwrap_or_default(), b"keep");
}

#[test]
fn one_and_four_threads_write_the_same_bytes() {
    let dir = TempDir::new("parquet-threads");
    let files = |threads: &str| {
        let out = dir.path(&format!("t{threads}"));
        let out_text = out.to_str().unwrap_or_default().to_owned();
        campus_ok(&[
            "generate",
            "--format",
            "parquet",
            "--quiet",
            "--students",
            "1500",
            "--threads",
            threads,
            "--out",
            &out_text,
        ]);
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let bytes = std::fs::read(entry.path()).ok()?;
                Some((entry.file_name().into_string().ok()?, bytes))
            })
            .collect();
        files.sort();
        files
    };
    let (one, four) = (files("1"), files("4"));
    assert_eq!(one.len(), 18);
    for ((name_1, bytes_1), (name_4, bytes_4)) in one.iter().zip(&four) {
        assert_eq!(name_1, name_4);
        assert!(
            bytes_1 == bytes_4,
            "{name_1} differs between 1 and 4 threads"
        );
    }
    assert_eq!(one.len(), four.len());
}

/// `campus etl` over the dirty sample with `--parquet`, into `dir/out`; gives the folder.
fn etl_run(dir: &TempDir, more: &[&str]) -> PathBuf {
    let input = dir.path("in");
    let out = dir.path("out");
    let (input_text, out_text) = (
        input.to_str().unwrap_or_default(),
        out.to_str().unwrap_or_default(),
    );
    if !input.exists() {
        campus_ok(&["etl", "sample", "--dirty", "--out", input_text]);
    }
    let file = |name: &str| input.join(name).to_string_lossy().into_owned();
    let args = [
        "etl".to_owned(),
        "--students".to_owned(),
        file("students_master.csv"),
        "--attendance".to_owned(),
        file("attendance_2024_odd.csv"),
        "--exams".to_owned(),
        file("exam_results_2024_odd.csv"),
        "--placements".to_owned(),
        file("placements_2024.csv"),
        "--max-bad-rows".to_owned(),
        "100%".to_owned(),
        "--out".to_owned(),
        out_text.to_owned(),
    ];
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .chain(more.iter().copied())
        .collect();
    campus_ok(&args);
    out
}

#[test]
fn etl_staging_parquet_equals_the_staging_csv() {
    let dir = TempDir::new("parquet-etl");
    let out = etl_run(&dir, &["--parquet"]);
    let tables = [
        (
            "stg_students",
            &[
                ("student_hash", "VARCHAR"),
                ("dob", "DATE"),
                ("admission_year", "INTEGER"),
            ][..],
        ),
        (
            "stg_attendance",
            &[
                ("student_hash", "VARCHAR"),
                ("date", "DATE"),
                ("present_flag", "BOOLEAN"),
            ][..],
        ),
        (
            "stg_exam_results",
            &[("course_code", "VARCHAR"), ("total_marks", "INTEGER")][..],
        ),
        (
            "stg_placements",
            &[("package_lpa", "DECIMAL(3,1)"), ("placed", "BOOLEAN")][..],
        ),
    ];
    for (table, types) in tables {
        let base = out.join(table).to_string_lossy().into_owned();
        let parquet = format!("read_parquet('{base}.parquet')");
        let described = duckdb(&format!(
            "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {parquet})"
        ));
        for (column, ty) in types {
            assert!(
                described
                    .lines()
                    .any(|line| line == format!("{column} {ty}")),
                "{table}.{column} is not {ty}: {described}"
            );
        }
        // The CSV read with the Parquet's types: the same rows, both ways.
        let columns: Vec<String> = described
            .lines()
            .filter_map(|line| line.split_once(' '))
            .map(|(name, ty)| format!("'{name}': '{ty}'"))
            .collect();
        let csv = format!(
            "read_csv('{base}.csv', header = true, columns = {{{}}}, nullstr = '', quote = '\"', escape = '\"')",
            columns.join(", ")
        );
        let lines = std::fs::read_to_string(format!("{base}.csv"))
            .unwrap_or_default()
            .lines()
            .count();
        let n = lines.saturating_sub(1);
        assert!(n > 100, "{table}: {n} rows");
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM {parquet}), (SELECT COUNT(*) FROM {csv}), \
             (SELECT COUNT(*) FROM (SELECT * FROM {csv} EXCEPT ALL SELECT * FROM {parquet})), \
             (SELECT COUNT(*) FROM (SELECT * FROM {parquet} EXCEPT ALL SELECT * FROM {csv}))"
        );
        assert_eq!(duckdb(&sql), format!("{n} {n} 0 0"), "{table}");
    }
    // A run without --parquet leaves no staging Parquet of the earlier run behind.
    let out = etl_run(&dir, &[]);
    for (table, _) in tables {
        assert!(out.join(format!("{table}.csv")).exists(), "{table}");
        assert!(!out.join(format!("{table}.parquet")).exists(), "{table}");
    }
}
