//! Slices exported apart, from a seed that crossed a serialisation, and appended in order give
//! the one-pass export's bytes: at several slice sizes, over quoted line breaks, CRLF and CR
//! lines, rows the reader rejects, keys with several students, a BOM and an unclosed quote.

use super::*;
use crate::EtlOptions;
use crate::sample::{SampleOptions, generate};
use campus_sql::Dialect;

/// The value of a call that must succeed here.
pub(crate) fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(err) => panic!("{err:?}"),
    }
}

/// A run's files as (kind, name, bytes), students first.
pub(crate) type Files = Vec<(FileKind, String, Vec<u8>)>;

/// Pass one over `files` in `chunk`-byte chunks, with a cutter cutting every `every` bytes
/// beside each file; the run and each file's slicing.
fn first_pass(
    files: &Files,
    options: &EtlOptions,
    chunk: usize,
    every: u64,
) -> (Etl, Vec<Option<Slicing>>) {
    let mut etl = Etl::new(options.clone());
    let mut slicings = Vec::new();
    for (kind, name, bytes) in files {
        ok(etl.begin_file(*kind, name));
        let mut cutter = Cutter::new(&etl, *kind, name, every);
        for piece in bytes.chunks(chunk.max(1)) {
            ok(etl.feed(piece));
            cutter.feed(piece);
        }
        ok(etl.end_file());
        slicings.push(cutter.finish());
    }
    (etl, slicings)
}

/// The outputs of pass two over each usable file: (csv, sql) in file order.
pub(crate) fn one_pass(etl: &Etl, files: &Files, dialect: Dialect) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for (file, (kind, name, bytes)) in files.iter().enumerate() {
        if etl.state().reports.get(file).is_none_or(|r| r.unusable) {
            out.push(Default::default());
            continue;
        }
        let options = ExportOptions {
            dialect,
            ..ExportOptions::default()
        };
        let mut export = ok(Export::begin(etl, *kind, name, options));
        for piece in bytes.chunks(1000) {
            export.feed(etl, piece);
        }
        export.finish(etl);
        out.push((
            std::mem::take(export.csv_buf()),
            std::mem::take(export.sql_buf()),
        ));
    }
    out
}

/// Pass two over each usable file by slices, odd slices by a worker seeded through JSON and
/// the others by the run itself; appended in order.
pub(crate) fn sliced(
    etl: &Etl,
    files: &Files,
    slicings: &[Option<Slicing>],
    dialect: Dialect,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for (file, (kind, name, bytes)) in files.iter().enumerate() {
        if etl.state().reports.get(file).is_none_or(|r| r.unusable) {
            out.push(Default::default());
            continue;
        }
        // A file without a slicing is exported in one pass (a shell does not spread it).
        let Some(Some(slicing)) = slicings.get(file) else {
            out.extend(one_pass(
                etl,
                &vec![(*kind, name.clone(), bytes.clone())],
                dialect,
            ));
            continue;
        };
        let seed = ExportSeed::of(etl, *kind);
        let json = ok(serde_json::to_string(&seed));
        let seed: ExportSeed = ok(serde_json::from_str(&json));
        let helper = seed.etl(etl.options().clone());
        let header = &bytes[..slicing.header_end as usize];
        let (mut csv, mut sql) = (Vec::new(), Vec::new());
        for (idx, cut) in slicing.cuts.iter().enumerate() {
            let end = slicing
                .cuts
                .get(idx + 1)
                .map_or(bytes.len(), |next| next.offset as usize);
            let slice = Slice {
                header,
                bytes: &bytes[cut.offset as usize..end],
                first_row: cut.first_row,
                last: idx + 1 == slicing.cuts.len(),
            };
            let options = ExportOptions {
                csv_header: idx == 0,
                dialect,
                ..ExportOptions::default()
            };
            let worker = if idx % 2 == 1 { &helper } else { etl };
            let part = ok(export_slice(worker, *kind, name, options, &slice));
            csv.extend(part.csv);
            sql.extend(part.sql);
        }
        out.push((csv, sql));
    }
    out
}

