//! The occupancy job, natively: the service (training bit-identical to the core's, progress per
//! stage and batch of trees, cancel between steps), the forms, the page's reducer and the
//! registry's records. The form and reducer tests moved here from the page's browser tests.
// A failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::rc::Rc;

use campus_jobs::occupancy::guard::{
    InputRanges, MIN_TEST_ROWS, admit, content_hash, judge, small_test_warning,
};
use campus_jobs::occupancy::predict_form::{Field, PredictForm, parse_time};
use campus_jobs::occupancy::registry::{VersionMeta, choose_active, next_id};
use campus_jobs::occupancy::state::{Action, ActiveModel, Confirm, JobKind, Place, State, located};
use campus_jobs::occupancy::tracker::{Ending, Job, Next, Origin, Tracker, added, record};
use campus_jobs::occupancy::train_form::{TrainField, TrainForm};
use campus_jobs::occupancy::view::{
    bar_figures, compact_time, compare_rows, heat_colour, heat_legend, heatmap_figure,
    importance_figure, svm_rows, version_cells,
};
use campus_jobs::occupancy::{
    BROWSER_CACHE_MEGABYTES, Event, OccupancyService, Request, Timings, browser_train_config,
};
use campus_jobs::{Outcome, Service, Step, drive};
use campus_occupancy::progress::without_hooks;
use campus_occupancy::{
    GenerateConfig, ModelBundle, Progress, Session, Stage, TrainConfig, generate, write_csv,
};

fn sessions(seed: u64, n_sessions: usize) -> Vec<Session> {
    generate(&GenerateConfig {
        seed,
        n_sessions,
        ..GenerateConfig::default()
    })
}

fn small_config() -> TrainConfig {
    let mut config = TrainConfig::default();
    config.forest.n_trees = 5;
    config.forest.max_depth = Some(4);
    config.svm.cache_megabytes = 8;
    config
}

/// A small, quick model: a few shallow trees on a few hundred sessions.
fn small_bundle() -> ModelBundle {
    let Ok(bundle) = without_hooks(|hooks| {
        campus_occupancy::train(
            &sessions(3, 300),
            &small_config(),
            "2026-01-01T00:00:00Z",
            hooks,
        )
    }) else {
        panic!("training the small model failed");
    };
    bundle
}

/// Every event of one request, and how it ended.
fn run(service: &mut OccupancyService, request: Request) -> (Vec<Event>, Outcome) {
    let mut events = Vec::new();
    let outcome = drive(service, request, |e| {
        events.push(e);
        true
    })
    .expect("the request succeeds");
    (events, outcome)
}

// The service.

#[test]
fn training_through_the_service_is_byte_identical_to_the_core() {
    let data = sessions(3, 300);
    let mut config = small_config();
    config.forest.n_trees = 23;
    let expected = without_hooks(|h| campus_occupancy::train(&data, &config, "t0", h))
        .expect("trains")
        .to_bytes()
        .expect("saves");
    let mut service = OccupancyService::default();
    let (events, outcome) = run(
        &mut service,
        Request::Train {
            sessions: data,
            config,
            created_at: "t0".into(),
        },
    );
    assert_eq!(outcome, Outcome::Finished);
    let Some(Event::Trained { bundle, timings }) = events.last() else {
        panic!("ends with the trained version: {events:?}")
    };
    assert!(*bundle == expected, "the service trained different bytes");
    assert_eq!(*timings, Timings::default(), "a still clock times nothing");

    let progress: Vec<Progress> = events
        .iter()
        .filter_map(|e| match e {
            Event::Progress(p) => Some(*p),
            _ => None,
        })
        .collect();
    for stage in [
        Stage::Encoding,
        Stage::Linear,
        Stage::Forest,
        Stage::Svm,
        Stage::Evaluating,
    ] {
        assert!(progress.iter().any(|p| p.stage == stage), "{stage:?}");
    }
    assert!(
        progress
            .windows(2)
            .all(|w| w[1].overall >= w[0].overall - 1e-12)
    );
    // 23 trees come in ten batches, each its own step and event.
    let forest_steps = progress
        .iter()
        .filter(|p| p.stage == Stage::Forest && p.stage_fraction > 0.0)
        .count();
    assert_eq!(forest_steps, 10);
}

#[test]
fn timings_come_from_the_shells_clock() {
    let mut tick = 0.0;
    let mut service = OccupancyService::with_clock(Box::new(move || {
        tick += 1.0;
        tick
    }));
    let (events, _) = run(
        &mut service,
        Request::Train {
            sessions: sessions(3, 200),
            config: small_config(),
            created_at: "t".into(),
        },
    );
    let Some(Event::Trained { timings, .. }) = events.last() else {
        panic!("trained")
    };
    for stage in [Stage::Encoding, Stage::Linear, Stage::Forest, Stage::Svm] {
        assert!(timings.of(stage) > 0.0, "{stage:?} {timings:?}");
    }
    assert!(timings.total_ms >= timings.forest_ms + timings.svm_ms);
}

#[test]
fn a_cancel_lands_between_tree_batches_and_the_service_goes_on() {
    let mut service = OccupancyService::default();
    let mut seen_forest = 0;
    let outcome = drive(
        &mut service,
        Request::Train {
            sessions: sessions(3, 300),
            config: small_config(),
            created_at: "t".into(),
        },
        |e| {
            if matches!(e, Event::Progress(p) if p.stage == Stage::Forest && p.stage_fraction > 0.0)
            {
                seen_forest += 1;
            }
            seen_forest < 2
        },
    );
    assert_eq!(outcome, Ok(Outcome::Cancelled));
    assert_eq!(seen_forest, 2, "stopped after the second batch of trees");
    assert!(service.step().is_err(), "nothing left to do after a cancel");
    let (events, outcome) = run(
        &mut service,
        Request::Generate {
            config: GenerateConfig {
                n_sessions: 12,
                ..GenerateConfig::default()
            },
        },
    );
    assert_eq!(outcome, Outcome::Finished);
    assert!(matches!(&events[..], [Event::Sessions { sessions, .. }] if sessions.len() == 12));
}

#[test]
fn too_few_rows_fail_the_request_with_the_cores_message() {
    let mut service = OccupancyService::default();
    service
        .start(Request::Train {
            sessions: sessions(1, 5),
            config: small_config(),
            created_at: "t".into(),
        })
        .expect("starts");
    let error = service.step().expect_err("fails");
    assert_eq!(error.message, "training needs at least 10 sessions, got 5");
}

#[test]
fn generate_and_import_give_the_same_sessions() {
    let config = GenerateConfig {
        seed: 9,
        n_sessions: 40,
        ..GenerateConfig::default()
    };
    let mut service = OccupancyService::default();
    let (generated, _) = run(&mut service, Request::Generate { config });
    let [Event::Sessions { sessions, .. }] = &generated[..] else {
        panic!("{generated:?}")
    };
    let mut bytes = write_csv(sessions).into_bytes();
    bytes.extend_from_slice(b"2024-12-01,25:00,Law,LT-2,150,Monday,1,False,133,0,0,0,0,85\n");
    let (imported, _) = run(
        &mut service,
        Request::Import {
            file_name: "s.csv".into(),
            bytes,
        },
    );
    let [
        Event::Sessions {
            sessions: back,
            errors,
            n_bad_rows,
        },
    ] = &imported[..]
    else {
        panic!("{imported:?}")
    };
    assert_eq!(back, sessions);
    assert_eq!(*n_bad_rows, 1);
    assert!(errors[0].starts_with("s.csv:42:"), "{errors:?}");
}

