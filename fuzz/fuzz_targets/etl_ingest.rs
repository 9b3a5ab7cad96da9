//! The ETL's first pass, analysis, report and second pass over four arbitrary files: never a
//! panic, whatever the bytes; and the first pass read in pieces over several tasks
//! (`Etl::feed_on`), or by readers of a piece seed apart from the run (`Etl::feed_apart`, as a
//! page's helper workers read it), leaves the report one reader leaves. The input is the four
//! files separated by 0xFF bytes (never in UTF-8 text), the first byte choosing the chunk size.
#![no_main]

use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::{Etl, EtlOptions, FileKind, analyze, pieces_at_least, report};
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

/// How the first pass reads.
#[derive(Clone, Copy, PartialEq)]
enum Read {
    OneByOne,
    /// In pieces of at least 8 bytes over [`Backwards`].
    Spread,
    /// In pieces of at least 8 bytes read by two readers of the file's piece seed, in turn.
    Apart,
}

/// The first pass, read as `read` says.
fn first_pass(files: &[&[u8]], chunk: usize, read: Read) -> Etl {
    let mut etl = Etl::new(EtlOptions::default());
    etl.set_min_piece(8);
    for (bytes, kind) in files.iter().zip(FileKind::ALL) {
        if etl.begin_file(kind, "fuzz.csv").is_err() {
            break;
        }
        let mut readers = Vec::new();
        for piece in bytes.chunks(chunk) {
            let fed = match read {
                Read::OneByOne => etl.feed(piece),
                Read::Spread => etl.feed_on(piece, &Backwards, None),
                Read::Apart if readers.is_empty() => {
                    let fed = etl.feed(piece);
                    if let Some(seed) = etl.piece_seed() {
                        readers = (0..2)
                            .filter_map(|_| seed.reader(EtlOptions::default()))
                            .collect();
                    }
                    fed
                }
                Read::Apart => {
                    let pieces = (pieces_at_least(piece, 2, 8).into_iter().enumerate())
                        .filter_map(|(idx, range)| {
                            let reader = readers.get(idx % 2)?;
                            Some(reader.read(piece.get(range)?))
                        })
                        .collect();
                    etl.feed_apart(piece, pieces, None)
                }
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
    let etl = first_pass(&files, chunk, Read::OneByOne);
    let analysis = analyze(&etl);
    let markdown = report::markdown(&etl, &analysis);
    for read in [Read::Spread, Read::Apart] {
        let other = first_pass(&files, chunk, read);
        assert_eq!(
            format!("{:?}", etl.state().reports),
            format!("{:?}", other.state().reports)
        );
        assert_eq!(
            format!("{:?}", etl.state().students()),
            format!("{:?}", other.state().students())
        );
        assert_eq!(markdown, report::markdown(&other, &analyze(&other)));
    }
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
