//! Native tests of the ETL service and its plan: the protocol (moved here from the page's
//! browser tests), the plan's decisions, and the same files driven the page's way and the CLI's
//! way giving the same bytes.

use std::collections::BTreeMap;

use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::sample::{SampleOptions, generate};
use campus_etl::{Etl, EtlOptions, FileKind, FileReport, analyze};

use super::*;
use crate::{Bytes, JobError, Service, Step};

mod page_run;
mod page_state;

/// Every request and answer goes through postcard, as between the page and its worker.
fn wire(service: &mut EtlService, request: Request) -> Result<Event, JobError> {
    let Ok(encoded) = postcard::to_allocvec(&request) else {
        panic!("the request does not encode")
    };
    let Ok(request) = postcard::from_bytes::<Request>(&encoded) else {
        panic!("the request does not decode")
    };
    let event = ask(service, request)?;
    let Ok(encoded) = postcard::to_allocvec(&event) else {
        panic!("the event does not encode")
    };
    let Ok(event) = postcard::from_bytes::<Event>(&encoded) else {
        panic!("the event does not decode")
    };
    Ok(event)
}

fn expect<T: TryFrom<Event, Error = JobError>>(service: &mut EtlService, request: Request) -> T {
    match wire(service, request).and_then(T::try_from) {
        Ok(answer) => answer,
        Err(err) => panic!("{err}"),
    }
}

fn sample(dirty: bool) -> Vec<(String, Vec<u8>)> {
    let mut service = EtlService::default();
    let options = SampleOptions {
        dirty,
        ..SampleOptions::default()
    };
    let files: SampleFiles = expect(&mut service, Request::Sample { options });
    files
        .files
        .into_iter()
        .map(|(name, bytes)| (name, bytes.0))
        .collect()
}

/// Pass one over a file through the protocol: begin, `chunk`-byte chunks, end.
fn read_file(
    service: &mut EtlService,
    (kind, name, bytes): (FileKind, &str, &[u8]),
    chunk: usize,
) -> FileDone {
    let name = name.to_owned();
    let _: Ack = expect(service, Request::BeginFile { kind, name });
    for piece in bytes.chunks(chunk) {
        let bytes = Bytes(piece.to_vec());
        let _: Ack = expect(service, Request::Chunk { bytes });
    }
    expect(service, Request::EndFile)
}

/// Runs the four sample files through the protocol in 64 KiB chunks; returns the Pearson r and
/// the staging SQL.
fn run_protocol(options: RunOptions) -> (Option<f64>, Vec<u8>) {
    let mut service = EtlService::default();
    let _: Ack = expect(&mut service, Request::Reset { options });
    let files: Vec<(FileKind, String, Vec<u8>)> = sample(true)
        .into_iter()
        .map(|(name, bytes)| match kind_from_name(&name) {
            Some(kind) => (kind, name, bytes),
            None => panic!("{name} does not say its kind"),
        })
        .collect();
    for (kind, name, bytes) in &files {
        let done = read_file(&mut service, (*kind, name, bytes), 64 << 10);
        assert_eq!((done.report.kind, done.report.unusable), (*kind, false));
        assert!(!done.preview.rows.is_empty(), "{name} has a preview");
    }
    let analyzed: Analyzed = expect(&mut service, Request::Analyze);
    assert!(analyzed.markdown.contains("Pearson r = "));
    assert!(analyzed.view.scatter.len() <= SCATTER_POINTS);
    // The bar charts' figures: one bar per histogram bucket and per group, labelled.
    let [attendance, marks, program, band] = analyzed.view.bars();
    let view = &analyzed.view;
    assert_eq!(attendance.values, view.attendance_histogram.counts);
    assert_eq!(attendance.labels.first().map(String::as_str), Some("0%"));
    assert_eq!(marks.values, view.marks_histogram.counts);
    assert_eq!(program.labels.len(), view.placement_by_program.len());
    assert!(band.values.iter().all(|&pct| pct <= 100));
    let ddl: Bytes = expect(
        &mut service,
        Request::StagingDdl {
            database: None,
            dialect: campus_sql::Dialect::MySql,
        },
    );
    let mut all_sql = ddl.0;
    for (kind, name, bytes) in &files {
        let (kind, name) = (*kind, name.clone());
        let begin = Request::ExportBegin {
            kind,
            name,
            csv_header: true,
        };
        let _: Ack = expect(&mut service, begin);
        let mut requests: Vec<Request> = bytes
            .chunks(100_000)
            .map(|chunk| Request::ExportChunk {
                bytes: Bytes(chunk.to_vec()),
            })
            .collect();
        requests.push(Request::ExportEnd);
        for request in requests {
            let out: Exported = expect(&mut service, request);
            all_sql.extend_from_slice(&out.sql.0);
        }
    }
    (analyzed.view.pearson, all_sql)
}

