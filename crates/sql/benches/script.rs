//! Generation + serialisation throughput of Create_FullDB.sql: rows/s and MB/s on one core.
//!
//! `cargo bench -p campus_sql` measures the default dataset (target: under 100 ms) and the same
//! writer over 1,000,000 students (target: at least 200 MB/s of SQL).

use campus_gen::{Config, Ums};
use campus_sql::{ScriptOptions, ScriptWriter, enroll_student};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn script_bytes(ums: &Ums, chunk: &mut Vec<u8>) -> u64 {
    let options = ScriptOptions {
        routines: vec![enroll_student()],
        ..ScriptOptions::default()
    };
    let Ok(mut writer) = ScriptWriter::new(ums, options) else {
        return 0;
    };
    let mut bytes = 0;
    loop {
        chunk.clear();
        let more = writer.fill(chunk, 1 << 20);
        bytes += chunk.len() as u64;
        if !more {
            return bytes;
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut chunk = Vec::with_capacity(2 << 20);
    let mut group = c.benchmark_group("create_full_db");
    for (name, config, samples) in [
        ("default_5k_students", Config::default(), 30),
        ("1m_students", Config::scaled(1_000_000), 10),
    ] {
        let Ok(ums) = Ums::new(config) else { continue };
        let bytes = script_bytes(&ums, &mut chunk);
        eprintln!(
            "{name}: {} rows, {:.1} MB of SQL",
            ums.total_rows(),
            bytes as f64 / 1e6
        );
        group
            .sample_size(samples)
            .throughput(Throughput::Bytes(bytes));
        group.bench_function(name, |b| b.iter(|| script_bytes(&ums, &mut chunk)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
