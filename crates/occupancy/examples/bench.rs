//! Times generation, training of each model and single-session prediction natively.
//!
//! `cargo run --release -p campus_occupancy --example bench -- 5000 [out.csv]` prints the
//! figures as JSON lines; `bench/sklearn_bench.py` times scikit-learn on the written CSV.

use std::time::Instant;

use campus_occupancy::features::FeatureEncoder;
use campus_occupancy::forest::ForestModel;
use campus_occupancy::linear::LinearModel;
use campus_occupancy::metrics::{classification_metrics, regression_metrics};
use campus_occupancy::progress::without_hooks;
use campus_occupancy::split::train_test_split;
use campus_occupancy::svm::{Shrinking, SvmConfig, SvmModel};
use campus_occupancy::{GenerateConfig, ModelBundle, TrainConfig, generate, train, write_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n_sessions: usize = args.next().map_or(Ok(5_000), |a| a.parse())?;
    let out = args.next();
    let sessions = generate(&GenerateConfig {
        n_sessions,
        ..GenerateConfig::default()
    });
    if let Some(path) = out {
        std::fs::write(path, write_csv(&sessions))?;
    }
    let n_over = sessions.iter().filter(|s| s.overcrowded()).count();
    println!(
        "{{\"sessions\": {n_sessions}, \"overcrowded_share\": {:.3}}}",
        n_over as f64 / n_sessions as f64
    );

    let config = TrainConfig::default();
    let split = train_test_split(sessions.len(), config.test_fraction, config.split_seed);
    let pick = |rows: &[usize]| rows.iter().map(|r| &sessions[*r]).collect::<Vec<_>>();
    let (train_rows, test_rows) = (pick(&split.train), pick(&split.test));
    let encoder = FeatureEncoder::fit(train_rows.iter().map(|s| &s.input));
    let x_train = encoder.encode(train_rows.iter().map(|s| &s.input));
    let x_test = encoder.encode(test_rows.iter().map(|s| &s.input));
    let y_train: Vec<f64> = train_rows
        .iter()
        .map(|s| f64::from(s.actual_attendance))
        .collect();
    let y_test: Vec<f64> = test_rows
        .iter()
        .map(|s| f64::from(s.actual_attendance))
        .collect();
    let l_train: Vec<bool> = train_rows.iter().map(|s| s.overcrowded()).collect();
    let l_test: Vec<bool> = test_rows.iter().map(|s| s.overcrowded()).collect();

    // BENCH_MODELS=svm,forest limits the run (default: everything).
    let wanted = |name: &str| {
        std::env::var("BENCH_MODELS").map_or(true, |m| m.split(',').any(|w| w == name))
    };
    if wanted("linear") {
        let t = Instant::now();
        let linear = LinearModel::fit(&x_train, &y_train, &config.linear)?;
        let linear_s = t.elapsed().as_secs_f64();
        let m = regression_metrics(&y_test, &linear.predict(&x_test));
        println!(
            "{{\"model\": \"linear\", \"train_s\": {linear_s:.4}, \"r2\": {:.4}, \"mae\": {:.3}}}",
            m.r2, m.mae
        );
    }
    if wanted("forest") {
        let t = Instant::now();
        let forest = without_hooks(|h| ForestModel::fit(&x_train, &y_train, &config.forest, h))?;
        let forest_s = t.elapsed().as_secs_f64();
        let m = regression_metrics(&y_test, &forest.predict(&x_test)?);
        println!(
            "{{\"model\": \"forest\", \"train_s\": {forest_s:.4}, \"r2\": {:.4}, \"mae\": {:.3}}}",
            m.r2, m.mae
        );
    }
    if wanted("svm") {
        let t = Instant::now();
        let svm = without_hooks(|h| SvmModel::fit(&x_train, &l_train, &config.svm, h))?;
        let svm_s = t.elapsed().as_secs_f64();
        let verdicts: Vec<bool> = (0..x_test.n_rows)
            .map(|r| svm.predict_row(x_test.row(r)))
            .collect();
        let c = classification_metrics(&l_test, &verdicts);
        println!(
            "{{\"model\": \"svm\", \"train_s\": {svm_s:.4}, \"accuracy\": {:.4}, \"recall_overcrowded\": {:.4}, \"precision_overcrowded\": {:.4}, \"n_support\": {}, \"iterations\": {}}}",
            c.accuracy,
            c.per_class[1].recall,
            c.per_class[1].precision,
            svm.stats.n_support,
            svm.stats.n_iterations
        );
    }

    if std::env::var_os("BENCH_SVM_NO_SHRINK").is_some() {
        let no_shrink = SvmConfig {
            shrinking: Shrinking::Off,
            ..config.svm.clone()
        };
        let t = Instant::now();
        let svm = without_hooks(|h| SvmModel::fit(&x_train, &l_train, &no_shrink, h))?;
        println!(
            "{{\"model\": \"svm_no_shrinking\", \"train_s\": {:.4}, \"iterations\": {}}}",
            t.elapsed().as_secs_f64(),
            svm.stats.n_iterations
        );
    }

    if !wanted("bundle") {
        return Ok(());
    }
    let t = Instant::now();
    let bundle = without_hooks(|h| train(&sessions, &config, "bench", h))?;
    let total_s = t.elapsed().as_secs_f64();
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
    println!(
        "{{\"train_all_s\": {total_s:.4}, \"bundle_bytes\": {}, \"load_s\": {load_s:.4}, \"predict_one_ms\": {predict_ms:.4}}}",
        bytes.len()
    );
    Ok(())
}