/// A file imported in slices (one request each) gives what the whole file's import gives,
/// and the file's content hash.
#[test]
fn an_import_in_slices_gives_the_whole_files_sessions_and_hash() {
    let mut bytes = write_csv(&sessions(5, 900)).into_bytes();
    bytes.extend_from_slice(
        b"2024-12-01,\"25:\r\n00\",Law,LT-2,150,Monday,1,False,133,0,0,0,0,85\r\n",
    );
    let mut service = OccupancyService::default();
    let mut answer = |request| {
        let (events, _) = run(&mut service, request);
        assert_eq!(events.len(), 1, "{events:?}");
        events.into_iter().next().expect("one answer")
    };
    let whole = answer(Request::Import {
        file_name: "s.csv".into(),
        bytes: bytes.clone(),
    });
    let Event::Sessions {
        sessions: whole_sessions,
        errors: whole_errors,
        n_bad_rows: 1,
    } = whole
    else {
        panic!("{whole:?}")
    };
    for slice in [
        1000,
        4096,
        campus_jobs::occupancy::import_stream::IMPORT_CHUNK,
    ] {
        let begin = Request::ImportBegin {
            file_name: "s.csv".into(),
        };
        assert_eq!(answer(begin), Event::ImportRead { n_sessions: 0 });
        let mut n_read = 0;
        for chunk in bytes.chunks(slice) {
            let request = Request::ImportChunk {
                bytes: campus_jobs::Bytes(chunk.to_vec()),
            };
            let Event::ImportRead { n_sessions } = answer(request) else {
                panic!("an acknowledgement")
            };
            assert!(n_sessions >= n_read);
            n_read = n_sessions;
        }
        let Event::Imported {
            sessions,
            errors,
            n_bad_rows,
            content_hash: hash,
        } = answer(Request::ImportEnd)
        else {
            panic!("the sessions")
        };
        assert_eq!(sessions, whole_sessions, "slices of {slice}");
        assert_eq!(
            (&errors, n_bad_rows),
            (&whole_errors, 1),
            "slices of {slice}"
        );
        assert_eq!(hash, content_hash(&bytes));
    }
    // A chunk or an end without a begun import fails instead of being dropped.
    for request in [
        Request::ImportChunk {
            bytes: campus_jobs::Bytes(b"x".to_vec()),
        },
        Request::ImportEnd,
    ] {
        let outcome = drive(&mut service, request, |_| true);
        assert!(
            outcome.is_err_and(|e| e.message == "no import from a file was started"),
            "refused"
        );
    }
}

#[test]
fn cross_validation_through_the_service_matches_the_core() {
    let data = sessions(4, 200);
    let config = small_config();
    let expected =
        without_hooks(|h| campus_occupancy::cross_validate(&data, &config, 3, h)).expect("cv");
    let (events, _) = run(
        &mut OccupancyService::default(),
        Request::CrossValidate {
            sessions: data,
            config,
            folds: 3,
        },
    );
    assert_eq!(
        events.last(),
        Some(&Event::CrossValidated { folds: expected })
    );
}

#[test]
fn batch_prediction_writes_every_row_and_refuses_a_damaged_model() {
    let bundle = small_bundle();
    let model = bundle.to_bytes().expect("saves");
    let data = sessions(8, campus_jobs::occupancy::PREDICT_BATCH + 10);
    let request = |model: Vec<u8>| Request::Predict {
        model_name: "m.bin".into(),
        model,
        file_name: "s.csv".into(),
        bytes: write_csv(&data).into_bytes(),
    };
    let mut service = OccupancyService::default();
    let (events, _) = run(&mut service, request(model.clone()));
    let Some(Event::Predicted {
        csv,
        n_predicted,
        n_overcrowded,
        n_bad_rows,
        ..
    }) = events.last()
    else {
        panic!("predicted")
    };
    assert_eq!(*n_predicted, data.len());
    assert_eq!(*n_bad_rows, 0);
    assert_eq!(csv.lines().count(), data.len() + 1);
    let inputs = data.iter().map(|s| &s.input);
    let direct = bundle.models.predict_many(inputs).expect("predicts");
    assert_eq!(
        *n_overcrowded,
        direct.iter().filter(|p| p.overcrowded).count()
    );

    let mut damaged = model;
    let middle = damaged.len() / 2;
    damaged[middle] ^= 1;
    let error = service.start(request(damaged)).expect_err("refused");
    assert!(error.message.contains("cannot load m.bin"), "{error}");
    assert!(error.message.contains("checksum"), "{error}");
}

/// A prediction from a file sent in chunks writes the same bytes as the whole file at once,
/// however the file is cut, and counts its bad rows and sessions far from the training data.
#[test]
fn prediction_from_a_file_in_chunks_is_the_same_however_it_is_cut() {
    let bundle = small_bundle();
    let model = bundle.to_bytes().expect("saves");
    let mut text = write_csv(&sessions(9, 700));
    // A bad row and a session far from the training data.
    text.push_str("2024-09-03,9h,Law,LT-2,150,Monday,1,False,133,0,0,0,0,85\n");
    text.push_str("2024-09-04,09:00,Law,LT-2,150,Monday,1,False,90000,0,0,0,0,\n");
    let bytes = text.into_bytes();
    let mut service = OccupancyService::default();
    let whole = Request::Predict {
        model_name: "m.bin".into(),
        model: model.clone(),
        file_name: "s.csv".into(),
        bytes: bytes.clone(),
    };
    let (events, _) = run(&mut service, whole);
    let Some(Event::Predicted { csv: expected, .. }) = events.last() else {
        panic!("predicted")
    };
    let n_far = campus_occupancy::parse_inputs(&bytes, "s.csv")
        .rows
        .iter()
        .filter(|r| !bundle.models.encoder.far_from_training(&r.input).is_empty())
        .count();
    assert!(n_far > 0);
    for chunk_size in [1000, 4096, 1 << 20] {
        let begin = Request::PredictBegin {
            model_name: "m.bin".into(),
            model: model.clone(),
            file_name: "s.csv".into(),
        };
        let mut out = Vec::new();
        let answer = |service: &mut OccupancyService, request| {
            let (events, _) = run(service, request);
            assert_eq!(events.len(), 1, "{events:?}");
            events.into_iter().next().expect("one answer")
        };
        let Event::PredictedRows { csv } = answer(&mut service, begin) else {
            panic!("the header")
        };
        out.extend(csv.0);
        for chunk in bytes.chunks(chunk_size) {
            let request = Request::PredictChunk {
                bytes: campus_jobs::Bytes(chunk.to_vec()),
            };
            let Event::PredictedRows { csv } = answer(&mut service, request) else {
                panic!("rows")
            };
            out.extend(csv.0);
        }
        let Event::PredictDone { csv, summary } = answer(&mut service, Request::PredictEnd) else {
            panic!("done")
        };
        out.extend(csv.0);
        assert!(out == expected.as_bytes(), "cut every {chunk_size} bytes");
        assert_eq!(summary.n_predicted, 701);
        assert_eq!(summary.n_bad_rows, 1);
        assert_eq!(summary.errors.len(), 1);
        assert!(
            summary.errors[0].starts_with("s.csv:702: column `time`"),
            "{:?}",
            summary.errors
        );
        assert_eq!(summary.n_far, n_far);
        assert!(summary.far_warning().is_some());
    }
    // A chunk without a begun prediction, or after its end, is an error, not a panic.
    let stray = Request::PredictChunk {
        bytes: campus_jobs::Bytes(b"x".to_vec()),
    };
    assert!(service.start(stray).is_ok());
    assert!(service.step().is_err());
    // A damaged model is refused at the start, naming it.
    let mut damaged = model;
    let middle = damaged.len() / 2;
    damaged[middle] ^= 1;
    let begin = Request::PredictBegin {
        model_name: "bad.bin".into(),
        model: damaged,
        file_name: "s.csv".into(),
    };
    assert!(service.start(begin).is_ok());
    let error = service.step().expect_err("refused");
    assert!(error.message.contains("cannot load bad.bin"), "{error}");
}

#[test]
fn requests_and_events_survive_the_wire_codec() {
    let request = Request::Train {
        sessions: sessions(5, 30),
        config: TrainConfig::default(),
        created_at: "now".into(),
    };
    let bytes = postcard::to_allocvec(&request).expect("encodes");
    assert_eq!(postcard::from_bytes::<Request>(&bytes), Ok(request));
    let event = Event::Progress(Progress {
        stage: Stage::Svm,
        stage_fraction: 0.25,
        overall: 0.7,
    });
    let bytes = postcard::to_allocvec(&event).expect("encodes");
    assert_eq!(postcard::from_bytes::<Event>(&bytes), Ok(event));
    assert!(matches!(Step::<Event>::Working, Step::Working));
}