/// The same pipeline on the core directly, in one piece per file.
fn run_core() -> (Option<f64>, Vec<u8>) {
    let files = generate(&SampleOptions {
        dirty: true,
        ..SampleOptions::default()
    });
    let mut etl = Etl::new(EtlOptions::default());
    for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL) {
        assert!(etl.load(kind, name, bytes).is_ok());
    }
    let pearson = analyze(&etl).pearson;
    let mut sql = staging_ddl(&etl);
    for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL) {
        let Ok(mut export) = Export::begin(&etl, kind, name, ExportOptions::default()) else {
            panic!("no export")
        };
        export.feed(&etl, bytes);
        export.finish(&etl);
        sql.append(export.sql_buf());
    }
    (pearson, sql)
}

#[test]
fn the_protocol_gives_the_cores_figures_and_sql() {
    let (service_r, service_sql) = run_protocol(RunOptions::default());
    let (core_r, core_sql) = run_core();
    assert!(service_r.is_some());
    assert_eq!(service_r.map(f64::to_bits), core_r.map(f64::to_bits));
    assert_eq!(service_sql, core_sql);
}

#[test]
fn keyed_hashes_differ_and_the_secret_stays_out_of_outputs_and_logs() {
    let options = RunOptions {
        keyed_secret: Some("correct horse".into()),
        ..RunOptions::default()
    };
    assert!(!format!("{options:?}").contains("horse"));
    let request = Request::Reset {
        options: options.clone(),
    };
    assert!(!format!("{request:?}").contains("horse"));
    let (keyed_r, keyed_sql) = run_protocol(options);
    let (plain_r, plain_sql) = run_protocol(RunOptions::default());
    // The hash is only a key, so the correlation is the same up to summation order (pairs are
    // sorted by hash, as pandas' groupby sorts them); the outputs differ.
    let (Some(keyed_r), Some(plain_r)) = (keyed_r, plain_r) else {
        panic!("no correlation")
    };
    assert!((keyed_r - plain_r).abs() < 1e-12, "{keyed_r} vs {plain_r}");
    assert_ne!(keyed_sql, plain_sql);
    assert!(!String::from_utf8_lossy(&keyed_sql).contains("horse"));
}

fn load_small_sample(service: &mut EtlService) {
    let files = generate(&SampleOptions {
        students_per_program: 3,
        sessions_per_course: 2,
        ..SampleOptions::default()
    });
    for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL) {
        read_file(service, (kind, name, bytes), bytes.len().max(1));
    }
}

#[test]
fn the_attack_recovers_plain_hashes_and_not_keyed_ones() {
    for (secret, expect_recovered) in [(None, true), (Some("s3cret".to_owned()), false)] {
        let mut service = EtlService::default();
        let options = RunOptions {
            keyed_secret: secret,
            ..RunOptions::default()
        };
        let _: Ack = expect(&mut service, Request::Reset { options });
        load_small_sample(&mut service);
        let begun: AttackState = expect(&mut service, Request::AttackBegin);
        assert_eq!(begun.progress.n_tried, 0);
        let mut last = begun.progress;
        for _ in 0..10_000 {
            let step: AttackState =
                expect(&mut service, Request::AttackStep { candidates: 50_000 });
            // A step tries exactly as many candidates as asked, unless the attack ends.
            assert!(
                step.progress.n_tried == last.n_tried + 50_000 || step.progress.done(),
                "{step:?}"
            );
            last = step.progress;
            if last.done() {
                break;
            }
        }
        assert!(last.done());
        assert_eq!(last.n_recovered > 0, expect_recovered, "{last:?}");
    }
}

#[test]
fn an_attack_step_before_the_attack_fails_and_the_service_goes_on() {
    let mut service = EtlService::default();
    let step = wire(&mut service, Request::AttackStep { candidates: 10 });
    assert_eq!(step, Err(JobError::new("no attack is running")));
    let export = wire(&mut service, Request::ExportEnd);
    assert_eq!(export, Err(JobError::new("no export is running")));
    let _: Ack = expect(
        &mut service,
        Request::Reset {
            options: RunOptions::default(),
        },
    );
}

