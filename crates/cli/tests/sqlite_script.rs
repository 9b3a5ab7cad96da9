//! `--dialect sqlite` scripts: the stock `sqlite3` tool loads them into a new file whose rows equal
//! the `--format sqlite` database's, with every reference and fact holding and any string intact.

use std::path::Path;
use std::process::{Command, Stdio};

use campus_gen::{Config, TableId, Ums};
use campus_sql::Dialect;

use crate::loaded::{self, Adversarial};
use crate::support::{TempDir, campus_ok};

/// Runs the stock `sqlite3` tool on `db` with `sql` on its standard input (foreign keys on, as a
/// user checking the file would); returns (success, stdout, stderr).
fn sqlite3(db: &Path, sql: &[u8]) -> (bool, String, String) {
    let mut child = Command::new("/usr/bin/sqlite3")
        .args(["-batch", "-bail"])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run /usr/bin/sqlite3 (scripts/setup.sh installs it): {e}")
        });
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(sql).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn scalar(db: &Path, sql: &str) -> String {
    let (ok, out, err) = sqlite3(db, format!("PRAGMA foreign_keys=ON;\n{sql};\n").as_bytes());
    assert!(ok, "{sql}: {err}");
    out.trim_end().to_owned()
}

fn load(db: &Path, script: &Path) {
    let bytes = std::fs::read(script).unwrap_or_else(|e| panic!("{e}"));
    let (ok, out, err) = sqlite3(db, &bytes);
    assert!(ok && err.is_empty(), "loading {}: {err}", script.display());
    assert_eq!(out, "", "the script prints nothing");
}

