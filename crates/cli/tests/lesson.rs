//! `campus generate --format exports|sessions`: the university's exports go through `campus etl`
//! as they are, the planted correlation comes back, and the sessions load as occupancy data.

use crate::support::{TempDir, campus, campus_etl, campus_ok, number_after, read};

const FILES: [&str; 4] = [
    "students_master.csv",
    "attendance_2024_odd.csv",
    "exam_results_2024_odd.csv",
    "placements_2024.csv",
];

/// `campus generate --format FORMAT --students N --out OUT` with `more`.
fn generate(format: &str, students: &str, out: &str, more: &[&str]) {
    let args = [
        "generate",
        "--format",
        format,
        "--students",
        students,
        "--out",
        out,
    ];
    campus_ok(&[&args[..], more].concat());
}

#[test]
fn exports_feed_the_etl_and_it_recovers_the_planted_correlation() {
    let dir = TempDir::new("lesson-exports");
    let exports = dir.path("exports");
    let exports_arg = exports.to_string_lossy().into_owned();
    let planted = ["--seed", "8", "--attendance-marks-r", "0.5"];
    generate("exports", "1000", &exports_arg, &planted);
    let mut names: Vec<String> = std::fs::read_dir(&exports)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut expected: Vec<String> = FILES.iter().map(|f| (*f).to_owned()).collect();
    expected.sort();
    assert_eq!(
        names, expected,
        "no answer key without dirt, no temporary files left"
    );
    let files = FILES.map(|f| exports.join(f).to_string_lossy().into_owned());
    let [s, a, e, p] = files.each_ref().map(String::as_str);
    let out = dir.path("etl").to_string_lossy().into_owned();
    let stdout = campus_etl([s, a, e, p], &out, &[]);
    let pearson = number_after(&stdout, "pearson(attendance_pct, total_marks)");
    assert!(
        pearson.is_some_and(|r| (r - 0.5).abs() < 0.05),
        "planted 0.5:\n{stdout}"
    );
}

#[test]
fn dirt_comes_with_an_answer_key_and_the_same_bytes_every_time() {
    let dir = TempDir::new("lesson-dirt");
    let mut runs = Vec::new();
    for run in ["a", "b"] {
        let out = dir.path(run).to_string_lossy().into_owned();
        generate("exports", "200", &out, &["--dirt", "0.02", "--quiet"]);
        let files: Vec<Vec<u8>> = FILES
            .iter()
            .chain(&["answer_key.csv"])
            .map(|f| read(&dir.path(run).join(f)))
            .collect();
        runs.push(files);
    }
    assert!(runs[0] == runs[1]);
    let key = String::from_utf8_lossy(&runs[0][4]).into_owned();
    let mut lines = key.lines();
    assert_eq!(lines.next(), Some("file,line,kind"));
    let kinds: std::collections::BTreeSet<&str> =
        lines.filter_map(|l| l.rsplit(',').next()).collect();
    assert_eq!(kinds.len(), 7, "{kinds:?}");
}

#[test]
fn sessions_load_as_occupancy_training_data() {
    let dir = TempDir::new("lesson-sessions");
    let path = dir.path("sessions.csv");
    let out = path.to_string_lossy().into_owned();
    generate("sessions", "300", &out, &["--quiet"]);
    let imported = campus_occupancy::parse_sessions(&read(&path), "sessions.csv");
    assert_eq!(imported.n_bad_rows, 0, "{:?}", imported.errors);
    // 168 modules × 30 weeks × 2 lectures, every module having students at this size.
    assert_eq!(imported.rows.len(), 168 * 60);
    assert!(
        imported
            .rows
            .iter()
            .all(|s| s.actual_attendance <= s.input.enrolled_students)
    );
}

#[test]
fn overcrowding_rate_plants_the_share_of_overflowing_lectures() {
    let dir = TempDir::new("lesson-overcrowding");
    let path = dir.path("sessions.csv");
    let out = path.to_string_lossy().into_owned();
    generate(
        "sessions",
        "500",
        &out,
        &["--overcrowding-rate", "0.3", "--quiet"],
    );
    let imported = campus_occupancy::parse_sessions(&read(&path), "sessions.csv");
    assert_eq!(imported.n_bad_rows, 0, "{:?}", imported.errors);
    let over = imported
        .rows
        .iter()
        .filter(|s| s.actual_attendance > s.input.venue_capacity)
        .count() as f64;
    let share = over / imported.rows.len() as f64;
    assert!((share - 0.3).abs() < 0.03, "{share}");
}