#[test]
fn files_out_of_order_fail_with_a_message_and_the_service_goes_on() {
    let mut service = EtlService::default();
    let exams = Request::BeginFile {
        kind: FileKind::Exams,
        name: "exams.csv".into(),
    };
    let Err(err) = wire(&mut service, exams) else {
        panic!("accepted exams before students")
    };
    assert!(err.message.contains("students"), "{err}");
    let students = Request::BeginFile {
        kind: FileKind::Students,
        name: "s.csv".into(),
    };
    assert_eq!(wire(&mut service, students), Ok(Event::Ack(Ack)));
}

#[test]
fn malformed_rows_are_reported_with_line_and_column() {
    let mut service = EtlService::default();
    let begin = Request::BeginFile {
        kind: FileKind::Students,
        name: "students.csv".into(),
    };
    let _: Ack = expect(&mut service, begin);
    let csv = b"roll_no,dob,college_code,program_code\nA-1,2005-01-01,C1,CSE\nA-2,2005-01-02,C1\nA-3,2005-01-03,C1,CSE\n";
    let chunk = Request::Chunk {
        bytes: Bytes(csv.to_vec()),
    };
    let _: Ack = expect(&mut service, chunk);
    let done: FileDone = expect(&mut service, Request::EndFile);
    assert_eq!((done.report.n_rows, done.report.n_errors), (2, 1));
    assert_eq!(
        done.report
            .errors
            .first()
            .map(String::as_str)
            .unwrap_or("")
            .split(": ")
            .next(),
        Some("students.csv:3:4")
    );
}

#[test]
fn preview_skips_the_bom_and_reads_crlf() {
    let p = preview(
        "s.csv",
        b"\xef\xbb\xbfroll_no,dob\r\nA-1,2005-01-01\r\nA-2,2005-01-02\r\n",
    );
    assert_eq!(p.headers, ["roll_no", "dob"]);
    assert_eq!(
        p.rows,
        [
            (2, vec!["A-1".to_owned(), "2005-01-01".to_owned()]),
            (3, vec!["A-2".to_owned(), "2005-01-02".to_owned()])
        ]
    );
}

#[test]
fn file_names_tell_their_kind() {
    let cases = [
        ("students_master.csv", Some(FileKind::Students)),
        ("attendance_2024_odd.csv", Some(FileKind::Attendance)),
        ("Exam_Results_2024.CSV", Some(FileKind::Exams)),
        ("placements_2024.csv", Some(FileKind::Placements)),
        ("notes.csv", None),
    ];
    for (name, kind) in cases {
        assert_eq!(kind_from_name(name), kind, "{name}");
    }
}

#[test]
fn analysis_with_nan_survives_the_wire() {
    let mut service = EtlService::default();
    let files: [(FileKind, &str, &[u8]); 2] = [
        (
            FileKind::Students,
            "s.csv",
            b"roll_no,dob,college_code,program_code\nA-1,2005-01-01,C1,CSE\n",
        ),
        (
            FileKind::Exams,
            "e.csv",
            b"college_code,roll_no,dob,course_code,internal,external,total\nC1,A-1,2005-01-01,X1,10,20,\n",
        ),
    ];
    for (kind, name, bytes) in files {
        let begin = Request::BeginFile {
            kind,
            name: name.into(),
        };
        let _: Ack = expect(&mut service, begin);
        let _: Ack = expect(
            &mut service,
            Request::Chunk {
                bytes: Bytes(bytes.to_vec()),
            },
        );
        let _: FileDone = expect(&mut service, Request::EndFile);
    }
    let Ok(event) = ask(&mut service, Request::Analyze) else {
        panic!("no analysis")
    };
    let Ok(decoded) = wire(&mut service, Request::Analyze) else {
        panic!("no analysis over the wire")
    };
    // NaN ≠ NaN, so compare the text, which shows NaN as NaN.
    assert_eq!(format!("{decoded:?}"), format!("{event:?}"));
    let Ok(analyzed) = Analyzed::try_from(decoded) else {
        panic!("no analysis")
    };
    let view = analyzed.view;
    assert_eq!(
        (view.n_pairs, view.n_complete_pairs, view.pearson),
        (1, 0, None)
    );
}

#[test]
fn an_answer_of_the_wrong_kind_is_one_typed_error() {
    let err = FileDone::try_from(Event::Ack(Ack)).err();
    assert_eq!(
        err.map(|e| e.message),
        Some("the ETL service answered Ack where FileDone was expected".to_owned())
    );
}

