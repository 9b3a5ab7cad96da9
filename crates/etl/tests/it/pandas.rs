//! The notebook's correlation equals the stored pandas value to 1e-9, and the join counts agree.

use campus_etl::{EtlOptions, FileKind, FindingKind};

use campus_etl::Etl;
use campus_etl::analysis::analyze;

use super::support::{AKTU, feed_chunked, pandas_reference, read, run_fixture};

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9,
        (None, None) => true,
        _ => false,
    }
}

#[test]
fn pearson_and_spearman_match_pandas() {
    let reference = pandas_reference();
    let (_, analysis) = run_fixture(0, EtlOptions::default());
    assert_eq!(
        analysis.pairs.len() as u64,
        reference["n_pairs"].as_u64().unwrap_or(0)
    );
    assert_eq!(
        analysis.n_complete_pairs as u64,
        reference["n_complete_pairs"].as_u64().unwrap_or(0)
    );
    let pearson = reference["pearson"].as_f64();
    assert!(pearson.is_some());
    assert!(
        close(analysis.pearson, pearson),
        "{:?} vs {pearson:?}",
        analysis.pearson
    );
    assert!(close(analysis.spearman, reference["spearman"].as_f64()));
    for group in &analysis.per_course {
        let expected = reference["per_course"][&group.name].as_f64();
        assert!(
            close(group.pearson, expected),
            "{}: {:?} vs {expected:?}",
            group.name,
            group.pearson
        );
    }
}

#[test]
fn orphans_are_counted_not_dropped() {
    let reference = pandas_reference();
    let (etl, _) = run_fixture(0, EtlOptions::default());
    let orphans = |kind: FileKind| {
        etl.state()
            .reports
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.findings.count(FindingKind::Orphans))
            .sum::<u64>()
    };
    assert_eq!(
        orphans(FileKind::Attendance),
        reference["n_attendance_orphans"]
            .as_u64()
            .unwrap_or(u64::MAX)
    );
    assert_eq!(
        orphans(FileKind::Exams),
        reference["n_exam_orphans"].as_u64().unwrap_or(u64::MAX)
    );
    assert_eq!(orphans(FileKind::Placements), 1);
    assert_eq!(
        etl.state().students().len() as u64,
        reference["n_students"].as_u64().unwrap_or(0)
    );
}

#[test]
fn keyed_mode_changes_hashes_not_the_correlation() {
    let (_, plain) = run_fixture(0, EtlOptions::default());
    let options = EtlOptions {
        hash: campus_etl::HashMode::Keyed {
            secret: b"teacher".to_vec(),
        },
        ..EtlOptions::default()
    };
    let (etl, keyed) = run_fixture(0, options);
    assert!(close(plain.pearson, keyed.pearson));
    let first = etl
        .state()
        .students()
        .first()
        .map(|s| s.student_hash.clone())
        .unwrap_or_default();
    assert_ne!(
        first,
        "9e95a408762274743fa345567d390e2251c91c2bf296254dd66243a836e424d7"
    );
}

/// The generator's exports for `campus generate --format exports --seed 12 --students 200`,
/// read by the pipeline: the notebook runs on them unchanged (see `pandas_reference.py`).
#[test]
fn generated_exports_match_pandas_on_them() {
    use campus_gen::Config;
    use campus_gen::exports::{ExportId, ExportOptions, Exports};

    let reference: serde_json::Value =
        serde_json::from_slice(&read("generated/pandas_reference.json")).unwrap_or_default();
    let config = Config {
        seed: 12,
        ..Config::scaled(200)
    };
    let Ok(exports) = Exports::new(config, ExportOptions::default()) else {
        panic!("exports")
    };
    let mut etl = Etl::new(EtlOptions::default());
    for (export, kind) in ExportId::ALL.into_iter().zip(FileKind::ALL) {
        let mut csv = campus_csv::TableCsv::new(&exports, export.index());
        let mut bytes = Vec::new();
        while csv.fill(&mut bytes, usize::MAX) {}
        assert!(etl.load(kind, export.file_name(), &bytes).is_ok());
    }
    let analysis = analyze(&etl);
    let count = |key: &str| reference[key].as_u64();
    assert_eq!(Some(analysis.pairs.len() as u64), count("n_pairs"));
    assert_eq!(
        Some(analysis.n_complete_pairs as u64),
        count("n_complete_pairs")
    );
    assert_eq!(
        Some(etl.state().students().len() as u64),
        count("n_students")
    );
    let pearson = reference["pearson"].as_f64();
    assert!(
        close(analysis.pearson, pearson),
        "{:?} vs {pearson:?}",
        analysis.pearson
    );
    assert!(close(analysis.spearman, reference["spearman"].as_f64()));
    let per_course = reference["per_course"].as_object().map_or(0, |m| m.len());
    assert_eq!(analysis.per_course.len(), per_course);
    for group in &analysis.per_course {
        let expected = reference["per_course"][&group.name].as_f64();
        assert!(
            close(group.pearson, expected),
            "{}: {:?} vs {expected:?}",
            group.name,
            group.pearson
        );
    }
    let orphans = |kind: FileKind| {
        etl.state()
            .reports
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.findings.count(FindingKind::Orphans))
            .sum::<u64>()
    };
    assert_eq!(
        Some(orphans(FileKind::Attendance)),
        count("n_attendance_orphans")
    );
    assert_eq!(Some(orphans(FileKind::Exams)), count("n_exam_orphans"));
}

