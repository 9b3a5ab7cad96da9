//! Each malformed fixture gives its own clear error, with file, line and column, and good rows
//! still load.

use campus_etl::{Etl, EtlOptions, FileKind};

use super::support::{feed_chunked, read};

/// Loads `name` as a students file in chunks of 1, 5 and whole; checks errors and rows loaded.
fn check(name: &str, expected_errors: &[&str], expected_students: usize) {
    for chunk in [1, 5, 0] {
        let mut etl = Etl::new(EtlOptions::default());
        feed_chunked(
            &mut etl,
            FileKind::Students,
            name,
            &read(&format!("malformed/{name}")),
            chunk,
        );
        let report = etl.state().reports.first().cloned();
        let errors = report.map(|r| r.errors).unwrap_or_default();
        assert_eq!(errors, expected_errors, "{name}, chunk {chunk}");
        assert_eq!(
            etl.state().students().len(),
            expected_students,
            "{name}, chunk {chunk}"
        );
    }
}

#[test]
fn ragged_rows_are_skipped_and_reported() {
    check(
        "ragged.csv",
        &[
            "ragged.csv:3:4: expected 4 fields like the header, found 3; the row was skipped",
            "ragged.csv:4:5: expected 4 fields like the header, found 5; the row was skipped",
        ],
        2,
    );
}

#[test]
fn invalid_utf8_names_the_field() {
    check(
        "invalid_utf8.csv",
        &[
            "invalid_utf8.csv:3:3: field is not valid UTF-8 (save the file as UTF-8); the row was skipped",
        ],
        2,
    );
}

#[test]
fn unterminated_quote_stops_at_its_line() {
    check(
        "unterminated_quote.csv",
        &[
            "unterminated_quote.csv:3: a quoted field opened here is never closed; the rest of the file was not read",
        ],
        1,
    );
}

#[test]
fn missing_columns_are_all_named() {
    check(
        "missing_columns.csv",
        &[
            "missing_columns.csv:1: missing required column(s): dob, program_code; the header has: roll_no, college_code, program",
        ],
        0,
    );
    // The failed file does not count as loaded students.
    let mut etl = Etl::new(EtlOptions::default());
    feed_chunked(
        &mut etl,
        FileKind::Students,
        "missing_columns.csv",
        &read("malformed/missing_columns.csv"),
        0,
    );
    assert_eq!(
        etl.begin_file(FileKind::Attendance, "a.csv"),
        Err(campus_etl::EtlError::StudentsFirst)
    );
}

#[test]
fn empty_files_say_so() {
    let message = "the file is empty: expected a header line with column names";
    check("empty.csv", &[&format!("empty.csv: {message}")], 0);
    check(
        "blank_lines_only.csv",
        &[&format!("blank_lines_only.csv: {message}")],
        0,
    );
}

#[test]
fn semicolons_reordered_and_extra_columns_load() {
    check("reordered_semicolon.csv", &[], 2);
    let mut etl = Etl::new(EtlOptions::default());
    feed_chunked(
        &mut etl,
        FileKind::Students,
        "r.csv",
        &read("malformed/reordered_semicolon.csv"),
        3,
    );
    let names: Vec<String> = etl
        .state()
        .reports
        .iter()
        .flat_map(|r| r.columns.iter().map(|c| c.name.clone()))
        .collect();
    assert_eq!(
        names,
        ["program_code", "dob", "nickname", "college_code", "roll_no"]
    );
    assert_eq!(
        etl.state().students().first().map(|s| s.roll_no.as_str()),
        Some("AKTU001-CSE-2023-1001")
    );
}