#[test]
fn options_are_checked_when_a_run_starts() {
    let mut service = EtlService::default();
    for (options, message) in [
        (
            RunOptions {
                semester: Some("2024-08-01..2024-12-15".into()),
                ..RunOptions::default()
            },
            "the semester wants FIRST:LAST as ISO dates, e.g. 2024-08-01:2024-12-15",
        ),
        (
            RunOptions {
                keyed_secret: Some(String::new()),
                ..RunOptions::default()
            },
            "a keyed hash needs a secret",
        ),
    ] {
        let reset = wire(&mut service, Request::Reset { options });
        assert_eq!(reset, Err(JobError::new(message)));
    }
    assert_eq!(
        parse_semester("2024-08-01:2024-12-15").map(|(a, b)| (a.to_days(), b.to_days())),
        campus_schema::Date::parse_iso("2024-08-01")
            .zip(campus_schema::Date::parse_iso("2024-12-15"))
            .map(|(a, b)| (a.to_days(), b.to_days()))
    );
}

#[test]
fn staging_ddl_names_its_database_when_asked() {
    let mut service = EtlService::default();
    load_small_sample(&mut service);
    let plain: Bytes = expect(
        &mut service,
        Request::StagingDdl {
            database: None,
            dialect: campus_sql::Dialect::MySql,
        },
    );
    let named: Bytes = expect(
        &mut service,
        Request::StagingDdl {
            database: Some("my`db".into()),
            dialect: campus_sql::Dialect::MySql,
        },
    );
    let header = b"CREATE DATABASE IF NOT EXISTS `my``db` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\nUSE `my``db`;\n";
    assert_eq!(named.0.get(..header.len()), Some(&header[..]));
    assert_eq!(named.0.get(header.len()..), Some(plain.0.as_slice()));
}

#[test]
fn a_clock_given_by_the_shell_times_the_first_pass() {
    use std::sync::atomic::{AtomicU64, Ordering};
    static TICKS: AtomicU64 = AtomicU64::new(0);
    fn clock() -> f64 {
        TICKS.fetch_add(1, Ordering::Relaxed) as f64
    }
    let mut timed = EtlService::with_clock(clock);
    let _: Ack = expect(
        &mut timed,
        Request::Reset {
            options: RunOptions::default(),
        },
    );
    let begin = Request::BeginFile {
        kind: FileKind::Students,
        name: "s.csv".into(),
    };
    let _: Ack = expect(&mut timed, begin.clone());
    let _: Ack = expect(
        &mut timed,
        Request::Chunk {
            bytes: Bytes(b"roll_no,dob,college_code,program_code\n".to_vec()),
        },
    );
    let done: FileDone = expect(&mut timed, Request::EndFile);
    // One tick over the chunk, one over the end: the clock survives a Reset.
    assert_eq!(done.compute_ms, 2.0);
    let mut untimed = EtlService::default();
    let _: Ack = expect(&mut untimed, begin);
    let done: FileDone = expect(&mut untimed, Request::EndFile);
    assert_eq!(done.compute_ms, 0.0);
}

#[test]
fn a_request_is_one_step_and_a_cancel_before_it_drops_it() {
    let mut service = EtlService::default();
    assert_eq!(service.start(Request::Analyze), Ok(()));
    service.cancel();
    assert!(service.step().is_err());
    assert_eq!(service.start(Request::AttackBegin), Ok(()));
    assert!(matches!(
        service.step(),
        Ok(Step::Finished(Event::Attack(_)))
    ));
}

// ----- The plan -----

fn input(kind: FileKind, name: &str) -> Input {
    Input {
        kind,
        name: name.into(),
    }
}

fn report(kind: FileKind, name: &str, unusable: bool) -> FileReport {
    FileReport {
        kind,
        file_name: name.into(),
        n_bytes: 0,
        n_rows: 0,
        n_skipped_rows: 0,
        delimiter: b',',
        columns: Vec::new(),
        errors: Vec::new(),
        n_errors: 0,
        unusable,
        rejected: Default::default(),
        findings: Default::default(),
    }
}

/// The plan for files given as `kind:name` (kind as the CLI's flags spell it), separated by
/// spaces, in the user's order.
fn plan_of(files: &str) -> Plan {
    let inputs = files
        .split_whitespace()
        .map(|file| {
            let Some((kind, name)) = file.split_once(':') else {
                panic!("{file} is not kind:name")
            };
            let kind = match kind {
                "students" => FileKind::Students,
                "attendance" => FileKind::Attendance,
                "exams" => FileKind::Exams,
                "placements" => FileKind::Placements,
                _ => panic!("no kind {kind}"),
            };
            input(kind, name)
        })
        .collect();
    match Plan::new(inputs) {
        Ok(plan) => plan,
        Err(err) => panic!("no plan: {err}"),
    }
}

