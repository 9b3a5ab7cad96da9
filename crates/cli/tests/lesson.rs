//! `campus generate --format exports|sessions`: the university's exports go through `campus etl`
//! as they are, the planted correlation comes back, and the sessions load as occupancy data.

use crate::support::{TempDir, campus_ok, read};

const FILES: [&str; 4] = [
    "students_master.csv",
    "attendance_2024_odd.csv",
    "exam_results_2024_odd.csv",
    "placements_2024.csv",
];

#[test]
fn exports_feed_the_etl_and_it_recovers_the_planted_correlation() {
    let dir = TempDir::new("lesson-exports");
    let exports = dir.path("exports");
    let exports_arg = exports.to_string_lossy().into_owned();
    campus_ok(&[
        "generate",
        "--format",
        "exports",
        "--students",
        "1000",
        "--seed",
        "8",
        "--attendance-marks-r",
        "0.5",
        "--out",
        &exports_arg,
    ]);
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
    let [s, a, e, p] = FILES.map(|f| exports.join(f).to_string_lossy().into_owned());
    let out = dir.path("etl").to_string_lossy().into_owned();
    let stdout = campus_ok(&[
        "etl",
        "--students",
        &s,
        "--attendance",
        &a,
        "--exams",
        &e,
        "--placements",
        &p,
        "--out",
        &out,
    ])
    .stdout;
    let stdout = String::from_utf8_lossy(&stdout);
    let key = "pearson(attendance_pct, total_marks)";
    let pearson = stdout
        .find(key)
        .and_then(|at| stdout.get(at + key.len()..))
        .map(|rest| rest.trim_start_matches([' ', ':', '=']))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse::<f64>().ok());
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
        campus_ok(&[
            "generate",
            "--format",
            "exports",
            "--students",
            "200",
            "--dirt",
            "0.02",
            "--out",
            &out,
            "--quiet",
        ]);
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
    campus_ok(&[
        "generate",
        "--format",
        "sessions",
        "--students",
        "300",
        "--out",
        &out,
        "--quiet",
    ]);
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
