//! The lesson's outputs natively: the exports zip holds, at the places it says, exactly the
//! bytes the CLI writes file by file, and reads back as a zip; the sessions job writes the
//! sessions file.

use std::io::Read;

use campus_gen::Config;
use campus_gen::exports::{ANSWER_KEY, Dirt, ExportId, ExportOptions, Exports};
use campus_schema::Dataset;

use super::{AnswerKey, lesson_sessions};
use crate::drive;
use crate::generate::{EXPORTS_ZIP_FILE, Event, GenerateService, Request, SESSIONS_FILE, Summary};

fn config(seed: u64, students: u64) -> Config {
    Config {
        seed,
        ..Config::scaled(students)
    }
}

/// Runs a request with small chunks: the file's name, its bytes and the summary.
fn run(request: Request) -> (String, Vec<u8>, Summary) {
    let mut service = GenerateService::with_chunk_bytes(7_000);
    let (mut name, mut bytes, mut summary) = (String::new(), Vec::new(), None);
    let outcome = drive(&mut service, request, |event| {
        match event {
            Event::File { name: n } => name = n,
            Event::Chunk { bytes: b, .. } => bytes.extend_from_slice(&b.0),
            Event::Done(s) => summary = Some(s),
            Event::Checked { .. } => {}
        }
        true
    });
    assert!(outcome.is_ok(), "{outcome:?}");
    (name, bytes, summary.unwrap_or_default())
}

/// One export as the CLI writes it.
fn export_csv(exports: &Exports, export: ExportId) -> Vec<u8> {
    let mut csv = campus_csv::TableCsv::new(exports, export.index());
    let mut out = Vec::new();
    while csv.fill(&mut out, usize::MAX) {}
    out
}

fn answer_key(exports: &Exports) -> Vec<u8> {
    let mut key = AnswerKey::new(exports);
    let mut out = Vec::new();
    while key.fill(&mut out, 1_000) {}
    out
}

#[test]
fn the_exports_zip_holds_each_file_where_it_says() {
    for (seed, students, dirt) in [(42, 120, 0.0), (7, 300, 0.02)] {
        let options = ExportOptions {
            dirt: Dirt::uniform(dirt),
            attendance_marks_r: 0.4,
            ..ExportOptions::default()
        };
        let config = config(seed, students);
        let exports = Exports::new(config.clone(), options.clone());
        let Ok(exports) = exports else {
            panic!("{exports:?}")
        };
        let (name, zip, summary) = run(Request::Exports { config, options });
        assert_eq!(name, EXPORTS_ZIP_FILE);
        assert_eq!(summary.bytes, zip.len() as u64);
        let mut expected: Vec<(String, Vec<u8>)> = ExportId::ALL
            .iter()
            .map(|&e| (e.file_name().to_owned(), export_csv(&exports, e)))
            .collect();
        if dirt > 0.0 {
            let key = answer_key(&exports);
            assert!(key.starts_with(b"file,line,kind\n") && key.len() > 100);
            expected.push((ANSWER_KEY.to_owned(), key));
        }
        assert_eq!(summary.entries.len(), expected.len());
        assert_eq!(summary.tables.len(), expected.len());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip[..]));
        let Ok(archive) = archive.as_mut() else {
            panic!("not a zip")
        };
        for ((entry, (name, bytes)), (listed, rows)) in
            summary.entries.iter().zip(&expected).zip(&summary.tables)
        {
            assert_eq!((&entry.name, listed), (name, name));
            let slice = zip.get(entry.start as usize..entry.end as usize);
            assert!(slice == Some(&bytes[..]), "{name}: the slice is the file");
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(*rows, lines - 1, "{name}");
            let mut unzipped = Vec::new();
            let read = archive
                .by_name(name)
                .map(|mut f| f.read_to_end(&mut unzipped));
            assert!(read.is_ok() && unzipped == *bytes, "{name} reads back");
        }
    }
}

#[test]
fn the_sessions_job_writes_the_sessions_file() {
    let options = ExportOptions {
        overcrowding_rate: Some(0.2),
        ..ExportOptions::default()
    };
    let config = config(5, 200);
    let (name, bytes, summary) = run(Request::Sessions {
        config: config.clone(),
        options: options.clone(),
    });
    assert_eq!(name, SESSIONS_FILE);
    let Ok(exports) = Exports::new(config, options) else {
        panic!("exports")
    };
    let sessions = lesson_sessions(&exports);
    assert_eq!(
        bytes,
        campus_occupancy::write_csv(&sessions).as_bytes().to_vec()
    );
    assert_eq!(
        summary.tables,
        vec![(SESSIONS_FILE.to_owned(), sessions.len() as u64)]
    );
    let imported = campus_occupancy::parse_sessions(&bytes, SESSIONS_FILE);
    assert_eq!(imported.n_bad_rows, 0);
    let over = sessions
        .iter()
        .filter(|s| s.actual_attendance > s.input.venue_capacity)
        .count() as f64;
    let share = over / sessions.len() as f64;
    assert!((share - 0.2).abs() < 0.03, "{share}");
}

#[test]
fn bad_export_settings_are_refused() {
    let mut service = GenerateService::default();
    let request = Request::Exports {
        config: config(1, 50),
        options: ExportOptions {
            attendance_marks_r: 2.0,
            ..ExportOptions::default()
        },
    };
    let started = drive(&mut service, request, |_| true);
    assert!(started.is_err_and(|e| e.to_string().contains("attendance_marks_r")));
    let _ = Dataset::tables(
        &Exports::new(config(1, 50), ExportOptions::default()).unwrap_or_else(|e| panic!("{e}")),
    );
}
