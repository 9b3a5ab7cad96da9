//! Results are identical whatever the chunk sizes: analysis bits, report text, exported bytes.

use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::report::markdown;
use campus_etl::{Etl, EtlOptions};

use super::support::{AKTU, read, run_fixture};

/// Every output of a run, as bytes.
fn outputs(etl: &Etl, chunk: usize) -> Vec<Vec<u8>> {
    let mut all = vec![staging_ddl(etl)];
    for (kind, path) in AKTU {
        let Ok(mut export) = Export::begin(etl, kind, path, ExportOptions::default()) else {
            all.push(b"export failed".to_vec());
            continue;
        };
        let bytes = read(path);
        let (mut csv, mut sql) = (Vec::new(), Vec::new());
        for piece in bytes.chunks(if chunk == 0 { bytes.len() } else { chunk }) {
            export.feed(etl, piece);
            // Drain as a worker would, to prove draining does not change the bytes.
            csv.append(export.csv_buf());
            sql.append(export.sql_buf());
        }
        export.finish(etl);
        csv.append(export.csv_buf());
        sql.append(export.sql_buf());
        all.push(csv);
        all.push(sql);
    }
    all
}

#[test]
fn chunk_sizes_do_not_change_anything() {
    let (etl, analysis) = run_fixture(0, EtlOptions::default());
    let report = markdown(&etl, &analysis);
    let expected_outputs = outputs(&etl, 0);
    for chunk in [1, 2, 3, 7, 64] {
        let (etl_c, analysis_c) = run_fixture(chunk, EtlOptions::default());
        assert_eq!(
            analysis_c.pearson.map(f64::to_bits),
            analysis.pearson.map(f64::to_bits),
            "chunk {chunk}"
        );
        // Debug text, because NaN != NaN would fail a plain comparison of equal results.
        assert!(
            format!("{analysis_c:?}") == format!("{analysis:?}"),
            "chunk {chunk}"
        );
        assert!(markdown(&etl_c, &analysis_c) == report, "chunk {chunk}");
        assert!(outputs(&etl_c, chunk) == expected_outputs, "chunk {chunk}");
    }
}