/// Follows a plan, answering every read with a report that is unusable for the files in
/// `unusable`; returns what it was told to do, in words.
fn follow(plan: &mut Plan, unusable: &[usize]) -> (Vec<String>, Result<(), PlanError>) {
    let mut steps = Vec::new();
    loop {
        match plan.next_step() {
            Next::Read { file, begin } => {
                let Request::BeginFile { kind, name } = begin else {
                    panic!("a read begins with BeginFile")
                };
                steps.push(format!("read {file}"));
                let report = report(kind, &name, unusable.contains(&file));
                if let Err(err) = plan.read(file, &report) {
                    return (steps, Err(err));
                }
            }
            Next::Analyze => steps.push("analyze".into()),
            Next::Ddl => steps.push("ddl".into()),
            Next::Export(export) => {
                let Request::ExportBegin {
                    kind: begin_kind,
                    csv_header,
                    ..
                } = export.begin
                else {
                    panic!("an export begins with ExportBegin")
                };
                assert_eq!((begin_kind, csv_header), (export.kind, export.new_csv));
                let (file, header) = (export.file, if export.new_csv { " new csv" } else { "" });
                steps.push(format!("export {file}{header}"));
            }
            Next::Done => return (steps, Ok(())),
        }
    }
}

#[test]
fn the_plan_reads_students_first_and_keeps_the_users_order_within_a_kind() {
    let mut plan =
        plan_of("placements:p.csv attendance:a2.csv students:s.csv exams:e.csv attendance:a1.csv");
    assert_eq!(plan.load_order(), [2, 1, 4, 3, 0]);
    let (steps, end) = follow(&mut plan, &[]);
    assert_eq!(end, Ok(()));
    assert_eq!(
        steps.join(", "),
        "read 2, read 1, read 4, read 3, read 0, analyze, ddl, export 2 new csv, export 1 new csv, export 4, export 3 new csv, export 0 new csv"
    );
    assert_eq!(
        plan.csv_kinds(),
        [
            FileKind::Students,
            FileKind::Attendance,
            FileKind::Exams,
            FileKind::Placements
        ]
    );
    assert_eq!(plan.next_step(), Next::Done);
}

#[test]
fn the_plan_wants_a_students_file() {
    let inputs = vec![input(FileKind::Attendance, "a.csv")];
    assert_eq!(Plan::new(inputs).err(), Some(PlanError::NoStudents));
}

#[test]
fn an_unusable_students_file_stops_the_run_after_its_report() {
    let mut plan = plan_of("students:s.csv attendance:a.csv");
    let (steps, end) = follow(&mut plan, &[0]);
    assert_eq!(steps, ["read 0"]);
    assert_eq!(end, Err(PlanError::StudentsUnusable { file: 0 }));
    assert_eq!(
        end.err().map(|e| e.to_string()).as_deref(),
        Some("the students file could not be used, so nothing can be joined")
    );
    assert_eq!(plan.next_step(), Next::Done);
}

#[test]
fn an_unusable_file_is_skipped_by_identity_not_by_name() {
    // Two attendance files with the same name from different folders; the second is bad.
    let mut plan =
        plan_of("students:s.csv attendance:attendance.csv attendance:attendance.csv exams:e.csv");
    let (steps, end) = follow(&mut plan, &[2, 3]);
    assert_eq!(end, Ok(()));
    assert_eq!(
        steps.join(", "),
        "read 0, read 1, read 2, read 3, analyze, ddl, export 0 new csv, export 1 new csv"
    );
    assert!(plan.is_usable(1) && !plan.is_usable(2) && !plan.is_usable(3));
    // The first usable file of a kind opens its CSV even when an unusable one came before.
    let mut plan = plan_of("students:s.csv attendance:bad.csv attendance:good.csv");
    let (steps, _) = follow(&mut plan, &[1]);
    assert_eq!(
        steps.get(5..),
        Some(&["export 0 new csv".to_owned(), "export 2 new csv".to_owned()][..])
    );
}

#[test]
fn a_report_out_of_turn_is_refused() {
    let mut plan = plan_of("students:s.csv exams:e.csv");
    let report = report(FileKind::Exams, "e.csv", false);
    assert_eq!(plan.read(1, &report), Err(PlanError::OutOfTurn { file: 1 }));
    assert!(matches!(plan.next_step(), Next::Read { file: 0, .. }));
    assert_eq!(plan.read(1, &report), Err(PlanError::OutOfTurn { file: 1 }));
}

// ----- The page's way and the CLI's way give the same bytes -----

/// Everything a run writes: the staging CSVs by name, `staging.sql` and `report.md`.
#[derive(Debug, Default, PartialEq)]
struct Outputs {
    csv: BTreeMap<String, Vec<u8>>,
    sql: Vec<u8>,
    report: Vec<u8>,
}