/// Regression: a second student with the same (roll_no, dob) and another college code got
/// the first's joins only (241 pairs where pandas' `merge(how="left")` gives 247). Each
/// student of a key now joins every attendance and exam row of that key, as pandas does.
#[test]
fn a_key_with_two_college_codes_joins_like_a_pandas_merge() {
    let reference: serde_json::Value =
        serde_json::from_slice(&read("aktu_dup/pandas_reference.json")).unwrap_or_default();
    let mut etl = Etl::new(EtlOptions::default());
    for (kind, path) in AKTU {
        let path = if kind == FileKind::Students {
            "aktu_dup/students_master.csv"
        } else {
            path
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        // Small chunks: the key lookup's fast paths must not land on the second student.
        feed_chunked(&mut etl, kind, name, &read(path), 97);
    }
    let analysis = analyze(&etl);
    assert_eq!(reference["n_pairs"].as_u64(), Some(247));
    assert_eq!(
        analysis.pairs.len() as u64,
        reference["n_pairs"].as_u64().unwrap_or(0)
    );
    assert_eq!(
        analysis.n_complete_pairs as u64,
        reference["n_complete_pairs"].as_u64().unwrap_or(0)
    );
    let pearson = reference["pearson"].as_f64();
    assert!(
        close(analysis.pearson, pearson),
        "{:?} vs {pearson:?}",
        analysis.pearson
    );
    assert!(close(analysis.spearman, reference["spearman"].as_f64()));
    for group in &analysis.per_course {
        let expected = reference["per_course"][&group.name].as_f64();
        assert!(close(group.pearson, expected), "{}", group.name);
    }
    assert_eq!(
        etl.state().students().len() as u64,
        reference["n_students"].as_u64().unwrap_or(0)
    );
    let report = campus_etl::report::markdown(&etl, &analysis);
    assert!(
        report.contains("1 of them share a (roll_no, dob) key") && report.contains("merge(how="),
        "{report}"
    );
    let students_report = etl.state().reports.first();
    assert_eq!(
        students_report.map(|r| r.findings.count(FindingKind::ConflictingDuplicateKeys)),
        Some(1)
    );
    // Orphans are rows that join no student: the second student changes none.
    let orphans = |kind: FileKind| {
        (etl.state().reports.iter())
            .filter(|r| r.kind == kind)
            .map(|r| r.findings.count(FindingKind::Orphans))
            .sum::<u64>()
    };
    assert_eq!(
        orphans(FileKind::Attendance),
        reference["n_attendance_orphans"].as_u64().unwrap_or(0)
    );
    assert_eq!(
        orphans(FileKind::Exams),
        reference["n_exam_orphans"].as_u64().unwrap_or(0)
    );
}

/// The staging attendance of a key with two students has each row once per student, under
/// each one's own hash (pandas' left merge), and the master's students are hashed from
/// their own fields.
#[test]
fn staging_rows_of_a_shared_key_are_joined_once_per_student() {
    use campus_etl::export::{Export, ExportOptions};
    use campus_etl::{HashMode, student_hash};

    let students = "roll_no,dob,college_code,program_code\n1001,2005-01-01,C1,CSE\n1001,2005-01-01,C2,ECE\n1001,2005-01-01,C1,CSE\n1002,2005-02-02,C1,CSE\n";
    let attendance = "college_code,roll_no,dob,course_code,date,status\nC1,1001,2005-01-01,X,2024-08-01,P\nC1,1002,2005-02-02,X,2024-08-01,A\n";
    let mut etl = Etl::new(EtlOptions::default());
    assert!(
        etl.load(FileKind::Students, "s.csv", students.as_bytes())
            .is_ok()
    );
    assert!(
        etl.load(FileKind::Attendance, "a.csv", attendance.as_bytes())
            .is_ok()
    );
    // The exact repeat of the first student is no new student.
    assert_eq!(etl.state().students().len(), 3);
    let Ok(mut export) = Export::begin(
        &etl,
        FileKind::Attendance,
        "a.csv",
        ExportOptions::default(),
    ) else {
        panic!("export did not begin");
    };
    export.feed(&etl, attendance.as_bytes());
    export.finish(&etl);
    let csv = String::from_utf8_lossy(export.csv_buf()).into_owned();
    let hashes: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .collect();
    let own =
        |college: &str, roll: &str, dob: &str| student_hash(&HashMode::Sha256, college, roll, dob);
    assert_eq!(
        hashes,
        [
            own("C1", "1001", "2005-01-01"),
            own("C2", "1001", "2005-01-01"),
            own("C1", "1002", "2005-02-02")
        ],
        "{csv}"
    );
    assert_eq!(export.n_rows(), 3);
}
