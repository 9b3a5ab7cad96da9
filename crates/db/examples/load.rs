//! Loads the default university (seed 42, 5,000 students) into SQLite and prints the speed:
//! `cargo run --release -p campus_db --example load [STUDENTS]`.

use std::time::Instant;

use campus_db::{Database, QueryOptions};
use campus_gen::{Config, Ums};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let students = std::env::args()
        .nth(1)
        .map(|s| s.parse::<u64>())
        .transpose()?
        .unwrap_or(5_000);
    let ums = Ums::new(Config::scaled(students))?;
    let rows = ums.total_rows();
    let started = Instant::now();
    let mut n_values = 0usize;
    for (table_idx, _) in campus_schema::Dataset::tables(&ums).iter().enumerate() {
        for row_idx in 0..campus_schema::Dataset::n_rows(&ums, table_idx) {
            n_values += campus_schema::ValueRow::collect(|row| {
                campus_schema::Dataset::write_row(&ums, table_idx, row_idx, row)
            })
            .len();
        }
    }
    println!(
        "generate only: {n_values} values in {:.3} s",
        started.elapsed().as_secs_f64()
    );
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let started = Instant::now();
        let mut db = Database::open_in_memory()?;
        db.load(ums.clone())?;
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "load: {rows} rows in {:.3} s (best of 5): {:.0} rows/s",
        best,
        rows as f64 / best
    );
    let mut db = Database::open_in_memory()?;
    db.load(ums)?;
    let started = Instant::now();
    let bytes = db.to_bytes()?;
    println!(
        "save: {} bytes in {:.3} s",
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    // The exercises over the university alone (the others need the ETL's staging tables).
    for exercise in campus_db::exercises::pack()
        .into_iter()
        .filter(|e| e.requires.is_empty())
    {
        let started = Instant::now();
        let result = db.query(exercise.reference, &QueryOptions::all_rows())?;
        println!(
            "query {:<26} {:>6} rows in {:.4} s",
            exercise.id,
            result.total_rows,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