/// Checks that every slicing of `files` exports the one-pass bytes; returns the most slices
/// one file had.
fn check(files: &Files, options: &EtlOptions, dialect: Dialect) -> usize {
    let mut most = 0;
    for every in [1, 7, 64, 333, 4096, 1 << 20] {
        for chunk in [5, 4096, 1 << 22] {
            let (etl, slicings) = first_pass(files, options, chunk, every);
            let expected = one_pass(&etl, files, dialect);
            let got = sliced(&etl, files, &slicings, dialect);
            for (file, (want, have)) in expected.iter().zip(&got).enumerate() {
                let name = &files[file].1;
                assert!(
                    want.0 == have.0,
                    "{name}: CSV differs, slices every {every} bytes, chunks of {chunk}:\n{}\n---\n{}",
                    String::from_utf8_lossy(&want.0),
                    String::from_utf8_lossy(&have.0)
                );
                assert!(
                    want.1 == have.1,
                    "{name}: SQL differs, slices every {every} bytes, chunks of {chunk}:\n{}\n---\n{}",
                    String::from_utf8_lossy(&want.1),
                    String::from_utf8_lossy(&have.1)
                );
            }
            let n = slicings.iter().flatten().map(|s| s.cuts.len());
            most = most.max(n.max().unwrap_or(0));
        }
    }
    most
}

pub(crate) fn sample_files(dirty: bool) -> Files {
    let sample = generate(&SampleOptions {
        students_per_program: 4,
        sessions_per_course: 6,
        dirty,
        ..SampleOptions::default()
    });
    sample
        .files()
        .into_iter()
        .zip(FileKind::ALL)
        .map(|((name, bytes), kind)| (kind, name.to_owned(), bytes.to_vec()))
        .collect()
}

#[test]
fn slices_of_the_sample_export_the_one_pass_bytes() {
    for dirty in [false, true] {
        let files = sample_files(dirty);
        let most = check(&files, &EtlOptions::default(), Dialect::MySql);
        assert!(most > 100, "the sample was cut in {most} slices at most");
    }
}

#[test]
fn slices_in_other_dialects_keyed_and_deidentified() {
    let files = sample_files(true);
    let options = EtlOptions {
        hash: crate::HashMode::Keyed {
            secret: b"s3cret".to_vec(),
        },
        deidentify: true,
        ..EtlOptions::default()
    };
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        check(&files, &options, dialect);
    }
}

const STUDENTS: &str = "college_code,roll_no,dob,program_code\n\
    C1,1001,2003-01-02,BT\n\
    C2,1001,2003-01-02,BT\n\
    C3,1001,2003-01-02,BT\n\
    C1,1002,2003-05-06,BT\n\
    C1,\"10\n03\",2003-07-08,MB\n";

/// Attendance with quoted line breaks, a key of three students, rejected rows and orphans.
fn attendance(line_end: &str) -> String {
    let mut text = format!("\u{feff}college_code,roll_no,dob,course_code,date,status{line_end}");
    for day in 1..=40 {
        let date = format!("2024-08-{:02}", day % 28 + 1);
        let rows = [
            format!("C1,1001,2003-01-02,CS101,{date},P"),
            format!("C1,1002,2003-05-06,\"CS\n102\",{date},A"),
            format!("C1,\"10\n03\",2003-07-08,CS101,{date},\"P\""),
            format!("C9,9999,2000-01-01,CS101,{date},P"),
            "C1,1002,ragged".to_owned(),
            format!("C1,\"say \"\"hi\"\"\r\nthere\",2003-05-06,CS101,{date},A"),
            String::new(),
        ];
        for row in rows {
            text.push_str(&row);
            text.push_str(line_end);
        }
    }
    text
}

#[test]
fn quoted_line_breaks_rejected_rows_and_twins_cut_anywhere() {
    for line_end in ["\n", "\r\n", "\r"] {
        let mut attendance = attendance(line_end).into_bytes();
        // A field that is not UTF-8: the row is rejected in the slice as in the file.
        attendance.extend_from_slice(b"C1,1001,2003-01-02,\xff\xfe,2024-08-01,P");
        attendance.extend_from_slice(line_end.as_bytes());
        attendance.extend_from_slice(b"C1,1001,2003-01-02,CS101,2024-08-02,A");
        let files = vec![
            (
                FileKind::Students,
                "s.csv".to_owned(),
                STUDENTS.as_bytes().to_vec(),
            ),
            (FileKind::Attendance, "a.csv".to_owned(), attendance),
        ];
        let most = check(&files, &EtlOptions::default(), Dialect::MySql);
        // A file of CR line ends has no `\n` until a quoted one: its header is read with data
        // rows, so it is not cut (and goes to one worker).
        if line_end != "\r" {
            assert!(most >= 100, "{line_end:?}: {most} slices at most");
        }
    }
}

