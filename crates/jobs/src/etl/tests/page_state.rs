//! The ETL section's reducer: inputs by kind, what a run clears and counts.

use super::*;
use crate::etl::page::{Action, Choices, InputFile, State, load_order};

fn file(kind: FileKind, name: &str) -> InputFile<u8> {
    InputFile {
        kind,
        name: name.into(),
        file: 0,
        size: 10.0,
    }
}

fn names(state: &State<u8>) -> Vec<&str> {
    state.inputs.iter().map(|f| f.name.as_str()).collect()
}

#[test]
fn added_files_replace_their_kind_except_attendance_which_accumulates() {
    let mut state = State::default();
    state.apply(Action::AddInputs(vec![
        file(FileKind::Attendance, "a1.csv"),
        file(FileKind::Students, "s1.csv"),
        file(FileKind::Attendance, "a2.csv"),
    ]));
    state.apply(Action::AddInputs(vec![
        file(FileKind::Students, "s2.csv"),
        file(FileKind::Attendance, "a1.csv"),
    ]));
    assert_eq!(names(&state), ["a2.csv", "s2.csv", "a1.csv"]);
    let order: Vec<String> = load_order(&state.inputs)
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(order, ["s2.csv", "a2.csv", "a1.csv"]);
    state.apply(Action::SetInputs(
        FileKind::Attendance,
        vec![file(FileKind::Attendance, "a3.csv")],
    ));
    assert_eq!(names(&state), ["s2.csv", "a3.csv"]);
    state.apply(Action::ClearInputs);
    assert!(state.inputs.is_empty());
}

#[test]
fn a_run_clears_the_last_results_and_every_ending_counts() {
    let mut state = State::<u8>::default();
    state.apply(Action::Failed("old".into()));
    assert_eq!((state.run_id, state.error.as_deref()), (1, Some("old")));
    state.apply(Action::Started { bytes_total: 100.0 });
    assert_eq!(state.error, None);
    state.apply(Action::Progress {
        phase: "Reading".into(),
        bytes_done: 40.0,
    });
    let running = state
        .running
        .as_ref()
        .map(|r| (r.phase.as_str(), r.bytes_done, r.bytes_total));
    assert_eq!(running, Some(("Reading", 40.0, 100.0)));
    state.apply(Action::Finished);
    assert_eq!((state.run_id, state.running.is_none()), (2, true));
    state.apply(Action::Cancelled);
    assert_eq!(state.run_id, 3);
    assert!(
        state
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("Cancelled."))
    );
    state.apply(Action::DismissError);
    assert_eq!(state.error, None);
}

#[test]
fn a_dead_worker_is_not_ready_and_says_so() {
    let mut state = State::<u8>::default();
    state.apply(Action::WorkerReady);
    assert!(state.worker_ready);
    state.apply(Action::WorkerDied("it crashed".into()));
    assert!(!state.worker_ready);
    assert_eq!(
        state.error.as_deref(),
        Some(
            "The ETL worker stopped (it crashed); it is being restarted. Run again when it is ready."
        )
    );
}

#[test]
fn the_secret_reaches_the_run_only_when_keyed() {
    let mut choices = Choices {
        keyed: false,
        secret: "s3cret".into(),
        deidentify: true,
        dirty: false,
        max_bad_rows: String::new(),
    };
    let options = choices.run_options();
    assert_eq!((options.keyed_secret, options.deidentify), (None, true));
    choices.keyed = true;
    assert_eq!(
        choices.run_options().keyed_secret.as_deref(),
        Some("s3cret")
    );
    let mut state = State::<u8>::default();
    state.apply(Action::SetKeyed(true));
    state.apply(Action::SetSecret("x".into()));
    state.apply(Action::SetDeidentify(true));
    state.apply(Action::SetDirty(true));
    assert_eq!(
        state.choices,
        Choices {
            keyed: true,
            secret: "x".into(),
            deidentify: true,
            dirty: true,
            max_bad_rows: String::new(),
        }
    );
}
