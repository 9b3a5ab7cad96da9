//! The workbench's quality report graded against the generator's answer key: for each kind of
//! planted defect, how many the report found and missed, and what it flagged that was clean.
//!
//! Where a finding lists every line it counts, lines are compared one by one; where it keeps
//! only a few examples (the page's default), its count is compared with the planted count, which
//! tells what was found and missed but not what was flagged wrongly. A run meant for grading keeps
//! up to [`LINE_GRADING_EXAMPLES`] lines per finding (`RunOptions::max_examples`), so lessons of
//! any size the page makes are graded line by line.

use std::collections::{BTreeMap, BTreeSet};

use campus_etl::{FileReport, FindingKind};
use campus_gen::exports::DefectKind;

/// Flagged lines a run kept for grading keeps per finding and file. Each is one row's text (about
/// 100 bytes), so a finding holds at most about 2 MB; a finding with more lines than this is
/// graded by its count.
pub const LINE_GRADING_EXAMPLES: u64 = 20_000;

/// One planted defect, as the answer key lists it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Planted {
    pub file: String,
    pub line: u64,
    pub kind: DefectKind,
}

/// Reads `answer_key.csv` (`file,line,kind`).
pub fn parse_answer_key(text: &str) -> Result<Vec<Planted>, String> {
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("file,line,kind") {
        return Err("this is not an answer key: its first line is not file,line,kind".into());
    }
    lines
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(idx, line)| {
            let bad = || format!("answer key line {}: cannot read {line:?}", idx + 2);
            let mut parts = line.rsplitn(3, ',');
            let kind = parts.next().and_then(|k| DefectKind::from_name(k.trim()));
            let number = parts.next().and_then(|n| n.trim().parse().ok());
            match (parts.next(), number, kind) {
                (Some(file), Some(line), Some(kind)) => Ok(Planted {
                    file: file.to_owned(),
                    line,
                    kind,
                }),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// The finding that reports each planted kind.
pub fn finding_for(kind: DefectKind) -> FindingKind {
    match kind {
        DefectKind::DuplicateRow => FindingKind::DuplicateRows,
        DefectKind::OrphanKey => FindingKind::Orphans,
        DefectKind::ImpossibleDate | DefectKind::MixedDateFormat => FindingKind::InvalidDate,
        DefectKind::BlankMark => FindingKind::BlankTotal,
        DefectKind::NonNumericMark => FindingKind::InvalidNumber,
        DefectKind::PaddedKey => FindingKind::PaddedKeys,
    }
}

/// How the report did on one kind of planted defect.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindGrade {
    pub planted: u64,
    pub found: u64,
    pub missed: u64,
}

/// The grading of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grading {
    /// Every planted kind, in [`DefectKind::ALL`] order.
    pub kinds: Vec<(DefectKind, KindGrade)>,
    /// Lines flagged that the key lists as clean, by finding (only when `by_line`).
    pub wrongly_flagged: Vec<(FindingKind, u64)>,
    /// Whether every finding listed its lines (else counts were compared).
    pub by_line: bool,
    /// Line by line (only when `by_line`): every planted defect found or missed and every clean
    /// line flagged, misses and false flags first, then by file and line.
    pub lines: Vec<LineGrade>,
}

/// What became of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Missed,
    WronglyFlagged,
    Found,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Missed => "missed",
            Outcome::WronglyFlagged => "wrongly flagged",
            Outcome::Found => "found",
        }
    }
}

/// One line of the grading: a planted defect (found or missed) or a clean line flagged.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineGrade {
    pub outcome: Outcome,
    pub file: String,
    pub line: u64,
    /// The planted kind, or for a clean line the finding that flagged it.
    pub kind: String,
}

impl Grading {
    /// Every planted defect found, nothing clean flagged.
    pub fn perfect(&self) -> bool {
        self.kinds.iter().all(|(_, g)| g.missed == 0)
            && self.wrongly_flagged.iter().all(|(_, n)| *n == 0)
    }
}

