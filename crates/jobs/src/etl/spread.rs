//! The second pass of a large file over several ETL workers: which slices a file is cut into,
//! which worker exports each, and how many are in flight.
//!
//! Pass one notes where the file may be cut ([`campus_etl::slices::Cutter`], asked for with
//! [`super::Request::CutFile`] on files of at least two slices). After it, the section's own
//! worker (worker 0, which holds the run) hands its helpers an export seed
//! ([`super::Request::ExportSeed`], [`super::Request::TakeSeed`]); then slice `i` goes to worker
//! `i mod k` as a [`super::Request::ExportSlice`], at most [`IN_FLIGHT`] per worker, and the
//! answers are appended in slice order, so the outputs are one worker's byte for byte and the
//! page holds at most `k × IN_FLIGHT` slices' outputs. `run.rs` drives it.

use campus_etl::FileKind;
use campus_etl::slices::Slicing;

/// Bytes per slice of a spread export: small enough that several workers share a file of a few
/// megabytes and memory stays low, large enough that a request costs little beside its work.
pub const SLICE_BYTES: u64 = 2 << 20;

/// Slices queued per worker: one being exported, one waiting, so no worker idles while the page
/// appends.
pub const IN_FLIGHT: usize = 2;

/// How many ETL workers the page runs: `workers=N` in its query string when it names one, else
/// one fewer than the browser's cores (at most [`crate::generate::spread::MAX_WORKERS`]), at
/// least one. The page's own thread is busy during a run too, sending slices and appending each
/// output as it comes: in headless Chromium on two cores, where one worker already had the
/// browser use 1.65 cores, a second made the run slower (0.60 against 0.67 M rows/s).
pub fn worker_count(query: &str, hardware_concurrency: Option<f64>) -> usize {
    crate::generate::spread::worker_count(query, hardware_concurrency.map(|cores| cores - 1.0))
}

/// One slice of a file: bytes `[begin, end)`, its first staging row, whether it ends the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceAt {
    pub idx: usize,
    pub begin: u64,
    pub end: u64,
    pub first_row: u64,
    pub last: bool,
}

/// Whether pass one should note cuts in a file of `size` bytes read with `workers` workers: one
/// that may make two slices.
pub fn worth_cutting(size: f64, workers: usize) -> bool {
    worth_cutting_every(size, workers, SLICE_BYTES)
}

/// [`worth_cutting`] for slices of about `every` bytes (a native shell's choice).
pub fn worth_cutting_every(size: f64, workers: usize, every: u64) -> bool {
    workers > 1 && size > every as f64
}

/// Whether pass one over a file of `kind` and `size` bytes read with `workers` workers should
/// have the helpers read its pieces: attendance (the only kind read in pieces) of more than one
/// slice, so the slices after the one with the header have pieces to share, with two helpers
/// or more. Reading a piece costs about what reading it in the run costs, and sending it back
/// a third more (measured natively: 0.108 s to read the pieces of 1,000,000 rows, 0.04 s to
/// encode them, 0.025 s to decode, 0.03 s to apply, against 0.12 s for one reader), so one
/// helper only moves the work; two or more share it.
pub fn worth_reading_apart(kind: FileKind, size: f64, workers: usize) -> bool {
    kind == FileKind::Attendance && workers >= 3 && size > super::run::SLICE_BYTES as f64
}

/// The slices of a file of `size` bytes cut as `slicing` says, when it has at least two (one
/// slice is the whole file, which one worker exports as well).
pub fn slices(slicing: &Slicing, size: u64) -> Option<Vec<SliceAt>> {
    if slicing.cuts.len() < 2 {
        return None;
    }
    let mut slices = Vec::with_capacity(slicing.cuts.len());
    for (idx, cut) in slicing.cuts.iter().enumerate() {
        let next = slicing.cuts.get(idx + 1);
        let end = next.map_or(size, |next| next.offset);
        if end < cut.offset || cut.offset < slicing.header_end {
            // Cuts out of order, or past the file's end: not this file's cuts.
            return None;
        }
        slices.push(SliceAt {
            idx,
            begin: cut.offset,
            end,
            first_row: cut.first_row,
            last: next.is_none(),
        });
    }
    Some(slices)
}