#[test]
fn the_sql_request_holds_the_version_only_when_trained_on_these_sessions() {
    use campus_jobs::occupancy::sql::{DEFAULT_DATABASE, SQL_FILE, script};
    let bundle = small_bundle();
    let Ok(model) = bundle.to_bytes() else {
        panic!("the model does not save")
    };
    let trained_on = sessions(3, 300);
    let others = sessions(4, 300);
    for dialect in campus_sql::Dialect::ALL {
        let ask = |sessions: &[Session], model: Option<Vec<u8>>| -> (Vec<u8>, bool) {
            let request = Request::Sql {
                sessions: sessions.to_vec(),
                model,
                dialect,
                database: DEFAULT_DATABASE.into(),
            };
            // Across the worker's codec, as the page sends it.
            let bytes = postcard::to_allocvec(&request).expect("encodes");
            let request = postcard::from_bytes::<Request>(&bytes).expect("decodes");
            let (events, _) = run(&mut OccupancyService::default(), request);
            match events.as_slice() {
                [
                    Event::Sql {
                        script,
                        with_version,
                    },
                ] => (script.0.clone(), *with_version),
                other => panic!("unexpected answer {other:?}"),
            }
        };
        let sessions_only = |sessions: &[Session]| {
            script(sessions, None, dialect, DEFAULT_DATABASE, SQL_FILE).expect("a script")
        };
        let (with, holds) = ask(&trained_on, Some(model.clone()));
        assert!(holds, "{dialect:?}");
        let expected = script(
            &trained_on,
            Some(&bundle),
            dialect,
            DEFAULT_DATABASE,
            SQL_FILE,
        )
        .expect("a script");
        assert!(
            with == expected,
            "{dialect:?}: the version's script differs"
        );
        let text = String::from_utf8_lossy(&with);
        assert!(text.contains("occupancy_model_versions"), "{dialect:?}");
        assert!(text.contains("occupancy_predictions"), "{dialect:?}");
        // A version of other sessions would name sessions it was not trained on: left out.
        let (without, holds) = ask(&others, Some(model.clone()));
        assert!(!holds, "{dialect:?}");
        assert!(without == sessions_only(&others), "{dialect:?}");
        let (plain, holds) = ask(&trained_on, None);
        assert!(!holds && plain == sessions_only(&trained_on), "{dialect:?}");
    }
    // A damaged model is refused with the loader's message, not written around.
    let mut damaged = model;
    if let Some(byte) = damaged.last_mut() {
        *byte ^= 1;
    }
    let request = Request::Sql {
        sessions: trained_on,
        model: Some(damaged),
        dialect: campus_sql::Dialect::MySql,
        database: DEFAULT_DATABASE.into(),
    };
    assert!(drive(&mut OccupancyService::default(), request, |_| true).is_err());
}

// The prediction form (moved from the browser tests).

fn check_form(edit: impl FnOnce(&mut PredictForm), expected: Result<(), (Field, &str)>) {
    let mut form = PredictForm::typical("Law", "Room 1", 40, "Monday");
    edit(&mut form);
    match (form.parse(), expected) {
        (Ok(_), Ok(())) => {}
        (Err(errors), Err((field, fragment))) => assert!(
            errors
                .iter()
                .any(|e| e.field == field && e.message.contains(fragment)),
            "{errors:?} lacks {field:?} {fragment:?}"
        ),
        (got, expected) => panic!("got {got:?}, expected {expected:?}"),
    }
}

#[test]
fn prediction_form_parses_with_clear_messages() {
    check_form(|_| {}, Ok(()));
    check_form(|f| f.capacity = " 120 ".into(), Ok(()));
    check_form(
        |f| f.capacity = String::new(),
        Err((Field::Capacity, "Venue capacity is required")),
    );
    check_form(
        |f| f.enrolled = "-3".into(),
        Err((Field::Enrolled, "cannot be negative")),
    );
    check_form(
        |f| f.enrolled = "1.5".into(),
        Err((Field::Enrolled, "whole number")),
    );
    check_form(
        |f| f.semester_day = "400".into(),
        Err((Field::SemesterDay, "at most 366")),
    );
    check_form(
        |f| f.prev_attendance = "abc".into(),
        Err((Field::PrevAttendance, "must be a number")),
    );
    check_form(
        |f| f.rolling_avg_3 = "NaN".into(),
        Err((Field::RollingAvg3, "0 or more")),
    );
    check_form(|f| f.time = "25:00".into(), Err((Field::Time, "HH:MM")));
}

#[test]
fn times_and_trend_come_out_right() {
    assert_eq!(parse_time("09:30"), Ok(570));
    assert_eq!(parse_time("9:05"), Ok(545));
    assert_eq!(parse_time(" 23:59 "), Ok(1439));
    for bad in ["", "9", "09:60", "24:00", "-1:00", "09:300", "nine"] {
        assert!(parse_time(bad).is_err(), "{bad:?}");
    }
    // The same rules as the session import: seconds are read, a one-digit minute is not.
    assert_eq!(parse_time("09:30:00"), Ok(570));
    assert!(parse_time("9:5").is_err());
    let mut form = PredictForm::typical("Law", "Room 1", 40, "Monday");
    form.rolling_avg_3 = "70".into();
    form.rolling_avg_5 = "60.5".into();
    let Ok(input) = form.parse() else {
        panic!("valid form")
    };
    assert_eq!(input.trend_delta, 9.5);
    assert_eq!(input.time_minutes, 600);
    assert_eq!(input.venue_capacity, 40);
}

// The reducer (moved from the browser tests).

fn loaded(
    state: State,
    job_id: u32,
    sessions: Vec<Session>,
    append: bool,
    errors: Vec<String>,
) -> State {
    state.reduce_action(Action::SessionsLoaded {
        job_id,
        n_bad_rows: errors.len(),
        sessions,
        append,
        errors,
        source: "test".into(),
        content_hash: None,
    })
}

#[test]
fn generated_sessions_replace_and_imported_ones_append() {
    let state = State::default().reduce_action(Action::Started {
        job_id: 1,
        kind: JobKind::Generate,
    });
    let state = loaded(state, 1, sessions(1, 50), false, Vec::new());
    assert_eq!(state.dataset.sessions.len(), 50);
    assert_eq!(
        state.dataset.analytics.as_ref().map(|a| a.n_sessions),
        Some(50)
    );
    assert!(state.running.is_none());

    let state = state.reduce_action(Action::Started {
        job_id: 2,
        kind: JobKind::Import,
    });
    let state = loaded(state, 2, sessions(2, 20), true, vec!["f.csv:3: bad".into()]);
    assert_eq!(state.dataset.sessions.len(), 70);
    let notice = state.notice.clone().unwrap_or_else(|| panic!("a notice"));
    assert!(notice.is_error);
    assert_eq!(notice.details, vec!["f.csv:3: bad".to_owned()]);

    // An answer to a job that is no longer running changes nothing.
    let revision = state.dataset.revision;
    let state = loaded(state, 2, sessions(3, 5), false, Vec::new());
    assert_eq!(state.dataset.sessions.len(), 70);
    assert_eq!(state.dataset.revision, revision);

    // A new generation replaces everything.
    let state = state.reduce_action(Action::Started {
        job_id: 3,
        kind: JobKind::Generate,
    });
    let state = loaded(state, 3, sessions(3, 10), false, Vec::new());
    assert_eq!(state.dataset.sessions.len(), 10);
    let state = state.reduce_action(Action::ClearData);
    assert!(state.dataset.sessions.is_empty());
    assert!(state.dataset.analytics.is_none());
}

#[test]
fn progress_cancel_and_failure() {
    let state = State::default()
        .reduce_action(Action::WorkerReady)
        .reduce_action(Action::Started {
            job_id: 4,
            kind: JobKind::Train,
        });
    let progress = Progress {
        stage: Stage::Forest,
        stage_fraction: 0.5,
        overall: 0.3,
    };
    let state = state.reduce_action(Action::Progress {
        job_id: 4,
        progress,
    });
    assert_eq!(
        state.running.as_ref().and_then(|r| r.progress),
        Some(progress)
    );
    // Progress of another job is ignored.
    let other = Progress {
        overall: 0.9,
        ..progress
    };
    let state = state.reduce_action(Action::Progress {
        job_id: 3,
        progress: other,
    });
    assert_eq!(
        state.running.as_ref().and_then(|r| r.progress),
        Some(progress)
    );
    let cancelled = state.clone().reduce_action(Action::Cancelled);
    assert!(cancelled.running.is_none());
    assert!(!cancelled.worker_ready, "the worker is being replaced");
    let failed = state.reduce_action(Action::Failed {
        message: "boom".into(),
    });
    assert!(failed.running.is_none());
    assert_eq!(
        failed.notice.map(|n| (n.is_error, n.text)),
        Some((true, "boom".to_owned()))
    );
}

