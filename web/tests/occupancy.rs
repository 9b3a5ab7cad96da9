//! Browser tests of the occupancy section's logic, run in headless Chromium by wasm-bindgen-test:
//! the prediction form, the reducer, the worker protocol, the IndexedDB registry and the charts.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use campus_occupancy::{
    GenerateConfig, ModelBundle, Progress, Session, Stage, TrainConfig, generate,
};
use campus_web::occupancy::charts::{bar_svg, heatmap_svg};
use campus_web::occupancy::predict::{Field, PredictForm, parse_time};
use campus_web::occupancy::protocol::{Request, Response, Timings, decode, encode};
use campus_web::occupancy::registry::{Registry, VersionMeta};
use campus_web::occupancy::state::{Action, ActiveModel, JobKind, State};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn sessions(seed: u64, n_sessions: usize) -> Vec<Session> {
    generate(&GenerateConfig {
        seed,
        n_sessions,
        ..GenerateConfig::default()
    })
}

/// A small, quick model: a few shallow trees on a few hundred sessions.
fn small_bundle() -> ModelBundle {
    let mut config = TrainConfig::default();
    config.forest.n_trees = 5;
    config.forest.max_depth = Some(4);
    config.svm.cache_megabytes = 8;
    let mut ignore = |_: Progress| {};
    let never = || false;
    let mut hooks = campus_occupancy::Hooks {
        on_progress: &mut ignore,
        is_cancelled: &never,
    };
    let Ok(bundle) = campus_occupancy::train(
        &sessions(3, 300),
        &config,
        "2026-01-01T00:00:00Z",
        &mut hooks,
    ) else {
        panic!("training the small model failed");
    };
    bundle
}

// The prediction form.

fn check_form(edit: impl FnOnce(&mut PredictForm), expected: Result<(), (Field, &str)>) {
    let mut form = PredictForm::typical("Law", "Room 1", 40, "Monday");
    edit(&mut form);
    match (form.parse(), expected) {
        (Ok(_), Ok(())) => {}
        (Err(errors), Err((field, fragment))) => assert!(
            errors
                .iter()
                .any(|(f, m)| *f == field && m.contains(fragment)),
            "{errors:?} lacks {field:?} {fragment:?}"
        ),
        (got, expected) => panic!("got {got:?}, expected {expected:?}"),
    }
}

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
fn times_and_trend_come_out_right() {
    assert_eq!(parse_time("09:30"), Ok(570));
    assert_eq!(parse_time("9:05"), Ok(545));
    assert_eq!(parse_time(" 23:59 "), Ok(1439));
    for bad in ["", "9", "09:60", "24:00", "-1:00", "09:300", "nine"] {
        assert!(parse_time(bad).is_err(), "{bad:?}");
    }
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

// The reducer.

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
    })
}

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
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

// The worker protocol.

#[wasm_bindgen_test]
fn messages_round_trip_and_foreign_ones_are_refused() {
    let request = Request::Train {
        job_id: 7,
        sessions: sessions(5, 30),
        config: TrainConfig::default(),
        created_at: "now".into(),
    };
    let Ok(bytes) = encode(&request) else {
        panic!("encodes")
    };
    assert_eq!(decode::<Request>(&bytes), Ok(request));
    let response = Response::Progress {
        job_id: 7,
        progress: Progress {
            stage: Stage::Svm,
            stage_fraction: 0.25,
            overall: 0.7,
        },
    };
    let Ok(bytes) = encode(&response) else {
        panic!("encodes")
    };
    assert_eq!(decode::<Response>(&bytes), Ok(response));
    assert!(decode::<Request>(&JsValue::from_str("hello")).is_err());
}

// The IndexedDB registry.

#[wasm_bindgen_test]
async fn registry_keeps_versions_that_predict_identically() {
    let Ok(registry) = Registry::open_named("campus-occupancy-test").await else {
        panic!("opens")
    };
    assert_eq!(registry.clear().await, Ok(()));
    assert_eq!(registry.list().await, Ok(Vec::new()));
    assert_eq!(registry.next_id().await, Ok(1));

    let bundle = small_bundle();
    let Ok(bytes) = bundle.to_bytes() else {
        panic!("saves")
    };
    let meta = VersionMeta::new(1, &bundle, "trained here".into(), bytes.len(), None);
    assert_eq!(registry.put(&meta, &bytes).await, Ok(()));
    let meta2 = VersionMeta {
        id: 2,
        ..meta.clone()
    };
    assert_eq!(registry.put(&meta2, &bytes).await, Ok(()));
    assert_eq!(registry.list().await, Ok(vec![meta2, meta]));
    assert_eq!(registry.next_id().await, Ok(3));

    // Reopening (as after a reload) finds the same bytes, which predict exactly as before.
    let Ok(reopened) = Registry::open_named("campus-occupancy-test").await else {
        panic!("reopens")
    };
    let Ok(stored) = reopened.bytes(1).await else {
        panic!("reads")
    };
    assert_eq!(stored, bytes);
    let Ok(loaded) = ModelBundle::from_bytes(&stored) else {
        panic!("loads")
    };
    for session in sessions(9, 50) {
        assert_eq!(
            loaded.predict(&session.input),
            bundle.predict(&session.input)
        );
    }

    assert_eq!(reopened.delete(2).await, Ok(()));
    assert_eq!(reopened.list().await.map(|v| v.len()), Ok(1));
    assert!(reopened.bytes(2).await.is_err());
    assert_eq!(reopened.clear().await, Ok(()));
}

// Charts.

/// Regression: a chart with a single bar (one weekday, one slot after importing one row) drew
/// rectangles of negative width (console errors in Chromium) and its axis labels subtracted
/// past zero.
#[wasm_bindgen_test]
fn single_bar_charts_have_no_negative_sizes() {
    let Ok(svg) = bar_svg("one", "x", "y", &["Monday".to_owned()], &[3.0]) else {
        panic!("draws")
    };
    assert!(!svg.contains("width=\"-"), "{svg}");
    let analytics = campus_occupancy::analytics(&sessions(1, 1));
    let Ok(svg) = heatmap_svg(&analytics.utilisation) else {
        panic!("draws")
    };
    assert!(
        !svg.contains("width=\"-") && !svg.contains("height=\"-"),
        "{svg}"
    );
    assert!(svg.contains("<rect"));
}

// The training form.

#[wasm_bindgen_test]
fn training_form_gives_the_config_or_a_clear_message() {
    use campus_occupancy::forest::FeaturesPerSplit;
    use campus_occupancy::svm::{ClassWeight, Gamma, KernelConfig};
    use campus_web::occupancy::hook::{BROWSER_CACHE_MEGABYTES, browser_train_config};
    use campus_web::occupancy::train_form::TrainForm;

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

    let check = |edit: fn(&mut TrainForm), fragment: &str| {
        let mut bad = form.clone();
        edit(&mut bad);
        let message = bad.parse().err().unwrap_or_default();
        assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
    };
    check(
        |f| f.trees = "0".into(),
        "Trees must be a whole number from 1 to 500",
    );
    check(|f| f.trees = "many".into(), "Trees");
    check(
        |f| f.max_depth = "0".into(),
        "Maximum depth must be from 1 to 64",
    );
    check(
        |f| f.features_per_split = "half".into(),
        "Features per split",
    );
    check(|f| f.gamma = "-1".into(), "Gamma must be a number above 0");
    check(|f| f.c = "0".into(), "C must be a number above 0");
}
