//! Scratch: time phases of the pipeline on the 1M set written by `--example bench -- DIR`.

use std::time::Instant;

use campus_csv::{CsvReader, OnRow, ReadOptions, Row};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_default();
    let bytes = std::fs::read(format!("{dir}/attendance_2024_odd.csv")).unwrap_or_default();
    let start = Instant::now();
    let mut reader = CsvReader::new(ReadOptions::new("a.csv"));
    let mut n = 0u64;
    let mut handler = OnRow(|row: &Row<'_>| n += row.len() as u64);
    for chunk in bytes.chunks(1 << 20) {
        reader.feed(chunk, &mut handler);
    }
    reader.finish(&mut handler);
    println!("read only: {:.3} s ({n} fields)", start.elapsed().as_secs_f64());
    let start = Instant::now();
    let mut inferrer = None;
    let mut reader = CsvReader::new(ReadOptions::new("a.csv"));
    let mut handler = OnRow(|row: &Row<'_>| {
        let inf = inferrer.get_or_insert_with(|| campus_csv::infer::Inferrer::new(&["a", "b", "c", "d", "e", "f"]));
        inf.observe(row.fields());
    });
    for chunk in bytes.chunks(1 << 20) {
        reader.feed(chunk, &mut handler);
    }
    reader.finish(&mut handler);
    println!("read + infer: {:.3} s", start.elapsed().as_secs_f64());
    let start = Instant::now();
    let mut etl = campus_etl::Etl::new(campus_etl::EtlOptions::default());
    let students = std::fs::read(format!("{dir}/students_master.csv")).unwrap_or_default();
    let _ = etl.load(campus_etl::FileKind::Students, "s", &students);
    let _ = etl.load(campus_etl::FileKind::Attendance, "a", &bytes);
    println!("etl students + attendance: {:.3} s", start.elapsed().as_secs_f64());
}
