//! Browser tests of the occupancy section, run in headless Chromium by wasm-bindgen-test: the
//! worker protocol's codec, the IndexedDB registry and the charts. The forms and the reducer are
//! tested natively in `crates/jobs/tests/occupancy.rs`.
#![cfg(target_arch = "wasm32")]

use campus_jobs::occupancy::view::{BarFigure, heatmap_figure};
use campus_jobs::occupancy::{Event, Request, VersionMeta};
use campus_occupancy::{
    GenerateConfig, ModelBundle, Progress, Session, Stage, TrainConfig, generate,
};
use campus_web::occupancy::charts::{bar_svg, heatmap_svg};
use campus_web::occupancy::registry::Registry;
use campus_web::shared::worker::{FromWorker, ToWorker, decode, encode};
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

// The worker protocol.

#[wasm_bindgen_test]
fn messages_round_trip_and_foreign_ones_are_refused() {
    let request = Request::Train {
        sessions: sessions(5, 30),
        config: TrainConfig::default(),
        created_at: "now".into(),
    };
    let message = ToWorker::Request {
        id: 7,
        request: request.clone(),
    };
    let Ok(bytes) = encode(&message) else {
        panic!("encodes")
    };
    match decode::<ToWorker<Request>>(&bytes) {
        Ok(ToWorker::Request { id, request: back }) => assert_eq!((id, back), (7, request)),
        other => panic!("got {other:?}"),
    }
    let event = Event::Progress(Progress {
        stage: Stage::Svm,
        stage_fraction: 0.25,
        overall: 0.7,
    });
    let message = FromWorker::Event {
        id: 7,
        event: event.clone(),
    };
    let Ok(bytes) = encode(&message) else {
        panic!("encodes")
    };
    match decode::<FromWorker<Event>>(&bytes) {
        Ok(FromWorker::Event { id, event: back }) => assert_eq!((id, back), (7, event)),
        other => panic!("got {other:?}"),
    }
    assert!(decode::<ToWorker<Request>>(&JsValue::from_str("hello")).is_err());
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
    let one = BarFigure {
        test_id: "one",
        caption: "one",
        x_desc: "x",
        y_desc: "y",
        labels: vec!["Monday".to_owned()],
        values: vec![3.0],
        rows: Vec::new(),
    };
    let Ok(svg) = bar_svg(&one) else {
        panic!("draws")
    };
    assert!(!svg.contains("width=\"-"), "{svg}");
    let analytics = campus_occupancy::analytics(&sessions(1, 1));
    let Ok(svg) = heatmap_svg(&heatmap_figure(&analytics)) else {
        panic!("draws")
    };
    assert!(
        !svg.contains("width=\"-") && !svg.contains("height=\"-"),
        "{svg}"
    );
    assert!(svg.contains("<rect"));
}
