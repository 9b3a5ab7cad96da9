//! Times training of each model, loading and single-session prediction natively.
//!
//! `cargo run --release -p campus_occupancy --example occupancy_bench -- 5000 [sessions.csv]` generates
//! the default dataset (seed 42), optionally writes it for `bench/sklearn_bench.py`, trains
//! once with the default configuration and prints JSON lines. Per-model times come from the
//! progress hooks' stage changes, so they are the times inside a real `train` call.

use std::time::Instant;

use campus_occupancy::forest::{FeaturesPerSplit, ForestConfig};
use campus_occupancy::progress::{Hooks, Progress, Stage};
use campus_occupancy::{GenerateConfig, ModelBundle, TrainConfig, generate, train, write_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n_sessions: usize = args.next().map_or(Ok(5_000), |a| a.parse())?;
    let sessions = generate(&GenerateConfig {
        n_sessions,
        ..GenerateConfig::default()
    });
    if let Some(path) = args.next() {
        std::fs::write(path, write_csv(&sessions))?;
    }
    let n_over = sessions.iter().filter(|s| s.overcrowded()).count();
    println!(
        "{{\"sessions\": {n_sessions}, \"overcrowded_share\": {:.3}}}",
        n_over as f64 / n_sessions as f64
    );

    let mut stage_times: Vec<(Stage, f64)> = Vec::new();
    let mut current: Option<(Stage, Instant)> = None;
    let mut on_progress = |p: Progress| {
        if current.map(|(stage, _)| stage) != Some(p.stage) {
            if let Some((stage, since)) = current {
                stage_times.push((stage, since.elapsed().as_secs_f64()));
            }
            current = Some((p.stage, Instant::now()));
        }
    };
    let never = || false;
    let start = Instant::now();
    let mut config = TrainConfig::default();
    // BENCH_FOREST=sklearn grows the forest like scikit-learn's defaults (every feature at every
    // split, unbounded depth, leaves of one) for a like-for-like time.
    if std::env::var("BENCH_FOREST").is_ok_and(|v| v == "sklearn") {
        config.forest = ForestConfig {
            features_per_split: FeaturesPerSplit::All,
            max_depth: None,
            min_samples_leaf: 1,
            min_samples_split: 2,
            ..ForestConfig::default()
        };
    }
    let bundle = train(
        &sessions,
        &config,
        "bench",
        &mut Hooks {
            on_progress: &mut on_progress,
            is_cancelled: &never,
        },
    )?;
    let total_s = start.elapsed().as_secs_f64();
    let seconds = |stage: Stage| {
        stage_times
            .iter()
            .find(|(s, _)| *s == stage)
            .map_or(0.0, |(_, t)| *t)
    };
    let e = &bundle.evaluation;
    println!(
        "{{\"model\": \"linear\", \"train_s\": {:.4}, \"r2\": {:.4}, \"mae\": {:.3}}}",
        seconds(Stage::Linear),
        e.linear.r2,
        e.linear.mae
    );
    println!(
        "{{\"model\": \"forest\", \"train_s\": {:.4}, \"r2\": {:.4}, \"mae\": {:.3}}}",
        seconds(Stage::Forest),
        e.forest.r2,
        e.forest.mae
    );
    let svm = &bundle.models.svm.stats;
    println!(
        "{{\"model\": \"svm\", \"train_s\": {:.4}, \"accuracy\": {:.4}, \"recall_overcrowded\": {:.4}, \"precision_overcrowded\": {:.4}, \"n_support\": {}, \"iterations\": {}}}",
        seconds(Stage::Svm),
        e.svm.accuracy,
        e.svm.per_class[1].recall,
        e.svm.per_class[1].precision,
        svm.n_support,
        svm.n_iterations
    );

    let bytes = bundle.to_bytes()?;
    let t = Instant::now();
    let loaded = ModelBundle::from_bytes(&bytes)?;
    let load_s = t.elapsed().as_secs_f64();
    let n_predict = 1000.min(sessions.len());
    let t = Instant::now();
    for session in sessions.iter().take(n_predict) {
        std::hint::black_box(loaded.predict(&session.input)?);
    }
    let predict_ms = t.elapsed().as_secs_f64() * 1000.0 / n_predict as f64;
    // Each model on its own, to see which one a prediction's time goes to.
    let rows: Vec<Vec<f64>> = sessions
        .iter()
        .take(n_predict)
        .map(|s| loaded.models.encoder.encode_row(&s.input))
        .collect();
    let per_row_ms = |f: &dyn Fn(&[f64]) -> f64| {
        let t = Instant::now();
        for row in &rows {
            std::hint::black_box(f(row));
        }
        t.elapsed().as_secs_f64() * 1000.0 / n_predict as f64
    };
    let models = &loaded.models;
    let linear_ms = per_row_ms(&|r| models.linear.predict_row(r));
    let forest_ms = per_row_ms(&|r| models.forest.predict_row(r).unwrap_or(0.0));
    let svm_ms = per_row_ms(&|r| models.svm.decision_function(r));
    println!(
        "{{\"predict_linear_ms\": {linear_ms:.4}, \"predict_forest_ms\": {forest_ms:.4}, \"predict_svm_ms\": {svm_ms:.4}}}"
    );
    println!(
        "{{\"train_all_s\": {total_s:.4}, \"bundle_bytes\": {}, \"load_s\": {load_s:.4}, \"predict_one_ms\": {predict_ms:.4}}}",
        bytes.len()
    );
    Ok(())
}
