//! Data-quality findings: what was wrong, how often, and a few rows to show for it.

use campus_csv::CsvError;
use campus_csv::infer::ColumnStats;
use serde::{Deserialize, Serialize};

use crate::FileKind;

/// The kinds of problem the checks look for, per file and across files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FindingKind {
    DuplicateRows,
    DuplicateKeys,
    /// A row whose (roll_no, dob) matches no student.
    Orphans,
    StudentsWithoutAttendance,
    StatusNotPA,
    InvalidDate,
    DateOutsideSemester,
    InvalidNumber,
    BlankTotal,
    MarksOutOfRange,
    TotalMismatch,
    /// Key fields (college_code, roll_no, dob, course or programme code) with leading or
    /// trailing spaces; hashed and joined as they are, as pandas does.
    PaddedKeys,
}

impl FindingKind {
    pub fn describe(self) -> &'static str {
        match self {
            FindingKind::DuplicateRows => "duplicate rows (every field equal to an earlier row)",
            FindingKind::DuplicateKeys => "duplicate keys (same key columns as an earlier row)",
            FindingKind::Orphans => {
                "rows whose (roll_no, dob) matches no student; kept with an empty student_hash"
            }
            FindingKind::StudentsWithoutAttendance => "students with no attendance rows",
            FindingKind::StatusNotPA => "attendance status other than P or A (counted as absent)",
            FindingKind::InvalidDate => "dates that are not ISO YYYY-MM-DD",
            FindingKind::DateOutsideSemester => "attendance dates outside the semester",
            FindingKind::InvalidNumber => "marks that are not numbers (treated as missing)",
            FindingKind::BlankTotal => "blank total marks (left out of the marks mean)",
            FindingKind::MarksOutOfRange => "marks outside their bounds",
            FindingKind::TotalMismatch => "total ≠ internal + external",
            FindingKind::PaddedKeys => {
                "key fields with leading/trailing spaces (hashed and joined as they are, as pandas does)"
            }
        }
    }
}

/// One row shown as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub line: u64,
    /// The row's fields joined by commas, or a short description.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub count: u64,
    pub examples: Vec<Example>,
}

/// Findings of one file, with a cap on examples per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    pub items: Vec<Finding>,
}

impl Findings {
    pub fn add(
        &mut self,
        kind: FindingKind,
        max_examples: usize,
        example: impl FnOnce() -> Example,
    ) {
        let idx = match self.items.iter().position(|f| f.kind == kind) {
            Some(idx) => idx,
            None => {
                self.items.push(Finding {
                    kind,
                    count: 0,
                    examples: Vec::new(),
                });
                self.items.len() - 1
            }
        };
        let Some(finding) = self.items.get_mut(idx) else {
            return;
        };
        finding.count += 1;
        if finding.examples.len() < max_examples {
            finding.examples.push(example());
        }
    }

    pub fn count(&self, kind: FindingKind) -> u64 {
        self.items
            .iter()
            .find(|f| f.kind == kind)
            .map_or(0, |f| f.count)
    }

    pub fn get(&self, kind: FindingKind) -> Option<&Finding> {
        self.items.iter().find(|f| f.kind == kind)
    }
}

/// Everything known about one input file after reading it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    pub kind: FileKind,
    pub file_name: String,
    pub n_bytes: u64,
    pub n_rows: u64,
    pub n_skipped_rows: u64,
    pub delimiter: u8,
    pub columns: Vec<ColumnStats>,
    /// Read errors kept in full (capped); `n_errors` counts them all.
    pub errors: Vec<String>,
    pub n_errors: u64,
    /// Whether the file could not be used at all (empty, missing columns, unreadable header).
    pub unusable: bool,
    pub findings: Findings,
}

impl FileReport {
    pub(crate) fn errors_from(errors: Vec<CsvError>) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }
}
