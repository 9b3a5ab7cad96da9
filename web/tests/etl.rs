//! Browser tests of the ETL workbench's logic (worker protocol, reducer), run in headless
//! Chromium by wasm-bindgen-test:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p campus_web --test etl`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::sample::{SampleOptions, generate};
use campus_etl::{Etl, EtlOptions, FileKind, analyze};
use campus_jobs::Bytes;
use campus_web::etl::state::{EtlAction, EtlState, FileView, kind_from_name};
use campus_web::etl::worker::{Request, Response, RunOptions, Worker, preview};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use yew::Reducible;
use yew_agent::Codec;

wasm_bindgen_test_configure!(run_in_browser);

/// Every response goes through the worker's codec, as it would between threads.
fn ask(worker: &mut Worker, request: Request) -> Response {
    let request: Request = yew_agent::Bincode::decode(yew_agent::Bincode::encode(&request));
    let response = worker.handle(request);
    yew_agent::Bincode::decode(yew_agent::Bincode::encode(&response))
}

/// Runs the four sample files through the worker protocol in 64 KiB chunks; returns the
/// Pearson r and the staging SQL.
fn run_worker(options: RunOptions) -> (Option<f64>, Vec<u8>) {
    let mut worker = Worker::default();
    assert_eq!(ask(&mut worker, Request::Reset { options }), Response::Ack);
    let Response::Sample { files } = ask(&mut worker, Request::Sample { dirty: true }) else {
        panic!("no sample")
    };
    for (name, bytes) in &files {
        let Some(kind) = kind_from_name(name) else {
            panic!("{name} does not say its kind")
        };
        assert_eq!(
            ask(
                &mut worker,
                Request::BeginFile {
                    kind,
                    name: name.clone()
                }
            ),
            Response::Ack
        );
        for chunk in bytes.0.chunks(64 << 10) {
            assert_eq!(
                ask(
                    &mut worker,
                    Request::Chunk {
                        bytes: Bytes(chunk.to_vec())
                    }
                ),
                Response::Ack
            );
        }
        let Response::FileDone {
            report, preview, ..
        } = ask(&mut worker, Request::EndFile)
        else {
            panic!("no report")
        };
        assert_eq!((report.kind, report.unusable), (kind, false));
        assert!(!preview.rows.is_empty(), "{name} has a preview");
    }
    let Response::Analyzed { view, markdown, .. } = ask(&mut worker, Request::Analyze) else {
        panic!("no analysis")
    };
    assert!(markdown.contains("Pearson r = "));
    assert!(view.scatter.len() <= campus_web::etl::worker::SCATTER_POINTS);
    let Response::Ddl { sql } = ask(&mut worker, Request::StagingDdl) else {
        panic!("no DDL")
    };
    let mut all_sql = sql.0;
    for (name, bytes) in &files {
        let Some(kind) = kind_from_name(name) else {
            panic!("{name} does not say its kind")
        };
        let begin = Request::ExportBegin {
            kind,
            name: name.clone(),
            csv_header: true,
        };
        assert_eq!(ask(&mut worker, begin), Response::Ack);
        let mut responses: Vec<Response> = bytes
            .0
            .chunks(100_000)
            .map(|chunk| {
                ask(
                    &mut worker,
                    Request::ExportChunk {
                        bytes: Bytes(chunk.to_vec()),
                    },
                )
            })
            .collect();
        responses.push(ask(&mut worker, Request::ExportEnd));
        for response in responses {
            let Response::Exported { sql, .. } = response else {
                panic!("no export")
            };
            all_sql.extend_from_slice(&sql.0);
        }
    }
    (view.pearson, all_sql)
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

#[wasm_bindgen_test]
fn worker_protocol_gives_the_cores_figures_and_sql() {
    let (worker_r, worker_sql) = run_worker(RunOptions::default());
    let (core_r, core_sql) = run_core();
    assert!(worker_r.is_some());
    assert_eq!(worker_r.map(f64::to_bits), core_r.map(f64::to_bits));
    assert_eq!(worker_sql, core_sql);
}

#[wasm_bindgen_test]
fn keyed_hashes_differ_and_the_secret_stays_out_of_outputs_and_logs() {
    let options = RunOptions {
        keyed_secret: Some("correct horse".into()),
        deidentify: false,
    };
    assert!(!format!("{options:?}").contains("horse"));
    let (keyed_r, keyed_sql) = run_worker(options);
    let (plain_r, plain_sql) = run_worker(RunOptions::default());
    // The hash is only a key, so the correlation is the same up to summation order (pairs are
    // sorted by hash, as pandas' groupby sorts them); the outputs differ.
    let (Some(keyed_r), Some(plain_r)) = (keyed_r, plain_r) else {
        panic!("no correlation")
    };
    assert!((keyed_r - plain_r).abs() < 1e-12, "{keyed_r} vs {plain_r}");
    assert_ne!(keyed_sql, plain_sql);
    assert!(!String::from_utf8_lossy(&keyed_sql).contains("horse"));
}

#[wasm_bindgen_test]
fn the_attack_recovers_plain_hashes_and_not_keyed_ones() {
    for (secret, expect_recovered) in [(None, true), (Some("s3cret".to_owned()), false)] {
        let mut worker = Worker::new(&RunOptions {
            keyed_secret: secret,
            deidentify: false,
        });
        let files = generate(&SampleOptions {
            students_per_program: 3,
            sessions_per_course: 2,
            ..SampleOptions::default()
        });
        for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL) {
            ask(
                &mut worker,
                Request::BeginFile {
                    kind,
                    name: name.into(),
                },
            );
            ask(
                &mut worker,
                Request::Chunk {
                    bytes: Bytes(bytes.to_vec()),
                },
            );
            ask(&mut worker, Request::EndFile);
        }
        let Response::Attack { progress, .. } = ask(&mut worker, Request::AttackBegin) else {
            panic!("no attack")
        };
        assert_eq!(progress.n_tried, 0);
        let mut last = progress;
        for _ in 0..10_000 {
            let Response::Attack { progress, .. } =
                ask(&mut worker, Request::AttackStep { budget_ms: 50.0 })
            else {
                panic!("no step")
            };
            last = progress;
            if progress.done() {
                break;
            }
        }
        assert!(last.done());
        assert_eq!(last.n_recovered > 0, expect_recovered, "{last:?}");
    }
}

