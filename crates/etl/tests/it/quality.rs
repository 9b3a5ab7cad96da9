//! Quality findings on small inline files: duplicates (rows vs keys), orphans, marks checks;
//! and the same counts whatever the order of the attendance rows.

use campus_etl::{Etl, EtlOptions, FileKind, FindingKind};

const STUDENTS: &str = "roll_no,dob,college_code,program_code\nR-2023-1001,2005-01-01,C1,CSE\nR-2023-1002,2005-02-02,C1,CSE\n";

fn load(kind: FileKind, text: &str) -> Etl {
    let mut etl = Etl::new(EtlOptions {
        semester: campus_schema::Date::new(2024, 8, 1).zip(campus_schema::Date::new(2024, 12, 31)),
        ..EtlOptions::default()
    });
    assert!(
        etl.load(FileKind::Students, "s.csv", STUDENTS.as_bytes())
            .is_ok()
    );
    assert!(etl.load(kind, "f.csv", text.as_bytes()).is_ok());
    etl
}

fn count(etl: &Etl, kind: FindingKind) -> u64 {
    etl.state()
        .reports
        .iter()
        .map(|r| r.findings.count(kind))
        .sum()
}

#[test]
fn attendance_duplicates_tell_rows_from_keys() {
    let header = "college_code,roll_no,dob,course_code,date,status\n";
    let a = "C1,R-2023-1001,2005-01-01,X1,2024-08-01,P\n";
    let b = "C1,R-2023-1001,2005-01-01,X1,2024-08-01,A\n";
    // a, b, b: the third row repeats the second (not the first) and is still a duplicate row.
    let etl = load(FileKind::Attendance, &format!("{header}{a}{b}{b}{a}"));
    assert_eq!(count(&etl, FindingKind::DuplicateKeys), 3);
    assert_eq!(count(&etl, FindingKind::DuplicateRows), 2);
    // Orphans and far-away dates take the map path and are still found.
    let orphan = "C1,R-2023-9999,2005-01-01,X1,2024-08-01,P\n";
    let far = "C1,R-2023-1002,2005-02-02,X1,2031-01-01,P\n";
    let etl = load(
        FileKind::Attendance,
        &format!("{header}{a}{orphan}{orphan}{far}{far}"),
    );
    assert_eq!(
        (
            count(&etl, FindingKind::DuplicateRows),
            count(&etl, FindingKind::Orphans)
        ),
        (2, 2)
    );
    assert_eq!(count(&etl, FindingKind::DateOutsideSemester), 2);
    assert_eq!(count(&etl, FindingKind::StudentsWithoutAttendance), 0);
    assert_eq!(
        etl.cross_file_findings()
            .count(FindingKind::StudentsWithoutAttendance),
        0
    );
}

#[test]
fn a_day_before_the_first_is_still_checked() {
    let header = "college_code,roll_no,dob,course_code,date,status\n";
    let row = |date: &str, status: &str| format!("C1,R-2023-1001,2005-01-01,X1,{date},{status}\n");
    let text = [
        row("2024-08-05", "P"),
        row("2024-08-01", "P"),
        row("2024-08-01", "A"),
        row("2024-08-01", "P"),
    ];
    let etl = load(FileKind::Attendance, &format!("{header}{}", text.concat()));
    assert_eq!(count(&etl, FindingKind::DuplicateKeys), 2);
    assert_eq!(count(&etl, FindingKind::DuplicateRows), 1);
}

/// The lookup guesses the previous student, then the next one: a guess must match both key
/// fields, as students may share a roll number and differ only in their birth date.
#[test]
fn a_student_is_found_by_both_key_fields() {
    let students =
        "roll_no,dob,college_code,program_code\nR1,2005-01-01,C1,CSE\nR1,2005-02-02,C1,CSE\n";
    let header = "college_code,roll_no,dob,course_code,date,status\n";
    let rows = [
        "C1,R1,2005-01-01,X1,2024-08-01,P\n",
        "C1,R1,2009-09-09,X1,2024-08-01,P\n",
        "C1,R1,2005-02-02,X1,2024-08-01,A\n",
    ];
    let mut etl = Etl::new(EtlOptions::default());
    assert!(
        etl.load(FileKind::Students, "s.csv", students.as_bytes())
            .is_ok()
    );
    assert!(
        etl.load(
            FileKind::Attendance,
            "a.csv",
            format!("{header}{}", rows.concat()).as_bytes()
        )
        .is_ok()
    );
    assert_eq!(count(&etl, FindingKind::Orphans), 1);
    let attendance: Vec<(u32, u32)> = etl
        .state()
        .students()
        .iter()
        .map(|s| (s.n_attendance, s.n_present))
        .collect();
    assert_eq!(attendance, [(1, 1), (1, 0)]);
}

