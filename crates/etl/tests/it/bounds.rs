//! Worst cases stay bounded: per-row work is O(1) however a file is shaped.

use std::time::Instant;

use campus_etl::{Etl, EtlOptions, FileKind, FindingKind, analyze};

/// Regression: one student with 160,000 distinct course codes took 40 s, quadratic in a scan
/// of the student's courses per row. Linear, it takes well under a second in a release build.
#[test]
fn one_student_with_160000_courses_is_linear() {
    let mut etl = Etl::new(EtlOptions::default());
    let students = b"roll_no,dob,college_code,program_code\n1001,2005-01-01,C1,CSE\n";
    assert!(etl.load(FileKind::Students, "s.csv", students).is_ok());
    let n_courses = 160_000;
    let mut attendance = String::from("college_code,roll_no,dob,course_code,date,status\n");
    let mut exams = String::from("college_code,roll_no,dob,course_code,internal,external,total\n");
    for idx in 0..n_courses {
        attendance.push_str(&format!("C1,1001,2005-01-01,K{idx},2024-08-01,P\n"));
        attendance.push_str(&format!("C1,1001,2005-01-01,K{idx},2024-08-02,A\n"));
        if idx % 1000 == 0 {
            exams.push_str(&format!(
                "C1,1001,2005-01-01,K{idx},20,{},{}\n",
                idx % 70,
                20 + idx % 70
            ));
        }
    }
    let started = Instant::now();
    assert!(
        etl.load(FileKind::Attendance, "a.csv", attendance.as_bytes())
            .is_ok()
    );
    assert!(etl.load(FileKind::Exams, "e.csv", exams.as_bytes()).is_ok());
    let analysis = analyze(&etl);
    let seconds = started.elapsed().as_secs_f64();
    assert!(seconds < 20.0, "took {seconds:.1} s");
    let state = etl.state();
    assert_eq!(
        state.students().first().map(|s| s.courses.len()),
        Some(n_courses)
    );
    for course in [0, 17, 159_999] {
        let id = state
            .courses
            .names
            .iter()
            .position(|n| *n == format!("K{course}"));
        let agg = id.and_then(|id| state.attendance(0, id as u32));
        assert_eq!(
            agg.map(|a| (a.n_rows, a.n_present)),
            Some((2, 1)),
            "K{course}"
        );
    }
    // Every exam pair found its attendance: 50 % each.
    assert_eq!(analysis.n_complete_pairs, 160);
}

/// Regression: a file of distinct unknown keys grew the duplicate check with every row.
#[test]
fn the_duplicate_check_of_unknown_keys_is_capped_and_reported() {
    let options = EtlOptions {
        max_tracked_keys: 100,
        ..EtlOptions::default()
    };
    let mut etl = Etl::new(options);
    let students = b"roll_no,dob,college_code,program_code\n1001,2005-01-01,C1,CSE\n";
    assert!(etl.load(FileKind::Students, "s.csv", students).is_ok());
    let mut attendance = String::from("college_code,roll_no,dob,course_code,date,status\n");
    for idx in 0..1000 {
        attendance.push_str(&format!("C1,X{idx},2005-01-01,K1,2024-08-01,P\n"));
    }
    // A repeat of an early key is still found.
    attendance.push_str("C1,X5,2005-01-01,K1,2024-08-01,P\n");
    let Ok(report) = etl.load(FileKind::Attendance, "a.csv", attendance.as_bytes()) else {
        panic!("the attendance file did not load");
    };
    assert_eq!(report.findings.count(FindingKind::Orphans), 1001);
    assert_eq!(
        report.findings.count(FindingKind::NotCheckedForDuplicates),
        900
    );
    assert_eq!(report.findings.count(FindingKind::DuplicateRows), 1);
}

/// Regression: two students with the same (roll_no, dob) and different college codes; the
/// second row's staging hash was the first's, which is not the hash of its own fields.
#[test]
fn a_conflicting_duplicate_key_is_reported_and_hashed_from_its_own_fields() {
    use campus_etl::export::{Export, ExportOptions};
    use campus_etl::student_hash;

    let students = "roll_no,dob,college_code,program_code\n1001,2005-01-01,C1,CSE\n1001,2005-01-01,C2,ECE\n1001,2005-01-01,C1,CSE\n";
    let mut etl = Etl::new(EtlOptions::default());
    let Ok(report) = etl.load(FileKind::Students, "s.csv", students.as_bytes()) else {
        panic!("students did not load");
    };
    // The third row repeats the first exactly: a duplicate, not a conflict.
    assert_eq!(
        report.findings.count(FindingKind::ConflictingDuplicateKeys),
        1
    );
    assert_eq!(report.findings.count(FindingKind::DuplicateKeys), 2);
    let Ok(mut export) = Export::begin(&etl, FileKind::Students, "s.csv", ExportOptions::default())
    else {
        panic!("export did not begin");
    };
    export.feed(&etl, students.as_bytes());
    export.finish(&etl);
    let csv = String::from_utf8_lossy(export.csv_buf()).into_owned();
    let hashes: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .collect();
    let own =
        |college: &str| student_hash(&campus_etl::HashMode::Sha256, college, "1001", "2005-01-01");
    assert_eq!(hashes, [own("C1"), own("C2"), own("C1")], "{csv}");
}
