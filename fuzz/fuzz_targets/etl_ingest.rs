//! The ETL's first pass, analysis, report and second pass over four arbitrary files: never a
//! panic, whatever the bytes. The input is the four files separated by 0xFF bytes (never in UTF-8
//! text), the first byte choosing the chunk size.
#![no_main]

use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::{Etl, EtlOptions, FileKind, analyze, report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let chunk = 1 + usize::from(control) * 4;
    let files: Vec<&[u8]> = rest.split(|&b| b == 0xFF).take(4).collect();
    let mut etl = Etl::new(EtlOptions::default());
    for (bytes, kind) in files.iter().zip(FileKind::ALL) {
        if etl.begin_file(kind, "fuzz.csv").is_err() {
            return;
        }
        for piece in bytes.chunks(chunk) {
            if etl.feed(piece).is_err() {
                break;
            }
        }
        let _ = etl.end_file();
    }
    let analysis = analyze(&etl);
    let _ = report::markdown(&etl, &analysis);
    let _ = staging_ddl(&etl);
    for (bytes, kind) in files.iter().zip(FileKind::ALL) {
        if let Ok(mut export) = Export::begin(&etl, kind, "fuzz.csv", ExportOptions::default()) {
            for piece in bytes.chunks(chunk) {
                export.feed(&etl, piece);
            }
            export.finish(&etl);
        }
    }
});
