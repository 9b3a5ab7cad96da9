//! Results are identical whatever the chunk sizes: analysis bits, report text, exported bytes.

use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::report::markdown;
use campus_etl::{Etl, EtlOptions};

use super::support::{AKTU, read, run_fixture};

/// Every output of a run, as bytes.
fn outputs(etl: &Etl, chunk: usize) -> Vec<Vec<u8>> {
    let mut all = vec![staging_ddl(etl)];
    for (kind, path) in AKTU {
        let Ok(mut export) = Export::begin(etl, kind, path, ExportOptions::default()) else {
            all.push(b"export failed".to_vec());
            continue;
        };
        let bytes = read(path);
        let (mut csv, mut sql) = (Vec::new(), Vec::new());
        for piece in bytes.chunks(if chunk == 0 { bytes.len() } else { chunk }) {
            export.feed(etl, piece);
            // Drain as a worker would, to prove draining does not change the bytes.
            csv.append(export.csv_buf());
            sql.append(export.sql_buf());
        }
        export.finish(etl);
        csv.append(export.csv_buf());
        sql.append(export.sql_buf());
        all.push(csv);
        all.push(sql);
    }
    all
}

#[test]
fn chunk_sizes_do_not_change_anything() {
    let (etl, analysis) = run_fixture(0, EtlOptions::default());
    let report = markdown(&etl, &analysis);
    let expected_outputs = outputs(&etl, 0);
    for chunk in [1, 2, 3, 7, 64] {
        let (etl_c, analysis_c) = run_fixture(chunk, EtlOptions::default());
        assert_eq!(
            analysis_c.pearson.map(f64::to_bits),
            analysis.pearson.map(f64::to_bits),
            "chunk {chunk}"
        );
        // Debug text, because NaN != NaN would fail a plain comparison of equal results.
        assert!(
            format!("{analysis_c:?}") == format!("{analysis:?}"),
            "chunk {chunk}"
        );
        assert!(markdown(&etl_c, &analysis_c) == report, "chunk {chunk}");
        assert!(outputs(&etl_c, chunk) == expected_outputs, "chunk {chunk}");
    }
}

/// Tasks run last first, `width` at a time: the order a pool may run them in.
struct Reversed(usize);

impl campus_schema::spread::Spread for Reversed {
    fn width(&self) -> usize {
        self.0
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        (0..n_tasks).rev().for_each(task);
    }
}

/// A dirty sample with students who share a key with another college's student, so rows of
/// the other files join more than once; the attendance file ends without a line break.
fn joined_sample() -> Vec<(campus_etl::FileKind, Vec<u8>)> {
    use campus_etl::sample::{SampleOptions, generate};
    let files = generate(&SampleOptions {
        dirty: true,
        ..SampleOptions::default()
    });
    let mut students = String::from_utf8_lossy(&files.students).into_owned();
    let header: Vec<&str> = students.lines().next().unwrap_or("").split(',').collect();
    let college = header.iter().position(|h| h.trim() == "college_code");
    let twins: Vec<String> = (students.lines().skip(1).step_by(7).take(20))
        .map(|line| {
            let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
            if let Some(field) = college.and_then(|c| fields.get_mut(c)) {
                *field = "ZZ9".to_owned();
            }
            fields.join(",")
        })
        .collect();
    for twin in twins {
        students.push_str(&twin);
        students.push('\n');
    }
    let mut attendance = files.attendance.clone();
    while attendance
        .last()
        .is_some_and(|b| matches!(b, b'\n' | b'\r'))
    {
        attendance.pop();
    }
    vec![
        (campus_etl::FileKind::Students, students.into_bytes()),
        (campus_etl::FileKind::Attendance, attendance),
        (campus_etl::FileKind::Exams, files.exams.clone()),
        (campus_etl::FileKind::Placements, files.placements.clone()),
    ]
}

/// Every staging CSV and INSERT script of the files, with the rows and orphans counted.
fn exported(
    etl: &Etl,
    files: &[(campus_etl::FileKind, Vec<u8>)],
    chunk: usize,
    spread: &dyn campus_schema::spread::Spread,
) -> Vec<(Vec<u8>, Vec<u8>, u64, u64)> {
    let mut all = Vec::new();
    for (kind, bytes) in files {
        let Ok(mut export) = Export::begin(etl, *kind, "f.csv", ExportOptions::default()) else {
            panic!("{kind:?} did not begin");
        };
        let (mut csv, mut sql) = (Vec::new(), Vec::new());
        for piece in bytes.chunks(chunk) {
            export.feed_on(etl, piece, spread);
            csv.append(export.csv_buf());
            sql.append(export.sql_buf());
        }
        export.finish(etl);
        csv.append(export.csv_buf());
        sql.append(export.sql_buf());
        all.push((csv, sql, export.n_rows(), export.n_orphans()));
    }
    all
}

#[test]
fn rows_written_in_batches_on_any_spread_are_the_rows_written_one_by_one() {
    let files = joined_sample();
    let mut etl = Etl::new(EtlOptions::default());
    for (kind, bytes) in &files {
        if let Err(err) = etl.load(*kind, "f.csv", bytes) {
            panic!("{kind:?}: {err}");
        }
    }
    let expected = exported(&etl, &files, usize::MAX, &campus_schema::spread::OneByOne);
    let (_, attendance_sql, n_attendance, n_orphans) = &expected[1];
    // The sample's twins join more attendance rows than there are lines, and has orphans.
    let n_lines = files[1].1.split(|&b| b == b'\n').count() as u64;
    assert!(
        *n_attendance > n_lines,
        "{n_attendance} rows from {n_lines} lines"
    );
    assert!(*n_orphans > 0);
    assert!(attendance_sql.ends_with(b"COMMIT;\n"));
    for width in [2, 3, 8] {
        for chunk in [4096, 100_000, 1 << 20, usize::MAX] {
            let got = exported(&etl, &files, chunk, &Reversed(width));
            for (idx, (got, want)) in got.iter().zip(&expected).enumerate() {
                assert!(got == want, "file {idx}, width {width}, chunk {chunk}");
            }
        }
    }
}