#[test]
fn versions_are_added_served_compared_and_deleted() {
    let bundle = Rc::new(small_bundle());
    let meta = |id| {
        VersionMeta::new(
            id,
            &bundle,
            "trained here".into(),
            10,
            Some(Timings::default()),
        )
    };
    let active = |id| ActiveModel {
        id,
        bundle: bundle.clone(),
    };
    let mut state = State::default();
    for id in [1, 2, 3] {
        state = state.reduce_action(Action::VersionAdded {
            meta: Box::new(meta(id)),
            active: active(id),
            timings: None,
            message: String::new(),
        });
    }
    assert_eq!(
        state.versions.iter().map(|v| v.id).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert_eq!(state.active.as_ref().map(|a| a.id), Some(3));
    let state = state
        .reduce_action(Action::ToggleCompare(1))
        .reduce_action(Action::ToggleCompare(3))
        .reduce_action(Action::ToggleCompare(1));
    assert_eq!(state.compare, [3]);
    let state = state.reduce_action(Action::Activated(active(2)));
    assert_eq!(state.active.as_ref().map(|a| a.id), Some(2));
    let state = state.reduce_action(Action::Deleted { id: 3 });
    assert!(state.compare.is_empty());
    assert_eq!(state.active.as_ref().map(|a| a.id), Some(2));
    let state = state.reduce_action(Action::Deleted { id: 2 });
    assert!(state.active.is_none());
    assert_eq!(state.versions.len(), 1);
}

// The registry's records.

#[test]
fn a_record_says_what_the_bundle_holds_and_the_registry_chooses_sensibly() {
    let bundle = small_bundle();
    let meta = VersionMeta::new(4, &bundle, "imported from m.bin".into(), 1234, None);
    assert_eq!(meta.created_at, "2026-01-01T00:00:00Z");
    assert_eq!(meta.data_fingerprint, bundle.data_fingerprint);
    assert_eq!(meta.data_fingerprint.len(), 64);
    assert_eq!(meta.config, bundle.config);
    assert_eq!(meta.forest, bundle.evaluation.forest);
    assert_eq!(meta.svm, bundle.evaluation.svm);
    assert_eq!((meta.n_rows, meta.n_bytes), (300, 1234));
    let json = serde_json::to_string(&meta).expect("encodes");
    assert_eq!(
        serde_json::from_str::<VersionMeta>(&json).ok(),
        Some(meta.clone())
    );

    let versions: Vec<VersionMeta> = [7, 3]
        .into_iter()
        .map(|id| VersionMeta { id, ..meta.clone() })
        .collect();
    assert_eq!(next_id(&[]), 1);
    assert_eq!(next_id(&versions), 8);
    assert_eq!(choose_active(Some(3), &versions), Some(3));
    assert_eq!(
        choose_active(Some(5), &versions),
        Some(7),
        "gone: the latest"
    );
    assert_eq!(choose_active(None, &versions), Some(7));
    assert_eq!(choose_active(Some(1), &[]), None);
}

// The training form (moved from the browser tests).

#[test]
fn training_form_gives_the_config_or_a_clear_message() {
    use campus_occupancy::forest::FeaturesPerSplit;
    use campus_occupancy::svm::{ClassWeight, Gamma, KernelConfig};

    assert_eq!(TrainForm::default().parse(), Ok(browser_train_config()));
    assert_eq!(
        browser_train_config().svm.cache_megabytes,
        BROWSER_CACHE_MEGABYTES
    );
    let form = TrainForm {
        trees: "20".into(),
        max_depth: String::new(),
        features_per_split: "7".into(),
        kernel: "rbf".into(),
        gamma: "0.05".into(),
        c: "2.5".into(),
        class_weight: "uniform".into(),
    };
    let Ok(config) = form.parse() else {
        panic!("valid form")
    };
    assert_eq!(config.forest.n_trees, 20);
    assert_eq!(config.forest.max_depth, None);
    assert_eq!(config.forest.features_per_split, FeaturesPerSplit::Count(7));
    assert_eq!(
        config.svm.kernel,
        KernelConfig::Rbf {
            gamma: Gamma::Value(0.05)
        }
    );
    assert_eq!(config.svm.c, 2.5);
    assert_eq!(config.svm.class_weight, ClassWeight::Uniform);
    let linear = TrainForm {
        kernel: "linear".into(),
        gamma: "ignored".into(),
        ..form.clone()
    };
    assert_eq!(
        linear.parse().map(|c| c.svm.kernel),
        Ok(KernelConfig::Linear)
    );

    let check = |edit: fn(&mut TrainForm), field: TrainField, fragment: &str| {
        let mut bad = form.clone();
        edit(&mut bad);
        let error = bad.parse().err();
        let message = error.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
        assert_eq!(error.map(|e| e.field), Some(field));
    };
    check(
        |f| f.trees = "0".into(),
        TrainField::Trees,
        "Trees must be a whole number from 1 to 500",
    );
    check(|f| f.trees = "many".into(), TrainField::Trees, "Trees");
    check(
        |f| f.max_depth = "0".into(),
        TrainField::MaxDepth,
        "Maximum depth must be from 1 to 64",
    );
    check(
        |f| f.features_per_split = "half".into(),
        TrainField::FeaturesPerSplit,
        "Features per split",
    );
    check(
        |f| f.gamma = "-1".into(),
        TrainField::Gamma,
        "Gamma must be a number above 0",
    );
    check(
        |f| f.c = "0".into(),
        TrainField::C,
        "C must be a number above 0",
    );
}

// The generation form.

#[test]
fn generation_form_gives_the_config_or_each_fields_problem() {
    use campus_jobs::occupancy::generate_form::{GenerateField, GenerateForm};

    let form = GenerateForm::default();
    let config = form.parse().expect("the defaults are valid");
    assert_eq!((config.seed, config.n_sessions), (42, 5000));
    assert_eq!(config.start_day, GenerateConfig::default().start_day);
    let grouped = GenerateForm {
        seed: " 7 ".into(),
        sessions: "12,000".into(),
    };
    assert_eq!(
        grouped.parse().map(|c| (c.seed, c.n_sessions)),
        Ok((7, 12_000))
    );
    let bad = GenerateForm {
        seed: "-1".into(),
        sessions: "9".into(),
    };
    let errors = bad.parse().expect_err("both fields are wrong");
    assert_eq!(
        errors.iter().map(|e| e.field).collect::<Vec<_>>(),
        [GenerateField::Seed, GenerateField::Sessions]
    );
    assert_eq!(
        bad.error(GenerateField::Seed).as_deref(),
        Some("Seed must be a whole number from 0")
    );
    assert_eq!(
        bad.error(GenerateField::Sessions).as_deref(),
        Some("Sessions must be between 10 and 200,000")
    );
    let words = GenerateForm {
        sessions: "many".into(),
        ..GenerateForm::default()
    };
    assert_eq!(
        words.error(GenerateField::Sessions).as_deref(),
        Some("Sessions must be a whole number")
    );
    assert_eq!(words.error(GenerateField::Seed), None);
}

#[test]
fn the_section_shows_the_serving_versions_timings_and_known_capacities() {
    use campus_jobs::occupancy::state::venue_capacities;

    let bundle = Rc::new(small_bundle());
    let timed = Timings {
        total_ms: 5.0,
        ..Timings::default()
    };
    let mut state = State::default();
    assert_eq!(state.shown_timings(), None);
    state.last_timings = Some(Timings::default());
    let meta = VersionMeta::new(1, &bundle, "here".into(), 1, Some(timed));
    let state = state.reduce_action(Action::VersionAdded {
        meta: Box::new(meta),
        active: ActiveModel {
            id: 1,
            bundle: bundle.clone(),
        },
        timings: None,
        message: String::new(),
    });
    assert_eq!(state.active_id(), Some(1));
    assert_eq!(state.shown_timings(), Some(timed), "the serving version's");

    let data = sessions(2, 300);
    let capacities = venue_capacities(&data);
    assert!(
        capacities.windows(2).all(|w| w[0].0 < w[1].0),
        "sorted, no repeats"
    );
    for (venue, capacity) in &capacities {
        let first = data
            .iter()
            .find(|s| &s.input.venue == venue)
            .map(|s| s.input.venue_capacity);
        assert_eq!(first, Some(*capacity));
    }
}

#[test]
fn the_prediction_form_starts_typical_and_a_known_venue_brings_its_capacity() {
    use campus_jobs::occupancy::predict_form::{Choice, week_order};

    let days: Vec<String> = ["Wednesday", "Holiday", "Monday", "Friday"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        week_order(&days),
        ["Monday", "Wednesday", "Friday", "Holiday"].map(String::from)
    );
    let bundle = small_bundle();
    let encoder = &bundle.models.encoder;
    let first_venue = encoder.venues[0].clone();
    let capacities = vec![(first_venue.clone(), 77), ("Hall B".to_owned(), 250)];
    let mut form = PredictForm::for_model(encoder, &capacities);
    assert_eq!(form.school, encoder.schools[0]);
    assert_eq!(form.venue, first_venue);
    assert_eq!(form.capacity, "77");
    assert_eq!(Some(&form.weekday), week_order(&encoder.weekdays).first());
    assert_eq!(PredictForm::for_model(encoder, &[]).capacity, "100");

    form.capacity = "60".into();
    form.choose(Choice::Venue, first_venue.clone(), &capacities);
    assert_eq!(form.capacity, "60", "the same venue keeps what was typed");
    form.choose(Choice::Venue, "Hall B".into(), &capacities);
    assert_eq!(
        (form.venue.as_str(), form.capacity.as_str()),
        ("Hall B", "250")
    );
    form.choose(Choice::Venue, "Unknown".into(), &capacities);
    assert_eq!(form.capacity, "250", "an unknown venue leaves the capacity");
    form.choose(Choice::School, "Law".into(), &capacities);
    form.choose(Choice::Weekday, "Friday".into(), &capacities);
    assert_eq!(
        (form.school.as_str(), form.weekday.as_str()),
        ("Law", "Friday")
    );
}

// The guardrails.

fn import(state: State, job_id: u32, csv: &str, file: &str) -> State {
    let imported = campus_occupancy::parse_sessions(csv.as_bytes(), file);
    state
        .reduce_action(Action::Started {
            job_id,
            kind: JobKind::Import,
        })
        .reduce_action(Action::SessionsLoaded {
            job_id,
            sessions: imported.rows,
            append: true,
            errors: imported.errors.iter().map(ToString::to_string).collect(),
            n_bad_rows: imported.n_bad_rows,
            source: file.into(),
            content_hash: Some(content_hash(csv.as_bytes())),
        })
}

fn notice_text(state: &State) -> String {
    state
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

/// Regression: importing the same CSV twice doubled the data (315 → 630 rows).
#[test]
fn the_same_file_twice_is_refused_and_known_rows_are_not_added_again() {
    let csv = write_csv(&sessions(1, 40));
    let state = import(State::default(), 1, &csv, "a.csv");
    assert_eq!(state.dataset.sessions.len(), 40);
    let state = import(state, 2, &csv, "a-copy.csv");
    assert_eq!(state.dataset.sessions.len(), 40, "same content: refused");
    let notice = state.notice.clone().unwrap();
    assert!(notice.is_error);
    assert!(
        notice
            .text
            .starts_with("a-copy.csv was not imported again: a file with the same content"),
        "{}",
        notice.text
    );
    // Another file that repeats 10 known rows adds only its 15 new ones.
    let mut mixed: Vec<Session> = sessions(1, 10);
    mixed.extend(sessions(2, 15));
    let state = import(state, 3, &write_csv(&mixed), "b.csv");
    assert_eq!(state.dataset.sessions.len(), 55);
    assert_eq!(
        notice_text(&state),
        "Imported b.csv: 15 sessions added, 55 in the dataset; 10 row(s) identical to rows \
         already loaded were not added again"
    );
    // Clearing forgets the files.
    let state = import(state.reduce_action(Action::ClearData), 4, &csv, "a.csv");
    assert_eq!(state.dataset.sessions.len(), 40);
}

/// Regression: "Imported occ_bad.csv: nothing imported" said neither why nor where.
#[test]
fn nothing_imported_says_why_and_where_first() {
    let state = import(
        State::default(),
        1,
        "date,time,school\n2024-09-02,09:00,Law\n",
        "x.csv",
    );
    let text = notice_text(&state);
    assert!(
        text.starts_with("Nothing imported from x.csv: no row could be read (1 problem(s)). First problem: line 1: missing column(s)"),
        "{text}"
    );
    let header = write_csv(&[]);
    let bad = format!(
        "{header}2024-09-03,9h,Engineering,Main Hall A,350,Tuesday,2,False,120,100,100,100,0,90\n"
    );
    let text = notice_text(&import(State::default(), 1, &bad, "b.csv"));
    assert!(
        text.contains("First problem: line 2: column `time`"),
        "{text}"
    );
    let text = notice_text(&import(State::default(), 1, &header, "h.csv"));
    assert_eq!(
        text,
        "Nothing imported from h.csv: the file holds no session rows below its header."
    );
    assert_eq!(
        located("f.csv:12: column `x`: bad", "f.csv"),
        "line 12: column `x`: bad"
    );
}

#[test]
fn delete_and_clear_wait_for_a_second_click() {
    let state = State::default().reduce_action(Action::Ask(Confirm::Delete(3)));
    assert_eq!(state.confirm, Some(Confirm::Delete(3)));
    let state = state.reduce_action(Action::KeepIt);
    assert_eq!(state.confirm, None);
    let state = state
        .reduce_action(Action::Ask(Confirm::Clear))
        .reduce_action(Action::ClearData);
    assert_eq!(state.confirm, None);
    let state = state
        .reduce_action(Action::Ask(Confirm::Delete(2)))
        .reduce_action(Action::Deleted { id: 2 });
    assert_eq!(state.confirm, None);
}

/// Regression: every training run became the serving version, even a much worse one.
#[test]
fn a_new_version_serves_only_if_at_least_as_good_on_its_held_back_rows() {
    let data = sessions(3, 300);
    let good = small_bundle();
    let mut config = small_config();
    config.forest.n_trees = 1;
    config.forest.max_depth = Some(1);
    config.svm.c = 1e-4;
    let weak = without_hooks(|hooks| campus_occupancy::train(&data, &config, "t", hooks)).unwrap();
    let judgement = judge(&weak, &good, &data).unwrap();
    assert!(!judgement.new_may_serve(), "{judgement:?}");
    // The serving model's score is measured on the new run's own test rows.
    assert_eq!(judgement.new.forest_r2, weak.evaluation.forest.r2);
    let kept = admit(
        4,
        &weak,
        Some(&data),
        Some((1, &good)),
        "Trained on 300 sessions",
    );
    assert!(!kept.serve);
    assert!(
        kept.message
            .starts_with("Trained on 300 sessions: saved as version 4; it is kept but not served"),
        "{}",
        kept.message
    );
    let same = admit(5, &good, Some(&data), Some((1, &good)), "Trained");
    assert!(same.serve, "as good as itself: {}", same.message);
    let first = admit(1, &weak, Some(&data), None, "Trained");
    assert!(first.serve);
    let imported = admit(2, &weak, None, Some((1, &good)), "Imported m.bin");
    assert_eq!(
        imported.message,
        "Imported m.bin: saved as version 2, which now serves predictions."
    );
    assert_eq!(imported.ranges, None);
    // Other data than the version was trained on cannot be judged: it waits for a promotion.
    assert!(!admit(6, &good, Some(&data[1..]), Some((1, &good)), "T").serve);
}

/// Regression: 12 sessions (2 test rows) gave scores with no word of warning.
#[test]
fn a_small_test_set_is_warned_about() {
    assert_eq!(small_test_warning(MIN_TEST_ROWS), None);
    let warning = small_test_warning(2).unwrap();
    assert!(warning.starts_with("Only 2 held-back rows"), "{warning}");
    let data = sessions(3, 20);
    let tiny =
        without_hooks(|hooks| campus_occupancy::train(&data, &small_config(), "t", hooks)).unwrap();
    let admission = admit(1, &tiny, Some(&data), None, "Trained on 20 sessions");
    assert!(
        admission.message.contains("Only 4 held-back rows"),
        "{}",
        admission.message
    );
}

/// Regression: thousands of distinct venues were all one-hot features, with no word said; the
/// page now says which column was capped and how.
#[test]
fn a_capped_category_is_warned_about_on_the_page() {
    let mut data = sessions(3, 300);
    for (idx, session) in data.iter_mut().enumerate() {
        session.input.venue = format!("Room {idx}");
    }
    let bundle =
        without_hooks(|hooks| campus_occupancy::train(&data, &small_config(), "t", hooks)).unwrap();
    assert_eq!(bundle.models.encoder.venues.len(), 100);
    let admission = admit(1, &bundle, Some(&data), None, "Trained on 300 sessions");
    assert!(
        admission
            .message
            .contains("300 distinct values of `venue`: only the 100 most frequent"),
        "{}",
        admission.message
    );
}

/// Regression: 100,000 enrolled students got a prediction with no warning.
#[test]
fn inputs_outside_the_training_range_are_named_with_the_range() {
    let data = sessions(3, 300);
    let bundle = small_bundle();
    let ranges = InputRanges::of_training(&bundle, &data);
    assert_eq!(ranges.ranges.len(), 7);
    let training: Vec<&Session> = (0u32..)
        .zip(&data)
        .filter(|(i, _)| !bundle.evaluation.test_rows.contains(i))
        .map(|(_, s)| s)
        .collect();
    let max_enrolled = training
        .iter()
        .map(|s| s.input.enrolled_students)
        .max()
        .unwrap();
    let min_enrolled = training
        .iter()
        .map(|s| s.input.enrolled_students)
        .min()
        .unwrap();
    assert!(ranges.check(&training[0].input).is_empty());
    let mut input = training[0].input.clone();
    input.enrolled_students = 100_000;
    let out = ranges.check(&input);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].field, Field::Enrolled);
    assert_eq!(
        out[0].message,
        format!(
            "Enrolled students 100,000 is outside the training data ({min_enrolled} to {max_enrolled}): the models are guessing here."
        )
        .replace(&max_enrolled.to_string(), &campus_jobs::format::group(u64::from(max_enrolled)))
    );
    // The ranges travel with the registry's record; older records without them still read.
    let meta = VersionMeta {
        ranges: Some(ranges.clone()),
        ..VersionMeta::new(1, &bundle, "trained here".into(), 1, None)
    };
    let json = serde_json::to_string(&meta).unwrap();
    assert_eq!(serde_json::from_str::<VersionMeta>(&json).unwrap(), meta);
    let old = json.replace(
        &format!(
            ",\"ranges\":{}",
            serde_json::to_string(&Some(ranges)).unwrap()
        ),
        "",
    );
    assert_eq!(
        serde_json::from_str::<VersionMeta>(&old).unwrap().ranges,
        None
    );
}

