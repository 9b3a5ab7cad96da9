//! Shared helpers: fixture paths and running the whole pipeline in chunks of a given size.

use std::path::PathBuf;

use campus_etl::analysis::{Analysis, analyze};
use campus_etl::{Etl, EtlOptions, FileKind};

pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

pub fn read(path: &str) -> Vec<u8> {
    std::fs::read(data(path)).unwrap_or_default()
}

pub const AKTU: [(FileKind, &str); 4] = [
    (FileKind::Students, "aktu/students_master.csv"),
    (FileKind::Attendance, "aktu/attendance_2024_odd.csv"),
    (FileKind::Exams, "aktu/exam_results_2024_odd.csv"),
    (FileKind::Placements, "aktu/placements_2024.csv"),
];

/// Feeds `bytes` in chunks of `chunk` bytes (0 = whole).
pub fn feed_chunked(etl: &mut Etl, kind: FileKind, name: &str, bytes: &[u8], chunk: usize) {
    assert_eq!(etl.begin_file(kind, name), Ok(()));
    let size = if chunk == 0 {
        bytes.len().max(1)
    } else {
        chunk
    };
    for piece in bytes.chunks(size) {
        assert_eq!(etl.feed(piece), Ok(()));
    }
    assert!(etl.end_file().is_ok());
}

/// Loads the four fixture files and analyses them.
pub fn run_fixture(chunk: usize, options: EtlOptions) -> (Etl, Analysis) {
    let mut etl = Etl::new(options);
    for (kind, path) in AKTU {
        feed_chunked(
            &mut etl,
            kind,
            path.rsplit('/').next().unwrap_or(path),
            &read(path),
            chunk,
        );
    }
    let analysis = analyze(&etl);
    (etl, analysis)
}

pub fn pandas_reference() -> serde_json::Value {
    serde_json::from_slice(&read("aktu/pandas_reference.json")).unwrap_or_default()
}
