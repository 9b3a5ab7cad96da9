//! The malformed-input corpus (`tests/data/malformed/`): every file gives a clear error naming
//! it, or a correct result whose account rejects nothing; never a panic, never silent loss.

use std::path::PathBuf;

use crate::support::{TempDir, campus};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/malformed")
}

fn students() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../etl/tests/data/aktu/students_master.csv")
        .to_string_lossy()
        .into_owned()
}

/// Each file and what `campus etl` must say about it as an attendance file: `Ok(account)` for
/// a correct result, `Err(message)` for an error at the file's location.
const EXPECTED: &[(&str, Result<&str, &str>)] = &[
    ("clean.csv", Ok("2 rows read: 2 kept, 0 rejected")),
    ("cr_only.csv", Ok("2 rows read: 2 kept, 0 rejected")),
    ("semicolon.csv", Ok("2 rows read: 2 kept, 0 rejected")),
    (
        "bom_crlf_blank_lines.csv",
        Ok("2 rows read: 2 kept, 0 rejected"),
    ),
    ("nul_in_row.csv", Ok("1 rows read: 1 kept, 0 rejected")),
    ("header_only.csv", Ok("0 rows read: 0 kept, 0 rejected")),
    (
        "empty.csv",
        Err("empty.csv: the file is empty: expected a header line"),
    ),
    (
        "unterminated_quote.csv",
        Err("unterminated_quote.csv:3: a quoted field opened here is never closed"),
    ),
    (
        "ragged.csv",
        Err("ragged.csv:3:3: expected 6 fields like the header, found 2"),
    ),
    (
        "cp1252.csv",
        Err("cp1252.csv:2:4: field is not valid UTF-8"),
    ),
    (
        "utf16_bom.csv",
        Err("utf16_bom.csv:1: the file is UTF-16 text"),
    ),
    (
        "utf16le_no_bom.csv",
        Err("utf16le_no_bom.csv:1: the header line is mostly NUL bytes"),
    ),
    (
        "missing_columns.csv",
        Err("missing_columns.csv:1: missing required column(s)"),
    ),
    (
        "binary.png.csv",
        Err("binary.png.csv:1:1: the header line is not UTF-8 text"),
    ),
];

#[test]
fn every_malformed_file_gives_a_clear_error_or_a_correct_result() {
    let out = TempDir::new("malformed");
    let out_dir = out.0.to_string_lossy().into_owned();
    let students = students();
    let mut names: Vec<String> = std::fs::read_dir(corpus())
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".csv"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut listed: Vec<&str> = EXPECTED.iter().map(|(name, _)| *name).collect();
    listed.sort_unstable();
    assert_eq!(
        names, listed,
        "every file of the corpus has an expected outcome"
    );
    for (name, expected) in EXPECTED {
        let path = corpus().join(name).to_string_lossy().into_owned();
        let run = campus(&[
            "etl",
            "--students",
            &students,
            "--attendance",
            &path,
            "--out",
            &out_dir,
        ]);
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        match expected {
            Ok(account) => {
                assert!(run.status.success(), "{name}: {stderr}");
                assert!(
                    stdout.contains(&format!("{name}: {account}")),
                    "{name}: {stdout}"
                );
            }
            Err(message) => {
                assert!(stderr.contains(message), "{name}: {stderr}");
                // An empty file loses nothing; every other error loses rows and fails the run.
                if *name != "empty.csv" {
                    assert!(!run.status.success(), "{name}: exit 0 after a loss");
                }
            }
        }
        // The occupancy import of the same bytes never panics and names the file on failure.
        let model = out.path("model.bin").to_string_lossy().into_owned();
        let train = campus(&[
            "occupancy",
            "train",
            "--data",
            &path,
            "--out",
            &model,
            "--quiet",
            "--trees",
            "2",
        ]);
        let stderr = String::from_utf8_lossy(&train.stderr);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(!train.status.success(), "{name}: not sessions, yet trained");
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
}

#[test]
fn a_folder_or_a_missing_file_is_named() {
    let out = TempDir::new("malformed-folder");
    let out_dir = out.path("out").to_string_lossy().into_owned();
    let folder = corpus().to_string_lossy().into_owned();
    for attendance in [folder.as_str(), "/nonexistent/attendance.csv"] {
        let run = campus(&[
            "etl",
            "--students",
            &students(),
            "--attendance",
            attendance,
            "--out",
            &out_dir,
        ]);
        assert!(!run.status.success());
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains(attendance), "{stderr}");
    }
}
