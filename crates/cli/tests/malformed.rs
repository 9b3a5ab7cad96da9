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

/// Runs `campus etl` with `attendance` and `campus occupancy train` with it as data; both must
/// fail with a message naming `shown`, and neither may panic.
fn both_fail_naming(attendance: &str, shown: &str, out: &TempDir) {
    let out_dir = out.path("out").to_string_lossy().into_owned();
    let model = out.path("model.bin").to_string_lossy().into_owned();
    let etl = campus(&[
        "etl",
        "--students",
        &students(),
        "--attendance",
        attendance,
        "--out",
        &out_dir,
    ]);
    let train = campus(&[
        "occupancy",
        "train",
        "--data",
        attendance,
        "--out",
        &model,
        "--quiet",
    ]);
    for (what, run) in [("etl", etl), ("occupancy train", train)] {
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!stderr.contains("panicked"), "{what} {shown}: {stderr}");
        assert!(!run.status.success(), "{what} {shown}: exit 0");
        assert!(stderr.contains(shown), "{what} {shown}: {stderr}");
    }
}

/// A header of a million columns (made here, not committed: 2 MB) is refused with a located
/// error, not read into a million-entry row per line, and nothing panics.
#[test]
fn a_million_columns_give_a_clear_error() {
    let out = TempDir::new("malformed-wide");
    let path = out.path("wide.csv");
    let mut text = String::from("college_code,roll_no,dob,course_code,date,status");
    text.push_str(&",x".repeat(1_000_000));
    text.push('\n');
    text.push_str("C1,R1,2005-01-01,X1,2024-08-01,P");
    text.push_str(&",".repeat(1_000_000));
    text.push('\n');
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    both_fail_naming(&path.to_string_lossy(), "wide.csv", &out);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

/// A folder given as the occupancy data is named, like the ETL's (above).
#[test]
fn a_folder_as_occupancy_data_is_named() {
    let out = TempDir::new("malformed-occ-folder");
    let folder = corpus().to_string_lossy().into_owned();
    both_fail_naming(&folder, &folder, &out);
}

/// A file without read permission is named in the error. Root reads any file whatever its
/// mode, so as root the check cannot be made and only the no-panic part runs.
#[test]
fn an_unreadable_file_is_named() {
    use std::os::unix::fs::PermissionsExt;

    let out = TempDir::new("malformed-unreadable");
    let path = out.path("locked.csv");
    let clean = std::fs::read(corpus().join("clean.csv")).unwrap_or_default();
    std::fs::write(&path, clean).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000))
        .unwrap_or_else(|e| panic!("{e}"));
    let readable_anyway = std::fs::File::open(&path).is_ok();
    if readable_anyway {
        // Running as root: the file is readable, so there is no error to check.
        let run = campus(&["occupancy", "train", "--data", &path.to_string_lossy()]);
        assert!(!String::from_utf8_lossy(&run.stderr).contains("panicked"));
        return;
    }
    both_fail_naming(&path.to_string_lossy(), "locked.csv", &out);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Sessions files broken the ways spreadsheets break them: each problem is named for what it
/// is (not only "missing columns"), the bad rows are counted and the run fails.
#[test]
fn occupancy_files_are_named_for_what_is_wrong() {
    let out = TempDir::new("malformed-occ-kinds");
    let good = out.path("good.csv");
    crate::support::campus_ok(&[
        "occupancy",
        "generate",
        "--sessions",
        "40",
        "--out",
        &good.to_string_lossy(),
    ]);
    let text = String::from_utf8(std::fs::read(&good).unwrap_or_default()).unwrap_or_default();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut utf16 = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let duplicated: String = lines
        .iter()
        .enumerate()
        .map(|(idx, l)| format!("{l},{}\n", if idx == 0 { "school" } else { "Arts" }))
        .collect();
    if let Some(line) = lines.get_mut(2) {
        let rest = line
            .split_once(',')
            .map(|(_, r)| r.to_owned())
            .unwrap_or_default();
        *line = format!("2026-02-30,{rest}");
    }
    let feb30 = lines.join("\n") + "\n";
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("utf16.csv", utf16, "utf16.csv:1: the file is UTF-16 text"),
        (
            "semicolons.csv",
            text.replace(',', ";").into_bytes(),
            "the header is separated by `;`: save the file comma-separated",
        ),
        (
            "duplicated.csv",
            duplicated.into_bytes(),
            "duplicated.csv:1:15: column name `school` appears more than once; the first one is used",
        ),
        (
            "feb30.csv",
            feb30.into_bytes(),
            "feb30.csv:3: column `date`: expected a date as YYYY-MM-DD, found `2026-02-30`",
        ),
    ];
    let model = out.path("model.bin").to_string_lossy().into_owned();
    for (name, bytes, message) in cases {
        let path = out.path(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
        let run = campus(&[
            "occupancy",
            "train",
            "--data",
            &path.to_string_lossy(),
            "--out",
            &model,
            "--quiet",
            "--trees",
            "2",
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(stderr.contains("could not be read"), "{name}: {stderr}");
    }
}
