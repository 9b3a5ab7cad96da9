//! `campus generate --format exports|sessions`: the university's exports go through `campus etl`
//! as they are, the planted correlation comes back, and the sessions load as occupancy data.

use crate::support::{TempDir, campus_etl, campus_ok, number_after, read};

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