#[wasm_bindgen_test]
fn files_out_of_order_fail_with_a_message_and_the_worker_goes_on() {
    let mut worker = Worker::default();
    let response = ask(
        &mut worker,
        Request::BeginFile {
            kind: FileKind::Exams,
            name: "exams.csv".into(),
        },
    );
    let Response::Failed { message } = response else {
        panic!("accepted exams before students")
    };
    assert!(message.contains("students"), "{message}");
    let response = ask(
        &mut worker,
        Request::BeginFile {
            kind: FileKind::Students,
            name: "s.csv".into(),
        },
    );
    assert_eq!(response, Response::Ack);
}

#[wasm_bindgen_test]
fn malformed_rows_are_reported_with_line_and_column() {
    let mut worker = Worker::default();
    ask(
        &mut worker,
        Request::BeginFile {
            kind: FileKind::Students,
            name: "students.csv".into(),
        },
    );
    let csv = b"roll_no,dob,college_code,program_code\nA-1,2005-01-01,C1,CSE\nA-2,2005-01-02,C1\nA-3,2005-01-03,C1,CSE\n";
    ask(
        &mut worker,
        Request::Chunk {
            bytes: Bytes(csv.to_vec()),
        },
    );
    let Response::FileDone { report, .. } = ask(&mut worker, Request::EndFile) else {
        panic!("no report")
    };
    assert_eq!((report.n_rows, report.n_errors), (2, 1));
    assert_eq!(
        report
            .errors
            .first()
            .map(String::as_str)
            .unwrap_or("")
            .split(": ")
            .next(),
        Some("students.csv:3:4")
    );
}

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
fn reducer_sums_throughput_and_a_new_run_clears_the_last() {
    let file = |n_rows: u64| {
        let mut worker = Worker::default();
        ask(
            &mut worker,
            Request::BeginFile {
                kind: FileKind::Students,
                name: "s.csv".into(),
            },
        );
        let mut csv = b"roll_no,dob,college_code,program_code\n".to_vec();
        for idx in 0..n_rows {
            csv.extend_from_slice(format!("A-{idx},2005-01-01,C1,CSE\n").as_bytes());
        }
        ask(&mut worker, Request::Chunk { bytes: Bytes(csv) });
        let Response::FileDone {
            report, preview, ..
        } = ask(&mut worker, Request::EndFile)
        else {
            panic!("no report")
        };
        FileView {
            kind: FileKind::Students,
            name: "s.csv".into(),
            report: Some(report),
            preview,
            elapsed_ms: 10.0,
            compute_ms: 5.0,
            error: None,
        }
    };
    let state = Rc::new(EtlState::default()).reduce(EtlAction::Started { bytes_total: 100.0 });
    let state = state
        .reduce(EtlAction::FileDone(file(3)))
        .reduce(EtlAction::FileDone(file(4)));
    assert_eq!(
        state
            .throughput
            .map(|(rows, _, ms, compute)| (rows, ms, compute)),
        Some((7, 20.0, 10.0))
    );
    let state = state.reduce(EtlAction::Finished);
    assert_eq!(
        (state.run_id, state.running.is_none(), state.files.len()),
        (1, true, 2)
    );
    let state = state.reduce(EtlAction::Started { bytes_total: 1.0 });
    assert!(state.files.is_empty() && state.throughput.is_none() && state.running.is_some());
}

#[wasm_bindgen_test]
fn analysis_with_nan_survives_the_worker_codec() {
    let mut worker = Worker::default();
    let csv = b"roll_no,dob,college_code,program_code\nA-1,2005-01-01,C1,CSE\n";
    ask(
        &mut worker,
        Request::BeginFile {
            kind: FileKind::Students,
            name: "s.csv".into(),
        },
    );
    ask(
        &mut worker,
        Request::Chunk {
            bytes: Bytes(csv.to_vec()),
        },
    );
    ask(&mut worker, Request::EndFile);
    ask(
        &mut worker,
        Request::BeginFile {
            kind: FileKind::Exams,
            name: "e.csv".into(),
        },
    );
    let exams = b"college_code,roll_no,dob,course_code,internal,external,total\nC1,A-1,2005-01-01,X1,10,20,\n";
    ask(
        &mut worker,
        Request::Chunk {
            bytes: Bytes(exams.to_vec()),
        },
    );
    ask(&mut worker, Request::EndFile);
    let response = worker.handle(Request::Analyze);
    let decoded: Response = yew_agent::Bincode::decode(yew_agent::Bincode::encode(&response));
    // NaN ≠ NaN, so compare the text, which shows NaN as NaN.
    assert_eq!(format!("{decoded:?}"), format!("{response:?}"));
    let Response::Analyzed { view, .. } = decoded else {
        panic!("no analysis")
    };
    assert_eq!(
        (view.n_pairs, view.n_complete_pairs, view.pearson),
        (1, 0, None)
    );
}
