//! `campus generate`: outputs, determinism, partitioning and errors, without a database.

use std::path::Path;

use campus_gen::{Config, TableId, Ums};

use crate::support::{TempDir, campus, campus_ok, read, sha256_hex};

/// SHA-256 of `campus generate --seed 42`: the web page must produce the same bytes. Changing the
/// generator changes this on purpose; update it here and in the page's test together.
pub const SEED_42_SHA256: &str = include_str!("../../../tests/data/seed42.sha256");

/// `campus generate --format csv --quiet --students N --out OUT` with `more`.
fn generate_csv(students: &str, out: &Path, more: &[&str]) {
    let out = out.to_str().unwrap_or_default();
    let args = [
        "generate",
        "--format",
        "csv",
        "--quiet",
        "--students",
        students,
        "--out",
        out,
    ];
    campus_ok(&[&args, more].concat());
}

#[test]
fn default_script_is_pinned_and_deterministic() {
    let dir = TempDir::new("pinned");
    let (a, b) = (dir.path("a.sql"), dir.path("Create_FullDB.sql"));
    campus_ok(&[
        "generate",
        "--seed",
        "42",
        "--quiet",
        "--out",
        a.to_str().unwrap_or_default(),
    ]);
    campus_ok(&["generate", "--out", b.to_str().unwrap_or_default()]);
    let (a, b) = (read(&a), read(&b));
    assert!(a == b, "the same seed gave different bytes");
    assert_eq!(sha256_hex(&a), SEED_42_SHA256.trim());
    let other = campus_ok(&["generate", "--seed", "43", "--quiet", "--out", "-"]).stdout;
    assert!(other != a);
}