/// Regression: training errors showed one at a time, not next to their field.
#[test]
fn the_training_form_reports_every_field_at_once() {
    let form = TrainForm {
        trees: "0".into(),
        max_depth: "99".into(),
        c: "-1".into(),
        ..TrainForm::default()
    };
    let errors = form.parse_all().unwrap_err();
    let fields: Vec<TrainField> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [TrainField::Trees, TrainField::MaxDepth, TrainField::C]
    );
    assert_eq!(form.parse().unwrap_err(), errors[0]);
    assert_eq!(
        TrainForm::error(&errors, TrainField::C).as_deref(),
        Some("C must be a number above 0, found \"-1\"")
    );
    assert_eq!(TrainForm::error(&errors, TrainField::Gamma), None);
    let mut edited = form.clone();
    for field in TrainField::ALL {
        edited.set(field, form.value(field).to_owned());
    }
    assert_eq!(edited, form);
}

#[test]
fn what_the_page_shows_is_computed_here() {
    assert_eq!(compact_time("2026-11-30T09:41:07.123Z"), "2026-11-30 09:41");
    let a = campus_occupancy::analytics(&sessions(1, 200));
    let bars = bar_figures(&a);
    assert_eq!(bars.len(), 6);
    for bar in &bars {
        assert_eq!(bar.labels.len(), bar.values.len());
        assert_eq!(bar.rows.len(), bar.values.len());
        assert!(bar.labels.iter().all(|l| l.chars().count() <= 12));
    }
    let heat = heatmap_figure(&a);
    assert_eq!(heat.cells.len(), a.utilisation.len());
    assert!(
        heat.cells
            .iter()
            .all(|&(x, y, _)| (x as usize) < heat.slots.len() && (y as usize) < heat.venues.len())
    );
    assert_eq!(heat_colour(0.0), (255, 255, 255));
    assert_eq!(heat_colour(2.0), (170, 20, 20));
    // The key names its steps with the colours the cells use.
    let key = heat_legend();
    assert_eq!(key.first(), Some(&("0%".to_owned(), heat_colour(0.0))));
    assert_eq!(key.last(), Some(&("120%+".to_owned(), heat_colour(1.2))));
    let bundle = small_bundle();
    let (names, values, rows) = importance_figure(&bundle.evaluation, 3);
    assert_eq!(rows.first().map(|r| &r.0), names.last());
    assert!(values.first() <= values.last());
    let meta = VersionMeta::new(2, &bundle, "o".into(), 2_500_000, None);
    assert_eq!(version_cells(&meta)[0].0, "2026-01-01 00:00");
    assert_eq!(version_cells(&meta)[7].0, "2.5 MB");
    let rows = compare_rows(&[&meta, &meta]);
    assert_eq!(rows.len(), 17);
    assert_eq!(rows[13], ("SVM kernel", vec!["rbf, γ scale".to_owned(); 2]));
    assert_eq!(svm_rows(&bundle.evaluation.svm).len(), 2);
}