/// How a shell moves bytes.
struct Shell {
    /// Bytes per chunk read from a file.
    chunk: usize,
    /// Whether requests and answers cross postcard (the page's worker) or not (the CLI).
    wire: bool,
}

impl Shell {
    /// The page: 4 MiB slices through the worker's codec.
    const PAGE: Shell = Shell {
        chunk: 4 << 20,
        wire: true,
    };
    /// The CLI: 1 MiB reads, the service called directly.
    const CLI: Shell = Shell {
        chunk: 1 << 20,
        wire: false,
    };

    fn ask<T: TryFrom<Event, Error = JobError>>(
        &self,
        service: &mut EtlService,
        request: Request,
    ) -> Result<T, JobError> {
        if self.wire {
            wire(service, request)?.try_into()
        } else {
            ask_for(service, request)
        }
    }

    /// One run over `files` following the plan, in the order the shells send requests.
    fn run(
        &self,
        files: &[(FileKind, String, Vec<u8>)],
        options: RunOptions,
    ) -> Result<Outputs, JobError> {
        let mut service = EtlService::default();
        let _: Ack = self.ask(&mut service, Request::Reset { options })?;
        let inputs = files
            .iter()
            .map(|(kind, name, _)| input(*kind, name))
            .collect();
        let mut plan = Plan::new(inputs).map_err(|e| JobError::new(e.to_string()))?;
        let bytes = |file: usize| files.get(file).map_or(&[][..], |(_, _, bytes)| bytes);
        let mut out = Outputs::default();
        loop {
            match plan.next_step() {
                Next::Read { file, begin } => {
                    let _: Ack = self.ask(&mut service, begin)?;
                    for chunk in bytes(file).chunks(self.chunk) {
                        let bytes = Bytes(chunk.to_vec());
                        let _: Ack = self.ask(&mut service, Request::Chunk { bytes })?;
                    }
                    let done: FileDone = self.ask(&mut service, Request::EndFile)?;
                    plan.read(file, &done.report)
                        .map_err(|e| JobError::new(e.to_string()))?;
                }
                Next::Analyze => {
                    let analyzed: Analyzed = self.ask(&mut service, Request::Analyze)?;
                    out.report = analyzed.markdown.into_bytes();
                }
                Next::Ddl => {
                    let request = Request::StagingDdl {
                        database: None,
                        dialect: campus_sql::Dialect::MySql,
                    };
                    out.sql = self.ask::<Bytes>(&mut service, request)?.0;
                }
                Next::Export(export) => {
                    let name = format!("{}.csv", export.kind.staging_table());
                    assert_eq!(export.new_csv, !out.csv.contains_key(&name));
                    let _: Ack = self.ask(&mut service, export.begin)?;
                    let mut requests: Vec<Request> = bytes(export.file)
                        .chunks(self.chunk)
                        .map(|chunk| Request::ExportChunk {
                            bytes: Bytes(chunk.to_vec()),
                        })
                        .collect();
                    requests.push(Request::ExportEnd);
                    for request in requests {
                        let exported: Exported = self.ask(&mut service, request)?;
                        out.csv
                            .entry(name.clone())
                            .or_default()
                            .extend(exported.csv.0);
                        out.sql.extend(exported.sql.0);
                    }
                }
                Next::Done => return Ok(out),
            }
        }
    }
}

fn sample_files(options: &SampleOptions) -> Vec<(FileKind, String, Vec<u8>)> {
    generate(options)
        .files()
        .into_iter()
        .zip(FileKind::ALL)
        .map(|((name, bytes), kind)| (kind, name.to_owned(), bytes.to_vec()))
        .collect()
}

