//! `campus generate --format sqlite`: the file opens in the stock `sqlite3` tool, passes its
//! integrity and foreign-key checks and holds every generated row.

use std::path::Path;
use std::process::Command;

use campus_gen::{Config, TableId, Ums};

use crate::support::{TempDir, campus, campus_ok, read};

/// Runs the stock `sqlite3` shell on `db` with `sql` (foreign keys on, as SQLite leaves them off
/// per connection) and returns (success, stdout, stderr).
fn sqlite3(db: &Path, sql: &str) -> (bool, String, String) {
    let output = Command::new("/usr/bin/sqlite3")
        .arg("-batch")
        .arg(db)
        .arg(format!("PRAGMA foreign_keys=ON; {sql}"))
        .output()
        .unwrap_or_else(|err| {
            panic!("cannot run /usr/bin/sqlite3 (scripts/setup.sh installs it): {err}")
        });
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_stock_sqlite3_tool_opens_checks_and_counts_the_file() {
    let dir = TempDir::new("sqlite");
    let path = dir.path("university.db");
    campus_ok(&[
        "generate",
        "--seed",
        "9",
        "--students",
        "400",
        "--format",
        "sqlite",
        "--quiet",
        "--out",
        path.to_str().unwrap_or_default(),
    ]);
    assert!(read(&path).starts_with(b"SQLite format 3\0"));
    assert!(!dir.path("university.db.partial").exists());

    let (ok, out, err) = sqlite3(&path, "PRAGMA integrity_check; PRAGMA foreign_key_check;");
    assert!(ok, "{err}");
    assert_eq!(
        out, "ok\n",
        "integrity_check not ok or foreign_key_check not empty"
    );

    let ums = Ums::new(Config {
        seed: 9,
        ..Config::scaled(400)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let counts: String = TableId::ALL
        .iter()
        .map(|&t| format!("SELECT '{0}', count(*) FROM {0};", ums.table(t).name))
        .collect();
    let (ok, out, err) = sqlite3(&path, &counts);
    assert!(ok, "{err}");
    let expected: String = TableId::ALL
        .iter()
        .map(|&t| format!("{}|{}\n", ums.table(t).name, ums.count(t)))
        .collect();
    assert_eq!(out, expected);

    // The keys are declared in the file, so the stock tool enforces them too.
    let (ok, _, err) = sqlite3(
        &path,
        "INSERT INTO student_marks (student_id, module_id, test_score, exam_score, final_score) VALUES (999999, 1, 1, 1, 1);",
    );
    assert!(
        !ok && err.contains("FOREIGN KEY constraint failed"),
        "{err}"
    );
}

#[test]
fn sqlite_output_is_deterministic_and_whole() {
    let dir = TempDir::new("sqlite-same");
    let (a, b) = (dir.path("a.db"), dir.path("b.db"));
    for path in [&a, &b] {
        campus_ok(&[
            "generate",
            "--students",
            "100",
            "--format",
            "sqlite",
            "--quiet",
            "--out",
            path.to_str().unwrap_or_default(),
        ]);
    }
    assert!(
        read(&a) == read(&b),
        "the same seed gave different database files"
    );
    let part = campus(&[
        "generate",
        "--format",
        "sqlite",
        "--part",
        "1/2",
        "--out",
        dir.path("p.db").to_str().unwrap_or_default(),
    ]);
    assert!(!part.status.success());
    assert!(String::from_utf8_lossy(&part.stderr).contains("whole database"));
    assert!(!dir.path("p.db").exists());
}

/// A field as both sides spell it: numbers by value (the stock tool prints 15 significant
/// digits), booleans (pandas' True, yes) as SQLite's 0/1, NULL as an empty field.
fn normal(field: &str) -> String {
    let field = match campus_csv::infer::parse_bool(field) {
        Some(true) => "1",
        Some(false) => "0",
        None => field,
    };
    match field.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && !field.trim().is_empty() => format!("{v:.9e}"),
        _ => field.to_owned(),
    }
}

/// Row count and an FNV-1a checksum of a CSV's normalised fields, header excluded.
fn csv_sum(bytes: &[u8]) -> (usize, u64) {
    let all = campus_csv::read_all(bytes, campus_csv::ReadOptions::new("t.csv"));
    assert!(all.errors.is_empty(), "{:?}", all.errors);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (_, row) in &all.rows {
        for field in row {
            for b in normal(field).bytes().chain([0x1f]) {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash = (hash ^ 0x1e).wrapping_mul(0x0100_0000_01b3);
    }
    (all.rows.len(), hash)
}

/// A table as the stock tool prints it in CSV mode (with its header), in load order.
fn sqlite3_csv(db: &Path, table: &str) -> Vec<u8> {
    let output = Command::new("/usr/bin/sqlite3")
        .args(["-batch", "-csv", "-header"])
        .arg(db)
        .arg(format!("SELECT * FROM {table} ORDER BY rowid"))
        .output()
        .unwrap_or_else(|err| panic!("cannot run /usr/bin/sqlite3: {err}"));
    assert!(output.status.success());
    output.stdout
}

fn assert_sound(path: &Path) {
    let (ok, out, err) = sqlite3(path, "PRAGMA integrity_check; PRAGMA foreign_key_check;");
    assert!(ok, "{err}");
    assert_eq!(
        out, "ok\n",
        "integrity_check not ok or foreign_key_check not empty"
    );
}

#[test]
fn etl_staging_tables_into_sqlite_hold_the_staging_csvs_rows() {
    let dir = TempDir::new("sqlite-etl");
    let data = dir.path("data");
    let text = |p: &Path| p.to_str().unwrap_or_default().to_owned();
    for (dirty, more) in [(false, &[][..]), (true, &["--max-bad-rows", "100%"][..])] {
        let mut sample = vec!["etl", "sample", "--seed", "11", "--out"];
        let data_text = text(&data);
        sample.push(&data_text);
        if dirty {
            sample.push("--dirty");
        }
        campus_ok(&sample);
        let out = dir.path("out");
        let db = dir.path("staging.sqlite");
        let files = [
            "students_master.csv",
            "attendance_2024_odd.csv",
            "exam_results_2024_odd.csv",
            "placements_2024.csv",
        ]
        .map(|f| text(&data.join(f)));
        let db_text = text(&db);
        let extra: Vec<&str> = [&["--sqlite", &db_text][..], more].concat();
        crate::support::campus_etl(
            [&files[0], &files[1], &files[2], &files[3]],
            &text(&out),
            &extra,
        );
        assert!(read(&db).starts_with(b"SQLite format 3\0"));
        assert_sound(&db);
        let (ok, tables, err) = sqlite3(
            &db,
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name;",
        );
        assert!(ok, "{err}");
        assert_eq!(
            tables,
            "stg_attendance\nstg_exam_results\nstg_placements\nstg_students\n"
        );
        for table in tables.lines() {
            let csv = read(&out.join(format!("{table}.csv")));
            let (rows, sum) = csv_sum(&csv);
            assert!(rows > 0, "{table}");
            assert_eq!(
                csv_sum(&sqlite3_csv(&db, table)),
                (rows, sum),
                "{table}, dirty {dirty}"
            );
            let (ok, count, _) = sqlite3(&db, &format!("SELECT count(*) FROM {table};"));
            assert!(ok && count.trim() == rows.to_string());
        }
        // Typed columns: marks are numbers, the hash joins.
        let (ok, out, err) = sqlite3(
            &db,
            "SELECT typeof(total_marks), count(*) > 0 FROM stg_exam_results e JOIN stg_students s USING (student_hash) WHERE total_marks IS NOT NULL GROUP BY 1;",
        );
        assert!(ok, "{err}");
        assert!(out == "integer|1\n" || out == "real|1\n", "{out}");
    }
    // An input is never an output.
    let students = text(&data.join("students_master.csv"));
    let before = read(&data.join("students_master.csv"));
    let output = campus(&[
        "etl",
        "--students",
        &students,
        "--out",
        &text(&dir.path("o2")),
        "--sqlite",
        &students,
    ]);
    assert!(!output.status.success());
    assert!(read(&data.join("students_master.csv")) == before);
}

#[test]
fn occupancy_sessions_into_sqlite_hold_the_csvs_rows() {
    let dir = TempDir::new("sqlite-sessions");
    let (csv, db) = (dir.path("s.csv"), dir.path("s.db"));
    let text = |p: &Path| p.to_str().unwrap_or_default().to_owned();
    campus_ok(&[
        "occupancy",
        "generate",
        "--seed",
        "3",
        "--sessions",
        "900",
        "--out",
        &text(&csv),
    ]);
    campus_ok(&[
        "occupancy",
        "generate",
        "--seed",
        "3",
        "--sessions",
        "900",
        "--format",
        "sqlite",
        "--out",
        &text(&db),
    ]);
    assert_sound(&db);
    let csv = read(&csv);
    let (rows, sum) = csv_sum(&csv);
    assert_eq!(rows, 900);
    assert_eq!(
        csv_sum(&sqlite3_csv(&db, "occupancy_sessions")),
        (rows, sum)
    );
    let (ok, out, err) = sqlite3(
        &db,
        "SELECT typeof(venue_capacity), typeof(exam_week), typeof(rolling_avg_3), count(*) FROM occupancy_sessions GROUP BY 1, 2, 3;",
    );
    assert!(ok, "{err}");
    assert_eq!(out, "integer|integer|real|900\n");
}
