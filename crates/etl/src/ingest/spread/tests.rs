//! Pass one read a piece per thread leaves the run exactly as one reader leaves it: students
//! and their aggregates, courses in first-seen order, duplicate checks, findings with their
//! examples and lines, read errors, column stats and the analysis; at any width, any order the
//! pieces run in, and any chunking.

use super::*;
use crate::analysis::analyze;
use crate::slices::Slicing;
use crate::slices::tests::{Files, ok, one_pass, sample_files, sliced};
use crate::{ColumnMap, Role};
use campus_schema::Date;
use campus_sql::Dialect;

/// Runs the tasks one after another, last first: a width of several threads, tasks in an order
/// no pool would pick.
struct Backwards(usize);

impl Spread for Backwards {
    fn width(&self) -> usize {
        self.0
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        (0..n_tasks).rev().for_each(task);
    }
}

/// Every task on a thread of its own, at once.
struct Threads(usize);

impl Spread for Threads {
    fn width(&self) -> usize {
        self.0
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        std::thread::scope(|scope| {
            for idx in 0..n_tasks {
                scope.spawn(move || task(idx));
            }
        });
    }
}

/// Everything pass one leaves that a later step reads, as text.
fn summary(etl: &Etl) -> String {
    let state = etl.state();
    let mut exams: Vec<_> = state.exam_totals.iter().collect();
    exams.sort_by_key(|(key, _)| **key);
    format!(
        "{:#?}\n{:#?}\n{:?}\n{:?}\n{:?}\n{:#?}\n{:#?}",
        state.reports,
        state.students(),
        state.courses.names,
        state.programs.names,
        exams,
        etl.cross_file_findings(),
        analyze(etl)
    )
}

/// Pass one with [`Etl::feed`] in `chunk`-byte chunks, or with [`Etl::feed_on`] over `spread`,
/// a cutter beside every file, cutting every `every` bytes; the run and each file's slicing.
fn pass(
    files: &Files,
    options: &EtlOptions,
    chunk: usize,
    spread: Option<&dyn Spread>,
    every: u64,
) -> (Etl, Vec<Option<Slicing>>) {
    let mut etl = Etl::new(options.clone());
    etl.set_min_piece(128);
    let mut slicings = Vec::new();
    for (kind, name, bytes) in files {
        ok(etl.begin_file(*kind, name));
        let mut cutter = Cutter::new(&etl, *kind, name, every);
        for piece in bytes.chunks(chunk) {
            match spread {
                Some(spread) => ok(etl.feed_on(piece, spread, Some(&mut cutter))),
                None => {
                    ok(etl.feed(piece));
                    cutter.feed(piece);
                }
            }
        }
        ok(etl.feed_done(Some(&mut cutter)));
        ok(etl.end_file());
        slicings.push(cutter.finish());
    }
    (etl, slicings)
}

