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
    /// Rows whose key came after the duplicate check's memory was full (a file of mostly
    /// unknown students or scattered dates); not checked for duplicates.
    NotCheckedForDuplicates,
    /// Students rows whose (roll_no, dob) is an earlier row's with another college code.
    ConflictingDuplicateKeys,
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
            FindingKind::InvalidNumber => {
                "marks that are not finite numbers: text, or inf/infinity, which pandas would read as infinite (treated as missing)"
            }
            FindingKind::BlankTotal => "blank total marks (left out of the marks mean)",
            FindingKind::MarksOutOfRange => "marks outside their bounds",
            FindingKind::TotalMismatch => "total ≠ internal + external",
            FindingKind::PaddedKeys => {
                "key fields with leading/trailing spaces (hashed and joined as they are, as pandas does)"
            }
            FindingKind::ConflictingDuplicateKeys => {
                "students whose (roll_no, dob) repeats an earlier row's with another college code: each is another student, hashed from its own fields; attendance, exams and placements join on (roll_no, dob) as pandas' merge(how=\"left\") does, so each of their rows joins every student of the key"
            }
            FindingKind::NotCheckedForDuplicates => {
                "rows not checked for duplicates: the check's memory for keys of no student (or far-apart dates) was full"
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
    /// What the file lost, by reason.
    pub rejected: Rejected,
}

/// The rows of a file that were not kept, by reason; with the kept rows, every line of the
/// file but the header and blank lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// Rows with a field count other than the header's.
    pub ragged: u64,
    /// Rows with a field that is not UTF-8.
    pub invalid_utf8: u64,
    /// Lines never read because reading stopped (an unclosed quote, the record limit, too many
    /// fields, an unusable header or encoding), from `stopped_at_line` on.
    pub unread_lines: u64,
    pub stopped_at_line: Option<u64>,
}

impl Rejected {
    pub fn from_stats(stats: &campus_csv::ReadStats) -> Rejected {
        Rejected {
            ragged: stats.n_ragged_rows,
            invalid_utf8: stats.n_invalid_utf8_rows,
            unread_lines: stats.n_unread_lines,
            stopped_at_line: stats.stopped_at_line,
        }
    }

    /// Rows skipped plus lines not read.
    pub fn total(&self) -> u64 {
        self.ragged + self.invalid_utf8 + self.unread_lines
    }

    /// The reasons, e.g. `3 with the wrong number of fields, 44901 lines not read from line 101`;
    /// empty when nothing was rejected.
    pub fn reasons(&self) -> String {
        let mut parts = Vec::new();
        if self.ragged > 0 {
            parts.push(format!("{} with the wrong number of fields", self.ragged));
        }
        if self.invalid_utf8 > 0 {
            parts.push(format!("{} not UTF-8", self.invalid_utf8));
        }
        if self.unread_lines > 0 {
            parts.push(match self.stopped_at_line {
                Some(line) => format!("{} lines not read from line {line} on", self.unread_lines),
                None => format!("{} lines not read", self.unread_lines),
            });
        }
        parts.join(", ")
    }
}

impl FileReport {
    /// Data rows met (kept or rejected) and lines not read.
    pub fn n_rows_read(&self) -> u64 {
        self.n_rows + self.rejected.total()
    }

    /// The file's account in one line: `N rows read: K kept, R rejected (reasons)`.
    pub fn account(&self) -> String {
        let kept = if self.unusable { 0 } else { self.n_rows };
        let rejected = self.n_rows_read() - kept;
        let mut text = format!(
            "{} rows read: {kept} kept, {rejected} rejected",
            self.n_rows_read()
        );
        let reasons = self.rejected.reasons();
        match (self.unusable, reasons.is_empty()) {
            (true, true) => text.push_str(" (the file could not be used)"),
            (true, false) => text.push_str(&format!(" (the file could not be used; {reasons})")),
            (false, false) => text.push_str(&format!(" ({reasons})")),
            (false, true) => {}
        }
        text
    }

    pub(crate) fn errors_from(errors: Vec<CsvError>) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }
}
