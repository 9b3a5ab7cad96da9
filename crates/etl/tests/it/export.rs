//! Transformed CSVs and staging SQL: layout, renames, de-identification, typed values.

use campus_csv::ReadOptions;
use campus_csv::read_all;
use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::{Etl, EtlOptions, FileKind};

use super::support::{read, run_fixture};

fn export(etl: &Etl, kind: FileKind, path: &str) -> (String, String) {
    let Ok(mut export) = Export::begin(etl, kind, path, ExportOptions::default()) else {
        return Default::default();
    };
    export.feed(etl, &read(path));
    export.finish(etl);
    let csv = String::from_utf8_lossy(export.csv_buf()).into_owned();
    let sql = String::from_utf8_lossy(export.sql_buf()).into_owned();
    (csv, sql)
}

#[test]
fn attendance_gains_hash_and_present_flag() {
    let (etl, _) = run_fixture(0, EtlOptions::default());
    let (csv, sql) = export(&etl, FileKind::Attendance, "aktu/attendance_2024_odd.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("student_hash,college_code,roll_no,dob,course_code,date,status,present_flag")
    );
    let first = "9e95a408762274743fa345567d390e2251c91c2bf296254dd66243a836e424d7,AKTU001,AKTU001-CSE-2023-1001,2004-08-09,BCS301,2024-08-01,A,0";
    assert_eq!(lines.next(), Some(first));
    // Orphans keep their row with an empty hash, never dropped.
    let parsed = read_all(csv.as_bytes(), ReadOptions::new("out.csv"));
    assert!(parsed.errors.is_empty());
    assert_eq!(
        parsed
            .rows
            .iter()
            .filter(|(_, r)| r.first().is_some_and(String::is_empty))
            .count(),
        1
    );
    assert!(sql.starts_with("START TRANSACTION;\nINSERT INTO `stg_attendance` (`student_hash`,`college_code`,`roll_no`,`dob`,`course_code`,`date`,`status`,`present_flag`) VALUES\n('9e95a408"));
    assert!(
        sql.contains(
            ",'AKTU001','AKTU001-CSE-2023-1001','2004-08-09','BCS301','2024-08-01','A',0)"
        )
    );
    assert!(sql.contains("(NULL,'AKTU001','AKTU001-CSE-2023-9005'"));
    assert!(sql.ends_with(";\nCOMMIT;\n"));
}

#[test]
fn exams_are_renamed_and_typed() {
    let (etl, _) = run_fixture(0, EtlOptions::default());
    let (csv, sql) = export(&etl, FileKind::Exams, "aktu/exam_results_2024_odd.csv");
    assert_eq!(
        csv.lines().next(),
        Some(
            "student_hash,college_code,roll_no,dob,course_code,internal_marks,external_marks,total_marks"
        )
    );
    // Marks are integers: bare in SQL; the blank total is NULL.
    assert!(
        sql.contains(",'BCS301',23,52,75)"),
        "{}",
        &sql[..300.min(sql.len())]
    );
    assert!(sql.contains(",NULL)"));
    let ddl = String::from_utf8_lossy(&staging_ddl(&etl)).into_owned();
    assert!(
        ddl.contains("CREATE TABLE `stg_exam_results` (\n  `student_hash` VARCHAR(64) NULL,"),
        "{ddl}"
    );
    assert!(ddl.contains("`total_marks` INT NULL"), "{ddl}");
    assert!(ddl.contains("`internal_marks` INT NOT NULL"), "{ddl}");
    assert!(ddl.contains("`dob` DATE NOT NULL"), "{ddl}");
    assert!(ddl.contains("`package_lpa` DECIMAL(3,1) NULL"), "{ddl}");
    assert!(ddl.contains("`placed` TINYINT(1) NOT NULL"), "{ddl}");
    assert!(ddl.contains("`present_flag` TINYINT(1) NOT NULL"), "{ddl}");
}

#[test]
fn deidentified_outputs_drop_roll_no_and_dob() {
    let (etl, _) = run_fixture(
        0,
        EtlOptions {
            deidentify: true,
            ..EtlOptions::default()
        },
    );
    for (kind, path) in super::support::AKTU {
        let (csv, sql) = export(&etl, kind, path);
        assert!(!csv.contains("AKTU001-CSE-2023-1001"), "{kind:?}");
        assert!(!sql.contains("2004-08-09"), "{kind:?}");
        let header = csv.lines().next().unwrap_or_default();
        assert!(
            header.starts_with("student_hash,")
                && !header.contains("roll_no")
                && !header.contains(",dob"),
            "{header}"
        );
    }
    let (csv, _) = export(&etl, FileKind::Placements, "aktu/placements_2024.csv");
    // A company name with a comma stays one quoted field.
    assert!(
        csv.contains("\"Larsen & Toubro, Ltd.\"")
            || !read("aktu/placements_2024.csv")
                .windows(7)
                .any(|w| w == b"Larsen ")
    );
}