/// The worker that exports slice `idx` of a spread over `workers`: in turn, so consecutive
/// slices (awaited in order) run at once on different workers.
pub fn worker_for(idx: usize, workers: usize) -> usize {
    idx % workers.max(1)
}

/// Slices in flight at most over `workers` workers: [`IN_FLIGHT`] each.
pub fn window(workers: usize) -> usize {
    workers.max(1) * IN_FLIGHT
}

#[cfg(test)]
mod tests {
    use campus_etl::slices::Cut;

    use super::*;

    fn slicing(offsets: &[(u64, u64)]) -> Slicing {
        Slicing {
            header_end: 10,
            cuts: offsets
                .iter()
                .map(|&(offset, first_row)| Cut { offset, first_row })
                .collect(),
        }
    }

    #[test]
    fn the_page_leaves_a_core_to_itself_unless_told() {
        assert_eq!(worker_count("", Some(1.0)), 1);
        assert_eq!(worker_count("", Some(2.0)), 1);
        assert_eq!(worker_count("", Some(4.0)), 3);
        assert_eq!(worker_count("", Some(64.0)), 4);
        assert_eq!(worker_count("", None), 1);
        assert_eq!(worker_count("", Some(f64::NAN)), 1);
        assert_eq!(worker_count("?workers=2", Some(2.0)), 2);
        assert_eq!(worker_count("?x=1&workers=3", Some(1.0)), 3);
    }

    #[test]
    fn slices_cover_the_file_after_its_header_in_order() {
        let cut = slicing(&[(10, 0), (50, 4), (90, 9)]);
        let Some(slices) = slices(&cut, 100) else {
            panic!("no slices")
        };
        let spans: Vec<_> = slices
            .iter()
            .map(|s| (s.begin, s.end, s.first_row, s.last))
            .collect();
        assert_eq!(
            spans,
            [(10, 50, 0, false), (50, 90, 4, false), (90, 100, 9, true)]
        );
        // One slice is the whole file: not spread.
        assert_eq!(super::slices(&slicing(&[(10, 0)]), 100), None);
        // Cuts that do not fit the file are refused rather than followed.
        assert_eq!(super::slices(&slicing(&[(10, 0), (120, 4)]), 100), None);
        assert_eq!(super::slices(&slicing(&[(10, 0), (5, 4)]), 100), None);
    }

    #[test]
    fn each_worker_has_at_most_two_of_the_slices_in_flight() {
        for workers in 1..=5 {
            let window = window(workers);
            for first in 0..20 {
                let mut per_worker = vec![0; workers];
                for idx in first..first + window {
                    per_worker[worker_for(idx, workers)] += 1;
                }
                assert!(per_worker.iter().all(|&n| n == IN_FLIGHT), "{per_worker:?}");
            }
        }
        assert_eq!(worker_for(3, 0), 0);
    }

    #[test]
    fn only_large_attendance_is_read_apart_and_only_with_two_helpers_or_more() {
        let large = (super::super::run::SLICE_BYTES + 1) as f64;
        assert!(worth_reading_apart(FileKind::Attendance, large, 3));
        assert!(!worth_reading_apart(FileKind::Attendance, large, 2));
        assert!(!worth_reading_apart(FileKind::Exams, large * 10.0, 4));
        let one_slice = super::super::run::SLICE_BYTES as f64;
        assert!(!worth_reading_apart(FileKind::Attendance, one_slice, 4));
    }

    #[test]
    fn only_files_of_two_slices_or_more_are_cut_and_only_with_helpers() {
        assert!(!worth_cutting(1e9, 1));
        assert!(!worth_cutting(SLICE_BYTES as f64, 2));
        assert!(worth_cutting((SLICE_BYTES + 1) as f64, 2));
    }
}
