//! The random forest alone, as `campus occupancy train` fits it, on 1 or N threads.
//!
//! `cargo run --release -p campus_jobs --example forest_bench -- SESSIONS.csv THREADS [TREES]`
//! fits the forest on the training split (the same split, encoder and settings as training),
//! best of three, and prints its seconds and its R² on the held-back rows. The bench script
//! runs scikit-learn's RandomForestRegressor beside it with the same tree count and threads.

use std::sync::Arc;
use std::time::Instant;

use campus_jobs::parallel::Pool;
use campus_occupancy::features::FeatureEncoder;
use campus_occupancy::forest::{ForestFit, OneByOne, Spread};
use campus_occupancy::import::parse_sessions;
use campus_occupancy::metrics::regression_metrics;
use campus_occupancy::split::train_test_split;
use campus_occupancy::train::TrainConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: forest_bench SESSIONS.csv THREADS [TREES]")?;
    let threads: usize = args.next().map_or(Ok(1), |a| a.parse())?;
    let mut config = TrainConfig::default();
    if let Some(trees) = args.next() {
        config.forest.n_trees = trees.parse()?;
    }
    let sessions = parse_sessions(&std::fs::read(&path)?, &path).rows;
    let split = train_test_split(sessions.len(), config.test_fraction, config.split_seed);
    let pick = |rows: &[usize]| {
        rows.iter()
            .filter_map(|r| sessions.get(*r))
            .collect::<Vec<_>>()
    };
    let (train, test) = (pick(&split.train), pick(&split.test));
    let encoder = FeatureEncoder::fit(train.iter().map(|s| &s.input));
    let x_train = encoder.encode(train.iter().map(|s| &s.input));
    let x_test = encoder.encode(test.iter().map(|s| &s.input));
    let y = |rows: &[&campus_occupancy::Session]| -> Vec<f64> {
        rows.iter()
            .map(|s| f64::from(s.actual_attendance))
            .collect()
    };
    let (y_train, y_test) = (y(&train), y(&test));
    let spread: Arc<dyn Spread> = match Pool::new(threads) {
        Some(pool) if threads > 1 => Arc::new(pool),
        _ => Arc::new(OneByOne),
    };
    let mut best = f64::INFINITY;
    let mut r2 = f64::NAN;
    for _ in 0..3 {
        let start = Instant::now();
        let mut fit = ForestFit::new(&x_train, &y_train, &config.forest)?;
        while !fit.is_done() {
            fit.fit_next_on(&*spread)?;
        }
        let forest = fit.finish();
        best = best.min(start.elapsed().as_secs_f64());
        r2 = regression_metrics(&y_test, &forest.predict(&x_test)?).r2;
    }
    println!(
        "campus forest: {} sessions, {} trees, {threads} thread(s): fit {best:.3} s (best of 3), R² {r2:.4}",
        sessions.len(),
        config.forest.n_trees
    );
    Ok(())
}