#[test]
fn dirt_kinds_plant_only_the_kinds_named() {
    let dir = TempDir::new("lesson-dirt-kinds");
    let out = dir.path("x").to_string_lossy().into_owned();
    let more = [
        "--dirt",
        "0.05",
        "--dirt-kinds",
        "padded_key,blank_mark",
        "--quiet",
    ];
    generate("exports", "200", &out, &more);
    let key = String::from_utf8_lossy(&read(&dir.path("x").join("answer_key.csv"))).into_owned();
    let kinds: std::collections::BTreeSet<&str> = key
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["blank_mark", "padded_key"]
    );
}

/// The names in `dir`, sorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Regression: the exports were renamed into place one by one after their own checks, beside
/// `.partial` files. Now they are staged: a run that fails after writing some leaves the
/// previous run's files as they were and no temporary file.
#[test]
fn exports_appear_all_together_or_not_at_all() {
    let dir = TempDir::new("lesson-exports-whole");
    let out = dir.path("exports");
    let out_arg = out.to_string_lossy().into_owned();
    generate("exports", "100", &out_arg, &["--quiet"]);
    let before: Vec<Vec<u8>> = FILES.iter().map(|f| read(&out.join(f))).collect();
    // A folder where the answer key must go makes the dirty run fail after the four exports.
    let key = out.join("answer_key.csv");
    std::fs::create_dir_all(&key).unwrap_or_else(|e| panic!("{e}"));
    let run = campus(&[
        "generate",
        "--format",
        "exports",
        "--students",
        "150",
        "--dirt",
        "0.05",
        "--quiet",
        "--out",
        &out_arg,
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(&key.display().to_string()), "{stderr}");
    for (file, old) in FILES.iter().zip(&before) {
        assert!(
            read(&out.join(file)) == *old,
            "{file} changed by a failed run"
        );
    }
    let mut expected: Vec<String> = FILES.iter().map(|f| (*f).to_owned()).collect();
    expected.push("answer_key.csv".to_owned());
    expected.sort();
    assert_eq!(names_in(&out), expected, "temporary files left behind");
}

/// A rerun without dirt removes the previous dirty run's answer key: it would list defects the
/// new exports do not have.
#[test]
fn a_clean_rerun_removes_the_stale_answer_key() {
    let dir = TempDir::new("lesson-exports-stale");
    let out = dir.path("exports");
    let out_arg = out.to_string_lossy().into_owned();
    generate("exports", "100", &out_arg, &["--dirt", "0.05", "--quiet"]);
    assert!(out.join("answer_key.csv").is_file());
    generate("exports", "100", &out_arg, &["--quiet"]);
    let mut expected: Vec<String> = FILES.iter().map(|f| (*f).to_owned()).collect();
    expected.sort();
    assert_eq!(names_in(&out), expected);
}

/// `--out` naming a file that is not a folder is refused before anything is written, naming
/// it, and the file is left alone.
#[test]
fn exports_into_a_file_are_refused_naming_it() {
    let dir = TempDir::new("lesson-exports-file");
    let file = dir.path("notes.txt");
    std::fs::write(&file, "keep me").unwrap_or_else(|e| panic!("{e}"));
    let file_arg = file.to_string_lossy().into_owned();
    let run = campus(&[
        "generate",
        "--format",
        "exports",
        "--students",
        "50",
        "--quiet",
        "--out",
        &file_arg,
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains(&format!("{file_arg} exists and is not a folder")),
        "{stderr}"
    );
    assert_eq!(read(&file), b"keep me");
    assert_eq!(names_in(&dir.0), ["notes.txt"]);
}

/// A device under an export's name (here a symlink to /dev/null) is written through, never
/// replaced by a regular file; the sessions CSV to a device or to `-` likewise.
#[cfg(unix)]
#[test]
fn a_device_among_the_exports_is_written_directly() {
    let dir = TempDir::new("lesson-exports-device");
    let out = dir.path("exports");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    let link = out.join(FILES[1]);
    std::os::unix::fs::symlink("/dev/null", &link).unwrap_or_else(|e| panic!("{e}"));
    generate("exports", "50", &out.to_string_lossy(), &["--quiet"]);
    let meta = std::fs::symlink_metadata(&link).unwrap_or_else(|e| panic!("{e}"));
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert!(!read(&out.join(FILES[0])).is_empty());
    let null = std::fs::metadata("/dev/null").unwrap_or_else(|e| panic!("{e}"));
    assert!(!null.is_file());
    generate("sessions", "50", "/dev/null", &["--quiet"]);
    assert!(!std::fs::metadata("/dev/null").is_ok_and(|m| m.is_file()));
    let stdout = campus_ok(&[
        "generate",
        "--format",
        "sessions",
        "--students",
        "50",
        "--quiet",
        "--out",
        "-",
    ]);
    let text = String::from_utf8_lossy(&stdout.stdout);
    assert!(text.starts_with("date,time,school,venue"), "{text}");
}