#[test]
fn the_script_loads_with_the_same_rows_as_the_database_file() {
    let dir = TempDir::new("sqlite-script");
    let script = dir.path("Create_FullDB.sql");
    let file = dir.path("direct.db");
    let common = ["--seed", "7", "--students", "600", "--quiet"];
    let out = script.display().to_string();
    campus_ok(
        &[
            &["generate", "--dialect", "sqlite", "--out", &out][..],
            &common,
        ]
        .concat(),
    );
    let out = file.display().to_string();
    campus_ok(
        &[
            &["generate", "--format", "sqlite", "--out", &out][..],
            &common,
        ]
        .concat(),
    );
    let loaded_db = dir.path("loaded.db");
    load(&loaded_db, &script);

    assert_eq!(scalar(&loaded_db, "PRAGMA integrity_check"), "ok");
    assert_eq!(scalar(&loaded_db, "PRAGMA foreign_key_check"), "");
    let ums = Ums::new(Config {
        seed: 7,
        ..Config::scaled(600)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    loaded::assert_consistent(&|sql| scalar(&loaded_db, sql), '"', &ums);
    // Row for row the same values as the file `--format sqlite` writes.
    for table in TableId::ALL {
        let name = &ums.table(table).name;
        let all = format!("SELECT * FROM \"{name}\" ORDER BY 1");
        assert_eq!(scalar(&loaded_db, &all), scalar(&file, &all), "{name}");
    }
    // The references are declared, so a checking connection refuses an orphan.
    let (ok, _, err) = sqlite3(
        &loaded_db,
        b"PRAGMA foreign_keys=ON; INSERT INTO student_marks (student_id, module_id, test_score, exam_score, final_score) VALUES (999999, 1, 1, 1, 1);",
    );
    assert!(
        !ok && err.contains("FOREIGN KEY constraint failed"),
        "{err}"
    );
    // The rowid numbers a new row after the loaded ones.
    let next = scalar(
        &loaded_db,
        "INSERT INTO levels (level_name) VALUES ('Extra'); SELECT MAX(level_id) = COUNT(*) FROM levels",
    );
    assert_eq!(next, "1");
}

#[test]
fn drop_and_recreate_loads_twice() {
    let dir = TempDir::new("sqlite-drop");
    let script = dir.path("drop.sql");
    let out = script.display().to_string();
    campus_ok(&[
        "generate",
        "--dialect",
        "sqlite",
        "--students",
        "300",
        "--drop",
        "--quiet",
        "--out",
        &out,
    ]);
    let db = dir.path("twice.db");
    load(&db, &script);
    load(&db, &script);
    let ums = Ums::new(Config::scaled(300)).unwrap_or_else(|e| panic!("{e}"));
    loaded::assert_consistent(&|sql| scalar(&db, sql), '"', &ums);
}

#[test]
fn adversarial_strings_read_back_byte_equal() {
    let dir = TempDir::new("sqlite-nasty");
    let db = dir.path("nasty.db");
    let (ok, _, err) = sqlite3(&db, &Adversarial::script(Dialect::Sqlite, "unused"));
    assert!(ok, "{err}");
    let rows = scalar(
        &db,
        "SELECT hex(CAST(value AS BLOB)) FROM nasty ORDER BY id",
    );
    let got: Vec<&str> = rows.split('\n').collect();
    assert_eq!(got, Adversarial::hex());
}

#[test]
fn verify_sql_matches_every_table_and_finds_a_deleted_row_or_changed_value() {
    let dir = TempDir::new("sqlite-verify");
    let (script, verify) = (dir.path("lite.sql"), dir.path("verify.sql"));
    let common = ["--dialect", "sqlite", "--students", "400", "--quiet"];
    let out = script.display().to_string();
    campus_ok(&[&["generate", "--out", &out][..], &common].concat());
    let out = verify.display().to_string();
    campus_ok(
        &[
            &["generate", "--format", "verify", "--out", &out][..],
            &common,
        ]
        .concat(),
    );
    let db = dir.path("v.db");
    load(&db, &script);
    let check = || {
        let (ok, out, err) = sqlite3(&db, &std::fs::read(&verify).unwrap_or_default());
        assert!(ok, "{err}");
        out
    };
    let ums = Ums::new(Config::scaled(400)).unwrap_or_else(|e| panic!("{e}"));
    loaded::assert_verified(&check(), &ums, None);
    scalar(
        &db,
        "UPDATE staff SET last_name = last_name || 'x' WHERE staff_id = 7",
    );
    loaded::assert_verified(&check(), &ums, Some("staff"));
    scalar(
        &db,
        "UPDATE staff SET last_name = substr(last_name, 1, length(last_name) - 1) WHERE staff_id = 7",
    );
    scalar(&db, "DELETE FROM student_marks WHERE mark_id = 3");
    loaded::assert_verified(&check(), &ums, Some("student_marks"));
}

#[test]
fn the_fast_load_folder_loads_the_same_rows() {
    let dir = TempDir::new("sqlite-fast");
    let folder = dir.path("load");
    let out = folder.display().to_string();
    campus_ok(&[
        "generate",
        "--format",
        "load",
        "--dialect",
        "sqlite",
        "--students",
        "500",
        "--quiet",
        "--out",
        &out,
    ]);
    let db = dir.path("fast.db");
    let script = std::fs::read(folder.join("load.sql")).unwrap_or_default();
    let output = Command::new("/usr/bin/sqlite3")
        .args(["-batch", "-bail"])
        .arg(&db)
        .current_dir(&folder)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(&script)?;
            }
            child.wait_with_output()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ums = Ums::new(Config::scaled(500)).unwrap_or_else(|e| panic!("{e}"));
    let verify = std::fs::read(folder.join("verify.sql")).unwrap_or_default();
    let (ok, out, err) = sqlite3(&db, &verify);
    assert!(ok, "{err}");
    loaded::assert_verified(&out, &ums, None);
    loaded::assert_consistent(&|sql| scalar(&db, sql), '"', &ums);
    assert_eq!(scalar(&db, "PRAGMA foreign_key_check"), "");
    // No scratch table is left behind.
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '\\_load\\_%' ESCAPE '\\'"
        ),
        "0"
    );
}

#[test]
fn etl_staging_sql_loads_with_the_counts_it_printed() {
    let dir = TempDir::new("sqlite-etl-staging");
    let staging = loaded::etl_staging(&dir, Dialect::Sqlite, None);
    let db = dir.path("staging.db");
    load(&db, &staging);
    loaded::assert_staging_counts(&|sql| scalar(&db, sql));
}

#[test]
fn occupancy_sessions_versions_and_predictions_load() {
    let dir = TempDir::new("sqlite-occupancy");
    let (sessions, trained) = loaded::occupancy_scripts(&dir, Dialect::Sqlite, "occupancy");
    let db = dir.path("occupancy.db");
    load(&db, &sessions);
    load(&db, &trained);
    loaded::assert_occupancy_loaded(&|sql| scalar(&db, sql));
    assert_eq!(scalar(&db, "PRAGMA foreign_key_check"), "");
}