// The page's side of the worker.

#[test]
fn the_tracker_turns_answers_into_actions_for_the_job_in_flight() {
    let mut tracker = Tracker::default();
    assert!(
        matches!(tracker.worker_died(), Some(Action::Failed { .. })),
        "never started"
    );
    assert!(matches!(tracker.worker_ready(), Action::WorkerReady));
    assert!(tracker.worker_died().is_none(), "restarted by the client");

    let csv = write_csv(&sessions(1, 3));
    let (job, request) = Job::import("a.csv".into(), csv.clone().into_bytes());
    assert!(matches!(request, Request::Import { ref file_name, .. } if file_name == "a.csv"));
    assert!(matches!(
        tracker.started(7, job),
        Action::Started {
            job_id: 7,
            kind: JobKind::Import
        }
    ));
    let answer = Event::Sessions {
        sessions: sessions(1, 3),
        errors: Vec::new(),
        n_bad_rows: 0,
    };
    assert!(
        tracker.event(8, answer.clone()).is_none(),
        "another request's answer"
    );
    match tracker.event(7, answer.clone()) {
        Some(Next::Dispatch(Action::SessionsLoaded {
            append,
            source,
            content_hash: hash,
            ..
        })) => {
            assert!(append);
            assert_eq!(source, "a.csv");
            assert_eq!(hash, Some(content_hash(csv.as_bytes())));
        }
        _ => panic!("sessions loaded"),
    }
    assert!(tracker.event(7, answer).is_none(), "answered once");

    // An import in slices is followed under its first request's id until its answer.
    let (job, request) = Job::import_file("b.csv".into());
    assert_eq!(
        request,
        Request::ImportBegin {
            file_name: "b.csv".into()
        }
    );
    tracker.started(20, job);
    assert!(
        tracker
            .event(20, Event::ImportRead { n_sessions: 0 })
            .is_none()
    );
    assert!(tracker.next_slice(20).is_ok());
    assert!(tracker.next_slice(21).is_err_and(|a| a.is_empty()));
    let imported = Event::Imported {
        sessions: sessions(1, 3),
        errors: vec!["b.csv:2: bad".into()],
        n_bad_rows: 1,
        content_hash: "ab".into(),
    };
    match tracker.event(20, imported) {
        Some(Next::Dispatch(Action::SessionsLoaded {
            job_id: 20,
            append: true,
            source,
            content_hash: Some(hash),
            n_bad_rows: 1,
            ..
        })) => assert_eq!((source.as_str(), hash.as_str()), ("b.csv", "ab")),
        _ => panic!("sessions loaded"),
    }
    assert!(tracker.next_slice(20).is_err_and(|a| a.is_empty()), "done");
    // A cancel between two slices ends the import at the next one.
    tracker.started(22, Job::import_file("c.csv".into()).0);
    assert_eq!(tracker.cancel(), Some(22));
    let Err(actions) = tracker.next_slice(22) else {
        panic!("cancelled")
    };
    assert!(matches!(
        actions.as_slice(),
        [Action::Cancelled, Action::WorkerReady]
    ));
    assert!(tracker.next_slice(22).is_err_and(|a| a.is_empty()));
    // A slice the worker failed or died on ends it with the reason.
    tracker.started(23, Job::import_file("d.csv".into()).0);
    let ending = Ending::from(campus_jobs::wire::Unanswered::Died("gone".into()));
    let actions = tracker.end(23, ending);
    assert!(
        matches!(actions.as_slice(), [Action::Failed { message }] if message.contains("(gone)"))
    );
    assert_eq!(
        Ending::from(campus_jobs::wire::Unanswered::Empty),
        Ending::Failed("the worker gave no answer".into())
    );

    let (job, _) = Job::generate(GenerateConfig::default());
    tracker.started(9, job);
    assert_eq!(tracker.cancel(), Some(9));
    assert_eq!(tracker.cancel(), None, "already cancelling");
    let actions = tracker.end(9, Ending::Died("stuck".into()));
    assert!(matches!(actions.as_slice(), [Action::Cancelled]));
    assert!(tracker.end(9, Ending::Cancelled).is_empty());

    let data = Rc::new(sessions(3, 300));
    let (job, _) = Job::train(data.clone(), None, small_config(), "now".into());
    tracker.started(10, job);
    let trained = Event::Trained {
        bundle: vec![1, 2],
        timings: Timings::default(),
    };
    let Some(Next::Store {
        bytes,
        origin:
            Origin::Trained {
                sessions: on,
                serving: None,
                ..
            },
    }) = tracker.event(10, trained)
    else {
        panic!("store the version")
    };
    assert_eq!((bytes, on.len()), (vec![1, 2], 300));
    let (job, _) = Job::generate(GenerateConfig::default());
    tracker.started(11, job);
    let actions = tracker.end(11, Ending::Failed("boom".into()));
    assert!(matches!(actions.as_slice(), [Action::Failed { message }] if message == "boom"));
}