/// Attendance is indexed for exports sorted by date (see `AttendanceAgg`, `EtlState::lookup`);
/// any other order must give the same counts and the same correlation.
#[test]
fn attendance_order_changes_nothing_but_lines() {
    use campus_etl::sample::{SampleOptions, generate};
    let files = generate(&SampleOptions {
        dirty: true,
        sessions_per_course: 12,
        ..SampleOptions::default()
    });
    let text = String::from_utf8_lossy(&files.attendance).into_owned();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let orders: [Vec<&str>; 3] = [
        lines.clone(),
        lines.iter().rev().copied().collect(),
        // By student, then course: each student's rows together, days in file order.
        {
            let mut by_student = lines.clone();
            by_student.sort_by_key(|line| line.split(',').skip(1).take(3).collect::<Vec<_>>());
            by_student
        },
    ];
    let mut results = Vec::new();
    for order in &orders {
        let attendance = format!("{header}\n{}\n", order.join("\n"));
        let mut etl = Etl::new(EtlOptions::default());
        for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL) {
            let bytes = if kind == FileKind::Attendance {
                attendance.as_bytes()
            } else {
                bytes
            };
            assert!(etl.load(kind, name, bytes).is_ok());
        }
        // Per file: findings are listed in first-seen order, which may change, so sorted.
        let counts: Vec<Vec<(FindingKind, u64)>> = etl
            .state()
            .reports
            .iter()
            .map(|r| {
                let mut counts: Vec<_> =
                    r.findings.items.iter().map(|f| (f.kind, f.count)).collect();
                counts.sort();
                counts
            })
            .collect();
        let analysis = campus_etl::analyze(&etl);
        results.push((
            counts,
            analysis.pearson,
            analysis.pairs.len(),
            etl.cross_file_findings().items.len(),
        ));
    }
    let Some(first) = results.first() else { return };
    assert!(results.iter().all(|r| r == first), "{results:?}");
    let attendance = first.0.get(1).cloned().unwrap_or_default();
    let has = |kind: FindingKind| attendance.iter().any(|&(k, n)| k == kind && n > 0);
    assert!(
        has(FindingKind::DuplicateRows)
            && has(FindingKind::DuplicateKeys)
            && has(FindingKind::Orphans)
    );
}

#[test]
fn exam_marks_are_checked() {
    let text = "college_code,roll_no,dob,course_code,internal,external,total\n\
                C1,R-2023-1001,2005-01-01,X1,20,50,70\n\
                C1,R-2023-1001,2005-01-01,X2,31,50,81\n\
                C1,R-2023-1001,2005-01-01,X3,20,50,75\n\
                C1,R-2023-1001,2005-01-01,X4,20,50,\n\
                C1,R-2023-1001,2005-01-01,X5,twenty,50,70\n";
    let etl = load(FileKind::Exams, text);
    assert_eq!(count(&etl, FindingKind::MarksOutOfRange), 1);
    assert_eq!(count(&etl, FindingKind::TotalMismatch), 1);
    assert_eq!(count(&etl, FindingKind::BlankTotal), 1);
    assert_eq!(count(&etl, FindingKind::InvalidNumber), 1);
    let cross = etl.cross_file_findings();
    assert_eq!(
        cross.count(FindingKind::StudentsWithoutAttendance),
        0,
        "no attendance file, no finding"
    );
}

/// pandas reads `inf`, `-inf` and `infinity` marks as infinite numbers, which make every mean
/// and correlation they touch inf or NaN. Here they are not finite marks: each is counted as a
/// mark that is not a number and left out like a blank, never taken silently.
#[test]
fn infinite_marks_are_counted_not_taken() {
    let text = "college_code,roll_no,dob,course_code,internal,external,total\n\
                C1,R-2023-1001,2005-01-01,X1,20,50,inf\n\
                C1,R-2023-1001,2005-01-01,X2,-inf,50,70\n\
                C1,R-2023-1001,2005-01-01,X3,20,Infinity,70\n\
                C1,R-2023-1001,2005-01-01,X4,20,50,70\n";
    let etl = load(FileKind::Exams, text);
    assert_eq!(count(&etl, FindingKind::InvalidNumber), 3);
    assert!(FindingKind::InvalidNumber.describe().contains("inf"));
    let analysis = campus_etl::analysis::analyze(&etl);
    // The infinite total is missing, not infinite: the other pairs keep finite marks.
    assert!(
        analysis.pairs.iter().all(|p| !p.total_marks.is_infinite()),
        "{:?}",
        analysis.pairs
    );
}
