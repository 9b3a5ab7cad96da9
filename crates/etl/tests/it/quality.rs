//! Quality findings on small inline files: duplicates (rows vs keys), orphans, marks checks.

use campus_etl::{Etl, EtlOptions, FileKind, FindingKind};

const STUDENTS: &str =
    "roll_no,dob,college_code,program_code\nR-2023-1001,2005-01-01,C1,CSE\nR-2023-1002,2005-02-02,C1,CSE\n";

fn load(kind: FileKind, text: &str) -> Etl {
    let mut etl = Etl::new(EtlOptions {
        semester: campus_schema::Date::new(2024, 8, 1).zip(campus_schema::Date::new(2024, 12, 31)),
        ..EtlOptions::default()
    });
    assert!(etl.load(FileKind::Students, "s.csv", STUDENTS.as_bytes()).is_ok());
    assert!(etl.load(kind, "f.csv", text.as_bytes()).is_ok());
    etl
}

fn count(etl: &Etl, kind: FindingKind) -> u64 {
    etl.state.reports.iter().map(|r| r.findings.count(kind)).sum()
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
    let etl = load(FileKind::Attendance, &format!("{header}{a}{orphan}{orphan}{far}{far}"));
    assert_eq!((count(&etl, FindingKind::DuplicateRows), count(&etl, FindingKind::Orphans)), (2, 2));
    assert_eq!(count(&etl, FindingKind::DateOutsideSemester), 2);
    assert_eq!(count(&etl, FindingKind::StudentsWithoutAttendance), 0);
    assert_eq!(etl.cross_file_findings().count(FindingKind::StudentsWithoutAttendance), 0);
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
    assert_eq!(cross.count(FindingKind::StudentsWithoutAttendance), 0, "no attendance file, no finding");
}