#[test]
fn a_new_version_is_recorded_and_serves_or_waits() {
    let data = Rc::new(sessions(3, 300));
    let bundle = small_bundle();
    let origin = Origin::Trained {
        sessions: data.clone(),
        serving: None,
        timings: Timings::default(),
    };
    let (meta, admission) = record(1, &bundle, &origin, 10);
    assert_eq!(
        (meta.id, meta.origin.as_str(), meta.n_bytes),
        (1, "trained here", 10)
    );
    assert!(meta.ranges.is_some() && admission.serve);
    assert!(matches!(
        added(meta, admission, small_bundle()),
        Action::VersionAdded { .. }
    ));
    let serving = ActiveModel {
        id: 1,
        bundle: Rc::new(small_bundle()),
    };
    let mut weak_config = small_config();
    weak_config.forest.max_depth = Some(1);
    weak_config.forest.n_trees = 1;
    let weak =
        without_hooks(|hooks| campus_occupancy::train(&data, &weak_config, "t", hooks)).unwrap();
    let origin = Origin::Trained {
        sessions: data,
        serving: Some(serving),
        timings: Timings::default(),
    };
    let (meta, admission) = record(2, &weak, &origin, 10);
    assert!(!admission.serve);
    let state = State::default().reduce_action(added(meta, admission, weak));
    assert_eq!(state.versions.len(), 1);
    assert!(state.active.is_none(), "kept, not served");
    let (meta, admission) = record(3, &bundle, &Origin::File("m.bin".into()), 5);
    assert_eq!(meta.origin, "imported from m.bin");
    assert!(admission.serve && meta.ranges.is_none());
}

/// A notice shows beside the panel whose action caused it: a cancelled training run by the
/// training panel, a deleted version by the versions, new sessions by the sessions panel.
#[test]
fn a_notice_shows_by_the_panel_that_caused_it() {
    let train = State::default()
        .reduce_action(Action::WorkerReady)
        .reduce_action(Action::Started {
            job_id: 1,
            kind: JobKind::Train,
        });
    let cancelled = train.clone().reduce_action(Action::Cancelled);
    assert_eq!(cancelled.notice_at, Place::Training);
    assert!(cancelled.notice.is_some());
    let failed = train.reduce_action(Action::Failed {
        message: "no".into(),
    });
    assert_eq!(failed.notice_at, Place::Training);
    let deleted = failed.reduce_action(Action::Deleted { id: 3 });
    assert_eq!(
        (deleted.notice_at, deleted.notice.map(|n| n.text)),
        (Place::Registry, Some("Version 3 deleted.".to_owned()))
    );
    let generating = State::default().reduce_action(Action::Started {
        job_id: 2,
        kind: JobKind::Generate,
    });
    assert_eq!(
        generating.reduce_action(Action::Cancelled).notice_at,
        Place::Data
    );
    let imported = State::default().reduce_action(Action::Notify {
        is_error: true,
        text: "m.bin was not imported".into(),
    });
    assert_eq!(imported.notice_at, Place::Registry);
}

/// One problem can reject many rows (a UTF-16 file, an unclosed quote): the notice counts the
/// rows rejected, as the CLI does, and does not pretend the other rows had problems of their own.
#[test]
fn nothing_imported_counts_the_rows_rejected() {
    let mut utf16 = vec![0xff, 0xfe];
    let text = format!(
        "{}2024-09-02,09:00,Law,LT-2,150,Monday,1,False,133,0,0,0,0,85\n",
        write_csv(&[])
    );
    let text = format!(
        "{text}{}",
        text.lines()
            .nth(1)
            .map(|l| format!("{l}\n"))
            .unwrap_or_default()
    );
    for unit in text.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let imported = campus_occupancy::parse_sessions(&utf16, "u.csv");
    // Two rows below the header: the header line is not a rejected row.
    assert_eq!(imported.n_bad_rows, 2);
    let state = State::default()
        .reduce_action(Action::Started {
            job_id: 1,
            kind: JobKind::Import,
        })
        .reduce_action(Action::SessionsLoaded {
            job_id: 1,
            sessions: imported.rows,
            append: true,
            errors: imported.errors.iter().map(ToString::to_string).collect(),
            n_bad_rows: imported.n_bad_rows,
            source: "u.csv".into(),
            content_hash: Some(content_hash(&utf16)),
        });
    let text = notice_text(&state);
    assert!(
        text.starts_with("Nothing imported from u.csv: no row could be read (1 problem(s)). First problem: line 1: the file is UTF-16 text"),
        "{text}"
    );
    assert!(text.ends_with("Rows rejected: 2."), "{text}");
    let details = state
        .notice
        .as_ref()
        .map(|n| n.details.clone())
        .unwrap_or_default();
    assert_eq!(details.len(), 1, "{details:?}");
}

// The forest's chunks of trees over several workers.

mod forest_spread {
    use std::collections::VecDeque;

    use super::*;
    use campus_jobs::occupancy::forest_relay::{Ask, ForestRelay, IN_FLIGHT};
    use campus_jobs::{Bytes, JobError};
    use campus_occupancy::forest::ForestJob;

    fn spread_config() -> TrainConfig {
        let mut config = small_config();
        config.forest.n_trees = 23;
        config
    }

    /// The training stopped at its forest in `worker0`: its job and chunk count.
    fn pause(worker0: &mut OccupancyService, data: Vec<Session>) -> (ForestJob, usize) {
        let (events, outcome) = run(
            worker0,
            Request::TrainSpread {
                sessions: data,
                config: spread_config(),
                created_at: "t0".into(),
            },
        );
        assert_eq!(outcome, Outcome::Finished);
        assert!(
            (events.iter()).any(|e| matches!(e, Event::Progress(p) if p.stage == Stage::Linear)),
            "progress before the forest"
        );
        let Some(Event::ForestPaused { job, chunks }) = events.last().cloned() else {
            panic!("stops at the forest: {events:?}")
        };
        (job, chunks)
    }

    /// The one answer of a request, or its error.
    fn answer(service: &mut OccupancyService, request: Request) -> Result<Event, JobError> {
        let mut last = None;
        drive(service, request, |e| {
            last = Some(e);
            true
        })?;
        last.ok_or_else(|| JobError::new("no answer"))
    }

