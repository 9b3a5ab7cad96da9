//! The ETL's first pass, analysis, report and second pass over four arbitrary files: never a
//! panic, whatever the bytes; and the first pass read in pieces over several tasks
//! (`Etl::feed_on`) leaves the report one reader leaves. The input is the four files separated
//! by 0xFF bytes (never in UTF-8 text), the first byte choosing the chunk size.
#![no_main]

use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::{Etl, EtlOptions, FileKind, analyze, report};
use campus_schema::spread::Spread;
use libfuzzer_sys::fuzz_target;

/// Three tasks wide, run one after another, last first.
struct Backwards;

impl Spread for Backwards {
    fn width(&self) -> usize {
        3
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        (0..n_tasks).rev().for_each(task);
    }
}

/// The first pass, one by one or in pieces of at least 8 bytes over [`Backwards`].
fn first_pass(files: &[&[u8]], chunk: usize, spread: bool) -> Etl {
    let mut etl = Etl::new(EtlOptions::default());
    etl.set_min_piece(8);
    for (bytes, kind) in files.iter().zip(FileKind::ALL) {
        if etl.begin_file(kind, "fuzz.csv").is_err() {
            break;
        }
        for piece in bytes.chunks(chunk) {
            let fed = match spread {
                true => etl.feed_on(piece, &Backwards, None),
                false => etl.feed(piece),
            };
            if fed.is_err() {
                break;
            }
        }
        let _ = etl.end_file();
    }
    etl
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let chunk = 1 + usize::from(control) * 4;
    let files: Vec<&[u8]> = rest.split(|&b| b == 0xFF).take(4).collect();
    let etl = first_pass(&files, chunk, false);
    let analysis = analyze(&etl);
    let markdown = report::markdown(&etl, &analysis);
    let spread = first_pass(&files, chunk, true);
    assert_eq!(
        format!("{:?}", etl.state().reports),
        format!("{:?}", spread.state().reports)
    );
    assert_eq!(
        format!("{:?}", etl.state().students()),
        format!("{:?}", spread.state().students())
    );
    assert_eq!(markdown, report::markdown(&spread, &analyze(&spread)));
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
