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