    /// Trains over `workers` services, running each worker's queue in the order `pick` chooses,
    /// as the page relays it; gives the trained bytes and the progress the page showed.
    fn train_spread(workers: usize, pick: impl Fn(usize) -> usize) -> (Vec<u8>, Vec<f64>) {
        let mut services: Vec<OccupancyService> =
            (0..workers).map(|_| OccupancyService::default()).collect();
        let (job, chunks) = pause(&mut services[0], sessions(3, 300));
        let mut relay = ForestRelay::new(job, chunks, workers);
        let mut queues: Vec<VecDeque<(u32, Request)>> = vec![VecDeque::new(); workers];
        let mut next_id = 0;
        let mut shown = Vec::new();
        let mut round = 0;
        while !relay.is_complete() {
            for handout in relay.hand_out() {
                next_id += 1;
                relay.sent(handout.worker, handout.ask, next_id);
                queues[handout.worker].push_back((next_id, handout.request));
            }
            let busy: Vec<usize> = (0..workers).filter(|w| !queues[*w].is_empty()).collect();
            let worker = busy[pick(round) % busy.len()];
            round += 1;
            let (id, request) = queues[worker].pop_front().unwrap();
            let event = answer(&mut services[worker], request).unwrap();
            relay.arrived(worker, id, event).unwrap();
            shown.push(relay.progress().stage_fraction);
        }
        assert!(relay.open_requests().is_empty());
        let resume = relay.resume().expect("every chunk is in");
        let (events, _) = run(&mut services[0], resume);
        let Some(Event::Trained { bundle, .. }) = events.last() else {
            panic!("ends with the trained version: {events:?}")
        };
        (bundle.clone(), shown)
    }

    #[test]
    fn training_with_the_forest_over_several_workers_is_byte_identical_to_one() {
        let mut alone = OccupancyService::default();
        let (events, _) = run(
            &mut alone,
            Request::Train {
                sessions: sessions(3, 300),
                config: spread_config(),
                created_at: "t0".into(),
            },
        );
        let Some(Event::Trained {
            bundle: expected, ..
        }) = events.last()
        else {
            panic!("trains")
        };
        for workers in [1, 2, 3] {
            // In hand-out order, last worker first, and scrambled.
            let picks: [fn(usize) -> usize; 3] = [|_| 0, |r| r + 7, |r| r * 5 + r / 3];
            for pick in picks {
                let (bytes, shown) = train_spread(workers, pick);
                assert!(bytes == *expected, "{workers} workers trained other bytes");
                assert!(
                    shown.windows(2).all(|w| w[0] <= w[1]),
                    "progress only rises"
                );
                assert_eq!(shown.last().copied(), Some(1.0));
            }
        }
    }

    #[test]
    fn the_relay_hands_out_the_job_once_and_chunks_to_the_least_busy() {
        let job = ForestJob {
            matrix: campus_occupancy::features::Matrix {
                n_rows: 0,
                n_cols: 0,
                data: Vec::new(),
            },
            targets: Vec::new(),
            config: Default::default(),
        };
        let mut relay = ForestRelay::new(job, 10, 3);
        let handouts = relay.hand_out();
        let asks: Vec<(usize, Ask)> = handouts.iter().map(|h| (h.worker, h.ask)).collect();
        assert_eq!(
            asks,
            vec![
                (0, Ask::Chunk(0)),
                (1, Ask::Begin),
                (1, Ask::Chunk(1)),
                (2, Ask::Begin),
                (2, Ask::Chunk(2)),
                (0, Ask::Chunk(3)),
                (1, Ask::Chunk(4)),
                (2, Ask::Chunk(5)),
            ],
            "worker 0 has the job; {IN_FLIGHT} chunks queued per worker"
        );
        assert!(matches!(handouts[1].request, Request::ForestBegin { .. }));
        assert!(relay.hand_out().is_empty(), "every worker is full");
        for (id, h) in handouts.iter().enumerate() {
            relay.sent(h.worker, h.ask, id as u32);
        }
        assert_eq!(relay.open_requests().len(), 8);
        let chunk = |idx| Event::ForestChunk {
            idx,
            fitted: Bytes(vec![idx as u8]),
        };
        // A wrong answer, or one to a request never sent, is an error, not a hang.
        assert!(
            relay.arrived(1, 1, chunk(1)).is_err(),
            "a chunk for the job"
        );
        assert!(relay.arrived(1, 99, chunk(1)).is_err(), "unasked");
        assert!(
            relay.arrived(2, 4, Event::ForestBegun).is_err(),
            "the job for a chunk"
        );
        // Worker 2 answers its chunk 5 (request 7) early: it gets the next chunk.
        relay.arrived(2, 7, chunk(5)).unwrap();
        let next: Vec<(usize, Ask)> = relay.hand_out().iter().map(|h| (h.worker, h.ask)).collect();
        assert_eq!(next, vec![(2, Ask::Chunk(6))]);
        assert_eq!(relay.fitted(), 1);
        assert!(relay.resume().is_none(), "not complete");
    }

    #[test]
    fn chunks_resume_and_jobs_out_of_turn_fail_with_a_message() {
        let mut helper = OccupancyService::default();
        let err = answer(&mut helper, Request::ForestChunk { idx: 0 }).unwrap_err();
        assert!(err.message.contains("no forest's job"), "{err}");
        let err = answer(&mut helper, Request::TrainResume { chunks: Vec::new() }).unwrap_err();
        assert!(err.message.contains("no training waits"), "{err}");

        let mut worker0 = OccupancyService::default();
        let (job, chunks) = pause(&mut worker0, sessions(3, 300));
        assert!(matches!(
            answer(&mut helper, Request::ForestBegin { job }),
            Ok(Event::ForestBegun)
        ));
        let err = answer(&mut helper, Request::ForestChunk { idx: chunks }).unwrap_err();
        assert!(err.message.contains("no chunk"), "{err}");
        let fitted = |service: &mut OccupancyService, idx| match answer(
            service,
            Request::ForestChunk { idx },
        ) {
            Ok(Event::ForestChunk { fitted, .. }) => fitted,
            other => panic!("{other:?}"),
        };
        // Chunks missing, or out of order, fail the training.
        let first = fitted(&mut helper, 0);
        let second = fitted(&mut worker0, 1);
        let err = answer(
            &mut worker0,
            Request::TrainResume {
                chunks: vec![first.clone()],
            },
        );
        assert!(err.unwrap_err().message.contains("missing"));
        let (_, chunks) = pause(&mut worker0, sessions(3, 300));
        assert!(chunks > 2);
        let err = answer(
            &mut worker0,
            Request::TrainResume {
                chunks: vec![second, first],
            },
        );
        assert!(
            err.unwrap_err()
                .message
                .contains("arrived where chunk 0 was due")
        );
    }

    #[test]
    fn a_training_cancelled_at_its_forest_ends_there() {
        let data = Rc::new(sessions(3, 300));
        let (job, request) = Job::train_spread(data.clone(), None, spread_config(), "t0".into());
        assert!(matches!(request, Request::TrainSpread { .. }));
        let mut tracker = Tracker::default();
        tracker.started(5, job.clone());
        let mut worker0 = OccupancyService::default();
        let (forest, chunks) = pause(&mut worker0, sessions(3, 300));
        let paused = Event::ForestPaused {
            job: forest.clone(),
            chunks,
        };
        assert!(matches!(
            tracker.event(5, paused.clone()),
            Some(Next::SpreadForest { .. })
        ));
        assert!(
            tracker.finished(5).is_empty(),
            "the training goes on under its id"
        );
        assert_eq!(tracker.cancel(), Some(5));
        let Some(Next::Ended(actions)) = tracker.event(5, paused) else {
            panic!("a cancel before the forest's chunks ends the training")
        };
        assert!(
            matches!(actions.as_slice(), [Action::Cancelled, Action::WorkerReady]),
            "cancelled, and worker 0 goes on"
        );
        // Cancelled as the worker stopped at the forest: the stop is dropped, the request ends
        // finished, and the training ends cancelled.
        tracker.started(6, job);
        assert_eq!(tracker.cancel(), Some(6));
        assert!(matches!(
            tracker.finished(6).as_slice(),
            [Action::Cancelled, Action::WorkerReady]
        ));
        assert!(tracker.finished(6).is_empty(), "once");
    }
}
