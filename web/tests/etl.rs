//! Browser tests of the ETL workbench's reducer, run in headless Chromium by wasm-bindgen-test:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p campus_web --test etl`.
//! The worker's protocol and the two-pass plan are tested natively in `campus_jobs::etl`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use campus_etl::FileKind;
use campus_jobs::Bytes;
use campus_jobs::etl::{Ack, EtlService, FileDone, Request, ask_for};
use campus_web::etl::state::{EtlAction, EtlState, FileView};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use yew::Reducible;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn reducer_sums_throughput_and_a_new_run_clears_the_last() {
    let file = |n_rows: u64| {
        let mut service = EtlService::default();
        let begin = Request::BeginFile {
            kind: FileKind::Students,
            name: "s.csv".into(),
        };
        assert_eq!(ask_for::<Ack>(&mut service, begin), Ok(Ack));
        let mut csv = b"roll_no,dob,college_code,program_code\n".to_vec();
        for idx in 0..n_rows {
            csv.extend_from_slice(format!("A-{idx},2005-01-01,C1,CSE\n").as_bytes());
        }
        let chunk = Request::Chunk { bytes: Bytes(csv) };
        assert_eq!(ask_for::<Ack>(&mut service, chunk), Ok(Ack));
        let Ok(done) = ask_for::<FileDone>(&mut service, Request::EndFile) else {
            panic!("no report")
        };
        FileView {
            kind: FileKind::Students,
            name: "s.csv".into(),
            report: done.report,
            preview: done.preview,
            elapsed_ms: 10.0,
            compute_ms: 5.0,
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
fn a_dead_worker_is_not_ready_until_it_says_so_again() {
    let state = Rc::new(EtlState::default()).reduce(EtlAction::WorkerReady);
    let state = state.reduce(EtlAction::WorkerDied("it crashed".into()));
    assert!(!state.worker_ready);
    assert!(
        state
            .error
            .as_deref()
            .is_some_and(|e| e.contains("it crashed"))
    );
    assert!(state.reduce(EtlAction::WorkerReady).worker_ready);
}