/// Grades `reports` against `key`.
pub fn grade(key: &[Planted], reports: &[FileReport]) -> Grading {
    let planted_lines: BTreeSet<(&str, u64)> =
        key.iter().map(|p| (p.file.as_str(), p.line)).collect();
    let mut by_line = true;
    // Planted defects found (by index in `key`), and clean lines flagged.
    let mut found: BTreeSet<usize> = BTreeSet::new();
    let mut found_by_count: BTreeMap<DefectKind, u64> = BTreeMap::new();
    let mut wrong: BTreeSet<(String, u64, FindingKind)> = BTreeSet::new();
    for report in reports {
        let file = report.file_name.as_str();
        for finding in &report.findings.items {
            let planted = key
                .iter()
                .enumerate()
                .filter(|(_, p)| p.file == file && finding_for(p.kind) == finding.kind);
            let complete = finding.examples.len() as u64 == finding.count;
            by_line &= complete;
            if complete {
                let lines: BTreeSet<u64> = finding.examples.iter().map(|e| e.line).collect();
                found.extend(
                    planted
                        .filter(|(_, p)| lines.contains(&p.line))
                        .map(|(idx, _)| idx),
                );
                wrong.extend(
                    lines
                        .iter()
                        .filter(|&&l| !planted_lines.contains(&(file, l)))
                        .map(|&l| (file.to_owned(), l, finding.kind)),
                );
            } else {
                // Without the lines, a count above the planted one may be planted lines flagged
                // under a second finding too: only lines can tell a false flag.
                for (_, p) in planted.take(finding.count as usize) {
                    *found_by_count.entry(p.kind).or_default() += 1;
                }
            }
        }
    }
    let mut grades: BTreeMap<DefectKind, KindGrade> = DefectKind::ALL
        .into_iter()
        .map(|k| (k, KindGrade::default()))
        .collect();
    for (idx, p) in key.iter().enumerate() {
        if let Some(g) = grades.get_mut(&p.kind) {
            g.planted += 1;
            g.found += u64::from(found.contains(&idx));
        }
    }
    for (kind, g) in &mut grades {
        g.found = (g.found + found_by_count.get(kind).copied().unwrap_or(0)).min(g.planted);
        g.missed = g.planted - g.found;
    }
    let mut wrongly_flagged: BTreeMap<FindingKind, u64> = BTreeMap::new();
    for (_, _, kind) in &wrong {
        *wrongly_flagged.entry(*kind).or_default() += 1;
    }
    let lines = if by_line {
        line_grades(key, &found, &wrong)
    } else {
        Vec::new()
    };
    Grading {
        kinds: grades.into_iter().filter(|(_, g)| g.planted > 0).collect(),
        wrongly_flagged: wrongly_flagged.into_iter().collect(),
        by_line,
        lines,
    }
}

/// A finding's description up to its first aside.
fn short(text: &str) -> &str {
    let end = text.find([';', '(']).unwrap_or(text.len());
    text.get(..end).unwrap_or(text).trim_end()
}

fn line_grades(
    key: &[Planted],
    found: &BTreeSet<usize>,
    wrong: &BTreeSet<(String, u64, FindingKind)>,
) -> Vec<LineGrade> {
    let planted = key.iter().enumerate().map(|(idx, p)| LineGrade {
        outcome: if found.contains(&idx) {
            Outcome::Found
        } else {
            Outcome::Missed
        },
        file: p.file.clone(),
        line: p.line,
        kind: p.kind.name().replace('_', " "),
    });
    let flagged = wrong.iter().map(|(file, line, kind)| LineGrade {
        outcome: Outcome::WronglyFlagged,
        file: file.clone(),
        line: *line,
        kind: short(kind.describe()).to_owned(),
    });
    let mut lines: Vec<LineGrade> = planted.chain(flagged).collect();
    lines.sort();
    lines
}

