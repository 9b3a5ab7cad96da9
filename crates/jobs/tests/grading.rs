//! The quality report against the generator's planted defects: every defect found at its line
//! under the finding `campus_jobs::etl::grade::finding_for` names, and no clean line flagged.
//! (Moved from campus_etl's lesson tests, so the defect-to-finding table is the grading's own.)

use std::collections::{BTreeMap, BTreeSet};

use campus_etl::{Etl, EtlOptions, FileKind, FindingKind};
use campus_gen::Config;
use campus_gen::exports::{DefectKind, Dirt, ExportId, ExportOptions, Exports};
use campus_jobs::etl::grade::finding_for;
use campus_schema::Dataset;

fn exports(seed: u64, students: u64, options: ExportOptions) -> Exports {
    let config = Config {
        seed,
        ..Config::scaled(students)
    };
    let made = Exports::new(config, options);
    assert!(made.is_ok(), "{made:?}");
    made.unwrap_or_else(|_| unreachable!())
}

/// One export as CSV bytes, in small chunks to exercise streaming.
fn csv(exports: &Exports, export: ExportId) -> Vec<u8> {
    let mut table = campus_csv::TableCsv::new(exports, export.index());
    let mut out = Vec::new();
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        let more = table.fill(&mut chunk, 4096);
        out.extend_from_slice(&chunk);
        if !more {
            return out;
        }
    }
}

fn load(exports: &Exports, options: EtlOptions) -> Etl {
    let mut etl = Etl::new(options);
    for (export, kind) in ExportId::ALL.into_iter().zip(FileKind::ALL) {
        let bytes = csv(exports, export);
        let loaded = etl.load(kind, export.file_name(), &bytes);
        assert!(loaded.is_ok_and(|r| r.n_errors == 0 && !r.unusable));
    }
    etl
}

#[test]
fn the_quality_report_finds_every_planted_defect_and_nothing_clean() {
    for (seed, students, rate) in [(11, 400, 0.01), (12, 800, 0.003), (13, 200, 0.05)] {
        let exports = exports(
            seed,
            students,
            ExportOptions {
                dirt: Dirt::uniform(rate),
                ..ExportOptions::default()
            },
        );
        let etl = load(
            &exports,
            EtlOptions {
                max_examples: usize::MAX,
                ..EtlOptions::default()
            },
        );
        // (file, line) → what the report says about the line.
        let mut flagged: BTreeMap<(String, u64), BTreeSet<FindingKind>> = BTreeMap::new();
        for report in &etl.state().reports {
            for finding in &report.findings.items {
                assert_eq!(finding.count as usize, finding.examples.len());
                for example in &finding.examples {
                    flagged
                        .entry((report.file_name.clone(), example.line))
                        .or_default()
                        .insert(finding.kind);
                }
            }
        }
        let mut planted: BTreeMap<(String, u64), BTreeSet<FindingKind>> = BTreeMap::new();
        let mut n_planted = BTreeMap::new();
        for export in ExportId::ALL {
            for row in 0..exports.n_rows(export.index()) {
                for kind in exports.defects(export, row) {
                    *n_planted.entry(kind).or_insert(0u64) += 1;
                    planted
                        .entry((export.file_name().to_owned(), row + 2))
                        .or_default()
                        .insert(finding_for(kind));
                }
            }
        }
        assert_eq!(
            n_planted.len(),
            DefectKind::ALL.len(),
            "every kind planted: {n_planted:?}"
        );
        for (line, kinds) in &planted {
            let found = flagged.get(line).cloned().unwrap_or_default();
            assert!(
                kinds.is_subset(&found),
                "{line:?}: planted {kinds:?}, found {found:?}"
            );
        }
        for line in flagged.keys() {
            assert!(
                planted.contains_key(line),
                "{line:?} is clean but flagged {:?}",
                flagged[line]
            );
        }
    }
}
