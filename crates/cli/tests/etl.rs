//! `campus etl`: the pipeline over the core's fixtures, de-identification, keyed hashing, errors.

use std::path::PathBuf;

use crate::support::{TempDir, campus, campus_etl, campus_ok, number_after, read};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../etl/tests/data")
        .join(name);
    path.to_string_lossy().into_owned()
}

fn run_on_fixture(out: &TempDir, extra: &[&str]) -> String {
    let files = [
        "aktu/students_master.csv",
        "aktu/attendance_2024_odd.csv",
        "aktu/exam_results_2024_odd.csv",
        "aktu/placements_2024.csv",
    ]
    .map(fixture);
    let [s, a, e, p] = files.each_ref().map(String::as_str);
    campus_etl([s, a, e, p], &out.0.to_string_lossy(), extra)
}

#[test]
fn prints_the_pandas_correlation_and_writes_every_output() {
    let out = TempDir::new("etl-fixture");
    let stdout = run_on_fixture(&out, &[]);
    let reference =
        String::from_utf8_lossy(&read(&PathBuf::from(fixture("aktu/pandas_reference.json"))))
            .into_owned();
    let expected = number_after(&reference, "\"pearson\"");
    let printed = number_after(&stdout, "pearson(attendance_pct, total_marks)");
    assert!(
        matches!((printed, expected), (Some(a), Some(b)) if (a - b).abs() < 1e-9),
        "{stdout}"
    );
    assert!(
        stdout.contains("attendance: 2884 rows, 1 without a student"),
        "{stdout}"
    );
    for name in [
        "stg_students.csv",
        "stg_attendance.csv",
        "stg_exam_results.csv",
        "stg_placements.csv",
        "staging.sql",
        "report.md",
    ] {
        assert!(!read(&out.path(name)).is_empty(), "{name}");
    }
    let sql = String::from_utf8_lossy(&read(&out.path("staging.sql"))).into_owned();
    assert!(
        sql.contains("CREATE TABLE `stg_attendance`")
            && sql.contains("INSERT INTO `stg_placements`")
    );
    let report = String::from_utf8_lossy(&read(&out.path("report.md"))).into_owned();
    assert!(
        report.contains("rows whose (roll_no, dob) matches no student"),
        "{report}"
    );
}

#[test]
fn keyed_and_deidentified_outputs_hide_identity_and_secret() {
    let out = TempDir::new("etl-keyed");
    let out_dir = out.0.to_string_lossy().into_owned();
    let (s, a) = (
        fixture("aktu/students_master.csv"),
        fixture("aktu/attendance_2024_odd.csv"),
    );
    let args = [
        "etl",
        "--students",
        &s,
        "--attendance",
        &a,
        "--out",
        &out_dir,
        "--secret-env",
        "CAMPUS_TEST_SECRET",
        "--deidentify",
    ];
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_campus"))
        .args(args)
        .env("CAMPUS_TEST_SECRET", "correct horse battery staple")
        .output();
    assert!(output.is_ok_and(|o| o.status.success()));
    for name in [
        "stg_students.csv",
        "stg_attendance.csv",
        "staging.sql",
        "report.md",
    ] {
        let text = String::from_utf8_lossy(&read(&out.path(name))).into_owned();
        assert!(
            !text.contains("AKTU001-CSE-2023-1001"),
            "{name} leaks a roll number"
        );
        assert!(!text.contains("correct horse"), "{name} leaks the secret");
        // The unkeyed hash of the first student must not appear either.
        assert!(
            !text.contains("9e95a408762274743fa345567d390e2251c91c2bf296254dd66243a836e424d7"),
            "{name}"
        );
    }
    let missing = campus(&[
        "etl",
        "--students",
        &s,
        "--out",
        &out_dir,
        "--secret-env",
        "CAMPUS_TEST_UNSET_VARIABLE",
    ]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("CAMPUS_TEST_UNSET_VARIABLE is not set")
    );
}

#[test]
fn a_students_file_without_required_columns_fails_clearly() {
    let out = TempDir::new("etl-bad");
    let out_dir = out.0.to_string_lossy().into_owned();
    let bad = fixture("malformed/missing_columns.csv");
    let output = campus(&["etl", "--students", &bad, "--out", &out_dir]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("missing_columns.csv:1: missing required column(s): dob, program_code"),
        "{stderr}"
    );
}

#[test]
fn sample_writes_four_files_deterministically() {
    let (one, two) = (TempDir::new("etl-sample-1"), TempDir::new("etl-sample-2"));
    for dir in [&one, &two] {
        let out_dir = dir.0.to_string_lossy().into_owned();
        campus_ok(&[
            "etl",
            "sample",
            "--out",
            &out_dir,
            "--seed",
            "7",
            "--dirty",
            "--colleges",
            "2",
            "--students-per-program",
            "6",
            "--sessions",
            "12",
        ]);
    }
    for name in [
        "students_master.csv",
        "attendance_2024_odd.csv",
        "exam_results_2024_odd.csv",
        "placements_2024.csv",
    ] {
        assert!(read(&one.path(name)) == read(&two.path(name)), "{name}");
        // Seed 7 with these sizes is the core's fixture.
        assert!(
            read(&one.path(name)) == read(&PathBuf::from(fixture(&format!("aktu/{name}")))),
            "{name}"
        );
    }
}