fn assert_same(page: &Outputs, cli: &Outputs) {
    assert_eq!(
        page.csv.keys().collect::<Vec<_>>(),
        cli.csv.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &page.csv {
        assert!(cli.csv.get(name) == Some(bytes), "{name} differs");
    }
    assert!(page.sql == cli.sql, "staging.sql differs");
    assert!(page.report == cli.report, "report.md differs");
}

#[test]
fn the_page_and_the_cli_write_the_same_bytes() {
    // Big enough that the attendance file spans several slices of both shells.
    let big = SampleOptions {
        students_per_program: 60,
        sessions_per_course: 40,
        dirty: true,
        ..SampleOptions::default()
    };
    let files = sample_files(&big);
    assert!(files.iter().any(|(_, _, bytes)| bytes.len() > 4 << 20));
    let keyed = RunOptions {
        keyed_secret: Some("s3cret".into()),
        deidentify: true,
        semester: Some("2024-08-01:2024-09-15".into()),
        delimiter: None,
        max_record_bytes: None,
        ..RunOptions::default()
    };
    for options in [RunOptions::default(), keyed] {
        let page = Shell::PAGE.run(&files, options.clone());
        let cli = Shell::CLI.run(&files, options);
        let (Ok(page), Ok(cli)) = (page, cli) else {
            panic!("a run failed")
        };
        assert_eq!(page.csv.len(), 4);
        assert!(page.sql.len() > 1 << 20);
        assert_same(&page, &cli);
    }
}

#[test]
fn the_same_bytes_at_any_slice_size_with_a_bad_file_among_same_named_ones() {
    let mut files = sample_files(&SampleOptions {
        dirty: true,
        ..SampleOptions::default()
    });
    // A second attendance file of the same name that cannot be used, and an unusable
    // placements file: only the bad files are left out.
    files.push((
        FileKind::Attendance,
        "attendance_2024_odd.csv".into(),
        b"foo,bar\n1,2\n".to_vec(),
    ));
    files.push((
        FileKind::Placements,
        "placements_2024.csv".into(),
        Vec::new(),
    ));
    let Ok(cli) = Shell::CLI.run(&files, RunOptions::default()) else {
        panic!("the CLI's run failed")
    };
    let attendance = cli.csv.get("stg_attendance.csv").map_or(0, Vec::len);
    assert!(attendance > 0, "the good attendance file was exported");
    for chunk in [7, 4096, 65_537] {
        let shell = Shell { chunk, wire: true };
        let Ok(page) = shell.run(&files, RunOptions::default()) else {
            panic!("the page's run failed at {chunk}")
        };
        assert_same(&page, &cli);
    }
}

#[test]
fn both_shells_stop_on_an_unusable_students_file() {
    let mut files = sample_files(&SampleOptions::default());
    if let Some(students) = files.first_mut() {
        students.2 = b"foo,bar\n1,2\n".to_vec();
    }
    for shell in [Shell::PAGE, Shell::CLI] {
        let run = shell.run(&files, RunOptions::default());
        assert_eq!(
            run.err().map(|e| e.message).as_deref(),
            Some("the students file could not be used, so nothing can be joined")
        );
    }
}

#[test]
fn attack_steps_adapt_to_the_time_they_take() {
    // On time: the same; twice too slow: halved; far too fast: doubled at most.
    assert_eq!(next_attack_step(100_000, 150.0, 150.0), 100_000);
    assert_eq!(next_attack_step(100_000, 300.0, 150.0), 50_000);
    assert_eq!(next_attack_step(100_000, 1.0, 150.0), 200_000);
    assert_eq!(next_attack_step(100_000, 0.0, 150.0), 200_000);
    // Far too slow: quartered at most; and within bounds.
    assert_eq!(next_attack_step(100_000, 10_000.0, 150.0), 25_000);
    assert_eq!(next_attack_step(1_500, 10_000.0, 150.0), 1_024);
    assert_eq!(next_attack_step(1 << 24, 1.0, 150.0), 1 << 24);
    assert_eq!(next_attack_step(100_000, f64::NAN, 150.0), 100_000);
}

/// The page's allowance for rejected rows judges a finished run as the CLI's `--max-bad-rows`
/// does: by default any loss fails it; a count or a percentage typed in the ETL section allows
/// it; an allowance that cannot be read says so.
#[test]
fn the_page_judges_rejected_rows_by_the_allowance_chosen() {
    let mut state: page::State<()> = page::State::default();
    assert_eq!(state.bad_rows_verdict(), None);
    let mut bad = report(FileKind::Attendance, "a.csv", true);
    bad.n_rows = 3;
    let mut good = report(FileKind::Students, "s.csv", false);
    good.n_rows = 7;
    for (kind, report) in [(FileKind::Students, good), (FileKind::Attendance, bad)] {
        state.apply(page::Action::FileDone(page::FileView {
            kind,
            name: report.file_name.clone(),
            report,
            preview: Default::default(),
            elapsed_ms: 0.0,
            compute_ms: 0.0,
        }));
    }
    state.apply(page::Action::Finished);
    let failed = state.bad_rows_verdict().and_then(Result::err);
    assert!(
        failed.as_deref().is_some_and(|m| m.starts_with(
            "The run counts as failed: 3 of 10 rows were rejected (a.csv: 3 rows read"
        ) && m.contains("more than the 0 allowed")),
        "{failed:?}"
    );
    state.apply(page::Action::SetMaxBadRows("3".into()));
    assert_eq!(
        state.bad_rows_verdict(),
        Some(Ok(
            "3 of 10 rows were rejected, within the 3 allowed.".into()
        ))
    );
    state.apply(page::Action::SetMaxBadRows("20%".into()));
    assert!(matches!(state.bad_rows_verdict(), Some(Err(_))));
    state.apply(page::Action::SetMaxBadRows("30%".into()));
    assert!(matches!(state.bad_rows_verdict(), Some(Ok(_))));
    state.apply(page::Action::SetMaxBadRows("lots".into()));
    assert!(
        state
            .bad_rows_verdict()
            .and_then(Result::err)
            .is_some_and(|m| m.contains("found `lots`"))
    );
}

/// A pool of two that runs its tasks in turn and counts them.
#[derive(Default)]
struct CountingSpread {
    tasks: std::sync::atomic::AtomicUsize,
}

impl campus_schema::spread::Spread for CountingSpread {
    fn width(&self) -> usize {
        2
    }

    fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
        self.tasks
            .fetch_add(n_tasks, std::sync::atomic::Ordering::Relaxed);
        (0..n_tasks).rev().for_each(task);
    }
}

