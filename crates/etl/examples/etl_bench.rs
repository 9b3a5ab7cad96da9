//! One-shot throughput of read + hash + join + correlate on 1,000,000 attendance rows.
//!
//! `cargo run --release -p campus_etl --example etl_bench [-- DIR]`: generates the set (and writes it
//! to DIR for `benches/pandas_bench.py`), then reports rows/s and MB/s.

use std::time::Instant;

use campus_etl::sample::{SampleOptions, generate};
use campus_etl::{Etl, EtlOptions, FileKind, analyze};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = generate(&SampleOptions::million_attendance_rows());
    if let Some(dir) = std::env::args().nth(1) {
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in files.files() {
            std::fs::write(std::path::Path::new(&dir).join(name), bytes)?;
        }
    }
    let inputs: Vec<_> = files
        .files()
        .into_iter()
        .zip(FileKind::ALL)
        .take(3)
        .collect();
    let n_bytes: usize = inputs.iter().map(|((_, b), _)| b.len()).sum();
    let mut best = f64::INFINITY;
    let mut pearson = None;
    let mut n_rows = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let mut etl = Etl::new(EtlOptions::default());
        for ((name, bytes), kind) in &inputs {
            etl.begin_file(*kind, name)?;
            for chunk in bytes.chunks(1 << 20) {
                etl.feed(chunk)?;
            }
            etl.end_file()?;
        }
        let analysis = analyze(&etl);
        best = best.min(start.elapsed().as_secs_f64());
        pearson = analysis.pearson;
        n_rows = etl.state().reports.iter().map(|r| r.n_rows).sum::<u64>();
    }
    println!("rows (students+attendance+exams): {n_rows}, bytes: {n_bytes}");
    println!(
        "best of 5: {best:.3} s = {:.0} rows/s, {:.1} MB/s",
        n_rows as f64 / best,
        n_bytes as f64 / best / 1e6
    );
    println!("pearson: {pearson:?}");
    Ok(())
}
