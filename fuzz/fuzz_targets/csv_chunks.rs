//! The CSV reader at any chunking: the same rows, lines, headers and errors whether a file comes
//! whole or in pieces, with any delimiter and a record limit small enough to be hit.
#![no_main]

use campus_csv::{CsvReader, ReadAll, ReadOptions, read_all};
use libfuzzer_sys::fuzz_target;

fn options(control: &[u8]) -> ReadOptions {
    let mut options = ReadOptions::new("fuzz.csv");
    options.delimiter = match control.first().copied().unwrap_or(0) % 4 {
        0 => None,
        1 => Some(b','),
        2 => Some(b';'),
        _ => Some(b'\t'),
    };
    options.max_errors = 1 + usize::from(control.get(1).copied().unwrap_or(0) % 8);
    if control.get(2).copied().unwrap_or(0) % 2 == 1 {
        options.max_record_bytes = 16 + usize::from(control.get(3).copied().unwrap_or(0));
    }
    options
}

fn chunked(bytes: &[u8], options: ReadOptions, chunk: usize) -> ReadAll {
    let mut reader = CsvReader::new(options);
    let mut rows = Vec::new();
    let mut handler = campus_csv::OnRow(|row: &campus_csv::Row<'_>| {
        rows.push((row.line, row.fields().iter().map(|f| (*f).to_owned()).collect()));
    });
    for piece in bytes.chunks(chunk.max(1)) {
        reader.feed(piece, &mut handler);
    }
    reader.finish(&mut handler);
    ReadAll {
        headers: reader.headers().cloned(),
        rows,
        errors: reader.take_errors(),
    }
}

fuzz_target!(|data: &[u8]| {
    let (control, bytes) = data.split_at(data.len().min(5));
    let whole = read_all(bytes, options(control));
    let chunk = 1 + usize::from(control.get(4).copied().unwrap_or(0) % 64);
    let pieces = chunked(bytes, options(control), chunk);
    assert_eq!(whole, pieces, "chunks of {chunk} bytes read differently");
});