#[test]
fn summary_reports_rows_and_speed() {
    let dir = TempDir::new("summary");
    let out = campus_ok(&[
        "generate",
        "--students",
        "500",
        "--out",
        dir.path("s.sql").to_str().unwrap_or_default(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("students") && stderr.contains("500"),
        "{stderr}"
    );
    assert!(
        stderr.contains("total rows") && stderr.contains("MB/s"),
        "{stderr}"
    );
}

#[test]
fn csv_has_one_file_per_table_with_the_schema_header() {
    let dir = TempDir::new("csv");
    generate_csv("300", &dir.0, &[]);
    let ums = Ums::new(Config::scaled(300)).unwrap_or_else(|err| panic!("{err}"));
    for table in TableId::ALL {
        let schema = ums.table(table);
        let text =
            String::from_utf8(read(&dir.path(&format!("{}.csv", schema.name)))).unwrap_or_default();
        let header: Vec<&str> = schema.column_names().collect();
        assert!(
            text.starts_with(&format!("{}\r\n", header.join(","))),
            "{}",
            schema.name
        );
        // Quoted fields never contain CRLF here, so lines count rows.
        assert_eq!(
            text.matches("\r\n").count() as u64,
            ums.count(table) + 1,
            "{}",
            schema.name
        );
    }
}

#[test]
fn csv_parts_concatenate_to_the_whole_file() {
    let dir = TempDir::new("csvparts");
    let whole = dir.path("whole");
    generate_csv("200", &whole, &[]);
    let parts = dir.path("parts");
    for k in 1..=3 {
        generate_csv("200", &parts, &["--part", &format!("{k}/3")]);
    }
    for name in ["students", "student_marks", "roles"] {
        let joined: Vec<u8> = (1..=3)
            .flat_map(|k| read(&parts.join(format!("{name}.part{k}of3.csv"))))
            .collect();
        assert!(joined == read(&whole.join(format!("{name}.csv"))), "{name}");
    }
}

/// Regression: with more parts than a table has rows, every part starting at row 0 repeated
/// the header; now part 1 alone carries it, and the parts still concatenate to the whole file.
#[test]
fn csv_parts_of_a_table_smaller_than_their_count_have_one_header() {
    let dir = TempDir::new("csvparts-small");
    let (whole, parts) = (dir.path("whole"), dir.path("parts"));
    generate_csv("200", &whole, &[]);
    for k in 1..=10 {
        generate_csv("200", &parts, &["--part", &format!("{k}/10")]);
    }
    let whole = read(&whole.join("qualifications.csv"));
    let header = b"qualification_id,qualification_name\r\n";
    let mut joined = Vec::new();
    for k in 1..=10 {
        let part = read(&parts.join(format!("qualifications.part{k}of10.csv")));
        assert_eq!(part.starts_with(header), k == 1, "part {k}");
        joined.extend(part);
    }
    assert!(joined == whole, "{}", String::from_utf8_lossy(&joined));
}

#[test]
fn bad_arguments_fail_clearly() {
    let dir = TempDir::new("bad");
    let out = dir.path("x.sql");
    let out = out.to_str().unwrap_or_default();
    let cases: [(&[&str], &str); 6] = [
        (
            &["generate", "--students", "0", "--out", out],
            "students must be between 1 and",
        ),
        (
            &["generate", "--students", "-5", "--out", out],
            "unexpected argument '-5'",
        ),
        (
            &["generate", "--students", "lots", "--out", out],
            "invalid digit",
        ),
        (
            &["generate", "--enrollments-per-student", "9", "--out", out],
            "enrollments_per_student must be between 0 and 4",
        ),
        (
            &["generate", "--database", "my-db", "--out", out],
            "database name \"my-db\"",
        ),
        (
            &["generate", "--out", "/nonexistent-dir/x.sql"],
            "cannot create /nonexistent-dir/x.sql",
        ),
    ];
    for (args, expected) in cases {
        let output = campus(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert!(!dir.path("x.sql").exists() && !dir.path("x.sql.partial").exists());
}

#[test]
fn help_teaches() {
    let help = String::from_utf8_lossy(&campus_ok(&["generate", "--help"]).stdout).into_owned();
    for needle in [
        "Examples:",
        "--part <K/N>",
        "--schema-only",
        "mysql",
        "--students",
    ] {
        assert!(help.contains(needle), "missing {needle} in\n{help}");
    }
}

#[test]
fn check_flag_verifies_the_dataset_before_writing() {
    let dir = TempDir::new("check");
    let out = dir.path("checked.sql");
    let output = campus_ok(&[
        "generate",
        "--students",
        "800",
        "--check",
        "--out",
        out.to_str().unwrap_or_default(),
    ]);
    assert!(out.exists(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Regression: `--database mysql` was accepted, and a script for it would have put the
/// university's tables among the server's own. Every system schema is refused, in any case and
/// any format.
#[test]
fn system_schema_names_are_refused() {
    let dir = TempDir::new("system-db");
    let out = dir.path("x.sql");
    let out = out.to_str().unwrap_or_default();
    for (name, format) in [
        ("mysql", "sql"),
        ("INFORMATION_SCHEMA", "sql"),
        ("performance_schema", "csv"),
        ("sys", "sql"),
    ] {
        let output = campus(&[
            "generate",
            "--students",
            "10",
            "--database",
            name,
            "--format",
            format,
            "--out",
            out,
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name} was accepted");
        assert!(stderr.contains("is a system schema"), "{name}: {stderr}");
    }
    assert!(!dir.path("x.sql").exists());
}

/// A `--part` file names its database, so it loads on its own; its data is still exactly its
/// slice of the data section.
#[test]
fn sql_parts_start_with_their_database() {
    let dir = TempDir::new("part-use");
    let path = dir.path("p.sql");
    let out = path.to_str().unwrap_or_default();
    let args = [
        "generate",
        "--students",
        "50",
        "--part",
        "2/3",
        "--database",
        "uni_p",
        "--quiet",
        "--out",
        out,
    ];
    campus_ok(&args);
    let text = String::from_utf8(read(&path)).unwrap_or_default();
    let first_statement = text.lines().find(|l| !l.starts_with("--"));
    assert_eq!(first_statement, Some("USE `uni_p`;"), "{text}");
    assert!(text.contains("SET FOREIGN_KEY_CHECKS = 0"));
}

/// Regression: CSV tables were moved into place one by one, so a run that failed at the last
/// table left the others' new files beside the old ones. They now appear together or not at
/// all.
#[test]
fn csv_tables_appear_all_together_or_not_at_all() {
    let dir = TempDir::new("csv-whole");
    let ums = Ums::new(Config::scaled(50)).unwrap_or_else(|err| panic!("{err}"));
    let last = TableId::ALL
        .last()
        .map(|&t| format!("{}.csv", ums.table(t).name))
        .unwrap_or_default();
    // A folder where the last table's file must go makes the run fail at the end.
    std::fs::create_dir_all(dir.path(&last)).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.0.to_str().unwrap_or_default();
    let run = campus(&[
        "generate",
        "--students",
        "50",
        "--format",
        "csv",
        "--quiet",
        "--out",
        out,
    ]);
    assert!(!run.status.success());
    let left: Vec<String> = std::fs::read_dir(&dir.0)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(left, [last], "{}", String::from_utf8_lossy(&run.stderr));
}