#[test]
fn a_new_run_keeps_the_shells_pool_and_the_buffers_it_gave_back() {
    let files = sample_files(&SampleOptions::default());
    let Some((kind, name, bytes)) = files.iter().find(|(k, _, _)| *k == FileKind::Attendance)
    else {
        panic!("no attendance file")
    };
    let export = |service: &mut EtlService| -> (Vec<u8>, Vec<usize>) {
        for (kind, name, bytes) in files.iter().filter(|(k, ..)| *k == FileKind::Students) {
            read_file(service, (*kind, name, bytes), 1 << 20);
        }
        read_file(service, (*kind, name, bytes), 1 << 20);
        let begin = Request::ExportBegin {
            kind: *kind,
            name: name.clone(),
            csv_header: true,
        };
        let _: Ack = expect(service, begin);
        let (mut csv, mut capacities) = (Vec::new(), Vec::new());
        for chunk in bytes.chunks(100_000) {
            let request = Request::ExportChunk {
                bytes: Bytes(chunk.to_vec()),
            };
            let Ok(out) = ask_for::<Exported>(service, request) else {
                panic!("a chunk was not exported")
            };
            capacities.push(out.csv.0.capacity());
            csv.extend_from_slice(&out.csv.0);
        }
        let Ok(out) = ask_for::<Exported>(service, Request::ExportEnd) else {
            panic!("the export did not end")
        };
        csv.extend_from_slice(&out.csv.0);
        (csv, capacities)
    };
    let (alone, _) = export(&mut EtlService::default());

    let spread = std::sync::Arc::new(CountingSpread::default());
    let read_spread = std::sync::Arc::new(CountingSpread::default());
    let mut service = EtlService::default();
    service.set_spread(spread.clone());
    service.set_read_spread(read_spread.clone());
    service.recycle(Vec::with_capacity(64 << 20));
    let options = RunOptions::default();
    let _: Ack = expect(&mut service, Request::Reset { options });
    let (spread_out, capacities) = export(&mut service);
    assert!(spread_out == alone, "the pools changed the staging CSV");
    let tasks = spread.tasks.load(std::sync::atomic::Ordering::Relaxed);
    assert!(tasks > 0, "the pool set before Reset wrote no batch");
    let read_tasks = read_spread.tasks.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        read_tasks > 2,
        "the reading pool set before Reset read no piece"
    );
    // The first chunk's buffer was the export's own; the second is the one given back.
    assert!(
        capacities.get(1).is_some_and(|&c| c >= 64 << 20),
        "{capacities:?}"
    );
}

#[test]
fn piece_requests_out_of_turn_or_garbled_fail_with_a_message() {
    let mut service = EtlService::default();
    let read = Request::ReadPiece {
        bytes: Bytes(b"C1,1001\n".to_vec()),
    };
    assert_eq!(
        wire(&mut service, read).map_err(|err| err.message),
        Err("this worker has no piece seed".to_owned())
    );
    // No file is open, so the run has no seed to give.
    let seed: PieceSeedOf = expect(&mut service, Request::PieceSeed);
    assert_eq!(seed.seed, None);
    let garbled = Request::ChunkApart {
        bytes: Bytes(b"C1,1001\n".to_vec()),
        pieces: vec![Bytes(vec![0xFF; 3])],
    };
    let Err(err) = wire(&mut service, garbled) else {
        panic!("a garbled piece was taken")
    };
    assert!(
        err.message
            .starts_with("a helper's piece could not be read"),
        "{}",
        err.message
    );
}