/// The grading as table rows: kind, planted, found, missed.
pub fn rows(grading: &Grading) -> Vec<[String; 4]> {
    grading
        .kinds
        .iter()
        .map(|(kind, g)| {
            [
                kind.name().replace('_', " "),
                g.planted.to_string(),
                g.found.to_string(),
                g.missed.to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use campus_etl::{Etl, EtlOptions, FileKind};
    use campus_gen::Config;
    use campus_gen::exports::{Dirt, ExportId, ExportOptions, Exports};
    use campus_schema::Dataset;

    fn run(seed: u64, students: u64, rate: f64, max_examples: usize) -> (Vec<Planted>, Etl) {
        let config = Config {
            seed,
            ..Config::scaled(students)
        };
        let options = ExportOptions {
            dirt: Dirt::uniform(rate),
            ..ExportOptions::default()
        };
        let Ok(exports) = Exports::new(config, options) else {
            panic!("exports")
        };
        let mut etl = Etl::new(EtlOptions {
            max_examples,
            ..EtlOptions::default()
        });
        let mut key = b"file,line,kind\n".to_vec();
        for (export, kind) in ExportId::ALL.into_iter().zip(FileKind::ALL) {
            let mut csv = campus_csv::TableCsv::new(&exports, export.index());
            let mut bytes = Vec::new();
            while csv.fill(&mut bytes, usize::MAX) {}
            assert!(etl.load(kind, export.file_name(), &bytes).is_ok());
            for row in 0..exports.n_rows(export.index()) {
                exports.answer_key_lines(export, row, &mut key);
            }
        }
        let key = parse_answer_key(&String::from_utf8_lossy(&key));
        let Ok(key) = key else { panic!("{key:?}") };
        (key, etl)
    }

    #[test]
    fn the_report_finds_every_planted_defect_line_by_line_and_by_count() {
        for (seed, students, rate) in [(11, 400, 0.01), (13, 200, 0.05)] {
            for max_examples in [usize::MAX, 5] {
                let (key, etl) = run(seed, students, rate, max_examples);
                let grading = grade(&key, &etl.state().reports);
                assert_eq!(grading.by_line, max_examples == usize::MAX);
                assert_eq!(grading.kinds.len(), DefectKind::ALL.len(), "{grading:?}");
                assert!(grading.perfect(), "{grading:?}");
                let planted: u64 = grading.kinds.iter().map(|(_, g)| g.planted).sum();
                assert_eq!(planted, key.len() as u64);
                let n_lines = if grading.by_line { key.len() } else { 0 };
                assert_eq!(grading.lines.len(), n_lines);
                assert!(grading.lines.iter().all(|l| l.outcome == Outcome::Found));
            }
        }
    }

    #[test]
    fn a_lesson_run_keeps_every_flagged_line_within_its_bound() {
        let limit = usize::try_from(LINE_GRADING_EXAMPLES).unwrap_or(usize::MAX);
        let (key, etl) = run(17, 600, 0.02, limit);
        let grading = grade(&key, &etl.state().reports);
        assert!(grading.by_line && grading.perfect(), "{grading:?}");
        assert_eq!(grading.lines.len(), key.len());
        for planted in &key {
            let graded = grading
                .lines
                .iter()
                .find(|l| l.file == planted.file && l.line == planted.line);
            assert_eq!(
                graded.map(|l| l.outcome),
                Some(Outcome::Found),
                "{planted:?}"
            );
        }
    }

    #[test]
    fn a_missed_defect_and_a_false_flag_are_counted() {
        let (mut key, etl) = run(11, 400, 0.01, usize::MAX);
        // A planted line the report cannot know of, and one planted line forgotten.
        key.push(Planted {
            file: ExportId::Exams.file_name().into(),
            line: 1_000_000,
            kind: DefectKind::BlankMark,
        });
        let forgotten = key.iter().position(|p| p.kind == DefectKind::PaddedKey);
        let forgotten = forgotten.map(|idx| key.remove(idx));
        let grading = grade(&key, &etl.state().reports);
        let blank = grading
            .kinds
            .iter()
            .find(|(k, _)| *k == DefectKind::BlankMark);
        assert_eq!(blank.map(|(_, g)| g.missed), Some(1));
        assert!(forgotten.is_some());
        assert!(
            grading
                .wrongly_flagged
                .iter()
                .any(|(f, n)| *f == FindingKind::PaddedKeys && *n == 1),
            "{grading:?}"
        );
        assert!(!grading.perfect());
        assert_eq!(rows(&grading).len(), grading.kinds.len());
        // Line by line: the invented line missed, the forgotten one a clean line flagged, both
        // listed before what was found.
        let first: Vec<(Outcome, u64, &str)> = grading
            .lines
            .iter()
            .take(2)
            .map(|l| (l.outcome, l.line, l.kind.as_str()))
            .collect();
        let forgotten_line = forgotten.map_or(0, |p| p.line);
        assert_eq!(
            first,
            [
                (Outcome::Missed, 1_000_000, "blank mark"),
                (
                    Outcome::WronglyFlagged,
                    forgotten_line,
                    "key fields with leading/trailing spaces"
                )
            ]
        );
        let n_wrong: u64 = grading.wrongly_flagged.iter().map(|(_, n)| n).sum();
        assert_eq!(grading.lines.len() as u64, key.len() as u64 + n_wrong);
    }

    #[test]
    fn a_bad_answer_key_is_refused() {
        assert!(parse_answer_key("roll_no,dob\n").is_err());
        assert!(parse_answer_key("file,line,kind\na.csv,x,padded_key\n").is_err());
        assert_eq!(
            parse_answer_key("file,line,kind\nmy,file.csv,3,orphan_key\n"),
            Ok(vec![Planted {
                file: "my,file.csv".into(),
                line: 3,
                kind: DefectKind::OrphanKey
            }])
        );
    }
}
