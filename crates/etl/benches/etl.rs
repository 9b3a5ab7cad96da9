//! Read + hash + join + correlate a generated set with 1,000,000 attendance rows.
//!
//! `cargo bench -p campus_etl` (criterion). For one-shot figures in rows/s and MB/s, and the
//! pandas comparison, see `examples/etl_bench.rs` and `benches/pandas_bench.py`.

use campus_etl::sample::{SampleOptions, generate};
use campus_etl::{Etl, EtlOptions, FileKind, analyze};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn million(c: &mut Criterion) {
    let files = generate(&SampleOptions::million_attendance_rows());
    let n_bytes: usize = files.files().iter().map(|(_, b)| b.len()).sum();
    let mut group = c.benchmark_group("etl");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(n_bytes as u64));
    group.bench_function("read_hash_join_correlate_1m", |b| {
        b.iter(|| {
            let mut etl = Etl::new(EtlOptions::default());
            for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL).take(3) {
                // 1 MiB chunks, as the worker and the CLI feed them.
                if etl.begin_file(kind, name).is_err() {
                    return None;
                }
                for chunk in bytes.chunks(1 << 20) {
                    let _ = etl.feed(chunk);
                }
                let _ = etl.end_file();
            }
            analyze(&etl).pearson
        })
    });
    group.finish();
}

criterion_group!(benches, million);
criterion_main!(benches);