#[test]
fn an_unclosed_quote_ends_the_last_slice_where_it_ends_the_file() {
    let mut attendance = attendance("\n");
    attendance.push_str("C1,1001,2003-01-02,\"CS101,2024-08-01,P\n");
    attendance.push_str(&attendance.clone());
    let files = vec![
        (
            FileKind::Students,
            "s.csv".to_owned(),
            STUDENTS.as_bytes().to_vec(),
        ),
        (
            FileKind::Attendance,
            "a.csv".to_owned(),
            attendance.into_bytes(),
        ),
    ];
    check(&files, &EtlOptions::default(), Dialect::MySql);
}

#[test]
fn a_file_without_a_usable_header_has_no_slicing() {
    let files = vec![
        (
            FileKind::Students,
            "s.csv".to_owned(),
            STUDENTS.as_bytes().to_vec(),
        ),
        (
            FileKind::Attendance,
            "a.csv".to_owned(),
            b"foo,bar\n1,2\n".to_vec(),
        ),
    ];
    let (_, slicings) = first_pass(&files, &EtlOptions::default(), 3, 1);
    assert!(slicings[0].is_some());
    assert_eq!(slicings[1], None);
}

#[test]
fn the_cuts_name_the_staging_rows_before_them() {
    // Three data rows of one line each; the key 1001 has three students, so its rows make three
    // staging rows.
    let files = vec![
        (
            FileKind::Students,
            "s.csv".to_owned(),
            STUDENTS.as_bytes().to_vec(),
        ),
        (
            FileKind::Attendance,
            "a.csv".to_owned(),
            b"college_code,roll_no,dob,course_code,date,status\n\
              C1,1001,2003-01-02,CS101,2024-08-01,P\n\
              C1,1002,2003-05-06,CS101,2024-08-01,P\n\
              C1,1001,2003-01-02,CS101,2024-08-02,P\n"
                .to_vec(),
        ),
    ];
    let (_, slicings) = first_pass(&files, &EtlOptions::default(), 1 << 20, 1);
    let Some(slicing) = &slicings[1] else {
        panic!("no slicing")
    };
    assert_eq!(slicing.header_end, 49);
    let rows: Vec<u64> = slicing.cuts.iter().map(|c| c.first_row).collect();
    assert_eq!(rows, [0, 3, 4, 7]);
}

#[test]
fn a_column_mapping_and_another_delimiter_cut_alike() {
    // Renamed key columns, statuses recoded from Y/N, `;` between fields: the cutter reads the
    // file as the export does.
    let students = STUDENTS.replace(',', ";").replace("roll_no", "enrolment");
    let mut attendance = String::from("college_code;enrolment;dob;course_code;date;attended\n");
    for day in 1..=60 {
        let date = format!("2024-09-{:02}", day % 28 + 1);
        for (roll, status) in [
            ("1001", "Y"),
            ("1002", "N"),
            ("\"10\n03\"", "Y"),
            ("7", "N"),
        ] {
            let dob = match roll {
                "1001" => "2003-01-02",
                "1002" => "2003-05-06",
                _ => "2003-07-08",
            };
            attendance.push_str(&format!("C1;{roll};{dob};CS101;{date};{status}\n"));
        }
    }
    let mut columns = ColumnMap::default();
    columns.set(crate::Role::RollNo, "enrolment");
    columns.set(crate::Role::Status, "attended");
    ok(columns.set_status_values("Y", "N"));
    let options = EtlOptions {
        columns,
        delimiter: Some(b';'),
        ..EtlOptions::default()
    };
    let files = vec![
        (
            FileKind::Students,
            "s.csv".to_owned(),
            students.into_bytes(),
        ),
        (
            FileKind::Attendance,
            "a.csv".to_owned(),
            attendance.into_bytes(),
        ),
    ];
    let (etl, _) = first_pass(&files, &options, 1 << 20, 1 << 20);
    assert!(
        etl.state().reports.iter().all(|r| !r.unusable),
        "the mapping fits the files"
    );
    assert!(check(&files, &options, Dialect::MySql) > 100);
}