/// Checks every width, order and chunking against one reader, and that the slicing the cutter
/// noted beside the spread pass exports the same bytes; returns the most pieces one run read
/// apart.
fn check(files: &Files, options: &EtlOptions) -> u64 {
    let (one, _) = pass(files, options, 1 << 20, None, 1 << 20);
    let want = summary(&one);
    let want_out = one_pass(&one, files, Dialect::MySql);
    let (mut most, mut most_apart) = (0, 0);
    for chunk in [300, 1000, 4096, 1 << 20] {
        let spreads: [&dyn Spread; 5] = [
            &Backwards(1),
            &Backwards(2),
            &Backwards(3),
            &Threads(2),
            &Threads(8),
        ];
        for (idx, spread) in spreads.into_iter().enumerate() {
            let every = [1, 500, 3000, 100, 1 << 20][idx];
            let (etl, slicings) = pass(files, options, chunk, Some(spread), every);
            let have = summary(&etl);
            if have != want {
                let line = want
                    .lines()
                    .zip(have.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "width {}, chunks of {chunk}: differs from line {line}:\n{}\n---\n{}",
                    spread.width(),
                    want.lines()
                        .skip(line)
                        .take(12)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    have.lines()
                        .skip(line)
                        .take(12)
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
            let by_slices = sliced(&etl, files, &slicings, Dialect::MySql);
            assert!(
                by_slices == want_out,
                "width {}, chunks of {chunk}, cuts every {every}: the slices export other bytes",
                spread.width()
            );
            most = most.max(etl.pieces_read_apart());
        }
        for threads in [1, 2, 3] {
            let (etl, slicings) = apart(files, options, chunk, threads);
            assert!(
                summary(&etl) == want,
                "{threads} readers apart, chunks of {chunk}: differs from one reader"
            );
            let by_slices = sliced(&etl, files, &slicings, Dialect::MySql);
            assert!(
                by_slices == want_out,
                "{threads} readers apart, chunks of {chunk}: the slices export other bytes"
            );
            most_apart = most_apart.max(etl.pieces_read_apart());
        }
    }
    assert!(
        (most_apart > 0) == (most > 0),
        "pieces read apart: {most_apart} by readers of a seed, {most} on threads"
    );
    most
}

/// Through postcard, as between the page's workers.
fn across<T: Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    ok(postcard::from_bytes(&ok(postcard::to_allocvec(value))))
}

/// Pass one as a page with `threads` helper workers runs it: each file's first chunk read by
/// the run, then the pieces of every chunk ([`pieces_of`], of at least 128 bytes here) read by
/// readers of the run's seed, which share nothing with it, and applied with
/// [`Etl::feed_apart`]; a cutter beside every file, cutting every 700 bytes.
fn apart(
    files: &Files,
    options: &EtlOptions,
    chunk: usize,
    threads: usize,
) -> (Etl, Vec<Option<Slicing>>) {
    apart_cut(files, options, chunk, threads, |chunk| {
        pieces_at_least(chunk, threads, 128)
    })
}

/// [`apart`] with the pieces cut by `cut` from each chunk.
fn apart_cut(
    files: &Files,
    options: &EtlOptions,
    chunk: usize,
    threads: usize,
    cut: impl Fn(&[u8]) -> Vec<Range<usize>>,
) -> (Etl, Vec<Option<Slicing>>) {
    let mut etl = Etl::new(options.clone());
    let mut slicings = Vec::new();
    for (kind, name, bytes) in files {
        ok(etl.begin_file(*kind, name));
        let mut cutter = Cutter::new(&etl, *kind, name, 700);
        let mut readers: Vec<PieceReader> = Vec::new();
        for bytes in bytes.chunks(chunk) {
            if readers.is_empty() {
                ok(etl.feed(bytes));
                cutter.feed(bytes);
                if let Some(seed) = etl.piece_seed() {
                    let seed = across(&seed);
                    readers = (0..threads)
                        .filter_map(|_| seed.reader(options.clone()))
                        .collect();
                    assert_eq!(readers.len(), threads, "the seed makes readers");
                }
                continue;
            }
            let pieces = cut(bytes)
                .into_iter()
                .enumerate()
                .map(|(idx, range)| {
                    let reader = &readers[idx % threads];
                    across(&reader.read(&bytes[range]))
                })
                .collect();
            ok(etl.feed_apart(bytes, pieces, Some(&mut cutter)));
        }
        ok(etl.end_file());
        slicings.push(cutter.finish());
    }
    (etl, slicings)
}

#[test]
fn the_sample_read_in_pieces_is_the_sample_read_once() {
    assert!(check(&sample_files(false), &EtlOptions::default()) > 50);
}

#[test]
fn the_dirty_sample_keeps_its_findings_examples_and_lines() {
    // Duplicates, orphans, bad statuses, a BOM and CRLF; few and many examples, a semester that
    // puts some dates outside, de-identified evidence, a keyed hash.
    let files = sample_files(true);
    for max_examples in [1, 3, 1000] {
        let options = EtlOptions {
            max_examples,
            semester: Some((
                ok(Date::parse_iso("2024-08-05").ok_or("date")),
                ok(Date::parse_iso("2024-11-20").ok_or("date")),
            )),
            deidentify: max_examples == 3,
            ..EtlOptions::default()
        };
        assert!(check(&files, &options) > 10, "max_examples {max_examples}");
    }
}

const STUDENTS: &str = "college_code,roll_no,dob,program_code\n\
    C1,1001,2003-01-02,BT\n\
    C2,1001,2003-01-02,BT\n\
    C1,1002,2003-05-06,BT\n\
    C1,1003,2003-07-08,MB\n\
    C1, 1004,2003-07-09,MB\n";

/// Attendance that stresses what needs file order: courses first named deep in the file, a
/// student with more courses than are scanned, repeated days with other statuses, days too far
/// apart to index, orphans, padded keys, bad dates and statuses.
fn hard_attendance() -> String {
    let mut text = String::from("college_code,roll_no,dob,course_code,date,status\n");
    for idx in 0u32..3000 {
        let day = idx % 27 + 1;
        let month = if idx % 401 == 0 { 2031 } else { 2024 };
        let date = if idx % 517 == 0 {
            "not-a-date".to_owned()
        } else {
            format!("{month}-09-{day:02}")
        };
        let (roll, dob) = match idx % 5 {
            0 => ("1001", "2003-01-02"),
            1 => ("1002", "2003-05-06"),
            2 => ("1003", "2003-07-08"),
            3 => (" 1004", "2003-07-09"),
            _ => ("9999", "2000-01-01"),
        };
        // Student 1003 takes a new course every few rows: far past the courses scanned.
        let course = match idx % 5 {
            2 => format!("X{}", idx / 40),
            _ => format!("CS{}", idx % 7),
        };
        let status = match idx % 13 {
            0 => "A",
            5 => "late",
            _ => "P",
        };
        text.push_str(&format!("C1,{roll},{dob},{course},{date},{status}\n"));
        // Repeats: the same row, and the same key with another status.
        if idx % 97 == 0 {
            text.push_str(&format!("C1,{roll},{dob},{course},{date},{status}\n"));
        }
        if idx % 89 == 0 {
            text.push_str(&format!("C1,{roll},{dob},{course},{date},Z\n"));
        }
    }
    text
}

fn hard_files(attendance: String) -> Files {
    two_files(STUDENTS, attendance)
}

/// A students file and an attendance file.
fn two_files(students: &str, attendance: String) -> Files {
    vec![
        (
            FileKind::Students,
            "s.csv".to_owned(),
            students.as_bytes().to_vec(),
        ),
        (
            FileKind::Attendance,
            "a.csv".to_owned(),
            attendance.into_bytes(),
        ),
    ]
}

#[test]
fn courses_met_late_repeats_and_far_days_apply_in_file_order() {
    let files = hard_files(hard_attendance());
    for max_examples in [2, 1000] {
        let options = EtlOptions {
            max_examples,
            ..EtlOptions::default()
        };
        assert!(check(&files, &options) > 50, "max_examples {max_examples}");
    }
    // The duplicate checks' own bounds, met within a piece and across pieces.
    let options = EtlOptions {
        max_tracked_keys: 40,
        ..EtlOptions::default()
    };
    assert!(check(&files, &options) > 50);
}

#[test]
fn a_quoted_line_break_or_a_rejected_row_reads_its_chunk_on_one_reader() {
    let clean = hard_attendance();
    let rows: Vec<&str> = clean.lines().collect();
    let half = rows.len() / 2;
    let variants = [
        // A quoted line break: a cut there would start a piece inside a field.
        ("\"CS\n9\"", "CS9"),
        // A ragged row and a field that is not UTF-8 are errors, with their lines.
        ("CS1,extra", "CS1"),
        ("\u{fffd}", ""),
        // Quotes around plain fields, and CRLF.
        ("\"P\"\r", "P"),
    ];
    for (planted, _) in variants {
        let mut text = String::new();
        for (idx, row) in rows.iter().enumerate() {
            let row = if idx % 211 == 7 || idx == half {
                row.replacen(",P", &format!(",{planted}"), 1)
            } else {
                (*row).to_owned()
            };
            text.push_str(&row);
            text.push('\n');
        }
        let mut bytes = text.into_bytes();
        if planted == "\u{fffd}" {
            // A byte that is not UTF-8 in place of the replacement character.
            let mut fixed = Vec::new();
            for part in bytes.split(|&b| b == 0xef) {
                if !fixed.is_empty() {
                    fixed.push(0xff);
                }
                fixed.extend_from_slice(part);
            }
            bytes = fixed;
        }
        let mut files = hard_files(String::new());
        if let Some(file) = files.get_mut(1) {
            file.2 = bytes;
        }
        check(&files, &EtlOptions::default());
    }
}

#[test]
fn an_unclosed_quote_stops_the_file_where_one_reader_stops() {
    let mut text = hard_attendance();
    text.push_str("C1,1001,2003-01-02,\"CS1,2024-09-01,P\n");
    text.push_str(
        &hard_attendance().replace("college_code,roll_no,dob,course_code,date,status\n", ""),
    );
    check(&hard_files(text), &EtlOptions::default());
}

#[test]
fn a_column_mapping_recoded_statuses_and_another_delimiter_read_alike() {
    let students = STUDENTS.replace(',', ";").replace("roll_no", "enrolment");
    let attendance = hard_attendance()
        .replace(',', ";")
        .replace("roll_no", "enrolment")
        .replace("status", "attended")
        .replace(";P\n", ";Y\n")
        .replace(";A\n", ";N\n");
    let mut columns = ColumnMap::default();
    columns.set(Role::RollNo, "enrolment");
    columns.set(Role::Status, "attended");
    ok(columns.set_status_values("Y", "N"));
    let options = EtlOptions {
        columns,
        delimiter: Some(b';'),
        max_examples: 4,
        ..EtlOptions::default()
    };
    assert!(check(&two_files(&students, attendance), &options) > 50);
}

#[test]
fn pieces_that_are_not_the_runs_cut_are_read_again_by_the_run() {
    let files = hard_files(hard_attendance());
    let options = EtlOptions::default();
    let (one, _) = pass(&files, &options, 1 << 20, None, 1 << 20);
    let want = summary(&one);
    // One piece short, or one starting a line later than the run cuts: the pieces' lengths
    // are not those of the run's cut for as many pieces.
    let one_short = |chunk: &[u8]| {
        let mut ranges = pieces_at_least(chunk, 3, 128);
        ranges.pop();
        ranges
    };
    let line_later = |chunk: &[u8]| {
        let mut ranges = pieces_at_least(chunk, 2, 128);
        if let Some(first) = ranges.first_mut()
            && let Some(at) = chunk[first.clone()].iter().position(|&b| b == b'\n')
        {
            first.start += at + 1;
        }
        ranges
    };
    for (etl, _) in [
        apart_cut(&files, &options, 2000, 2, one_short),
        apart_cut(&files, &options, 2000, 2, line_later),
    ] {
        assert!(summary(&etl) == want, "differs from one reader");
        assert_eq!(etl.pieces_read_apart(), 0, "no piece applied");
    }
    let (etl, _) = apart(&files, &options, 2000, 2);
    assert!(etl.pieces_read_apart() > 20, "the run's own cut is applied");
}

#[test]
fn cuts_fall_after_line_breaks_and_cover_the_lines() {
    let bytes = b"aa\nbbbb\ncc\nd\n\nlast";
    for n in 1..8 {
        let ends = cuts(bytes, n);
        assert!(!ends.is_empty() && ends.len() <= n, "{n}: {ends:?}");
        assert!(ends.windows(2).all(|w| w[0] < w[1]), "{n}: {ends:?}");
        assert!(ends.iter().all(|&e| bytes[e - 1] == b'\n'), "{n}: {ends:?}");
        assert_eq!(ends.last(), Some(&14), "{n}: up to the last line break");
    }
    assert!(cuts(b"no line break", 4).is_empty());
}

/// Three tasks wide, run in order; counts the calls that read pieces (more than two tasks: the
/// pieces and the cutter, where a chunk read on one thread runs two).
#[derive(Default)]
struct CountPieces(std::sync::atomic::AtomicUsize);

impl Spread for CountPieces {
    fn width(&self) -> usize {
        3
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        if n_tasks > 2 {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        (0..n_tasks).for_each(task);
    }
}

#[test]
fn a_file_whose_cuts_keep_failing_is_read_on_one_thread_for_a_while() {
    // Quoted line breaks on every third row up to `quoted_until`: the pieces of every chunk
    // there are read again. After it there are none, and pieces are kept again.
    let clean = hard_attendance();
    let rows: Vec<&str> = clean.lines().collect();
    let with_quotes = |quoted_until: usize| {
        let mut text = String::new();
        for (idx, row) in rows.iter().enumerate() {
            let row = if idx > 0 && idx < quoted_until && idx % 3 == 0 {
                row.replacen(",CS", ",\"C\nS", 1)
                    .replacen(",2024", "\",2024", 1)
            } else {
                (*row).to_owned()
            };
            text.push_str(&row);
            text.push('\n');
        }
        two_files(STUDENTS, text)
    };
    let options = EtlOptions::default();
    for quoted_until in [rows.len(), rows.len() / 2] {
        let files = with_quotes(quoted_until);
        let (one, _) = pass(&files, &options, 1 << 20, None, 1 << 20);
        let spread = CountPieces::default();
        let (etl, _) = pass(&files, &options, 1500, Some(&spread), 1 << 20);
        assert!(
            summary(&etl) == summary(&one),
            "the run differs from one reader's"
        );
        let tries = spread.0.load(std::sync::atomic::Ordering::Relaxed);
        if quoted_until == rows.len() {
            // Two failed chunks, then sixteen on one thread, and again.
            let chunks = files
                .iter()
                .map(|(_, _, b)| b.chunks(1500).len())
                .sum::<usize>();
            assert!(
                tries * 4 < chunks,
                "{tries} chunks of {chunks} tried in pieces"
            );
        } else {
            assert!(
                etl.pieces_read_apart() > 20,
                "{} pieces",
                etl.pieces_read_apart()
            );
        }
    }
}

#[test]
fn a_chunk_read_ahead_is_applied_with_the_next_one_or_before_the_file_ends() {
    let files = sample_files(false);
    let options = EtlOptions::default();
    let (one, _) = pass(&files, &options, 1 << 20, None, 1 << 20);
    let mut etl = Etl::new(options);
    etl.set_min_piece(128);
    let spread = Threads(2);
    // Pieces applied after each chunk of attendance.
    let mut applied = Vec::new();
    for (kind, name, bytes) in &files {
        ok(etl.begin_file(*kind, name));
        for chunk in bytes.chunks(4096) {
            ok(etl.feed_on(chunk, &spread, None));
            if *kind == FileKind::Attendance {
                applied.push(etl.pieces_read_apart());
            }
        }
        if *kind == FileKind::Attendance {
            ok(etl.feed_done(None));
            applied.push(etl.pieces_read_apart());
        }
        ok(etl.end_file());
    }
    // The first chunk gives the header and the seed; the second is only read, and applied
    // with the third; the last is applied by `feed_done`.
    assert!(applied.len() > 4, "{applied:?}");
    assert_eq!(applied.get(..2), Some(&[0, 0][..]), "{applied:?}");
    assert!(applied.get(2).is_some_and(|&n| n > 0), "{applied:?}");
    let (before_done, done) = (applied[applied.len() - 2], applied[applied.len() - 1]);
    assert!(done > before_done, "{applied:?}");
    assert!(
        summary(&etl) == summary(&one),
        "the run differs from one reader's"
    );
}

/// Two wide, but never runs a call's first task: a pool that breaks its word.
struct SkipsTheFirst;

impl Spread for SkipsTheFirst {
    fn width(&self) -> usize {
        2
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        (1..n_tasks).for_each(task);
    }
}

#[test]
fn a_pool_that_skips_a_task_loses_no_chunk() {
    let files = sample_files(false);
    let options = EtlOptions::default();
    let (one, _) = pass(&files, &options, 1 << 20, None, 1 << 20);
    let (etl, _) = pass(&files, &options, 4096, Some(&SkipsTheFirst), 1 << 20);
    assert!(
        summary(&etl) == summary(&one),
        "the run differs from one reader's"
    );
}
